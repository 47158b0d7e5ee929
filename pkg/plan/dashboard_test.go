package plan_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rocketops/rocketops/pkg/plan"
)

// systemProperties returns the -D flags of a JVM command line; a property given twice keeps the
// last value, as the JVM does, and is listed in dups.
func systemProperties(opts string) (props map[string]string, dups []string) {
	props = map[string]string{}
	for _, f := range strings.Fields(opts) {
		k, v, ok := strings.Cut(strings.TrimPrefix(f, "-D"), "=")
		if !strings.HasPrefix(f, "-D") || !ok {
			continue
		}
		if _, seen := props[k]; seen {
			dups = append(dups, k)
		}
		props[k] = v
	}
	return props, dups
}

func TestDashboard(t *testing.T) {
	assert.Equal(t, map[string]plan.Dashboard{"2.0.0": {Port: 8080}, "2.1.0": {Port: 8082}}, plan.Dashboards)

	tests := []struct {
		name    string
		body    string
		version string
		port    int
		image   string
		addrs   string // namesrvAddrs, "" to skip the literal comparison
	}{
		{name: "2.0.0 by default, three name servers", body: "nameServer: {replicas: 3}\n",
			version: "2.0.0", port: 8080, image: "apacherocketmq/rocketmq-dashboard:2.0.0", addrs: ns3},
		{name: "2.0.0 named, one name server", body: "console: {version: 2.0.0}\n",
			version: "2.0.0", port: 8080, image: "apacherocketmq/rocketmq-dashboard:2.0.0",
			addrs: "rmq-namesrv-0.rmq-namesrv-headless.mq.svc.cluster.local:9876"},
		{name: "2.1.0, three name servers", body: "nameServer: {replicas: 3}\nconsole: {version: 2.1.0}\n",
			version: "2.1.0", port: 8082, image: "apacherocketmq/rocketmq-dashboard:2.1.0", addrs: ns3},
		{name: "2.1.0 from another registry, two name servers", body: "nameServer: {replicas: 2}\nconsole: {version: 2.1.0}\nimages:\n  console: {repository: registry.example.com/dashboard}\n",
			version: "2.1.0", port: 8082, image: "registry.example.com/dashboard:2.1.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := build(t, "5.3.3", tc.body)
			require.NotNil(t, p.Console)
			c := p.Console.Pod.Container
			assert.Equal(t, tc.version, p.Console.Version)
			assert.Equal(t, tc.port, p.Console.Port)
			assert.Equal(t, tc.image, c.Image)
			assert.Equal(t, 8080, p.Console.Service.Port, "the Service port does not follow the dashboard's")
			assert.Equal(t, []corev1.ContainerPort{{Name: "http", ContainerPort: int32(tc.port), Protocol: corev1.ProtocolTCP}},
				decode[[]corev1.ContainerPort](t, c.Ports))

			props, dups := systemProperties(envOf(t, c)["JAVA_OPTS"].Value)
			assert.Empty(t, dups)
			assert.Equal(t, map[string]string{
				"user.home":                                 plan.TmpPath,
				"java.io.tmpdir":                            plan.TmpPath,
				"rocketmq.config.namesrvAddrs":              strings.Join(p.NameServer.Addresses, ";"),
				"rocketmq.config.dataPath":                  plan.TmpPath + "/rocketmq-console/data",
				"server.port":                               strconv.Itoa(tc.port),
				"management.endpoint.health.probes.enabled": "true",
			}, props)
			addrs := props["rocketmq.config.namesrvAddrs"]
			if tc.addrs != "" {
				assert.Equal(t, tc.addrs, addrs)
			}
			assert.NotContains(t, addrs, ",", "Spring would split the list at a comma, and the dashboard uses its first element only")
			assert.Equal(t, p.NameServer.Addresses, strings.Split(addrs, ";"), "every name server, in order")
			assert.Len(t, strings.Split(addrs, ";"), p.NameServer.Replicas)

			// The dashboard writes only under user.home, java.io.tmpdir and dataPath: a writable mount.
			var writable []string
			for _, m := range decode[[]corev1.VolumeMount](t, c.VolumeMounts) {
				if !m.ReadOnly {
					writable = append(writable, m.MountPath)
				}
			}
			for _, k := range []string{"user.home", "java.io.tmpdir", "rocketmq.config.dataPath"} {
				under := false
				for _, w := range writable {
					under = under || props[k] == w || strings.HasPrefix(props[k], w+"/")
				}
				assert.True(t, under, "%s=%s is on the read-only root", k, props[k])
			}

			probes := map[string]string{}
			for name, raw := range map[string][]byte{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
				pr := decode[*corev1.Probe](t, raw)
				require.NotNil(t, pr, name)
				require.NotNil(t, pr.HTTPGet, "%s probe is an HTTP GET", name)
				assert.Equal(t, intstr.FromString("http"), pr.HTTPGet.Port, "%s probe uses the named port, whichever number it has", name)
				probes[name] = pr.HTTPGet.Path
			}
			assert.Equal(t, map[string]string{
				"startup":   "/actuator/health/liveness",
				"readiness": "/actuator/health/readiness",
				"liveness":  "/actuator/health/liveness",
			}, probes)
		})
	}
}
