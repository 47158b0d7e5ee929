package compile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
)

// TestPlannedCountsPods: Planned hears, before rendering, the pods every compiled environment runs.
func TestPlannedCountsPods(t *testing.T) {
	src := []byte(`apiVersion: rocketops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: rmq}
spec:
  version: "5.3.3"
  nameServer: {replicas: 3}
  brokers: {groups: 2, slaves: 1}
  environments:
    dev:
      spec:
        console: {enabled: false}
        nameServer: {replicas: 1}
    prod: {}
`)
	calls := 0
	var got int
	opts := compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"manifests"}, Planned: func(pods int) { calls++; got = pods }}
	_, err := compile.Compile(opts)
	require.NoError(t, err)
	require.Equal(t, 1, calls)
	// dev: 1 name server + 2 groups × 2 members; prod: 3 + 4 + 1 console.
	assert.Equal(t, 5+8, got)

	opts.Environments = []string{"dev"}
	_, err = compile.Compile(opts)
	require.NoError(t, err)
	assert.Equal(t, 5, got, "only the environments compiled")
}
