// Package compile runs the whole pipeline in one direction: parse → validate → plan → render →
// emit. It returns the file tree to write or compare and leaves writing and comparing to the caller.
//
//	spec bytes → validate.Validate → plan.Build (per environment) → render.Render → emit.Emit → tree.Tree
package compile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/emit"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
	"github.com/rocketops/rocketops/pkg/validate"
)

// Options say what to compile.
type Options struct {
	File         string   // the spec's path, as shown in diagnostics
	Source       []byte   // the spec's bytes
	Targets      []string // emitters to run (emit.Targets); empty means kustomize
	Environments []string // environments to emit; empty means all
	VendorChart  bool     // with the helm target, also write the chart
}

// Output is a compiled spec.
type Output struct {
	Tree    tree.Tree
	Meta    map[string]string          // what the output folder's index records
	Plans   map[string]*plan.Plan      // by environment
	Base    *plan.Plan                 // the document without environments
	Objects map[string][]render.Object // by environment
}

// UsageError is a problem with the options rather than the spec.
type UsageError struct{ Msg, Hint string }

func (e *UsageError) Error() string {
	if e.Hint == "" {
		return e.Msg
	}
	return e.Msg + "\n\thint: " + e.Hint
}

// Compile runs the pipeline. A spec with problems gives a diag.List error; bad options a
// *UsageError; anything else is an internal error.
func Compile(opts Options) (*Output, error) {
	targets, err := checkTargets(opts.Targets)
	if err != nil {
		return nil, err
	}
	if err := checkVendor(opts, targets); err != nil {
		return nil, err
	}
	res, diags := validate.Validate(opts.File, opts.Source)
	if len(diags) > 0 {
		return nil, diags
	}
	envs, err := pick(res.Names, opts.Environments)
	if err != nil {
		return nil, err
	}
	out := &Output{Plans: map[string]*plan.Plan{}, Objects: map[string][]render.Object{}}
	source := filepath.Base(opts.File)
	in := emit.Input{Source: source, VendorChart: opts.VendorChart}

	out.Base, err = plan.Build(validate.BaseName, res.Base)
	if err != nil {
		return nil, err
	}
	baseObjs, err := render.Render(out.Base)
	if err != nil {
		return nil, err
	}
	in.Base = emit.Environment{Name: validate.BaseName, Namespace: out.Base.Namespace, Plan: out.Base, Objects: baseObjs}
	for _, name := range envs {
		p, err := plan.Build(name, res.Environments[name])
		if err != nil {
			return nil, err
		}
		objs, err := render.Render(p)
		if err != nil {
			return nil, err
		}
		out.Plans[name], out.Objects[name] = p, objs
		in.Environments = append(in.Environments, emit.Environment{Name: name, Namespace: p.Namespace, Plan: p, Objects: objs})
	}

	out.Tree = tree.Tree{}
	for _, target := range targets {
		t, err := emit.Emit(target, in)
		if err != nil {
			return nil, err
		}
		for path, b := range t {
			out.Tree[path] = b
		}
	}
	sum := sha256.Sum256(opts.Source)
	out.Meta = map[string]string{
		"spec":   source,
		"digest": "sha256:" + hex.EncodeToString(sum[:]),
		"target": strings.Join(targets, ","),
	}
	if len(opts.Environments) > 0 {
		out.Meta["env"] = strings.Join(envs, ",")
	}
	if opts.VendorChart {
		out.Meta["vendor-chart"] = "true"
	}
	return out, nil
}

// Validate only checks the spec.
func Validate(file string, src []byte) (*validate.Result, diag.List) {
	return validate.Validate(file, src)
}

func checkTargets(in []string) ([]string, error) {
	if len(in) == 0 {
		return []string{"kustomize"}, nil
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range in {
		ok := false
		for _, known := range emit.Targets {
			ok = ok || t == known
		}
		if !ok {
			hint := "targets: " + strings.Join(emit.Targets, ", ")
			if s := diag.Closest(t, emit.Targets); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			return nil, &UsageError{Msg: fmt.Sprintf("unknown target %q", t), Hint: hint}
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out, nil
}

// checkVendor refuses --vendor-chart without the helm target, where it would do nothing.
func checkVendor(opts Options, targets []string) error {
	if !opts.VendorChart {
		return nil
	}
	for _, t := range targets {
		if t == "helm" {
			return nil
		}
	}
	return &UsageError{Msg: "--vendor-chart needs the helm target", Hint: "add --target helm"}
}

func pick(all, want []string) ([]string, error) {
	if len(want) == 0 {
		return all, nil
	}
	has := map[string]bool{}
	for _, n := range all {
		has[n] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, w := range want {
		if !has[w] {
			hint := "the spec's environments: " + strings.Join(all, ", ")
			if s := diag.Closest(w, all); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			return nil, &UsageError{Msg: fmt.Sprintf("unknown environment %q", w), Hint: hint}
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out, nil
}
