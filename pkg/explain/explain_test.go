package explain_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/explain"
	"github.com/rocketops/rocketops/schemas"
)

func field(t *testing.T, path string) (string, error) {
	t.Helper()
	var b strings.Builder
	err := explain.Field(&b, schemas.Cluster, path)
	return b.String(), err
}

func TestField(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		first   string   // the first line
		holds   []string // lines or fragments the output must hold
		lacks   []string // fragments it must not hold
		ordered []string // fragments that must appear in this order
	}{
		{
			name:  "the whole document",
			path:  "",
			first: "FIELD: RocketMQCluster <object>",
			holds: []string{"DESCRIPTION:\n  One Apache RocketMQ cluster on Kubernetes", "  apiVersion\t<rocketops.dev/v1alpha1> -required-", "  spec\t<object> -required-", "    The cluster's desired state."},
			lacks: []string{"DEFAULT:"},
		},
		{
			name:    "a nested object, fields sorted",
			path:    "spec.brokers.storage",
			first:   "FIELD: spec.brokers.storage <object>",
			holds:   []string{"Default: a PersistentVolumeClaim of 8Gi per member.", "  mode\t<persistentVolumeClaim|local|nfs|hostPath|emptyDir>", "  size\t<string|number>", "  accessModes\t<[]ReadWriteOnce|ReadWriteOncePod|ReadWriteMany|ReadOnlyMany>"},
			lacks:   []string{"-required-"},
			ordered: []string{"  accessModes\t", "  medium\t", "  mode\t", "  path\t", "  size\t", "  storageClass\t"},
		},
		{
			name:  "dots around the path are ignored",
			path:  ".spec.version.",
			first: "FIELD: spec.version <" + strings.Join(catalog.Versions(), "|") + ">",
			holds: []string{"EXAMPLE: \"5.3.3\""},
			lacks: []string{"FIELDS:"},
		},
		{
			name:  "a default",
			path:  "spec.brokers.replication",
			first: "FIELD: spec.brokers.replication <ASYNC|SYNC>",
			holds: []string{"\nDEFAULT: \"ASYNC\"\n"},
		},
		{
			name:  "a list of named items shows the item's fields",
			path:  "spec.brokers.groups",
			first: "FIELD: spec.brokers.groups <integer|array>",
			holds: []string{"DEFAULT: 1", "EXAMPLE: 2", "  name\t<string>", "  slaves\t<integer>"},
		},
		{
			name:  "a map of environments: any name walks into the entry",
			path:  "spec.environments.prod.spec",
			first: "FIELD: spec.environments.prod.spec <object>",
			holds: []string{"Partial spec merged over the base spec.", "  brokers\t<object>", "  version\t<"},
		},
		{
			name:  "an environment",
			path:  "spec.environments.staging",
			first: "FIELD: spec.environments.staging <object>",
			holds: []string{"  metadata\t<object>", "  spec\t<object>"},
		},
		{
			name:  "the referring field's description wins over the shared definition's",
			path:  "spec.nameServer.storage",
			first: "FIELD: spec.nameServer.storage <object>",
			holds: []string{"Where the name server keeps kvConfig.json."},
		},
		{
			name:  "a string map",
			path:  "metadata.labels",
			first: "FIELD: metadata.labels <map>",
			lacks: []string{"FIELDS:"},
		},
		{
			name:  "long descriptions wrap within 80 columns",
			path:  "spec.environments",
			first: "FIELD: spec.environments <map>",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := field(t, tc.path)
			require.NoError(t, err)
			assert.Equal(t, tc.first, strings.SplitN(out, "\n", 2)[0])
			for _, h := range tc.holds {
				assert.Contains(t, out, h)
			}
			for _, l := range tc.lacks {
				assert.NotContains(t, out, l)
			}
			last := -1
			for _, o := range tc.ordered {
				i := strings.Index(out, o)
				require.GreaterOrEqual(t, i, 0, o)
				assert.Greater(t, i, last, "%q out of order", o)
				last = i
			}
			// Prose wraps; field lines, the field's type, defaults and examples are data and
			// stay whole.
			for _, line := range strings.Split(out, "\n") {
				if !strings.Contains(line, "\t") && !strings.HasPrefix(line, "EXAMPLE: ") && !strings.HasPrefix(line, "DEFAULT: ") &&
					!strings.HasPrefix(line, "FIELD: ") {
					assert.LessOrEqual(t, len(line), 80, "line too long: %q", line)
				}
			}
		})
	}
}

