package spec

// Default images.
const (
	RocketMQImage = "apache/rocketmq"
	ConsoleImage  = "apacherocketmq/rocketmq-dashboard"
	// ConsoleVersion is the dashboard version, and image tag, used when the spec names none.
	ConsoleVersion = "2.0.0"
	// ExporterImage and ExporterTag are the community rocketmq-exporter's image; the project publishes
	// 0.0.2-snapshot on Docker Hub (apache/rocketmq-exporter issue #153) and no release tag.
	ExporterImage = "apache/rocketmq-exporter"
	ExporterTag   = "0.0.2-snapshot"
)

// Default ports and kinds.
const (
	// DLedgerPort is the port of a broker's DLedger server, the one its entry in dLegerPeers names; the
	// RocketMQ DLedger quick start uses 40911.
	DLedgerPort = 40911
	// ProxyGRPCPort and ProxyRemotingPort are ProxyConfig's grpcServerPort and remotingListenPort
	// defaults (proxy/src/main/java/org/apache/rocketmq/proxy/config/ProxyConfig.java, rocketmq-all-5.3.3).
	ProxyGRPCPort     = 8081
	ProxyRemotingPort = 8080
	// ControllerDLedger and ControllerJRaft are the controller types rocketops writes.
	ControllerDLedger = "DLedger"
	ControllerJRaft   = "jRaft"
	// LocalStorageClassSuffix ends the name of the StorageClass of local volumes when the spec names
	// none: <namespace>-<cluster>-local, so two clusters (or environments) never share one, since a
	// StorageClass is cluster-scoped and each would claim it as its own.
	LocalStorageClassSuffix = "-local"
	// MetricsPort is metricsPromExporterPort's default (BrokerConfig.java at rocketmq-all-5.3.3) and the
	// exporter's server.port (rocketmq-exporter application.yml).
	MetricsPort = 5557
)

