package golden_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

const (
	// dedicatedKey and dedicatedValue are golden/local-pv's spec.placement.dedicatedNodes.
	dedicatedKey   = "dedicated"
	dedicatedValue = "rocketmq"
	componentLabel = "app.kubernetes.io/component"
	noProvisioner  = "kubernetes.io/no-provisioner"
	// placementSettle bounds the wait for the volume binder's last status writes after the rollout; a
	// placement that is wrong stays wrong, so this only delays the report of a real failure.
	placementSettle = 30 * time.Second
)

// TestPlacementOnFakeNodes runs golden/local-pv (environment staging) on a control plane with fake nodes:
// seven nodes labelled and tainted dedicated=rocketmq (stg-node-1…4, whose names the spec gives the brokers'
// local volumes, in zones a, b, a, b, and three more in zones a, b and c) and three untainted ones with no
// dedicated label, one per zone, which are just as roomy and must stay empty. Once every workload has rolled
// out, every pod must be on a dedicated node, the members of each broker group on different nodes and
// zones, the name servers in three zones, every PersistentVolume rocketops generated Bound to exactly the
// claim it was made for, with that claim's pod on the PV's node (a member's store and commitlog on the same
// one), and the generated StorageClasses must bind on first consumer. The scheduler, the volume binder in
// kube-controller-manager and the StatefulSet controller do the placing; nothing here binds or places.
func TestPlacementOnFakeNodes(t *testing.T) {
	c := kubetest.StartCluster(t)
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns, objs := compileLocalPV(t)
	want := placementWantOf(t, objs)
	// A compile that silently dropped the volumes or the spread would make the checks below vacuous.
	require.Equal(t, "rocketmq-staging", ns)
	require.Len(t, want.volumes, 8, "a store and a commitlog volume for each of the four broker members")
	require.Contains(t, want.classes, "rocketmq-staging-disk-local")
	require.Equal(t, 3, want.nameServers)
	require.Equal(t, map[string]int{"broker-a": 2, "broker-b": 2}, want.groups)

	client, err := kube.NewClient(c.Config)
	require.NoError(t, err)
	require.NoError(t, client.EnsureNamespace(ctx, ns))
	for _, pc := range priorityClasses(t, objs) {
		ensurePriorityClass(ctx, t, c.Clientset, pc)
	}
	c.AddNodes(t, placementNodes()...)
	// When the rollout or a check fails, say what the scheduler and the volume binder made of it.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("cluster state:\n%s", describeScheduling(c.Clientset, ns, want))
		}
	})
	applied := time.Now()
	apply(ctx, t, c, objs)
	c.WaitRolledOut(t, ns, rolloutWait)
	rolledOut := time.Since(applied)

	var snap placementSnapshot
	var problems []string
	for deadline := time.Now().Add(placementSettle); ; {
		snap = takePlacementSnapshot(ctx, t, c.Clientset, ns)
		if problems = checkPlacement(snap, want); len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(problems) > 0 {
		t.Errorf("placement of golden/local-pv (staging) on fake nodes:\n%s\n\nlayout:\n%s",
			strings.Join(problems, "\n"), snap.layout(want))
		return
	}
	t.Logf("rolled out %s after the apply; layout:\n%s", rolledOut.Round(time.Millisecond), snap.layout(want))
}

// compileLocalPV compiles golden/local-pv's staging environment to manifests.
func compileLocalPV(t *testing.T) (string, []*unstructured.Unstructured) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("local-pv", "cluster.yaml"))
	require.NoError(t, err)
	return compileManifests(t, src)
}

// placementNodes are the fake nodes of TestPlacementOnFakeNodes. Every node carries the zone label a cloud
// provider would set, the untainted ones too, so that nothing but the nodeSelector and the toleration keeps
// RocketMQ off them: they are as eligible as any for the zone spread and as roomy as the others.
func placementNodes() []kubetest.Node {
	taint := corev1.Taint{Key: dedicatedKey, Value: dedicatedValue, Effect: corev1.TaintEffectNoSchedule}
	dedicated := func(name, zone string) kubetest.Node {
		return kubetest.Node{
			Name:   name,
			Zone:   zone,
			Labels: map[string]string{corev1.LabelHostname: name, dedicatedKey: dedicatedValue},
			Taints: []corev1.Taint{taint},
		}
	}
	var nodes []kubetest.Node
	// The brokers' local volumes are on stg-node-1 and -2 (broker-a) and -3 and -4 (broker-b): zones a, b,
	// a, b put each group's two members in two zones.
	for i, zone := range []string{"zone-a", "zone-b", "zone-a", "zone-b"} {
		nodes = append(nodes, dedicated(fmt.Sprintf("stg-node-%d", i+1), zone))
	}
	// Zone c has only this one dedicated node; the name servers need three zones.
	for i, zone := range []string{"zone-a", "zone-b", "zone-c"} {
		nodes = append(nodes, dedicated(fmt.Sprintf("stg-namesrv-%d", i+1), zone))
	}
	for i, zone := range []string{"zone-a", "zone-b", "zone-c"} {
		name := fmt.Sprintf("general-%d", i+1)
		nodes = append(nodes, kubetest.Node{Name: name, Zone: zone, Labels: map[string]string{corev1.LabelHostname: name}})
	}
	return nodes
}

