package schemas_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/spec"
	"github.com/rocketops/rocketops/schemas"
)

func load(t *testing.T) map[string]any {
	t.Helper()
	var root map[string]any
	require.NoError(t, json.Unmarshal(schemas.Cluster, &root))
	return root
}

// resolve follows $ref and returns the target merged with the referring schema's own keywords,
// which is how draft 2020-12 applies a $ref beside other keywords.
func resolve(t *testing.T, root, s map[string]any) map[string]any {
	t.Helper()
	ref, ok := s["$ref"].(string)
	if !ok {
		return s
	}
	require.True(t, strings.HasPrefix(ref, "#/"), "only local references: %s", ref)
	var target any = root
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := target.(map[string]any)
		require.True(t, ok, "reference %s does not resolve", ref)
		target = m[tok]
	}
	tm, ok := target.(map[string]any)
	require.True(t, ok, "reference %s does not resolve", ref)
	out := map[string]any{}
	for k, v := range resolve(t, root, tm) {
		out[k] = v
	}
	for k, v := range s {
		if k != "$ref" {
			out[k] = v
		}
	}
	return out
}

var (
	rawMessage = reflect.TypeFor[json.RawMessage]()
	groupsType = reflect.TypeFor[spec.Groups]()
)

// jsonFields maps a struct's JSON names to its fields.
func jsonFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// compare walks a schema and a Go type side by side and reports every mismatch it finds.
func compare(t *testing.T, root, s map[string]any, typ reflect.Type, path string, problems *[]string) {
	t.Helper()
	s = resolve(t, root, s)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch {
	case typ == rawMessage:
		// Kubernetes objects (tolerations, affinity) and environments' partial documents are kept as
		// written and checked elsewhere (k8s types, the schema itself): no Go fields to compare.
		return
	case typ == groupsType:
		// Groups is a count or a list of groups: only the list form has fields.
		items, ok := s["items"].(map[string]any)
		if !ok {
			*problems = append(*problems, path+": Groups in Go, but the schema has no items")
			return
		}
		compare(t, root, items, reflect.TypeFor[spec.Group](), path+"[]", problems)
		return
	}
	switch typ.Kind() {
	case reflect.Struct:
		props, _ := s["properties"].(map[string]any)
		if props == nil {
			*problems = append(*problems, fmt.Sprintf("%s: Go struct %s, but the schema declares no properties", path, typ))
			return
		}
		if ap, ok := s["additionalProperties"].(bool); !ok || ap {
			*problems = append(*problems, path+": the schema lets unknown fields through, which the Go decoder refuses")
		}
		fields := jsonFields(typ)
		for _, name := range sortedKeys(props) {
			f, ok := fields[name]
			if !ok {
				*problems = append(*problems, fmt.Sprintf("%s.%s: in the schema, no field of %s has that JSON name", path, name, typ))
				continue
			}
			compare(t, root, props[name].(map[string]any), f.Type, path+"."+name, problems)
		}
		for _, name := range sortedKeys(fields) {
			if _, ok := props[name]; !ok {
				*problems = append(*problems, fmt.Sprintf("%s.%s: field %s.%s has no schema property", path, name, typ, fields[name].Name))
			}
		}
	case reflect.Map:
		if props, ok := s["properties"].(map[string]any); ok {
			// A resource list: a Go map whose known keys the schema spells out.
			for _, name := range sortedKeys(props) {
				compare(t, root, props[name].(map[string]any), typ.Elem(), path+"."+name, problems)
			}
			return
		}
		ap, ok := s["additionalProperties"].(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: Go map, but the schema has no additionalProperties schema", path))
			return
		}
		compare(t, root, ap, typ.Elem(), path+".*", problems)
	case reflect.Slice:
		items, ok := s["items"].(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: Go slice, but the schema has no items", path))
			return
		}
		compare(t, root, items, typ.Elem(), path+"[]", problems)
	case reflect.String, reflect.Int, reflect.Bool:
		if !scalarFits(s, typ.Kind()) {
			*problems = append(*problems, fmt.Sprintf("%s: Go %s does not take what the schema allows (%v)", path, typ, describe(s)))
		}
	default:
		*problems = append(*problems, fmt.Sprintf("%s: Go %s not handled by this test", path, typ))
	}
}

