package catalog_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/catalog"
)

var specialKeys = []string{"rmqAddressServerDomain", "rmqAddressServerSubGroup"}

var components = []catalog.Component{catalog.Broker, catalog.NameServer, catalog.Controller, catalog.Proxy}

// allReleases are the Apache RocketMQ releases from 4.9.0 to 5.3.3, without
// the 5.0.0 previews.
var allReleases = []string{
	"4.9.0", "4.9.1", "4.9.2", "4.9.3", "4.9.4", "4.9.5", "4.9.6", "4.9.7", "4.9.8",
	"5.0.0", "5.1.0", "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.2.0",
	"5.3.0", "5.3.1", "5.3.2", "5.3.3",
}

// since returns the releases from v on.
func since(v string) []string {
	return allReleases[slices.Index(allReleases, v):]
}

// between returns the releases from first to last.
func between(first, last string) []string {
	return allReleases[slices.Index(allReleases, first) : slices.Index(allReleases, last)+1]
}

func TestVersions(t *testing.T) {
	want := allReleases
	assert.Equal(t, want, catalog.Versions())

	got := catalog.Versions()
	got[0] = "changed"
	assert.Equal(t, want, catalog.Versions(), "callers must not be able to change the catalog")
}

func TestSupported(t *testing.T) {
	tests := []struct {
		name    string
		version string
		want    bool
	}{
		{name: "oldest", version: "4.9.0", want: true},
		{name: "last 4.x", version: "4.9.8", want: true},
		{name: "a patch release", version: "5.1.1", want: true},
		{name: "newest", version: "5.3.3", want: true},
		{name: "preview is no release", version: "5.0.0-PREVIEW", want: false},
		{name: "alpha is no release", version: "5.0.0-ALPHA", want: false},
		{name: "4.9.x before 4.9.0", version: "4.8.0", want: false},
		{name: "develop branch is no release", version: "develop", want: false},
		{name: "unknown release", version: "5.3.4", want: false},
		{name: "short form is not matched", version: "5.3", want: false},
		{name: "v prefix is not matched", version: "v5.3.3", want: false},
		{name: "empty", version: "", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, catalog.Supported(tc.version))
		})
	}
}

func TestBrokerKeyCounts(t *testing.T) {
	tests := []struct {
		version string
		table   int // keys from broker-keys.tsv; the special keys come on top
	}{
		{version: "4.9.0", table: 168},
		{version: "4.9.3", table: 183},
		{version: "4.9.8", table: 185},
		{version: "5.0.0", table: 298},
		{version: "5.1.1", table: 339},
		{version: "5.1.3", table: 351},
		{version: "5.3.3", table: 442},
	}
	for _, tc := range tests {
		t.Run(tc.version, func(t *testing.T) {
			keys := catalog.Keys(catalog.Broker, tc.version)
			for _, s := range specialKeys {
				require.Contains(t, keys, s)
			}
			assert.Len(t, keys, tc.table+len(specialKeys))
		})
	}
}

func TestKeysSortedAndDeterministic(t *testing.T) {
	for _, c := range components {
		for _, v := range catalog.Versions() {
			first := catalog.Keys(c, v)
			assert.True(t, slices.IsSorted(first), "%s %s not sorted", c, v)
			assert.Len(t, slices.Compact(slices.Clone(first)), len(first), "%s %s has duplicates", c, v)
			if len(first) > 0 {
				first[0] = "changed"
			}
			second := catalog.Keys(c, v)
			assert.NotContains(t, second, "changed", "%s %s: result shares memory with the catalog", c, v)
			assert.Equal(t, second, catalog.Keys(c, v))
		}
	}
}

func TestKeysUnknown(t *testing.T) {
	assert.Nil(t, catalog.Keys(catalog.Broker, "develop"))
	assert.Nil(t, catalog.Keys(catalog.Broker, "9.9.9"))
	assert.Nil(t, catalog.Keys(catalog.Component(42), "5.3.3"))
	assert.Empty(t, catalog.Keys(catalog.Controller, "4.9.8"), "4.9.8 has no controller")
	assert.Empty(t, catalog.Keys(catalog.Proxy, "4.9.8"), "4.9.8 has no proxy")
	assert.Empty(t, catalog.Keys(catalog.Proxy, "4.9.0"))
	assert.NotEmpty(t, catalog.Keys(catalog.Proxy, "5.0.0"))
}