// priorityClasses lists the priority classes the pod templates of objs name.
func priorityClasses(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	var out []string
	for _, o := range objs {
		if o.GetKind() != "StatefulSet" && o.GetKind() != "Deployment" {
			continue
		}
		pc, _, err := unstructured.NestedString(o.Object, "spec", "template", "spec", "priorityClassName")
		require.NoError(t, err)
		if pc != "" && !slices.Contains(out, pc) {
			out = append(out, pc)
		}
	}
	return out
}

// placementWant is what the compiled manifests promise.
type placementWant struct {
	nameServers int                             // replicas of the name server StatefulSet
	groups      map[string]int                  // broker group -> members
	volumes     map[string]types.NamespacedName // generated PersistentVolume -> the claim its claimRef names
	classes     []string                        // generated StorageClasses
}

func placementWantOf(t *testing.T, objs []*unstructured.Unstructured) placementWant {
	t.Helper()
	w := placementWant{groups: map[string]int{}, volumes: map[string]types.NamespacedName{}}
	for _, o := range objs {
		switch o.GetKind() {
		case "StatefulSet":
			replicas, found, err := unstructured.NestedInt64(o.Object, "spec", "replicas")
			require.NoError(t, err)
			if !found {
				replicas = 1
			}
			switch l := o.GetLabels(); l[componentLabel] {
			case "namesrv":
				w.nameServers += int(replicas)
			case "broker":
				w.groups[l[groupLabel]] += int(replicas)
			}
		case "PersistentVolume":
			ns, _, err := unstructured.NestedString(o.Object, "spec", "claimRef", "namespace")
			require.NoError(t, err)
			name, _, err := unstructured.NestedString(o.Object, "spec", "claimRef", "name")
			require.NoError(t, err)
			w.volumes[o.GetName()] = types.NamespacedName{Namespace: ns, Name: name}
		case "StorageClass":
			w.classes = append(w.classes, o.GetName())
		}
	}
	return w
}

// placementSnapshot is what the checks look at: the nodes, the pods and claims of the namespace, and the
// cluster's volumes and storage classes.
type placementSnapshot struct {
	nodes   []corev1.Node
	pods    []corev1.Pod
	claims  []corev1.PersistentVolumeClaim
	volumes []corev1.PersistentVolume
	classes []storagev1.StorageClass
}

func takePlacementSnapshot(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string) placementSnapshot {
	t.Helper()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	claims, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	volumes, err := cs.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	classes, err := cs.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	return placementSnapshot{nodes: nodes.Items, pods: pods.Items, claims: claims.Items, volumes: volumes.Items, classes: classes.Items}
}

func (s *placementSnapshot) node(name string) *corev1.Node {
	for i := range s.nodes {
		if s.nodes[i].Name == name {
			return &s.nodes[i]
		}
	}
	return nil
}

func (s *placementSnapshot) pod(name string) *corev1.Pod {
	for i := range s.pods {
		if s.pods[i].Name == name {
			return &s.pods[i]
		}
	}
	return nil
}

func (s *placementSnapshot) claim(ref types.NamespacedName) *corev1.PersistentVolumeClaim {
	for i := range s.claims {
		if s.claims[i].Namespace == ref.Namespace && s.claims[i].Name == ref.Name {
			return &s.claims[i]
		}
	}
	return nil
}

func (s *placementSnapshot) volume(name string) *corev1.PersistentVolume {
	for i := range s.volumes {
		if s.volumes[i].Name == name {
			return &s.volumes[i]
		}
	}
	return nil
}

func (s *placementSnapshot) class(name string) *storagev1.StorageClass {
	for i := range s.classes {
		if s.classes[i].Name == name {
			return &s.classes[i]
		}
	}
	return nil
}

// zoneOf is the zone of the node a pod runs on, or "" if it has none.
func (s *placementSnapshot) zoneOf(pod *corev1.Pod) string {
	if n := s.node(pod.Spec.NodeName); n != nil {
		return n.Labels[corev1.LabelTopologyZone]
	}
	return ""
}

