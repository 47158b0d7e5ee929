// Tests of scripts/keytables: the Java tokenizer and parser, key derivation on small synthetic
// classes, table rendering, derive on a fake apache/rocketmq repository built with git in a
// temporary folder, and the command itself (usage errors and a full run on every release tag).

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// ---------------------------------------------------------------------------------------------
// Tokenizer.

func TestTokenize(t *testing.T) {
	src := "a /* c { */ b // x \"{\n" +
		`"s{//}/*" 'c' '\'' '{' "\\" 1e-3 0x1p+4 1_000L .5f 1e5-2 x>>=1 a.b` + "\n" +
		"\"\"\"\n  { // \"\n  \"\"\" z"
	toks, err := tokenize(src)
	if err != nil {
		t.Fatal(err)
	}
	type tk struct {
		kind  tokKind
		text  string
		space bool
		line  int
	}
	want := []tk{
		{tIdent, "a", false, 1},
		{tIdent, "b", true, 1},
		{tString, `"s{//}/*"`, true, 2},
		{tChar, `'c'`, true, 2},
		{tChar, `'\''`, true, 2},
		{tChar, `'{'`, true, 2},
		{tString, `"\\"`, true, 2},
		{tNumber, "1e-3", true, 2},
		{tNumber, "0x1p+4", true, 2},
		{tNumber, "1_000L", true, 2},
		{tNumber, ".5f", true, 2},
		{tNumber, "1e5", true, 2},
		{tPunct, "-", false, 2},
		{tNumber, "2", false, 2},
		{tIdent, "x", true, 2},
		{tPunct, ">", false, 2},
		{tPunct, ">", false, 2},
		{tPunct, "=", false, 2},
		{tNumber, "1", false, 2},
		{tIdent, "a", true, 2},
		{tPunct, ".", false, 2},
		{tIdent, "b", false, 2},
		{tString, "\"\"\"\n  { // \"\n  \"\"\"", true, 3},
		{tIdent, "z", true, 5},
	}
	var got []tk
	for _, x := range toks {
		got = append(got, tk{x.kind, x.text, x.space, x.line})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize:\n got  %+v\n want %+v", got, want)
	}
}

func TestTokenizeErrors(t *testing.T) {
	for _, src := range []string{
		"a /* never closed",
		`x = "never closed`,
		"x = \"broken\nstring\";",
		"x = 'c",
		"x = \"\"\"\n text block never closed",
	} {
		if toks, err := tokenize(src); err == nil {
			t.Errorf("tokenize(%q) = %d tokens, want an error", src, len(toks))
		}
	}
}

