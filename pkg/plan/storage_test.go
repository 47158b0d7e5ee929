package plan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/rocketops/rocketops/pkg/plan"
)

func mounts(t *testing.T, pod plan.Pod) map[string]corev1.VolumeMount {
	t.Helper()
	var ms []corev1.VolumeMount
	require.NoError(t, json.Unmarshal(pod.Container.VolumeMounts, &ms))
	out := map[string]corev1.VolumeMount{}
	for _, m := range ms {
		out[m.Name] = m
	}
	return out
}

func volumes(t *testing.T, pod plan.Pod) map[string]corev1.Volume {
	t.Helper()
	var vs []corev1.Volume
	require.NoError(t, json.Unmarshal(pod.Volumes, &vs))
	out := map[string]corev1.Volume{}
	for _, v := range vs {
		out[v.Name] = v
	}
	return out
}

// TestLocalVolumes: one PersistentVolume per member, on the node named for it (a group's own nodes, or
// the next of the shared list), reserved for exactly the claim the StatefulSet creates for that member;
// the commitlog's volumes on the same nodes; one StorageClass per name.
func TestLocalVolumes(t *testing.T) {
	p := build(t, "5.3.3", `brokers:
  groups:
    - {name: a, nodes: [n1, n2]}
    - {name: b}
  slaves: 1
  storage: {mode: local, size: 100Gi, local: {path: /mnt/ssd/, nodes: [n3, n4]}}
  commitLogStorage: {mode: local, storageClass: nvme, local: {path: /mnt/nvme, createStorageClass: false}}
`)
	byClaim := map[string]plan.PersistentVolume{}
	for _, pv := range p.PersistentVolumes {
		require.NotNil(t, pv.Local)
		byClaim[pv.ClaimRef.Name] = pv
		assert.Equal(t, "mq", pv.ClaimRef.Namespace)
		assert.Equal(t, "mq-"+pv.ClaimRef.Name, pv.Name, "PersistentVolumes are cluster-wide: the namespace keeps names apart")
	}
	require.Len(t, byClaim, 8, "2 groups × 2 members × store and commitlog")
	want := map[string][]string{"a": {"n1", "n2"}, "b": {"n3", "n4"}}
	for _, g := range p.Brokers.Groups {
		for i, node := range want[g.Name] {
			store := byClaim[plan.ClaimName("store", g.StatefulSet, i)]
			commit := byClaim[plan.ClaimName("commitlog", g.StatefulSet, i)]
			assert.Equal(t, node, store.Local.Node, "store of %s-%d", g.StatefulSet, i)
			assert.Equal(t, node, commit.Local.Node, "a member's two volumes are on one node")
			assert.Equal(t, "/mnt/ssd/mq-"+plan.ClaimName("store", g.StatefulSet, i), store.Local.Path, "the folder is named like the volume, unique in the cluster")
			assert.Equal(t, "mq-rmq-local", store.StorageClass, "the default class is the cluster's own: StorageClasses are cluster-wide")
			assert.Equal(t, "nvme", commit.StorageClass)
			assert.Equal(t, "100Gi", store.Size)
			assert.Equal(t, g.Name, store.Group)
		}
		f := props(t, g.Files[plan.BrokerConfigFile(0)])
		assert.Equal(t, plan.CommitLogPath, f["storePathCommitLog"])
		assert.Equal(t, plan.CommitLogPath, mounts(t, g.Pod)["commitlog"].MountPath)
	}
	require.Len(t, p.StorageClasses, 1, "the commitlog's class exists already (createStorageClass: false)")
	assert.Equal(t, "mq-rmq-local", p.StorageClasses[0].Name)
}