// podsOf lists the pods whose labels carry key=value, by name.
func (s *placementSnapshot) podsOf(key, value string) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range s.pods {
		if s.pods[i].Labels[key] == value {
			out = append(out, &s.pods[i])
		}
	}
	slices.SortFunc(out, func(a, b *corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// claimsOf lists the claims pod mounts, in the pod's volume order.
func claimsOf(pod *corev1.Pod) []types.NamespacedName {
	var out []types.NamespacedName
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			out = append(out, types.NamespacedName{Namespace: pod.Namespace, Name: v.PersistentVolumeClaim.ClaimName})
		}
	}
	return out
}

// checkPlacement runs every check and returns what is wrong.
func checkPlacement(s placementSnapshot, w placementWant) []string {
	var problems []string
	problems = append(problems, checkDedicated(s)...)
	problems = append(problems, checkSpread(s, w)...)
	problems = append(problems, checkVolumes(s, w)...)
	problems = append(problems, checkStorageClasses(s, w)...)
	return problems
}

// checkDedicated wants every pod Running and Ready on a node labelled dedicated=rocketmq and tainted
// dedicated=rocketmq:NoSchedule, which keeps every untainted node empty of RocketMQ pods.
func checkDedicated(s placementSnapshot) []string {
	var problems []string
	for i := range s.pods {
		pod := &s.pods[i]
		if pod.Spec.NodeName == "" {
			problems = append(problems, fmt.Sprintf("pod %s is not scheduled", pod.Name))
			continue
		}
		if !podRunningReady(pod) {
			problems = append(problems, fmt.Sprintf("pod %s on %s is %s, not Running and Ready", pod.Name, pod.Spec.NodeName, pod.Status.Phase))
		}
		node := s.node(pod.Spec.NodeName)
		if node == nil {
			problems = append(problems, fmt.Sprintf("pod %s runs on node %s, which does not exist", pod.Name, pod.Spec.NodeName))
			continue
		}
		var not []string
		if node.Labels[dedicatedKey] != dedicatedValue {
			not = append(not, "labelled "+dedicatedKey+"="+dedicatedValue)
		}
		if !hasDedicatedTaint(node) {
			not = append(not, "tainted "+dedicatedKey+"="+dedicatedValue+":NoSchedule")
		}
		if len(not) > 0 {
			what := "node"
			if !hasDedicatedTaint(node) {
				what = "untainted node"
			}
			problems = append(problems, fmt.Sprintf("pod %s runs on %s %s, which is not %s", pod.Name, what, node.Name, strings.Join(not, " nor ")))
		}
	}
	return problems
}

func hasDedicatedTaint(node *corev1.Node) bool {
	return slices.ContainsFunc(node.Spec.Taints, func(t corev1.Taint) bool {
		return t.Key == dedicatedKey && t.Value == dedicatedValue && t.Effect == corev1.TaintEffectNoSchedule
	})
}

func podRunningReady(pod *corev1.Pod) bool {
	if pod.Status.Phase != corev1.PodRunning || pod.DeletionTimestamp != nil {
		return false
	}
	return slices.ContainsFunc(pod.Status.Conditions, func(c corev1.PodCondition) bool {
		return c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue
	})
}

// checkSpread wants each broker group's members on pairwise different nodes and zones, and the name servers
// in pairwise different zones, each with as many pods as the manifests ask for.
func checkSpread(s placementSnapshot, w placementWant) []string {
	var problems []string
	for _, g := range slices.Sorted(maps.Keys(w.groups)) {
		pods := s.podsOf(groupLabel, g)
		what := "broker group " + g
		if len(pods) != w.groups[g] {
			problems = append(problems, fmt.Sprintf("%s has %d members, want %d", what, len(pods), w.groups[g]))
		}
		problems = append(problems, apart(s, what, pods, true)...)
	}
	pods := s.podsOf(componentLabel, "namesrv")
	if len(pods) != w.nameServers {
		problems = append(problems, fmt.Sprintf("name servers: %d pods, want %d", len(pods), w.nameServers))
	}
	problems = append(problems, apart(s, "name servers", pods, false)...)
	return problems
}

// apart reports the pairs of pods that share a zone, and with nodes also those that share a node.
func apart(s placementSnapshot, what string, pods []*corev1.Pod, nodes bool) []string {
	var problems []string
	for _, p := range pods {
		if p.Spec.NodeName != "" && s.zoneOf(p) == "" {
			problems = append(problems, fmt.Sprintf("%s: pod %s runs on node %s, which has no %s label", what, p.Name, p.Spec.NodeName, corev1.LabelTopologyZone))
		}
	}
	for i, a := range pods {
		for _, b := range pods[i+1:] {
			if a.Spec.NodeName == "" || b.Spec.NodeName == "" {
				continue
			}
			if nodes && a.Spec.NodeName == b.Spec.NodeName {
				problems = append(problems, fmt.Sprintf("%s: %s and %s share node %s", what, a.Name, b.Name, a.Spec.NodeName))
			}
			if za := s.zoneOf(a); za != "" && za == s.zoneOf(b) {
				problems = append(problems, fmt.Sprintf("%s: %s (node %s) and %s (node %s) share zone %s", what, a.Name, a.Spec.NodeName, b.Name, b.Spec.NodeName, za))
			}
		}
	}
	return problems
}

