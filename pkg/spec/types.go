// Package spec defines the RocketMQCluster document users write, reads it from YAML while keeping the
// position of every value, and merges environment overrides into it. It does not judge the values
// (package validate does) nor fill in defaults beyond Default (package plan resolves everything else).
package spec

import (
	"encoding/json"
	"fmt"
)

// APIVersion and Kind identify the document.
const (
	APIVersion = "rocketops.dev/v1alpha1"
	Kind       = "RocketMQCluster"
)

// DefaultEnvironment names the single environment of a spec that declares none.
const DefaultEnvironment = "default"

// Cluster is the whole document.
type Cluster struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

// Metadata names the cluster and what every generated object carries.
type Metadata struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Spec is the cluster's desired state.
type Spec struct {
	Version       string                 `json:"version"`
	ClusterDomain string                 `json:"clusterDomain,omitempty"`
	Images        Images                 `json:"images,omitempty"`
	NameServer    NameServer             `json:"nameServer,omitempty"`
	Brokers       Brokers                `json:"brokers,omitempty"`
	Controller    Controller             `json:"controller,omitempty"`
	Proxy         Proxy                  `json:"proxy,omitempty"`
	Console       Console                `json:"console,omitempty"`
	NetworkPolicy NetworkPolicy          `json:"networkPolicy,omitempty"`
	Placement     ClusterPlacement       `json:"placement,omitempty"`
	Auth          Auth                   `json:"auth,omitempty"`
	Metrics       Metrics                `json:"metrics,omitempty"`
	GitOps        GitOps                 `json:"gitops,omitempty"`
	Environments  map[string]Environment `json:"environments,omitempty"`
}

// Environment is a partial document deep-merged over the base one.
type Environment struct {
	Metadata json.RawMessage `json:"metadata,omitempty"`
	Spec     json.RawMessage `json:"spec,omitempty"`
}

// Images selects the container images.
type Images struct {
	NameServer  Image    `json:"nameServer,omitempty"`
	Broker      Image    `json:"broker,omitempty"`
	Controller  Image    `json:"controller,omitempty"`
	Proxy       Image    `json:"proxy,omitempty"`
	Exporter    Image    `json:"exporter,omitempty"`
	Console     Image    `json:"console,omitempty"`
	PullSecrets []string `json:"pullSecrets,omitempty"`
}

// Image is one container image.
type Image struct {
	Repository string `json:"repository,omitempty"`
	Tag        string `json:"tag,omitempty"`
	PullPolicy string `json:"pullPolicy,omitempty"`
}

// NameServer describes the name servers.
type NameServer struct {
	Replicas  *int       `json:"replicas,omitempty"`
	Resources Resources  `json:"resources,omitempty"`
	JVM       JVM        `json:"jvm,omitempty"`
	Storage   Storage    `json:"storage,omitempty"`
	Config    Properties `json:"config,omitempty"`
	Placement Placement  `json:"placement,omitempty"`
	// HostNetwork runs the name servers in the nodes' network namespace.
	HostNetwork *bool `json:"hostNetwork,omitempty"`
}

// Broker group modes: how the master of a group is chosen.
const (
	// MasterSlave: brokerId 0 is the master, brokerIds 1 … are slaves; nothing fails over.
	MasterSlave = "masterSlave"
	// DLedger: the members elect a leader by Raft over the DLedger commitlog.
	DLedger = "dledger"
	// ControllerMode: controllers elect each group's master (RocketMQ 5.x).
	ControllerMode = "controller"
)

// Brokers describes the broker groups.
type Brokers struct {
	ClusterName    string `json:"clusterName,omitempty"`
	Groups         Groups `json:"groups,omitempty"`
	Slaves         *int   `json:"slaves,omitempty"`
	Replication    string `json:"replication,omitempty"`
	FlushDiskType  string `json:"flushDiskType,omitempty"`
	InSyncReplicas *int   `json:"inSyncReplicas,omitempty"`
	// Mode is MasterSlave, DLedger or ControllerMode.
	Mode string `json:"mode,omitempty"`
	// Members is the number of pods per group in dledger and controller mode.
	Members           *int          `json:"members,omitempty"`
	MinInSyncReplicas *int          `json:"minInSyncReplicas,omitempty"`
	DLedger           DLedgerConfig `json:"dledger,omitempty"`
	HostNetwork       *bool         `json:"hostNetwork,omitempty"`
	Config            Properties    `json:"config,omitempty"`
	Resources         Resources     `json:"resources,omitempty"`
	JVM               JVM           `json:"jvm,omitempty"`
	Storage           Storage       `json:"storage,omitempty"`
	// CommitLogStorage puts the commitlog on a volume of its own.
	CommitLogStorage *Storage  `json:"commitLogStorage,omitempty"`
	Placement        Placement `json:"placement,omitempty"`
}