func TestKeysMatchLookup(t *testing.T) {
	for _, c := range components {
		for _, v := range catalog.Versions() {
			for _, name := range catalog.Keys(c, v) {
				k, ok := catalog.Lookup(c, v, name)
				require.True(t, ok, "%s %s %s listed but not found", c, v, name)
				require.Equal(t, name, k.Name)
				require.Contains(t, k.Versions, v)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name      string
		component catalog.Component
		version   string
		key       string
		want      bool
	}{
		{name: "key in every version, oldest", component: catalog.Broker, version: "4.9.8", key: "flushDiskType", want: true},
		{name: "key in every version, newest", component: catalog.Broker, version: "5.3.3", key: "flushDiskType", want: true},
		{name: "5.x key in 4.9.8", component: catalog.Broker, version: "4.9.8", key: "accountStatsEnable", want: false},
		{name: "5.x key in 5.0.0", component: catalog.Broker, version: "5.0.0", key: "accountStatsEnable", want: true},
		{name: "key removed after 4.9.8", component: catalog.Broker, version: "5.0.0", key: "commercialEnable", want: false},
		{name: "removed key in its version", component: catalog.Broker, version: "4.9.8", key: "commercialEnable", want: true},
		{name: "case matters", component: catalog.Broker, version: "5.3.3", key: "FlushDiskType", want: false},
		{name: "unsupported version", component: catalog.Broker, version: "develop", key: "flushDiskType", want: false},
		{name: "develop-only key", component: catalog.Broker, version: "5.3.3", key: "enableSplitMetadata", want: false},
		{name: "broker key is no name server key", component: catalog.NameServer, version: "5.3.3", key: "flushDiskType", want: false},
		{name: "unknown component", component: catalog.Component(7), version: "5.3.3", key: "flushDiskType", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, ok := catalog.Lookup(tc.component, tc.version, tc.key)
			assert.Equal(t, tc.want, ok)
			if tc.want {
				assert.Equal(t, tc.key, k.Name)
			} else {
				assert.Zero(t, k)
			}
		})
	}
}

func TestFindGivesVersions(t *testing.T) {
	_, ok := catalog.Lookup(catalog.Broker, "4.9.8", "broadcastOffsetExpireMaxSecond")
	require.False(t, ok)

	k, ok := catalog.Find(catalog.Broker, "broadcastOffsetExpireMaxSecond")
	require.True(t, ok)
	assert.Equal(t, catalog.Key{
		Name:     "broadcastOffsetExpireMaxSecond",
		Type:     "long",
		Classes:  []string{"BrokerConfig"},
		Default:  "5 * 60",
		Versions: since("5.1.0"),
	}, k)

	k, ok = catalog.Find(catalog.Broker, "filterServerNums")
	require.True(t, ok)
	assert.Equal(t, between("4.9.0", "5.1.0"), k.Versions, "BrokerConfig drops the setter in 5.1.1")

	_, ok = catalog.Find(catalog.Broker, "enableSplitMetadata")
	assert.False(t, ok, "develop-only keys exist in no release")
	_, ok = catalog.Find(catalog.Broker, "noSuchKey")
	assert.False(t, ok)
}

func TestLookupReturnsCopy(t *testing.T) {
	k, ok := catalog.Lookup(catalog.Broker, "5.3.3", "listenPort")
	require.True(t, ok)
	require.Equal(t, []string{"BrokerConfig", "NettyServerConfig"}, k.Classes)
	k.Classes[0] = "changed"
	k.Versions[0] = "changed"

	again, _ := catalog.Lookup(catalog.Broker, "5.3.3", "listenPort")
	assert.Equal(t, []string{"BrokerConfig", "NettyServerConfig"}, again.Classes)
	assert.Equal(t, "4.9.0", again.Versions[0])
}

func TestKeyGoneBy533(t *testing.T) {
	// A key whose last release is older than 5.3.3 has its type, class and
	// default from that release: MessageStoreConfig.setBatchWriteKvCqSize(int)
	// exists in rocketmq-all-5.3.1 only.
	k, ok := catalog.Lookup(catalog.Broker, "5.3.1", "batchWriteKvCqSize")
	require.True(t, ok)
	assert.Equal(t, catalog.Key{
		Name:     "batchWriteKvCqSize",
		Type:     "int",
		Classes:  []string{"MessageStoreConfig"},
		Default:  "16",
		Versions: []string{"5.3.1"},
	}, k)
	assert.Error(t, catalog.CheckValue(k, "sixteen"))

	k, ok = catalog.Find(catalog.Broker, "memTableFlushInterval")
	require.True(t, ok)
	assert.Equal(t, []string{"5.1.4"}, k.Versions, "renamed memTableFlushIntervalMs in 5.2.0")
	assert.Equal(t, "long", k.Type)
}

func TestEmptyTypeKeys(t *testing.T) {
	// The tables give every key a type, but a Key without one gets the
	// checks on the text only.
	k := catalog.Key{Name: "someKey"}
	assert.NoError(t, catalog.CheckValue(k, "anything"), "only text checks apply to an unknown type")
	assert.Error(t, catalog.CheckValue(k, "16 # rows"))
}

func TestSpecialKeys(t *testing.T) {
	for _, name := range specialKeys {
		for _, v := range catalog.Versions() {
			t.Run(name+"/"+v, func(t *testing.T) {
				k, ok := catalog.Lookup(catalog.Broker, v, name)
				require.True(t, ok)
				assert.Equal(t, "String", k.Type)
				assert.Equal(t, catalog.Versions(), k.Versions)
			})
		}
		_, ok := catalog.Find(catalog.NameServer, name)
		assert.False(t, ok, "%s is a broker key only", name)
	}
}

func TestNameServerControllerSplit(t *testing.T) {
	tests := []struct {
		name      string
		component catalog.Component
		version   string
		key       string
		want      bool
	}{
		{name: "NamesrvConfig key", component: catalog.NameServer, version: "5.3.3", key: "orderMessageEnable", want: true},
		{name: "NettyServerConfig key", component: catalog.NameServer, version: "5.3.3", key: "listenPort", want: true},
		{name: "NettyClientConfig key", component: catalog.NameServer, version: "5.3.3", key: "useTLS", want: true},
		{name: "NettyServerConfig key in 4.9.8", component: catalog.NameServer, version: "4.9.8", key: "listenPort", want: true},
		{name: "NettyServerConfig key in 4.9.0", component: catalog.NameServer, version: "4.9.0", key: "listenPort", want: true},
		{name: "4.9.8 name server reads no NettyClientConfig", component: catalog.NameServer, version: "4.9.8", key: "useTLS", want: false},
		{name: "4.9.0 name server reads no NettyClientConfig", component: catalog.NameServer, version: "4.9.0", key: "clientWorkerThreads", want: false},
		{name: "controller key is not a name server key", component: catalog.NameServer, version: "5.3.3", key: "controllerType", want: false},
		{name: "JraftConfig key is not a name server key", component: catalog.NameServer, version: "5.3.3", key: "jRaftGroupId", want: false},
		{name: "ControllerConfig key", component: catalog.Controller, version: "5.3.3", key: "controllerType", want: true},
		{name: "JraftConfig key", component: catalog.Controller, version: "5.3.3", key: "jRaftGroupId", want: true},
		{name: "key on both NamesrvConfig and ControllerConfig", component: catalog.Controller, version: "5.3.3", key: "configStorePath", want: true},
		{name: "controller key in 5.0.0", component: catalog.Controller, version: "5.0.0", key: "controllerDLegerPeers", want: true},
		{name: "no controller in 4.9.8", component: catalog.Controller, version: "4.9.8", key: "controllerDLegerPeers", want: false},
		{name: "not applied by properties2Object", component: catalog.Controller, version: "5.3.3", key: "jraftConfig", want: false},
		{name: "name server key is not a controller key", component: catalog.Controller, version: "5.3.3", key: "orderMessageEnable", want: false},
		{name: "netty key is not a controller key", component: catalog.Controller, version: "5.3.3", key: "listenPort", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ok := catalog.Lookup(tc.component, tc.version, tc.key)
			assert.Equal(t, tc.want, ok)
		})
	}
}