// checkVolumes wants every PersistentVolume rocketops generated Bound to the claim its claimRef names (the
// claim's UID recorded, so it is that claim and not an earlier one of the same name), the claim Bound to
// it, exactly one pod using the claim and that pod on the one node the volume's nodeAffinity selects; a
// pod's volumes must all be on its node. Every other claim a pod uses must be Bound too.
func checkVolumes(s placementSnapshot, w placementWant) []string {
	var problems []string
	users := map[types.NamespacedName][]*corev1.Pod{}
	for i := range s.pods {
		for _, c := range claimsOf(&s.pods[i]) {
			users[c] = append(users[c], &s.pods[i])
		}
	}
	volumeNodes := map[string]map[string][]string{} // pod -> node -> its volumes there
	for _, name := range slices.Sorted(maps.Keys(w.volumes)) {
		ref := w.volumes[name]
		pv := s.volume(name)
		if pv == nil {
			problems = append(problems, fmt.Sprintf("PersistentVolume %s, which rocketops generated, does not exist", name))
			continue
		}
		if pv.Status.Phase != corev1.VolumeBound {
			problems = append(problems, fmt.Sprintf("PersistentVolume %s is %s, not Bound%s", name, pv.Status.Phase, parenthesised(pv.Status.Message)))
		}
		cr := pv.Spec.ClaimRef
		if cr == nil || cr.Namespace != ref.Namespace || cr.Name != ref.Name {
			problems = append(problems, fmt.Sprintf("PersistentVolume %s has claimRef %s, but rocketops generated it for claim %s", name, claimRefString(cr), ref))
			continue
		}
		claim := s.claim(ref)
		if claim == nil {
			problems = append(problems, fmt.Sprintf("PersistentVolume %s: its claim %s does not exist", name, ref))
			continue
		}
		if cr.UID != claim.UID {
			problems = append(problems, fmt.Sprintf("PersistentVolume %s is bound to claim UID %q, not to claim %s (UID %q)", name, cr.UID, ref, claim.UID))
		}
		if claim.Status.Phase != corev1.ClaimBound {
			problems = append(problems, fmt.Sprintf("claim %s is %s, not Bound", ref, claim.Status.Phase))
		}
		if claim.Spec.VolumeName != name {
			problems = append(problems, fmt.Sprintf("claim %s is bound to volume %q, not to %s", ref, claim.Spec.VolumeName, name))
		}
		on, err := matchingNodes(pv, s.nodes)
		if err != nil {
			problems = append(problems, fmt.Sprintf("PersistentVolume %s: %v", name, err))
			continue
		}
		if len(on) != 1 {
			problems = append(problems, fmt.Sprintf("PersistentVolume %s: its nodeAffinity selects nodes %v, want exactly one for a local volume", name, on))
			continue
		}
		pods := users[ref]
		if len(pods) != 1 {
			var names []string
			for _, p := range pods {
				names = append(names, p.Name)
			}
			problems = append(problems, fmt.Sprintf("claim %s is used by %d pods %v, want exactly one", ref, len(pods), names))
		}
		for _, p := range pods {
			if p.Spec.NodeName != "" && p.Spec.NodeName != on[0] {
				problems = append(problems, fmt.Sprintf("pod %s runs on node %s, but its volume %s (claim %s) is on node %s by its nodeAffinity", p.Name, p.Spec.NodeName, name, ref.Name, on[0]))
			}
			if volumeNodes[p.Name] == nil {
				volumeNodes[p.Name] = map[string][]string{}
			}
			volumeNodes[p.Name][on[0]] = append(volumeNodes[p.Name][on[0]], name)
		}
	}
	for _, pod := range slices.Sorted(maps.Keys(volumeNodes)) {
		if on := volumeNodes[pod]; len(on) > 1 {
			var parts []string
			for _, n := range slices.Sorted(maps.Keys(on)) {
				parts = append(parts, fmt.Sprintf("%s on %s", strings.Join(on[n], ", "), n))
			}
			problems = append(problems, fmt.Sprintf("pod %s has its volumes on different nodes: %s", pod, strings.Join(parts, "; ")))
		}
	}
	generated := map[types.NamespacedName]bool{}
	for _, ref := range w.volumes {
		generated[ref] = true
	}
	for _, ref := range slices.SortedFunc(maps.Keys(users), func(a, b types.NamespacedName) int { return strings.Compare(a.String(), b.String()) }) {
		if generated[ref] {
			continue
		}
		switch claim := s.claim(ref); {
		case claim == nil:
			problems = append(problems, fmt.Sprintf("claim %s, which pod %s uses, does not exist", ref, users[ref][0].Name))
		case claim.Status.Phase != corev1.ClaimBound:
			problems = append(problems, fmt.Sprintf("claim %s, which pod %s uses, is %s, not Bound", ref, users[ref][0].Name, claim.Status.Phase))
		}
	}
	return problems
}

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func claimRefString(r *corev1.ObjectReference) string {
	if r == nil {
		return "none"
	}
	return r.Namespace + "/" + r.Name
}

