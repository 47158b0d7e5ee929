// Package names makes the name of every object rocketops generates, and knows the limits Kubernetes
// puts on them, so that the validator can refuse a spec whose names would not fit before anything
// is rendered. It decides nothing else.
package names

import "fmt"

// Limits Kubernetes enforces on generated names.
const (
	// DNSLabel is the longest Service name, pod host name and label value.
	DNSLabel = 63
	// StatefulSet names get "-<ordinal>" for pods and "-<10 character hash>" in the
	// controller-revision-hash label, whose value is limited to 63: 63 - 11 = 52.
	StatefulSet = 52
)

// NameServer names the name-server objects of cluster c.
func NameServer(c string) string { return c + "-namesrv" }

// NameServerHeadless names the headless Service that gives name servers stable DNS names.
func NameServerHeadless(c string) string { return c + "-namesrv-headless" }

// NameServerConfig names the name servers' ConfigMap.
func NameServerConfig(c string) string { return c + "-namesrv-config" }

// BrokerHeadless names the headless Service of all brokers of cluster c.
func BrokerHeadless(c string) string { return c + "-broker-headless" }

// Member names a broker member: "master" or "slave-<id>".
func Member(brokerID int) string {
	if brokerID == 0 {
		return "master"
	}
	return fmt.Sprintf("slave-%d", brokerID)
}

// Broker names the StatefulSet (and Service) of one broker member.
func Broker(c, group string, brokerID int) string { return c + "-" + group + "-" + Member(brokerID) }

// BrokerConfig names a broker member's ConfigMap.
func BrokerConfig(c, group string, brokerID int) string {
	return Broker(c, group, brokerID) + "-config"
}

// BrokerGroup names the PodDisruptionBudget of one broker group.
func BrokerGroup(c, group string) string { return c + "-" + group }

// Console names the console Deployment and Service.
func Console(c string) string { return c + "-console" }

// Check is one generated name with its limit.
type Check struct {
	Kind  string // what is named, for the message
	Name  string
	Limit int
	Group int // index of the broker group whose name is part of Name, -1 for none
}

// Longest returns the checks for the names that grow with the cluster and group names: the
// longest ones, so a spec that passes them passes all.
func Longest(cluster string, groups []string, maxBrokerID int) []Check {
	checks := []Check{
		{"name-server StatefulSet", NameServer(cluster), StatefulSet, -1},
		{"name-server headless Service", NameServerHeadless(cluster), DNSLabel, -1},
		{"broker headless Service", BrokerHeadless(cluster), DNSLabel, -1},
		{"console Service", Console(cluster), DNSLabel, -1},
		{"label value app.kubernetes.io/instance", cluster, DNSLabel, -1},
	}
	for i, g := range groups {
		checks = append(checks,
			Check{"broker StatefulSet", Broker(cluster, g, maxBrokerID), StatefulSet, i},
			Check{"label value rocketops.dev/broker-group", g, DNSLabel, i},
		)
	}
	return checks
}
