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
	Console     *Console          `json:"console,omitempty" doc:"The console; absent when disabled."`
	// NetworkPolicies is empty when the spec turns them off.
	NetworkPolicies []NetworkPolicy `json:"networkPolicies" doc:"One NetworkPolicy per component; empty when spec.networkPolicy.enabled is false."`
}

// Pod is what every workload's pods share: where they run, and everything about their container.
type Pod struct {
	PullSecrets      []string          `json:"pullSecrets" doc:"Names of image pull Secrets."`
	NodeSelector     map[string]string `json:"nodeSelector" doc:"Node labels the pods require."`
	Tolerations      json.RawMessage   `json:"tolerations" doc:"Kubernetes tolerations." schema:"array"`
	Affinity         json.RawMessage   `json:"affinity" doc:"Kubernetes affinity, anti-affinity between members included." schema:"object"`
	SelectorLabels   map[string]string `json:"selectorLabels" doc:"Labels that select the pods (immutable once deployed)."`
	Labels           map[string]string `json:"labels" doc:"Pod labels."`
	Annotations      map[string]string `json:"annotations" doc:"Pod annotations: the configuration checksum that rolls pods on change."`
	TerminationGrace int               `json:"terminationGracePeriodSeconds" doc:"Seconds a pod gets to shut down: the process's real shutdown time, with margin." min:"1"`
	SecurityContext  json.RawMessage   `json:"securityContext" doc:"Pod security context (Pod Security Standard restricted)." schema:"object"`
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
	Mode         string   `json:"mode" doc:"Kind of volume." enum:"persistentVolumeClaim,hostPath,emptyDir"`
	MountPath    string   `json:"mountPath" doc:"Where the container mounts it."`
	Size         string   `json:"size,omitempty" doc:"Claim size, or emptyDir size limit."`
	StorageClass *string  `json:"storageClass,omitempty" doc:"StorageClass of the claims."`
	AccessModes  []string `json:"accessModes,omitempty" doc:"Access modes of the claims."`
	HostPath     string   `json:"hostPath,omitempty" doc:"Folder on the node (hostPath)."`
	Medium       string   `json:"medium,omitempty" doc:"emptyDir medium."`
}

// NameServer is the name-server StatefulSet and its Services.
type NameServer struct {
	StatefulSet     string   `json:"statefulSet" doc:"StatefulSet name."`
	Service         string   `json:"service" doc:"Client Service name."`
	HeadlessService string   `json:"headlessService" doc:"Headless Service that gives the pods stable DNS names."`
	ConfigMap       string   `json:"configMap" doc:"ConfigMap holding the configuration file."`
	Replicas        int      `json:"replicas" doc:"Number of name servers." min:"1"`
	Port            int      `json:"port" doc:"Listening port." min:"1" max:"65535"`
	ConfigFile      string   `json:"configFile" doc:"Configuration file name."`
	Config          string   `json:"config" doc:"Configuration file text (Java properties)."`
	Addresses       []string `json:"addresses" doc:"host:port of every name server, by stable DNS name."`
	// Annotations name the kube-score checks the StatefulSet fails on purpose (see the README).
	Annotations map[string]string `json:"annotations" doc:"Annotations of the StatefulSet."`
	Volume      Volume            `json:"volume" doc:"Where the name servers keep kvConfig.json."`
	Pod         Pod               `json:"pod" doc:"Pod settings."`
}

// Brokers are the broker groups.
type Brokers struct {
	ClusterName     string  `json:"clusterName" doc:"brokerClusterName."`
	HeadlessService string  `json:"headlessService" doc:"Headless Service of all brokers."`
	Ports           Ports   `json:"ports" doc:"Broker ports."`
	Groups          []Group `json:"groups" doc:"Broker groups, one brokerName each."`
}

// Ports are the broker's listening ports.
type Ports struct {
	Listen int `json:"listen" doc:"listenPort." min:"1" max:"65535"`
	Fast   int `json:"fast" doc:"Fast channel port (listenPort - 2)." min:"1" max:"65535"`
	HA     int `json:"ha" doc:"HA port (listenPort + 1)." min:"1" max:"65535"`
}

// Group is one brokerName: a master and its slaves, one StatefulSet whose pod ordinal is the brokerId,
// so a rolling update replaces one member at a time, slaves (highest ordinal) first and the master last.
type Group struct {
	Name           string            `json:"name" doc:"brokerName of the group."`
	StatefulSet    string            `json:"statefulSet" doc:"StatefulSet name; pod <statefulSet>-<brokerId> is one member."`
	PDB            string            `json:"pdb" doc:"PodDisruptionBudget name."`
	ConfigMap      string            `json:"configMap" doc:"ConfigMap holding one broker-<brokerId>.conf per member."`
	Replicas       int               `json:"replicas" doc:"Members: the master and its slaves." min:"1"`
	SelectorLabels map[string]string `json:"selectorLabels" doc:"Labels that select every member of the group."`
	Files          map[string]string `json:"files" doc:"broker-<brokerId>.conf of every member; brokerIP1 and brokerIP2 are appended at start."`
	Members        []Member          `json:"members" doc:"Master first, then slaves."`
	Volume         Volume            `json:"volume" doc:"Each member's store."`
	Pod            Pod               `json:"pod" doc:"Pod settings."`
}

// Member is one broker process: one pod of its group's StatefulSet.
type Member struct {
	Pod      string `json:"pod" doc:"Pod name."`
	Role     string `json:"role" doc:"master or slave." enum:"master,slave"`
	BrokerID int    `json:"brokerId" doc:"brokerId, the pod's ordinal: 0 for the master." min:"0"`
	Address  string `json:"address" doc:"Stable DNS name of the member's pod."`
}

// NetworkPolicy admits the traffic one component needs and nothing else.
type NetworkPolicy struct {
	Name        string            `json:"name" doc:"NetworkPolicy name."`
	Component   string            `json:"component" doc:"Component whose pods it selects." enum:"namesrv,broker,console"`
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