// Groups is either a count of groups or a list of named groups. A count n means the groups
// broker-0 … broker-(n-1).
type Groups struct {
	Count int
	Named []Group
}

// Group is one broker group: a master and its slaves sharing a brokerName.
type Group struct {
	Name    string     `json:"name"`
	Slaves  *int       `json:"slaves,omitempty"`
	Members *int       `json:"members,omitempty"`
	Config  Properties `json:"config,omitempty"`
	// Nodes name the node of each member's local volume, by ordinal.
	Nodes []string `json:"nodes,omitempty"`
}

// DLedgerConfig sets what DLedger groups share.
type DLedgerConfig struct {
	Port int `json:"port,omitempty"`
}

// Controller describes the controllers that elect masters in controller mode.
type Controller struct {
	// Mode is "standalone" (their own StatefulSet) or "embedded" (inside the name servers).
	Mode      string     `json:"mode,omitempty"`
	Replicas  *int       `json:"replicas,omitempty"`
	Type      string     `json:"type,omitempty"`
	Resources Resources  `json:"resources,omitempty"`
	JVM       JVM        `json:"jvm,omitempty"`
	Storage   Storage    `json:"storage,omitempty"`
	Config    Properties `json:"config,omitempty"`
	Placement Placement  `json:"placement,omitempty"`
}

// Controller modes.
const (
	ControllerStandalone = "standalone"
	ControllerEmbedded   = "embedded"
)

// Proxy describes the RocketMQ 5.x proxy.
type Proxy struct {
	Enabled   *bool        `json:"enabled,omitempty"`
	Mode      string       `json:"mode,omitempty"`
	Replicas  *int         `json:"replicas,omitempty"`
	Service   ProxyService `json:"service,omitempty"`
	Config    Properties   `json:"config,omitempty"`
	Resources Resources    `json:"resources,omitempty"`
	JVM       JVM          `json:"jvm,omitempty"`
	Placement Placement    `json:"placement,omitempty"`
}

// Proxy modes.
const (
	ProxyCluster = "cluster"
	ProxyLocal   = "local"
)

// ProxyService exposes the proxy to clients.
type ProxyService struct {
	Type                     string            `json:"type,omitempty"`
	GRPCPort                 int               `json:"grpcPort,omitempty"`
	RemotingPort             int               `json:"remotingPort,omitempty"`
	GRPCNodePort             int               `json:"grpcNodePort,omitempty"`
	RemotingNodePort         int               `json:"remotingNodePort,omitempty"`
	Annotations              map[string]string `json:"annotations,omitempty"`
	ExternalTrafficPolicy    string            `json:"externalTrafficPolicy,omitempty"`
	LoadBalancerSourceRanges []string          `json:"loadBalancerSourceRanges,omitempty"`
}

// UnmarshalJSON accepts a number or a list.
func (g *Groups) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		g.Count = 0
		return json.Unmarshal(b, &g.Named)
	}
	g.Named = nil
	return json.Unmarshal(b, &g.Count)
}

// MarshalJSON writes the form it was read in.
func (g Groups) MarshalJSON() ([]byte, error) {
	if g.Named != nil {
		return json.Marshal(g.Named)
	}
	return json.Marshal(g.Count)
}

// NetworkPolicy switches the generated NetworkPolicies.
type NetworkPolicy struct {
	Enabled *bool `json:"enabled,omitempty"`
}

// Console describes the RocketMQ dashboard.
type Console struct {
	Enabled   *bool          `json:"enabled,omitempty"`
	Version   string         `json:"version,omitempty"`
	Replicas  *int           `json:"replicas,omitempty"`
	Service   ConsoleService `json:"service,omitempty"`
	Resources Resources      `json:"resources,omitempty"`
	JVM       JVM            `json:"jvm,omitempty"`
	Placement Placement      `json:"placement,omitempty"`
	Login     *ConsoleLogin  `json:"login,omitempty"`
}

// ConsoleLogin makes the console ask for a login, its users.properties kept in a Secret.
type ConsoleLogin struct {
	Users SecretRef `json:"users"`
}

// ConsoleService exposes the console.
type ConsoleService struct {
	Type     string `json:"type,omitempty"`
	Port     int    `json:"port,omitempty"`
	NodePort int    `json:"nodePort,omitempty"`
}

// Resources are a container's requests and limits, as Kubernetes quantities.
type Resources struct {
	Requests map[string]Quantity `json:"requests,omitempty"`
	Limits   map[string]Quantity `json:"limits,omitempty"`
}

// JVM sets the Java heap and direct memory; empty values are derived from the memory limit.
type JVM struct {
	Heap         Quantity `json:"heap,omitempty"`
	DirectMemory Quantity `json:"directMemory,omitempty"`
	Options      []string `json:"options,omitempty"`
}

