package golden_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/rocketops/rocketops/pkg/cli"
	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/drift"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// driftEnv is one environment of a golden case, moved to a namespace of its own.
type driftEnv struct {
	spec      string // path of the rewritten cluster.yaml
	caseName  string
	env       string
	namespace string
	objects   []*unstructured.Unstructured // the rendered manifests, as applied
}

func (e driftEnv) String() string { return e.caseName + "/" + e.env }

// TestDriftNoFalsePositives applies every environment of every golden case to one cluster of fake nodes,
// each in a namespace of its own, lets the controllers do their work (pods scheduled and running, claims
// bound, status and defaults filled in, rollouts finished where the storage lets them), and then runs
// rocketops drift on each through the CLI: every one must exit 0 with no finding. Whatever the server and
// the controllers add must not count as drift.
func TestDriftNoFalsePositives(t *testing.T) {
	c := kubetest.StartCluster(t)
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	envs := driftEnvs(t, cases(t))
	c.AddNodes(t, driftNodes()...)
	deployAll(ctx, t, c, envs)
	began := time.Now()
	var rolled []string
	for _, e := range envs {
		if canRollOut(e.objects) {
			c.WaitRolledOut(t, e.namespace, rolloutWait)
			rolled = append(rolled, e.String())
		}
	}
	require.NotEmpty(t, rolled, "some environments must run their pods, or the controllers' writes go untested")
	t.Logf("rolled out %s after the applies: %s; the others wait for storage no provisioner makes",
		time.Since(began).Round(time.Millisecond), strings.Join(rolled, ", "))

	began = time.Now()
	for _, e := range envs {
		code, stdout, stderr := runDrift(t, e, c.Kubeconfig, "-o", "json")
		var r driftJSON
		require.NoError(t, json.Unmarshal([]byte(stdout), &r), "%s: drift -o json must print JSON; stderr:\n%s", e, stderr)
		if code != cli.ExitOK || len(r.Objects) > 0 {
			t.Errorf("%s: drift exited %d, want 0 with no findings:\n%s\nstderr:\n%s", e, code, stdout, stderr)
			continue
		}
		assert.Equal(t, len(e.objects), r.Counts.Compared, "%s: every object compared", e)
		assert.Equal(t, r.Counts.Compared, r.Counts.InSync, "%s", e)
	}
	t.Logf("%d environments compared in %s", len(envs), time.Since(began).Round(time.Millisecond))
}

