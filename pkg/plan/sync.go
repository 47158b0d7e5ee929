package plan

import (
	"strconv"

	"github.com/rocketops/rocketops/pkg/spec"
)

// Stages: the parts of a cluster that a GitOps tool syncs one after another, each once the ones
// before it are healthy. Name servers (and controllers) come first because brokers register with
// them at start; broker groups follow one at a time, so a change every group shares never restarts
// all masters at once; the proxy, console and exporter come last, as clients of the brokers.
const (
	StageCluster = "cluster"
	StageGroups  = "groups/"
	StageAccess  = "access"
)

// accessComponents are the components of the last stage: clients of the brokers, and the monitors.
var accessComponents = map[string]bool{"proxy": true, "console": true, "exporter": true, "metrics": true}

// StageOf returns the stage of an object from its labels: its broker group's, the access stage for
// the brokers' clients, and the cluster stage for everything else (name servers, controllers,
// storage, and what all brokers share).
func StageOf(labels map[string]string) string {
	if g, ok := labels[LabelGroup]; ok {
		return StageGroups + g
	}
	if accessComponents[labels[LabelComponent]] {
		return StageAccess
	}
	return StageCluster
}

// Stages returns the plan's stages in sync order.
func (p *Plan) Stages() []string {
	out := []string{StageCluster}
	for _, g := range p.Brokers.Groups {
		out = append(out, StageGroups+g.Name)
	}
	return append(out, StageAccess)
}

// Annotations GitOps tools read.
const (
	// AnnotationSyncWave orders an Argo CD sync: each wave is applied and healthy before the next.
	AnnotationSyncWave = "argocd.argoproj.io/sync-wave"
	// AnnotationArgoSyncOptions with Prune=false keeps an object Argo CD no longer finds in the
	// output; Delete=false keeps it when the Application itself is deleted.
	AnnotationArgoSyncOptions = "argocd.argoproj.io/sync-options"
	// AnnotationFluxPrune disabled keeps an object a Flux Kustomization no longer finds in the output,
	// and when the Kustomization is deleted.
	AnnotationFluxPrune = "kustomize.toolkit.fluxcd.io/prune"
	// AnnotationHelmPolicy keep leaves an object in place on helm uninstall and on upgrades that drop it.
	AnnotationHelmPolicy = "helm.sh/resource-policy"
)

// keepAnnotations protect the data: every PersistentVolume and claim rocketops writes carries them,
// so no sync, prune, uninstall or Application deletion removes a volume. The claims a StatefulSet
// creates from its templates are no GitOps tool's objects (they carry no Argo CD tracking annotation,
// are in no Flux inventory and no Helm release) and the StatefulSets keep them with
// persistentVolumeClaimRetentionPolicy Retain.
func keepAnnotations() map[string]string {
	return map[string]string{
		AnnotationArgoSyncOptions: "Prune=false,Delete=false",
		AnnotationFluxPrune:       "disabled",
		AnnotationHelmPolicy:      "keep",
	}
}

// syncAnnotations give every object its stage's Argo CD sync wave when the spec syncs with Argo CD:
// the cluster stage is wave 0, group i (in spec order) wave i+1, the access stage the last.
func syncAnnotations(c *spec.Cluster, p *Plan) Sync {
	s := Sync{Components: map[string]map[string]string{}, Groups: map[string]map[string]string{}}
	if c.Spec.GitOps.ArgoCD == nil {
		return s
	}
	wave := func(n int) map[string]string { return map[string]string{AnnotationSyncWave: strconv.Itoa(n)} }
	for _, comp := range []string{"namesrv", "controller", "broker", "storage"} {
		s.Components[comp] = wave(0)
	}
	for i, g := range p.Brokers.Groups {
		s.Groups[g.Name] = wave(i + 1)
	}
	for comp := range accessComponents {
		s.Components[comp] = wave(len(p.Brokers.Groups) + 1)
	}
	return s
}
