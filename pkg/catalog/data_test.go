package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedDataParses(t *testing.T) {
	cat, err := parse(brokerTSV, serverTSV)
	require.NoError(t, err)
	assert.NotPanics(t, func() { load() })

	// Rows of broker-keys.tsv per version, without the special keys.
	want := map[string]int{"4.9.8": 185, "5.0.0": 298, "5.3.3": 442}
	for v, n := range want {
		i := cat.index[v]
		got := 0
		for _, e := range cat.tables[Broker].byName {
			if !e.special && e.mask&(1<<i) != 0 {
				got++
			}
		}
		assert.Equal(t, n, got, "broker table keys in %s", v)
	}
}

const brokerHeader = "# key\tjava_param_types\tclasses\tdefault_expr\tpresent_in\n"
const serverHeader = "# key\tjava_param_type\tclass\tapplied\tdefault_expr\n"
const goodBroker = brokerHeader + "listenPort\tint\tNettyServerConfig\t0\t4.9.8,5.3.3,develop\n"
const goodServer = serverHeader + "listenPort\tint\tNettyServerConfig\tyes\t0\n"

func TestParseRejectsBadData(t *testing.T) {
	tests := []struct {
		name   string
		broker string
		server string
		want   string
	}{
		{name: "too few fields", broker: brokerHeader + "listenPort\tint\tNettyServerConfig\t0\n", server: goodServer,
			want: "broker-keys.tsv line 2: want 5 tab-separated fields, got 4"},
		{name: "empty key", broker: brokerHeader + "\tint\tX\t0\t5.3.3\n", server: goodServer,
			want: `broker-keys.tsv line 2: bad key name ""`},
		{name: "key with space", broker: brokerHeader + "listen Port\tint\tX\t0\t5.3.3\n", server: goodServer,
			want: `broker-keys.tsv line 2: bad key name "listen Port"`},
		{name: "duplicate broker key", broker: goodBroker + "listenPort\tint\tBrokerConfig\t0\t5.3.3\n", server: goodServer,
			want: `broker-keys.tsv line 3: duplicate key "listenPort"`},
		{name: "unknown type", broker: brokerHeader + "listenPort\tshort\tX\t0\t5.3.3\n", server: goodServer,
			want: `broker-keys.tsv line 2: unknown type "short"`},
		{name: "empty version", broker: brokerHeader + "listenPort\tint\tX\t0\t5.3.3,,develop\n", server: goodServer,
			want: `broker-keys.tsv line 2: empty version in "5.3.3,,develop"`},
		{name: "no 5.3.3", broker: brokerHeader + "listenPort\tint\tX\t0\t4.9.8\n", server: goodServer,
			want: "name server table version 5.3.3 is not in the broker table"},
		{name: "special key in table", broker: goodBroker + "rmqAddressServerDomain\tString\t\t\t5.3.3\n", server: goodServer,
			want: `broker-keys.tsv: "rmqAddressServerDomain" is also a special key`},
		{name: "no rows", broker: brokerHeader, server: goodServer, want: "broker-keys.tsv: no rows"},
		{name: "unknown class", broker: goodBroker, server: serverHeader + "x\tint\tBrokerConfig\tyes\t0\n",
			want: `namesrv-controller-keys.tsv line 2: unknown class "BrokerConfig"`},
		{name: "bad applied", broker: goodBroker, server: serverHeader + "x\tint\tNamesrvConfig\tmaybe\t0\n",
			want: `namesrv-controller-keys.tsv line 2: applied must be yes or no, got "maybe"`},
		{name: "unknown applied type", broker: goodBroker, server: serverHeader + "x\tJraftConfig\tControllerConfig\tyes\t0\n",
			want: `namesrv-controller-keys.tsv line 2: unknown type "JraftConfig"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.broker, tc.server)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestParseSmallTables(t *testing.T) {
	server := serverHeader +
		"listenPort\tint\tNettyServerConfig\tyes\t0\n" +
		"mode\tSomeEnum\tControllerConfig\tno\tSomeEnum.A\n" +
		"mode\tint\tControllerConfig\tyes\tSomeEnum.A\n" +
		"mode\tString\tControllerConfig\tyes\tSomeEnum.A\n" +
		"hidden\tJraftConfig\tControllerConfig\tno\tnew JraftConfig()\n"
	broker := strings.ReplaceAll(goodBroker, "\n", "\r\n") + "onlyDevelop\tboolean\tBrokerConfig\tfalse\tdevelop\n"
	cat, err := parse(broker, server)
	require.NoError(t, err)

	assert.Equal(t, []string{"4.9.8", "5.3.3"}, cat.versions)
	assert.Equal(t, []string{"listenPort", "rmqAddressServerDomain", "rmqAddressServerSubGroup"}, cat.tables[Broker].all)
	assert.Equal(t, []string{"4.9.8", "5.3.3"}, cat.tables[Broker].byName["listenPort"].key.Versions)

	mode := cat.tables[Controller].byName["mode"]
	require.NotNil(t, mode)
	assert.Equal(t, "String|int", mode.key.Type)
	assert.Equal(t, []string{"5.3.3"}, mode.key.Versions, "no controller before 5.0.0")
	assert.Nil(t, cat.tables[Controller].byName["hidden"])
	assert.Equal(t, []string{"4.9.8", "5.3.3"}, cat.tables[NameServer].byName["listenPort"].key.Versions)
}

func TestMergeTypes(t *testing.T) {
	tests := []struct {
		a, b, want string
	}{
		{a: "int", b: "int", want: "int"},
		{a: "", b: "int", want: "int"},
		{a: "int", b: "", want: "int"},
		{a: "int", b: "String", want: "String|int"},
		{a: "String|int", b: "int", want: "String|int"},
		{a: "long", b: "String|int", want: "String|int|long"},
	}
	for _, tc := range tests {
		t.Run(tc.a+"+"+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.want, mergeTypes(tc.a, tc.b))
		})
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
