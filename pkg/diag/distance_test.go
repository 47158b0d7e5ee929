package diag_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rocketops/rocketops/pkg/diag"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{a: "", b: "", want: 0},
		{a: "abc", b: "", want: 3},
		{a: "", b: "abc", want: 3},
		{a: "kitten", b: "sitting", want: 3},
		{a: "brokerName", b: "brokerNmae", want: 1},
		{a: "ab", b: "ba", want: 1},
		{a: "flushDiskTyp", b: "flushDiskType", want: 1},
		{a: "主题", b: "主体", want: 1}, // characters, not bytes
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.want, diag.Distance(tc.a, tc.b))
			assert.Equal(t, tc.want, diag.Distance(tc.b, tc.a))
		})
	}
}
