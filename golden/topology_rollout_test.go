package golden_test

import (
	"bytes"
	"cmp"
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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// quorum is a StatefulSet whose pods must stay up together during a rollout: a broker group, the
// controllers, or the name servers that embed them. Its members are the pods <workload>-0 … -(size-1).
type quorum struct {
	workload string // the StatefulSet
	what     string // what its pods are, for messages: "DLedger group raft-a"
	size     int    // its replicas
	// majority: the members elect a leader by raft, so more than half of them must be ready at every
	// moment, besides no more than one being down.
	majority bool
}

func (q quorum) String() string { return fmt.Sprintf("%s (StatefulSet %s)", q.what, q.workload) }

// member returns the ordinal of pod in q, or false if pod is none of its members.
func (q quorum) member(pod string) (int, bool) {
	rest, ok := strings.CutPrefix(pod, q.workload+"-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n >= q.size || strconv.Itoa(n) != rest {
		return 0, false
	}
	return n, true
}

// quorumCase is one topology: a golden spec made to run on fake nodes, the change that rolls all of it,
// and the StatefulSets that must keep their quorum while it does.
type quorumCase struct {
	name   string // the subtest, and the namespace quorum-<name>
	golden string // the golden case whose cluster.yaml is run
	// prepare makes the spec run on fake nodes (no volumes) and sets the values change changes.
	prepare func(t *testing.T, src []byte) []byte
	change  func(t *testing.T, src []byte) []byte
	changed string // what change changes, for messages
	sets    []quorum
}

// TestRolloutKeepsQuorum runs each broker topology that elects by raft on a control plane with fake
// nodes, changes settings that restart every pod of it, and watches the rollout: from the moment all
// members of a StatefulSet are first ready, no more than one of them may be down at a time, and where the
// members (or the controllers) elect a leader by raft, a majority must be ready at every moment. DLedger
// groups elect among their members; controller-mode groups only need one member down at a time, since the
// controllers elect their masters, and the controllers, standalone or inside the name servers, need a
// majority of themselves. The topologies run one after the other on one cluster, each in its own namespace.
func TestRolloutKeepsQuorum(t *testing.T) {
	c := kubetest.StartCluster(t)
	if c == nil {
		return
	}
	c.AddNodes(t, quorumNodes()...)
	for _, tc := range quorumCases() {
		t.Run(tc.name, func(t *testing.T) { rollQuorum(t, c, tc) })
	}
}

func quorumCases() []quorumCase {
	brokerConfig := func(v string) func(t *testing.T, src []byte) []byte {
		return func(t *testing.T, src []byte) []byte {
			return putYAML(t, src, v, "spec", "brokers", "config", "fileReservedTime")
		}
	}
	unclean := func(v string) func(t *testing.T, src []byte) []byte {
		return func(t *testing.T, src []byte) []byte {
			return putYAML(t, src, v, "spec", "controller", "config", "enableElectUncleanMaster")
		}
	}
	both := func(fs ...func(t *testing.T, src []byte) []byte) func(t *testing.T, src []byte) []byte {
		return func(t *testing.T, src []byte) []byte {
			for _, f := range fs {
				src = f(t, src)
			}
			return src
		}
	}
	// Fake nodes have no volumes: brokers keep their store in an emptyDir, and controllers, which the
	// validator does not allow an emptyDir (their raft log would not survive a restart), on a hostPath,
	// which needs no PersistentVolume. Storage plays no part in the order of a rollout.
	brokersEmptyDir := func(t *testing.T, src []byte) []byte {
		return putYAML(t, src, "{mode: emptyDir}", "spec", "brokers", "storage")
	}
	hostPath := func(path ...string) func(t *testing.T, src []byte) []byte {
		return func(t *testing.T, src []byte) []byte {
			return putYAML(t, src, "{mode: hostPath, path: /data/rocketmq}", path...)
		}
	}
	return []quorumCase{
		{
			name:    "dledger",
			golden:  "dledger",
			prepare: both(brokersEmptyDir, brokerConfig("72")),
			change:  brokerConfig("48"),
			changed: "brokers.config.fileReservedTime 72 -> 48",
			sets: []quorum{
				{workload: "raft-raft-a", what: "DLedger group raft-a", size: 3, majority: true},
				{workload: "raft-raft-b", what: "DLedger group raft-b", size: 5, majority: true},
			},
		},
		{
			name:    "controller",
			golden:  "controller",
			prepare: both(brokersEmptyDir, hostPath("spec", "controller", "storage"), brokerConfig("72"), unclean("false")),
			change:  both(brokerConfig("48"), unclean("true")),
			changed: "brokers.config.fileReservedTime 72 -> 48 and controller.config.enableElectUncleanMaster false -> true",
			sets: []quorum{
				{workload: "ctl-controller", what: "controllers", size: 3, majority: true},
				{workload: "ctl-broker-0", what: "controller-mode group broker-0", size: 3},
				{workload: "ctl-broker-1", what: "controller-mode group broker-1", size: 3},
			},
		},
		{
			name:    "controller-embedded",
			golden:  "controller-embedded",
			prepare: both(brokersEmptyDir, hostPath("spec", "nameServer", "storage"), brokerConfig("72"), unclean("false")),
			change:  both(brokerConfig("48"), unclean("true")),
			changed: "brokers.config.fileReservedTime 72 -> 48 and controller.config.enableElectUncleanMaster (embedded in the name servers) false -> true",
			sets: []quorum{
				{workload: "emb-namesrv", what: "name servers with embedded controllers", size: 3, majority: true},
				{workload: "emb-broker-0", what: "controller-mode group broker-0", size: 2},
			},
		},
	}
}

// quorumNodes are plain nodes, as many as the largest group has members: every topology asks for a node
// per member of a group (required anti-affinity), and none of the golden specs has a placement.
func quorumNodes() []kubetest.Node {
	zones := []string{"zone-a", "zone-b", "zone-c"}
	var nodes []kubetest.Node
	for i := range 5 {
		nodes = append(nodes, kubetest.Node{Name: fmt.Sprintf("quorum-%d", i), Zone: zones[i%len(zones)]})
	}
	return nodes
}

// rollQuorum applies tc's spec in a namespace of its own, waits until it is rolled out, applies the change
// and checks the pods' transitions of the rollout it causes.
func rollQuorum(t *testing.T, c *kubetest.Cluster, tc quorumCase) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src, err := os.ReadFile(filepath.Join(tc.golden, "cluster.yaml"))
	require.NoError(t, err)
	src = putYAML(t, src, "quorum-"+tc.name, "metadata", "namespace")
	src = tc.prepare(t, src)
	ns, objs := compileManifests(t, src)
	require.Equal(t, "quorum-"+tc.name, ns)
	client, err := kube.NewClient(c.Config)
	require.NoError(t, err)
	require.NoError(t, client.EnsureNamespace(ctx, ns))
	apply(ctx, t, c, objs)
	c.WaitRolledOut(t, ns, rolloutWait)
	before := quorumRevisions(ctx, t, c, ns, tc.sets)

	w := c.WatchPods(t, ns)
	start := time.Now()
	_, changed := compileManifests(t, tc.change(t, src))
	apply(ctx, t, c, changed)
	c.WaitRolledOut(t, ns, rolloutWait)
	took := time.Since(start)
	after := quorumRevisions(ctx, t, c, ns, tc.sets)
	for _, q := range tc.sets {
		require.NotEqual(t, before[q.workload], after[q.workload], "%s: changing %s must roll its pods", q, tc.changed)
	}
	w.Sync(t)
	events := w.Events()
	t.Logf("%s rolled out in %s", tc.changed, took.Round(time.Millisecond))
	if problems := checkQuorum(events, tc.sets, start); len(problems) > 0 {
		t.Errorf("during the rollout of %s:\n%s\n\npod transitions:\n%s",
			tc.changed, strings.Join(problems, "\n"), quorumTimeline(events, tc.sets, start))
	}
}

