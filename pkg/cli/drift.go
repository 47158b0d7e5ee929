package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kjson "k8s.io/apimachinery/pkg/util/json"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/drift"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
)

// driftFormats are the output forms of drift.
var driftFormats = []string{"text", "json"}

func newDriftCmd(in *input, out io.Writer) *cobra.Command {
	var o driftFlags
	cmd := &cobra.Command{
		Use:   "drift FILE [--env ENV]",
		Short: "Compare a live cluster with what the spec compiles to (exit 1 on drift)",
		Long: `drift compiles one environment of the spec in memory and compares its objects with the cluster
of a kubeconfig context, as Flux does: a server-side apply dry run of each object (field manager
rocketops), whose result is compared with the live object, status, managedFields and the metadata
the server sets left out. It reports objects that are missing, fields that differ (JSON pointers
with the desired and the live value) and extra objects: those in the environment's namespace, or
cluster-wide for PersistentVolumes and StorageClasses, that carry the cluster's labels
(app.kubernetes.io/instance and app.kubernetes.io/managed-by=rocketops) but are no longer
generated. Secret values are never printed. Nothing is changed in the cluster.

Exit codes: 0 no drift, 1 drift, 2 error (an invalid spec, bad flags, no kubeconfig or context, a
cluster that cannot be reached, an object that cannot be compared). --timeout bounds the whole run.`,
		Example: `  rocketops drift cluster.yaml
  rocketops drift cluster.yaml --env prod --context prod-eu -o json
  KUBECONFIG=~/.kube/staging rocketops drift cluster.yaml -e staging --timeout 2m`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeoutCause(context.Background(), o.timeout,
				fmt.Errorf("timed out after %s", o.timeout))
			defer cancel()
			src, name, err := in.readSpec(args[0])
			if err != nil {
				return err
			}
			env, err := driftEnvironment(cmd.ErrOrStderr(), name, src, o.env)
			if err != nil {
				return err
			}
			return runDrift(ctx, out, o, env)
		},
	}
	cmd.Flags().StringVarP(&o.env, "env", "e", "", "the environment to compare (needed when the spec has several)")
	_ = cmd.RegisterFlagCompletionFunc("env", completeEnvironments)
	cmd.Flags().StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	cmd.Flags().StringVar(&o.context, "context", "", "kubeconfig context (default: its current context)")
	cmd.Flags().StringVarP(&o.format, "output", "o", "text", "how to print the report: "+strings.Join(driftFormats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return driftFormats, cobra.ShellCompDirectiveNoFileComp
	})
	cmd.Flags().DurationVar(&o.timeout, "timeout", 60*time.Second, "time allowed for the whole run")
	return cmd
}

// driftFlags are drift's flags.
type driftFlags struct {
	env, kubeconfig, context, format string
	timeout                          time.Duration
}

func (o driftFlags) check() error {
	if !slices.Contains(driftFormats, o.format) {
		return usage(fmt.Errorf("unknown output format %q", o.format), "use -o "+strings.Join(driftFormats, " or -o "))
	}
	if o.timeout <= 0 {
		return usage(fmt.Errorf("--timeout must be more than 0, got %s", o.timeout), "e.g. --timeout 60s")
	}
	return nil
}

// driftEnv is one compiled environment, ready to compare.
type driftEnv struct {
	spec, cluster, name, namespace string
	opts                           drift.Options
}

// driftEnvironment compiles the spec and picks the environment to compare: the one named, or the
// only one. The objects of the others are kept so that what they generate is never called extra.
func driftEnvironment(stderr io.Writer, file string, src []byte, want string) (*driftEnv, error) {
	res, err := compile.Compile(compile.Options{File: file, Source: src})
	if err != nil {
		var dl diag.List
		if errors.As(err, &dl) && !dl.Internal() {
			// An invalid spec is an error here, not a finding: exit 1 means drift.
			return nil, &exitError{code: ExitError, err: fmt.Errorf("%s\n\thint: fix the spec before comparing it with a cluster; rocketops validate %s shows the same", dl.Error(), file)}
		}
		return nil, outcome(err)
	}
	if len(res.Warnings) > 0 {
		fmt.Fprint(stderr, res.Warnings.Error()+"\n")
	}
	names := slices.Sorted(maps.Keys(res.Plans))
	env, err := pickEnvironment(file, names, want)
	if err != nil {
		return nil, err
	}
	p := res.Plans[env]
	e := &driftEnv{spec: file, cluster: p.Name, name: env, namespace: p.Namespace}
	e.opts = drift.Options{
		Namespace: p.Namespace,
		Selector:  map[string]string{plan.LabelInstance: p.Labels[plan.LabelInstance], plan.LabelManagedBy: p.Labels[plan.LabelManagedBy]},
	}
	for _, n := range names {
		objs, err := unstructuredOf(res.Objects[n])
		if err != nil {
			return nil, outcome(err)
		}
		if n == env {
			e.opts.Objects = objs
		} else {
			e.opts.Others = append(e.opts.Others, objs...)
		}
	}
	return e, nil
}

