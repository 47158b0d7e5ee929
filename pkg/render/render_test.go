package render_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/validate"
)

func TestSort(t *testing.T) {
	obj := func(kind, ns, name string) render.Object {
		return render.Object{Kind: kind, Namespace: ns, Name: name}
	}
	tests := []struct {
		name string
		in   []render.Object
		want []string // IDs
	}{
		{
			name: "install order of the kinds rocketops makes",
			in: []render.Object{
				obj("PodDisruptionBudget", "a", "x"), obj("StatefulSet", "a", "x"), obj("Deployment", "a", "x"),
				obj("Service", "a", "x"), obj("ConfigMap", "a", "x"),
			},
			want: []string{"ConfigMap/a/x", "Service/a/x", "Deployment/a/x", "StatefulSet/a/x", "PodDisruptionBudget/a/x"},
		},
		{
			name: "same kind: namespace, then name",
			in:   []render.Object{obj("Service", "b", "a"), obj("Service", "a", "z"), obj("Service", "a", "b")},
			want: []string{"Service/a/b", "Service/a/z", "Service/b/a"},
		},
		{
			name: "namespaces and secrets before what uses them",
			in:   []render.Object{obj("Secret", "a", "s"), obj("Namespace", "", "a"), obj("ServiceAccount", "a", "sa")},
			want: []string{"Namespace//a", "ServiceAccount/a/sa", "Secret/a/s"},
		},
		{
			name: "unknown kinds last, by kind name",
			in:   []render.Object{obj("Zebra", "a", "x"), obj("Apple", "a", "x"), obj("PodDisruptionBudget", "a", "x")},
			want: []string{"PodDisruptionBudget/a/x", "Apple/a/x", "Zebra/a/x"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs := append([]render.Object(nil), tc.in...)
			render.Sort(objs)
			var ids []string
			for _, o := range objs {
				ids = append(ids, o.ID())
			}
			assert.Equal(t, tc.want, ids)
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    []string
		wantErr string
	}{
		{
			name: "objects come back sorted, numbers kept",
			json: `[{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s","namespace":"n","labels":{"a":"b"}},"spec":{"replicas":1}},
			        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n"}}]`,
			want: []string{"ConfigMap/n/c", "StatefulSet/n/s"},
		},
		{name: "an empty list", json: `[]`},
		{name: "no kind", json: `[{"apiVersion":"v1","metadata":{"name":"c"}}]`, wantErr: "object 0: object without apiVersion, kind or metadata.name"},
		{name: "no name", json: `[{"apiVersion":"v1","kind":"ConfigMap","metadata":{}},{}]`, wantErr: "object 0:"},
		{name: "no metadata", json: `[{"apiVersion":"v1","kind":"ConfigMap"}]`, wantErr: "object without apiVersion, kind or metadata.name"},
		{name: "no apiVersion, second object", json: `[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}},{"kind":"ConfigMap","metadata":{"name":"d"}}]`, wantErr: "object 1:"},
		{name: "a kind that is not a string", json: `[{"apiVersion":"v1","kind":1,"metadata":{"name":"c"}}]`, wantErr: "object without"},
		{name: "not a list", json: `{"kind":"ConfigMap"}`, wantErr: "blueprints returned no list of objects"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := render.Decode([]byte(tc.json))
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "internal error")
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, o := range objs {
				ids = append(ids, o.ID())
			}
			assert.Equal(t, tc.want, ids)
		})
	}

	t.Run("fields are read and numbers stay json.Number", func(t *testing.T) {
		objs, err := render.Decode([]byte(`[{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s","namespace":"ns","labels":{"a":"b"}},"spec":{"replicas":1}}]`))
		require.NoError(t, err)
		require.Len(t, objs, 1)
		o := objs[0]
		assert.Equal(t, "apps/v1", o.APIVersion)
		assert.Equal(t, map[string]string{"a": "b"}, o.Labels)
		assert.Equal(t, json.Number("1"), o.Value["spec"].(map[string]any)["replicas"])
		y, err := o.YAML()
		require.NoError(t, err)
		assert.Equal(t, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  labels:\n    a: b\n  name: s\n  namespace: ns\nspec:\n  replicas: 1\n", string(y))
	})
}

func renderSpec(t *testing.T, body string) (*plan.Plan, []render.Object) {
	t.Helper()
	src := "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\n  namespace: mq\n  annotations: {owner: team-a}\nspec:\n  version: \"5.3.3\"\n" + body
	res, diags := validate.Validate("cluster.yaml", []byte(src))
	require.Empty(t, diags)
	p, err := plan.Build("default", res.Base)
	require.NoError(t, err)
	objs, err := render.Render(p)
	require.NoError(t, err)
	return p, objs
}

// get walks a decoded object by keys and list indexes.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "no mapping at %v", p)
			v = m[k]
		case int:
			l, ok := v.([]any)
			require.True(t, ok, "no list at %v", p)
			require.Less(t, k, len(l))
			v = l[k]
		}
	}
	return v
}

