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

// ToYAML writes a value as YAML with sorted keys, the one form every output of rocketops uses: the
// bytes of sigs.k8s.io/yaml's JSONToYAML of its JSON. A decoded value (maps, lists, strings, booleans,
// json.Number) goes to the YAML encoder JSONToYAML uses directly, with numbers typed as JSONToYAML's
// YAML parse would type them, which skips the JSON text and its parse (more than half the cost);
// anything else goes through JSON.
func ToYAML(v any) ([]byte, error) {
	if typed, ok := yamlValue(v); ok {
		if b, ok := writeYAML(typed); ok {
			return b, nil
		}
		return yamlv2.Marshal(typed)
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(j)
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
	imp, err := load()
	if err != nil {
		return nil, diag.Internal(err, "blueprints")
	}
	planJSON, err := json.Marshal(p)
	if err != nil {
		return nil, diag.Internal(err, "plan to JSON")
	}
	// The plan reaches the blueprints as a value, through a native function: as ext code, jsonnet
	// would lex and parse its JSON text, a quarter of all the time rendering took.
	var planValue any
	if err := json.Unmarshal(planJSON, &planValue); err != nil {
		return nil, diag.Internal(err, "plan from JSON")
	}
	vm := jsonnet.MakeVM()
	vm.Importer(imp)
	vm.NativeFunction(&jsonnet.NativeFunction{Name: "plan", Func: func([]any) (any, error) { return planValue, nil }})
	// The objects come back as values through the native function objects: printed as JSON and
	// decoded again they cost a tenth of rendering more.
	var list []any
	vm.NativeFunction(&jsonnet.NativeFunction{Name: "objects", Params: ast.Identifiers{"objects"}, Func: func(args []any) (any, error) {
		l, ok := args[0].([]any)
		if !ok {
			return nil, fmt.Errorf("objects must be a list, got %T", args[0])
		}
		list = l
		return nil, nil
	}})
	if _, err := vm.EvaluateAnonymousSnippet(blueprints.Main, mainSource); err != nil {
		// The message carries the jsonnet stack trace: keep it whole.
		return nil, diag.Internal(err, "blueprints failed on environment %q", p.Environment)
	}
	objs := make([]Object, 0, len(list))
	for i, v := range list {
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