// TestDriftReportsInjectedChanges applies golden/quickstart, checks drift finds nothing, then makes the
// changes people make by hand (a scale, an image edited, one line of a configuration file changed, a
// Service deleted, a label removed, and objects of someone else's that carry the cluster's labels) and
// requires each to be reported exactly, and nothing else: objects without both of the cluster's labels,
// and the claims and pods the StatefulSet controller makes for the new replica, are no drift. The
// Secret's values must not appear in any output.
func TestDriftReportsInjectedChanges(t *testing.T) {
	c := kubetest.StartCluster(t)
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	envs := driftEnvs(t, []string{"quickstart"})
	require.Len(t, envs, 1)
	e := envs[0]
	c.AddNodes(t, kubetest.Node{Name: "node-0", Zone: "zone-a"}, kubetest.Node{Name: "node-1", Zone: "zone-b"})
	deployAll(ctx, t, c, envs)

	code, stdout, stderr := runDrift(t, e, c.Kubeconfig)
	require.Equal(t, cli.ExitOK, code, "before any change, drift must find none:\n%s\n%s", stdout, stderr)
	require.Contains(t, stdout, "no drift")

	want := injectChanges(ctx, t, c, e)

	code, stdout, stderr = runDrift(t, e, c.Kubeconfig, "-o", "json")
	require.Equal(t, cli.ExitFindings, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	var r driftJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	assert.Equal(t, want, r.Objects, "the findings must be exactly the injected changes")
	assert.True(t, r.Drift)
	assert.Equal(t, len(e.objects)-5, r.Counts.InSync, "all but the four changed objects and the deleted one are in sync")
	assertNoSecret(t, stdout, stderr)

	code, text, stderr := runDrift(t, e, c.Kubeconfig)
	require.Equal(t, cli.ExitFindings, code)
	assertNoSecret(t, text, stderr)
	for _, f := range want {
		assert.Contains(t, text, f.Kind+" "+f.Namespace+"/"+f.Name, "the text report names every finding")
		for _, ch := range f.Changes {
			assert.Contains(t, text, ch.Path)
		}
	}
	assert.Contains(t, text, "-deleteWhen=05\n", "a changed line of a configuration file shows as a line diff")
	assert.Contains(t, text, "+deleteWhen=04\n")
	assert.Contains(t, stderr, "differs from what")
	t.Logf("text report:\n%s", text)
}

// secretValue is the value of the Secret TestDriftReportsInjectedChanges leaves in the namespace.
const secretValue = "Drift-Sentinel-4e1b7c"

func assertNoSecret(t *testing.T, outputs ...string) {
	t.Helper()
	encoded := base64.StdEncoding.EncodeToString([]byte(secretValue))
	for _, out := range outputs {
		assert.NotContains(t, out, secretValue, "a Secret's value reached the output")
		assert.NotContains(t, out, encoded, "a Secret's value reached the output, base64-encoded")
	}
}

// injectChanges changes the deployed quickstart by hand, the way kubectl would (as another field
// manager), and returns the findings drift must report, in its order.
func injectChanges(ctx context.Context, t *testing.T, c *kubetest.Cluster, e driftEnv) []driftObject {
	t.Helper()
	ns := e.namespace
	cs := c.Clientset
	set := findObject(t, e.objects, "StatefulSet", "component", "broker")
	nameServer := findObject(t, e.objects, "StatefulSet", "component", "namesrv")
	config := findObject(t, e.objects, "ConfigMap", "component", "broker")
	console := findObject(t, e.objects, "Deployment", "component", "console")
	service := findObject(t, e.objects, "Service", "component", "console")
	patch := func(kind string, name string, pt types.PatchType, body string) {
		t.Helper()
		var err error
		opts := metav1.PatchOptions{FieldManager: "kubectl-edit"}
		switch kind {
		case "StatefulSet":
			_, err = cs.AppsV1().StatefulSets(ns).Patch(ctx, name, pt, []byte(body), opts)
		case "Deployment":
			_, err = cs.AppsV1().Deployments(ns).Patch(ctx, name, pt, []byte(body), opts)
		case "ConfigMap":
			_, err = cs.CoreV1().ConfigMaps(ns).Patch(ctx, name, pt, []byte(body), opts)
		}
		require.NoError(t, err, "%s %s", kind, name)
	}

	// kubectl scale goes through the scale subresource.
	scale, err := cs.AppsV1().StatefulSets(ns).GetScale(ctx, set.GetName(), metav1.GetOptions{})
	require.NoError(t, err)
	replicas := scale.Spec.Replicas
	scale.Spec.Replicas = replicas + 1
	_, err = cs.AppsV1().StatefulSets(ns).UpdateScale(ctx, set.GetName(), scale, metav1.UpdateOptions{FieldManager: "kubectl-scale"})
	require.NoError(t, err)

	image, _, err := unstructured.NestedSlice(nameServer.Object, "spec", "template", "spec", "containers")
	require.NoError(t, err)
	oldImage := image[0].(map[string]any)["image"].(string)
	patch("StatefulSet", nameServer.GetName(), types.JSONPatchType, `[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.example.com/rocketmq:edited"}]`)

	data, _, err := unstructured.NestedStringMap(config.Object, "data")
	require.NoError(t, err)
	var confKey string
	for k, v := range data {
		if strings.Contains(v, "deleteWhen=04\n") {
			confKey = k
		}
	}
	require.NotEmpty(t, confKey, "the broker configuration sets deleteWhen=04")
	edited := strings.Replace(data[confKey], "deleteWhen=04\n", "deleteWhen=05\n", 1)
	body, _ := json.Marshal(map[string]any{"data": map[string]string{confKey: edited}})
	patch("ConfigMap", config.GetName(), types.MergePatchType, string(body))

	require.NoError(t, cs.CoreV1().Services(ns).Delete(ctx, service.GetName(), metav1.DeleteOptions{}))

	const versionLabel = "app.kubernetes.io/version"
	version := console.GetLabels()[versionLabel]
	require.NotEmpty(t, version)
	patch("Deployment", console.GetName(), types.JSONPatchType, `[{"op":"remove","path":"/metadata/labels/app.kubernetes.io~1version"}]`)

	instance := map[string]string{"app.kubernetes.io/instance": "rmq", "app.kubernetes.io/managed-by": "rocketops"}
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "left-over", Labels: instance}, Data: map[string]string{"a": "b"},
	}, metav1.CreateOptions{FieldManager: "kubectl-create"})
	require.NoError(t, err)
	_, err = cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "left-over-credentials", Labels: instance},
		StringData: map[string]string{"password": secretValue},
	}, metav1.CreateOptions{FieldManager: "kubectl-create"})
	require.NoError(t, err)
	// Neither is the cluster's: one has no labels, the other names the cluster but not rocketops.
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "unlabelled"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "someone-elses", Labels: map[string]string{"app.kubernetes.io/instance": "rmq"}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	waitForClaims(t, c, set, replicas+1)

	id := func(o *unstructured.Unstructured, state string, changes ...driftChange) driftObject {
		return driftObject{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: ns, Name: o.GetName(), State: state, Changes: changes}
	}
	extra := func(kind, name string) driftObject {
		return driftObject{APIVersion: "v1", Kind: kind, Namespace: ns, Name: name, State: "extra"}
	}
	// In drift's order: by kind as the compiler installs them (ConfigMap, Secret, Service, Deployment,
	// StatefulSet), then by name.
	require.Less(t, "left-over", config.GetName())
	require.Less(t, set.GetName(), nameServer.GetName())
	want := []driftObject{
		extra("ConfigMap", "left-over"),
		id(config, "changed", driftChange{Path: "/data/" + confKey, Desired: data[confKey], Live: edited}),
		extra("Secret", "left-over-credentials"),
		id(service, "missing"),
		id(console, "changed", driftChange{Path: "/metadata/labels/app.kubernetes.io~1version", Desired: version}),
		id(set, "changed", driftChange{Path: "/spec/replicas", Desired: float64(replicas), Live: float64(replicas + 1)}),
		id(nameServer, "changed", driftChange{Path: "/spec/template/spec/containers/0/image", Desired: oldImage, Live: "registry.example.com/rocketmq:edited"}),
	}
	return want
}

