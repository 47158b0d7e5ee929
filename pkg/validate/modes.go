package validate

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/spec"
)

// Releases that introduced what a spec may ask for. Each is checked against the key tables in
// modes_test.go, so a wrong gate fails a test rather than a cluster.
const (
	// controllerSince: enableControllerMode exists from 5.0.0 on, but until 5.1.0 the controller knows a
	// broker by its address and hands out a new brokerId when it changes (ReplicasManager.java at
	// rocketmq-all-5.0.0), as a pod's IP does on every restart; 5.1.1 keeps the id on the broker's volume
	// (storePathBrokerIdentity).
	controllerSince = "5.1.1"
	// jRaftSince: controllerType and JraftConfig exist from 5.2.0 on.
	jRaftSince = "5.2.0"
	// proxySince: the proxy module and ProxyConfig exist from 5.0.0 on.
	proxySince = "5.0.0"
)

// modeKeys are broker.conf keys that belong to a mode rocketops generates; they are refused in
// spec.brokers.config with a hint to the field that sets them.
var modeKeys = map[string]string{
	"enableDLegerCommitLog":          "set spec.brokers.mode: dledger",
	"dLegerGroup":                    "in dledger mode the group's brokerName is its dLegerGroup",
	"dLegerPeers":                    "in dledger mode rocketops writes dLegerPeers from the members' stable DNS names",
	"dLegerSelfId":                   "in dledger mode each member's dLegerSelfId is n<pod ordinal>",
	"storePathDLedgerCommitLog":      storeHint,
	"enableControllerMode":           "set spec.brokers.mode: controller",
	"controllerAddr":                 "in controller mode rocketops writes controllerAddr from spec.controller",
	"fetchControllerAddrByDnsLookup": "in controller mode rocketops writes every controller's address",
	"minInSyncReplicas":              "set spec.brokers.minInSyncReplicas",
	"storePathEpochFile":             storeHint,
	"storePathBrokerIdentity":        storeHint,
}

// ownedController are controller keys rocketops writes itself.
var ownedController = map[string]string{
	"controllerDLegerGroup":  "rocketops names the controllers' group after the cluster",
	"controllerDLegerPeers":  "rocketops writes the peers from the controllers' stable DNS names",
	"controllerDLegerSelfId": "each controller's id is n<pod ordinal>",
	"controllerStorePath":    "the controllers keep their log on the volume of spec.controller.storage",
	"controllerType":         "set spec.controller.type",
	"jRaftGroupId":           "rocketops names the jRaft group after the cluster",
	"jRaftServerId":          "each controller's jRaft address is its stable DNS name",
	"jRaftInitConf":          "rocketops writes the jRaft peers from the controllers' stable DNS names",
	"jRaftControllerRPCAddr": "rocketops writes the controllers' RPC addresses",
	"configStorePath":        "the controllers keep their files on their volume",
	"rocketmqHome":           "the image sets ROCKETMQ_HOME",
	"listenPort":             "rocketops fixes the controller's port",
}

// ownedProxy are rmq-proxy.json keys rocketops writes itself.
var ownedProxy = map[string]string{
	"rocketMQClusterName":        "set spec.brokers.clusterName",
	"namesrvAddr":                "the name-server addresses come from spec.nameServer",
	"grpcServerPort":             "rocketops fixes the proxy's gRPC port at 8081; set spec.proxy.service.grpcPort for the Service",
	"remotingListenPort":         "rocketops fixes the proxy's remoting port at 8080; set spec.proxy.service.remotingPort for the Service",
	"proxyMode":                  "set spec.proxy.mode",
	"useEndpointPortFromRequest": "rocketops turns it on, so clients behind any Service port are sent the port they connected to",
	"rocketmqHome":               "the image sets ROCKETMQ_HOME",
}

// given reports whether the user wrote the field at pointer (Default fills in the rest).
func (r *ruler) given(pointer string) bool { return spec.Lookup(r.node, pointer) != nil }

// atLeast reports whether version is at least since.
func atLeast(version, since string) bool { return catalog.Compare(version, since) >= 0 }

