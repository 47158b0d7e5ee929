package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/validate"
)

// doc writes a spec around body, the YAML under spec: beside the version (indented by two
// spaces already); metadata holds extra lines under metadata: (indented too).
func doc(version, metadata, body string) string {
	return "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\n" + metadata +
		"spec:\n  version: \"" + version + "\"\n" + body
}

// finding is what a test expects of one diagnostic: where, what, and in which environments.
type finding struct {
	pos     string // "line:col"
	pointer string
	message string
	hint    string   // "" to not check it
	envs    []string // nil: everywhere
}

func check(t *testing.T, src string, want []finding) {
	t.Helper()
	res, diags := validate.Validate("cluster.yaml", []byte(src))
	if len(want) == 0 {
		require.Empty(t, diags, "%s", diags)
		require.NotNil(t, res)
		return
	}
	assert.Nil(t, res, "an invalid spec gives no result")
	require.Len(t, diags, len(want), "%s", diags)
	for i, w := range want {
		d := diags[i]
		assert.Equal(t, w.pos, itoa(d.Line)+":"+itoa(d.Col), "position of %q", d.Message)
		assert.Equal(t, w.pointer, d.Pointer)
		assert.Equal(t, w.message, d.Message)
		if w.hint != "" {
			assert.Equal(t, w.hint, d.Hint)
		}
		assert.Equal(t, w.envs, d.Envs, "environments of %q", d.Message)
		assert.Equal(t, "cluster.yaml", d.File)
	}
}

