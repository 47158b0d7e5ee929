// Command keytables derives the key tables of pkg/catalog from the sources of every Apache RocketMQ
// release from 4.9.0 to 5.3.3. It reads the config classes at each release tag of a clone of
// apache/rocketmq through git and writes broker-keys.tsv, namesrv-keys.tsv, controller-keys.tsv and
// proxy-keys.tsv. The output depends only on the repository's tags: the same bytes on every run.
//
//	go run ./scripts/keytables -git /path/to/rocketmq.git -out pkg/catalog/data
//
// -git is a repository (bare or not) that holds the tags rocketmq-all-4.9.0 … rocketmq-all-5.3.3.
//
// The rules, each checked against the sources (paths below are relative to the repository root):
//
//   - The broker, name server and controller read their properties files into config objects with
//     MixAll.properties2Object (common/src/main/java/org/apache/rocketmq/common/MixAll.java, the same
//     loop at every tag from rocketmq-all-4.9.0 to rocketmq-all-5.3.3): for each method of
//     object.getClass().getMethods() whose name starts with "set" it looks up the key made of the
//     name's fourth character lower-cased and the rest, and converts the value for the first
//     parameter type by its simple name: int/Integer, long/Long, double/Double, boolean/Boolean,
//     float/Float and String; any other type is skipped (continue). getMethods() lists the public
//     methods of the class and its superclasses, static ones included. A setter with more than one
//     parameter is invoked with one argument, which throws and is swallowed, so it sets nothing.
//     From rocketmq-all-5.2.0 on String values are trimmed first; before, they are taken as is.
//   - Which objects a release fills from the file is read from the startup classes at its tag:
//     the MixAll.properties2Object(properties, x) calls of BrokerStartup
//     (broker/src/main/java/org/apache/rocketmq/broker/BrokerStartup.java: BrokerConfig,
//     NettyServerConfig, NettyClientConfig, MessageStoreConfig at every tag, AuthConfig from
//     rocketmq-all-5.3.0 on), NamesrvStartup (namesrv/src/main/java/org/apache/rocketmq/namesrv/
//     NamesrvStartup.java: NamesrvConfig and NettyServerConfig, NettyClientConfig from
//     rocketmq-all-5.0.0 on, and ControllerConfig, JraftConfig for an embedded controller) and
//     ControllerStartup (controller/src/main/java/org/apache/rocketmq/controller/
//     ControllerStartup.java, from rocketmq-all-5.0.0 on: ControllerConfig, JraftConfig from
//     rocketmq-all-5.2.0 on, NettyServerConfig, NettyClientConfig). The controller table has the
//     ControllerConfig and JraftConfig keys; the name server table the other classes NamesrvStartup
//     fills.
//   - BrokerStartup also reads rmqAddressServerDomain and rmqAddressServerSubGroup straight from
//     the properties (properties.getProperty) at every tag; pkg/catalog adds those two keys itself,
//     so they are checked here but not written.
//   - The proxy (from rocketmq-all-5.0.0 on) reads rmq-proxy.json whole and hands the text to
//     fastjson: JSON.parseObject(text, ProxyConfig.class) in
//     proxy/src/main/java/org/apache/rocketmq/proxy/config/Configuration.java at every 5.x tag, and
//     also JSON.parseObject(text, AuthConfig.class) from rocketmq-all-5.3.0 on. The fastjson is
//     com.alibaba:fastjson 1.2.69_noneautotype at rocketmq-all-5.0.0 and 1.2.83 from
//     rocketmq-all-5.1.0 on (pom.xml, fastjson.version). Its JavaBeanInfo.build (fastjson tags
//     1.2.69 and 1.2.83, src/main/java/com/alibaba/fastjson/util/JavaBeanInfo.java) maps a JSON
//     property to every non-static public method of getMethods() named set… with one parameter that
//     returns void or the declaring class; the property name is the fourth character lower-cased and
//     the rest. Of overloaded setters it keeps one (JavaBeanInfo.add and FieldInfo.compareTo): the
//     one whose parameter type is the type of the field of that name. Public non-static fields
//     would count too (ProxyConfig and AuthConfig have none), and so would getters of collections
//     and maps without a setter: ProxyConfig.getDelayLevelTable is one, left out because
//     ProxyConfig.initData rebuilds that table from messageDelayLevel right after parsing. fastjson
//     converts a JSON value to any parameter type; an enum takes its constant's name, so an
//     enum-typed setter is written as String.
//   - default_expr is the initializer of the field the setter writes (this.x = … or x = … in its
//     body; else the field named like the key), as Java source with each run of blanks and
//     comments made one space, from the newest release that has the key. When several classes of
//     that release have the key, the class the startup fills last wins.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// releases are the Apache RocketMQ releases the tables cover, oldest first: every rocketmq-all tag
// from 4.9.0 to 5.3.3 except 5.0.0-ALPHA and 5.0.0-PREVIEW, which are previews.
var releases = []string{
	"4.9.0", "4.9.1", "4.9.2", "4.9.3", "4.9.4", "4.9.5", "4.9.6", "4.9.7", "4.9.8",
	"5.0.0", "5.1.0", "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.2.0",
	"5.3.0", "5.3.1", "5.3.2", "5.3.3",
}

func tagOf(version string) string { return "rocketmq-all-" + version }

const usageText = `usage: keytables -git DIR -out DIR

Derives pkg/catalog's key tables (broker-keys.tsv, namesrv-keys.tsv, controller-keys.tsv,
proxy-keys.tsv) from the config classes of every Apache RocketMQ release from 4.9.0 to 5.3.3.

  -git DIR   a clone of apache/rocketmq (bare or not) with the rocketmq-all-* release tags
  -out DIR   the directory to write the four tables to, e.g. pkg/catalog/data

example:
  go run ./scripts/keytables -git /path/to/rocketmq.git -out pkg/catalog/data
`

func main() {
	fs := flag.NewFlagSet("keytables", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	gitDir := fs.String("git", "", "")
	outDir := fs.String("out", "", "")
	err := fs.Parse(os.Args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Print(usageText)
		return
	case err != nil:
		usageError(err.Error())
	case fs.NArg() > 0:
		usageError(fmt.Sprintf("unexpected arguments %q", fs.Args()))
	case *gitDir == "":
		usageError("-git is required")
	case *outDir == "":
		usageError("-out is required")
	}
	if st, err := os.Stat(*outDir); err != nil || !st.IsDir() {
		usageError(fmt.Sprintf("-out %s is not a directory", *outDir))
	}
	tables, err := derive(&repo{dir: *gitDir, cache: map[string]string{}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "keytables: %v\n", err)
		os.Exit(1)
	}
	for _, t := range tables {
		path := filepath.Join(*outDir, t.file)
		if err := os.WriteFile(path, t.render(), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "keytables: %v\n", err)
			os.Exit(1)
		}
	}
}

