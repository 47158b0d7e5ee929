package cli_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/cli"
)

// pluginVars are the variables generate reads; every test sets all of them, so that none leaks in
// from the environment the tests run in.
var pluginVars = []string{"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT", "ARGOCD_ENV_ROCKETOPS_SPEC", "ARGOCD_APP_PARAMETERS", "ARGOCD_APP_NAMESPACE"}

// pluginSource is an Application's source folder: the dev/staging/prod spec as cluster.yaml, the
// quickstart (no environments) as other/cluster.yaml, and, next to the folder, a valid spec that
// symlinks from inside point at. It returns the folder and what `compile -t manifests` writes for
// each spec, by slash path (cluster.yaml/rendered/prod/manifest.yaml …).
func pluginSource(t *testing.T) (string, map[string]string) {
	t.Helper()
	top := t.TempDir()
	src := filepath.Join(top, "app")
	copySpec(t, environments, src)
	copySpec(t, quickstart, filepath.Join(src, "other"))
	copySpec(t, quickstart, filepath.Join(top, "outside"))
	want := map[string]string{}
	for _, spec := range []string{"cluster.yaml", "other/cluster.yaml"} {
		out := filepath.Join(t.TempDir(), "out")
		mustRun(t, "compile", filepath.Join(src, spec), "-o", out, "-t", "manifests")
		for p, b := range files(t, out) {
			if strings.HasPrefix(p, "rendered/") {
				want[spec+"/"+p] = b
			}
		}
	}
	require.Len(t, want, 4, "the specs' environments changed; update the test")
	return src, want
}

// generate runs `rocketops argocd generate` in dir with exactly the given plugin variables.
func generate(t *testing.T, dir string, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	setPluginVars(t, vars)
	t.Chdir(dir)
	return run(t, append([]string{"argocd", "generate"}, args...)...)
}

func setPluginVars(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, k := range pluginVars {
		t.Setenv(k, "")
	}
	for k, v := range vars {
		require.Contains(t, pluginVars, k, "the test sets a variable generate does not read")
		t.Setenv(k, v)
	}
}

func TestArgoPluginChoosesSpecAndEnvironment(t *testing.T) {
	src, want := pluginSource(t)
	const (
		env   = "ARGOCD_ENV_ROCKETOPS_ENVIRONMENT"
		spec  = "ARGOCD_ENV_ROCKETOPS_SPEC"
		param = "ARGOCD_APP_PARAMETERS"
	)
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want string // key of want
		log  string // how stderr says it chose
	}{
		{"env variable", map[string]string{env: "dev"}, nil, "cluster.yaml/rendered/dev/manifest.yaml", "environment dev (ARGOCD_ENV_ROCKETOPS_ENVIRONMENT)"},
		{"parameter over env variable", map[string]string{env: "dev", param: `[{"name":"environment","string":"prod"}]`}, nil,
			"cluster.yaml/rendered/prod/manifest.yaml", "environment prod (parameter environment)"},
		{"flag over parameter", map[string]string{env: "dev", param: `[{"name":"environment","string":"prod"}]`}, []string{"--env", "staging"},
			"cluster.yaml/rendered/staging/manifest.yaml", "environment staging (--env)"},
		{"short flag", nil, []string{"-e", "staging"}, "cluster.yaml/rendered/staging/manifest.yaml", "environment staging (--env)"},
		{"empty values are not given", map[string]string{env: "", param: `[{"name":"environment","string":"prod"},{"name":"spec","string":""}]`}, []string{"--env="},
			"cluster.yaml/rendered/prod/manifest.yaml", "cluster.yaml (the default), environment prod (parameter environment)"},
		{"Argo CD's null for no parameters", map[string]string{env: "prod", param: "null"}, nil, "cluster.yaml/rendered/prod/manifest.yaml", "environment prod (ARGOCD_ENV_ROCKETOPS_ENVIRONMENT)"},
		{"parameters in the order and spacing Argo CD may use", map[string]string{param: ` [ {"string": "other/cluster.yaml", "name": "spec"} ] `}, nil,
			"other/cluster.yaml/rendered/default/manifest.yaml", "other/cluster.yaml (parameter spec)"},
		{"spec env variable; one environment needs no choice", map[string]string{spec: "other/cluster.yaml"}, nil,
			"other/cluster.yaml/rendered/default/manifest.yaml", "other/cluster.yaml (ARGOCD_ENV_ROCKETOPS_SPEC), environment default (the only environment of other/cluster.yaml)"},
		{"spec parameter over spec env variable", map[string]string{spec: "missing.yaml", param: `[{"name":"spec","string":"other/cluster.yaml"}]`}, nil,
			"other/cluster.yaml/rendered/default/manifest.yaml", "other/cluster.yaml (parameter spec)"},
		{"spec flag over spec parameter", map[string]string{spec: "missing.yaml", param: `[{"name":"spec","string":"missing.yaml"}]`}, []string{"--spec", "other/cluster.yaml"},
			"other/cluster.yaml/rendered/default/manifest.yaml", "other/cluster.yaml (--spec)"},
		{"environment of another spec", map[string]string{spec: "other/cluster.yaml", env: "default"}, nil,
			"other/cluster.yaml/rendered/default/manifest.yaml", "environment default (ARGOCD_ENV_ROCKETOPS_ENVIRONMENT)"},
		{"paths that stay inside", map[string]string{env: "prod"}, []string{"--spec", "./other/../cluster.yaml"}, "cluster.yaml/rendered/prod/manifest.yaml", "cluster.yaml (--spec)"},
		{"the destination namespace matches", map[string]string{env: "prod", "ARGOCD_APP_NAMESPACE": "orders-mq-prod"}, nil,
			"cluster.yaml/rendered/prod/manifest.yaml", "17 objects in namespace orders-mq-prod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := generate(t, src, tc.vars, tc.args...)
			require.Equal(t, 0, code, stderr)
			require.Equal(t, want[tc.want], stdout, "stdout must be exactly %s", tc.want)
			assert.Contains(t, stderr, tc.log)
			assert.NotContains(t, stderr, "warning")
		})
	}
}

