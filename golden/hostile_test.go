package golden_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/pkg/cli"
	"github.com/rocketops/rocketops/schemas"
)

// hostileBase is a small valid spec every generated input starts from; each field it lacks is added
// by the generator.
const hostileBase = `apiVersion: rocketops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: rmq
  namespace: mq
spec:
  version: "5.3.3"
  brokers:
    groups:
      - name: broker-a
    placement:
      tolerations:
        - {key: dedicated, operator: Equal, value: rocketmq, effect: NoSchedule}
`

// hostileInput is one generated input and what it must give.
type hostileInput struct {
	name string
	data []byte
}

// deliberateAccepts are generated inputs that are valid on purpose, with the reason.
var deliberateAccepts = map[string]string{
	`hostile-name/cluster/"namesrv"`: "every object is named <cluster>-<component>, so a cluster called namesrv collides with nothing",
	`hostile-name/cluster/"console"`: "every object is named <cluster>-<component>, so a cluster called console collides with nothing",
}

// finding is the first line of a diagnostic: file:line:col, then the rest.
var findingLine = regexp.MustCompile(`(?m)^cluster\.yaml:\d+:\d+: `)

// TestHostileInputs feeds validate at least 250 generated wrong and hostile inputs: every field of the
// schema given every wrong type, near-miss enums, bombs, huge and deep documents, hostile names and
// broken encodings. Each must end, within bounded time and memory, with exit 1 and a finding at a
// file:line:col position, or be a deliberate accept listed above with its reason; none may panic.
func TestHostileInputs(t *testing.T) {
	inputs := append(append(wrongTypes(t), bombs()...), encodings()...)
	require.GreaterOrEqual(t, len(inputs), 250, "the corpus is as large as promised")
	dir := t.TempDir()
	for i, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("%d", i), "cluster.yaml")
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, in.data, 0o644))
			code, stderr, alloc, took := runBounded(t, dir, path)
			// Safety nets, not timings: a quadratic or exponential path shows up as orders of magnitude.
			require.Less(t, took, 10*time.Second, "validate took too long")
			require.Less(t, alloc, uint64(512<<20), "validate allocated %d MiB", alloc>>20)
			if reason, ok := deliberateAccepts[in.name]; ok {
				require.Equal(t, 0, code, "a deliberate accept (%s) was refused:\n%s", reason, stderr)
				return
			}
			require.Equal(t, 1, code, "exit code; stderr:\n%s", stderr)
			require.Regexp(t, findingLine, stderr, "a finding with a position")
			require.NotContains(t, stderr, "internal error")
		})
	}
}

// runBounded validates one file in-process and measures what it took.
func runBounded(t *testing.T, dir, path string) (code int, stderr string, alloc uint64, took time.Duration) {
	t.Helper()
	var out, errb bytes.Buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	done := make(chan int, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				errb.WriteString(fmt.Sprintf("panic: %v", r))
				done <- -1
			}
		}()
		rel, _ := filepath.Rel(dir, path)
		_ = rel
		done <- cli.Run([]string{"validate", path}, strings.NewReader(""), &out, &errb)
	}()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("validate did not end within 30 s")
	}
	took = time.Since(start)
	runtime.ReadMemStats(&after)
	require.NotEqual(t, -1, code, "panic: %s", errb.String())
	// The file is reported by the path given; the assertions look for the base name.
	return code, strings.ReplaceAll(errb.String(), path, "cluster.yaml"), after.TotalAlloc - before.TotalAlloc, took
}

// wrongTypes gives every field of the schema each value of a type it does not take, and near misses
// of every enum.
func wrongTypes(t *testing.T) []hostileInput {
	t.Helper()
	var root map[string]any
	require.NoError(t, json.Unmarshal(schemas.Cluster, &root))
	defs, _ := root["$defs"].(map[string]any)
	var fields []schemaField
	walkSchema(root, defs, nil, &fields, 0)
	sort.Slice(fields, func(i, j int) bool { return strings.Join(fields[i].path, "/") < strings.Join(fields[j].path, "/") })
	var out []hostileInput
	for _, f := range fields {
		for label, v := range wrongValues(f.node) {
			data, err := withValue(t, f.path, v)
			require.NoError(t, err)
			out = append(out, hostileInput{name: "wrong-type/" + strings.Join(f.path, ".") + "/" + label, data: data})
		}
	}
	return out
}

