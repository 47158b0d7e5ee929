// Package golden holds the golden cases: each folder has a spec (cluster.yaml) and, under output/,
// exactly what `rocketops compile cluster.yaml -t kustomize,manifests,helm` writes, plus
// -t argocd and -t flux where the spec configures them. errors/ holds txtar
// files with a spec and the exact diagnostics it must produce. The tests beside this file compare
// them, check that kustomize and a real API server accept the output, and rewrite them with -update
// (or ROCKETOPS_UPDATE_GOLDEN=1, which `make golden` sets).
package golden
