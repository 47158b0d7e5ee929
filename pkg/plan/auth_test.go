package plan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/plan"
)

const acl2 = `auth:
  enabled: true
  admin: {username: {name: adm, key: u}, password: {name: adm, key: p}}
  innerClient: {accessKey: {name: inner, key: ak}, secretKey: {name: inner, key: sk}}
proxy: {enabled: true}
console: {login: {users: {name: console-users, key: users.properties}}}
`

// TestACL2: the configuration files carry the switches and providers, never a credential; the start
// scripts read the credentials from projected Secret keys; the console takes its own from secretKeyRefs.
func TestACL2(t *testing.T) {
	p := build(t, "5.3.3", acl2)
	g := p.Brokers.Groups[0]
	f := props(t, g.Files[plan.BrokerConfigFile(0)])
	assert.Equal(t, "true", f["authenticationEnabled"])
	assert.Equal(t, "true", f["authorizationEnabled"])
	assert.NotEmpty(t, f["authenticationMetadataProvider"], "acl2 has no default provider, and a broker with an init user stops without one")
	assert.NotContains(t, f, "initAuthenticationUser")
	v := volumes(t, g.Pod)["auth"]
	require.NotNil(t, v.Projected)
	var secrets []string
	for _, s := range v.Projected.Sources {
		secrets = append(secrets, s.Secret.Name+"/"+s.Secret.Items[0].Key+"->"+s.Secret.Items[0].Path)
	}
	assert.Equal(t, []string{"adm/u->admin-username", "adm/p->admin-password", "inner/ak->inner-access-key", "inner/sk->inner-secret-key"}, secrets)
	script := g.Pod.Container.Command[2]
	assert.Contains(t, script, `initAuthenticationUser={"username":"%s","password":"%s"}`)
	assert.Contains(t, script, "$(secret "+plan.AuthPath+"/admin-password spec.auth.admin.password)")

	var cfg map[string]any
	require.NoError(t, json.Unmarshal([]byte(p.Proxy.Config), &cfg))
	assert.Equal(t, true, cfg["authenticationEnabled"])
	assert.Equal(t, true, cfg["enableAclRpcHookForClusterMode"], "the proxy signs its calls to the brokers")
	assert.NotContains(t, cfg, "innerClientAuthenticationCredentials")
	assert.Contains(t, p.Proxy.Pod.Container.Command[2], "-pc /tmp/rmq-proxy.json", "the proxy reads the copy with its credentials")

	e := env(t, p.Console.Pod)
	require.NotNil(t, e["ROCKETMQ_CONFIG_SECRETKEY"].ValueFrom)
	assert.Equal(t, "sk", e["ROCKETMQ_CONFIG_SECRETKEY"].ValueFrom.SecretKeyRef.Key, "the console signs with the inner credentials")
	assert.Contains(t, e["JAVA_OPTS"].Value, "-Drocketmq.config.loginRequired=true")
	assert.True(t, strings.HasPrefix(p.Console.Pod.Container.Command[2], "mkdir -p "), "the console links users.properties into its data path first")
}

// TestACL1: the brokers read the mounted plain_acl.yml, through a path relative to ROCKETMQ_HOME.
func TestACL1(t *testing.T) {
	p := build(t, "4.9.8", "auth:\n  enabled: true\n  acl1: {file: {name: acl, key: plain_acl.yml}}\n  client: {accessKey: {name: c, key: a}, secretKey: {name: c, key: s}}\n")
	g := p.Brokers.Groups[0]
	assert.Equal(t, "true", props(t, g.Files[plan.BrokerConfigFile(0)])["aclEnable"])
	assert.Equal(t, plan.ACLPath, mounts(t, g.Pod)["acl"].MountPath)
	assert.True(t, mounts(t, g.Pod)["acl"].ReadOnly)
	assert.Equal(t, "acl", volumes(t, g.Pod)["acl"].Secret.SecretName)
	assert.Equal(t, "/home/rocketmq/rocketmq-4.9.8/conf/acl", mounts(t, g.Pod)["acl-dir"].MountPath, "an empty folder hides the image's sample ACL files")
	assert.NotNil(t, volumes(t, g.Pod)["acl-dir"].EmptyDir)
	assert.Contains(t, env(t, g.Pod)["JAVA_OPT_EXT"].Value, "-Drocketmq.acl.plain.file=../../../etc/rocketmq-acl/plain_acl.yml")
	assert.Equal(t, "a", env(t, p.Console.Pod)["ROCKETMQ_CONFIG_ACCESSKEY"].ValueFrom.SecretKeyRef.Key)
}

// TestMetrics: the processes' own endpoints from 5.1.0, the exporter before; the alerts fit what exists.
func TestMetrics(t *testing.T) {
	p := build(t, "5.3.3", "metrics: {enabled: true, monitor: ServiceMonitor, rules: {enabled: true}}\nbrokers: {hostNetwork: true, groups: 2}\n")
	require.NotNil(t, p.Metrics)
	assert.Nil(t, p.Metrics.Exporter, "5.3.3 brokers export their own metrics")
	for i, g := range p.Brokers.Groups {
		f := props(t, g.Files[plan.BrokerConfigFile(0)])
		assert.Equal(t, "PROM", f["metricsExporterType"])
		assert.Equal(t, "0.0.0.0", f["metricsPromExporterHost"])
		assert.Equal(t, []int{5557, 5567}[i], g.Ports.Metrics, "host-networked groups space their metrics ports too")
		assert.Equal(t, f["metricsPromExporterPort"], g.Pod.Annotations["prometheus.io/port"])
	}
	var groups []struct {
		Rules []struct{ Alert, Expr string }
	}
	require.NoError(t, json.Unmarshal(p.Metrics.Rules.Groups, &groups))
	var alerts []string
	for _, r := range groups[0].Rules {
		alerts = append(alerts, r.Alert)
	}
	assert.Equal(t, []string{"RocketMQTargetDown", "RocketMQPodsNotReady", "RocketMQStoreVolumeFilling", "RocketMQConsumerLag"}, alerts)

	old := build(t, "4.9.8", "metrics: {enabled: true, rules: {enabled: true}}\nbrokers: {slaves: 1}\n")
	require.NotNil(t, old.Metrics.Exporter, "before 5.1.0 only the exporter has metrics")
	assert.Zero(t, old.Brokers.Ports.Metrics)
	assert.NotContains(t, props(t, old.Brokers.Groups[0].Files[plan.BrokerConfigFile(0)]), "metricsExporterType")
	require.NoError(t, json.Unmarshal(old.Metrics.Rules.Groups, &groups))
	alerts = nil
	for _, r := range groups[0].Rules {
		alerts = append(alerts, r.Alert)
	}
	assert.Contains(t, alerts, "RocketMQReplicationLag", "slaves replicate through HA, whose lag the exporter reports")
	assert.Contains(t, alerts, "RocketMQCommitLogDiskFilling")
	assert.Empty(t, old.Metrics.Exporter.Pod.Container.Command, "the exporter's java is the image's entrypoint, PID 1")
}
