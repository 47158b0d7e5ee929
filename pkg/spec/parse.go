package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/rocketops/rocketops/pkg/diag"
)

// Document is a spec file as read: its YAML tree, which keeps the position of every value.
type Document struct {
	File string
	Root *yaml.Node // the top-level mapping
	// origin maps every node of the file to its JSON pointer, so that a problem found in a merged
	// environment can be reported where the offending value was written.
	origin map[*yaml.Node]string
	// keys indexes the keys of the wide mappings Position has walked through, so that reporting
	// every key of a mapping stays linear in its size.
	mu   sync.Mutex
	keys map[*yaml.Node]map[string]int
}

// Parse reads one YAML document within DefaultLimits. Syntax errors, several documents, anchors
// used as merge keys, duplicate keys and input beyond the limits are reported with their positions.
func Parse(file string, data []byte) (*Document, diag.List) {
	return DefaultLimits().Parse(file, data)
}

// yaml12 lets a %YAML 1.2 directive through: the library knows only 1.1, whose difference does not
// matter for a spec (every value is checked against the schema), and refuses 1.2's directive. The
// replacement keeps every byte's position.
func yaml12(data []byte) []byte {
	const directive = "%YAML 1.2"
	i := bytes.Index(data, []byte(directive))
	if i < 0 || (i > 0 && data[i-1] != '\n') {
		return data
	}
	out := append([]byte(nil), data...)
	copy(out[i:], "%YAML 1.1")
	return out
}

// emptyDocument reports a document with nothing in it but comments, as a trailing "---" makes.
func emptyDocument(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return n.Kind == 0 || (n.Kind == yaml.DocumentNode && len(n.Content) == 0) ||
		(n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Value == "" && n.Style == 0)
}

// Parse reads one YAML document within the limits l.
func (l Limits) Parse(file string, data []byte) (*Document, diag.List) {
	if len(data) > l.Bytes {
		return nil, diag.List{l.tooLarge(file, data)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(yaml12(data)))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, diag.List{{File: file, Line: 1, Col: 1, Message: "the file is empty", Hint: "start from examples/quickstart/cluster.yaml"}}
		}
		return nil, diag.List{l.syntaxDiag(file, data, err)}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil && !emptyDocument(&extra):
		return nil, diag.List{{File: file, Line: extra.Line, Col: extra.Column, Message: "the file holds more than one YAML document", Hint: "keep one RocketMQCluster per file; environments go under spec.environments"}}
	case err != nil && !errors.Is(err, io.EOF):
		return nil, diag.List{l.syntaxDiag(file, data, err)}
	}
	if diags := l.measure(file, &root); len(diags) > 0 {
		return nil, diags.Sort()
	}
	top := &root
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	if top.Kind != yaml.MappingNode {
		return nil, diag.List{{File: file, Line: top.Line, Col: top.Column, Message: fmt.Sprintf("the document must be a mapping, got %s", kindName(top)), Hint: "a spec starts with apiVersion, kind, metadata and spec"}}
	}
	d := &Document{File: file, Root: top, origin: map[*yaml.Node]string{}, keys: map[*yaml.Node]map[string]int{}}
	var diags diag.List
	d.index(top, "", &diags)
	return d, diags
}

// coreTags are the explicit tags a spec may use: the YAML core schema's.
var coreTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true, "!!map": true, "!!seq": true}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlDepth is how the YAML library words its own nesting limit (10,000 levels), which it reaches
// before a tree exists for measure to look at; the library has no error type for it.
const yamlDepth = "exceeded max depth of"

