package cli_test

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/tree"
)

// The tests in this file cover what compile and diff do to and with the output folder across
// runs: which environments they cover, which cluster the folder holds, the lock, and folders that
// are wrong or hostile. Each scenario is a sequence of steps on one folder.

// step is one command of a scenario, after an optional edit of the spec or the folder. Arguments
// and expectations may say {spec}, {out} and {root}; stdout and stderr may also say {n} for a
// count. stdout and stderr are exact (empty means empty) unless stdoutRe is set.
type step struct {
	edit     func(t *testing.T, spec, out string)
	args     []string
	code     int
	stdout   string
	stdoutRe []string // instead of stdout: regular expressions over it, (?m) set
	stderr   string
	check    func(t *testing.T, spec, out string)
}

// pattern turns an expected output into an anchored regular expression.
func pattern(want string, vars map[string]string) *regexp.Regexp {
	re := regexp.QuoteMeta(want)
	for k, v := range vars {
		re = strings.ReplaceAll(re, regexp.QuoteMeta("{"+k+"}"), regexp.QuoteMeta(v))
	}
	re = strings.ReplaceAll(re, regexp.QuoteMeta("{n}"), `\d+`)
	return regexp.MustCompile(`\A` + re + `\z`)
}

func runSteps(t *testing.T, root, spec, out string, steps []step) {
	t.Helper()
	vars := map[string]string{"spec": spec, "out": out, "root": root}
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	for i, st := range steps {
		if st.edit != nil {
			st.edit(t, spec, out)
		}
		if st.args == nil {
			continue
		}
		args := make([]string, len(st.args))
		for j, a := range st.args {
			args[j] = expand(a)
		}
		code, stdout, stderr := run(t, args...)
		what := fmt.Sprintf("step %d: rocketops %s", i+1, strings.Join(st.args, " "))
		require.Equal(t, st.code, code, "%s\nstdout:\n%s\nstderr:\n%s", what, stdout, stderr)
		if st.stdoutRe != nil {
			for _, re := range st.stdoutRe {
				assert.Regexp(t, regexp.MustCompile("(?m)"+re), stdout, what)
			}
		} else {
			assert.Regexp(t, pattern(st.stdout, vars), stdout, what)
		}
		assert.Regexp(t, pattern(st.stderr, vars), stderr, what)
		assert.NoFileExists(t, filepath.Join(out, tree.LockFile), "%s left its lock behind", what)
		if st.check != nil {
			st.check(t, spec, out)
		}
	}
}

// cutSpec removes the lines of spec from the one that is from up to the one that is to (exclusive;
// "" for the end of the file).
func cutSpec(t *testing.T, spec, from, to string) {
	t.Helper()
	s := readFile(t, spec)
	i := strings.Index(s, from)
	require.Positive(t, i, "%s no longer holds %q; update the test", spec, from)
	j := len(s)
	if to != "" {
		j = strings.Index(s, to)
		require.Greater(t, j, i, "%s no longer holds %q after %q; update the test", spec, to, from)
	}
	writeFile(t, spec, s[:i]+s[j:])
}

// kept holds snapshots that one step of a scenario takes and a later one compares with, by output
// folder, so that scenarios can run in parallel.
var kept struct {
	sync.Mutex
	by map[string]map[string]entry
}

// keep records the files under some folders of out, for sameAsBefore.
func keep(t *testing.T, out string, dirs ...string) {
	t.Helper()
	snap := map[string]entry{}
	for _, d := range dirs {
		maps.Copy(snap, snapshot(t, filepath.Join(out, filepath.FromSlash(d))))
	}
	kept.Lock()
	defer kept.Unlock()
	if kept.by == nil {
		kept.by = map[string]map[string]entry{}
	}
	kept.by[out] = snap
}

// sameAsBefore checks that the folders keep recorded did not change.
func sameAsBefore(t *testing.T, out string, dirs ...string) {
	t.Helper()
	kept.Lock()
	before := kept.by[out]
	kept.Unlock()
	require.NotEmpty(t, before, "nothing kept for %s", out)
	now := map[string]entry{}
	for _, d := range dirs {
		maps.Copy(now, snapshot(t, filepath.Join(out, filepath.FromSlash(d))))
	}
	assert.Equal(t, before, now, "files under %v changed", dirs)
}

