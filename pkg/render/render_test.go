package render_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

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
				"ConfigMap/mq/rmq-broker-0-config", "ConfigMap/mq/rmq-namesrv-config",
				"Service/mq/rmq-broker-headless", "Service/mq/rmq-console", "Service/mq/rmq-namesrv", "Service/mq/rmq-namesrv-headless",
				"Deployment/mq/rmq-console",
				"StatefulSet/mq/rmq-broker-0", "StatefulSet/mq/rmq-namesrv",
				"PodDisruptionBudget/mq/rmq-broker-0", "PodDisruptionBudget/mq/rmq-console", "PodDisruptionBudget/mq/rmq-namesrv",
				"NetworkPolicy/mq/rmq-broker", "NetworkPolicy/mq/rmq-console", "NetworkPolicy/mq/rmq-namesrv",
			},
		},
		{
			name: "no console, a group with a slave: still one ConfigMap and one StatefulSet per group",
			body: "  brokers:\n    groups: [{name: a, slaves: 1}]\n  console: {enabled: false}\n",
			want: []string{
				"ConfigMap/mq/rmq-a-config", "ConfigMap/mq/rmq-namesrv-config",
				"Service/mq/rmq-broker-headless", "Service/mq/rmq-namesrv", "Service/mq/rmq-namesrv-headless",
				"StatefulSet/mq/rmq-a", "StatefulSet/mq/rmq-namesrv",
				"PodDisruptionBudget/mq/rmq-a", "PodDisruptionBudget/mq/rmq-namesrv",
				"NetworkPolicy/mq/rmq-broker", "NetworkPolicy/mq/rmq-namesrv",
			},
		},
		{
			name: "two groups with slaves, no network policies",
			body: "  brokers:\n    groups: 2\n    slaves: 2\n  networkPolicy: {enabled: false}\n",
			want: []string{
				"ConfigMap/mq/rmq-broker-0-config", "ConfigMap/mq/rmq-broker-1-config", "ConfigMap/mq/rmq-namesrv-config",
				"Service/mq/rmq-broker-headless", "Service/mq/rmq-console", "Service/mq/rmq-namesrv", "Service/mq/rmq-namesrv-headless",
				"Deployment/mq/rmq-console",
				"StatefulSet/mq/rmq-broker-0", "StatefulSet/mq/rmq-broker-1", "StatefulSet/mq/rmq-namesrv",
				"PodDisruptionBudget/mq/rmq-broker-0", "PodDisruptionBudget/mq/rmq-broker-1", "PodDisruptionBudget/mq/rmq-console", "PodDisruptionBudget/mq/rmq-namesrv",
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
	require.Len(t, templates, 3, "name servers, the broker group, console")
	for id, tpl := range templates {
		t.Run(id, func(t *testing.T) {
			sc := get(t, tpl, "spec", "securityContext").(map[string]any)
			assert.Equal(t, float64(3000), sc["runAsUser"])
			assert.Equal(t, float64(3000), sc["runAsGroup"])
			assert.Equal(t, float64(3000), sc["fsGroup"])
			assert.Equal(t, true, sc["runAsNonRoot"])
			assert.Equal(t, map[string]any{"type": "RuntimeDefault"}, sc["seccompProfile"])
			assert.Equal(t, false, get(t, tpl, "spec", "automountServiceAccountToken"))

			containers := get(t, tpl, "spec", "containers").([]any)
			require.Len(t, containers, 1)
			for _, c := range containers {
				csc := get(t, c, "securityContext").(map[string]any)
				assert.Equal(t, false, csc["allowPrivilegeEscalation"])
				assert.Equal(t, true, csc["readOnlyRootFilesystem"])
				assert.Equal(t, []any{"ALL"}, get(t, csc, "capabilities", "drop"))
				assert.Equal(t, true, csc["runAsNonRoot"])
				assert.Equal(t, float64(3000), csc["runAsUser"])
				assert.NotEmpty(t, get(t, c, "resources", "requests", "ephemeral-storage"))
				assert.NotEmpty(t, get(t, c, "resources", "limits", "ephemeral-storage"))
				var names []any
				for _, p := range get(t, c, "ports").([]any) {
					names = append(names, get(t, p, "name"))
				}
				for _, probe := range []string{"startupProbe", "readinessProbe", "livenessProbe"} {
					pr := get(t, c, probe).(map[string]any)
					var port any
					if tcp, ok := pr["tcpSocket"]; ok {
						port = get(t, tcp, "port")
					} else {
						port = get(t, pr, "httpGet", "port")
					}
					assert.NotEmpty(t, port, "%s checks a port", probe)
					assert.Contains(t, names, port, "%s checks a declared port", probe)
				}
			}
			// Only the hostPath permission fixer runs as root, and it only chowns.
			if inits, ok := get(t, tpl, "spec").(map[string]any)["initContainers"].([]any); ok {
				for _, c := range inits {
					assert.Equal(t, "volume-permissions", get(t, c, "name"))
					assert.Equal(t, []any{"CHOWN"}, get(t, c, "securityContext", "capabilities", "add"))
					assert.Equal(t, []any{"ALL"}, get(t, c, "securityContext", "capabilities", "drop"))
					assert.Equal(t, true, get(t, c, "securityContext", "readOnlyRootFilesystem"))
				}
			}
		})
	}
}

// jsonEq compares a rendered value with a plan's resolved field.
func jsonEq(t *testing.T, want json.RawMessage, got any, msg string) {
	t.Helper()
	b, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(b), msg)
}

