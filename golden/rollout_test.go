package golden_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

const (
	groupLabel  = "rocketops.dev/broker-group"
	memberLabel = "rocketops.dev/broker-member" // master, slave-1, … where each member has its own StatefulSet
	rolloutWait = 2 * time.Minute
)

// TestRolloutKeepsBrokerGroupsUp changes a setting every broker shares on a running cluster of fake nodes
// and watches the rollout: a broker group must never have more than one member down at a time, and its
// slaves must be replaced before its master, so the group always has a broker to write to and the master
// is restarted once, last, rather than failing over to a slave that is itself about to restart.
func TestRolloutKeepsBrokerGroupsUp(t *testing.T) {
	c := kubetest.StartCluster(t)
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src := rolloutSpec(t)
	ns, objs := compileManifests(t, src)
	client, err := kube.NewClient(c.Config)
	require.NoError(t, err)
	require.NoError(t, client.EnsureNamespace(ctx, ns))
	c.AddNodes(t, rolloutNodes()...)
	apply(ctx, t, c, objs)
	c.WaitRolledOut(t, ns, rolloutWait)
	before := brokerRevisions(ctx, t, c, ns)
	require.NotEmpty(t, before, "no broker StatefulSets")

	w := c.WatchPods(t, ns)
	start := time.Now()
	_, changed := compileManifests(t, setYAML(t, src, "48", "spec", "brokers", "config", "fileReservedTime"))
	apply(ctx, t, c, changed)
	c.WaitRolledOut(t, ns, rolloutWait)
	after := brokerRevisions(ctx, t, c, ns)
	for name, rev := range before {
		require.NotEqual(t, rev, after[name], "StatefulSet %s: the setting change must roll its pods", name)
	}
	w.Sync(t)
	events := w.Events()

	members, err := brokerMembers(events)
	require.NoError(t, err)
	if problems := checkRollout(events, members, start); len(problems) > 0 {
		t.Errorf("broker groups during the rollout of fileReservedTime 72 -> 48:\n%s\n\npod transitions:\n%s",
			strings.Join(problems, "\n"), brokerTimeline(events, members, start))
	}
}

// rolloutSpec is the bare-metal-sync case with its storage swapped for emptyDir: claims would need
// volumes, which fake nodes have none of, and storage plays no part in the order of a rollout.
func rolloutSpec(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("bare-metal-sync", "cluster.yaml"))
	require.NoError(t, err)
	src = setYAML(t, src, "{mode: emptyDir}", "spec", "brokers", "storage")
	if hasYAML(t, src, "spec", "nameServer", "storage") {
		src = setYAML(t, src, "{mode: emptyDir}", "spec", "nameServer", "storage")
	}
	return src
}

// compileManifests compiles src to the manifests target and returns the namespace and objects of its
// only environment.
func compileManifests(t *testing.T, src []byte) (string, []*unstructured.Unstructured) {
	t.Helper()
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"manifests"}})
	require.NoError(t, err)
	require.Len(t, out.Plans, 1, "the spec must have one environment")
	for env, p := range out.Plans {
		manifest, ok := out.Tree["rendered/"+env+"/manifest.yaml"]
		require.True(t, ok, "no rendered manifest for %s", env)
		objs, err := kube.DecodeYAML(manifest)
		require.NoError(t, err)
		return p.Namespace, objs
	}
	return "", nil
}

// rolloutNodes are the nodes the spec's placement asks for: four dedicated to RocketMQ, labelled and
// tainted, so each member of a group gets a node of its own, and two plain ones for the rest.
func rolloutNodes() []kubetest.Node {
	dedicated := corev1.Taint{Key: "dedicated", Value: "rocketmq", Effect: corev1.TaintEffectNoSchedule}
	zones := []string{"zone-a", "zone-b"}
	var nodes []kubetest.Node
	for i := range 4 {
		nodes = append(nodes, kubetest.Node{
			Name:   fmt.Sprintf("rocketmq-%d", i),
			Zone:   zones[i%2],
			Labels: map[string]string{"node-role.example.com/rocketmq": "true"},
			Taints: []corev1.Taint{dedicated},
		})
	}
	for i := range 2 {
		nodes = append(nodes, kubetest.Node{Name: fmt.Sprintf("general-%d", i), Zone: zones[i]})
	}
	return nodes
}

// apply server-side applies objs in order, as rocketops' field manager.
func apply(ctx context.Context, t *testing.T, c *kubetest.Cluster, objs []*unstructured.Unstructured) {
	t.Helper()
	client, err := kube.NewClient(c.Config)
	require.NoError(t, err)
	for _, err := range client.Apply(ctx, objs) {
		t.Error(err)
	}
	require.False(t, t.Failed(), "every object applies")
}

// brokerRevisions maps each broker StatefulSet to its update revision.
func brokerRevisions(ctx context.Context, t *testing.T, c *kubetest.Cluster, ns string) map[string]string {
	t.Helper()
	sets, err := c.Clientset.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/component=broker"})
	require.NoError(t, err)
	revs := map[string]string{}
	for _, s := range sets.Items {
		revs[s.Name] = s.Status.UpdateRevision
	}
	return revs
}

// member is one broker of a group. Its pod keeps its name when it is replaced, so the name identifies it.
type member struct {
	group string
	id    int // brokerId: 0 is the master
}

