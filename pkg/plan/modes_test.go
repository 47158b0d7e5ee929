package plan_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/plan"
)

// props reads a generated properties file into its keys, refusing a key written twice.
func props(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "line %q", line)
		_, dup := out[k]
		require.False(t, dup, "key %s written twice", k)
		out[k] = v
	}
	return out
}

func containerPorts(t *testing.T, pod plan.Pod) []corev1.ContainerPort {
	t.Helper()
	var ports []corev1.ContainerPort
	require.NoError(t, json.Unmarshal(pod.Container.Ports, &ports))
	return ports
}

func env(t *testing.T, pod plan.Pod) map[string]corev1.EnvVar {
	t.Helper()
	var vars []corev1.EnvVar
	require.NoError(t, json.Unmarshal(pod.Container.Env, &vars))
	out := map[string]corev1.EnvVar{}
	for _, v := range vars {
		out[v.Name] = v
	}
	return out
}

// TestDLedgerGroups checks the shape DLedger needs: one dLegerPeers shared by every member, built from
// the members' stable DNS names; a dLegerSelfId per member that names its own entry; the group's
// brokerName as dLegerGroup; no static role; the DLedger port on the container instead of HA.
func TestDLedgerGroups(t *testing.T) {
	p := build(t, "4.9.5", "brokers:\n  mode: dledger\n  groups:\n    - name: a\n    - name: b\n      members: 5\n  dledger: {port: 40000}\n")
	require.Len(t, p.Brokers.Groups, 2)
	for _, g := range p.Brokers.Groups {
		want := map[string]int{"a": 3, "b": 5}[g.Name]
		require.Equal(t, want, g.Replicas)
		require.Len(t, g.Files, want)
		peers := ""
		selves := map[string]bool{}
		for _, m := range g.Members {
			assert.Equal(t, "elected", m.Role, "no static master or slave in a DLedger group")
			f := props(t, g.Files[plan.BrokerConfigFile(m.BrokerID)])
			assert.Equal(t, "true", f["enableDLegerCommitLog"])
			assert.Equal(t, g.Name, f["dLegerGroup"])
			assert.Equal(t, g.Name, f["brokerName"])
			if peers == "" {
				peers = f["dLegerPeers"]
			}
			assert.Equal(t, peers, f["dLegerPeers"], "every member of %s has the same peers", g.Name)
			self := f["dLegerSelfId"]
			assert.Equal(t, m.DLedgerID, self)
			assert.False(t, selves[self], "dLegerSelfId %s is unique", self)
			selves[self] = true
			assert.Contains(t, strings.Split(peers, ";"), fmt.Sprintf("%s-%s:40000", self, m.Address), "the member's own entry is its stable name")
			for _, k := range []string{"brokerId", "brokerRole", "haListenPort"} {
				assert.NotContains(t, f, k, "the election decides %s; DLedger does not use the HA service", k)
			}
			assert.Equal(t, plan.StorePath, f["storePathRootDir"], "DLedger keeps its files under storePathRootDir, the volume")
		}
		assert.Len(t, strings.Split(peers, ";"), want)
		var names []string
		for _, port := range containerPorts(t, g.Pod) {
			names = append(names, fmt.Sprintf("%s:%d", port.Name, port.ContainerPort))
		}
		assert.Equal(t, []string{"broker:10911", "fast:10909", "dledger:40000"}, names)
	}
	assert.Equal(t, 40000, p.Brokers.Ports.DLedger)
}

// TestStableNamesResolve: dLegerPeers names pod DNS names, which DLedger resolves from the library
// RocketMQ 4.8.0 ships (0.2.2; 0.1 cut a peer's host at its first '-', so pod names did not work).
// Every version the catalogue accepts must be that new.
func TestStableNamesResolve(t *testing.T) {
	for _, v := range catalog.Versions() {
		assert.GreaterOrEqual(t, catalog.Compare(v, "4.8.0"), 0, "RocketMQ %s cannot resolve DNS names in dLegerPeers", v)
	}
}

