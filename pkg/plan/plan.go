// Package plan resolves a valid, defaulted spec into one Plan per environment: every name, address,
// port, configuration file, JVM flag, volume and placement rule. It is the only place where the
// compiler decides what the user means; blueprints and emitters only read the plan. It trusts
// package validate to have refused what cannot be built, so a failure here is a bug of rocketops.
package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/jvm"
	"github.com/rocketops/rocketops/pkg/names"
	"github.com/rocketops/rocketops/pkg/spec"
)

// Fixed facts of the official image and of RocketMQ.
const (
	NameServerPort   = 9876
	BrokerListenPort = 10911 // fast channel listenPort-2, HA listenPort+1
	StorePath        = Home + "/store"
	NameServerPath   = Home + "/namesrv"
	hostnameTopology = "kubernetes.io/hostname"
	zoneTopology     = "topology.kubernetes.io/zone"
)

// Grace periods: how long a process may take to stop after SIGTERM before the kubelet kills it.
const (
	// brokerGrace covers BrokerController.shutdown (apache/rocketmq broker/.../BrokerController.java at
	// rocketmq-all-5.3.3 and 4.9.8): unregistering from each name server in turn (3 s timeout each),
	// the message store's shutdown (DefaultMessageStore: a fixed 3 s sleep in 5.3.3, 1 s in 4.9.8, and
	// waits of up to 3 s), up to 5 s per scheduled executor, and the commitlog's last flush (up to 10
	// tries, RETRY_TIMES_OVER): 10–25 s normally, more on a slow disk with much dirty page cache.
	brokerGrace = 90
	// nameServerGrace and consoleGrace cover closing their servers and thread pools.
	nameServerGrace = 30
	consoleGrace    = 30
)

// Label keys rocketops sets.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelVersion   = "app.kubernetes.io/version"
	LabelGroup     = "rocketops.dev/broker-group"
	// LabelNamespace names, on a cluster-scoped object, the namespace of the cluster it belongs to.
	LabelNamespace = "rocketops.dev/namespace"
	// AnnotationChecksum changes when a pod's configuration file changes, so the pod rolls.
	AnnotationChecksum = "rocketops.dev/config-checksum"
)

// Build resolves one environment of a valid, defaulted cluster.
func Build(env string, c *spec.Cluster) (*Plan, error) {
	b := &builder{c: c}
	p := &Plan{
		Environment: env,
		Name:        c.Metadata.Name,
		Namespace:   c.Metadata.Namespace,
		Version:     c.Spec.Version,
		Labels:      b.commonLabels(),
		Annotations: orEmpty(c.Metadata.Annotations),
	}
	p.NameServer = b.nameServer()
	var ctlAddrs []string
	if c.Spec.Brokers.Mode == spec.ControllerMode {
		if c.Spec.Controller.Mode == spec.ControllerStandalone {
			p.Controller = b.controller()
		}
		ctlAddrs = b.controllerAddresses(p.NameServer, p.Controller)
	}
	if *c.Spec.Proxy.Enabled {
		p.Proxy = b.proxy(p.NameServer.Addresses)
	}
	p.Brokers = b.brokers(p.NameServer.Addresses, ctlAddrs, p.Proxy)
	if *c.Spec.Console.Enabled {
		p.Console = b.console(p.NameServer.Addresses)
	}
	p.NetworkPolicies = []NetworkPolicy{}
	if *c.Spec.NetworkPolicy.Enabled {
		p.NetworkPolicies = b.networkPolicies(p)
	}
	p.Metrics = b.metrics(p)
	if *c.Spec.NetworkPolicy.Enabled && p.Metrics != nil {
		p.NetworkPolicies = b.metricsPolicies(p)
	}
	p.StorageClasses, p.PersistentVolumes, p.Claims = b.out.StorageClasses, b.out.PersistentVolumes, b.out.Claims
	p.Sync, p.Keep = syncAnnotations(c, p), keepAnnotations()
	if b.err != nil {
		return nil, diag.Internal(b.err, "plan %s", env)
	}
	return p, nil
}