// TestServerKeyVersions checks keys against the releases whose sources
// define them: Lookup must find each key in exactly the versions listed.
func TestServerKeyVersions(t *testing.T) {
	tests := []struct {
		name      string
		component catalog.Component
		key       string
		versions  []string
	}{
		{name: "NamesrvConfig key in every release", component: catalog.NameServer, key: "orderMessageEnable", versions: since("4.9.0")},
		{name: "NamesrvConfig key added in 4.9.8", component: catalog.NameServer, key: "configBlackList",
			versions: append([]string{"4.9.8"}, since("5.2.0")...)},
		{name: "NamesrvConfig key added in 5.0.0", component: catalog.NameServer, key: "supportActingMaster", versions: since("5.0.0")},
		{name: "NamesrvConfig key added in 5.1.0", component: catalog.NameServer, key: "needWaitForService", versions: since("5.1.0")},
		{name: "NamesrvConfig key added in 5.1.4", component: catalog.NameServer, key: "deleteTopicWithBrokerRegistration", versions: since("5.1.4")},
		{name: "NettyServerConfig key added in 4.9.3", component: catalog.NameServer, key: "serverSocketBacklog", versions: since("4.9.3")},
		{name: "NettyServerConfig key added in 5.0.0", component: catalog.NameServer, key: "bindAddress", versions: since("5.0.0")},
		{name: "NettyServerConfig key added in 5.3.1", component: catalog.NameServer, key: "serverNettyWorkerGroupEnable", versions: since("5.3.1")},
		{name: "NettyClientConfig is read from 5.0.0 on", component: catalog.NameServer, key: "clientWorkerThreads", versions: since("5.0.0")},
		{name: "NettyClientConfig key removed in 5.3.2", component: catalog.NameServer, key: "enableTransparentRetry",
			versions: []string{"5.2.0", "5.3.0", "5.3.1"}},
		{name: "on both Netty classes from 4.9.3 on", component: catalog.NameServer, key: "writeBufferLowWaterMark", versions: since("4.9.3")},
		{name: "ControllerConfig key from the start", component: catalog.Controller, key: "controllerDLegerPeers", versions: since("5.0.0")},
		{name: "ControllerConfig key added in 5.1.1", component: catalog.Controller, key: "scanInactiveMasterInterval", versions: since("5.1.1")},
		{name: "ControllerConfig key added in 5.1.2", component: catalog.Controller, key: "metricsPromExporterPort", versions: since("5.1.2")},
		{name: "5.1.2 to 5.1.4 have only the enum setter", component: catalog.Controller, key: "metricsExporterType", versions: since("5.2.0")},
		{name: "ControllerConfig key added in 5.2.0", component: catalog.Controller, key: "controllerType", versions: since("5.2.0")},
		{name: "JraftConfig arrives in 5.2.0", component: catalog.Controller, key: "jRaftGroupId", versions: since("5.2.0")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, ok := catalog.Find(tc.component, tc.key)
			require.True(t, ok)
			assert.Equal(t, tc.versions, k.Versions)
			for _, v := range catalog.Versions() {
				_, ok := catalog.Lookup(tc.component, v, tc.key)
				assert.Equal(t, slices.Contains(tc.versions, v), ok, "Lookup in %s", v)
			}
		})
	}
}

