package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/explain"
	"github.com/rocketops/rocketops/pkg/tree"
	"github.com/rocketops/rocketops/schemas"
)

func newValidateCmd(in *input, out io.Writer) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check specs and print every problem with file:line:col, JSON pointer and hint",
		Long: `validate checks each spec and prints every problem at once. With -o json it prints one JSON
document (version 1: files, findings with file, line, column, pointer, severity, message, hint,
environments; counts of errors and warnings) on stdout; with -o github, GitHub Actions
annotations (::error / ::warning workflow commands).`,
		Example: `  rocketops validate cluster.yaml
  rocketops validate envs/*/cluster.yaml
  rocketops validate -o github cluster.yaml   # in a GitHub Actions step`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			return validateFiles(in, args, format, out, cmd.ErrOrStderr())
		},
	}
	formatFlag(cmd, &format)
	return cmd
}

func newCompileCmd(in *input, out io.Writer) *cobra.Command {
	var o struct {
		output  string
		targets []string
		envs    []string
		force   bool
		vendor  bool
	}
	cmd := &cobra.Command{
		Use:   "compile FILE -o DIR",
		Short: "Write kustomize base + overlays, rendered manifests or Helm values for every environment",
		Long: `compile writes the output folder atomically: a failed run leaves it untouched, files rocketops
did not generate are never deleted, and generated files the spec no longer produces are removed,
an environment's files too once the spec no longer has it. --env narrows one run to the environments
it names and keeps the files of the others as they are. The folder's .rocketops-index records what
was generated, and for which cluster: compiling another cluster's spec into it needs --force. A
compile locks the folder; a second one into the same folder meanwhile fails.`,
		Example: `  rocketops compile cluster.yaml -o deploy/
  rocketops compile cluster.yaml -o deploy/ --target kustomize,manifests --env prod
  rocketops compile cluster.yaml -o deploy/ --target helm --vendor-chart`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				return usage(errors.New("no output folder"), "add -o DIR, e.g. -o deploy/")
			}
			unlock, err := lockFolder(cmd.ErrOrStderr(), o.output)
			if err != nil {
				return err
			}
			defer unlock()
			src, name, err := in.readSpec(args[0])
			if err != nil {
				return err
			}
			opts := compile.Options{File: name, Source: src, Targets: o.targets, Environments: o.envs, VendorChart: o.vendor, Planned: SizeMemory}
			idx, err := recorded(o.output, &opts, cmd.Flags().Changed("vendor-chart"))
			if err != nil {
				return err
			}
			res, err := compile.Compile(opts)
			if err != nil {
				return outcome(err)
			}
			if len(res.Warnings) > 0 {
				fmt.Fprint(cmd.ErrOrStderr(), res.Warnings.Error()+"\n")
			}
			wo, err := writeOptions(o.output, name, idx, res.Meta, len(o.envs) > 0, o.force)
			if err != nil {
				return err
			}
			r, err := tree.Write(o.output, res.Tree, wo)
			if err != nil {
				return outcome(fmt.Errorf("writing %s: %w", o.output, err))
			}
			if !wo.Partial && len(o.envs) == 0 {
				storeCompiled(opts, res)
			}
			report(out, o.output, name, idx, res, r, wo.Partial)
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "output folder (created if missing)")
	targetFlag(cmd, &o.targets)
	envFlag(cmd, &o.envs)
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite files in the output folder that rocketops did not generate, and the output of another cluster")
	cmd.Flags().BoolVar(&o.vendor, "vendor-chart", false, "with --target helm, also write the chart to charts/rocketmq/")
	return cmd
}

