package golden_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"

	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

var crdsOnce sync.Map // *rest.Config -> *sync.Once

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
	once, _ := crdsOnce.LoadOrStore(cfg, &sync.Once{})
	var err error
	once.(*sync.Once).Do(func() {
		var data []byte
		data, err = os.ReadFile(kubetest.Tool(t, "prometheus-operator-crds"))
		if err != nil {
			return
		}
		var objs []*unstructured.Unstructured
		if objs, err = kube.DecodeYAML(data); err != nil {
			return
		}
		var client *kube.Client
		if client, err = kube.NewClient(cfg); err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if errs := client.Apply(ctx, objs); len(errs) > 0 {
			err = errs[0]
			return
		}
		probe := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
			"metadata": map[string]any{"name": "probe", "namespace": "default"},
			"spec":     map[string]any{"selector": map[string]any{}, "podMetricsEndpoints": []any{map[string]any{"port": "metrics"}}},
		}}
		for {
			if errs := client.DryRunApply(ctx, []*unstructured.Unstructured{probe}); len(errs) == 0 {
				return
			} else if ctx.Err() != nil {
				err = errs[0]
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	require.NoError(t, err, "install the Prometheus Operator CRDs")
}
