package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/jvm"
	"github.com/rocketops/rocketops/pkg/names"
	"github.com/rocketops/rocketops/pkg/spec"
)

// Ports and paths of the controllers and the proxy.
const (
	// ControllerPort is where brokers reach a controller. A DLedger controller serves brokers on the
	// remoting server of its DLedger server, which listens on the port of its own entry in
	// controllerDLegerPeers (DLedgerController.getRemotingServer returns dLedgerServer's, apache/rocketmq
	// controller/src/main/java/org/apache/rocketmq/controller/impl/DLedgerController.java at
	// rocketmq-all-5.3.3), so brokers' controllerAddr lists the peer addresses. A jRaft controller listens
	// for brokers on the port of its own entry in jRaftControllerRPCAddr (JRaftController.java, same tag).
	ControllerPort = 9878
	// ControllerRaftPort is jRaft's raft port between controllers (jRaftServerId, jRaftInitConf).
	ControllerRaftPort = 9880
	// ControllerPath holds a controller's raft log and metadata (controllerStorePath, configStorePath).
	ControllerPath = Home + "/controller"
	// ProxyConfigPath is where a broker with a local-mode proxy mounts rmq-proxy.json.
	ProxyConfigPath = "/etc/rocketmq-proxy"
	// HostPortStride spaces the ports of broker groups under host networking: group i adds i·stride to
	// every port, and a group uses listenPort-2 … listenPort+1 and its DLedger port.
	HostPortStride  = 10
	controllerGrace = 30
	// proxyGrace: the proxy's gRPC server waits up to grpcShutdownTimeSeconds (30 s) for calls in flight
	// (GrpcServer.java at rocketmq-all-5.3.3), then the rest of its shutdown runs.
	proxyGrace = 60
)

// Main classes of bin/mqcontroller and bin/mqproxy (apache/rocketmq distribution/bin at
// rocketmq-all-5.3.3: `sh runserver.sh … <MainClass> $@`, without exec, like mqnamesrv).
const (
	ControllerMain = "org.apache.rocketmq.controller.ControllerStartup"
	ProxyMain      = "org.apache.rocketmq.proxy.ProxyStartup"
)

// proxyJavaOptions move the proxy's client offset store off the read-only root: the RocketMQ client keeps
// it in ${user.home}/.rocketmq_offsets unless rocketmq.client.localOffsetStoreDir says otherwise
// (LocalFileOffsetStore.java at rocketmq-all-5.3.3).
var proxyJavaOptions = []string{"-Drocketmq.client.localOffsetStoreDir=" + TmpPath + "/.rocketmq_offsets"}

// identicalProbes names the kube-score check a workload with a single port fails on purpose.
var identicalProbes = map[string]string{"kube-score/ignore": "pod-probes-identical"}

// groupPorts are the ports of group i: shifted by i·HostPortStride under host networking, so brokers
// of different groups can share a node, and the same for every group otherwise.
func (b *builder) groupPorts(base Ports, i int) Ports {
	if !*b.c.Spec.Brokers.HostNetwork {
		return base
	}
	shift := i * HostPortStride
	p := Ports{Listen: base.Listen + shift, Fast: base.Fast + shift, HA: base.HA + shift, GRPC: base.GRPC, Remoting: base.Remoting}
	if base.Metrics != 0 {
		p.Metrics = base.Metrics + shift
	}
	if base.DLedger != 0 {
		p.DLedger = base.DLedger + shift
	}
	return p
}

// dledgerPeers is a group's dLegerPeers: n<ordinal>-<stable DNS name>:<port> of every member, so a
// restarted member with a new IP keeps its place. Stable names resolve from RocketMQ 4.8.0 on (the
// DLedger library it ships re-resolves peers); every version rocketops accepts is later.
func dledgerPeers(members []Member, port int) string {
	peers := make([]string, len(members))
	for i, m := range members {
		peers[i] = fmt.Sprintf("%s-%s:%d", m.DLedgerID, m.Address, port)
	}
	return strings.Join(peers, ";")
}