// modes checks what each broker mode needs and refuses what does not apply to it.
func (r *ruler) modes() {
	b := r.c.Spec.Brokers
	version := r.c.Spec.Version
	groups := b.GroupList()
	named := b.Groups.Named != nil
	groupPtr := func(i int, field string) string {
		return spec.Pointer("spec", "brokers", "groups", strconv.Itoa(i), field)
	}
	// countPtr blames a group's own field if it has one, else the shared one.
	countPtr := func(i int, field string) string {
		if named && r.given(groupPtr(i, field)) {
			return groupPtr(i, field)
		}
		return "/spec/brokers/" + field
	}
	notIn := func(ptr, mode, hint string) {
		if r.given(ptr) {
			field := ptr[strings.LastIndex(ptr, "/")+1:]
			r.at(ptr, true, hint, "%s does not apply in %s mode", field, mode)
		}
	}
	if b.Mode != spec.MasterSlave {
		hint := "remove it: " + b.Mode + " groups count spec.brokers.members"
		notIn("/spec/brokers/slaves", b.Mode, hint)
		notIn("/spec/brokers/replication", b.Mode, "remove it: "+map[string]string{
			spec.DLedger:        "a DLedger group's write returns once a majority of its members has it",
			spec.ControllerMode: "controller mode replicates by inSyncReplicas and minInSyncReplicas",
		}[b.Mode])
		for i := range b.Groups.Named {
			notIn(groupPtr(i, "slaves"), b.Mode, hint)
		}
	} else {
		hint := "remove it: masterSlave groups count spec.brokers.slaves, or set spec.brokers.mode"
		notIn("/spec/brokers/members", b.Mode, hint)
		notIn("/spec/brokers/minInSyncReplicas", b.Mode, "remove it: it applies in controller mode")
		for i := range b.Groups.Named {
			notIn(groupPtr(i, "members"), b.Mode, hint)
		}
	}
	r.hostNetwork()
	if b.Mode != spec.DLedger {
		notIn("/spec/brokers/dledger", b.Mode, "remove it, or set spec.brokers.mode: dledger")
	}
	if b.Mode != spec.ControllerMode {
		notIn("/spec/controller", b.Mode, "controllers only elect masters of brokers in controller mode: set spec.brokers.mode: controller, or remove spec.controller")
		notIn("/spec/images/controller", b.Mode, "remove it: there are controllers only in controller mode")
	}

	switch b.Mode {
	case spec.DLedger:
		notIn("/spec/brokers/inSyncReplicas", b.Mode, "remove it: a DLedger group's write returns once a majority of its members has it")
		for i, g := range groups {
			n := *g.Members
			switch {
			case n < 3:
				r.at(countPtr(i, "members"), false, "give each DLedger group 3 or 5 members",
					"DLedger group %q has %d %s; electing a leader needs at least 3", g.Name, n, plural(n, "member", "members"))
			case n%2 == 0:
				r.at(countPtr(i, "members"), false, oddHint(n)+" members",
					"DLedger group %q has %d members; with an even count a majority is no more failure-tolerant than with one fewer, and a split leaves no majority", g.Name, n)
			}
		}
		r.dledgerPorts()
		if b.CommitLogStorage != nil && !atLeast(version, "4.9.4") {
			r.at("/spec/brokers/commitLogStorage", true, "use RocketMQ 4.9.4 or later, or keep the commitlog on spec.brokers.storage",
				"a DLedger commitlog of its own needs storePathDLedgerCommitLog, which exists from RocketMQ 4.9.4 on, not in %s", version)
		}
	case spec.ControllerMode:
		if !atLeast(version, controllerSince) {
			r.at("/spec/brokers/mode", false, "use RocketMQ 5.1.1 or later, or masterSlave or dledger mode",
				"rocketops generates controller mode for RocketMQ %s and later: before, a controller knows a broker by its address, which changes with every pod restart (%s)", controllerSince, version)
			return
		}
		r.replicas(groups, countPtr)
		r.controller()
	}
}

// oddHint suggests the odd counts next to an even n, never fewer than 3.
func oddHint(n int) string {
	if n-1 < 3 {
		return fmt.Sprintf("use %d", n+1)
	}
	return fmt.Sprintf("use %d or %d", n-1, n+1)
}

// hostNetwork refuses what host networking cannot have.
func (r *ruler) hostNetwork() {
	sp := r.c.Spec
	if !*sp.NameServer.HostNetwork && !*sp.Brokers.HostNetwork {
		return
	}
	if r.given("/spec/networkPolicy/enabled") && *sp.NetworkPolicy.Enabled {
		r.at("/spec/networkPolicy/enabled", false, "remove it (host networking turns the policies off), or turn host networking off",
			"NetworkPolicies cannot admit or refuse host-networked pods: no policy applies to them, and rules that name them by pod label match nothing")
	}
}

// replicas enforces members (totalReplicas) ≥ inSyncReplicas ≥ minInSyncReplicas in controller mode.
func (r *ruler) replicas(groups []spec.Group, countPtr func(int, string) string) {
	b := r.c.Spec.Brokers
	in, minIn := *b.InSyncReplicas, *b.MinInSyncReplicas
	if minIn > in {
		r.at("/spec/brokers/minInSyncReplicas", false, fmt.Sprintf("set minInSyncReplicas to at most %d, or raise inSyncReplicas", in),
			"minInSyncReplicas %d is more than inSyncReplicas %d", minIn, in)
	}
	for i, g := range groups {
		if *g.Members < in {
			ptr := countPtr(i, "members")
			if r.given("/spec/brokers/inSyncReplicas") && !strings.Contains(ptr, "/groups/") {
				ptr = "/spec/brokers/inSyncReplicas"
			}
			r.at(ptr, false, "add members or lower spec.brokers.inSyncReplicas",
				"group %q has %d %s, fewer than inSyncReplicas %d: writes would never complete", g.Name, *g.Members, plural(*g.Members, "member", "members"), in)
		}
	}
}

