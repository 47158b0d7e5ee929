package kubetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const (
	// clusterPoll paces WaitFor; each check is a few list calls, and the machine may have two cores.
	clusterPoll = 100 * time.Millisecond
	// nodeReadyTimeout bounds AddNodes; kwok makes a node Ready within a second or two.
	nodeReadyTimeout = 60 * time.Second
)

// Cluster is a Server with the rest of a control plane and fake nodes: kube-controller-manager,
// kube-scheduler and kwok. Objects are reconciled as in a real cluster: StatefulSets and Deployments make
// pods, the scheduler places them on the nodes added with AddNodes (selectors, taints, affinity and resource
// requests are honoured), and kwok plays the kubelet: a pod bound to a fake node becomes Running and Ready
// PodStartDelay later, and is removed as soon as it is deleted. No container runs; images and probes are
// ignored. Every component listens on 127.0.0.1 only.
type Cluster struct {
	// Config reaches the apiserver, as Server.Config does.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the cluster in the test's temp dir, for command-line
	// tools; the controller-manager, scheduler and kwok use it too.
	Kubeconfig string
	// Clientset is a typed client built from Config.
	Clientset kubernetes.Interface

	srv   *Server
	procs []*process // in start order: controller-manager, scheduler, kwok
}

// clusterBinaries are the binaries a Cluster needs besides etcd and kube-apiserver.
type clusterBinaries struct {
	controllerManager, scheduler, kwok string
}

// StartCluster starts a Cluster for tb, with no nodes yet, and returns once every component is working.
// Everything is stopped when tb's cleanups run; when startup fails or tb fails, the tails of all five
// components' logs are printed. Missing binaries skip tb, or fail it when CI or ROCKETOPS_REQUIRE_TOOLS=1 is
// set, as Start does.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	bins, ok := needClusterBinaries(tb)
	if !ok {
		return nil
	}
	srv := Start(tb)
	if srv == nil {
		return nil
	}
	began := time.Now()
	cs, err := kubernetes.NewForConfig(srv.Config)
	if err != nil {
		tb.Fatalf("kubetest: clientset: %v", err)
		return nil
	}
	c := &Cluster{Config: srv.Config, Kubeconfig: srv.Kubeconfig(tb), Clientset: cs, srv: srv}
	// Registered after Start's cleanup, so it runs first: the apiserver outlives its clients, and a
	// half-started cluster is stopped too.
	tb.Cleanup(func() { c.stop(tb) })
	if err := c.start(bins, tb.TempDir()); err != nil {
		tb.Fatalf("kubetest: %v", err)
		return nil
	}
	tb.Logf("kubetest: controller-manager, scheduler and kwok ready after %s", time.Since(began).Round(time.Millisecond))
	return c
}

// needClusterBinaries finds the extra binaries, or skips or fails tb as Tool does.
func needClusterBinaries(tb testing.TB) (clusterBinaries, bool) {
	tb.Helper()
	var b clusterBinaries
	for _, t := range []struct {
		name string
		path *string
	}{
		{"kube-controller-manager", &b.controllerManager},
		{"kube-scheduler", &b.scheduler},
		{"kwok", &b.kwok},
	} {
		if *t.path = Tool(tb, t.name); *t.path == "" {
			return b, false
		}
	}
	return b, true
}

// start runs the three components in dir and waits until they work.
func (c *Cluster) start(bins clusterBinaries, dir string) error {
	deadline := time.Now().Add(readyTimeout)
	for _, comp := range []struct {
		name, bin string
		extra     []string
	}{
		// The default of 20 requests a second holds the StatefulSet controller back by a quarter of a
		// second per pod, which stretches every rollout a test waits for.
		{"kube-controller-manager", bins.controllerManager, []string{"--kube-api-qps=200", "--kube-api-burst=400"}},
		{"kube-scheduler", bins.scheduler, nil},
	} {
		p, err := startProcess(comp.name, comp.bin, dir, comp.name+".log", append([]string{
			"--kubeconfig=" + c.Kubeconfig,
			// The health and metrics port is not needed (readiness shows in the leases below); 0 turns it
			// off, and the address keeps it on loopback should it ever be turned on.
			"--secure-port=0",
			"--bind-address=127.0.0.1",
		}, comp.extra...))
		if err != nil {
			return err
		}
		c.procs = append(c.procs, p)
	}
	if err := c.startKwok(bins.kwok, dir, deadline); err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	// Both components take their lease before they start work; the default service account shows the
	// controller-manager's controllers are running, not just elected.
	return waitRunning(deadline, c.procs, func() error {
		for _, name := range []string{"kube-controller-manager", "kube-scheduler"} {
			l, err := c.Clientset.CoordinationV1().Leases("kube-system").Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "" {
				return fmt.Errorf("%s has not taken its lease", name)
			}
		}
		_, err := c.Clientset.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

// stop stops the components in reverse start order and prints their log tails if tb failed.
func (c *Cluster) stop(tb testing.TB) {
	for i := len(c.procs) - 1; i >= 0; i-- {
		if err := c.procs[i].stop(); err != nil {
			tb.Errorf("kubetest: %v", err)
		}
	}
	if tb.Failed() {
		for _, p := range c.procs {
			tb.Logf("kubetest: last lines of %s:\n%s", p.logPath, tail(p.logPath, logTailLines))
		}
	}
}

// waitRunning polls check until it passes, failing early when one of procs exits and after deadline.
func waitRunning(deadline time.Time, procs []*process, check func() error) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		lastErr := check()
		if err := firstExit(procs); err != nil {
			return err
		}
		if lastErr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s: %w", readyTimeout, lastErr)
		}
		<-tick.C
	}
}

