package plan

import "encoding/json"

// Plan is one environment of a cluster with every decision made: names, addresses, ports, the text of
// every configuration file, JVM flags, volumes and placement. Blueprints turn it into objects without
// deciding anything; it is also the values of the Helm chart. Field order is the JSON order.
type Plan struct {
	Environment string            `json:"environment"`
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Version     string            `json:"version"`
	Labels      map[string]string `json:"labels"`      // on every object: the user's and app.kubernetes.io/*
	Annotations map[string]string `json:"annotations"` // on every object: the user's
	NameServer  NameServer        `json:"nameServer"`
	Brokers     Brokers           `json:"brokers"`
	Console     *Console          `json:"console,omitempty"` // nil when disabled
}

// Pod is what every workload's pods share.
type Pod struct {
	Image            string            `json:"image"`
	PullPolicy       string            `json:"pullPolicy"`
	PullSecrets      []string          `json:"pullSecrets"`
	Resources        Resources         `json:"resources"`
	JavaOptions      string            `json:"javaOptions"` // the JVM flags, space-separated
	NodeSelector     map[string]string `json:"nodeSelector"`
	Tolerations      json.RawMessage   `json:"tolerations"` // a list, [] when none
	Affinity         json.RawMessage   `json:"affinity"`    // an object, {} when none
	SelectorLabels   map[string]string `json:"selectorLabels"`
	Labels           map[string]string `json:"labels"`      // pod labels: Plan.Labels + component + selector
	Annotations      map[string]string `json:"annotations"` // pod annotations: config checksum
	TerminationGrace int               `json:"terminationGracePeriodSeconds"`
}

// Resources are canonical Kubernetes quantities.
type Resources struct {
	Requests map[string]string `json:"requests"`
	Limits   map[string]string `json:"limits"`
}

// Volume is where a component keeps data.
type Volume struct {
	Name         string   `json:"name"`
	Mode         string   `json:"mode"` // persistentVolumeClaim, hostPath, emptyDir
	MountPath    string   `json:"mountPath"`
	Size         string   `json:"size,omitempty"`
	StorageClass *string  `json:"storageClass,omitempty"`
	AccessModes  []string `json:"accessModes,omitempty"`
	HostPath     string   `json:"hostPath,omitempty"`
	Medium       string   `json:"medium,omitempty"`
}

// NameServer is the name-server StatefulSet and its Services.
type NameServer struct {
	StatefulSet     string   `json:"statefulSet"`
	Service         string   `json:"service"`
	HeadlessService string   `json:"headlessService"`
	ConfigMap       string   `json:"configMap"`
	Replicas        int      `json:"replicas"`
	Port            int      `json:"port"`
	ConfigFile      string   `json:"configFile"` // file name in the ConfigMap
	Config          string   `json:"config"`     // its text
	Addresses       []string `json:"addresses"`  // host:port of every name server, stable DNS names
	Volume          Volume   `json:"volume"`
	Pod             Pod      `json:"pod"`
}

// Brokers are the broker groups.
type Brokers struct {
	ClusterName     string  `json:"clusterName"`
	HeadlessService string  `json:"headlessService"`
	Ports           Ports   `json:"ports"`
	Groups          []Group `json:"groups"`
}

// Ports are the broker's listening ports.
type Ports struct {
	Listen int `json:"listen"`
	Fast   int `json:"fast"`
	HA     int `json:"ha"`
}

// Group is one brokerName: a master and its slaves.
type Group struct {
	Name           string            `json:"name"`
	PDB            string            `json:"pdb"`
	SelectorLabels map[string]string `json:"selectorLabels"`
	Members        []Member          `json:"members"`
}

// Member is one broker process: its own StatefulSet of one pod, ConfigMap and volume.
type Member struct {
	Name       string `json:"name"` // StatefulSet name
	Role       string `json:"role"` // master or slave
	BrokerID   int    `json:"brokerId"`
	ConfigMap  string `json:"configMap"`
	ConfigFile string `json:"configFile"`
	Config     string `json:"config"`
	Address    string `json:"address"` // stable DNS name of the member's pod
	Volume     Volume `json:"volume"`
	Pod        Pod    `json:"pod"`
}

// Console is the dashboard Deployment and Service.
type Console struct {
	Deployment string         `json:"deployment"`
	Service    ConsoleService `json:"service"`
	Replicas   int            `json:"replicas"`
	Port       int            `json:"port"`
	Pod        Pod            `json:"pod"`
}

// ConsoleService exposes the console.
type ConsoleService struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Port     int    `json:"port"`
	NodePort int    `json:"nodePort,omitempty"`
}