func newDiffCmd(in *input, out io.Writer) *cobra.Command {
	var o struct {
		targets []string
		envs    []string
		format  string
	}
	cmd := &cobra.Command{
		Use:   "diff FILE DIR",
		Short: "Compare committed output with what the spec compiles to (exit 1 on any difference)",
		Long: `diff compiles the spec in memory and compares it with DIR: every file it would write and every
generated file DIR's index lists. It prints a unified diff and exits 0 when they match, 1 when they
differ (an environment of the spec that DIR has no output for included) and 2 on error. It covers
every environment of the spec unless --env names some; without --target it uses the targets DIR's
index recorded. With -o json it prints one JSON document (the validate report plus "changed", the
files that differ, and "diff"); with -o github an annotation per file that differs.`,
		Example: `  rocketops diff cluster.yaml deploy/
  rocketops diff -o github cluster.yaml deploy/   # in a GitHub Actions step`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format); err != nil {
				return err
			}
			src, name, err := in.readSpec(args[0])
			if err != nil {
				return err
			}
			dir := args[1]
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return usage(fmt.Errorf("%s is not a folder", dir), "give the folder compile wrote, e.g. deploy/")
			}
			opts := compile.Options{File: name, Source: src, Targets: o.targets, Environments: o.envs, Planned: SizeMemory}
			idx, err := recorded(dir, &opts, false)
			if err != nil {
				return err
			}
			// An unchanged folder the cache vouches for needs no compile (CompileCache).
			if o.format == "text" && len(o.envs) == 0 && unchangedByCache(dir, idx, opts) {
				return nil
			}
			res, err := compile.Compile(opts)
			var findings diag.List
			if errors.As(err, &findings) && o.format != "text" {
				return reportDiff(out, o.format, name, dir, findings, "", "")
			}
			if err != nil {
				return outcome(err)
			}
			if other := otherCluster(idx, res.Meta); other != "" {
				return usage(fmt.Errorf("%s holds the output of %s, not of %s that %s describes", dir, other, clusterOf(res.Meta), name),
					"give the folder compiled from "+name+", or replace this one's output: "+compileCommand(args[0], dir, opts)+" --force")
			}
			narrowed := len(o.envs) > 0
			text, changed, err := tree.Diff(dir, res.Tree, tree.DiffOptions{Partial: narrowed})
			if err != nil {
				return outcome(err)
			}
			if !narrowed {
				storeCompiled(opts, res)
			}
			if gaps := gaps(idx, res.Meta, name, narrowed); changed || gaps != "" {
				summary := fmt.Sprintf("%s differs from what %s compiles to%s", dir, name, gaps)
				fix := "to update it, run: " + compileCommand(args[0], dir, opts)
				if o.format != "text" {
					return reportDiff(out, o.format, name, dir, res.Warnings, text, summary+"; "+fix)
				}
				fmt.Fprint(out, text)
				return &exitError{code: ExitFindings, err: fmt.Errorf("%s\n\thint: %s", summary, fix)}
			}
			if o.format != "text" {
				return reportDiff(out, o.format, name, dir, res.Warnings, "", "")
			}
			return nil
		},
	}
	targetFlag(cmd, &o.targets)
	envFlag(cmd, &o.envs)
	formatFlag(cmd, &o.format)
	return cmd
}

func newSchemaCmd(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the spec (for editors and CI)",
		Example: `  rocketops schema > rocketmqcluster.schema.json
  # then, first line of cluster.yaml:
  # yaml-language-server: $schema=./rocketmqcluster.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := out.Write(schemas.Cluster)
			return err
		},
	}
}

func newExplainCmd(out io.Writer) *cobra.Command {
	var o struct {
		keys    string
		version string
	}
	cmd := &cobra.Command{
		Use:   "explain [FIELD]",
		Short: "Document a spec field, or list the RocketMQ configuration keys of a version",
		Example: `  rocketops explain spec.brokers.storage
  rocketops explain --keys broker --version 5.3.3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.keys != "" && len(args) > 0 {
				return usage(errors.New("give a field or --keys, not both"), "rocketops explain spec.brokers, or rocketops explain --keys broker")
			}
			if o.keys == "" && cmd.Flags().Changed("version") {
				return usage(errors.New("--version goes with --keys"), "rocketops explain --keys broker --version 4.9.8")
			}
			if o.keys != "" {
				comp, ok := map[string]catalog.Component{"broker": catalog.Broker, "namesrv": catalog.NameServer, "controller": catalog.Controller, "proxy": catalog.Proxy}[o.keys]
				if !ok {
					return usage(fmt.Errorf("unknown component %q", o.keys), "use --keys broker, namesrv, controller or proxy")
				}
				if err := explain.Keys(out, comp, o.version); err != nil {
					return usage(err, "")
				}
				return nil
			}
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			if err := explain.Field(out, schemas.Cluster, path); err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("error: %w", err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.keys, "keys", "", "list configuration keys of a component: broker, namesrv, controller or proxy (rmq-proxy.json)")
	cmd.Flags().StringVar(&o.version, "version", "5.3.3", "RocketMQ version for --keys")
	return cmd
}

