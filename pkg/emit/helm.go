package emit

import (
	"io/fs"
	"sync"

	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/charts"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
)

// Helm writes values-<env>.yaml for every environment: the environment's plan, which the chart in
// charts/rocketmq places as it is. With in.VendorChart it also writes the chart to charts/rocketmq/,
// for git sources that need the chart beside the values.
//
// Helm merges given values over the chart's default values.yaml, map by map. So that an environment
// gets exactly its plan, every key the defaults have and the plan lacks (a disabled console, a
// request the spec does not set) is written as null, which Helm's merge takes as "remove".
func Helm(in Input) (tree.Tree, error) {
	defaults, err := chartDefaults()
	if err != nil {
		return nil, err
	}
	t := tree.Tree{}
	for _, env := range in.Environments {
		if env.Plan == nil {
			return nil, diag.Internal(nil, "environment %q has no plan", env.Name)
		}
		values, err := plan.Value(env.Plan)
		if err != nil {
			return nil, err
		}
		values, _ = withNulls(defaults, values)
		body, err := render.ToYAML(values)
		if err != nil {
			return nil, err
		}
		head := header(in.Source) + "# Values of the rocketmq chart for environment " + env.Name + ":\n" +
			"#   helm upgrade --install " + env.Plan.Name + " charts/rocketmq --namespace " + env.Plan.Namespace + " -f values-" + env.Name + ".yaml\n"
		t["values-"+env.Name+".yaml"] = append([]byte(head), body...)
	}
	if in.VendorChart {
		err := fs.WalkDir(charts.FS, charts.Name, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(charts.FS, path)
			if err != nil {
				return err
			}
			t["charts/"+path] = b
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

var (
	defaultsOnce sync.Once
	defaultsVal  map[string]any
	defaultsErr  error
)

func chartDefaults() (map[string]any, error) {
	defaultsOnce.Do(func() {
		b, err := fs.ReadFile(charts.FS, charts.Name+"/values.yaml")
		if err != nil {
			defaultsErr = diag.Internal(err, "chart values")
			return
		}
		defaultsErr = yaml.Unmarshal(b, &defaultsVal)
	})
	return defaultsVal, defaultsErr
}

// withNulls returns values with every key of defaults that values lacks set to nil, in nested maps
// too. Lists are left alone: Helm replaces them whole. values is not changed (render reads the same
// plan value); the maps on the way to a new null are copied, and changed says whether there was one.
func withNulls(defaults, values map[string]any) (_ map[string]any, changed bool) {
	var out map[string]any
	set := func(k string, v any) {
		if out == nil {
			out = make(map[string]any, len(values)+1)
			for k, v := range values {
				out[k] = v
			}
		}
		out[k] = v
	}
	for k, dv := range defaults {
		v, ok := values[k]
		if !ok {
			// A default that is already null removes nothing.
			if dv != nil {
				set(k, nil)
			}
			continue
		}
		dm, dok := dv.(map[string]any)
		vm, vok := v.(map[string]any)
		if dok && vok {
			if nm, ok := withNulls(dm, vm); ok {
				set(k, nm)
			}
		}
	}
	if out == nil {
		return values, false
	}
	return out, true
}