func TestRenderPlacesThePlansContainers(t *testing.T) {
	p, objs := renderSpec(t, "  brokers:\n    groups: 2\n    slaves: 1\n    storage: {mode: hostPath, path: /data}\n  console: {version: 2.1.0}\n")
	ids := byID(objs)
	pods := map[string]plan.Pod{
		"StatefulSet/mq/" + p.NameServer.StatefulSet: p.NameServer.Pod,
		"Deployment/mq/" + p.Console.Deployment:      p.Console.Pod,
	}
	for _, g := range p.Brokers.Groups {
		pods["StatefulSet/mq/"+g.StatefulSet] = g.Pod
	}
	require.Len(t, podTemplates(t, objs), len(pods))
	for id, pod := range pods {
		t.Run(id, func(t *testing.T) {
			o, ok := ids[id]
			require.True(t, ok)
			spec := get(t, o.Value, "spec", "template", "spec")
			jsonEq(t, pod.SecurityContext, get(t, spec, "securityContext"), "pod securityContext")
			jsonEq(t, pod.Volumes, get(t, spec, "volumes"), "volumes")
			if inits, ok := spec.(map[string]any)["initContainers"]; ok {
				jsonEq(t, pod.InitContainers, inits, "initContainers")
			} else {
				assert.JSONEq(t, "[]", string(pod.InitContainers))
			}
			assert.Equal(t, float64(pod.TerminationGrace), get(t, spec, "terminationGracePeriodSeconds"))
			c := pod.Container
			rc := get(t, spec, "containers", 0)
			assert.Equal(t, c.Name, get(t, rc, "name"))
			assert.Equal(t, c.Image, get(t, rc, "image"))
			assert.Equal(t, c.PullPolicy, get(t, rc, "imagePullPolicy"))
			jsonEq(t, mustJSON(t, c.Command), get(t, rc, "command"), "command")
			jsonEq(t, c.Env, get(t, rc, "env"), "env")
			jsonEq(t, c.Ports, get(t, rc, "ports"), "ports")
			jsonEq(t, mustJSON(t, c.Resources), get(t, rc, "resources"), "resources")
			jsonEq(t, c.SecurityContext, get(t, rc, "securityContext"), "container securityContext")
			jsonEq(t, c.VolumeMounts, get(t, rc, "volumeMounts"), "volumeMounts")
			jsonEq(t, c.StartupProbe, get(t, rc, "startupProbe"), "startupProbe")
			jsonEq(t, c.ReadinessProbe, get(t, rc, "readinessProbe"), "readinessProbe")
			jsonEq(t, c.LivenessProbe, get(t, rc, "livenessProbe"), "livenessProbe")
		})
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// env returns a rendered container's environment by name.
func env(t *testing.T, c any) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, e := range get(t, c, "env").([]any) {
		out[get(t, e, "name").(string)] = e
	}
	return out
}

// planEnv returns the value of one of a plan container's variables.
func planEnv(t *testing.T, c plan.Container, name string) string {
	t.Helper()
	var vars []struct{ Name, Value string }
	require.NoError(t, json.Unmarshal(c.Env, &vars))
	for _, v := range vars {
		if v.Name == name {
			return v.Value
		}
	}
	t.Fatalf("no %s", name)
	return ""
}

func TestRenderBroker(t *testing.T) {
	p, objs := renderSpec(t, "  brokers:\n    slaves: 2\n    config: {fileReservedTime: 48}\n")
	ids := byID(objs)
	g := p.Brokers.Groups[0]
	sts, ok := ids["StatefulSet/mq/"+g.StatefulSet]
	require.True(t, ok)
	tpl := get(t, sts.Value, "spec", "template")

	assert.Equal(t, g.Pod.Annotations[plan.AnnotationChecksum], get(t, tpl, "metadata", "annotations", plan.AnnotationChecksum))
	assert.True(t, strings.HasPrefix(g.Pod.Annotations[plan.AnnotationChecksum], "sha256:"))
	assert.Equal(t, g.Pod.Labels, toStrings(get(t, tpl, "metadata", "labels")))
	assert.Equal(t, float64(3), get(t, sts.Value, "spec", "replicas"), "the master and two slaves")
	assert.Equal(t, "rmq-broker-headless", get(t, sts.Value, "spec", "serviceName"))
	assert.Equal(t, "broker-0", get(t, sts.Value, "metadata", "labels", plan.LabelGroup))
	assert.Equal(t, g.SelectorLabels, toStrings(get(t, sts.Value, "spec", "selector", "matchLabels")))
	assert.Equal(t, "RollingUpdate", get(t, sts.Value, "spec", "updateStrategy", "type"))

	c := get(t, tpl, "spec", "containers", 0)
	assert.Equal(t, "apache/rocketmq:5.3.3", get(t, c, "image"))
	vars := env(t, c)
	assert.Equal(t, planEnv(t, g.Pod.Container, "JAVA_OPT_EXT"), get(t, vars["JAVA_OPT_EXT"], "value"))
	assert.Equal(t, "status.podIP", get(t, vars["POD_IP"], "valueFrom", "fieldRef", "fieldPath"), "brokerIP1 comes from the pod IP")
	assert.Equal(t, "metadata.name", get(t, vars["POD_NAME"], "valueFrom", "fieldRef", "fieldPath"), "the ordinal picks the file")
	assert.Contains(t, get(t, c, "command", 2), "brokerIP1=")
	assert.Contains(t, get(t, c, "command", 2), "/etc/rocketmq/broker-$id.conf")
	assert.Equal(t, "2Gi", get(t, c, "resources", "limits", "memory"))
	mounts := map[string]any{}
	for _, m := range get(t, c, "volumeMounts").([]any) {
		mounts[get(t, m, "name").(string)] = get(t, m, "mountPath")
	}
	assert.Equal(t, map[string]any{"config": "/etc/rocketmq", "store": "/home/rocketmq/store", "logs": "/home/rocketmq/logs", "tmp": "/tmp"}, mounts)

	cm, ok := ids["ConfigMap/mq/"+g.ConfigMap]
	require.True(t, ok)
	data := toStrings(get(t, cm.Value, "data"))
	assert.Equal(t, g.Files, data)
	assert.Len(t, data, 3, "broker-0.conf, broker-1.conf, broker-2.conf")
	for _, m := range g.Members {
		assert.Contains(t, data[plan.BrokerConfigFile(m.BrokerID)], fmt.Sprintf("\nbrokerId=%d\n", m.BrokerID))
	}
	assert.Equal(t, g.ConfigMap, get(t, tpl, "spec", "volumes", 0, "configMap", "name"))

	claim := get(t, sts.Value, "spec", "volumeClaimTemplates", 0)
	assert.Equal(t, "store", get(t, claim, "metadata", "name"))
	assert.Equal(t, "8Gi", get(t, claim, "spec", "resources", "requests", "storage"))
	assert.Equal(t, g.SelectorLabels, toStrings(get(t, claim, "metadata", "labels")))

	pdb := ids["PodDisruptionBudget/mq/"+g.PDB]
	assert.Equal(t, float64(1), get(t, pdb.Value, "spec", "maxUnavailable"))
	assert.Equal(t, g.SelectorLabels, toStrings(get(t, pdb.Value, "spec", "selector", "matchLabels")))
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
			volume: map[string]any{"name": "store", "hostPath": map[string]any{"path": "/data/rmq-broker-0", "type": "DirectoryOrCreate"}}},
		{name: "emptyDir in memory with a limit", body: "  brokers:\n    storage: {mode: emptyDir, size: 8Gi, medium: Memory}\n",
			volume: map[string]any{"name": "store", "emptyDir": map[string]any{"medium": "Memory", "sizeLimit": "8Gi"}}},
		{name: "emptyDir on disk gets the default limit", body: "  brokers:\n    storage: {mode: emptyDir}\n",
			volume: map[string]any{"name": "store", "emptyDir": map[string]any{"sizeLimit": "8Gi"}}},
		{name: "emptyDir in memory without a limit", body: "  brokers:\n    storage: {mode: emptyDir, medium: Memory}\n",
			volume: map[string]any{"name": "store", "emptyDir": map[string]any{"medium": "Memory"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, objs := renderSpec(t, tc.body)
			sts := byID(objs)["StatefulSet/mq/rmq-broker-0"]
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
	tests := []struct {
		name    string
		version string
		port    string
	}{
		{name: "dashboard 2.0.0", version: "2.0.0", port: "8080"},
		{name: "dashboard 2.1.0", version: "2.1.0", port: "8082"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, objs := renderSpec(t, "  nameServer: {replicas: 3}\n  console:\n    version: "+tc.version+"\n    service: {type: NodePort, port: 80, nodePort: 30080}\n")
			ids := byID(objs)

			svc := ids["Service/mq/rmq-console"]
			assert.Equal(t, "NodePort", get(t, svc.Value, "spec", "type"))
			assert.Equal(t, float64(30080), get(t, svc.Value, "spec", "ports", 0, "nodePort"))
			assert.Equal(t, float64(80), get(t, svc.Value, "spec", "ports", 0, "port"))
			assert.Equal(t, "http", get(t, svc.Value, "spec", "ports", 0, "targetPort"), "the Service follows the container port by name")
			dep := ids["Deployment/mq/rmq-console"]
			c := get(t, dep.Value, "spec", "template", "spec", "containers", 0)
			opts := get(t, env(t, c)["JAVA_OPTS"], "value")
			assert.Equal(t, planEnv(t, p.Console.Pod.Container, "JAVA_OPTS"), opts)
			assert.Contains(t, strings.Fields(opts.(string)), "-Dserver.port="+tc.port)
			assert.Contains(t, strings.Fields(opts.(string)), "-Drocketmq.config.namesrvAddrs="+strings.Join(p.NameServer.Addresses, ";"))
			assert.Equal(t, num(t, tc.port), get(t, c, "ports", 0, "containerPort"))
			assert.Equal(t, "apacherocketmq/rocketmq-dashboard:"+tc.version, get(t, c, "image"))

			headless := ids["Service/mq/rmq-namesrv-headless"]
			assert.Equal(t, "None", get(t, headless.Value, "spec", "clusterIP"))
			assert.Equal(t, true, get(t, headless.Value, "spec", "publishNotReadyAddresses"), "stable DNS names exist before readiness")
			ns := ids["StatefulSet/mq/rmq-namesrv"]
			assert.Equal(t, float64(3), get(t, ns.Value, "spec", "replicas"))
			assert.Equal(t, "rmq-namesrv-headless", get(t, ns.Value, "spec", "serviceName"))
			assert.Equal(t, p.NameServer.Pod.Annotations[plan.AnnotationChecksum], get(t, ns.Value, "spec", "template", "metadata", "annotations", plan.AnnotationChecksum))
			assert.Equal(t, p.NameServer.Config, get(t, ids["ConfigMap/mq/rmq-namesrv-config"].Value, "data", "namesrv.conf"))
		})
	}
}

func TestRenderNetworkPolicies(t *testing.T) {
	p, objs := renderSpec(t, "  brokers: {slaves: 1}\n")
	ids := byID(objs)
	require.Len(t, p.NetworkPolicies, 3)
	for _, np := range p.NetworkPolicies {
		t.Run(np.Name, func(t *testing.T) {
			o, ok := ids["NetworkPolicy/mq/"+np.Name]
			require.True(t, ok)
			assert.Equal(t, "networking.k8s.io/v1", o.APIVersion)
			assert.Equal(t, np.Component, o.Labels[plan.LabelComponent])
			assert.Equal(t, np.PodSelector, toStrings(get(t, o.Value, "spec", "podSelector", "matchLabels")))
			assert.Equal(t, []any{"Ingress", "Egress"}, get(t, o.Value, "spec", "policyTypes"), "both directions are closed but for the rules")
			jsonEq(t, np.Ingress, get(t, o.Value, "spec", "ingress"), "ingress")
			jsonEq(t, np.Egress, get(t, o.Value, "spec", "egress"), "egress")
		})
	}
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

// TestToYAMLIsJSONToYAML: the direct path gives the bytes of sigs.k8s.io/yaml's JSONToYAML of the
// value's JSON, for every kind of number and string that can reach it.
func TestToYAMLIsJSONToYAML(t *testing.T) {
	values := []any{
		map[string]any{},
		[]any{},
		map[string]any{"n": json.Number("0"), "neg": json.Number("-7"), "f": json.Number("1.5"), "e": json.Number("1e3"),
			"big": json.Number("12345678901234567890"), "huge": json.Number("1e400"), "tiny": json.Number("5e-324"),
			"max": json.Number("9223372036854775807"), "frac": json.Number("10.0")},
		map[string]any{"s": []any{"", "true", "yes", "on", "null", "~", "8080", "0x1F", "1_000", "1e3", ".5", "-", "- x",
			"a: b", "#c", "key #x", " lead", "trail ", "multi\nline", "multi\nline\n", "tab\there", "quote'\"", "*ref", "&a",
			"!tag", "%x", "@x", "`x", "{", "[", "é", "\u2028", "2001-12-14", "12:30", "0o17", "+1", ".inf", "-.Inf", ".nan",
			strings.Repeat("word ", 40), strings.Repeat("x", 200), "  indented\nblock", "line\n  indented\n"}},
		map[string]any{"broker-10.conf": "a", "broker-2.conf": "b", "a10": true, "a9": false, "A": nil, "_": json.Number("1")},
		[]any{map[string]any{"nested": []any{[]any{json.Number("1"), "x"}, map[string]any{"deep": map[string]any{"k": "v"}}}}},
		// What json.Unmarshal into any gives: float64 for every number.
		map[string]any{"f": []any{0.0, 1.0, -7.0, 8080.0, 0.5, 1e20, 1e21, 1.5e300, 12345678901234567890.0, 9223372036854775807.0, 5e-324, 123456.789}},
	}
	for i, v := range values {
		got, err := render.ToYAML(v)
		require.NoError(t, err)
		j, err := json.Marshal(v)
		require.NoError(t, err)
		want, err := yaml.JSONToYAML(j)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "value %d", i)
	}
	// Anything but decoded JSON takes the JSON path.
	type s struct {
		A int `json:"a"`
	}
	got, err := render.ToYAML(s{A: 1})
	require.NoError(t, err)
	assert.Equal(t, "a: 1\n", string(got))
}

// num is a port as the blueprints render it: a float64.
func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return f
}
