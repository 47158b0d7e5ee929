package spec_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/spec"
)

// defaulted decodes a spec whose spec: section is body and defaults it.
func defaulted(t *testing.T, version, body string) *spec.Cluster {
	t.Helper()
	src := "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: rmq}\nspec:\n  version: \"" + version + "\"\n" + indentBlock(body, "  ")
	c, err := spec.Decode(mustParse(t, src).Root)
	require.NoError(t, err)
	c.Default()
	return c
}

func TestDefaultMinimal(t *testing.T) {
	c := defaulted(t, "5.3.3", "")
	s := c.Spec
	q := func(m map[string]spec.Quantity) map[string]spec.Quantity { return m }
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"namespace", c.Metadata.Namespace, "default"},
		{"cluster domain", s.ClusterDomain, "cluster.local"},
		{"name-server image", s.Images.NameServer, spec.Image{Repository: "apache/rocketmq", Tag: "5.3.3", PullPolicy: "IfNotPresent"}},
		{"broker image", s.Images.Broker, spec.Image{Repository: "apache/rocketmq", Tag: "5.3.3", PullPolicy: "IfNotPresent"}},
		{"console image", s.Images.Console, spec.Image{Repository: "apacherocketmq/rocketmq-dashboard", Tag: "2.0.0", PullPolicy: "IfNotPresent"}},
		{"name-server replicas", *s.NameServer.Replicas, 1},
		{"name-server requests", q(s.NameServer.Resources.Requests), map[string]spec.Quantity{"cpu": "250m", "memory": "1Gi"}},
		{"name-server limits", q(s.NameServer.Resources.Limits), map[string]spec.Quantity{"memory": "1Gi"}},
		{"name-server storage", s.NameServer.Storage, spec.Storage{Mode: "emptyDir", Size: "1Gi"}},
		{"name-server spread", s.NameServer.Placement.SpreadMembers, "preferred"},
		{"cluster name", s.Brokers.ClusterName, "DefaultCluster"},
		{"groups", s.Brokers.Groups, spec.Groups{Count: 1}},
		{"slaves", *s.Brokers.Slaves, 0},
		{"replication", s.Brokers.Replication, "ASYNC"},
		{"flush", s.Brokers.FlushDiskType, "ASYNC_FLUSH"},
		{"in-sync replicas only with SYNC", s.Brokers.InSyncReplicas, (*int)(nil)},
		{"broker requests", q(s.Brokers.Resources.Requests), map[string]spec.Quantity{"cpu": "500m", "memory": "2Gi"}},
		{"broker limits", q(s.Brokers.Resources.Limits), map[string]spec.Quantity{"memory": "2Gi"}},
		{"broker storage", s.Brokers.Storage, spec.Storage{Mode: "persistentVolumeClaim", Size: "8Gi", AccessModes: []string{"ReadWriteOnce"}}},
		{"broker spread", s.Brokers.Placement.SpreadMembers, "required"},
		{"console enabled", *s.Console.Enabled, true},
		{"console replicas", *s.Console.Replicas, 1},
		{"console service", s.Console.Service, spec.ConsoleService{Type: "ClusterIP", Port: 8080}},
		{"console requests", q(s.Console.Resources.Requests), map[string]spec.Quantity{"cpu": "100m", "memory": "512Mi"}},
		{"console limits", q(s.Console.Resources.Limits), map[string]spec.Quantity{"memory": "512Mi"}},
		{"console spread", s.Console.Placement.SpreadMembers, "preferred"},
	}
	for _, tc := range checks {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.got)
		})
	}
}