func usageError(msg string) {
	fmt.Fprintf(os.Stderr, "keytables: %s\n\n%s", msg, usageText)
	os.Exit(2)
}

// repo reads files at tags through git.
type repo struct {
	dir   string
	cache map[string]string
	trees map[string]map[string]bool
}

func (r *repo) git(args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"--git-dir=" + r.dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// gitDirOf accepts a bare repository or a work tree.
func gitDirOf(dir string) string {
	if st, err := os.Stat(filepath.Join(dir, ".git")); err == nil && st.IsDir() {
		return filepath.Join(dir, ".git")
	}
	return dir
}

func (r *repo) show(tag, path string) (string, error) {
	k := tag + ":" + path
	if s, ok := r.cache[k]; ok {
		return s, nil
	}
	s, err := r.git("show", k)
	if err != nil {
		return "", err
	}
	r.cache[k] = s
	return s, nil
}

func (r *repo) tree(tag string) (map[string]bool, error) {
	if t, ok := r.trees[tag]; ok {
		return t, nil
	}
	out, err := r.git("ls-tree", "-r", "--name-only", tag)
	if err != nil {
		return nil, err
	}
	t := map[string]bool{}
	for _, p := range strings.Split(strings.TrimSpace(out), "\n") {
		t[p] = true
	}
	if r.trees == nil {
		r.trees = map[string]map[string]bool{}
	}
	r.trees[tag] = t
	return t, nil
}

// ---------------------------------------------------------------------------------------------
// A Java tokenizer and a parser for what the config classes need: classes, fields with their
// initializers, methods with their parameters and bodies.

type tokKind int

const (
	tIdent tokKind = iota
	tNumber
	tString
	tChar
	tPunct
)

type token struct {
	kind  tokKind
	text  string
	space bool // blanks or a comment came before it
	line  int
}

func tokenize(src string) ([]token, error) {
	var toks []token
	line, space := 1, false
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
			space = true
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
			space = true
			continue
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			space = true
			continue
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated comment", line)
			}
			line += strings.Count(src[i:i+2+end+2], "\n")
			i += 2 + end + 2
			space = true
			continue
		}
		start, startLine := i, line
		var kind tokKind
		switch {
		case strings.HasPrefix(src[i:], `"""`):
			kind = tString
			j := i + 3
			for ; j < len(src) && !strings.HasPrefix(src[j:], `"""`); j++ {
				if src[j] == '\\' {
					j++
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated text block", line)
			}
			i = j + 3
			line += strings.Count(src[start:i], "\n")
		case c == '"' || c == '\'':
			kind = tString
			if c == '\'' {
				kind = tChar
			}
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' {
					j++
				}
				if j < len(src) && src[j] == '\n' {
					return nil, fmt.Errorf("line %d: unterminated literal", line)
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated literal", line)
			}
			i = j + 1
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			kind = tNumber
			j := i
			for j < len(src) {
				d := src[j]
				if isIdentByte(d) || d == '.' {
					j++
					continue
				}
				// An exponent's sign: 1e-3, 0x1p+4.
				if d == '+' || d == '-' {
					hex := strings.HasPrefix(strings.ToLower(src[i:j]), "0x")
					prev := src[j-1]
					if !hex && (prev == 'e' || prev == 'E') || hex && (prev == 'p' || prev == 'P') {
						j++
						continue
					}
				}
				break
			}
			i = j
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			if r == '_' || r == '$' || unicode.IsLetter(r) {
				kind = tIdent
				j := i + size
				for j < len(src) {
					r, size := utf8.DecodeRuneInString(src[j:])
					if r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r) {
						j += size
						continue
					}
					break
				}
				i = j
			} else {
				kind = tPunct
				i += size
			}
		}
		toks = append(toks, token{kind: kind, text: src[start:i], space: space && len(toks) > 0, line: startLine})
		space = false
	}
	return toks, nil
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// joinTokens writes tokens back as source, one space wherever the original had blanks or comments.
func joinTokens(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

type javaFile struct {
	path    string
	pkg     string
	imports map[string]string // simple name -> qualified name
	types   map[string]*javaType
	toks    []token
}

type javaType struct {
	file       *javaFile
	name       string
	kind       string // class, interface, enum
	super      string // as written, generics dropped
	interfaces []string
	fields     map[string]*javaField
	methods    []*javaMethod
	nested     map[string]*javaType
}

type javaField struct {
	name   string
	typ    string // simple name, with [] for arrays
	init   string // initializer as source, "" without one
	static bool
	line   int
}

type javaMethod struct {
	name   string
	mods   map[string]bool
	ret    string // simple name; "" for constructors
	params []javaParam
	body   []token
	owner  *javaType
	line   int
}

type javaParam struct {
	typ     string // simple name, with [] for arrays and varargs
	written string // as written without type arguments, such as "BrokerConfig.MetricsExporterType"
	name    string
}

var modifiers = map[string]bool{
	"public": true, "protected": true, "private": true, "static": true, "final": true,
	"abstract": true, "transient": true, "volatile": true, "synchronized": true, "native": true,
	"strictfp": true, "default": true, "sealed": true,
}

type parser struct {
	toks []token
	i    int
	file *javaFile
}

func (p *parser) peek(off int) token {
	if p.i+off < len(p.toks) {
		return p.toks[p.i+off]
	}
	return token{kind: tPunct, text: ""}
}

func (p *parser) at(text string) bool { return p.peek(0).text == text }

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s line %d: %s", p.file.path, p.peek(0).line, fmt.Sprintf(format, args...))
}

// skipBalanced skips from an opening token to just past its closing one.
func (p *parser) skipBalanced(open, close string) error {
	depth := 0
	for ; p.i < len(p.toks); p.i++ {
		t := p.toks[p.i]
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				p.i++
				return nil
			}
		}
	}
	return fmt.Errorf("%s: unbalanced %s%s", p.file.path, open, close)
}

func (p *parser) skipAnnotation() error {
	p.i++ // @
	for p.peek(0).kind == tIdent {
		p.i++
		if !p.at(".") {
			break
		}
		p.i++
	}
	if p.at("(") {
		return p.skipBalanced("(", ")")
	}
	return nil
}

