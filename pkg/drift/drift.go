// Package drift compares the objects a spec compiles to with a live cluster, the way Flux's
// kustomize-controller detects drift, and reports what is missing, what differs field by field and
// what the cluster still holds that the spec no longer generates.
//
// For each object it asks fluxcd/pkg/ssa's ResourceManager.Diff: a server-side apply dry run of the
// object (field manager "rocketops", forced, strict field validation) merges it into the live object
// exactly as a real apply would, with the server's defaults, admission and immutability rules, and
// the merged object is compared with the live one, status, managedFields and the rest of the
// server's metadata left out (ssa manager_diff.go, v0.78.0). The fields that differ are listed as
// JSON pointers with both values. Extra objects are found by the cluster's labels.
//
// The package reads no kubeconfig of its own accord (LoadConfig takes the paths), writes nothing to
// the cluster, and leaves compiling to package compile and exit codes to the caller.
package drift

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/fluxcd/pkg/ssa"
	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// FieldManager is the field manager of the dry runs: the one rocketops applies with (pkg/kube), so a
// dry run merges the object as rocketops' own apply would and owns exactly the same fields.
const FieldManager = "rocketops"

// Options say what to compare.
type Options struct {
	// Objects are the environment's objects as compiled, in install order.
	Objects []*unstructured.Unstructured
	// Others are the objects the spec's other environments compile to; a live object among them is
	// never reported as extra (a StorageClass two environments share, say).
	Others []*unstructured.Unstructured
	// Namespace is the environment's namespace, where extra objects are looked for.
	Namespace string
	// Selector holds the labels every object of the cluster carries; extras are the live objects of
	// Kinds that carry all of them and are not generated.
	Selector map[string]string
	// Concurrency bounds the objects compared at once; 0 means 4.
	Concurrency int
}

// Compare compares the objects with the cluster cfg reaches and returns the report. It returns an
// error, a *ClusterError, only when the comparison as a whole cannot be made: the server cannot be
// reached, refuses the credentials, or ctx ends first. A problem with one object (the dry run is
// refused, reading it is forbidden) is reported at that object.
func Compare(ctx context.Context, cfg *rest.Config, opts Options) (*Report, error) {
	quietControllerRuntime()
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		// client-go's default of 5 requests a second would make a few hundred objects take a minute.
		cfg.QPS, cfg.Burst = 100, 200
	}
	cfg.WarningHandler = rest.NoWarnings{}
	if err := preflight(ctx, cfg); err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{FieldValidation: "Strict"})
	if err != nil {
		return nil, clusterError(cfg.Host, err)
	}
	r := &Report{Namespace: opts.Namespace}
	nsMissing, err := namespaceMissing(ctx, c, opts.Namespace, cfg.Host)
	if err != nil {
		return nil, err
	}
	r.NamespaceMissing = nsMissing
	cmp := &comparer{
		client:  c,
		manager: ssa.NewResourceManager(c, nil, ssa.Owner{Field: FieldManager, Group: "rocketops.dev"}),
		host:    cfg.Host,
	}
	findings, err := cmp.all(ctx, opts, nsMissing)
	if err != nil {
		return nil, err
	}
	r.Objects = len(opts.Objects)
	for _, f := range findings {
		if f != nil {
			r.Findings = append(r.Findings, *f)
		}
	}
	r.InSync = r.Objects - len(r.Findings)
	extras, err := cmp.extras(ctx, opts)
	if err != nil {
		return nil, err
	}
	r.Findings = append(r.Findings, extras...)
	sortFindings(r.Findings)
	return r, nil
}

var quietOnce sync.Once

// quietControllerRuntime gives controller-runtime, which ssa builds on, a logger that drops
// everything: without one it prints a warning and a stack trace to stderr after 30 seconds.
func quietControllerRuntime() {
	quietOnce.Do(func() { ctrllog.SetLogger(logr.Discard()) })
}

