package plan_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rocketops/rocketops/pkg/plan"
)

// workload is one pod template of a plan, with what the test needs to know about its volumes.
type workload struct {
	name      string
	pod       plan.Pod
	configMap string       // the ConfigMap mounted as "config", "" for none
	data      *plan.Volume // the data volume, nil for none
}

func workloads(p *plan.Plan) []workload {
	out := []workload{{name: "name servers", pod: p.NameServer.Pod, configMap: p.NameServer.ConfigMap, data: &p.NameServer.Volume}}
	for i := range p.Brokers.Groups {
		g := &p.Brokers.Groups[i]
		out = append(out, workload{name: "group " + g.Name, pod: g.Pod, configMap: g.ConfigMap, data: &g.Volume})
	}
	if p.Console != nil {
		out = append(out, workload{name: "console", pod: p.Console.Pod})
	}
	return out
}

func TestContainersAreLockedDown(t *testing.T) {
	tests := []struct {
		name    string
		version string
		body    string
		inits   int // init containers of the broker groups
	}{
		{name: "defaults"},
		{name: "4.x, slaves, brokers on hostPath", version: "4.9.8", body: "brokers:\n  groups: 2\n  slaves: 1\n  storage: {mode: hostPath, path: /data}\n", inits: 1},
		{name: "brokers on emptyDir in memory", body: "brokers:\n  storage: {mode: emptyDir, size: 4Gi, medium: Memory}\n"},
		{name: "name servers on a claim, console 2.1.0", body: "nameServer:\n  storage: {mode: persistentVolumeClaim}\nconsole: {version: 2.1.0}\n"},
		{name: "name servers on hostPath", body: "nameServer:\n  storage: {mode: hostPath, path: /data}\n"},
	}
	for _, tc := range tests {
		if tc.version == "" {
			tc.version = "5.3.3"
		}
		p := build(t, tc.version, tc.body)
		for _, w := range workloads(p) {
			t.Run(tc.name+"/"+w.name, func(t *testing.T) {
				c := w.pod.Container
				sc := decode[corev1.SecurityContext](t, c.SecurityContext)
				require.NotNil(t, sc.ReadOnlyRootFilesystem)
				assert.True(t, *sc.ReadOnlyRootFilesystem)
				require.NotNil(t, sc.AllowPrivilegeEscalation)
				assert.False(t, *sc.AllowPrivilegeEscalation)
				require.NotNil(t, sc.RunAsNonRoot)
				assert.True(t, *sc.RunAsNonRoot)
				require.NotNil(t, sc.Capabilities)
				assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
				assert.Empty(t, sc.Capabilities.Add)

				psc := decode[corev1.PodSecurityContext](t, w.pod.SecurityContext)
				require.NotNil(t, psc.FSGroup)
				assert.Equal(t, int64(plan.GID), *psc.FSGroup, "fsGroup makes the volumes writable for the rocketmq user")
				require.NotNil(t, psc.SeccompProfile)
				assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, psc.SeccompProfile.Type)

				req, lim := ephemeral(t, c.Resources)
				assert.LessOrEqual(t, req.Cmp(lim), 0, "request %s over limit %s", req.String(), lim.String())

				volumes := map[string]corev1.Volume{}
				for _, v := range decode[[]corev1.Volume](t, w.pod.Volumes) {
					_, dup := volumes[v.Name]
					require.False(t, dup, "volume %s twice", v.Name)
					volumes[v.Name] = v
				}
				mounted := map[string]bool{}
				paths := map[string]bool{}
				scratch := resource.Quantity{}
				for _, m := range decode[[]corev1.VolumeMount](t, c.VolumeMounts) {
					require.False(t, mounted[m.Name], "%s mounted twice", m.Name)
					mounted[m.Name] = true
					paths[m.MountPath] = true
					v, ok := volumes[m.Name]
					switch {
					case m.Name == "config":
						require.NotEmpty(t, w.configMap, "only name servers and brokers have configuration files")
						require.True(t, ok)
						require.NotNil(t, v.ConfigMap, "config is a ConfigMap volume")
						assert.Equal(t, w.configMap, v.ConfigMap.Name)
						assert.True(t, m.ReadOnly)
						assert.Equal(t, plan.ConfigPath, m.MountPath)
					case w.data != nil && m.Name == w.data.Name:
						assert.Equal(t, w.data.MountPath, m.MountPath)
						assert.Equal(t, w.data.Mode != "persistentVolumeClaim", ok, "a claim comes from the claim template, every other data volume is the pod's")
					default:
						require.True(t, ok, "no volume for mount %s", m.Name)
						require.NotNil(t, v.EmptyDir, "%s is a scratch folder: an emptyDir", m.Name)
						require.NotNil(t, v.EmptyDir.SizeLimit, "%s has a size limit", m.Name)
						assert.Positive(t, v.EmptyDir.SizeLimit.Sign())
						assert.Empty(t, v.EmptyDir.Medium, "%s is on disk, counted as ephemeral storage", m.Name)
						assert.False(t, m.ReadOnly)
						scratch.Add(*v.EmptyDir.SizeLimit)
					}
				}
				for name := range volumes {
					assert.True(t, mounted[name], "volume %s is not mounted", name)
				}
				assert.True(t, paths[plan.TmpPath], "%s is writable", plan.TmpPath)
				assert.LessOrEqual(t, scratch.Cmp(lim), 0, "the ephemeral-storage limit %s holds every scratch folder (%s), so a full log folder never evicts the pod", lim.String(), scratch.String())

				inits := decode[[]corev1.Container](t, w.pod.InitContainers)
				if strings.HasPrefix(w.name, "group ") {
					assert.Len(t, inits, tc.inits)
				}
				for _, ic := range inits {
					require.NotNil(t, ic.SecurityContext, ic.Name)
					require.NotNil(t, ic.SecurityContext.ReadOnlyRootFilesystem, ic.Name)
					assert.True(t, *ic.SecurityContext.ReadOnlyRootFilesystem, ic.Name)
					require.NotNil(t, ic.SecurityContext.AllowPrivilegeEscalation, ic.Name)
					assert.False(t, *ic.SecurityContext.AllowPrivilegeEscalation, ic.Name)
					assert.Equal(t, []corev1.Capability{"ALL"}, ic.SecurityContext.Capabilities.Drop, ic.Name)
					assert.Contains(t, ic.Resources.Requests, corev1.ResourceEphemeralStorage, ic.Name)
					assert.Contains(t, ic.Resources.Limits, corev1.ResourceEphemeralStorage, ic.Name)
					for _, m := range ic.VolumeMounts {
						require.NotNil(t, w.data, ic.Name)
						assert.Equal(t, w.data.Name, m.Name, "%s only touches the data volume", ic.Name)
					}
				}
			})
		}
	}
}

