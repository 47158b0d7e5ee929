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

//go:embed data/namesrv-keys.tsv
var namesrvTSV string

//go:embed data/controller-keys.tsv
var controllerTSV string

//go:embed data/proxy-keys.tsv
var proxyTSV string

// firstControllerVersion and firstProxyVersion are the releases that
// introduced the controller and the proxy; a row listing an older release is
// a mistake in the data.
const (
	firstControllerVersion = "5.0.0"
	firstProxyVersion      = "5.0.0"
)

// developBranch is no release: where a version list names it, it is skipped,
// and a key seen only there is dropped. The tables scripts/keytables writes
// name releases only.
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

// source is one embedded key table and what its rows may contain.
type source struct {
	file string
	text string
	// classes are the config classes the table's rows may name; nil
	// allows any.
	classes []string
	// since is the first release the component exists in; "" for all.
	since string
}

// sources lists the tables by component. All four have the same columns:
// key, Java types, classes, default expression, versions.
func sources(broker, namesrv, controller, proxy string) [numComponents]source {
	return [numComponents]source{
		Broker:     {file: "broker-keys.tsv", text: broker},
		NameServer: {file: "namesrv-keys.tsv", text: namesrv, classes: []string{"NamesrvConfig", "NettyClientConfig", "NettyServerConfig"}},
		Controller: {file: "controller-keys.tsv", text: controller, classes: []string{"ControllerConfig", "JraftConfig"}, since: firstControllerVersion},
		Proxy:      {file: "proxy-keys.tsv", text: proxy, classes: []string{"AuthConfig", "ProxyConfig"}, since: firstProxyVersion},
	}
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
	cat, err := parse(brokerTSV, namesrvTSV, controllerTSV, proxyTSV)
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

// readTSV splits a table into rows of exactly n fields, skipping comments
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

// Columns of every key table.
const (
	colKey = iota
	colType
	colClasses
	colDefault
	colVersions
	numCols
)

func parse(brokerText, namesrvText, controllerText, proxyText string) (*catalog, error) {
	srcs := sources(brokerText, namesrvText, controllerText, proxyText)
	var rows [numComponents][]row
	for c, src := range srcs {
		r, err := readTSV(src.file, src.text, numCols)
		if err != nil {
			return nil, err
		}
		rows[c] = r
	}

	cat := &catalog{index: map[string]int{}}
	if err := cat.readVersions(rows[Broker]); err != nil {
		return nil, err
	}
	for c, src := range srcs {
		byName, err := cat.readKeys(Component(c), src, rows[c])
		if err != nil {
			return nil, err
		}
		cat.tables[c].byName = byName
	}
	broker := cat.tables[Broker].byName
	for _, k := range specialBrokerKeys {
		if broker[k.Name] != nil {
			return nil, fmt.Errorf("%s: %q is also a special key", srcs[Broker].file, k.Name)
		}
		broker[k.Name] = &entry{key: k, mask: uint64(1)<<len(cat.versions) - 1, special: true}
	}
	for c := range cat.tables {
		cat.tables[c].buildLists(cat.versions)
	}
	return cat, nil
}

// readVersions takes the releases from the broker table's version lists;
// the other tables may only name releases found there.
func (cat *catalog) readVersions(brokerRows []row) error {
	for _, r := range brokerRows {
		list := r.fields[colVersions]
		for _, v := range splitList(list, ",") {
			if v == "" {
				return fmt.Errorf("broker-keys.tsv line %d: empty version in %q", r.line, list)
			}
			if v != developBranch && !slices.Contains(cat.versions, v) {
				cat.versions = append(cat.versions, v)
			}
		}
	}
	slices.SortFunc(cat.versions, Compare)
	if len(cat.versions) > 64 {
		return fmt.Errorf("%d versions do not fit the version bit set", len(cat.versions))
	}
	for i, v := range cat.versions {
		cat.index[v] = i
	}
	return nil
}

// readKeys turns the rows of one table into entries. Keys seen only on the
// develop branch are dropped.
func (cat *catalog) readKeys(c Component, src source, rows []row) (map[string]*entry, error) {
	byName := map[string]*entry{}
	for _, r := range rows {
		f := r.fields
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s line %d: %s", src.file, r.line, fmt.Sprintf(format, args...))
		}
		name := f[colKey]
		if byName[name] != nil {
			return nil, fail("duplicate key %q", name)
		}
		if err := checkType(f[colType]); err != nil {
			return nil, fail("%v", err)
		}
		classes := splitList(f[colClasses], "|")
		if src.classes != nil && len(classes) == 0 {
			return nil, fail("no class for %q", name)
		}
		for _, class := range classes {
			if src.classes != nil && !slices.Contains(src.classes, class) {
				return nil, fail("unknown class %q", class)
			}
		}
		var mask uint64
		for _, v := range splitList(f[colVersions], ",") {
			i, ok := cat.index[v]
			switch {
			case v == "":
				return nil, fail("empty version in %q", f[colVersions])
			case v == developBranch:
			case !ok:
				return nil, fail("unknown version %q", v)
			case src.since != "" && Compare(v, src.since) < 0:
				return nil, fail("version %s is older than %s, the first with %s keys", v, src.since, c)
			default:
				mask |= 1 << i
			}
		}
		if mask == 0 {
			continue // develop only
		}
		slices.Sort(classes)
		byName[name] = &entry{
			key:  Key{Name: name, Type: f[colType], Classes: classes, Default: f[colDefault]},
			mask: mask,
		}
	}
	return byName, nil
}

// buildLists fills the sorted name lists from the entries.
func (t *table) buildLists(versions []string) {
	t.byVersion = make([][]string, len(versions))
	for name, e := range t.byName {
		e.key.Versions = versionsOf(versions, e.mask)
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

func versionsOf(versions []string, mask uint64) []string {
	var out []string
	for i, v := range versions {
		if mask&(1<<i) != 0 {
			out = append(out, v)
		}
	}
	return out
}