// hasKey reports whether the version's broker reads key, for keys that came later than 4.9.0.
func (b *builder) hasKey(c catalog.Component, key string) bool {
	_, ok := catalog.Lookup(c, b.c.Spec.Version, key)
	return ok
}

// modeOwned are the broker.conf keys of a group's mode, after the identity and address keys.
func (b *builder) modeOwned(g Group, m Member, ctlAddrs []string) []kv {
	bc := b.c.Spec.Brokers
	switch bc.Mode {
	case spec.DLedger:
		// DLedgerCommitLog keeps DLedger's files under storePathRootDir (DLedgerConfig.storeBaseDir, apache/rocketmq
		// store/src/main/java/org/apache/rocketmq/store/dledger/DLedgerCommitLog.java at rocketmq-all-5.3.3 and
		// 4.9.8), so they are on the member's volume. The role handler sets brokerId and brokerRole by the
		// election, so neither is written.
		owned := []kv{
			{"enableDLegerCommitLog", "true"},
			{"dLegerGroup", g.Name},
			{"dLegerPeers", dledgerPeers(g.Members, g.Ports.DLedger)},
			{"dLegerSelfId", m.DLedgerID},
		}
		if g.CommitLog != nil {
			// DLedger writes its commitlog to storePathDLedgerCommitLog (4.9.4 on; the validator refuses a
			// commitlog volume before), not to storePathCommitLog.
			owned = append(owned, kv{"storePathDLedgerCommitLog", CommitLogPath})
		}
		return owned
	case spec.ControllerMode:
		// The controller assigns brokerId and brokerRole; the broker registers with the name servers before it
		// has, so it starts as brokerId -1, SLAVE, as the upstream samples do (distribution/conf/controller/
		// quick-start/broker-n0.conf at rocketmq-all-5.3.3). BrokerStartup skips its role checks in controller
		// mode (BrokerStartup.java at rocketmq-all-5.3.3).
		owned := []kv{
			{"brokerId", "-1"},
			{"brokerRole", "SLAVE"},
			{"enableControllerMode", "true"},
			{"controllerAddr", strings.Join(ctlAddrs, ";")},
			{"totalReplicas", strconv.Itoa(g.Replicas)},
			{"inSyncReplicas", strconv.Itoa(*bc.InSyncReplicas)},
			{"minInSyncReplicas", strconv.Itoa(*bc.MinInSyncReplicas)},
		}
		for _, k := range []struct{ key, file string }{{"storePathEpochFile", "epochFileCheckpoint"}, {"storePathBrokerIdentity", "brokerIdentity"}} {
			if b.hasKey(catalog.Broker, k.key) {
				owned = append(owned, kv{k.key, StorePath + "/" + k.file})
			}
		}
		return owned
	}
	return nil
}

// controllerAddresses are the addresses brokers put in controllerAddr: the standalone controllers', or
// the name servers' embedded ones.
func (b *builder) controllerAddresses(ns NameServer, ctl *Controller) []string {
	if ctl != nil {
		return ctl.Addresses
	}
	out := make([]string, ns.Replicas)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d.%s.%s.svc.%s:%d", ns.StatefulSet, i, ns.HeadlessService, b.c.Metadata.Namespace, b.c.Spec.ClusterDomain, ControllerPort)
	}
	return out
}

