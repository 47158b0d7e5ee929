package plan

import "encoding/json"

// The plan types are also the values of the Helm chart: charts/rocketmq/values.schema.json is
// generated from them (see Schema), with each field's doc tag as its description.

// Plan is one environment of a cluster with every decision made: names, addresses, ports, the text of
// every configuration file, JVM flags, volumes and placement. Blueprints turn it into objects without
// deciding anything.
type Plan struct {
	Environment string            `json:"environment" doc:"Environment these values were compiled for."`
	Name        string            `json:"name" doc:"Cluster name (metadata.name of the spec); prefixes every object."`
	Namespace   string            `json:"namespace" doc:"Namespace of every object. Addresses inside the configuration use it, so the chart must be installed into this namespace."`
	Version     string            `json:"version" doc:"Apache RocketMQ version."`
	Labels      map[string]string `json:"labels" doc:"Labels of every object: the spec's and app.kubernetes.io/*."`
	Annotations map[string]string `json:"annotations" doc:"Annotations of every object."`
	NameServer  NameServer        `json:"nameServer" doc:"The name-server StatefulSet and its Services."`
	Brokers     Brokers           `json:"brokers" doc:"The broker groups and their members."`
	Controller  *Controller       `json:"controller,omitempty" doc:"The standalone controllers of controller mode; absent otherwise."`
	Proxy       *Proxy            `json:"proxy,omitempty" doc:"The RocketMQ 5.x proxy; absent when disabled."`
	Console     *Console          `json:"console,omitempty" doc:"The console; absent when disabled."`
	// NetworkPolicies is empty when the spec turns them off.
	NetworkPolicies []NetworkPolicy `json:"networkPolicies" doc:"One NetworkPolicy per component; empty when spec.networkPolicy.enabled is false."`
	Metrics         *Metrics        `json:"metrics,omitempty" doc:"Metrics endpoints, exporter, monitor and alerts; absent when spec.metrics is off."`
	// StorageClasses, PersistentVolumes and Claims are the storage objects of local and NFS volumes.
	StorageClasses    []StorageClass     `json:"storageClasses,omitempty" doc:"StorageClasses of local volumes rocketops generates."`
	PersistentVolumes []PersistentVolume `json:"persistentVolumes,omitempty" doc:"Local and NFS PersistentVolumes, each reserved for one claim."`
	Claims            []Claim            `json:"claims,omitempty" doc:"Claims of NFS volumes, each shared by a workload's pods."`
	// Sync and Keep are the annotations GitOps tools read.
	Sync Sync              `json:"sync" doc:"Annotations that order a sync, per component and per broker group."`
	Keep map[string]string `json:"keepAnnotations" doc:"Annotations of every PersistentVolume and claim: no sync, prune or uninstall removes them."`
	// Stage is set by a Flux HelmRelease per stage, never by the compiler.
	Stage string `json:"stage,omitempty" doc:"Render only the objects of this sync stage (cluster, groups/<group> or access), as a HelmRelease per stage does; empty renders all."`
}

// Sync holds the sync-order annotations of each object: those of its broker group if it has one,
// else those of its component. Empty unless the spec syncs with Argo CD.
type Sync struct {
	Components map[string]map[string]string `json:"components" doc:"Annotations by app.kubernetes.io/component."`
	Groups     map[string]map[string]string `json:"groups" doc:"Annotations by broker group, for the objects of that group."`
}

// Pod is what every workload's pods share: where they run, and everything about their container.
type Pod struct {
	PullSecrets      []string          `json:"pullSecrets" doc:"Names of image pull Secrets."`
	NodeSelector     map[string]string `json:"nodeSelector" doc:"Node labels the pods require."`
	Tolerations      json.RawMessage   `json:"tolerations" doc:"Kubernetes tolerations." schema:"array"`
	Affinity         json.RawMessage   `json:"affinity" doc:"Kubernetes affinity, anti-affinity between members included." schema:"object"`
	TopologySpread   json.RawMessage   `json:"topologySpreadConstraints,omitempty" doc:"Spread over zones." schema:"array"`
	PriorityClass    string            `json:"priorityClassName,omitempty" doc:"PriorityClass of the pods."`
	SelectorLabels   map[string]string `json:"selectorLabels" doc:"Labels that select the pods (immutable once deployed)."`
	Labels           map[string]string `json:"labels" doc:"Pod labels."`
	Annotations      map[string]string `json:"annotations" doc:"Pod annotations: the configuration checksum that rolls pods on change."`
	TerminationGrace int               `json:"terminationGracePeriodSeconds" doc:"Seconds a pod gets to shut down: the process's real shutdown time, with margin." min:"1"`
	SecurityContext  json.RawMessage   `json:"securityContext" doc:"Pod security context (Pod Security Standard restricted)." schema:"object"`
	HostNetwork      bool              `json:"hostNetwork,omitempty" doc:"Run in the node's network namespace, with dnsPolicy ClusterFirstWithHostNet."`
	Volumes          json.RawMessage   `json:"volumes" doc:"Pod volumes; a persistentVolumeClaim store comes from the claim template instead." schema:"array"`
	InitContainers   json.RawMessage   `json:"initContainers" doc:"Init containers (hostPath ownership); empty for most pods." schema:"array"`
	Container        Container         `json:"container" doc:"The pod's one container."`
}

