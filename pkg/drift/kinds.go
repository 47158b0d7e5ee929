package drift

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/rocketops/rocketops/pkg/plan"
)

// Kinds are the kinds looked through for extra objects: every kind the blueprints can generate
// (plan.Kinds), and Secret. A test holds them against every kind the blueprints name and every golden
// case compiles to, so a kind added to the blueprints cannot be forgotten here.
//
// Secret is on it although rocketops generates none: the credentials a spec refers to are the user's
// own Secrets, and a Secret that carries the cluster's rocketops labels was written by something that
// meant it to be pruned with the cluster (an older release, a copy of the output), which is exactly
// what drift is for. Its values are never read into the report.
//
// Pods, ReplicaSets, Endpoints and the like are not on it: controllers make them, and they come and go
// with the workloads that are compared.
var Kinds = func() []schema.GroupVersionKind {
	out := []schema.GroupVersionKind{{Version: "v1", Kind: "Secret"}}
	for _, k := range plan.Kinds {
		out = append(out, k.GroupVersionKind)
	}
	return out
}()