// controllerKeys are the controller settings of controller i of n whose pods are host(j) (a stable
// DNS name), for a standalone controller or one embedded in a name server.
func (b *builder) controllerKeys(i, n int, host func(int) string, store string) []kv {
	ctl := b.c.Spec.Controller
	group := b.c.Metadata.Name + "-controller"
	var owned []kv
	if catalog.Compare(b.c.Spec.Version, "5.2.0") >= 0 {
		owned = append(owned, kv{"controllerType", ctl.Type})
	}
	if ctl.Type == spec.ControllerJRaft {
		var raft, rpc []string
		for j := 0; j < n; j++ {
			raft = append(raft, fmt.Sprintf("%s:%d", host(j), ControllerRaftPort))
			rpc = append(rpc, fmt.Sprintf("%s:%d", host(j), ControllerPort))
		}
		owned = append(owned,
			kv{"jRaftGroupId", group},
			kv{"jRaftServerId", raft[i]},
			kv{"jRaftInitConf", strings.Join(raft, ",")},
			kv{"jRaftControllerRPCAddr", strings.Join(rpc, ",")},
		)
	} else {
		peers := make([]string, n)
		for j := range peers {
			peers[j] = fmt.Sprintf("n%d-%s:%d", j, host(j), ControllerPort)
		}
		owned = append(owned,
			kv{"controllerDLegerGroup", group},
			kv{"controllerDLegerPeers", strings.Join(peers, ";")},
			kv{"controllerDLegerSelfId", fmt.Sprintf("n%d", i)},
		)
	}
	return append(owned, kv{"controllerStorePath", store})
}

// controller resolves the standalone controllers.
func (b *builder) controller() *Controller {
	c := b.c
	cs := c.Spec.Controller
	out := &Controller{
		StatefulSet:     names.Controller(c.Metadata.Name),
		HeadlessService: names.ControllerHeadless(c.Metadata.Name),
		ConfigMap:       names.ControllerConfig(c.Metadata.Name),
		PDB:             names.Controller(c.Metadata.Name),
		Replicas:        *cs.Replicas,
		Type:            cs.Type,
		// A DLedger controller serves brokers and peers on one port, so readiness and liveness both connect
		// to it, as the name server's do.
		Annotations: identicalProbes,
		Port:        ControllerPort,
		Files:       map[string]string{},
	}
	if cs.Type == spec.ControllerJRaft {
		out.RaftPort = ControllerRaftPort
	}
	host := func(j int) string {
		return fmt.Sprintf("%s-%d.%s.%s.svc.%s", out.StatefulSet, j, out.HeadlessService, c.Metadata.Namespace, c.Spec.ClusterDomain)
	}
	var all strings.Builder
	for i := 0; i < out.Replicas; i++ {
		out.Addresses = append(out.Addresses, fmt.Sprintf("%s:%d", host(i), ControllerPort))
		owned := append(append(b.controllerKeys(i, out.Replicas, host, ControllerPath), kv{"configStorePath", ControllerPath + "/controller.properties"}),
			b.metricsKeys(catalog.Controller, b.c.Spec.Metrics.Port)...)
		file := ControllerConfigFile(i)
		out.Files[file] = properties("controller", owned, cs.Config)
		all.WriteString(file + "\n" + out.Files[file])
	}
	out.Volume = b.volume("data", ControllerPath, cs.Storage, out.StatefulSet)
	b.storage(&out.Volume, cs.Storage, "controller", "", out.StatefulSet, out.Replicas, localNodes(cs.Storage))
	sel := b.selector("controller")
	out.Pod = b.pod(spec.ComponentController, cs.Placement, sel, nil, all.String(), controllerGrace)
	img := image(c.Spec.Images.Controller)
	pull := c.Spec.Images.Controller.PullPolicy
	cfgMount, cfgVol := configVolume(out.ConfigMap)
	dataMount, dataVols, init := dataVolume(out.Volume, img, pull)
	ports := []corev1.ContainerPort{tcpPort("controller", ControllerPort)}
	if out.RaftPort != 0 {
		ports = append(ports, tcpPort("raft", out.RaftPort))
	}
	if mp := b.metricsPort(catalog.Controller, b.c.Spec.Metrics.Port); mp != nil {
		ports = append(ports, mp...)
		metricsAnnotations(&out.Pod, b.c.Spec.Metrics.Port)
	}
	b.finish(&out.Pod, workload{
		name: "controller", image: img, pull: pull,
		command:   shellCommand(ordinalScript("controller", `"$ROCKETMQ_HOME/bin/mqcontroller" -c "$conf"`, ControllerMain)),
		env:       []corev1.EnvVar{podNameEnv, envValue("JAVA_OPT_EXT", b.javaOptions(cs.Resources, cs.JVM, jvm.Controller))},
		ports:     ports,
		mounts:    []corev1.VolumeMount{cfgMount, dataMount},
		volumes:   append([]corev1.Volume{cfgVol}, dataVols...),
		scratch:   []scratch{{"logs", LogsPath, controllerLogs}, {"tmp", TmpPath, tmpSize}},
		diskStore: diskStore(out.Volume),
		resources: b.resources(cs.Resources),
		probes:    tcpProbes("controller", "controller", 120),
		init:      init,
	})
	return out
}

