package kubetest

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestClusterRollsStatefulSet runs a StatefulSet on fake nodes and changes its template: the pods must be
// replaced highest ordinal first, one at a time, as the StatefulSet controller does for real.
func TestClusterRollsStatefulSet(t *testing.T) {
	c := StartCluster(t)
	if c == nil {
		return
	}
	checkLoopbackOnly(t, c)
	c.AddNodes(t, Node{Name: "node-0", Zone: "zone-a"}, Node{Name: "node-1", Zone: "zone-b"}, Node{Name: "node-2", Zone: "zone-c"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	node, err := c.Clientset.CoreV1().Nodes().Get(ctx, "node-1", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "32", node.Status.Allocatable.Cpu().String(), "allocatable set by AddNodes, kept by kwok")
	assert.Equal(t, "zone-b", node.Labels[corev1.LabelTopologyZone])

	const ns = "roll"
	_, err = c.Clientset.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = c.Clientset.AppsV1().StatefulSets(ns).Create(ctx, webStatefulSet(), metav1.CreateOptions{})
	require.NoError(t, err)
	c.WaitRolledOut(t, ns, time.Minute)
	before := podsByName(t, c, ns)
	require.Len(t, before, 3)
	nodes := map[string]bool{}
	for _, p := range before {
		nodes[p.Spec.NodeName] = true
	}
	assert.Len(t, nodes, 3, "required anti-affinity puts each pod on its own node")

	w := c.WatchPods(t, ns)
	start := time.Now()
	patch := `{"spec":{"template":{"metadata":{"annotations":{"example.com/restart":"1"}}}}}`
	_, err = c.Clientset.AppsV1().StatefulSets(ns).Patch(ctx, "web", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
	require.NoError(t, err)
	c.WaitRolledOut(t, ns, time.Minute)
	w.Sync(t)
	events := w.Events()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pod transitions since the template change:\n%s", Timeline(events, start, nil))
		}
	})

	after := podsByName(t, c, ns)
	for name, p := range before {
		require.Contains(t, after, name)
		assert.NotEqual(t, p.UID, after[name].UID, "%s must have been replaced", name)
	}
	assert.Equal(t, []string{"web-2", "web-1", "web-0"}, firstDown(events), "replacement order")
	assert.Equal(t, 1, maxUnavailable(events), "pods unavailable at once")
}

// webStatefulSet is three pods, started in parallel, each on its own node.
func webStatefulSet() *appsv1.StatefulSet {
	labels := map[string]string{"app": "web"}
	replicas := int32(3)
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.StatefulSetSpec{
			Replicas:            &replicas,
			PodManagementPolicy: appsv1.ParallelPodManagement,
			Selector:            &metav1.LabelSelector{MatchLabels: labels},
			ServiceName:         "web",
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
						RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
							LabelSelector: &metav1.LabelSelector{MatchLabels: labels},
							TopologyKey:   corev1.LabelHostname,
						}},
					}},
					Containers: []corev1.Container{{
						Name:  "web",
						Image: "registry.k8s.io/pause:3.10",
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU:    resource.MustParse("2"),
							corev1.ResourceMemory: resource.MustParse("8Gi"),
						}},
					}},
				},
			},
		},
	}
}

func podsByName(t *testing.T, c *Cluster, ns string) map[string]corev1.Pod {
	t.Helper()
	list, err := c.Clientset.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	out := map[string]corev1.Pod{}
	for _, p := range list.Items {
		out[p.Name] = p
	}
	return out
}

// firstDown lists the pods in the order they first became unavailable.
func firstDown(events []PodEvent) []string {
	seen := map[string]bool{}
	var order []string
	for _, e := range events {
		if !e.Available() && !seen[e.Name] {
			seen[e.Name] = true
			order = append(order, e.Name)
		}
	}
	return order
}

// maxUnavailable is the most pods unavailable at any one moment; a pod that is gone counts until its
// replacement is Ready.
func maxUnavailable(events []PodEvent) int {
	down := map[string]bool{}
	most := 0
	for _, e := range events {
		down[e.Name] = !e.Available()
		n := 0
		for _, d := range down {
			if d {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// checkLoopbackOnly fails t if a cluster process listens on anything but a loopback address. It reads
// Linux's socket tables, and checks nothing elsewhere.
func checkLoopbackOnly(t *testing.T, c *Cluster) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	listening := listeningSockets(t)
	total := 0
	for _, p := range append([]*process{c.srv.etcd, c.srv.apiserver}, c.procs...) {
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid))
		require.NoError(t, err)
		for _, fd := range fds {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", p.cmd.Process.Pid, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if addr, ok := listening[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")]; ok {
				total++
				assert.True(t, addr.IP.IsLoopback(), "%s listens on %s", p.name, addr)
			}
		}
	}
	// etcd's client, peer and metrics ports, the apiserver's and kwok's: fewer means the check saw nothing.
	assert.GreaterOrEqual(t, total, 5, "listening sockets found")
}

// listeningSockets maps socket inodes to the addresses of the TCP sockets in LISTEN state.
func listeningSockets(t *testing.T) map[string]*net.TCPAddr {
	t.Helper()
	out := map[string]*net.TCPAddr{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A is TCP_LISTEN
				continue
			}
			addr, err := procAddr(f[1])
			require.NoError(t, err, "%s: %s", filepath.Base(table), line)
			out[f[9]] = addr
		}
	}
	return out
}

// procAddr decodes /proc/net/tcp's "0100007F:1F90": the address as 32-bit words in host byte order
// turned into network order here, then the port in hex.
func procAddr(s string) (*net.TCPAddr, error) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("no port in %q", s)
	}
	ip, err := hex.DecodeString(hexIP)
	if err != nil {
		return nil, err
	}
	for i := 0; i+4 <= len(ip); i += 4 {
		binary.BigEndian.PutUint32(ip[i:], binary.NativeEndian.Uint32(ip[i:]))
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return nil, err
	}
	return &net.TCPAddr{IP: net.IP(ip), Port: int(port)}, nil
}
