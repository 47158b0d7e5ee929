// Package render evaluates the blueprints on a plan and returns the Kubernetes objects in install
// order, each with its canonical YAML. It decides nothing about the cluster; an error here is a bug
// in rocketops, reported as internal with the jsonnet trace.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"
	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/blueprints"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/plan"
)

// Object is one rendered Kubernetes object.
type Object struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	Labels     map[string]string
	Value      map[string]any // the object, numbers as float64 (rendered) or json.Number (decoded)
}

// ID names the object as kind/namespace/name.
func (o Object) ID() string { return o.Kind + "/" + o.Namespace + "/" + o.Name }

// YAML returns the object as YAML with sorted keys.
func (o Object) YAML() ([]byte, error) { return ToYAML(o.Value) }

// AppendYAML appends the object's YAML to dst.
func (o Object) AppendYAML(dst []byte) ([]byte, error) { return AppendYAML(dst, o.Value) }

// ToYAML writes a value as YAML with sorted keys, the one form every output of rocketops uses: the
// bytes of sigs.k8s.io/yaml's JSONToYAML of its JSON. A decoded value (maps, lists, strings, booleans,
// float64 and json.Number) is written by appendYAML, or by the YAML encoder JSONToYAML uses, with
// numbers typed as JSONToYAML's YAML parse would type them, which skips the JSON text and its parse
// (more than half the cost); anything else goes through JSON.
func ToYAML(v any) ([]byte, error) {
	buf := getScratch()
	defer putScratch(buf)
	b, err := AppendYAML((*buf)[:0], v)
	*buf = b
	if err != nil {
		return nil, err
	}
	return bytes.Clone(b), nil
}

// Stream writes objects as one YAML stream after head, "---" between them.
func Stream(head string, objs []Object) ([]byte, error) {
	buf := getScratch()
	defer putScratch(buf)
	b := append((*buf)[:0], head...)
	for i, o := range objs {
		if i > 0 {
			b = append(b, "---\n"...)
		}
		var err error
		if b, err = o.AppendYAML(b); err != nil {
			*buf = b
			return nil, fmt.Errorf("%s: %w", o.ID(), err)
		}
	}
	*buf = b
	return bytes.Clone(b), nil
}

// Scratch buffers: the YAML of a file is written into one that has grown to the largest file before
// it, and copied out at its size. Growing a fresh buffer file by file allocated five times the
// output (append grows large slices by a quarter at a time).
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func getScratch() *[]byte { return scratch.Get().(*[]byte) }

func putScratch(b *[]byte) {
	*b = (*b)[:0]
	scratch.Put(b)
}

// AppendYAML appends ToYAML's bytes of v to dst: a stream of objects is written into one buffer.
func AppendYAML(dst []byte, v any) ([]byte, error) {
	if b, ok := appendYAML(dst, v); ok {
		return b, nil
	}
	// Whatever appendYAML wrote past len(dst) is overwritten.
	var b []byte
	var err error
	if typed, ok := yamlValue(v); ok {
		b, err = yamlv2.Marshal(typed)
	} else {
		var j []byte
		if j, err = json.Marshal(v); err == nil {
			b, err = yaml.JSONToYAML(j)
		}
	}
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// yamlValue returns v with every json.Number as the int, uint64 or float64 that go.yaml.in/yaml/v2
// resolves its text to (resolve.go: ParseInt, then ParseUint, then ParseFloat), and false when v holds
// anything but decoded JSON.
func yamlValue(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			t, ok := yamlValue(e)
			if !ok {
				return nil, false
			}
			out[k] = t
		}
		return out, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			t, ok := yamlValue(e)
			if !ok {
				return nil, false
			}
			out[i] = t
		}
		return out, true
	case json.Number:
		s := string(x)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			if i == int64(int(i)) {
				return int(i), true
			}
			return i, true
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u, true
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	case float64:
		// What JSONToYAML's parse of json.Marshal's text gives: integral values below 1e21 are
		// written as digits (an int, or a uint64 above int64), the rest in exponent form (a float).
		if x == math.Trunc(x) && math.Abs(x) < 1e21 {
			return yamlValue(json.Number(strconv.FormatFloat(x, 'f', -1, 64)))
		}
		return x, !math.IsInf(x, 0) && !math.IsNaN(x)
	case string, bool, nil:
		return x, true
	}
	return nil, false
}

// installOrder ranks kinds the way kustomize's legacy order does, so rendered manifests and
// `kustomize build` list objects alike: what others depend on comes first.
var installOrder = []string{
	"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "MutatingWebhookConfiguration",
	"ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
	"ConfigMap", "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
	"PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
}

func rank(kind string) int {
	for i, k := range installOrder {
		if k == kind {
			return i
		}
	}
	return len(installOrder)
}

// gvkKey is group_version_kind, with kustomize's placeholder for the core group.
func gvkKey(o Object) string {
	group, version, found := strings.Cut(o.APIVersion, "/")
	if !found {
		group, version = "~G", o.APIVersion
	}
	return group + "_" + version + "_" + o.Kind
}