// matchingNodes lists the nodes pv's required nodeAffinity selects, sorted.
func matchingNodes(pv *corev1.PersistentVolume, nodes []corev1.Node) ([]string, error) {
	if pv.Spec.NodeAffinity == nil || pv.Spec.NodeAffinity.Required == nil {
		return nil, fmt.Errorf("no required nodeAffinity: a local volume must name its node")
	}
	var out []string
	for i := range nodes {
		ok, err := selectorMatches(pv.Spec.NodeAffinity.Required, &nodes[i])
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, nodes[i].Name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// selectorMatches evaluates a required node selector as the scheduler does: the terms are ORed, the
// requirements of a term ANDed, and an empty term matches nothing.
func selectorMatches(sel *corev1.NodeSelector, node *corev1.Node) (bool, error) {
	for _, term := range sel.NodeSelectorTerms {
		if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
			continue
		}
		ok := true
		for _, r := range term.MatchExpressions {
			m, err := requirementMatches(r, node.Labels[r.Key], hasKey(node.Labels, r.Key))
			if err != nil {
				return false, err
			}
			ok = ok && m
		}
		for _, r := range term.MatchFields {
			if r.Key != "metadata.name" {
				return false, fmt.Errorf("matchFields key %s is not evaluated by this test", r.Key)
			}
			m, err := requirementMatches(r, node.Name, true)
			if err != nil {
				return false, err
			}
			ok = ok && m
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

func requirementMatches(r corev1.NodeSelectorRequirement, value string, has bool) (bool, error) {
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		return has && slices.Contains(r.Values, value), nil
	case corev1.NodeSelectorOpNotIn:
		return !has || !slices.Contains(r.Values, value), nil
	case corev1.NodeSelectorOpExists:
		return has, nil
	case corev1.NodeSelectorOpDoesNotExist:
		return !has, nil
	}
	return false, fmt.Errorf("nodeAffinity operator %s on %s is not evaluated by this test", r.Operator, r.Key)
}

// checkStorageClasses wants every StorageClass rocketops generated present, without a provisioner (the
// volumes are the generated ones) and binding on first consumer, so the scheduler places a pod before
// any claim of it is tied to a node.
func checkStorageClasses(s placementSnapshot, w placementWant) []string {
	var problems []string
	for _, name := range w.classes {
		sc := s.class(name)
		if sc == nil {
			problems = append(problems, fmt.Sprintf("StorageClass %s, which rocketops generated, does not exist", name))
			continue
		}
		mode := storagev1.VolumeBindingImmediate // the API's default
		if sc.VolumeBindingMode != nil {
			mode = *sc.VolumeBindingMode
		}
		if mode != storagev1.VolumeBindingWaitForFirstConsumer {
			problems = append(problems, fmt.Sprintf("StorageClass %s binds %s, want %s", name, mode, storagev1.VolumeBindingWaitForFirstConsumer))
		}
		if sc.Provisioner != noProvisioner {
			problems = append(problems, fmt.Sprintf("StorageClass %s has provisioner %s, want %s", name, sc.Provisioner, noProvisioner))
		}
	}
	return problems
}

// layout shows where each pod runs and what its claims are bound to.
func (s *placementSnapshot) layout(w placementWant) string {
	var b strings.Builder
	pods := slices.Clone(s.pods)
	slices.SortFunc(pods, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	for i := range pods {
		p := &pods[i]
		fmt.Fprintf(&b, "  %-17s %-14s %-7s %s", p.Name, p.Spec.NodeName, s.zoneOf(p), p.Status.Phase)
		for _, ref := range claimsOf(p) {
			vol, phase := "-", "missing"
			if c := s.claim(ref); c != nil {
				vol, phase = c.Spec.VolumeName, string(c.Status.Phase)
			}
			fmt.Fprintf(&b, "  %s -> %s (%s)", ref.Name, vol, phase)
		}
		b.WriteString("\n")
	}
	for _, name := range slices.Sorted(maps.Keys(w.volumes)) {
		if pv := s.volume(name); pv != nil {
			on, _ := matchingNodes(pv, s.nodes)
			fmt.Fprintf(&b, "  PV %-43s %-9s claim %s, node %v\n", name, pv.Status.Phase, claimRefString(pv.Spec.ClaimRef), on)
		}
	}
	return b.String()
}

// describeScheduling says why pods are where they are, or not placed: each pod's node and PodScheduled
// condition, the claims and volumes with their phases, and the namespace's warning events.
func describeScheduling(cs kubernetes.Interface, ns string, w placementWant) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b strings.Builder
	if pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err != nil {
		fmt.Fprintf(&b, "list pods: %v\n", err)
	} else {
		for _, p := range pods.Items {
			fmt.Fprintf(&b, "pod %s: node %q, %s", p.Name, p.Spec.NodeName, p.Status.Phase)
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Status != corev1.ConditionTrue {
					fmt.Fprintf(&b, ", unschedulable: %s: %s", c.Reason, c.Message)
				}
			}
			b.WriteString("\n")
		}
	}
	if claims, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{}); err != nil {
		fmt.Fprintf(&b, "list claims: %v\n", err)
	} else {
		for _, c := range claims.Items {
			fmt.Fprintf(&b, "claim %s: %s, volume %q, annotations %v\n", c.Name, c.Status.Phase, c.Spec.VolumeName, c.Annotations)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(w.volumes)) {
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			fmt.Fprintf(&b, "PV %s: %v\n", name, err)
			continue
		}
		fmt.Fprintf(&b, "PV %s: %s%s, claimRef %s uid %q\n", name, pv.Status.Phase, parenthesised(pv.Status.Message), claimRefString(pv.Spec.ClaimRef), claimRefUID(pv.Spec.ClaimRef))
	}
	if events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{}); err != nil {
		fmt.Fprintf(&b, "list events: %v\n", err)
	} else {
		for _, e := range events.Items {
			if e.Type == corev1.EventTypeWarning {
				fmt.Fprintf(&b, "event %s %s/%s: %s\n", e.Reason, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Message)
			}
		}
	}
	return b.String()
}