func byID(objs []render.Object) map[string]render.Object {
	out := map[string]render.Object{}
	for _, o := range objs {
		out[o.ID()] = o
	}
	return out
}

func TestRenderObjects(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{
			name: "the defaults",
			want: []string{
				"ConfigMap/mq/rmq-broker-0-master-config", "ConfigMap/mq/rmq-namesrv-config",
				"Service/mq/rmq-broker-headless", "Service/mq/rmq-console", "Service/mq/rmq-namesrv", "Service/mq/rmq-namesrv-headless",
				"Deployment/mq/rmq-console",
				"StatefulSet/mq/rmq-broker-0-master", "StatefulSet/mq/rmq-namesrv",
				"PodDisruptionBudget/mq/rmq-broker-0", "PodDisruptionBudget/mq/rmq-console", "PodDisruptionBudget/mq/rmq-namesrv",
			},
		},
		{
			name: "no console, a group with a slave",
			body: "  brokers:\n    groups: [{name: a, slaves: 1}]\n  console: {enabled: false}\n",
			want: []string{
				"ConfigMap/mq/rmq-a-master-config", "ConfigMap/mq/rmq-a-slave-1-config", "ConfigMap/mq/rmq-namesrv-config",
				"Service/mq/rmq-broker-headless", "Service/mq/rmq-namesrv", "Service/mq/rmq-namesrv-headless",
				"StatefulSet/mq/rmq-a-master", "StatefulSet/mq/rmq-a-slave-1", "StatefulSet/mq/rmq-namesrv",
				"PodDisruptionBudget/mq/rmq-a", "PodDisruptionBudget/mq/rmq-namesrv",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, objs := renderSpec(t, tc.body)
			var ids []string
			for _, o := range objs {
				ids = append(ids, o.ID())
				assert.Equal(t, "team-a", get(t, o.Value, "metadata", "annotations", "owner"), "%s carries the cluster's annotations", o.ID())
				assert.Equal(t, "rocketops", o.Labels[plan.LabelManagedBy], o.ID())
			}
			assert.Equal(t, tc.want, ids)
		})
	}
}

// podTemplates returns the pod template of every workload.
func podTemplates(t *testing.T, objs []render.Object) map[string]any {
	out := map[string]any{}
	for _, o := range objs {
		if o.Kind == "StatefulSet" || o.Kind == "Deployment" {
			out[o.ID()] = get(t, o.Value, "spec", "template")
		}
	}
	return out
}

