// Command rocketops compiles a RocketMQ cluster spec into GitOps-ready Kubernetes manifests.
package main

import (
	"os"
	"runtime/debug"

	"github.com/rocketops/rocketops/pkg/cli"
)

// Memory of a compile: the live heap grows with the pods it plans (about 35 MB for the 850 of the
// benchmark spec, 64 groups × 3 members × 4 environments), and most of what it allocates is garbage
// at once. The collector runs at a quarter of its default frequency (GOGC 400) until the heap
// reaches a soft limit of 80 KiB per pod and at least 64 MiB, and as often as it takes to stay there
// after that; the benchmark spec then peaks at about 113 MiB of resident memory (127 MiB with 100
// KiB per pod, for 5% less CPU; scripts/bench.sh), and a spec twice its size gets a limit twice as
// large instead of a collector running all the time. validate keeps the defaults, which hold its
// memory to a few tens of MB on the worst specs the limits let through. GOGC and GOMEMLIMIT in the
// environment win.
const (
	minMemoryLimit = 64 << 20
	memoryPerPod   = 80 << 10
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "compile" || os.Args[1] == "diff" || os.Args[1] == "argocd") {
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(400)
		}
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(minMemoryLimit)
			cli.SizeMemory = func(pods int) { debug.SetMemoryLimit(max(minMemoryLimit, int64(pods)*memoryPerPod)) }
		}
	}
	cli.CompileCache = cli.DefaultCompileCache()
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