func claimRefUID(r *corev1.ObjectReference) types.UID {
	if r == nil {
		return ""
	}
	return r.UID
}

// TestPlacementCheckCanFail runs the checks of TestPlacementOnFakeNodes on the layout they should accept,
// built from golden/local-pv's manifests and the test's nodes, then on copies of it each broken in one way,
// each of which they must report. No cluster is needed.
func TestPlacementCheckCanFail(t *testing.T) {
	_, objs := compileLocalPV(t)
	want := placementWantOf(t, objs)
	good := idealPlacement(t, objs, want)
	require.Empty(t, checkPlacement(good, want), "the checks must accept the layout the scheduler should make:\n%s", good.layout(want))

	for _, tc := range []struct {
		name   string
		spoil  func(s *placementSnapshot)
		report string // a part of the problem the checks must report
	}{
		{"pod on an untainted node", func(s *placementSnapshot) {
			s.pod("disk-namesrv-2").Spec.NodeName = "general-3"
		}, "pod disk-namesrv-2 runs on untainted node general-3, which is not labelled dedicated=rocketmq nor tainted"},
		{"node labelled but not tainted", func(s *placementSnapshot) {
			s.node("stg-node-1").Spec.Taints = nil
		}, "pod disk-broker-a-0 runs on untainted node stg-node-1, which is not tainted dedicated=rocketmq:NoSchedule"},
		{"node tainted but not labelled", func(s *placementSnapshot) {
			delete(s.node("stg-namesrv-1").Labels, dedicatedKey)
		}, "runs on node stg-namesrv-1, which is not labelled dedicated=rocketmq"},
		{"pod not ready", func(s *placementSnapshot) {
			s.pod("disk-broker-b-1").Status.Phase = corev1.PodPending
		}, "pod disk-broker-b-1 on stg-node-4 is Pending, not Running and Ready"},
		{"pod not scheduled", func(s *placementSnapshot) {
			s.pod("disk-namesrv-0").Spec.NodeName = ""
		}, "pod disk-namesrv-0 is not scheduled"},
		{"group members share a zone", func(s *placementSnapshot) {
			s.node("stg-node-2").Labels[corev1.LabelTopologyZone] = "zone-a"
		}, "broker group broker-a: disk-broker-a-0 (node stg-node-1) and disk-broker-a-1 (node stg-node-2) share zone zone-a"},
		{"group members share a node", func(s *placementSnapshot) {
			s.pod("disk-broker-b-1").Spec.NodeName = "stg-node-3"
		}, "broker group broker-b: disk-broker-b-0 and disk-broker-b-1 share node stg-node-3"},
		{"group member missing", func(s *placementSnapshot) {
			s.pods = slices.DeleteFunc(s.pods, func(p corev1.Pod) bool { return p.Name == "disk-broker-a-1" })
		}, "broker group broker-a has 1 members, want 2"},
		{"node without a zone", func(s *placementSnapshot) {
			delete(s.node("stg-node-4").Labels, corev1.LabelTopologyZone)
		}, "pod disk-broker-b-1 runs on node stg-node-4, which has no topology.kubernetes.io/zone label"},
		{"name servers share a zone", func(s *placementSnapshot) {
			s.pod("disk-namesrv-2").Spec.NodeName = "stg-node-2"
		}, "name servers: disk-namesrv-1 (node stg-namesrv-2) and disk-namesrv-2 (node stg-node-2) share zone zone-b"},
		{"a name server missing", func(s *placementSnapshot) {
			s.pods = slices.DeleteFunc(s.pods, func(p corev1.Pod) bool { return p.Name == "disk-namesrv-1" })
		}, "name servers: 2 pods, want 3"},
		{"volume not bound", func(s *placementSnapshot) {
			s.volume("rocketmq-staging-store-disk-broker-a-0").Status.Phase = corev1.VolumeAvailable
		}, "PersistentVolume rocketmq-staging-store-disk-broker-a-0 is Available, not Bound"},
		{"volume missing", func(s *placementSnapshot) {
			s.volumes = slices.DeleteFunc(s.volumes, func(v corev1.PersistentVolume) bool { return v.Name == "rocketmq-staging-commitlog-disk-broker-b-0" })
		}, "PersistentVolume rocketmq-staging-commitlog-disk-broker-b-0, which rocketops generated, does not exist"},
		{"volume bound to an earlier claim of the same name", func(s *placementSnapshot) {
			s.volume("rocketmq-staging-store-disk-broker-b-1").Spec.ClaimRef.UID = "uid-of-a-deleted-claim"
		}, `PersistentVolume rocketmq-staging-store-disk-broker-b-1 is bound to claim UID "uid-of-a-deleted-claim", not to claim rocketmq-staging/store-disk-broker-b-1`},
		{"volume bound to another claim", func(s *placementSnapshot) {
			s.volume("rocketmq-staging-store-disk-broker-b-1").Spec.ClaimRef.Name = "store-disk-broker-b-0"
		}, "PersistentVolume rocketmq-staging-store-disk-broker-b-1 has claimRef rocketmq-staging/store-disk-broker-b-0, but rocketops generated it for claim rocketmq-staging/store-disk-broker-b-1"},
		{"claim bound to another volume", func(s *placementSnapshot) {
			s.claim(types.NamespacedName{Namespace: "rocketmq-staging", Name: "commitlog-disk-broker-a-1"}).Spec.VolumeName = "pvc-dynamic"
		}, `claim rocketmq-staging/commitlog-disk-broker-a-1 is bound to volume "pvc-dynamic", not to rocketmq-staging-commitlog-disk-broker-a-1`},
		{"claim pending", func(s *placementSnapshot) {
			s.claim(types.NamespacedName{Namespace: "rocketmq-staging", Name: "commitlog-disk-broker-a-1"}).Status.Phase = corev1.ClaimPending
		}, "claim rocketmq-staging/commitlog-disk-broker-a-1 is Pending, not Bound"},
		{"pod off its volume's node", func(s *placementSnapshot) {
			s.pod("disk-broker-a-0").Spec.NodeName = "stg-node-3"
		}, "pod disk-broker-a-0 runs on node stg-node-3, but its volume rocketmq-staging-store-disk-broker-a-0 (claim store-disk-broker-a-0) is on node stg-node-1"},
		{"store and commitlog on different nodes", func(s *placementSnapshot) {
			s.volume("rocketmq-staging-commitlog-disk-broker-b-0").Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values = []string{"stg-node-1"}
		}, "pod disk-broker-b-0 has its volumes on different nodes: rocketmq-staging-commitlog-disk-broker-b-0 on stg-node-1; rocketmq-staging-store-disk-broker-b-0 on stg-node-3"},
		{"volume on no node", func(s *placementSnapshot) {
			s.volume("rocketmq-staging-store-disk-broker-a-1").Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values = []string{"rmq-node-2"}
		}, "PersistentVolume rocketmq-staging-store-disk-broker-a-1: its nodeAffinity selects nodes [], want exactly one"},
		{"storage class binds at once", func(s *placementSnapshot) {
			mode := storagev1.VolumeBindingImmediate
			s.class("rocketmq-staging-disk-local").VolumeBindingMode = &mode
		}, "StorageClass rocketmq-staging-disk-local binds Immediate, want WaitForFirstConsumer"},
		{"storage class missing", func(s *placementSnapshot) {
			s.classes = slices.DeleteFunc(s.classes, func(c storagev1.StorageClass) bool { return c.Name == "rocketmq-staging-disk-local" })
		}, "StorageClass rocketmq-staging-disk-local, which rocketops generated, does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good.deepCopy()
			tc.spoil(&s)
			problems := checkPlacement(s, want)
			require.NotEmpty(t, problems, "the checks must report: %s", tc.report)
			found := slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.report) })
			require.True(t, found, "the checks must report %q; they reported:\n%s", tc.report, strings.Join(problems, "\n"))
		})
	}
}

