package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/rocketops/rocketops/pkg/cli"
	"github.com/rocketops/rocketops/pkg/tree"
)

// The specs the tests compile live in the repository, so that the tests follow the examples a new
// user starts from instead of a private copy that could drift from them.
var (
	quickstart   = filepath.Join("..", "..", "examples", "quickstart", "cluster.yaml")
	environments = filepath.Join("..", "..", "golden", "environments", "cluster.yaml")
	goldenErrors = filepath.Join("..", "..", "golden", "errors")
)

// smallInvalid has one schema error and one misspelt field, so that the exact report shows both the
// plain form and the form with a hint.
const smallInvalid = `apiVersion: rocketops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: rmq
spec:
  version: "5.3.3"
  nameServer:
    replicas: 0
  brokers:
    grups: 2
`

// smallBroker is valid, but leaves its broker little page cache.
const smallBroker = `apiVersion: rocketops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: rmq
spec:
  version: "5.3.3"
  brokers:
    resources:
      requests:
        memory: 1Gi
      limits:
        memory: 1Gi
`

// smallInvalidReport is what validate must print for smallInvalid saved as FILE.
const smallInvalidReport = `FILE:8:15: /spec/nameServer/replicas: must be >= 1 but found 0
FILE:10:5: /spec/brokers/grups: unknown field "grups"
	hint: did you mean "groups"?
2 errors in FILE
`

// run calls the command line in-process with an empty stdin. A panic is turned into a test failure
// that names the arguments, because a panic is never an acceptable answer to any input.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runIn(t, "", args...)
}

// runIn is run with stdin.
func runIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("rocketops %q panicked: %v\n%s", args, r, debug.Stack())
			}
		}()
		code = cli.Run(args, strings.NewReader(stdin), &out, &errb)
	}()
	return code, out.String(), errb.String()
}

// mustRun is run for the steps that prepare a case rather than test it.
func mustRun(t *testing.T, args ...string) {
	t.Helper()
	code, stdout, stderr := run(t, args...)
	require.Equal(t, 0, code, "rocketops %q\nstdout:\n%s\nstderr:\n%s", args, stdout, stderr)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
	require.NoError(t, os.WriteFile(name, []byte(content), 0o644))
	return name
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// copySpec copies a repository spec into dir as cluster.yaml, for cases that edit it.
func copySpec(t *testing.T, from, dir string) string {
	t.Helper()
	return writeFile(t, filepath.Join(dir, "cluster.yaml"), readFile(t, from))
}

// replaceInFile fails when old is absent, so that a case cannot silently stop changing anything
// when the example it edits changes.
func replaceInFile(t *testing.T, name, old, new string) {
	t.Helper()
	s := readFile(t, name)
	require.Contains(t, s, old, "%s no longer holds %q; update the test", name, old)
	writeFile(t, name, strings.Replace(s, old, new, 1))
}

// files returns every regular file under dir by slash path, with its content.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	require.NoError(t, err)
	return out
}

func indexFiles(t *testing.T, dir string) []string {
	t.Helper()
	ix, err := tree.ReadIndex(dir)
	require.NoError(t, err)
	return ix.Files
}

// requireOwnsExactly checks the promise the index makes: it lists every generated file, and
// everything else on disk is one of the user's files.
func requireOwnsExactly(t *testing.T, dir string, user ...string) {
	t.Helper()
	var onDisk []string
	for p := range files(t, dir) {
		if p != tree.IndexFile && !slices.Contains(user, p) {
			onDisk = append(onDisk, p)
		}
	}
	slices.Sort(onDisk)
	require.NotEmpty(t, onDisk, "nothing was generated in %s", dir)
	require.Equal(t, indexFiles(t, dir), onDisk, "the index and the generated files in %s disagree", dir)
}

// entry is what a test can observe about one path without following symlinks.
type entry struct {
	Mode    fs.FileMode
	ModTime time.Time // files only: a directory's mtime moves whenever a temporary file is staged in it
	Data    string
	Link    string
}

// snapshot records every path under root, so that "the folder is unchanged" covers bytes, modes,
// mtimes, symlinks and anything written outside the output folder through one.
func snapshot(t *testing.T, root string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := entry{Mode: fi.Mode()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if e.Link, err = os.Readlink(p); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.Data, e.ModTime = string(b), fi.ModTime()
		}
		out[p] = e
		return nil
	})
	require.NoError(t, err)
	return out
}

// age sets every regular file under root to an old mtime, so that a rewrite with identical bytes
// still shows up as a changed mtime.
func age(t *testing.T, root string) {
	t.Helper()
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	require.NoError(t, err)
}

func TestHelpAndUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout []string
		wantStderr []string
		notStderr  []string
	}{
		{
			name:       "help lists every command and the exit codes",
			args:       []string{"--help"},
			code:       0,
			wantStdout: []string{"compile", "validate", "diff", "explain", "schema", "version", "Exit codes: 0 ok, 1 findings"},
		},
		{
			name:       "misspelt command suggests the right one",
			args:       []string{"validat", "cluster.yaml"},
			code:       2,
			wantStderr: []string{`error: unknown command "validat" for "rocketops"`, "validate", "hint: see rocketops"},
		},
		{
			name:       "unknown flag on a command points to that command's help",
			args:       []string{"compile", "--bogus", "cluster.yaml", "-o", "x"},
			code:       2,
			wantStderr: []string{"error: unknown flag: --bogus\n\thint: see rocketops compile --help\n"},
		},
		{
			// The hint names the command; at the top level there is none, and the hint must still
			// read as a command a user can copy. Fails today: "see rocketops  --help".
			name:       "unknown flag at the top level points to the top-level help",
			args:       []string{"--bogus"},
			code:       2,
			wantStderr: []string{"error: unknown flag: --bogus\n", "\thint: see rocketops --help\n"},
			notStderr:  []string{"rocketops  --help"},
		},
		{
			name:       "flag without its value",
			args:       []string{"compile", quickstart, "-o"},
			code:       2,
			wantStderr: []string{"flag needs an argument", "hint: see rocketops compile --help"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, tc.args...)
			assert.Equal(t, tc.code, code, "stderr:\n%s", stderr)
			for _, s := range tc.wantStdout {
				assert.Contains(t, stdout, s)
			}
			for _, s := range tc.wantStderr {
				assert.Contains(t, stderr, s)
			}
			for _, s := range tc.notStderr {
				assert.NotContains(t, stderr, s)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// args gets a fresh folder to put its specs in.
		args func(t *testing.T, dir string) []string
		code int
		// The expectations may say {dir}, which stands for that folder.
		wantStdout []string
		exactErr   string // the whole of stderr, when set
		wantStderr []string
	}{
		{
			name:       "valid quickstart names its only environment",
			args:       func(t *testing.T, dir string) []string { return []string{"validate", quickstart} },
			code:       0,
			wantStdout: []string{quickstart + ": valid (environments: default)\n"},
			exactErr:   "",
		},
		{
			name:       "valid spec with environments names them all, sorted",
			args:       func(t *testing.T, dir string) []string { return []string{"validate", environments} },
			code:       0,
			wantStdout: []string{environments + ": valid (environments: dev, prod, staging)\n"},
			exactErr:   "",
		},
		{
			name: "a warning is printed and the spec is still valid",
			args: func(t *testing.T, dir string) []string {
				return []string{"validate", writeFile(t, filepath.Join(dir, "small.yaml"), smallBroker)}
			},
			code:       0,
			wantStdout: []string{"{dir}/small.yaml: valid (environments: default)\n"},
			exactErr: "{dir}/small.yaml:12:17: /spec/brokers/resources/limits/memory: warning: heap 256Mi + direct memory 128Mi + 512Mi overhead leave 128Mi of the memory limit 1Gi for the page cache, less than 25%\n" +
				"\thint: the commitlog is read and written through the page cache, charged to the same memory limit: raise the limit or lower jvm.heap / jvm.directMemory\n" +
				"1 warning in {dir}/small.yaml\n",
		},
		{
			name: "invalid spec prints every diagnostic exactly",
			args: func(t *testing.T, dir string) []string {
				return []string{"validate", writeFile(t, filepath.Join(dir, "bad.yaml"), smallInvalid)}
			},
			code:     1,
			exactErr: strings.ReplaceAll(smallInvalidReport, "FILE", "{dir}/bad.yaml"),
		},
		{
			name: "several files, one bad: the good one is reported valid, the bad one in full",
			args: func(t *testing.T, dir string) []string {
				return []string{"validate", quickstart, writeFile(t, filepath.Join(dir, "bad.yaml"), smallInvalid), environments}
			},
			code: 1,
			wantStdout: []string{
				quickstart + ": valid (environments: default)\n",
				environments + ": valid (environments: dev, prod, staging)\n",
			},
			exactErr: strings.ReplaceAll(smallInvalidReport, "FILE", "{dir}/bad.yaml"),
		},
		{
			name: "several bad files are each reported with their own count",
			args: func(t *testing.T, dir string) []string {
				return []string{
					"validate",
					writeFile(t, filepath.Join(dir, "a.yaml"), smallInvalid),
					writeFile(t, filepath.Join(dir, "b.yaml"), strings.Replace(smallInvalid, "  brokers:\n    grups: 2\n", "", 1)),
				}
			},
			code: 1,
			exactErr: strings.ReplaceAll(smallInvalidReport, "FILE", "{dir}/a.yaml") +
				"{dir}/b.yaml:8:15: /spec/nameServer/replicas: must be >= 1 but found 0\n1 error in {dir}/b.yaml\n",
		},
		{
			name:     "missing file is a usage error with a readable message",
			args:     func(t *testing.T, dir string) []string { return []string{"validate", filepath.Join(dir, "nope.yaml")} },
			code:     2,
			exactErr: "error: cannot read spec: stat {dir}/nope.yaml: no such file or directory\n\thint: give the path of a cluster.yaml\n",
		},
		{
			name:     "a folder instead of a file",
			args:     func(t *testing.T, dir string) []string { return []string{"validate", dir} },
			code:     2,
			exactErr: "error: {dir} is a folder, not a spec file\n\thint: give the path of a cluster.yaml\n",
		},
		{
			name:     "no file at all",
			args:     func(t *testing.T, dir string) []string { return []string{"validate"} },
			code:     2,
			exactErr: "error: requires at least 1 arg(s), only received 0\n\thint: see rocketops validate --help\n",
		},
		{
			name:     "unknown flag",
			args:     func(t *testing.T, dir string) []string { return []string{"validate", "--strict", quickstart} },
			code:     2,
			exactErr: "error: unknown flag: --strict\n\thint: see rocketops validate --help\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			expand := func(s string) string { return strings.ReplaceAll(s, "{dir}", dir) }
			code, stdout, stderr := run(t, tc.args(t, dir)...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			if tc.code != 0 && len(tc.wantStdout) == 0 {
				assert.Empty(t, stdout, "a failure must not look like output on stdout")
			}
			for _, s := range tc.wantStdout {
				assert.Contains(t, stdout, expand(s))
			}
			if tc.exactErr != "" || tc.code == 0 {
				assert.Equal(t, expand(tc.exactErr), stderr)
			}
			for _, s := range tc.wantStderr {
				assert.Contains(t, stderr, expand(s))
			}
		})
	}
}

// TestValidateGoldenErrors runs every golden error case through the command line: the library tests
// check the diagnostics, this checks that the CLI prints exactly them and nothing else, and exits 1.
func TestValidateGoldenErrors(t *testing.T) {
	t.Parallel()
	cases, err := filepath.Glob(filepath.Join(goldenErrors, "*.txtar"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(cases), 10, "golden error cases went missing")
	for _, file := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			sections := parseTxtar(t, readFile(t, file))
			spec, ok := sections["cluster.yaml"]
			require.True(t, ok, "%s has no cluster.yaml section", file)
			want, ok := sections["diagnostics"]
			require.True(t, ok, "%s has no diagnostics section", file)

			name := writeFile(t, filepath.Join(t.TempDir(), "cluster.yaml"), spec)
			// The golden diagnostics name the file cluster.yaml; here it has a longer path.
			var wantLines []string
			for _, line := range strings.SplitAfter(want, "\n") {
				if rest, ok := strings.CutPrefix(line, "cluster.yaml"); ok {
					line = name + rest
				}
				if rest, ok := strings.CutSuffix(line, " in cluster.yaml\n"); ok {
					line = rest + " in " + name + "\n"
				}
				wantLines = append(wantLines, line)
			}

			code, stdout, stderr := run(t, "validate", name)
			assert.Equal(t, 1, code, "stderr:\n%s", stderr)
			assert.Empty(t, stdout)
			assert.Equal(t, strings.Join(wantLines, ""), stderr)
		})
	}
}

// parseTxtar reads a golden/errors case: its files by name.
func parseTxtar(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range txtar.Parse([]byte(s)).Files {
		out[f.Name] = string(f.Data)
	}
	return out
}

