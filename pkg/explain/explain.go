// Package explain prints the documentation of a spec field from the JSON Schema, the way
// `kubectl explain` does, and the RocketMQ configuration keys of a version. The schema is the only
// source: nothing here restates a field's meaning.
package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/diag"
)

// NotFoundError is a path that names no field.
type NotFoundError struct {
	Path, Hint string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no field %q in RocketMQCluster", e.Path)
	if e.Hint != "" {
		msg += "\n\thint: " + e.Hint
	}
	return msg
}

// Field writes the documentation of the field at a dotted path ("spec.brokers.storage"; "" for the
// whole document) from a JSON Schema.
func Field(w io.Writer, schema []byte, path string) error {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return diag.Internal(err, "schema")
	}
	cur := resolve(root, root)
	walked := []string{}
	for _, tok := range strings.Split(strings.Trim(path, "."), ".") {
		if tok == "" {
			continue
		}
		props := properties(root, cur)
		next, ok := props[tok]
		if !ok {
			if items, isList := cur["items"].(map[string]any); isList {
				props = properties(root, resolve(root, items))
				next, ok = props[tok]
			}
			if !ok {
				if add, isMap := cur["additionalProperties"].(map[string]any); isMap && len(properties(root, resolve(root, add))) > 0 {
					// A map of named entries (environments): any name walks into the entry.
					cur = resolve(root, add)
					walked = append(walked, tok)
					continue
				}
				hint := "fields here: " + strings.Join(sortedKeys(props), ", ")
				if len(props) == 0 {
					hint = fmt.Sprintf("%q has no fields", strings.Join(walked, "."))
				}
				if s := diag.Closest(tok, sortedKeys(props)); s != "" {
					hint = fmt.Sprintf("did you mean %q?", strings.Join(append(walked, s), "."))
				}
				return &NotFoundError{Path: path, Hint: hint}
			}
		}
		walked = append(walked, tok)
		cur = merged(root, next.(map[string]any))
	}
	name := strings.Join(walked, ".")
	if name == "" {
		name = "RocketMQCluster"
	}
	fmt.Fprintf(w, "FIELD: %s <%s>\n\n", name, typeOf(root, cur))
	if d, _ := cur["description"].(string); d != "" {
		fmt.Fprintf(w, "DESCRIPTION:\n%s\n", indent(wrap(d, 76), "  "))
	}
	if v, ok := cur["default"]; ok {
		fmt.Fprintf(w, "\nDEFAULT: %s\n", compact(v))
	}
	if ex, ok := cur["examples"].([]any); ok && len(ex) > 0 {
		fmt.Fprintf(w, "\nEXAMPLE: %s\n", compact(ex[0]))
	}
	props := properties(root, cur)
	if items, ok := cur["items"].(map[string]any); ok && len(props) == 0 {
		props = properties(root, resolve(root, items))
	}
	if len(props) > 0 {
		fmt.Fprintf(w, "\nFIELDS:\n")
		req := map[string]bool{}
		if r, ok := cur["required"].([]any); ok {
			for _, x := range r {
				req[fmt.Sprint(x)] = true
			}
		}
		for _, k := range sortedKeys(props) {
			f := merged(root, props[k].(map[string]any))
			mark := ""
			if req[k] {
				mark = " -required-"
			}
			fmt.Fprintf(w, "  %s\t<%s>%s\n", k, typeOf(root, f), mark)
			if d, _ := f["description"].(string); d != "" {
				fmt.Fprintf(w, "%s\n", indent(wrap(firstSentence(d), 72), "    "))
			}
		}
	}
	return nil
}

// Keys writes the configuration keys of a component for a RocketMQ version: name, Java type, default.
// The broker, name server and controller keys are those of their properties files, the proxy's those
// of rmq-proxy.json; a component the version lacks (the controller or proxy of 4.x) has none.
func Keys(w io.Writer, comp catalog.Component, version string) error {
	if !catalog.Supported(version) {
		return fmt.Errorf("no key data for RocketMQ %q; versions: %s", version, strings.Join(catalog.Versions(), ", "))
	}
	keys := catalog.Keys(comp, version)
	fmt.Fprintf(w, "%d %s keys in RocketMQ %s\n", len(keys), comp, version)
	for _, name := range keys {
		k, _ := catalog.Lookup(comp, version, name)
		fmt.Fprintf(w, "%s\t%s\t%s\n", k.Name, k.Type, k.Default)
	}
	return nil
}

func resolve(root, s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		target := root
		for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			target, _ = target[tok].(map[string]any)
		}
		if target == nil {
			return s
		}
		s = target
	}
}

// merged resolves a $ref and keeps the referring schema's own description and default, which
// describe the field better than the shared definition does.
func merged(root, s map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range resolve(root, s) {
		out[k] = v
	}
	for k, v := range s {
		if k != "$ref" {
			out[k] = v
		}
	}
	return out
}

func properties(root, s map[string]any) map[string]any {
	p, _ := resolve(root, s)["properties"].(map[string]any)
	if p == nil {
		return map[string]any{}
	}
	return p
}

func typeOf(root, s map[string]any) string {
	s = resolve(root, s)
	if e, ok := s["enum"].([]any); ok {
		var words []string
		for _, x := range e {
			words = append(words, fmt.Sprint(x))
		}
		return strings.Join(words, "|")
	}
	if c, ok := s["const"]; ok {
		return fmt.Sprint(c)
	}
	switch t := s["type"].(type) {
	case string:
		if t == "array" {
			if items, ok := s["items"].(map[string]any); ok {
				return "[]" + typeOf(root, items)
			}
		}
		if t == "object" {
			if _, ok := s["properties"]; !ok {
				return "map"
			}
		}
		return t
	case []any:
		var parts []string
		for _, x := range t {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, "|")
	}
	return "any"
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// firstSentence ends at a full stop followed by a capital letter, so "e.g. 500m" does not end it.
func firstSentence(s string) string {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && s[i+2] >= 'A' && s[i+2] <= 'Z' {
			return s[:i+1]
		}
	}
	return s
}

func wrap(s string, width int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = word
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Paths lists the dotted path of every field of a JSON Schema ("spec", "spec.brokers", …), sorted, for
// shell completion. Maps of named entries (environments) are not entered.
func Paths(schema []byte) ([]string, error) {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return nil, diag.Internal(err, "schema")
	}
	var out []string
	var walk func(cur map[string]any, prefix string, depth int)
	walk = func(cur map[string]any, prefix string, depth int) {
		if depth > 16 {
			return
		}
		props := properties(root, cur)
		if items, ok := cur["items"].(map[string]any); ok && len(props) == 0 {
			props = properties(root, resolve(root, items))
		}
		for _, k := range sortedKeys(props) {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out = append(out, p)
			walk(merged(root, props[k].(map[string]any)), p, depth+1)
		}
	}
	walk(resolve(root, root), "", 0)
	sort.Strings(out)
	return out, nil
}