type schemaField struct {
	path []string
	node map[string]any
}

// walkSchema collects the fields of object schemas, following $ref; array items are entered at index 0.
func walkSchema(node, defs map[string]any, path []string, out *[]schemaField, depth int) {
	if depth > 12 {
		return
	}
	if ref, ok := node["$ref"].(string); ok {
		if def, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any); ok {
			merged := map[string]any{}
			for k, v := range def {
				merged[k] = v
			}
			for k, v := range node {
				if k != "$ref" {
					merged[k] = v
				}
			}
			node = merged
		}
	}
	if len(path) > 0 {
		*out = append(*out, schemaField{path: path, node: node})
	}
	if props, ok := node["properties"].(map[string]any); ok {
		for name, p := range props {
			if name == "environments" || name == "apiVersion" || name == "kind" {
				continue // environments are partial documents; the header has its own cases
			}
			if pm, ok := p.(map[string]any); ok {
				walkSchema(pm, defs, append(append([]string{}, path...), name), out, depth+1)
			}
		}
	}
}

// wrongValues are values the field's schema refuses, by label.
func wrongValues(node map[string]any) map[string]any {
	types := map[string]bool{}
	switch t := node["type"].(type) {
	case string:
		types[t] = true
	case []any:
		for _, x := range t {
			types[fmt.Sprint(x)] = true
		}
	}
	out := map[string]any{}
	if !types["string"] && !types["integer"] && !types["number"] && node["enum"] == nil {
		out["string"] = "x"
	}
	if !types["integer"] && !types["number"] && !types["string"] {
		out["number"] = 7
	}
	if !types["boolean"] {
		out["boolean"] = true
	}
	if !types["array"] {
		out["list"] = []any{"x"}
	}
	if !types["object"] {
		out["mapping"] = map[string]any{"x": 1}
	}
	if types["integer"] && !types["string"] {
		out["fraction"] = 1.5
		out["text-number"] = "3"
	}
	if enum, ok := node["enum"].([]any); ok && len(enum) > 0 {
		if s, ok := enum[0].(string); ok {
			out["enum-case"] = strings.ToLower(s) + "X"
			out["enum-space"] = s + " "
		}
	}
	if types["string"] {
		out["control-characters"] = "a\x1b[31mb"
	}
	return out
}

// withValue sets path in the base spec to v and returns the YAML.
func withValue(t *testing.T, path []string, v any) ([]byte, error) {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(hostileBase), &doc); err != nil {
		return nil, err
	}
	cur := doc
	for i, p := range path {
		if i == len(path)-1 {
			cur[p] = v
			break
		}
		next, ok := cur[p].(map[string]any)
		if !ok {
			if list, isList := cur[p].([]any); isList && len(list) > 0 {
				next, _ = list[0].(map[string]any)
			}
			if next == nil {
				next = map[string]any{}
				cur[p] = next
			}
		}
		cur = next
	}
	return yaml.Marshal(doc)
}

