package kube_test

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// statefulSet is a small valid StatefulSet; tests break it in one place each. %NS% is replaced by the test's
// namespace.
const statefulSet = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: broker
  namespace: %NS%
spec:
  serviceName: broker
  replicas: 2
  selector:
    matchLabels: {app: broker}
  template:
    metadata:
      labels: {app: broker}
    spec:
      containers:
      - name: broker
        image: apache/rocketmq:5.3.1
        resources:
          limits: {memory: 2Gi}
  volumeClaimTemplates:
  - metadata:
      name: store
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 10Gi}
`

const validObjects = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: broker-config
  namespace: %NS%
data:
  broker.conf: |
    brokerClusterName=DefaultCluster
---
apiVersion: v1
kind: Service
metadata:
  name: broker
  namespace: %NS%
spec:
  clusterIP: None
  selector: {app: broker}
  ports:
  - name: main
    port: 10911
---
` + statefulSet + `
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: proxy
  namespace: %NS%
spec:
  replicas: 1
  selector:
    matchLabels: {app: proxy}
  template:
    metadata:
      labels: {app: proxy}
    spec:
      containers:
      - name: proxy
        image: apache/rocketmq:5.3.1
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: broker
  namespace: %NS%
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: broker}
`

// setup returns a client for the shared server, a dynamic client to inspect it with, and a fresh namespace
// named after the test, so tests sharing the server do not see each other's objects.
func setup(t *testing.T) (*kube.Client, dynamic.Interface, string) {
	t.Helper()
	srv := kubetest.Shared(t)
	c, err := kube.NewClient(srv.Config)
	require.NoError(t, err)
	dyn, err := dynamic.NewForConfig(srv.Config)
	require.NoError(t, err)
	ns := namespaceFor(t)
	require.NoError(t, c.EnsureNamespace(context.Background(), ns))
	return c, dyn, ns
}

// namespaceFor turns the test name into a valid, unique namespace name.
func namespaceFor(t *testing.T) string {
	name := strings.ToLower(t.Name())
	name = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, name)
	if len(name) > 50 {
		name = name[len(name)-50:]
	}
	// A random suffix keeps -count=N runs apart on a server that never deletes namespaces.
	return strings.Trim(name, "-") + "-" + strings.ToLower(rand.Text()[:6])
}

// decode parses manifests for namespace ns.
func decode(t *testing.T, manifests, ns string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := kube.DecodeYAML([]byte(strings.ReplaceAll(manifests, "%NS%", ns)))
	require.NoError(t, err)
	require.NotEmpty(t, objs)
	return objs
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestDryRunApplyAcceptsValidObjectsWithoutStoringThem(t *testing.T) {
	c, dyn, ns := setup(t)
	objs := decode(t, validObjects, ns)
	require.Len(t, objs, 5)

	errs := c.DryRunApply(ctx(t), objs)
	require.Empty(t, errs)

	for _, o := range objs {
		gvk := o.GroupVersionKind()
		gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: resourceOf(gvk.Kind)}
		_, err := dyn.Resource(gvr).Namespace(ns).Get(ctx(t), o.GetName(), metav1.GetOptions{})
		assert.Truef(t, apierrors.IsNotFound(err), "%s %s was stored by a dry run (get: %v)", gvk.Kind, o.GetName(), err)
	}
}

func TestApplyStoresObjectsAndReportsRejected(t *testing.T) {
	c, dyn, ns := setup(t)
	objs := decode(t, validObjects, ns)
	require.Empty(t, c.Apply(ctx(t), objs))
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: resourceOf(gvk.Kind)}
		_, err := dyn.Resource(gvr).Namespace(ns).Get(ctx(t), o.GetName(), metav1.GetOptions{})
		assert.NoError(t, err, "%s %s was stored", gvk.Kind, o.GetName())
	}
	bad := objs[0].DeepCopy()
	bad.SetName("Not_A_Name")
	errs := c.Apply(ctx(t), []*unstructured.Unstructured{bad})
	require.Len(t, errs, 1)
	var oe *kube.ObjectError
	require.ErrorAs(t, errs[0], &oe)
	assert.Equal(t, "Not_A_Name", oe.Name)
}