func TestFieldListItem(t *testing.T) {
	// Field looks a name up in a list's items, but the lookup's "found" result is shadowed in an
	// inner if, so the item's own fields are refused with a hint naming the very same path.

	out, err := field(t, "spec.brokers.groups.name")
	require.NoError(t, err)
	assert.Equal(t, "FIELD: spec.brokers.groups.name <string>", strings.SplitN(out, "\n", 2)[0])
	assert.Contains(t, out, "brokerName of the group")
}

func TestFieldFirstSentence(t *testing.T) {
	// The field list shows each description's first sentence, cut at the first ". ", which an
	// abbreviation such as "e.g. " also contains.

	out, err := field(t, "spec.brokers.resources.limits")
	require.NoError(t, err)
	assert.Contains(t, out, "    CPU, e.g. 500m or 2.\n")
}

func TestFieldNotFound(t *testing.T) {
	tests := []struct {
		name string
		path string
		hint string
	}{
		{name: "misspelt last part", path: "spec.brokers.storag", hint: `did you mean "spec.brokers.storage"?`},
		{name: "case only", path: "spec.Brokers", hint: `did you mean "spec.brokers"?`},
		{name: "misspelt middle part", path: "spec.brokrs.storage", hint: `did you mean "spec.brokers"?`},
		{name: "misspelt inside an environment", path: "spec.environments.prod.spec.consol", hint: `did you mean "spec.environments.prod.spec.console"?`},
		{name: "nothing close lists the fields", path: "spec.dashboard", hint: "fields here: auth, brokers, clusterDomain, console, controller, environments, gitops, images, metrics, nameServer, networkPolicy, placement, proxy, version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := field(t, tc.path)
			require.Error(t, err)
			assert.Empty(t, out, "nothing is written for an unknown path")
			var nf *explain.NotFoundError
			require.True(t, errors.As(err, &nf))
			assert.Equal(t, tc.path, nf.Path)
			assert.Equal(t, tc.hint, nf.Hint)
			assert.Equal(t, `no field "`+tc.path+`" in RocketMQCluster`+"\n\thint: "+tc.hint, err.Error())
		})
	}
}

func TestFieldBelowALeaf(t *testing.T) {

	for _, path := range []string{"spec.version.major", "metadata.labels.team"} {
		_, err := field(t, path)
		var nf *explain.NotFoundError
		require.True(t, errors.As(err, &nf))
		assert.NotEqual(t, "fields here: ", nf.Hint)
	}
}

