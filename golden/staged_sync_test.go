package golden_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/plan"
)

// stagedSyncEnv is the environment of the gitops case the staged sync runs: two broker groups on
// local volumes of two named nodes.
const stagedSyncEnv = "staging"

// TestStagedSyncRollsOneGroupAtATime syncs the gitops case on a control plane with fake nodes the way
// Argo CD goes through sync waves (and Flux through Kustomizations chained by dependsOn with wait):
// the objects of one wave are applied, then the next only once every workload is rolled out. Each
// stage must become healthy with its own objects and those of the stages before it — a group whose
// volumes sat in a later stage would never get ready — and a change every group shares (a broker
// setting) must then restart one group at a time. Applying the same change without waves restarts the
// groups together, which shows the check can fail.
func TestStagedSyncRollsOneGroupAtATime(t *testing.T) {
	c := kubetest.StartCluster(t)
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	src, err := os.ReadFile(filepath.Join("gitops", "cluster.yaml"))
	require.NoError(t, err)
	ns, waves := stagedObjects(t, src)
	require.Greater(t, len(waves), 3, "a cluster stage, two groups and the access stage")
	client, err := kube.NewClient(c.Config)
	require.NoError(t, err)
	require.NoError(t, client.EnsureNamespace(ctx, ns))
	c.AddNodes(t, kubetest.Node{Name: "node-a", Zone: "zone-a"}, kubetest.Node{Name: "node-b", Zone: "zone-b"},
		kubetest.Node{Name: "general-0", Zone: "zone-a"}, kubetest.Node{Name: "general-1", Zone: "zone-b"})

	// The first sync: every stage becomes healthy in turn.
	syncInWaves(ctx, t, c, ns, waves)

	changed := putYAML(t, src, "48", "spec", "brokers", "config", "fileReservedTime")
	_, changedWaves := stagedObjects(t, changed)
	w := c.WatchPods(t, ns)
	start := time.Now()
	syncInWaves(ctx, t, c, ns, changedWaves)
	w.Sync(t)
	spans := groupSpans(w.Events(), start)
	require.Len(t, spans, 2, "both groups restart for a setting they share")
	if overlaps := overlapping(spans); len(overlaps) > 0 {
		t.Errorf("groups restarted together in a staged sync: %s", strings.Join(overlaps, "; "))
	}

	// The same kind of change applied at once, as a sync without waves would: the groups overlap.
	again := putYAML(t, src, "24", "spec", "brokers", "config", "fileReservedTime")
	_, allWaves := stagedObjects(t, again)
	w2 := c.WatchPods(t, ns)
	start = time.Now()
	var all []*unstructured.Unstructured
	for _, wave := range sortedWaves(allWaves) {
		all = append(all, allWaves[wave]...)
	}
	apply(ctx, t, c, all)
	c.WaitRolledOut(t, ns, rolloutWait)
	w2.Sync(t)
	assert.NotEmpty(t, overlapping(groupSpans(w2.Events(), start)), "without waves the groups roll together; the check cannot tell otherwise")
}

// stagedObjects compiles the gitops case with Argo CD sync waves and returns the staging
// environment's namespace and objects by wave.
func stagedObjects(t *testing.T, src []byte) (string, map[int][]*unstructured.Unstructured) {
	t.Helper()
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"manifests"}, Environments: []string{stagedSyncEnv}})
	require.NoError(t, err)
	objs, err := kube.DecodeYAML(out.Tree["rendered/"+stagedSyncEnv+"/manifest.yaml"])
	require.NoError(t, err)
	waves := map[int][]*unstructured.Unstructured{}
	for _, o := range objs {
		w, err := strconv.Atoi(o.GetAnnotations()[plan.AnnotationSyncWave])
		require.NoError(t, err, "%s %s has no sync wave", o.GetKind(), o.GetName())
		waves[w] = append(waves[w], o)
	}
	return out.Plans[stagedSyncEnv].Namespace, waves
}

func sortedWaves(waves map[int][]*unstructured.Unstructured) []int {
	var out []int
	for w := range waves {
		out = append(out, w)
	}
	sort.Ints(out)
	return out
}

// syncInWaves applies each wave and waits until every workload is rolled out before the next, as
// Argo CD waits for a wave to be healthy.
func syncInWaves(ctx context.Context, t *testing.T, c *kubetest.Cluster, ns string, waves map[int][]*unstructured.Unstructured) {
	t.Helper()
	for _, wave := range sortedWaves(waves) {
		apply(ctx, t, c, waves[wave])
		c.WaitRolledOut(t, ns, rolloutWait)
	}
}

// span is the time from a group's first member going down to its last member being back.
type span struct {
	group      string
	down, back time.Time
}

// groupSpans finds, for each broker group, when its members were unavailable after start.
func groupSpans(events []kubetest.PodEvent, start time.Time) []span {
	byGroup := map[string]*span{}
	for _, e := range events {
		g := e.Labels[plan.LabelGroup]
		if g == "" || e.Time.Before(start) {
			continue
		}
		s := byGroup[g]
		if !e.Available() {
			if s == nil {
				s = &span{group: g, down: e.Time}
				byGroup[g] = s
			}
			continue
		}
		if s != nil {
			s.back = e.Time
		}
	}
	var out []span
	for _, s := range byGroup {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].down.Before(out[j].down) })
	return out
}

// overlapping describes the pairs of groups that were down at the same time.
func overlapping(spans []span) []string {
	var out []string
	for i := range spans {
		for j := i + 1; j < len(spans); j++ {
			a, b := spans[i], spans[j]
			if b.down.Before(a.back) {
				out = append(out, fmt.Sprintf("%s down %s–%s, %s down from %s", a.group,
					a.down.Format("15:04:05.000"), a.back.Format("15:04:05.000"), b.group, b.down.Format("15:04:05.000")))
			}
		}
	}
	return out
}