type builder struct {
	c   *spec.Cluster
	err error
	// out collects the storage objects the workloads' volumes need.
	out struct {
		StorageClasses    []StorageClass
		PersistentVolumes []PersistentVolume
		Claims            []Claim
	}
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) commonLabels() map[string]string {
	l := map[string]string{}
	for k, v := range b.c.Metadata.Labels {
		l[k] = v
	}
	l[LabelName] = "rocketmq"
	l[LabelInstance] = b.c.Metadata.Name
	l[LabelManagedBy] = "rocketops"
	l[LabelVersion] = b.c.Spec.Version
	return l
}

func (b *builder) selector(component string, extra ...string) map[string]string {
	s := map[string]string{LabelName: "rocketmq", LabelInstance: b.c.Metadata.Name, LabelComponent: component}
	for i := 0; i+1 < len(extra); i += 2 {
		s[extra[i]] = extra[i+1]
	}
	return s
}

func (b *builder) nameServer() NameServer {
	c := b.c
	ns := c.Spec.NameServer
	n := NameServer{
		StatefulSet:     names.NameServer(c.Metadata.Name),
		Service:         names.NameServer(c.Metadata.Name),
		HeadlessService: names.NameServerHeadless(c.Metadata.Name),
		ConfigMap:       names.NameServerConfig(c.Metadata.Name),
		Replicas:        *ns.Replicas,
		Port:            NameServerPort,
		ConfigFile:      "namesrv.conf",
	}
	for i := 0; i < n.Replicas; i++ {
		n.Addresses = append(n.Addresses, fmt.Sprintf("%s-%d.%s.%s.svc.%s:%d", n.StatefulSet, i, n.HeadlessService, c.Metadata.Namespace, c.Spec.ClusterDomain, NameServerPort))
	}
	nsOwned := []kv{
		{"listenPort", fmt.Sprint(NameServerPort)},
		{"kvConfigPath", NameServerPath + "/kvConfig.json"},
		{"configStorePath", NameServerPath + "/namesrv.properties"},
	}
	embedded := c.Spec.Brokers.Mode == spec.ControllerMode && c.Spec.Controller.Mode == spec.ControllerEmbedded
	checksummed := ""
	if embedded {
		// Each name server runs a controller with its own id, so each gets its own file.
		n.Files = map[string]string{}
		n.ControllerPort = ControllerPort
		host := func(j int) string {
			return fmt.Sprintf("%s-%d.%s.%s.svc.%s", n.StatefulSet, j, n.HeadlessService, c.Metadata.Namespace, c.Spec.ClusterDomain)
		}
		var all strings.Builder
		for i := 0; i < n.Replicas; i++ {
			owned := append(append(append([]kv{}, nsOwned...), kv{"enableControllerInNamesrv", "true"}), b.controllerKeys(i, n.Replicas, host, NameServerPath+"/controller")...)
			file := NameServerConfigFile(i)
			n.Files[file] = properties("name server", owned, mergeProps(ns.Config, c.Spec.Controller.Config))
			all.WriteString(file + "\n" + n.Files[file])
		}
		checksummed = all.String()
	} else {
		n.Config = properties("name server", nsOwned, ns.Config)
		checksummed = n.Config
	}
	n.Volume = b.volume("data", NameServerPath, ns.Storage, n.StatefulSet)
	b.storage(&n.Volume, ns.Storage, "namesrv", "", n.StatefulSet, n.Replicas, localNodes(ns.Storage))
	v4 := spec.IsV4(c.Spec.Version)
	// The name server has one port, so readiness and liveness both connect to it; they differ in
	// period and thresholds only, which kube-score's pod-probes-identical does not look at.
	n.Annotations = map[string]string{"kube-score/ignore": "pod-probes-identical"}
	sel := b.selector("namesrv")
	n.Pod = b.pod(spec.ComponentNameServer, ns.Placement, sel, nil, checksummed, nameServerGrace)
	n.Pod.HostNetwork = *ns.HostNetwork
	img := image(c.Spec.Images.NameServer)
	cfgMount, cfgVol := configVolume(n.ConfigMap)
	dataMount, dataVols, init := dataVolume(n.Volume, img, c.Spec.Images.NameServer.PullPolicy)
	command := nameServerScript(n.ConfigFile)
	nsPorts := []corev1.ContainerPort{tcpPort("namesrv", n.Port)}
	if embedded {
		command = ordinalScript("namesrv", `"$ROCKETMQ_HOME/bin/mqnamesrv" -c "$conf"`, NameServerMain)
		nsPorts = append(nsPorts, tcpPort("controller", n.ControllerPort))
		if c.Spec.Controller.Type == spec.ControllerJRaft {
			n.RaftPort = ControllerRaftPort
			nsPorts = append(nsPorts, tcpPort("raft", n.RaftPort))
		}
	}
	b.finish(&n.Pod, workload{
		name: "namesrv", image: img, pull: c.Spec.Images.NameServer.PullPolicy,
		command:   shellCommand(command),
		env:       nameServerEnv(n.Volume, embedded, b.javaOptions(ns.Resources, ns.JVM, jvm.NameServer)),
		ports:     nsPorts,
		mounts:    []corev1.VolumeMount{cfgMount, dataMount},
		volumes:   append([]corev1.Volume{cfgVol}, dataVols...),
		scratch:   []scratch{{"logs", LogsPath, pick(v4, nameServerLogsV4, nameServerLogsV5)}, {"tmp", TmpPath, tmpSize}},
		diskStore: diskStore(n.Volume),
		resources: b.resources(ns.Resources),
		probes:    tcpProbes("namesrv", "namesrv", 120),
		init:      init,
	})
	return n
}

