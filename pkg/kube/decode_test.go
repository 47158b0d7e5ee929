package kube_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/kube"
)

func TestDecodeYAML(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string // kind/name of each object, in order
	}{
		{name: "empty input", input: ""},
		{name: "only separators and comments", input: "---\n# nothing here\n---\n\n---\n"},
		{
			name:  "single document without separator",
			input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
			want:  []string{"ConfigMap/a"},
		},
		{
			name: "leading separator, empty documents and comments between objects",
			input: `---
# Source: rocketmq/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
---
# an empty document, as helm emits for a disabled template
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: b
--- # trailing comment on a separator
apiVersion: v1
kind: Service
metadata: {name: c}
---
`,
			want: []string{"ConfigMap/a", "StatefulSet/b", "Service/c"},
		},
		{
			name:  "CRLF line endings and byte-order mark",
			input: "\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: Secret\r\nmetadata: {name: b}\r\n",
			want:  []string{"ConfigMap/a", "Secret/b"},
		},
		{
			name:  "dashes inside a block scalar are content",
			input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: |\n    ----\n    ---x\n",
			want:  []string{"ConfigMap/a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := kube.DecodeYAML([]byte(tt.input))
			require.NoError(t, err)
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeYAMLKeepsIntegers(t *testing.T) {
	objs, err := kube.DecodeYAML([]byte("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec: {replicas: 3}\n"))
	require.NoError(t, err)
	require.Len(t, objs, 1)
	// int64, not float64: unstructured's typed accessors and the apply body depend on it.
	assert.Equal(t, int64(3), objs[0].Object["spec"].(map[string]any)["replicas"])
	data, ok := objs[0].Object["data"]
	assert.False(t, ok, "unexpected data %v", data)
}

func TestDecodeYAMLErrors(t *testing.T) {
	const good = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	tests := []struct {
		name  string
		input string
		want  string // the whole error, so the document number and line are checked exactly
	}{
		{
			name:  "malformed third document",
			input: good + "---\n" + good + "---\nkind: ConfigMap\n  metadata: x\n",
			want:  "kube: document 3 (starting at line 9): yaml: line 10: mapping values are not allowed in this context",
		},
		{
			name:  "empty documents still count",
			input: "---\n" + good + "---\n---\nkind: [\n",
			want:  "kube: document 3 (starting at line 7): yaml: line 7: did not find expected node content",
		},
		{
			name:  "missing kind",
			input: good + "---\napiVersion: v1\nmetadata: {name: b}\n",
			want:  "kube: document 2 (starting at line 5): apiVersion and kind are required",
		},
		{
			name:  "not a mapping",
			input: "- a\n- b\n",
			want:  "kube: document 1 (starting at line 1): want a mapping with apiVersion and kind, got a list",
		},
		{
			name:  "a scalar",
			input: good + "---\njust text\n",
			want:  "kube: document 2 (starting at line 5): want a mapping with apiVersion and kind, got a scalar",
		},
		{
			name:  "duplicate key",
			input: good + "---\napiVersion: v1\nkind: ConfigMap\nkind: Secret\n",
			want:  `kube: document 2 (starting at line 5): yaml: unmarshal errors:` + "\n" + `  line 7: key "kind" already set in map`,
		},
		{
			name:  "content after separator",
			input: good + "--- {apiVersion: v1}\n",
			want:  `kube: document 2 (starting at line 4): content after "---" on the same line is not supported`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := kube.DecodeYAML([]byte(tt.input))
			require.Error(t, err)
			assert.Nil(t, objs)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}