func pickEnvironment(file string, names []string, want string) (string, error) {
	switch {
	case want == "" && len(names) == 1:
		return names[0], nil
	case want == "":
		return "", usage(fmt.Errorf("%s has %d environments: %s", file, len(names), strings.Join(names, ", ")),
			"name the one to compare with --env, e.g. --env "+names[0])
	case slices.Contains(names, want):
		return want, nil
	}
	hint := "the spec's environments: " + strings.Join(names, ", ")
	if s := diag.Closest(want, names); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	return "", usage(fmt.Errorf("unknown environment %q", want), hint)
}

// unstructuredOf turns rendered objects into the form client-go sends: whole numbers as int64.
func unstructuredOf(objs []render.Object) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		b, err := json.Marshal(o.Value)
		if err != nil {
			return nil, diag.Internal(err, "object %s", o.ID())
		}
		var m map[string]any
		if err := kjson.Unmarshal(b, &m); err != nil {
			return nil, diag.Internal(err, "object %s", o.ID())
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out, nil
}

// runDrift loads the kubeconfig, compares and reports, and returns the exit code as an error.
func runDrift(ctx context.Context, out io.Writer, o driftFlags, e *driftEnv) error {
	r := &drift.Report{Spec: e.spec, Cluster: e.cluster, Environment: e.name, Namespace: e.namespace}
	home, _ := os.UserHomeDir()
	k := drift.Kubeconfig{Path: o.kubeconfig, Paths: filepath.SplitList(os.Getenv("KUBECONFIG")), Context: o.context}
	if home != "" {
		k.Default = filepath.Join(home, ".kube", "config")
	}
	cfg, target, err := drift.LoadConfig(k)
	if err == nil {
		r.Context, r.Server = target.Context, target.Server
		cfg.Timeout = o.timeout // every request too, discovery included, which takes no context
		var got *drift.Report
		if got, err = drift.Compare(ctx, cfg, e.opts); err == nil {
			got.Spec, got.Cluster, got.Environment, got.Context, got.Server = r.Spec, r.Cluster, r.Environment, r.Context, r.Server
			return reportDrift(out, o.format, got)
		}
	}
	return driftFailed(out, o.format, r, err)
}

// driftFailed reports a run that could not compare at all.
func driftFailed(out io.Writer, format string, r *drift.Report, err error) error {
	msg, hint := err.Error(), ""
	var ce *drift.ConfigError
	var cle *drift.ClusterError
	switch {
	case errors.As(err, &ce):
		hint = ce.Hint
	case errors.As(err, &cle):
		hint = cle.Hint
	}
	if format == "json" {
		if werr := drift.WriteErrorJSON(out, r, msg, hint); werr != nil {
			return werr
		}
	}
	return usage(err, hint)
}

// reportDrift prints the report and returns the exit code: 2 when an object could not be compared,
// else 1 on drift.
func reportDrift(out io.Writer, format string, r *drift.Report) error {
	write := r.WriteText
	if format == "json" {
		write = r.WriteJSON
	}
	if err := write(out); err != nil {
		return err
	}
	failed := r.Count(drift.Failed)
	switch {
	case failed > 0 && format == "json":
		return &exitError{code: ExitError}
	case failed > 0:
		return &exitError{code: ExitError, err: fmt.Errorf("error: %d %s could not be compared\n\thint: see the hint under each, marked !",
			failed, plural(failed, "object", "objects"))}
	case !r.Drifted():
		return nil
	case format == "json":
		return &exitError{code: ExitFindings}
	}
	return &exitError{code: ExitFindings, err: fmt.Errorf("namespace %s differs from what %s compiles to (environment %s)\n\thint: %s",
		r.Namespace, r.Spec, r.Environment, "apply the compiled objects (rocketops compile "+r.Spec+" -o DIR -t manifests, then kubectl apply --server-side -f DIR/rendered/"+r.Environment+"), or let your GitOps tool sync; extra objects are deleted by its pruning")}
}