func TestCompile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    string
		args    []string // after "compile SPEC -o DIR"
		slash   bool     // give DIR with a trailing slash
		want    []string // files that must exist
		notWant []string // files and folders that must not
		meta    map[string]string
	}{
		{
			name:    "default target is kustomize",
			spec:    quickstart,
			want:    []string{"base/kustomization.yaml", "overlays/default/kustomization.yaml", tree.IndexFile},
			notWant: []string{"rendered"},
			meta:    map[string]string{"target": "kustomize", "spec": "cluster.yaml"},
		},
		{
			name:    "manifests only",
			spec:    quickstart,
			args:    []string{"--target", "manifests"},
			want:    []string{"rendered/default/manifest.yaml", tree.IndexFile},
			notWant: []string{"base", "overlays"},
			meta:    map[string]string{"target": "manifests"},
		},
		{
			name: "both targets with the short flag",
			spec: quickstart,
			args: []string{"-t", "kustomize,manifests"},
			want: []string{"base/kustomization.yaml", "overlays/default/kustomization.yaml", "rendered/default/manifest.yaml"},
			meta: map[string]string{"target": "kustomize,manifests"},
		},
		{
			name: "repeated target flags mean the same as a list",
			spec: quickstart,
			args: []string{"-t", "manifests", "-t", "kustomize"},
			want: []string{"base/kustomization.yaml", "rendered/default/manifest.yaml"},
			meta: map[string]string{"target": "kustomize,manifests"},
		},
		{
			// The form compile's own help, its hint and the README use: "-o deploy/". Fails today:
			// tree.Write's makeRoot walks up with filepath.Dir, which turns "deploy/" into "deploy",
			// so it creates "deploy" and then fails to create "deploy/" again (EEXIST).
			name:  "new output folder given with a trailing slash",
			spec:  quickstart,
			slash: true,
			want:  []string{"base/kustomization.yaml", "overlays/default/kustomization.yaml", tree.IndexFile},
			meta:  map[string]string{"target": "kustomize"},
		},
		{
			name:    "every environment by default",
			spec:    environments,
			want:    []string{"base/kustomization.yaml", "overlays/dev/kustomization.yaml", "overlays/prod/kustomization.yaml", "overlays/staging/kustomization.yaml"},
			notWant: []string{"overlays/default"},
			meta:    map[string]string{"target": "kustomize"},
		},
		{
			name:    "one environment",
			spec:    environments,
			args:    []string{"--env", "prod"},
			want:    []string{"base/kustomization.yaml", "overlays/prod/kustomization.yaml"},
			notWant: []string{"overlays/dev", "overlays/staging"},
			meta:    map[string]string{"environments": "prod"},
		},
		{
			name:    "one environment rendered",
			spec:    environments,
			args:    []string{"-e", "staging", "-t", "manifests"},
			want:    []string{"rendered/staging/manifest.yaml"},
			notWant: []string{"rendered/dev", "rendered/prod", "base"},
			meta:    map[string]string{"environments": "staging", "target": "manifests"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A folder two levels below an existing one: compile creates the parents too.
			out := filepath.Join(t.TempDir(), "deploy", "rmq")
			outArg := out
			if tc.slash {
				outArg += string(filepath.Separator)
			}
			args := append([]string{"compile", tc.spec, "-o", outArg}, tc.args...)
			code, stdout, stderr := run(t, args...)
			require.Equal(t, 0, code, "stderr:\n%s", stderr)
			assert.Empty(t, stderr)
			for _, p := range tc.want {
				assert.FileExists(t, filepath.Join(out, p))
			}
			for _, p := range tc.notWant {
				assert.NoFileExists(t, filepath.Join(out, p))
				assert.NoDirExists(t, filepath.Join(out, p))
			}
			requireOwnsExactly(t, out)
			n := len(indexFiles(t, out))
			noun := "files"
			if n == 1 {
				noun = "file"
			}
			assert.Equal(t, fmt.Sprintf("%s: %d %s (%d created, 0 updated, 0 unchanged, 0 removed)\n", outArg, n, noun, n), stdout)

			ix, err := tree.ReadIndex(out)
			require.NoError(t, err)
			for k, v := range tc.meta {
				assert.Equal(t, v, ix.Meta[k], "index meta %q", k)
			}
			assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, ix.Meta["digest"])
			if _, ok := tc.meta["env"]; !ok {
				assert.NotContains(t, ix.Meta, "env", "without --env the index must not pin environments")
			}
			for p, content := range files(t, out) {
				if p != tree.IndexFile {
					assert.True(t, strings.HasPrefix(content, "# Code generated by rocketops"),
						"%s does not say it is generated", p)
				}
			}
		})
	}
}

func TestCompileUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args func(t *testing.T, dir, out string) []string
		code int
		// exactErr may say {dir} and {out}.
		exactErr string
	}{
		{
			name: "unknown environment suggests the closest one",
			args: func(t *testing.T, dir, out string) []string {
				return []string{"compile", environments, "-o", out, "--env", "prd"}
			},
			code:     2,
			exactErr: "error: unknown environment \"prd\"\n\thint: did you mean \"prod\"?\n",
		},
		{
			name: "unknown environment with nothing close lists them",
			args: func(t *testing.T, dir, out string) []string {
				return []string{"compile", environments, "-o", out, "--env", "qa-cluster-eu"}
			},
			code:     2,
			exactErr: "error: unknown environment \"qa-cluster-eu\"\n\thint: the spec's environments: dev, prod, staging\n",
		},
		{
			name: "unknown target suggests the closest one",
			args: func(t *testing.T, dir, out string) []string {
				return []string{"compile", quickstart, "-o", out, "-t", "kustomise"}
			},
			code:     2,
			exactErr: "error: unknown target \"kustomise\"\n\thint: did you mean \"kustomize\"?\n",
		},
		{
			name:     "missing -o",
			args:     func(t *testing.T, dir, out string) []string { return []string{"compile", quickstart} },
			code:     2,
			exactErr: "error: no output folder\n\thint: add -o DIR, e.g. -o deploy/\n",
		},
		{
			name:     "no spec",
			args:     func(t *testing.T, dir, out string) []string { return []string{"compile", "-o", out} },
			code:     2,
			exactErr: "error: accepts 1 arg(s), received 0\n\thint: see rocketops compile --help\n",
		},
		{
			name: "two specs",
			args: func(t *testing.T, dir, out string) []string {
				return []string{"compile", quickstart, environments, "-o", out}
			},
			code:     2,
			exactErr: "error: accepts 1 arg(s), received 2\n\thint: see rocketops compile --help\n",
		},
		{
			name: "missing spec",
			args: func(t *testing.T, dir, out string) []string {
				return []string{"compile", filepath.Join(dir, "nope.yaml"), "-o", out}
			},
			code:     2,
			exactErr: "error: cannot read spec: stat {dir}/nope.yaml: no such file or directory\n\thint: give the path of a cluster.yaml\n",
		},
		{
			name: "invalid spec is a finding, reported like validate does",
			args: func(t *testing.T, dir, out string) []string {
				return []string{"compile", writeFile(t, filepath.Join(dir, "bad.yaml"), smallInvalid), "-o", out}
			},
			code:     1,
			exactErr: strings.ReplaceAll(smallInvalidReport, "FILE", "{dir}/bad.yaml"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			code, stdout, stderr := run(t, tc.args(t, dir, out)...)
			assert.Equal(t, tc.code, code, "stderr:\n%s", stderr)
			assert.Empty(t, stdout)
			want := strings.NewReplacer("{dir}", dir, "{out}", out).Replace(tc.exactErr)
			// A diagnostic list ends in a newline of its own; cobra errors get one from Run.
			assert.Equal(t, want, stderr)
			assert.NoDirExists(t, out, "a failed compile must not create the output folder")
		})
	}
}

