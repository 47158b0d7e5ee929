package plan

import "k8s.io/apimachinery/pkg/runtime/schema"

// Kind is a kind the blueprints can generate, and whether its objects are cluster-scoped.
type Kind struct {
	schema.GroupVersionKind
	Cluster bool
}

// Kinds are every kind the blueprints can generate. The AppProject allows exactly these, and drift
// looks through them for extra objects; tests hold the list against the blueprints and the goldens.
var Kinds = []Kind{
	{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}},
	{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "Service"}},
	{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolume"}, Cluster: true},
	{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolumeClaim"}},
	{GroupVersionKind: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}},
	{GroupVersionKind: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "StatefulSet"}},
	{GroupVersionKind: schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}},
	{GroupVersionKind: schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}},
	{GroupVersionKind: schema.GroupVersionKind{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"}, Cluster: true},
	{GroupVersionKind: schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "PodMonitor"}},
	{GroupVersionKind: schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}},
	{GroupVersionKind: schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "PrometheusRule"}},
}
