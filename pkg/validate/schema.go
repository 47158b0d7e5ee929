package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v3"

	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/spec"
	"github.com/rocketops/rocketops/schemas"
)

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	rawSchema   map[string]any
	compileErr  error
)

func schema() (*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		if err := c.AddResource(schemas.ClusterURL, bytes.NewReader(schemas.Cluster)); err != nil {
			compileErr = err
			return
		}
		compiled, compileErr = c.Compile(schemas.ClusterURL)
		if compileErr == nil {
			compileErr = json.Unmarshal(schemas.Cluster, &rawSchema)
		}
	})
	return compiled, compileErr
}

// patterns turns the schema's patterns into words a person reads.
var patterns = map[string]string{
	"^[a-z]([-a-z0-9]*[a-z0-9])?$":                                                           "must be a DNS-1035 label: lower case letters, digits and '-', starting with a letter and ending with a letter or digit",
	"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$":                                                        "must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit",
	"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$":                     "must be a DNS-1123 subdomain: lower case letters, digits, '-' and '.'",
	"^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$": "is not a Kubernetes quantity such as 2Gi, 512Mi or 500m",
	"^[A-Za-z0-9_-]+$":               "may hold only letters, digits, '_' and '-'",
	"^-[^\\s]+$":                     "must be one JVM option starting with '-' and holding no spaces",
	"^/[^\\s]*$":                     "must be an absolute path without spaces",
	"^[a-z0-9]+([._/:-][a-z0-9]+)*$": "must be an image repository in lower case, like registry.example.com/team/rocketmq",
	"^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$": "must be an image tag or a sha256 digest",
}