// TestControllerMode checks that brokers know every controller, start as the controller expects, keep
// their identity files on the volume, and carry the replica settings; and that controllers have one
// peer list and their own ids.
func TestControllerMode(t *testing.T) {
	p := build(t, "5.3.3", "controller: {replicas: 3}\nbrokers:\n  mode: controller\n  members: 3\n  inSyncReplicas: 2\n  groups: 1\n")
	require.NotNil(t, p.Controller)
	c := p.Controller
	require.Len(t, c.Addresses, 3)
	for i, a := range c.Addresses {
		assert.Equal(t, fmt.Sprintf("rmq-controller-%d.rmq-controller-headless.mq.svc.cluster.local:%d", i, plan.ControllerPort), a)
	}
	var peers string
	for i := 0; i < 3; i++ {
		f := props(t, c.Files[plan.ControllerConfigFile(i)])
		if peers == "" {
			peers = f["controllerDLegerPeers"]
		}
		assert.Equal(t, peers, f["controllerDLegerPeers"])
		assert.Equal(t, fmt.Sprintf("n%d", i), f["controllerDLegerSelfId"])
		assert.Contains(t, peers, fmt.Sprintf("n%d-%s", i, c.Addresses[i]), "a DLedger controller serves brokers on its peer port")
		assert.Equal(t, "DLedger", f["controllerType"])
		assert.Equal(t, plan.ControllerPath, f["controllerStorePath"])
	}
	g := p.Brokers.Groups[0]
	for _, m := range g.Members {
		f := props(t, g.Files[plan.BrokerConfigFile(m.BrokerID)])
		assert.Equal(t, strings.Join(c.Addresses, ";"), f["controllerAddr"])
		assert.Equal(t, "true", f["enableControllerMode"])
		assert.Equal(t, "-1", f["brokerId"], "the controller assigns the brokerId")
		assert.Equal(t, "3", f["totalReplicas"])
		assert.Equal(t, "2", f["inSyncReplicas"])
		assert.Equal(t, "1", f["minInSyncReplicas"])
		assert.Equal(t, plan.StorePath+"/brokerIdentity", f["storePathBrokerIdentity"])
		assert.Equal(t, plan.StorePath+"/epochFileCheckpoint", f["storePathEpochFile"])
		assert.Equal(t, "10912", f["haListenPort"], "controller mode replicates through the HA service")
		assert.Equal(t, "elected", m.Role)
	}
	assert.Equal(t, map[string]string{"kube-score/ignore": "pod-probes-identical"}, c.Annotations)
}

// TestEmbeddedJRaft: controllers in the name servers, each with its own file; jRaft's raft and RPC lists
// match by position, and the raft log is on the name servers' volume.
func TestEmbeddedJRaft(t *testing.T) {
	p := build(t, "5.2.0", "nameServer: {replicas: 3}\ncontroller: {mode: embedded, type: jRaft}\nbrokers:\n  mode: controller\n")
	assert.Nil(t, p.Controller, "no controller StatefulSet when they are embedded")
	assert.Equal(t, "persistentVolumeClaim", p.NameServer.Volume.Mode, "the raft log needs a volume that outlives the pod")
	require.Len(t, p.NameServer.Files, 3)
	for i := 0; i < 3; i++ {
		f := props(t, p.NameServer.Files[plan.NameServerConfigFile(i)])
		assert.Equal(t, "true", f["enableControllerInNamesrv"])
		assert.Equal(t, "jRaft", f["controllerType"])
		raft := strings.Split(f["jRaftInitConf"], ",")
		rpc := strings.Split(f["jRaftControllerRPCAddr"], ",")
		require.Len(t, raft, 3)
		require.Len(t, rpc, 3)
		assert.Equal(t, raft[i], f["jRaftServerId"])
		assert.Equal(t, strings.TrimSuffix(raft[i], fmt.Sprintf(":%d", plan.ControllerRaftPort)), strings.TrimSuffix(rpc[i], fmt.Sprintf(":%d", plan.ControllerPort)))
		assert.True(t, strings.HasPrefix(f["controllerStorePath"], plan.NameServerPath+"/"), "the raft log is on the name server's volume: %s", f["controllerStorePath"])
	}
	f := props(t, p.Brokers.Groups[0].Files[plan.BrokerConfigFile(0)])
	ns := props(t, p.NameServer.Files[plan.NameServerConfigFile(1)])
	assert.Equal(t, strings.ReplaceAll(ns["jRaftControllerRPCAddr"], ",", ";"), f["controllerAddr"], "brokers reach jRaft controllers on their RPC addresses")
	assert.Equal(t, "POD_NAME", env(t, p.NameServer.Pod)["POD_NAME"].Name, "the name server picks its file by the pod's ordinal")
}