func TestFieldBadSchema(t *testing.T) {
	var b strings.Builder
	err := explain.Field(&b, []byte("{"), "spec")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "internal error")
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name    string
		comp    catalog.Component
		version string
		noun    string
		holds   string
	}{
		{name: "broker 4.9.8", comp: catalog.Broker, version: "4.9.8", noun: "broker", holds: "flushDiskType\tString\t"},
		{name: "broker 5.3.3", comp: catalog.Broker, version: "5.3.3", noun: "broker", holds: "fetchNameSrvAddrByDnsLookup\t"},
		{name: "name server", comp: catalog.NameServer, version: "5.3.3", noun: "name server", holds: "orderMessageEnable\tboolean\tfalse"},
		{name: "name server 4.9.8", comp: catalog.NameServer, version: "4.9.8", noun: "name server", holds: "listenPort\tint\t"},
		{name: "controller", comp: catalog.Controller, version: "5.2.0", noun: "controller", holds: "jRaftGroupId\tString\t\"jRaft-Controller\""},
		{name: "broker 4.9.0", comp: catalog.Broker, version: "4.9.0", noun: "broker", holds: "commercialEnable\tboolean\ttrue"},
		{name: "broker 5.1.1", comp: catalog.Broker, version: "5.1.1", noun: "broker", holds: "useStaticSubscription\tboolean\tfalse"},
		{name: "proxy", comp: catalog.Proxy, version: "5.3.3", noun: "proxy", holds: "grpcServerPort\tint\t8081"},
		{name: "proxy 5.0.0", comp: catalog.Proxy, version: "5.0.0", noun: "proxy", holds: "proxyMode\tString\tProxyMode.CLUSTER.name()"},
		{name: "proxy enum key", comp: catalog.Proxy, version: "5.1.0", noun: "proxy", holds: "metricsExporterType\tString\tMetricsExporterType.DISABLE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, explain.Keys(&b, tc.comp, tc.version))
			lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
			want := len(catalog.Keys(tc.comp, tc.version))
			require.Positive(t, want)
			assert.Equal(t, strconv.Itoa(want)+" "+tc.noun+" keys in RocketMQ "+tc.version, lines[0])
			assert.Len(t, lines, want+1, "the count line, then one line per key")
			assert.Contains(t, b.String(), "\n"+tc.holds)
			for _, l := range lines[1:] {
				assert.Len(t, strings.Split(l, "\t"), 3, "name, type, default: %q", l)
			}
		})
	}

	t.Run("counts differ between versions", func(t *testing.T) {
		var a, b strings.Builder
		require.NoError(t, explain.Keys(&a, catalog.Broker, "4.9.8"))
		require.NoError(t, explain.Keys(&b, catalog.Broker, "5.3.3"))
		// The reference counts: 185 broker keys in 4.9.8, 442 in 5.3.3, plus the two keys
		// BrokerStartup reads itself.
		assert.Regexp(t, `^18[57] broker keys in RocketMQ 4\.9\.8\n`, a.String())
		assert.Regexp(t, `^44[24] broker keys in RocketMQ 5\.3\.3\n`, b.String())
	})

	t.Run("name server keys of 4.9.8 are those of 4.9.8", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, explain.Keys(&b, catalog.NameServer, "4.9.8"))
		out := b.String()
		assert.True(t, strings.HasPrefix(out, "21 name server keys in RocketMQ 4.9.8\n"), out)
		assert.Contains(t, out, "\nlistenPort\tint\t")
		assert.Contains(t, out, "\nconfigBlackList\tString\t")
		// Added in 5.x to NamesrvConfig and NettyServerConfig, and the
		// NettyClientConfig keys, which the 4.9.8 name server does not read.
		for _, name := range []string{"supportActingMaster", "enableControllerInNamesrv", "waitSecondsForService", "bindAddress", "clientWorkerThreads", "useTLS"} {
			assert.NotContains(t, out, "\n"+name+"\t")
		}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
			name, _, _ := strings.Cut(l, "\t")
			k, ok := catalog.Find(catalog.NameServer, name)
			require.True(t, ok, name)
			assert.Contains(t, k.Versions, "4.9.8", name)
		}
	})

	t.Run("no controller keys in 4.9.8", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, explain.Keys(&b, catalog.Controller, "4.9.8"))
		assert.Equal(t, "0 controller keys in RocketMQ 4.9.8\n", b.String())
	})

	t.Run("no proxy keys in 4.x", func(t *testing.T) {
		for _, v := range []string{"4.9.0", "4.9.8"} {
			var b strings.Builder
			require.NoError(t, explain.Keys(&b, catalog.Proxy, v))
			assert.Equal(t, "0 proxy keys in RocketMQ "+v+"\n", b.String())
		}
	})

	t.Run("proxy keys of a version are those of that version", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, explain.Keys(&b, catalog.Proxy, "5.0.0"))
		out := b.String()
		for _, name := range []string{"grpcServerPort", "namesrvAddr", "proxyMode", "rocketMQClusterName", "grpcTlsCertPath"} {
			assert.Contains(t, out, "\n"+name+"\t")
		}
		// remotingListenPort and the metrics keys came in 5.1.0, AuthConfig in 5.3.0.
		for _, name := range []string{"remotingListenPort", "metricsExporterType", "authenticationEnabled", "delayLevelTable"} {
			assert.NotContains(t, out, "\n"+name+"\t")
		}
		b.Reset()
		require.NoError(t, explain.Keys(&b, catalog.Proxy, "5.3.3"))
		assert.Contains(t, b.String(), "\nremotingListenPort\tint\t8080\n")
		assert.Contains(t, b.String(), "\nauthenticationEnabled\tboolean\tfalse\n")
		assert.NotContains(t, b.String(), "\ngrpcTlsCertPath\t")
	})

	t.Run("defaults are whole", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, explain.Keys(&b, catalog.Controller, "5.3.3"))
		assert.Contains(t, b.String(), "\nconfigBlackList\tString\t\"configBlackList;configStorePath\"\n")
		b.Reset()
		require.NoError(t, explain.Keys(&b, catalog.NameServer, "5.3.3"))
		assert.Contains(t, b.String(), "\nconfigBlackList\tString\t\"configBlackList;configStorePath;kvConfigPath\"\n")
	})

	t.Run("unknown version", func(t *testing.T) {
		var b strings.Builder
		err := explain.Keys(&b, catalog.Broker, "9.9")
		require.Error(t, err)
		assert.Contains(t, err.Error(), `no key data for RocketMQ "9.9"; versions: 4.9.0, 4.9.1,`)
		assert.Contains(t, err.Error(), `, 5.3.3`)
		assert.Empty(t, b.String())
	})
}
