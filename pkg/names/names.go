// Package names makes the name of every object rocketops generates, and knows the limits Kubernetes
// puts on them, so that the validator can refuse a spec whose names would not fit before anything
// is rendered. It decides nothing else.
package names

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

// BrokerGroup names the StatefulSet, headless-Service subdomain prefix and PodDisruptionBudget of one
// broker group; its pods are <name>-<brokerId>.
func BrokerGroup(c, group string) string { return c + "-" + group }

// BrokerConfig names a broker group's ConfigMap, which holds a file per member.
func BrokerConfig(c, group string) string { return BrokerGroup(c, group) + "-config" }

// GroupClash says which other component's objects a broker group's objects would share names with, or
// "" when none: a group's StatefulSet, ConfigMap and PodDisruptionBudget are named <cluster>-<group>,
// as the name servers' and the console's are <cluster>-namesrv and <cluster>-console.
func GroupClash(c, group string) string {
	switch BrokerGroup(c, group) {
	case NameServer(c):
		return "the name servers'"
	case Console(c):
		return "the console's"
	case Controller(c), ControllerConfig(c), ControllerHeadless(c):
		return "the controllers'"
	case Proxy(c), ProxyConfig(c):
		return "the proxy's"
	case Metrics(c), Exporter(c):
		return "the metrics'"
	}
	return ""
}

// BrokerPolicy names the NetworkPolicy of all brokers of cluster c.
func BrokerPolicy(c string) string { return c + "-broker" }

// Controller names the standalone controllers' StatefulSet, PodDisruptionBudget and NetworkPolicy.
func Controller(c string) string { return c + "-controller" }

// ControllerHeadless names the headless Service that gives controllers stable DNS names.
func ControllerHeadless(c string) string { return c + "-controller-headless" }

// ControllerConfig names the controllers' ConfigMap, which holds a file per controller.
func ControllerConfig(c string) string { return c + "-controller-config" }

// Proxy names the proxy's Deployment, client Service, PodDisruptionBudget and NetworkPolicy.
func Proxy(c string) string { return c + "-proxy" }

// ProxyConfig names the proxy's ConfigMap.
func ProxyConfig(c string) string { return c + "-proxy-config" }

// Metrics names the headless Service over every metrics endpoint, the PodMonitor or ServiceMonitor and
// the PrometheusRule of cluster c.
func Metrics(c string) string { return c + "-metrics" }

// Exporter names the rocketmq-exporter Deployment.
func Exporter(c string) string { return c + "-exporter" }

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
func Longest(cluster string, groups []string) []Check {
	return LongestWith(cluster, groups, false, false)
}

// LongestWith is Longest for a cluster that also has standalone controllers or a proxy.
func LongestWith(cluster string, groups []string, controllers, proxy bool) []Check {
	checks := []Check{
		{"name-server StatefulSet", NameServer(cluster), StatefulSet, -1},
		{"name-server headless Service", NameServerHeadless(cluster), DNSLabel, -1},
		{"broker headless Service", BrokerHeadless(cluster), DNSLabel, -1},
		{"console Service", Console(cluster), DNSLabel, -1},
		{"label value app.kubernetes.io/instance", cluster, DNSLabel, -1},
	}
	if controllers {
		checks = append(checks, Check{"controller StatefulSet", Controller(cluster), StatefulSet, -1},
			Check{"controller headless Service", ControllerHeadless(cluster), DNSLabel, -1})
	}
	if proxy {
		checks = append(checks, Check{"proxy ConfigMap", ProxyConfig(cluster), DNSLabel, -1})
	}
	for i, g := range groups {
		checks = append(checks,
			Check{"broker StatefulSet", BrokerGroup(cluster, g), StatefulSet, i},
			Check{"label value rocketops.dev/broker-group", g, DNSLabel, i},
		)
	}
	return checks
}