func itoa(i int) string {
	var b []byte
	if i == 0 {
		return "0"
	}
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestTopologyRules(t *testing.T) {
	tests := []struct {
		name    string
		version string
		body    string
		want    []finding
	}{
		{
			name: "SYNC with inSyncReplicas 1 on 5.x waits for nobody",
			// line 7: brokers, 8: replication, 9: inSyncReplicas
			version: "5.3.3",
			body:    "  brokers:\n    replication: SYNC\n    inSyncReplicas: 1\n    slaves: 1\n",
			want: []finding{{pos: "9:21", pointer: "/spec/brokers/inSyncReplicas", message: "with inSyncReplicas 1 a RocketMQ 5.x SYNC_MASTER waits for no slave",
				hint: "set inSyncReplicas to 2 or more, or use ASYNC replication"}},
		},
		{
			name:    "SYNC with the default inSyncReplicas is fine",
			version: "5.3.3",
			body:    "  brokers:\n    replication: SYNC\n    slaves: 1\n",
		},
		{
			name:    "ASYNC with inSyncReplicas 1 is fine",
			version: "5.3.3",
			body:    "  brokers:\n    inSyncReplicas: 1\n",
		},
		{
			name:    "SYNC on 4.x without inSyncReplicas is fine",
			version: "4.9.8",
			body:    "  brokers:\n    replication: SYNC\n    slaves: 1\n",
		},
		{
			name:    "inSyncReplicas on 4.x points at the key",
			version: "4.9.8",
			body:    "  brokers:\n    inSyncReplicas: 2\n    slaves: 1\n",
			want: []finding{{pos: "8:5", pointer: "/spec/brokers/inSyncReplicas", message: "inSyncReplicas exists in RocketMQ 5.0.0 and later, not in 4.9.8",
				hint: "remove it: RocketMQ 4.x replicates by brokerRole alone"}},
		},
		{
			name:    "SYNC with groups of which two lack slaves",
			version: "5.3.3",
			body:    "  brokers:\n    replication: SYNC\n    groups: 3\n",
			want: []finding{{pos: "8:18", pointer: "/spec/brokers/replication",
				message: `SYNC replication needs at least one slave, but groups "broker-0", "broker-1", "broker-2" have none`}},
		},
		{
			name:    "the default inSyncReplicas is more than a group can hold",
			version: "5.3.3",
			body:    "  brokers:\n    replication: SYNC\n    groups: [{name: a, slaves: 1}, {name: b, slaves: 0}]\n",
			// b has no slave: one finding for SYNC, not a second one for inSyncReplicas.
			want: []finding{{pos: "8:18", pointer: "/spec/brokers/replication", message: `SYNC replication needs at least one slave, but group "b" has none`}},
		},
		{
			name:    "inSyncReplicas above the replicas of a group",
			version: "5.3.3",
			body:    "  brokers:\n    inSyncReplicas: 3\n    groups: [{name: a, slaves: 2}, {name: b, slaves: 1}]\n",
			want: []finding{{pos: "8:21", pointer: "/spec/brokers/inSyncReplicas",
				message: "inSyncReplicas 3 is more than the replicas (master and slaves) of b (2): writes would never complete"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, doc(tc.version, "", tc.body), tc.want)
		})
	}
}

func TestMetadataRules(t *testing.T) {
	tests := []struct {
		name     string
		metadata string
		want     []finding
	}{
		{
			name:     "a reserved app.kubernetes.io label",
			metadata: "  labels:\n    app.kubernetes.io/name: mine\n",
			want: []finding{{pos: "6:5", pointer: "/metadata/labels/app.kubernetes.io~1name", message: `label "app.kubernetes.io/name" is set by rocketops`,
				hint: "rocketops sets the app.kubernetes.io labels itself"}},
		},
		{
			name:     "part-of is reserved too",
			metadata: "  labels:\n    team: a\n    app.kubernetes.io/part-of: shop\n",
			want:     []finding{{pos: "7:5", pointer: "/metadata/labels/app.kubernetes.io~1part-of", message: `label "app.kubernetes.io/part-of" is set by rocketops`}},
		},
		{
			name:     "other app.kubernetes.io labels are the user's",
			metadata: "  labels:\n    app.kubernetes.io/owner: team-a\n",
		},
		{
			name:     "a rocketops.dev label",
			metadata: "  labels:\n    rocketops.dev/anything: x\n",
			want: []finding{{pos: "6:5", pointer: "/metadata/labels/rocketops.dev~1anything", message: `label "rocketops.dev/anything" is set by rocketops`,
				hint: "rocketops.dev/ labels select pods; pick another prefix"}},
		},
		{
			name:     "sub-domains of rocketops.dev are the user's",
			metadata: "  labels:\n    team.rocketops.dev/x: y\n",
		},
		{
			name:     "a label key Kubernetes refuses, at the key",
			metadata: "  labels:\n    \"bad key!\": x\n",
			want:     []finding{{pos: "6:5", pointer: "/metadata/labels/bad key!", message: `label key "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`}},
		},
		{
			name:     "a label value Kubernetes refuses, at the value",
			metadata: "  labels:\n    team: \"value with spaces\"\n",
			want:     []finding{{pos: "6:11", pointer: "/metadata/labels/team", message: `label value "value with spaces": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},
		},
		{
			name:     "an annotation key Kubernetes refuses; values are free",
			metadata: "  annotations:\n    \"-x\": \"anything at all: even spaces\"\n",
			want:     []finding{{pos: "6:5", pointer: "/metadata/annotations/-x", message: `annotation key "-x": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, doc("5.3.3", tc.metadata, ""), tc.want)
		})
	}
}

func TestStorageRules(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []finding
	}{
		{
			name: "a broker emptyDir below 4Gi",
			// line 7 brokers, 8 storage, 9 mode, 10 size
			body: "  brokers:\n    storage:\n      mode: emptyDir\n      size: 3Gi\n",
			want: []finding{{pos: "10:13", pointer: "/spec/brokers/storage/size", message: "broker volume 3Gi is too small for RocketMQ's commitlog",
				hint: "commitlog files are 1Gi each: give each broker at least 4Gi"}},
		},
		{
			name: "a broker volume of exactly 4Gi",
			body: "  brokers:\n    storage: {size: 4Gi}\n",
		},
		{
			name: "a broker volume of 4096Mi is 4Gi",
			body: "  brokers:\n    storage: {size: 4096Mi}\n",
		},
		{
			name: "4G is less than 4Gi",
			body: "  brokers:\n    storage: {size: 4G}\n",
			want: []finding{{pos: "8:21", pointer: "/spec/brokers/storage/size", message: "broker volume 4G is too small for RocketMQ's commitlog"}},
		},
		{
			name: "a small name-server volume is fine",
			body: "  nameServer:\n    storage: {mode: emptyDir, size: 64Mi}\n",
		},
		{
			name: "hostPath with a size, at the key",
			body: "  brokers:\n    storage:\n      mode: hostPath\n      path: /data\n      size: 100Gi\n",
			want: []finding{{pos: "11:7", pointer: "/spec/brokers/storage/size", message: "size is not used with mode hostPath",
				hint: "a hostPath has the size of the node's disk"}},
		},
		{
			name: "a claim's settings with emptyDir",
			body: "  nameServer:\n    storage:\n      mode: emptyDir\n      storageClass: fast\n      accessModes: [ReadWriteOnce]\n",
			want: []finding{
				{pos: "10:7", pointer: "/spec/nameServer/storage/storageClass", message: "storageClass is only used with modes persistentVolumeClaim and local, not emptyDir", hint: "remove it, or set mode: persistentVolumeClaim"},
				{pos: "11:7", pointer: "/spec/nameServer/storage/accessModes", message: "accessModes is only used with modes persistentVolumeClaim, local and nfs, not emptyDir"},
			},
		},
		{
			name: "an empty storageClass asks for no class and is fine with a claim",
			body: "  brokers:\n    storage: {storageClass: \"\"}\n",
		},
		{
			name: "an empty storageClass is still a claim setting",
			body: "  brokers:\n    storage: {mode: hostPath, path: /d, storageClass: \"\"}\n",
			want: []finding{{pos: "8:41", pointer: "/spec/brokers/storage/storageClass", message: "storageClass is only used with modes persistentVolumeClaim and local, not hostPath"}},
		},
		{
			name: "a zero size",
			body: "  brokers:\n    storage: {size: \"0\"}\n",
			want: []finding{{pos: "8:21", pointer: "/spec/brokers/storage/size", message: `must be more than zero, got "0"`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, doc("5.3.3", "", tc.body), tc.want)
		})
	}
}