// dledgerPorts keeps the DLedger port clear of the broker's own.
func (r *ruler) dledgerPorts() {
	port := r.c.Spec.Brokers.DLedger.Port
	groups := len(r.c.Spec.Brokers.GroupList())
	stride := 0
	if *r.c.Spec.Brokers.HostNetwork {
		stride = plan.HostPortStride
	}
	// With host networking group i shifts every port by i·stride, so the ranges must not meet.
	span := stride * (groups - 1)
	lo, hi := plan.BrokerListenPort-2, plan.BrokerListenPort+1+span
	if port+span > 65535 {
		r.at("/spec/brokers/dledger/port", false, fmt.Sprintf("use a port of at most %d", 65535-span),
			"DLedger port %d of group %d would be %d, beyond 65535", port, groups-1, port+span)
		return
	}
	if *r.c.Spec.Proxy.Enabled && r.c.Spec.Proxy.Mode == spec.ProxyLocal && (port == spec.ProxyGRPCPort || port == spec.ProxyRemotingPort) {
		r.at("/spec/brokers/dledger/port", false, fmt.Sprintf("use another port, e.g. %d", spec.DLedgerPort),
			"DLedger port %d is a port of the local proxy inside each broker", port)
	}
	if *r.c.Spec.Metrics.Enabled && port <= r.c.Spec.Metrics.Port && r.c.Spec.Metrics.Port <= port+span {
		r.at("/spec/brokers/dledger/port", false, fmt.Sprintf("use another port, e.g. %d", spec.DLedgerPort),
			"DLedger port %d meets the metrics port %d", port, r.c.Spec.Metrics.Port)
	}
	if port+span >= lo && port <= hi {
		r.at("/spec/brokers/dledger/port", false, fmt.Sprintf("use a port outside %d–%d, e.g. %d", lo, hi, spec.DLedgerPort),
			"DLedger port %d meets the brokers' listen, fast-channel and HA ports (%d–%d)", port, lo, hi)
	}
}

// controller checks the controllers of controller mode.
func (r *ruler) controller() {
	ctl := r.c.Spec.Controller
	version := r.c.Spec.Version
	if ctl.Type == spec.ControllerJRaft && !atLeast(version, jRaftSince) {
		r.at("/spec/controller/type", false, "use type DLedger, or RocketMQ 5.2.0 or later",
			"jRaft controllers exist in RocketMQ %s and later, not in %s", jRaftSince, version)
	}
	odd := func(ptr string, n int, what string) {
		switch {
		case n%2 == 0:
			r.at(ptr, false, oddHint(n),
				"%d %s: raft needs a majority, and an even count tolerates no more failures than one fewer", n, what)
		case n == 1:
			r.warn(ptr, false, "use 3 controllers so that elections survive a failure",
				"one controller: while it is down no group can elect a new master")
		}
	}
	if ctl.Mode == spec.ControllerEmbedded {
		for _, f := range []string{"replicas", "resources", "jvm", "storage", "placement"} {
			if p := "/spec/controller/" + f; r.given(p) {
				r.at(p, true, "embedded controllers run inside the name servers: set spec.nameServer."+f, "%s does not apply to embedded controllers", f)
			}
		}
		if r.given("/spec/images/controller") {
			r.at("/spec/images/controller", true, "embedded controllers run in the name-server image", "images.controller does not apply to embedded controllers")
		}
		odd("/spec/nameServer/replicas", *r.c.Spec.NameServer.Replicas, "name servers with embedded controllers")
		if r.c.Spec.NameServer.Storage.Mode == "emptyDir" {
			r.at("/spec/nameServer/storage/mode", false, "use persistentVolumeClaim or hostPath: embedded controllers keep their raft log in the name servers' store",
				"an emptyDir would lose the embedded controllers' raft log on every restart")
		}
	} else {
		odd("/spec/controller/replicas", *ctl.Replicas, "controllers")
		if ctl.Storage.Mode == "emptyDir" {
			r.at("/spec/controller/storage/mode", false, "use persistentVolumeClaim or hostPath",
				"an emptyDir would lose the controller's raft log on every restart")
		}
	}
	r.properties("/spec/controller/config", catalog.Controller, version, ctl.Config, ownedController)
}