// TestCompileLeavesFolderAlone covers every way a compile into a folder holding previous output can
// fail: each must leave every byte, mode, mtime and symlink as it was, inside the folder and beside
// it.
func TestCompileLeavesFolderAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup gets an empty root; out is where compile writes, spec a copy of quickstart. It
		// returns the arguments after "compile".
		setup      func(t *testing.T, root, out, spec string) []string
		code       int
		wantStderr []string
	}{
		{
			name: "invalid spec over previous output",
			setup: func(t *testing.T, root, out, spec string) []string {
				mustRun(t, "compile", spec, "-o", out, "-t", "kustomize,manifests")
				writeFile(t, filepath.Join(out, "README.md"), "mine\n")
				return []string{writeFile(t, filepath.Join(root, "bad.yaml"), smallInvalid), "-o", out}
			},
			code:       1,
			wantStderr: []string{"/spec/brokers/grups: unknown field", "2 errors in "},
		},
		{
			name: "unknown environment over previous output",
			setup: func(t *testing.T, root, out, spec string) []string {
				mustRun(t, "compile", spec, "-o", out)
				return []string{spec, "-o", out, "--env", "prod"}
			},
			code:       2,
			wantStderr: []string{`unknown environment "prod"`},
		},
		{
			name: "hand-written kustomization in a new folder",
			setup: func(t *testing.T, root, out, spec string) []string {
				writeFile(t, filepath.Join(out, "base", "kustomization.yaml"), "resources: [mine.yaml]\n")
				return []string{spec, "-o", out}
			},
			code:       2,
			wantStderr: []string{`"base/kustomization.yaml"`, "--force", "not generated by rocketops"},
		},
		{
			name: "hand-written kustomization beside previous rendered output",
			setup: func(t *testing.T, root, out, spec string) []string {
				mustRun(t, "compile", spec, "-o", out, "-t", "manifests")
				writeFile(t, filepath.Join(out, "base", "kustomization.yaml"), "resources: [mine.yaml]\n")
				return []string{spec, "-o", out, "-t", "kustomize"}
			},
			code:       2,
			wantStderr: []string{`"base/kustomization.yaml"`, "--force"},
		},
		{
			name: "output path is a regular file",
			setup: func(t *testing.T, root, out, spec string) []string {
				writeFile(t, out, "not a folder\n")
				return []string{spec, "-o", out}
			},
			code:       2,
			wantStderr: []string{"is not a directory"},
		},
		{
			name: "symlink where a generated file goes",
			setup: func(t *testing.T, root, out, spec string) []string {
				mustRun(t, "compile", spec, "-o", out)
				target := filepath.Join(out, "base", "kustomization.yaml")
				require.NoError(t, os.Remove(target))
				require.NoError(t, os.Symlink(filepath.Join(root, "outside.yaml"), target))
				return []string{spec, "-o", out}
			},
			code:       2,
			wantStderr: []string{`refusing to follow symlink "base/kustomization.yaml"`},
		},
		{
			name: "symlink where a generated folder goes",
			setup: func(t *testing.T, root, out, spec string) []string {
				require.NoError(t, os.MkdirAll(filepath.Join(root, "elsewhere"), 0o755))
				require.NoError(t, os.MkdirAll(out, 0o755))
				require.NoError(t, os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(out, "base")))
				return []string{spec, "-o", out}
			},
			code:       2,
			wantStderr: []string{`refusing to follow symlink "base"`},
		},
		{
			name: "symlink in place of the index",
			setup: func(t *testing.T, root, out, spec string) []string {
				mustRun(t, "compile", spec, "-o", out)
				ix := filepath.Join(out, tree.IndexFile)
				require.NoError(t, os.Rename(ix, filepath.Join(root, "index-copy")))
				require.NoError(t, os.Symlink(filepath.Join(root, "index-copy"), ix))
				return []string{spec, "-o", out}
			},
			code:       2,
			wantStderr: []string{"refusing to follow symlink", tree.IndexFile},
		},
		{
			name: "a file where a generated folder goes",
			setup: func(t *testing.T, root, out, spec string) []string {
				writeFile(t, filepath.Join(out, "overlays"), "mine\n")
				return []string{spec, "-o", out}
			},
			code:       2,
			wantStderr: []string{`"overlays" is not a directory`},
		},
		{
			name: "corrupt index",
			setup: func(t *testing.T, root, out, spec string) []string {
				mustRun(t, "compile", spec, "-o", out)
				writeFile(t, filepath.Join(out, tree.IndexFile), "file ../../etc/passwd\n")
				return []string{spec, "-o", out}
			},
			code:       2,
			wantStderr: []string{"corrupt index", `".."`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			spec := copySpec(t, quickstart, root)
			out := filepath.Join(root, "out")
			args := append([]string{"compile"}, tc.setup(t, root, out, spec)...)
			age(t, root)
			before := snapshot(t, root)

			code, stdout, stderr := run(t, args...)
			assert.Equal(t, tc.code, code, "stderr:\n%s", stderr)
			assert.Empty(t, stdout)
			for _, s := range tc.wantStderr {
				assert.Contains(t, stderr, s)
			}
			assert.Equal(t, before, snapshot(t, root), "a failed compile changed the folder")
		})
	}
}

func TestCompileForceOverwritesHandWrittenFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	out := filepath.Join(root, "out")
	mine := writeFile(t, filepath.Join(out, "base", "kustomization.yaml"), "resources: [mine.yaml]\n")

	code, _, stderr := run(t, "compile", quickstart, "-o", out)
	require.Equal(t, 2, code, "stderr:\n%s", stderr)
	require.Equal(t, "resources: [mine.yaml]\n", readFile(t, mine))

	code, stdout, stderr := run(t, "compile", quickstart, "-o", out, "--force")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Contains(t, stdout, " 1 updated,")
	assert.True(t, strings.HasPrefix(readFile(t, mine), "# Code generated by rocketops"))
	requireOwnsExactly(t, out)

	// Once overwritten it is generated, so the next compile owns it without --force.
	code, stdout, stderr = run(t, "compile", quickstart, "-o", out)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Contains(t, stdout, " 0 updated,")
}

