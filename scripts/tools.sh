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

# build_prometheus_operator_crds joins the three CRDs the generated monitoring objects need into one file,
# from the module zip (example/prometheus-operator-crd/ of github.com/prometheus-operator/prometheus-operator).
build_prometheus_operator_crds() {
  local dir
  dir=$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$dir" ] || { log "could not download github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION"; exit 1; }
  local out
  out="$(target prometheus-operator-crds)"
  : >"$out.tmp"
  for k in servicemonitors podmonitors prometheusrules; do
    { echo "---"; cat "$dir/example/prometheus-operator-crd/monitoring.coreos.com_$k.yaml"; } >>"$out.tmp"
  done
  mv "$out.tmp" "$out"
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
    all) for n in kustomize helm etcd kube-apiserver kube-controller-manager kube-scheduler kwok kube-score prometheus-operator-crds; do ensure "$n"; done ;;
    *) ensure "$t" ;;
  esac
done
