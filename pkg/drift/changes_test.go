package drift

import (
	"bytes"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/blueprints"
)

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	var m map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(y), &m))
	return &unstructured.Unstructured{Object: m}
}

const liveSet = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: rmq-broker-0
  namespace: rocketmq
  uid: 1234
  resourceVersion: "99"
  generation: 4
  creationTimestamp: "2026-01-01T00:00:00Z"
  managedFields: [{manager: rocketops, operation: Apply}]
  labels: {app.kubernetes.io/instance: rmq, app.kubernetes.io/version: 5.3.3}
  annotations: {kept: "yes"}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - {name: broker, image: "apache/rocketmq:5.3.2", resources: {requests: {cpu: 100m, memory: 1Gi}}}
status:
  replicas: 3
  readyReplicas: 1
`

func TestDriftDiffObjects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(merged *unstructured.Unstructured)
		want   []Change
		secret bool
	}{
		{"identical objects have no changes", func(*unstructured.Unstructured) {}, nil, false},
		{"status, managedFields and server metadata are left out", func(m *unstructured.Unstructured) {
			m.SetResourceVersion("100")
			m.SetGeneration(5)
			m.SetManagedFields(nil)
			m.SetUID("other")
			_ = unstructured.SetNestedField(m.Object, int64(0), "status", "readyReplicas")
		}, nil, false},
		{"a scalar that differs", func(m *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(m.Object, int64(1), "spec", "replicas")
		}, []Change{{Path: "/spec/replicas", Desired: float64(1), Live: float64(3), HasDesired: true, HasLive: true}}, false},
		{"a label the apply adds, one it removes, an annotation that differs", func(m *unstructured.Unstructured) {
			m.SetLabels(map[string]string{"app.kubernetes.io/instance": "rmq", "a/b": "c"})
			m.SetAnnotations(map[string]string{"kept": "no"})
		}, []Change{
			{Path: "/metadata/annotations/kept", Desired: "no", Live: "yes", HasDesired: true, HasLive: true},
			{Path: "/metadata/labels/a~1b", Desired: "c", HasDesired: true},
			{Path: "/metadata/labels/app.kubernetes.io~1version", Live: "5.3.3", HasLive: true},
		}, false},
		{"a quantity written differently is the same", func(m *unstructured.Unstructured) {
			c := containers(m)
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": "0.1", "memory": "1024Mi"}}
		}, nil, false},
		{"a quantity that differs", func(m *unstructured.Unstructured) {
			c := containers(m)
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": "200m", "memory": "1Gi"}}
		}, []Change{{Path: "/spec/template/spec/containers/0/resources/requests/cpu", Desired: "200m", Live: "100m", HasDesired: true, HasLive: true}}, false},
		{"an image", func(m *unstructured.Unstructured) {
			containers(m)["image"] = "apache/rocketmq:5.3.3"
		}, []Change{{Path: "/spec/template/spec/containers/0/image", Desired: "apache/rocketmq:5.3.3", Live: "apache/rocketmq:5.3.2", HasDesired: true, HasLive: true}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live := obj(t, liveSet)
			merged := live.DeepCopy()
			tc.edit(merged)
			got, err := diffObjects(live, merged)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func containers(u *unstructured.Unstructured) map[string]any {
	cs := u.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
	return cs[0].(map[string]any)
}

// TestDiffObjectsTextIsNotAQuantity: outside spec, "1" and "1.0" are different text.
func TestDriftDiffObjectsTextIsNotAQuantity(t *testing.T) {
	live := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {ratio: \"1\"}\n")
	merged := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {ratio: \"1.0\"}\n")
	got, err := diffObjects(live, merged)
	require.NoError(t, err)
	assert.Equal(t, []Change{{Path: "/data/ratio", Desired: "1.0", Live: "1", HasDesired: true, HasLive: true}}, got)
}

func TestDriftDiffObjectsMasksSecrets(t *testing.T) {
	const value = "c2VjcmV0LXZhbHVl" // secret-value
	live := obj(t, `apiVersion: v1
kind: Secret
metadata:
  name: s
  annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"`+value+`"}}', note: plain}
data: {password: `+value+`, user: YWRtaW4=}
`)
	merged := obj(t, `apiVersion: v1
kind: Secret
metadata:
  name: s
  annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"bmV3"}}', note: other}
data: {password: bmV3, token: dG9rZW4=}
stringData: {extra: plain-secret}
`)
	got, err := diffObjects(live, merged)
	require.NoError(t, err)
	var paths []string
	for _, c := range got {
		paths = append(paths, c.Path)
	}
	assert.Equal(t, []string{
		"/data/password", "/data/token", "/data/user",
		"/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration", "/metadata/annotations/note",
		"/stringData",
	}, paths)
	var out bytes.Buffer
	r := &Report{Findings: []Finding{{Object: ObjectID{APIVersion: "v1", Kind: "Secret", Name: "s"}, State: Changed, Changes: got}}}
	require.NoError(t, r.WriteText(&out))
	require.NoError(t, r.WriteJSON(&out))
	for _, secret := range []string{value, "secret-value", "bmV3", "new", "YWRtaW4", "dG9rZW4", "plain-secret"} {
		assert.NotContains(t, out.String(), secret)
	}
	assert.Contains(t, out.String(), `"other"`, "annotations other than last-applied stay readable")
	assert.Equal(t, map[string]any{"extra": Mask}, got[5].Desired, "a whole map keeps its keys")
}

func TestDriftSortChangesNumbersIndexes(t *testing.T) {
	cs := []Change{{Path: "/spec/x/10"}, {Path: "/spec/x/2"}, {Path: "/metadata/labels/b"}, {Path: "/spec/x"}, {Path: "/spec/x/2/a"}}
	sortChanges(cs)
	var got []string
	for _, c := range cs {
		got = append(got, c.Path)
	}
	assert.Equal(t, []string{"/metadata/labels/b", "/spec/x", "/spec/x/2", "/spec/x/2/a", "/spec/x/10"}, got)
}

// TestKindsCoverBlueprints holds Kinds against every kind the blueprints name: generating a new kind
// without listing it would leave its leftovers unreported. The golden tests hold it against the
// compiled cases as well (golden/drift_test.go).
func TestDriftKindsCoverBlueprints(t *testing.T) {
	listed := map[string]bool{}
	for _, k := range Kinds {
		listed[k.Kind] = true
	}
	kindRE := regexp.MustCompile(`kind:\s*'([A-Za-z]+)'`)
	named := map[string]bool{}
	require.NoError(t, fs.WalkDir(blueprints.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(blueprints.FS, path)
		for _, m := range kindRE.FindAllSubmatch(b, -1) {
			named[string(m[1])] = true
		}
		return err
	}))
	require.GreaterOrEqual(t, len(named), 10, "the blueprints' kinds were not found; has their style changed?")
	for k := range named {
		assert.True(t, listed[k], "the blueprints generate %s, which drift.Kinds does not list", k)
	}
	var unnamed []string
	for k := range listed {
		if !named[k] {
			unnamed = append(unnamed, k)
		}
	}
	slices.Sort(unnamed)
	assert.Equal(t, []string{"Secret"}, unnamed, "Kinds lists kinds the blueprints do not generate: %s", strings.Join(unnamed, ", "))
}