// Storage says where a component keeps its data.
type Storage struct {
	Mode         string   `json:"mode,omitempty"`
	Size         Quantity `json:"size,omitempty"`
	StorageClass *string  `json:"storageClass,omitempty"`
	AccessModes  []string `json:"accessModes,omitempty"`
	Path         string   `json:"path,omitempty"`
	Medium       string   `json:"medium,omitempty"`
	// Local and NFS hold the settings of modes local and nfs.
	Local *LocalStorage `json:"local,omitempty"`
	NFS   *NFSStorage   `json:"nfs,omitempty"`
}

// LocalStorage places each member's store on a local PersistentVolume of a named node.
type LocalStorage struct {
	Path               string   `json:"path"`
	Nodes              []string `json:"nodes,omitempty"`
	CreateStorageClass *bool    `json:"createStorageClass,omitempty"`
}

// NFSStorage places every member's store in its own folder of one NFS export.
type NFSStorage struct {
	Server       string   `json:"server"`
	Path         string   `json:"path"`
	MountOptions []string `json:"mountOptions,omitempty"`
}

// SecretRef names one key of a Secret created outside rocketops: the only way a credential enters the
// output.
type SecretRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// Auth turns on RocketMQ's access control, every credential from Secrets.
type Auth struct {
	Enabled *bool `json:"enabled,omitempty"`
	// Mode is AuthACL1 (plain_acl.yml, up to 5.3.2) or AuthACL2 (authentication and authorization, 5.3.0+).
	Mode          string       `json:"mode,omitempty"`
	ACL1          *ACL1        `json:"acl1,omitempty"`
	Admin         *User        `json:"admin,omitempty"`
	InnerClient   *Credentials `json:"innerClient,omitempty"`
	Authorization *bool        `json:"authorization,omitempty"`
	Client        *Credentials `json:"client,omitempty"`
}

// Auth modes.
const (
	AuthACL1 = "acl1"
	AuthACL2 = "acl2"
)

// ACL1 is RocketMQ's plain ACL: the whole plain_acl.yml kept in a Secret.
type ACL1 struct {
	File SecretRef `json:"file"`
}

// User is a user name and password.
type User struct {
	Username SecretRef `json:"username"`
	Password SecretRef `json:"password"`
}

// Credentials are an access key and a secret key.
type Credentials struct {
	AccessKey SecretRef `json:"accessKey"`
	SecretKey SecretRef `json:"secretKey"`
}

// Metrics exports metrics to an external Prometheus.
type Metrics struct {
	Enabled  *bool           `json:"enabled,omitempty"`
	Port     int             `json:"port,omitempty"`
	Exporter MetricsExporter `json:"exporter,omitempty"`
	Monitor  string          `json:"monitor,omitempty"`
	Rules    MetricsRules    `json:"rules,omitempty"`
}

// MetricsExporter is the community rocketmq-exporter, a Deployment that reads every broker over remoting.
type MetricsExporter struct {
	Enabled   *bool     `json:"enabled,omitempty"`
	Resources Resources `json:"resources,omitempty"`
	Placement Placement `json:"placement,omitempty"`
}

// MetricsRules configures the generated PrometheusRule.
type MetricsRules struct {
	Enabled             *bool             `json:"enabled,omitempty"`
	ConsumerLag         int               `json:"consumerLag,omitempty"`
	ReplicationLagBytes int               `json:"replicationLagBytes,omitempty"`
	Labels              map[string]string `json:"labels,omitempty"`
}

// GitOps says where the compiled output lives in git and how Argo CD or Flux sync it. Environments
// override any of it (another destination cluster, another revision).
type GitOps struct {
	RepoURL     string      `json:"repoURL,omitempty"`
	Revision    string      `json:"revision,omitempty"`
	Path        string      `json:"path,omitempty"`
	Source      string      `json:"source,omitempty"`
	SpecPath    string      `json:"specPath,omitempty"`
	Destination Destination `json:"destination,omitempty"`
	ArgoCD      *ArgoCD     `json:"argocd,omitempty"`
	Flux        *Flux       `json:"flux,omitempty"`
}

// Forms of the compiled output GitOps objects can point at.
const (
	SourceKustomize = "kustomize"
	SourceManifests = "manifests"
	SourceHelm      = "helm"
	SourcePlugin    = "plugin"
)

// Destination is the cluster the output is synced to.
type Destination struct {
	Server           string `json:"server,omitempty"`
	Name             string `json:"name,omitempty"`
	KubeConfigSecret string `json:"kubeConfigSecret,omitempty"`
}

