package golden_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// TestAPIServerAcceptsGolden server-side dry-run applies every environment of every golden case to a
// real kube-apiserver: each object must be accepted as it is written.
func TestAPIServerAcceptsGolden(t *testing.T) {
	srv := kubetest.Shared(t)
	client, err := kube.NewClient(srv.Config)
	require.NoError(t, err)
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env, p := range out.Plans {
			t.Run(name+"/"+env, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				data, err := os.ReadFile(filepath.Join(name, "output", "rendered", env, "manifest.yaml"))
				require.NoError(t, err)
				objs, err := kube.DecodeYAML(data)
				require.NoError(t, err)
				require.Len(t, objs, len(out.Objects[env]))
				require.NoError(t, client.EnsureNamespace(ctx, p.Namespace))
				if usesMonitoring(objs) {
					installMonitoringCRDs(t, srv.Config)
				}
				for _, e := range client.DryRunApply(ctx, objs) {
					t.Error(e)
				}
			})
		}
	}
}
