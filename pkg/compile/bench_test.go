package compile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/compile/specgen"
	"github.com/rocketops/rocketops/pkg/plan"
)

// The large spec of the benchmarks and of scripts/bench.sh: 64 groups × 3 members × 4 environments.
const (
	largeGroups  = 64
	largeSlaves  = 2
	largeEnvs    = 4
	largeVersion = "5.3.3"
)

func largeSpec() []byte { return specgen.Generate(largeGroups, largeSlaves, largeEnvs, largeVersion) }

func quickstartSpec(tb testing.TB) []byte {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "quickstart", "cluster.yaml"))
	require.NoError(tb, err)
	return src
}

// objects counts the rendered objects of every environment.
func objects(out *compile.Output) int {
	n := 0
	for _, objs := range out.Objects {
		n += len(objs)
	}
	return n
}

func BenchmarkCompile(b *testing.B) {
	specs := []struct {
		name string
		src  []byte
	}{
		{"quickstart", quickstartSpec(b)},
		{"large", largeSpec()},
	}
	for _, s := range specs {
		for _, target := range []string{"kustomize", "manifests", "kustomize,manifests,helm"} {
			name := target
			if strings.Contains(target, ",") {
				name = "all"
			}
			b.Run(s.name+"/"+name, func(b *testing.B) {
				opts := compile.Options{File: "cluster.yaml", Source: s.src, Targets: strings.Split(target, ",")}
				var out *compile.Output
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if out, err = compile.Compile(opts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(objects(out)), "objects/op")
				b.ReportMetric(float64(len(out.Tree)), "files/op")
			})
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	src := largeSpec()
	b.Run("large", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, diags := compile.Validate("cluster.yaml", src); len(diags) > 0 {
				b.Fatal(diags)
			}
		}
	})
}

// TestGeneratedSpecCompiles keeps the benchmarks honest: the large spec compiles, and has the
// size it claims in every environment.
func TestGeneratedSpecCompiles(t *testing.T) {
	src := largeSpec()
	require.True(t, bytes.Equal(src, largeSpec()), "specgen.Generate is not deterministic")

	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"kustomize", "manifests"}})
	require.NoError(t, err)

	// One StatefulSet per group; prod (last) adds an eighth of the groups and dev (first) runs
	// without the console.
	want := map[string]struct {
		brokers int
		console bool
	}{
		"dev":     {largeGroups, false},
		"qa":      {largeGroups, true},
		"staging": {largeGroups, true},
		"prod":    {largeGroups + largeGroups/8, true},
	}
	require.Len(t, out.Objects, len(want))
	for env, w := range want {
		objs, ok := out.Objects[env]
		require.True(t, ok, "environment %s missing", env)
		brokers, console := 0, false
		for _, o := range objs {
			switch comp := o.Labels[plan.LabelComponent]; {
			case o.Kind == "StatefulSet" && comp == "broker":
				brokers++
			case o.Kind == "Deployment" && comp == "console":
				console = true
			}
		}
		require.Equal(t, w.brokers, brokers, "broker StatefulSets in %s", env)
		require.Equal(t, w.console, console, "console in %s", env)
		require.Equal(t, "bench-mq-"+env, out.Plans[env].Namespace)
	}
}
