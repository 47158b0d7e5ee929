package spec_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rocketops/rocketops/pkg/spec"
)

// fuzzSeeds are the shapes the fuzzer starts from: real specs, and the tricks the limits are for.
var fuzzSeeds = []string{
	header + "  brokers:\n    groups: 1\n    config:\n      deleteWhen: \"04\"\n",
	header + "  brokers:\n    groups:\n      - name: a\n        slaves: 1\n      - name: b\n  environments:\n    prod:\n      metadata: {namespace: p}\n      spec:\n        brokers:\n          groups:\n            - name: a\n              config: {x: 1}\n            - name: c\n          storage: null\n",
	header + "  nameServer: &ns\n    replicas: 2\n  brokers:\n    <<: *ns\n  console: *ns\n",
	header + "  brokers:\n    placement:\n      affinity: &a [*a]\n",
	"a0: &a0 [x,x,x,x,x,x,x,x,x,x]\na1: &a1 [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]\na2: &a2 [*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1]\na3: &a3 [*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2]\nb: [*a3,*a3]\n",
	"x: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n",
	"x: " + strings.Repeat("{a: ", 40) + "1" + strings.Repeat("}", 40) + "\n",
	"? [a, b]\n: 1\n? *x\n",
	"a: 1\na: 2\n---\nb: 3\n",
	"x: [1e-99999999, 0x1F, 010, .inf, -.nan, 1_000, true, ~, !!binary aGk=]\n",
	"\xef\xbb\xbfa: b\n",
}

// FuzzParse feeds Parse and what callers do with its document (values, environments, positions)
// arbitrary bytes. Nothing may panic; every finding has a position except the empty file's; and no
// environment of an accepted document holds more values than the limit, so whatever runs on them
// next is bounded too.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, p := range []string{"../../examples/quickstart/cluster.yaml", "../../golden/environments/cluster.yaml", "../../golden/operator-example/cluster.yaml"} {
		if b, err := os.ReadFile(filepath.FromSlash(p)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, diags := spec.Parse("cluster.yaml", data)
		for _, d := range diags {
			if d.Line <= 0 && d.Message != "the file is empty" {
				t.Fatalf("a finding without a position: %s", d)
			}
		}
		if doc == nil {
			if len(diags) == 0 {
				t.Fatal("a refused document needs a finding")
			}
			return
		}
		if _, vd := doc.ValueDiag(doc.Root); len(vd) > 0 {
			for _, d := range vd {
				if d.Line <= 0 {
					t.Fatalf("a finding without a position: %s", d)
				}
			}
			return
		}
		trees := map[string]any{}
		base, err := spec.Value(doc.Base())
		if err != nil {
			t.Fatalf("the base: %v", err)
		}
		trees["base"] = base
		for _, name := range doc.EnvironmentNames() {
			env := doc.Environment(name)
			v, err := spec.Value(env)
			if err != nil {
				t.Fatalf("environment %q: %v", name, err)
			}
			trees[name] = v
			for _, p := range []string{"", "/spec", "/spec/brokers/groups/0/name", "/metadata/name", "/x/~1/~0"} {
				doc.Position(env, p, true)
				doc.Position(env, p, false)
			}
		}
		for name, v := range trees {
			if n := count(v); n > spec.MaxNodes {
				t.Fatalf("%s holds %d values, more than the %d the limits allow", name, n, spec.MaxNodes)
			}
		}
	})
}

// count counts the values of a plain tree as the limits count nodes: keys included.
func count(v any) int {
	switch t := v.(type) {
	case map[string]any:
		n := 1
		for _, x := range t {
			n += 1 + count(x)
		}
		return n
	case []any:
		n := 1
		for _, x := range t {
			n += count(x)
		}
		return n
	}
	return 1
}