// Container is a pod's main container, every field resolved.
type Container struct {
	Name            string          `json:"name" doc:"Container name."`
	Image           string          `json:"image" doc:"Container image."`
	PullPolicy      string          `json:"pullPolicy" doc:"Image pull policy." enum:"Always,IfNotPresent,Never"`
	Command         []string        `json:"command" doc:"Command: a shell that stays PID 1, passes SIGTERM on to java and waits for its shutdown."`
	Env             json.RawMessage `json:"env" doc:"Environment variables, JVM flags included." schema:"array"`
	Ports           json.RawMessage `json:"ports" doc:"Container ports." schema:"array"`
	Resources       Resources       `json:"resources" doc:"Container resources, canonical quantities, ephemeral storage included."`
	SecurityContext json.RawMessage `json:"securityContext" doc:"Container security context: read-only root, no privileges." schema:"object"`
	VolumeMounts    json.RawMessage `json:"volumeMounts" doc:"Volume mounts: configuration, data, logs and scratch folders." schema:"array"`
	StartupProbe    json.RawMessage `json:"startupProbe" doc:"Startup probe." schema:"object"`
	ReadinessProbe  json.RawMessage `json:"readinessProbe" doc:"Readiness probe." schema:"object"`
	LivenessProbe   json.RawMessage `json:"livenessProbe" doc:"Liveness probe." schema:"object"`
}

// Resources are canonical Kubernetes quantities.
type Resources struct {
	Requests map[string]string `json:"requests" doc:"Resource requests."`
	Limits   map[string]string `json:"limits" doc:"Resource limits."`
}

// Volume is where a component keeps data.
type Volume struct {
	Name         string   `json:"name" doc:"Volume name in the pod."`
	Mode         string   `json:"mode" doc:"Kind of volume." enum:"persistentVolumeClaim,local,nfs,hostPath,emptyDir"`
	MountPath    string   `json:"mountPath" doc:"Where the container mounts it."`
	Size         string   `json:"size,omitempty" doc:"Claim size, or emptyDir size limit."`
	StorageClass *string  `json:"storageClass,omitempty" doc:"StorageClass of the claims."`
	AccessModes  []string `json:"accessModes,omitempty" doc:"Access modes of the claims."`
	HostPath     string   `json:"hostPath,omitempty" doc:"Folder on the node (hostPath)."`
	Medium       string   `json:"medium,omitempty" doc:"emptyDir medium."`
	Claim        string   `json:"claim,omitempty" doc:"The shared claim of an NFS volume."`
	SubPath      string   `json:"subPath,omitempty" doc:"Each pod's folder on an NFS export (subPathExpr)."`
}

// NameServer is the name-server StatefulSet and its Services.
type NameServer struct {
	StatefulSet     string `json:"statefulSet" doc:"StatefulSet name."`
	Service         string `json:"service" doc:"Client Service name."`
	HeadlessService string `json:"headlessService" doc:"Headless Service that gives the pods stable DNS names."`
	ConfigMap       string `json:"configMap" doc:"ConfigMap holding the configuration file."`
	Replicas        int    `json:"replicas" doc:"Number of name servers." min:"1"`
	Port            int    `json:"port" doc:"Listening port." min:"1" max:"65535"`
	ConfigFile      string `json:"configFile" doc:"Configuration file name."`
	Config          string `json:"config" doc:"Configuration file text (Java properties)."`
	// Files replace Config when the name servers embed controllers, each of which has its own id.
	Files          map[string]string `json:"files,omitempty" doc:"namesrv-<ordinal>.conf of every name server when they embed controllers (each with its own controller id); Config is unused then."`
	ControllerPort int               `json:"controllerPort,omitempty" doc:"Port of the embedded controller (its DLedger or jRaft peer port, which brokers connect to), 0 without one." min:"0" max:"65535"`
	RaftPort       int               `json:"raftPort,omitempty" doc:"jRaft's raft port of the embedded controller, 0 otherwise." min:"0" max:"65535"`
	Addresses      []string          `json:"addresses" doc:"host:port of every name server, by stable DNS name."`
	// Annotations name the kube-score checks the StatefulSet fails on purpose (see the README).
	Annotations map[string]string `json:"annotations" doc:"Annotations of the StatefulSet."`
	Volume      Volume            `json:"volume" doc:"Where the name servers keep kvConfig.json."`
	Pod         Pod               `json:"pod" doc:"Pod settings."`
}