// readType reads a type as written and returns its simple name: the last identifier before any
// type arguments, with "[]" for each array dimension or varargs.
func (p *parser) readType() (string, error) {
	if p.peek(0).kind != tIdent {
		return "", p.errorf("type expected, got %q", p.peek(0).text)
	}
	simple := ""
	for {
		for p.at("@") {
			if err := p.skipAnnotation(); err != nil {
				return "", err
			}
		}
		if p.peek(0).kind != tIdent {
			return "", p.errorf("type expected, got %q", p.peek(0).text)
		}
		simple = p.peek(0).text
		p.i++
		if p.at("<") {
			if err := p.skipBalanced("<", ">"); err != nil {
				return "", err
			}
		}
		if p.at(".") && p.peek(1).kind == tIdent {
			p.i++
			continue
		}
		break
	}
	for {
		switch {
		case p.at("[") && p.peek(1).text == "]":
			simple += "[]"
			p.i += 2
		case p.at(".") && p.peek(1).text == "." && p.peek(2).text == ".":
			simple += "[]"
			p.i += 3
		default:
			return simple, nil
		}
	}
}

func parseJava(path, src string) (*javaFile, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	f := &javaFile{path: path, imports: map[string]string{}, types: map[string]*javaType{}, toks: toks}
	p := &parser{toks: toks, file: f}
	for p.i < len(toks) {
		switch {
		case p.at("package"):
			p.i++
			var parts []string
			for !p.at(";") && p.i < len(toks) {
				parts = append(parts, p.peek(0).text)
				p.i++
			}
			f.pkg = strings.Join(parts, "")
			p.i++
		case p.at("import"):
			p.i++
			static := p.at("static")
			if static {
				p.i++
			}
			var parts []string
			for !p.at(";") && p.i < len(toks) {
				parts = append(parts, p.peek(0).text)
				p.i++
			}
			p.i++
			q := strings.Join(parts, "")
			if !static && !strings.HasSuffix(q, ".*") {
				f.imports[q[strings.LastIndex(q, ".")+1:]] = q
			}
		case p.at(";"):
			p.i++
		default:
			t, err := p.typeDecl()
			if err != nil {
				return nil, err
			}
			f.types[t.name] = t
		}
	}
	return f, nil
}

// typeDecl parses modifiers, annotations and a class, interface or enum declaration.
func (p *parser) typeDecl() (*javaType, error) {
	for {
		switch {
		case p.at("@") && p.peek(1).text != "interface":
			if err := p.skipAnnotation(); err != nil {
				return nil, err
			}
			continue
		case p.peek(0).kind == tIdent && modifiers[p.peek(0).text]:
			p.i++
			continue
		}
		break
	}
	if p.at("@") {
		p.i++
	}
	kind := p.peek(0).text
	switch kind {
	case "class", "interface", "enum", "record":
	default:
		return nil, p.errorf("type declaration expected, got %q", kind)
	}
	p.i++
	t := &javaType{file: p.file, kind: kind, name: p.peek(0).text, fields: map[string]*javaField{}, nested: map[string]*javaType{}}
	p.i++
	if p.at("<") {
		if err := p.skipBalanced("<", ">"); err != nil {
			return nil, err
		}
	}
	if kind == "record" && p.at("(") {
		if err := p.skipBalanced("(", ")"); err != nil {
			return nil, err
		}
	}
	for !p.at("{") {
		switch {
		case p.at("extends"):
			p.i++
			for {
				start := p.i
				if _, err := p.readType(); err != nil {
					return nil, err
				}
				written := qualifiedWritten(p.toks[start:p.i])
				if kind == "interface" {
					t.interfaces = append(t.interfaces, written)
				} else {
					t.super = written
				}
				if !p.at(",") {
					break
				}
				p.i++
			}
		case p.at("implements") || p.at("permits"):
			impl := p.at("implements")
			p.i++
			for {
				start := p.i
				if _, err := p.readType(); err != nil {
					return nil, err
				}
				if impl {
					t.interfaces = append(t.interfaces, qualifiedWritten(p.toks[start:p.i]))
				}
				if !p.at(",") {
					break
				}
				p.i++
			}
		default:
			return nil, p.errorf("unexpected %q in the declaration of %s", p.peek(0).text, t.name)
		}
	}
	p.i++ // {
	if kind == "enum" {
		// Constants up to the first ";" at depth 0, or the end of the body.
		for !p.at(";") && !p.at("}") {
			switch {
			case p.at("("):
				if err := p.skipBalanced("(", ")"); err != nil {
					return nil, err
				}
			case p.at("{"):
				if err := p.skipBalanced("{", "}"); err != nil {
					return nil, err
				}
			default:
				p.i++
			}
		}
		if p.at(";") {
			p.i++
		}
	}
	if err := p.body(t); err != nil {
		return nil, err
	}
	return t, nil
}

