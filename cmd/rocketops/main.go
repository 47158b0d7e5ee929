// Command rocketops compiles a RocketMQ cluster spec into GitOps-ready Kubernetes manifests.
package main

import (
	"os"
	"runtime/debug"

	"github.com/rocketops/rocketops/pkg/cli"
)

func main() {
	// One compile allocates a lot of short-lived data and exits; collecting less often saves a
	// quarter of the run time on large specs. validate keeps the default, which holds its memory
	// to a few tens of MB on the worst specs the limits let through. GOGC in the environment wins.
	if os.Getenv("GOGC") == "" && len(os.Args) > 1 && (os.Args[1] == "compile" || os.Args[1] == "diff") {
		debug.SetGCPercent(400)
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