// ephemeral returns a container's ephemeral-storage request and limit; both must be set.
func ephemeral(t *testing.T, r plan.Resources) (resource.Quantity, resource.Quantity) {
	t.Helper()
	require.Contains(t, r.Requests, "ephemeral-storage")
	require.Contains(t, r.Limits, "ephemeral-storage")
	req, err := resource.ParseQuantity(r.Requests["ephemeral-storage"])
	require.NoError(t, err)
	lim, err := resource.ParseQuantity(r.Limits["ephemeral-storage"])
	require.NoError(t, err)
	assert.Equal(t, req.String(), r.Requests["ephemeral-storage"], "canonical")
	assert.Equal(t, lim.String(), r.Limits["ephemeral-storage"], "canonical")
	return req, lim
}

func TestScratchFolders(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		body     string
		pick     func(p *plan.Plan) plan.Pod
		folders  map[string]string // mount path → emptyDir sizeLimit
		request  string
		limit    string
		javaLogs bool // GC log in the logs folder
	}{
		{
			name: "5.x broker: logs as large as logback keeps them", version: "5.3.3",
			pick:    func(p *plan.Plan) plan.Pod { return p.Brokers.Groups[0].Pod },
			folders: map[string]string{plan.LogsPath: "30Gi", plan.TmpPath: "256Mi"},
			request: "2560Mi", limit: "31232Mi", javaLogs: true,
		},
		{
			name: "4.x broker", version: "4.9.8",
			pick:    func(p *plan.Plan) plan.Pod { return p.Brokers.Groups[0].Pod },
			folders: map[string]string{plan.LogsPath: "19Gi", plan.TmpPath: "256Mi"},
			request: "2560Mi", limit: "19968Mi", javaLogs: true,
		},
		{
			name: "5.x name server", version: "5.3.3",
			pick: func(p *plan.Plan) plan.Pod { return p.NameServer.Pod },
			// The default 1Gi emptyDir store counts too.
			folders: map[string]string{plan.LogsPath: "2560Mi", plan.TmpPath: "256Mi"},
			request: "3584Mi", limit: "4Gi", javaLogs: true,
		},
		{
			name: "4.x name server", version: "4.9.8",
			pick:    func(p *plan.Plan) plan.Pod { return p.NameServer.Pod },
			folders: map[string]string{plan.LogsPath: "1408Mi", plan.TmpPath: "256Mi"},
			request: "2944Mi", limit: "2944Mi", javaLogs: true,
		},
		{
			name: "console: one scratch folder for data, Tomcat and its log", version: "5.3.3",
			pick:    func(p *plan.Plan) plan.Pod { return p.Console.Pod },
			folders: map[string]string{plan.TmpPath: "1Gi"},
			request: "1280Mi", limit: "1280Mi",
		},
		{
			name: "a user's request is kept, the limit still derived", version: "5.3.3",
			body:    "brokers:\n  resources:\n    requests: {cpu: 500m, memory: 2Gi, ephemeral-storage: 1Gi}\n    limits: {memory: 2Gi}\n",
			pick:    func(p *plan.Plan) plan.Pod { return p.Brokers.Groups[0].Pod },
			folders: map[string]string{plan.LogsPath: "30Gi", plan.TmpPath: "256Mi"},
			request: "1Gi", limit: "31232Mi", javaLogs: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := tc.pick(build(t, tc.version, tc.body))
			volumes := map[string]corev1.Volume{}
			for _, v := range decode[[]corev1.Volume](t, pod.Volumes) {
				volumes[v.Name] = v
			}
			got := map[string]string{}
			for _, m := range decode[[]corev1.VolumeMount](t, pod.Container.VolumeMounts) {
				if v := volumes[m.Name]; v.EmptyDir != nil && v.EmptyDir.SizeLimit != nil && m.MountPath != plan.NameServerPath && m.MountPath != plan.StorePath {
					got[m.MountPath] = v.EmptyDir.SizeLimit.String()
				}
			}
			assert.Equal(t, tc.folders, got)
			assert.Equal(t, tc.request, pod.Container.Resources.Requests["ephemeral-storage"])
			assert.Equal(t, tc.limit, pod.Container.Resources.Limits["ephemeral-storage"])
			for _, e := range envOf(t, pod.Container) {
				if tc.javaLogs && strings.HasPrefix(e.Name, "JAVA_OPT") {
					assert.Contains(t, strings.Fields(e.Value), "-Xloggc:"+plan.LogsPath+"/gc.log", "the GC log goes to the logs folder, not /dev/shm")
				}
			}
		})
	}
}

