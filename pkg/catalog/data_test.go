package catalog

import (
	"cmp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedDataParses(t *testing.T) {
	cat, err := parse(brokerTSV, namesrvTSV, controllerTSV, proxyTSV)
	require.NoError(t, err)
	assert.NotPanics(t, func() { load() })

	// Rows per version as scripts/keytables derives them from the RocketMQ
	// tags, without the special broker keys.
	want := map[Component]map[string]int{
		Broker: {"4.9.0": 168, "4.9.1": 168, "4.9.2": 169, "4.9.3": 183, "4.9.4": 184, "4.9.5": 184,
			"4.9.6": 184, "4.9.7": 184, "4.9.8": 185, "5.0.0": 298, "5.1.0": 338, "5.1.1": 339,
			"5.1.2": 350, "5.1.3": 351, "5.1.4": 363, "5.2.0": 380, "5.3.0": 409, "5.3.1": 418,
			"5.3.2": 436, "5.3.3": 442},
		NameServer: {"4.9.0": 17, "4.9.1": 17, "4.9.2": 17, "4.9.3": 20, "4.9.4": 20, "4.9.5": 20,
			"4.9.6": 20, "4.9.7": 20, "4.9.8": 21, "5.0.0": 47, "5.1.0": 50, "5.1.1": 50, "5.1.2": 50,
			"5.1.3": 50, "5.1.4": 51, "5.2.0": 57, "5.3.0": 58, "5.3.1": 59, "5.3.2": 58, "5.3.3": 58},
		Controller: {"4.9.0": 0, "4.9.8": 0, "5.0.0": 13, "5.1.0": 13, "5.1.1": 14, "5.1.2": 23,
			"5.1.3": 23, "5.1.4": 23, "5.2.0": 34, "5.3.0": 34, "5.3.1": 34, "5.3.2": 34, "5.3.3": 34},
		Proxy: {"4.9.0": 0, "4.9.8": 0, "5.0.0": 88, "5.1.0": 131, "5.1.1": 133, "5.1.2": 133,
			"5.1.3": 133, "5.1.4": 141, "5.2.0": 142, "5.3.0": 172, "5.3.1": 172, "5.3.2": 173, "5.3.3": 172},
	}
	require.Len(t, want, numComponents, "every component has its counts")
	for c, counts := range want {
		for v, n := range counts {
			i, ok := cat.index[v]
			require.True(t, ok, v)
			got := 0
			for _, e := range cat.tables[c].byName {
				if !e.special && e.mask&(1<<i) != 0 {
					got++
				}
			}
			assert.Equal(t, n, got, "%s keys in %s", c, v)
		}
	}
}

func TestEmbeddedDefaultsAreWhole(t *testing.T) {
	// A default cut at a comma, quote or semicolon leaves its string
	// literal open; every default must close the literals it opens.
	for _, text := range []string{brokerTSV, namesrvTSV, controllerTSV, proxyTSV} {
		rows, err := readTSV("", text, numCols)
		require.NoError(t, err)
		for _, r := range rows {
			if r.fields[colVersions] == developBranch {
				continue // a develop-only row is never loaded
			}
			def := strings.ReplaceAll(r.fields[colDefault], `\"`, "")
			assert.Zero(t, strings.Count(def, `"`)%2, "line %d: default %q has an open string literal", r.line, r.fields[colDefault])
		}
	}
}

const brokerHeader = "# key\tjava_param_types\tclasses\tdefault_expr\tpresent_in\n"
const goodBroker = brokerHeader + "listenPort\tint\tNettyServerConfig\t0\t4.9.8,5.3.3,develop\n"
const goodNamesrv = brokerHeader + "listenPort\tint\tNettyServerConfig\t0\t4.9.8,5.3.3\n"
const goodController = brokerHeader + "controllerType\tString\tControllerConfig\tDLEDGER_CONTROLLER\t5.3.3\n"
const goodProxy = brokerHeader + "grpcServerPort\tint\tProxyConfig\t8081\t5.3.3\n"

