package spec_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/rocketops/rocketops/pkg/spec"
)

// positioned is laid out so that every key and value starts at a column that differs from its
// neighbours': a test that mixes up key and value positions, or lines, fails.
const positioned = `apiVersion: rocketops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: rmq
  labels:
    a/b: slash
    c~d: tilde
spec:
  version: "5.3.3"
  brokers:
    groups:
      - name: broker-a
        slaves: 1
      - name:   broker-b
    config:
      deleteWhen: "04"
`

func mustParse(t *testing.T, src string) *spec.Document {
	t.Helper()
	d, diags := spec.Parse("cluster.yaml", []byte(src))
	require.Empty(t, diags)
	require.NotNil(t, d)
	return d
}

func TestPosition(t *testing.T) {
	d := mustParse(t, positioned)
	tests := []struct {
		name       string
		pointer    string
		key        bool
		line, col  int
		wantOrigin string
	}{
		{name: "top-level key", pointer: "/kind", key: true, line: 2, col: 1, wantOrigin: "/kind"},
		{name: "top-level value", pointer: "/kind", line: 2, col: 7, wantOrigin: "/kind"},
		{name: "nested key", pointer: "/metadata/name", key: true, line: 4, col: 3, wantOrigin: "/metadata/name"},
		{name: "nested value", pointer: "/metadata/name", line: 4, col: 9, wantOrigin: "/metadata/name"},
		{name: "quoted value points at the quote", pointer: "/spec/version", line: 9, col: 12, wantOrigin: "/spec/version"},
		{name: "key holding a slash", pointer: "/metadata/labels/a~1b", key: true, line: 6, col: 5, wantOrigin: "/metadata/labels/a~1b"},
		{name: "key holding a tilde", pointer: "/metadata/labels/c~0d", line: 7, col: 10, wantOrigin: "/metadata/labels/c~0d"},
		{name: "list item field key", pointer: "/spec/brokers/groups/1/name", key: true, line: 14, col: 9, wantOrigin: "/spec/brokers/groups/1/name"},
		{name: "list item field value after extra spaces", pointer: "/spec/brokers/groups/1/name", line: 14, col: 17, wantOrigin: "/spec/brokers/groups/1/name"},
		{name: "list item itself has no key", pointer: "/spec/brokers/groups/0", key: true, line: 12, col: 9, wantOrigin: "/spec/brokers/groups/0"},
		{name: "mapping value starts on the next line", pointer: "/spec/brokers", line: 11, col: 5, wantOrigin: "/spec/brokers"},
		{name: "list value starts at the dash", pointer: "/spec/brokers/groups", line: 12, col: 7, wantOrigin: "/spec/brokers/groups"},
		{name: "missing field falls back to its parent's key", pointer: "/spec/brokers/slaves", key: true, line: 10, col: 3, wantOrigin: "/spec/brokers"},
		{name: "missing deep field falls back to the closest parent", pointer: "/spec/brokers/storage/size", line: 11, col: 5, wantOrigin: "/spec/brokers"},
		{name: "index past the end falls back to the list", pointer: "/spec/brokers/groups/5/name", key: true, line: 11, col: 5, wantOrigin: "/spec/brokers/groups"},
		{name: "root", pointer: "", line: 1, col: 1, wantOrigin: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, col, origin := d.Position(d.Root, tc.pointer, tc.key)
			assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{line, col})
			assert.Equal(t, tc.wantOrigin, origin)
		})
	}
}