// proxy checks the 5.x proxy.
func (r *ruler) proxy() {
	px := r.c.Spec.Proxy
	version := r.c.Spec.Version
	if !*px.Enabled {
		for _, f := range []string{"mode", "replicas", "service", "config", "resources", "jvm", "placement"} {
			if p := "/spec/proxy/" + f; r.given(p) {
				r.warn(p, true, "set spec.proxy.enabled: true, or remove it", "spec.proxy.%s is ignored: the proxy is not enabled", f)
			}
		}
		return
	}
	if !atLeast(version, proxySince) {
		r.at("/spec/proxy/enabled", false, "use RocketMQ 5.0.0 or later; 4.x clients talk to the brokers directly",
			"the proxy exists in RocketMQ %s and later, not in %s", proxySince, version)
		return
	}
	if px.Mode == spec.ProxyLocal {
		for _, f := range []string{"replicas", "resources", "jvm", "placement"} {
			if p := "/spec/proxy/" + f; r.given(p) {
				hint := "a local proxy runs inside each broker's JVM: set spec.brokers." + f
				if f == "replicas" {
					hint = "remove it: a local proxy runs inside each broker, one per broker"
				}
				r.at(p, true, hint, "%s does not apply to a local proxy", f)
			}
		}
		if r.given("/spec/images/proxy") {
			r.at("/spec/images/proxy", true, "a local proxy runs in the broker image", "images.proxy does not apply to a local proxy")
		}
		if *r.c.Spec.Brokers.HostNetwork {
			r.at("/spec/proxy/mode", false, "use a cluster-mode proxy with host-networked brokers",
				"a local proxy in host-networked brokers would put every broker's proxy on the same node ports 8080 and 8081")
		}
		// A local proxy routes to its own broker only, as the master, at the broker's address
		// (LocalTopicRouteService, proxy/src/main/java at rocketmq-all-5.3.3): behind one Service, a client
		// whose request lands on a slave or a follower gets a route it cannot send through.
		b := r.c.Spec.Brokers
		slaves := false
		for _, g := range b.GroupList() {
			slaves = slaves || g.Size(b.Mode) > 1
		}
		if b.Mode != spec.MasterSlave || slaves {
			r.at("/spec/proxy/mode", false, "use a cluster-mode proxy, or local mode with masterSlave groups without slaves",
				"a local proxy answers routes with its own broker as the master: behind the Service, clients that reach a slave's or follower's proxy get routes they cannot write to")
		}
		if px.Service.Type != "ClusterIP" {
			r.at("/spec/proxy/service/type", false, "use a cluster-mode proxy for clients outside the cluster",
				"a local proxy hands clients its broker's pod address, which clients outside the cluster cannot reach")
		}
	}
	s := px.Service
	if s.Type == "ClusterIP" {
		for _, f := range []string{"grpcNodePort", "remotingNodePort", "externalTrafficPolicy"} {
			if p := "/spec/proxy/service/" + f; r.given(p) {
				r.at(p, true, "set service.type to NodePort or LoadBalancer", "%s needs a NodePort or LoadBalancer service", f)
			}
		}
	}
	if s.Type != "LoadBalancer" && r.given("/spec/proxy/service/loadBalancerSourceRanges") {
		r.at("/spec/proxy/service/loadBalancerSourceRanges", true, "set service.type to LoadBalancer", "loadBalancerSourceRanges needs a LoadBalancer service")
	}
	if s.GRPCPort == s.RemotingPort {
		r.at("/spec/proxy/service/remotingPort", false, "give the two endpoints different ports", "the gRPC and remoting endpoints both use port %d", s.GRPCPort)
	}
	if s.GRPCNodePort != 0 && s.GRPCNodePort == s.RemotingNodePort {
		r.at("/spec/proxy/service/remotingNodePort", false, "give the two endpoints different node ports", "the gRPC and remoting endpoints both use node port %d", s.GRPCNodePort)
	}
	for i, cidr := range s.LoadBalancerSourceRanges {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			r.at(fmt.Sprintf("/spec/proxy/service/loadBalancerSourceRanges/%d", i), false, "write an address range such as 10.0.0.0/8", "%s is not a CIDR", diag.Quote(cidr))
		}
	}
	r.properties("/spec/proxy/config", catalog.Proxy, version, px.Config, ownedProxy)
}

// modeKey says whether key belongs to a broker or controller mode rocketops generates, with the hint
// to the spec field that sets it.
func (r *ruler) modeKey(comp catalog.Component, key string) (string, bool) {
	switch comp {
	case catalog.Broker:
		hint, ok := modeKeys[key]
		return hint, ok
	case catalog.NameServer:
		if key == "enableControllerInNamesrv" {
			return "set spec.brokers.mode: controller and spec.controller.mode: embedded", true
		}
		if _, ok := catalog.Find(catalog.Controller, key); ok {
			if _, ns := catalog.Find(catalog.NameServer, key); !ns {
				return "controller settings go in spec.controller.config", true
			}
		}
	}
	return "", false
}

