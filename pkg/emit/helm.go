package emit

import (
	"io/fs"

	"github.com/rocketops/rocketops/charts"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
)

// Helm writes values-<env>.yaml for every environment: the environment's plan, which the chart in
// charts/rocketmq places as it is. With in.VendorChart it also writes the chart to charts/rocketmq/,
// for git sources that need the chart beside the values.
func Helm(in Input) (tree.Tree, error) {
	t := tree.Tree{}
	for _, env := range in.Environments {
		body, err := render.ToYAML(env.Plan)
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