// waitForClaims waits until the StatefulSet controller has made the claims of set's first n pods, so
// that drift sees the claims of the replica the scale added.
func waitForClaims(t *testing.T, c *kubetest.Cluster, set *unstructured.Unstructured, n int32) {
	t.Helper()
	templates, _, err := unstructured.NestedSlice(set.Object, "spec", "volumeClaimTemplates")
	require.NoError(t, err)
	require.NotEmpty(t, templates, "the broker keeps its store on a claim, so scaling it makes a claim drift must not report")
	name, _, _ := unstructured.NestedString(templates[0].(map[string]any), "metadata", "name")
	claim := fmt.Sprintf("%s-%s-%d", name, set.GetName(), n-1)
	c.WaitFor(t, time.Minute, "claim "+claim, func(ctx context.Context) error {
		pvc, err := c.Clientset.CoreV1().PersistentVolumeClaims(set.GetNamespace()).Get(ctx, claim, metav1.GetOptions{})
		if err == nil && pvc.Labels["app.kubernetes.io/instance"] == "" {
			t.Fatalf("claim %s has no instance label, so it would not test that such claims are left out", claim)
		}
		return err
	})
}

// findObject returns the object of kind whose app.kubernetes.io/<label> is value, the first by name.
func findObject(t *testing.T, objs []*unstructured.Unstructured, kind, label, value string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetLabels()["app.kubernetes.io/"+label] == value {
			return o
		}
	}
	t.Fatalf("no %s with app.kubernetes.io/%s=%s", kind, label, value)
	return nil
}

