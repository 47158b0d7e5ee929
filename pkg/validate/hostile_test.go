package validate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/validate"
)

// TestHostileValues: values a generated hostile corpus found accepted, each now refused where it is
// written, with what is wrong.
func TestHostileValues(t *testing.T) {
	tests := []struct {
		name     string
		metadata string
		body     string
		pointer  string
		message  string // a part of the message
	}{
		{name: "a heap that overflows the JVM flag", body: "  brokers:\n    jvm: {heap: 100Ei}\n",
			pointer: "/spec/brokers/jvm/heap", message: `"100Ei" is more than 1Pi`},
		{name: "an exponent beyond any size", body: "  brokers:\n    jvm: {heap: 1e400}\n",
			pointer: "/spec/brokers/jvm/heap", message: `"1e400" is more than 1Pi`},
		{name: "a limit beyond int64", body: "  brokers:\n    resources: {limits: {memory: 99999999999999999999Ei}}\n",
			pointer: "/spec/brokers/resources/limits/memory", message: `"99999999999999999999Ei" is more than 1Pi`},
		{name: "a storage class with a space", body: "  brokers:\n    storage: {storageClass: \"Fast SSD\"}\n",
			pointer: "/spec/brokers/storage/storageClass", message: `storageClass "Fast SSD": a lowercase RFC 1123 subdomain`},
		{name: "a storage class in upper case", body: "  brokers:\n    storage: {storageClass: Fast}\n",
			pointer: "/spec/brokers/storage/storageClass", message: `storageClass "Fast"`},
		{name: "a storage class climbing up", body: "  brokers:\n    storage: {storageClass: \"../x\"}\n",
			pointer: "/spec/brokers/storage/storageClass", message: `storageClass "../x"`},
		{name: "a toleration key with a newline", body: "  brokers:\n    placement:\n      tolerations: [{key: \"a\\nb\", operator: Exists}]\n",
			pointer: "/spec/brokers/placement/tolerations/0/key", message: `toleration key "a\nb"`},
		{name: "a toleration key with NUL", body: "  brokers:\n    placement:\n      tolerations: [{key: \"a\\0b\", operator: Exists}]\n",
			pointer: "/spec/brokers/placement/tolerations/0/key", message: `toleration key "a\x00b"`},
		{name: "a repository that holds a tag", body: "  images:\n    broker: {repository: \"apache/rocketmq:5.3.3\"}\n",
			pointer: "/spec/images/broker/repository", message: `repository "apache/rocketmq:5.3.3" holds a tag; the image would be apache/rocketmq:5.3.3:5.3.3`},
		{name: "a repository that holds a digest", body: "  images:\n    console: {repository: \"x/dashboard@sha256\"}\n",
			pointer: "/spec/images/console/repository", message: `must be an image repository`},
		{name: "hostPath climbing up", body: "  brokers:\n    storage: {mode: hostPath, path: /data/../etc}\n",
			pointer: "/spec/brokers/storage/path", message: `path "/data/../etc" is not in its plain form`},
		{name: "hostPath in /proc", body: "  brokers:\n    storage: {mode: hostPath, path: /proc/1}\n",
			pointer: "/spec/brokers/storage/path", message: `path "/proc/1" is inside /proc, which belongs to the node`},
		{name: "hostPath on the runtime's socket", body: "  nameServer:\n    storage: {mode: hostPath, path: /var/run/docker.sock}\n",
			pointer: "/spec/nameServer/storage/path", message: `is inside /var/run`},
		{name: "hostPath at the root", body: "  brokers:\n    storage: {mode: hostPath, path: /}\n",
			pointer: "/spec/brokers/storage/path", message: "path / would put the store at the root of the node"},
		{name: "hostPath with NUL", body: "  brokers:\n    storage: {mode: hostPath, path: \"/data/a\\0b\"}\n",
			pointer: "/spec/brokers/storage/path", message: "control character U+0000"},
		{name: "a reserved rocketops annotation", metadata: "  annotations: {rocketops.dev/config-checksum: x}\n",
			pointer: "/metadata/annotations/rocketops.dev~1config-checksum", message: `annotation "rocketops.dev/config-checksum" is reserved`},
		{name: "a Helm hook annotation", metadata: "  annotations: {helm.sh/hook: pre-install}\n",
			pointer: "/metadata/annotations/helm.sh~1hook", message: `annotation "helm.sh/hook" is reserved`},
		{name: "annotations over 256 KiB", metadata: "  annotations: {" + manyAnnotations(20, 14<<10) + "}\n",
			pointer: "/metadata/annotations", message: "Kubernetes allows 262144 per object"},
		{name: "a negative fileReservedTime", body: "  brokers:\n    config: {fileReservedTime: -48}\n",
			pointer: "/spec/brokers/config/fileReservedTime", message: `"-48" is less than 1: commitlog files would be deleted as soon as they are full`},
		{name: "a control character in broker.conf", body: "  brokers:\n    config: {brokerClusterName: \"a\\u001bb\"}\n",
			pointer: "/spec/brokers/config/brokerClusterName", message: "control character U+001B"},
		{name: "read-only broker data", body: "  brokers:\n    storage: {accessModes: [ReadOnlyMany]}\n",
			pointer: "/spec/brokers/storage/accessModes/0", message: "ReadOnlyMany would mount it read-only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, diags := validate.Validate("cluster.yaml", []byte(doc("5.3.3", tc.metadata, tc.body)))
			assert.Nil(t, res)
			require.NotEmpty(t, diags)
			var found []string
			for _, d := range diags {
				found = append(found, d.String())
				if d.Pointer == tc.pointer && strings.Contains(d.Message, tc.message) {
					assert.NotZero(t, d.Line, "a position")
					return
				}
			}
			t.Errorf("no finding at %s containing %q; got:\n%s", tc.pointer, tc.message, strings.Join(found, "\n"))
		})
	}
}

// manyAnnotations writes n annotations of size bytes each, as a YAML flow mapping body.
func manyAnnotations(n, size int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("note%d: %s", i, strings.Repeat("x", size))
	}
	return strings.Join(parts, ", ")
}

func TestAcceptedNearMisses(t *testing.T) {
	for _, body := range []string{
		"  images:\n    broker: {repository: \"registry.example.com:5000/apache/rocketmq\"}\n",
		"  brokers:\n    storage: {mode: hostPath, path: /data/rocketmq/}\n",
		"  brokers:\n    storage: {storageClass: fast-ssd.example.com}\n",
		"  brokers:\n    config: {fileReservedTime: 1, deleteWhen: \"4;16\"}\n",
	} {
		t.Run(body, func(t *testing.T) {
			check(t, doc("5.3.3", "", body), nil)
		})
	}
}
