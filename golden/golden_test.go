package golden_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/tree"
)

var update = flag.Bool("update", os.Getenv("ROCKETOPS_UPDATE_GOLDEN") == "1", "rewrite the golden files")

// Targets every golden case is compiled with.
var targets = []string{"helm", "kustomize", "manifests"}

func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }

// cases lists the folders holding a cluster.yaml.
func cases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(e.Name(), "cluster.yaml")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	require.GreaterOrEqual(t, len(out), 5, "golden cases went missing")
	return out
}

// caseTargets are the targets a case is compiled with: the three forms, and the GitOps targets its
// spec configures.
func caseTargets(t *testing.T, src []byte) []string {
	t.Helper()
	res, diags := compile.Validate("cluster.yaml", src)
	require.Empty(t, diags.Errors())
	out := append([]string{}, targets...)
	if res.Base.Spec.GitOps.ArgoCD != nil {
		out = append(out, "argocd")
	}
	if res.Base.Spec.GitOps.Flux != nil {
		out = append(out, "flux")
	}
	return out
}

func compileCase(t *testing.T, name string) *compile.Output {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(name, "cluster.yaml"))
	require.NoError(t, err)
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: caseTargets(t, src)})
	require.NoError(t, err, "golden case %s must compile", name)
	return out
}

// readDir reads every file under dir, by slash path.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	require.NoError(t, err)
	return files
}

// sameFiles fails with a unified diff per differing file, the set of files included.
func sameFiles(t *testing.T, want, got map[string][]byte, hint string) {
	t.Helper()
	paths := map[string]bool{}
	for p := range want {
		paths[p] = true
	}
	for p := range got {
		paths[p] = true
	}
	var sorted []string
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	var diff strings.Builder
	for _, p := range sorted {
		w, inW := want[p]
		g, inG := got[p]
		if inW && inG && bytes.Equal(w, g) {
			continue
		}
		diff.WriteString(tree.UnifiedDiff(p, w, g))
		if !inW {
			diff.WriteString("(new file " + p + ")\n")
		}
		if !inG {
			diff.WriteString("(missing file " + p + ")\n")
		}
	}
	if diff.Len() > 0 {
		t.Fatalf("output differs from the golden files (%s):\n%s", hint, diff.String())
	}
}

func TestGolden(t *testing.T) {
	for _, name := range cases(t) {
		t.Run(name, func(t *testing.T) {
			out := compileCase(t, name)
			dir := filepath.Join(name, "output")
			if *update {
				_, err := tree.Write(dir, out.Tree, tree.WriteOptions{Meta: out.Meta})
				require.NoError(t, err)
			}
			got := t.TempDir()
			_, err := tree.Write(got, out.Tree, tree.WriteOptions{Meta: out.Meta})
			require.NoError(t, err)
			sameFiles(t, readDir(t, dir), readDir(t, got), "run make golden to rewrite them, then review the diff")
		})
	}
}

// TestDeterministic compiles every case twice in one process (map order differs between runs) and
// checks the bytes are the same; TestGolden checks them against another run's.
func TestDeterministic(t *testing.T) {
	for _, name := range cases(t) {
		a, b := compileCase(t, name), compileCase(t, name)
		require.Equal(t, len(a.Tree), len(b.Tree), name)
		for p, content := range a.Tree {
			require.True(t, bytes.Equal(content, b.Tree[p]), "%s: %s differs between two compiles", name, p)
		}
		require.Equal(t, a.Meta, b.Meta)
	}
}

// TestExamplesAreGolden keeps the README's example under test.
func TestExamplesAreGolden(t *testing.T) {
	ex, err := os.ReadFile("../examples/quickstart/cluster.yaml")
	require.NoError(t, err)
	g, err := os.ReadFile("quickstart/cluster.yaml")
	require.NoError(t, err)
	require.Equal(t, string(ex), string(g), "examples/quickstart/cluster.yaml and golden/quickstart/cluster.yaml must be the same spec")
}

// TestErrors checks that each spec in errors/*.txtar gives exactly the diagnostics beside it.
func TestErrors(t *testing.T) {
	paths, err := filepath.Glob("errors/*.txtar")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), 8, "error cases went missing")
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			ar := txtar.Parse(data)
			src, ok := section(ar, "cluster.yaml")
			require.True(t, ok, "%s needs a -- cluster.yaml -- section", path)
			_, diags := compile.Validate("cluster.yaml", src)
			require.NotEmpty(t, diags, "%s: the spec must be invalid", path)
			got := diags.Error() + "\n"
			if *update {
				setSection(ar, "diagnostics", []byte(got))
				require.NoError(t, os.WriteFile(path, txtar.Format(ar), 0o644))
			}
			wantB, _ := section(ar, "diagnostics")
			want := string(wantB)
			if want != got {
				t.Fatalf("diagnostics differ (run make golden to rewrite):\n%s", tree.UnifiedDiff("diagnostics", []byte(want), []byte(got)))
			}
		})
	}
}

// section returns the data of an archive's file.
func section(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// setSection replaces the data of an archive's file, or appends the file.
func setSection(ar *txtar.Archive, name string, data []byte) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}

// TestReadmeSpecsAreValid validates every spec the README shows, so the documentation cannot drift
// from what the compiler accepts.
func TestReadmeSpecsAreValid(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	n := 0
	for _, block := range strings.Split(string(readme), "```yaml\n")[1:] {
		body := block[:strings.Index(block, "```")]
		if !strings.Contains(body, "kind: RocketMQCluster") {
			continue
		}
		n++
		_, diags := compile.Validate("README.md", []byte(body))
		require.Empty(t, diags, "a spec in the README is invalid:\n%s", diags)
	}
	require.GreaterOrEqual(t, n, 1, "the README shows no spec")
}

// TestReadmeValidateExample keeps the README's validate example true: its output is exactly the
// diagnostics of golden/errors/readme-example.txtar.
func TestReadmeValidateExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	const start = "$ rocketops validate cluster.yaml\n"
	i := strings.Index(string(readme), start)
	require.GreaterOrEqual(t, i, 0, "the README shows a validate run")
	shown := string(readme[i+len(start):])
	shown = shown[:strings.Index(shown, "```")]
	data, err := os.ReadFile("errors/readme-example.txtar")
	require.NoError(t, err)
	want, ok := section(txtar.Parse(data), "diagnostics")
	require.True(t, ok)
	assert.Equal(t, string(want), shown)
}