// driftJSON is what drift -o json prints, as far as the tests read it.
type driftJSON struct {
	Drift  bool `json:"drift"`
	Counts struct {
		Compared int `json:"compared"`
		InSync   int `json:"inSync"`
	} `json:"counts"`
	Objects []driftObject `json:"objects"`
}

type driftObject struct {
	APIVersion string        `json:"apiVersion"`
	Kind       string        `json:"kind"`
	Namespace  string        `json:"namespace"`
	Name       string        `json:"name"`
	State      string        `json:"state"`
	Changes    []driftChange `json:"changes,omitempty"`
	Error      string        `json:"error,omitempty"`
}

type driftChange struct {
	Path    string `json:"path"`
	Desired any    `json:"desired,omitempty"`
	Live    any    `json:"live,omitempty"`
}

// runDrift runs rocketops drift on e through the CLI and returns its exit code and output.
func runDrift(t *testing.T, e driftEnv, kubeconfig string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"drift", e.spec, "--env", e.env, "--kubeconfig", kubeconfig, "--timeout", "60s"}, args...)
	code := cli.Run(argv, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// driftEnvs compiles each case's environments after moving each into a namespace of its own,
// drift-<case>[-<env>], written to a copy of the spec: namespaces and the names of cluster-scoped
// objects derived from them (local and NFS volumes) then cannot collide between cases.
func driftEnvs(t *testing.T, names []string) []driftEnv {
	t.Helper()
	var out []driftEnv
	dir := t.TempDir()
	nodePort := 30100
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(name, "cluster.yaml"))
		require.NoError(t, err)
		orig, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src})
		require.NoError(t, err, name)
		src = putYAML(t, src, "drift-"+name, "metadata", "namespace")
		for env := range orig.Plans {
			if hasYAML(t, src, "spec", "environments", env) {
				src = putYAML(t, src, "drift-"+name+"-"+env, "spec", "environments", env, "metadata", "namespace")
			}
		}
		src = renumberNodePorts(t, src, &nodePort)
		path := filepath.Join(dir, name+".yaml")
		require.NoError(t, os.WriteFile(path, src, 0o600))
		res, err := compile.Compile(compile.Options{File: path, Source: src, Targets: []string{"manifests"}})
		require.NoError(t, err, name)
		for env, p := range res.Plans {
			objs, err := kube.DecodeYAML(res.Tree["rendered/"+env+"/manifest.yaml"])
			require.NoError(t, err)
			require.NotEmpty(t, objs, "%s/%s", name, env)
			out = append(out, driftEnv{spec: path, caseName: name, env: env, namespace: p.Namespace, objects: objs})
		}
	}
	slices.SortFunc(out, func(a, b driftEnv) int { return strings.Compare(a.String(), b.String()) })
	for i := 1; i < len(out); i++ {
		require.NotEqual(t, out[i-1].namespace, out[i].namespace, "%s and %s share a namespace", out[i-1], out[i])
	}
	return out
}

// renumberNodePorts gives every node port the spec asks for (a key ending in nodePort or NodePort) the
// next free number from *next: node ports are allocated cluster-wide.
func renumberNodePorts(t *testing.T, src []byte, next *int) []byte {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &doc))
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if strings.HasSuffix(strings.ToLower(k.Value), "nodeport") && v.Kind == yaml.ScalarNode && v.Tag == "!!int" {
				v.Value = strconv.Itoa(*next)
				*next++
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	require.NoError(t, enc.Encode(&doc))
	return b.Bytes()
}