func (b *builder) brokers(namesrv, ctlAddrs []string, px *Proxy) Brokers {
	c := b.c
	bs := c.Spec.Brokers
	out := Brokers{
		ClusterName:     bs.ClusterName,
		Mode:            bs.Mode,
		HeadlessService: names.BrokerHeadless(c.Metadata.Name),
		Ports:           Ports{Listen: BrokerListenPort, Fast: BrokerListenPort - 2, HA: BrokerListenPort + 1},
	}
	if bs.Mode == spec.DLedger {
		out.Ports.DLedger = bs.DLedger.Port
	}
	if b.metricsOn() {
		out.Ports.Metrics = c.Spec.Metrics.Port
	}
	if px != nil && px.Mode == spec.ProxyLocal {
		out.Ports.GRPC = spec.ProxyGRPCPort
		if px.Service.RemotingPort != 0 {
			out.Ports.Remoting = spec.ProxyRemotingPort
		}
	}
	nodes := LocalNodes(bs)
	for i, g := range bs.GroupList() {
		out.Groups = append(out.Groups, b.group(g, out, b.groupPorts(out.Ports, i), namesrv, ctlAddrs, px, nodes[i]))
	}
	return out
}

// group resolves one broker group: one StatefulSet whose pod ordinal is the brokerId.
func (b *builder) group(g spec.Group, bs Brokers, ports Ports, namesrv, ctlAddrs []string, px *Proxy, nodes []string) Group {
	c := b.c
	bc := c.Spec.Brokers
	group := Group{
		Name:           g.Name,
		StatefulSet:    names.BrokerGroup(c.Metadata.Name, g.Name),
		PDB:            names.BrokerGroup(c.Metadata.Name, g.Name),
		ConfigMap:      names.BrokerConfig(c.Metadata.Name, g.Name),
		Replicas:       g.Size(bc.Mode),
		Ports:          ports,
		SelectorLabels: b.selector("broker", LabelGroup, g.Name),
		Files:          map[string]string{},
	}
	group.Volume = b.volume("store", StorePath, bc.Storage, group.StatefulSet)
	if bc.CommitLogStorage != nil {
		// A hostPath commitlog gets folders of its own beside the store's.
		v := b.volume("commitlog", CommitLogPath, *bc.CommitLogStorage, group.StatefulSet+"-commitlog")
		group.CommitLog = &v
	}
	var all strings.Builder
	for id := 0; id < group.Replicas; id++ {
		m := Member{Pod: fmt.Sprintf("%s-%d", group.StatefulSet, id), Role: "master", BrokerID: id}
		switch {
		case bc.Mode != spec.MasterSlave:
			m.Role = "elected"
		case id > 0:
			m.Role = "slave"
		}
		if bc.Mode == spec.DLedger {
			m.DLedgerID = fmt.Sprintf("n%d", id)
		}
		m.Address = fmt.Sprintf("%s.%s.%s.svc.%s", m.Pod, bs.HeadlessService, c.Metadata.Namespace, c.Spec.ClusterDomain)
		group.Members = append(group.Members, m)
	}
	for _, m := range group.Members {
		file := BrokerConfigFile(m.BrokerID)
		owned := append(append(append(b.brokerOwned(ports, namesrv, g.Name, m.BrokerID, group.Replicas, group.CommitLog != nil), b.modeOwned(group, m, ctlAddrs)...),
			b.brokerAuthKeys()...), b.metricsKeys(catalog.Broker, ports.Metrics)...)
		group.Files[file] = properties("broker", owned, mergeProps(bc.Config, g.Config))
		all.WriteString(file + "\n" + group.Files[file])
	}
	local := px != nil && px.Mode == spec.ProxyLocal
	if local {
		// Each broker's proxy reads the same rmq-proxy.json, so a change to it rolls the brokers too.
		all.WriteString(px.ConfigFile + "\n" + px.Config)
	}
	b.storage(&group.Volume, bc.Storage, "broker", g.Name, group.StatefulSet, group.Replicas, nodes)
	if group.CommitLog != nil {
		b.storage(group.CommitLog, *bc.CommitLogStorage, "broker", g.Name, group.StatefulSet, group.Replicas, nodes)
	}
	group.Pod = b.pod(spec.ComponentBrokers, bc.Placement, group.SelectorLabels, nil, all.String(), brokerGrace)
	group.Pod.HostNetwork = *bc.HostNetwork
	img := image(c.Spec.Images.Broker)
	pull := c.Spec.Images.Broker.PullPolicy
	cfgMount, cfgVol := configVolume(group.ConfigMap)
	dataMount, dataVols, init := dataVolume(group.Volume, img, pull)
	mounts := []corev1.VolumeMount{cfgMount, dataMount}
	volumes := append([]corev1.Volume{cfgVol}, dataVols...)
	diskStores := diskStore(group.Volume)
	if group.CommitLog != nil {
		clMount, clVols, clInit := dataVolume(*group.CommitLog, img, pull)
		mounts = append(mounts, clMount)
		volumes = append(volumes, clVols...)
		init = append(init, clInit...)
		diskStores += diskStore(*group.CommitLog)
	}
	// Under host networking the broker's address is the node's (the same as the pod's there, named so).
	ip := envField("POD_IP", "status.podIP")
	if *bc.HostNetwork {
		ip = envField("POD_IP", "status.hostIP")
	}
	containerPorts := []corev1.ContainerPort{tcpPort("broker", ports.Listen), tcpPort("fast", ports.Fast)}
	if bc.Mode != spec.DLedger {
		containerPorts = append(containerPorts, tcpPort("ha", ports.HA))
	} else {
		containerPorts = append(containerPorts, tcpPort("dledger", ports.DLedger))
	}
	if ports.Metrics != 0 {
		containerPorts = append(containerPorts, tcpPort("metrics", ports.Metrics))
		metricsAnnotations(&group.Pod, ports.Metrics)
	}
	launcher, main := `"$ROCKETMQ_HOME/bin/mqbroker" -c "$conf"`, BrokerMain
	if local {
		// A local-mode proxy starts the broker in its own JVM (ProxyStartup with -pm local -bc, apache/rocketmq
		// proxy/src/main/java/org/apache/rocketmq/proxy/ProxyStartup.java at rocketmq-all-5.3.3).
		launcher = fmt.Sprintf(`"$ROCKETMQ_HOME/bin/mqproxy" -pm local -bc "$conf" -pc %s/%s`, ProxyConfigPath, px.ConfigFile)
		main = ProxyMain
		containerPorts = append(containerPorts, tcpPort("grpc", ports.GRPC))
		if ports.Remoting != 0 {
			containerPorts = append(containerPorts, tcpPort("remoting", ports.Remoting))
		}
		mounts = append(mounts, corev1.VolumeMount{Name: "proxy-config", MountPath: ProxyConfigPath, ReadOnly: true})
		volumes = append(volumes, corev1.Volume{Name: "proxy-config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: px.ConfigMap}}}})
	}
	logs := pick(spec.IsV4(c.Spec.Version), brokerLogsV4, brokerLogsV5)
	if local {
		logs = proxyLogs
	}
	w := workload{
		name: "broker", image: img, pull: pull,
		env: []corev1.EnvVar{
			podNameEnv,
			ip,
			envValue("JAVA_OPT_EXT", joinOptions(b.javaOptions(bc.Resources, bc.JVM, jvm.Broker), append(b.aclJavaOption(), localProxyOptions(local)...))),
		},
		ports:     containerPorts,
		mounts:    mounts,
		volumes:   volumes,
		scratch:   []scratch{{"logs", LogsPath, logs}, {"tmp", TmpPath, tmpSize}},
		diskStore: diskStores,
		resources: b.resources(bc.Resources),
		probes:    tcpProbes("broker", "fast", 300),
		init:      init,
	}
	extra := b.brokerAuth(&w)
	if local {
		if prep := b.proxyAuth(&w, ProxyConfigPath+"/"+px.ConfigFile); prep != "" {
			extra += prep
			launcher = strings.Replace(launcher, ProxyConfigPath+"/"+px.ConfigFile, TmpPath+"/"+px.ConfigFile, 1)
		}
	}
	w.command = shellCommand(brokerScript(launcher, main, extra))
	b.finish(&group.Pod, w)
	return group
}

// localProxyOptions are the proxy's JVM options for a broker that runs one.
func localProxyOptions(local bool) []string {
	if local {
		return proxyJavaOptions
	}
	return nil
}

// nameServerEnv: JVM flags, and the pod's name where a hostPath store needs it for its sub-folder or an
// embedded controller for its file.
func nameServerEnv(v Volume, embedded bool, javaOptions string) []corev1.EnvVar {
	env := []corev1.EnvVar{envValue("JAVA_OPT_EXT", javaOptions)}
	if v.Mode == "hostPath" || v.Mode == "nfs" || embedded {
		env = append([]corev1.EnvVar{podNameEnv}, env...)
	}
	return env
}

// BrokerConfigFile names the configuration file of the member with a brokerId in its group's ConfigMap.
func BrokerConfigFile(brokerID int) string { return fmt.Sprintf("broker-%d.conf", brokerID) }

// brokerOwned are the broker.conf keys rocketops sets for one member: identity, addresses and store,
// and in masterSlave mode the member's brokerId and brokerRole.
func (b *builder) brokerOwned(ports Ports, namesrv []string, group string, id, replicas int, ownCommitLog bool) []kv {
	bc := b.c.Spec.Brokers
	owned := []kv{
		{"brokerClusterName", bc.ClusterName},
		{"brokerName", group},
	}
	if bc.Mode == spec.MasterSlave {
		role := "ASYNC_MASTER"
		if bc.Replication == "SYNC" {
			role = "SYNC_MASTER"
		}
		if id > 0 {
			role = "SLAVE"
		}
		owned = append(owned, kv{"brokerId", fmt.Sprint(id)}, kv{"brokerRole", role})
	}
	owned = append(owned,
		kv{"flushDiskType", bc.FlushDiskType},
		kv{"namesrvAddr", strings.Join(namesrv, ";")},
		kv{"listenPort", fmt.Sprint(ports.Listen)},
	)
	if bc.Mode != spec.DLedger {
		// DLedger groups replicate through DLedger, not the HA service.
		owned = append(owned, kv{"haListenPort", fmt.Sprint(ports.HA)})
	}
	commitLog := StorePath + "/commitlog"
	if ownCommitLog {
		commitLog = CommitLogPath
	}
	owned = append(owned,
		kv{"storePathRootDir", StorePath},
		kv{"storePathCommitLog", commitLog},
	)
	if bc.Mode == spec.MasterSlave && !spec.IsV4(b.c.Spec.Version) && bc.Replication == "SYNC" && bc.InSyncReplicas != nil {
		owned = append(owned, kv{"inSyncReplicas", fmt.Sprint(*bc.InSyncReplicas)}, kv{"totalReplicas", fmt.Sprint(replicas)})
	}
	return owned
}

func (b *builder) console(namesrv []string) *Console {
	c := b.c
	con := c.Spec.Console
	dash := Dashboards[con.Version]
	out := &Console{
		Deployment: names.Console(c.Metadata.Name),
		Service: ConsoleService{
			Name: names.Console(c.Metadata.Name), Type: con.Service.Type, Port: con.Service.Port, NodePort: con.Service.NodePort,
		},
		Replicas: *con.Replicas,
		Version:  con.Version,
		Port:     dash.Port,
	}
	sel := b.selector("console")
	out.Pod = b.pod(spec.ComponentConsole, con.Placement, sel, nil, "", consoleGrace)
	w := workload{
		name: "console", image: image(c.Spec.Images.Console), pull: c.Spec.Images.Console.PullPolicy,
		ports:     []corev1.ContainerPort{tcpPort("http", dash.Port)},
		scratch:   []scratch{{"tmp", TmpPath, consoleTmpSize}},
		resources: b.resources(con.Resources),
		probes:    dash.probes(),
	}
	props, prepare := b.consoleAuth(&w, consoleDataPath)
	opts := strings.Join(append(append(strings.Fields(b.javaOptions(con.Resources, con.JVM, jvm.Console)), dash.properties(namesrv)...), props...), " ")
	w.env = append([]corev1.EnvVar{envValue("JAVA_OPTS", opts)}, w.env...)
	w.command = consoleCommand(prepare)
	b.finish(&out.Pod, w)
	return out
}

// pod resolves where a workload's pods run and what they carry. spreadSel selects the pods that must not
// share a node; nil means the workload's own pods. config is the text whose checksum rolls the pods.
func (b *builder) pod(component string, pl spec.Placement, sel, spreadSel map[string]string, config string, grace int) Pod {
	nodeSelector := map[string]string{}
	for k, v := range pl.NodeSelector {
		nodeSelector[k] = v
	}
	d := b.dedicated(component)
	if d != nil {
		nodeSelector[d.Key] = d.Value
	}
	p := Pod{
		PullSecrets:      append([]string{}, b.c.Spec.Images.PullSecrets...),
		NodeSelector:     nodeSelector,
		PriorityClass:    pl.PriorityClassName,
		SelectorLabels:   sel,
		Labels:           map[string]string{},
		Annotations:      map[string]string{},
		TerminationGrace: grace,
	}
	for k, v := range b.commonLabels() {
		p.Labels[k] = v
	}
	for k, v := range sel {
		p.Labels[k] = v
	}
	if config != "" {
		sum := sha256.Sum256([]byte(config))
		p.Annotations[AnnotationChecksum] = "sha256:" + hex.EncodeToString(sum[:])
	}
	var tol []corev1.Toleration
	if len(pl.Tolerations) > 0 {
		if err := json.Unmarshal(pl.Tolerations, &tol); err != nil {
			b.fail(err)
		}
	}
	if d != nil {
		t := corev1.Toleration{Key: d.Key, Operator: corev1.TolerationOpEqual, Value: d.Value, Effect: corev1.TaintEffect(d.Effect)}
		if d.Value == "" {
			t.Operator, t.Value = corev1.TolerationOpExists, ""
		}
		tol = append(tol, t)
	}
	if p.PriorityClass == "" {
		p.PriorityClass = b.c.Spec.Placement.PriorityClassName
	}
	p.Tolerations = b.marshal(orEmptyList(tol))
	var aff corev1.Affinity
	if len(pl.Affinity) > 0 {
		if err := json.Unmarshal(pl.Affinity, &aff); err != nil {
			b.fail(err)
		}
	}
	if spreadSel == nil {
		spreadSel = sel
	}
	spread(&aff, pl.SpreadMembers, spreadSel)
	p.Affinity = b.marshal(aff)
	if c := zoneSpread(pl.ZoneSpread, spreadSel); c != nil {
		p.TopologySpread = b.marshal(c)
	}
	return p
}

// dedicated returns the dedicated nodes component runs on, or nil.
func (b *builder) dedicated(component string) *spec.DedicatedNodes {
	d := b.c.Spec.Placement.DedicatedNodes
	if d == nil {
		return nil
	}
	for _, c := range d.Components {
		if c == component {
			return d
		}
	}
	return nil
}

// zoneSpread spreads the pods selected by sel evenly over zones: at most one more in any zone.
func zoneSpread(how string, sel map[string]string) []corev1.TopologySpreadConstraint {
	if how != "required" && how != "preferred" {
		return nil
	}
	when := corev1.ScheduleAnyway
	if how == "required" {
		when = corev1.DoNotSchedule
	}
	return []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: zoneTopology, WhenUnsatisfiable: when,
		LabelSelector: &metav1.LabelSelector{MatchLabels: sel},
	}}
}