func TestRenderPodSecurity(t *testing.T) {
	_, objs := renderSpec(t, "  brokers:\n    slaves: 1\n    storage: {mode: hostPath, path: /data}\n")
	templates := podTemplates(t, objs)
	require.Len(t, templates, 4, "name servers, master, slave, console")
	for id, tpl := range templates {
		t.Run(id, func(t *testing.T) {
			sc := get(t, tpl, "spec", "securityContext").(map[string]any)
			assert.Equal(t, json.Number("3000"), sc["runAsUser"])
			assert.Equal(t, json.Number("3000"), sc["runAsGroup"])
			assert.Equal(t, json.Number("3000"), sc["fsGroup"])
			assert.Equal(t, true, sc["runAsNonRoot"])
			assert.Equal(t, map[string]any{"type": "RuntimeDefault"}, sc["seccompProfile"])
			assert.Equal(t, false, get(t, tpl, "spec", "automountServiceAccountToken"))

			for _, c := range get(t, tpl, "spec", "containers").([]any) {
				csc := get(t, c, "securityContext").(map[string]any)
				assert.Equal(t, false, csc["allowPrivilegeEscalation"])
				assert.Equal(t, []any{"ALL"}, get(t, csc, "capabilities", "drop"))
				assert.Equal(t, true, csc["runAsNonRoot"])
				assert.Equal(t, json.Number("3000"), csc["runAsUser"])
				for _, probe := range []string{"startupProbe", "readinessProbe", "livenessProbe"} {
					port := get(t, c, probe, "tcpSocket", "port")
					assert.NotEmpty(t, port, "%s checks a port", probe)
					var names []any
					for _, p := range get(t, c, "ports").([]any) {
						names = append(names, get(t, p, "name"))
					}
					assert.Contains(t, names, port, "%s checks a declared port", probe)
				}
			}
			// Only the hostPath permission fixer runs as root, and it only chowns.
			if inits, ok := get(t, tpl, "spec").(map[string]any)["initContainers"].([]any); ok {
				for _, c := range inits {
					assert.Equal(t, "volume-permissions", get(t, c, "name"))
					assert.Equal(t, []any{"CHOWN"}, get(t, c, "securityContext", "capabilities", "add"))
					assert.Equal(t, []any{"ALL"}, get(t, c, "securityContext", "capabilities", "drop"))
				}
			}
		})
	}
}

func TestRenderBroker(t *testing.T) {
	p, objs := renderSpec(t, "  brokers:\n    slaves: 1\n    config: {fileReservedTime: 48}\n")
	ids := byID(objs)
	m := p.Brokers.Groups[0].Members[1]
	sts, ok := ids["StatefulSet/mq/"+m.Name]
	require.True(t, ok)
	tpl := get(t, sts.Value, "spec", "template")

	assert.Equal(t, m.Pod.Annotations[plan.AnnotationChecksum], get(t, tpl, "metadata", "annotations", plan.AnnotationChecksum))
	assert.True(t, strings.HasPrefix(m.Pod.Annotations[plan.AnnotationChecksum], "sha256:"))
	assert.Equal(t, "slave", get(t, tpl, "metadata", "labels", plan.LabelRole))
	assert.Equal(t, json.Number("1"), get(t, sts.Value, "spec", "replicas"))
	assert.Equal(t, "rmq-broker-headless", get(t, sts.Value, "spec", "serviceName"))
	assert.Equal(t, "broker-0", get(t, sts.Value, "metadata", "labels", plan.LabelGroup))

	c := get(t, tpl, "spec", "containers", 0)
	assert.Equal(t, "apache/rocketmq:5.3.3", get(t, c, "image"))
	env := map[string]any{}
	for _, e := range get(t, c, "env").([]any) {
		env[get(t, e, "name").(string)] = e
	}
	assert.Equal(t, m.Pod.JavaOptions, get(t, env["JAVA_OPT_EXT"], "value"))
	assert.Equal(t, "status.podIP", get(t, env["POD_IP"], "valueFrom", "fieldRef", "fieldPath"), "brokerIP1 comes from the pod IP")
	assert.Contains(t, get(t, c, "command", 2), "brokerIP1=")
	assert.Equal(t, "2Gi", get(t, c, "resources", "limits", "memory"))
	assert.Equal(t, "/home/rocketmq/store", get(t, c, "volumeMounts", 2, "mountPath"))

	cm, ok := ids["ConfigMap/mq/"+m.ConfigMap]
	require.True(t, ok)
	assert.Equal(t, m.Config, get(t, cm.Value, "data", "broker.conf"))

	claim := get(t, sts.Value, "spec", "volumeClaimTemplates", 0)
	assert.Equal(t, "store", get(t, claim, "metadata", "name"))
	assert.Equal(t, "8Gi", get(t, claim, "spec", "resources", "requests", "storage"))
	assert.Equal(t, m.Pod.SelectorLabels, toStrings(get(t, claim, "metadata", "labels")))

	pdb := ids["PodDisruptionBudget/mq/rmq-broker-0"]
	assert.Equal(t, json.Number("1"), get(t, pdb.Value, "spec", "maxUnavailable"))
	assert.Equal(t, p.Brokers.Groups[0].SelectorLabels, toStrings(get(t, pdb.Value, "spec", "selector", "matchLabels")))
}