// schemaDiags validates the document against the JSON Schema and words the failures for people.
func schemaDiags(doc *spec.Document, node *yaml.Node, value any) diag.List {
	sch, err := schema()
	if err != nil {
		return diag.List{{File: doc.File, Internal: true, Message: fmt.Sprintf("internal error: the embedded schema does not compile: %v", err)}}
	}
	err = sch.Validate(value)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return diag.List{{File: doc.File, Internal: true, Message: "internal error: " + err.Error()}}
	}
	var out diag.List
	for _, leaf := range leaves(ve) {
		out = append(out, describe(doc, node, value, leaf)...)
	}
	return out
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func describe(doc *spec.Document, node *yaml.Node, value any, e *jsonschema.ValidationError) diag.List {
	keyword := e.KeywordLocation[strings.LastIndex(e.KeywordLocation, "/")+1:]
	schemaPtr := e.AbsoluteKeywordLocation[strings.Index(e.AbsoluteKeywordLocation, "#")+1:]
	parent := schemaPtr[:strings.LastIndex(schemaPtr, "/")]
	at := func(pointer string, key bool, msg, hint string) diag.Diagnostic {
		line, col, origin := doc.Position(node, pointer, key)
		return diag.Diagnostic{File: doc.File, Line: line, Col: col, Pointer: origin, Message: msg, Hint: hint}
	}
	ptr := e.InstanceLocation
	inst := lookupValue(value, ptr)
	switch keyword {
	case "additionalProperties":
		known := schemaKeys(parent)
		obj, _ := inst.(map[string]any)
		var unknown []string
		for k := range obj {
			if _, ok := known[k]; !ok {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		names := sortedKeys(known)
		var out diag.List
		for _, k := range unknown {
			hint := "known fields here: " + strings.Join(names, ", ")
			if s := closest(k, names); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			if len(names) == 0 {
				hint = ""
			}
			out = append(out, at(ptr+"/"+escape(k), true, "unknown field "+diag.Quote(k), hint))
		}
		return out
	case "required":
		obj, _ := inst.(map[string]any)
		req, _ := lookupValue(rawSchema, schemaPtr).([]any)
		var out diag.List
		for _, r := range req {
			name, _ := r.(string)
			if _, ok := obj[name]; !ok {
				out = append(out, at(ptr, true, fmt.Sprintf("missing required field %q", name), requiredHint(ptr, name)))
			}
		}
		return out
	case "enum", "const":
		allowed := lookupValue(rawSchema, schemaPtr)
		var words []string
		if l, ok := allowed.([]any); ok {
			for _, a := range l {
				words = append(words, fmt.Sprint(a))
			}
		} else {
			words = []string{fmt.Sprint(allowed)}
		}
		hint := ""
		if s, ok := inst.(string); ok {
			c := nearestVersion(s, words)
			if c == "" {
				c = closest(s, words)
			}
			if c != "" {
				hint = fmt.Sprintf("did you mean %q?", c)
			}
		}
		msg := fmt.Sprintf("must be %s, got %s", oneOf(words), show(inst))
		return diag.List{at(ptr, false, msg, hint)}
	case "pattern":
		pat, _ := lookupValue(rawSchema, schemaPtr).(string)
		msg, ok := patterns[pat]
		if !ok {
			msg = "does not match " + pat
		}
		if strings.Contains(e.KeywordLocation, "/propertyNames/") {
			name := unescape(ptr[strings.LastIndex(ptr, "/")+1:])
			return diag.List{at(ptr, true, fmt.Sprintf("environment name %s %s", diag.Quote(name), msg), "environment names become folder names under overlays/")}
		}
		return diag.List{at(ptr, false, fmt.Sprintf("%s %s", show(inst), msg), "")}
	case "type":
		want := lookupValue(rawSchema, schemaPtr)
		return diag.List{at(ptr, false, fmt.Sprintf("must be %s, got %s", typeWords(want), typeOf(inst)), typeHint(want, inst))}
	case "maxLength":
		if strings.Contains(e.KeywordLocation, "/propertyNames/") {
			name := unescape(ptr[strings.LastIndex(ptr, "/")+1:])
			return diag.List{at(ptr, true, fmt.Sprintf("environment name %s is too long (%s)", diag.Quote(name), e.Message), "environment names become folder names under overlays/")}
		}
		bound := fmt.Sprint(lookupValue(rawSchema, schemaPtr))
		s, _ := inst.(string)
		return diag.List{at(ptr, false, fmt.Sprintf("must be <= %s characters but found %d", bound, utf8.RuneCountInString(s)), boundHints[parent])}
	case "maxItems", "minItems", "maxProperties":
		bound := fmt.Sprint(lookupValue(rawSchema, schemaPtr))
		n, what := 0, "items"
		switch t := inst.(type) {
		case []any:
			n = len(t)
		case map[string]any:
			n, what = len(t), "entries"
		}
		op, hint := "<=", boundHints[parent]
		if keyword == "minItems" {
			op, hint = ">=", ""
		}
		return diag.List{at(ptr, false, fmt.Sprintf("must have %s %s %s but found %d", op, bound, what, n), hint)}
	case "maximum":
		return diag.List{at(ptr, false, e.Message, boundHints[parent])}
	}
	return diag.List{at(ptr, false, e.Message, "")}
}

// boundHints explain the bounds a person meets first, by the schema location of the bounded value,
// so that a number and a list over the same bound (groups: 300, or 300 groups) read alike.
var boundHints = map[string]string{
	"/$defs/clusterSpec/properties/brokers/properties/groups": "rocketops compiles at most 256 broker groups per spec; split larger deployments into several specs",
	"/$defs/clusterSpec/properties/environments":              "every environment compiles the whole cluster again; a spec holds at most 32",
}

// typeHint explains the two ways YAML most often reads a value as another type than meant: an
// unquoted number where text is wanted (5.0 for a version), and a missing space after a colon
// ("replicas:2" is one string, not a key and a value).
func typeHint(want, inst any) string {
	wantsText := fmt.Sprint(want) == "string" || strings.Contains(fmt.Sprint(want), "string")
	switch v := inst.(type) {
	case json.Number:
		if wantsText {
			return fmt.Sprintf("quote it: %q; YAML reads %s as a number", v.String(), v.String())
		}
	case string:
		if k, val, ok := strings.Cut(v, ":"); ok && k != "" && val != "" && !strings.HasPrefix(val, " ") && !strings.Contains(k, " ") {
			return fmt.Sprintf("put a space after the colon: %q", k+": "+val)
		}
	}
	return ""
}

// nearestVersion picks, among dotted release versions, the nearest one by number: the same major and
// minor with the nearest patch, else the same major with the nearest minor. "" when word or the
// candidates are not versions.
func nearestVersion(word string, candidates []string) string {
	parse := func(v string) ([3]int, bool) {
		var out [3]int
		parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
		if len(parts) != 3 {
			return out, false
		}
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil {
				return out, false
			}
			out[i] = n
		}
		return out, true
	}
	w, ok := parse(word)
	if !ok {
		return ""
	}
	best, bestScore := "", -1
	for _, c := range candidates {
		v, ok := parse(c)
		if !ok || v[0] != w[0] {
			continue
		}
		score := abs(v[1]-w[1])*1000 + abs(v[2]-w[2])
		if bestScore < 0 || score < bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// closest is diag.Closest, which skips candidates too long or short to be close.
func closest(word string, candidates []string) string { return diag.Closest(word, candidates) }

func requiredHint(ptr, name string) string {
	switch ptr + "/" + name {
	case "/spec/version":
		return "set the RocketMQ version, e.g. version: \"5.3.3\""
	case "/apiVersion":
		return "the first line of a spec is apiVersion: " + spec.APIVersion
	case "/kind":
		return "add kind: " + spec.Kind
	}
	return ""
}

// schemaKeys returns the properties a schema object declares, following $ref.
func schemaKeys(schemaPtr string) map[string]any {
	s, _ := lookupValue(rawSchema, schemaPtr).(map[string]any)
	for s != nil {
		if p, ok := s["properties"].(map[string]any); ok {
			return p
		}
		ref, ok := s["$ref"].(string)
		if !ok {
			break
		}
		s, _ = lookupValue(rawSchema, strings.TrimPrefix(ref, "#")).(map[string]any)
	}
	return map[string]any{}
}

func lookupValue(v any, pointer string) any {
	if pointer == "" {
		return v
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = diag.UnescapeToken(tok)
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func escape(s string) string { return diag.EscapeToken(s) }

func unescape(tok string) string { return diag.UnescapeToken(tok) }

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func oneOf(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return "one of " + strings.Join(words, ", ")
}

func show(v any) string {
	switch t := v.(type) {
	case string:
		return diag.Quote(t)
	case nil:
		return "nothing"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

func typeOf(v any) string {
	switch t := v.(type) {
	case string:
		return "the string " + diag.Quote(t)
	case json.Number:
		return "the number " + t.String()
	case bool:
		return fmt.Sprintf("the boolean %t", t)
	case nil:
		return "nothing (null)"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

func typeWords(want any) string {
	word := func(s string) string {
		switch s {
		case "object":
			return "a mapping"
		case "array":
			return "a list"
		case "integer":
			return "an integer"
		}
		return "a " + s
	}
	switch t := want.(type) {
	case string:
		return word(t)
	case []any:
		var parts []string
		for _, p := range t {
			parts = append(parts, word(fmt.Sprint(p)))
		}
		return strings.Join(parts, " or ")
	}
	return fmt.Sprint(want)
}

// withoutEnvironmentNulls returns the document with the nulls inside environments left out: there
// they mean "remove this key" to the merge, not a value, so the schema must not see them. Each
// merged environment is checked against the schema on its own.
func withoutEnvironmentNulls(value any) any {
	doc, _ := value.(map[string]any)
	sp, _ := doc["spec"].(map[string]any)
	envs, ok := sp["environments"].(map[string]any)
	if !ok {
		return value
	}
	out := map[string]any{}
	for k, v := range doc {
		out[k] = v
	}
	spec := map[string]any{}
	for k, v := range sp {
		spec[k] = v
	}
	cleaned := map[string]any{}
	for name, env := range envs {
		cleaned[name] = dropNulls(env)
	}
	spec["environments"] = cleaned
	out["spec"] = spec
	return out
}

func dropNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range t {
			if x != nil {
				m[k] = dropNulls(x)
			}
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = dropNulls(x)
		}
		return l
	}
	return v
}