// quorumRevisions maps each of sets' StatefulSets to its update revision, and fails t if one is missing or
// has another size than sets say.
func quorumRevisions(ctx context.Context, t *testing.T, c *kubetest.Cluster, ns string, sets []quorum) map[string]string {
	t.Helper()
	revs := map[string]string{}
	for _, q := range sets {
		s, err := c.Clientset.AppsV1().StatefulSets(ns).Get(ctx, q.workload, metav1.GetOptions{})
		require.NoError(t, err, "%s", q)
		require.NotNil(t, s.Spec.Replicas, "%s", q)
		require.Equal(t, q.size, int(*s.Spec.Replicas), "%s: replicas", q)
		revs[q.workload] = s.Status.UpdateRevision
	}
	return revs
}

// quorumState is one StatefulSet's members as the events so far leave them.
type quorumState struct {
	q      quorum
	last   map[string]kubetest.PodEvent // by pod name: the latest event of its current pod
	armed  bool                         // all members have been ready at once
	first  map[string]types.UID         // by pod name: its pod when the members were first all ready
	broken bool                         // the rules are broken now
}

func newQuorumState(q quorum) *quorumState {
	return &quorumState{q: q, last: map[string]kubetest.PodEvent{}, first: map[string]types.UID{}}
}

// see records e, a member's event. A Deleted event of a pod that has already been replaced under its name
// is older news and changes nothing.
func (s *quorumState) see(e kubetest.PodEvent) {
	if prev, ok := s.last[e.Name]; ok && e.Type == watch.Deleted && prev.UID != e.UID {
		return
	}
	s.last[e.Name] = e
}