// toFormat1 rewrites the folder's index the way rocketops wrote it before the index had a format
// and recorded the cluster and environments, adding extra meta lines.
func toFormat1(t *testing.T, out string, extra ...string) {
	t.Helper()
	name := filepath.Join(out, tree.IndexFile)
	var lines []string
	for _, l := range strings.SplitAfter(readFile(t, name), "\n") {
		switch {
		case l == "format 2\n", strings.HasPrefix(l, "meta cluster "), strings.HasPrefix(l, "meta namespace "),
			strings.HasPrefix(l, "meta environments "):
			continue
		case strings.HasPrefix(l, "file ") && len(extra) > 0:
			for _, e := range extra {
				lines = append(lines, e+"\n")
			}
			extra = nil
		}
		lines = append(lines, l)
	}
	writeFile(t, name, strings.Join(lines, ""))
}

// TestCompileAndDiffCoverEnvironments: without --env, compile and diff cover every environment the
// spec has now; --env narrows one run and never removes another environment's files.
func TestCompileAndDiffCoverEnvironments(t *testing.T) {
	t.Parallel()
	const (
		counts  = "{out}: {n} files ({n} created, {n} updated, {n} unchanged, {n} removed)\n"
		compile = "compile"
	)
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "a narrowed compile keeps the other environments as they are",
			steps: []step{
				{args: []string{compile, "{spec}", "-o", "{out}", "-t", "kustomize,manifests"}, stdout: counts},
				{
					edit: func(t *testing.T, spec, out string) {
						replaceInFile(t, spec, "replicas: 3", "replicas: 5") // prod's name servers only
						age(t, out)
						keep(t, out, "base", "overlays/dev", "overlays/staging", "rendered/dev", "rendered/staging")
					},
					args:   []string{compile, "{spec}", "-o", "{out}", "-e", "prod"},
					stdout: "{out}: {n} files (0 created, {n} updated, {n} unchanged, 0 removed)\n{out}: kept environments dev, staging as they were; compile without --env to update the whole folder\n",
					check: func(t *testing.T, spec, out string) {
						sameAsBefore(t, out, "base", "overlays/dev", "overlays/staging", "rendered/dev", "rendered/staging")
						ix, err := tree.ReadIndex(out)
						require.NoError(t, err)
						assert.Equal(t, "dev,prod,staging", ix.Meta["environments"])
						assert.Equal(t, "kustomize,manifests", ix.Meta["target"])
					},
				},
				{args: []string{"diff", "{spec}", "{out}"}},
				{args: []string{"diff", "{spec}", "{out}", "-e", "prod"}},
			},
		},
		{
			name: "a narrowed compile into a new folder, then a plain diff",
			steps: []step{
				{args: []string{compile, "{spec}", "-o", "{out}", "-e", "prod"}, stdout: counts},
				{
					args:     []string{"diff", "{spec}", "{out}"},
					code:     1,
					stdoutRe: []string{`^\+\+\+ b/overlays/dev/kustomization\.yaml$`, `^\+\+\+ b/overlays/staging/kustomization\.yaml$`},
					stderr:   "{out} differs from what {spec} compiles to; it has no output for environments dev, staging\n\thint: to update it, run: rocketops compile {spec} -o {out} -t kustomize\n",
				},
				{args: []string{"diff", "{spec}", "{out}", "-e", "prod"}},
				{args: []string{compile, "{spec}", "-o", "{out}"}, stdout: counts},
				{args: []string{"diff", "{spec}", "{out}"}},
			},
		},
		{
			name: "a narrowed diff of an environment the folder lacks",
			steps: []step{
				{args: []string{compile, "{spec}", "-o", "{out}", "-e", "prod"}, stdout: counts},
				{
					args:     []string{"diff", "{spec}", "{out}", "-e", "dev"},
					code:     1,
					stdoutRe: []string{`^\+\+\+ b/overlays/dev/kustomization\.yaml$`},
					stderr:   "{out} differs from what {spec} compiles to; it has no output for environment dev\n\thint: to update it, run: rocketops compile {spec} -o {out} -t kustomize --env dev\n",
				},
			},
		},
		{
			name: "an environment added to the spec",
			steps: []step{
				{args: []string{compile, "{spec}", "-o", "{out}"}, stdout: counts},
				{
					edit:     func(t *testing.T, spec, out string) { writeFile(t, spec, readFile(t, spec)+"    qa: {}\n") },
					args:     []string{"diff", "{spec}", "{out}"},
					code:     1,
					stdoutRe: []string{`\A--- /dev/null\n\+\+\+ b/overlays/qa/kustomization\.yaml\n`},
					stderr:   "{out} differs from what {spec} compiles to; it has no output for environment qa\n\thint: to update it, run: rocketops compile {spec} -o {out} -t kustomize\n",
				},
				{
					args:   []string{compile, "{spec}", "-o", "{out}"},
					stdout: "{out}: {n} files (1 created, 0 updated, {n} unchanged, 0 removed)\n",
					check: func(t *testing.T, spec, out string) {
						assert.FileExists(t, filepath.Join(out, "overlays", "qa", "kustomization.yaml"))
					},
				},
				{args: []string{"diff", "{spec}", "{out}"}},
			},
		},
		{
			name: "an environment removed from the spec",
			steps: []step{
				{args: []string{compile, "{spec}", "-o", "{out}"}, stdout: counts},
				{
					edit: func(t *testing.T, spec, out string) {
						writeFile(t, filepath.Join(out, "overlays", "staging", "notes.md"), "staging runbook\n")
						cutSpec(t, spec, "    staging:\n", "    prod:\n")
					},
					args:     []string{"diff", "{spec}", "{out}"},
					code:     1,
					stdoutRe: []string{`^--- a/overlays/staging/kustomization\.yaml\n\+\+\+ /dev/null$`},
					stderr:   "{out} differs from what {spec} compiles to; it holds environment staging, which {spec} no longer has\n\thint: to update it, run: rocketops compile {spec} -o {out} -t kustomize\n",
				},
				{
					// Narrowed, it removes nothing, not even an environment the spec dropped.
					args:   []string{compile, "{spec}", "-o", "{out}", "-e", "prod"},
					stdout: "{out}: {n} files (0 created, 0 updated, {n} unchanged, 0 removed)\n{out}: kept environments dev, staging as they were; compile without --env to update the whole folder\n",
					check: func(t *testing.T, spec, out string) {
						assert.FileExists(t, filepath.Join(out, "overlays", "staging", "kustomization.yaml"))
					},
				},
				{
					args:   []string{compile, "{spec}", "-o", "{out}"},
					stdout: "{out}: {n} files (0 created, 0 updated, {n} unchanged, {n} removed)\n{out}: removed environment staging, which {spec} no longer has\n",
					check: func(t *testing.T, spec, out string) {
						assert.NoFileExists(t, filepath.Join(out, "overlays", "staging", "kustomization.yaml"))
						assert.Equal(t, "staging runbook\n", readFile(t, filepath.Join(out, "overlays", "staging", "notes.md")))
						requireOwnsExactly(t, out, "overlays/staging/notes.md")
					},
				},
				{args: []string{"diff", "{spec}", "{out}"}},
			},
		},
		{
			name: "a folder an earlier rocketops compiled with --env",
			steps: []step{
				{
					args:   []string{compile, "{spec}", "-o", "{out}", "-e", "prod"},
					stdout: counts,
					check:  func(t *testing.T, spec, out string) { toFormat1(t, out, "meta env prod") },
				},
				{
					args:     []string{"diff", "{spec}", "{out}"},
					code:     1,
					stdoutRe: []string{`^\+\+\+ b/overlays/dev/kustomization\.yaml$`},
					stderr:   "{out} differs from what {spec} compiles to; it has no output for environments dev, staging\n\thint: to update it, run: rocketops compile {spec} -o {out} -t kustomize\n",
				},
				{args: []string{compile, "{spec}", "-o", "{out}"}, stdout: counts},
				{args: []string{"diff", "{spec}", "{out}"}},
			},
		},
		{
			name: "a folder an earlier rocketops compiled whole",
			steps: []step{
				{
					args:   []string{compile, "{spec}", "-o", "{out}"},
					stdout: counts,
					check:  func(t *testing.T, spec, out string) { toFormat1(t, out) },
				},
				{args: []string{"diff", "{spec}", "{out}"}},
				{
					// Which environments it holds is not recorded: nothing is claimed about them.
					args:   []string{compile, "{spec}", "-o", "{out}", "-e", "prod"},
					stdout: counts,
					check: func(t *testing.T, spec, out string) {
						ix, err := tree.ReadIndex(out)
						require.NoError(t, err)
						assert.NotContains(t, ix.Meta, "environments")
						assert.Equal(t, "orders", ix.Meta["cluster"])
					},
				},
				{args: []string{"diff", "{spec}", "{out}"}},
				{
					args:   []string{compile, "{spec}", "-o", "{out}"},
					stdout: counts,
					check: func(t *testing.T, spec, out string) {
						ix, err := tree.ReadIndex(out)
						require.NoError(t, err)
						assert.Equal(t, "dev,prod,staging", ix.Meta["environments"])
					},
				},
			},
		},
		{
			name: "a failed narrowed compile changes nothing",
			steps: []step{
				{args: []string{compile, "{spec}", "-o", "{out}"}, stdout: counts},
				{
					edit: func(t *testing.T, spec, out string) {
						writeFile(t, filepath.Join(out, "overlays", "prod", "patches", "mine.yaml"), "mine\n")
						replaceInFile(t, spec, "replicas: 3", "replicas: 0")
						age(t, out)
						keep(t, out, ".")
					},
					args:   []string{compile, "{spec}", "-o", "{out}", "-e", "prod"},
					code:   1,
					stderr: "{spec}:54:21: /spec/environments/prod/spec/nameServer/replicas: must be >= 1 but found 0\n1 error in {spec}\n",
					check:  func(t *testing.T, spec, out string) { sameAsBefore(t, out, ".") },
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			spec := copySpec(t, environments, root)
			runSteps(t, root, spec, filepath.Join(root, "out"), tc.steps)
		})
	}
}

