package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/validate"
)

// TestModeRefusals: combinations that validate field by field but cannot run are refused, each with its
// reason at the field that decides it.
func TestModeRefusals(t *testing.T) {
	tests := []struct {
		name, version, body, pointer, message string
	}{
		{"a local proxy with slaves", "5.3.3", "  brokers: {slaves: 1}\n  proxy: {enabled: true, mode: local}\n",
			"/spec/proxy/mode", "a local proxy answers routes with its own broker as the master"},
		{"a local proxy of DLedger groups", "5.3.3", "  brokers: {mode: dledger}\n  proxy: {enabled: true, mode: local}\n",
			"/spec/proxy/mode", "a local proxy answers routes with its own broker as the master"},
		{"a local proxy behind a LoadBalancer", "5.3.3", "  proxy: {enabled: true, mode: local, service: {type: LoadBalancer}}\n",
			"/spec/proxy/service/type", "a local proxy hands clients its broker's pod address"},
		{"a DLedger commitlog volume before 4.9.4", "4.9.3", "  brokers: {mode: dledger, commitLogStorage: {size: 10Gi}}\n",
			"/spec/brokers/commitLogStorage", "a DLedger commitlog of its own needs storePathDLedgerCommitLog"},
		{"a DLedger port on the metrics port", "5.3.3", "  brokers: {mode: dledger, dledger: {port: 5557}}\n  metrics: {enabled: true}\n",
			"/spec/brokers/dledger/port", "DLedger port 5557 meets the metrics port 5557"},
		{"metrics on the exporter's own gRPC port", "4.9.8", "  metrics: {enabled: true, port: 5559}\n",
			"/spec/metrics/port", "metrics port 5559 is a port RocketMQ listens on already"},
		{"a controller StatefulSet name too long", "5.3.3", "  brokers: {mode: controller}\n",
			"/metadata/name", "generated controller StatefulSet name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := doc(tc.version, "", tc.body)
			if strings.Contains(tc.name, "too long") {
				src = strings.Replace(src, "name: rmq", "name: "+strings.Repeat("c", 42), 1)
			}
			res, diags := validate.Validate("cluster.yaml", []byte(src))
			assert.Nil(t, res)
			require.NotEmpty(t, diags.Errors(), "%s must be refused", tc.name)
			var found bool
			for _, d := range diags.Errors() {
				if d.Pointer == tc.pointer && strings.Contains(d.Message, tc.message) {
					found = true
				}
			}
			assert.True(t, found, "no finding %q at %s in:\n%s", tc.message, tc.pointer, diags)
		})
	}
}