// scalarFits reports whether every value the schema allows decodes into a Go scalar of kind k.
// Quantity and Properties values take numbers as well as strings (their UnmarshalJSON says so).
func scalarFits(s map[string]any, k reflect.Kind) bool {
	var types []string
	switch tp := s["type"].(type) {
	case string:
		types = []string{tp}
	case []any:
		for _, x := range tp {
			types = append(types, fmt.Sprint(x))
		}
	}
	if len(types) == 0 {
		var values []any
		if e, ok := s["enum"].([]any); ok {
			values = e
		}
		if c, ok := s["const"]; ok {
			values = []any{c}
		}
		if len(values) == 0 {
			return false
		}
		for _, v := range values {
			if _, isString := v.(string); !isString || k != reflect.String {
				return false
			}
		}
		return true
	}
	for _, tp := range types {
		ok := (tp == "string" && k == reflect.String) || (tp == "integer" && k == reflect.Int) ||
			(tp == "boolean" && k == reflect.Bool) || ((tp == "number" || tp == "boolean") && k == reflect.String)
		if !ok {
			return false
		}
	}
	return true
}

func describe(s map[string]any) any {
	if tp, ok := s["type"]; ok {
		return tp
	}
	if e, ok := s["enum"]; ok {
		return e
	}
	return s["const"]
}

func TestSchemaMatchesGoTypes(t *testing.T) {
	root := load(t)
	var problems []string
	compare(t, root, root, reflect.TypeFor[spec.Cluster](), "", &problems)

	// An environment's spec is a partial Spec: it must be the very same definition, so that what the
	// schema accepts there decodes into spec.Spec once merged.
	env := resolve(t, root, root["$defs"].(map[string]any)["environment"].(map[string]any))
	envSpec := env["properties"].(map[string]any)["spec"].(map[string]any)
	specProp := root["properties"].(map[string]any)["spec"].(map[string]any)
	assert.Equal(t, specProp["$ref"], envSpec["$ref"], "environments.*.spec and spec share one definition")
	// An environment's metadata may change everything but the name, which names every object.
	envMeta := sortedKeys(env["properties"].(map[string]any)["metadata"].(map[string]any)["properties"].(map[string]any))
	var metaFields []string
	for _, k := range sortedKeys(jsonFields(reflect.TypeFor[spec.Metadata]())) {
		if k != "name" {
			metaFields = append(metaFields, k)
		}
	}
	assert.Equal(t, metaFields, envMeta)

	assert.Empty(t, problems, "schema and Go types disagree:\n%s", strings.Join(problems, "\n"))
}

func TestCompareCatchesDrift(t *testing.T) {
	// The comparison must be able to fail: a schema with one property renamed and one dropped.
	root := load(t)
	defs := root["$defs"].(map[string]any)
	img := defs["image"].(map[string]any)["properties"].(map[string]any)
	img["registry"] = img["repository"]
	delete(img, "repository")
	delete(img, "tag")
	var problems []string
	compare(t, root, root, reflect.TypeFor[spec.Cluster](), "", &problems)
	joined := strings.Join(problems, "\n")
	assert.Contains(t, joined, ".spec.images.broker.registry: in the schema")
	assert.Contains(t, joined, ".spec.images.broker.repository: field spec.Image.Repository has no schema property")
	assert.Contains(t, joined, ".spec.images.console.tag: field spec.Image.Tag has no schema property")
}

// defaults collects every "default" reachable from the root through properties and $ref, with the
// JSON pointer of the field it documents. Environments are partial documents and get no defaults,
// so additionalProperties are not followed.
func defaults(t *testing.T, root, s map[string]any, ptr string, out map[string]any) {
	t.Helper()
	s = resolve(t, root, s)
	if d, ok := s["default"]; ok {
		out[ptr] = d
	}
	props, _ := s["properties"].(map[string]any)
	for _, name := range sortedKeys(props) {
		defaults(t, root, props[name].(map[string]any), ptr+"/"+name, out)
	}
}

func pointerValue(v any, ptr string) (any, bool) {
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return v, true
}