// javaOptions are the JVM flags of a process: heap and direct memory sized from the memory limit, the
// GC log moved off /dev/shm, then the user's options.
func (b *builder) javaOptions(res spec.Resources, j spec.JVM, role jvm.Role) string {
	limit := int64(0)
	if q, err := resource.ParseQuantity(string(res.Limits["memory"])); err == nil {
		limit = q.Value()
	}
	flags := jvm.Derive(role, limit, quantity(j.Heap), quantity(j.DirectMemory)).Flags()
	if role != jvm.Console {
		flags = append(flags, gcLogFlags...)
	}
	return strings.Join(append(flags, j.Options...), " ")
}

func pick(cond bool, yes, no int64) int64 {
	if cond {
		return yes
	}
	return no
}

func image(img spec.Image) string { return img.Repository + imageSep(img.Tag) + img.Tag }

// spread adds the anti-affinity that keeps pods selected by sel on different nodes.
func spread(a *corev1.Affinity, how string, sel map[string]string) {
	if how == "none" || how == "" {
		return
	}
	if a.PodAntiAffinity == nil {
		a.PodAntiAffinity = &corev1.PodAntiAffinity{}
	}
	term := corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: sel}, TopologyKey: hostnameTopology}
	if how == "required" {
		a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, term)
		return
	}
	a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
		corev1.WeightedPodAffinityTerm{Weight: 100, PodAffinityTerm: term})
}

