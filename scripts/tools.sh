#!/usr/bin/env bash
# tools.sh builds the real Kubernetes tools the tests run against, from the Go module proxy, at pinned
# versions, into a cache outside the clone (${XDG_CACHE_HOME:-$HOME/.cache}/rocketops/tools, or
# $ROCKETOPS_TOOLS), keyed by version, so every clone and every CI run on a machine reuses them.
# A tool already built at its pinned version is not built again.
#
#   scripts/tools.sh [all|NAME]...   build what is missing; NAME is one of the tools listed in `all` below
#   scripts/tools.sh path NAME       print the binary's path
#
# The pins live here and nowhere else; tests find the binaries in the same folder (pkg/kube/kubetest).
set -euo pipefail

HELM_VERSION=v3.22.0
KUSTOMIZE_VERSION=v5.8.2
ETCD_VERSION=v3.5.35
KUBE_VERSION=v1.33.13
KWOK_VERSION=v0.8.0
KUBE_SCORE_VERSION=v1.20.0
# The Prometheus Operator's CRDs (ServiceMonitor, PodMonitor, PrometheusRule), read from its Go module.
PROMETHEUS_OPERATOR_VERSION=v0.93.0
# Argo CD's Application, ApplicationSet and AppProject CRDs, read from its Go module (the argocd CLI itself does
# not build from the proxy). v3.6.1 asks for Go 1.27, but its zip is fetched and unpacked all the same.
ARGOCD_VERSION=v3.6.1
# The flux CLI, and the controller versions that release ships (manifests/crds/kustomization.yaml in its
# module), whose modules give the Kustomization, HelmRelease, GitRepository and OCIRepository CRDs.
FLUX_VERSION=v2.9.5
FLUX_KUSTOMIZE_CONTROLLER_VERSION=v1.9.5
FLUX_HELM_CONTROLLER_VERSION=v1.6.4
FLUX_SOURCE_CONTROLLER_VERSION=v1.9.5

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="${ROCKETOPS_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/rocketops/tools}"
case "$tools" in /*) ;; *) tools="$root/$tools" ;; esac
mkdir -p "$tools/bin" "$tools/src"

version_of() {
  case "$1" in
    helm) echo "$HELM_VERSION" ;;
    kustomize) echo "$KUSTOMIZE_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kube-apiserver | kube-controller-manager | kube-scheduler) echo "$KUBE_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    kube-score) echo "$KUBE_SCORE_VERSION" ;;
    prometheus-operator-crds) echo "$PROMETHEUS_OPERATOR_VERSION" ;;
    argocd-crds) echo "$ARGOCD_VERSION" ;;
    flux) echo "$FLUX_VERSION" ;;
    # Keyed by every controller pin, so that changing one rebuilds the file.
    flux-crds) echo "kustomize-$FLUX_KUSTOMIZE_CONTROLLER_VERSION-helm-$FLUX_HELM_CONTROLLER_VERSION-source-$FLUX_SOURCE_CONTROLLER_VERSION" ;;
    *) echo "tools.sh: unknown tool $1" >&2; exit 2 ;;
  esac
}

# Each binary is stored under its version; bin/NAME is a link to the pinned one.
target() { echo "$tools/versions/$1-$(version_of "$1")/$1"; }

log() { echo "tools.sh: $*" >&2; }

link() {
  ln -sfn "$(target "$1")" "$tools/bin/$1"
}

build_helm() {
  GOBIN="$(dirname "$(target helm)")" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

build_kustomize() {
  GOBIN="$(dirname "$(target kustomize)")" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
}

build_etcd() {
  local src="$tools/src/etcd-$ETCD_VERSION"
  mkdir -p "$src"
  cat >"$src/go.mod" <<MOD
module rocketops.dev/tools/etcd

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$src/tools.go"
  (cd "$src" && go mod tidy -e >/dev/null 2>&1 || true
   cd "$src" && go build -o "$(target etcd)" go.etcd.io/etcd/server/v3)
}

build_kwok() {
  GOBIN="$(dirname "$(target kwok)")" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

build_kube_score() {
  GOBIN="$(dirname "$(target kube-score)")" go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
}

# module_dir MODULE@VERSION fetches a module zip through the proxy and prints the folder it is unpacked in.
# When the module asks for a newer Go than this one, go mod download exits non-zero and prints no "Dir",
# though it has fetched and unpacked the zip; the folder is then taken from the module cache.
module_dir() {
  local json dir
  json=$(go mod download -json "$1" || true)
  dir=$(printf '%s\n' "$json" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$dir" ] || dir="$(go env GOMODCACHE)/$1"
  if [ ! -f "$dir/go.mod" ]; then
    log "could not download $1: $(printf '%s\n' "$json" | sed -n 's/.*"Error": "\(.*\)".*/\1/p')"
    exit 1
  fi
  echo "$dir"
}

