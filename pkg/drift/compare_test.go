package drift_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketops/rocketops/pkg/drift"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// TestMain shares one API server among the package's tests; kubetest.Main stops it after the last one.
func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }

var selector = map[string]string{"app.kubernetes.io/instance": "rmq", "app.kubernetes.io/managed-by": "rocketops"}

func objects(t *testing.T, ns, docs string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := kube.DecodeYAML([]byte(strings.ReplaceAll(docs, "NS", ns)))
	require.NoError(t, err)
	return objs
}

const labels = `{app.kubernetes.io/instance: rmq, app.kubernetes.io/managed-by: rocketops}`

const inSync = `apiVersion: v1
kind: ConfigMap
metadata: {name: in-sync, namespace: NS, labels: ` + labels + `}
data: {a: b}
`

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: broker, namespace: NS, labels: ` + labels + `}
spec:
  serviceName: broker-headless
  replicas: 1
  selector: {matchLabels: {app: broker}}
  template:
    metadata: {labels: {app: broker}}
    spec: {containers: [{name: broker, image: "apache/rocketmq:5.3.3"}]}
  volumeClaimTemplates:
  - metadata: {name: store, labels: ` + labels + `}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`

// TestCompareReportsErrorsAtTheirObject sends objects the server refuses in the dry run next to ones it
// accepts: each refusal is a finding at its object, with the server's reason, and the others are still
// compared.
func TestDriftCompareReportsErrorsAtTheirObject(t *testing.T) {
	srv := kubetest.Shared(t)
	if srv == nil {
		return
	}
	ctx := context.Background()
	ns := "drift-errors"
	deploy(ctx, t, srv.Config, ns, objects(t, ns, inSync))
	desired := objects(t, ns, inSync+`---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-there, namespace: NS, labels: `+labels+`}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unknown-field, namespace: NS}
colour: blue
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: negative, namespace: NS}
spec:
  replicas: -1
  selector: {matchLabels: {app: x}}
  template: {metadata: {labels: {app: x}}, spec: {containers: [{name: x, image: x}]}}
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: no-crd, namespace: NS}
spec: {selector: {}}
`)
	r, err := drift.Compare(ctx, srv.Config, drift.Options{Objects: desired, Namespace: ns, Selector: selector})
	require.NoError(t, err)
	byName := findings(r)
	assert.Equal(t, 5, r.Objects)
	assert.Equal(t, 1, r.InSync)
	assert.Equal(t, drift.Missing, byName["not-there"].State)
	for name, want := range map[string]string{
		"unknown-field": ".colour: field not declared in schema",
		"negative":      "spec.replicas: Invalid value: -1",
		"no-crd":        "the cluster does not serve monitoring.coreos.com/v1 PodMonitor",
	} {
		f := byName[name]
		assert.Equal(t, drift.Failed, f.State, name)
		assert.Contains(t, f.Error, want, name)
	}
	assert.Contains(t, byName["no-crd"].Hint, "CustomResourceDefinition")
	assert.False(t, r.Drifted() && r.Count(drift.Changed) > 0, "a refused dry run is no change")
}

// TestCompareImmutableChange changes a field of a StatefulSet that cannot change in place: the server
// refuses the dry run, and the finding says the object has to be re-created.
func TestDriftCompareImmutableChange(t *testing.T) {
	srv := kubetest.Shared(t)
	if srv == nil {
		return
	}
	ctx := context.Background()
	ns := "drift-immutable"
	deploy(ctx, t, srv.Config, ns, objects(t, ns, statefulSet))
	desired := objects(t, ns, strings.Replace(statefulSet, "serviceName: broker-headless", "serviceName: renamed", 1))
	r, err := drift.Compare(ctx, srv.Config, drift.Options{Objects: desired, Namespace: ns, Selector: selector})
	require.NoError(t, err)
	require.Len(t, r.Findings, 1)
	f := r.Findings[0]
	assert.Equal(t, drift.Failed, f.State)
	assert.Contains(t, f.Error, "updates to statefulset spec for fields other than")
	assert.Contains(t, f.Hint, "deleted and applied again")
}

// TestCompareFindsChangesAndExtras: a field changed by hand, and the extras rules: an object with the
// cluster's labels is extra, unless a controller owns it or alone wrote it, or it is a claim of a
// StatefulSet's template;
// an object without both labels is no business of the cluster's. A Secret's values stay out of the report.
func TestDriftCompareFindsChangesAndExtras(t *testing.T) {
	srv := kubetest.Shared(t)
	if srv == nil {
		return
	}
	ctx := context.Background()
	ns := "drift-extras"
	desired := objects(t, ns, inSync+"---\n"+statefulSet)
	deploy(ctx, t, srv.Config, ns, desired)
	kc, err := kube.NewClient(srv.Config)
	require.NoError(t, err)
	set, err := kc.Get(ctx, "apps/v1", "StatefulSet", ns, "broker")
	require.NoError(t, err)
	others := objects(t, ns, fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: in-sync, namespace: NS, labels: %[1]s}
data: {a: edited}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: left-over, namespace: NS, labels: %[1]s}
---
apiVersion: v1
kind: Secret
metadata: {name: left-over-secret, namespace: NS, labels: %[1]s}
stringData: {password: Compare-Sentinel-93}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: instance-only, namespace: NS, labels: {app.kubernetes.io/instance: rmq}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: owned
  namespace: NS
  labels: %[1]s
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: broker, uid: %[2]s, controller: true}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: store-broker-7, namespace: NS, labels: %[1]s}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: store-broker-x, namespace: NS, labels: %[1]s}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`, labels, set.GetUID()))
	applyAs(ctx, t, srv.Config, others)
	c, err := client.New(srv.Config, client.Options{})
	require.NoError(t, err)
	byController := objects(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-controller, namespace: NS, labels: "+labels+"}\n")[0]
	require.NoError(t, c.Patch(ctx, byController, client.Apply, client.FieldOwner("kube-controller-manager")))

	r, err := drift.Compare(ctx, srv.Config, drift.Options{Objects: desired, Namespace: ns, Selector: selector})
	require.NoError(t, err)
	var got []string
	for _, f := range r.Findings {
		got = append(got, string(f.State)+" "+f.Object.String())
	}
	assert.Equal(t, []string{
		"changed ConfigMap drift-extras/in-sync",
		"extra ConfigMap drift-extras/left-over",
		"extra Secret drift-extras/left-over-secret",
		"extra PersistentVolumeClaim drift-extras/store-broker-x",
	}, got)
	assert.Equal(t, []drift.Change{{Path: "/data/a", Desired: "b", Live: "edited", HasDesired: true, HasLive: true}}, findings(r)["in-sync"].Changes)
	var out bytes.Buffer
	require.NoError(t, r.WriteText(&out))
	require.NoError(t, r.WriteJSON(&out))
	assert.NotContains(t, out.String(), "Compare-Sentinel-93")
}