// versionBefore reports whether dotted version a is older than b; both are releases the schema admits.
func versionBefore(a, b string) bool {
	pa, pb := splitVersion(a), splitVersion(b)
	for i := 0; i < 3; i++ {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return false
}

func splitVersion(v string) [3]int {
	var out [3]int
	part := 0
	for _, c := range v {
		switch {
		case c == '.':
			part++
			if part > 2 {
				return out
			}
		case c >= '0' && c <= '9':
			out[part] = out[part]*10 + int(c-'0')
		}
	}
	return out
}

// Default fills every field the user left out with the value the schema documents, so that the
// validator and the planner see one complete spec. Resources are defaulted only when a component
// declares none: a component that declares some gets exactly those, with Kubernetes' own rule that
// a missing request equals its limit.
func (c *Cluster) Default() {
	if c.Metadata.Namespace == "" {
		c.Metadata.Namespace = "default"
	}
	s := &c.Spec
	if s.ClusterDomain == "" {
		s.ClusterDomain = "cluster.local"
	}
	defaultImage(&s.Images.NameServer, RocketMQImage, s.Version)
	defaultImage(&s.Images.Broker, RocketMQImage, s.Version)
	defaultImage(&s.Images.Controller, RocketMQImage, s.Version)
	defaultImage(&s.Images.Proxy, RocketMQImage, s.Version)
	defaultImage(&s.Images.Exporter, ExporterImage, ExporterTag)
	if s.Console.Version == "" {
		s.Console.Version = ConsoleVersion
	}
	defaultImage(&s.Images.Console, ConsoleImage, s.Console.Version)
	if s.NetworkPolicy.Enabled == nil {
		// NetworkPolicies select pods, and host-networked pods are the node to a network plugin: no
		// policy applies to them, and rules that admit them by pod label admit nothing.
		t := !isTrue(s.NameServer.HostNetwork) && !isTrue(s.Brokers.HostNetwork)
		s.NetworkPolicy.Enabled = &t
	}

	ns := &s.NameServer
	ns.Replicas = intOr(ns.Replicas, 1)
	ns.HostNetwork = boolOr(ns.HostNetwork, false)
	defaultResources(&ns.Resources, "250m", "1Gi")
	if ns.Storage.Mode == "" {
		ns.Storage.Mode = "emptyDir"
		if b := s.Brokers; b.Mode == ControllerMode && s.Controller.Mode == ControllerEmbedded {
			// An embedded controller keeps its raft log in the name server's store.
			ns.Storage.Mode = "persistentVolumeClaim"
		}
	}
	defaultStorage(&ns.Storage, "1Gi", c.localClass())
	defaultSpread(&ns.Placement, "preferred")

	b := &s.Brokers
	if b.ClusterName == "" {
		b.ClusterName = "DefaultCluster"
	}
	if b.Groups.Count == 0 && b.Groups.Named == nil {
		b.Groups.Count = 1
	}
	b.Slaves = intOr(b.Slaves, 0)
	if b.Mode == "" {
		b.Mode = MasterSlave
	}
	switch b.Mode {
	case DLedger:
		b.Members = intOr(b.Members, 3)
	case ControllerMode:
		b.Members = intOr(b.Members, 2)
		b.InSyncReplicas = intOr(b.InSyncReplicas, 1)
		b.MinInSyncReplicas = intOr(b.MinInSyncReplicas, 1)
	}
	if b.DLedger.Port == 0 {
		b.DLedger.Port = DLedgerPort
	}
	b.HostNetwork = boolOr(b.HostNetwork, false)
	if b.Replication == "" {
		b.Replication = "ASYNC"
	}
	if b.FlushDiskType == "" {
		b.FlushDiskType = "ASYNC_FLUSH"
	}
	if b.InSyncReplicas == nil && b.Replication == "SYNC" && !IsV4(s.Version) {
		b.InSyncReplicas = intOr(nil, 2)
	}
	defaultResources(&b.Resources, "500m", "2Gi")
	if b.Storage.Mode == "" {
		b.Storage.Mode = "persistentVolumeClaim"
	}
	defaultStorage(&b.Storage, "8Gi", c.localClass())
	if b.CommitLogStorage != nil {
		if b.CommitLogStorage.Mode == "" {
			b.CommitLogStorage.Mode = "persistentVolumeClaim"
		}
		defaultStorage(b.CommitLogStorage, "8Gi", c.localClass())
	}
	defaultSpread(&b.Placement, "required")

	ctl := &s.Controller
	if ctl.Mode == "" {
		ctl.Mode = ControllerStandalone
	}
	if ctl.Type == "" {
		ctl.Type = ControllerDLedger
	}
	ctl.Replicas = intOr(ctl.Replicas, 3)
	defaultResources(&ctl.Resources, "250m", "1Gi")
	if ctl.Storage.Mode == "" {
		ctl.Storage.Mode = "persistentVolumeClaim"
	}
	defaultStorage(&ctl.Storage, "2Gi", c.localClass())
	defaultSpread(&ctl.Placement, "required")

	if d := s.Placement.DedicatedNodes; d != nil {
		if d.Effect == "" {
			d.Effect = "NoSchedule"
		}
		if len(d.Components) == 0 {
			d.Components = append([]string{}, AllComponents...)
		}
	}

	au := &s.Auth
	au.Enabled = boolOr(au.Enabled, false)
	if au.Mode == "" {
		au.Mode = AuthACL1
		if !versionBefore(s.Version, "5.3.0") {
			au.Mode = AuthACL2
		}
	}
	au.Authorization = boolOr(au.Authorization, true)

	m := &s.Metrics
	m.Enabled = boolOr(m.Enabled, false)
	if m.Port == 0 {
		m.Port = MetricsPort
	}
	// The brokers export metrics themselves from 5.1.0 on; before, only the exporter can.
	m.Exporter.Enabled = boolOr(m.Exporter.Enabled, versionBefore(s.Version, "5.1.0"))
	defaultResources(&m.Exporter.Resources, "100m", "512Mi")
	defaultSpread(&m.Exporter.Placement, "preferred")
	if m.Monitor == "" {
		m.Monitor = "none"
	}
	m.Rules.Enabled = boolOr(m.Rules.Enabled, false)
	if m.Rules.ConsumerLag == 0 {
		m.Rules.ConsumerLag = 10000
	}
	if m.Rules.ReplicationLagBytes == 0 {
		m.Rules.ReplicationLagBytes = 100 << 20
	}

	px := &s.Proxy
	px.Enabled = boolOr(px.Enabled, false)
	if px.Mode == "" {
		px.Mode = ProxyCluster
	}
	px.Replicas = intOr(px.Replicas, 2)
	if px.Service.Type == "" {
		px.Service.Type = "ClusterIP"
	}
	if px.Service.GRPCPort == 0 {
		px.Service.GRPCPort = ProxyGRPCPort
	}
	if px.Service.RemotingPort == 0 {
		px.Service.RemotingPort = ProxyRemotingPort
	}
	if px.Mode == ProxyCluster {
		defaultResources(&px.Resources, "500m", "2Gi")
		defaultSpread(&px.Placement, "preferred")
	}

	con := &s.Console
	if con.Enabled == nil {
		t := true
		con.Enabled = &t
	}
	con.Replicas = intOr(con.Replicas, 1)
	if con.Service.Type == "" {
		con.Service.Type = "ClusterIP"
	}
	if con.Service.Port == 0 {
		con.Service.Port = 8080
	}
	defaultResources(&con.Resources, "100m", "512Mi")
	defaultSpread(&con.Placement, "preferred")

	c.defaultGitOps()
}

// GitOps defaults. Argo CD and Flux install into these namespaces by default.
const (
	ArgoCDNamespace    = "argocd"
	FluxNamespace      = "flux-system"
	DefaultRevision    = "main"
	InClusterServer    = "https://kubernetes.default.svc"
	DefaultFluxSource  = "GitRepository"
	DefaultFluxTimeout = "15m"
)

func (c *Cluster) defaultGitOps() {
	g := &c.Spec.GitOps
	if g.Revision == "" {
		g.Revision = DefaultRevision
	}
	if g.Source == "" {
		g.Source = SourceKustomize
	}
	if g.Path == "" {
		g.Path = "."
	}
	if a := g.ArgoCD; a != nil {
		if a.Namespace == "" {
			a.Namespace = ArgoCDNamespace
		}
		a.CreateProject = boolOr(a.CreateProject, true)
		if a.Project == "" {
			a.Project = "default"
			if *a.CreateProject {
				a.Project = c.Metadata.Name
			}
		}
		a.Automated = boolOr(a.Automated, true)
		a.Prune = boolOr(a.Prune, true)
		a.SelfHeal = boolOr(a.SelfHeal, true)
		if a.SyncOptions == nil {
			// Server-side apply: the broker ConfigMaps and StatefulSets outgrow the 256 KiB
			// last-applied annotation client-side apply needs. PruneLast: removed objects go after
			// every wave is healthy.
			a.SyncOptions = []string{"CreateNamespace=true", "ServerSideApply=true", "PruneLast=true"}
		}
		if a.ApplicationSet != nil {
			a.ApplicationSet.Enabled = boolOr(a.ApplicationSet.Enabled, true)
			if a.ApplicationSet.Generator == "" {
				a.ApplicationSet.Generator = "list"
			}
		}
		if g.Destination.Server == "" && g.Destination.Name == "" {
			g.Destination.Server = InClusterServer
		}
	}
	if f := g.Flux; f != nil {
		if f.Namespace == "" {
			f.Namespace = FluxNamespace
		}
		if f.SourceKind == "" {
			f.SourceKind = DefaultFluxSource
		}
		if f.Interval == "" {
			f.Interval = "10m"
		}
		if f.RetryInterval == "" {
			f.RetryInterval = "2m"
		}
		if f.Timeout == "" {
			f.Timeout = DefaultFluxTimeout
		}
		f.Prune = boolOr(f.Prune, true)
		f.Wait = boolOr(f.Wait, true)
		if f.DriftDetection == nil {
			f.DriftDetection = &DriftDetection{}
		}
		if f.DriftDetection.Mode == "" {
			f.DriftDetection.Mode = "enabled"
		}
	}
}

// GroupList returns the broker groups by name, in order, with per-group slaves resolved.
func (b *Brokers) GroupList() []Group {
	if b.Groups.Named != nil {
		out := make([]Group, len(b.Groups.Named))
		for i, g := range b.Groups.Named {
			out[i] = g
			if g.Slaves == nil {
				out[i].Slaves = b.Slaves
			}
			if g.Members == nil {
				out[i].Members = b.Members
			}
		}
		return out
	}
	out := make([]Group, b.Groups.Count)
	for i := range out {
		out[i] = Group{Name: "broker-" + itoa(i), Slaves: b.Slaves, Members: b.Members}
	}
	return out
}

// Size is the number of pods of a group of a resolved GroupList: the master and its slaves, or the
// members of a dledger or controller group.
func (g Group) Size(mode string) int {
	if mode == MasterSlave || mode == "" || g.Members == nil {
		return *g.Slaves + 1
	}
	return *g.Members
}

// IsV4 reports whether version is a 4.x release.
func IsV4(version string) bool { return len(version) >= 2 && version[:2] == "4." }

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func isTrue(p *bool) bool { return p != nil && *p }

func boolOr(p *bool, v bool) *bool {
	if p != nil {
		return p
	}
	return &v
}

func intOr(p *int, v int) *int {
	if p != nil {
		return p
	}
	return &v
}

func defaultImage(img *Image, repo, tag string) {
	if img.Repository == "" {
		img.Repository = repo
	}
	if img.Tag == "" {
		img.Tag = tag
	}
	if img.PullPolicy == "" {
		img.PullPolicy = "IfNotPresent"
	}
}

func defaultResources(r *Resources, cpu, memory string) {
	if len(r.Requests) == 0 && len(r.Limits) == 0 {
		r.Requests = map[string]Quantity{"cpu": Quantity(cpu), "memory": Quantity(memory)}
		r.Limits = map[string]Quantity{"memory": Quantity(memory)}
		return
	}
	for k, v := range r.Limits {
		if _, ok := r.Requests[k]; !ok {
			if r.Requests == nil {
				r.Requests = map[string]Quantity{}
			}
			r.Requests[k] = v
		}
	}
}

// localClass is the StorageClass of local volumes when the spec names none.
func (c *Cluster) localClass() string {
	return c.Metadata.Namespace + "-" + c.Metadata.Name + LocalStorageClassSuffix
}

func defaultStorage(st *Storage, size, localClass string) {
	// A disk-backed emptyDir gets a size limit too: the pod's ephemeral-storage limit must cover it,
	// or the kubelet would evict the pod as the store grows.
	if st.Mode == "emptyDir" && st.Medium == "" && st.Size == "" {
		st.Size = Quantity(size)
	}
	if st.Mode == "local" {
		if st.Size == "" {
			st.Size = Quantity(size)
		}
		if st.StorageClass == nil {
			st.StorageClass = &localClass
		}
		if len(st.AccessModes) == 0 {
			st.AccessModes = []string{"ReadWriteOnce"}
		}
		if st.Local != nil && st.Local.CreateStorageClass == nil {
			t := true
			st.Local.CreateStorageClass = &t
		}
	}
	if st.Mode == "nfs" {
		if st.Size == "" {
			st.Size = Quantity(size)
		}
		if len(st.AccessModes) == 0 {
			st.AccessModes = []string{"ReadWriteMany"}
		}
	}
	if st.Mode == "persistentVolumeClaim" {
		if st.Size == "" {
			st.Size = Quantity(size)
		}
		if len(st.AccessModes) == 0 {
			st.AccessModes = []string{"ReadWriteOnce"}
		}
	}
}

func defaultSpread(p *Placement, v string) {
	if p.SpreadMembers == "" {
		p.SpreadMembers = v
	}
	if p.ZoneSpread == "" {
		p.ZoneSpread = "preferred"
	}
}