// TestCompileRefusesAnotherCluster: the folder records which cluster it holds, and a spec of
// another one needs --force.
func TestCompileRefusesAnotherCluster(t *testing.T) {
	t.Parallel()
	const refused = "error: {out} holds the output of cluster \"rmq\" (namespace rocketmq, compiled from cluster.yaml), not of cluster \"orders\" (namespace orders-mq) that {root}/orders.yaml describes\n" +
		"\thint: to replace it with the output of {root}/orders.yaml, add --force; to keep it, give another -o folder\n"
	remember := func(t *testing.T, spec, out string) {
		age(t, out)
		keep(t, out, ".")
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "another cluster's spec is refused, by compile and diff",
			steps: []step{
				{edit: remember, args: []string{"compile", "{root}/orders.yaml", "-o", "{out}"}, code: 2, stderr: refused},
				{args: []string{"compile", "{root}/orders.yaml", "-o", "{out}", "-e", "prod"}, code: 2, stderr: refused},
				{
					args: []string{"diff", "{root}/orders.yaml", "{out}"},
					code: 2,
					stderr: "error: {out} holds the output of cluster \"rmq\" (namespace rocketmq, compiled from cluster.yaml), not of cluster \"orders\" (namespace orders-mq) that {root}/orders.yaml describes\n" +
						"\thint: give the folder compiled from {root}/orders.yaml, or replace this one's output: rocketops compile {root}/orders.yaml -o {out} -t kustomize --force\n",
					check: func(t *testing.T, spec, out string) { sameAsBefore(t, out, ".") },
				},
			},
		},
		{
			name: "--force replaces it, even narrowed",
			steps: []step{
				{
					edit:   func(t *testing.T, spec, out string) { writeFile(t, filepath.Join(out, "README.md"), "mine\n") },
					args:   []string{"compile", "{root}/orders.yaml", "-o", "{out}", "-e", "prod", "--force"},
					stdout: "{out}: {n} files ({n} created, {n} updated, {n} unchanged, {n} removed)\n{out}: replaced the output of cluster \"rmq\" (namespace rocketmq, compiled from cluster.yaml)\n",
					check: func(t *testing.T, spec, out string) {
						assert.NoDirExists(t, filepath.Join(out, "overlays", "default"), "the other cluster's output stays behind")
						requireOwnsExactly(t, out, "README.md")
						ix, err := tree.ReadIndex(out)
						require.NoError(t, err)
						assert.Equal(t, "orders", ix.Meta["cluster"])
						assert.Equal(t, "orders-mq", ix.Meta["namespace"])
						assert.Equal(t, "prod", ix.Meta["environments"])
					},
				},
				{args: []string{"diff", "{root}/orders.yaml", "{out}", "-e", "prod"}},
				{args: []string{"compile", "{spec}", "-o", "{out}"}, code: 2,
					stderr: "error: {out} holds the output of cluster \"orders\" (namespace orders-mq, compiled from orders.yaml), not of cluster \"rmq\" (namespace rocketmq) that {spec} describes\n" +
						"\thint: to replace it with the output of {spec}, add --force; to keep it, give another -o folder\n"},
			},
		},
		{
			name: "the same cluster in another namespace is another cluster",
			steps: []step{
				{
					edit: func(t *testing.T, spec, out string) {
						replaceInFile(t, spec, "namespace: rocketmq", "namespace: rocketmq-2")
						remember(t, spec, out)
					},
					args: []string{"compile", "{spec}", "-o", "{out}"},
					code: 2,
					stderr: "error: {out} holds the output of cluster \"rmq\" (namespace rocketmq, compiled from cluster.yaml), not of cluster \"rmq\" (namespace rocketmq-2) that {spec} describes\n" +
						"\thint: to replace it with the output of {spec}, add --force; to keep it, give another -o folder\n",
					check: func(t *testing.T, spec, out string) { sameAsBefore(t, out, ".") },
				},
			},
		},
		{
			name: "the same cluster from a renamed spec file is the same cluster",
			steps: []step{
				{
					edit: func(t *testing.T, spec, out string) {
						writeFile(t, filepath.Join(filepath.Dir(spec), "renamed.yaml"), readFile(t, spec))
					},
					args: []string{"compile", "{root}/renamed.yaml", "-o", "{out}"},
					// Every header names the spec's file, so every file is updated.
					stdout: "{out}: {n} files (0 created, {n} updated, 0 unchanged, 0 removed)\n",
				},
				{args: []string{"diff", "{root}/renamed.yaml", "{out}"}},
			},
		},
		{
			name: "a folder from before the cluster was recorded is taken as this one's",
			steps: []step{
				{
					edit:   func(t *testing.T, spec, out string) { toFormat1(t, out) },
					args:   []string{"compile", "{root}/orders.yaml", "-o", "{out}", "--force"},
					stdout: "{out}: {n} files ({n} created, {n} updated, {n} unchanged, {n} removed)\n",
				},
				{args: []string{"compile", "{spec}", "-o", "{out}"}, code: 2,
					stderr: "error: {out} holds the output of cluster \"orders\" (namespace orders-mq, compiled from orders.yaml), not of cluster \"rmq\" (namespace rocketmq) that {spec} describes\n" +
						"\thint: to replace it with the output of {spec}, add --force; to keep it, give another -o folder\n"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			spec := copySpec(t, quickstart, root)
			writeFile(t, filepath.Join(root, "orders.yaml"), readFile(t, environments))
			out := filepath.Join(root, "out")
			mustRun(t, "compile", spec, "-o", out)
			runSteps(t, root, spec, out, tc.steps)
		})
	}
}