// TestProxy: rmq-proxy.json holds each value as the JSON type of its ProxyConfig field; 5.0.0's proxy has
// no remoting endpoint, and useEndpointPortFromRequest exists from 5.1.1 on.
func TestProxy(t *testing.T) {
	p := build(t, "5.3.3", "proxy:\n  enabled: true\n  service: {type: LoadBalancer}\n  config: {grpcThreadPoolNums: 32, enablePrintJstack: false, proxyName: edge}\n")
	require.NotNil(t, p.Proxy)
	var cfg map[string]any
	require.NoError(t, json.Unmarshal([]byte(p.Proxy.Config), &cfg))
	assert.Equal(t, float64(32), cfg["grpcThreadPoolNums"], "an int key is a JSON number")
	assert.Equal(t, false, cfg["enablePrintJstack"], "a boolean key is a JSON boolean")
	assert.Equal(t, "edge", cfg["proxyName"])
	assert.Equal(t, float64(8081), cfg["grpcServerPort"])
	assert.Equal(t, float64(8080), cfg["remotingListenPort"])
	assert.Equal(t, true, cfg["useEndpointPortFromRequest"])
	assert.Equal(t, "cluster", cfg["proxyMode"])
	for k := range cfg {
		_, ok := catalog.Lookup(catalog.Proxy, "5.3.3", k)
		assert.True(t, ok, "rmq-proxy.json key %s exists in the 5.3.3 proxy", k)
	}
	assert.Equal(t, 8080, p.Proxy.Service.RemotingPort)
	assert.GreaterOrEqual(t, p.Proxy.Pod.TerminationGrace, 31, "the gRPC server waits 30 s for calls in flight")

	old := build(t, "5.0.0", "proxy: {enabled: true}\n")
	cfg = nil
	require.NoError(t, json.Unmarshal([]byte(old.Proxy.Config), &cfg))
	assert.NotContains(t, cfg, "remotingListenPort")
	assert.NotContains(t, cfg, "useEndpointPortFromRequest")
	assert.Zero(t, old.Proxy.Service.RemotingPort)
	assert.Len(t, containerPorts(t, *old.Proxy.Pod), 1)
}

// TestLocalProxy: the brokers run the proxy in their JVM and the Service selects them.
func TestLocalProxy(t *testing.T) {
	p := build(t, "5.3.3", "proxy: {enabled: true, mode: local}\nbrokers: {groups: 2}\n")
	require.NotNil(t, p.Proxy)
	assert.Empty(t, p.Proxy.Deployment)
	assert.Nil(t, p.Proxy.Pod)
	assert.Equal(t, "broker", p.Proxy.Service.Selector["app.kubernetes.io/component"])
	g := p.Brokers.Groups[0]
	script := g.Pod.Container.Command[2]
	assert.Contains(t, script, `bin/mqproxy" -pm local -bc "$conf" -pc `+plan.ProxyConfigPath+"/rmq-proxy.json")
	assert.Contains(t, script, "main="+plan.ProxyMain)
	var names []string
	for _, port := range containerPorts(t, g.Pod) {
		names = append(names, port.Name)
	}
	assert.Equal(t, []string{"broker", "fast", "ha", "grpc", "remoting"}, names)
}

// TestHostNetwork: each group has ports of its own, no two groups share one, the pods carry the host
// ports the scheduler keeps apart, and the broker advertises the node's address.
func TestHostNetwork(t *testing.T) {
	p := build(t, "5.3.3", "nameServer: {hostNetwork: true}\nbrokers:\n  hostNetwork: true\n  mode: dledger\n  groups: 3\n")
	used := map[int32]string{}
	for i, g := range p.Brokers.Groups {
		assert.Equal(t, 10911+10*i, g.Ports.Listen)
		assert.True(t, g.Pod.HostNetwork)
		for _, port := range containerPorts(t, g.Pod) {
			assert.Equal(t, port.ContainerPort, port.HostPort)
			if other, dup := used[port.ContainerPort]; dup {
				t.Errorf("port %d of group %s is also %s's", port.ContainerPort, g.Name, other)
			}
			used[port.ContainerPort] = g.Name
		}
		f := props(t, g.Files[plan.BrokerConfigFile(0)])
		assert.Equal(t, fmt.Sprint(g.Ports.Listen), f["listenPort"])
		assert.Contains(t, f["dLegerPeers"], fmt.Sprintf(":%d", g.Ports.DLedger))
		assert.Equal(t, "status.hostIP", env(t, g.Pod)["POD_IP"].ValueFrom.FieldRef.FieldPath)
	}
	assert.True(t, p.NameServer.Pod.HostNetwork)
	assert.Empty(t, p.NetworkPolicies, "no NetworkPolicy applies to host-networked pods")
	ports := make([]int, 0, len(used))
	for port := range used {
		ports = append(ports, int(port))
	}
	sort.Ints(ports)
	assert.Len(t, ports, 9, "3 groups × 3 ports (listen, fast channel, DLedger)")
}