// brokerMembers finds the group and brokerId of every broker pod in events. When one StatefulSet holds a
// whole group, the brokerId is the pod's ordinal; when each member has a StatefulSet of its own, every
// ordinal is 0 and the member label tells master from slave-N.
func brokerMembers(events []kubetest.PodEvent) (map[string]member, error) {
	labels := map[string]map[string]string{}
	owners := map[string]map[string]bool{} // by group
	for _, e := range events {
		g, ok := e.Labels[groupLabel]
		if !ok {
			continue
		}
		labels[e.Name] = e.Labels
		if owners[g] == nil {
			owners[g] = map[string]bool{}
		}
		owners[g][e.Owner] = true
	}
	out := map[string]member{}
	for name, l := range labels {
		g := l[groupLabel]
		id, err := brokerID(name, l, len(owners[g]) == 1)
		if err != nil {
			return nil, err
		}
		out[name] = member{group: g, id: id}
	}
	return out, nil
}

// brokerID reads a broker pod's brokerId: its StatefulSet ordinal when one StatefulSet holds the group
// (the pod-index label, or the name's suffix on servers without it), else its member label.
func brokerID(pod string, labels map[string]string, oneSetPerGroup bool) (int, error) {
	if oneSetPerGroup {
		ordinal, ok := labels["apps.kubernetes.io/pod-index"]
		if !ok {
			ordinal = pod[strings.LastIndex(pod, "-")+1:]
		}
		id, err := strconv.Atoi(ordinal)
		if err != nil {
			return 0, fmt.Errorf("pod %s: no ordinal: %w", pod, err)
		}
		return id, nil
	}
	switch m := labels[memberLabel]; {
	case m == "master":
		return 0, nil
	case strings.HasPrefix(m, "slave-"):
		id, err := strconv.Atoi(strings.TrimPrefix(m, "slave-"))
		if err != nil {
			return 0, fmt.Errorf("pod %s: %s=%q: %w", pod, memberLabel, m, err)
		}
		return id, nil
	default:
		return 0, fmt.Errorf("pod %s: cannot tell its brokerId: its group spans several StatefulSets and %s is %q", pod, memberLabel, m)
	}
}

// checkRollout replays events and returns what went wrong, per group: the first moment more than one
// member was unavailable (a member is unavailable from when its pod is deleted or turns not Ready until a
// pod of its name is Ready again), members replaced out of descending brokerId order, and members never
// replaced at all.
func checkRollout(events []kubetest.PodEvent, members map[string]member, start time.Time) []string {
	down := map[string]bool{}
	order := map[string][]string{} // by group: pods in the order they first went down after start
	reported := map[string]bool{}
	var problems []string
	for _, e := range events {
		m, ok := members[e.Name]
		if !ok {
			continue
		}
		down[e.Name] = !e.Available()
		if down[e.Name] && !slices.Contains(order[m.group], e.Name) {
			order[m.group] = append(order[m.group], e.Name)
		}
		if unavailable := downIn(m.group, members, down); len(unavailable) > 1 && !reported[m.group] {
			reported[m.group] = true
			problems = append(problems, fmt.Sprintf("%+.3fs: %s has %d members down at once: %s",
				e.Time.Sub(start).Seconds(), m.group, len(unavailable), strings.Join(unavailable, ", ")))
		}
	}
	for _, g := range groupNames(members) {
		var got []int
		for _, pod := range order[g] {
			got = append(got, members[pod].id)
		}
		var want []int
		for _, m := range members {
			if m.group == g {
				want = append(want, m.id)
			}
		}
		slices.Sort(want)
		slices.Reverse(want)
		if !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("%s: members went down in brokerId order %v, want %v (slaves first, the master last)", g, got, want))
		}
	}
	return problems
}

// downIn lists the unavailable members of group, as "pod (brokerId N)", sorted.
func downIn(group string, members map[string]member, down map[string]bool) []string {
	var out []string
	for pod, m := range members {
		if m.group == group && down[pod] {
			out = append(out, fmt.Sprintf("%s (brokerId %d)", pod, m.id))
		}
	}
	slices.Sort(out)
	return out
}

func groupNames(members map[string]member) []string {
	var gs []string
	for _, m := range members {
		if !slices.Contains(gs, m.group) {
			gs = append(gs, m.group)
		}
	}
	slices.Sort(gs)
	return gs
}

// brokerTimeline shows the broker pods' transitions, each with its group, brokerId and how many members of the
// group are down after it.
func brokerTimeline(events []kubetest.PodEvent, members map[string]member, start time.Time) string {
	var brokers []kubetest.PodEvent
	for _, e := range events {
		if _, ok := members[e.Name]; ok {
			brokers = append(brokers, e)
		}
	}
	down := map[string]bool{}
	// kubetest.Timeline calls note for every line in order, and a pod's availability changes only with its
	// state, so down stays current.
	return kubetest.Timeline(brokers, start, func(e kubetest.PodEvent) string {
		m := members[e.Name]
		down[e.Name] = !e.Available()
		return fmt.Sprintf("%s brokerId %d, %d of the group down", m.group, m.id, len(downIn(m.group, members, down)))
	})
}

// setYAML returns src with the node at path replaced by value, a YAML snippet, or fails t when path is
// missing. Comments and key order stay; the layout may change.
func setYAML(t *testing.T, src []byte, value string, path ...string) []byte {
	t.Helper()
	var doc, repl yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &doc))
	require.NoError(t, yaml.Unmarshal([]byte(value), &repl))
	n := lookupYAML(&doc, path)
	require.NotNil(t, n, "%s not in the spec", strings.Join(path, "."))
	*n = *repl.Content[0]
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	require.NoError(t, enc.Encode(&doc))
	return b.Bytes()
}

func hasYAML(t *testing.T, src []byte, path ...string) bool {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &doc))
	return lookupYAML(&doc, path) != nil
}

// lookupYAML follows mapping keys from the document node, returning nil if one is missing.
func lookupYAML(doc *yaml.Node, path []string) *yaml.Node {
	n := doc.Content[0]
	for _, key := range path {
		var next *yaml.Node
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}
