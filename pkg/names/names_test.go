package names_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/names"
)

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"name server", names.NameServer("rmq"), "rmq-namesrv"},
		{"name-server headless", names.NameServerHeadless("rmq"), "rmq-namesrv-headless"},
		{"name-server config", names.NameServerConfig("rmq"), "rmq-namesrv-config"},
		{"broker headless", names.BrokerHeadless("rmq"), "rmq-broker-headless"},
		{"group", names.BrokerGroup("rmq", "broker-a"), "rmq-broker-a"},
		{"group config", names.BrokerConfig("rmq", "broker-a"), "rmq-broker-a-config"},
		{"group config follows the StatefulSet", names.BrokerConfig("orders", "b"), names.BrokerGroup("orders", "b") + "-config"},
		{"broker policy", names.BrokerPolicy("rmq"), "rmq-broker"},
		{"console", names.Console("rmq"), "rmq-console"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.got)
		})
	}
}

func TestLimits(t *testing.T) {
	// A StatefulSet's pods carry controller-revision-hash=<name>-<10 characters>, a label value of at
	// most 63 characters.
	assert.Equal(t, 63, names.DNSLabel)
	assert.Equal(t, names.DNSLabel-len("-")-10, names.StatefulSet)
	assert.Equal(t, 52, names.StatefulSet)
}

// dnsSubdomain is the limit of ConfigMap, PodDisruptionBudget and NetworkPolicy names.
const dnsSubdomain = 253

// Largest ordinals the schema allows: 9 name servers, 8 slaves (brokerId 8).
const (
	maxNameServerOrdinal = 8
	maxBrokerID          = 8
)

// generated lists every name rocketops makes for a cluster, with the limit that applies to it.
func generated(cluster string, groups []string) map[string]int {
	out := map[string]int{}
	add := func(name string, limit int) {
		if l, ok := out[name]; !ok || limit < l {
			out[name] = limit
		}
	}
	add(names.NameServer(cluster), names.StatefulSet) // also its client Service and PDB
	add(names.NameServerHeadless(cluster), names.DNSLabel)
	add(names.NameServerConfig(cluster), dnsSubdomain)
	add(names.BrokerHeadless(cluster), names.DNSLabel)
	add(names.BrokerPolicy(cluster), dnsSubdomain)
	add(names.Console(cluster), names.DNSLabel) // Deployment, Service, PDB, NetworkPolicy
	add(cluster, names.DNSLabel)                // app.kubernetes.io/instance
	for i := 0; i <= maxNameServerOrdinal; i++ {
		add(fmt.Sprintf("%s-%d", names.NameServer(cluster), i), names.DNSLabel) // pod host name
	}
	for _, g := range groups {
		add(g, names.DNSLabel) // rocketops.dev/broker-group
		add(names.BrokerGroup(cluster, g), names.StatefulSet)
		add(names.BrokerConfig(cluster, g), dnsSubdomain)
		for id := 0; id <= maxBrokerID; id++ {
			add(fmt.Sprintf("%s-%d", names.BrokerGroup(cluster, g), id), names.DNSLabel) // pod host name
		}
	}
	return out
}

func TestLongestChecksGeneratedNames(t *testing.T) {
	tests := []struct {
		name    string
		cluster string
		groups  []string
	}{
		{name: "one group", cluster: "rmq", groups: []string{"broker-0"}},
		{name: "groups of different lengths", cluster: "orders", groups: []string{"broker-a", "b"}},
		{name: "no groups", cluster: "rmq"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gen := generated(tc.cluster, tc.groups)
			checks := names.Longest(tc.cluster, tc.groups)
			require.Len(t, checks, 5+2*len(tc.groups))
			for _, c := range checks {
				assert.NotEmpty(t, c.Kind)
				limit, ok := gen[c.Name]
				if assert.True(t, ok, "%s (%s) is not a name rocketops makes", c.Name, c.Kind) {
					assert.Equal(t, limit, c.Limit, "%s (%s)", c.Name, c.Kind)
				}
			}
			for i, g := range tc.groups {
				var kinds []string
				for _, c := range checks {
					if c.Group == i {
						kinds = append(kinds, c.Kind)
						assert.Contains(t, c.Name, g)
					}
				}
				assert.ElementsMatch(t, []string{"broker StatefulSet", "label value rocketops.dev/broker-group"}, kinds, "checks of group %d", i)
			}
			for _, c := range checks {
				if c.Group == -1 {
					assert.NotContains(t, c.Kind, "broker StatefulSet")
				}
			}
		})
	}
}

