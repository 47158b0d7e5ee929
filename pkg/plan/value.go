package plan

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// Value is the plan as decoded JSON (numbers as float64): what the chart's values are, and what the
// blueprints read. It is what json.Unmarshal gives for json.Marshal's text of the plan, built from
// the plan's fields directly: the text and its parse cost three times as much.
func Value(p *Plan) (map[string]any, error) { return ValueWith(p, nil) }

// ValueWith is Value with each of the plan's fragments handed to fragment when not nil, which
// returns what stands in its place: the decoded value of each json.RawMessage field (tolerations,
// probes, volumes and the other Kubernetes values the plan has built whole) and every string.
func ValueWith(p *Plan, fragment func(v any) any) (map[string]any, error) {
	v, err := valueOf(p, fragment)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

func valueOf(v any, fragment func(v any) any) (any, error) {
	return valueEncoder{fragment: fragment}.value(reflect.ValueOf(v))
}

type valueEncoder struct{ fragment func(any) any }

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	marshalerType  = reflect.TypeFor[json.Marshaler]()
	textType       = reflect.TypeFor[encoding.TextMarshaler]()
)

func (e valueEncoder) value(v reflect.Value) (any, error) {
	t := v.Type()
	if t == rawMessageType {
		if v.Len() == 0 {
			return nil, nil // json.RawMessage writes nil as null
		}
		var out any
		if err := json.Unmarshal(v.Bytes(), &out); err != nil {
			return nil, err
		}
		if e.fragment != nil {
			return e.fragment(out), nil
		}
		return out, nil
	}
	if t.Implements(marshalerType) || t.Implements(textType) || reflect.PointerTo(t).Implements(marshalerType) {
		// Not in the plan today; decoded the slow way rather than guessed at.
		return viaJSON(v.Interface())
	}
	switch t.Kind() {
	case reflect.String:
		if e.fragment != nil {
			return e.fragment(validUTF8(v.String())), nil
		}
		return validUTF8(v.String()), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint()), nil
	case reflect.Float64:
		return v.Float(), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return e.value(v.Elem())
	case reflect.Struct:
		return e.structValue(v)
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return viaJSON(v.Interface()) // base64 text
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			x, err := e.value(v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		if t.Key().Kind() != reflect.String || t.Key().Implements(textType) {
			return viaJSON(v.Interface())
		}
		out := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			x, err := e.value(iter.Value())
			if err != nil {
				return nil, err
			}
			out[validUTF8(iter.Key().String())] = x
		}
		return out, nil
	}
	// float32, complex, channels, functions: what JSON makes of them, or its error.
	return viaJSON(v.Interface())
}

func (e valueEncoder) structValue(v reflect.Value) (any, error) {
	fields, ok := fieldsOf(v.Type())
	if !ok {
		return viaJSON(v.Interface())
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && emptyValue(fv) {
			continue
		}
		x, err := e.value(fv)
		if err != nil {
			return nil, err
		}
		out[f.name] = x
	}
	return out, nil
}

// field is a struct field as encoding/json writes it.
type field struct {
	name      string
	index     int
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type → []field, or nil when the struct needs encoding/json itself

// fieldsOf lists the fields encoding/json writes for t, and false for structs with what this encoder
// leaves to encoding/json: embedded fields, and the string, omitzero and inline options.
func fieldsOf(t reflect.Type) ([]field, bool) {
	if c, ok := fieldCache.Load(t); ok {
		fs, _ := c.([]field)
		return fs, fs != nil
	}
	var fs []field
	ok := true
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			ok = false
			break
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		f := field{name: name, index: i}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "":
			case "omitempty":
				f.omitEmpty = true
			default:
				ok = false
			}
		}
		fs = append(fs, f)
	}
	if !ok {
		fs = nil
	} else if fs == nil {
		fs = []field{}
	}
	fieldCache.Store(t, fs)
	return fs, ok
}

// emptyValue is encoding/json's test for omitempty.
func emptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// validUTF8 is s as its JSON text decodes: each byte of an invalid sequence becomes U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func viaJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("plan value: %w", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("plan value: %w", err)
	}
	return out, nil
}
