package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/emit"
)

// What Argo CD gives a Config Management Plugin's generate command (argoproj/argo-cd v3.5.1,
// docs/operator-manual/config-management-plugins.md and reposerver/repository/repository.go): the
// Application's spec.source.plugin.env entries prefixed ARGOCD_ENV_, its parameters as one JSON array
// in ARGOCD_APP_PARAMETERS, the destination namespace in ARGOCD_APP_NAMESPACE.
const (
	envEnvironment  = "ARGOCD_ENV_" + emit.PluginEnvEnvironment
	envSpec         = "ARGOCD_ENV_" + emit.PluginEnvSpec
	envParameters   = "ARGOCD_APP_PARAMETERS"
	envAppNamespace = "ARGOCD_APP_NAMESPACE"
)

// The parameters generate takes, as examples/argocd-plugin/plugin.yaml announces them.
const (
	paramEnvironment = "environment"
	paramSpec        = "spec"
	defaultSpec      = "cluster.yaml"
)

// Bounds on what the Application can hand the plugin: Argo CD's own are far larger, and a value
// quoted back in an error must stay readable.
const (
	maxParameters = 64 << 10 // bytes of ARGOCD_APP_PARAMETERS
	maxValue      = 4 << 10  // bytes of one value
)

func newArgocdCmd(out io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "argocd",
		Short: "Run as an Argo CD Config Management Plugin",
		Long: `argocd holds the commands an Argo CD Config Management Plugin sidecar runs; see
examples/argocd-plugin for the plugin.yaml and the argocd-repo-server patch.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usage(fmt.Errorf("unknown command %q for rocketops argocd", args[0]), "use rocketops argocd generate")
			}
			return usage(errors.New("no command given"), "use rocketops argocd generate")
		},
	}
	cmd.AddCommand(newArgocdGenerateCmd(out))
	return cmd
}

// pluginChoice is what generate compiles, and where each part was chosen, for the log line.
type pluginChoice struct {
	spec, specFrom string
	env, envFrom   string // env is "" until the spec says which environment it has
	appNamespace   string // the Application's destination namespace, if Argo CD gave it
}

func newArgocdGenerateCmd(out io.Writer) *cobra.Command {
	var flags pluginChoice
	cmd := &cobra.Command{
		Use:   "generate [--spec FILE] [--env ENV]",
		Short: "Print one environment's Kubernetes objects for Argo CD (the plugin's generate command)",
		Long: `generate runs in the Application's source folder and prints every object of one environment
of the spec: exactly the bytes of rendered/<env>/manifest.yaml that compile -t manifests writes.
Nothing else goes to stdout; warnings go to stderr; any failure, an empty output included, exits
non-zero with nothing on stdout. It writes no file and never reads stdin.

The spec (default cluster.yaml) and the environment come from, the later winning:
  ARGOCD_ENV_ROCKETOPS_SPEC, ARGOCD_ENV_ROCKETOPS_ENVIRONMENT (the Application's plugin env),
  ARGOCD_APP_PARAMETERS (the Application's plugin parameters "spec" and "environment"),
  --spec and --env.
A spec with one environment (or none declared: "default") needs no choice. The spec must be a
file inside the source folder.`,
		Example: `  ARGOCD_ENV_ROCKETOPS_ENVIRONMENT=prod rocketops argocd generate
  rocketops argocd generate --spec deploy/cluster.yaml --env prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := choosePlugin(os.Getenv, flags, cmd.Flags().Changed("spec"), cmd.Flags().Changed("env"))
			if err != nil {
				return err
			}
			manifest, err := pluginGenerate(&c, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if _, err := out.Write(manifest); err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("error: writing the manifests: %w", err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&flags.spec, "spec", defaultSpec, "the spec, relative to the source folder (overrides "+envSpec+" and the spec parameter)")
	cmd.Flags().StringVarP(&flags.env, "env", "e", "", "the environment to print (overrides "+envEnvironment+" and the environment parameter)")
	_ = cmd.RegisterFlagCompletionFunc("env", func(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		spec, _ := c.Flags().GetString("spec")
		return completeEnvironments(c, []string{spec}, "")
	})
	return cmd
}

// choosePlugin decides the spec and the environment from the environment variables, the
// parameters and the flags given, each overriding the ones before. An empty value counts as not
// given.
func choosePlugin(getenv func(string) string, flags pluginChoice, specGiven, envGiven bool) (pluginChoice, error) {
	c := pluginChoice{spec: defaultSpec, specFrom: "the default", appNamespace: getenv(envAppNamespace)}
	set := func(into, from *string, value, source string) error {
		if value == "" {
			return nil
		}
		if err := checkValue(source, value); err != nil {
			return err
		}
		*into, *from = value, source
		return nil
	}
	params, err := pluginParameters(getenv(envParameters))
	if err != nil {
		return c, err
	}
	for _, s := range []struct {
		into, from    *string
		value, source string
	}{
		{&c.spec, &c.specFrom, getenv(envSpec), envSpec},
		{&c.env, &c.envFrom, getenv(envEnvironment), envEnvironment},
		{&c.spec, &c.specFrom, params[paramSpec], "parameter " + paramSpec},
		{&c.env, &c.envFrom, params[paramEnvironment], "parameter " + paramEnvironment},
		{&c.spec, &c.specFrom, given(specGiven, flags.spec), "--spec"},
		{&c.env, &c.envFrom, given(envGiven, flags.env), "--env"},
	} {
		if err := set(s.into, s.from, s.value, s.source); err != nil {
			return c, err
		}
	}
	return c, checkSpecPath(c.spec, c.specFrom)
}

func given(changed bool, v string) string {
	if changed {
		return v
	}
	return ""
}

// pluginParameter is one element of ARGOCD_APP_PARAMETERS: a name and a string, array or map value
// (argoproj/argo-cd v3.5.1, pkg/apis/application/v1alpha1/types.go: ApplicationSourcePluginParameter
// and its MarshalJSON; ApplicationSourcePluginParameters.Environ). Argo CD sends "null" when the
// Application sets none.
type pluginParameter struct {
	Name   *string           `json:"name"`
	String *string           `json:"string"`
	Array  []string          `json:"array"`
	Map    map[string]string `json:"map"`
}

// pluginParameters reads ARGOCD_APP_PARAMETERS into the string value of each known parameter.
func pluginParameters(raw string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(raw) == "" {
		return out, nil
	}
	if len(raw) > maxParameters {
		return nil, usage(fmt.Errorf("%s holds %d bytes; rocketops reads at most %d", envParameters, len(raw), maxParameters),
			"set only the spec and environment parameters on the Application")
	}
	var list []pluginParameter
	dec := json.NewDecoder(strings.NewReader(raw))
	if err := dec.Decode(&list); err != nil {
		return nil, parametersError(raw, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, usage(fmt.Errorf("%s:%s: more data after the JSON array", envParameters, position(raw, dec.InputOffset())),
			`Argo CD sends one array, e.g. [{"name":"environment","string":"prod"}]`)
	}
	known := []string{paramEnvironment, paramSpec}
	for i, p := range list {
		at := fmt.Sprintf("%s[%d]", envParameters, i)
		switch {
		case p.Name == nil || *p.Name == "":
			return nil, usage(fmt.Errorf("%s: a parameter without a name", at), "give each parameter a name: "+strings.Join(known, " or "))
		case !slices.Contains(known, *p.Name):
			hint := "rocketops takes the parameters " + strings.Join(known, " and ")
			if s := diag.Closest(*p.Name, known); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			return nil, usage(fmt.Errorf("%s: unknown parameter %s", at, quote(*p.Name)), hint)
		case p.Array != nil || p.Map != nil || p.String == nil:
			return nil, usage(fmt.Errorf("%s: parameter %s takes a string", at, *p.Name),
				fmt.Sprintf("set it as {name: %s, string: ...} in spec.source.plugin.parameters", *p.Name))
		}
		if _, dup := out[*p.Name]; dup {
			return nil, usage(fmt.Errorf("%s: parameter %s is given twice", at, *p.Name), "keep one")
		}
		out[*p.Name] = *p.String
	}
	return out, nil
}

// parametersError places a JSON error in ARGOCD_APP_PARAMETERS by line and column.
func parametersError(raw string, err error) error {
	hint := `Argo CD sends an array like [{"name":"environment","string":"prod"}]`
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return usage(fmt.Errorf("%s:%s: not valid JSON: %v", envParameters, position(raw, se.Offset-1), se), hint)
	case errors.As(err, &te):
		what := "the parameters"
		if te.Field != "" {
			what = "field " + te.Field
		}
		return usage(fmt.Errorf("%s:%s: %s must be %s, not a JSON %s", envParameters, position(raw, te.Offset-1), what, jsonKind(te.Type), te.Value), hint)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return usage(fmt.Errorf("%s:%s: not valid JSON: the text ends inside the array", envParameters, position(raw, int64(len(raw)))), hint)
	}
	return usage(fmt.Errorf("%s: not valid JSON: %w", envParameters, err), hint)
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	}
	return t.String()
}

// position is the 1-based line:column of a byte offset.
func position(s string, offset int64) string {
	offset = min(max(offset, 0), int64(len(s)))
	before := s[:offset]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("%d:%d", line, col)
}

// checkValue refuses values no spec path or environment name can be: oversized, or holding
// control characters that would garble the messages that quote them.
func checkValue(source, v string) error {
	if len(v) > maxValue {
		return usage(fmt.Errorf("%s holds %d bytes; rocketops takes values of at most %d", source, len(v), maxValue), "give a spec path or an environment name")
	}
	if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return usage(fmt.Errorf("%s: %s holds control characters or invalid UTF-8", source, quote(v)), "give a spec path or an environment name")
	}
	return nil
}

// checkSpecPath keeps the spec inside the source folder: it comes from the repository or the
// Application, and must not make the repo-server read its own files.
func checkSpecPath(p, from string) error {
	hint := "give a path relative to the Application's source folder, e.g. cluster.yaml or deploy/cluster.yaml"
	switch {
	case filepath.IsAbs(p) || strings.HasPrefix(p, "/"):
		return usage(fmt.Errorf("spec %s (from %s) is an absolute path; the spec must be inside the source folder", quote(p), from), hint)
	case !filepath.IsLocal(p):
		return usage(fmt.Errorf("spec %s (from %s) leaves the source folder; the spec must be inside it", quote(p), from), hint)
	}
	return nil
}

// quote quotes a value for a message, cut short when long.
func quote(v string) string {
	if r := []rune(v); len(r) > 80 {
		return fmt.Sprintf("%q… (%d bytes)", string(r[:80]), len(v))
	}
	return fmt.Sprintf("%q", v)
}

// pluginGenerate reads the spec from the working folder and returns the chosen environment's
// manifest. It writes nothing, so that any number can run at once on one folder.
func pluginGenerate(c *pluginChoice, stderr io.Writer) ([]byte, error) {
	name := filepath.ToSlash(filepath.Clean(c.spec))
	src, err := readInside(".", name)
	if err != nil {
		return nil, err
	}
	if c.env == "" {
		if c.env, err = onlyEnvironment(name, src); err != nil {
			return nil, err
		}
		c.envFrom = "the only environment of " + name
	}
	res, err := compile.Compile(compile.Options{File: name, Source: src, Targets: []string{"manifests"}, Environments: []string{c.env}, Planned: SizeMemory})
	var ue *compile.UsageError
	if errors.As(err, &ue) { // the targets are fixed: the environment is what it refused
		return nil, usage(fmt.Errorf("%s (from %s)", ue.Msg, c.envFrom), ue.Hint)
	}
	if err != nil {
		return nil, outcome(err)
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintln(stderr, res.Warnings.Error())
	}
	manifest := res.Tree["rendered/"+c.env+"/manifest.yaml"]
	objects := len(res.Objects[c.env])
	if objects == 0 || len(manifest) == 0 {
		// Blank output with auto-sync and prune would make Argo CD delete the application's objects.
		return nil, &exitError{code: ExitError, err: fmt.Errorf("internal error: environment %s of %s compiled to no objects; refusing to print an empty manifest", c.env, name)}
	}
	ns := res.Plans[c.env].Namespace
	if c.appNamespace != "" && c.appNamespace != ns {
		fmt.Fprintf(stderr, "warning: the Application's destination namespace is %s, but environment %s of %s puts its objects in %s\n\thint: set the Application's spec.destination.namespace to %s\n", quote(c.appNamespace), c.env, name, ns, ns)
	}
	fmt.Fprintf(stderr, "rocketops: %s (%s), environment %s (%s): %d objects in namespace %s\n", name, c.specFrom, c.env, c.envFrom, objects, ns)
	return manifest, nil
}

// onlyEnvironment is the environment of a spec that has one; several are an error naming them.
func onlyEnvironment(name string, src []byte) (string, error) {
	res, diags := compile.Validate(name, src)
	if len(diags) > 0 {
		return "", outcome(diags)
	}
	if len(res.Names) == 1 {
		return res.Names[0], nil
	}
	return "", usage(fmt.Errorf("%s has environments %s and none is chosen", name, strings.Join(res.Names, ", ")),
		fmt.Sprintf("set %s in the Application's spec.source.plugin.env, or the %s parameter, e.g. %s", envEnvironment, paramEnvironment, res.Names[0]))
}

// readInside reads a regular file under dir, refusing symlinks that lead out of it, within the
// bound every command reads specs with.
func readInside(dir, name string) ([]byte, error) {
	hint := "the spec must be a file inside the Application's source folder; give its path with " + envSpec + ", the spec parameter or --spec"
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, usage(fmt.Errorf("cannot open the source folder: %w", err), "")
	}
	defer root.Close()
	st, err := root.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usage(fmt.Errorf("no spec %s in the source folder", name), hint)
	case err != nil:
		return nil, usage(fmt.Errorf("cannot read spec %s: %w", name, err), hint)
	case !st.Mode().IsRegular():
		return nil, usage(fmt.Errorf("spec %s is not a regular file", name), hint)
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, usage(fmt.Errorf("cannot read spec %s: %w", name, err), hint)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInput))
	if err != nil {
		return nil, usage(fmt.Errorf("cannot read spec %s: %w", name, err), "")
	}
	return b, nil
}