// TestLongestIsEnough proves what the validator relies on: a spec whose names pass the checks gets
// only names within their limits, whatever the lengths of the cluster and group names. It also
// proves the checks are not stricter than needed: each one fails only when a generated name is too long.
func TestLongestIsEnough(t *testing.T) {
	for cl := 1; cl <= 70; cl++ {
		for gl := 1; gl <= 70; gl++ {
			cluster := strings.Repeat("c", cl)
			groups := []string{strings.Repeat("g", gl), "b"}
			pass := true
			for _, c := range names.Longest(cluster, groups) {
				pass = pass && len(c.Name) <= c.Limit
			}
			fits := true
			var over []string
			for n, limit := range generated(cluster, groups) {
				if len(n) > limit {
					fits = false
					over = append(over, fmt.Sprintf("%s (%d > %d)", n, len(n), limit))
				}
			}
			require.Equal(t, fits, pass, "cluster %d, group %d characters: checks pass=%v, too long: %v", cl, gl, pass, over)
		}
	}
}

func TestLongestAtTheBoundary(t *testing.T) {
	tests := []struct {
		name    string
		cluster string
		group   string
		kind    string // the check that decides
		length  int
		over    bool
	}{
		// "-namesrv" is 8 characters: a 44-character cluster name gives a 52-character StatefulSet.
		{name: "name-server StatefulSet at 52", cluster: strings.Repeat("a", 44), group: "g", kind: "name-server StatefulSet", length: 52},
		{name: "name-server StatefulSet at 53", cluster: strings.Repeat("a", 45), group: "g", kind: "name-server StatefulSet", length: 53, over: true},
		// "-namesrv-headless" is 17 characters: 46 + 17 = 63.
		{name: "name-server headless Service at 63", cluster: strings.Repeat("a", 46), group: "g", kind: "name-server headless Service", length: 63},
		{name: "name-server headless Service at 64", cluster: strings.Repeat("a", 47), group: "g", kind: "name-server headless Service", length: 64, over: true},
		// "-broker-headless" is 16 characters: 47 + 16 = 63.
		{name: "broker headless Service at 63", cluster: strings.Repeat("a", 47), group: "g", kind: "broker headless Service", length: 63},
		{name: "broker headless Service at 64", cluster: strings.Repeat("a", 48), group: "g", kind: "broker headless Service", length: 64, over: true},
		// "-console" is 8 characters: 55 + 8 = 63.
		{name: "console Service at 63", cluster: strings.Repeat("a", 55), group: "g", kind: "console Service", length: 63},
		{name: "console Service at 64", cluster: strings.Repeat("a", 56), group: "g", kind: "console Service", length: 64, over: true},
		// "rmq-" + group: 4 + 48 = 52; the slaves' ordinals do not lengthen the StatefulSet.
		{name: "broker StatefulSet at 52", cluster: "rmq", group: strings.Repeat("g", 48), kind: "broker StatefulSet", length: 52},
		{name: "broker StatefulSet at 53", cluster: "rmq", group: strings.Repeat("g", 49), kind: "broker StatefulSet", length: 53, over: true},
		{name: "group label at 63", cluster: "r", group: strings.Repeat("g", 63), kind: "label value rocketops.dev/broker-group", length: 63},
		{name: "group label at 64", cluster: "r", group: strings.Repeat("g", 64), kind: "label value rocketops.dev/broker-group", length: 64, over: true},
		{name: "instance label at 63", cluster: strings.Repeat("a", 63), group: "g", kind: "label value app.kubernetes.io/instance", length: 63, over: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found []names.Check
			for _, c := range names.Longest(tc.cluster, []string{tc.group}) {
				if c.Kind == tc.kind {
					found = append(found, c)
				}
			}
			require.Len(t, found, 1, "one %s check", tc.kind)
			c := found[0]
			assert.Len(t, c.Name, tc.length)
			assert.Equal(t, tc.over, len(c.Name) > c.Limit, "%s is %d long, limit %d", c.Name, len(c.Name), c.Limit)
		})
	}
}
