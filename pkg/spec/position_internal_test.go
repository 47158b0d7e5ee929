package spec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPositionIndexesWideMappings: reporting every key of a wide mapping builds one index of it and
// looks keys up there, instead of scanning the mapping once per report (which made validating 100k
// unknown keys take over a minute).
func TestPositionIndexesWideMappings(t *testing.T) {
	var b strings.Builder
	b.WriteString("spec:\n  brokers:\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "    k%d: 1\n", i)
	}
	b.WriteString("  narrow: {a: 1}\n")
	d, diags := Parse("cluster.yaml", []byte(b.String()))
	require.Empty(t, diags)
	for i := range 1000 {
		line, _, _ := d.Position(d.Root, fmt.Sprintf("/spec/brokers/k%d", i), true)
		require.Equal(t, 3+i, line)
	}
	d.Position(d.Root, "/spec/narrow/a", true)
	brokers := Lookup(d.Root, "/spec/brokers")
	require.Len(t, d.keys, 1, "one index, of the one wide mapping")
	assert.Len(t, d.keys[brokers], 1000)
}
