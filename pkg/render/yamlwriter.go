package render

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	yamlv2 "go.yaml.in/yaml/v2"
)

// appendYAML appends to dst a decoded value (maps, lists, strings, booleans, nil, and numbers as float64 or
// json.Number) as YAML, byte for byte what go.yaml.in/yaml/v2's Marshal writes for it once yamlValue
// has typed its numbers; it types each number as it writes it, so the tree is never copied. It lays out the
// structure itself, which is where that encoder spends its time, and writes the scalars that are plain
// words (names, labels, images, paths, numbers) itself. Everything whose bytes depend on the
// encoder's finer rules (quoting, line folding at 80 columns, literal blocks, unusual keys) is
// written by the encoder, on a small document that puts it at the same column, so those bytes are its
// own. It returns false, having maybe written past dst, for values it does not lay out (a list directly inside a list, a Go type
// that is no decoded JSON), which the caller then hands to the encoder or to JSON whole.
func appendYAML(dst []byte, v any) ([]byte, bool) {
	w := yamlWriter{buf: dst}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return append(dst, "{}\n"...), true
		}
		if !w.mapping(x, 0, "") {
			return nil, false
		}
	case []any:
		if len(x) == 0 {
			return append(dst, "[]\n"...), true
		}
		if !w.sequence(x, 0) {
			return nil, false
		}
	default:
		return nil, false
	}
	return w.buf, true
}

type yamlWriter struct{ buf []byte }

func (w *yamlWriter) indent(n int) {
	for range n {
		w.buf = append(w.buf, ' ')
	}
}

// mapping writes m's entries at column col; first, when not empty, is what stands before the first
// key instead of col spaces (a list item's "- ").
func (w *yamlWriter) mapping(m map[string]any, col int, first string) bool {
	var buf [16]string
	for i, k := range sortedKeys(m, buf[:]) {
		prefix := first
		if i > 0 || first == "" {
			prefix = ""
		}
		// A key of more than 128 characters is no simple key to the encoder, which writes it with "? ".
		if !plainWord(k) || len(k) > 128 {
			if !w.delegateEntry(k, m[k], col, prefix) {
				return false
			}
			continue
		}
		start := len(w.buf)
		if prefix != "" {
			w.buf = append(w.buf, prefix...)
		} else {
			w.indent(col)
		}
		w.buf = append(w.buf, k...)
		w.buf = append(w.buf, ':')
		switch x := m[k].(type) {
		case map[string]any:
			if len(x) == 0 {
				w.buf = append(w.buf, " {}\n"...)
				continue
			}
			w.buf = append(w.buf, '\n')
			if !w.mapping(x, col+2, "") {
				return false
			}
		case []any:
			if len(x) == 0 {
				w.buf = append(w.buf, " []\n"...)
				continue
			}
			w.buf = append(w.buf, '\n')
			// A list in a mapping starts at the key's column.
			if !w.sequence(x, col) {
				return false
			}
		default:
			s, ok := plainScalar(x)
			if !ok {
				if str, isString := x.(string); isString && w.textScalar(str, col+len(k)+2, col+2) {
					continue
				}
				w.buf = w.buf[:start]
				if !w.delegateEntry(k, x, col, prefix) {
					return false
				}
				continue
			}
			w.buf = append(w.buf, ' ')
			w.buf = append(w.buf, s...)
			w.buf = append(w.buf, '\n')
		}
	}
	return true
}

// sequence writes l's items at column col, each after "- ".
func (w *yamlWriter) sequence(l []any, col int) bool {
	item := strings.Repeat(" ", col) + "- "
	for _, v := range l {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				w.buf = append(w.buf, item...)
				w.buf = append(w.buf, "{}\n"...)
				continue
			}
			if !w.mapping(x, col+2, item) {
				return false
			}
		case []any:
			if len(x) == 0 {
				w.buf = append(w.buf, item...)
				w.buf = append(w.buf, "[]\n"...)
				continue
			}
			return false
		default:
			s, ok := plainScalar(x)
			if !ok {
				start := len(w.buf)
				w.buf = append(w.buf, item[:len(item)-1]...)
				if str, isString := x.(string); isString && w.textScalar(str, col+2, col+2) {
					continue
				}
				w.buf = w.buf[:start]
				if !w.delegateItem(x, col) {
					return false
				}
				continue
			}
			w.buf = append(w.buf, item...)
			w.buf = append(w.buf, s...)
			w.buf = append(w.buf, '\n')
		}
	}
	return true
}