func (l Limits) syntaxDiag(file string, data []byte, err error) diag.Diagnostic {
	msg := err.Error()
	if strings.Contains(msg, yamlDepth) {
		return l.depthFallback(file, data)
	}
	if strings.Contains(msg, "incompatible YAML document") {
		line, col := 1, 1
		if at := bytes.Index(data, []byte("%YAML")); at >= 0 {
			line, col = lineCol(data, at)
		}
		return diag.Diagnostic{File: file, Line: line, Col: col, Message: "invalid YAML: found incompatible YAML document",
			Hint: "rocketops reads YAML 1.1 and 1.2: remove the %YAML line or write %YAML 1.2"}
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if d, ok := tabIndent(file, data, line); ok {
			return d
		}
		hint := "check the indentation and quoting on this line and the one before"
		if strings.HasPrefix(m[2], "did not find expected") {
			// The YAML parser (not its scanner) reports these at the 0-based line of the structure
			// being read, one above where it is written.
			line++
			if d, ok := overIndented(file, data); ok {
				return d
			}
			hint = "a list or mapping that starts here is not closed, or is indented wrongly"
		}
		return diag.Diagnostic{File: file, Line: line, Col: 1, Message: "invalid YAML: " + m[2], Hint: hint}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	// The library names no line for bytes that are not text, for an unknown anchor, and for
	// anything on the first line (it counts lines from 0 and leaves out line 0).
	line, col, hint := 1, 1, "check the indentation and quoting on this line"
	if at := notText(data); at >= 0 {
		line, col = lineCol(data, at)
		hint = "save the spec as UTF-8 text (UTF-16 needs a byte-order mark); control characters other than tabs and line breaks are not allowed"
	} else if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
		name, _, _ = strings.Cut(name, "'")
		if at := bytes.Index(data, []byte("*"+name)); at >= 0 {
			line, col = lineCol(data, at)
		}
		hint = "an alias (*" + name + ") repeats a value marked with &" + name + " earlier in the file"
	}
	return diag.Diagnostic{File: file, Line: line, Col: col, Message: "invalid YAML: " + msg, Hint: hint}
}

// tabIndent names a tab in the indentation of the line the parser stopped at, or of one before it.
func tabIndent(file string, data []byte, line int) (diag.Diagnostic, bool) {
	lines := strings.Split(string(data), "\n")
	for i := 0; i < line && i < len(lines); i++ {
		for col, c := range lines[i] {
			if c == '\t' {
				return diag.Diagnostic{File: file, Line: i + 1, Col: col + 1, Message: "invalid YAML: a tab indents this line",
					Hint: "YAML indents with spaces only: replace the tab with spaces"}, true
			}
			if c != ' ' {
				break
			}
		}
	}
	return diag.Diagnostic{}, false
}

// overIndented finds the line that is indented deeper than the lines of its block: reading down to
// the end, the first line whose indentation matches no open block closes a
// block that one line opened too deep.
func overIndented(file string, data []byte) (diag.Diagnostic, bool) {
	type level struct{ indent, line int }
	var open []level
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		text := strings.TrimRight(lines[i], " \r")
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "-") {
			continue
		}
		indent := len(text) - len(trimmed)
		for len(open) > 0 && open[len(open)-1].indent > indent {
			closed := open[len(open)-1]
			open = open[:len(open)-1]
			if len(open) == 0 || open[len(open)-1].indent < indent {
				return diag.Diagnostic{File: file, Line: closed.line, Col: closed.indent + 1,
					Message: fmt.Sprintf("invalid YAML: this line is indented %d spaces, deeper than the %d of the lines around it", closed.indent, indent),
					Hint:    fmt.Sprintf("indent it like line %d", i+1)}, true
			}
		}
		if len(open) == 0 || open[len(open)-1].indent < indent {
			open = append(open, level{indent, i + 1})
		}
	}
	return diag.Diagnostic{}, false
}

// notText returns the offset of the first byte sequence YAML does not accept as a character, or -1.
func notText(data []byte) int {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return -1 // UTF-16 with a byte-order mark, which the library reads
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1,
			r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r >= 0x7f && r <= 0x9f && r != 0x85,
			r == 0xfffe || r == 0xffff:
			return i
		}
		i += size
	}
	return -1
}

// index records the pointer of every node and reports what YAML allows but a spec must not have.
func (d *Document) index(n *yaml.Node, ptr string, diags *diag.List) {
	d.origin[n] = ptr
	if n.Style&yaml.TaggedStyle != 0 && !coreTags[n.Tag] {
		*diags = append(*diags, diag.Diagnostic{File: d.File, Line: n.Line, Col: n.Column, Pointer: ptr,
			Message: fmt.Sprintf("the YAML tag %s is not supported", diag.Quote(n.Tag)),
			Hint:    "a spec is plain YAML: write the value itself (rocketops includes no other files)"})
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				msg := "keys must be plain strings"
				hint := ""
				if k.Tag == "!!merge" {
					msg = "YAML merge keys (<<) are not supported"
					hint = "use spec.environments to share settings, or repeat the values"
				}
				*diags = append(*diags, diag.Diagnostic{File: d.File, Line: k.Line, Col: k.Column, Pointer: ptr, Message: msg, Hint: hint})
				continue
			}
			if prev, ok := seen[k.Value]; ok {
				*diags = append(*diags, diag.Diagnostic{File: d.File, Line: k.Line, Col: k.Column, Pointer: ptr + "/" + escape(k.Value),
					Message: fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, prev.Line), Hint: "YAML keeps only one of them; remove the other"})
				continue
			}
			seen[k.Value] = k
			d.origin[k] = ptr + "/" + escape(k.Value)
			d.index(v, ptr+"/"+escape(k.Value), diags)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.index(c, ptr+"/"+strconv.Itoa(i), diags)
		}
	case yaml.AliasNode:
		// An alias is reported where it is used; its target keeps its own pointer.
	}
}

