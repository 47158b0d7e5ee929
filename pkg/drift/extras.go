package drift

import (
	"context"
	"fmt"
	"github.com/rocketops/rocketops/pkg/plan"
	"regexp"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// controllerManager is the field manager of kube-controller-manager's controllers.
const controllerManager = "kube-controller-manager"

// key identifies an object across API versions.
type key struct {
	gk        schema.GroupKind
	namespace string
	name      string
}

func keyOf(u *unstructured.Unstructured) key {
	return key{gk: u.GroupVersionKind().GroupKind(), namespace: u.GetNamespace(), name: u.GetName()}
}

// extras lists the live objects of Kinds that carry the selector's labels, in the environment's
// namespace or cluster-wide for cluster-scoped kinds, and that no environment of the spec generates.
// Left out are objects controllers made (see madeByController) and cluster-scoped objects bound to
// another namespace. A kind the cluster does not serve has no objects; one the user may not list is a
// finding of its own.
func (m *comparer) extras(ctx context.Context, opts Options) ([]Finding, error) {
	if len(opts.Selector) == 0 {
		return nil, nil
	}
	generated := map[key]bool{}
	var sets []*unstructured.Unstructured
	for _, o := range slices.Concat(opts.Objects, opts.Others) {
		generated[keyOf(o)] = true
		if isStatefulSet(o) {
			sets = append(sets, o)
		}
	}
	var live []unstructured.Unstructured
	var out []Finding
	for _, gvk := range Kinds {
		items, f, err := m.list(ctx, gvk, opts)
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, *f)
		}
		live = append(live, items...)
	}
	for i := range live {
		if isStatefulSet(&live[i]) {
			sets = append(sets, &live[i])
		}
	}
	claims := claimPatterns(sets)
	for i := range live {
		o := &live[i]
		switch {
		case generated[keyOf(o)], madeByController(o, claims), boundElsewhere(o, opts.Namespace):
			continue
		}
		out = append(out, Finding{Object: idOf(o), State: Extra})
	}
	return out, nil
}

// list lists the objects of one kind that carry the selector's labels.
func (m *comparer) list(ctx context.Context, gvk schema.GroupVersionKind, opts Options) ([]unstructured.Unstructured, *Finding, error) {
	probe := &unstructured.Unstructured{}
	probe.SetGroupVersionKind(gvk)
	namespaced, err := m.client.IsObjectNamespaced(probe)
	if meta.IsNoMatchError(err) {
		return nil, nil, nil // no such kind, so none of it left over
	}
	if err != nil && !isAPIError(err) {
		return nil, nil, clusterError(m.host, ctxErr(ctx, err))
	}
	id := ObjectID{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}
	listOpts := []client.ListOption{client.MatchingLabels(opts.Selector)}
	if namespaced {
		listOpts = append(listOpts, client.InNamespace(opts.Namespace))
		id.Namespace = opts.Namespace
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err == nil {
		err = m.client.List(ctx, list, listOpts...)
	}
	switch {
	case err == nil:
		return list.Items, nil, nil
	case meta.IsNoMatchError(err):
		return nil, nil, nil
	case isAPIError(err):
		return nil, &Finding{Object: id, State: Failed, Error: "cannot look for extra objects: " + err.Error(),
			Hint: fmt.Sprintf("the context's user needs list on %s in %s", gvk.Kind, where(id))}, nil
	}
	return nil, nil, clusterError(m.host, ctxErr(ctx, err))
}

// madeByController reports whether a controller made the object rather than an apply: it has a
// controller owner (a pod, a claim a StatefulSet deletes with itself), only kube-controller-manager
// ever wrote it, or it is a claim named after a StatefulSet's claim template (claims the StatefulSet
// controller makes carry the template's labels, the cluster's, and outlive their pods).
func madeByController(o *unstructured.Unstructured, claims []*regexp.Regexp) bool {
	for _, ref := range o.GetOwnerReferences() {
		if ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	if mf := o.GetManagedFields(); len(mf) > 0 && !slices.ContainsFunc(mf, func(e metav1.ManagedFieldsEntry) bool { return e.Manager != controllerManager }) {
		return true
	}
	if o.GetKind() == "PersistentVolumeClaim" && o.GroupVersionKind().Group == "" {
		return slices.ContainsFunc(claims, func(re *regexp.Regexp) bool { return re.MatchString(o.GetNamespace() + "/" + o.GetName()) })
	}
	return false
}

// claimPatterns matches "namespace/name" of the claims the StatefulSet controller makes for sets:
// <template>-<set>-<ordinal> (StatefulSet controller, getPersistentVolumeClaimName in
// pkg/controller/statefulset/stateful_set_utils.go, kubernetes v1.33).
func claimPatterns(sets []*unstructured.Unstructured) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, s := range sets {
		templates, _, _ := unstructured.NestedSlice(s.Object, "spec", "volumeClaimTemplates")
		for _, t := range templates {
			tm, _ := t.(map[string]any)
			name, _, _ := unstructured.NestedString(tm, "metadata", "name")
			if name == "" {
				continue
			}
			out = append(out, regexp.MustCompile("^"+regexp.QuoteMeta(s.GetNamespace()+"/"+name+"-"+s.GetName()+"-")+"[0-9]+$"))
		}
	}
	return out
}

func isStatefulSet(o *unstructured.Unstructured) bool {
	gvk := o.GroupVersionKind()
	return gvk.Group == "apps" && gvk.Kind == "StatefulSet"
}

// boundElsewhere reports whether a cluster-scoped object belongs to another namespace: one whose
// plan.LabelNamespace names another namespace (a cluster of the same name there, or another
// environment of this one), or a PersistentVolume reserved for a claim elsewhere.
func boundElsewhere(o *unstructured.Unstructured, namespace string) bool {
	if ns, ok := o.GetLabels()[plan.LabelNamespace]; ok && ns != namespace {
		return true
	}
	if o.GetKind() != "PersistentVolume" || o.GroupVersionKind().Group != "" {
		return false
	}
	ns, _, _ := unstructured.NestedString(o.Object, "spec", "claimRef", "namespace")
	return ns != "" && ns != namespace
}
