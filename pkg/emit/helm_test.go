package emit

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithNulls(t *testing.T) {
	defaults := map[string]any{
		"console": map[string]any{"replicas": 1},
		"nameServer": map[string]any{
			"pod": map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": "250m", "memory": "1Gi"}}},
		},
		"groups": []any{map[string]any{"name": "a"}},
		"same":   "x",
	}
	values := map[string]any{
		"nameServer": map[string]any{
			"pod": map[string]any{"resources": map[string]any{"requests": map[string]any{"memory": "2Gi"}}},
		},
		"groups": []any{},
		"same":   "y",
	}
	before := fmt.Sprint(values)
	got, changed := withNulls(defaults, values)
	require.True(t, changed)
	require.Equal(t, before, fmt.Sprint(values), "the plan's value is not changed")
	require.Equal(t, map[string]any{
		"console": nil, // absent in the plan: Helm must drop the default
		"nameServer": map[string]any{
			"pod": map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": nil, "memory": "2Gi"}}},
		},
		"groups": []any{}, // lists replace whole in Helm: nothing to null
		"same":   "y",
	}, got)
	// Nothing to null: the same map back.
	same := map[string]any{"same": "z", "groups": []any{}, "console": map[string]any{"replicas": 2},
		"nameServer": map[string]any{"pod": map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": "1", "memory": "1Gi"}}}}}
	got, changed = withNulls(defaults, same)
	require.False(t, changed)
	require.Equal(t, same, got)
}

func TestHelmValuesNullOnlyWhatDefaultsAdd(t *testing.T) {
	defaults, err := chartDefaults()
	require.NoError(t, err)
	require.Contains(t, defaults, "console", "the chart's defaults enable the console")
}