// down lists the members not available now, each as "pod (state)", in ordinal order; a member without
// a pod is "gone".
func (s *quorumState) down() []string {
	var out []string
	for i := range s.q.size {
		pod := fmt.Sprintf("%s-%d", s.q.workload, i)
		e, ok := s.last[pod]
		switch {
		case !ok:
			out = append(out, pod+" (gone)")
		case !e.Available():
			out = append(out, pod+" ("+e.State()+")")
		}
	}
	return out
}

// checkQuorum replays events and returns what went wrong for each of sets: every moment from which, after
// the set's members were first all ready, more than one member was down, or, for a set that elects by
// raft, fewer than a majority were ready; a set whose members were never all ready, so nothing could be
// checked; and members whose pod was never replaced, so the rollout did not reach them. A member is down
// from when its pod is deleted or turns not Ready until a pod of its name is Ready again.
func checkQuorum(events []kubetest.PodEvent, sets []quorum, start time.Time) []string {
	states := make([]*quorumState, len(sets))
	for i, q := range sets {
		states[i] = newQuorumState(q)
	}
	var problems []string
	for _, e := range events {
		for _, s := range states {
			if _, ok := s.q.member(e.Name); !ok {
				continue
			}
			s.see(e)
			down := s.down()
			if !s.armed {
				if len(down) == 0 {
					s.armed = true
					for pod, last := range s.last {
						s.first[pod] = last.UID
					}
				}
				continue
			}
			ready, need := s.q.size-len(down), s.q.size/2+1
			var broken []string
			if len(down) > 1 {
				broken = append(broken, fmt.Sprintf("%d of %d members down at once", len(down), s.q.size))
			}
			if s.q.majority && ready < need {
				broken = append(broken, fmt.Sprintf("%d of %d ready, short of the majority of %d raft needs", ready, s.q.size, need))
			}
			if len(broken) > 0 && !s.broken {
				problems = append(problems, fmt.Sprintf("%+.3fs: %s: %s: %s",
					e.Time.Sub(start).Seconds(), s.q, strings.Join(broken, "; "), strings.Join(down, ", ")))
			}
			s.broken = len(broken) > 0
		}
	}
	for _, s := range states {
		if !s.armed {
			problems = append(problems, fmt.Sprintf("%s: its %d members were never all ready at once: nothing to check", s.q, s.q.size))
			continue
		}
		var kept []string
		for pod, uid := range s.first {
			if s.last[pod].UID == uid {
				kept = append(kept, pod)
			}
		}
		slices.Sort(kept)
		if len(kept) > 0 {
			problems = append(problems, fmt.Sprintf("%s: never replaced: %s", s.q, strings.Join(kept, ", ")))
		}
	}
	return problems
}

// quorumTimeline shows the transitions of sets' pods, each with how many members of its set are down
// after it, in the manner of brokerTimeline.
func quorumTimeline(events []kubetest.PodEvent, sets []quorum, start time.Time) string {
	of := map[string]*quorumState{} // by pod name
	var mine []kubetest.PodEvent
	for _, q := range sets {
		s := newQuorumState(q)
		for _, e := range events {
			if _, ok := q.member(e.Name); ok {
				of[e.Name] = s
			}
		}
	}
	for _, e := range events {
		if of[e.Name] != nil {
			mine = append(mine, e)
		}
	}
	// Timeline calls note for every line in order, and a member's availability changes only with its
	// state, so each set's state stays current.
	return kubetest.Timeline(mine, start, func(e kubetest.PodEvent) string {
		s := of[e.Name]
		s.see(e)
		return fmt.Sprintf("%s, %d of %d down", s.q.what, len(s.down()), s.q.size)
	})
}

// putYAML returns src with the node at path set to value, a YAML snippet, adding the mapping keys of path
// that are missing. Comments and key order stay; the layout may change.
func putYAML(t *testing.T, src []byte, value string, path ...string) []byte {
	t.Helper()
	var doc, repl yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &doc))
	require.NoError(t, yaml.Unmarshal([]byte(value), &repl))
	n := doc.Content[0]
	for _, key := range path {
		require.Equal(t, yaml.MappingNode, n.Kind, "%s: not a mapping above %s", strings.Join(path, "."), key)
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, next)
		}
		n = next
	}
	*n = *repl.Content[0]
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	require.NoError(t, enc.Encode(&doc))
	return b.Bytes()
}

