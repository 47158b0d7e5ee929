package kubetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WaitRolledOut waits until every StatefulSet and Deployment in namespace has finished rolling out what
// its spec asks for, all replicas updated and ready, and fails tb after timeout naming those still rolling.
// The controller's observedGeneration must match, so a change applied just before the call is waited for
// rather than mistaken for the finished previous rollout.
func (c *Cluster) WaitRolledOut(tb testing.TB, namespace string, timeout time.Duration) {
	tb.Helper()
	c.WaitFor(tb, timeout, "StatefulSets and Deployments in "+namespace+" to roll out", func(ctx context.Context) error {
		apps := c.Clientset.AppsV1()
		sets, err := apps.StatefulSets(namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		deps, err := apps.Deployments(namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		var rolling []string
		for _, s := range sets.Items {
			if why := statefulSetRolling(&s); why != "" {
				rolling = append(rolling, "StatefulSet "+s.Name+": "+why)
			}
		}
		for _, d := range deps.Items {
			if why := deploymentRolling(&d); why != "" {
				rolling = append(rolling, "Deployment "+d.Name+": "+why)
			}
		}
		if len(rolling) > 0 {
			return errors.New(strings.Join(rolling, "; "))
		}
		return nil
	})
}

// statefulSetRolling says what s is still waiting for, or returns "" when it is rolled out.
func statefulSetRolling(s *appsv1.StatefulSet) string {
	want := int32(1)
	if s.Spec.Replicas != nil {
		want = *s.Spec.Replicas
	}
	st := s.Status
	switch {
	case st.ObservedGeneration < s.Generation:
		return fmt.Sprintf("generation %d not observed yet", s.Generation)
	case st.CurrentRevision != st.UpdateRevision:
		return fmt.Sprintf("revision %s not current yet (current %s)", st.UpdateRevision, st.CurrentRevision)
	case st.Replicas != want || st.UpdatedReplicas != want || st.ReadyReplicas != want || st.AvailableReplicas != want:
		return fmt.Sprintf("%d replicas, %d updated, %d ready, %d available of %d", st.Replicas, st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas, want)
	}
	return ""
}

// deploymentRolling says what d is still waiting for, or returns "" when it is rolled out.
func deploymentRolling(d *appsv1.Deployment) string {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	st := d.Status
	switch {
	case st.ObservedGeneration < d.Generation:
		return fmt.Sprintf("generation %d not observed yet", d.Generation)
	case st.Replicas != want || st.UpdatedReplicas != want || st.ReadyReplicas != want || st.AvailableReplicas != want:
		// Replicas counts old pods too, so it equals want only once the old ones are gone.
		return fmt.Sprintf("%d replicas, %d updated, %d ready, %d available of %d", st.Replicas, st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas, want)
	}
	return ""
}
