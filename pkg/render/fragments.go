package render

import (
	"fmt"
	"strconv"
	"strings"
)

// Fragments are the parts of the plan the blueprints place whole and never look into: the
// Kubernetes values the plan has built (probes, volumes, affinity, environment variables and the
// rest of its json.RawMessage fields, plan.ValueWith) and long strings (configuration files, start
// scripts). Evaluated by jsonnet they would be converted into jsonnet values node by node, strings
// rune by rune, and back again when the objects are manifested: most of the nodes of a rendered
// object. Instead the blueprints get a short mark in each one's place and the objects get the value
// back where the mark ended up.
//
// A mark stands only for a non-empty value, so the blueprints' emptiness tests (std.length(x) > 0,
// std.objectHas) hold as they would on the value. A blueprint that looks inside a fragment (indexes
// it, joins it to a string, compares it) breaks on the mark, and restore reports a mark that was
// changed or used as a key: an internal error, never wrong output. The golden cases hold the bytes.
type fragments struct{ values []any }

// fragmentMark starts every mark. Every string of the plan that holds a NUL character is passed as a
// fragment too, so no string the blueprints get holds one unless it is a mark.
const fragmentMark = "\x00rocketops-fragment:"

// minFragmentString is the length from which a string is passed as a fragment: configuration files
// and scripts, not names, which the blueprints compare and join.
const minFragmentString = 256

// stand returns what the blueprints get in v's place: a mark for a non-empty mapping or list, v
// itself for anything else.
func (f *fragments) stand(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return v
		}
	case []any:
		if len(x) == 0 {
			return v
		}
	case string:
		if len(x) < minFragmentString && strings.IndexByte(x, 0) < 0 {
			return v
		}
	default:
		return v
	}
	f.values = append(f.values, v)
	return fragmentMark + strconv.Itoa(len(f.values)-1)
}

// restore puts each fragment back in place of its mark in v, a manifested object, and returns v. A
// fragment placed twice is copied the second time, so that no two places share a mapping.
func (f *fragments) restore(v any, used []bool) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.Contains(k, fragmentMark) {
				return nil, fmt.Errorf("a plan fragment is used as the key %q", k)
			}
			r, err := f.restore(e, used)
			if err != nil {
				return nil, err
			}
			x[k] = r
		}
	case []any:
		for i, e := range x {
			r, err := f.restore(e, used)
			if err != nil {
				return nil, err
			}
			x[i] = r
		}
	case string:
		if strings.IndexByte(x, 0) < 0 || !strings.Contains(x, fragmentMark) {
			return v, nil
		}
		n, err := strconv.Atoi(strings.TrimPrefix(x, fragmentMark))
		if !strings.HasPrefix(x, fragmentMark) || err != nil || n < 0 || n >= len(f.values) {
			return nil, fmt.Errorf("a plan fragment was changed by the blueprints: %q", x)
		}
		if used[n] {
			return deepCopy(f.values[n]), nil
		}
		used[n] = true
		return f.values[n], nil
	}
	return v, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
