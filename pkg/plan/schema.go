package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// SchemaID is the $id of the values schema.
const SchemaID = "https://rocketops.dev/schemas/rocketmq-chart-values.schema.json"

var rawMessage = reflect.TypeOf(json.RawMessage(nil))

// Schema returns the JSON Schema (draft 2020-12) of a Plan, generated from the Go types: every
// field is required unless it is omitted when empty, no other field is allowed, and each field's
// doc tag is its description. It is the Helm chart's values.schema.json, so values that the
// blueprints could not have been given fail `helm install` with a clear message.
func Schema() ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	root := g.object(reflect.TypeOf(Plan{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = "rocketmq chart values"
	root["description"] = "The resolved plan of one environment of a RocketMQ cluster, as `rocketops compile --target helm` writes it. The chart places what the values say; it decides nothing."
	root["$defs"] = g.defs
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type schemaGen struct {
	defs map[string]any
}

// object describes a struct inline.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		s := g.field(f)
		props[name] = s
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// ref describes a struct that appears in several places once, under $defs.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	name := strings.ToLower(t.Name()[:1]) + t.Name()[1:]
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = map[string]any{} // break cycles
		g.defs[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}

func (g *schemaGen) field(f reflect.StructField) map[string]any {
	var s map[string]any
	t := f.Type
	switch {
	case t == rawMessage:
		s = map[string]any{"type": f.Tag.Get("schema")}
	default:
		s = g.typ(t)
	}
	if d := f.Tag.Get("doc"); d != "" {
		if _, isRef := s["$ref"]; isRef {
			// A description beside $ref applies in 2020-12; keep it so each use documents itself.
			s = map[string]any{"$ref": s["$ref"], "description": d}
		} else {
			s["description"] = d
		}
	}
	if e := f.Tag.Get("enum"); e != "" {
		var vals []any
		for _, v := range strings.Split(e, ",") {
			vals = append(vals, v)
		}
		s["enum"] = vals
	}
	for _, k := range []string{"min", "max"} {
		if v := f.Tag.Get(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				panic(fmt.Sprintf("plan: bad %s tag on %s: %v", k, f.Name, err))
			}
			s[map[string]string{"min": "minimum", "max": "maximum"}[k]] = n
		}
	}
	return s
}

func (g *schemaGen) typ(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return g.typ(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int:
		return map[string]any{"type": "integer"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.typ(t.Elem())}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typ(t.Elem())}
	case reflect.Struct:
		return g.ref(t)
	}
	panic(fmt.Sprintf("plan: no schema for Go type %s", t))
}