func TestDefaultKeepsWhatIsGiven(t *testing.T) {
	tests := []struct {
		name  string
		ver   string
		body  string
		check func(t *testing.T, c *spec.Cluster)
	}{
		{
			name: "only a memory limit: the request follows it, no cpu is invented",
			ver:  "5.3.3",
			body: "brokers:\n  resources:\n    limits: {memory: 4Gi}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, map[string]spec.Quantity{"memory": "4Gi"}, c.Spec.Brokers.Resources.Requests)
				assert.Equal(t, map[string]spec.Quantity{"memory": "4Gi"}, c.Spec.Brokers.Resources.Limits)
			},
		},
		{
			name: "a request below the limit is kept",
			ver:  "5.3.3",
			body: "brokers:\n  resources:\n    requests: {memory: 1Gi}\n    limits: {memory: 4Gi, cpu: \"2\"}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, map[string]spec.Quantity{"memory": "1Gi", "cpu": "2"}, c.Spec.Brokers.Resources.Requests)
			},
		},
		{
			name: "only requests: no limit is invented",
			ver:  "5.3.3",
			body: "console:\n  resources:\n    requests: {cpu: 100m}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, map[string]spec.Quantity{"cpu": "100m"}, c.Spec.Console.Resources.Requests)
				assert.Empty(t, c.Spec.Console.Resources.Limits)
			},
		},
		{
			name: "resources of one component leave the others defaulted",
			ver:  "5.3.3",
			body: "nameServer:\n  resources:\n    limits: {memory: 3Gi}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, map[string]spec.Quantity{"memory": "3Gi"}, c.Spec.NameServer.Resources.Requests)
				assert.Equal(t, map[string]spec.Quantity{"cpu": "500m", "memory": "2Gi"}, c.Spec.Brokers.Resources.Requests)
			},
		},
		{
			name: "named groups are not replaced by a count",
			ver:  "5.3.3",
			body: "brokers:\n  groups: [{name: a}]\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Zero(t, c.Spec.Brokers.Groups.Count)
				assert.Equal(t, []spec.Group{{Name: "a"}}, c.Spec.Brokers.Groups.Named)
			},
		},
		{
			name: "SYNC on 5.x defaults inSyncReplicas to 2",
			ver:  "5.3.3",
			body: "brokers: {replication: SYNC, slaves: 1}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				require.NotNil(t, c.Spec.Brokers.InSyncReplicas)
				assert.Equal(t, 2, *c.Spec.Brokers.InSyncReplicas)
			},
		},
		{
			name: "SYNC on 4.x has no inSyncReplicas",
			ver:  "4.9.8",
			body: "brokers: {replication: SYNC, slaves: 1}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Nil(t, c.Spec.Brokers.InSyncReplicas)
			},
		},
		{
			name: "a given inSyncReplicas is kept",
			ver:  "5.3.3",
			body: "brokers: {replication: SYNC, slaves: 2, inSyncReplicas: 3}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, 3, *c.Spec.Brokers.InSyncReplicas)
			},
		},
		{
			name: "zero values that mean something are kept",
			ver:  "5.3.3",
			body: "console: {enabled: false}\nbrokers: {slaves: 0}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.False(t, *c.Spec.Console.Enabled)
				assert.Equal(t, 0, *c.Spec.Brokers.Slaves)
			},
		},
		{
			name: "hostPath storage gets no size and no access modes",
			ver:  "5.3.3",
			body: "brokers:\n  storage: {mode: hostPath, path: /data}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, spec.Storage{Mode: "hostPath", Path: "/data"}, c.Spec.Brokers.Storage)
			},
		},
		{
			name: "a claim for the name server gets the name-server size",
			ver:  "5.3.3",
			body: "nameServer:\n  storage: {mode: persistentVolumeClaim}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, spec.Quantity("1Gi"), c.Spec.NameServer.Storage.Size)
				assert.Equal(t, []string{"ReadWriteOnce"}, c.Spec.NameServer.Storage.AccessModes)
			},
		},
		{
			name: "given images keep their parts, the rest is defaulted",
			ver:  "4.9.8",
			body: "images:\n  broker: {repository: reg.example.com/rocketmq}\n  console: {tag: \"1.0.0\", pullPolicy: Always}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, spec.Image{Repository: "reg.example.com/rocketmq", Tag: "4.9.8", PullPolicy: "IfNotPresent"}, c.Spec.Images.Broker)
				assert.Equal(t, spec.Image{Repository: "apacherocketmq/rocketmq-dashboard", Tag: "1.0.0", PullPolicy: "Always"}, c.Spec.Images.Console)
			},
		},
		{
			name: "given placement and service kept",
			ver:  "5.3.3",
			body: "brokers:\n  placement: {spreadMembers: none}\nconsole:\n  service: {type: NodePort, port: 80, nodePort: 30080}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, "none", c.Spec.Brokers.Placement.SpreadMembers)
				assert.Equal(t, spec.ConsoleService{Type: "NodePort", Port: 80, NodePort: 30080}, c.Spec.Console.Service)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, defaulted(t, tc.ver, tc.body))
		})
	}
}

func TestDefaultIsIdempotent(t *testing.T) {
	c := defaulted(t, "5.3.3", "brokers: {replication: SYNC, slaves: 1, resources: {limits: {memory: 4Gi}}}\n")
	// JSON, not a struct copy: the copy would share the maps and pointers Default writes through.
	before, err := json.Marshal(c)
	require.NoError(t, err)
	c.Default()
	after, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after))
}