// TestCompileAdoptsIdenticalFile: a file that already holds exactly what would be generated (say,
// output copied from another checkout without its index) is not a conflict.
func TestCompileAdoptsIdenticalFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	first, second := filepath.Join(root, "first"), filepath.Join(root, "second")
	mustRun(t, "compile", quickstart, "-o", first)
	kust := readFile(t, filepath.Join(first, "base", "kustomization.yaml"))
	writeFile(t, filepath.Join(second, "base", "kustomization.yaml"), kust)

	code, stdout, stderr := run(t, "compile", quickstart, "-o", second)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Contains(t, stdout, " 1 unchanged,")
	requireOwnsExactly(t, second)
}

func TestCompileKeepsUserFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	spec := copySpec(t, quickstart, root)
	out := filepath.Join(root, "out")
	mustRun(t, "compile", spec, "-o", out, "-t", "kustomize,manifests")

	user := map[string]string{
		"README.md":                   "# our deployment\n",
		"base/notes.txt":              "why we run one group\n",
		"overlays/default/extra.yaml": "apiVersion: v1\nkind: ConfigMap\n",
		"rendered/default/keep.md":    "kept when rendered/ is no longer generated\n",
		".gitignore":                  "*.tmp\n",
	}
	for p, content := range user {
		writeFile(t, filepath.Join(out, filepath.FromSlash(p)), content)
	}
	userPaths := slices.Sorted(func(yield func(string) bool) {
		for p := range user {
			if !yield(p) {
				return
			}
		}
	})
	check := func(step string) {
		t.Helper()
		for p, content := range user {
			assert.Equal(t, content, readFile(t, filepath.Join(out, filepath.FromSlash(p))), "%s: user file %s", step, p)
		}
		requireOwnsExactly(t, out, userPaths...)
	}

	mustRun(t, "compile", spec, "-o", out, "-t", "kustomize,manifests")
	check("recompile")

	replaceInFile(t, spec, "groups: 1", "groups: 2")
	mustRun(t, "compile", spec, "-o", out, "-t", "kustomize,manifests")
	check("compile of a changed spec")

	// Dropping the manifests target removes rendered/default/manifest.yaml, but the folder still
	// holds a user file and must stay. (Without -t, compile would reuse the recorded targets.)
	code, stdout, stderr := run(t, "compile", spec, "-o", out, "-t", "kustomize")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Contains(t, stdout, " 1 removed)")
	assert.NoFileExists(t, filepath.Join(out, "rendered", "default", "manifest.yaml"))
	check("compile without the manifests target")
}

func TestCompileRemovesStaleFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	spec := copySpec(t, environments, root)
	out := filepath.Join(root, "out")
	mustRun(t, "compile", spec, "-o", out)
	before := indexFiles(t, out)
	writeFile(t, filepath.Join(out, "overlays", "prod", "notes.md"), "prod runbook\n")
	writeFile(t, filepath.Join(out, "README.md"), "mine\n")
	// staging and prod are the last environments of the spec: drop them from it.
	s := readFile(t, spec)
	cut := strings.Index(s, "    staging:\n")
	require.Positive(t, cut, "%s no longer has staging where the test expects it", spec)
	writeFile(t, spec, s[:cut])

	code, stdout, stderr := run(t, "compile", spec, "-o", out)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)

	after := indexFiles(t, out)
	var removed []string
	for _, p := range before {
		if !slices.Contains(after, p) {
			removed = append(removed, p)
			assert.NoFileExists(t, filepath.Join(out, filepath.FromSlash(p)))
		}
	}
	require.NotEmpty(t, removed)
	for _, p := range removed {
		assert.True(t, strings.HasPrefix(p, "overlays/prod/") || strings.HasPrefix(p, "overlays/staging/"),
			"only the dropped environments' files may go, not %s", p)
	}
	for _, p := range after {
		assert.False(t, strings.HasPrefix(p, "overlays/prod/") || strings.HasPrefix(p, "overlays/staging/"), p)
	}
	assert.Equal(t, fmt.Sprintf("%s: %d files (0 created, 0 updated, %d unchanged, %d removed)\n", out, len(after), len(after), len(removed))+
		fmt.Sprintf("%s: removed environments prod, staging, which %s no longer has\n", out, spec), stdout)

	assert.Equal(t, "prod runbook\n", readFile(t, filepath.Join(out, "overlays", "prod", "notes.md")))
	assert.Equal(t, "mine\n", readFile(t, filepath.Join(out, "README.md")))
	// staging held only generated files, so its emptied folders go with them.
	assert.NoDirExists(t, filepath.Join(out, "overlays", "staging"))
	entries, err := os.ReadDir(filepath.Join(out, "overlays", "prod"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "overlays/prod should hold only the user's notes")
	assert.Equal(t, "notes.md", entries[0].Name())
	requireOwnsExactly(t, out, "README.md", "overlays/prod/notes.md")
}

// TestRecompileTouchesNothing: an unchanged spec compiled again must not rewrite anything, or every
// compile in CI would churn mtimes and file watchers.
func TestRecompileTouchesNothing(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	out := filepath.Join(root, "out")
	mustRun(t, "compile", quickstart, "-o", out, "-t", "kustomize,manifests")
	age(t, root)
	before := snapshot(t, root)
	n := len(indexFiles(t, out))

	code, stdout, stderr := run(t, "compile", quickstart, "-o", out, "-t", "kustomize,manifests")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, fmt.Sprintf("%s: %d files (0 created, 0 updated, %d unchanged, 0 removed)\n", out, n, n), stdout)
	assert.Equal(t, before, snapshot(t, root))
}

