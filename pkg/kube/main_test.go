package kube_test

import (
	"os"
	"testing"

	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// TestMain shares one API server among the package's tests; kubetest.Main stops it after the last one.
func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
