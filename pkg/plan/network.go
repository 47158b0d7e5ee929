package plan

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rocketops/rocketops/pkg/names"
	"github.com/rocketops/rocketops/pkg/spec"
)

// networkPolicies admit what RocketMQ needs, per component:
//   - name servers: clients and brokers from anywhere on 9876; out to brokers' listen port (5.x name
//     servers notify brokers of master changes) and DNS; with embedded controllers, their port from
//     brokers and name servers, and out to the other name servers' controllers;
//   - brokers: clients from anywhere on listenPort and the fast channel (and a local proxy's endpoints);
//     HA or DLedger only from brokers of this cluster; out to the name servers, to other brokers (HA or
//     DLedger, slave synchronisation over remoting), to the controllers, and DNS;
//   - controllers: their port from brokers and controllers (and jRaft's raft port from controllers); out
//     to the other controllers, to brokers' listen port (role changes) and DNS;
//   - proxy: clients from anywhere on gRPC and remoting; out to the name servers, the brokers' client ports
//     and DNS;
//   - console: HTTP from anywhere; out to the name servers, the brokers' client ports and DNS.
func (b *builder) networkPolicies(p *Plan) []NetworkPolicy {
	nsSel := b.selector("namesrv")
	brSel := b.selector("broker")
	ctlSel := b.selector("controller")
	from := func(sels ...map[string]string) []networkingv1.NetworkPolicyPeer {
		out := make([]networkingv1.NetworkPolicyPeer, len(sels))
		for i, s := range sels {
			out[i] = networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: s}}
		}
		return out
	}
	// Every group's ports: they differ per group under host networking.
	var client, peer, listen []int
	for _, g := range p.Brokers.Groups {
		client = append(client, g.Ports.Listen, g.Ports.Fast)
		listen = append(listen, g.Ports.Listen)
		if g.Ports.DLedger != 0 {
			peer = append(peer, g.Ports.DLedger)
		} else {
			peer = append(peer, g.Ports.HA)
		}
	}
	if len(p.Brokers.Groups) == 0 {
		client = []int{p.Brokers.Ports.Listen, p.Brokers.Ports.Fast}
		peer = []int{p.Brokers.Ports.HA}
		listen = []int{p.Brokers.Ports.Listen}
	}
	client, peer, listen = uniqueInts(client), uniqueInts(peer), uniqueInts(listen)
	toNS := egressTo(nsSel, p.NameServer.Port)

	nsIn := []networkingv1.NetworkPolicyIngressRule{{Ports: tcpPorts(p.NameServer.Port)}}
	nsOut := []networkingv1.NetworkPolicyEgressRule{egressTo(brSel, listen...)}
	if p.NameServer.ControllerPort != 0 {
		ports := []int{p.NameServer.ControllerPort}
		if p.NameServer.RaftPort != 0 {
			ports = append(ports, p.NameServer.RaftPort)
		}
		nsIn = append(nsIn, networkingv1.NetworkPolicyIngressRule{Ports: tcpPorts(ports...), From: from(brSel, nsSel)})
		nsOut = append(nsOut, egressTo(nsSel, ports...))
	}
	brokerIn := []networkingv1.NetworkPolicyIngressRule{
		{Ports: tcpPorts(append(append([]int{}, client...), localProxyPorts(p)...)...)},
		{Ports: tcpPorts(peer...), From: from(brSel)},
	}
	brokerOut := []networkingv1.NetworkPolicyEgressRule{toNS, egressTo(brSel, append(append([]int{}, client...), peer...)...)}
	switch {
	case p.Controller != nil:
		brokerOut = append(brokerOut, egressTo(ctlSel, p.Controller.Port))
	case p.NameServer.ControllerPort != 0:
		brokerOut = append(brokerOut, egressTo(nsSel, p.NameServer.ControllerPort))
	}
	out := []NetworkPolicy{
		b.policy(names.NameServer(p.Name), "namesrv", nsSel, nsIn, append(nsOut, dnsEgress())),
		b.policy(names.BrokerPolicy(p.Name), "broker", brSel, brokerIn, append(brokerOut, dnsEgress())),
	}
	if c := p.Controller; c != nil {
		ports := []int{c.Port}
		if c.RaftPort != 0 {
			ports = append(ports, c.RaftPort)
		}
		out = append(out, b.policy(c.StatefulSet, "controller", ctlSel,
			[]networkingv1.NetworkPolicyIngressRule{{Ports: tcpPorts(c.Port), From: from(brSel, ctlSel)}, {Ports: tcpPorts(ports...), From: from(ctlSel)}},
			[]networkingv1.NetworkPolicyEgressRule{egressTo(ctlSel, ports...), egressTo(brSel, listen...), dnsEgress()}))
	}
	if x := p.Proxy; x != nil && x.Mode == spec.ProxyCluster {
		out = append(out, b.policy(x.Deployment, "proxy", x.Service.Selector,
			[]networkingv1.NetworkPolicyIngressRule{{Ports: tcpPorts(proxyPorts(x)...)}},
			[]networkingv1.NetworkPolicyEgressRule{toNS, egressTo(brSel, client...), dnsEgress()}))
	}
	if p.Console != nil {
		out = append(out, b.policy(p.Console.Deployment, "console", b.selector("console"),
			[]networkingv1.NetworkPolicyIngressRule{{Ports: tcpPorts(p.Console.Port)}},
			[]networkingv1.NetworkPolicyEgressRule{toNS, egressTo(brSel, client...), dnsEgress()}))
	}
	return out
}

