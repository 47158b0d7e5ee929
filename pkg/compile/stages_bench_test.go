package compile_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/emit"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/spec"
	"github.com/rocketops/rocketops/pkg/tree"
	"github.com/rocketops/rocketops/pkg/validate"
)

// BenchmarkStages times each stage of the pipeline on the large spec alone, so a regression shows
// where it is: parse (YAML with positions), validate (schema and rules, every environment), plan
// (every environment), render (the blueprints, every environment), emit (each target's files),
// diff (an unchanged folder against the tree) and write (the output folder, atomically, from
// nothing).
func BenchmarkStages(b *testing.B) {
	src := largeSpec()
	res, diags := validate.Validate("cluster.yaml", src)
	if len(diags) > 0 {
		b.Fatal(diags)
	}
	plans := func(b *testing.B) []*plan.Plan {
		var out []*plan.Plan
		for _, name := range res.Names {
			p, err := plan.Build(name, res.Environments[name])
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, diags := spec.Parse("cluster.yaml", src); len(diags) > 0 {
				b.Fatal(diags)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, diags := validate.Validate("cluster.yaml", src); len(diags) > 0 {
				b.Fatal(diags)
			}
		}
	})
	b.Run("plan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			plans(b)
		}
	})
	ps := plans(b)
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range ps {
				if _, err := render.Render(p); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"manifests"}})
	if err != nil {
		b.Fatal(err)
	}
	in := emit.Input{Source: "cluster.yaml", AllEnvironments: res.Names, Specs: res.Environments,
		Base: emit.Environment{Name: validate.BaseName, Namespace: out.Base.Namespace, Plan: out.Base}}
	baseObjs, err := render.Render(out.Base)
	if err != nil {
		b.Fatal(err)
	}
	in.Base.Objects = baseObjs
	for _, name := range res.Names {
		p := out.Plans[name]
		in.Environments = append(in.Environments, emit.Environment{Name: name, Namespace: p.Namespace, Plan: p, Objects: out.Objects[name]})
	}
	// Serialising every rendered object: as YAML (what the output holds) and, for scale, as JSON.
	var all []render.Object
	for _, name := range res.Names {
		all = append(all, out.Objects[name]...)
	}
	b.Run("serialise/yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, o := range all {
				if _, err := o.YAML(); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(all)), "objects/op")
	})
	b.Run("serialise/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, o := range all {
				if _, err := json.Marshal(o.Value); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(all)), "objects/op")
	})
	for _, target := range []string{"kustomize", "manifests", "helm"} {
		b.Run("emit/"+target, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := emit.Emit(target, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// diff: comparing an unchanged folder with the compiled tree of all three targets (the part of
	// `rocketops diff` after compiling).
	all3 := tree.Tree{}
	for _, target := range []string{"kustomize", "manifests", "helm"} {
		t, err := emit.Emit(target, in)
		if err != nil {
			b.Fatal(err)
		}
		for p, body := range t {
			all3[p] = body
		}
	}
	diffDir := filepath.Join(b.TempDir(), "out")
	if _, err := tree.Write(diffDir, all3, tree.WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Run("diff/unchanged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, changed, err := tree.Diff(diffDir, all3, tree.DiffOptions{}); err != nil || changed {
				b.Fatal(err, changed)
			}
		}
		b.ReportMetric(float64(len(all3)), "files/op")
	})
	for _, target := range []string{"kustomize", "manifests"} {
		t, err := emit.Emit(target, in)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("write/"+target, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dir := filepath.Join(b.TempDir(), "out")
				if _, err := tree.Write(dir, t, tree.WriteOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(t)), "files/op")
		})
	}
}
