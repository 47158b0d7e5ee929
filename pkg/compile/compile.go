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
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/emit"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/spec"
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
	// Planned, if set, is called once every environment is planned, before rendering, with the
	// number of pods the plans run; the CLI sizes the garbage collector's memory limit by it.
	Planned func(pods int)
}

// Output is a compiled spec.
type Output struct {
	Tree    tree.Tree
	Meta    map[string]string          // what the output folder's index records
	Plans   map[string]*plan.Plan      // by environment
	Base    *plan.Plan                 // the document without environments
	Objects map[string][]render.Object // by environment
	// Warnings are findings that do not stop the compile.
	Warnings diag.List
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
	if err := checkGitOps(res, targets, opts.VendorChart); err != nil {
		return nil, err
	}
	out := &Output{Plans: map[string]*plan.Plan{}, Objects: map[string][]render.Object{}, Warnings: res.Warnings}
	source := filepath.Base(opts.File)
	in := emit.Input{Source: source, VendorChart: opts.VendorChart, AllEnvironments: res.Names, Specs: res.Environments}
	for _, c := range res.Environments {
		in.Staged = in.Staged || c.Spec.GitOps.Flux != nil
	}

	// Plan every environment (cheap), then render them at once: rendering is most of the work, each
	// environment has its own jsonnet VM, and results are kept by position so order never varies.
	plans := make([]*plan.Plan, len(envs)+1)
	if plans[0], err = plan.Build(validate.BaseName, res.Base); err != nil {
		return nil, err
	}
	for i, name := range envs {
		if plans[i+1], err = plan.Build(name, res.Environments[name]); err != nil {
			return nil, err
		}
	}
	if opts.Planned != nil {
		opts.Planned(pods(plans))
	}
	// Only the kustomize target lays the base out; the others need just the environments.
	toRender := plans
	if !slices.Contains(targets, "kustomize") {
		toRender = plans[1:]
	}
	objs, err := renderAll(toRender)
	if err != nil {
		return nil, err
	}
	if len(toRender) < len(plans) {
		objs = append([][]render.Object{nil}, objs...)
	}
	out.Base = plans[0]
	in.Base = emit.Environment{Name: validate.BaseName, Namespace: out.Base.Namespace, Plan: out.Base, Objects: objs[0]}
	for i, name := range envs {
		p := plans[i+1]
		out.Plans[name], out.Objects[name] = p, objs[i+1]
		in.Environments = append(in.Environments, emit.Environment{Name: name, Namespace: p.Namespace, Plan: p, Objects: objs[i+1]})
	}

	trees, err := emitAll(targets, in)
	if err != nil {
		return nil, err
	}
	out.Tree = tree.Tree{}
	for _, t := range trees {
		for path, b := range t {
			out.Tree[path] = b
		}
	}
	sum := sha256.Sum256(opts.Source)
	// cluster and namespace say which cluster the folder holds, environments which of its
	// environments this compile wrote: a later compile or diff checks them.
	out.Meta = map[string]string{
		"spec":         source,
		"digest":       "sha256:" + hex.EncodeToString(sum[:]),
		"target":       strings.Join(targets, ","),
		"cluster":      out.Base.Name,
		"namespace":    out.Base.Namespace,
		"environments": strings.Join(envs, ","),
	}
	if opts.VendorChart {
		out.Meta["vendor-chart"] = "true"
	}
	return out, nil
}

// pods counts the pods of the planned environments (the base document not included): name servers,
// controllers, broker members, proxies, consoles and exporters. Rendering's memory grows with it.
func pods(plans []*plan.Plan) int {
	n := 0
	for _, p := range plans[1:] {
		n += p.NameServer.Replicas
		for _, g := range p.Brokers.Groups {
			n += g.Replicas
		}
		if p.Controller != nil {
			n += p.Controller.Replicas
		}
		if p.Proxy != nil {
			n += p.Proxy.Replicas
		}
		if p.Console != nil {
			n += p.Console.Replicas
		}
	}
	return n
}

// renderAll renders plans concurrently, at most one per CPU, and returns their objects in order.
func renderAll(plans []*plan.Plan) ([][]render.Object, error) {
	objs := make([][]render.Object, len(plans))
	err := parallel(len(plans), func(i int) (err error) {
		objs[i], err = render.Render(plans[i])
		return err
	})
	return objs, err
}

// emitAll runs the targets' emitters concurrently and returns their trees in the targets' order.
// Emitters only read their input.
func emitAll(targets []string, in emit.Input) ([]tree.Tree, error) {
	trees := make([]tree.Tree, len(targets))
	err := parallel(len(targets), func(i int) (err error) {
		trees[i], err = emit.Emit(targets[i], in)
		return err
	})
	return trees, err
}

// parallel runs do(0) … do(n-1), at most one per CPU at a time, and returns the error of the first
// (by index) that failed.
func parallel(n int, do func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = do(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkGitOps refuses a GitOps target the spec does not configure, and one whose objects would
// point at output this compile does not write.
func checkGitOps(res *validate.Result, targets []string, vendor bool) error {
	has := map[string]bool{}
	for _, t := range targets {
		has[t] = true
	}
	for _, tool := range []string{"argocd", "flux"} {
		if !has[tool] {
			continue
		}
		for _, name := range res.Names {
			g := res.Environments[name].Spec.GitOps
			section := g.ArgoCD != nil
			if tool == "flux" {
				section = g.Flux != nil
			}
			where := "the spec"
			if len(res.Names) > 1 || name != spec.DefaultEnvironment {
				where = "environment " + name
			}
			if !section {
				return &UsageError{Msg: fmt.Sprintf("the %s target needs spec.gitops.%s, and %s has none", tool, tool, where),
					Hint: fmt.Sprintf("add spec.gitops.%s (it may be empty: {}) and spec.gitops.repoURL", tool)}
			}
			switch g.Source {
			case spec.SourcePlugin:
			case spec.SourceHelm:
				if !has["helm"] || !vendor {
					return &UsageError{Msg: fmt.Sprintf("spec.gitops.source is helm: the %s objects point at the vendored chart and its values", tool),
						Hint: "compile with --target helm --vendor-chart as well"}
				}
			default:
				if !has[g.Source] {
					return &UsageError{Msg: fmt.Sprintf("spec.gitops.source is %s: the %s objects point at that output", g.Source, tool),
						Hint: "compile with --target " + g.Source + " as well"}
				}
			}
		}
	}
	return nil
}

// Validate only checks the spec.
func Validate(file string, src []byte) (*validate.Result, diag.List) {
	return validate.Validate(file, src)
}

func checkTargets(in []string) ([]string, error) {
	if len(in) == 0 {
		return []string{"kustomize"}, nil
	}
	return choose("target", "targets", emit.Targets, in)
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
	return choose("environment", "the spec's environments", all, want)
}

// choose returns the wanted names, sorted and without repeats, or a usage error naming the first
// that is not known, with the closest known one as a hint.
func choose(what, knownWhat string, known, want []string) ([]string, error) {
	has := map[string]bool{}
	for _, n := range known {
		has[n] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, w := range want {
		if !has[w] {
			hint := knownWhat + ": " + strings.Join(known, ", ")
			if s := diag.Closest(w, known); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			return nil, &UsageError{Msg: fmt.Sprintf("unknown %s %q", what, w), Hint: hint}
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out, nil
}
