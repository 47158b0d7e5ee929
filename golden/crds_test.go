package golden_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"

	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// crdInstalls holds one *crdInstall per API server and CRD file.
var crdInstalls sync.Map // crdKey -> *crdInstall

type crdKey struct {
	cfg  *rest.Config
	tool string
}

// crdInstall is the one install of a CRD file on a server; later callers get its error too.
type crdInstall struct {
	once sync.Once
	err  error
}

// usesMonitoring reports whether objects hold Prometheus Operator kinds.
func usesMonitoring(objs []*unstructured.Unstructured) bool {
	for _, o := range objs {
		if o.GroupVersionKind().Group == "monitoring.coreos.com" {
			return true
		}
	}
	return false
}

// installMonitoringCRDs installs the Prometheus Operator's ServiceMonitor, PodMonitor and PrometheusRule
// CRDs, pinned in scripts/tools.sh and read from the operator's Go module, once per API server, and
// waits until the server serves them.
func installMonitoringCRDs(t *testing.T, cfg *rest.Config) {
	t.Helper()
	installCRDs(t, cfg, "prometheus-operator-crds")
}

// installCRDs installs the CRD file scripts/tools.sh builds under the name tool, once per API server, and
// waits until every CRD in it is Established and its kinds resolve through discovery.
func installCRDs(t *testing.T, cfg *rest.Config, tool string) {
	t.Helper()
	// Found outside the Once: a missing file stops the test, and must not count as an install.
	file := kubetest.Tool(t, tool)
	v, _ := crdInstalls.LoadOrStore(crdKey{cfg, tool}, &crdInstall{})
	in := v.(*crdInstall)
	in.once.Do(func() { in.err = applyCRDs(cfg, file) })
	require.NoError(t, in.err, "install the CRDs of %s", tool)
}

// applyCRDs applies the CRDs in file for real and waits until the server serves each of them.
func applyCRDs(cfg *rest.Config, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	crds, err := kube.DecodeYAML(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	client, err := kube.NewClient(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if errs := client.Apply(ctx, crds); len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, crd := range crds {
		for {
			err := served(ctx, client, crd.GetName())
			if err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("CustomResourceDefinition %s: %w", crd.GetName(), err)
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// served reports, as an error, why the CRD name cannot be used yet: it is not Established, or one of its
// served versions does not resolve yet (discovery lags behind the condition).
func served(ctx context.Context, client *kube.Client, name string) error {
	crd, err := client.Get(ctx, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name)
	if err != nil {
		return err
	}
	conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	established := false
	for _, c := range conditions {
		c, _ := c.(map[string]any)
		established = established || c["type"] == "Established" && c["status"] == "True"
	}
	if !established {
		return errors.New("not Established")
	}
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		v, _ := v.(map[string]any)
		if v["served"] != true {
			continue
		}
		// Asking for an object that does not exist resolves the kind without changing anything; only
		// a served resource answers NotFound.
		apiVersion := fmt.Sprintf("%s/%v", group, v["name"])
		if _, err := client.Get(ctx, apiVersion, kind, kube.DefaultNamespace, "absent"); !apierrors.IsNotFound(err) {
			return fmt.Errorf("%s %s not served: %v", apiVersion, kind, err)
		}
	}
	return nil
}