func (b *builder) marshal(v any) json.RawMessage {
	out, err := json.Marshal(v)
	if err != nil {
		b.fail(err)
	}
	return out
}

// resources writes quantities in canonical form (0.5 becomes 500m, 1024Mi becomes 1Gi), the form the
// API server stores, so that live objects compare equal.
func (b *builder) resources(r spec.Resources) Resources {
	canon := func(in map[string]spec.Quantity) map[string]string {
		out := map[string]string{}
		for k, v := range in {
			q, err := resource.ParseQuantity(string(v))
			if err != nil {
				b.fail(fmt.Errorf("quantity %q: %w", v, err))
				continue
			}
			out[k] = q.String()
		}
		return out
	}
	return Resources{Requests: canon(r.Requests), Limits: canon(r.Limits)}
}

func (b *builder) volume(name, mount string, st spec.Storage, member string) Volume {
	v := Volume{Name: name, Mode: st.Mode, MountPath: mount, Medium: st.Medium}
	switch st.Mode {
	case "persistentVolumeClaim", "local":
		v.Size = canonical(st.Size)
		v.StorageClass = st.StorageClass
		v.AccessModes = st.AccessModes
	case "nfs":
		v.Size = canonical(st.Size)
		v.AccessModes = st.AccessModes
	case "hostPath":
		v.HostPath = strings.TrimRight(st.Path, "/") + "/" + member
	case "emptyDir":
		if st.Size != "" {
			v.Size = canonical(st.Size)
		}
	}
	return v
}