// ControllerConfigFile names the file of controller i in the controllers' ConfigMap.
func ControllerConfigFile(i int) string { return fmt.Sprintf("controller-%d.conf", i) }

// NameServerConfigFile names the file of name server i when the name servers embed controllers.
func NameServerConfigFile(i int) string { return fmt.Sprintf("namesrv-%d.conf", i) }

// proxyConfig writes rmq-proxy.json: the keys rocketops owns, then the user's, each as the JSON type of
// its ProxyConfig field (the proxy reads the file into ProxyConfig with a JSON binder).
func (b *builder) proxyConfig(namesrv []string, mode string) string {
	c := b.c
	cfg := map[string]any{
		"rocketMQClusterName": c.Spec.Brokers.ClusterName,
		"namesrvAddr":         strings.Join(namesrv, ";"),
		"grpcServerPort":      spec.ProxyGRPCPort,
		"proxyMode":           mode,
	}
	if b.proxyRemoting() {
		cfg["remotingListenPort"] = spec.ProxyRemotingPort
	}
	for k, v := range b.proxyAuthKeys() {
		cfg[k] = v
	}
	for _, p := range b.metricsKeys(catalog.Proxy, b.c.Spec.Metrics.Port) {
		cfg[p.k] = jsonValue(b.proxyKeyType(p.k), p.v)
	}
	if b.hasKey(catalog.Proxy, "useEndpointPortFromRequest") {
		// gRPC clients get back the endpoint they connected to with the port replaced by grpcServerPort, unless
		// this is on (RouteActivity.java at rocketmq-all-5.3.3): behind a Service port or node port other than
		// 8081 they would be sent to a port nobody listens on.
		cfg["useEndpointPortFromRequest"] = true
	}
	for k, v := range c.Spec.Proxy.Config {
		cfg[k] = jsonValue(b.proxyKeyType(k), v)
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out strings.Builder
	out.WriteString("{\n")
	for i, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(cfg[k])
		if err != nil {
			b.fail(err)
		}
		sep := ","
		if i == len(keys)-1 {
			sep = ""
		}
		fmt.Fprintf(&out, "  %s: %s%s\n", kb, vb, sep)
	}
	out.WriteString("}\n")
	return out.String()
}

// proxyRemoting reports whether the version's proxy has the remoting endpoint (remotingListenPort, from
// 5.1.0 on; 5.0.0's proxy serves gRPC only).
func (b *builder) proxyRemoting() bool { return b.hasKey(catalog.Proxy, "remotingListenPort") }

func (b *builder) proxyKeyType(k string) string {
	key, ok := catalog.Lookup(catalog.Proxy, b.c.Spec.Version, k)
	if !ok {
		return "String"
	}
	return key.Type
}

// jsonValue turns a validated property text into the JSON value of a field of the Java type t.
func jsonValue(t, v string) any {
	switch t {
	case "int", "long":
		// Java's parseInt takes "+32" and "010"; JSON numbers are written without either.
		if n, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64); err == nil {
			return n
		}
	case "double", "float":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case "boolean":
		return v == "true"
	}
	return v
}