func TestMemoryRules(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []finding
	}{
		{
			name: "a name server whose derived heap is below 128Mi",
			// 200Mi gives 100Mi of heap.
			body: "  nameServer:\n    resources:\n      limits: {memory: 200Mi}\n",
			want: []finding{{pos: "9:24", pointer: "/spec/nameServer/resources/limits/memory", message: "heap of 100Mi is too small to run",
				hint: "raise the memory limit or set jvm.heap"}},
		},
		{
			name: "a derived heap of exactly 128Mi runs",
			body: "  nameServer:\n    resources:\n      limits: {memory: 256Mi}\n",
			want: []finding{{pos: "9:24", pointer: "/spec/nameServer/resources/limits/memory",
				message: "the JVM does not fit the memory limit 256Mi: heap 128Mi + 256Mi overhead = 384Mi, and the container would be OOM-killed",
				hint:    "raise resources.limits.memory to at least 512Mi, or lower the JVM sizes"}},
		},
		{
			name: "the smallest broker that fits",
			body: "  brokers:\n    resources:\n      limits: {memory: 2Gi}\n",
		},
		{
			name: "a broker just too small",
			body: "  brokers:\n    resources:\n      limits: {memory: 768Mi}\n",
			want: []finding{{pos: "9:24", pointer: "/spec/brokers/resources/limits/memory",
				message: "the JVM does not fit the memory limit 768Mi: heap 192Mi + direct memory 96Mi + 512Mi overhead = 800Mi, and the container would be OOM-killed",
				hint:    "raise resources.limits.memory to at least 896Mi, or lower the JVM sizes"}},
		},
		{
			name: "a heap with no limit is enough",
			body: "  console:\n    resources: {requests: {cpu: 100m}}\n    jvm: {heap: 256Mi}\n",
		},
		{
			name: "a zero cpu request",
			body: "  console:\n    resources: {requests: {cpu: 0}, limits: {memory: 512Mi}}\n",
			want: []finding{{pos: "8:33", pointer: "/spec/console/resources/requests/cpu", message: `must be more than zero, got "0"`}},
		},
		{
			name: "a cpu request above its limit",
			body: "  brokers:\n    resources:\n      requests: {cpu: \"2\"}\n      limits: {cpu: 1500m, memory: 2Gi}\n",
			want: []finding{{pos: "9:23", pointer: "/spec/brokers/resources/requests/cpu", message: "cpu request 2 is more than its limit 1500m"}},
		},
		{
			name: "directMemory for a name server, at the key",
			body: "  nameServer:\n    jvm: {directMemory: 64Mi}\n",
			want: []finding{{pos: "8:11", pointer: "/spec/nameServer/jvm/directMemory", message: "directMemory is not used by this component"}},
		},
		{
			name: "a disabled console is not checked",
			body: "  console:\n    enabled: false\n    resources: {requests: {cpu: 100m}}\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, doc("5.3.3", "", tc.body), tc.want)
		})
	}
}

