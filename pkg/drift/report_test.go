package drift

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDriftReportText pins the text report: header, findings in install order of kind, each field with
// both values or a line diff, errors with their hint, and the summary.
func TestDriftReportText(t *testing.T) {
	r := &Report{Spec: "cluster.yaml", Cluster: "rmq", Environment: "prod", Context: "prod-eu", Server: "https://10.0.0.1:6443",
		Namespace: "rocketmq", Objects: 5, InSync: 1}
	id := func(apiVersion, kind, name string) ObjectID {
		return ObjectID{APIVersion: apiVersion, Kind: kind, Namespace: "rocketmq", Name: name}
	}
	r.Findings = []Finding{
		{Object: id("apps/v1", "StatefulSet", "rmq-broker-0"), State: Changed, Changes: []Change{
			{Path: "/spec/replicas", Desired: 1, Live: 3, HasDesired: true, HasLive: true},
			{Path: "/metadata/labels/team", Live: "a", HasLive: true},
		}},
		{Object: id("monitoring.coreos.com/v1", "PodMonitor", "rmq"), State: Failed, Error: "the cluster does not serve it", Hint: "install it"},
		{Object: id("v1", "ConfigMap", "rmq-broker-0-config"), State: Changed, Changes: []Change{
			{Path: "/data/broker.conf", Desired: "a=1\nb=2\nc=3\n", Live: "a=1\nb=5\nc=3\n", HasDesired: true, HasLive: true},
		}},
		{Object: id("v1", "Service", "rmq-console"), State: Missing},
		{Object: id("v1", "ConfigMap", "old"), State: Extra},
	}
	sortFindings(r.Findings)
	var b bytes.Buffer
	require.NoError(t, r.WriteText(&b))
	assert.Equal(t, `cluster "rmq", environment prod, namespace rocketmq, against context prod-eu (https://10.0.0.1:6443)

- ConfigMap rocketmq/old: in the cluster with the cluster's labels, but no longer generated
~ ConfigMap rocketmq/rmq-broker-0-config: 1 field differs
    ~ /data/broker.conf
        --- live
        +++ desired
        @@ -1,3 +1,3 @@
         a=1
        -b=5
        +b=2
         c=3
+ Service rocketmq/rmq-console: missing from the cluster
~ StatefulSet rocketmq/rmq-broker-0: 2 fields differ
    ~ /spec/replicas
        desired: 1
        live:    3
    - /metadata/labels/team
        desired: (absent)
        live:    "a"
! PodMonitor rocketmq/rmq: could not be compared
    the cluster does not serve it
    hint: install it

drift: 1 missing, 2 changed, 1 extra (1 of 5 generated objects in sync; 1 could not be compared)
`, b.String())
}
