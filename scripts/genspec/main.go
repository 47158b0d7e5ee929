// Command genspec prints a large, valid RocketMQCluster spec for benchmarks and scale tests: named
// broker groups with slaves and broker.conf keys, and environments that each differ (namespace,
// replicas, resources, storage size; the last adds groups, the first has no console). The output
// depends only on the flags. scripts/bench.sh and the benchmarks in pkg/compile use it.
//
//	go run ./scripts/genspec -groups 64 -slaves 2 -envs 4 [-version 5.3.3] > cluster.yaml
//	go run ./cmd/rocketops validate cluster.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rocketops/rocketops/pkg/compile/specgen"
)

func main() {
	groups := flag.Int("groups", 64, "broker groups in the base (1 … 256)")
	slaves := flag.Int("slaves", 2, "slaves per group (0 … 8)")
	envs := flag.Int("envs", 4, "environments (0 for none)")
	version := flag.String("version", "5.3.3", "RocketMQ version (spec.version)")
	flag.Parse()
	if flag.NArg() > 0 {
		fail("unexpected arguments %q", flag.Args())
	}
	switch {
	case *groups < 1 || *groups > 256:
		fail("-groups must be 1 … 256, got %d", *groups)
	case *slaves < 0 || *slaves > 8:
		fail("-slaves must be 0 … 8, got %d", *slaves)
	case *envs < 0 || *envs > 64:
		fail("-envs must be 0 … 64, got %d", *envs)
	}
	if _, err := os.Stdout.Write(specgen.Generate(*groups, *slaves, *envs, *version)); err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "genspec: "+format+"\n", args...)
	os.Exit(2)
}