// TestBrokerKeyVersions checks broker keys that appear or go in the releases
// between the ones the tables covered first, each against the setter at the
// tags (BrokerConfig, MessageStoreConfig, NettyServerConfig).
func TestBrokerKeyVersions(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		versions []string
	}{
		{name: "in every release", key: "flushDiskType", versions: since("4.9.0")},
		{name: "MessageStoreConfig key added in 4.9.2", key: "readOnlyCommitLogStorePaths", versions: since("4.9.2")},
		{name: "MessageStoreConfig key added in 4.9.3", key: "enableLmq", versions: since("4.9.3")},
		{name: "NettyServerConfig key added in 4.9.3", key: "serverSocketBacklog", versions: since("4.9.3")},
		{name: "MessageStoreConfig key added in 4.9.4", key: "storePathDLedgerCommitLog", versions: since("4.9.4")},
		{name: "BrokerConfig key in 4.9.8, then from 5.2.0 on", key: "configBlackList",
			versions: append([]string{"4.9.8"}, since("5.2.0")...)},
		{name: "BrokerConfig key of 4.9.x only", key: "commercialEnable", versions: between("4.9.0", "4.9.8")},
		{name: "BrokerConfig key removed in 5.1.1", key: "maxDelayTime", versions: between("4.9.0", "5.1.0")},
		{name: "BrokerConfig key added in 5.1.1", key: "useStaticSubscription", versions: since("5.1.1")},
		{name: "MessageStoreConfig key added in 5.1.1", key: "storePathBrokerIdentity", versions: since("5.1.1")},
		{name: "MessageStoreConfig key added in 5.1.2", key: "accessMessageInMemoryHotRatio", versions: since("5.1.2")},
		{name: "BrokerConfig key added in 5.1.3", key: "fetchNamesrvAddrInterval", versions: since("5.1.3")},
		{name: "AuthConfig is read from 5.3.0 on", key: "authenticationEnabled", versions: since("5.3.0")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, ok := catalog.Find(catalog.Broker, tc.key)
			require.True(t, ok)
			assert.Equal(t, tc.versions, k.Versions)
			for _, v := range catalog.Versions() {
				_, ok := catalog.Lookup(catalog.Broker, v, tc.key)
				assert.Equal(t, slices.Contains(tc.versions, v), ok, "Lookup in %s", v)
			}
		})
	}
}

