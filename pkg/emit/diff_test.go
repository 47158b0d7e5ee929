package emit

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeJSON reads JSON the way render does: numbers as json.Number.
func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&v))
	return v
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name          string
		a, b          string
		withNamespace bool
		want          string // the ops as JSON
	}{
		{name: "equal values give no op", a: `{"a":{"b":[1,{"c":"d"}]}}`, b: `{"a":{"b":[1,{"c":"d"}]}}`, want: `null`},
		{name: "equal numbers written alike", a: `{"n":1}`, b: `{"n":1}`, want: `null`},
		{name: "a scalar is replaced", a: `{"a":1}`, b: `{"a":2}`, want: `[{"op":"replace","path":"/a","value":2}]`},
		{name: "a nested scalar", a: `{"a":{"b":{"c":"x"}}}`, b: `{"a":{"b":{"c":"y"}}}`, want: `[{"op":"replace","path":"/a/b/c","value":"y"}]`},
		{name: "a key is added", a: `{"a":1}`, b: `{"a":1,"b":{"c":1}}`, want: `[{"op":"add","path":"/b","value":{"c":1}}]`},
		{name: "a key is removed", a: `{"a":1,"b":2}`, b: `{"a":1}`, want: `[{"op":"remove","path":"/b"}]`},
		{
			name: "keys in sorted order, whatever the change",
			a:    `{"z":1,"m":1,"b":1}`, b: `{"a":1,"m":2,"z":1}`,
			want: `[{"op":"add","path":"/a","value":1},{"op":"remove","path":"/b"},{"op":"replace","path":"/m","value":2}]`,
		},
		{name: "slash in a key", a: `{"labels":{"app.kubernetes.io/name":"a"}}`, b: `{"labels":{"app.kubernetes.io/name":"b"}}`,
			want: `[{"op":"replace","path":"/labels/app.kubernetes.io~1name","value":"b"}]`},
		{name: "tilde in a key", a: `{"c~d":1}`, b: `{"c~d":2}`, want: `[{"op":"replace","path":"/c~0d","value":2}]`},
		{name: "tilde then slash: ~ is escaped first", a: `{}`, b: `{"~/":1}`, want: `[{"op":"add","path":"/~0~1","value":1}]`},
		{name: "slash then tilde", a: `{"/~":1}`, b: `{}`, want: `[{"op":"remove","path":"/~1~0"}]`},
		{name: "lists of equal length item by item", a: `{"l":[1,2,3]}`, b: `{"l":[1,5,3]}`, want: `[{"op":"replace","path":"/l/1","value":5}]`},
		{name: "mappings inside lists", a: `{"l":[{"n":"a","v":1}]}`, b: `{"l":[{"n":"a","v":2}]}`, want: `[{"op":"replace","path":"/l/0/v","value":2}]`},
		{name: "a longer list is replaced whole", a: `{"l":[1,2]}`, b: `{"l":[1,2,3]}`, want: `[{"op":"replace","path":"/l","value":[1,2,3]}]`},
		{name: "a shorter list is replaced whole", a: `{"l":[1,2,3]}`, b: `{"l":[1]}`, want: `[{"op":"replace","path":"/l","value":[1]}]`},
		{name: "an emptied list", a: `{"l":[1]}`, b: `{"l":[]}`, want: `[{"op":"replace","path":"/l","value":[]}]`},
		{name: "a mapping becomes a list", a: `{"x":{"a":1}}`, b: `{"x":[1]}`, want: `[{"op":"replace","path":"/x","value":[1]}]`},
		{name: "a value becomes null, which is kept", a: `{"x":1}`, b: `{"x":null}`, want: `[{"op":"replace","path":"/x","value":null}]`},
		{name: "false and empty values are kept", a: `{"x":true,"y":"a"}`, b: `{"x":false,"y":""}`,
			want: `[{"op":"replace","path":"/x","value":false},{"op":"replace","path":"/y","value":""}]`},
		{name: "1 and 1.0 differ as text", a: `{"x":1}`, b: `{"x":1.0}`, want: `[{"op":"replace","path":"/x","value":1.0}]`},
		{
			name: "the namespace is left to the kustomization when it changes",
			a:    `{"metadata":{"name":"a","namespace":"x"},"spec":{"n":1}}`, b: `{"metadata":{"name":"a","namespace":"y"},"spec":{"n":2}}`,
			want: `[{"op":"replace","path":"/spec/n","value":2}]`,
		},
		{
			name: "the namespace is patched when the kustomization does not set it",
			a:    `{"metadata":{"name":"a","namespace":"x"}}`, b: `{"metadata":{"name":"a","namespace":"y"}}`, withNamespace: true,
			want: `[{"op":"replace","path":"/metadata/namespace","value":"y"}]`,
		},
		{
			name: "only the object's own namespace is skipped",
			a:    `{"spec":{"template":{"metadata":{"namespace":"x"}}}}`, b: `{"spec":{"template":{"metadata":{"namespace":"y"}}}}`,
			want: `[{"op":"replace","path":"/spec/template/metadata/namespace","value":"y"}]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops := diff("", decodeJSON(t, tc.a), decodeJSON(t, tc.b), tc.withNamespace)
			got, err := json.Marshal(ops)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
			if tc.want == "null" {
				assert.Empty(t, ops)
			}
		})
	}
}

func TestDiffAppliedGivesTheTarget(t *testing.T) {
	// Applying the ops must turn a into b: a small RFC 6902 applier over decoded JSON checks it for
	// cases where several kinds of op meet.
	tests := []struct {
		name string
		a, b string
	}{
		{name: "mixed", a: `{"a":{"x":1,"y":[1,2]},"b":"k","c~/":{"d":1}}`, b: `{"a":{"x":2,"y":[1,2,3],"z":null},"c~/":{"e":1}}`},
		{name: "object-like", a: `{"metadata":{"labels":{"a/b":"1"}},"spec":{"containers":[{"env":[{"name":"A","value":"1"}]}]}}`,
			b: `{"metadata":{"labels":{"a/b":"2","c":"3"}},"spec":{"containers":[{"env":[{"name":"A","value":"2"}]}]}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := decodeJSON(t, tc.a), decodeJSON(t, tc.b)
			got := a
			for _, o := range diff("", a, b, true) {
				got = applyOp(t, got, o)
			}
			assert.Equal(t, b, got)
		})
	}
}

