package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/explain"
	"github.com/rocketops/rocketops/pkg/tree"
	"github.com/rocketops/rocketops/schemas"
)

func newValidateCmd(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check specs and print every problem with file:line:col, JSON pointer and hint",
		Example: `  rocketops validate cluster.yaml
  rocketops validate envs/*/cluster.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var failed, unreadable error
			for _, path := range args {
				src, name, err := readSpec(path)
				if err != nil {
					// Report it and go on: the other files still get checked.
					var ee *exitError
					if errors.As(err, &ee) {
						fmt.Fprintln(cmd.ErrOrStderr(), ee.err)
					}
					unreadable = err
					continue
				}
				res, diags := compile.Validate(name, src)
				if len(diags) > 0 {
					failed = diags
					fmt.Fprint(cmd.ErrOrStderr(), diags.Error()+"\n")
					continue
				}
				if len(res.Warnings) > 0 {
					fmt.Fprint(cmd.ErrOrStderr(), res.Warnings.Error()+"\n")
				}
				fmt.Fprintf(out, "%s: valid (environments: %s)\n", name, strings.Join(res.Names, ", "))
			}
			if unreadable != nil {
				return &exitError{code: ExitError}
			}
			if failed != nil {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
}

func newCompileCmd(out io.Writer) *cobra.Command {
	var o struct {
		output  string
		targets []string
		envs    []string
		force   bool
		vendor  bool
	}
	cmd := &cobra.Command{
		Use:   "compile FILE -o DIR",
		Short: "Write kustomize base + overlays or rendered manifests for every environment",
		Long: `compile writes the output folder atomically: a failed run leaves it untouched, files rocketops
did not generate are never deleted, and generated files the spec no longer produces are removed.
The folder's .rocketops-index records what was generated.`,
		Example: `  rocketops compile cluster.yaml -o deploy/
  rocketops compile cluster.yaml -o deploy/ --target kustomize,manifests --env prod
  rocketops compile cluster.yaml -o deploy/ --target helm --vendor-chart`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				return usage(errors.New("no output folder"), "add -o DIR, e.g. -o deploy/")
			}
			src, name, err := readSpec(args[0])
			if err != nil {
				return err
			}
			opts := compile.Options{File: name, Source: src, Targets: o.targets, Environments: o.envs, VendorChart: o.vendor}
			if err := recorded(o.output, &opts, cmd.Flags().Changed("vendor-chart")); err != nil {
				return err
			}
			res, err := compile.Compile(opts)
			if err != nil {
				return outcome(fromIndex(err, o.output, opts, o.envs))
			}
			if len(res.Warnings) > 0 {
				fmt.Fprint(cmd.ErrOrStderr(), res.Warnings.Error()+"\n")
			}
			r, err := tree.Write(o.output, res.Tree, tree.WriteOptions{Meta: res.Meta, Force: o.force})
			if err != nil {
				return outcome(fmt.Errorf("writing %s: %w", o.output, err))
			}
			fmt.Fprintf(out, "%s: %d files (%d created, %d updated, %d unchanged, %d removed)\n",
				o.output, len(res.Tree), len(r.Created), len(r.Updated), len(r.Unchanged), len(r.Removed))
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "output folder (created if missing)")
	targetFlag(cmd, &o.targets)
	envFlag(cmd, &o.envs)
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite files in the output folder that rocketops did not generate")
	cmd.Flags().BoolVar(&o.vendor, "vendor-chart", false, "with --target helm, also write the chart to charts/rocketmq/")
	return cmd
}

func newDiffCmd(out io.Writer) *cobra.Command {
	var o struct {
		targets []string
		envs    []string
	}
	cmd := &cobra.Command{
		Use:   "diff FILE DIR",
		Short: "Compare committed output with what the spec compiles to (exit 1 on any difference)",
		Long: `diff compiles the spec in memory and compares it with DIR: every file it would write and every
generated file DIR's index lists. It prints a unified diff and exits 0 when they match, 1 when they
differ and 2 on error. Without --target and --env it uses what DIR's index recorded.`,
		Example: `  rocketops diff cluster.yaml deploy/`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, name, err := readSpec(args[0])
			if err != nil {
				return err
			}
			dir := args[1]
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return usage(fmt.Errorf("%s is not a folder", dir), "give the folder compile wrote, e.g. deploy/")
			}
			opts := compile.Options{File: name, Source: src, Targets: o.targets, Environments: o.envs}
			if err := recorded(dir, &opts, false); err != nil {
				return err
			}
			res, err := compile.Compile(opts)
			if err != nil {
				return outcome(fromIndex(err, dir, opts, o.envs))
			}
			text, changed, err := tree.Diff(dir, res.Tree)
			if err != nil {
				return outcome(err)
			}
			if changed {
				fmt.Fprint(out, text)
				return &exitError{code: ExitFindings, err: fmt.Errorf("%s differs from what %s compiles to\n\thint: to update it, run: %s", dir, name, compileCommand(args[0], dir, opts))}
			}
			return nil
		},
	}
	targetFlag(cmd, &o.targets)
	envFlag(cmd, &o.envs)
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
				comp, ok := map[string]catalog.Component{"broker": catalog.Broker, "namesrv": catalog.NameServer, "controller": catalog.Controller}[o.keys]
				if !ok {
					return usage(fmt.Errorf("unknown component %q", o.keys), "use --keys broker, namesrv or controller")
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
	cmd.Flags().StringVar(&o.keys, "keys", "", "list configuration keys of a component: broker, namesrv or controller")
	cmd.Flags().StringVar(&o.version, "version", "5.3.3", "RocketMQ version for --keys")
	return cmd
}

func newVersionCmd(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the rocketops version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(out, "rocketops %s\n", version())
			return nil
		},
	}
}

// recorded fills the options the user did not give from what the folder's index recorded, so that
// compiling or diffing a folder again does what produced it.
func recorded(dir string, opts *compile.Options, vendorGiven bool) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil // a new folder records nothing; a file in the way is the writer's to report
	}
	idx, err := tree.ReadIndex(dir)
	if err != nil {
		return outcome(err)
	}
	if len(opts.Targets) == 0 && idx.Meta["target"] != "" {
		opts.Targets = strings.Split(idx.Meta["target"], ",")
	}
	if len(opts.Environments) == 0 && idx.Meta["env"] != "" {
		opts.Environments = strings.Split(idx.Meta["env"], ",")
	}
	if !vendorGiven && !opts.VendorChart {
		opts.VendorChart = idx.Meta["vendor-chart"] == "true"
	}
	return nil
}

// fromIndex says so when an environment that no longer exists came from the folder's index rather
// than from --env.
func fromIndex(err error, dir string, opts compile.Options, given []string) error {
	var ue *compile.UsageError
	if len(given) == 0 && len(opts.Environments) > 0 && errors.As(err, &ue) && strings.HasPrefix(ue.Msg, "unknown environment") {
		return &compile.UsageError{Msg: ue.Msg + " (recorded in " + filepath.Join(dir, tree.IndexFile) + " by an earlier compile --env)",
			Hint: ue.Hint + "; or pass --env to choose the environments"}
	}
	return err
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