// TestEveryReleaseHasKeys checks that each release has keys of its own
// components and none of those it lacks.
func TestEveryReleaseHasKeys(t *testing.T) {
	for _, v := range allReleases {
		t.Run(v, func(t *testing.T) {
			require.True(t, catalog.Supported(v))
			assert.NotEmpty(t, catalog.Keys(catalog.Broker, v))
			assert.NotEmpty(t, catalog.Keys(catalog.NameServer, v))
			has5 := catalog.Compare(v, "5.0.0") >= 0
			assert.Equal(t, has5, len(catalog.Keys(catalog.Controller, v)) > 0, "controller keys")
			assert.Equal(t, has5, len(catalog.Keys(catalog.Proxy, v)) > 0, "proxy keys")
		})
	}
}

func TestNoControllerKeysIn4x(t *testing.T) {
	for _, name := range []string{"controllerDLegerPeers", "controllerType", "jRaftGroupId", "configBlackList"} {
		_, ok := catalog.Lookup(catalog.Controller, "4.9.8", name)
		assert.False(t, ok, name)
		k, ok := catalog.Find(catalog.Controller, name)
		require.True(t, ok, name)
		assert.NotContains(t, k.Versions, "4.9.8")
		assert.Empty(t, catalog.SuggestIn(catalog.Controller, "4.9.8", name), "nothing to suggest without a controller")
	}
}

func TestServerKeys(t *testing.T) {
	k, ok := catalog.Find(catalog.Controller, "metricsExporterType")
	require.True(t, ok)
	assert.Equal(t, "String|int", k.Type, "the enum-typed setter is not applied, the int and String ones are")
	assert.Equal(t, []string{"ControllerConfig"}, k.Classes)

	k, ok = catalog.Find(catalog.NameServer, "writeBufferLowWaterMark")
	require.True(t, ok)
	assert.Equal(t, "int", k.Type)
	assert.Equal(t, []string{"NettyClientConfig", "NettyServerConfig"}, k.Classes)

	k, ok = catalog.Find(catalog.NameServer, "configStorePath")
	require.True(t, ok)
	assert.Equal(t, []string{"NamesrvConfig"}, k.Classes)
	assert.Contains(t, k.Default, `"namesrv"`)

	k, ok = catalog.Find(catalog.Controller, "processReadEvent")
	require.True(t, ok)
	assert.Equal(t, "false", k.Default, "the setter writes the field isProcessReadEvent")

	_, ok = catalog.Find(catalog.Controller, "jraftConfig")
	assert.False(t, ok, "properties2Object cannot build a JraftConfig")
}