// preflight asks the server for its version, which every authenticated user may, so that an
// unreachable server or refused credentials fail the run once, with one message.
func preflight(ctx context.Context, cfg *rest.Config) error {
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return clusterError(cfg.Host, err)
	}
	if err := disc.RESTClient().Get().AbsPath("/version").Do(ctx).Error(); err != nil {
		return clusterError(cfg.Host, ctxErr(ctx, err))
	}
	return nil
}

// namespaceMissing reports whether the environment's namespace does not exist. A user who may not
// read namespaces gets false: the objects' own dry runs tell then.
func namespaceMissing(ctx context.Context, c client.Client, ns, host string) (bool, error) {
	if ns == "" {
		return false, nil
	}
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("Namespace")
	err := c.Get(ctx, client.ObjectKey{Name: ns}, u)
	switch {
	case err == nil:
		return false, nil
	case apierrors.IsNotFound(err):
		return true, nil
	case isAPIError(err):
		return false, nil
	}
	return false, clusterError(host, ctxErr(ctx, err))
}

// comparer compares objects with one cluster.
type comparer struct {
	client  client.Client
	manager *ssa.ResourceManager
	host    string
}

// all compares every object, a few at a time, and returns a finding per object in input order, nil
// where the object is in sync. In a namespace that does not exist, every namespaced object is
// missing; no dry run is needed to say so.
func (m *comparer) all(ctx context.Context, opts Options, nsMissing bool) ([]*Finding, error) {
	n := opts.Concurrency
	if n <= 0 {
		n = min(4, runtime.GOMAXPROCS(0)*2)
	}
	out := make([]*Finding, len(opts.Objects))
	errs := make([]error, len(opts.Objects))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, obj := range opts.Objects {
		if nsMissing && obj.GetNamespace() == opts.Namespace {
			out[i] = &Finding{Object: idOf(obj), State: Missing}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = m.one(ctx, obj)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			// The cluster is gone for every object alike, most likely; the first error says so.
			return nil, err
		}
	}
	return out, nil
}

// one compares one object. An error is returned only when the cluster cannot be talked to at all.
func (m *comparer) one(ctx context.Context, desired *unstructured.Unstructured) (*Finding, error) {
	id := idOf(desired)
	entry, live, merged, err := m.manager.Diff(ctx, desired.DeepCopy(), ssa.DefaultDiffOptions())
	if err != nil {
		if !isAPIError(err) && !meta.IsNoMatchError(err) {
			return nil, clusterError(m.host, ctxErr(ctx, err))
		}
		return objectError(id, desired, err), nil
	}
	switch entry.Action {
	case ssa.CreatedAction:
		return &Finding{Object: id, State: Missing}, nil
	case ssa.ConfiguredAction:
		if live.GetUID() == "" {
			// Diff does not say why it could not read the live object; reading it again does.
			return m.readError(ctx, id, desired)
		}
		changes, err := diffObjects(live, merged)
		if err != nil {
			return &Finding{Object: id, State: Failed, Error: "comparing: " + err.Error()}, nil
		}
		return &Finding{Object: id, State: Changed, Changes: changes}, nil
	}
	return nil, nil
}

// readError reports why the live object could not be read.
func (m *comparer) readError(ctx context.Context, id ObjectID, desired *unstructured.Unstructured) (*Finding, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(desired.GroupVersionKind())
	err := m.client.Get(ctx, client.ObjectKeyFromObject(desired), u)
	if err == nil {
		return &Finding{Object: id, State: Failed, Error: "the live object changed while it was compared", Hint: "run drift again"}, nil
	}
	if !isAPIError(err) {
		return nil, clusterError(m.host, ctxErr(ctx, err))
	}
	return objectError(id, desired, err), nil
}

// isAPIError reports whether the server answered with a status (refused, not found, forbidden …)
// rather than not answering.
func isAPIError(err error) bool {
	var status apierrors.APIStatus
	return errors.As(err, &status)
}

// ctxErr prefers ctx's error, which says the run's time is up, to what the request failed with then.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && context.Cause(ctx) != ctx.Err() {
		return fmt.Errorf("%w (%w)", context.Cause(ctx), ctx.Err())
	}
	return err
}
