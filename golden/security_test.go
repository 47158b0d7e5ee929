package golden_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// deliberateScoreExceptions are the kube-score checks the output fails on purpose; the README's
// "kube-score" section gives the same reasons.
var deliberateScoreExceptions = []string{
	// The official images are tagged by version, and a version tag is immutable in practice;
	// IfNotPresent keeps a node from pulling gigabytes on every restart.
	"--ignore-test", "container-image-pull-policy",
	// The images create their user as uid/gid 3000 and own their folders as it; another uid cannot
	// write RocketMQ's home.
	"--ignore-test", "container-security-context-user-group-id",
	// A CPU limit throttles the broker's flush and GC threads under load (CFS quota) and buys nothing
	// a request does not: brokers and the console get a CPU request and no limit.
	"--ignore-container-cpu-limit",
}

// TestKubeScore runs the pinned kube-score on every environment of every golden case: no check may
// be CRITICAL except the deliberate ones above (and the name server's pod-probes-identical, which its
// StatefulSet names in a kube-score/ignore annotation).
func TestKubeScore(t *testing.T) {
	ks := kubetest.Tool(t, "kube-score")
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env, p := range out.Plans {
			f := filepath.Join(name, "output", "rendered", env, "manifest.yaml")
			args := append([]string{"score", "-o", "ci"}, deliberateScoreExceptions...)
			if len(p.NetworkPolicies) == 0 {
				// The spec turned them off (spec.networkPolicy.enabled: false).
				args = append(args, "--ignore-test", "pod-networkpolicy")
			}
			t.Run(name+"/"+env, func(t *testing.T) {
				out, _ := exec.Command(ks, append(args, f)...).CombinedOutput()
				assert.NotContains(t, string(out), "[CRITICAL]")
				assert.Contains(t, string(out), "[OK]", "kube-score scored the objects: %s", out)
			})
		}
	}
}

// TestKubeScoreCanFail keeps TestKubeScore honest: the same run on an object kube-score must refuse.
func TestKubeScoreCanFail(t *testing.T) {
	ks := kubetest.Tool(t, "kube-score")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: bad, namespace: x}
spec:
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec:
      containers: [{name: c, image: "busybox:1.36"}]