// TestNFSVolumes: one volume and claim per workload on the export, each pod in its own folder.
func TestNFSVolumes(t *testing.T) {
	p := build(t, "4.9.8", `nameServer:
  storage: {mode: nfs, nfs: {server: 10.0.0.5, path: /exports/ns}}
brokers:
  groups: 2
  storage: {mode: nfs, size: 50Gi, nfs: {server: nfs.example.com, path: /exports/b, mountOptions: [nfsvers=4.1]}}
`)
	require.Len(t, p.PersistentVolumes, 3)
	require.Len(t, p.Claims, 3)
	for _, c := range p.Claims {
		assert.Equal(t, []string{"ReadWriteMany"}, c.AccessModes)
		assert.Equal(t, "mq-"+c.Name, c.VolumeName)
	}
	g := p.Brokers.Groups[0]
	assert.Equal(t, "mq/store/$(POD_NAME)", mounts(t, g.Pod)["store"].SubPathExpr, "each pod in its own folder, apart from other volumes and namespaces")
	assert.Equal(t, g.Volume.Claim, volumes(t, g.Pod)["store"].PersistentVolumeClaim.ClaimName)
	assert.Equal(t, "mq/data/$(POD_NAME)", mounts(t, p.NameServer.Pod)["data"].SubPathExpr)
	assert.Contains(t, env(t, p.NameServer.Pod), "POD_NAME", "the name server needs its pod name for the folder")
	for _, pv := range p.PersistentVolumes {
		require.NotNil(t, pv.NFS)
		assert.Empty(t, pv.StorageClass, "bound by name, not by class")
		if pv.Component == "broker" {
			assert.Equal(t, []string{"nfsvers=4.1"}, pv.MountOptions)
		}
	}
}

// TestPlacementShortForms: dedicated nodes give the components they name the nodeSelector and
// toleration, and no other; zone spread and priority classes as asked.
func TestPlacementShortForms(t *testing.T) {
	p := build(t, "5.3.3", `placement:
  dedicatedNodes: {key: dedicated, value: rocketmq, components: [brokers, nameServer]}
  priorityClassName: high
nameServer: {placement: {zoneSpread: required}}
console: {placement: {priorityClassName: low, zoneSpread: none}}
`)
	tolerations := func(pod plan.Pod) []corev1.Toleration {
		var ts []corev1.Toleration
		require.NoError(t, json.Unmarshal(pod.Tolerations, &ts))
		return ts
	}
	for _, pod := range []plan.Pod{p.NameServer.Pod, p.Brokers.Groups[0].Pod} {
		assert.Equal(t, "rocketmq", pod.NodeSelector["dedicated"])
		assert.Contains(t, tolerations(pod), corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "rocketmq", Effect: corev1.TaintEffectNoSchedule})
		assert.Equal(t, "high", pod.PriorityClass)
	}
	assert.NotContains(t, p.Console.Pod.NodeSelector, "dedicated", "the console is not on the dedicated nodes")
	assert.Empty(t, tolerations(p.Console.Pod))
	assert.Equal(t, "low", p.Console.Pod.PriorityClass)
	assert.Empty(t, p.Console.Pod.TopologySpread)

	var spread []corev1.TopologySpreadConstraint
	require.NoError(t, json.Unmarshal(p.NameServer.Pod.TopologySpread, &spread))
	require.Len(t, spread, 1)
	assert.Equal(t, corev1.DoNotSchedule, spread[0].WhenUnsatisfiable)
	assert.Equal(t, "topology.kubernetes.io/zone", spread[0].TopologyKey)
	require.NoError(t, json.Unmarshal(p.Brokers.Groups[0].Pod.TopologySpread, &spread))
	assert.Equal(t, corev1.ScheduleAnyway, spread[0].WhenUnsatisfiable, "brokers spread over zones where they can by default")
	assert.Equal(t, p.Brokers.Groups[0].SelectorLabels, spread[0].LabelSelector.MatchLabels, "the members of one group spread")
	assert.True(t, strings.HasPrefix(p.Brokers.Groups[0].Name, "broker-"))
}

// TestLocalVolumesWithoutClass: storageClass "" binds by claimRef alone, and no StorageClass without a
// name is generated.
func TestLocalVolumesWithoutClass(t *testing.T) {
	p := build(t, "5.3.3", "brokers:\n  storage: {mode: local, storageClass: \"\", local: {path: /mnt, nodes: [n1]}}\n")
	assert.Empty(t, p.StorageClasses)
	require.Len(t, p.PersistentVolumes, 1)
	assert.Empty(t, p.PersistentVolumes[0].StorageClass)
}

// TestProxyNumbers: Java reads "+32" and "010" as ints; the JSON file holds them as plain numbers.
func TestProxyNumbers(t *testing.T) {
	p := build(t, "5.3.3", "proxy:\n  enabled: true\n  config: {grpcThreadPoolNums: \"+32\", grpcBossLoopNum: \"010\"}\n")
	var cfg map[string]any
	require.NoError(t, json.Unmarshal([]byte(p.Proxy.Config), &cfg))
	assert.Equal(t, float64(32), cfg["grpcThreadPoolNums"])
	assert.Equal(t, float64(10), cfg["grpcBossLoopNum"])
}
