package golden_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/spec"
	"github.com/rocketops/rocketops/pkg/validate"
)

// TestPlanValueIsItsJSON: plan.Value, which the chart's values and the blueprints read, is what
// json.Unmarshal makes of json.Marshal's text of the plan, for every environment of every golden
// case and of the random specs of TestRandomSpecsRenderAlike, and of the base documents.
func TestPlanValueIsItsJSON(t *testing.T) {
	var specs [][]byte
	for _, name := range cases(t) {
		src, err := os.ReadFile(filepath.Join(name, "cluster.yaml"))
		require.NoError(t, err)
		specs = append(specs, src)
	}
	for i := range paritySpecs {
		src, _ := parityGenerate(t, i)
		specs = append(specs, src)
	}
	checked := 0
	for i, src := range specs {
		res, diags := compile.Validate("cluster.yaml", src)
		if len(diags.Errors()) > 0 {
			continue // a generator miss; TestRandomSpecsRenderAlike counts those
		}
		docs := map[string]*spec.Cluster{validate.BaseName: res.Base}
		for _, name := range res.Names {
			docs[name] = res.Environments[name]
		}
		for name, doc := range docs {
			p, err := plan.Build(name, doc)
			require.NoError(t, err)
			b, err := json.Marshal(p)
			require.NoError(t, err)
			var want map[string]any
			require.NoError(t, json.Unmarshal(b, &want))
			got, err := plan.Value(p)
			require.NoError(t, err)
			if d := firstValueDiff("", want, got); d != "" {
				t.Fatalf("spec %d, %s: plan.Value differs from the plan's JSON at %s", i, name, d)
			}
			checked++
		}
	}
	require.Greater(t, checked, 100)
}

// firstValueDiff is the JSON pointer of the first place where decoded values a and b differ, with
// both values there, or "" when they are equal.
func firstValueDiff(path string, a, b any) string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := slices.Sorted(maps.Keys(keys))
		for _, k := range sorted {
			if d := firstValueDiff(path+"/"+k, am[k], bm[k]); d != "" {
				return d
			}
		}
		return ""
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			if d := firstValueDiff(path+"/"+strconv.Itoa(i), al[i], bl[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if reflect.DeepEqual(a, b) {
		return ""
	}
	return fmt.Sprintf("%s: %#v, got %#v", path, a, b)
}