// deployAll creates what the environments need from the cluster (namespaces, priority classes, the
// monitoring CRDs) and applies them, as rocketops' field manager.
func deployAll(ctx context.Context, t *testing.T, c *kubetest.Cluster, envs []driftEnv) {
	t.Helper()
	client, err := kube.NewClient(c.Config)
	require.NoError(t, err)
	var all []*unstructured.Unstructured
	for _, e := range envs {
		require.NoError(t, client.EnsureNamespace(ctx, e.namespace))
		all = append(all, e.objects...)
	}
	if usesMonitoring(all) {
		installMonitoringCRDs(t, c.Config)
	}
	for _, pc := range priorityClasses(t, all) {
		ensurePriorityClass(ctx, t, c.Clientset, pc)
	}
	apply(ctx, t, c, all)
}

// canRollOut reports whether the objects' pods can all start on fake nodes: every claim template names
// a StorageClass the objects generate (local volumes, made for these claims). Claims of any other class
// stay pending, as there is no provisioner.
func canRollOut(objs []*unstructured.Unstructured) bool {
	classes := map[string]bool{}
	for _, o := range objs {
		if o.GetKind() == "StorageClass" {
			classes[o.GetName()] = true
		}
	}
	for _, o := range objs {
		if o.GetKind() != "StatefulSet" {
			continue
		}
		templates, _, _ := unstructured.NestedSlice(o.Object, "spec", "volumeClaimTemplates")
		for _, tmpl := range templates {
			class, _, _ := unstructured.NestedString(tmpl.(map[string]any), "spec", "storageClassName")
			if !classes[class] {
				return false
			}
		}
	}
	return true
}

// driftNodes are the nodes every golden case's placement can be met on: those of golden/local-pv's
// placement test (named for its local volumes, dedicated and tainted, in three zones), the dedicated
// ones of the bare-metal cases, the ones golden/gitops names for its local volumes, and plain ones in
// every zone for the rest, host-network's brokers (one per node, for their host ports) included.
func driftNodes() []kubetest.Node {
	nodes := placementNodes()
	for _, n := range rolloutNodes() {
		if strings.HasPrefix(n.Name, "rocketmq-") {
			nodes = append(nodes, n)
		}
	}
	for i, name := range []string{"node-a", "node-b", "node-c"} {
		nodes = append(nodes, kubetest.Node{Name: name, Zone: []string{"zone-a", "zone-b", "zone-c"}[i]})
	}
	for i, zone := range []string{"zone-a", "zone-b", "zone-c", "zone-a", "zone-b"} {
		name := fmt.Sprintf("plain-%d", i)
		nodes = append(nodes, kubetest.Node{Name: name, Zone: zone, Labels: map[string]string{corev1.LabelHostname: name}})
	}
	return nodes
}

// TestDriftKindsCoverGoldens holds drift.Kinds, the kinds looked through for extra objects, against
// every kind the golden cases compile to: a kind the compiler starts to generate must be added there.
func TestDriftKindsCoverGoldens(t *testing.T) {
	listed := map[string]bool{}
	for _, k := range drift.Kinds {
		listed[k.GroupVersion().String()+" "+k.Kind] = true
	}
	seen := map[string]bool{}
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env, objs := range out.Objects {
			for _, o := range objs {
				k := o.APIVersion + " " + o.Kind
				seen[k] = true
				assert.True(t, listed[k], "%s/%s generates %s, which drift.Kinds does not list", name, env, k)
			}
		}
	}
	for k := range listed {
		if k != "v1 Secret" {
			assert.True(t, seen[k], "drift.Kinds lists %s, which no golden case generates", k)
		}
	}
}