func TestZeroLimitReportedOnce(t *testing.T) {
	// Default copies a limit into a missing request, so one bad limit could be checked twice; and a
	// limit that is given but wrong is not also reported as missing.

	check(t, doc("5.3.3", "", "  console:\n    resources: {limits: {memory: 0}}\n"), []finding{
		{pos: "8:34", pointer: "/spec/console/resources/limits/memory", message: `must be more than zero, got "0"`},
	})
}

func TestGivenHeapTooSmall(t *testing.T) {
	// With jvm.heap given, a heap below 128Mi is the heap's fault: the finding points at the limit
	// and asks to set jvm.heap, which is already set.

	check(t, doc("5.3.3", "", "  nameServer:\n    resources:\n      limits: {memory: 2Gi}\n    jvm:\n      heap: 64Mi\n"),
		[]finding{{pos: "11:13", pointer: "/spec/nameServer/jvm/heap", message: "heap of 64Mi is too small to run"}})
}

func TestPlacementAndConsoleRules(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []finding
	}{
		{
			name: "a toleration operator Kubernetes does not know",
			// 7 console, 8 placement, 9 tolerations, 10 item
			body: "  console:\n    placement:\n      tolerations:\n        - {key: a, operator: Equals, value: b}\n",
			want: []finding{{pos: "10:30", pointer: "/spec/console/placement/tolerations/0/operator", message: `operator must be one of Exists, Equal, got "Equals"`}},
		},
		{
			name: "a toleration of everything is fine",
			body: "  nameServer:\n    placement:\n      tolerations: [{operator: Exists}]\n",
		},
		{
			name: "a mistyped toleration field",
			body: "  nameServer:\n    placement:\n      tolerations: [{key: a, tolerationSeconds: soon}]\n",
			want: []finding{{pos: "9:20", pointer: "/spec/nameServer/placement/tolerations",
				message: "cannot unmarshal string into Go struct field Toleration.tolerationSeconds of type int64", hint: "see kubectl explain pod.spec.tolerations"}},
		},
		{
			name: "NodePort with a node port is fine",
			body: "  console:\n    service: {type: NodePort, nodePort: 30080}\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, doc("5.3.3", "", tc.body), tc.want)
		})
	}
}

func TestConfigRules(t *testing.T) {
	tests := []struct {
		name string
		ver  string
		body string
		want []finding
	}{
		{
			name: "an owned key in a group's config points into the group",
			// 7 brokers, 8 groups, 9 - name, 10 config, 11 key
			ver:  "5.3.3",
			body: "  brokers:\n    groups:\n      - name: a\n        config:\n          brokerId: 3\n",
			want: []finding{{pos: "11:11", pointer: "/spec/brokers/groups/0/config/brokerId", message: "brokerId is set by rocketops",
				hint: "brokerIds follow from spec.brokers.slaves: 0 for the master, 1 … for slaves"}},
		},
		{
			name: "controller mode is a mode, not a key",
			ver:  "5.3.3",
			body: "  brokers:\n    config: {enableControllerMode: true}\n",
			want: []finding{{pos: "8:14", pointer: "/spec/brokers/config/enableControllerMode", message: "enableControllerMode is set by rocketops",
				hint: "set spec.brokers.mode: controller"}},
		},
		{
			name: "a key of this version with a valid value",
			ver:  "5.3.3",
			body: "  brokers:\n    config: {fetchNameSrvAddrByDnsLookup: true}\n  nameServer:\n    config: {orderMessageEnable: false}\n",
		},
		{
			name: "a key of 4.x only names the version it exists in",
			ver:  "5.3.3",
			body: "  brokers:\n    config: {commercialEnable: true}\n",
			want: []finding{{pos: "8:14", pointer: "/spec/brokers/config/commercialEnable",
				message: `broker setting "commercialEnable" does not exist in RocketMQ 5.3.3; it exists in 4.9.0 to 4.9.8`, hint: "remove it, or change spec.version"}},
		},
		{
			name: "a key of one release in the middle is no range",
			ver:  "5.3.3",
			body: "  brokers:\n    config: {batchWriteKvCqSize: 16}\n",
			want: []finding{{pos: "8:14", pointer: "/spec/brokers/config/batchWriteKvCqSize",
				message: `broker setting "batchWriteKvCqSize" does not exist in RocketMQ 5.3.3; it exists in 5.3.1`}},
		},
		{
			name: "a key of the develop branch only is unknown",
			ver:  "5.3.3",
			body: "  brokers:\n    config: {combineCQPreferCQType: x}\n",
			want: []finding{{pos: "8:14", pointer: "/spec/brokers/config/combineCQPreferCQType",
				message: `unknown broker setting "combineCQPreferCQType" for RocketMQ 5.3.3 (RocketMQ would ignore it)`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, doc(tc.ver, "", tc.body), tc.want)
		})
	}
}