# join_crds NAME FILE... writes the files, as one YAML stream, to NAME's target.
join_crds() {
  local out
  out="$(target "$1")"
  shift
  : >"$out.tmp"
  for f in "$@"; do
    { echo "---"; cat "$f"; } >>"$out.tmp"
  done
  mv "$out.tmp" "$out"
}

# build_prometheus_operator_crds joins the three CRDs the generated monitoring objects need into one file,
# from the module zip (example/prometheus-operator-crd/ of github.com/prometheus-operator/prometheus-operator).
build_prometheus_operator_crds() {
  local dir
  dir=$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")
  join_crds prometheus-operator-crds "$dir"/example/prometheus-operator-crd/monitoring.coreos.com_{servicemonitors,podmonitors,prometheusrules}.yaml
}

# build_argocd_crds joins the CRDs of the generated Argo CD objects into one file, from the module zip
# (manifests/crds/ of github.com/argoproj/argo-cd/v3).
build_argocd_crds() {
  local dir
  dir=$(module_dir "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION")
  join_crds argocd-crds "$dir"/manifests/crds/{application,applicationset,appproject}-crd.yaml
}

# build_flux_crds joins the CRDs of the generated Flux objects into one file, from the controllers' module
# zips (config/crd/bases/).
build_flux_crds() {
  local kustomize helm source
  kustomize=$(module_dir "github.com/fluxcd/kustomize-controller@$FLUX_KUSTOMIZE_CONTROLLER_VERSION")
  helm=$(module_dir "github.com/fluxcd/helm-controller@$FLUX_HELM_CONTROLLER_VERSION")
  source=$(module_dir "github.com/fluxcd/source-controller@$FLUX_SOURCE_CONTROLLER_VERSION")
  join_crds flux-crds \
    "$kustomize/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml" \
    "$helm/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml" \
    "$source"/config/crd/bases/source.toolkit.fluxcd.io_{gitrepositories,ocirepositories}.yaml
}

# build_flux builds the flux CLI from a copy of its module. The install manifests it embeds
# (cmd/flux/manifests/*.yaml) are generated at release time and are not in the module zip, so the copy gets
# a placeholder for the embed pattern to match: `flux install` and `flux bootstrap` cannot work, `flux build`
# does not use them.
build_flux() {
  local dir src
  dir=$(module_dir "github.com/fluxcd/flux2/v2@$FLUX_VERSION")
  src="$tools/src/flux2-$FLUX_VERSION"
  rm -rf "$src"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  mkdir -p "$src/cmd/flux/manifests"
  echo "# placeholder: the install manifests are not in the module zip" >"$src/cmd/flux/manifests/x.yaml"
  (cd "$src" && go build -trimpath -ldflags "-s -w -X main.VERSION=${FLUX_VERSION#v}" -o "$(target flux)" ./cmd/flux)
}

build_kube_apiserver() { build_kube kube-apiserver; }
build_kube_controller_manager() { build_kube kube-controller-manager; }
build_kube_scheduler() { build_kube kube-scheduler; }

# build_kube NAME builds one of k8s.io/kubernetes' commands through a wrapper module.
build_kube() {
  local name=$1
  local src="$tools/src/kubernetes-$KUBE_VERSION"
  local staging="v0${KUBE_VERSION#v1}"
  local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  mkdir -p "$src"
  # k8s.io/kubernetes replaces its staging modules with local folders, so it cannot be built as a
  # dependency as it is; map each staging module to its published version instead.
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    printf 'module rocketops.dev/tools/kubernetes\n\ngo 1.24\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$KUBE_VERSION"
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk '{print $1}' |
      grep -vE '^k8s\.io/(sample-cli-plugin|sample-controller)$' |
      while read -r m; do printf '\t%s => %s %s\n' "$m" "$m" "$staging"; done
    printf ')\n'
  } >"$src/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler"\n)\n' >"$src/tools.go"
  (cd "$src" && go mod tidy -e >/dev/null 2>&1 || true
   cd "$src" && go build -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
     -o "$(target "$name")" "k8s.io/kubernetes/cmd/$name")
}

ensure() {
  local name=$1
  if [ ! -e "$(target "$name")" ]; then
    log "building $name $(version_of "$name") (cached in $tools afterwards)"
    mkdir -p "$(dirname "$(target "$name")")"
    "build_${name//-/_}"
  fi
  link "$name"
}

if [ "${1:-}" = path ]; then
  echo "$tools/bin/${2:?tools.sh path NAME}"
  exit 0
fi

[ $# -gt 0 ] || set -- all
for t in "$@"; do
  case "$t" in
    all) for n in kustomize helm etcd kube-apiserver kube-controller-manager kube-scheduler kwok kube-score prometheus-operator-crds argocd-crds flux-crds flux; do ensure "$n"; done ;;
    *) ensure "$t" ;;
  esac
done