func toStrings(v any) map[string]string {
	out := map[string]string{}
	for k, x := range v.(map[string]any) {
		out[k], _ = x.(string)
	}
	return out
}

func TestRenderVolumes(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		volume   map[string]any // the store volume in the pod, nil for a claim template
		hasClaim bool
		hasInit  bool
	}{
		{name: "claim", hasClaim: true},
		{name: "hostPath", body: "  brokers:\n    storage: {mode: hostPath, path: /data}\n", hasInit: true,
			volume: map[string]any{"name": "store", "hostPath": map[string]any{"path": "/data/rmq-broker-0-master", "type": "DirectoryOrCreate"}}},
		{name: "emptyDir in memory with a limit", body: "  brokers:\n    storage: {mode: emptyDir, size: 8Gi, medium: Memory}\n",
			volume: map[string]any{"name": "store", "emptyDir": map[string]any{"medium": "Memory", "sizeLimit": "8Gi"}}},
		{name: "emptyDir on disk without a limit", body: "  brokers:\n    storage: {mode: emptyDir}\n",
			volume: map[string]any{"name": "store", "emptyDir": map[string]any{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, objs := renderSpec(t, tc.body)
			sts := byID(objs)["StatefulSet/mq/rmq-broker-0-master"]
			spec := get(t, sts.Value, "spec").(map[string]any)
			_, claim := spec["volumeClaimTemplates"]
			assert.Equal(t, tc.hasClaim, claim)
			podSpec := get(t, spec, "template", "spec").(map[string]any)
			_, init := podSpec["initContainers"]
			assert.Equal(t, tc.hasInit, init)
			var store any
			for _, v := range podSpec["volumes"].([]any) {
				if get(t, v, "name") == "store" {
					store = v
				}
			}
			if tc.volume == nil {
				assert.Nil(t, store)
				return
			}
			assert.Equal(t, tc.volume, store)
		})
	}
}

func TestRenderConsoleAndNameServer(t *testing.T) {
	p, objs := renderSpec(t, "  nameServer: {replicas: 3}\n  console:\n    service: {type: NodePort, port: 80, nodePort: 30080}\n")
	ids := byID(objs)

	svc := ids["Service/mq/rmq-console"]
	assert.Equal(t, "NodePort", get(t, svc.Value, "spec", "type"))
	assert.Equal(t, json.Number("30080"), get(t, svc.Value, "spec", "ports", 0, "nodePort"))
	assert.Equal(t, json.Number("80"), get(t, svc.Value, "spec", "ports", 0, "port"))
	dep := ids["Deployment/mq/rmq-console"]
	c := get(t, dep.Value, "spec", "template", "spec", "containers", 0)
	assert.Equal(t, p.Console.Pod.JavaOptions, get(t, c, "env", 0, "value"))
	assert.Equal(t, json.Number("8080"), get(t, c, "ports", 0, "containerPort"))

	headless := ids["Service/mq/rmq-namesrv-headless"]
	assert.Equal(t, "None", get(t, headless.Value, "spec", "clusterIP"))
	assert.Equal(t, true, get(t, headless.Value, "spec", "publishNotReadyAddresses"), "stable DNS names exist before readiness")
	ns := ids["StatefulSet/mq/rmq-namesrv"]
	assert.Equal(t, json.Number("3"), get(t, ns.Value, "spec", "replicas"))
	assert.Equal(t, "rmq-namesrv-headless", get(t, ns.Value, "spec", "serviceName"))
	assert.Equal(t, p.NameServer.Pod.Annotations[plan.AnnotationChecksum], get(t, ns.Value, "spec", "template", "metadata", "annotations", plan.AnnotationChecksum))
	assert.Equal(t, p.NameServer.Config, get(t, ids["ConfigMap/mq/rmq-namesrv-config"].Value, "data", "namesrv.conf"))
}

func TestRenderIsDeterministic(t *testing.T) {
	body := "  brokers:\n    groups: 3\n    slaves: 1\n"
	_, first := renderSpec(t, body)
	_, again := renderSpec(t, body)
	require.Equal(t, len(first), len(again))
	for i := range first {
		a, err := first[i].YAML()
		require.NoError(t, err)
		b, err := again[i].YAML()
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b))
	}
}