// applyOp performs one op on a copy of doc.
func applyOp(t *testing.T, doc any, o op) any {
	t.Helper()
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	doc = decodeJSON(t, string(raw))
	toks := splitPointer(o.Path)
	require.NotEmpty(t, toks)
	parent := doc
	for _, tok := range toks[:len(toks)-1] {
		switch p := parent.(type) {
		case map[string]any:
			parent = p[tok]
		case []any:
			var i int
			require.NoError(t, json.Unmarshal([]byte(tok), &i))
			parent = p[i]
		}
	}
	last := toks[len(toks)-1]
	val := o.Value
	if val != nil {
		raw, err := json.Marshal(val)
		require.NoError(t, err)
		val = decodeJSON(t, string(raw))
	}
	switch p := parent.(type) {
	case map[string]any:
		if o.Op == "remove" {
			_, ok := p[last]
			require.True(t, ok, "remove of a missing key %s", o.Path)
			delete(p, last)
		} else {
			_, ok := p[last]
			require.Equal(t, o.Op == "replace", ok, "%s of %s", o.Op, o.Path)
			p[last] = val
		}
	case []any:
		var i int
		require.NoError(t, json.Unmarshal([]byte(last), &i))
		require.Equal(t, "replace", o.Op)
		p[i] = val
	default:
		t.Fatalf("no container at %s", o.Path)
	}
	return doc
}

// splitPointer reads a JSON pointer the way RFC 6901 says: ~1 before ~0.
func splitPointer(p string) []string {
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}
