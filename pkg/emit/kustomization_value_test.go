package emit

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKustomizationValueIsItsJSON holds kustomization.value to the struct's own JSON, field by field
// and with each optional field present and absent, so a field added to one is added to the other.
func TestKustomizationValueIsItsJSON(t *testing.T) {
	cases := []kustomization{
		{APIVersion: apiVersion, Kind: "Kustomization", Resources: []string{}},
		{APIVersion: apiVersion, Kind: "Kustomization", Resources: []string{"a.yaml", "../../base"}, Namespace: "ns", SortOptions: legacy},
		{APIVersion: apiVersion, Kind: "Kustomization", Resources: []string{"x"}, Patches: []patchRef{
			{Patch: "- op: test\n  path: /metadata/name\n  value: x\n", Target: &target{Group: "apps", Version: "v1", Kind: "StatefulSet", Name: "x"}, name: "a"},
			{Patch: "$patch: delete\n", Target: &target{Version: "v1", Kind: "Service", Name: "y"}},
			{Patch: "$patch: delete\nkind: ConfigMap\n"},
		}},
	}
	for i, k := range cases {
		b, err := json.Marshal(k)
		require.NoError(t, err)
		var want map[string]any
		require.NoError(t, json.Unmarshal(b, &want))
		got, err := json.Marshal(k.value())
		require.NoError(t, err)
		var gotValue map[string]any
		require.NoError(t, json.Unmarshal(got, &gotValue))
		require.Equal(t, want, gotValue, "case %d", i)
	}
}
