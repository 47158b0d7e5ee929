package drift

import "k8s.io/apimachinery/pkg/runtime/schema"

// Kinds are the kinds looked through for extra objects: every kind the blueprints can generate, and
// Secret. The list is the one place that says so; a test holds it against every kind the blueprints
// name and every golden case compiles to, so a kind added to the blueprints cannot be forgotten here.
//
// Secret is on it although rocketops generates none: the credentials a spec refers to are the user's
// own Secrets, and a Secret that carries the cluster's rocketops labels was written by something that
// meant it to be pruned with the cluster (an older release, a copy of the output), which is exactly
// what drift is for. Its values are never read into the report.
//
// Pods, ReplicaSets, Endpoints and the like are not on it: controllers make them, and they come and go
// with the workloads that are compared.
var Kinds = []schema.GroupVersionKind{
	{Version: "v1", Kind: "ConfigMap"},
	{Version: "v1", Kind: "Secret"},
	{Version: "v1", Kind: "Service"},
	{Version: "v1", Kind: "PersistentVolume"},
	{Version: "v1", Kind: "PersistentVolumeClaim"},
	{Group: "apps", Version: "v1", Kind: "Deployment"},
	{Group: "apps", Version: "v1", Kind: "StatefulSet"},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
	{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"},
	{Group: "monitoring.coreos.com", Version: "v1", Kind: "PodMonitor"},
	{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"},
	{Group: "monitoring.coreos.com", Version: "v1", Kind: "PrometheusRule"},
}
