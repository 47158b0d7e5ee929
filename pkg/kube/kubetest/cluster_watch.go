package kubetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// syncTimeout bounds PodWatch.Sync; the watch trails the store by milliseconds.
const syncTimeout = 30 * time.Second

// PodEvent is one pod as a watch reported it.
type PodEvent struct {
	Time              time.Time       // when the test received the event
	Type              watch.EventType // Added (also for the pods listed when the watch began), Modified or Deleted
	Name              string
	UID               types.UID
	ResourceVersion   string
	Labels            map[string]string
	Owner             string // name of the controlling owner, such as the StatefulSet; "" if none
	Node              string
	Phase             corev1.PodPhase
	Ready             bool      // the Ready condition is True
	DeletionTimestamp time.Time // zero unless the pod is being deleted
}

// Available reports whether the pod exists, is Ready and is not being deleted.
func (e PodEvent) Available() bool {
	return e.Type != watch.Deleted && e.Ready && e.DeletionTimestamp.IsZero()
}

// State is the pod's state in a word, as timelines show it.
func (e PodEvent) State() string {
	switch {
	case e.Type == watch.Deleted:
		return "gone"
	case !e.DeletionTimestamp.IsZero():
		return "terminating"
	case e.Ready:
		return "ready"
	case e.Node == "":
		return "unscheduled"
	default:
		return strings.ToLower(string(e.Phase))
	}
}

func podEvent(t watch.EventType, pod *corev1.Pod, at time.Time) PodEvent {
	e := PodEvent{
		Time: at, Type: t, Name: pod.Name, UID: pod.UID, ResourceVersion: pod.ResourceVersion,
		Labels: pod.Labels, Node: pod.Spec.NodeName, Phase: pod.Status.Phase,
	}
	if ref := metav1.GetControllerOf(pod); ref != nil {
		e.Owner = ref.Name
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			e.Ready = c.Status == corev1.ConditionTrue
		}
	}
	if pod.DeletionTimestamp != nil {
		e.DeletionTimestamp = pod.DeletionTimestamp.Time
	}
	return e
}

// PodWatch records every change to the pods of one namespace, from the moment WatchPods returns.
type PodWatch struct {
	c         *Cluster
	namespace string
	watcher   *watchtools.RetryWatcher
	done      chan struct{}

	mu     sync.Mutex
	events []PodEvent
	err    error
}

// WatchPods lists the namespace's pods, recording each as an Added event, and records every later change
// until tb's cleanups run. Starting from the list's resource version means no change is missed, and the
// watch is resumed where it left off if the connection drops.
func (c *Cluster) WatchPods(tb testing.TB, namespace string) *PodWatch {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pods := c.Clientset.CoreV1().Pods(namespace)
	list, err := pods.List(ctx, metav1.ListOptions{})
	if err != nil {
		cancel()
		tb.Fatalf("kubetest: list pods in %s: %v", namespace, err)
		return nil
	}
	w := &PodWatch{c: c, namespace: namespace, done: make(chan struct{})}
	now := time.Now()
	for i := range list.Items {
		w.events = append(w.events, podEvent(watch.Added, &list.Items[i], now))
	}
	lw := &cache.ListWatch{WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		return pods.Watch(ctx, opts)
	}}
	w.watcher, err = watchtools.NewRetryWatcherWithContext(ctx, list.ResourceVersion, lw)
	if err != nil {
		cancel()
		tb.Fatalf("kubetest: watch pods in %s: %v", namespace, err)
		return nil
	}
	go w.record()
	tb.Cleanup(func() {
		cancel()
		w.watcher.Stop()
		<-w.done
	})
	return w
}

// record stores events until the watch ends.
func (w *PodWatch) record() {
	defer close(w.done)
	for ev := range w.watcher.ResultChan() {
		now := time.Now()
		w.mu.Lock()
		switch pod, ok := ev.Object.(*corev1.Pod); {
		case ev.Type == watch.Error:
			// The watch cannot be resumed (its resource version is gone); later changes would be missed.
			w.err = fmt.Errorf("pod watch in %s ended: %v", w.namespace, ev.Object)
		case ok && ev.Type != watch.Bookmark:
			w.events = append(w.events, podEvent(ev.Type, pod, now))
		}
		w.mu.Unlock()
	}
}

// Events returns what has been recorded so far, in the order the API server wrote it.
func (w *PodWatch) Events() []PodEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]PodEvent(nil), w.events...)
}

// Sync waits until the recording has caught up with the API server: the last event of every pod that
// exists now carries its current resource version, and no other pod is left recorded as present. Call it
// after the cluster has settled and before reading Events, so the end of the story is not missing.
func (w *PodWatch) Sync(tb testing.TB) {
	tb.Helper()
	w.c.WaitFor(tb, syncTimeout, "the pod watch to catch up", func(ctx context.Context) error {
		list, err := w.c.Clientset.CoreV1().Pods(w.namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.err != nil {
			tb.Fatalf("kubetest: %v", w.err)
		}
		last := map[string]PodEvent{}
		for _, e := range w.events {
			last[e.Name] = e
		}
		for _, pod := range list.Items {
			if e, ok := last[pod.Name]; !ok || e.ResourceVersion != pod.ResourceVersion {
				return fmt.Errorf("pod %s at resource version %s not recorded yet", pod.Name, pod.ResourceVersion)
			}
			delete(last, pod.Name)
		}
		for name, e := range last {
			if e.Type != watch.Deleted {
				return fmt.Errorf("deletion of pod %s not recorded yet", name)
			}
		}
		return nil
	})
}

// Timeline renders the events that change a pod's State, one line each, with the time since start:
//
//	+1.503s  web-2  ready -> terminating  (node-2)
//
// note, if not nil, adds text to each line.
func Timeline(events []PodEvent, start time.Time, note func(PodEvent) string) string {
	width := 0
	for _, e := range events {
		width = max(width, len(e.Name))
	}
	state := map[string]string{}
	var b strings.Builder
	for _, e := range events {
		from, to := state[e.Name], e.State()
		if from == to {
			continue
		}
		state[e.Name] = to
		if from == "" {
			from = "(new)"
		}
		fmt.Fprintf(&b, "%+8.3fs  %-*s  %-11s -> %-11s", e.Time.Sub(start).Seconds(), width, e.Name, from, to)
		if e.Node != "" {
			fmt.Fprintf(&b, "  (%s)", e.Node)
		}
		if note != nil {
			if n := note(e); n != "" {
				b.WriteString("  " + n)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
