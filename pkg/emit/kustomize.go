package emit

import (
	"encoding/json"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
)

// Kustomize writes base/ (the document without environments) and overlays/<env>/ for every
// environment. An overlay holds only differences: its namespace, JSON patches of the fields that
// differ and delete patches for base objects it lacks, written inline in its kustomization.yaml, and
// files for objects the base lacks. Only current kustomization fields are used (resources, patches,
// namespace, sortOptions).
//
// When Flux syncs the output (in.Staged), base and overlays are split into the stages a sync goes
// through one after another (plan.Stages): <dir>/cluster/, <dir>/groups/<group>/ and <dir>/access/
// are kustomizations of their own, which a Flux Kustomization per stage builds alone, and
// <dir>/kustomization.yaml lists them all; a stage the environment lacks altogether is left out of
// its list. Without Flux one kustomization per folder is enough (Argo CD orders a sync by the
// objects' sync waves), and the output stays a few dozen files instead of hundreds of folders.
func Kustomize(in Input) (tree.Tree, error) {
	if !in.Staged {
		return kustomizeFlat(in)
	}
	t := tree.Tree{}
	head := header(in.Source)
	base := stagesOf(in.Base)
	top := kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: []string{}}
	for _, st := range base.order {
		byFile, names := stageFiles(base.objects[st])
		for _, f := range names {
			b, err := stream(head, byFile[f])
			if err != nil {
				return nil, err
			}
			t["base/"+st+"/"+f] = b
		}
		if err := writeKustomization(t, head, "base/"+st+"/", kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: names}); err != nil {
			return nil, err
		}
		top.Resources = append(top.Resources, st)
	}
	if err := writeKustomization(t, head, "base/", top); err != nil {
		return nil, err
	}
	for _, env := range in.Environments {
		if err := overlay(t, head, in.Base, base, env); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// kustomizeFlat writes the layout without stages: base/ with one file per component and group, and
// one kustomization.yaml per overlay.
func kustomizeFlat(in Input) (tree.Tree, error) {
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
	if err := writeKustomization(t, head, "base/", kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: names}); err != nil {
		return nil, err
	}
	for _, env := range in.Environments {
		err := overlayStage(t, head, "overlays/"+env.Name+"/", "../../base", files, in.Base.Namespace, in.Base.Objects, env.Namespace, env.Objects)
		if err != nil {
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

// value is k as decoded JSON, which render.ToYAML writes without a JSON round trip: the same bytes
// as its JSON (the struct tags above), which TestKustomizationValueIsItsJSON holds.
func (k kustomization) value() map[string]any {
	m := map[string]any{"apiVersion": k.APIVersion, "kind": k.Kind}
	if k.Namespace != "" {
		m["namespace"] = k.Namespace
	}
	res := make([]any, len(k.Resources))
	for i, r := range k.Resources {
		res[i] = r
	}
	m["resources"] = res
	if len(k.Patches) > 0 {
		ps := make([]any, len(k.Patches))
		for i, p := range k.Patches {
			pm := map[string]any{"patch": p.Patch}
			if tg := p.Target; tg != nil {
				tm := map[string]any{"version": tg.Version, "kind": tg.Kind, "name": tg.Name}
				if tg.Group != "" {
					tm["group"] = tg.Group
				}
				pm["target"] = tm
			}
			ps[i] = pm
		}
		m["patches"] = ps
	}
	if k.SortOptions != nil {
		m["sortOptions"] = map[string]any{"order": k.SortOptions.Order}
	}
	return m
}

// patchRef is one inline patch: a JSON patch with its target, or a strategic-merge delete patch,
// which names its object itself. name orders them.
type patchRef struct {
	Patch  string  `json:"patch"`
	Target *target `json:"target,omitempty"`
	name   string
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

// legacy is the CLI's default order and what Argo CD and Flux get; saying it makes the in-process
// library, whose default differs, order objects the same.
var legacy = &sortOptions{Order: "legacy"}

// key identifies an object across environments regardless of namespace, which an overlay changes
// as a whole.
func key(o render.Object) string { return o.APIVersion + "/" + o.Kind + "/" + o.Name }

// staged is one environment's objects by stage, and its stages in sync order.
type staged struct {
	order   []string
	objects map[string][]render.Object
}

// stagesOf splits an environment's objects by stage (plan.StageOf), keeping install order inside each.
// Stages are ordered as the plan syncs them; stages without objects are left out.
func stagesOf(env Environment) staged {
	s := staged{objects: map[string][]render.Object{}}
	for _, o := range env.Objects {
		st := plan.StageOf(o.Labels)
		s.objects[st] = append(s.objects[st], o)
	}
	var order []string
	if env.Plan != nil {
		order = env.Plan.Stages()
	}
	seen := map[string]bool{}
	for _, st := range order {
		if len(s.objects[st]) > 0 && !seen[st] {
			s.order = append(s.order, st)
			seen[st] = true
		}
	}
	// Without a plan (or for a stage it does not name), by name: cluster, groups, access.
	var rest []string
	for st := range s.objects {
		if !seen[st] {
			rest = append(rest, st)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return stageRank(rest[i]) < stageRank(rest[j]) })
	s.order = append(s.order, rest...)
	return s
}

func stageRank(st string) string {
	switch {
	case st == plan.StageCluster:
		return "0"
	case st == plan.StageAccess:
		return "2"
	}
	return "1" + st
}

// stageFiles groups a stage's objects by file: the name files() gives, without its folder.
func stageFiles(objs []render.Object) (map[string][]render.Object, []string) {
	byFile := map[string][]render.Object{}
	for _, o := range objs {
		f := path.Base(fileOf(o))
		byFile[f] = append(byFile[f], o)
	}
	names := make([]string, 0, len(byFile))
	for f := range byFile {
		names = append(names, f)
	}
	sort.Strings(names)
	return byFile, names
}

func writeKustomization(t tree.Tree, head, dir string, k kustomization) error {
	body, err := render.ToYAML(k.value())
	if err != nil {
		return err
	}
	t[dir+"kustomization.yaml"] = append([]byte(head), body...)
	return nil
}

func overlay(t tree.Tree, head string, baseEnv Environment, base staged, env Environment) error {
	dir := "overlays/" + env.Name + "/"
	top := kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: []string{}, SortOptions: legacy}
	envStages := stagesOf(env)
	for _, st := range envStages.order {
		baseRef := ""
		if len(base.objects[st]) > 0 {
			baseRef = strings.Repeat("../", strings.Count(dir+st+"/", "/")) + "base/" + st
		}
		if err := overlayStage(t, head, dir+st+"/", baseRef, stageFiles, baseEnv.Namespace, base.objects[st], env.Namespace, envStages.objects[st]); err != nil {
			return err
		}
		top.Resources = append(top.Resources, st)
	}
	return writeKustomization(t, head, dir, top)
}

// overlayStage writes one overlay (or one stage of one) into dir: baseRef, the base it starts from
// ("" for none), the environment's namespace, inline patches of the differences and, grouped into
// files by group, the objects the base lacks.
func overlayStage(t tree.Tree, head, dir, baseRef string, group func([]render.Object) (map[string][]render.Object, []string),
	baseNamespace string, baseObjs []render.Object, namespace string, objs []render.Object) error {
	k := kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: []string{}, SortOptions: legacy}
	if baseRef != "" {
		k.Resources = append(k.Resources, baseRef)
	}
	sameNamespace := namespace == baseNamespace
	if !sameNamespace {
		k.Namespace = namespace
	}
	baseByID := map[string]render.Object{}
	for _, o := range baseObjs {
		baseByID[key(o)] = o
	}
	var added []render.Object
	present := map[string]bool{}
	for _, o := range objs {
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
		// Each patch ends by testing that it patched the object it names. kustomize trims an inline
		// patch's text, which would take the final line break off a block of text that ended it
		// (a configuration file's last line); the test is never such a block.
		ops = append(ops, op{Op: "test", Path: "/metadata/name", Value: o.Name})
		body, err := render.ToYAML(opValues(ops))
		if err != nil {
			return err
		}
		k.Patches = append(k.Patches, patchRef{Patch: string(body), Target: targetOf(o), name: slug(o)})
	}
	for _, o := range baseObjs {
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
		k.Patches = append(k.Patches, patchRef{Patch: string(body), name: "delete-" + slug(o)})
	}
	sort.Slice(k.Patches, func(i, j int) bool { return k.Patches[i].name < k.Patches[j].name })
	byFile, names := group(added)
	for _, f := range names {
		b, err := stream(head, byFile[f])
		if err != nil {
			return err
		}
		t[dir+f] = b
		k.Resources = append(k.Resources, f)
	}
	return writeKustomization(t, head, dir, k)
}

func targetOf(o render.Object) *target {
	tg := &target{Kind: o.Kind, Name: o.Name, Version: o.APIVersion}
	if i := strings.Index(o.APIVersion, "/"); i >= 0 {
		tg.Group, tg.Version = o.APIVersion[:i], o.APIVersion[i+1:]
	}
	return tg
}

// opValues are ops as decoded JSON, which render.ToYAML writes without a JSON round trip: the same
// bytes as the ops' own JSON (MarshalJSON).
func opValues(ops []op) []any {
	out := make([]any, len(ops))
	for i, o := range ops {
		m := map[string]any{"op": o.Op, "path": o.Path}
		if o.Op != "remove" {
			m["value"] = o.Value
		}
		out[i] = m
	}
	return out
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
	d := differ{path: []byte(path), withNamespace: withNamespace}
	d.walk(a, b)
	return d.ops
}

// differ walks two values with the JSON pointer of where it is in one buffer, which becomes a
// string only for an operation: most of an object is equal in base and overlay.
type differ struct {
	path          []byte
	ops           []op
	withNamespace bool
}

func (d *differ) add(o op) {
	o.Path = string(d.path)
	d.ops = append(d.ops, o)
}

func (d *differ) walk(a, b any) {
	if !d.withNamespace && string(d.path) == "/metadata/namespace" {
		return
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var buf [32]string
		keys := buf[:0]
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		n := len(d.path)
		for _, k := range keys {
			d.path = append(append(d.path, '/'), diag.EscapeToken(k)...)
			av, ina := am[k]
			bv, inb := bm[k]
			switch {
			case ina && !inb:
				d.add(op{Op: "remove"})
			case !ina && inb:
				d.add(op{Op: "add", Value: bv})
			default:
				d.walk(av, bv)
			}
			d.path = d.path[:n]
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		n := len(d.path)
		for i := range al {
			d.path = strconv.AppendInt(append(d.path, '/'), int64(i), 10)
			d.walk(al[i], bl[i])
			d.path = d.path[:n]
		}
		return
	}
	if equal(a, b) {
		return
	}
	d.add(op{Op: "replace", Value: b})
}

// equal compares decoded JSON values; numbers are float64 or json.Number, compared by their text
// like the YAML they become. Scalars, most of what reaches it, are compared without reflection.
func equal(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return reflect.DeepEqual(a, b)
}