// preferredLeader checks preferredLeaderId, the DLedger member a group prefers as leader: it only applies
// in dledger mode and must name a member of every group it is given to. It reports whether the value
// may be checked further.
func (r *ruler) preferredLeader(ptr, value string) bool {
	b := r.c.Spec.Brokers
	if b.Mode != spec.DLedger {
		r.at(ptr, true, "remove it, or set spec.brokers.mode: dledger", "preferredLeaderId applies to DLedger groups only")
		return false
	}
	id, err := strconv.Atoi(strings.TrimPrefix(value, "n"))
	smallest := 0
	for i, g := range b.GroupList() {
		if i == 0 || *g.Members < smallest {
			smallest = *g.Members
		}
	}
	if !strings.HasPrefix(value, "n") || err != nil || id < 0 || id >= smallest {
		members := "n0"
		if smallest > 1 {
			members = fmt.Sprintf("n0 … n%d", smallest-1)
		}
		r.at(ptr, false, "name a member: "+members+" (n<pod ordinal>)",
			"preferredLeaderId %s is no member of every group it applies to", diag.Quote(value))
		return false
	}
	return true
}

// clusterPlacement checks the placement short forms.
func (r *ruler) clusterPlacement() {
	d := r.c.Spec.Placement.DedicatedNodes
	if d == nil {
		return
	}
	if d.Key == "" {
		r.at("/spec/placement/dedicatedNodes", false, "set dedicatedNodes.key to the nodes' label and taint key, e.g. dedicated", "dedicatedNodes needs a key")
		return
	}
	for _, msg := range validation.IsQualifiedName(d.Key) {
		r.at("/spec/placement/dedicatedNodes/key", false, "", "node label key %s: %s", diag.Quote(d.Key), msg)
	}
	for _, msg := range validation.IsValidLabelValue(d.Value) {
		r.at("/spec/placement/dedicatedNodes/value", false, "", "node label value %s: %s", diag.Quote(d.Value), msg)
	}
	own := map[string]map[string]string{
		spec.ComponentNameServer: r.c.Spec.NameServer.Placement.NodeSelector,
		spec.ComponentBrokers:    r.c.Spec.Brokers.Placement.NodeSelector,
		spec.ComponentController: r.c.Spec.Controller.Placement.NodeSelector,
		spec.ComponentProxy:      r.c.Spec.Proxy.Placement.NodeSelector,
		spec.ComponentConsole:    r.c.Spec.Console.Placement.NodeSelector,
	}
	for _, c := range d.Components {
		if v, ok := own[c][d.Key]; ok && v != d.Value {
			r.at(spec.Pointer("spec", c, "placement", "nodeSelector", d.Key), false,
				"remove it, or give it the dedicated nodes' value",
				"nodeSelector %s=%s contradicts spec.placement.dedicatedNodes (%s=%s): no node would match both", d.Key, v, d.Key, d.Value)
		}
	}
}

// storageSources checks the settings of modes local and nfs.
func (r *ruler) storageSources(ptr string, st spec.Storage) {
	switch st.Mode {
	case "local":
		if st.Local == nil {
			r.at(ptr+"/mode", false, "add storage.local with the folder (path) and the node of each member (nodes)", "mode local needs storage.local")
			return
		}
		if st.Local.Path == "" {
			r.at(ptr+"/local", false, "set storage.local.path to the folder of the volumes on the nodes, e.g. /mnt/disks/rocketmq", "storage.local needs a path")
		}
		r.hostPath(ptr+"/local/path", st.Local.Path)
		for i, m := range st.AccessModes {
			if m == "ReadWriteMany" {
				r.at(fmt.Sprintf("%s/accessModes/%d", ptr, i), false, "use ReadWriteOnce (or ReadWriteOncePod)", "a local volume is one node's folder; ReadWriteMany cannot be met")
			}
		}
	case "nfs":
		if st.NFS == nil {
			r.at(ptr+"/mode", false, "add storage.nfs with the server and the exported path", "mode nfs needs storage.nfs")
			return
		}
		if st.NFS.Server == "" || st.NFS.Path == "" {
			r.at(ptr+"/nfs", false, "set storage.nfs.server and storage.nfs.path (the export)", "storage.nfs needs a server and a path")
		}
		r.hostPath(ptr+"/nfs/path", st.NFS.Path)
		shared := false
		for _, m := range st.AccessModes {
			shared = shared || m == "ReadWriteMany"
		}
		if !shared && r.given(ptr+"/accessModes") {
			r.at(ptr+"/accessModes", false, "use ReadWriteMany: every pod of the component mounts the export",
				"an NFS volume shared by the component's pods must be ReadWriteMany")
		}
	}
}

