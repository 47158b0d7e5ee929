package cli

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/diag"
)

// Output formats of validate and diff.
var formats = []string{"text", "json", "github"}

func formatFlag(cmd *cobra.Command, into *string) {
	cmd.Flags().StringVarP(into, "output", "o", "text", "how to print findings: "+strings.Join(formats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	})
}

func checkFormat(f string) error {
	for _, ok := range formats {
		if f == ok {
			return nil
		}
	}
	return usage(fmt.Errorf("unknown output format %q", f), "use -o "+strings.Join(formats, ", -o "))
}

// validateFiles checks each spec and reports in the chosen format. An unreadable file does not stop the
// others from being checked; it makes the exit code 2.
func validateFiles(in *input, paths []string, format string, out, errOut io.Writer) error {
	var report diag.Report
	var all diag.List
	failed, unreadable, internal := false, false, false
	for _, path := range paths {
		src, name, err := in.readSpec(path)
		if err != nil {
			unreadable = true
			var ee *exitError
			if errors.As(err, &ee) && ee.err != nil {
				report.Problems = append(report.Problems, ee.err.Error())
				if format != "json" {
					fmt.Fprintln(errOut, ee.err)
				}
			}
			continue
		}
		res, diags := compile.Validate(name, src)
		internal = internal || diags.Internal()
		var envs []string
		if res != nil {
			diags, envs = res.Warnings, res.Names
		} else {
			failed = true
		}
		report.Add(name, diags, envs)
		all = append(all, diags...)
		if format == "text" {
			if len(diags) > 0 {
				fmt.Fprint(errOut, diags.Error()+"\n")
			}
			if res != nil {
				fmt.Fprintf(out, "%s: valid (environments: %s)\n", name, strings.Join(res.Names, ", "))
			}
		}
	}
	switch format {
	case "json":
		if err := report.WriteJSON(out); err != nil {
			return err
		}
	case "github":
		if err := diag.WriteGitHub(out, all); err != nil {
			return err
		}
	}
	switch {
	case unreadable || internal:
		return &exitError{code: ExitError}
	case failed:
		return &exitError{code: ExitFindings}
	}
	return nil
}

// reportDiff prints diff's outcome as JSON or GitHub annotations: the spec's findings, and when the
// folder differs (summary is not ""), the files that do. It returns the exit code as an error.
func reportDiff(out io.Writer, format, spec, dir string, findings diag.List, text, summary string) error {
	changed := changedFiles(text)
	switch format {
	case "json":
		r := diag.Report{Changed: changed, Diff: text, Summary: summary}
		r.Add(spec, findings, nil)
		if err := r.WriteJSON(out); err != nil {
			return err
		}
	case "github":
		if err := diag.WriteGitHub(out, findings); err != nil {
			return err
		}
		for _, f := range changed {
			fmt.Fprintf(out, "::error file=%s,title=rocketops diff::%s\n", ghFile(dir, f), strings.ReplaceAll(summary, "\n", "%0A"))
		}
		if summary != "" && len(changed) == 0 {
			fmt.Fprintf(out, "::error title=rocketops diff::%s\n", strings.ReplaceAll(summary, "\n", "%0A"))
		}
	}
	if len(findings.Errors()) > 0 || summary != "" {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// changedFiles reads the paths out of a unified diff's headers, in order, each once.
func changedFiles(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		var path string
		switch {
		case strings.HasPrefix(line, "--- a/"):
			path = strings.TrimPrefix(line, "--- a/")
		case strings.HasPrefix(line, "+++ b/"):
			path = strings.TrimPrefix(line, "+++ b/")
		case strings.HasPrefix(line, "Binary files "):
			path = strings.TrimPrefix(strings.Fields(line)[2], "a/")
		}
		if path != "" && path != "/dev/null" && !seen[path] {
			seen[path] = true
			out = append(out, path)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func ghFile(dir, rel string) string {
	p := strings.TrimSuffix(dir, "/") + "/" + rel
	return strings.NewReplacer("%", "%25", ":", "%3A", ",", "%2C", "\n", "%0A").Replace(p)
}

// versionText is what `rocketops version` and `rocketops --version` print: the module version, the VCS
// revision and time of the build, the Go version, and the RocketMQ releases the spec may name.
func versionText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rocketops %s\n", version())
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		rev := settings["vcs.revision"]
		if rev == "" {
			rev = "unknown"
		}
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(&b, "revision: %s\n", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, "built from a commit of: %s\n", t)
		}
		fmt.Fprintf(&b, "go: %s\n", bi.GoVersion)
	}
	fmt.Fprintf(&b, "RocketMQ versions: %s\n", strings.Join(catalog.Versions(), ", "))
	return b.String()
}