func TestNameRules(t *testing.T) {
	tests := []struct {
		name    string
		cluster string
		body    string
		want    []finding
	}{
		{
			// "-broker-0" is 9 characters: the broker StatefulSet is the longest name.
			name:    "a 43-character cluster name fits",
			cluster: strings.Repeat("a", 43),
		},
		{
			name:    "a 44-character cluster name makes the broker StatefulSet 53 long",
			cluster: strings.Repeat("a", 44),
			want: []finding{{pos: "4:9", pointer: "/metadata/name", message: `generated broker StatefulSet name "` + strings.Repeat("a", 44) + `-broker-0" is 53 characters; Kubernetes allows 52`,
				hint: "shorten metadata.name (44 characters) to at most 43"}},
		},
		{
			// With a one-letter group, "-b" is 2 and "-namesrv" 8 characters.
			name:    "short groups: a 45-character cluster name breaks the name-server StatefulSet",
			cluster: strings.Repeat("a", 45),
			body:    "  brokers:\n    groups: [{name: b}]\n",
			want: []finding{
				{pos: "4:9", pointer: "/metadata/name", message: `generated name-server StatefulSet name "` + strings.Repeat("a", 45) + `-namesrv" is 53 characters; Kubernetes allows 52`},
			},
		},
		{
			name:    "a long group name is blamed",
			cluster: strings.Repeat("a", 40),
			body:    "  brokers:\n    groups: [{name: " + strings.Repeat("g", 12) + "}]\n",
			want: []finding{{pos: "8:21", pointer: "/spec/brokers/groups/0/name", message: `generated broker StatefulSet name "` + strings.Repeat("a", 40) + "-" + strings.Repeat("g", 12) + `" is 53 characters; Kubernetes allows 52`,
				hint: "shorten metadata.name (40 characters) or the group name (12 characters) by 1 together"}},
		},
		{
			name:    "slaves do not lengthen the names: members are pods of the group's StatefulSet",
			cluster: strings.Repeat("a", 43),
			body:    "  brokers: {slaves: 2}\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(doc("5.3.3", "", tc.body), "name: rmq", "name: "+tc.cluster, 1)
			check(t, src, tc.want)
		})
	}
}

func TestGroupNamesThatClash(t *testing.T) {
	for _, tc := range []struct{ group, clash string }{
		{"namesrv", "the name servers'"},
		{"console", "the console's"},
	} {
		t.Run(tc.group, func(t *testing.T) {
			src := doc("5.3.3", "", "  brokers:\n    groups: [{name: broker-a}, {name: "+tc.group+"}]\n")
			check(t, src, []finding{{pos: "8:39", pointer: "/spec/brokers/groups/1/name",
				message: `group "` + tc.group + `" would give its StatefulSet, ConfigMap and PodDisruptionBudget ` + tc.clash + ` names (rmq-` + tc.group + `)`,
				hint:    "pick another group name, e.g. broker-" + tc.group}})
		})
	}
	t.Run("a name that only contains them is fine", func(t *testing.T) {
		check(t, doc("5.3.3", "", "  brokers:\n    groups: [{name: namesrv-a}, {name: my-console}]\n"), nil)
	})
}