func TestParseRejectsBadData(t *testing.T) {
	tests := []struct {
		name       string
		broker     string
		namesrv    string
		controller string
		proxy      string
		want       string
	}{
		{name: "too few fields", broker: brokerHeader + "listenPort\tint\tNettyServerConfig\t0\n",
			want: "broker-keys.tsv line 2: want 5 tab-separated fields, got 4"},
		{name: "empty key", broker: brokerHeader + "\tint\tX\t0\t5.3.3\n",
			want: `broker-keys.tsv line 2: bad key name ""`},
		{name: "key with space", broker: brokerHeader + "listen Port\tint\tX\t0\t5.3.3\n",
			want: `broker-keys.tsv line 2: bad key name "listen Port"`},
		{name: "duplicate broker key", broker: goodBroker + "listenPort\tint\tBrokerConfig\t0\t5.3.3\n",
			want: `broker-keys.tsv line 3: duplicate key "listenPort"`},
		{name: "unknown type", broker: brokerHeader + "listenPort\tshort\tX\t0\t5.3.3\n",
			want: `broker-keys.tsv line 2: unknown type "short"`},
		{name: "empty version", broker: brokerHeader + "listenPort\tint\tX\t0\t5.3.3,,develop\n",
			want: `broker-keys.tsv line 2: empty version in "5.3.3,,develop"`},
		{name: "special key in table", broker: goodBroker + "rmqAddressServerDomain\tString\t\t\t5.3.3\n",
			want: `broker-keys.tsv: "rmqAddressServerDomain" is also a special key`},
		{name: "no broker rows", broker: brokerHeader, want: "broker-keys.tsv: no rows"},
		{name: "no name server rows", namesrv: brokerHeader, want: "namesrv-keys.tsv: no rows"},
		{name: "name server row too long", namesrv: brokerHeader + "x\tint\tNamesrvConfig\tyes\t0\t5.3.3\n",
			want: "namesrv-keys.tsv line 2: want 5 tab-separated fields, got 6"},
		{name: "broker class in name server table", namesrv: brokerHeader + "x\tint\tBrokerConfig\t0\t5.3.3\n",
			want: `namesrv-keys.tsv line 2: unknown class "BrokerConfig"`},
		{name: "controller class in name server table", namesrv: brokerHeader + "x\tint\tNamesrvConfig|JraftConfig\t0\t5.3.3\n",
			want: `namesrv-keys.tsv line 2: unknown class "JraftConfig"`},
		{name: "name server class in controller table", controller: brokerHeader + "x\tint\tNamesrvConfig\t0\t5.3.3\n",
			want: `controller-keys.tsv line 2: unknown class "NamesrvConfig"`},
		{name: "no class", namesrv: brokerHeader + "x\tint\t\t0\t5.3.3\n",
			want: `namesrv-keys.tsv line 2: no class for "x"`},
		{name: "type properties2Object cannot build", controller: brokerHeader + "jraftConfig\tJraftConfig\tControllerConfig\t\t5.3.3\n",
			want: `controller-keys.tsv line 2: unknown type "JraftConfig"`},
		{name: "duplicate name server key", namesrv: goodNamesrv + "listenPort\tint\tNettyServerConfig\t0\t5.3.3\n",
			want: `namesrv-keys.tsv line 3: duplicate key "listenPort"`},
		{name: "version the broker table does not have", namesrv: brokerHeader + "x\tint\tNamesrvConfig\t0\t5.3.3,5.3.4\n",
			want: `namesrv-keys.tsv line 2: unknown version "5.3.4"`},
		{name: "empty name server version", namesrv: brokerHeader + "x\tint\tNamesrvConfig\t0\t5.3.3,\n",
			want: `namesrv-keys.tsv line 2: empty version in "5.3.3,"`},
		{name: "controller before 5.0.0", controller: brokerHeader + "x\tint\tControllerConfig\t0\t4.9.8,5.3.3\n",
			want: "controller-keys.tsv line 2: version 4.9.8 is older than 5.0.0, the first with controller keys"},
		{name: "no proxy rows", proxy: brokerHeader, want: "proxy-keys.tsv: no rows"},
		{name: "proxy before 5.0.0", proxy: brokerHeader + "x\tint\tProxyConfig\t0\t4.9.8,5.3.3\n",
			want: "proxy-keys.tsv line 2: version 4.9.8 is older than 5.0.0, the first with proxy keys"},
		{name: "broker class in proxy table", proxy: brokerHeader + "x\tint\tBrokerConfig\t0\t5.3.3\n",
			want: `proxy-keys.tsv line 2: unknown class "BrokerConfig"`},
		{name: "no proxy class", proxy: brokerHeader + "x\tint\t\t0\t5.3.3\n",
			want: `proxy-keys.tsv line 2: no class for "x"`},
		{name: "enum type in proxy table", proxy: brokerHeader + "x\tMetricsExporterType\tProxyConfig\t\t5.3.3\n",
			want: `proxy-keys.tsv line 2: unknown type "MetricsExporterType"`},
		{name: "duplicate proxy key", proxy: goodProxy + "grpcServerPort\tint\tProxyConfig\t8081\t5.3.3\n",
			want: `proxy-keys.tsv line 3: duplicate key "grpcServerPort"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			broker, namesrv, controller := cmp.Or(tc.broker, goodBroker), cmp.Or(tc.namesrv, goodNamesrv), cmp.Or(tc.controller, goodController)
			_, err := parse(broker, namesrv, controller, cmp.Or(tc.proxy, goodProxy))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestParseSmallTables(t *testing.T) {
	namesrv := brokerHeader +
		"listenPort\tint\tNettyServerConfig\t0\t4.9.8,5.3.3\n" +
		"writeBufferLowWaterMark\tint\tNettyServerConfig|NettyClientConfig\tN\t5.3.3\n" +
		"nextRelease\tboolean\tNamesrvConfig\tfalse\tdevelop\n"
	controller := brokerHeader + "mode\tString|int\tControllerConfig\tSomeEnum.A\t5.3.3\n"
	broker := strings.ReplaceAll(goodBroker, "\n", "\r\n") + "onlyDevelop\tboolean\tBrokerConfig\tfalse\tdevelop\n"
	proxy := brokerHeader + "aclCacheMaxNum\tint\tAuthConfig|ProxyConfig\t1000\t5.3.3\n"
	cat, err := parse(broker, namesrv, controller, proxy)
	require.NoError(t, err)

	assert.Equal(t, []string{"4.9.8", "5.3.3"}, cat.versions)
	assert.Equal(t, []string{"listenPort", "rmqAddressServerDomain", "rmqAddressServerSubGroup"}, cat.tables[Broker].all)
	assert.Equal(t, []string{"4.9.8", "5.3.3"}, cat.tables[Broker].byName["listenPort"].key.Versions)

	mode := cat.tables[Controller].byName["mode"]
	require.NotNil(t, mode)
	assert.Equal(t, "String|int", mode.key.Type)
	assert.Equal(t, []string{"5.3.3"}, mode.key.Versions)
	assert.Equal(t, [][]string{nil, {"mode"}}, cat.tables[Controller].byVersion)

	assert.Equal(t, []string{"4.9.8", "5.3.3"}, cat.tables[NameServer].byName["listenPort"].key.Versions)
	assert.Equal(t, []string{"NettyClientConfig", "NettyServerConfig"}, cat.tables[NameServer].byName["writeBufferLowWaterMark"].key.Classes)
	assert.Equal(t, [][]string{{"listenPort"}, {"listenPort", "writeBufferLowWaterMark"}}, cat.tables[NameServer].byVersion)
	assert.Nil(t, cat.tables[NameServer].byName["nextRelease"], "develop only")

	acl := cat.tables[Proxy].byName["aclCacheMaxNum"]
	require.NotNil(t, acl)
	assert.Equal(t, []string{"AuthConfig", "ProxyConfig"}, acl.key.Classes)
	assert.Equal(t, [][]string{nil, {"aclCacheMaxNum"}}, cat.tables[Proxy].byVersion)
}

// TestEmbeddedTablesNameReleasesOnly checks what scripts/keytables writes:
// no develop branch, and the versions of every table among the broker
// table's.
func TestEmbeddedTablesNameReleasesOnly(t *testing.T) {
	for c, src := range sources(brokerTSV, namesrvTSV, controllerTSV, proxyTSV) {
		rows, err := readTSV(src.file, src.text, numCols)
		require.NoError(t, err)
		for _, r := range rows {
			for _, v := range splitList(r.fields[colVersions], ",") {
				assert.NotEqual(t, developBranch, v, "%s line %d", src.file, r.line)
			}
			assert.NotEmpty(t, r.fields[colType], "%s line %d: %s has no type", src.file, r.line, r.fields[colKey])
			if Component(c) != Broker {
				continue
			}
			assert.NotEmpty(t, r.fields[colClasses], "%s line %d: %s has no class", src.file, r.line, r.fields[colKey])
		}
		assert.True(t, strings.HasPrefix(src.text, "# "), "%s starts with its header", src.file)
		assert.Contains(t, src.text, "derived by scripts/keytables", src.file)
	}
}

func TestClosestTieBreaks(t *testing.T) {
	tests := []struct {
		name       string
		candidates []string
		input      string
		want       string
	}{
		{name: "same distance goes to sort order", candidates: []string{"abcdx", "abcdy"}, input: "abcdz", want: "abcdx"},
		{name: "case-insensitive equality beats one edit", candidates: []string{"ABCDEFGH", "abcdefgz"}, input: "abcdefgh", want: "ABCDEFGH"},
		{name: "fewer case edits wins among equals", candidates: []string{"fooBar", "foobar"}, input: "foobaR", want: "foobar"},
		{name: "beyond the limit", candidates: []string{"abcdefgh"}, input: "abcdwxyz", want: ""},
		{name: "length alone rules out", candidates: []string{"ab"}, input: "abcdefgh", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, closest(tc.candidates, tc.input))
		})
	}
}