// delegateEntry has the encoder write the entry k: v of a mapping at column col, as the innermost of
// col/2 nested mappings so that it stands at the same column, and copies its lines; prefix, when not
// empty, replaces the first line's indentation.
func (w *yamlWriter) delegateEntry(k string, v any, col int, prefix string) bool {
	v, ok := yamlValue(v)
	if !ok {
		return false
	}
	doc := any(map[string]any{k: v})
	for range col / 2 {
		doc = map[string]any{"a": doc}
	}
	out, err := yamlv2.Marshal(doc)
	if err != nil {
		return false
	}
	rest, ok := skipLines(out, col/2)
	if !ok || len(rest) < col {
		return false
	}
	if prefix != "" {
		w.buf = append(w.buf, prefix...)
		rest = rest[col:]
	}
	w.buf = append(w.buf, rest...)
	return true
}

// delegateItem has the encoder write a list item at column col: the one item of a list under a key at
// that column, itself inside col/2 nested mappings.
func (w *yamlWriter) delegateItem(v any, col int) bool {
	v, ok := yamlValue(v)
	if !ok {
		return false
	}
	doc := any(map[string]any{"x": []any{v}})
	for range col / 2 {
		doc = map[string]any{"a": doc}
	}
	out, err := yamlv2.Marshal(doc)
	if err != nil {
		return false
	}
	rest, ok := skipLines(out, col/2+1)
	if !ok {
		return false
	}
	w.buf = append(w.buf, rest...)
	return true
}

func skipLines(b []byte, n int) ([]byte, bool) {
	for range n {
		i := strings.IndexByte(string(b), '\n')
		if i < 0 {
			return nil, false
		}
		b = b[i+1:]
	}
	return b, true
}

// plainScalar is the text of a scalar the encoder writes as it is: numbers, booleans, null, and
// strings that are plain words. Numbers are typed by yamlValue first.
func plainScalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, plainWord(x)
	case float64, json.Number:
		t, ok := yamlValue(x)
		if !ok {
			return "", false
		}
		return typedNumber(t)
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "null", true
	}
	return "", false
}

// typedNumber is the text of a number as yamlValue types it.
func typedNumber(v any) (string, bool) {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		// yaml/v2 encode.go floatv: the shortest 'g' form (infinities and NaN never reach here).
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

// plainWord reports whether the encoder writes s unquoted and on one line: a string without spaces
// that it resolves as a string (no boolean, null or number) and that starts with no indicator. Such a
// string has no space to fold a line at and no character that needs quoting or changes its type:
//   - a letter or '/' first, or '-' and a letter, then letters, digits, . _ / - and ':' not last; not
//     one of the words YAML 1.1 reads as a boolean or null;
//   - or a digit first, then letters, digits and '.', and neither an integer (in any base strconv
//     reads with base 0) nor a float of YAML's form: "5.3.3", "8Gi", "2560Mi".
func plainWord(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if c >= '0' && c <= '9' {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.') {
				return false
			}
		}
		if _, err := strconv.ParseInt(s, 0, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(s, 0, 64); err == nil {
			return false
		}
		return !yamlFloat.MatchString(s)
	}
	start := 0
	if c == '-' {
		if len(s) < 2 || !(s[1] >= 'a' && s[1] <= 'z' || s[1] >= 'A' && s[1] <= 'Z') {
			return false
		}
		start = 1
	} else if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/') {
		return false
	}
	for i := start; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '/', c == '-':
		case c == ':' && i < len(s)-1:
		default:
			return false
		}
	}
	return !yaml11Word[s]
}

