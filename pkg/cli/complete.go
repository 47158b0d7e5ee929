package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/emit"
	"github.com/rocketops/rocketops/pkg/explain"
	"github.com/rocketops/rocketops/pkg/spec"
	"github.com/rocketops/rocketops/schemas"
)

// completeTargets offers the output targets for -t.
func completeTargets(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	return emit.Targets, cobra.ShellCompDirectiveNoFileComp
}

// completeEnvironments offers the environments of the spec named by the first argument for -e.
func completeEnvironments(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 || args[0] == "-" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	src, err := os.ReadFile(args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	doc, _ := spec.Parse(args[0], src)
	if doc == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return doc.EnvironmentNames(), cobra.ShellCompDirectiveNoFileComp
}

// completeFields offers the spec's field paths for explain.
func completeFields(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	paths, err := explain.Paths(schemas.Cluster)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, p := range paths {
		if strings.HasPrefix(p, toComplete) {
			out = append(out, p)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// explainCompletions registers the completions of explain's flags.
func explainCompletions(cmd *cobra.Command) {
	cmd.ValidArgsFunction = completeFields
	_ = cmd.RegisterFlagCompletionFunc("keys", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"broker", "namesrv", "controller", "proxy"}, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("version", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return catalog.Versions(), cobra.ShellCompDirectiveNoFileComp
	})
}

// strictCompletion makes `rocketops completion SHELL` refuse a shell it cannot write a script for,
// instead of printing its help and exiting 0.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, s := range c.Commands() {
			shells = append(shells, s.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage(fmt.Errorf("no shell given"), "use rocketops completion "+strings.Join(shells, "|"))
			}
			return usage(fmt.Errorf("unknown shell %q", args[0]), "rocketops writes completion scripts for "+strings.Join(shells, ", "))
		}
	}
}