// idealPlacement is the layout TestPlacementOnFakeNodes should find: placementNodes, a pod per StatefulSet
// replica with a claim per claim template (as the StatefulSet controller makes them), each broker on the
// node of its volumes, the name servers on stg-namesrv-1…3, every generated volume Bound to its claim.
func idealPlacement(t *testing.T, objs []*unstructured.Unstructured, w placementWant) placementSnapshot {
	t.Helper()
	var s placementSnapshot
	for _, n := range placementNodes() {
		labels := maps.Clone(n.Labels)
		labels[corev1.LabelTopologyZone] = n.Zone
		s.nodes = append(s.nodes, corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: labels},
			Spec:       corev1.NodeSpec{Taints: slices.Clone(n.Taints)},
		})
	}
	claimUID := func(ref types.NamespacedName) types.UID { return types.UID("uid-" + ref.Name) }
	for _, o := range objs {
		switch o.GetKind() {
		case "StorageClass":
			var sc storagev1.StorageClass
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &sc))
			s.classes = append(s.classes, sc)
		case "PersistentVolume":
			var pv corev1.PersistentVolume
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &pv))
			ref := w.volumes[pv.Name]
			pv.Spec.ClaimRef.UID = claimUID(ref)
			pv.Status.Phase = corev1.VolumeBound
			s.volumes = append(s.volumes, pv)
			s.claims = append(s.claims, corev1.PersistentVolumeClaim{
				ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name, UID: claimUID(ref)},
				Spec:       corev1.PersistentVolumeClaimSpec{VolumeName: pv.Name},
				Status:     corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound},
			})
		}
	}
	nameServer := 0
	for _, o := range objs {
		if o.GetKind() != "StatefulSet" {
			continue
		}
		tmpl, _, err := unstructured.NestedMap(o.Object, "spec", "template")
		require.NoError(t, err)
		replicas, _, err := unstructured.NestedInt64(o.Object, "spec", "replicas")
		require.NoError(t, err)
		templates, _, err := unstructured.NestedSlice(o.Object, "spec", "volumeClaimTemplates")
		require.NoError(t, err)
		for i := range int(replicas) {
			var pod corev1.Pod
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(tmpl, &pod))
			pod.Name, pod.Namespace = fmt.Sprintf("%s-%d", o.GetName(), i), o.GetNamespace()
			for _, ct := range templates {
				name, _, _ := unstructured.NestedString(ct.(map[string]any), "metadata", "name")
				pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: name + "-" + pod.Name}}})
			}
			if pod.Labels[componentLabel] == "namesrv" {
				nameServer++
				pod.Spec.NodeName = fmt.Sprintf("stg-namesrv-%d", nameServer)
			} else {
				pod.Spec.NodeName = nodeOfClaims(t, &s, &pod)
			}
			pod.Status.Phase = corev1.PodRunning
			pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
			s.pods = append(s.pods, pod)
		}
	}
	return s
}