// resourceOf knows the plural of the kinds these tests use; the client's own mapping is not reused, so a bug
// there cannot hide here.
func resourceOf(kind string) string {
	return map[string]string{
		"ConfigMap":           "configmaps",
		"Service":             "services",
		"StatefulSet":         "statefulsets",
		"Deployment":          "deployments",
		"PodDisruptionBudget": "poddisruptionbudgets",
	}[kind]
}

func TestDryRunApplyRejects(t *testing.T) {
	c, _, ns := setup(t)
	tests := []struct {
		name      string
		manifest  string
		wantObj   string   // how the error names the object
		wantInErr []string // the server's reason, in its words
	}{
		{
			name:      "negative replicas",
			manifest:  strings.Replace(statefulSet, "replicas: 2", "replicas: -1", 1),
			wantObj:   "StatefulSet " + ns + "/broker: ",
			wantInErr: []string{"spec.replicas", "must be greater than or equal to 0"},
		},
		{
			name:      "malformed memory quantity",
			manifest:  strings.Replace(statefulSet, "memory: 2Gi", `memory: "12Gix"`, 1),
			wantObj:   "StatefulSet " + ns + "/broker: ",
			wantInErr: []string{"quantities must match the regular expression"},
		},
		{
			name:      "unknown field",
			manifest:  strings.Replace(statefulSet, "replicas: 2", "replicaz: 2", 1),
			wantObj:   "StatefulSet " + ns + "/broker: ",
			wantInErr: []string{".spec.replicaz", "field not declared in schema"},
		},
		{
			name: "invalid service name",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: Bad_Name, namespace: %NS%}
spec:
  ports: [{port: 80}]
`,
			wantObj:   "Service " + ns + "/Bad_Name: ",
			wantInErr: []string{"metadata.name", "Invalid value: \"Bad_Name\""},
		},
		{
			name: "unknown kind",
			manifest: `
apiVersion: rocketmq.apache.org/v1
kind: Broker
metadata: {name: b, namespace: %NS%}
`,
			wantObj:   "Broker " + ns + "/b: ",
			wantInErr: []string{"no matches for kind \"Broker\""},
		},
		{
			name: "namespace that does not exist",
			manifest: `
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: missing-namespace}
`,
			wantObj:   "ConfigMap missing-namespace/c: ",
			wantInErr: []string{`namespaces "missing-namespace" not found`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := c.DryRunApply(ctx(t), decode(t, tt.manifest, ns))
			require.Len(t, errs, 1)
			msg := errs[0].Error()
			t.Log(msg)
			assert.True(t, strings.HasPrefix(msg, tt.wantObj), "error should start with %q: %s", tt.wantObj, msg)
			for _, want := range tt.wantInErr {
				assert.Contains(t, msg, want)
			}
			var objErr *kube.ObjectError
			require.ErrorAs(t, errs[0], &objErr)
		})
	}
}

// TestDryRunApplyReportsEachRejectedObject sends good and bad objects together: each bad one gets its own
// error, in order, and the good ones none.
func TestDryRunApplyReportsEachRejectedObject(t *testing.T) {
	c, _, ns := setup(t)
	objs := decode(t, validObjects, ns)
	bad := decode(t, strings.Replace(statefulSet, "replicas: 2", "replicas: -1", 1), ns)[0]
	bad.SetName("broker-negative")
	badSvc := decode(t, "apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name, namespace: %NS%}\nspec: {ports: [{port: 80}]}\n", ns)[0]
	objs = append([]*unstructured.Unstructured{badSvc}, append(objs, bad)...)

	errs := c.DryRunApply(ctx(t), objs)
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0].Error(), "Service "+ns+"/Bad_Name: ")
	assert.Contains(t, errs[1].Error(), "StatefulSet "+ns+"/broker-negative: ")
	assert.True(t, apierrors.IsInvalid(errs[1]), "the API status should survive wrapping: %v", errs[1])
}

// TestDryRunApplyImmutableFields stores a StatefulSet for real, then dry-runs changes the API server forbids
// on an existing object: the same check later drift detection relies on.
func TestDryRunApplyImmutableFields(t *testing.T) {
	c, dyn, ns := setup(t)
	live := decode(t, statefulSet, ns)[0]
	gvr := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	_, err := dyn.Resource(gvr).Namespace(ns).Create(ctx(t), live, metav1.CreateOptions{})
	require.NoError(t, err)

	tests := []struct{ name, old, new string }{
		{name: "serviceName", old: "serviceName: broker", new: "serviceName: broker-headless"},
		{name: "volumeClaimTemplates", old: "storage: 10Gi", new: "storage: 20Gi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := c.DryRunApply(ctx(t), decode(t, strings.Replace(statefulSet, tt.old, tt.new, 1), ns))
			require.Len(t, errs, 1)
			msg := errs[0].Error()
			t.Log(msg)
			assert.True(t, strings.HasPrefix(msg, "StatefulSet "+ns+"/broker: "), msg)
			assert.Contains(t, msg, "updates to statefulset spec for fields other than")
			assert.Contains(t, msg, "are forbidden")
		})
	}

	t.Run("allowed change still passes", func(t *testing.T) {
		errs := c.DryRunApply(ctx(t), decode(t, strings.Replace(statefulSet, "replicas: 2", "replicas: 3", 1), ns))
		require.Empty(t, errs)
		got, err := dyn.Resource(gvr).Namespace(ns).Get(ctx(t), "broker", metav1.GetOptions{})
		require.NoError(t, err)
		replicas, _, _ := unstructured.NestedInt64(got.Object, "spec", "replicas")
		assert.Equal(t, int64(2), replicas, "a dry run must not change the stored object")
	})
}

func TestDryRunApplyLocalChecks(t *testing.T) {
	c, _, _ := setup(t)
	noName := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
	noKind := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "x"}}}
	errs := c.DryRunApply(ctx(t), []*unstructured.Unstructured{noName, noKind, nil})
	require.Len(t, errs, 3)
	assert.Equal(t, "ConfigMap (no name): metadata.name is required", errs[0].Error())
	assert.Equal(t, "(no kind) x: apiVersion and kind are required", errs[1].Error())
	assert.Equal(t, "(no kind) (no name): nil object", errs[2].Error())
}

func TestDryRunApplyStopsWhenContextEnds(t *testing.T) {
	c, _, ns := setup(t)
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	errs := c.DryRunApply(cctx, decode(t, validObjects, ns))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Contains(t, errs[0].Error(), "5 of 5 objects unchecked")
}

func TestEnsureNamespace(t *testing.T) {
	c, dyn, ns := setup(t)
	// setup created it; a second call must accept that it exists.
	require.NoError(t, c.EnsureNamespace(ctx(t), ns))
	_, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Get(ctx(t), ns, metav1.GetOptions{})
	require.NoError(t, err, "the namespace must really exist")

	err = c.EnsureNamespace(ctx(t), "Bad_Name")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `ensure namespace "Bad_Name"`)
	assert.True(t, apierrors.IsInvalid(err), "want the server's Invalid status wrapped: %v", err)
}

func TestNewClientNilConfig(t *testing.T) {
	_, err := kube.NewClient(nil)
	require.Error(t, err)
}

func TestGet(t *testing.T) {
	srv := kubetest.Shared(t)
	c, err := kube.NewClient(srv.Config)
	require.NoError(t, err)
	ctx := context.Background()
	ns := "get-" + strings.ToLower(strconv.FormatInt(time.Now().UnixNano()%100000, 36))
	require.NoError(t, c.EnsureNamespace(ctx, ns))
	got, err := c.Get(ctx, "v1", "Namespace", "", ns)
	require.NoError(t, err)
	require.Equal(t, ns, got.GetName())
	_, err = c.Get(ctx, "v1", "ConfigMap", ns, "missing")
	require.Error(t, err)
	require.True(t, apierrors.IsNotFound(err), "%v", err)
	require.Contains(t, err.Error(), "ConfigMap "+ns+"/missing")
	_, err = c.Get(ctx, "example.com/v1", "Nothing", ns, "x")
	require.Error(t, err)
}