func TestSchemaDefaultsAreWhatDefaultDoes(t *testing.T) {
	root := load(t)
	documented := map[string]any{}
	defaults(t, root, root, "", documented)
	require.NotEmpty(t, documented)

	c := spec.Cluster{APIVersion: spec.APIVersion, Kind: spec.Kind, Metadata: spec.Metadata{Name: "rmq"}, Spec: spec.Spec{Version: "5.3.3"}}
	// The GitOps sections are optional and default once given, so give them empty.
	c.Spec.GitOps.ArgoCD = &spec.ArgoCD{ApplicationSet: &spec.ApplicationSet{}}
	c.Spec.GitOps.Flux = &spec.Flux{}
	c.Default()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var got any
	require.NoError(t, json.Unmarshal(b, &got))

	// Defaults that do not apply to every place their shared definition is used.
	exceptions := map[string]string{
		// storage.accessModes defaults only for mode persistentVolumeClaim; name servers default to
		// emptyDir, where access modes mean nothing (and the validator refuses them).
		"/spec/nameServer/storage/accessModes": "only with mode persistentVolumeClaim",
		// dedicatedNodes is optional; its effect defaults once it is given.
		"/spec/placement/dedicatedNodes/effect": "only when dedicatedNodes is given",
		// local is optional; createStorageClass defaults once it is given. commitLogStorage is optional.
		"/spec/brokers/commitLogStorage/accessModes":              "only when commitLogStorage is given",
		"/spec/brokers/commitLogStorage/local/createStorageClass": "only when local is given",
		"/spec/brokers/storage/local/createStorageClass":          "only when local is given",
		"/spec/controller/storage/local/createStorageClass":       "only when local is given",
		"/spec/nameServer/storage/local/createStorageClass":       "only when local is given",
	}
	for _, ptr := range sortedKeys(documented) {
		t.Run(ptr, func(t *testing.T) {
			if reason, ok := exceptions[ptr]; ok {
				_, present := pointerValue(got, ptr)
				assert.False(t, present, "listed as an exception (%s) but Default sets it: drop the exception", reason)
				return
			}
			v, ok := pointerValue(got, ptr)
			require.True(t, ok, "the schema documents default %v, but Default leaves the field unset", documented[ptr])
			assert.Equal(t, documented[ptr], v)
		})
	}
	for ptr := range exceptions {
		assert.Contains(t, documented, ptr, "stale exception")
	}
	// Spot-check the walk itself, so that a walk finding nothing cannot pass.
	for _, ptr := range []string{"/metadata/namespace", "/spec/brokers/groups", "/spec/images/console/pullPolicy", "/spec/console/service/port", "/spec/brokers/storage/accessModes"} {
		assert.Contains(t, documented, ptr)
	}
}