// TestQuorumCheckCanFail feeds checkQuorum made-up rollouts of a DLedger group of three: one a member at a
// time, which it must pass, and one in which a second member goes down while the first is still starting,
// which leaves the group without a majority and must be reported with the time and the pods down.
func TestQuorumCheckCanFail(t *testing.T) {
	q := quorum{workload: "raft-raft-a", what: "DLedger group raft-a", size: 3, majority: true}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		at    float64 // seconds after start
		pod   int
		state string // ready, terminating, gone, pending
	}
	replay := func(steps []step) []kubetest.PodEvent {
		gen := map[int]int{}
		// Steps are given member by member; the events come in time order.
		steps = slices.Clone(steps)
		slices.SortStableFunc(steps, func(a, b step) int { return cmp.Compare(a.at, b.at) })
		var events []kubetest.PodEvent
		for _, st := range steps {
			name := fmt.Sprintf("%s-%d", q.workload, st.pod)
			if st.state == "pending" {
				gen[st.pod]++ // a new pod under the name
			}
			e := kubetest.PodEvent{
				Time: start.Add(time.Duration(st.at * float64(time.Second))), Type: watch.Modified,
				Name: name, UID: types.UID(fmt.Sprintf("%s-gen%d", name, gen[st.pod])), Owner: q.workload,
				Node: fmt.Sprintf("node-%d", st.pod), Phase: "Running",
			}
			switch st.state {
			case "ready":
				e.Ready = true
			case "terminating":
				e.Ready, e.DeletionTimestamp = true, e.Time
			case "gone":
				e.Type = watch.Deleted
			case "pending":
				e.Type, e.Phase = watch.Added, "Pending"
			}
			events = append(events, e)
		}
		return events
	}
	initial := []step{{0, 0, "ready"}, {0, 1, "ready"}, {0, 2, "ready"}}
	roll := func(at float64, pod int) []step {
		return []step{{at, pod, "terminating"}, {at + 0.1, pod, "gone"}, {at + 0.2, pod, "pending"}, {at + 0.8, pod, "ready"}}
	}

	t.Run("one at a time passes", func(t *testing.T) {
		steps := slices.Concat(initial, roll(1, 2), roll(2, 1), roll(3, 0))
		require.Empty(t, checkQuorum(replay(steps), []quorum{q}, start))
	})

	t.Run("two of three down fails", func(t *testing.T) {
		// raft-raft-a-1 is deleted at +1.500s while raft-raft-a-2's new pod is not ready yet (until +1.800s).
		steps := slices.Concat(initial, roll(1, 2), roll(1.5, 1), roll(3, 0))
		events := replay(steps)
		problems := checkQuorum(events, []quorum{q}, start)
		require.Len(t, problems, 1, "the group is broken once, from +1.500s to +1.800s:\n%s", strings.Join(problems, "\n"))
		want := "+1.500s: DLedger group raft-a (StatefulSet raft-raft-a): 2 of 3 members down at once; " +
			"1 of 3 ready, short of the majority of 2 raft needs: raft-raft-a-1 (terminating), raft-raft-a-2 (pending)"
		require.Equal(t, want, problems[0])
		timeline := quorumTimeline(events, []quorum{q}, start)
		require.Contains(t, timeline, "raft-raft-a-1  ready       -> terminating  (node-1)  DLedger group raft-a, 2 of 3 down")
	})

	t.Run("five-member group keeps its majority but not one down at a time", func(t *testing.T) {
		q5 := quorum{workload: "raft-raft-b", what: "DLedger group raft-b", size: 5, majority: true}
		pod := func(i int, ready, deleting bool) kubetest.PodEvent {
			e := kubetest.PodEvent{Time: start, Type: watch.Modified, Name: fmt.Sprintf("raft-raft-b-%d", i), UID: types.UID(strconv.Itoa(i)),
				Node: fmt.Sprintf("node-%d", i), Phase: "Running", Ready: ready}
			if deleting {
				e.DeletionTimestamp = start
			}
			return e
		}
		events := []kubetest.PodEvent{pod(0, true, false), pod(1, true, false), pod(2, true, false), pod(3, true, false), pod(4, true, false),
			pod(4, true, true), pod(3, false, false)}
		problems := checkQuorum(events, []quorum{q5}, start)
		require.NotEmpty(t, problems)
		require.Contains(t, problems[0], "2 of 5 members down at once: raft-raft-b-3 (running), raft-raft-b-4 (terminating)")
		require.NotContains(t, problems[0], "majority")
	})

	t.Run("never all ready or never replaced fails", func(t *testing.T) {
		problems := checkQuorum(replay(initial[:2]), []quorum{q}, start)
		require.Equal(t, []string{"DLedger group raft-a (StatefulSet raft-raft-a): its 3 members were never all ready at once: nothing to check"}, problems)
		problems = checkQuorum(replay(slices.Concat(initial, roll(1, 2))), []quorum{q}, start)
		require.Equal(t, []string{"DLedger group raft-a (StatefulSet raft-raft-a): never replaced: raft-raft-a-0, raft-raft-a-1"}, problems)
	})
}