// TestCompileLock: a compile into a folder another run holds fails at once and touches nothing; a
// lock left by a compile that was killed is taken over, with a note.
func TestCompileLock(t *testing.T) {
	t.Parallel()
	t.Run("held by another run", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		out := filepath.Join(root, "out")
		mustRun(t, "compile", quickstart, "-o", out)
		lock, err := tree.LockDir(out)
		require.NoError(t, err)
		defer func() { require.NoError(t, lock.Unlock()) }()
		age(t, root)
		before := snapshot(t, root)

		code, stdout, stderr := run(t, "compile", quickstart, "-o", out, "--force")
		assert.Equal(t, 2, code)
		assert.Empty(t, stdout)
		assert.Equal(t, fmt.Sprintf("error: output directory %q is locked by another rocketops (process %d); wait for it to finish, then run again\n", out, os.Getpid()), stderr)
		assert.Equal(t, before, snapshot(t, root))

		// diff only reads, and does not need the lock.
		code, _, stderr = run(t, "diff", quickstart, out)
		assert.Equal(t, 0, code, stderr)
	})
	t.Run("left by a compile that was killed", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "out")
		mustRun(t, "compile", quickstart, "-o", out)
		gone := exec.Command(os.Args[0], "-test.run=^$")
		require.NoError(t, gone.Run())
		writeFile(t, filepath.Join(out, tree.LockFile), fmt.Sprintf("pid %d\n", gone.Process.Pid))

		code, stdout, stderr := run(t, "compile", quickstart, "-o", out)
		assert.Equal(t, 0, code, stderr)
		assert.Equal(t, fmt.Sprintf("note: took over the lock on %s from process %d, which is gone\n", out, gone.Process.Pid), stderr)
		assert.Contains(t, stdout, " 0 updated,")
		assert.NoFileExists(t, filepath.Join(out, tree.LockFile))
		requireOwnsExactly(t, out)
	})
}

