package validate

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/spec"
)

// unlimited lifts the parse limits, so that the validator's own cost can be seen on inputs Parse
// would refuse.
var unlimited = spec.Limits{Bytes: 64 << 20, Depth: 64, Keys: 1 << 30, Nodes: 1 << 30, Scalar: 1 << 20}

// validateWithin runs validate and fails the test if it does not end within 10 s: a safety net
// against a quadratic path, not a timing.
func validateWithin(t *testing.T, src string, limits spec.Limits) diag.List {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan diag.List, 1)
	go func() {
		_, diags := validate("cluster.yaml", []byte(src), limits, CompileBudget)
		done <- diags
	}()
	select {
	case diags := <-done:
		return diags
	case <-ctx.Done():
		t.Fatalf("validate did not end within 10 s")
		return nil
	}
}

const limitsHeader = "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\nspec:\n  version: \"5.3.3\"\n"

// TestValidationIsLinear: 100,000 unknown keys in one mapping took over a minute when each report
// scanned the mapping for its position; now each key costs the same however many there are.
func TestValidationIsLinear(t *testing.T) {
	const n = 100_000
	var b strings.Builder
	b.WriteString(limitsHeader + "  brokers:\n")
	for i := range n {
		fmt.Fprintf(&b, "    unknownKey%d: 1\n", i)
	}
	diags := validateWithin(t, b.String(), unlimited)
	require.Len(t, diags, n)
	assert.Equal(t, `cluster.yaml:8:5: /spec/brokers/unknownKey0: unknown field "unknownKey0"`, strings.SplitN(diags[0].String(), "\n", 2)[0])
	assert.Equal(t, fmt.Sprintf(`cluster.yaml:%d:5: /spec/brokers/unknownKey%d: unknown field "unknownKey%d"`, 7+n, n-1, n-1), strings.SplitN(diags[n-1].String(), "\n", 2)[0])
}

// TestManyErrorsStopTheEnvironments: past maxFindings errors in the base, the environments, which
// would repeat them at the cost of every rule again, are not checked, and the report says so.
func TestManyErrorsStopTheEnvironments(t *testing.T) {
	var b strings.Builder
	b.WriteString(limitsHeader)
	for i := range maxFindings + 1 {
		switch i {
		case 0:
			b.WriteString("  brokers:\n    config:\n")
		case 600:
			b.WriteString("  nameServer:\n    config:\n")
		}
		fmt.Fprintf(&b, "      notAKey%d: 1\n", i)
	}
	b.WriteString("  environments:\n    dev: {}\n    prod: {}\n")
	diags := validateWithin(t, b.String(), spec.DefaultLimits())
	require.Len(t, diags, maxFindings+2)
	last := diags[len(diags)-1]
	assert.Equal(t, "cluster.yaml:1012:3: /spec/environments: 2 of 2 environments were not checked: more than 1,000 problems were found before them\n\thint: fix the problems above, then validate again", last.String())
	assert.Empty(t, diags[0].Envs, "findings of the base alone carry no environment")
}

func TestWeight(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want int
	}{
		{"nothing", nil, 0},
		{"a scalar", "x", 1},
		{"a long string counts per 32 bytes", strings.Repeat("x", 64), 3},
		{"a mapping counts itself and its keys", map[string]any{"a": "x", "b": true}, 5},
		{"a list counts itself", []any{"x", "y"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, weight(tc.v))
		})
	}
}
