package emit

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
)

// Kustomize writes base/ (the document without environments) and overlays/<env>/ for every
// environment. An overlay holds only differences: its namespace, JSON patches of the fields that
// differ, files for objects the base lacks and delete patches for base objects it lacks. Only
// current kustomization fields are used (resources, patches, namespace, sortOptions).
func Kustomize(in Input) (tree.Tree, error) {
	t := tree.Tree{}
	head := header(in.Source)
	byFile, names := files(in.Base.Objects)
	for _, f := range names {
		b, err := stream(head, byFile[f])
		if err != nil {
			return nil, err
		}
		t["base/"+f] = b
	}
	base, err := render.ToYAML(kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: names})
	if err != nil {
		return nil, err
	}
	t["base/kustomization.yaml"] = append([]byte(head), base...)

	baseByID := map[string]render.Object{}
	for _, o := range in.Base.Objects {
		baseByID[key(o)] = o
	}
	for _, env := range in.Environments {
		if err := overlay(t, head, in.Base, baseByID, env); err != nil {
			return nil, err
		}
	}
	return t, nil
}

const apiVersion = "kustomize.config.k8s.io/v1beta1"

type kustomization struct {
	APIVersion  string       `json:"apiVersion"`
	Kind        string       `json:"kind"`
	Namespace   string       `json:"namespace,omitempty"`
	Resources   []string     `json:"resources"`
	Patches     []patchRef   `json:"patches,omitempty"`
	SortOptions *sortOptions `json:"sortOptions,omitempty"`
}

type patchRef struct {
	Path   string  `json:"path"`
	Target *target `json:"target,omitempty"`
}

type target struct {
	Group   string `json:"group,omitempty"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
}

type sortOptions struct {
	Order string `json:"order"`
}

// key identifies an object across environments regardless of namespace, which an overlay changes
// as a whole.
func key(o render.Object) string { return o.APIVersion + "/" + o.Kind + "/" + o.Name }

func overlay(t tree.Tree, head string, base Environment, baseByID map[string]render.Object, env Environment) error {
	dir := "overlays/" + env.Name + "/"
	k := kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: []string{"../../base"},
		// legacy is the CLI's default and what Argo CD and Flux get; saying it makes the in-process
		// library, whose default differs, order objects the same.
		SortOptions: &sortOptions{Order: "legacy"}}
	sameNamespace := env.Namespace == base.Namespace
	if !sameNamespace {
		k.Namespace = env.Namespace
	}
	var added []render.Object
	present := map[string]bool{}
	for _, o := range env.Objects {
		present[key(o)] = true
		b, ok := baseByID[key(o)]
		if !ok {
			added = append(added, o)
			continue
		}
		ops := diff("", b.Value, o.Value, sameNamespace)
		if len(ops) == 0 {
			continue
		}
		body, err := render.ToYAML(ops)
		if err != nil {
			return err
		}
		path := "patches/" + slug(o) + ".yaml"
		t[dir+path] = append([]byte(head), body...)
		k.Patches = append(k.Patches, patchRef{Path: path, Target: targetOf(o)})
	}
	for _, o := range base.Objects {
		if present[key(o)] {
			continue
		}
		del := map[string]any{
			"$patch":     "delete",
			"apiVersion": o.APIVersion,
			"kind":       o.Kind,
			"metadata":   map[string]any{"name": o.Name, "namespace": o.Namespace},
		}
		body, err := render.ToYAML(del)
		if err != nil {
			return err
		}
		path := "patches/delete-" + slug(o) + ".yaml"
		t[dir+path] = append([]byte(head), body...)
		k.Patches = append(k.Patches, patchRef{Path: path})
	}
	sort.Slice(k.Patches, func(i, j int) bool { return k.Patches[i].Path < k.Patches[j].Path })
	byFile, names := files(added)
	for _, f := range names {
		b, err := stream(head, byFile[f])
		if err != nil {
			return err
		}
		t[dir+f] = b
		k.Resources = append(k.Resources, f)
	}
	body, err := render.ToYAML(k)
	if err != nil {
		return err
	}
	t[dir+"kustomization.yaml"] = append([]byte(head), body...)
	return nil
}

func targetOf(o render.Object) *target {
	tg := &target{Kind: o.Kind, Name: o.Name, Version: o.APIVersion}
	if i := strings.Index(o.APIVersion, "/"); i >= 0 {
		tg.Group, tg.Version = o.APIVersion[:i], o.APIVersion[i+1:]
	}
	return tg
}

// op is one RFC 6902 operation.
type op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// MarshalJSON keeps "value" for replace and add even when it is empty or false.
func (o op) MarshalJSON() ([]byte, error) {
	if o.Op == "remove" {
		return json.Marshal(map[string]any{"op": o.Op, "path": o.Path})
	}
	return json.Marshal(map[string]any{"op": o.Op, "path": o.Path, "value": o.Value})
}

// diff returns the operations that turn a into b: mappings key by key, lists of equal length item
// by item, anything else replaced whole. Keys are visited sorted, so patches are deterministic.
func diff(path string, a, b any, withNamespace bool) []op {
	if path == "/metadata/namespace" && !withNamespace {
		return nil
	}
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
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var ops []op
		for _, k := range sorted {
			p := path + "/" + diag.EscapeToken(k)
			av, ina := am[k]
			bv, inb := bm[k]
			switch {
			case ina && !inb:
				ops = append(ops, op{Op: "remove", Path: p})
			case !ina && inb:
				ops = append(ops, op{Op: "add", Path: p, Value: bv})
			default:
				ops = append(ops, diff(p, av, bv, withNamespace)...)
			}
		}
		return ops
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		var ops []op
		for i := range al {
			ops = append(ops, diff(path+"/"+strconv.Itoa(i), al[i], bl[i], withNamespace)...)
		}
		return ops
	}
	if equal(a, b) {
		return nil
	}
	return []op{{Op: "replace", Path: path, Value: b}}
}

// equal compares decoded JSON values; numbers are json.Number, compared by their text like the
// YAML they become.
func equal(a, b any) bool { return reflect.DeepEqual(a, b) }
