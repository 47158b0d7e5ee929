#!/usr/bin/env bash
# bench.sh times the rocketops CLI on a large generated spec (64 groups × 3 members × 4 environments,
# from scripts/genspec) against what a user runs next: `kustomize build` of each overlay with the
# pinned kustomize, `helm template` of the chart with each values file, and the Argo CD plugin's
# generate command for one environment. It prints min and median wall time, mean CPU time and peak
# memory per command and the objects each produces, the ratios the speed goals are stated in, and how
# memory and diff time grow with 32, 64 and 128 groups.
#
#   bash scripts/bench.sh                 after `bash scripts/tools.sh all` (or `make tools`)
#   BENCH_RUNS=20 bash scripts/bench.sh   timed runs per command (default 5, after one warm-up run)
#   BENCH_TIMER=loop bash scripts/bench.sh  time with a date +%s%N loop even when hyperfine is installed
#
# It uses hyperfine when installed, otherwise a loop. Needs no network once Go modules are cached.
set -euo pipefail

GROUPS_N=64
SLAVES=2
ENVS=4
VERSION=5.3.3
runs="${BENCH_RUNS:-5}"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
log() { echo "bench.sh: $*" >&2; }
die() { log "$*"; exit 1; }

case "$runs" in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number, got '$runs'" ;; esac
# The binary scripts/tools.sh links; the same place its `path` command prints.
kustomize=$(bash "$root/scripts/tools.sh" path kustomize)
[ -x "$kustomize" ] || die "kustomize is not built ($kustomize missing); run: bash scripts/tools.sh kustomize (or make tools)"
helm=$(bash "$root/scripts/tools.sh" path helm)
[ -x "$helm" ] || die "helm is not built ($helm missing); run: bash scripts/tools.sh helm (or make tools)"
timer=loop
if [ "${BENCH_TIMER:-}" != loop ] && command -v hyperfine >/dev/null; then
  timer=hyperfine
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log "building rocketops and the spec (${GROUPS_N} groups, ${SLAVES} slaves, ${ENVS} environments)"
go build -o "$tmp/rocketops" ./cmd/rocketops
go run ./scripts/genspec -groups "$GROUPS_N" -slaves "$SLAVES" -envs "$ENVS" -version "$VERSION" >"$tmp/cluster.yaml"
rops="$tmp/rocketops"
spec="$tmp/cluster.yaml"
q() { printf '%q' "$1"; }

# The output kustomize builds, and the rendered manifests the objects are counted in.
"$rops" validate "$spec" >/dev/null
"$rops" compile "$spec" -o "$tmp/kustomize" --target kustomize >/dev/null
"$rops" compile "$spec" -o "$tmp/manifests" --target manifests >/dev/null
"$rops" compile "$spec" -o "$tmp/helm" --target helm >/dev/null
envs=()
for d in "$tmp/kustomize/overlays"/*/; do envs+=("$(basename "$d")"); done
[ "${#envs[@]}" -eq "$ENVS" ] || die "expected $ENVS overlays, compile wrote ${#envs[@]}"

# count_objects FILE...: top-level objects in YAML streams.
count_objects() { cat "$@" | grep -c '^kind:' || true; }

# measure PREPARE CMD: runs CMD $runs times (PREPARE before each, untimed) and sets min and median
# wall time and cpu, the mean user + system time (ms).
measure() {
  local prepare=$1 cmd=$2
  if [ "$timer" = hyperfine ]; then
    local args=(--style none --shell bash --warmup 1 --runs "$runs" --export-csv "$tmp/hyperfine.csv")
    [ -z "$prepare" ] || args+=(--prepare "$prepare")
    hyperfine "${args[@]}" "$cmd" >/dev/null
    # command,mean,stddev,median,user,system,min,max in seconds; the command may hold commas.
    read -r min median cpu < <(awk -F, 'NR == 2 { printf "%.1f %.1f %.1f\n", $(NF-1) * 1000, $(NF-4) * 1000, ($(NF-3) + $(NF-2)) * 1000 }' "$tmp/hyperfine.csv")
    return
  fi
  local i
  : >"$tmp/times"
  # Each in a subshell: a command may change directory (cd "$tmp" && ...).
  (eval "$prepare")
  (eval "$cmd") >/dev/null
  for ((i = 0; i < runs; i++)); do
    (eval "$prepare")
    { TIMEFORMAT='%R %U %S'; time (eval "$cmd") >/dev/null; } 2>>"$tmp/times"
  done
  read -r min median cpu < <(sort -n "$tmp/times" | awk '
    { v[NR] = $1; c += $2 + $3 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.1f %.1f %.1f\n", v[1] * 1000, m * 1000, c / NR * 1000
    }')
}

# rss CMD: the peak resident memory of one run of CMD, in MiB ("-" without GNU time).
rss() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$tmp/rss" bash -c "$1" >/dev/null 2>&1 && awk '{ printf "%.0f", $1 / 1024 }' "$tmp/rss"
  else
    printf -- -
  fi
}

rows=()
row() { rows+=("$(printf '%-48s %9s %9s %9s %8s %7s' "$1" "$2" "$3" "$4" "$5" "${6:--}")"); }

total=$(count_objects "$tmp/manifests/rendered"/*/*.yaml)
declare -A wall cpus
for target in kustomize manifests helm kustomize,manifests,helm; do
  out="$tmp/run-$target"
  log "timing rocketops compile --target $target"
  measure "rm -rf $(q "$out")" "$(q "$rops") compile $(q "$spec") -o $(q "$out") --target $target"
  mem=$(rm -rf "$out" && rss "$(q "$rops") compile $(q "$spec") -o $(q "$out") --target $target")
  row "rocketops compile --target $target" "$min" "$median" "$cpu" "$total" "$mem"
  wall[$target]=$median cpus[$target]=$cpu