// Value turns a YAML tree into plain values (map[string]any, []any, string, json.Number, bool, nil),
// the form the schema validator and the JSON decoder work on. Numbers keep their text as written.
func Value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return Value(n.Content[0])
	case yaml.AliasNode:
		return Value(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				continue // reported by Parse
			}
			if _, dup := m[k.Value]; dup {
				continue // reported by Parse; the first one wins here
			}
			v, err := Value(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := Value(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	return scalar(n)
}

// maxExponent bounds the exponent of a number: doubles reach 1.8e308 and 4.9e-324.
const maxExponent = 400

var (
	jsonNumber   = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	leadingZeros = regexp.MustCompile(`^[-+]?0[0-9]+$`)
)

func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err
		}
		return b, nil
	case "!!int", "!!float":
		if leadingZeros.MatchString(n.Value) {
			// The YAML library reads 010 the YAML 1.1 way, as octal 8; people mean the digits
			// ("deleteWhen: 04"), so keep the text and let the schema or the key catalogue judge it.
			return n.Value, nil
		}
		if m := jsonNumber.FindStringSubmatch(n.Value); m != nil {
			if exp, err := strconv.Atoi(strings.TrimLeft(m[3], "eE+")); m[3] != "" && (err != nil || exp > maxExponent || exp < -maxExponent) {
				// Checking bounds turns a number into an exact fraction: 1e-99999999 has none,
				// and 1e999999 takes megabytes. No setting needs more than a double can hold.
				return nil, &positionError{n, fmt.Sprintf("%s is out of the range of numbers (exponents up to %d)", diag.Quote(n.Value), maxExponent),
					"no setting takes a number this large or this small; write it in plain digits"}
			}
			return json.Number(n.Value), nil
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, &positionError{n, fmt.Sprintf("%s is not a finite number", n.Value), ""}
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10)), nil
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil
}

type positionError struct {
	node *yaml.Node
	msg  string
	hint string
}

func (e *positionError) Error() string { return e.msg }

// ValueDiag converts like Value and reports a failure as a diagnostic at the offending node.
func (d *Document) ValueDiag(n *yaml.Node) (any, diag.List) {
	v, err := Value(n)
	if err != nil {
		var pe *positionError
		if errors.As(err, &pe) {
			return nil, diag.List{{File: d.File, Line: pe.node.Line, Col: pe.node.Column, Pointer: d.origin[pe.node], Message: pe.msg, Hint: pe.hint}}
		}
		return nil, diag.List{{File: d.File, Message: err.Error()}}
	}
	return v, nil
}

// Decode turns a YAML tree into a Cluster. Callers validate against the schema first, so a failure
// here means the schema let through something the types do not take.
func Decode(n *yaml.Node) (*Cluster, error) {
	v, err := Value(n)
	if err != nil {
		return nil, err
	}
	return DecodeValue(v)
}

// DecodeValue is Decode for a tree already turned into plain values by Value.
func DecodeValue(v any) (*Cluster, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var c Cluster
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode spec: %w", err)
	}
	return &c, nil
}

// Position says where the value at a JSON pointer of tree n was written: the key for a mapping
// entry (so an unknown field points at its name), the node itself otherwise. With key=false it
// gives the value's position. It falls back to the closest existing parent.
func (d *Document) Position(n *yaml.Node, pointer string, key bool) (line, col int, origin string) {
	cur := n
	curKey := (*yaml.Node)(nil)
	for _, tok := range splitPointer(pointer) {
		next, nextKey := d.child(cur, tok)
		if next == nil {
			break
		}
		cur, curKey = next, nextKey
	}
	at := cur
	if key && curKey != nil {
		at = curKey
	}
	origin, ok := d.origin[at]
	if !ok {
		origin = pointer
	}
	return at.Line, at.Column, origin
}

// wide is the number of keys from which Position indexes a mapping rather than scanning it.
const wide = 16

