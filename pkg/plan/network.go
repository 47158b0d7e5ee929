package plan

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rocketops/rocketops/pkg/names"
)

// networkPolicies admit what RocketMQ needs, per component:
//   - name servers: clients and brokers from anywhere on 9876; out to brokers' listen port (5.x name
//     servers notify brokers of master changes) and DNS;
//   - brokers: clients from anywhere on listenPort and the fast channel; HA only from brokers of this
//     cluster; out to the name servers, to other brokers (HA, slave synchronisation over remoting) and DNS;
//   - console: HTTP from anywhere; out to the name servers, the brokers' client ports and DNS.
func (b *builder) networkPolicies(p *Plan) []NetworkPolicy {
	nsSel := b.selector("namesrv")
	brSel := b.selector("broker")
	ports := p.Brokers.Ports
	toNS := egressTo(nsSel, p.NameServer.Port)
	out := []NetworkPolicy{
		b.policy(names.NameServer(p.Name), "namesrv", nsSel,
			[]networkingv1.NetworkPolicyIngressRule{{Ports: tcpPorts(p.NameServer.Port)}},
			[]networkingv1.NetworkPolicyEgressRule{egressTo(brSel, ports.Listen), dnsEgress()}),
		b.policy(names.BrokerPolicy(p.Name), "broker", brSel,
			[]networkingv1.NetworkPolicyIngressRule{
				{Ports: tcpPorts(ports.Listen, ports.Fast)},
				{Ports: tcpPorts(ports.HA), From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: brSel}}}},
			},
			[]networkingv1.NetworkPolicyEgressRule{toNS, egressTo(brSel, ports.Listen, ports.Fast, ports.HA), dnsEgress()}),
	}
	if p.Console != nil {
		out = append(out, b.policy(p.Console.Deployment, "console", b.selector("console"),
			[]networkingv1.NetworkPolicyIngressRule{{Ports: tcpPorts(p.Console.Port)}},
			[]networkingv1.NetworkPolicyEgressRule{toNS, egressTo(brSel, ports.Listen, ports.Fast), dnsEgress()}))
	}
	return out
}

func (b *builder) policy(name, component string, sel map[string]string, in []networkingv1.NetworkPolicyIngressRule, eg []networkingv1.NetworkPolicyEgressRule) NetworkPolicy {
	return NetworkPolicy{Name: name, Component: component, PodSelector: sel, Ingress: b.marshal(in), Egress: b.marshal(eg)}
}

func tcpPorts(ports ...int) []networkingv1.NetworkPolicyPort {
	out := make([]networkingv1.NetworkPolicyPort, len(ports))
	for i, p := range ports {
		tcp := corev1.ProtocolTCP
		port := intstr.FromInt32(int32(p))
		out[i] = networkingv1.NetworkPolicyPort{Protocol: &tcp, Port: &port}
	}
	return out
}

func egressTo(sel map[string]string, ports ...int) networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		Ports: tcpPorts(ports...),
		To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: sel}}},
	}
}

// dnsEgress lets pods resolve the stable DNS names every address in the configuration uses.
func dnsEgress() networkingv1.NetworkPolicyEgressRule {
	udp, tcp := corev1.ProtocolUDP, corev1.ProtocolTCP
	port := intstr.FromInt32(53)
	return networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &port}, {Protocol: &tcp, Port: &port}}}
}