// firstExit returns an error naming the first of procs that has exited, marking a port clash with
// errPortTaken.
func firstExit(procs []*process) error {
	for _, p := range procs {
		select {
		case <-p.done:
			err := fmt.Errorf("%s exited: %v (log: %s)", p.name, p.waitErr, p.logPath)
			if log, _ := os.ReadFile(p.logPath); bytes.Contains(log, []byte("address already in use")) {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		default:
		}
	}
	return nil
}

// WaitFor polls check until it returns nil and fails tb when timeout passes first, with what and check's
// last error, or as soon as a component of the cluster exits. check's error says what is still missing.
func (c *Cluster) WaitFor(tb testing.TB, timeout time.Duration, what string, check func(ctx context.Context) error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(clusterPoll)
	defer tick.Stop()
	for {
		err := check(ctx)
		if err == nil {
			return
		}
		if exit := firstExit(append([]*process{c.srv.etcd, c.srv.apiserver}, c.procs...)); exit != nil {
			tb.Fatalf("kubetest: waiting for %s: %v", what, exit)
			return
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("kubetest: %s not done after %s: %v", what, timeout, err)
			return
		case <-tick.C:
		}
	}
}

// Node describes a fake node for AddNodes.
type Node struct {
	Name string
	// Zone becomes the topology.kubernetes.io/zone label; empty leaves it out.
	Zone   string
	Labels map[string]string
	Taints []corev1.Taint
}

// fakeNodeResources is what every fake node offers: more than the tests' pods request, since kwok
// ignores usage and the scheduler only compares requests with allocatable.
var fakeNodeResources = corev1.ResourceList{
	corev1.ResourceCPU:              resource.MustParse("32"),
	corev1.ResourceMemory:           resource.MustParse("256Gi"),
	corev1.ResourcePods:             resource.MustParse("110"),
	corev1.ResourceEphemeralStorage: resource.MustParse("1Ti"),
}

// object is the Node as created: the labels a kubelet would set, then n's own, and the annotation that
// hands it to kwok. Status is kept on create, so capacity is set here rather than left to kwok.
func (n Node) object() *corev1.Node {
	labels := map[string]string{
		corev1.LabelHostname:   n.Name,
		corev1.LabelOSStable:   "linux",
		corev1.LabelArchStable: "amd64",
	}
	if n.Zone != "" {
		labels[corev1.LabelTopologyZone] = n.Zone
	}
	maps.Copy(labels, n.Labels)
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        n.Name,
			Labels:      labels,
			Annotations: map[string]string{FakeNodeAnnotation: "fake"},
		},
		Spec:   corev1.NodeSpec{Taints: n.Taints},
		Status: corev1.NodeStatus{Capacity: fakeNodeResources.DeepCopy(), Allocatable: fakeNodeResources.DeepCopy()},
	}
}

// AddNodes creates the nodes and waits until kwok has made them Ready and the controller-manager has
// lifted the not-ready taint every new node starts with, so pods can be scheduled on them.
func (c *Cluster) AddNodes(tb testing.TB, nodes ...Node) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), nodeReadyTimeout)
	defer cancel()
	for _, n := range nodes {
		if _, err := c.Clientset.CoreV1().Nodes().Create(ctx, n.object(), metav1.CreateOptions{}); err != nil {
			tb.Fatalf("kubetest: create node %s: %v", n.Name, err)
			return
		}
	}
	c.WaitFor(tb, nodeReadyTimeout, "nodes to be ready", func(ctx context.Context) error {
		var waiting []string
		for _, n := range nodes {
			node, err := c.Clientset.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if why := nodeNotReady(node); why != "" {
				waiting = append(waiting, n.Name+": "+why)
			}
		}
		if len(waiting) > 0 {
			return errors.New(strings.Join(waiting, "; "))
		}
		return nil
	})
}

// nodeNotReady says why pods cannot be scheduled on node yet, or returns "".
func nodeNotReady(node *corev1.Node) string {
	ready := false
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			ready = cond.Status == corev1.ConditionTrue
		}
	}
	if !ready {
		return "not Ready"
	}
	for _, t := range node.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable {
			return "still tainted " + t.Key
		}
	}
	return ""
}
