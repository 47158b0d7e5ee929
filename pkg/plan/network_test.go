package plan_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/validate"
)

// selects reports whether a label selector picks pods with these labels.
func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func policyByComponent(p *plan.Plan) map[string]plan.NetworkPolicy {
	out := map[string]plan.NetworkPolicy{}
	for _, np := range p.NetworkPolicies {
		out[np.Component] = np
	}
	return out
}

// tcpPortsOf lists the TCP port numbers of NetworkPolicy ports.
func tcpPortsOf(t *testing.T, ports []networkingv1.NetworkPolicyPort) []int {
	t.Helper()
	var out []int
	for _, p := range ports {
		require.NotNil(t, p.Protocol)
		require.NotNil(t, p.Port, "a rule names its ports")
		if *p.Protocol == corev1.ProtocolTCP {
			out = append(out, p.Port.IntValue())
		}
	}
	return out
}

func TestNetworkPoliciesAreSwitchable(t *testing.T) {
	tests := []struct {
		name string
		body string
		env  string // "" for the base
		want map[string]string
	}{
		{name: "on by default", want: map[string]string{"namesrv": "rmq-namesrv", "broker": "rmq-broker", "console": "rmq-console"}},
		{name: "on when asked", body: "networkPolicy: {enabled: true}\n", want: map[string]string{"namesrv": "rmq-namesrv", "broker": "rmq-broker", "console": "rmq-console"}},
		{name: "no console, no console policy", body: "console: {enabled: false}\n", want: map[string]string{"namesrv": "rmq-namesrv", "broker": "rmq-broker"}},
		{name: "off", body: "networkPolicy: {enabled: false}\n", want: map[string]string{}},
		{name: "off in one environment", body: "environments:\n  dev:\n    spec:\n      networkPolicy: {enabled: false}\n", env: "dev", want: map[string]string{}},
		{name: "the base of that spec keeps them", body: "environments:\n  dev:\n    spec:\n      networkPolicy: {enabled: false}\n",
			want: map[string]string{"namesrv": "rmq-namesrv", "broker": "rmq-broker", "console": "rmq-console"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p *plan.Plan
			if tc.env == "" {
				p = build(t, "5.3.3", tc.body)
			} else {
				src := "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: rmq, namespace: mq}\nspec:\n  version: \"5.3.3\"\n" + indent(tc.body)
				res, diags := validate.Validate("cluster.yaml", []byte(src))
				require.Empty(t, diags)
				var err error
				p, err = plan.Build(tc.env, res.Environments[tc.env])
				require.NoError(t, err)
			}
			require.NotNil(t, p.NetworkPolicies, "an empty list, not null, for the blueprints and the chart's schema")
			got := map[string]string{}
			for _, np := range p.NetworkPolicies {
				_, dup := got[np.Component]
				assert.False(t, dup, "two policies for %s", np.Component)
				got[np.Component] = np.Name
			}
			assert.Equal(t, tc.want, got)
			b, err := json.Marshal(p)
			require.NoError(t, err)
			if len(tc.want) == 0 {
				assert.Contains(t, string(b), `"networkPolicies":[]`)
			}
		})
	}
}

func TestNetworkPolicySelectors(t *testing.T) {
	p := build(t, "5.3.3", "brokers: {groups: 2, slaves: 1}\n")
	byComp := policyByComponent(p)
	pods := map[string][]map[string]string{
		"namesrv": {p.NameServer.Pod.Labels},
		"console": {p.Console.Pod.Labels},
	}
	for _, g := range p.Brokers.Groups {
		pods["broker"] = append(pods["broker"], g.Pod.Labels)
	}
	require.Len(t, byComp, 3)
	for comp, np := range byComp {
		t.Run(comp, func(t *testing.T) {
			assert.Equal(t, "rmq", np.PodSelector[plan.LabelInstance], "only this cluster's pods")
			for other, labels := range pods {
				for _, l := range labels {
					assert.Equal(t, other == comp, selects(np.PodSelector, l), "%s policy selecting %s pods", comp, other)
				}
			}
		})
	}
}