func TestProseDefaultsAreWhatDefaultDoes(t *testing.T) {
	// Some defaults depend on the component or on other fields, so the schema states them in the
	// description rather than as "default". Each one here is quoted from a description.
	c := spec.Cluster{APIVersion: spec.APIVersion, Kind: spec.Kind, Metadata: spec.Metadata{Name: "rmq"}, Spec: spec.Spec{Version: "5.3.3"}}
	// The GitOps sections are optional and default once given, so give them empty.
	c.Spec.GitOps.ArgoCD = &spec.ArgoCD{ApplicationSet: &spec.ApplicationSet{}}
	c.Spec.GitOps.Flux = &spec.Flux{}
	c.Default()
	root := load(t)
	cs := root["$defs"].(map[string]any)["clusterSpec"].(map[string]any)["properties"].(map[string]any)
	prop := func(component, field string) string {
		return cs[component].(map[string]any)["properties"].(map[string]any)[field].(map[string]any)["description"].(string)
	}
	tests := []struct {
		name  string
		prose string // text the description must hold
		in    string // the description
		ok    bool   // what Default did agrees with the prose
	}{
		{"name-server resources", "Default: requests cpu 250m, memory 1Gi; limits memory 1Gi.", prop("nameServer", "resources"),
			c.Spec.NameServer.Resources.Requests["cpu"] == "250m" && c.Spec.NameServer.Resources.Requests["memory"] == "1Gi" && c.Spec.NameServer.Resources.Limits["memory"] == "1Gi" && len(c.Spec.NameServer.Resources.Limits) == 1},
		{"broker resources", "Default: requests cpu 500m, memory 2Gi; limits memory 2Gi.", prop("brokers", "resources"),
			c.Spec.Brokers.Resources.Requests["cpu"] == "500m" && c.Spec.Brokers.Resources.Requests["memory"] == "2Gi" && c.Spec.Brokers.Resources.Limits["memory"] == "2Gi" && len(c.Spec.Brokers.Resources.Limits) == 1},
		{"console resources", "Default: requests cpu 100m, memory 512Mi; limits memory 512Mi.", prop("console", "resources"),
			c.Spec.Console.Resources.Requests["cpu"] == "100m" && c.Spec.Console.Resources.Requests["memory"] == "512Mi" && c.Spec.Console.Resources.Limits["memory"] == "512Mi" && len(c.Spec.Console.Resources.Limits) == 1},
		{"name-server storage", "Default: emptyDir", prop("nameServer", "storage"), c.Spec.NameServer.Storage.Mode == "emptyDir"},
		{"broker storage", "Default: a PersistentVolumeClaim of 8Gi per member.", prop("brokers", "storage"),
			c.Spec.Brokers.Storage.Mode == "persistentVolumeClaim" && c.Spec.Brokers.Storage.Size == "8Gi"},
		{"broker spread", "By default the members of one group never share a node.", prop("brokers", "placement"), c.Spec.Brokers.Placement.SpreadMembers == "required"},
		{"name-server spread", "Replicas prefer different nodes.", prop("nameServer", "placement"), c.Spec.NameServer.Placement.SpreadMembers == "preferred"},
		{"broker image", "Default: apache/rocketmq:<version>.", cs["images"].(map[string]any)["properties"].(map[string]any)["broker"].(map[string]any)["description"].(string),
			c.Spec.Images.Broker.Repository+":"+c.Spec.Images.Broker.Tag == "apache/rocketmq:5.3.3"},
		{"console image", "Default: apacherocketmq/rocketmq-dashboard:2.0.0.", cs["images"].(map[string]any)["properties"].(map[string]any)["console"].(map[string]any)["description"].(string),
			c.Spec.Images.Console.Repository+":"+c.Spec.Images.Console.Tag == "apacherocketmq/rocketmq-dashboard:2.0.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Contains(t, tc.in, tc.prose)
			assert.True(t, tc.ok, "Default disagrees with %q", tc.prose)
		})
	}

	t.Run("inSyncReplicas defaults to 2 with SYNC", func(t *testing.T) {
		assert.Contains(t, prop("brokers", "inSyncReplicas"), "Defaults to 2 with SYNC replication")
		one := 1
		s := spec.Cluster{Metadata: spec.Metadata{Name: "rmq"}, Spec: spec.Spec{Version: "5.3.3", Brokers: spec.Brokers{Replication: "SYNC", Slaves: &one}}}
		s.Default()
		require.NotNil(t, s.Spec.Brokers.InSyncReplicas)
		assert.Equal(t, 2, *s.Spec.Brokers.InSyncReplicas)
	})
}

// described walks every property reachable from s and reports those without a description.
func described(t *testing.T, root, s map[string]any, path string, seen map[string]bool, missing *[]string) {
	t.Helper()
	if ref, ok := s["$ref"].(string); ok {
		// A definition's own properties read the same wherever it is used; environments refer back
		// to the cluster spec, so walking each definition once also ends the walk.
		if seen[ref] {
			return
		}
		seen[ref] = true
	}
	r := resolve(t, root, s)
	if props, ok := r["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			p := props[name].(map[string]any)
			d, _ := resolve(t, root, p)["description"].(string)
			if strings.TrimSpace(d) == "" {
				*missing = append(*missing, path+"."+name)
			}
			described(t, root, p, path+"."+name, seen, missing)
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if sub, ok := r[k].(map[string]any); ok {
			described(t, root, sub, path+"."+k, seen, missing)
		}
	}
}

func TestEveryPropertyHasADescription(t *testing.T) {
	root := load(t)
	d, _ := root["description"].(string)
	assert.NotEmpty(t, d, "the document itself")
	var missing []string
	described(t, root, root, "", map[string]bool{}, &missing)
	assert.Empty(t, missing, "properties without a description")

	// The walk must reach properties of shared definitions through $ref, items and environments.
	defs := root["$defs"].(map[string]any)
	delete(defs["group"].(map[string]any)["properties"].(map[string]any)["slaves"].(map[string]any), "description")
	delete(defs["environment"].(map[string]any)["properties"].(map[string]any)["metadata"].(map[string]any)["properties"].(map[string]any)["labels"].(map[string]any), "description")
	missing = nil
	described(t, root, root, "", map[string]bool{}, &missing)
	assert.Equal(t, []string{".spec.brokers.groups.items.slaves", ".spec.environments.additionalProperties.metadata.labels"}, missing)
	// Every shared definition is reached from the root, so none escapes the walk above.
	used := string(schemas.Cluster)
	for name := range root["$defs"].(map[string]any) {
		assert.Contains(t, used, `"#/$defs/`+name+`"`, "definition %s is never used", name)
	}
}