func canonical(q spec.Quantity) string {
	v, err := resource.ParseQuantity(string(q))
	if err != nil {
		return string(q)
	}
	return v.String()
}

func quantity(q spec.Quantity) int64 {
	if q == "" {
		return 0
	}
	v, err := resource.ParseQuantity(string(q))
	if err != nil {
		return 0
	}
	return v.Value()
}

func imageSep(tag string) string {
	if strings.HasPrefix(tag, "sha256:") {
		return "@"
	}
	return ":"
}

type kv struct{ k, v string }

// properties writes a Java properties file: the keys rocketops owns in a fixed order, then the
// user's sorted by key.
func properties(what string, owned []kv, user spec.Properties) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s configuration generated by rocketops\n", what)
	for _, p := range owned {
		fmt.Fprintf(&b, "%s=%s\n", p.k, p.v)
	}
	if len(user) > 0 {
		b.WriteString("# from the spec\n")
		keys := make([]string, 0, len(user))
		for k := range user {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s\n", k, escapeValue(user[k]))
		}
	}
	return b.String()
}

// escapeValue escapes what a properties reader would otherwise misread: backslashes, and characters
// outside ASCII, since RocketMQ reads the file as ISO 8859-1 and takes \uXXXX escapes. The
// validator has already refused values with line breaks or comments.
func escapeValue(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mergeProps(base, over spec.Properties) spec.Properties {
	out := spec.Properties{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func orEmptyList(t []corev1.Toleration) []corev1.Toleration {
	if t == nil {
		return []corev1.Toleration{}
	}
	return t
}