func TestCompileIsDeterministic(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	// The same spec reached by two different paths: only its base name may show in the output.
	specA := copySpec(t, environments, filepath.Join(root, "a"))
	specB := copySpec(t, environments, filepath.Join(root, "b", "c"))
	outA, outB := filepath.Join(root, "outA"), filepath.Join(root, "outB")
	mustRun(t, "compile", specA, "-o", outA, "-t", "kustomize,manifests")
	mustRun(t, "compile", specB, "-o", outB, "-t", "kustomize,manifests")

	a, b := files(t, outA), files(t, outB)
	require.Greater(t, len(a), 10)
	require.Equal(t, slices.Sorted(mapKeys(a)), slices.Sorted(mapKeys(b)), "the two compiles wrote different files")
	for p := range a {
		assert.Equal(t, a[p], b[p], "%s differs between two compiles of the same spec", p)
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestCompileIntoSymlinkedOutputFolder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	target := filepath.Join(root, "target")
	require.NoError(t, os.MkdirAll(target, 0o755))
	link := filepath.Join(root, "link")
	require.NoError(t, os.Symlink(target, link))

	code, _, stderr := run(t, "compile", quickstart, "-o", link)
	require.Equal(t, 0, code, "the output folder itself may be a symlink; stderr:\n%s", stderr)
	assert.FileExists(t, filepath.Join(target, "base", "kustomization.yaml"))
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&fs.ModeSymlink, "the symlink must stay a symlink")
}

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		spec        string   // copied to cluster.yaml
		specSuffix  string   // appended to the copy
		compileArgs []string // after "compile cluster.yaml -o out"
		// change edits the spec or the output after the compile and returns the diff arguments.
		change     func(t *testing.T, spec, out string) []string
		code       int
		stdoutRe   []string // regular expressions over stdout, (?m) set
		wantStderr []string
	}{
		{
			name:   "up to date",
			spec:   quickstart,
			change: func(t *testing.T, spec, out string) []string { return []string{spec, out} },
			code:   0,
		},
		{
			name: "an edited generated file",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				name := filepath.Join(out, "base", "kustomization.yaml")
				writeFile(t, name, readFile(t, name)+"# edited by hand\n")
				return []string{spec, out}
			},
			code: 1,
			stdoutRe: []string{
				`\A--- a/base/kustomization\.yaml\n\+\+\+ b/base/kustomization\.yaml\n@@ `,
				`^-# edited by hand$`,
			},
			wantStderr: []string{"differs from what", "run: rocketops compile"},
		},
		{
			name: "a deleted generated file",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				require.NoError(t, os.Remove(filepath.Join(out, "overlays", "default", "kustomization.yaml")))
				return []string{spec, out}
			},
			code:       1,
			stdoutRe:   []string{`\A--- /dev/null\n\+\+\+ b/overlays/default/kustomization\.yaml\n@@ -0,0 \+1`},
			wantStderr: []string{"run: rocketops compile"},
		},
		{
			name:        "a changed spec",
			spec:        quickstart,
			specSuffix:  "  nameServer:\n    replicas: 2\n",
			compileArgs: []string{"-t", "manifests"},
			change: func(t *testing.T, spec, out string) []string {
				replaceInFile(t, spec, "replicas: 2", "replicas: 3")
				return []string{spec, out}
			},
			code:       1,
			stdoutRe:   []string{`\A--- a/rendered/default/manifest\.yaml\n\+\+\+ b/rendered/default/manifest\.yaml\n`, `^-\s+replicas: 2$`, `^\+\s+replicas: 3$`},
			wantStderr: []string{"run: rocketops compile"},
		},
		{
			name: "an environment added to the spec",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				writeFile(t, spec, readFile(t, spec)+"  environments:\n    prod: {}\n")
				return []string{spec, out}
			},
			code:     1,
			stdoutRe: []string{`^\+\+\+ b/overlays/prod/kustomization\.yaml$`, `^\+\+\+ /dev/null$`},
		},
		{
			name: "user files are not drift",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				writeFile(t, filepath.Join(out, "README.md"), "mine\n")
				writeFile(t, filepath.Join(out, "base", "extra.yaml"), "kind: ConfigMap\n")
				return []string{spec, out}
			},
			code: 0,
		},
		{
			name:        "targets come from the index",
			spec:        quickstart,
			compileArgs: []string{"-t", "manifests"},
			change:      func(t *testing.T, spec, out string) []string { return []string{spec, out} },
			code:        0,
		},
		{
			// --env narrowed that compile only: diff covers every environment the spec has.
			name:        "environments the folder lacks",
			spec:        environments,
			compileArgs: []string{"--env", "prod", "-t", "kustomize,manifests"},
			change:      func(t *testing.T, spec, out string) []string { return []string{spec, out} },
			code:        1,
			stdoutRe:    []string{`^\+\+\+ b/overlays/dev/kustomization\.yaml$`, `^\+\+\+ b/rendered/staging/manifest\.yaml$`},
			wantStderr:  []string{" compiles to; it has no output for environments dev, staging\n\thint: to update it, run: rocketops compile "},
		},
		{
			name:        "flags override the index",
			spec:        quickstart,
			compileArgs: []string{"-t", "manifests"},
			change:      func(t *testing.T, spec, out string) []string { return []string{"-t", "kustomize", spec, out} },
			code:        1,
			stdoutRe:    []string{`^--- a/rendered/default/manifest\.yaml\n\+\+\+ /dev/null$`, `^\+\+\+ b/base/kustomization\.yaml$`},
		},
		{
			name: "invalid spec is a finding with diagnostics, not a diff",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				writeFile(t, spec, smallInvalid)
				return []string{spec, out}
			},
			code:       1,
			wantStderr: []string{"/spec/brokers/grups: unknown field \"grups\"", "2 errors in "},
		},
		{
			name: "output folder missing",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				return []string{spec, filepath.Join(out, "nope")}
			},
			code:       2,
			wantStderr: []string{"nope is not a folder\n\thint: give the folder compile wrote"},
		},
		{
			name: "output path is a file",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				return []string{spec, filepath.Join(out, tree.IndexFile)}
			},
			code:       2,
			wantStderr: []string{"is not a folder"},
		},
		{
			name: "spec missing",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				return []string{spec + ".missing", out}
			},
			code:       2,
			wantStderr: []string{"error: cannot read spec"},
		},
		{
			name:       "one argument",
			spec:       quickstart,
			change:     func(t *testing.T, spec, out string) []string { return []string{spec} },
			code:       2,
			wantStderr: []string{"accepts 2 arg(s), received 1", "hint: see rocketops diff --help"},
		},
		{
			name: "symlink in place of a generated file",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				name := filepath.Join(out, "base", "kustomization.yaml")
				require.NoError(t, os.Rename(name, name+".moved"))
				require.NoError(t, os.Symlink(name+".moved", name))
				return []string{spec, out}
			},
			code:       2,
			wantStderr: []string{`refusing to follow symlink "base/kustomization.yaml"`},
		},
		{
			name: "corrupt index",
			spec: quickstart,
			change: func(t *testing.T, spec, out string) []string {
				writeFile(t, filepath.Join(out, tree.IndexFile), "garbage\n")
				return []string{spec, out}
			},
			code:       2,
			wantStderr: []string{"error: corrupt index", "unknown entry"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			spec := copySpec(t, tc.spec, root)
			writeFile(t, spec, readFile(t, spec)+tc.specSuffix)
			out := filepath.Join(root, "out")
			mustRun(t, append([]string{"compile", spec, "-o", out}, tc.compileArgs...)...)
			args := append([]string{"diff"}, tc.change(t, spec, out)...)
			age(t, root)
			before := snapshot(t, root)

			code, stdout, stderr := run(t, args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			if tc.code == 0 {
				assert.Empty(t, stdout)
				assert.Empty(t, stderr)
			}
			for _, re := range tc.stdoutRe {
				assert.Regexp(t, regexp.MustCompile("(?m)"+re), stdout)
			}
			for _, s := range tc.wantStderr {
				assert.Contains(t, stderr, s)
			}
			assert.Equal(t, before, snapshot(t, root), "diff must not change anything")
		})
	}
}

