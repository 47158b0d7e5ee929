package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketops/rocketops/pkg/plan"
)

// TestBoundElsewhere: a cluster-scoped object is another namespace's when its namespace label, or a
// PersistentVolume's claim, says so; clusters of one name in two namespaces never see each other's
// StorageClasses or volumes as extra.
func TestBoundElsewhere(t *testing.T) {
	obj := func(apiVersion, kind string, labels map[string]string, claimNS string) *unstructured.Unstructured {
		o := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "x"}}}
		o.SetLabels(labels)
		if claimNS != "" {
			_ = unstructured.SetNestedField(o.Object, claimNS, "spec", "claimRef", "namespace")
		}
		return o
	}
	tests := []struct {
		name string
		o    *unstructured.Unstructured
		want bool
	}{
		{"a StorageClass of this namespace", obj("storage.k8s.io/v1", "StorageClass", map[string]string{plan.LabelNamespace: "mq"}, ""), false},
		{"a StorageClass of another namespace's cluster", obj("storage.k8s.io/v1", "StorageClass", map[string]string{plan.LabelNamespace: "other"}, ""), true},
		{"a StorageClass without the label", obj("storage.k8s.io/v1", "StorageClass", nil, ""), false},
		{"a volume reserved for a claim elsewhere", obj("v1", "PersistentVolume", nil, "other"), true},
		{"a volume labelled for elsewhere", obj("v1", "PersistentVolume", map[string]string{plan.LabelNamespace: "other"}, "mq"), true},
		{"a volume of this namespace", obj("v1", "PersistentVolume", map[string]string{plan.LabelNamespace: "mq"}, "mq"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, boundElsewhere(tc.o, "mq"))
		})
	}
}