// ArgoCD configures the Applications, ApplicationSet and AppProject rocketops writes.
type ArgoCD struct {
	Namespace      string          `json:"namespace,omitempty"`
	Project        string          `json:"project,omitempty"`
	CreateProject  *bool           `json:"createProject,omitempty"`
	Automated      *bool           `json:"automated,omitempty"`
	Prune          *bool           `json:"prune,omitempty"`
	SelfHeal       *bool           `json:"selfHeal,omitempty"`
	SyncOptions    []string        `json:"syncOptions,omitempty"`
	ApplicationSet *ApplicationSet `json:"applicationSet,omitempty"`
}

// ApplicationSet makes one ApplicationSet generate the environments' Applications.
type ApplicationSet struct {
	Enabled   *bool  `json:"enabled,omitempty"`
	Generator string `json:"generator,omitempty"`
}

// Flux configures the source, Kustomizations and HelmReleases rocketops writes.
type Flux struct {
	Namespace      string          `json:"namespace,omitempty"`
	SourceKind     string          `json:"sourceKind,omitempty"`
	SourceName     string          `json:"sourceName,omitempty"`
	Interval       string          `json:"interval,omitempty"`
	RetryInterval  string          `json:"retryInterval,omitempty"`
	Timeout        string          `json:"timeout,omitempty"`
	Prune          *bool           `json:"prune,omitempty"`
	Wait           *bool           `json:"wait,omitempty"`
	HealthChecks   []HealthCheck   `json:"healthChecks,omitempty"`
	DriftDetection *DriftDetection `json:"driftDetection,omitempty"`
}

// HealthCheck names one more object a Flux Kustomization waits for.
type HealthCheck struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace,omitempty"`
}

// DriftDetection is a HelmRelease's drift detection.
type DriftDetection struct {
	Mode   string       `json:"mode,omitempty"`
	Ignore []IgnoreRule `json:"ignore,omitempty"`
}

// IgnoreRule leaves JSON pointers of some objects out of drift detection.
type IgnoreRule struct {
	Paths  []string      `json:"paths"`
	Target *IgnoreTarget `json:"target,omitempty"`
}

// IgnoreTarget selects the objects an ignore rule applies to.
type IgnoreTarget struct {
	Group string `json:"group,omitempty"`
	Kind  string `json:"kind,omitempty"`
	Name  string `json:"name,omitempty"`
}

// ClusterPlacement holds placement short forms that apply to several components.
type ClusterPlacement struct {
	DedicatedNodes    *DedicatedNodes `json:"dedicatedNodes,omitempty"`
	PriorityClassName string          `json:"priorityClassName,omitempty"`
}

// DedicatedNodes are nodes set aside for RocketMQ: labelled key=value and tainted key=value:effect.
type DedicatedNodes struct {
	Key        string   `json:"key"`
	Value      string   `json:"value,omitempty"`
	Effect     string   `json:"effect,omitempty"`
	Components []string `json:"components,omitempty"`
}

// Components a placement short form may name.
const (
	ComponentNameServer = "nameServer"
	ComponentBrokers    = "brokers"
	ComponentController = "controller"
	ComponentProxy      = "proxy"
	ComponentConsole    = "console"
	ComponentExporter   = "exporter"
)

// AllComponents are the components in the order rocketops lists them.
var AllComponents = []string{ComponentNameServer, ComponentBrokers, ComponentController, ComponentProxy, ComponentConsole, ComponentExporter}

// Placement says where pods may run. Tolerations and affinity are Kubernetes objects, kept as written
// and checked by package validate.
type Placement struct {
	NodeSelector  map[string]string `json:"nodeSelector,omitempty"`
	Tolerations   json.RawMessage   `json:"tolerations,omitempty"`
	Affinity      json.RawMessage   `json:"affinity,omitempty"`
	SpreadMembers string            `json:"spreadMembers,omitempty"`
	// ZoneSpread spreads the pods over zones: required, preferred or none.
	ZoneSpread        string `json:"zoneSpread,omitempty"`
	PriorityClassName string `json:"priorityClassName,omitempty"`
}

// Quantity is a Kubernetes quantity as written ("2Gi", "500m", 1). Numbers become their decimal text.
type Quantity string

// UnmarshalJSON accepts a string or a number.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*q = Quantity(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("quantity must be a string or a number: %w", err)
	}
	*q = Quantity(n.String())
	return nil
}

// Properties are Java properties: key to scalar value, kept as the text RocketMQ will read.
type Properties map[string]string

// UnmarshalJSON accepts strings, numbers and booleans as values.
func (p *Properties) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Properties, len(raw))
	for k, v := range raw {
		var s string
		switch {
		case len(v) > 0 && v[0] == '"':
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
		case string(v) == "true" || string(v) == "false":
			s = string(v)
		default:
			var n json.Number
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("property %q must be a string, number or boolean", k)
			}
			// The parser keeps a number's text as written, so 10.0 stays 10.0 and the key
			// catalogue can say that Java will not read it as an int.
			s = n.String()
		}
		out[k] = s
	}
	*p = out
	return nil
}
