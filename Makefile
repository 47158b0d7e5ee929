# rocketops: `make test` builds the pinned tools the tests need (cached outside the clone, in
# ${XDG_CACHE_HOME:-$HOME/.cache}/rocketops/tools, keyed by version) and runs every test.
GO ?= go
# Tests that need helm, kustomize or a kube-apiserver fail instead of skipping when they are missing.
export ROCKETOPS_REQUIRE_TOOLS := 1

.PHONY: test tools vet golden bench build chart

# The golden package takes two minutes on two idle cores; on a loaded machine it has run past go
# test's default ten-minute limit per package, so the limit is the CI job's instead.
test: tools vet
	$(GO) test -count=1 -timeout 80m ./...

tools:
	bash scripts/tools.sh all

vet:
	@unformatted=$$(gofmt -l cmd pkg schemas blueprints golden); \
	  if [ -n "$$unformatted" ]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# golden rewrites every golden file from the current compiler; review the diff like code. It runs
# twice because compiled Helm values depend on the chart's values.yaml, which the first run rewrites.
golden: tools
	ROCKETOPS_UPDATE_GOLDEN=1 $(GO) test -count=1 ./charts/ ./golden/ ./pkg/... >/dev/null || true
	ROCKETOPS_UPDATE_GOLDEN=1 $(GO) test -count=1 ./charts/ ./golden/ ./pkg/...

# chart packages charts/rocketmq into dist/.
chart: tools
	"$$(bash scripts/tools.sh path helm)" lint --strict charts/rocketmq --namespace rocketmq
	"$$(bash scripts/tools.sh path helm)" package charts/rocketmq --destination dist/

# bench runs the Go benchmarks and times the CLI against kustomize build on a large spec.
bench: tools
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/compile/
	bash scripts/bench.sh

build:
	$(GO) build -o bin/rocketops ./cmd/rocketops