func TestJoinTokens(t *testing.T) {
	for src, want := range map[string]string{
		"1024  *\t/* KB */ 1024 // bytes\n* 8": "1024 * 1024 * 8",
		"1 << 20":                              "1 << 20",
		"a>>>b":                                "a>>>b",
		`System.getProperty( "a", "b" )`:       `System.getProperty( "a", "b" )`,
		"new HashMap<String, Long>()":          "new HashMap<String, Long>()",
		`"x /* not a comment */ y"`:            `"x /* not a comment */ y"`,
	} {
		toks, err := tokenize(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := joinTokens(toks); got != want {
			t.Errorf("joinTokens(%q) = %q, want %q", src, got, want)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Parser.

const sampleJava = `/*
 * A licence header with a brace { and a quote " that mean nothing.
 */
package org.example.conf;

import java.util.List;
import java.util.Map;
import java.util.concurrent.*;
import static java.util.Collections.emptyList;
import org.example.other.Thing;

@SuppressWarnings({"unchecked", "rawtypes"})
@Meta(value = "}{", other = @Inner(x = ")"))
public class Sample<T extends Comparable<T>> extends Base<Map<String, List<T>>> implements java.io.Serializable, Cloneable {
    // a comment with public void setNotAKey(int x) { and a brace
    private static final String BRACES = "{ } // not a comment /* nor this */";
    private static final char OPEN = '{';
    @Deprecated
    private int count = 10 * /* inline */ 1024, other, third = -1;
    private Map<String, Long> table = new HashMap<String, Long>(), second;
    private long[] arr = {1L, 2L}, more[];
    private Runnable task = () -> { System.out.println("}"); };
    private Object anon = new Object() { @Override public String toString() { return "{"; } };
    private volatile boolean flag = Boolean.parseBoolean(System.getProperty("a.b", "false")) && count > 1;
    private @Nullable String annotated = null;

    static { INIT.put("x", "}"); }
    { count = 5; }

    public Sample() { this(1); }
    public <U> Sample(U u) throws Exception { if (u == null) { throw new Exception("{"); } }

    @Override
    public synchronized <R> List<R> convert(final @Ann("x)") List<? extends T> in, int... rest) throws IllegalStateException, java.io.IOException {
        String s = "}"; char c = '}'; // }
        return null;
    }

    public abstract void abstractOne(java.lang.String s, Thing.Kind kind);

    int[] legacy()[] { return null; }

    /** Javadoc with {@code setHidden(int)} and a brace }. */
    public static class Inner {
        private int nestedField = 3;
        public void setNestedField(int nestedField) { this.nestedField = nestedField; }
        enum Deep { A, B }
    }

    public enum Mode {
        FAST("f") { @Override public String toString() { return "}"; } },
        SLOW("s");
        private final String code;
        Mode(String code) { this.code = code; }
        public String getCode() { return code; }
    }

    interface Callback { void call(); default void setX(int x) { } }

    @interface Marker { String value() default "}"; }
}

class Helper { private int h = 1; }
`

func TestParseJava(t *testing.T) {
	f, err := parseJava("Sample.java", sampleJava)
	if err != nil {
		t.Fatal(err)
	}
	if f.pkg != "org.example.conf" {
		t.Errorf("pkg = %q", f.pkg)
	}
	wantImports := map[string]string{"List": "java.util.List", "Map": "java.util.Map", "Thing": "org.example.other.Thing"}
	if !reflect.DeepEqual(f.imports, wantImports) {
		t.Errorf("imports = %v, want %v", f.imports, wantImports)
	}
	if names := sortedKeys(f.types); !slices.Equal(names, []string{"Helper", "Sample"}) {
		t.Fatalf("top-level types = %v", names)
	}
	s := f.types["Sample"]
	if s.kind != "class" || s.super != "Base" || !slices.Equal(s.interfaces, []string{"java.io.Serializable", "Cloneable"}) {
		t.Errorf("Sample: kind %q super %q interfaces %v", s.kind, s.super, s.interfaces)
	}

	type fld struct {
		typ, init string
		static    bool
	}
	wantFields := map[string]fld{
		"BRACES":    {"String", `"{ } // not a comment /* nor this */"`, true},
		"OPEN":      {"char", `'{'`, true},
		"count":     {"int", "10 * 1024", false},
		"other":     {"int", "", false},
		"third":     {"int", "-1", false},
		"table":     {"Map", "new HashMap<String, Long>()", false},
		"second":    {"Map", "", false},
		"arr":       {"long[]", "{1L, 2L}", false},
		"more":      {"long[][]", "", false},
		"task":      {"Runnable", `() -> { System.out.println("}"); }`, false},
		"anon":      {"Object", `new Object() { @Override public String toString() { return "{"; } }`, false},
		"flag":      {"boolean", `Boolean.parseBoolean(System.getProperty("a.b", "false")) && count > 1`, false},
		"annotated": {"String", "null", false},
	}
	gotFields := map[string]fld{}
	for n, x := range s.fields {
		gotFields[n] = fld{x.typ, x.init, x.static}
	}
	if !reflect.DeepEqual(gotFields, wantFields) {
		t.Errorf("fields:\n got  %v\n want %v", gotFields, wantFields)
	}

	// Constructors, initializers and the setter in a comment are not methods.
	var names []string
	for _, m := range s.methods {
		names = append(names, m.name)
	}
	if !slices.Equal(names, []string{"convert", "abstractOne", "legacy"}) {
		t.Fatalf("methods = %v", names)
	}
	conv := s.methods[0]
	if conv.ret != "List" || !conv.mods["public"] || !conv.mods["synchronized"] || conv.mods["static"] {
		t.Errorf("convert: ret %q mods %v", conv.ret, conv.mods)
	}
	wantParams := []javaParam{{typ: "List", written: "List", name: "in"}, {typ: "int[]", written: "int...", name: "rest"}}
	if !reflect.DeepEqual(conv.params, wantParams) {
		t.Errorf("convert params = %+v, want %+v", conv.params, wantParams)
	}
	if body := joinTokens(conv.body); body != `String s = "}"; char c = '}'; return null;` {
		t.Errorf("convert body = %q", body)
	}
	abs := s.methods[1]
	wantParams = []javaParam{{typ: "String", written: "java.lang.String", name: "s"}, {typ: "Kind", written: "Thing.Kind", name: "kind"}}
	if !reflect.DeepEqual(abs.params, wantParams) || abs.body != nil {
		t.Errorf("abstractOne params = %+v body %v", abs.params, abs.body)
	}
	if s.methods[2].ret != "int[]" || s.methods[2].mods["public"] {
		t.Errorf("legacy: ret %q mods %v", s.methods[2].ret, s.methods[2].mods)
	}

	if names := sortedKeys(s.nested); !slices.Equal(names, []string{"Callback", "Inner", "Marker", "Mode"}) {
		t.Fatalf("nested types = %v", names)
	}
	inner := s.nested["Inner"]
	if inner.fields["nestedField"] == nil || len(inner.methods) != 1 || inner.methods[0].name != "setNestedField" || inner.methods[0].owner != inner {
		t.Errorf("Inner: fields %v methods %v", inner.fields, inner.methods)
	}
	if d := inner.nested["Deep"]; d == nil || d.kind != "enum" {
		t.Errorf("Inner.Deep = %+v", d)
	}
	mode := s.nested["Mode"]
	if mode.kind != "enum" || mode.fields["code"] == nil || len(mode.methods) != 1 || mode.methods[0].name != "getCode" {
		t.Errorf("Mode: kind %q fields %v methods %d", mode.kind, mode.fields, len(mode.methods))
	}
	if cb := s.nested["Callback"]; cb.kind != "interface" || len(cb.methods) != 2 || !cb.methods[1].mods["default"] {
		t.Errorf("Callback: %+v", cb)
	}
	if mk := s.nested["Marker"]; mk.kind != "interface" || len(mk.methods) != 1 || mk.methods[0].name != "value" {
		t.Errorf("Marker: %+v", mk)
	}
	if h := f.types["Helper"]; h.fields["h"] == nil || h.fields["h"].init != "1" {
		t.Errorf("Helper: %+v", h)
	}
}

func TestParseJavaErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unbalanced body":  "package a; public class A { public void setX(int x) { ",
		"not a type":       "package a; public static int x = 1;",
		"duplicate field":  "package a; class A { int x = 1; int x = 2; }",
		"bad parameters":   "package a; class A { void setX(int x y) { } }",
		"unterminated":     "package a; class A { int x = 1 ",
		"tokenizer errors": "package a; class A { String s = \"open; }",
	} {
		if _, err := parseJava(name+".java", src); err == nil {
			t.Errorf("%s: parseJava succeeded, want an error", name)
		}
	}
}

func TestWrittenField(t *testing.T) {
	src := `package a;
class A extends B {
    private int port;
    private int other;
    public void setPort(int port) { if (port == 0) { return; } this.port = port; }
    public void setListenPort(int p) { other = p; }
    public void setBoth(int v) { this.other = v; this.both = v; }
    public void setNone(int v) { int local = v; call(x = v); }
    public void setCompare(int v) { boolean b = other == v; }
}`
	f, err := parseJava("A.java", src)
	if err != nil {
		t.Fatal(err)
	}
	a := f.types["A"]
	isField := func(n string) bool { return a.fields[n] != nil }
	for i, want := range []string{"port", "other", "both", "", ""} {
		m := a.methods[i]
		key := setterKey(m.name)
		if got := m.writtenField([]string{key, "is" + capitalize(key)}, isField); got != want {
			t.Errorf("%s writes %q, want %q", m.name, got, want)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Key derivation on classes held in memory.

// memRelease is a release whose files are parsed from sources in memory: rel.file finds them in its
// cache and never asks git.
func memRelease(t *testing.T, sources map[string]string) *release {
	t.Helper()
	rel := &release{version: "0.0.0", tag: "test", files: map[string]*javaFile{}, tree: map[string]bool{}}
	for path, src := range sources {
		f, err := parseJava(path, src)
		if err != nil {
			t.Fatal(err)
		}
		rel.files[path] = f
		rel.tree[path] = true
	}
	return rel
}

const (
	confDir  = "conf/src/main/java/org/example/conf/"
	proxyDir = "proxy/src/main/java/org/example/proxy/"
)

var confSources = map[string]string{
	confDir + "BaseConfig.java": `package org.example.conf;

public abstract class BaseConfig {
    private String clusterName = "DefaultCluster";
    private int hiddenLevel = 1;
    private int overridden = 2;

    public String getClusterName() { return clusterName; }
    public void setClusterName(String clusterName) { this.clusterName = clusterName; }
    protected void setHiddenLevel(int hiddenLevel) { this.hiddenLevel = hiddenLevel; }
    public void setOverridden(int overridden) { this.overridden = overridden; }
}
`,
	confDir + "Mode.java": `package org.example.conf;

public enum Mode { FAST, SLOW }
`,
	confDir + "FakeConfig.java": `package org.example.conf;

import java.io.File;
import java.util.List;

/**
 * A config class with {@code public void setInJavadoc(int x)} in its comment.
 */
public class FakeConfig extends BaseConfig {
    private int intKey = 8;
    private Integer boxedIntKey = Integer.valueOf(9);
    private long longKey = 1024L * 1024 /* one MiB */;
    private Long boxedLongKey;
    private double doubleKey = 0.75;
    private Double boxedDoubleKey = null;
    private boolean boolKey = true;
    private Boolean boxedBoolKey = Boolean.FALSE;
    private float floatKey = 1.5f;
    private Float boxedFloatKey = 2f;
    private String stringKey = "a{b}c // not a comment";
    private java.lang.String qualifiedStringKey = "q";
    private static int staticKey = 3;
    private String dLegerPeers;
    private String jRaftServerId = "n0";
    private String overloaded = "x";
    private int overridden = 4;
    private long chained = 60 * 1000;
    private String storePathRootDir = System.getProperty("user.home") + File.separator + "store";
    private int byName = 7;
    private Mode modeKey = Mode.FAST;
    private List<String> listKey;

    @Deprecated
    public void setIntKey(int intKey) { this.intKey = intKey; }
    public void setBoxedIntKey(final Integer boxedIntKey) { this.boxedIntKey = boxedIntKey; }
    public void setLongKey(long longKey) { this.longKey = longKey; }
    public void setBoxedLongKey(Long boxedLongKey) { this.boxedLongKey = boxedLongKey; }
    public void setDoubleKey(double doubleKey) { this.doubleKey = doubleKey; }
    public void setBoxedDoubleKey(Double boxedDoubleKey) { this.boxedDoubleKey = boxedDoubleKey; }
    public void setBoolKey(boolean boolKey) { this.boolKey = boolKey; }
    public void setBoxedBoolKey(Boolean boxedBoolKey) { this.boxedBoolKey = boxedBoolKey; }
    public void setFloatKey(float floatKey) { this.floatKey = floatKey; }
    public void setBoxedFloatKey(Float boxedFloatKey) { this.boxedFloatKey = boxedFloatKey; }
    public void setStringKey(String stringKey) {
        String brace = "}"; // a brace in a string and one in a comment: }
        this.stringKey = stringKey;
    }
    public void setQualifiedStringKey(java.lang.String v) { this.qualifiedStringKey = v; }

    // Parameter types properties2Object cannot build.
    public void setModeKey(Mode modeKey) { this.modeKey = modeKey; }
    public void setListKey(List<String> listKey) { this.listKey = listKey; }
    public void setObjectKey(BaseConfig objectKey) { }
    public void setArrayKey(String[] arrayKey) { }
    public void setVarargsKey(String... varargsKey) { }
    public void setCharKey(char charKey) { }
    public void setTwoParams(String a, int b) { }
    public void setNoParams() { }

    // Not public.
    private void setPrivateKey(int privateKey) { }
    protected void setProtectedKey(int protectedKey) { }
    void setPackageKey(int packageKey) { }

    // getMethods() lists public static methods and Method.invoke ignores the object for them.
    public static void setStaticKey(int staticKey) { FakeConfig.staticKey = staticKey; }

    public void setdLegerPeers(String dLegerPeers) { this.dLegerPeers = dLegerPeers; }
    public void setjRaftServerId(String jRaftServerId) { this.jRaftServerId = jRaftServerId; }

    public void setOverloaded(String overloaded) { this.overloaded = overloaded; }
    public void setOverloaded(int overloaded) { this.overloaded = String.valueOf(overloaded); }

    @Override
    public void setOverridden(int overridden) { this.overridden = overridden; }

    public FakeConfig setChained(long chained) { this.chained = chained; return this; }

    public void setRenamed(String dir) { this.storePathRootDir = dir; }
    public void setNoField(int v) { }
    public void setByName(int v) { apply(v); }
    public void set(int v) { }
    public void settle(int v) { }

    private void apply(int v) { }
    public int getIntKey() { return intKey; }

    public static class Nested {
        private int nestedKey = 1;
        public void setNestedKey(int nestedKey) { this.nestedKey = nestedKey; }
    }
}
`,
}

type keyWant struct {
	types, classes, def string
	found               bool
}

func describe(keys map[string]*keyInfo) map[string]keyWant {
	out := map[string]keyWant{}
	for n, k := range keys {
		types, classes := slices.Clone(k.types), slices.Clone(k.classes)
		sort.Strings(types)
		sort.Strings(classes)
		out[n] = keyWant{strings.Join(types, "|"), strings.Join(classes, "|"), k.def, k.found}
	}
	return out
}

func TestPropertiesKeys(t *testing.T) {
	rel := memRelease(t, confSources)
	cls, err := rel.class("org.example.conf.FakeConfig")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := rel.propertiesKeys(cls)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]keyWant{
		"intKey":             {"int", "FakeConfig", "8", true},
		"boxedIntKey":        {"int", "FakeConfig", "Integer.valueOf(9)", true},
		"longKey":            {"long", "FakeConfig", "1024L * 1024", true},
		"boxedLongKey":       {"long", "FakeConfig", "", true},
		"doubleKey":          {"double", "FakeConfig", "0.75", true},
		"boxedDoubleKey":     {"double", "FakeConfig", "null", true},
		"boolKey":            {"boolean", "FakeConfig", "true", true},
		"boxedBoolKey":       {"boolean", "FakeConfig", "Boolean.FALSE", true},
		"floatKey":           {"float", "FakeConfig", "1.5f", true},
		"boxedFloatKey":      {"float", "FakeConfig", "2f", true},
		"stringKey":          {"String", "FakeConfig", `"a{b}c // not a comment"`, true},
		"qualifiedStringKey": {"String", "FakeConfig", `"q"`, true},
		// A static field is not an instance field: no default from it.
		"staticKey":     {"int", "FakeConfig", "", false},
		"dLegerPeers":   {"String", "FakeConfig", "", true},
		"jRaftServerId": {"String", "FakeConfig", `"n0"`, true},
		"overloaded":    {"String|int", "FakeConfig", `"x"`, true},
		// The override hides BaseConfig's setter, and its own class's field gives the default.
		"overridden": {"int", "FakeConfig", "4", true},
		// properties2Object ignores the return type.
		"chained":     {"long", "FakeConfig", "60 * 1000", true},
		"renamed":     {"String", "FakeConfig", `System.getProperty("user.home") + File.separator + "store"`, true},
		"noField":     {"int", "FakeConfig", "", false},
		"byName":      {"int", "FakeConfig", "7", true},
		"tle":         {"int", "FakeConfig", "", false}, // settle(int): any set… name counts
		"clusterName": {"String", "BaseConfig", `"DefaultCluster"`, true},
	}
	if got := describe(keys); !reflect.DeepEqual(got, want) {
		for n, w := range want {
			if g, ok := got[n]; !ok {
				t.Errorf("key %s missing", n)
			} else if g != w {
				t.Errorf("key %s = %+v, want %+v", n, g, w)
			}
		}
		for n := range got {
			if _, ok := want[n]; !ok {
				t.Errorf("unexpected key %s = %+v", n, got[n])
			}
		}
	}
}

func TestSetterKey(t *testing.T) {
	for name, want := range map[string]string{
		"setBrokerName":          "brokerName",
		"setdLegerPeers":         "dLegerPeers",
		"setjRaftServerId":       "jRaftServerId",
		"setRocketMQClusterName": "rocketMQClusterName",
		"setURL":                 "uRL",
		"setX":                   "x",
	} {
		if got := setterKey(name); got != want {
			t.Errorf("setterKey(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestChainErrors(t *testing.T) {
	for name, src := range map[string]string{
		"superclass outside the repository": `package org.example.conf;
public class Bad extends org.elsewhere.Parent { public void setA(int a) { } }`,
		"interface outside the repository": `package org.example.conf;
public class Bad implements Runnable { public void setA(int a) { } public void run() { } }`,
		"default setter in an interface": `package org.example.conf;
public class Bad implements HasSetter { public void setA(int a) { } }
interface HasSetter { default void setB(int b) { } }`,
	} {
		sources := map[string]string{confDir + "Bad.java": src}
		rel := memRelease(t, sources)
		cls, err := rel.class("org.example.conf.Bad")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rel.propertiesKeys(cls); err == nil {
			t.Errorf("%s: propertiesKeys succeeded, want an error", name)
		}
	}
}

var proxySources = map[string]string{
	proxyDir + "BaseProxyConfig.java": `package org.example.proxy;

public class BaseProxyConfig {
    private boolean baseKey = true;
    public void setBaseKey(boolean baseKey) { this.baseKey = baseKey; }
}
`,
	proxyDir + "FakeProxyConfig.java": `package org.example.proxy;

import org.example.conf.Mode;

public class FakeProxyConfig extends BaseProxyConfig {
    private String proxyName = "proxy";
    private Mode mode = Mode.FAST;
    private Level level = Level.LOW;
    private int port = 8081;
    private Long limit = 10L;
    private static int staticKey = 1;
    private boolean flag;

    public String getProxyName() { return proxyName; }
    public void setProxyName(String proxyName) { this.proxyName = proxyName; }
    public void setMode(Mode mode) { this.mode = mode; }
    public void setLevel(Level level) { this.level = level; }
    public void setPort(String port) { this.port = Integer.parseInt(port); }
    public FakeProxyConfig setPort(int port) { this.port = port; return this; }
    public void setLimit(Long limit) { this.limit = limit; }
    public static void setStaticKey(int staticKey) { FakeProxyConfig.staticKey = staticKey; }
    public boolean setFlag(boolean flag) { this.flag = flag; return flag; }
    private void setHidden(int hidden) { }

    public enum Level { LOW, HIGH }
}
`,
	confDir + "Mode.java": confSources[confDir+"Mode.java"],
}

func TestFastjsonKeys(t *testing.T) {
	rel := memRelease(t, proxySources)
	cls, err := rel.class("org.example.proxy.FakeProxyConfig")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := rel.fastjsonKeys(cls)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]keyWant{
		"proxyName": {"String", "FakeProxyConfig", `"proxy"`, true},
		"mode":      {"String", "FakeProxyConfig", "Mode.FAST", true}, // an enum in another file
		"level":     {"String", "FakeProxyConfig", "Level.LOW", true}, // a nested enum
		"port":      {"int", "FakeProxyConfig", "8081", true},         // the overload of the field's type
		"limit":     {"long", "FakeProxyConfig", "10L", true},         // boxed as its primitive
		"baseKey":   {"boolean", "BaseProxyConfig", "true", true},     // inherited
	}
	if got := describe(keys); !reflect.DeepEqual(got, want) {
		t.Errorf("fastjson keys:\n got  %v\n want %v", got, want)
	}
}

func TestFastjsonKeysErrors(t *testing.T) {
	for name, body := range map[string]string{
		"fourth letter lower case":          `private String dLegerPeers; public void setdLegerPeers(String dLegerPeers) { }`,
		"overloads without a field":         `public void setX(String x) { } public void setX(long x) { }`,
		"overloads not of the field's type": `private int x; public void setX(String x) { } public void setX(long x) { }`,
		"map getter without a setter":       `private java.util.Map<String, String> table; public java.util.Map<String, String> getTable() { return table; }`,
		"public field":                      `public int exposed = 1;`,
		"collection parameter":              `public void setNames(java.util.List<String> names) { }`,
		"object parameter":                  `public void setOther(BaseProxyConfig other) { }`,
	} {
		sources := map[string]string{
			proxyDir + "BaseProxyConfig.java": proxySources[proxyDir+"BaseProxyConfig.java"],
			proxyDir + "Bad.java":             "package org.example.proxy;\npublic class Bad {\n" + body + "\n}\n",
		}
		rel := memRelease(t, sources)
		cls, err := rel.class("org.example.proxy.Bad")
		if err != nil {
			t.Fatal(err)
		}
		if keys, err := rel.fastjsonKeys(cls); err == nil {
			t.Errorf("%s: fastjsonKeys = %v, want an error", name, sortedKeys(keys))
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Tables.

func TestTableAddRender(t *testing.T) {
	tb := &table{file: "x.tsv", header: []string{"first line", "  indented, trailing blanks  "}, rows: map[string]*row{}}
	// Classes in fill order: Zeta is filled before Alpha.
	tb.add("1.0", []map[string]*keyInfo{
		{
			"shared":   {types: []string{"int"}, classes: []string{"Zeta"}, def: "1", found: true},
			"onlyOld":  {types: []string{"String"}, classes: []string{"Zeta"}, def: `"old"`, found: true},
			"lastWins": {types: []string{"long"}, classes: []string{"Zeta"}, def: "10", found: true},
			"keepDef":  {types: []string{"long"}, classes: []string{"Zeta"}, def: "20", found: true},
		},
		{
			"shared":   {types: []string{"String"}, classes: []string{"Alpha"}, def: "2", found: true},
			"lastWins": {types: []string{"long"}, classes: []string{"Alpha"}, def: "11", found: true},
			"keepDef":  {types: []string{"long"}, classes: []string{"Alpha"}, def: "", found: false},
		},
	})
	tb.add("2.0", []map[string]*keyInfo{
		{"shared": {types: []string{"int"}, classes: []string{"Zeta"}, def: "3", found: true}},
		{"onlyNew": {types: []string{"boolean"}, classes: []string{"Alpha"}, def: "false", found: true}},
	})
	want := "# first line\n" +
		"#   indented, trailing blanks\n" +
		"# key\tjava_param_types\tclasses\tdefault_expr\tpresent_in\n" +
		"keepDef\tlong\tAlpha|Zeta\t20\t1.0\n" +
		"lastWins\tlong\tAlpha|Zeta\t11\t1.0\n" +
		"onlyNew\tboolean\tAlpha\tfalse\t2.0\n" +
		"onlyOld\tString\tZeta\t\"old\"\t1.0\n" +
		"shared\tString|int\tAlpha|Zeta\t3\t1.0,2.0\n"
	if got := string(tb.render()); got != want {
		t.Errorf("render:\n%s\nwant:\n%s", got, want)
	}
}

// ---------------------------------------------------------------------------------------------
// End to end, on a fake apache/rocketmq repository.

// fakeRocketMQ returns the files of a fake release: v5 adds the controller, the proxy, BrokerIdentity
// and NettyClientConfig for the name server; it drops legacyThreads and changes flushInterval's
// default.
func fakeRocketMQ(v5 bool) map[string]string {
	files := map[string]string{}
	add := func(path, src string) { files[path] = src }
	pick := func(v4Text, v5Text string) string {
		if v5 {
			return v5Text
		}
		return v4Text
	}

	add("pom.xml", "<project>\n  <properties>\n    <fastjson.version>1.2.69_noneautotype</fastjson.version>\n  </properties>\n</project>\n")
	add("README.md", "fake\n")

	add("broker/src/main/java/org/apache/rocketmq/broker/BrokerStartup.java", `package org.apache.rocketmq.broker;

import java.util.Properties;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.store.config.MessageStoreConfig;

public class BrokerStartup {
    public static Properties properties = null;

    public static void createBrokerController(String[] args) throws Exception {
        final BrokerConfig brokerConfig = new BrokerConfig();
        final NettyServerConfig nettyServerConfig = new NettyServerConfig();
        final NettyClientConfig nettyClientConfig = new NettyClientConfig();
        final MessageStoreConfig messageStoreConfig = new MessageStoreConfig();
        String file = "{ MixAll.properties2Object(properties, notAClass); }";
        properties = new Properties();
        MixAll.properties2Object(properties, brokerConfig);
        MixAll.properties2Object(properties, nettyServerConfig);
        MixAll.properties2Object(properties, nettyClientConfig);
        MixAll.properties2Object(properties, messageStoreConfig);
        // The command line is not the file.
        MixAll.properties2Object(ServerUtil.commandLine2Properties(commandLine), brokerConfig);
        Properties commandLineProperties = ServerUtil.commandLine2Properties(commandLine);
        final CommandLineOnlyConfig commandLineOnly = new CommandLineOnlyConfig();
        MixAll.properties2Object(commandLineProperties, commandLineOnly);
        String domain = properties.getProperty("rmqAddressServerDomain", MixAll.WS_DOMAIN_NAME);
        String group = properties.getProperty("rmqAddressServerSubGroup", MixAll.WS_DOMAIN_SUBGROUP);
    }
}
`)
	// A test source of the same name must not be read.
	add("common/src/test/java/org/apache/rocketmq/common/BrokerConfig.java", `package org.apache.rocketmq.common;
public class BrokerConfig { public void setFromTestSources(int x) { } }
`)
	add("common/src/main/java/org/apache/rocketmq/common/BrokerConfig.java", `package org.apache.rocketmq.common;

import org.apache.rocketmq.common.annotation.ImportantField;

public class BrokerConfig`+pick("", " extends BrokerIdentity")+` {
`+pick(`    @ImportantField
    private String brokerName = localHostName();
    private long brokerId = MixAll.MASTER_ID;
    private int legacyThreads = 4;
`, `    private boolean newFeatureEnable = false;
`)+`    private int flushInterval = `+pick("500", "1000")+`;
    private String sharedKey = "fromBroker";
    private MetricsExporterType metricsExporterType = MetricsExporterType.DISABLE;

    public static String localHostName() { return "localhost"; }
`+pick(`    public String getBrokerName() { return brokerName; }
    public void setBrokerName(String brokerName) { this.brokerName = brokerName; }
    public void setBrokerId(long brokerId) { this.brokerId = brokerId; }
    public void setLegacyThreads(int legacyThreads) { this.legacyThreads = legacyThreads; }
`, `    public void setNewFeatureEnable(boolean newFeatureEnable) { this.newFeatureEnable = newFeatureEnable; }
`)+`    public void setFlushInterval(int flushInterval) { this.flushInterval = flushInterval; }
    public void setSharedKey(String sharedKey) { this.sharedKey = sharedKey; }
    public void setMetricsExporterType(MetricsExporterType metricsExporterType) { this.metricsExporterType = metricsExporterType; }
    public void setMetricsExporterType(String metricsExporterType) { this.metricsExporterType = MetricsExporterType.valueOf(metricsExporterType); }
    public void setMetricsExporterType(int ordinal) { this.metricsExporterType = MetricsExporterType.values()[ordinal]; }

    public enum MetricsExporterType { DISABLE, PROM }
}
`)
	if v5 {
		add("common/src/main/java/org/apache/rocketmq/common/BrokerIdentity.java", `package org.apache.rocketmq.common;

public class BrokerIdentity {
    private String brokerName = defaultBrokerName();
    private volatile long brokerId = MixAll.MASTER_ID;

    private static String defaultBrokerName() { return "localhost"; }
    public void setBrokerName(String brokerName) { this.brokerName = brokerName; }
    public void setBrokerId(long brokerId) { this.brokerId = brokerId; }
}
`)
	}
	add("remoting/src/main/java/org/apache/rocketmq/remoting/netty/NettyServerConfig.java", `package org.apache.rocketmq.remoting.netty;

public class NettyServerConfig implements Cloneable {
    private int listenPort = 8888;
    public void setListenPort(int listenPort) { this.listenPort = listenPort; }
    @Override
    public Object clone() throws CloneNotSupportedException { return super.clone(); }
}
`)
	add("remoting/src/main/java/org/apache/rocketmq/remoting/netty/NettyClientConfig.java", `package org.apache.rocketmq.remoting.netty;

public class NettyClientConfig {
    private int clientWorkerThreads = NettySystemConfig.clientWorkerSize;
    public void setClientWorkerThreads(int clientWorkerThreads) { this.clientWorkerThreads = clientWorkerThreads; }
}
`)
	add("store/src/main/java/org/apache/rocketmq/store/config/MessageStoreConfig.java", `package org.apache.rocketmq.store.config;

import java.io.File;

public class MessageStoreConfig {
    private String storePathRootDir = System.getProperty("user.home") + File.separator + "store";
    private String sharedKey = "fromStore";
    private String dLegerPeers;
    public void setStorePathRootDir(String storePathRootDir) { this.storePathRootDir = storePathRootDir; }
    public void setSharedKey(String sharedKey) { this.sharedKey = sharedKey; }
    public void setdLegerPeers(String dLegerPeers) { this.dLegerPeers = dLegerPeers; }
}
`)

	add("namesrv/src/main/java/org/apache/rocketmq/namesrv/NamesrvStartup.java", `package org.apache.rocketmq.namesrv;

import java.util.Properties;
`+pick("", "import org.apache.rocketmq.common.ControllerConfig;\n")+`import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
`+pick("", "import org.apache.rocketmq.remoting.netty.NettyClientConfig;\n")+`import org.apache.rocketmq.remoting.netty.NettyServerConfig;

public class NamesrvStartup {
    private static NamesrvConfig namesrvConfig = null;
    private static NettyServerConfig nettyServerConfig = null;
`+pick("", `    private static NettyClientConfig nettyClientConfig = null;
    private static ControllerConfig controllerConfig = null;
`)+`
    public static void parseCommandlineAndConfigFile(String[] args) throws Exception {
        namesrvConfig = new NamesrvConfig();
        nettyServerConfig = new NettyServerConfig();
        Properties properties = new Properties();
        MixAll.properties2Object(properties, namesrvConfig);
        MixAll.properties2Object(properties, nettyServerConfig);
`+pick("", `        MixAll.properties2Object(properties, nettyClientConfig);
        if (namesrvConfig.isEnableControllerInNamesrv()) {
            MixAll.properties2Object(properties, controllerConfig);
        }
`)+`    }
}
`)
	add("common/src/main/java/org/apache/rocketmq/common/namesrv/NamesrvConfig.java", `package org.apache.rocketmq.common.namesrv;

import org.apache.rocketmq.common.MixAll;

public class NamesrvConfig {
    private String rocketmqHome = System.getProperty(MixAll.ROCKETMQ_HOME_PROPERTY, System.getenv(MixAll.ROCKETMQ_HOME_ENV));
    private boolean orderMessageEnable = false;
`+pick("", "    private boolean enableControllerInNamesrv = false;\n")+`
    public void setRocketmqHome(String rocketmqHome) { this.rocketmqHome = rocketmqHome; }
    public void setOrderMessageEnable(boolean orderMessageEnable) { this.orderMessageEnable = orderMessageEnable; }
`+pick("", "    public void setEnableControllerInNamesrv(boolean b) { this.enableControllerInNamesrv = b; }\n")+`}
`)
	if !v5 {
		return files
	}

	add("controller/src/main/java/org/apache/rocketmq/controller/ControllerStartup.java", `package org.apache.rocketmq.controller;

import java.util.Properties;
import org.apache.rocketmq.common.ControllerConfig;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;

public class ControllerStartup {
    public static ControllerManager createControllerManager(String[] args) throws Exception {
        final ControllerConfig controllerConfig = new ControllerConfig();
        final NettyServerConfig nettyServerConfig = new NettyServerConfig();
        final NettyClientConfig nettyClientConfig = new NettyClientConfig();
        Properties properties = new Properties();
        MixAll.properties2Object(properties, controllerConfig);
        MixAll.properties2Object(properties, nettyServerConfig);
        MixAll.properties2Object(properties, nettyClientConfig);
        return null;
    }
}
`)
	add("common/src/main/java/org/apache/rocketmq/common/ControllerConfig.java", `package org.apache.rocketmq.common;

import java.io.File;

public class ControllerConfig {
    private String controllerStorePath = System.getProperty("user.home") + File.separator + "DledgerController";
    private long scanNotActiveBrokerInterval = 5 * 1000;
    private String jRaftServerId = "n0";

    public void setControllerStorePath(String controllerStorePath) { this.controllerStorePath = controllerStorePath; }
    public void setScanNotActiveBrokerInterval(long scanNotActiveBrokerInterval) { this.scanNotActiveBrokerInterval = scanNotActiveBrokerInterval; }
    public void setjRaftServerId(String jRaftServerId) { this.jRaftServerId = jRaftServerId; }
}
`)
	add("proxy/src/main/java/org/apache/rocketmq/proxy/config/Configuration.java", `package org.apache.rocketmq.proxy.config;

import com.alibaba.fastjson.JSON;

public class Configuration {
    private ProxyConfig proxyConfig;

    public void init() throws Exception {
        String proxyConfigData = loadJsonConfig();
        ProxyConfig proxyConfig = JSON.parseObject(proxyConfigData, ProxyConfig.class);
        proxyConfig.initData();
    }
}
`)
	add("proxy/src/main/java/org/apache/rocketmq/proxy/config/ProxyConfig.java", `package org.apache.rocketmq.proxy.config;

public class ProxyConfig {
    private String rocketMQClusterName = "";
    private int grpcServerPort = 8081;
    private String proxyMode = ProxyMode.CLUSTER.name();
    private MetricsExporterType metricsExporterType = MetricsExporterType.DISABLE;
    private boolean useEndpointPortFromRequest = false;
    private static String staticKey = "s";

    public void initData() { }
    public void setRocketMQClusterName(String rocketMQClusterName) { this.rocketMQClusterName = rocketMQClusterName; }
    public void setGrpcServerPort(int grpcServerPort) { this.grpcServerPort = grpcServerPort; }
    public void setProxyMode(String proxyMode) { this.proxyMode = proxyMode; }
    public void setMetricsExporterType(MetricsExporterType metricsExporterType) { this.metricsExporterType = metricsExporterType; }
    public ProxyConfig setUseEndpointPortFromRequest(boolean b) { this.useEndpointPortFromRequest = b; return this; }
    public static void setStaticKey(String staticKey) { ProxyConfig.staticKey = staticKey; }
    public boolean setNotAProperty(boolean b) { return b; }

    public enum MetricsExporterType { DISABLE, OTLP_GRPC, PROM }
}
`)
	return files
}

// The rows every table must hold for the versions in order: old are the 4.9 releases, new the 5.x
// ones. all stands for both.
type wantRow struct {
	key, types, classes, def string
	in                       string // "old", "new" or "all"
}

var wantTables = map[string][]wantRow{
	"broker-keys.tsv": {
		{"brokerId", "long", "BrokerConfig|BrokerIdentity", "MixAll.MASTER_ID", "all"},
		{"brokerName", "String", "BrokerConfig|BrokerIdentity", "defaultBrokerName()", "all"},
		{"clientWorkerThreads", "int", "NettyClientConfig", "NettySystemConfig.clientWorkerSize", "all"},
		{"dLegerPeers", "String", "MessageStoreConfig", "", "all"},
		{"flushInterval", "int", "BrokerConfig", "1000", "all"},
		{"legacyThreads", "int", "BrokerConfig", "4", "old"},
		{"listenPort", "int", "NettyServerConfig", "8888", "all"},
		{"metricsExporterType", "String|int", "BrokerConfig", "MetricsExporterType.DISABLE", "all"},
		{"newFeatureEnable", "boolean", "BrokerConfig", "false", "new"},
		{"sharedKey", "String", "BrokerConfig|MessageStoreConfig", `"fromStore"`, "all"},
		{"storePathRootDir", "String", "MessageStoreConfig", `System.getProperty("user.home") + File.separator + "store"`, "all"},
	},
	"namesrv-keys.tsv": {
		{"clientWorkerThreads", "int", "NettyClientConfig", "NettySystemConfig.clientWorkerSize", "new"},
		{"enableControllerInNamesrv", "boolean", "NamesrvConfig", "false", "new"},
		{"listenPort", "int", "NettyServerConfig", "8888", "all"},
		{"orderMessageEnable", "boolean", "NamesrvConfig", "false", "all"},
		{"rocketmqHome", "String", "NamesrvConfig", "System.getProperty(MixAll.ROCKETMQ_HOME_PROPERTY, System.getenv(MixAll.ROCKETMQ_HOME_ENV))", "all"},
	},
	"controller-keys.tsv": {
		{"controllerStorePath", "String", "ControllerConfig", `System.getProperty("user.home") + File.separator + "DledgerController"`, "new"},
		{"jRaftServerId", "String", "ControllerConfig", `"n0"`, "new"},
		{"scanNotActiveBrokerInterval", "long", "ControllerConfig", "5 * 1000", "new"},
	},
	"proxy-keys.tsv": {
		{"grpcServerPort", "int", "ProxyConfig", "8081", "new"},
		{"metricsExporterType", "String", "ProxyConfig", "MetricsExporterType.DISABLE", "new"},
		{"proxyMode", "String", "ProxyConfig", "ProxyMode.CLUSTER.name()", "new"},
		{"rocketMQClusterName", "String", "ProxyConfig", `""`, "new"},
		{"useEndpointPortFromRequest", "boolean", "ProxyConfig", "false", "new"},
	},
}

// checkTables compares the rows of the four tables in dir with wantTables.
func checkTables(t *testing.T, dir string, oldVersions, newVersions []string) {
	t.Helper()
	for file, rows := range wantTables {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Error(err)
			continue
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if !strings.HasPrefix(line, "#") {
				got = append(got, line)
			}
		}
		var want []string
		for _, r := range rows {
			versions := map[string][]string{"old": oldVersions, "new": newVersions, "all": append(slices.Clone(oldVersions), newVersions...)}[r.in]
			want = append(want, strings.Join([]string{r.key, r.types, r.classes, r.def, strings.Join(versions, ",")}, "\t"))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s rows:\n%s\nwant:\n%s", file, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(string(data), "# key\tjava_param_types\tclasses\tdefault_expr\tpresent_in\n") {
			t.Errorf("%s has no column header", file)
		}
	}
}

// git runs git in dir with a configuration of its own.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=keytables test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=keytables test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// needGit skips the test without git, or fails it in CI (CI or ROCKETOPS_REQUIRE_TOOLS=1), where a
// skipped test would check nothing.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("ROCKETOPS_REQUIRE_TOOLS") == "1" {
			t.Fatal("git is required: ", err)
		}
		t.Skip("git not found: ", err)
	}
}

// snapshot is the content of one commit and the versions tagged on it.
type snapshot struct {
	files    map[string]string
	versions []string
}

// fakeRepo builds a non-bare git repository in a temporary folder with one commit per snapshot and
// the tag rocketmq-all-V on it for each of its versions; it returns the work tree.
func fakeRepo(t *testing.T, snaps ...snapshot) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	for i, s := range snaps {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != ".git" {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
		for path, src := range s.files {
			p := filepath.Join(dir, filepath.FromSlash(path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		git(t, dir, "add", "--all", ".")
		git(t, dir, "commit", "-q", "--allow-empty", "-m", "snapshot "+string(rune('A'+i)))
		for _, v := range s.versions {
			git(t, dir, "tag", tagOf(v))
		}
	}
	return dir
}

// withReleases makes derive read only the given versions for the rest of the test.
func withReleases(t *testing.T, versions ...string) {
	old := releases
	releases = versions
	t.Cleanup(func() { releases = old })
}

// deriveInto runs what main runs after parsing its flags: derive, then one file per table.
func deriveInto(t *testing.T, gitDir, outDir string) {
	t.Helper()
	tables, err := derive(&repo{dir: gitDir, cache: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 4 {
		t.Fatalf("derive returned %d tables", len(tables))
	}
	for _, tb := range tables {
		if err := os.WriteFile(filepath.Join(outDir, tb.file), tb.render(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func TestDeriveTwoReleases(t *testing.T) {
	needGit(t)
	withReleases(t, "4.9.0", "5.0.0")
	work := fakeRepo(t,
		snapshot{fakeRocketMQ(false), []string{"4.9.0"}},
		snapshot{fakeRocketMQ(true), []string{"5.0.0"}},
	)
	// Once from the work tree, once from a bare clone: the same bytes.
	bare := filepath.Join(t.TempDir(), "rocketmq.git")
	git(t, work, "clone", "-q", "--bare", work, bare)
	out1, out2 := t.TempDir(), t.TempDir()
	deriveInto(t, work, out1)
	deriveInto(t, bare, out2)
	a, b := readDir(t, out1), readDir(t, out2)
	if names := sortedKeys(a); !slices.Equal(names, []string{"broker-keys.tsv", "controller-keys.tsv", "namesrv-keys.tsv", "proxy-keys.tsv"}) {
		t.Fatalf("files written: %v", names)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs wrote different tables")
	}
	checkTables(t, out1, []string{"4.9.0"}, []string{"5.0.0"})

	broker := string(a["broker-keys.tsv"])
	for _, want := range []string{
		"# Broker keys per Apache RocketMQ release, derived by scripts/keytables from apache/rocketmq\n# at the tags\n#   rocketmq-all-4.9.0 rocketmq-all-5.0.0\n",
		"#   4.9.0 to 5.0.0: BrokerConfig, NettyServerConfig, NettyClientConfig, MessageStoreConfig\n",
	} {
		if !strings.Contains(broker, want) {
			t.Errorf("broker-keys.tsv lacks %q:\n%s", want, broker)
		}
	}
	for _, not := range []string{"rmqAddressServerDomain\t", "fromTestSources", "notAClass"} {
		if strings.Contains(broker, not) {
			t.Errorf("broker-keys.tsv has %q", not)
		}
	}
	namesrv := string(a["namesrv-keys.tsv"])
	for _, want := range []string{
		"#   4.9.0: NamesrvConfig, NettyServerConfig\n",
		"#   5.0.0: NamesrvConfig, NettyServerConfig, NettyClientConfig\n",
	} {
		if !strings.Contains(namesrv, want) {
			t.Errorf("namesrv-keys.tsv lacks %q:\n%s", want, namesrv)
		}
	}
	for file, want := range map[string]string{
		"controller-keys.tsv": "# at the tags\n#   rocketmq-all-5.0.0\n",
		"proxy-keys.tsv":      "# at the tags\n#   rocketmq-all-5.0.0\n# from the classes the proxy's Configuration fills from rmq-proxy.json, one JSON.parseObject each:\n#   5.0.0: ProxyConfig\n",
	} {
		if !strings.Contains(string(a[file]), want) {
			t.Errorf("%s lacks %q:\n%s", file, want, a[file])
		}
	}
}

func TestDeriveFailsLoudly(t *testing.T) {
	needGit(t)
	withReleases(t, "5.0.0")
	const (
		ctl   = "controller/src/main/java/org/apache/rocketmq/controller/ControllerStartup.java"
		ns    = "namesrv/src/main/java/org/apache/rocketmq/namesrv/NamesrvStartup.java"
		conf  = "proxy/src/main/java/org/apache/rocketmq/proxy/config/Configuration.java"
		proxy = "proxy/src/main/java/org/apache/rocketmq/proxy/config/ProxyConfig.java"
	)
	for name, c := range map[string]struct {
		edit func(files map[string]string)
		want string
	}{
		"BrokerStartup stops reading rmqAddressServerDomain": {func(f map[string]string) {
			f[brokerStartup] = strings.Replace(f[brokerStartup], `"rmqAddressServerDomain"`, `"somethingElse"`, 1)
		}, "no longer reads rmqAddressServerDomain"},
		"the controller fills classes the name server does not": {func(f map[string]string) {
			f[ns] = strings.Replace(f[ns], "MixAll.properties2Object(properties, controllerConfig);", "", 1)
		}, "ControllerStartup fills"},
		"a name server fills the controller's classes without a controller": {func(f map[string]string) {
			delete(f, ctl)
		}, "without a controller"},
		"a filled variable without a declaration": {func(f map[string]string) {
			f[ns] = strings.Replace(f[ns], "MixAll.properties2Object(properties, namesrvConfig);", "MixAll.properties2Object(properties, undeclared);", 1)
		}, "no declaration of undeclared"},
		"the proxy's JSON is not fastjson 1.x": {func(f map[string]string) {
			f[conf] = strings.Replace(f[conf], "com.alibaba.fastjson.JSON", "com.alibaba.fastjson2.JSON", 1)
		}, "not fastjson 1.x"},
		"pom.xml pins another fastjson": {func(f map[string]string) {
			f["pom.xml"] = strings.Replace(f["pom.xml"], "1.2.69_noneautotype", "2.0.0", 1)
		}, "fastjson 1.2.x"},
		"the proxy parses no class": {func(f map[string]string) {
			f[conf] = strings.Replace(f[conf], "JSON.parseObject(proxyConfigData, ProxyConfig.class)", "null", 1)
		}, "no JSON.parseObject call"},
		"a proxy setter of an unknown type": {func(f map[string]string) {
			f[proxy] = strings.Replace(f[proxy], "public void initData() { }", "public void initData() { }\n    public void setNames(java.util.List<String> names) { }", 1)
		}, "no table type"},
		"a config class that does not parse": {func(f map[string]string) {
			p := "common/src/main/java/org/apache/rocketmq/common/ControllerConfig.java"
			f[p] = strings.TrimSuffix(strings.TrimSpace(f[p]), "}")
		}, "ControllerConfig"},
	} {
		t.Run(name, func(t *testing.T) {
			files := fakeRocketMQ(true)
			c.edit(files)
			work := fakeRepo(t, snapshot{files, []string{"5.0.0"}})
			_, err := derive(&repo{dir: work, cache: map[string]string{}})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("derive: %v, want an error with %q", err, c.want)
			}
		})
	}
}

// TestDeriveDelayLevelTable: ProxyConfig.getDelayLevelTable, a map fastjson would fill through its
// getter, is left out only while initData rebuilds it.
func TestDeriveDelayLevelTable(t *testing.T) {
	needGit(t)
	withReleases(t, "5.0.0")
	const proxy = "proxy/src/main/java/org/apache/rocketmq/proxy/config/ProxyConfig.java"
	withTable := func(rebuild string) map[string]string {
		files := fakeRocketMQ(true)
		files[proxy] = strings.Replace(files[proxy], "    public void initData() { }\n", `    private Map<String, Long> delayLevelTable = new ConcurrentHashMap<>();
    public Map<String, Long> getDelayLevelTable() { return delayLevelTable; }
    public void initData() { parseDelayLevel(); }
    public void parseDelayLevel() { `+rebuild+` }
`, 1)
		return files
	}

	work := fakeRepo(t, snapshot{withTable("this.delayLevelTable = new ConcurrentHashMap<>();"), []string{"5.0.0"}})
	tables, err := derive(&repo{dir: work, cache: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.file == "proxy-keys.tsv" {
			if got := sortedKeys(tb.rows); !slices.Equal(got, []string{"grpcServerPort", "metricsExporterType", "proxyMode", "rocketMQClusterName", "useEndpointPortFromRequest"}) {
				t.Errorf("proxy keys = %v", got)
			}
		}
	}

	work = fakeRepo(t, snapshot{withTable("this.delayLevelTable.clear();"), []string{"5.0.0"}})
	if _, err := derive(&repo{dir: work, cache: map[string]string{}}); err == nil || !strings.Contains(err.Error(), "no longer rebuilds delayLevelTable") {
		t.Errorf("derive with a delayLevelTable initData does not rebuild: %v", err)
	}
}

func TestDeriveMissingTag(t *testing.T) {
	needGit(t)
	withReleases(t, "4.9.0", "5.0.0")
	work := fakeRepo(t, snapshot{fakeRocketMQ(false), []string{"4.9.0"}})
	_, err := derive(&repo{dir: work, cache: map[string]string{}})
	if err == nil || !strings.Contains(err.Error(), "rocketmq-all-5.0.0") {
		t.Errorf("derive without the tag rocketmq-all-5.0.0: %v", err)
	}
}

// ---------------------------------------------------------------------------------------------
// The command.

var (
	buildOnce sync.Once
	buildDir  string
	builtBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// keytablesBinary builds the command once per test binary.
func keytablesBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("ROCKETOPS_REQUIRE_TOOLS") == "1" {
			t.Fatal("the go command is required: ", err)
		}
		t.Skip("go not found: ", err)
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "keytables-test-")
		if buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "keytables")
		out, err := exec.Command(goTool, "build", "-buildvcs=false", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return result{0, out.String(), errb.String()}
	case errors.As(err, &exit):
		return result{exit.ExitCode(), out.String(), errb.String()}
	default:
		t.Fatalf("run %s: %v", bin, err)
		return result{}
	}
}

func TestUsage(t *testing.T) {
	bin := keytablesBinary(t)
	out := t.TempDir()
	file := filepath.Join(out, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{nil, "-git is required"},
		{[]string{"-out", out}, "-git is required"},
		{[]string{"-git", out}, "-out is required"},
		{[]string{"-git", out, "-out", out, "extra"}, `unexpected arguments ["extra"]`},
		{[]string{"-nosuchflag"}, "flag provided but not defined: -nosuchflag"},
		{[]string{"-git"}, "flag needs an argument: -git"},
		{[]string{"-git", out, "-out", filepath.Join(out, "missing")}, "-out " + filepath.Join(out, "missing") + " is not a directory"},
		{[]string{"-git", out, "-out", file}, "-out " + file + " is not a directory"},
	} {
		r := run(t, bin, c.args...)
		if r.code != 2 {
			t.Errorf("keytables %q: exit %d, want 2", c.args, r.code)
		}
		if r.stderr != "keytables: "+c.msg+"\n\n"+usageText {
			t.Errorf("keytables %q: stderr %q, want the message %q and the usage", c.args, r.stderr, c.msg)
		}
		if r.stdout != "" {
			t.Errorf("keytables %q: stdout %q", c.args, r.stdout)
		}
	}
	for _, h := range []string{"-h", "-help", "--help"} {
		r := run(t, bin, h)
		if r.code != 0 || r.stdout != usageText || r.stderr != "" {
			t.Errorf("keytables %s: exit %d stdout %q stderr %q, want the usage on stdout", h, r.code, r.stdout, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("usage errors wrote files: %v", entries)
	}
}

func TestCommandGitErrors(t *testing.T) {
	needGit(t)
	bin := keytablesBinary(t)
	out := t.TempDir()
	// Not a repository.
	r := run(t, bin, "-git", filepath.Join(t.TempDir(), "nothing"), "-out", out)
	if r.code != 1 || !strings.HasPrefix(r.stderr, "keytables: git ls-tree -r --name-only rocketmq-all-4.9.0") {
		t.Errorf("no repository: exit %d stderr %q, want 1 and the failing git command", r.code, r.stderr)
	}
	// A repository with only some of the release tags: the command covers every release or fails.
	work := fakeRepo(t, snapshot{fakeRocketMQ(false), []string{"4.9.0"}})
	r = run(t, bin, "-git", work, "-out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "rocketmq-all-4.9.1") {
		t.Errorf("missing tags: exit %d stderr %q, want 1 naming rocketmq-all-4.9.1", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed run wrote files: %v", entries)
	}
}

// TestCommandEndToEnd runs the built command on a fake repository with every release tag: the 4.9
// releases on one commit, the 5.x ones on the next.
func TestCommandEndToEnd(t *testing.T) {
	needGit(t)
	bin := keytablesBinary(t)
	var v4s, v5s []string
	for _, v := range releases {
		if strings.HasPrefix(v, "4.") {
			v4s = append(v4s, v)
		} else {
			v5s = append(v5s, v)
		}
	}
	if len(v4s) == 0 || len(v5s) == 0 {
		t.Fatalf("releases %v: want 4.x and 5.x ones", releases)
	}
	work := fakeRepo(t, snapshot{fakeRocketMQ(false), v4s}, snapshot{fakeRocketMQ(true), v5s})
	out1, out2 := t.TempDir(), t.TempDir()
	for _, out := range []string{out1, out2} {
		if r := run(t, bin, "-git", work, "-out", out); r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Fatalf("keytables: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
	}
	a, b := readDir(t, out1), readDir(t, out2)
	if len(a) != 4 || !reflect.DeepEqual(a, b) {
		t.Errorf("two runs wrote %v and %v, want the same four tables", sortedKeys(a), sortedKeys(b))
	}
	checkTables(t, out1, v4s, v5s)
	if want := "#   4.9.0 to 4.9.8: NamesrvConfig, NettyServerConfig\n#   5.0.0 to 5.3.3: NamesrvConfig, NettyServerConfig, NettyClientConfig\n"; !strings.Contains(string(a["namesrv-keys.tsv"]), want) {
		t.Errorf("namesrv-keys.tsv lacks %q:\n%s", want, a["namesrv-keys.tsv"])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
