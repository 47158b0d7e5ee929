// Package cli is the rocketops command line: it turns arguments into options, calls one library
// function per command and maps the outcome to an exit code (0 ok, 1 findings, 2 usage or internal
// error). The work itself lives in the other packages.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/emit"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFindings = 1 // an invalid spec, or drift
	ExitError    = 2 // bad usage, unreadable input, internal error
)

// exitError carries an exit code with the error that caused it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// SizeMemory, when set (the rocketops binary sets it; tests leave it nil), is told how many pods a
// compile plans before it renders them, so the binary can size the garbage collector by the work.
var SizeMemory func(pods int)

// Version is the compiler's version; release builds set it with -ldflags "-X …cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// Run runs rocketops with the given arguments and returns the exit code. A spec given as "-" is read
// from stdin.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, ee.err.Error())
		}
		return ee.code
	}
	// Everything else cobra returns is about the command line itself.
	name := "rocketops"
	if c := commandName(root, args); c != "" {
		name += " " + c
	}
	fmt.Fprintf(stderr, "error: %v\n\thint: see %s --help\n", err, name)
	return ExitError
}

func commandName(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil && c != root {
		return c.Name()
	}
	return ""
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "rocketops",
		Short: "Compile a RocketMQ cluster spec into GitOps-ready Kubernetes manifests",
		Long: `rocketops compiles one declarative RocketMQ cluster spec (cluster.yaml) into kustomize
base + overlays, rendered manifests or values of its Helm chart, checks it with precise errors,
and tells whether committed output is what the spec compiles to.

Exit codes: 0 ok, 1 findings (invalid spec, drift), 2 usage or internal error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	in := &input{r: stdin}
	root.AddCommand(
		newValidateCmd(in, stdout),
		newCompileCmd(in, stdout),
		newDiffCmd(in, stdout),
		newDriftCmd(in, stdout),
		newSchemaCmd(stdout),
		newExplainCmd(stdout),
		newVersionCmd(stdout),
		newArgocdCmd(stdout),
	)
	root.Version = version()
	root.SetVersionTemplate(versionText())
	strictCompletion(root)
	for _, c := range root.Commands() {
		if c.Name() == "explain" {
			explainCompletions(c)
		}
	}
	return root
}

// input is the standard input of one run, which can be read once.
type input struct {
	r    io.Reader
	read bool
}

// readSpec reads a spec file; "-" reads standard input, once.
func (in *input) readSpec(path string) ([]byte, string, error) {
	if path == "-" {
		if in.read {
			return nil, "<stdin>", usage(errors.New("standard input is given twice"), "give - once; the input can be read only once")
		}
		in.read = true
		b, err := io.ReadAll(io.LimitReader(in.r, maxInput))
		return b, "<stdin>", err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, path, usage(fmt.Errorf("cannot read spec: %w", err), "give the path of a cluster.yaml")
	}
	if st.IsDir() {
		return nil, path, usage(fmt.Errorf("%s is a folder, not a spec file", path), "give the path of a cluster.yaml")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, path, usage(fmt.Errorf("cannot read spec: %w", err), "")
	}
	defer f.Close()
	// The parser refuses specs far smaller; the bound keeps a huge file from being read whole.
	b, err := io.ReadAll(io.LimitReader(f, maxInput))
	if err != nil {
		return nil, path, usage(fmt.Errorf("cannot read spec: %w", err), "")
	}
	return b, path, nil
}

// maxInput bounds what is read of a spec; the parser refuses specs far smaller than this.
const maxInput = 64 << 20

func usage(err error, hint string) error {
	if hint != "" {
		err = fmt.Errorf("%w\n\thint: %s", err, hint)
	}
	return &exitError{code: ExitError, err: fmt.Errorf("error: %w", err)}
}

// outcome maps a pipeline error to its exit code.
func outcome(err error) error {
	if err == nil {
		return nil
	}
	var dl diag.List
	if errors.As(err, &dl) {
		if dl.Internal() {
			return &exitError{code: ExitError, err: dl}
		}
		return &exitError{code: ExitFindings, err: dl}
	}
	var ue *compile.UsageError
	if errors.As(err, &ue) {
		return &exitError{code: ExitError, err: fmt.Errorf("error: %w", ue)}
	}
	var ie *diag.InternalError
	if errors.As(err, &ie) {
		return &exitError{code: ExitError, err: err}
	}
	return &exitError{code: ExitError, err: fmt.Errorf("error: %w", err)}
}

// targetFlag documents --target once for compile and diff.
func targetFlag(cmd *cobra.Command, into *[]string) {
	cmd.Flags().StringSliceVarP(into, "target", "t", nil,
		"what to write: "+strings.Join(emit.Targets, ", ")+" (comma-separated or repeated; default kustomize)")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
}

func envFlag(cmd *cobra.Command, into *[]string) {
	cmd.Flags().StringSliceVarP(into, "env", "e", nil, "environments to compile (default: all the spec declares)")
	_ = cmd.RegisterFlagCompletionFunc("env", completeEnvironments)
}