// Brokers are the broker groups.
type Brokers struct {
	ClusterName     string  `json:"clusterName" doc:"brokerClusterName."`
	Mode            string  `json:"mode" doc:"How each group's master is chosen." enum:"masterSlave,dledger,controller"`
	HeadlessService string  `json:"headlessService" doc:"Headless Service of all brokers."`
	Ports           Ports   `json:"ports" doc:"Broker ports."`
	Groups          []Group `json:"groups" doc:"Broker groups, one brokerName each."`
}

// Ports are the broker's listening ports.
type Ports struct {
	Listen int `json:"listen" doc:"listenPort." min:"1" max:"65535"`
	Fast   int `json:"fast" doc:"Fast channel port (listenPort - 2)." min:"1" max:"65535"`
	HA     int `json:"ha" doc:"HA port (listenPort + 1)." min:"1" max:"65535"`
	// DLedger is 0 outside dledger mode.
	DLedger int `json:"dledger,omitempty" doc:"DLedger port (dledger mode), named in dLegerPeers." min:"0" max:"65535"`
	// GRPC and Remoting are the ports of a proxy running inside the broker, 0 without one.
	GRPC int `json:"grpc,omitempty" doc:"gRPC port of the local-mode proxy inside the broker." min:"0" max:"65535"`
	// Metrics is 0 where the broker exports no metrics itself.
	Metrics  int `json:"metrics,omitempty" doc:"Port of the broker's own metrics endpoint." min:"0" max:"65535"`
	Remoting int `json:"remoting,omitempty" doc:"Remoting port of the local-mode proxy inside the broker." min:"0" max:"65535"`
}

// Group is one brokerName: a master and its slaves, one StatefulSet whose pod ordinal is the brokerId,
// so a rolling update replaces one member at a time, slaves (highest ordinal) first and the master last.
type Group struct {
	Name           string            `json:"name" doc:"brokerName of the group."`
	StatefulSet    string            `json:"statefulSet" doc:"StatefulSet name; pod <statefulSet>-<brokerId> is one member."`
	PDB            string            `json:"pdb" doc:"PodDisruptionBudget name."`
	ConfigMap      string            `json:"configMap" doc:"ConfigMap holding one broker-<brokerId>.conf per member."`
	Replicas       int               `json:"replicas" doc:"Members: the master and its slaves, or the members that elect one." min:"1"`
	Ports          Ports             `json:"ports" doc:"The group's ports; with host networking each group has its own."`
	SelectorLabels map[string]string `json:"selectorLabels" doc:"Labels that select every member of the group."`
	Files          map[string]string `json:"files" doc:"broker-<brokerId>.conf of every member; brokerIP1 and brokerIP2 are appended at start."`
	Members        []Member          `json:"members" doc:"Members by pod ordinal: master first, then slaves; in dledger and controller mode the master is elected."`
	Volume         Volume            `json:"volume" doc:"Each member's store."`
	CommitLog      *Volume           `json:"commitLog,omitempty" doc:"Each member's commitlog volume, when it has one of its own."`
	Pod            Pod               `json:"pod" doc:"Pod settings."`
}

// Member is one broker process: one pod of its group's StatefulSet.
type Member struct {
	Pod      string `json:"pod" doc:"Pod name."`
	Role     string `json:"role" doc:"master or slave, or elected where the members elect the master." enum:"master,slave,elected"`
	BrokerID int    `json:"brokerId" doc:"The pod's ordinal: the brokerId in masterSlave mode (0 for the master)." min:"0"`
	// DLedgerID is the member's dLegerSelfId in dledger mode.
	DLedgerID string `json:"dledgerId,omitempty" doc:"dLegerSelfId (dledger mode): n<ordinal>."`
	Address   string `json:"address" doc:"Stable DNS name of the member's pod."`
}

// NetworkPolicy admits the traffic one component needs and nothing else.
type NetworkPolicy struct {
	Name        string            `json:"name" doc:"NetworkPolicy name."`
	Component   string            `json:"component" doc:"Component whose pods it selects." enum:"namesrv,broker,controller,proxy,console,exporter"`
	PodSelector map[string]string `json:"podSelector" doc:"Labels of the pods it applies to."`
	Ingress     json.RawMessage   `json:"ingress" doc:"Ingress rules." schema:"array"`
	Egress      json.RawMessage   `json:"egress" doc:"Egress rules." schema:"array"`
}

// Console is the dashboard Deployment and Service.
type Console struct {
	Deployment string         `json:"deployment" doc:"Deployment name."`
	Service    ConsoleService `json:"service" doc:"How the console is exposed."`
	Replicas   int            `json:"replicas" doc:"Console replicas." min:"1"`
	Version    string         `json:"version" doc:"rocketmq-dashboard version."`
	Port       int            `json:"port" doc:"Container port: 8080 before dashboard 2.1.0, 8082 from 2.1.0." min:"1" max:"65535"`
	Pod        Pod            `json:"pod" doc:"Pod settings."`
}