// TestCompileAndDiffRefuseHostileFolders feeds compile and diff folders that are wrong or hostile:
// each must fail with its exact message and exit code, and change nothing inside the folder or
// outside it.
func TestCompileAndDiffRefuseHostileFolders(t *testing.T) {
	t.Parallel()
	// Root (as in CI) ignores permission bits; makeReadOnly then uses chattr +i, which fails with
	// another errno.
	denied := "permission denied"
	if os.Geteuid() == 0 {
		denied = "operation not permitted"
	}
	const symlinkBase = "refusing to follow symlink \"base\": generated files must stay inside the output directory\n"
	tests := []struct {
		name string
		// setup gets a root holding cluster.yaml (a quickstart copy) and out compiled from it, and
		// makes out wrong.
		setup      func(t *testing.T, root, out string)
		compileErr string // exact stderr of "compile cluster.yaml -o out", exit 2
		compileRe  string // instead: a regular expression over it
		diffCode   int
		diffErr    string // exact stderr of "diff cluster.yaml out"
	}{
		{
			name: "output folder is a file",
			setup: func(t *testing.T, root, out string) {
				require.NoError(t, os.RemoveAll(out))
				writeFile(t, out, "not a folder\n")
			},
			compileErr: "error: output directory \"{out}\" is not a directory\n",
			diffCode:   2,
			diffErr:    "error: {out} is not a folder\n\thint: give the folder compile wrote, e.g. deploy/\n",
		},
		{
			name:       "output folder is read-only",
			setup:      func(t *testing.T, root, out string) { makeReadOnly(t, out) },
			compileErr: "error: cannot lock output directory \"{out}\": open {out}/.rocketops-lock: " + denied + "\n",
		},
		{
			name: "a read-only folder inside that would lose a file",
			setup: func(t *testing.T, root, out string) {
				mustRun(t, "compile", filepath.Join(root, "cluster.yaml"), "-o", out, "-t", "kustomize,manifests")
				writeFile(t, filepath.Join(root, "targets"), "kustomize")
				makeReadOnly(t, filepath.Join(out, "rendered", "default"))
			},
			compileRe: `\Aerror: writing {out}: cannot write to directory "rendered/default": open {out}/rendered/default/\.rocketops-tmp-\d+: ` + denied + `\n\z`,
		},
		{
			name: "a symlink in the folder points out of it",
			setup: func(t *testing.T, root, out string) {
				writeFile(t, filepath.Join(root, "elsewhere", "namesrv.yaml"), "precious\n")
				require.NoError(t, os.RemoveAll(filepath.Join(out, "base")))
				require.NoError(t, os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(out, "base")))
			},
			compileErr: "error: writing {out}: " + symlinkBase,
			diffCode:   2,
			diffErr:    "error: " + symlinkBase,
		},
		{
			name: "a generated file is a symlink out of the folder",
			setup: func(t *testing.T, root, out string) {
				writeFile(t, filepath.Join(root, "precious.yaml"), "precious\n")
				name := filepath.Join(out, "base", "namesrv.yaml")
				require.NoError(t, os.Remove(name))
				require.NoError(t, os.Symlink(filepath.Join(root, "precious.yaml"), name))
			},
			compileErr: "error: writing {out}: refusing to follow symlink \"base/namesrv.yaml\": generated files must stay inside the output directory\n",
			diffCode:   2,
			diffErr:    "error: refusing to follow symlink \"base/namesrv.yaml\": generated files must stay inside the output directory\n",
		},
		{
			name: "the lock file is a symlink out of the folder",
			setup: func(t *testing.T, root, out string) {
				writeFile(t, filepath.Join(root, "precious.yaml"), "precious\n")
				require.NoError(t, os.Symlink(filepath.Join(root, "precious.yaml"), filepath.Join(out, tree.LockFile)))
			},
			compileErr: "error: refusing to follow symlink \".rocketops-lock\": generated files must stay inside the output directory\n",
		},
		{
			name:       "corrupt index",
			setup:      func(t *testing.T, root, out string) { writeFile(t, filepath.Join(out, tree.IndexFile), "garbage\n") },
			compileErr: "error: corrupt index {out}/.rocketops-index: line 1: unknown entry \"garbage\" (want a comment, \"format N\", \"meta KEY VALUE\" or \"file PATH\")\n",
			diffCode:   2,
			diffErr:    "error: corrupt index {out}/.rocketops-index: line 1: unknown entry \"garbage\" (want a comment, \"format N\", \"meta KEY VALUE\" or \"file PATH\")\n",
		},
		{
			name: "truncated index",
			setup: func(t *testing.T, root, out string) {
				name := filepath.Join(out, tree.IndexFile)
				writeFile(t, name, strings.TrimSuffix(readFile(t, name), "\n"))
			},
			compileErr: "error: corrupt index {out}/.rocketops-index: does not end with a newline (truncated?)\n",
			diffCode:   2,
			diffErr:    "error: corrupt index {out}/.rocketops-index: does not end with a newline (truncated?)\n",
		},
		{
			name: "index from a newer rocketops",
			setup: func(t *testing.T, root, out string) {
				name := filepath.Join(out, tree.IndexFile)
				writeFile(t, name, strings.Replace(readFile(t, name), "format 2\n", "format 3\nowner prod overlays/prod/kustomization.yaml\n", 1))
			},
			compileErr: "error: index {out}/.rocketops-index is in format 3, newer than this rocketops reads (up to 2); upgrade rocketops\n",
			diffCode:   2,
			diffErr:    "error: index {out}/.rocketops-index is in format 3, newer than this rocketops reads (up to 2); upgrade rocketops\n",
		},
		{
			name: "index names a file outside the folder",
			setup: func(t *testing.T, root, out string) {
				writeFile(t, filepath.Join(root, "precious.yaml"), "precious\n")
				name := filepath.Join(out, tree.IndexFile)
				writeFile(t, name, readFile(t, name)+"file ../precious.yaml\n")
			},
			compileErr: "error: corrupt index {out}/.rocketops-index: line {last}: invalid path \"../precious.yaml\": contains \"..\"\n",
			diffCode:   2,
			diffErr:    "error: corrupt index {out}/.rocketops-index: line {last}: invalid path \"../precious.yaml\": contains \"..\"\n",
		},
		{
			name: "index names a file by an absolute path",
			setup: func(t *testing.T, root, out string) {
				writeFile(t, filepath.Join(root, "precious.yaml"), "precious\n")
				name := filepath.Join(out, tree.IndexFile)
				writeFile(t, name, readFile(t, name)+"file "+filepath.Join(root, "precious.yaml")+"\n")
			},
			compileErr: "error: corrupt index {out}/.rocketops-index: line {last}: invalid path \"{root}/precious.yaml\": is absolute\n",
			diffCode:   2,
			diffErr:    "error: corrupt index {out}/.rocketops-index: line {last}: invalid path \"{root}/precious.yaml\": is absolute\n",
		},
		{
			name: "index names a file through a symlink out of the folder",
			setup: func(t *testing.T, root, out string) {
				writeFile(t, filepath.Join(root, "elsewhere", "x.yaml"), "precious\n")
				require.NoError(t, os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(out, "link")))
				name := filepath.Join(out, tree.IndexFile)
				writeFile(t, name, readFile(t, name)+"file link/x.yaml\n")
			},
			compileErr: "error: writing {out}: refusing to follow symlink \"link\": generated files must stay inside the output directory\n",
			diffCode:   2,
			diffErr:    "error: refusing to follow symlink \"link\": generated files must stay inside the output directory\n",
		},
		{
			name: "index is a symlink out of the folder",
			setup: func(t *testing.T, root, out string) {
				name := filepath.Join(out, tree.IndexFile)
				require.NoError(t, os.Rename(name, filepath.Join(root, "index")))
				require.NoError(t, os.Symlink(filepath.Join(root, "index"), name))
			},
			compileErr: "error: refusing to follow symlink \".rocketops-index\": generated files must stay inside the output directory\n",
			diffCode:   2,
			diffErr:    "error: refusing to follow symlink \".rocketops-index\": generated files must stay inside the output directory\n",
		},
		{
			name: "index is a folder",
			setup: func(t *testing.T, root, out string) {
				name := filepath.Join(out, tree.IndexFile)
				require.NoError(t, os.Remove(name))
				require.NoError(t, os.Mkdir(name, 0o755))
			},
			compileErr: "error: corrupt index {out}/.rocketops-index: not a regular file\n",
			diffCode:   2,
			diffErr:    "error: corrupt index {out}/.rocketops-index: not a regular file\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			spec := copySpec(t, quickstart, root)
			out := filepath.Join(root, "out")
			mustRun(t, "compile", spec, "-o", out)
			tc.setup(t, root, out)
			last := "0"
			if b, err := os.ReadFile(filepath.Join(out, tree.IndexFile)); err == nil {
				last = fmt.Sprint(strings.Count(string(b), "\n"))
			}
			expand := strings.NewReplacer("{out}", out, "{root}", root, "{last}", last).Replace
			targets := []string{}
			if b, err := os.ReadFile(filepath.Join(root, "targets")); err == nil {
				targets = []string{"-t", string(b)}
			}
			age(t, root)
			before := snapshot(t, root)

			code, stdout, stderr := run(t, append([]string{"compile", spec, "-o", out}, targets...)...)
			assert.Equal(t, 2, code, "compile: stderr:\n%s", stderr)
			assert.Empty(t, stdout, "compile")
			if tc.compileRe != "" {
				assert.Regexp(t, strings.ReplaceAll(tc.compileRe, "{out}", regexp.QuoteMeta(out)), stderr, "compile")
			} else {
				assert.Equal(t, expand(tc.compileErr), stderr, "compile")
			}
			assert.Equal(t, before, snapshot(t, root), "compile changed something")

			code, stdout, stderr = run(t, "diff", spec, out)
			assert.Equal(t, tc.diffCode, code, "diff: stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Empty(t, stdout, "diff")
			assert.Equal(t, expand(tc.diffErr), stderr, "diff")
			assert.Equal(t, before, snapshot(t, root), "diff changed something")
		})
	}
}

// makeReadOnly stops writes into dir for the rest of the test. Permission bits do not stop root (CI
// runs as root), so there it sets the immutable attribute, which does.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		require.NoError(t, os.Chmod(dir, 0o555))
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		return
	}
	out, err := exec.Command("chattr", "+i", dir).CombinedOutput()
	require.NoError(t, err, "running as root, the test needs chattr +i to make %s read-only: %s", dir, out)
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
}