// TestDiffOnlyNamesChangedFiles: one edited file gives one file's diff, so a CI log points at it.
func TestDiffOnlyNamesChangedFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	out := filepath.Join(root, "out")
	mustRun(t, "compile", quickstart, "-o", out)
	require.Greater(t, len(indexFiles(t, out)), 3)
	name := filepath.Join(out, "overlays", "default", "kustomization.yaml")
	writeFile(t, name, strings.Replace(readFile(t, name), "\n", "\n# edited\n", 1))

	code, stdout, stderr := run(t, "diff", quickstart, out)
	require.Equal(t, 1, code, "stderr:\n%s", stderr)
	headers := regexp.MustCompile(`(?m)^(---|\+\+\+) .*$`).FindAllString(stdout, -1)
	assert.Equal(t, []string{"--- a/overlays/default/kustomization.yaml", "+++ b/overlays/default/kustomization.yaml"}, headers)
	assert.Regexp(t, `(?m)^-# edited$`, stdout)
	// Only the start: the command may carry the recorded options (see the next test).
	assert.True(t, strings.HasPrefix(stderr, fmt.Sprintf("%s differs from what %s compiles to\n\thint: to update it, run: rocketops compile %s -o %s", out, quickstart, quickstart, out)), stderr)
	assert.Equal(t, 2, strings.Count(stderr, "\n"), "a message and its hint on stderr: %q", stderr)
}

// TestDiffHintReproducesRecordedOptions: the command diff tells the user to run must bring the folder
// back in line with what diff checks. Following it must not switch targets or environments. Fails
// today: the hint drops the -t/--env diff used (taken from the index), so the suggested compile
// writes kustomize for every environment and deletes the rendered manifests.
func TestDiffHintReproducesRecordedOptions(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	spec := copySpec(t, environments, root)
	out := filepath.Join(root, "out")
	mustRun(t, "compile", spec, "-o", out, "-t", "manifests", "--env", "prod")
	replaceInFile(t, spec, "replicas: 3", "replicas: 5")

	code, _, stderr := run(t, "diff", spec, out)
	require.Equal(t, 1, code, "stderr:\n%s", stderr)
	_, suggestion, ok := strings.Cut(stderr, "run: ")
	require.True(t, ok, "no command suggested in:\n%s", stderr)
	args := strings.Fields(suggestion)
	require.Equal(t, "rocketops", args[0])

	code, _, stderr = run(t, args[1:]...)
	require.Equal(t, 0, code, "the suggested %q failed:\n%s", suggestion, stderr)
	code, stdout, stderr := run(t, "diff", spec, out)
	assert.Equal(t, 0, code, "still differs after running the suggested command:\n%s%s", stdout, stderr)
	assert.FileExists(t, filepath.Join(out, "rendered", "prod", "manifest.yaml"),
		"following diff's hint (%q) deleted the rendered manifests the folder was compiled with", strings.TrimSpace(suggestion))
	assert.NoDirExists(t, filepath.Join(out, "overlays"),
		"following diff's hint (%q) switched the folder to kustomize output", strings.TrimSpace(suggestion))
}

func TestExplain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout []string
		exactErr   string
	}{
		{
			name:       "a field lists its fields",
			args:       []string{"explain", "spec.brokers.storage"},
			code:       0,
			wantStdout: []string{"FIELD: spec.brokers.storage <object>\n", "\n  mode\t", "\n  size\t", "\n  storageClass\t", "persistentVolumeClaim"},
		},
		{
			name:       "a leaf field",
			args:       []string{"explain", "spec.brokers.storage.mode"},
			code:       0,
			wantStdout: []string{"FIELD: spec.brokers.storage.mode <persistentVolumeClaim|local|nfs|hostPath|emptyDir>\n", "DESCRIPTION:"},
		},
		{
			name:       "no field documents the whole document",
			args:       []string{"explain"},
			code:       0,
			wantStdout: []string{"FIELD: RocketMQCluster <object>\n", "\n  apiVersion\t", "\n  spec\t"},
		},
		{
			name:     "a misspelt field suggests the right one",
			args:     []string{"explain", "spec.brokers.storag"},
			code:     2,
			exactErr: "error: no field \"spec.brokers.storag\" in RocketMQCluster\n\thint: did you mean \"spec.brokers.storage\"?\n",
		},
		{
			name:       "broker keys of a version",
			args:       []string{"explain", "--keys", "broker", "--version", "5.3.3"},
			code:       0,
			wantStdout: []string{"broker keys in RocketMQ 5.3.3\n", "\nflushDiskType\t", "\ndeleteWhen\t"},
		},
		{
			name:       "name server keys default to a version",
			args:       []string{"explain", "--keys", "namesrv"},
			code:       0,
			wantStdout: []string{" name server keys in RocketMQ 5.3.3\n", "\nlistenPort\t"},
		},
		{
			name:     "unknown component",
			args:     []string{"explain", "--keys", "nope"},
			code:     2,
			exactErr: "error: unknown component \"nope\"\n\thint: use --keys broker, namesrv, controller or proxy\n",
		},
		{
			name:     "unknown version",
			args:     []string{"explain", "--keys", "broker", "--version", "9.9.9"},
			code:     2,
			exactErr: "error: no key data for RocketMQ \"9.9.9\"; versions: 4.9.0, 4.9.1, 4.9.2, 4.9.3, 4.9.4, 4.9.5, 4.9.6, 4.9.7, 4.9.8, 5.0.0, 5.1.0, 5.1.1, 5.1.2, 5.1.3, 5.1.4, 5.2.0, 5.3.0, 5.3.1, 5.3.2, 5.3.3\n",
		},
		{
			name:     "two fields",
			args:     []string{"explain", "spec", "metadata"},
			code:     2,
			exactErr: "error: accepts at most 1 arg(s), received 2\n\thint: see rocketops explain --help\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, tc.args...)
			assert.Equal(t, tc.code, code, "stderr:\n%s", stderr)
			for _, s := range tc.wantStdout {
				assert.Contains(t, stdout, s)
			}
			assert.Equal(t, tc.exactErr, stderr)
			if tc.code != 0 {
				assert.Empty(t, stdout)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, "schema")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Empty(t, stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), "schema is not valid JSON")
	assert.Contains(t, doc, "$schema")
	assert.Equal(t, "RocketMQCluster", doc["title"])
	props, ok := doc["properties"].(map[string]any)
	require.True(t, ok, "schema has no properties")
	for _, key := range []string{"apiVersion", "kind", "metadata", "spec"} {
		assert.Contains(t, props, key)
	}

	// The examples point editors at the schema file in the repository; it must be what the
	// command prints, or editors and the compiler disagree.
	onDisk := readFile(t, filepath.Join("..", "..", "schemas", "rocketmqcluster.schema.json"))
	assert.JSONEq(t, onDisk, stdout)

	code, _, stderr = run(t, "schema", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "hint: see rocketops schema --help")
}

