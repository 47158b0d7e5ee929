package render

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	yamlv2 "go.yaml.in/yaml/v2"
)

// randomYAMLValue builds a tree of the shapes rendered objects have (mappings of mappings, lists of
// mappings, lists of scalars), with keys and strings drawn to hit every rule of appendYAML: digits,
// letters of both cases, indicators, spaces in runs, colons, hashes, quotes, line breaks, tabs,
// non-ASCII letters, long words and long sentences.
func randomYAMLValue(r *rand.Rand, depth int) any {
	switch n := r.IntN(10); {
	case depth > 4 || n < 4:
		return randomScalar(r)
	case n < 7:
		m := map[string]any{}
		for range r.IntN(6) {
			m[randomString(r, 1+r.IntN(12))] = randomYAMLValue(r, depth+1)
		}
		return m
	default:
		l := make([]any, r.IntN(5))
		for i := range l {
			if r.IntN(3) == 0 {
				l[i] = randomScalar(r)
			} else {
				m := map[string]any{}
				for range 1 + r.IntN(4) {
					m[randomString(r, 1+r.IntN(8))] = randomYAMLValue(r, depth+2)
				}
				l[i] = m
			}
		}
		return l
	}
}

var yamlPieces = []string{"a", "b", "Z", "é", "0", "1", "9", "10", "-", ".", "_", "/", ":", ": ", " ", "  ", "#", " #",
	"'", "\"", "\n", "\t", "$", "*", "&", "!", "|", ">", "%", "@", "`", "{", "[", ",", "?", "=", "yes", "no", "on", "true",
	"null", "~", "1e3", "0x1F", "5.3.3", "8Gi", "2001-12-14", "-Xmx2g", "word", strings.Repeat("x", 40), "http://h:80/p"}

func randomString(r *rand.Rand, parts int) string {
	var b strings.Builder
	for range parts {
		b.WriteString(yamlPieces[r.IntN(len(yamlPieces))])
	}
	return b.String()
}

// randomScalar draws scalars as decoded JSON holds them: numbers as float64 (integral or not, some
// past int64) or json.Number, strings, booleans and null.
func randomScalar(r *rand.Rand) any {
	switch r.IntN(10) {
	case 0:
		return float64(r.IntN(100000) - 50000)
	case 1:
		return r.Float64() * 1000
	case 8:
		return []float64{1e19, 2e20, 1e21, -0.5e-7}[r.IntN(4)]
	case 9:
		return json.Number([]string{"3", "-12", "1.5", "1e3", "18446744073709551615", "99999999999999999999"}[r.IntN(6)])
	case 2:
		return r.IntN(2) == 0
	case 3:
		return nil
	case 4:
		// Sentences long enough to fold, and multi-line text.
		return randomString(r, 20+r.IntN(60))
	default:
		return randomString(r, 1+r.IntN(6))
	}
}

// TestWriteYAMLIsTheEncoders holds appendYAML byte-equal to go.yaml.in/yaml/v2's Marshal on random
// trees, and on the objects of every shape the blueprints render (TestGolden covers those bytes).
func TestWriteYAMLIsTheEncoders(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for i := range 3000 {
		v := map[string]any{"root": randomYAMLValue(r, 0), randomString(r, 2): randomYAMLValue(r, 1)}
		if !orderedKeys(v) {
			continue // the encoder's own order is a matter of map iteration there
		}
		typed, ok := yamlValue(v)
		require.True(t, ok, "tree %d is decoded JSON", i)
		want, err := yamlv2.Marshal(typed)
		require.NoError(t, err)
		got, ok := appendYAML([]byte("prefix\n"), v)
		if !ok {
			continue // lists in lists: handed to the encoder whole
		}
		checked++
		require.Equal(t, "prefix\n"+string(want), string(got), "tree %d: %#v", i, v)
	}
	require.Greater(t, checked, 1000, "most random trees are written by appendYAML itself")
}

// TestNaturalLessIsTheEncodersOrder sorts random key sets with naturalLess and with the encoder, and
// requires the same order.
func TestNaturalLessIsTheEncodersOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "A", "Z", "é", "0", "00", "1", "2", "9", "10", "-", ".", "_", "/"}
	for range 3000 {
		m := map[string]any{}
		for range 2 + r.IntN(8) {
			var b strings.Builder
			for range 1 + r.IntN(5) {
				b.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			m[b.String()] = 1
		}
		if !orderedKeys(m) {
			continue
		}
		out, err := yamlv2.Marshal(m)
		require.NoError(t, err)
		var want []string
		for line := range strings.SplitSeq(strings.TrimSuffix(string(out), "\n"), "\n") {
			var kv map[string]any
			require.NoError(t, yamlv2.Unmarshal([]byte(line), &kv))
			for k := range kv {
				want = append(want, k)
			}
		}
		require.Equal(t, want, sortedKeys(m, nil))
	}
}

// orderedKeys reports whether naturalLess orders the keys of every mapping in v totally. The encoder's
// comparison is not transitive for some key sets (at the first difference "18G" < "1o" by letters,
// "1o" < "5" and "5" < "18G" by number); it then sorts map iteration order, which varies, so no fixed
// output can match it. The blueprints' keys are names and never meet that case: every golden file is
// byte-identical.
func orderedKeys(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		keys := sortedKeys(x, nil)
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				if !naturalLess(keys[i], keys[j]) || naturalLess(keys[j], keys[i]) {
					return false
				}
			}
		}
		for _, e := range x {
			if !orderedKeys(e) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !orderedKeys(e) {
				return false
			}
		}
	}
	return true
}
