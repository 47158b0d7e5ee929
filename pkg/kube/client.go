// Package kube talks to a real Kubernetes API server on behalf of rocketops.
//
// Today it offers server-side validation: DryRunApply sends compiled manifests to a cluster with server-side
// apply and dryRun=All, so the API server's own defaulting, validation, admission and immutability rules judge
// them without anything being stored. DecodeYAML turns a rendered multi-document stream into objects for it.
//
// The package does not build rest.Config values (callers load kubeconfig or use pkg/kube/kubetest), does not
// order objects (callers pass namespaces and CRDs first, or create namespaces with EnsureNamespace), and does not
// delete anything it creates: EnsureNamespace makes a real namespace and leaves it behind.
package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// FieldManager is the server-side apply field manager rocketops writes as. Using one fixed name means a later
// real apply from rocketops owns exactly the fields a dry run reported on.
const FieldManager = "rocketops"

// DefaultNamespace is where namespaced objects without metadata.namespace are sent, as kubectl does with a
// context that names no namespace.
const DefaultNamespace = "default"

var namespaceGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// Client talks to one cluster. It is safe for concurrent use.
type Client struct {
	dynamic dynamic.Interface
	// mapper turns kinds into resources. It is backed by an in-memory discovery cache so a batch of objects
	// costs one discovery round trip, and it is reset once when a kind is unknown, in case the kind was added
	// (a CRD, an aggregated API) after the cache was filled.
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

// NewClient returns a Client for the cluster cfg points at. It does not contact the server; discovery happens
// on first use.
func NewClient(cfg *rest.Config) (*Client, error) {
	if cfg == nil {
		return nil, errors.New("kube: nil rest config")
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kube: dynamic client: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kube: discovery client: %w", err)
	}
	return &Client{
		dynamic: dyn,
		mapper:  restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc)),
	}, nil
}

// ObjectError is the error DryRunApply returns for one rejected object. Err is the API server's error (an
// apierrors.APIStatus when the server answered), so apierrors.IsInvalid and friends work through errors.As.
type ObjectError struct {
	Kind      string
	Namespace string // empty for cluster-scoped objects
	Name      string
	Err       error
}

// Error names the object the way a reader finds it in a manifest: kind, then namespace/name.
func (e *ObjectError) Error() string {
	id := e.Name
	if e.Namespace != "" {
		id = e.Namespace + "/" + e.Name
	}
	if id == "" {
		id = "(no name)"
	}
	kind := e.Kind
	if kind == "" {
		kind = "(no kind)"
	}
	return fmt.Sprintf("%s %s: %v", kind, id, e.Err)
}

// Unwrap returns the underlying error.
func (e *ObjectError) Unwrap() error { return e.Err }

// DryRunApply sends each object with server-side apply (field manager "rocketops", force) and dryRun=All, with
// fieldValidation=Strict so unknown and duplicate fields are rejected rather than dropped. Nothing is stored.
//
// It returns one *ObjectError per rejected object, in input order, and nil when all were accepted. Objects are
// processed in the given order, one request each; an object cannot see another from the same call, because
// none of them is persisted, so namespaces they live in must exist already (see EnsureNamespace). Namespaced
// objects without a namespace go to DefaultNamespace. If ctx ends, the remaining objects are reported as one
// error carrying ctx's error.
func (c *Client) DryRunApply(ctx context.Context, objs []*unstructured.Unstructured) []error {
	var errs []error
	for i, obj := range objs {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("kube: dry run stopped with %d of %d objects unchecked: %w", len(objs)-i, len(objs), err))
			break
		}
		if err := c.apply(ctx, obj, true); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Apply server-side applies each object for real, in order, the way DryRunApply checks them (field manager
// "rocketops", force, strict field validation). It returns one *ObjectError per rejected object.
func (c *Client) Apply(ctx context.Context, objs []*unstructured.Unstructured) []error {
	var errs []error
	for _, obj := range objs {
		if err := c.apply(ctx, obj, false); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// apply server-side applies one object, for real or as a dry run, and names the object in any error.
func (c *Client) apply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) error {
	if obj == nil {
		return &ObjectError{Err: errors.New("nil object")}
	}
	gvk := obj.GroupVersionKind()
	objErr := func(ns string, err error) error {
		return &ObjectError{Kind: gvk.Kind, Namespace: ns, Name: obj.GetName(), Err: err}
	}
	if gvk.Kind == "" || gvk.Version == "" {
		return objErr(obj.GetNamespace(), errors.New("apiVersion and kind are required"))
	}
	if obj.GetName() == "" {
		// Apply addresses objects by name; generateName cannot be applied.
		return objErr(obj.GetNamespace(), errors.New("metadata.name is required"))
	}
	mapping, err := c.restMapping(ctx, gvk)
	if err != nil {
		return objErr(obj.GetNamespace(), err)
	}
	res := c.dynamic.Resource(mapping.Resource)
	var ri dynamic.ResourceInterface = res
	ns := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = obj.GetNamespace()
		if ns == "" {
			ns = DefaultNamespace
		}
		ri = res.Namespace(ns)
	}
	body, err := json.Marshal(obj.Object)
	if err != nil {
		return objErr(ns, fmt.Errorf("encode: %w", err))
	}
	force := true
	opts := metav1.PatchOptions{
		FieldManager:    FieldManager,
		Force:           &force,
		FieldValidation: metav1.FieldValidationStrict,
	}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	// Patch rather than dynamic's Apply, because ApplyOptions cannot carry FieldValidation. Strict makes the
	// server fail on unknown and duplicate fields instead of dropping them. (A v1.33 server rejects unknown
	// fields in an apply even with Ignore, but asking explicitly does not depend on that.)
	if _, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, body, opts); err != nil {
		return objErr(ns, err)
	}
	return nil
}

// Get reads one object from the cluster. A missing object gives an error apierrors.IsNotFound
// recognises, wrapped in an *ObjectError.
func (c *Client) Get(ctx context.Context, apiVersion, kind, namespace, name string) (*unstructured.Unstructured, error) {
	gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
	mapping, err := c.restMapping(ctx, gvk)
	if err != nil {
		return nil, &ObjectError{Kind: kind, Namespace: namespace, Name: name, Err: err}
	}
	var ri dynamic.ResourceInterface = c.dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = c.dynamic.Resource(mapping.Resource).Namespace(namespace)
	}
	obj, err := ri.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, &ObjectError{Kind: kind, Namespace: namespace, Name: name, Err: err}
	}
	return obj, nil
}

// restMapping resolves gvk, refreshing discovery once if the cached data does not know the kind.
func (c *Client) restMapping(ctx context.Context, gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.mapper.RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.mapper.ResetWithContext(ctx)
		m, err = c.mapper.RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", gvk.GroupVersion().WithKind(gvk.Kind), err)
	}
	return m, nil
}

// EnsureNamespace creates the namespace name for real if it does not exist. It is what lets DryRunApply check
// namespaced objects: admission rejects objects in a missing namespace, and a dry-run namespace is not stored.
func (c *Client) EnsureNamespace(ctx context.Context, name string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Namespace",
		"metadata":   map[string]any{"name": name},
	}}
	_, err := c.dynamic.Resource(namespaceGVR).Create(ctx, ns, metav1.CreateOptions{FieldManager: FieldManager})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("kube: ensure namespace %q: %w", name, err)
	}
	return nil
}
