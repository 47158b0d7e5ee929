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
		{"master", names.Broker("rmq", "broker-a", 0), "rmq-broker-a-master"},
		{"slave", names.Broker("rmq", "broker-a", 2), "rmq-broker-a-slave-2"},
		{"two-digit slave", names.Broker("rmq", "b", 10), "rmq-b-slave-10"},
		{"master config", names.BrokerConfig("rmq", "broker-a", 0), "rmq-broker-a-master-config"},
		{"slave config", names.BrokerConfig("rmq", "broker-a", 1), "rmq-broker-a-slave-1-config"},
		{"group", names.BrokerGroup("rmq", "broker-a"), "rmq-broker-a"},
		{"console", names.Console("rmq"), "rmq-console"},
		{"member master", names.Member(0), "master"},
		{"member slave", names.Member(3), "slave-3"},
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

// generated lists every object name rocketops makes for a cluster, with the limit that applies.
func generated(cluster string, groups []string, slaves int) map[string]int {
	out := map[string]int{
		names.NameServer(cluster):         names.StatefulSet, // also its client Service, limited to 63
		names.NameServerHeadless(cluster): names.DNSLabel,
		names.BrokerHeadless(cluster):     names.DNSLabel,
		names.Console(cluster):            names.DNSLabel,
		cluster:                           names.DNSLabel, // app.kubernetes.io/instance
	}
	for _, g := range groups {
		out[g] = names.DNSLabel // rocketops.dev/broker-group
		for id := 0; id <= slaves; id++ {
			out[names.Broker(cluster, g, id)] = names.StatefulSet
		}
	}
	return out
}

func TestLongestCoversTheLongestNames(t *testing.T) {
	tests := []struct {
		name    string
		cluster string
		groups  []string
		maxID   int
	}{
		{name: "masters only", cluster: "rmq", groups: []string{"broker-a", "b"}, maxID: 0},
		{name: "slaves", cluster: "orders", groups: []string{"broker-0", "broker-1"}, maxID: 2},
		{name: "two-digit slave ids", cluster: "x", groups: []string{"g"}, maxID: 10},
		{name: "no groups", cluster: "rmq", maxID: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checks := names.Longest(tc.cluster, tc.groups, tc.maxID)
			byName := map[string]names.Check{}
			for _, c := range checks {
				byName[c.Name] = c
				assert.NotEmpty(t, c.Kind)
			}
			// Each generated name is either checked with its limit or no longer than a checked name
			// under the same limit that grows the same way.
			for n, limit := range generated(tc.cluster, tc.groups, tc.maxID) {
				if c, ok := byName[n]; ok {
					assert.Equal(t, limit, c.Limit, n)
					continue
				}
				covered := false
				for _, c := range checks {
					if c.Limit <= limit && len(c.Name) >= len(n) && strings.HasPrefix(n, tc.cluster) && strings.HasPrefix(c.Name, tc.cluster) {
						covered = true
					}
				}
				assert.True(t, covered, "%s (limit %d) is not covered", n, limit)
			}
			for _, g := range tc.groups {
				require.Contains(t, byName, names.Broker(tc.cluster, g, tc.maxID), "the member with the highest id has the longest name")
			}
		})
	}
}

func TestLongestAtTheBoundary(t *testing.T) {
	tests := []struct {
		name    string
		cluster string
		group   string
		maxID   int
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
		// "rmq-" + group + "-slave-2": 4 + 40 + 8 = 52.
		{name: "broker StatefulSet at 52", cluster: "rmq", group: strings.Repeat("g", 40), maxID: 2, kind: "broker StatefulSet", length: 52},
		{name: "broker StatefulSet at 53", cluster: "rmq", group: strings.Repeat("g", 41), maxID: 2, kind: "broker StatefulSet", length: 53, over: true},
		// "rmq-" + group + "-master": 4 + 41 + 7 = 52.
		{name: "master StatefulSet at 52", cluster: "rmq", group: strings.Repeat("g", 41), kind: "broker StatefulSet", length: 52},
		{name: "group label at 63", cluster: "r", group: strings.Repeat("g", 63), kind: "label value rocketops.dev/broker-group", length: 63},
		{name: "group label at 64", cluster: "r", group: strings.Repeat("g", 64), kind: "label value rocketops.dev/broker-group", length: 64, over: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found *names.Check
			for _, c := range names.Longest(tc.cluster, []string{tc.group}, tc.maxID) {
				if c.Kind == tc.kind {
					c := c
					found = &c
				}
			}
			require.NotNil(t, found, "no %s check", tc.kind)
			assert.Len(t, found.Name, tc.length)
			assert.Equal(t, tc.over, len(found.Name) > found.Limit, fmt.Sprintf("%s is %d long, limit %d", found.Name, len(found.Name), found.Limit))
		})
	}
}