func TestParseFindings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want lists the findings as "line:col pointer: message".
		want []string
	}{
		{
			name: "duplicate key is reported at the second one",
			src:  "metadata:\n  name: a\n  labels: {}\n  name: b\n",
			want: []string{`4:3 /metadata/name: duplicate key "name" (first at line 2)`},
		},
		{
			name: "duplicate key inside a list item",
			src:  "groups:\n  - name: a\n    slaves: 1\n    slaves: 2\n",
			want: []string{`4:5 /groups/0/slaves: duplicate key "slaves" (first at line 3)`},
		},
		{
			name: "three times the same key gives two findings",
			src:  "a: 1\na: 2\na: 3\n",
			want: []string{`2:1 /a: duplicate key "a" (first at line 1)`, `3:1 /a: duplicate key "a" (first at line 1)`},
		},
		{
			name: "merge key",
			src:  "base: &b\n  x: 1\nother:\n  <<: *b\n  y: 2\n",
			want: []string{`4:3 /other: YAML merge keys (<<) are not supported`},
		},
		{
			name: "key that is not a scalar",
			src:  "? [a, b]\n: 1\n",
			want: []string{`1:3 : keys must be plain strings`},
		},
		{
			name: "the same key in different mappings is fine",
			src:  "a:\n  name: x\nb:\n  name: y\n",
		},
		{
			name: "an alias used twice is not a duplicate",
			src:  "a: &x {k: 1}\nb: *x\nc: *x\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, diags := spec.Parse("f.yaml", []byte(tc.src))
			require.NotNil(t, d, "findings inside a mapping still give a document")
			var got []string
			for _, x := range diags {
				assert.Equal(t, "f.yaml", x.File)
				got = append(got, itoa(x.Line)+":"+itoa(x.Col)+" "+x.Pointer+": "+x.Message)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseRefusesDocument(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		message   string
	}{
		{name: "empty file", src: "", line: 1, col: 1, message: "the file is empty"},
		{name: "only comments", src: "# nothing here\n\n", line: 1, col: 1, message: "the file is empty"},
		{name: "two documents", src: "a: 1\nb: 2\n---\na: 3\n", line: 3, col: 1, message: "the file holds more than one YAML document"},
		{name: "second document not empty", src: "a: 1\n---\nb: 2\n", line: 2, col: 1, message: "the file holds more than one YAML document"},
		{name: "list", src: "- a\n- b\n", line: 1, col: 1, message: "the document must be a mapping, got a list"},
		{name: "scalar", src: "hello\n", line: 1, col: 1, message: "the document must be a mapping, got a scalar"},
		{name: "explicit empty document", src: "---\n", line: 2, col: 1, message: "the document must be a mapping, got nothing"},
		{name: "scanner error names its line", src: "a: 1\nb: \"x\nc: 3\n", line: 2, col: 1, message: "invalid YAML: found unexpected end of stream"},
		{name: "tab indentation", src: "a:\n\tb: 1\n", line: 2, col: 1, message: "invalid YAML: a tab indents this line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, diags := spec.Parse("f.yaml", []byte(tc.src))
			assert.Nil(t, d)
			require.Len(t, diags, 1)
			assert.Equal(t, tc.message, diags[0].Message)
			assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{diags[0].Line, diags[0].Col})
			assert.NotEmpty(t, diags[0].Hint, "every refusal says what to do")
		})
	}
}

// TestTrailingSeparatorIsOneDocument: a "---" at the end, followed by nothing or by comments only,
// starts no second document.
func TestTrailingSeparatorIsOneDocument(t *testing.T) {
	for _, src := range []string{"a: 1\n---\n", "a: 1\n---\n# the end\n", "---\na: 1\n---\n\n# x\n"} {
		d, diags := spec.Parse("f.yaml", []byte(src))
		assert.Empty(t, diags, "%q", src)
		assert.NotNil(t, d, "%q", src)
	}
}

func TestParseSyntaxErrorLine(t *testing.T) {
	// The YAML library reports parser errors (as opposed to scanner errors) at the 0-based line of
	// the enclosing context, one above where the user wrote it; the hint's "and the one before"
	// then points further away from the mistake.

	_, diags := spec.Parse("f.yaml", []byte("a: 1\nb: [1, 2\n"))
	require.Len(t, diags, 1)
	assert.Equal(t, 2, diags[0].Line)
}