done
# diff of the unchanged folder: as in CI on a fresh runner (no record of the compile: every diff
# compiles), and after a compile on the same machine recorded it (the compile cache).
log "timing rocketops diff of the unchanged tree, without the compile cache"
measure "" "ROCKETOPS_CACHE=off $(q "$rops") diff $(q "$spec") $(q "$tmp/run-kustomize,manifests,helm")"
row "rocketops diff (unchanged, all three, no cache)" "$min" "$median" "$cpu" "$total" "$(rss "ROCKETOPS_CACHE=off $(q "$rops") diff $(q "$spec") $(q "$tmp/run-kustomize,manifests,helm")")"
wall[diff]=$median
log "timing rocketops diff of the unchanged tree, with the compile's record"
measure "" "$(q "$rops") diff $(q "$spec") $(q "$tmp/run-kustomize,manifests,helm")"
row "rocketops diff (unchanged, all three, cached)" "$min" "$median" "$cpu" "$total" "$(rss "$(q "$rops") diff $(q "$spec") $(q "$tmp/run-kustomize,manifests,helm")")"
wall[diffcached]=$median
for env in "${envs[@]}"; do
  log "timing kustomize build overlays/$env"
  measure "" "$(q "$kustomize") build $(q "$tmp/kustomize/overlays/$env")"
  n=$("$kustomize" build "$tmp/kustomize/overlays/$env" | count_objects)
  want=$(count_objects "$tmp/manifests/rendered/$env"/*.yaml)
  [ "$n" -eq "$want" ] || die "kustomize build overlays/$env gives $n objects, rendered/$env has $want"
  row "kustomize build overlays/$env" "$min" "$median" "$cpu" "$n"
done
for env in "${envs[@]}"; do
  log "timing helm template with values-$env.yaml"
  ns=$(awk '/^namespace:/ { print $2 }' "$tmp/helm/values-$env.yaml")
  name=$(awk '/^name:/ { print $2 }' "$tmp/helm/values-$env.yaml")
  measure "" "$(q "$helm") template $(q "$name") charts/rocketmq --namespace $(q "$ns") -f $(q "$tmp/helm/values-$env.yaml")"
  n=$("$helm" template "$name" charts/rocketmq --namespace "$ns" -f "$tmp/helm/values-$env.yaml" | count_objects)
  want=$(count_objects "$tmp/manifests/rendered/$env"/*.yaml)
  [ "$n" -eq "$want" ] || die "helm template with values-$env.yaml gives $n objects, rendered/$env has $want"
  row "helm template (values-$env.yaml)" "$min" "$median" "$cpu" "$n" "$(rss "$(q "$helm") template $(q "$name") charts/rocketmq --namespace $(q "$ns") -f $(q "$tmp/helm/values-$env.yaml")")"
  helm_wall=$(awk -v a="${helm_wall:-0}" -v b="$median" 'BEGIN { print a + b }')
  helm_cpu=$(awk -v a="${helm_cpu:-0}" -v b="$cpu" 'BEGIN { print a + b }')
done
for env in "${envs[@]:0:1}"; do
  # The Argo CD plugin path: one environment to stdout, in the spec's folder, as the sidecar runs it.
  log "timing rocketops argocd generate (environment $env)"
  measure "" "cd $(q "$tmp") && ARGOCD_ENV_ROCKETOPS_ENVIRONMENT=$(q "$env") $(q "$rops") argocd generate </dev/null"
  n=$(cd "$tmp" && ARGOCD_ENV_ROCKETOPS_ENVIRONMENT="$env" "$rops" argocd generate </dev/null 2>/dev/null | count_objects)
  want=$(count_objects "$tmp/manifests/rendered/$env"/*.yaml)
  [ "$n" -eq "$want" ] || die "argocd generate for $env gives $n objects, rendered/$env has $want"
  row "rocketops argocd generate ($env)" "$min" "$median" "$cpu" "$n" "$(cd "$tmp" && ARGOCD_ENV_ROCKETOPS_ENVIRONMENT="$env" rss "$(q "$rops") argocd generate </dev/null")"
done
log "timing rocketops validate"
measure "" "$(q "$rops") validate $(q "$spec")"
row "rocketops validate" "$min" "$median" "$cpu" "-"

# Memory and diff time as the spec grows: 32, 64 and 128 groups.
scaling=()
for n in 32 64 128; do
  log "scaling: $n groups"
  go run ./scripts/genspec -groups "$n" -slaves "$SLAVES" -envs "$ENVS" -version "$VERSION" >"$tmp/scale.yaml"
  rm -rf "$tmp/scale"
  mem=$(rss "$(q "$rops") compile $(q "$tmp/scale.yaml") -o $(q "$tmp/scale") --target manifests")
  "$rops" compile "$tmp/scale.yaml" -o "$tmp/scale" --target manifests >/dev/null
  measure "" "ROCKETOPS_CACHE=off $(q "$rops") diff $(q "$tmp/scale.yaml") $(q "$tmp/scale")"
  scaling+=("$(printf '%-10s %12s %16s' "$n" "$mem" "$median")")
done

echo
echo "spec: $GROUPS_N groups × $((SLAVES + 1)) members × $ENVS environments ($(wc -l <"$spec") lines, $(wc -c <"$spec") bytes), version $VERSION"
echo "timer: $timer, $runs runs after 1 warm-up; kustomize $("$kustomize" version); $(go version | cut -d' ' -f3-); $(nproc) CPUs"
echo
printf '%-48s %9s %9s %9s %8s %7s\n' "command" "min ms" "median ms" "cpu ms" "objects" "MiB"
printf '%s\n' "${rows[@]}"
echo
# The pairs the speed goals are stated in: compile of every environment against helm template of the
# same environments, one after another (the sum of their medians and of their CPU times).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "helm template of the $ENVS environments: ${helm_wall} ms wall, ${helm_cpu} ms cpu"
for target in manifests kustomize,manifests,helm; do
  echo "compile --target $target / helm template: $(ratio "${wall[$target]}" "$helm_wall")x wall, $(ratio "${cpus[$target]}" "$helm_cpu")x cpu"
done
echo "diff of the unchanged tree / compile of it: $(ratio "${wall[diff]}" "${wall[kustomize,manifests,helm]}")x wall without the cache, $(ratio "${wall[diffcached]}" "${wall[kustomize,manifests,helm]}")x with it"
echo
printf '%-10s %12s %16s\n' "groups" "compile MiB" "diff median ms"
printf '%s\n' "${scaling[@]}"
