package catalog_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rocketops/rocketops/pkg/catalog"
)

func TestSuggest(t *testing.T) {
	tests := []struct {
		name      string
		component catalog.Component
		input     string
		want      string
	}{
		{name: "missing last letter", component: catalog.Broker, input: "flushDiskTyp", want: "flushDiskType"},
		{name: "extra letter", component: catalog.Broker, input: "traceTopicEnablez", want: "traceTopicEnable"},
		{name: "java getter prefix", component: catalog.Broker, input: "isEnableBatchPush", want: "enableBatchPush"},
		{name: "swapped letters", component: catalog.Broker, input: "brokerNmae", want: "brokerName"},
		{name: "case only", component: catalog.Broker, input: "FLUSHDISKTYPE", want: "flushDiskType"},
		{name: "case only, upper-case acronym", component: catalog.NameServer, input: "useTls", want: "useTLS"},
		{name: "valid name suggests itself", component: catalog.Broker, input: "deleteWhen", want: "deleteWhen"},
		{name: "nothing close", component: catalog.Broker, input: "enableNameServerAddressResolve", want: ""},
		{name: "short unrelated word", component: catalog.Broker, input: "port", want: ""},
		{name: "empty", component: catalog.Broker, input: "", want: ""},
		{name: "name server table", component: catalog.NameServer, input: "listenPrt", want: "listenPort"},
		{name: "controller table", component: catalog.Controller, input: "controllerTyp", want: "controllerType"},
		{name: "broker keys are not offered for the controller", component: catalog.Controller, input: "flushDiskTyp", want: ""},
		{name: "proxy table", component: catalog.Proxy, input: "grpcServerPrt", want: "grpcServerPort"},
		{name: "broker keys are not offered for the proxy", component: catalog.Proxy, input: "flushDiskTyp", want: ""},
		{name: "unknown component", component: catalog.Component(5), input: "flushDiskTyp", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, catalog.Suggest(tc.component, tc.input))
		})
	}
}

func TestSuggestIn(t *testing.T) {
	tests := []struct {
		name    string
		version string
		input   string
		want    string
	}{
		{name: "key of that version", version: "4.9.8", input: "flushDiskTyp", want: "flushDiskType"},
		{name: "later key not offered", version: "4.9.8", input: "accountStatsEnabl", want: ""},
		{name: "later key offered in its version", version: "5.0.0", input: "accountStatsEnabl", want: "accountStatsEnable"},
		{name: "unsupported version", version: "develop", input: "flushDiskTyp", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, catalog.SuggestIn(catalog.Broker, tc.version, tc.input))
		})
	}
	assert.Equal(t, "accountStatsEnable", catalog.Suggest(catalog.Broker, "accountStatsEnabl"), "Suggest looks at every version")
}