// proxyPorts are a proxy's container ports: gRPC, and remoting where the version has it.
func proxyPorts(x *Proxy) []int {
	if x.Service.RemotingPort == 0 {
		return []int{spec.ProxyGRPCPort}
	}
	return []int{spec.ProxyGRPCPort, spec.ProxyRemotingPort}
}

func localProxyPorts(p *Plan) []int {
	if p.Brokers.Ports.GRPC == 0 {
		return nil
	}
	if p.Brokers.Ports.Remoting == 0 {
		return []int{p.Brokers.Ports.GRPC}
	}
	return []int{p.Brokers.Ports.GRPC, p.Brokers.Ports.Remoting}
}

// uniqueInts keeps the first of each value, in order.
func uniqueInts(in []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
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

// metricsPolicies admit Prometheus to every metrics endpoint, from anywhere (it runs outside the
// cluster's namespace), and give the exporter what it reads: the name servers and the brokers.
func (b *builder) metricsPolicies(p *Plan) []NetworkPolicy {
	m := p.Metrics
	out := p.NetworkPolicies
	var ports []int
	if p.Brokers.Ports.Metrics != 0 {
		for _, g := range p.Brokers.Groups {
			ports = append(ports, g.Ports.Metrics)
		}
	}
	for i := range out {
		np := &out[i]
		var add []int
		switch np.Component {
		case "broker":
			add = uniqueInts(ports)
		case "controller", "proxy":
			if p.Brokers.Ports.Metrics != 0 {
				add = []int{m.Port}
			}
		}
		if len(add) == 0 {
			continue
		}
		var in []networkingv1.NetworkPolicyIngressRule
		if err := json.Unmarshal(np.Ingress, &in); err != nil {
			b.fail(err)
			continue
		}
		in = append(in, networkingv1.NetworkPolicyIngressRule{Ports: tcpPorts(add...)})
		np.Ingress = b.marshal(in)
	}
	if e := m.Exporter; e != nil {
		var client []int
		for _, g := range p.Brokers.Groups {
			client = append(client, g.Ports.Listen, g.Ports.Fast)
		}
		out = append(out, b.policy(e.Deployment, "exporter", e.Pod.SelectorLabels,
			[]networkingv1.NetworkPolicyIngressRule{{Ports: tcpPorts(m.Port)}},
			[]networkingv1.NetworkPolicyEgressRule{egressTo(b.selector("namesrv"), p.NameServer.Port), egressTo(b.selector("broker"), uniqueInts(client)...), dnsEgress()}))
	}
	return out
}