// ConsoleService exposes the console.
type ConsoleService struct {
	Name     string `json:"name" doc:"Service name."`
	Type     string `json:"type" doc:"Service type." enum:"ClusterIP,NodePort,LoadBalancer"`
	Port     int    `json:"port" doc:"Service port." min:"1" max:"65535"`
	NodePort int    `json:"nodePort,omitempty" doc:"Node port." min:"30000" max:"32767"`
}

// Controller is the standalone controllers' StatefulSet: they elect each broker group's master in
// controller mode.
type Controller struct {
	StatefulSet     string            `json:"statefulSet" doc:"StatefulSet name."`
	HeadlessService string            `json:"headlessService" doc:"Headless Service that gives the controllers stable DNS names."`
	ConfigMap       string            `json:"configMap" doc:"ConfigMap holding controller-<ordinal>.conf per controller."`
	PDB             string            `json:"pdb" doc:"PodDisruptionBudget name."`
	Replicas        int               `json:"replicas" doc:"Number of controllers (odd)." min:"1"`
	Type            string            `json:"type" doc:"Consensus the controllers run." enum:"DLedger,jRaft"`
	Port            int               `json:"port" doc:"Port brokers reach the controllers on: the DLedger peer port, or jRaft's RPC port." min:"1" max:"65535"`
	RaftPort        int               `json:"raftPort,omitempty" doc:"jRaft's raft port between controllers; 0 for DLedger, whose peers talk on Port." min:"0" max:"65535"`
	Files           map[string]string `json:"files" doc:"controller-<ordinal>.conf of every controller."`
	Addresses       []string          `json:"addresses" doc:"host:port of every controller as brokers reach it."`
	Annotations     map[string]string `json:"annotations" doc:"Annotations of the StatefulSet."`
	Volume          Volume            `json:"volume" doc:"Where each controller keeps its raft log."`
	Pod             Pod               `json:"pod" doc:"Pod settings."`
}

// Proxy is the RocketMQ 5.x proxy: a Deployment in cluster mode, or a proxy inside each broker in local
// mode, behind one client Service.
type Proxy struct {
	Mode       string       `json:"mode" doc:"cluster: a Deployment; local: inside each broker." enum:"cluster,local"`
	ConfigMap  string       `json:"configMap" doc:"ConfigMap holding rmq-proxy.json."`
	ConfigFile string       `json:"configFile" doc:"Configuration file name."`
	Config     string       `json:"config" doc:"rmq-proxy.json text."`
	Service    ProxyService `json:"service" doc:"The client Service."`
	// Deployment, PDB, Replicas and Pod are set in cluster mode only.
	Deployment string `json:"deployment,omitempty" doc:"Deployment name (cluster mode)."`
	PDB        string `json:"pdb,omitempty" doc:"PodDisruptionBudget name (cluster mode)."`
	Replicas   int    `json:"replicas,omitempty" doc:"Proxy replicas (cluster mode)." min:"0"`
	// Annotations of the Deployment: kube-score exceptions.
	Annotations map[string]string `json:"annotations,omitempty" doc:"Annotations of the Deployment."`
	Pod         *Pod              `json:"pod,omitempty" doc:"Pod settings (cluster mode)."`
}

// ProxyService exposes the proxy to clients.
type ProxyService struct {
	Name                     string            `json:"name" doc:"Service name."`
	Type                     string            `json:"type" doc:"Service type." enum:"ClusterIP,NodePort,LoadBalancer"`
	Selector                 map[string]string `json:"selector" doc:"Labels of the pods that serve: the proxies, or the brokers in local mode."`
	GRPCPort                 int               `json:"grpcPort" doc:"Service port of the gRPC endpoint." min:"1" max:"65535"`
	RemotingPort             int               `json:"remotingPort,omitempty" doc:"Service port of the remoting endpoint; 0 where the proxy has none (5.0.0)." min:"0" max:"65535"`
	GRPCNodePort             int               `json:"grpcNodePort,omitempty" doc:"Node port of the gRPC endpoint." min:"30000" max:"32767"`
	RemotingNodePort         int               `json:"remotingNodePort,omitempty" doc:"Node port of the remoting endpoint." min:"30000" max:"32767"`
	Annotations              map[string]string `json:"annotations" doc:"Service annotations."`
	ExternalTrafficPolicy    string            `json:"externalTrafficPolicy,omitempty" doc:"External traffic policy." enum:"Cluster,Local"`
	LoadBalancerSourceRanges []string          `json:"loadBalancerSourceRanges,omitempty" doc:"Client address ranges of a LoadBalancer."`
}