// Sort puts objects in install order: by kind rank, then kind, namespace and name.
func Sort(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if ra, rb := rank(a.Kind), rank(b.Kind); ra != rb {
			return ra < rb
		}
		if a.Kind != b.Kind {
			// Kinds of the same rank (those the list does not name) order as kustomize orders them: by
			// group, version and kind (resid.Gvk's stable sort string in sigs.k8s.io/kustomize/kyaml).
			return gvkKey(a) < gvkKey(b)
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
}

var (
	importerOnce sync.Once
	importer     *jsonnet.MemoryImporter
	importerErr  error
	mainSource   string
)

func load() (*jsonnet.MemoryImporter, error) {
	importerOnce.Do(func() {
		data := map[string]jsonnet.Contents{}
		importerErr = fs.WalkDir(blueprints.FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(blueprints.FS, path)
			if err != nil {
				return err
			}
			data[path] = jsonnet.MakeContents(string(b))
			if path == blueprints.Main {
				mainSource = string(b)
			}
			return nil
		})
		importer = &jsonnet.MemoryImporter{Data: data}
	})
	return importer, importerErr
}

// Render evaluates the blueprints on one plan.
func Render(p *plan.Plan) ([]Object, error) {
	var frags fragments
	value, err := plan.ValueWith(p, frags.stand)
	if err != nil {
		return nil, diag.Internal(err, "plan value")
	}
	r, err := getRenderer()
	if err != nil {
		return nil, err
	}
	list, err := r.evaluate(value)
	putRenderer(r)
	if err != nil {
		// The message carries the jsonnet stack trace: keep it whole.
		return nil, diag.Internal(err, "blueprints failed on environment %q", p.Environment)
	}
	used := make([]bool, len(frags.values))
	objs := make([]Object, 0, len(list))
	for i, v := range list {
		v, err := frags.restore(v, used)
		if err != nil {
			return nil, diag.Internal(err, "object %d of environment %q", i, p.Environment)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, diag.Internal(fmt.Errorf("not an object: %T", v), "object %d", i)
		}
		o, err := FromValue(m)
		if err != nil {
			return nil, diag.Internal(err, "object %d", i)
		}
		objs = append(objs, o)
	}
	Sort(objs)
	return objs, nil
}

// renderer is a jsonnet VM with the blueprints' native functions. A VM keeps the blueprints it has
// parsed, so renderers are reused, one evaluation at a time each: parsing them again for every
// environment cost a fifth as much as evaluating them. The values it caches between evaluations are
// those of the imported files, functions of the plan they are called with and nothing else.
type renderer struct {
	vm   *jsonnet.VM
	plan any   // the plan the native function plan returns
	list []any // what the native function objects was given
}

func newRenderer(imp jsonnet.Importer) *renderer {
	r := &renderer{vm: jsonnet.MakeVM()}
	r.vm.Importer(imp)
	// The plan reaches the blueprints as a value, through a native function: as ext code, jsonnet
	// would lex and parse its JSON text, a quarter of all the time rendering took.
	r.vm.NativeFunction(&jsonnet.NativeFunction{Name: "plan", Func: func([]any) (any, error) { return r.plan, nil }})
	// The objects come back as values through the native function objects: printed as JSON and
	// decoded again they cost a tenth of rendering more.
	r.vm.NativeFunction(&jsonnet.NativeFunction{Name: "objects", Params: ast.Identifiers{"objects"}, Func: func(args []any) (any, error) {
		l, ok := args[0].([]any)
		if !ok {
			return nil, fmt.Errorf("objects must be a list, got %T", args[0])
		}
		r.list = l
		return nil, nil
	}})
	return r
}

func (r *renderer) evaluate(value map[string]any) ([]any, error) {
	r.plan, r.list = value, nil
	defer func() { r.plan, r.list = nil, nil }()
	if _, err := r.vm.EvaluateAnonymousSnippet(blueprints.Main, mainSource); err != nil {
		return nil, err
	}
	return r.list, nil
}

var (
	renderersMu sync.Mutex
	renderers   []*renderer // idle ones; at most as many as renders ran at once
)

func getRenderer() (*renderer, error) {
	imp, err := load()
	if err != nil {
		return nil, diag.Internal(err, "blueprints")
	}
	renderersMu.Lock()
	defer renderersMu.Unlock()
	if n := len(renderers); n > 0 {
		r := renderers[n-1]
		renderers = renderers[:n-1]
		return r, nil
	}
	return newRenderer(imp), nil
}

func putRenderer(r *renderer) {
	renderersMu.Lock()
	defer renderersMu.Unlock()
	renderers = append(renderers, r)
}

// Decode reads a JSON list of objects, as the blueprints return it.
func Decode(data []byte) ([]Object, error) {
	var raw []map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, diag.Internal(err, "blueprints returned no list of objects")
	}
	objs := make([]Object, 0, len(raw))
	for i, v := range raw {
		o, err := FromValue(v)
		if err != nil {
			return nil, diag.Internal(err, "object %d", i)
		}
		objs = append(objs, o)
	}
	Sort(objs)
	return objs, nil
}

// FromValue wraps a decoded object.
func FromValue(v map[string]any) (Object, error) {
	o := Object{Value: v}
	o.APIVersion, _ = v["apiVersion"].(string)
	o.Kind, _ = v["kind"].(string)
	md, _ := v["metadata"].(map[string]any)
	o.Name, _ = md["name"].(string)
	o.Namespace, _ = md["namespace"].(string)
	if l, ok := md["labels"].(map[string]any); ok {
		o.Labels = map[string]string{}
		for k, val := range l {
			o.Labels[k], _ = val.(string)
		}
	}
	if o.APIVersion == "" || o.Kind == "" || o.Name == "" {
		return o, fmt.Errorf("object without apiVersion, kind or metadata.name")
	}
	return o, nil
}