// TestCompareMissingNamespace: nothing of an environment whose namespace does not exist is deployed.
func TestDriftCompareMissingNamespace(t *testing.T) {
	srv := kubetest.Shared(t)
	if srv == nil {
		return
	}
	desired := objects(t, "drift-nowhere", inSync+"---\n"+statefulSet)
	r, err := drift.Compare(context.Background(), srv.Config, drift.Options{Objects: desired, Namespace: "drift-nowhere", Selector: selector})
	require.NoError(t, err)
	assert.True(t, r.NamespaceMissing)
	assert.Equal(t, 2, r.Count(drift.Missing))
	assert.Equal(t, 0, r.InSync)
}

func TestDriftCompareWrongToken(t *testing.T) {
	srv := kubetest.Shared(t)
	if srv == nil {
		return
	}
	cfg := rest.CopyConfig(srv.Config)
	cfg.BearerToken = "not-the-token"
	_, err := drift.Compare(context.Background(), cfg, drift.Options{Objects: objects(t, "x", inSync), Namespace: "x"})
	var ce *drift.ClusterError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Msg, "refused the credentials")
	assert.Contains(t, ce.Hint, "log in again")
}

// TestCompareServerTrouble: servers that refuse connections, never answer, or answer every request with
// an error fail the whole run with one message and a hint, in bounded time.
func TestDriftCompareServerTrouble(t *testing.T) {
	refused := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		return "https://" + addr
	}
	silent := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { conn.Close() }) // accepted, never answered
			}
		}()
		return "https://" + l.Addr().String()
	}
	status := func(code int) func(t *testing.T) string {
		return func(t *testing.T) string {
			s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","code":%d,"reason":"%s","message":"no"}`, code, http.StatusText(code))
			}))
			t.Cleanup(s.Close)
			return s.URL
		}
	}
	notKubernetes := func(t *testing.T) string {
		s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>hello</html>")
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	for _, tc := range []struct {
		name   string
		server func(t *testing.T) string
		msg    string
		hint   string
	}{
		{"connection refused", refused, "cannot reach the cluster at", "server is running"},
		{"never answers", silent, "did not answer in time", "--timeout"},
		{"401", status(http.StatusUnauthorized), "refused the credentials", "--context"},
		{"403", status(http.StatusForbidden), "refused access", "get, list"},
		{"500", status(http.StatusInternalServerError), "talking to the cluster at", "Kubernetes API server"},
		{"not an API server", notKubernetes, "talking to the cluster at", "Kubernetes API server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := tc.server(t)
			cfg := &rest.Config{Host: host, TLSClientConfig: rest.TLSClientConfig{Insecure: true}, Timeout: 2 * time.Second}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			began := time.Now()
			_, err := drift.Compare(ctx, cfg, drift.Options{Objects: objects(t, "x", inSync), Namespace: "x", Selector: selector})
			assert.Less(t, time.Since(began), 5*time.Second, "bounded by the timeout")
			var ce *drift.ClusterError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Msg, tc.msg)
			assert.Contains(t, ce.Msg, host)
			assert.Contains(t, ce.Hint, tc.hint)
		})
	}
}

func findings(r *drift.Report) map[string]drift.Finding {
	out := map[string]drift.Finding{}
	for _, f := range r.Findings {
		out[f.Object.Name] = f
	}
	return out
}

// deploy creates ns and applies objs as rocketops does.
func deploy(ctx context.Context, t *testing.T, cfg *rest.Config, ns string, objs []*unstructured.Unstructured) {
	t.Helper()
	client, err := kube.NewClient(cfg)
	require.NoError(t, err)
	require.NoError(t, client.EnsureNamespace(ctx, ns))
	for _, err := range client.Apply(ctx, objs) {
		require.NoError(t, err)
	}
}

// applyAs applies objs as another field manager, the way a person would with kubectl.
func applyAs(ctx context.Context, t *testing.T, cfg *rest.Config, objs []*unstructured.Unstructured) {
	t.Helper()
	c, err := client.New(cfg, client.Options{})
	require.NoError(t, err)
	for _, o := range objs {
		require.NoError(t, c.Patch(ctx, o, client.Apply, client.FieldOwner("kubectl"), client.ForceOwnership), o.GetName())
	}
}
