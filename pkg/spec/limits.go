package spec

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/rocketops/rocketops/pkg/diag"
)

// The limits of what Parse reads. Everything after parsing (the schema, the rules, the merge of
// every environment, the plan) does work in proportion to the values of the document with its
// aliases expanded, so bounding the file and that count bounds the whole run. The largest topology
// rocketops compiles (256 broker groups of 9 members in the base and in 4 environments, as
// scripts/genspec writes it) is 14 KB and 1,400 values, 9 levels deep and 10 keys wide; a
// hand-written one with comments and settings per group is a few times that. The limits leave an
// order of magnitude above it and keep the worst input under a second and about 100 MB.
const (
	// MaxBytes bounds the file. The YAML library needs up to about 120 bytes of memory per byte of
	// input (a flow list of one-digit numbers); 512 KiB keeps that near 60 MB.
	MaxBytes = 512 << 10
	// MaxDepth bounds the nesting of mappings and lists. The deepest a spec needs is 16
	// (a value in an environment's pod anti-affinity term).
	MaxDepth = 32
	// MaxKeys bounds the keys of one mapping. The widest a spec needs is a broker config that
	// sets every one of RocketMQ's 445 broker.conf keys.
	MaxKeys = 1000
	// MaxNodes bounds the values in the document (keys, scalars, mappings and lists), each use of
	// an alias counting as a copy of what it names: the alias expansion budget. Every environment
	// is checked as a whole document again, so with 32 environments the checks see 33 times this.
	MaxNodes = 20_000
	// MaxScalar bounds one key or scalar value, in bytes; the schema bounds most strings far lower.
	MaxScalar = 16 << 10
)

// Limits bound what a parse accepts. DefaultLimits are the ones Parse applies.
type Limits struct {
	Bytes  int // size of the file
	Depth  int // nesting of mappings and lists, aliases expanded
	Keys   int // keys in one mapping
	Nodes  int // values in the document, aliases expanded
	Scalar int // bytes of one key or scalar value
}

// DefaultLimits returns the limits of Parse.
func DefaultLimits() Limits {
	return Limits{Bytes: MaxBytes, Depth: MaxDepth, Keys: MaxKeys, Nodes: MaxNodes, Scalar: MaxScalar}
}

// tooLarge reports a file over the size limit at the first byte beyond it.
func (l Limits) tooLarge(file string, data []byte) diag.Diagnostic {
	line, col := lineCol(data, l.Bytes)
	return diag.Diagnostic{File: file, Line: line, Col: col,
		Message: fmt.Sprintf("the file is %s; rocketops reads specs of at most %s", bytesWord(len(data)), bytesWord(l.Bytes)),
		Hint:    "a spec describes one cluster (256 broker groups fit in 14 KB): split larger deployments into several specs"}
}

// lineCol gives the 1-based line and column (in characters) of a byte offset.
func lineCol(data []byte, offset int) (line, col int) {
	offset = min(offset, len(data))
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

func bytesWord(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return count(n) + " bytes"
}

// depthFallback locates where the input nests deeper than the limit when the YAML library refused
// it before building a tree (it stops at 10,000 levels). It counts flow brackets outside quotes
// and comments, and block levels by indentation and "- " items, which is enough to point at the
// place; the message does not depend on it.
func (l Limits) depthFallback(file string, data []byte) diag.Diagnostic {
	at := deepest(data, l.Depth)
	line, col := lineCol(data, at)
	return diag.Diagnostic{File: file, Line: line, Col: col,
		Message: fmt.Sprintf("the document nests deeper than %d levels", l.Depth),
		Hint:    depthHint}
}

const depthHint = "a spec needs 16 levels at most; look for [ or { written by mistake, or an alias placed deep inside another value"

// deepest returns the offset at which the nesting first exceeds limit, or where it is deepest.
func deepest(data []byte, limit int) int {
	var (
		flow, best, bestAt int
		indents            []int // columns of the open block levels
		lineStart          = true
		col                int
		quote              byte
	)
	for i := 0; i < len(data); i++ {
		c := data[i]
		if quote != 0 {
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' {
				i++
			}
			continue
		}
		if c == '\n' {
			lineStart, col = true, 0
			continue
		}
		if lineStart && c == ' ' {
			col++
			continue
		}
		if lineStart {
			lineStart = false
			if flow == 0 && c != '#' {
				for len(indents) > 0 && indents[len(indents)-1] >= col {
					indents = indents[:len(indents)-1]
				}
				indents = append(indents, col)
			}
		}
		depth := flow + len(indents)
		switch c {
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i--
			continue
		case '"', '\'':
			quote = c
		case '[', '{':
			flow++
			depth++
		case ']', '}':
			flow = max(0, flow-1)
		case '-', '?':
			if flow == 0 && i+1 < len(data) && data[i+1] == ' ' {
				// A compact item ("- - x") opens a level within the line.
				indents = append(indents, col+1)
				depth++
			}
		}
		col++
		if depth > best {
			best, bestAt = depth, i
		}
		if depth > limit {
			return i
		}
	}
	return bestAt
}

