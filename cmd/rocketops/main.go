// Command rocketops compiles a RocketMQ cluster spec into GitOps-ready Kubernetes manifests.
package main

import (
	"os"

	"github.com/rocketops/rocketops/pkg/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