// yamlFloat is the form of the floats YAML 1.1 resolves a plain scalar to (yaml/v2 resolve.go),
// unsigned: what plainWord's digit-first words are tested against.
var yamlFloat = regexp.MustCompile(`^(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// bestWidth is the line width past which the encoder folds a plain scalar at a space.
const bestWidth = 80

// textScalar appends " " and s, a string with spaces or line breaks, as the encoder writes it when
// that needs none of its quoting: a plain scalar folded at spaces past bestWidth (the scalar starting
// at column col, continuation lines indented by indent), or a literal block (|, or |- without a final
// line break) indented by indent. It appends nothing and returns false for anything else: leading or
// trailing spaces, tabs and other non-printing or non-ASCII characters, ": " or " #", a space before
// a line break, more than one final line break, a first character YAML reads as an indicator or that
// could start a number or a date.
func (w *yamlWriter) textScalar(s string, col, indent int) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	multiline := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			if i > 0 && s[i-1] == ' ' {
				return false
			}
			multiline = true
		case c < 0x20 || c > 0x7e:
			return false
		}
	}
	if multiline {
		return w.literal(s, indent)
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '$' ||
		c == '-' && len(s) > 1 && (s[1] >= 'a' && s[1] <= 'z' || s[1] >= 'A' && s[1] <= 'Z')) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			if i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	if yaml11Word[s] {
		return false
	}
	w.buf = append(w.buf, ' ')
	column := col
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && column > bestWidth && s[i-1] != ' ' && i+1 < len(s) && s[i+1] != ' ' {
			w.buf = append(w.buf, '\n')
			w.indent(indent)
			column = indent
			continue
		}
		w.buf = append(w.buf, s[i])
		column++
	}
	w.buf = append(w.buf, '\n')
	return true
}

// literal appends a literal block: "|" (or "|-" without a final line break), then each line indented
// by indent, empty lines empty.
func (w *yamlWriter) literal(s string, indent int) bool {
	if s[0] == '\n' || strings.HasSuffix(s, "\n\n") {
		return false
	}
	body, final := strings.CutSuffix(s, "\n")
	if final {
		w.buf = append(w.buf, " |\n"...)
	} else {
		w.buf = append(w.buf, " |-\n"...)
	}
	for line := range strings.SplitSeq(body, "\n") {
		if line != "" {
			w.indent(indent)
			w.buf = append(w.buf, line...)
		}
		w.buf = append(w.buf, '\n')
	}
	return true
}

// yaml11Word are the plain words YAML 1.1 resolves to booleans or null (yaml/v2 resolve.go).
var yaml11Word = map[string]bool{}

func init() {
	for _, w := range []string{"y", "yes", "n", "no", "true", "false", "on", "off", "null"} {
		yaml11Word[w] = true
		yaml11Word[strings.ToUpper(w)] = true
		yaml11Word[strings.ToUpper(w[:1])+w[1:]] = true
	}
}

// sortedKeys returns m's keys in the encoder's order (naturalLess), in buf when they fit.
func sortedKeys(m map[string]any, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	insertionSortNatural(keys)
	return keys
}

// insertionSortNatural sorts keys by naturalLess; mappings have few keys.
func insertionSortNatural(keys []string) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && naturalLess(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// naturalLess is the order in which go.yaml.in/yaml/v2 writes string keys (sorter.go, v2.4.4): at the
// first rune where a and b differ, two letters compare as runes; a letter comes after anything else;
// otherwise the runs of digits that start there compare by value (both counted from 1 when a '0' is
// met after other digits), then the shorter run first, then the runes. A prefix comes first.
func naturalLess(a, b string) bool {
	if ascii(a) && ascii(b) {
		// Keys are almost always ASCII: their bytes are their runes, and no copy is needed.
		return naturalLessOf(unsafe.Slice(unsafe.StringData(a), len(a)), unsafe.Slice(unsafe.StringData(b), len(b)))
	}
	return naturalLessOf([]rune(a), []rune(b))
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func naturalLessOf[T byte | rune](ar, br []T) bool {
	n := min(len(ar), len(br))
	p := 0
	for p < n && ar[p] == br[p] {
		p++
	}
	if p == n {
		return len(ar) < len(br)
	}
	x, y := ar[p], br[p]
	xl, yl := unicode.IsLetter(rune(x)), unicode.IsLetter(rune(y))
	switch {
	case xl && yl:
		return x < y
	case xl != yl:
		return yl
	}
	var base int64
	if x == '0' || y == '0' {
		for q := p - 1; q >= 0 && unicode.IsDigit(rune(ar[q])); q-- {
			if ar[q] != '0' {
				base = 1
				break
			}
		}
	}
	xv, xe := digitRun(ar, p, base)
	yv, ye := digitRun(br, p, base)
	switch {
	case xv != yv:
		return xv < yv
	case xe != ye:
		return xe < ye
	}
	return x < y
}

// digitRun reads the decimal digits of r from p on, starting the count at base, and returns the value
// and where the run ends.
func digitRun[T byte | rune](r []T, p int, base int64) (int64, int) {
	v := base
	for ; p < len(r) && unicode.IsDigit(rune(r[p])); p++ {
		v = v*10 + int64(r[p]-'0')
	}
	return v, p
}
