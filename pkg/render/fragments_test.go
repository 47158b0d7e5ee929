package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFragmentsStandAndRestore: what gets a mark and what stays itself, and that restore puts every
// value back, copies a value placed twice, and refuses marks the blueprints changed or used as keys.
func TestFragmentsStandAndRestore(t *testing.T) {
	var f fragments
	long := strings.Repeat("line\n", 60)
	probe := map[string]any{"tcpSocket": map[string]any{"port": "broker"}}
	volumes := []any{map[string]any{"name": "tmp"}}
	for _, v := range []any{"name", "", map[string]any{}, []any{}, 3.0, true, nil} {
		require.Equal(t, v, f.stand(v), "%#v stays itself", v)
	}
	require.Empty(t, f.values)
	marks := []any{f.stand(probe), f.stand(volumes), f.stand(long), f.stand("a\x00b")}
	for _, m := range marks {
		require.IsType(t, "", m)
		require.True(t, strings.HasPrefix(m.(string), fragmentMark))
	}

	obj := map[string]any{
		"probe": marks[0], "again": marks[0],
		"spec": map[string]any{"volumes": marks[1], "list": []any{marks[2], "plain", marks[3]}},
	}
	used := make([]bool, len(f.values))
	got, err := f.restore(obj, used)
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"probe": probe, "again": probe,
		"spec": map[string]any{"volumes": volumes, "list": []any{long, "plain", "a\x00b"}},
	}, got)
	// The second placement is a copy: changing one leaves the other alone.
	got.(map[string]any)["again"].(map[string]any)["tcpSocket"] = nil
	require.Equal(t, map[string]any{"port": "broker"}, got.(map[string]any)["probe"].(map[string]any)["tcpSocket"])

	for _, bad := range []any{
		map[string]any{"x": "prefix " + marks[0].(string)},
		map[string]any{"x": marks[0].(string) + "-suffix"},
		map[string]any{"x": fragmentMark + "99"},
		map[string]any{marks[1].(string): "key"},
	} {
		_, err := f.restore(bad, make([]bool, len(f.values)))
		require.Error(t, err, "%#v", bad)
	}
}