// proxy resolves the proxy: a Deployment in cluster mode, or the Service and configuration of the
// proxies inside the brokers in local mode.
func (b *builder) proxy(namesrv []string) *Proxy {
	c := b.c
	ps := c.Spec.Proxy
	out := &Proxy{
		Mode:       ps.Mode,
		ConfigMap:  names.ProxyConfig(c.Metadata.Name),
		ConfigFile: "rmq-proxy.json",
		Config:     b.proxyConfig(namesrv, ps.Mode),
		Service: ProxyService{
			Name: names.Proxy(c.Metadata.Name), Type: ps.Service.Type,
			GRPCPort: ps.Service.GRPCPort, GRPCNodePort: ps.Service.GRPCNodePort,
			Annotations:              orEmpty(ps.Service.Annotations),
			ExternalTrafficPolicy:    ps.Service.ExternalTrafficPolicy,
			LoadBalancerSourceRanges: ps.Service.LoadBalancerSourceRanges,
		},
	}
	remoting := b.proxyRemoting()
	if remoting {
		out.Service.RemotingPort, out.Service.RemotingNodePort = ps.Service.RemotingPort, ps.Service.RemotingNodePort
	}
	if ps.Mode == spec.ProxyLocal {
		out.Service.Selector = b.selector("broker")
		return out
	}
	sel := b.selector("proxy")
	out.Service.Selector = sel
	out.Deployment = names.Proxy(c.Metadata.Name)
	out.PDB = names.Proxy(c.Metadata.Name)
	out.Replicas = *ps.Replicas
	pod := b.pod(spec.ComponentProxy, ps.Placement, sel, nil, out.Config, proxyGrace)
	ports := []corev1.ContainerPort{tcpPort("grpc", spec.ProxyGRPCPort)}
	live := "grpc"
	if remoting {
		ports = append(ports, tcpPort("remoting", spec.ProxyRemotingPort))
		live = "remoting"
	} else {
		out.Annotations = identicalProbes
	}
	if mp := b.metricsPort(catalog.Proxy, c.Spec.Metrics.Port); mp != nil && ps.Mode == spec.ProxyCluster {
		ports = append(ports, mp...)
		metricsAnnotations(&pod, c.Spec.Metrics.Port)
	}
	img := image(c.Spec.Images.Proxy)
	cfgMount, cfgVol := configVolume(out.ConfigMap)
	w := workload{
		name: "proxy", image: img, pull: c.Spec.Images.Proxy.PullPolicy,
		env:       []corev1.EnvVar{envValue("JAVA_OPT_EXT", joinOptions(b.javaOptions(ps.Resources, ps.JVM, jvm.Proxy), proxyJavaOptions))},
		ports:     ports,
		mounts:    []corev1.VolumeMount{cfgMount},
		volumes:   []corev1.Volume{cfgVol},
		scratch:   []scratch{{"logs", LogsPath, proxyLogs}, {"tmp", TmpPath, tmpSize}},
		resources: b.resources(ps.Resources),
		// The proxy has no health service, neither gRPC nor HTTP (proxy/src/main/java at rocketmq-all-5.0.0
		// and 5.3.3), so the probes connect: readiness to gRPC, liveness to remoting where there is one.
		probes: tcpProbes("grpc", live, 120),
	}
	cfg := ConfigPath + "/" + out.ConfigFile
	prepare := "set -u\n"
	if prep := b.proxyAuth(&w, cfg); prep != "" {
		prepare += prep
		cfg = TmpPath + "/" + out.ConfigFile
	}
	w.command = shellCommand(supervise(prepare, fmt.Sprintf(`"$ROCKETMQ_HOME/bin/mqproxy" -pm cluster -pc %s`, cfg), ProxyMain))
	b.finish(&pod, w)
	out.Pod = &pod
	return out
}

// ordinalScript starts a process whose configuration file is picked by the pod's ordinal from the
// ConfigMap (<prefix>-<ordinal>.conf), under the supervisor.
func ordinalScript(prefix, launcher, main string) string {
	prepare := fmt.Sprintf(`set -u
id=${POD_NAME##*-}
case "$id" in '' | *[!0-9]*) echo "rocketops: pod name $POD_NAME does not end in an ordinal" >&2; exit 1 ;; esac
conf=%s/%s-$id.conf
if [ ! -f "$conf" ]; then echo "rocketops: no $conf: ordinal $id is not in the spec" >&2; exit 1; fi
`, ConfigPath, prefix)
	return supervise(prepare, launcher, main)
}