// bombs are inputs built to exhaust a naive parser or validator.
func bombs() []hostileInput {
	laughs := func(levels, width int, where string) []byte {
		var b strings.Builder
		b.WriteString("apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: rmq}\nx0: &a0 [lol]\n")
		for i := 1; i <= levels; i++ {
			fmt.Fprintf(&b, "x%d: &a%d [", i, i)
			for j := 0; j < width; j++ {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "*a%d", i-1)
			}
			b.WriteString("]\n")
		}
		fmt.Fprintf(&b, "spec:\n  version: \"5.3.3\"\n%s*a%d\n", where, levels)
		return []byte(b.String())
	}
	deep := func(n int, open, close string) []byte {
		return []byte(hostileBase + "  x: " + strings.Repeat(open, n) + strings.Repeat(close, n) + "\n")
	}
	manyKeys := func(n int, where string) []byte {
		var b strings.Builder
		b.WriteString(hostileBase + where)
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "      k%d: v\n", i)
		}
		return []byte(b.String())
	}
	out := []hostileInput{
		{"bomb/aliases-under-affinity", laughs(7, 10, "  brokers:\n    placement:\n      affinity: ")},
		{"bomb/aliases-under-config", laughs(6, 10, "  brokers:\n    config: ")},
		{"bomb/aliases-in-environment", laughs(6, 10, "  environments:\n    prod: ")},
		{"bomb/self-alias", []byte(hostileBase + "  x: &a [*a]\n")},
		{"bomb/undefined-alias", []byte(hostileBase + "  x: *nowhere\n")},
		{"deep/lists", deep(20000, "[", "]")},
		{"deep/maps", deep(20000, "{a: ", "}")},
		{"many-keys/config", manyKeys(100000, "  nameServer:\n    config:\n")},
		{"many-keys/unknown", manyKeys(20000, "  unknownSection:\n    x:\n")},
		{"huge/scalar", []byte(hostileBase + "  clusterDomain: " + strings.Repeat("a", 4<<20) + "\n")},
		{"huge/document", bytes.Repeat([]byte("# filler line\n"), 1<<20/14*3)},
		{"huge/groups-list", []byte(hostileBase + "  x: 1\n" + strings.Replace(hostileBase[strings.Index(hostileBase, "    groups:"):], "    groups:\n      - name: broker-a\n", groupsList(10000), 1))},
		{"huge/groups-count", []byte(strings.Replace(hostileBase, "    groups:\n      - name: broker-a\n", "    groups: 10000\n", 1))},
		{"huge/slaves", []byte(strings.Replace(hostileBase, "    groups:\n", "    slaves: 1000\n    groups:\n", 1))},
	}
	for _, name := range []string{"namesrv", "console", "Broker-A", "broker_a", "a..b", "-a", strings.Repeat("g", 80), "a\nb", "a\x00b", "\u202egroup", "../../x", "a b"} {
		out = append(out, hostileInput{"hostile-name/group/" + fmt.Sprintf("%q", name), []byte(strings.Replace(hostileBase, "name: broker-a", "name: "+quoteYAML(name), 1))})
		out = append(out, hostileInput{"hostile-name/cluster/" + fmt.Sprintf("%q", name), []byte(strings.Replace(hostileBase, "name: rmq", "name: "+quoteYAML(name), 1))})
	}
	for _, v := range []string{"5.0", "5", "5.3.4", "4.9.9", "v5.3.3", "5.3.3 ", "latest", "5.3.3-SNAPSHOT"} {
		out = append(out, hostileInput{"version/" + v, []byte(strings.Replace(hostileBase, `version: "5.3.3"`, "version: "+quoteYAML(v), 1))})
	}
	return out
}

func groupsList(n int) string {
	var b strings.Builder
	b.WriteString("    groups:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      - name: g%d\n", i)
	}
	return b.String()
}

func quoteYAML(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// encodings are the base spec in forms that are not UTF-8 YAML.
func encodings() []hostileInput {
	utf16le := func(s string, bom bool) []byte {
		var b []byte
		if bom {
			b = append(b, 0xff, 0xfe)
		}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write([]byte(hostileBase))
	_ = w.Close()
	utf32 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
		return b
	}
	return []hostileInput{
		{"encoding/utf16-without-bom", utf16le(hostileBase, false)},
		{"encoding/utf32", utf32(hostileBase)},
		{"encoding/gzip", gz.Bytes()},
		{"encoding/invalid-utf8", append([]byte(hostileBase), 0xff, 0xfe, '\n')},
		{"encoding/nul", []byte(strings.Replace(hostileBase, "rmq", "r\x00mq", 1))},
		{"encoding/binary", bytes.Repeat([]byte{0x00, 0x01, 0x02, 0xfe}, 1024)},
		{"encoding/empty", nil},
		{"encoding/only-comments", []byte("# nothing here\n")},
		{"yaml/tab-indent", []byte(strings.Replace(hostileBase, "  version", "\tversion", 1))},
		{"yaml/missing-space", []byte(strings.Replace(hostileBase, "name: rmq", "name:rmq", 1))},
		{"yaml/tag", []byte(strings.Replace(hostileBase, "name: rmq", "name: !include other.yaml", 1))},
		{"yaml/two-documents", []byte(hostileBase + "---\n" + hostileBase)},
	}
}