func newVersionCmd(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the rocketops version, its build and the RocketMQ versions it supports",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprint(out, versionText())
			return nil
		},
	}
}

// recorded returns the folder's index and fills the options the user did not give from what it
// recorded, so that compiling or diffing a folder again writes the targets that produced it. The
// environments are not taken from it: without --env, compile and diff cover every environment the
// spec has now.
func recorded(dir string, opts *compile.Options, vendorGiven bool) (tree.Index, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return tree.Index{}, nil // a new folder records nothing; a file in the way is the writer's to report
	}
	idx, err := tree.ReadIndex(dir)
	if err != nil {
		return tree.Index{}, outcome(err)
	}
	if len(opts.Targets) == 0 && idx.Meta["target"] != "" {
		opts.Targets = strings.Split(idx.Meta["target"], ",")
	}
	if !vendorGiven && !opts.VendorChart {
		opts.VendorChart = idx.Meta["vendor-chart"] == "true"
	}
	return idx, nil
}

// compileCommand is the command that rewrites dir with the options it was compared with.
func compileCommand(spec, dir string, opts compile.Options) string {
	cmd := "rocketops compile " + spec + " -o " + dir
	if len(opts.Targets) > 0 {
		cmd += " -t " + strings.Join(opts.Targets, ",")
	}
	if len(opts.Environments) > 0 {
		cmd += " --env " + strings.Join(opts.Environments, ",")
	}
	if opts.VendorChart {
		cmd += " --vendor-chart"
	}
	return cmd
}

// lockFolder takes the output folder's lock for the rest of a compile and returns its release. A
// lock left by a compile that was killed is taken over, and the user told so.
func lockFolder(stderr io.Writer, dir string) (func(), error) {
	lock, err := tree.LockDir(dir)
	if err != nil {
		return nil, outcome(err)
	}
	if lock.Stale != 0 {
		fmt.Fprintf(stderr, "note: took over the lock on %s from process %d, which is gone\n", dir, lock.Stale)
	}
	return func() {
		if err := lock.Unlock(); err != nil {
			fmt.Fprintf(stderr, "warning: %v\n", err)
		}
	}, nil
}

// writeOptions decides how compile writes dir. A compile without --env covers the whole folder:
// whatever the spec no longer generates, an environment removed from it included, goes. One with
// --env covers the base and the environments it names and keeps everything else; the index then
// goes on recording the environments and targets it kept. Replacing another cluster's output
// (--force) is never narrowed: nothing of that cluster is worth keeping.
func writeOptions(dir, spec string, idx tree.Index, meta map[string]string, narrowed, force bool) (tree.WriteOptions, error) {
	if other := otherCluster(idx, meta); other != "" {
		if !force {
			return tree.WriteOptions{}, usage(fmt.Errorf("%s holds the output of %s, not of %s that %s describes", dir, other, clusterOf(meta), spec),
				"to replace it with the output of "+spec+", add --force; to keep it, give another -o folder")
		}
		return tree.WriteOptions{Meta: meta, Force: true}, nil
	}
	wo := tree.WriteOptions{Meta: meta, Force: force, Partial: narrowed && len(idx.Files) > 0}
	if !wo.Partial {
		return wo, nil
	}
	wo.Meta = maps.Clone(meta)
	if have, known := held(idx); known {
		wo.Meta["environments"] = strings.Join(union(have, split(meta["environments"])), ",")
	} else {
		delete(wo.Meta, "environments") // still unknown: the folder holds more than this run wrote
	}
	wo.Meta["target"] = strings.Join(union(split(idx.Meta["target"]), split(meta["target"])), ",")
	if idx.Meta["vendor-chart"] == "true" {
		wo.Meta["vendor-chart"] = "true"
	}
	return wo, nil
}