func TestCommands(t *testing.T) {
	p := build(t, "5.3.3", "brokers: {slaves: 1}\n")
	tests := []struct {
		name     string
		pod      plan.Pod
		contains []string
		env      map[string]string // variables set from the pod's fields
	}{
		{
			name: "name server",
			pod:  p.NameServer.Pod,
			contains: []string{
				`"$ROCKETMQ_HOME/bin/mqnamesrv" -c /etc/rocketmq/namesrv.conf &`,
				"main=" + plan.NameServerMain, "trap on_term TERM INT",
			},
		},
		{
			name: "broker: the pod ordinal picks the member's file",
			pod:  p.Brokers.Groups[0].Pod,
			contains: []string{
				"id=${POD_NAME##*-}", "src=/etc/rocketmq/broker-$id.conf", "conf=/tmp/broker.conf",
				`printf 'brokerIP1=%s\nbrokerIP2=%s\n' "$POD_IP" "$POD_IP" >>"$conf"`,
				`"$ROCKETMQ_HOME/bin/mqbroker" -c "$conf" &`, "main=" + plan.BrokerMain, "trap on_term TERM INT",
			},
			env: map[string]string{"POD_NAME": "metadata.name", "POD_IP": "status.podIP"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := tc.pod.Container.Command
			require.Len(t, cmd, 3)
			assert.Equal(t, []string{"/bin/sh", "-c"}, cmd[:2])
			for _, s := range tc.contains {
				assert.Contains(t, cmd[2], s)
			}
			assert.NotContains(t, cmd[2], "exec ", "a shell stays PID 1 and passes SIGTERM on")
			for name, path := range tc.env {
				e := envOf(t, tc.pod.Container)[name]
				require.NotNil(t, e.ValueFrom, name)
				require.NotNil(t, e.ValueFrom.FieldRef, name)
				assert.Equal(t, path, e.ValueFrom.FieldRef.FieldPath, name)
			}
		})
	}
}