func TestNetworkPolicyIngress(t *testing.T) {
	p := build(t, "5.3.3", "brokers: {groups: 2, slaves: 1}\nconsole: {version: 2.1.0}\n")
	byComp := policyByComponent(p)
	brokerPods := []map[string]string{}
	for _, g := range p.Brokers.Groups {
		brokerPods = append(brokerPods, g.Pod.Labels)
	}
	others := []map[string]string{p.NameServer.Pod.Labels, p.Console.Pod.Labels}
	ha := p.Brokers.Ports.HA

	tests := []struct {
		component string
		pod       plan.Pod
		anywhere  []int // ports open to every source
		brokers   []int // ports open to this cluster's brokers only
	}{
		{component: "namesrv", pod: p.NameServer.Pod, anywhere: []int{9876}},
		{component: "broker", pod: p.Brokers.Groups[0].Pod, anywhere: []int{10911, 10909}, brokers: []int{ha}},
		{component: "console", pod: p.Console.Pod, anywhere: []int{8082}},
	}
	for _, tc := range tests {
		t.Run(tc.component, func(t *testing.T) {
			np, ok := byComp[tc.component]
			require.True(t, ok)
			var anywhere, brokers []int
			for _, rule := range decode[[]networkingv1.NetworkPolicyIngressRule](t, np.Ingress) {
				ports := tcpPortsOf(t, rule.Ports)
				if len(rule.From) == 0 {
					anywhere = append(anywhere, ports...)
					continue
				}
				for _, peer := range rule.From {
					assert.Nil(t, peer.IPBlock, "peers are pods")
					assert.Nil(t, peer.NamespaceSelector, "peers are pods of this namespace")
					require.NotNil(t, peer.PodSelector)
					assert.Empty(t, peer.PodSelector.MatchExpressions)
					sel := peer.PodSelector.MatchLabels
					for _, l := range brokerPods {
						assert.True(t, selects(sel, l), "the peer selects every broker group")
					}
					for _, l := range others {
						assert.False(t, selects(sel, l), "the peer selects brokers only")
					}
					assert.Equal(t, "rmq", sel[plan.LabelInstance], "brokers of this cluster only")
				}
				brokers = append(brokers, ports...)
			}
			assert.ElementsMatch(t, tc.anywhere, anywhere)
			assert.ElementsMatch(t, tc.brokers, brokers)
			assert.NotContains(t, anywhere, ha, "the HA port is never open to everyone")

			// Every port the container declares is admitted.
			for _, cp := range decode[[]corev1.ContainerPort](t, tc.pod.Container.Ports) {
				assert.Contains(t, append(append([]int{}, anywhere...), brokers...), int(cp.ContainerPort), "container port %s", cp.Name)
			}
		})
	}
}

func TestNetworkPolicyEgress(t *testing.T) {
	p := build(t, "5.3.3", "")
	byComp := policyByComponent(p)
	labelsOf := map[string]map[string]string{
		"namesrv": p.NameServer.Pod.Labels,
		"broker":  p.Brokers.Groups[0].Pod.Labels,
		"console": p.Console.Pod.Labels,
	}
	tests := []struct {
		component string
		want      map[string][]int // component reached → TCP ports
	}{
		{component: "namesrv", want: map[string][]int{"broker": {10911}}},
		{component: "broker", want: map[string][]int{"namesrv": {9876}, "broker": {10911, 10909, 10912}}},
		{component: "console", want: map[string][]int{"namesrv": {9876}, "broker": {10911, 10909}}},
	}
	for _, tc := range tests {
		t.Run(tc.component, func(t *testing.T) {
			np, ok := byComp[tc.component]
			require.True(t, ok)
			got := map[string][]int{}
			dns := false
			for _, rule := range decode[[]networkingv1.NetworkPolicyEgressRule](t, np.Egress) {
				if len(rule.To) == 0 {
					// Only DNS goes anywhere: 53 over UDP and TCP.
					var protocols []corev1.Protocol
					for _, port := range rule.Ports {
						require.NotNil(t, port.Port)
						assert.Equal(t, 53, port.Port.IntValue())
						protocols = append(protocols, *port.Protocol)
					}
					assert.ElementsMatch(t, []corev1.Protocol{corev1.ProtocolUDP, corev1.ProtocolTCP}, protocols)
					dns = true
					continue
				}
				for _, peer := range rule.To {
					require.NotNil(t, peer.PodSelector)
					reached := 0
					for comp, l := range labelsOf {
						if selects(peer.PodSelector.MatchLabels, l) {
							reached++
							got[comp] = append(got[comp], tcpPortsOf(t, rule.Ports)...)
						}
					}
					assert.Equal(t, 1, reached, "a peer is one component")
				}
			}
			assert.True(t, dns, "pods resolve the stable DNS names")
			assert.Equal(t, len(tc.want), len(got))
			for comp, ports := range tc.want {
				assert.ElementsMatch(t, ports, got[comp], "%s to %s", tc.component, comp)
			}
		})
	}
}
