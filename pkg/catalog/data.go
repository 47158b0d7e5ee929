package catalog

import (
	_ "embed"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

//go:embed data/broker-keys.tsv
var brokerTSV string

//go:embed data/namesrv-controller-keys.tsv
var serverTSV string

// serverTableVersion is the only release the name server and controller
// table was taken from; it must be one of the broker table's versions.
const serverTableVersion = "5.3.3"

// firstControllerVersion is the release that introduced the controller.
const firstControllerVersion = "5.0.0"

// developBranch appears in the broker table's version lists but is no
// release, so keys seen only there are dropped.
const developBranch = "develop"

// specialBrokerKeys are read by BrokerStartup straight from the properties
// before any setter runs, so no config class lists them.
var specialBrokerKeys = []Key{
	{Name: "rmqAddressServerDomain", Type: "String", Default: "MixAll.WS_DOMAIN_NAME"},
	{Name: "rmqAddressServerSubGroup", Type: "String", Default: "MixAll.WS_DOMAIN_SUBGROUP"},
}

// knownTypes are the setter parameter types CheckValue knows how RocketMQ
// parses; anything else in the data is a mistake in the data.
var knownTypes = map[string]bool{"int": true, "long": true, "boolean": true, "String": true, "double": true}

var serverClasses = map[string]Component{
	"NamesrvConfig":     NameServer,
	"NettyServerConfig": NameServer,
	"NettyClientConfig": NameServer,
	"ControllerConfig":  Controller,
	"JraftConfig":       Controller,
}

// entry is a key plus the versions it exists in as a bit set over
// catalog.versions, which keeps Lookup to two map reads and a mask test.
type entry struct {
	key     Key
	mask    uint64
	special bool
}

// export hands out a copy so that callers cannot change the catalog through
// the slices.
func (e *entry) export() Key {
	k := e.key
	k.Classes = slices.Clone(k.Classes)
	k.Versions = slices.Clone(k.Versions)
	return k
}

type table struct {
	byName    map[string]*entry
	byVersion [][]string // sorted key names, indexed like catalog.versions
	all       []string   // sorted names of every key in any version
}

type catalog struct {
	versions []string
	index    map[string]int
	tables   [numComponents]table
}

func (cat *catalog) entry(c Component, name string) *entry {
	if !validComponent(c) {
		return nil
	}
	return cat.tables[c].byName[name]
}

// load parses the embedded tables on first use. The data ships with the
// binary, so a parse failure is a bug in the data and panics.
var load = sync.OnceValue(func() *catalog {
	cat, err := parse(brokerTSV, serverTSV)
	if err != nil {
		panic("catalog: embedded key data is malformed: " + err.Error())
	}
	return cat
})

// row is one data line split into its fields.
type row struct {
	line   int
	fields []string
}

// readTSV splits a table into rows of exactly n fields, skipping the header
// and blank lines.
func readTSV(name, text string, n int) ([]row, error) {
	var rows []row
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != n {
			return nil, fmt.Errorf("%s line %d: want %d tab-separated fields, got %d", name, i+1, n, len(f))
		}
		if f[0] == "" || strings.ContainsAny(f[0], " =:#!") {
			return nil, fmt.Errorf("%s line %d: bad key name %q", name, i+1, f[0])
		}
		rows = append(rows, row{line: i + 1, fields: f})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	return rows, nil
}

func checkType(t string) error {
	if t == "" {
		return nil
	}
	for _, part := range strings.Split(t, "|") {
		if !knownTypes[part] {
			return fmt.Errorf("unknown type %q", t)
		}
	}
	return nil
}

func splitList(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

func parse(brokerText, serverText string) (*catalog, error) {
	brokerRows, err := readTSV("broker-keys.tsv", brokerText, 5)
	if err != nil {
		return nil, err
	}
	serverRows, err := readTSV("namesrv-controller-keys.tsv", serverText, 5)
	if err != nil {
		return nil, err
	}

	cat := &catalog{index: map[string]int{}}

	// The broker table's version lists define which releases exist.
	for _, r := range brokerRows {
		for _, v := range splitList(r.fields[4], ",") {
			if v == "" {
				return nil, fmt.Errorf("broker-keys.tsv line %d: empty version in %q", r.line, r.fields[4])
			}
			if v != developBranch && !slices.Contains(cat.versions, v) {
				cat.versions = append(cat.versions, v)
			}
		}
	}
	slices.SortFunc(cat.versions, Compare)
	if len(cat.versions) > 64 {
		return nil, fmt.Errorf("%d versions do not fit the version bit set", len(cat.versions))
	}
	for i, v := range cat.versions {
		cat.index[v] = i
	}
	if _, ok := cat.index[serverTableVersion]; !ok {
		return nil, fmt.Errorf("name server table version %s is not in the broker table", serverTableVersion)
	}
	allMask := uint64(1)<<len(cat.versions) - 1
	var controllerMask uint64
	for i, v := range cat.versions {
		if Compare(v, firstControllerVersion) >= 0 {
			controllerMask |= 1 << i
		}
	}

	for c := range cat.tables {
		cat.tables[c].byName = map[string]*entry{}
	}

	broker := cat.tables[Broker].byName
	for _, r := range brokerRows {
		f := r.fields
		if broker[f[0]] != nil {
			return nil, fmt.Errorf("broker-keys.tsv line %d: duplicate key %q", r.line, f[0])
		}
		if err := checkType(f[1]); err != nil {
			return nil, fmt.Errorf("broker-keys.tsv line %d: %v", r.line, err)
		}
		var mask uint64
		for _, v := range splitList(f[4], ",") {
			if i, ok := cat.index[v]; ok {
				mask |= 1 << i
			}
		}
		if mask == 0 {
			continue // develop only
		}
		classes := splitList(f[2], "|")
		slices.Sort(classes)
		broker[f[0]] = &entry{
			key:  Key{Name: f[0], Type: f[1], Classes: classes, Default: f[3]},
			mask: mask,
		}
	}
	for _, k := range specialBrokerKeys {
		if broker[k.Name] != nil {
			return nil, fmt.Errorf("broker-keys.tsv: %q is also a special key", k.Name)
		}
		broker[k.Name] = &entry{key: k, mask: allMask, special: true}
	}

	for _, r := range serverRows {
		f := r.fields
		name, typ, class, applied, def := f[0], f[1], f[2], f[3], f[4]
		c, ok := serverClasses[class]
		if !ok {
			return nil, fmt.Errorf("namesrv-controller-keys.tsv line %d: unknown class %q", r.line, class)
		}
		switch applied {
		case "yes":
		case "no":
			// Such a setter takes a type properties2Object cannot build, so
			// the file cannot set the key through it.
			continue
		default:
			return nil, fmt.Errorf("namesrv-controller-keys.tsv line %d: applied must be yes or no, got %q", r.line, applied)
		}
		if err := checkType(typ); err != nil {
			return nil, fmt.Errorf("namesrv-controller-keys.tsv line %d: %v", r.line, err)
		}
		mask := allMask
		if c == Controller {
			mask = controllerMask
		}
		byName := cat.tables[c].byName
		e := byName[name]
		if e == nil {
			e = &entry{key: Key{Name: name, Type: typ, Default: def}, mask: mask}
			byName[name] = e
		} else {
			// The same key on several classes or overloaded setters: the
			// file sets all of them, so the types and classes add up.
			e.key.Type = mergeTypes(e.key.Type, typ)
			if e.key.Default == "" {
				e.key.Default = def
			}
		}
		if !slices.Contains(e.key.Classes, class) {
			e.key.Classes = append(e.key.Classes, class)
			slices.Sort(e.key.Classes)
		}
	}

	for c := range cat.tables {
		t := &cat.tables[c]
		t.byVersion = make([][]string, len(cat.versions))
		for name, e := range t.byName {
			e.key.Versions = versionsOf(cat.versions, e.mask)
			t.all = append(t.all, name)
			for m := e.mask; m != 0; m &= m - 1 {
				i := bits.TrailingZeros64(m)
				t.byVersion[i] = append(t.byVersion[i], name)
			}
		}
		slices.Sort(t.all)
		for _, names := range t.byVersion {
			slices.Sort(names)
		}
	}
	return cat, nil
}

// mergeTypes joins the parameter types of overloaded setters the way the
// broker table writes them: distinct, sorted, separated by "|".
func mergeTypes(a, b string) string {
	if a == "" || a == b {
		return b
	}
	if b == "" {
		return a
	}
	parts := append(strings.Split(a, "|"), strings.Split(b, "|")...)
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), "|")
}

func versionsOf(versions []string, mask uint64) []string {
	var out []string
	for i, v := range versions {
		if mask&(1<<i) != 0 {
			out = append(out, v)
		}
	}
	return out
}