func TestValue(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want any
	}{
		{name: "decimal with a trailing zero keeps its text", src: "10.0", want: json.Number("10.0")},
		{name: "integer", src: "48", want: json.Number("48")},
		{name: "negative integer", src: "-3", want: json.Number("-3")},
		{name: "exponent keeps its text", src: "1e3", want: json.Number("1e3")},
		{name: "integer too big for int64 keeps its text", src: "12345678901234567890", want: json.Number("12345678901234567890")},
		{name: "hexadecimal becomes decimal", src: "0x1F", want: json.Number("31")},
		{name: "YAML 1.2 octal becomes decimal", src: "0o17", want: json.Number("15")},
		{name: "explicit plus sign is dropped", src: "+7", want: json.Number("7")},
		{name: "leading dot becomes JSON", src: ".5", want: json.Number("0.5")},
		{name: "quoted number stays a string", src: `"10"`, want: "10"},
		{name: "yes is a string in YAML 1.2", src: "yes", want: "yes"},
		{name: "true", src: "true", want: true},
		{name: "False", src: "False", want: false},
		{name: "tilde is null", src: "~", want: nil},
		{name: "null", src: "null", want: nil},
		{name: "timestamp-looking text stays text", src: "2024-01-02", want: "2024-01-02"},
		{name: "string", src: "ASYNC_FLUSH", want: "ASYNC_FLUSH"},
		{name: "list", src: "[1, a, true]", want: []any{json.Number("1"), "a", true}},
		{name: "empty list", src: "[]", want: []any{}},
		{name: "empty mapping", src: "{}", want: map[string]any{}},
		{name: "nested", src: "{a: {b: [x]}}", want: map[string]any{"a": map[string]any{"b": []any{"x"}}}},
		{name: "alias resolved to its anchor's value", src: "{a: &x {k: 1}, b: *x}", want: map[string]any{
			"a": map[string]any{"k": json.Number("1")}, "b": map[string]any{"k": json.Number("1")}}},
		{name: "scalar alias", src: "{a: &v 5, b: *v}", want: map[string]any{"a": json.Number("5"), "b": json.Number("5")}},
		{name: "first of duplicate keys wins", src: "{a: 1, a: 2}", want: map[string]any{"a": json.Number("1")}},
		{name: "merge key left out", src: "{base: &b {x: 1}, other: {<<: *b, y: 2}}", want: map[string]any{
			"base": map[string]any{"x": json.Number("1")}, "other": map[string]any{"y": json.Number("2")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := spec.Value(node(t, tc.src))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestValueLeadingZeroInteger(t *testing.T) {
	// YAML 1.2 reads 010 as ten (octal needs 0o); the YAML library reads it the 1.1 way, as eight,
	// so "fileReservedTime: 010" silently becomes 8 hours and "deleteWhen: 04" becomes "4".

	for _, src := range []string{"010", "04"} {
		got, err := spec.Value(node(t, src))
		require.NoError(t, err)
		assert.Equal(t, src, got, "kept as text: the schema or the key catalogue judges it")
	}
}

func TestValueRefusesNonFiniteNumbers(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		pointer   string
	}{
		{name: "infinity", src: "a: .inf\n", line: 1, col: 4, pointer: "/a"},
		{name: "negative infinity in a list", src: "a:\n  - 1\n  - -.Inf\n", line: 3, col: 5, pointer: "/a/1"},
		{name: "not a number", src: "x:\n  y: .nan\n", line: 2, col: 6, pointer: "/x/y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.src)
			_, err := spec.Value(d.Root)
			require.Error(t, err)
			v, diags := d.ValueDiag(d.Root)
			assert.Nil(t, v)
			require.Len(t, diags, 1)
			assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{diags[0].Line, diags[0].Col})
			assert.Equal(t, tc.pointer, diags[0].Pointer)
			assert.Contains(t, diags[0].Message, "is not a finite number")
		})
	}
}

func TestLookup(t *testing.T) {
	d := mustParse(t, "a: &x\n  b: [p, q]\nc: *x\nd/e: slash\n")
	tests := []struct {
		name    string
		pointer string
		want    string // the scalar found, "" for none
	}{
		{name: "through mappings and a list", pointer: "/a/b/1", want: "q"},
		{name: "through an alias", pointer: "/c/b/0", want: "p"},
		{name: "escaped key", pointer: "/d~1e", want: "slash"},
		{name: "unescaped slash is two tokens", pointer: "/d/e"},
		{name: "index out of range", pointer: "/a/b/2"},
		{name: "negative index", pointer: "/a/b/-1"},
		{name: "index into a mapping", pointer: "/a/0"},
		{name: "key into a scalar", pointer: "/d~1e/x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := spec.Lookup(d.Root, tc.pointer)
			if tc.want == "" {
				assert.Nil(t, n)
				return
			}
			require.NotNil(t, n)
			assert.Equal(t, tc.want, n.Value)
		})
	}
}