// qualifiedWritten returns a type as written without type arguments: "BrokerConfig",
// "a.b.Outer.Inner".
func qualifiedWritten(toks []token) string {
	var b strings.Builder
	depth := 0
	for _, t := range toks {
		switch {
		case t.text == "<":
			depth++
		case t.text == ">":
			depth--
		case depth == 0 && (t.kind == tIdent || t.text == "."):
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// body parses class members up to and past the closing brace.
func (p *parser) body(t *javaType) error {
	for {
		if p.i >= len(p.toks) {
			return fmt.Errorf("%s: unterminated body of %s", p.file.path, t.name)
		}
		if p.at("}") {
			p.i++
			return nil
		}
		if p.at(";") {
			p.i++
			continue
		}
		line := p.peek(0).line
		mods := map[string]bool{}
		for {
			switch {
			case p.at("@") && p.peek(1).text != "interface":
				if err := p.skipAnnotation(); err != nil {
					return err
				}
				continue
			case p.peek(0).kind == tIdent && modifiers[p.peek(0).text]:
				mods[p.peek(0).text] = true
				p.i++
				continue
			}
			break
		}
		switch {
		case p.at("{"):
			if err := p.skipBalanced("{", "}"); err != nil {
				return err
			}
			continue
		case p.at("@") || p.at("class") || p.at("interface") || p.at("enum") ||
			p.at("record") && p.peek(1).kind == tIdent && (p.peek(2).text == "(" || p.peek(2).text == "<"):
			nt, err := p.typeDecl()
			if err != nil {
				return err
			}
			t.nested[nt.name] = nt
			continue
		case p.at("<"):
			if err := p.skipBalanced("<", ">"); err != nil {
				return err
			}
		}
		if p.peek(0).kind == tIdent && p.peek(1).text == "(" {
			// A constructor.
			p.i++
			if err := p.skipBalanced("(", ")"); err != nil {
				return err
			}
			for !p.at("{") {
				p.i++
			}
			if err := p.skipBalanced("{", "}"); err != nil {
				return err
			}
			continue
		}
		typ, err := p.readType()
		if err != nil {
			return err
		}
		if p.peek(0).kind != tIdent {
			return p.errorf("member name expected, got %q", p.peek(0).text)
		}
		name := p.peek(0).text
		p.i++
		if p.at("(") {
			m, err := p.method(name, typ, mods)
			if err != nil {
				return err
			}
			m.owner, m.line = t, line
			t.methods = append(t.methods, m)
			continue
		}
		if err := p.fields(t, typ, name, mods["static"], line); err != nil {
			return err
		}
	}
}

func (p *parser) method(name, ret string, mods map[string]bool) (*javaMethod, error) {
	m := &javaMethod{name: name, ret: ret, mods: mods}
	p.i++ // (
	for !p.at(")") {
		for p.at("final") || p.at("@") {
			if p.at("@") {
				if err := p.skipAnnotation(); err != nil {
					return nil, err
				}
			} else {
				p.i++
			}
		}
		start := p.i
		typ, err := p.readType()
		if err != nil {
			return nil, err
		}
		written := qualifiedWritten(p.toks[start:p.i])
		if p.peek(0).kind != tIdent {
			return nil, p.errorf("parameter name expected, got %q", p.peek(0).text)
		}
		pname := p.peek(0).text
		p.i++
		for p.at("[") && p.peek(1).text == "]" {
			typ += "[]"
			p.i += 2
		}
		if pname != "this" {
			m.params = append(m.params, javaParam{typ: typ, written: written, name: pname})
		}
		if p.at(",") {
			p.i++
		} else if !p.at(")") {
			return nil, p.errorf("unexpected %q in the parameters of %s", p.peek(0).text, name)
		}
	}
	p.i++ // )
	for !p.at("{") && !p.at(";") {
		if p.i >= len(p.toks) {
			return nil, p.errorf("unterminated method %s", name)
		}
		p.i++ // dimensions, throws clause, default value
	}
	if p.at(";") {
		p.i++
		return m, nil
	}
	start := p.i
	if err := p.skipBalanced("{", "}"); err != nil {
		return nil, err
	}
	m.body = p.toks[start+1 : p.i-1]
	return m, nil
}

// fields parses the declarators of a field declaration after its first name.
func (p *parser) fields(t *javaType, typ, name string, static bool, line int) error {
	for {
		ft := typ
		for p.at("[") && p.peek(1).text == "]" {
			ft += "[]"
			p.i += 2
		}
		f := &javaField{name: name, typ: ft, static: static, line: line}
		if p.at("=") {
			p.i++
			start, depth := p.i, 0
		scan:
			for ; p.i < len(p.toks); p.i++ {
				tk := p.toks[p.i]
				if tk.kind != tPunct {
					continue
				}
				switch tk.text {
				case "(", "[", "{":
					depth++
				case ")", "]", "}":
					depth--
				case ";":
					if depth == 0 {
						break scan
					}
				case ",":
					// A comma at depth 0 ends the declarator only when another one follows;
					// in "new HashMap<String, Long>()" it does not.
					if depth == 0 && p.peek(1).kind == tIdent && slices.Contains([]string{"=", ",", ";", "["}, p.peek(2).text) {
						break scan
					}
				}
			}
			if p.i >= len(p.toks) {
				return p.errorf("unterminated initializer of %s", name)
			}
			f.init = joinTokens(p.toks[start:p.i])
		}
		if _, dup := t.fields[name]; dup {
			return p.errorf("field %s declared twice", name)
		}
		t.fields[name] = f
		switch {
		case p.at(";"):
			p.i++
			return nil
		case p.at(","):
			p.i++
			if p.peek(0).kind != tIdent {
				return p.errorf("field name expected, got %q", p.peek(0).text)
			}
			name = p.peek(0).text
			p.i++
		default:
			return p.errorf("unexpected %q after field %s", p.peek(0).text, name)
		}
	}
}

// writtenField returns the field a setter body assigns: "this.x = …", or "x = …" at the start of a
// statement with x a field of the class or its superclasses. Of several, the first named like one
// of want, else the first assigned.
func (m *javaMethod) writtenField(want []string, isField func(string) bool) string {
	var found []string
	b := m.body
	for j := 0; j+2 < len(b); j++ {
		if b[j].kind != tIdent || b[j+1].kind != tPunct || b[j+1].text != "=" || b[j+2].kind == tPunct && b[j+2].text == "=" {
			continue
		}
		thisDot := j >= 2 && b[j-1].text == "." && b[j-2].text == "this"
		stmtStart := j == 0 || b[j-1].kind == tPunct && slices.Contains([]string{";", "{", "}"}, b[j-1].text)
		if (thisDot || stmtStart && isField(b[j].text)) && !slices.Contains(found, b[j].text) {
			found = append(found, b[j].text)
		}
	}
	for _, w := range want {
		if slices.Contains(found, w) {
			return w
		}
	}
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

// ---------------------------------------------------------------------------------------------
// Classes at a tag.

type release struct {
	version string
	tag     string
	r       *repo
	files   map[string]*javaFile
	tree    map[string]bool
}

func (rel *release) file(path string) (*javaFile, error) {
	if f, ok := rel.files[path]; ok {
		return f, nil
	}
	src, err := rel.r.show(rel.tag, path)
	if err != nil {
		return nil, err
	}
	f, err := parseJava(rel.tag+":"+path, src)
	if err != nil {
		return nil, err
	}
	rel.files[path] = f
	return f, nil
}

// find returns the path of the main source of a qualified class name, "" if the repository has
// none at this tag.
func (rel *release) find(qualified string) string {
	suffix := "/src/main/java/" + strings.ReplaceAll(qualified, ".", "/") + ".java"
	var found []string
	for p := range rel.tree {
		if strings.HasSuffix(p, suffix) {
			found = append(found, p)
		}
	}
	sort.Strings(found)
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

// resolve finds the declaration of a type named in file f: a type of the file or one nested in
// it, an import, the file's package, or a qualified name. It returns nil for types outside the
// repository (java.lang.String, say).
func (rel *release) resolve(f *javaFile, written string) (*javaType, error) {
	parts := strings.Split(written, ".")
	if t, ok := f.types[parts[0]]; ok {
		return nestedOf(t, parts[1:]), nil
	}
	names := make([]string, 0, len(f.types))
	for n := range f.types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if nt, ok := f.types[n].nested[parts[0]]; ok {
			return nestedOf(nt, parts[1:]), nil
		}
	}
	// Candidates: a top-level class and the nested names that follow it.
	type candidate struct {
		qualified string
		nested    []string
	}
	var cands []candidate
	if q, ok := f.imports[parts[0]]; ok {
		cands = append(cands, candidate{q, parts[1:]})
	} else {
		cands = append(cands, candidate{f.pkg + "." + parts[0], parts[1:]})
		for i := 1; i < len(parts); i++ {
			cands = append(cands, candidate{strings.Join(parts[:i+1], "."), parts[i+1:]})
		}
	}
	for _, c := range cands {
		if rel.find(c.qualified) == "" {
			continue
		}
		t, err := rel.class(c.qualified)
		if err != nil {
			return nil, err
		}
		return nestedOf(t, c.nested), nil
	}
	return nil, nil
}

func nestedOf(t *javaType, path []string) *javaType {
	for _, n := range path {
		if t == nil {
			return nil
		}
		t = t.nested[n]
	}
	return t
}

// class loads a top-level class by qualified name.
func (rel *release) class(qualified string) (*javaType, error) {
	path := rel.find(qualified)
	if path == "" {
		return nil, fmt.Errorf("%s: no source for %s", rel.tag, qualified)
	}
	f, err := rel.file(path)
	if err != nil {
		return nil, err
	}
	name := qualified[strings.LastIndex(qualified, ".")+1:]
	t, ok := f.types[name]
	if !ok {
		return nil, fmt.Errorf("%s:%s declares no %s", rel.tag, path, name)
	}
	return t, nil
}

// chain returns the class and its superclasses inside the repository, subclass first. A superclass
// outside the repository other than Object is an error: its public setters would be missed.
func (rel *release) chain(t *javaType) ([]*javaType, error) {
	var out []*javaType
	for t != nil {
		out = append(out, t)
		for _, i := range t.interfaces {
			it, err := rel.resolve(t.file, i)
			if err != nil {
				return nil, err
			}
			if it == nil {
				if !slices.Contains([]string{"Cloneable", "Serializable", "java.io.Serializable", "Comparable"}, i) {
					return nil, fmt.Errorf("%s: %s implements %s, which is not in the repository", t.file.path, t.name, i)
				}
				continue
			}
			for _, m := range it.methods {
				if strings.HasPrefix(m.name, "set") && (m.mods["default"] || m.mods["static"]) {
					return nil, fmt.Errorf("%s: interface %s has a setter %s", it.file.path, it.name, m.name)
				}
			}
		}
		if t.super == "" || t.super == "Object" || t.super == "java.lang.Object" {
			break
		}
		st, err := rel.resolve(t.file, t.super)
		if err != nil {
			return nil, err
		}
		if st == nil {
			return nil, fmt.Errorf("%s: %s extends %s, which is not in the repository", t.file.path, t.name, t.super)
		}
		t = st
	}
	return out, nil
}

// publicMethods is Class.getMethods() for classes in the repository: the public methods of the
// class and its superclasses, an override hiding the method it overrides.
func (rel *release) publicMethods(t *javaType) ([]*javaMethod, []*javaType, error) {
	chain, err := rel.chain(t)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	var out []*javaMethod
	for _, c := range chain {
		for _, m := range c.methods {
			if !m.mods["public"] {
				continue
			}
			var sig []string
			for _, p := range m.params {
				sig = append(sig, p.typ)
			}
			k := m.name + "(" + strings.Join(sig, ",") + ")"
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, m)
		}
	}
	return out, chain, nil
}

// fieldOf finds a field by name in the chain, starting at the class that declares m.
func fieldOf(chain []*javaType, owner *javaType, name string) *javaField {
	start := slices.Index(chain, owner)
	if start < 0 {
		start = 0
	}
	for _, c := range chain[start:] {
		if f, ok := c.fields[name]; ok && !f.static {
			return f
		}
	}
	return nil
}

// ---------------------------------------------------------------------------------------------
// Keys.

// keyInfo is one key of one class at one tag.
type keyInfo struct {
	types   []string
	classes []string // the classes declaring its setters
	def     string
	found   bool // def comes from a field
}

func (k *keyInfo) addType(t string) {
	if !slices.Contains(k.types, t) {
		k.types = append(k.types, t)
	}
}

func (k *keyInfo) addClass(c string) {
	if !slices.Contains(k.classes, c) {
		k.classes = append(k.classes, c)
	}
}

// properties2ObjectTypes maps the simple parameter type names MixAll.properties2Object converts
// (rocketmq-all-4.9.0 … rocketmq-all-5.3.3, MixAll.java) to the type written in the tables.
var properties2ObjectTypes = map[string]string{
	"int": "int", "Integer": "int",
	"long": "long", "Long": "long",
	"double": "double", "Double": "double",
	"boolean": "boolean", "Boolean": "boolean",
	"float": "float", "Float": "float",
	"String": "String",
}

// setterKey is the key MixAll.properties2Object and fastjson derive from a setter's name.
func setterKey(name string) string {
	return strings.ToLower(name[3:4]) + name[4:]
}

func capitalize(s string) string {
	return strings.ToUpper(s[:1]) + s[1:]
}

// defaultOf is the initializer of the field setter m writes, or of the field named like the key.
func defaultOf(chain []*javaType, m *javaMethod, key string) (string, bool) {
	isField := func(n string) bool { return fieldOf(chain, m.owner, n) != nil }
	want := []string{key, "is" + capitalize(key)}
	if f := fieldOf(chain, m.owner, m.writtenField(want, isField)); f != nil {
		return f.init, true
	}
	for _, w := range want {
		if f := fieldOf(chain, m.owner, w); f != nil {
			return f.init, true
		}
	}
	return "", false
}

// propertiesKeys lists the keys MixAll.properties2Object sets on a class.
func (rel *release) propertiesKeys(t *javaType) (map[string]*keyInfo, error) {
	methods, chain, err := rel.publicMethods(t)
	if err != nil {
		return nil, err
	}
	keys := map[string]*keyInfo{}
	for _, m := range methods {
		if !strings.HasPrefix(m.name, "set") || len(m.name) < 4 || len(m.params) != 1 {
			continue
		}
		typ, ok := properties2ObjectTypes[m.params[0].typ]
		if !ok {
			continue
		}
		key := setterKey(m.name)
		k := keys[key]
		if k == nil {
			k = &keyInfo{}
			keys[key] = k
		}
		k.addType(typ)
		k.addClass(m.owner.name)
		if !k.found {
			k.def, k.found = defaultOf(chain, m, key)
		}
	}
	return keys, nil
}

func fieldTypeOf(chain []*javaType, owner *javaType, key string) string {
	for _, n := range []string{key, "is" + capitalize(key)} {
		if f := fieldOf(chain, owner, n); f != nil {
			return f.typ
		}
	}
	return ""
}

// fastjsonKeys lists the properties fastjson 1.2.x sets on a class from a JSON object
// (JavaBeanInfo.build at fastjson tags 1.2.69 and 1.2.83).
func (rel *release) fastjsonKeys(t *javaType) (map[string]*keyInfo, error) {
	methods, chain, err := rel.publicMethods(t)
	if err != nil {
		return nil, err
	}
	byKey := map[string][]*javaMethod{}
	var order []string
	for _, m := range methods {
		if m.mods["static"] || len(m.params) != 1 || len(m.name) < 4 || !strings.HasPrefix(m.name, "set") {
			continue
		}
		if m.ret != "void" && m.ret != m.owner.name {
			continue
		}
		if c3, _ := utf8.DecodeRuneInString(m.name[3:]); !unicode.IsUpper(c3) && c3 <= 512 {
			return nil, fmt.Errorf("%s: setter %s: fastjson's rules for a fourth letter that is not upper case are not implemented", m.owner.file.path, m.name)
		}
		key := setterKey(m.name)
		if byKey[key] == nil {
			order = append(order, key)
		}
		byKey[key] = append(byKey[key], m)
	}
	keys := map[string]*keyInfo{}
	for _, key := range order {
		ms := byKey[key]
		m := ms[0]
		if len(ms) > 1 {
			// FieldInfo.compareTo prefers the setter whose parameter has the field's type.
			ft := fieldTypeOf(chain, ms[0].owner, key)
			var same []*javaMethod
			for _, c := range ms {
				if c.params[0].typ == ft {
					same = append(same, c)
				}
			}
			if len(same) != 1 {
				return nil, fmt.Errorf("%s: cannot tell which of the %d setters %s fastjson uses", t.file.path, len(ms), ms[0].name)
			}
			m = same[0]
		}
		typ, err := rel.jsonType(m)
		if err != nil {
			return nil, err
		}
		k := &keyInfo{types: []string{typ}, classes: []string{m.owner.name}}
		k.def, k.found = defaultOf(chain, m, key)
		keys[key] = k
	}
	// Getters of collections, maps and atomics without a setter are properties too
	// (JavaBeanInfo.build's "getter methods" loop).
	for _, m := range methods {
		if m.mods["static"] || len(m.params) != 0 || len(m.name) < 4 || !strings.HasPrefix(m.name, "get") {
			continue
		}
		if !strings.HasSuffix(m.ret, "Map") && !strings.HasSuffix(m.ret, "List") && !strings.HasSuffix(m.ret, "Set") &&
			!strings.HasSuffix(m.ret, "Collection") && !strings.HasPrefix(m.ret, "Atomic") {
			continue
		}
		key := setterKey(m.name)
		if keys[key] != nil {
			continue
		}
		if t.name == "ProxyConfig" && key == "delayLevelTable" {
			if err := rel.checkDelayLevelTable(); err != nil {
				return nil, err
			}
			continue
		}
		return nil, fmt.Errorf("%s line %d: fastjson would fill %s through its getter; no rule for it", m.owner.file.path, m.line, key)
	}
	// Public non-static fields are properties too; the classes read have none.
	for _, c := range chain {
		if err := noPublicFields(c); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// noPublicFields fails on a public instance field of t. The parser keeps no field modifiers other
// than static, so it looks at the tokens.
func noPublicFields(t *javaType) error {
	toks := t.file.toks
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].text != "public" {
			continue
		}
		j := i + 1
		static := false
		for j < len(toks) && toks[j].kind == tIdent && modifiers[toks[j].text] {
			static = static || toks[j].text == "static"
			j++
		}
		if static {
			continue
		}
		k := j
		for k < len(toks) && (toks[k].kind == tIdent || slices.Contains([]string{".", "<", ">", "[", "]", ","}, toks[k].text)) {
			k++
		}
		if k < len(toks) && k > j+1 && (toks[k].text == "=" || toks[k].text == ";") {
			return fmt.Errorf("%s line %d: a public field, which fastjson would read", t.file.path, toks[i].line)
		}
	}
	return nil
}

// jsonType is the table type of a fastjson property: the scalar types as in the properties tables
// (boxed types as their primitives), an enum as String, its constant's name.
func (rel *release) jsonType(m *javaMethod) (string, error) {
	pt := m.params[0].typ
	if typ, ok := properties2ObjectTypes[pt]; ok {
		return typ, nil
	}
	written := m.params[0].written
	decl, err := rel.resolve(m.owner.file, written)
	if err != nil {
		return "", err
	}
	if decl != nil && decl.kind == "enum" {
		return "String", nil
	}
	return "", fmt.Errorf("%s line %d: %s takes a %s; no table type for it", m.owner.file.path, m.line, m.name, written)
}

// ---------------------------------------------------------------------------------------------
// Startup classes.

type filled struct {
	class string // simple name
	qual  string // qualified name
}

// propertiesFills returns the classes a startup class fills from the properties file, in order:
// the MixAll.properties2Object(properties, x) calls, x's declared type resolved through the file's
// imports.
func (rel *release) propertiesFills(path string) ([]filled, error) {
	f, err := rel.file(path)
	if err != nil {
		return nil, err
	}
	toks := f.toks
	var out []filled
	for i := 0; i+7 < len(toks); i++ {
		if toks[i].text != "MixAll" || toks[i+1].text != "." || toks[i+2].text != "properties2Object" || toks[i+3].text != "(" {
			continue
		}
		if toks[i+4].text != "properties" {
			continue // the command line, not the file
		}
		if toks[i+5].text != "," || toks[i+6].kind != tIdent || toks[i+7].text != ")" {
			// properties2Object(properties, this.x) or (properties, holder.get()) fills a class this reader
			// cannot name: fail rather than leave its keys out.
			return nil, fmt.Errorf("%s:%s:%d: properties2Object(properties, …) with an argument other than a variable", rel.tag, path, toks[i].line)
		}
		v := toks[i+6].text
		typ := ""
		for j := 0; j+2 < len(toks); j++ {
			if toks[j].kind == tIdent && toks[j+1].text == v && (toks[j+2].text == "=" || toks[j+2].text == ";") &&
				unicode.IsUpper([]rune(toks[j].text)[0]) {
				typ = toks[j].text
				break
			}
		}
		if typ == "" {
			return nil, fmt.Errorf("%s:%s: no declaration of %s", rel.tag, path, v)
		}
		q, ok := f.imports[typ]
		if !ok {
			q = f.pkg + "." + typ
		}
		if !slices.ContainsFunc(out, func(x filled) bool { return x.class == typ }) {
			out = append(out, filled{class: typ, qual: q})
		}
	}
	return out, nil
}

// jsonFills returns the classes the proxy's Configuration fills with JSON.parseObject(text, X.class),
// checking that JSON is fastjson 1.x.
func (rel *release) jsonFills(path string) ([]filled, error) {
	f, err := rel.file(path)
	if err != nil {
		return nil, err
	}
	if f.imports["JSON"] != "com.alibaba.fastjson.JSON" {
		return nil, fmt.Errorf("%s:%s: JSON is %q, not fastjson 1.x", rel.tag, path, f.imports["JSON"])
	}
	pom, err := rel.r.show(rel.tag, "pom.xml")
	if err != nil {
		return nil, err
	}
	if !strings.Contains(pom, "<fastjson.version>1.2.") {
		return nil, fmt.Errorf("%s: pom.xml does not pin fastjson 1.2.x", rel.tag)
	}
	toks := f.toks
	var out []filled
	for i := 0; i+8 < len(toks); i++ {
		if toks[i].text != "JSON" || toks[i+1].text != "." || toks[i+2].text != "parseObject" || toks[i+3].text != "(" {
			continue
		}
		if toks[i+5].text != "," || toks[i+7].text != "." || toks[i+8].text != "class" {
			return nil, fmt.Errorf("%s:%s line %d: unexpected JSON.parseObject call", rel.tag, path, toks[i].line)
		}
		typ := toks[i+6].text
		q, ok := f.imports[typ]
		if !ok {
			q = f.pkg + "." + typ
		}
		out = append(out, filled{class: typ, qual: q})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s:%s: no JSON.parseObject call", rel.tag, path)
	}
	return out, nil
}

const (
	brokerStartup      = "broker/src/main/java/org/apache/rocketmq/broker/BrokerStartup.java"
	namesrvStartup     = "namesrv/src/main/java/org/apache/rocketmq/namesrv/NamesrvStartup.java"
	controllerStartup  = "controller/src/main/java/org/apache/rocketmq/controller/ControllerStartup.java"
	proxyConfiguration = "proxy/src/main/java/org/apache/rocketmq/proxy/config/Configuration.java"
	proxyConfigClass   = "proxy/src/main/java/org/apache/rocketmq/proxy/config/ProxyConfig.java"
)

// controllerClasses belong to the controller table, wherever they are filled.
var controllerClasses = []string{"ControllerConfig", "JraftConfig"}

// ---------------------------------------------------------------------------------------------
// Tables.

type table struct {
	file   string
	header []string
	rows   map[string]*row
}

type row struct {
	types    []string
	classes  []string
	def      string
	versions []string
}

// add records the keys of one release, the classes in fill order: of a key on several classes
// the default of the class filled last wins (of those with a field for it), and of several
// releases that of the newest, as releases come oldest first.
func (t *table) add(version string, perClass []map[string]*keyInfo) {
	merged := map[string]*keyInfo{}
	var names []string
	for _, keys := range perClass {
		for name, k := range keys {
			m := merged[name]
			if m == nil {
				m = &keyInfo{}
				merged[name] = m
				names = append(names, name)
			}
			for _, typ := range k.types {
				m.addType(typ)
			}
			for _, c := range k.classes {
				m.addClass(c)
			}
			if k.found || !m.found {
				m.def, m.found = k.def, k.found
			}
		}
	}
	for _, name := range names {
		k := merged[name]
		r := t.rows[name]
		if r == nil {
			r = &row{}
			t.rows[name] = r
		}
		for _, typ := range k.types {
			if !slices.Contains(r.types, typ) {
				r.types = append(r.types, typ)
			}
		}
		for _, c := range k.classes {
			if !slices.Contains(r.classes, c) {
				r.classes = append(r.classes, c)
			}
		}
		r.def = k.def
		r.versions = append(r.versions, version)
	}
}

func (t *table) render() []byte {
	var b bytes.Buffer
	for _, h := range t.header {
		b.WriteString(strings.TrimRight("# "+h, " ") + "\n")
	}
	b.WriteString("# key\tjava_param_types\tclasses\tdefault_expr\tpresent_in\n")
	names := make([]string, 0, len(t.rows))
	for n := range t.rows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := t.rows[n]
		types := slices.Clone(r.types)
		sort.Strings(types)
		classes := slices.Clone(r.classes)
		sort.Strings(classes)
		// A tab or line break in an initializer (a text block) would break the row: the TSV keeps one line.
		def := strings.Map(func(c rune) rune {
			if c == '\t' || c == '\n' || c == '\r' {
				return ' '
			}
			return c
		}, r.def)
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", n, strings.Join(types, "|"), strings.Join(classes, "|"),
			def, strings.Join(r.versions, ","))
	}
	return b.Bytes()
}

func derive(r *repo) ([]*table, error) {
	r.dir = gitDirOf(r.dir)
	broker := &table{file: "broker-keys.tsv", rows: map[string]*row{}}
	namesrv := &table{file: "namesrv-keys.tsv", rows: map[string]*row{}}
	controller := &table{file: "controller-keys.tsv", rows: map[string]*row{}}
	proxy := &table{file: "proxy-keys.tsv", rows: map[string]*row{}}
	fills := map[string][]string{} // table/version -> classes, for the headers

	for _, v := range releases {
		tree, err := r.tree(tagOf(v))
		if err != nil {
			return nil, err
		}
		rel := &release{version: v, tag: tagOf(v), r: r, files: map[string]*javaFile{}, tree: tree}
		keysOf := func(fs []filled, how func(*javaType) (map[string]*keyInfo, error)) ([]map[string]*keyInfo, []string, error) {
			var out []map[string]*keyInfo
			var names []string
			for _, f := range fs {
				t, err := rel.class(f.qual)
				if err != nil {
					return nil, nil, err
				}
				keys, err := how(t)
				if err != nil {
					return nil, nil, err
				}
				out = append(out, keys)
				names = append(names, f.class)
			}
			return out, names, nil
		}

		// Broker.
		bf, err := rel.propertiesFills(brokerStartup)
		if err != nil {
			return nil, err
		}
		src, _ := r.show(rel.tag, brokerStartup)
		for _, k := range []string{"rmqAddressServerDomain", "rmqAddressServerSubGroup"} {
			if !strings.Contains(src, `properties.getProperty("`+k+`"`) {
				return nil, fmt.Errorf("%s: BrokerStartup no longer reads %s itself", rel.tag, k)
			}
		}
		keys, names, err := keysOf(bf, rel.propertiesKeys)
		if err != nil {
			return nil, err
		}
		broker.add(v, keys)
		fills["broker/"+v] = names

		// Name server and controller.
		nf, err := rel.propertiesFills(namesrvStartup)
		if err != nil {
			return nil, err
		}
		var nsFills, ctlFills []filled
		for _, f := range nf {
			if slices.Contains(controllerClasses, f.class) {
				ctlFills = append(ctlFills, f)
			} else {
				nsFills = append(nsFills, f)
			}
		}
		keys, names, err = keysOf(nsFills, rel.propertiesKeys)
		if err != nil {
			return nil, err
		}
		namesrv.add(v, keys)
		fills["namesrv/"+v] = names
		if tree[controllerStartup] {
			cf, err := rel.propertiesFills(controllerStartup)
			if err != nil {
				return nil, err
			}
			var standalone []filled
			for _, f := range cf {
				if slices.Contains(controllerClasses, f.class) {
					standalone = append(standalone, f)
				}
			}
			if !slices.Equal(standalone, ctlFills) {
				return nil, fmt.Errorf("%s: ControllerStartup fills %v, NamesrvStartup %v", rel.tag, standalone, ctlFills)
			}
		} else if len(ctlFills) > 0 {
			return nil, fmt.Errorf("%s: a name server fills controller classes without a controller", rel.tag)
		}
		if len(ctlFills) > 0 {
			keys, names, err = keysOf(ctlFills, rel.propertiesKeys)
			if err != nil {
				return nil, err
			}
			controller.add(v, keys)
			fills["controller/"+v] = names
		}

		// Proxy.
		if tree[proxyConfiguration] {
			pf, err := rel.jsonFills(proxyConfiguration)
			if err != nil {
				return nil, err
			}
			keys, names, err = keysOf(pf, rel.fastjsonKeys)
			if err != nil {
				return nil, err
			}
			proxy.add(v, keys)
			fills["proxy/"+v] = names
		}
	}

	broker.header = header("Broker keys", "broker", []string{
		"BrokerStartup fills from broker.conf with MixAll.properties2Object:",
	}, fills, append([]string{
		"Setters a superclass declares count (BrokerConfig extends BrokerIdentity from 5.0.0 on).",
		"rmqAddressServerDomain and rmqAddressServerSubGroup, which BrokerStartup reads from the file",
		"itself, are not listed: pkg/catalog adds them for every release.",
	}, propertiesRule...))
	namesrv.header = header("Name server keys", "namesrv", []string{
		"NamesrvStartup fills from its properties file with MixAll.properties2Object:",
	}, fills, append([]string{
		"ControllerConfig and JraftConfig, which NamesrvStartup fills for an embedded controller, are in",
		"controller-keys.tsv.",
	}, propertiesRule...))
	controller.header = header("Controller keys", "controller", []string{
		"ControllerStartup, and NamesrvStartup for an",
		"embedded controller, fill from the properties file with MixAll.properties2Object:",
	}, fills, append([]string{
		"The controller exists from 5.0.0 on. Both startups also fill NettyServerConfig and",
		"NettyClientConfig, whose keys are in namesrv-keys.tsv.",
	}, propertiesRule...))
	proxy.header = header("Proxy keys", "proxy", []string{
		"the proxy's Configuration fills from rmq-proxy.json, one JSON.parseObject each:",
	}, fills, []string{
		"The proxy reads its JSON file whole and parses it with com.alibaba fastjson (1.2.69 in 5.0.0,",
		"1.2.83 from 5.1.0 on), not with MixAll.properties2Object. fastjson sets a property through",
		"every non-static public setter setXxx(T) of getMethods() that returns void or its class: key",
		"xxx (first letter lower-cased); of overloaded setters, the one whose parameter has the type of",
		"the field of that name. It matches a JSON key exactly, else ignoring case, '_' and '-'; keys",
		"it does not know are ignored. java_param_types is the setter's parameter type, boxed types",
		"written as their primitives and an enum as String (the constant's name; fastjson also takes",
		"the ordinal). ProxyConfig.getDelayLevelTable, a map without a setter that fastjson would fill,",
		"is left out: initData() rebuilds it from messageDelayLevel. default_expr is the initializer of",
		"the field the setter writes, as Java source of the newest release listed; of a key on both",
		"classes, AuthConfig's (parsed last).",
	})
	return []*table{broker, namesrv, controller, proxy}, nil
}

var propertiesRule = []string{
	"A class counts for a release only if that release's startup fills it from the file. Every",
	"public setter setXxx(T) of getMethods() defines key xxx (MixAll.properties2Object lower-cases",
	"the first letter); setters whose parameter type properties2Object cannot build (an enum, a",
	"config object) are left out, and boxed types are written as their primitives. default_expr is",
	"the initializer of the field the setter writes, as Java source of the newest release listed;",
	"of a key on several classes, that of the class filled last.",
}

// header describes a table: the tags read, the classes per release and the rules.
func header(title, table string, how []string, fills map[string][]string, rules []string) []string {
	h := []string{title + " per Apache RocketMQ release, derived by scripts/keytables from apache/rocketmq",
		"at the tags"}
	var tags []string
	for _, v := range releases {
		if _, ok := fills[table+"/"+v]; ok {
			tags = append(tags, tagOf(v))
		}
	}
	for i := 0; i < len(tags); i += 5 {
		h = append(h, "  "+strings.Join(tags[i:min(i+5, len(tags))], " "))
	}
	how[0] = "from the classes " + how[0]
	h = append(h, how...)
	// Runs of releases that fill the same classes.
	type run struct{ first, last, classes string }
	var runs []run
	for _, v := range releases {
		names, ok := fills[table+"/"+v]
		if !ok {
			continue
		}
		cur := strings.Join(names, ", ")
		if n := len(runs); n > 0 && runs[n-1].classes == cur {
			runs[n-1].last = v
			continue
		}
		runs = append(runs, run{first: v, last: v, classes: cur})
	}
	for _, r := range runs {
		span := r.first
		if r.last != r.first {
			span += " to " + r.last
		}
		line := "  " + span + ":"
		for _, c := range strings.Split(r.classes, ", ") {
			if len(line)+len(c) > 96 {
				h = append(h, strings.TrimSuffix(line, " "))
				line = "     "
			}
			line += " " + c + ","
		}
		h = append(h, strings.TrimSuffix(line, ","))
	}
	return append(h, rules...)
}

// checkDelayLevelTable confirms that ProxyConfig.initData rebuilds delayLevelTable, the reason the
// getter-only map fastjson would fill is left out.
func (rel *release) checkDelayLevelTable() error {
	src, err := rel.r.show(rel.tag, proxyConfigClass)
	if err != nil {
		return err
	}
	i := strings.Index(src, "public void initData()")
	j := strings.Index(src, "public void parseDelayLevel()")
	if i < 0 || j < 0 || !strings.Contains(src[i:], "parseDelayLevel();") ||
		!strings.Contains(src[j:], "this.delayLevelTable = new") {
		return fmt.Errorf("%s: ProxyConfig.initData no longer rebuilds delayLevelTable", rel.tag)
	}
	return nil
}