// TestFeaturesNotYetGenerated: the keys of a feature rocketops does not generate are refused, saying
// so, and a credential is refused whatever its key, so that none ends up in a ConfigMap.
func TestFeaturesNotYetGenerated(t *testing.T) {
	tests := []struct {
		key, value, hint string
	}{
		{"aclEnable", "true", "set spec.auth (mode acl1)"},
		{"authenticationEnabled", "true", "set spec.auth (mode acl2)"},
		{"authorizationEnabled", "true", "set spec.auth.authorization"},
		{"metricsExporterType", "PROM", "set spec.metrics.enabled"},
		{"metricsPromExporterPort", "5557", "set spec.metrics.port"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			src := doc("5.3.3", "", "  brokers:\n    config:\n      "+tc.key+": \""+tc.value+"\"\n")
			check(t, src, []finding{{pos: "9:7", pointer: "/spec/brokers/config/" + tc.key,
				message: tc.key + " is set by rocketops", hint: tc.hint}})
		})
	}
	t.Run("an OpenTelemetry header, which may carry a credential", func(t *testing.T) {
		src := doc("5.3.3", "", "  brokers:\n    config:\n      metricsGrpcExporterHeader: \"x\"\n")
		check(t, src, []finding{{pos: "9:7", pointer: "/spec/brokers/config/metricsGrpcExporterHeader",
			message: "metricsGrpcExporterHeader is part of exporting metrics to an OpenTelemetry collector, which rocketops does not support yet"}})
	})
	for _, tc := range []struct{ name, key, value string }{
		{"a credential key", "initAuthenticationUser", `{\"username\":\"rocketmq\",\"password\":\"12345678\"}`},
		{"an unknown key naming a secret", "mySecretKey", "abc"},
		{"a password in the value of an ordinary key", "brokerClusterName", "password=hunter2"},
		{"inner client credentials", "innerClientAuthenticationCredentials", "{}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := doc("5.3.3", "", "  brokers:\n    config:\n      "+tc.key+": \""+tc.value+"\"\n")
			_, diags := validate.Validate("cluster.yaml", []byte(src))
			require.NotEmpty(t, diags)
			var found bool
			for _, d := range diags {
				if d.Message == tc.key+" looks like a credential" {
					found = true
					assert.Equal(t, "keep credentials in a Secret; rocketops never writes one into a ConfigMap", d.Hint)
					assert.Equal(t, "/spec/brokers/config/"+tc.key, d.Pointer)
				}
			}
			assert.True(t, found, "%s", diags)
		})
	}
}

func TestJVMOptionsCannotResize(t *testing.T) {
	for _, tc := range []struct{ option, use string }{
		{"-Xmx4g", "jvm.heap"},
		{"-Xms1g", "jvm.heap"},
		{"-Xmn512m", "jvm.heap (the young generation is half of it)"},
		{"-XX:MaxDirectMemorySize=8g", "jvm.directMemory"},
		{"-XX:MaxRAMPercentage=90", "jvm.heap"},
		{"-Xloggc:/dev/shm/gc.log", "nothing: rocketops writes the GC log to the logs volume"},
	} {
		t.Run(tc.option, func(t *testing.T) {
			src := doc("5.3.3", "", "  brokers:\n    jvm:\n      options: [-XX:+UseG1GC, \""+tc.option+"\"]\n")
			check(t, src, []finding{{pos: "9:31", pointer: "/spec/brokers/jvm/options/1",
				message: `"` + tc.option + `" in jvm.options would override the sizes rocketops checks against the memory limit`,
				hint:    "use " + tc.use + " instead"}})
		})
	}
	t.Run("other options pass", func(t *testing.T) {
		check(t, doc("5.3.3", "", "  brokers:\n    jvm:\n      options: [-XX:+UseG1GC, -Xss512k, -Duser.timezone=UTC]\n"), nil)
	})
}