// nodeOfClaims is the node the generated volume of pod's first claim names.
func nodeOfClaims(t *testing.T, s *placementSnapshot, pod *corev1.Pod) string {
	t.Helper()
	for _, ref := range claimsOf(pod) {
		c := s.claim(ref)
		if c == nil {
			continue
		}
		on, err := matchingNodes(s.volume(c.Spec.VolumeName), s.nodes)
		require.NoError(t, err)
		require.Len(t, on, 1, "volume %s", c.Spec.VolumeName)
		return on[0]
	}
	t.Fatalf("pod %s has no generated volume to place it by", pod.Name)
	return ""
}

// deepCopy copies s so that a test can break the copy.
func (s placementSnapshot) deepCopy() placementSnapshot {
	var out placementSnapshot
	for i := range s.nodes {
		out.nodes = append(out.nodes, *s.nodes[i].DeepCopy())
	}
	for i := range s.pods {
		out.pods = append(out.pods, *s.pods[i].DeepCopy())
	}
	for i := range s.claims {
		out.claims = append(out.claims, *s.claims[i].DeepCopy())
	}
	for i := range s.volumes {
		out.volumes = append(out.volumes, *s.volumes[i].DeepCopy())
	}
	for i := range s.classes {
		out.classes = append(out.classes, *s.classes[i].DeepCopy())
	}
	return out
}