`), 0o644))
	out, err := exec.Command(ks, append(append([]string{"score", "-o", "ci"}, deliberateScoreExceptions...), bad)...).CombinedOutput()
	require.Error(t, err, "kube-score exits non-zero on a CRITICAL finding")
	assert.Contains(t, string(out), "[CRITICAL]")
}

// TestPodSecurityRestricted creates, as a server-side dry run, a pod from every pod template of every
// golden case in a namespace that enforces the Pod Security Standard "restricted": the API server's
// admission must admit each, and applying the workloads there must draw no warning.
func TestPodSecurityRestricted(t *testing.T) {
	srv := kubetest.Shared(t)
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env := range out.Plans {
			t.Run(name+"/"+env, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(name, "output", "rendered", env, "manifest.yaml"))
				require.NoError(t, err)
				objs, err := kube.DecodeYAML(data)
				require.NoError(t, err)
				// Host-networked pods are outside every Pod Security Standard but privileged, as the README
				// says: they must be refused for exactly that, and everything else admitted.
				var hostNet, others []*unstructured.Unstructured
				for _, o := range objs {
					if on, _, _ := unstructured.NestedBool(o.Object, "spec", "template", "spec", "hostNetwork"); on {
						hostNet = append(hostNet, o)
					} else {
						others = append(others, o)
					}
				}
				ns := restrictedNamespace(t, srv.Config, name+"-"+env)
				problems := admit(t, srv.Config, ns, others)
				assert.Empty(t, problems, "pods refused or warned about by Pod Security admission")
				for _, o := range hostNet {
					refused := admit(t, srv.Config, ns, []*unstructured.Unstructured{o})
					require.NotEmpty(t, refused, "%s %s runs with host networking, which restricted must refuse", o.GetKind(), o.GetName())
					assert.Contains(t, strings.Join(refused, "\n"), "host namespaces (hostNetwork=true)")
				}
			})
		}
	}
}

// TestPodSecurityRestrictedCanFail: a hostPath store needs an init container that runs as root, and
// a hostPath volume, both of which "restricted" refuses; the same check must say so.
func TestPodSecurityRestrictedCanFail(t *testing.T) {
	srv := kubetest.Shared(t)
	src, err := os.ReadFile(filepath.Join("quickstart", "cluster.yaml"))
	require.NoError(t, err)
	spec := strings.Replace(string(src), "  brokers:\n", "  brokers:\n    storage: {mode: hostPath, path: /data/rocketmq}\n", 1)
	require.NotEqual(t, string(src), spec, "the quickstart has a brokers section to change")
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: []byte(spec), Targets: []string{"manifests"}})
	require.NoError(t, err)
	objs, err := kube.DecodeYAML(out.Tree["rendered/default/manifest.yaml"])
	require.NoError(t, err)
	problems := admit(t, srv.Config, restrictedNamespace(t, srv.Config, "hostpath"), objs)
	require.NotEmpty(t, problems)
	assert.Contains(t, strings.Join(problems, "\n"), "hostPath")
}

// restrictedNamespace creates a namespace of its own that enforces and warns at "restricted".
func restrictedNamespace(t *testing.T, cfg *rest.Config, name string) string {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	ns := "psa-" + strings.ReplaceAll(name, "_", "-")
	labels := map[string]string{}
	for _, mode := range []string{"enforce", "warn", "audit"} {
		labels["pod-security.kubernetes.io/"+mode] = "restricted"
		labels["pod-security.kubernetes.io/"+mode+"-version"] = "latest"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return ns
}

// admit creates a pod from each workload's template, then the workload itself, in ns as dry runs; it
// returns every refusal and every warning, each naming its object.
func admit(t *testing.T, cfg *rest.Config, ns string, objs []*unstructured.Unstructured) []string {
	t.Helper()
	warn := &warnings{}
	c := rest.CopyConfig(cfg)
	c.WarningHandler = warn
	cs, err := kubernetes.NewForConfig(c)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dry := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	var problems []string
	workloads := 0
	for _, o := range objs {
		if o.GetKind() != "StatefulSet" && o.GetKind() != "Deployment" {
			continue
		}
		workloads++
		id := o.GetKind() + " " + o.GetName()
		tmpl, found, err := unstructured.NestedMap(o.Object, "spec", "template")
		require.NoError(t, err)
		require.True(t, found, "%s has a pod template", id)
		var pod corev1.Pod
		require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(tmpl, &pod))
		pod.Name, pod.Namespace = strings.ToLower(o.GetKind())+"-"+o.GetName(), ns
		if pc := pod.Spec.PriorityClassName; pc != "" {
			// A PriorityClass the spec names is created outside rocketops, as the README says; the
			// Priority admission plugin refuses a pod whose class does not exist.
			ensurePriorityClass(ctx, t, cs, pc)
		}
		// As the StatefulSet controller does: a volume per claim template.
		claims, _, err := unstructured.NestedSlice(o.Object, "spec", "volumeClaimTemplates")
		require.NoError(t, err)
		for _, c := range claims {
			claim, _, _ := unstructured.NestedString(c.(map[string]any), "metadata", "name")
			pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: claim, VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim + "-" + pod.Name}}})
		}
		warn.reset()
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, &pod, dry); err != nil {
			problems = append(problems, fmt.Sprintf("pod of %s: %v", id, err))
		}
		problems = append(problems, warn.take("pod of "+id)...)
		w := o.DeepCopy()
		w.SetNamespace(ns)
		w.SetResourceVersion("")
		dyn, err := kube.NewClient(c)
		require.NoError(t, err)
		if errs := dyn.DryRunApply(ctx, []*unstructured.Unstructured{w}); len(errs) > 0 {
			problems = append(problems, fmt.Sprintf("%s: %v", id, errs))
		}
		problems = append(problems, warn.take(id)...)
	}
	require.NotZero(t, workloads, "the output has workloads to admit")
	return problems
}

// warnings collects the API server's warnings (Pod Security admission answers a workload that
// breaks the policy with one).
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = nil
}

func (w *warnings) take(prefix string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, len(w.list))
	for i, s := range w.list {
		out[i] = prefix + ": warning: " + s
	}
	sort.Strings(out)
	w.list = nil
	return out
}

// ensurePriorityClass creates a PriorityClass if the server has none of that name.
func ensurePriorityClass(ctx context.Context, t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: 1000000}
	if _, err := cs.SchedulingV1().PriorityClasses().Create(ctx, pc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
}