func TestPageCacheWarning(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string // the warning, "" for none
		pointer string
	}{
		{name: "the default split leaves the page cache 3/8 of 2Gi", body: "  brokers:\n    resources:\n      limits: {memory: 2Gi}\n"},
		{name: "a small limit leaves the overhead most of it", body: "  brokers:\n    resources:\n      limits: {memory: 1Gi}\n",
			pointer: "/spec/brokers/resources/limits/memory",
			want:    "warning: heap 256Mi + direct memory 128Mi + 512Mi overhead leave 128Mi of the memory limit 1Gi for the page cache, less than 25%"},
		{name: "a big heap leaves too little", body: "  brokers:\n    resources:\n      limits: {memory: 8Gi}\n    jvm: {heap: 6Gi}\n",
			pointer: "/spec/brokers/jvm/heap",
			want:    "warning: heap 6Gi + direct memory 1Gi + 512Mi overhead leave 512Mi of the memory limit 8Gi for the page cache, less than 25%"},
		{name: "name servers keep no page cache that matters", body: "  nameServer:\n    resources:\n      limits: {memory: 512Mi}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, diags := validate.Validate("cluster.yaml", []byte(doc("5.3.3", "", tc.body)))
			require.Empty(t, diags, "a warning does not make the spec invalid: %s", diags)
			require.NotNil(t, res)
			if tc.want == "" {
				assert.Empty(t, res.Warnings, "%s", res.Warnings)
				return
			}
			require.Len(t, res.Warnings, 1, "%s", res.Warnings)
			w := res.Warnings[0]
			assert.True(t, w.Warning)
			assert.Equal(t, tc.pointer, w.Pointer)
			assert.Contains(t, w.String(), tc.pointer+": "+tc.want)
			assert.Contains(t, res.Warnings.Error(), "1 warning in cluster.yaml")
		})
	}
}

func TestNameRulePointsAtTheLongGroup(t *testing.T) {
	// The rule finds the group of a too-long StatefulSet name by substring: a later group whose name
	// occurs anywhere in it ("a" is in "master") takes the blame.

	long := "broker-" + strings.Repeat("x", 42)
	src := doc("5.3.3", "", "  brokers:\n    groups:\n      - name: "+long+"\n      - name: a\n")
	_, diags := validate.Validate("cluster.yaml", []byte(src))
	require.Len(t, diags, 1, "%s", diags)
	assert.Equal(t, "/spec/brokers/groups/0/name", diags[0].Pointer)
}

func TestEnvironmentFindings(t *testing.T) {
	// Lines: 7 brokers, 8 storage, 9 size, 10 environments, then the environments.
	const base = "  brokers:\n    storage:\n      size: %s\n  environments:\n"
	tests := []struct {
		name string
		size string
		envs string // under environments:, indented by four
		want []finding
	}{
		{
			name: "everywhere: no environments named",
			size: "2Gi",
			envs: "    dev: {}\n    prod: {}\n",
			want: []finding{{pos: "9:13", pointer: "/spec/brokers/storage/size", message: "broker volume 2Gi is too small for RocketMQ's commitlog"}},
		},
		{
			name: "only in one environment, reported where that environment wrote it",
			size: "8Gi",
			envs: "    dev:\n      spec:\n        brokers:\n          storage: {size: 1Gi}\n    prod: {}\n",
			want: []finding{{pos: "14:27", pointer: "/spec/environments/dev/spec/brokers/storage/size", message: "broker volume 1Gi is too small for RocketMQ's commitlog", envs: []string{"dev"}}},
		},
		{
			name: "in the base only, every environment fixes it",
			size: "2Gi",
			envs: "    dev:\n      spec:\n        brokers:\n          storage: {size: 4Gi}\n",
			want: []finding{{pos: "9:13", pointer: "/spec/brokers/storage/size", message: "broker volume 2Gi is too small for RocketMQ's commitlog", envs: []string{"base"}}},
		},
		{
			name: "in the base and one environment, another fixes it",
			size: "2Gi",
			envs: "    a: {}\n    b:\n      spec:\n        brokers:\n          storage: {size: 4Gi}\n    c: {}\n",
			want: []finding{{pos: "9:13", pointer: "/spec/brokers/storage/size", message: "broker volume 2Gi is too small for RocketMQ's commitlog", envs: []string{"base", "a", "c"}}},
		},
		{
			name: "the same value written twice gives two findings, each where written",
			size: "8Gi",
			envs: "    dev:\n      spec:\n        brokers:\n          storage: {size: 1Gi}\n    prod:\n      spec:\n        brokers:\n          storage: {size: 1Gi}\n",
			want: []finding{
				{pos: "14:27", pointer: "/spec/environments/dev/spec/brokers/storage/size", message: "broker volume 1Gi is too small for RocketMQ's commitlog", envs: []string{"dev"}},
				{pos: "18:27", pointer: "/spec/environments/prod/spec/brokers/storage/size", message: "broker volume 1Gi is too small for RocketMQ's commitlog", envs: []string{"prod"}},
			},
		},
		{
			name: "an environment fixes what the base gets wrong and all is fine",
			size: "8Gi",
			envs: "    dev:\n      spec:\n        brokers:\n          storage: {size: 100Gi}\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := doc("5.3.3", "", strings.Replace(base, "%s", tc.size, 1)+tc.envs)
			check(t, src, tc.want)
		})
	}

	t.Run("no environments: findings name none", func(t *testing.T) {
		check(t, doc("5.3.3", "", "  brokers:\n    storage:\n      size: 2Gi\n"),
			[]finding{{pos: "9:13", pointer: "/spec/brokers/storage/size", message: "broker volume 2Gi is too small for RocketMQ's commitlog"}})
	})
}