func TestServerDefaultsWhole(t *testing.T) {
	tests := []struct {
		component catalog.Component
		key       string
		want      string
	}{
		{component: catalog.NameServer, key: "configBlackList", want: `"configBlackList;configStorePath;kvConfigPath"`},
		{component: catalog.Controller, key: "configBlackList", want: `"configBlackList;configStorePath"`},
		{component: catalog.Controller, key: "jRaftInitConf", want: `"localhost:9880,localhost:9881,localhost:9882"`},
		{component: catalog.NameServer, key: "useTLS",
			want: `Boolean.parseBoolean(System.getProperty(TLS_ENABLE, String.valueOf(TlsSystemConfig.tlsMode == TlsMode.ENFORCING)))`},
	}
	for _, tc := range tests {
		t.Run(tc.component.String()+"/"+tc.key, func(t *testing.T) {
			k, ok := catalog.Find(tc.component, tc.key)
			require.True(t, ok)
			assert.Equal(t, tc.want, k.Default)
		})
	}
}

// TestProxyKeys checks rmq-proxy.json keys against ProxyConfig and AuthConfig
// at the tags (proxy/src/main/java/org/apache/rocketmq/proxy/config/
// ProxyConfig.java, auth/src/main/java/org/apache/rocketmq/auth/config/
// AuthConfig.java).
func TestProxyKeys(t *testing.T) {
	tests := []struct {
		key      string
		typ      string
		classes  []string
		def      string
		versions []string
	}{
		{key: "grpcServerPort", typ: "int", classes: []string{"ProxyConfig"}, def: "8081", versions: since("5.0.0")},
		{key: "remotingListenPort", typ: "int", classes: []string{"ProxyConfig"}, def: "8080", versions: since("5.1.0")},
		{key: "namesrvAddr", typ: "String", classes: []string{"ProxyConfig"},
			def: "System.getProperty(MixAll.NAMESRV_ADDR_PROPERTY, System.getenv(MixAll.NAMESRV_ADDR_ENV))", versions: since("5.0.0")},
		{key: "proxyMode", typ: "String", classes: []string{"ProxyConfig"}, def: "ProxyMode.CLUSTER.name()", versions: since("5.0.0")},
		{key: "rocketMQClusterName", typ: "String", classes: []string{"ProxyConfig"}, def: "DEFAULT_CLUSTER_NAME", versions: since("5.0.0")},
		{key: "metricsExporterType", typ: "String", classes: []string{"ProxyConfig"}, def: "MetricsExporterType.DISABLE", versions: since("5.1.0")},
		{key: "metricsPromExporterPort", typ: "int", classes: []string{"ProxyConfig"}, def: "5557", versions: since("5.1.0")},
		{key: "grpcTlsCertPath", typ: "String", classes: []string{"ProxyConfig"},
			def: `ConfigurationManager.getProxyHome() + "/conf/tls/rocketmq.crt"`, versions: []string{"5.0.0"}},
		{key: "tlsCertPath", typ: "String", classes: []string{"ProxyConfig"},
			def: `ConfigurationManager.getProxyHome() + "/conf/tls/rocketmq.crt"`, versions: since("5.1.0")},
		{key: "defaultInvisibleTimeMills", typ: "long", classes: []string{"ProxyConfig"},
			def: "Duration.ofSeconds(60).toMillis()", versions: since("5.1.1")},
		{key: "enableACL", typ: "boolean", classes: []string{"ProxyConfig"}, def: "false", versions: between("5.0.0", "5.3.2")},
		{key: "enableMessageBodyEmptyCheck", typ: "boolean", classes: []string{"ProxyConfig"}, def: "true", versions: since("5.3.2")},
		{key: "authenticationEnabled", typ: "boolean", classes: []string{"AuthConfig"}, def: "false", versions: since("5.3.0")},
		{key: "aclCacheMaxNum", typ: "int", classes: []string{"AuthConfig", "ProxyConfig"}, def: "1000", versions: since("5.3.0")},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			k, ok := catalog.Find(catalog.Proxy, tc.key)
			require.True(t, ok)
			assert.Equal(t, catalog.Key{Name: tc.key, Type: tc.typ, Classes: tc.classes, Default: tc.def, Versions: tc.versions}, k)
			for _, v := range catalog.Versions() {
				_, ok := catalog.Lookup(catalog.Proxy, v, tc.key)
				assert.Equal(t, slices.Contains(tc.versions, v), ok, "Lookup in %s", v)
			}
		})
	}

	for _, name := range []string{"delayLevelTable", "flushDiskType", "listenPort", "brokerName"} {
		_, ok := catalog.Find(catalog.Proxy, name)
		assert.False(t, ok, "%s is no proxy key", name)
	}
	_, ok := catalog.Find(catalog.Broker, "grpcServerPort")
	assert.False(t, ok, "grpcServerPort is a proxy key only")
	for _, name := range []string{"grpcServerPort", "proxyMode"} {
		for _, v := range []string{"4.9.0", "4.9.8"} {
			_, ok := catalog.Lookup(catalog.Proxy, v, name)
			assert.False(t, ok, "no proxy in %s", v)
		}
	}
}