// localNodes checks that local volumes name exactly one node per member, where every member can run.
func (r *ruler) localNodes() {
	sp := r.c.Spec
	component := func(ptr string, st spec.Storage, replicas int, what string) {
		if st.Mode != "local" || st.Local == nil {
			return
		}
		n := len(st.Local.Nodes)
		if n != replicas {
			r.at(ptr+"/local/nodes", n > 0, fmt.Sprintf("name %d %s, one for each pod by ordinal", replicas, plural(replicas, "node", "nodes")),
				"%d %s for %d %s: each member's local volume is on the node named for it", n, plural(n, "node", "nodes"), replicas, what)
		}
		r.duplicateNodes(ptr+"/local/nodes", st.Local.Nodes, what)
	}
	component("/spec/nameServer/storage", sp.NameServer.Storage, *sp.NameServer.Replicas, "name servers")
	if sp.Brokers.Mode == spec.ControllerMode && sp.Controller.Mode == spec.ControllerStandalone {
		component("/spec/controller/storage", sp.Controller.Storage, *sp.Controller.Replicas, "controllers")
	}
	b := sp.Brokers
	local := b.Storage.Mode == "local" || (b.CommitLogStorage != nil && b.CommitLogStorage.Mode == "local")
	groups := b.GroupList()
	if !local {
		for i := range b.Groups.Named {
			if p := spec.Pointer("spec", "brokers", "groups", strconv.Itoa(i), "nodes"); r.given(p) {
				r.at(p, true, "remove it, or use storage mode local", "nodes are the nodes of local volumes, and this group's storage is not local")
			}
		}
		return
	}
	shared, sharedPtr := []string(nil), "/spec/brokers/storage/local/nodes"
	if b.Storage.Local != nil && len(b.Storage.Local.Nodes) > 0 {
		shared = b.Storage.Local.Nodes
	} else if b.CommitLogStorage != nil && b.CommitLogStorage.Local != nil {
		shared, sharedPtr = b.CommitLogStorage.Local.Nodes, "/spec/brokers/commitLogStorage/local/nodes"
	}
	if b.Storage.Mode == "local" && b.CommitLogStorage != nil && b.CommitLogStorage.Mode == "local" &&
		b.Storage.Local != nil && b.CommitLogStorage.Local != nil && len(b.CommitLogStorage.Local.Nodes) > 0 &&
		strings.Join(b.Storage.Local.Nodes, ",") != strings.Join(b.CommitLogStorage.Local.Nodes, ",") {
		r.at("/spec/brokers/commitLogStorage/local/nodes", false, "remove it: the commitlog's volumes follow storage.local.nodes",
			"the commitlog's nodes differ from the store's: a member's two volumes would be on different nodes, and it could run on neither")
	}
	want := 0
	for i, g := range groups {
		n := g.Size(b.Mode)
		if len(g.Nodes) == 0 {
			want += n
			continue
		}
		p := spec.Pointer("spec", "brokers", "groups", strconv.Itoa(i), "nodes")
		if len(g.Nodes) != n {
			r.at(p, false, fmt.Sprintf("name %d %s, one per member by ordinal", n, plural(n, "node", "nodes")),
				"group %q has %d %s and %d %s for their local volumes", g.Name, n, plural(n, "member", "members"), len(g.Nodes), plural(len(g.Nodes), "node", "nodes"))
		}
		r.duplicateNodes(p, g.Nodes, fmt.Sprintf("members of group %q", g.Name))
	}
	if len(shared) != want {
		r.at(sharedPtr, len(shared) > 0, fmt.Sprintf("name %d %s: the members of the groups without nodes of their own, group by group, by ordinal", want, plural(want, "node", "nodes")),
			"%d %s for %d broker %s on local volumes", len(shared), plural(len(shared), "node", "nodes"), want, plural(want, "member", "members"))
		return
	}
	next := 0
	for _, g := range groups {
		if len(g.Nodes) > 0 {
			continue
		}
		n := g.Size(b.Mode)
		r.duplicateNodes(sharedPtr, shared[next:next+n], fmt.Sprintf("members of group %q", g.Name))
		next += n
	}
}

// duplicateNodes refuses one node for two members of a group that must not share one.
func (r *ruler) duplicateNodes(ptr string, nodes []string, what string) {
	seen := map[string]int{}
	for i, n := range nodes {
		if j, dup := seen[n]; dup {
			r.at(fmt.Sprintf("%s/%d", ptr, i), false, "give each member a node of its own",
				"node %s holds the volumes of two %s (items %d and %d): they would always run together, and fail together", diag.Quote(n), what, j, i)
			return
		}
		seen[n] = i
	}
}