func TestPointer(t *testing.T) {
	tests := []struct {
		name   string
		tokens []string
		want   string
	}{
		{name: "none", want: ""},
		{name: "plain", tokens: []string{"spec", "brokers"}, want: "/spec/brokers"},
		{name: "slash", tokens: []string{"labels", "app.kubernetes.io/name"}, want: "/labels/app.kubernetes.io~1name"},
		{name: "tilde before slash so ~1 in a key survives", tokens: []string{"~1"}, want: "/~01"},
		{name: "empty token", tokens: []string{""}, want: "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, spec.Pointer(tc.tokens...))
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		check   func(t *testing.T, c *spec.Cluster)
		wantErr string
	}{
		{
			name: "full cluster",
			src: `apiVersion: rocketops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: rmq, namespace: mq, labels: {team: x}}
spec:
  version: "5.3.3"
  brokers:
    groups: [{name: a, slaves: 2, config: {x: 1}}]
    resources: {limits: {memory: 4Gi, cpu: 0.5}}
    placement: {tolerations: [{key: k, operator: Exists}], affinity: {nodeAffinity: {}}}
`,
			check: func(t *testing.T, c *spec.Cluster) {
				assert.Equal(t, "rmq", c.Metadata.Name)
				assert.Equal(t, "mq", c.Metadata.Namespace)
				assert.Equal(t, map[string]string{"team": "x"}, c.Metadata.Labels)
				require.Len(t, c.Spec.Brokers.Groups.Named, 1)
				assert.Equal(t, 2, *c.Spec.Brokers.Groups.Named[0].Slaves)
				assert.Equal(t, spec.Properties{"x": "1"}, c.Spec.Brokers.Groups.Named[0].Config)
				assert.Equal(t, spec.Quantity("4Gi"), c.Spec.Brokers.Resources.Limits["memory"])
				assert.Equal(t, spec.Quantity("0.5"), c.Spec.Brokers.Resources.Limits["cpu"])
				assert.JSONEq(t, `[{"key":"k","operator":"Exists"}]`, string(c.Spec.Brokers.Placement.Tolerations))
				assert.JSONEq(t, `{"nodeAffinity":{}}`, string(c.Spec.Brokers.Placement.Affinity))
			},
		},
		{
			name: "environments kept raw",
			src:  "apiVersion: x\nkind: y\nmetadata: {name: a}\nspec:\n  version: v\n  environments: {prod: {spec: {brokers: {slaves: 1}}}}\n",
			check: func(t *testing.T, c *spec.Cluster) {
				require.Contains(t, c.Spec.Environments, "prod")
				assert.JSONEq(t, `{"brokers":{"slaves":1}}`, string(c.Spec.Environments["prod"].Spec))
			},
		},
		{name: "unknown field", src: "metadata: {name: a, nmae: b}\n", wantErr: `unknown field "nmae"`},
		{name: "wrong type", src: "spec: {nameServer: {replicas: two}}\n", wantErr: "decode spec"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := spec.Decode(mustParse(t, tc.src).Root)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
}

// node reads any YAML text, scalars included, which Parse refuses as a document.
func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &n))
	return &n
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