func TestArgoPluginWarnsOfAnotherNamespace(t *testing.T) {
	src, want := pluginSource(t)
	code, stdout, stderr := generate(t, src, map[string]string{"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT": "prod", "ARGOCD_APP_NAMESPACE": "orders"})
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, want["cluster.yaml/rendered/prod/manifest.yaml"], stdout)
	assert.Contains(t, stderr, "warning: the Application's destination namespace is \"orders\", but environment prod of cluster.yaml puts its objects in orders-mq-prod\n")
}

// TestArgoPluginRefuses checks that every bad input ends non-zero with nothing on stdout and a
// message that says what and where.
func TestArgoPluginRefuses(t *testing.T) {
	src, _ := pluginSource(t)
	writeFile(t, filepath.Join(src, "invalid.yaml"), smallInvalid)
	writeFile(t, filepath.Join(src, "empty.yaml"), "")
	writeFile(t, filepath.Join(src, "comment.yaml"), "# nothing here\n")
	require.NoError(t, os.Symlink(filepath.Join(src, "..", "outside", "cluster.yaml"), filepath.Join(src, "link.yaml")))
	require.NoError(t, os.Symlink(filepath.Join(src, "..", "outside"), filepath.Join(src, "linkdir")))
	require.NoError(t, os.Symlink("other/cluster.yaml", filepath.Join(src, "inside.yaml")))
	if runtime.GOOS != "windows" {
		require.NoError(t, exec.Command("mkfifo", filepath.Join(src, "fifo.yaml")).Run())
	}
	const (
		env   = "ARGOCD_ENV_ROCKETOPS_ENVIRONMENT"
		spec  = "ARGOCD_ENV_ROCKETOPS_SPEC"
		param = "ARGOCD_APP_PARAMETERS"
	)
	prod := map[string]string{env: "prod"}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for a, b := range m {
			if a != k {
				out[a] = b
			}
		}
		return out
	}
	huge := strings.Repeat("a", 5000)
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		err  string // a regular expression stderr must match
	}{
		{"unknown parameter", with(prod, param, `[{"name":"namespace","string":"x"}]`), nil, 2,
			`^error: ARGOCD_APP_PARAMETERS\[0\]: unknown parameter "namespace"\n\thint: rocketops takes the parameters environment and spec\n$`},
		{"misspelt parameter", with(prod, param, `[{"name":"spec","string":"cluster.yaml"},{"name":"enviroment","string":"x"}]`), nil, 2,
			`^error: ARGOCD_APP_PARAMETERS\[1\]: unknown parameter "enviroment"\n\thint: did you mean "environment"\?\n$`},
		{"parameter without a name", with(prod, param, `[{"string":"prod"}]`), nil, 2, `ARGOCD_APP_PARAMETERS\[0\]: a parameter without a name`},
		{"parameter given twice", with(prod, param, `[{"name":"environment","string":"prod"},{"name":"environment","string":"dev"}]`), nil, 2,
			`ARGOCD_APP_PARAMETERS\[1\]: parameter environment is given twice`},
		{"array parameter", with(prod, param, `[{"name":"environment","array":["prod"]}]`), nil, 2, `ARGOCD_APP_PARAMETERS\[0\]: parameter environment takes a string`},
		{"map parameter", with(prod, param, `[{"name":"spec","map":{"a":"b"}}]`), nil, 2, `ARGOCD_APP_PARAMETERS\[0\]: parameter spec takes a string`},
		{"parameter without a value", with(prod, param, `[{"name":"spec"}]`), nil, 2, `parameter spec takes a string`},
		{"truncated JSON", with(prod, param, `[{"name":"environment",`), nil, 2, `^error: ARGOCD_APP_PARAMETERS:1:24: not valid JSON`},
		{"JSON syntax error on line 2", with(prod, param, "[\n  {\"name\" \"environment\"}]"), nil, 2, `^error: ARGOCD_APP_PARAMETERS:2:11: not valid JSON: invalid character '"'`},
		{"an object, not an array", with(prod, param, `{"name":"environment","string":"prod"}`), nil, 2, `^error: ARGOCD_APP_PARAMETERS:1:1: the parameters must be an array, not a JSON object`},
		{"a number as the value", with(prod, param, `[{"name":"environment","string":1}]`), nil, 2, `^error: ARGOCD_APP_PARAMETERS:1:33: field string must be a string, not a JSON number`},
		{"data after the array", with(prod, param, `[] []`), nil, 2, `^error: ARGOCD_APP_PARAMETERS:1:5: more data after the JSON array`},
		{"huge parameters", with(prod, param, `[{"name":"spec","string":"`+strings.Repeat("x", 70_000)+`"}]`), nil, 2,
			`^error: ARGOCD_APP_PARAMETERS holds 70029 bytes; rocketops reads at most 65536\n`},
		{"huge environment", map[string]string{env: huge}, nil, 2, `^error: ARGOCD_ENV_ROCKETOPS_ENVIRONMENT holds 5000 bytes; rocketops takes values of at most 4096\n`},
		{"huge spec parameter", with(prod, param, `[{"name":"spec","string":"`+huge+`"}]`), nil, 2, `^error: parameter spec holds 5000 bytes`},
		{"control characters", map[string]string{env: "prod\n--- kind: Secret"}, nil, 2,
			`^error: ARGOCD_ENV_ROCKETOPS_ENVIRONMENT: "prod\\n--- kind: Secret" holds control characters`},
		{"absolute spec", with(prod, spec, "/etc/passwd"), nil, 2,
			`^error: spec "/etc/passwd" \(from ARGOCD_ENV_ROCKETOPS_SPEC\) is an absolute path; the spec must be inside the source folder\n\thint: `},
		{"spec above the folder", with(prod, param, `[{"name":"spec","string":"../outside/cluster.yaml"}]`), nil, 2,
			`^error: spec "../outside/cluster.yaml" \(from parameter spec\) leaves the source folder`},
		{"spec escaping through a subfolder", prod, []string{"--spec", "other/../../outside/cluster.yaml"}, 2, `\(from --spec\) leaves the source folder`},
		{"symlink out of the folder", with(prod, spec, "link.yaml"), nil, 2, `^error: cannot read spec link.yaml: .*\n\thint: the spec must be a file inside`},
		{"symlinked folder out of the folder", with(prod, spec, "linkdir/cluster.yaml"), nil, 2, `^error: cannot read spec linkdir/cluster.yaml: `},
		{"missing spec", with(prod, spec, "missing.yaml"), nil, 2, `^error: no spec missing.yaml in the source folder\n\thint: `},
		{"folder as spec", prod, []string{"--spec", "other"}, 2, `^error: spec other is not a regular file`},
		{"invalid spec", with(prod, spec, "invalid.yaml"), nil, 1, `^invalid.yaml:8:15: /spec/nameServer/replicas: must be >= 1 but found 0\ninvalid.yaml:10:5: /spec/brokers/grups: unknown field "grups"\n`},
		{"empty spec", with(prod, spec, "empty.yaml"), nil, 1, `^empty.yaml:\d+:\d+: `},
		{"spec of only a comment", with(prod, spec, "comment.yaml"), nil, 1, `^comment.yaml:\d+:\d+: `},
		{"several environments, none chosen", nil, nil, 2,
			`^error: cluster.yaml has environments dev, prod, staging and none is chosen\n\thint: set ARGOCD_ENV_ROCKETOPS_ENVIRONMENT`},
		{"unknown environment", map[string]string{env: "prd"}, nil, 2, `^error: unknown environment "prd" \(from ARGOCD_ENV_ROCKETOPS_ENVIRONMENT\)\n\thint: did you mean "prod"\?\n$`},
		{"unknown environment of a one-environment spec", map[string]string{spec: "inside.yaml", env: "prod"}, nil, 2, `^error: unknown environment "prod"`},
		{"an argument", prod, []string{"cluster.yaml"}, 2, `^error: unknown command "cluster.yaml"`},
		{"an unknown flag", prod, []string{"--target", "helm"}, 2, `^error: unknown flag: --target`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := generate(t, src, tc.vars, tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Empty(t, stdout, "a failure prints nothing on stdout")
			assert.Regexp(t, regexp.MustCompile(tc.err), stderr)
		})
	}
	if runtime.GOOS != "windows" {
		// A FIFO would block a reader forever: it must be refused before it is opened.
		code, stdout, stderr := generate(t, src, with(prod, spec, "fifo.yaml"))
		assert.Equal(t, 2, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "error: spec fifo.yaml is not a regular file")
	}
	// A symlink that stays inside the folder is followed.
	code, stdout, stderr := generate(t, src, with(prod, spec, "inside.yaml"), "--env", "default")
	assert.Equal(t, 0, code, stderr)
	assert.NotEmpty(t, stdout)
}