// measure checks a parsed tree against the limits: depth, keys per mapping, scalar sizes, alias
// cycles and the number of values with aliases expanded. It visits every node once: what an alias
// names was measured when it was written (YAML defines an anchor before any alias to it), so the
// alias adds the size and height recorded then. It reports each limit once, at the first place
// that breaks it.
type measure struct {
	lim    Limits
	file   string
	total  int                 // values so far, aliases expanded
	size   map[*yaml.Node]int  // of anchored nodes: values, aliases expanded
	height map[*yaml.Node]int  // of anchored nodes: levels below, aliases expanded
	open   map[*yaml.Node]bool // anchored nodes being visited: an alias to one is a cycle
	path   []string            // pointer tokens of the node being visited
	deep   int                 // deepest level reached in the current anchored node
	found  map[string]bool     // the limits reported
	diags  diag.List
}

func (l Limits) measure(file string, root *yaml.Node) diag.List {
	m := &measure{lim: l, file: file, size: map[*yaml.Node]int{}, height: map[*yaml.Node]int{},
		open: map[*yaml.Node]bool{}, found: map[string]bool{}}
	m.visit(root)
	return m.diags
}

func (m *measure) pointer() string { return Pointer(m.path...) }

func (m *measure) report(kind string, n *yaml.Node, ptr, msg, hint string) {
	if m.found[kind] {
		return
	}
	m.found[kind] = true
	m.diags = append(m.diags, diag.Diagnostic{File: m.file, Line: n.Line, Col: n.Column, Pointer: ptr, Message: msg, Hint: hint})
}

// stopped says whether the walk has spent its budget: past it, nothing more is worth counting.
func (m *measure) stopped() bool { return m.found["nodes"] }

func (m *measure) visit(n *yaml.Node) {
	if m.stopped() {
		return
	}
	depth := len(m.path)
	m.deep = max(m.deep, depth)
	if n.Kind == yaml.AliasNode {
		m.alias(n, depth)
		return
	}
	m.total++
	if m.total > m.lim.Nodes {
		m.report("nodes", n, m.pointer(), fmt.Sprintf("the document holds more than %s values", count(m.lim.Nodes)),
			"a spec needs a few thousand; look for a list or mapping generated by mistake")
		return
	}
	if n.Anchor != "" {
		m.open[n] = true
		before, outer := m.total, m.deep
		m.deep = depth
		defer func() {
			delete(m.open, n)
			m.size[n] = m.total - before + 1
			m.height[n] = m.deep - depth
			m.deep = max(outer, m.deep)
		}()
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if len(n.Value) > m.lim.Scalar {
			m.report("scalar", n, m.pointer(), fmt.Sprintf("a value of %s; values may hold at most %s", bytesWord(len(n.Value)), bytesWord(m.lim.Scalar)),
				"keep large content (certificates, scripts) out of the spec")
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			m.visit(c)
		}
	case yaml.SequenceNode, yaml.MappingNode:
		if len(n.Content) > 0 && depth >= m.lim.Depth {
			// Reported at the first value too deep, not at every one.
			first, tok := n.Content[0], "0"
			if n.Kind == yaml.MappingNode {
				tok = keyToken(first, m.lim)
			}
			m.report("depth", first, Pointer(append(m.path, tok)...), fmt.Sprintf("the document nests deeper than %d levels", m.lim.Depth), depthHint)
			return
		}
		if n.Kind == yaml.SequenceNode {
			for i, c := range n.Content {
				m.path = append(m.path, strconv.Itoa(i))
				m.visit(c)
				m.path = m.path[:depth]
			}
			return
		}
		if keys := len(n.Content) / 2; keys > m.lim.Keys {
			m.report("keys", n.Content[2*m.lim.Keys], m.pointer(), fmt.Sprintf("the mapping has %s keys; a mapping may have at most %s", count(keys), count(m.lim.Keys)),
				"a spec needs a few hundred at most (every broker.conf key of a version); look for keys generated by mistake")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			// A key is reported where its mapping is: its own text may be what is too long.
			m.visit(k)
			m.path = append(m.path, keyToken(k, m.lim))
			m.visit(v)
			m.path = m.path[:depth]
		}
	}
}

func (m *measure) alias(n *yaml.Node, depth int) {
	target := n.Alias
	if target == nil {
		return
	}
	ptr := m.pointer()
	if m.open[target] {
		m.report("cycle", n, ptr, fmt.Sprintf("alias *%s is used inside the value it names, which would make it endless", n.Value),
			"an alias repeats a value written before it and outside it; write the inner value out")
		return
	}
	size, ok := m.size[target]
	if !ok {
		// Only an alias inside its own anchor lacks a size, and that is a cycle; measure anyway.
		m.visit(target)
		return
	}
	if depth+m.height[target] > m.lim.Depth {
		m.report("depth", n, ptr, fmt.Sprintf("alias *%s nests the document deeper than %d levels", n.Value, m.lim.Depth), depthHint)
		return
	}
	m.deep = max(m.deep, depth+m.height[target])
	m.total += size
	if m.total > m.lim.Nodes {
		m.report("nodes", n, ptr, fmt.Sprintf("aliases expand the document to more than %s values", count(m.lim.Nodes)),
			"every use of an alias counts as a copy of what it names; write the values out, or share them with spec.environments")
	}
}

// keyToken is the pointer token of a key: its text, unless the key is not a scalar or too long to
// repeat in a message.
func keyToken(k *yaml.Node, l Limits) string {
	if k.Kind != yaml.ScalarNode || len(k.Value) > l.Scalar {
		return "?"
	}
	return k.Value
}

// count writes a number with thousands separators: 50,000.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