func TestVersion(t *testing.T) {
	// Not parallel: one case sets the package-level Version.
	code, stdout, stderr := run(t, "version")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Regexp(t, `\Arocketops \S+\n`, stdout)

	old := cli.Version
	t.Cleanup(func() { cli.Version = old })
	cli.Version = "v1.2.3"
	code, stdout, _ = run(t, "version")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(stdout, "rocketops v1.2.3\n"), stdout)

	code, _, stderr = run(t, "version", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "hint: see rocketops version --help")
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, "completion", shell)
			require.Equal(t, 0, code, "stderr:\n%s", stderr)
			assert.Empty(t, stderr)
			assert.Greater(t, len(stdout), 200)
			assert.Contains(t, stdout, "rocketops")
		})
	}
}

// TestHostileSpecs feeds specs nobody should write but someone will (a binary uploaded by mistake, a
// truncated file, a generated monster) to validate, compile and diff: each must end in a clean
// exit code and a message, never a panic or a folder written anyway.
func TestHostileSpecs(t *testing.T) {
	t.Parallel()
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2)) // fixed, so a failure reproduces
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	header := "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\n"
	bomb := header + "  labels:\n" +
		"    a: &a [x, x, x, x, x, x, x, x, x]\n" +
		"    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
		"    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
		"    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
		"    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n" +
		"spec:\n  version: \"5.3.3\"\n"

	tests := []struct {
		name    string
		content string
		code    int
		want    []string // in stderr
	}{
		{"binary garbage", string(garbage), 1, []string{"invalid YAML", "1 error in "}},
		{"zero bytes", "", 1, []string{": the file is empty\n\thint: start from examples/quickstart/cluster.yaml\n1 error in "}},
		{"only a comment", "# nothing yet\n", 1, []string{"1 error in "}},
		{"NUL byte", header + "spec:\n  version: \"5.3\x00.3\"\n", 1, []string{"invalid YAML: control characters are not allowed"}},
		{"megabyte scalar", header + "spec:\n  version: \"" + strings.Repeat("x", 1<<20) + "\"\n", 1, []string{"rocketops reads specs of at most 512 KiB"}},
		{"megabyte key", header + "  " + strings.Repeat("k", 1<<20) + ": 1\nspec:\n  version: \"5.3.3\"\n", 1, []string{"rocketops reads specs of at most 512 KiB"}},
		{"alias bomb", bomb, 1, []string{"aliases expand the document to more than"}},
		{"deep nesting", strings.Repeat("[", 100000), 1, []string{"the document nests deeper than 32 levels"}},
		{"not UTF-8 in a value", header + "spec:\n  version: \"5.3.3\xff\"\n", 1, []string{"invalid YAML"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			spec := writeFile(t, filepath.Join(root, "cluster.yaml"), tc.content)
			out := filepath.Join(root, "out")
			for _, args := range [][]string{
				{"validate", spec},
				{"compile", spec, "-o", out},
				{"diff", spec, root},
			} {
				code, stdout, stderr := run(t, args...)
				assert.Equal(t, tc.code, code, "%s: stderr:\n%.2000s", args[0], stderr)
				assert.Empty(t, stdout, args[0])
				for _, s := range tc.want {
					assert.Contains(t, stderr, s, args[0])
				}
			}
			assert.NoDirExists(t, out)
		})
	}
}

// TestDiagnosticsStayReadable: a diagnostic quotes the offending value. The tree package clips what it
// quotes so that a wrong file does not flood the terminal; the validator does not, so a long value
// is echoed in full, once per generated name it would produce.
func TestDiagnosticsStayReadable(t *testing.T) {
	t.Parallel()
	header := "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n"
	huge := strings.Repeat("a", 1<<20)
	for name, content := range map[string]string{
		"name":    header + "  name: " + huge + "\nspec:\n  version: \"5.3.3\"\n",
		"version": header + "  name: rmq\nspec:\n  version: \"" + huge + "\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			spec := writeFile(t, filepath.Join(t.TempDir(), "cluster.yaml"), content)
			code, _, stderr := run(t, "validate", spec)
			assert.Equal(t, 1, code)
			assert.Less(t, len(stderr), 16<<10, "a diagnostic must not echo a megabyte back")
		})
	}
}

func TestStdin(t *testing.T) {
	qs := readFile(t, quickstart)
	tests := []struct {
		name       string
		stdin      string
		args       func(dir string) []string
		code       int
		exactOut   string
		exactErr   string
		afterwards func(t *testing.T, dir string)
	}{
		{
			name:     "valid spec",
			stdin:    qs,
			args:     func(dir string) []string { return []string{"validate", "-"} },
			code:     0,
			exactOut: "<stdin>: valid (environments: default)\n",
		},
		{
			name:     "invalid spec is reported as <stdin>",
			stdin:    smallInvalid,
			args:     func(dir string) []string { return []string{"validate", "-"} },
			code:     1,
			exactErr: strings.ReplaceAll(smallInvalidReport, "FILE", "<stdin>"),
		},
		{
			name:     "stdin given twice is read once",
			stdin:    qs,
			args:     func(dir string) []string { return []string{"validate", "-", "-"} },
			code:     2,
			exactOut: "<stdin>: valid (environments: default)\n",
			exactErr: "error: standard input is given twice\n\thint: give - once; the input can be read only once\n",
		},
		{
			name:     "empty input",
			stdin:    "",
			args:     func(dir string) []string { return []string{"validate", "-"} },
			code:     1,
			exactErr: "<stdin>:1:1: the file is empty\n\thint: start from examples/quickstart/cluster.yaml\n1 error in <stdin>\n",
		},
		{
			name:  "compile from stdin",
			stdin: qs,
			args:  func(dir string) []string { return []string{"compile", "-", "-o", filepath.Join(dir, "out")} },
			code:  0,
			afterwards: func(t *testing.T, dir string) {
				out := filepath.Join(dir, "out")
				requireOwnsExactly(t, out)
				ix, err := tree.ReadIndex(out)
				require.NoError(t, err)
				assert.Equal(t, "<stdin>", ix.Meta["spec"])

				// The same bytes through stdin again are up to date.
				code, stdout, stderr := runIn(t, qs, "diff", "-", out)
				assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := runIn(t, tc.stdin, tc.args(dir)...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			if tc.exactOut != "" || tc.code != 0 {
				assert.Equal(t, tc.exactOut, stdout)
			}
			if tc.exactErr != "" || tc.code == 0 {
				assert.Equal(t, tc.exactErr, stderr)
			}
			if tc.afterwards != nil {
				tc.afterwards(t, dir)
			}
		})
	}
}
