package golden_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
)

// topologyStopCases are TestGracefulStop's cases for the processes of the other topologies, compiled from
// their golden cases: the standalone controller, the name server with an embedded controller and the
// cluster-mode proxy (5.x launchers that run runserver.sh, like mqnamesrv), the broker with a local-mode
// proxy (bin/mqproxy -pm local -bc, whose JVM runs ProxyStartup and the broker in it), a DLedger member and
// a broker under host networking, whose POD_IP is the node's. The commands that pick a configuration file
// by the pod's ordinal also run as pods whose ordinal has no file and pods whose name ends in no ordinal,
// and must refuse with their message before starting a launcher.
func topologyStopCases(t *testing.T) []*stopCase {
	t.Helper()
	brokerArgs := []string{"-c", "/tmp/broker.conf"}
	var cases []*stopCase
	add := func(name, version, component string, p stopPod, main string, args []string) {
		img := imageFor(t, version)
		cases = append(cases, &stopCase{name: version + "/" + img.shell + "/" + name, img: img, component: component,
			pod: p, command: p.command, main: main, args: args})
	}
	// refuse adds the cases where the same container runs as pod noFile, whose ordinal has no file under
	// prefix in /etc/rocketmq, and as pod noOrdinal.
	refuse := func(name, version, component string, p stopPod, prefix, noFile, noOrdinal, noFileMsg string) {
		img := imageFor(t, version)
		name = version + "/" + img.shell + "/" + name
		id := noFile[strings.LastIndexByte(noFile, '-')+1:]
		file := fmt.Sprintf("/etc/rocketmq/%s-%s.conf", prefix, id)
		require.False(t, hasConfigFile(p, file), "%s: %s has %s: pick a pod without one", name, p.name, file)
		cases = append(cases,
			&stopCase{name: name + "/no-config-for-ordinal", img: img, component: component, pod: renamed(p, noFile),
				command: p.command, refuse: fmt.Sprintf("rocketops: no %s: %s %s is not in the spec", file, noFileMsg, id)},
			&stopCase{name: name + "/no-ordinal", img: img, component: component, pod: renamed(p, noOrdinal),
				command: p.command, refuse: fmt.Sprintf("rocketops: pod name %s does not end in an ordinal", noOrdinal)})
	}

	ctl := compileCase(t, "controller")
	controller := topologyPod(t, ctl, "", "StatefulSet", "ctl-controller", "controller")
	require.Equal(t, "ctl-controller-2", controller.name)
	add("controller", "5.3.3", "controller", controller, controllerMain, []string{"-c", "/etc/rocketmq/controller-2.conf"})
	refuse("controller", "5.3.3", "controller", controller, "controller", "ctl-controller-3", "ctl-controller", "ordinal")

	emb := compileCase(t, "controller-embedded")
	namesrv := topologyPod(t, emb, "", "StatefulSet", "emb-namesrv", "namesrv")
	require.Equal(t, "emb-namesrv-2", namesrv.name)
	add("namesrv-embedded-controller", "5.2.0", "namesrv", namesrv, namesrvMain, []string{"-c", "/etc/rocketmq/namesrv-2.conf"})
	refuse("namesrv-embedded-controller", "5.2.0", "namesrv", namesrv, "namesrv", "emb-namesrv-3", "emb-namesrv-", "ordinal")

	proxy := topologyPod(t, compileCase(t, "proxy"), "", "Deployment", "edge-proxy", "proxy")
	add("proxy-cluster", "5.3.3", "proxy", proxy, proxyMain, []string{"-pm", "cluster", "-pc", "/etc/rocketmq/rmq-proxy.json"})

	local := topologyPod(t, compileCase(t, "mixed"), "dev", "StatefulSet", "shop-orders", "broker")
	require.Equal(t, "shop-orders-0", local.name)
	add("broker-local-proxy", "5.3.3", "broker", local, proxyMain,
		[]string{"-pm", "local", "-bc", "/tmp/broker.conf", "-pc", "/etc/rocketmq-proxy/rmq-proxy.json"})
	refuse("broker-local-proxy", "5.3.3", "broker", local, "broker", "shop-orders-3", "shop-orders-2a", "brokerId")

	dledger := topologyPod(t, compileCase(t, "dledger"), "", "StatefulSet", "raft-raft-b", "broker")
	require.Equal(t, "raft-raft-b-4", dledger.name)
	add("broker-dledger", "4.9.5", "broker", dledger, brokerMain, brokerArgs)

	hostNet := topologyPod(t, compileCase(t, "host-network"), "", "StatefulSet", "hostnet-broker-1", "broker")
	require.Contains(t, hostNet.env, "POD_IP="+stopHostIP, "a broker under host networking takes the node's address")
	add("broker-host-network", "4.9.8", "broker", hostNet, brokerMain, brokerArgs)
	return cases
}

// topologyPod reads the container of the named workload in an environment of the compiled output; env ""
// is the only one.
func topologyPod(t *testing.T, out *compile.Output, env, kind, name, container string) stopPod {
	t.Helper()
	if env == "" {
		require.Len(t, out.Objects, 1, "the spec must have one environment")
		for e := range out.Objects {
			env = e
		}
	}
	objs, ok := out.Objects[env]
	require.True(t, ok, "no environment %s", env)
	for _, o := range objs {
		if o.Kind == kind && o.Name == name {
			return workloadPod(t, objs, o, container)
		}
	}
	t.Fatalf("no %s %s", kind, name)
	return stopPod{}
}

// renamed is p run as pod name: POD_NAME is the downward API's metadata.name.
func renamed(p stopPod, name string) stopPod {
	p.name = name
	p.env = slices.Clone(p.env)
	for i, e := range p.env {
		if strings.HasPrefix(e, "POD_NAME=") {
			p.env[i] = "POD_NAME=" + name
		}
	}
	return p
}

// hasConfigFile reports whether one of p's ConfigMap mounts holds path.
func hasConfigFile(p stopPod, path string) bool {
	for _, m := range p.mounts {
		if _, ok := m.files[filepath.Base(path)]; ok && m.path == filepath.Dir(path) {
			return true
		}
	}
	return false
}