func TestProxyValues(t *testing.T) {
	port, ok := catalog.Lookup(catalog.Proxy, "5.3.3", "grpcServerPort")
	require.True(t, ok)
	assert.NoError(t, catalog.CheckValue(port, "8081"))
	assert.ErrorIs(t, catalog.CheckValue(port, "8o81"), catalog.ErrNotNumber)
	assert.ErrorIs(t, catalog.CheckValue(port, "99999999999"), catalog.ErrOutOfRange)

	exporter, ok := catalog.Lookup(catalog.Proxy, "5.3.3", "metricsExporterType")
	require.True(t, ok)
	assert.NoError(t, catalog.CheckValue(exporter, "PROM"), "fastjson takes the enum constant's name")
	assert.ErrorIs(t, catalog.CheckValue(exporter, "prom"), catalog.ErrNotAllowed)

	enabled, ok := catalog.Lookup(catalog.Proxy, "5.3.3", "authenticationEnabled")
	require.True(t, ok)
	assert.NoError(t, catalog.CheckValue(enabled, "true"))
	assert.ErrorIs(t, catalog.CheckValue(enabled, "yes"), catalog.ErrNotBoolean)

	// Every proxy key has a type CheckValue knows.
	for _, v := range catalog.Versions() {
		for _, name := range catalog.Keys(catalog.Proxy, v) {
			k, _ := catalog.Lookup(catalog.Proxy, v, name)
			require.Contains(t, []string{"int", "long", "boolean", "String"}, k.Type, "%s %s", v, name)
		}
	}
}

func TestComponentString(t *testing.T) {
	tests := []struct {
		c    catalog.Component
		want string
	}{
		{c: catalog.Broker, want: "broker"},
		{c: catalog.NameServer, want: "name server"},
		{c: catalog.Controller, want: "controller"},
		{c: catalog.Proxy, want: "proxy"},
		{c: catalog.Component(9), want: "Component(9)"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.c.String())
		})
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{name: "equal", a: "5.3.3", b: "5.3.3", want: 0},
		{name: "patch", a: "5.3.2", b: "5.3.3", want: -1},
		{name: "major", a: "5.0.0", b: "4.9.8", want: 1},
		{name: "numeric not textual", a: "5.10.0", b: "5.9.0", want: 1},
		{name: "missing part is zero", a: "5.3", b: "5.3.0", want: 0},
		{name: "longer is newer", a: "5.3", b: "5.3.1", want: -1},
		{name: "leading zeros", a: "5.03.1", b: "5.3.1", want: 0},
		{name: "huge part", a: "5.99999999999999999999", b: "5.1", want: 1},
		{name: "text after numbers", a: "develop", b: "5.3.3", want: 1},
		{name: "text parts", a: "5.x", b: "5.y", want: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, sign(catalog.Compare(tc.a, tc.b)))
			assert.Equal(t, -tc.want, sign(catalog.Compare(tc.b, tc.a)), "not antisymmetric")
		})
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func BenchmarkLookup(b *testing.B) {
	for b.Loop() {
		if _, ok := catalog.Lookup(catalog.Broker, "5.3.3", "flushDiskType"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkCheckValue(b *testing.B) {
	k, _ := catalog.Lookup(catalog.Broker, "5.3.3", "listenPort")
	for b.Loop() {
		if err := catalog.CheckValue(k, "10911"); err != nil {
			b.Fatal(err)
		}
	}
}