func TestResult(t *testing.T) {
	t.Run("no environments: one named default, the base itself", func(t *testing.T) {
		res, diags := validate.Validate("cluster.yaml", []byte(doc("5.3.3", "", "")))
		require.Empty(t, diags)
		assert.Equal(t, []string{"default"}, res.Names)
		require.Contains(t, res.Environments, "default")
		assert.Same(t, res.Base, res.Environments["default"])
		assert.Equal(t, "default", res.Base.Metadata.Namespace, "defaulted")
		assert.NotNil(t, res.Doc)
	})
	t.Run("environments: each merged and defaulted", func(t *testing.T) {
		src := doc("5.3.3", "  namespace: mq\n", "  brokers: {slaves: 1}\n  environments:\n    prod:\n      metadata: {namespace: mq-prod}\n      spec: {brokers: {groups: 2}}\n    dev:\n      spec: {brokers: {slaves: 0}}\n")
		res, diags := validate.Validate("cluster.yaml", []byte(src))
		require.Empty(t, diags)
		assert.Equal(t, []string{"dev", "prod"}, res.Names)
		assert.Equal(t, "mq", res.Base.Metadata.Namespace)
		assert.Equal(t, 1, res.Base.Spec.Brokers.Groups.Count)
		assert.Equal(t, "mq-prod", res.Environments["prod"].Metadata.Namespace)
		assert.Equal(t, 2, res.Environments["prod"].Spec.Brokers.Groups.Count)
		assert.Equal(t, 1, *res.Environments["prod"].Spec.Brokers.Slaves)
		assert.Equal(t, 0, *res.Environments["dev"].Spec.Brokers.Slaves)
		assert.Equal(t, "mq", res.Environments["dev"].Metadata.Namespace)
		assert.Empty(t, res.Environments["prod"].Spec.Environments, "a merged environment holds no environments")
	})
	t.Run("an environment named default is an environment", func(t *testing.T) {
		src := doc("5.3.3", "", "  environments:\n    default:\n      spec: {brokers: {slaves: 1}}\n")
		res, diags := validate.Validate("cluster.yaml", []byte(src))
		require.Empty(t, diags)
		assert.NotSame(t, res.Base, res.Environments["default"])
		assert.Equal(t, 1, *res.Environments["default"].Spec.Brokers.Slaves)
	})
}

func TestValidateStopsAtParseProblems(t *testing.T) {
	// A duplicate key and a rule violation: only the parse problem, since the rules would run on
	// a document YAML has already resolved one way.
	src := doc("5.3.3", "", "  brokers:\n    storage: {size: 2Gi}\n    slaves: 1\n    slaves: 2\n")
	_, diags := validate.Validate("cluster.yaml", []byte(src))
	require.Len(t, diags, 1)
	assert.Equal(t, `duplicate key "slaves" (first at line 9)`, diags[0].Message)
}

func TestEnvironmentNullRemoves(t *testing.T) {
	// The schema documents "null removes" for environments, and spec.Document.Environment
	// implements it, but the environments are checked against the cluster spec's own definition,
	// which allows null nowhere: every removal is refused before any merge.

	src := doc("5.3.3", "", "  brokers:\n    config: {fileReservedTime: 48, deleteWhen: \"04\"}\n  environments:\n    dev:\n      spec:\n        brokers:\n          config: {fileReservedTime: null}\n")
	res, diags := validate.Validate("cluster.yaml", []byte(src))
	require.Empty(t, diags, "%s", diags)
	assert.NotContains(t, res.Environments["dev"].Spec.Brokers.Config, "fileReservedTime")
	assert.Equal(t, "04", res.Environments["dev"].Spec.Brokers.Config["deleteWhen"])
	assert.Equal(t, "48", res.Base.Spec.Brokers.Config["fileReservedTime"])
}