// generatedKeys are keys of access control and metrics that rocketops writes from spec.auth and
// spec.metrics, in every file that has them.
var generatedKeys = map[string]string{
	"aclEnable":                            "set spec.auth (mode acl1)",
	"enableACL":                            "set spec.auth",
	"authenticationEnabled":                "set spec.auth (mode acl2)",
	"authenticationMetadataProvider":       "set spec.auth (mode acl2): rocketops writes the local provider",
	"authorizationEnabled":                 "set spec.auth.authorization",
	"authorizationMetadataProvider":        "set spec.auth (mode acl2): rocketops writes the local provider",
	"enableAclRpcHookForClusterMode":       "set spec.auth: rocketops has the proxy sign its calls to the brokers",
	"initAuthenticationUser":               "set spec.auth.admin to Secret keys",
	"innerClientAuthenticationCredentials": "set spec.auth.innerClient to Secret keys",
	"metricsExporterType":                  "set spec.metrics.enabled",
	"metricsPromExporterPort":              "set spec.metrics.port",
	"metricsPromExporterHost":              "rocketops binds the metrics endpoint on every address of the pod",
}

// Releases of access control.
const (
	// acl2Since: AuthConfig (authentication and authorization) exists from 5.3.0 on.
	acl2Since = "5.3.0"
	// acl1Until: ACL 1.0 was removed in 5.3.3; aclEnable still has a setter there, which nothing reads
	// (BrokerConfig.java at rocketmq-all-5.3.3).
	acl1Removed = "5.3.3"
	// metricsSince: the brokers' own Prometheus endpoint (metricsExporterType) exists from 5.1.0 on.
	metricsSince = "5.1.0"
)

// authRules checks spec.auth and the console's login.
func (r *ruler) authRules() {
	a := r.c.Spec.Auth
	version := r.c.Spec.Version
	refs := func(ptr string, rs ...spec.SecretRef) {
		for _, ref := range rs {
			if ref.Name == "" || ref.Key == "" {
				r.at(ptr, false, "give the Secret's name and the key that holds the value", "%s needs a Secret name and key", ptr[strings.LastIndex(ptr, "/")+1:])
				return
			}
		}
	}
	if l := r.c.Spec.Console.Login; l != nil {
		refs("/spec/console/login/users", l.Users)
	}
	if !*a.Enabled {
		for _, f := range []string{"mode", "acl1", "admin", "innerClient", "authorization", "client"} {
			if p := "/spec/auth/" + f; r.given(p) {
				r.warn(p, true, "set spec.auth.enabled: true, or remove it", "spec.auth.%s is ignored: access control is not enabled", f)
			}
		}
		return
	}
	modePtr := "/spec/auth/mode"
	if !r.given(modePtr) {
		modePtr = "/spec/auth/enabled"
	}
	switch a.Mode {
	case spec.AuthACL1:
		if atLeast(version, acl1Removed) {
			r.at(modePtr, false, "use mode acl2", "RocketMQ %s has no ACL 1.0 (plain_acl.yml): it was removed in %s", version, acl1Removed)
			return
		}
		if a.ACL1 == nil {
			r.at(modePtr, false, "set spec.auth.acl1.file to the Secret key holding plain_acl.yml", "mode acl1 needs spec.auth.acl1.file")
		} else {
			refs("/spec/auth/acl1/file", a.ACL1.File)
		}
		for _, f := range []string{"admin", "innerClient", "authorization"} {
			if p := "/spec/auth/" + f; r.given(p) {
				r.at(p, true, "remove it: it belongs to mode acl2", "%s does not apply to mode acl1", f)
			}
		}
		if *r.c.Spec.Proxy.Enabled {
			r.at("/spec/proxy/enabled", false, "use auth mode acl2 (RocketMQ 5.3.0 and later), or run without the proxy",
				"rocketops does not generate the proxy with ACL 1.0: it signs its calls with $ROCKETMQ_HOME/conf/tools.yml, a fixed file in the image")
		}
		if *r.c.Spec.Console.Enabled && a.Client == nil {
			r.warn("/spec/auth", true, "set spec.auth.client to Secret keys of an account in plain_acl.yml, or whitelist the console's address there",
				"the console has no credentials: the brokers refuse what it asks unless plain_acl.yml whitelists it")
		}
	case spec.AuthACL2:
		if !atLeast(version, acl2Since) {
			r.at(modePtr, false, "use mode acl1, or RocketMQ 5.3.0 or later", "authentication and authorization (acl2) exist in RocketMQ %s and later, not in %s", acl2Since, version)
			return
		}
		if a.Admin == nil {
			r.at(modePtr, false, "set spec.auth.admin.username and .password to Secret keys", "mode acl2 needs the first SUPER user, spec.auth.admin")
		} else {
			refs("/spec/auth/admin/username", a.Admin.Username)
			refs("/spec/auth/admin/password", a.Admin.Password)
		}
		if a.InnerClient != nil {
			refs("/spec/auth/innerClient/accessKey", a.InnerClient.AccessKey)
			refs("/spec/auth/innerClient/secretKey", a.InnerClient.SecretKey)
		}
		if r.given("/spec/auth/acl1") {
			r.at("/spec/auth/acl1", true, "remove it: it belongs to mode acl1", "acl1 does not apply to mode acl2")
		}
	}
	if a.Client != nil {
		refs("/spec/auth/client/accessKey", a.Client.AccessKey)
		refs("/spec/auth/client/secretKey", a.Client.SecretKey)
	}
}