// report prints what a compile did: the counts, then the other cluster whose output it replaced,
// or the environments the folder held that it removed because the spec no longer has them, or,
// narrowed by --env, kept as they were.
func report(out io.Writer, dir, spec string, idx tree.Index, res *compile.Output, r tree.Result, narrowed bool) {
	fmt.Fprintf(out, "%s: %d %s (%d created, %d updated, %d unchanged, %d removed)\n",
		dir, len(res.Tree), plural(len(res.Tree), "file", "files"), len(r.Created), len(r.Updated), len(r.Unchanged), len(r.Removed))
	have, _ := held(idx)
	others := minus(have, split(res.Meta["environments"]))
	switch other := otherCluster(idx, res.Meta); {
	case other != "":
		fmt.Fprintf(out, "%s: replaced the output of %s\n", dir, other)
	case len(others) == 0:
	case narrowed:
		were := "as they were"
		if len(others) == 1 {
			were = "as it was"
		}
		fmt.Fprintf(out, "%s: kept %s %s; compile without --env to update the whole folder\n", dir, envList(others), were)
	default:
		fmt.Fprintf(out, "%s: removed %s, which %s no longer has\n", dir, envList(others), spec)
	}
}

// held returns the environments whose output the index says the folder holds, and whether it says
// so at all. Indexes from before rocketops recorded it only did after a compile with --env, which
// then removed every other environment.
func held(idx tree.Index) ([]string, bool) {
	if v, ok := idx.Meta["environments"]; ok {
		return split(v), true
	}
	if v, ok := idx.Meta["env"]; ok {
		return split(v), true
	}
	return nil, len(idx.Files) == 0
}

// gaps is the part of diff's message that names the environments the spec has and the folder has
// no output for, and, unless --env narrows the diff, those it holds that the spec no longer has.
func gaps(idx tree.Index, meta map[string]string, spec string, narrowed bool) string {
	have, known := held(idx)
	if !known {
		return ""
	}
	want := split(meta["environments"])
	var b strings.Builder
	if missing := minus(want, have); len(missing) > 0 {
		b.WriteString("; it has no output for " + envList(missing))
	}
	if extra := minus(have, want); len(extra) > 0 && !narrowed {
		b.WriteString("; it holds " + envList(extra) + ", which " + spec + " no longer has")
	}
	return b.String()
}

// otherCluster describes the cluster whose output the index records if the spec compiled to meta
// is another one, and is "" if it is the same one or the index records none (a new folder, or one
// written before rocketops recorded it). A cluster is its name and namespace; the spec's file may
// move or be renamed.
func otherCluster(idx tree.Index, meta map[string]string) string {
	have := idx.Meta["cluster"]
	if have == "" || (have == meta["cluster"] && idx.Meta["namespace"] == meta["namespace"]) {
		return ""
	}
	return fmt.Sprintf("cluster %q (namespace %s, compiled from %s)", have, idx.Meta["namespace"], idx.Meta["spec"])
}

func clusterOf(meta map[string]string) string {
	return fmt.Sprintf("cluster %q (namespace %s)", meta["cluster"], meta["namespace"])
}

// envList names environments in a sentence: "environment prod", "environments dev, staging".
func envList(names []string) string {
	if len(names) == 1 {
		return "environment " + names[0]
	}
	return "environments " + strings.Join(names, ", ")
}

func split(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

// union returns the names in a or b, sorted, once each.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// minus returns the names of a that are not in b, in a's order.
func minus(a, b []string) []string {
	var out []string
	for _, n := range a {
		if !slices.Contains(b, n) {
			out = append(out, n)
		}
	}
	return out
}