func TestArgoPluginParent(t *testing.T) {
	code, stdout, stderr := run(t, "argocd")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "error: no command given\n\thint: use rocketops argocd generate\n", stderr)
	code, _, stderr = run(t, "argocd", "render")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown command "render" for rocketops argocd`)
}

// failingReader fails the test when generate reads stdin: Argo CD gives the plugin an empty stdin,
// and a command that waited for one would hang until Argo CD's timeout.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("generate read stdin")
	return 0, fmt.Errorf("stdin is not for generate")
}

// TestArgoPluginWritesNothing runs generate with HOME and TMPDIR in empty folders of their own and
// checks that neither they nor the source folder change, and that stdin is never read.
func TestArgoPluginWritesNothing(t *testing.T) {
	src, want := pluginSource(t)
	home, tmp := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_CACHE_HOME", "")
	before, beforeDirs := snapshot(t, src), dirTimes(t, src)
	setPluginVars(t, map[string]string{"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT": "staging"})
	t.Chdir(src)
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"argocd", "generate"}, failingReader{t}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, want["cluster.yaml/rendered/staging/manifest.yaml"], stdout.String())
	assert.Equal(t, before, snapshot(t, src), "generate changed the source folder")
	assert.Equal(t, beforeDirs, dirTimes(t, src), "generate created something in the source folder")
	for _, dir := range []string{home, tmp} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries, "generate wrote into %s", dir)
	}
}

// dirTimes are the modification times of every folder under dir, which move when a file is
// created in one and removed again (snapshot leaves them out).
func dirTimes(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		info, err := d.Info()
		out[p] = info.ModTime().UnixNano()
		return err
	}))
	return out
}

// TestArgoPluginDeterministicInParallel runs generate many times at once on one folder, as Argo CD
// may, and expects the same bytes from every run.
func TestArgoPluginDeterministicInParallel(t *testing.T) {
	src, want := pluginSource(t)
	setPluginVars(t, map[string]string{"ARGOCD_APP_PARAMETERS": `[{"name":"environment","string":"prod"}]`})
	t.Chdir(src)
	const runs = 12
	type result struct {
		code           int
		stdout, stderr string
	}
	results := make([]result, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			var stdout, stderr bytes.Buffer
			code := cli.Run([]string{"argocd", "generate"}, strings.NewReader(""), &stdout, &stderr)
			results[i] = result{code, stdout.String(), stderr.String()}
		})
	}
	wg.Wait()
	for i, r := range results {
		require.Equal(t, 0, r.code, "run %d: %s", i, r.stderr)
		require.Equal(t, want["cluster.yaml/rendered/prod/manifest.yaml"], r.stdout, "run %d printed other bytes", i)
		require.Equal(t, results[0].stderr, r.stderr, "run %d logged otherwise", i)
	}
}