// metricsRules checks spec.metrics.
func (r *ruler) metricsRules() {
	m := r.c.Spec.Metrics
	if !*m.Enabled {
		for _, f := range []string{"port", "exporter", "monitor", "rules"} {
			if p := "/spec/metrics/" + f; r.given(p) {
				r.warn(p, true, "set spec.metrics.enabled: true, or remove it", "spec.metrics.%s is ignored: metrics are not enabled", f)
			}
		}
		return
	}
	if !*m.Exporter.Enabled && !atLeast(r.c.Spec.Version, metricsSince) {
		r.at("/spec/metrics/exporter/enabled", false, "leave the exporter on: it is the only source of metrics before 5.1.0",
			"RocketMQ %s exports no metrics itself (metricsExporterType exists from %s on), and the exporter is off", r.c.Spec.Version, metricsSince)
	}
	taken := []int{plan.BrokerListenPort - 2, plan.BrokerListenPort, plan.BrokerListenPort + 1, plan.NameServerPort, plan.ControllerPort, plan.ControllerRaftPort, spec.ProxyGRPCPort, spec.ProxyRemotingPort}
	if r.c.Spec.Brokers.Mode == spec.DLedger {
		taken = append(taken, r.c.Spec.Brokers.DLedger.Port)
	}
	if *m.Exporter.Enabled {
		// The exporter also listens on grpc.server.port for OTLP (application.yml of rocketmq-exporter).
		taken = append(taken, plan.ExporterGRPCPort)
	}
	for _, p := range taken {
		if m.Port == p {
			r.at("/spec/metrics/port", false, fmt.Sprintf("use another port, e.g. %d", spec.MetricsPort), "metrics port %d is a port RocketMQ listens on already", p)
		}
	}
	for _, k := range sortedNames(m.Rules.Labels) {
		p := spec.Pointer("spec", "metrics", "rules", "labels", k)
		for _, msg := range validation.IsQualifiedName(k) {
			r.at(p, true, "", "label key %q: %s", k, msg)
		}
		for _, msg := range validation.IsValidLabelValue(m.Rules.Labels[k]) {
			r.at(p, false, "", "label value %q: %s", m.Rules.Labels[k], msg)
		}
		for _, reserved := range reservedLabels {
			if k == reserved {
				r.at(p, true, "rocketops sets the app.kubernetes.io labels itself", "label %q is set by rocketops", k)
			}
		}
	}
	if m.Rules.Enabled != nil && *m.Rules.Enabled && m.Monitor == "none" {
		r.warn("/spec/metrics/rules/enabled", false, "set spec.metrics.monitor, or scrape the endpoints by your own configuration",
			"the alerts need Prometheus to scrape the metrics endpoints, and spec.metrics.monitor is none")
	}
}

// checkedConfig reports whether the properties rules check the configuration map at ptr.
func (r *ruler) checkedConfig(ptr string) bool {
	sp := r.c.Spec
	switch ptr {
	case "/spec/proxy/config":
		return *sp.Proxy.Enabled && atLeast(sp.Version, proxySince)
	case "/spec/controller/config":
		return sp.Brokers.Mode == spec.ControllerMode && atLeast(sp.Version, controllerSince)
	}
	return true
}

// credentials refuses a credential-looking value anywhere in the spec outside the configuration maps
// (checked key by key) and the Secret references of spec.auth and spec.console.login: rocketops writes
// every other value into objects anyone who may read the namespace can read.
func (r *ruler) credentials(n *yaml.Node, ptr string) {
	switch ptr {
	case "/spec/auth", "/spec/console/login", "/spec/environments":
		return
	}
	if strings.HasSuffix(ptr, "/config") && r.checkedConfig(ptr) {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			r.credentials(c, ptr)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if strings.HasSuffix(ptr, "/config") && v.Kind == yaml.ScalarNode && credential(k, v.Value) {
				// A configuration map the rules do not check, since nothing uses it: refused all the same.
				r.at(ptr+"/"+escape(k), false, "keep credentials in a Secret; rocketops never writes one into a ConfigMap", "%s looks like a credential", k)
				continue
			}
			r.credentials(v, ptr+"/"+escape(k))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			r.credentials(c, fmt.Sprintf("%s/%d", ptr, i))
		}
	case yaml.ScalarNode:
		if n.Tag == "!!str" && credential("", n.Value) {
			r.at(ptr, false, "keep credentials in a Secret and refer to it: spec.auth and spec.console.login take Secret keys, and rocketops writes no credential into its output",
				"value looks like a credential")
		}
	}
}