// child is the package's child, with an index for wide mappings: reporting each of the n keys of
// a mapping would otherwise scan it n times.
func (d *Document) child(n *yaml.Node, tok string) (val, key *yaml.Node) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode || len(n.Content) < 2*wide {
		return child(n, tok)
	}
	d.mu.Lock()
	if d.keys == nil {
		d.keys = map[*yaml.Node]map[string]int{}
	}
	idx, ok := d.keys[n]
	if !ok {
		idx = make(map[string]int, len(n.Content)/2)
		for i := len(n.Content) - 2; i >= 0; i -= 2 {
			idx[n.Content[i].Value] = i // the first of duplicate keys wins, as in child
		}
		d.keys[n] = idx
	}
	d.mu.Unlock()
	if i, ok := idx[tok]; ok {
		return n.Content[i+1], n.Content[i]
	}
	return nil, nil
}

// Lookup returns the node at a JSON pointer, or nil.
func Lookup(n *yaml.Node, pointer string) *yaml.Node {
	cur := n
	for _, tok := range splitPointer(pointer) {
		cur, _ = child(cur, tok)
		if cur == nil {
			return nil
		}
	}
	return cur
}

func child(n *yaml.Node, tok string) (val, key *yaml.Node) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return child(n.Content[0], tok)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1], n.Content[i]
			}
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(tok)
		if err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], nil
		}
	}
	return nil, nil
}

func splitPointer(p string) []string { return diag.SplitPointer(p) }

func escape(s string) string { return diag.EscapeToken(s) }

// Pointer joins tokens into a JSON pointer, escaping each (diag.Pointer).
func Pointer(tokens ...string) string { return diag.Pointer(tokens...) }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return "a scalar"
	}
	return "something else"
}

// EnvironmentNames lists the environments the document declares, sorted; a document without any
// has the one environment DefaultEnvironment.
func (d *Document) EnvironmentNames() []string {
	envs := Lookup(d.Root, "/spec/environments")
	if envs == nil || envs.Kind != yaml.MappingNode || len(envs.Content) == 0 {
		return []string{DefaultEnvironment}
	}
	var names []string
	for i := 0; i+1 < len(envs.Content); i += 2 {
		names = append(names, envs.Content[i].Value)
	}
	sort.Strings(names)
	return names
}

// Base returns the document without its environments: what every environment starts from.
func (d *Document) Base() *yaml.Node {
	return without(d.Root, "spec", "environments")
}

// Environment returns the base document with the named environment's metadata and spec merged
// over it. Mappings merge key by key; lists whose items all have a name merge item by name; any
// other value replaces the base one; an explicit null removes it. Merged values keep the node, and
// so the position, they were written at.
func (d *Document) Environment(name string) *yaml.Node {
	base := d.Base()
	env := Lookup(d.Root, Pointer("spec", "environments", name))
	if env == nil || env.Kind != yaml.MappingNode {
		return base
	}
	out := base
	for _, part := range []string{"metadata", "spec"} {
		over, _ := child(env, part)
		if over == nil {
			continue
		}
		cur, _ := child(out, part)
		merged := merge(cur, over)
		out = with(out, part, merged)
	}
	return out
}

// without copies the path's mappings and leaves out the last key.
func without(n *yaml.Node, path ...string) *yaml.Node {
	if n.Kind != yaml.MappingNode || len(path) == 0 {
		return n
	}
	cp := *n
	cp.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == path[0] {
			if len(path) == 1 {
				continue
			}
			v = without(v, path[1:]...)
		}
		cp.Content = append(cp.Content, k, v)
	}
	return &cp
}

// with copies the mapping and sets key to v.
func with(n *yaml.Node, key string, v *yaml.Node) *yaml.Node {
	cp := *n
	cp.Content = nil
	found := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, old := n.Content[i], n.Content[i+1]
		if k.Value == key {
			found = true
			if v == nil {
				continue
			}
			old = v
		}
		cp.Content = append(cp.Content, k, old)
	}
	if !found && v != nil {
		cp.Content = append(cp.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: v.Line, Column: v.Column}, v)
	}
	return &cp
}

func isNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// merge returns base with over merged into it, copying what it changes and nothing else. It is
// linear in the sizes of both: keys and group names are looked up in maps built once per mapping
// or list, never by scanning.
func merge(base, over *yaml.Node) *yaml.Node {
	base, over = resolve(base), resolve(over)
	if isNull(over) {
		return nil
	}
	if base == nil {
		return over
	}
	switch {
	case base.Kind == yaml.MappingNode && over.Kind == yaml.MappingNode:
		return mergeMapping(base, over)
	case base.Kind == yaml.SequenceNode && over.Kind == yaml.SequenceNode && named(base) && named(over):
		return mergeNamed(base, over)
	}
	return over
}

func mergeMapping(base, over *yaml.Node) *yaml.Node {
	content := append([]*yaml.Node(nil), base.Content...)
	at := make(map[string]int, len(content)/2) // key to the index of its first entry
	for i := len(content) - 2; i >= 0; i -= 2 {
		at[content[i].Value] = i
	}
	removed := false
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		j, found := at[k.Value]
		if !found {
			// null over a key the base does not have removes nothing
			if m := merge(nil, v); m != nil {
				at[k.Value] = len(content)
				content = append(content, k, m)
			}
			continue
		}
		m := merge(content[j+1], v)
		switch {
		case m == nil:
			content[j], content[j+1] = nil, nil
			delete(at, k.Value)
			removed = true
		case m == v:
			// The environment's value replaces the base's: so does its key, so that a problem
			// with it is reported where the environment wrote it.
			content[j], content[j+1] = k, m
		default:
			content[j+1] = m
		}
	}
	if removed {
		kept := content[:0]
		for _, c := range content {
			if c != nil {
				kept = append(kept, c)
			}
		}
		content = kept
	}
	out := *base
	out.Content = content
	return &out
}

func mergeNamed(base, over *yaml.Node) *yaml.Node {
	out := *base
	out.Content = append([]*yaml.Node(nil), base.Content...)
	at := make(map[string]int, len(out.Content)) // group name to the index of its first item
	for i := len(out.Content) - 1; i >= 0; i-- {
		name, _ := child(resolve(out.Content[i]), "name")
		at[name.Value] = i
	}
	for _, item := range over.Content {
		item = resolve(item)
		name, _ := child(item, "name")
		i, found := at[name.Value]
		if !found {
			at[name.Value] = len(out.Content)
			out.Content = append(out.Content, item)
			continue
		}
		out.Content[i] = merge(out.Content[i], item)
	}
	return &out
}

// named reports whether every item of a list is a mapping with a scalar name.
func named(n *yaml.Node) bool {
	if len(n.Content) == 0 {
		return true
	}
	for _, item := range n.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			return false
		}
		name, _ := child(item, "name")
		if name == nil || name.Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}

// Without returns a copy of the document with the values at the given JSON pointers removed, for
// checking what the rest of a document means while some of its values are wrong. Pointers that do
// not name a mapping entry are skipped; ok is false when none could be removed. The cost is linear in
// the pointers and the nodes along them.
func (d *Document) Without(pointers []string) (out *Document, ok bool) {
	cut := &cutTree{}
	for _, p := range pointers {
		if toks := splitPointer(p); len(toks) > 0 {
			cut.add(toks)
		}
	}
	root, ok := cut.apply(d.Root)
	return &Document{File: d.File, Root: root, origin: d.origin, keys: map[*yaml.Node]map[string]int{}}, ok
}

// cutTree holds the pointers to remove, token by token.
type cutTree struct {
	leaf     bool
	children map[string]*cutTree
}

func (c *cutTree) add(toks []string) {
	for _, t := range toks {
		if c.children == nil {
			c.children = map[string]*cutTree{}
		}
		next := c.children[t]
		if next == nil {
			next = &cutTree{}
			c.children[t] = next
		}
		c = next
	}
	c.leaf = true
}

// apply copies the nodes the tree reaches and drops the mapping entries at its leaves.
func (c *cutTree) apply(n *yaml.Node) (*yaml.Node, bool) {
	if len(c.children) == 0 {
		return n, false
	}
	cp := *n
	cp.Content = make([]*yaml.Node, 0, len(n.Content))
	removed := false
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if sub := c.children[k.Value]; sub != nil {
				if sub.leaf {
					removed = true
					continue
				}
				var r bool
				v, r = sub.apply(v)
				removed = removed || r
			}
			cp.Content = append(cp.Content, k, v)
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			if sub := c.children[strconv.Itoa(i)]; sub != nil && !sub.leaf {
				var r bool
				v, r = sub.apply(v)
				removed = removed || r
			}
			cp.Content = append(cp.Content, v)
		}
	default:
		return n, false
	}
	return &cp, removed
}
