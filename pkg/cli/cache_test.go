package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/tree"
)

// withCache points CompileCache at a fresh folder for one test, and compiles the quickstart into a
// fresh output folder, which records it there.
func withCache(t *testing.T) (spec, out string) {
	t.Helper()
	require.NotEmpty(t, buildID(), "the test binary has a Go build ID")
	old := CompileCache
	CompileCache = filepath.Join(t.TempDir(), "compiled")
	t.Cleanup(func() { CompileCache = old })
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "quickstart", "cluster.yaml"))
	require.NoError(t, err)
	spec = filepath.Join(t.TempDir(), "cluster.yaml")
	require.NoError(t, os.WriteFile(spec, src, 0o644))
	out = filepath.Join(t.TempDir(), "deploy")
	code, _, stderr := runCache(t, "compile", spec, "-o", out, "-t", "kustomize,manifests,helm")
	require.Equal(t, 0, code, stderr)
	return spec, out
}

func runCache(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// vouches says whether the cache answers "unchanged" for out without compiling.
func vouches(t *testing.T, spec, out string) bool {
	t.Helper()
	src, err := os.ReadFile(spec)
	require.NoError(t, err)
	opts := compile.Options{File: spec, Source: src}
	idx, err := recorded(out, &opts, false)
	require.NoError(t, err)
	return unchangedByCache(out, idx, opts)
}

// TestDiffCacheVouchesOnlyForAnUnchangedFolder: after a compile, diff of the untouched folder is
// answered from the record; every change to the folder, the record or the spec makes diff compile
// and report exactly as it does without the cache.
func TestDiffCacheVouchesOnlyForAnUnchangedFolder(t *testing.T) {
	spec, out := withCache(t)
	require.True(t, vouches(t, spec, out), "the compile recorded what it wrote")
	code, stdout, stderr := runCache(t, "diff", spec, out)
	require.Equal(t, 0, code, stdout+stderr)

	// The record is trusted: a record that says the output is what the folder holds makes diff say
	// "unchanged" without compiling. So the record is exactly what decides, and the cases below show
	// it decides nothing it should not.
	cases := []struct {
		name   string
		change func(t *testing.T)
		code   int
	}{
		{"a file changed", func(t *testing.T) { appendTo(t, filepath.Join(out, "values-default.yaml"), "# edited\n") }, 1},
		{"a file removed", func(t *testing.T) { require.NoError(t, os.Remove(filepath.Join(out, "base", "namesrv.yaml"))) }, 1},
		{"a file replaced by a symlink to the same content", func(t *testing.T) {
			p := filepath.Join(out, "base", "namesrv.yaml")
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			other := filepath.Join(t.TempDir(), "namesrv.yaml")
			require.NoError(t, os.WriteFile(other, b, 0o644))
			require.NoError(t, os.Remove(p))
			require.NoError(t, os.Symlink(other, p))
		}, 2},
		{"a folder replaced by a symlink to a copy", func(t *testing.T) {
			p := filepath.Join(out, "rendered")
			copyDir := filepath.Join(t.TempDir(), "rendered")
			require.NoError(t, os.Rename(p, copyDir))
			require.NoError(t, os.Symlink(copyDir, p))
		}, 2},
		{"the index lists another file", func(t *testing.T) {
			appendTo(t, filepath.Join(out, tree.IndexFile), "file extra.yaml\n")
			require.NoError(t, os.WriteFile(filepath.Join(out, "extra.yaml"), []byte("a: 1\n"), 0o644))
		}, 1},
		{"the record is not JSON", func(t *testing.T) { rewriteRecords(t, func([]byte) []byte { return []byte("{") }) }, 0},
		{"the record names other files", func(t *testing.T) {
			rewriteRecords(t, func(b []byte) []byte {
				var rec cacheRecord
				require.NoError(t, json.Unmarshal(b, &rec))
				for p := range rec.Files {
					rec.Files[p] = strings.Repeat("0", 64)
				}
				out, err := json.Marshal(rec)
				require.NoError(t, err)
				return out
			})
		}, 0},
		{"the spec changed", func(t *testing.T) { appendTo(t, spec, "# a comment changes the key\n") }, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Each case starts from a fresh compile and record.
			spec, out = withCache(t)
			require.True(t, vouches(t, spec, out))
			tc.change(t)
			require.False(t, vouches(t, spec, out), "the cache must not vouch once %s", tc.name)
			code, stdout, stderr := runCache(t, "diff", spec, out)
			saved := CompileCache
			CompileCache = ""
			wantCode, wantOut, wantErr := runCache(t, "diff", spec, out)
			CompileCache = saved
			require.Equal(t, tc.code, code, stdout+stderr)
			require.Equal(t, wantCode, code, "the same exit code as without the cache")
			require.Equal(t, wantOut, stdout, "the same diff as without the cache")
			require.Equal(t, wantErr, stderr)
		})
	}
}

// TestDiffCacheIsTrusted shows the record is what decides: one rewritten to the digests of an
// edited folder makes diff answer "unchanged" without compiling, which is why every record is
// checked against the whole folder and written only by a compile of the same key.
func TestDiffCacheIsTrusted(t *testing.T) {
	spec, out := withCache(t)
	p := filepath.Join(out, "values-default.yaml")
	appendTo(t, p, "# edited\n")
	code, _, _ := runCache(t, "diff", spec, out)
	require.Equal(t, 1, code)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	rewriteRecords(t, func(data []byte) []byte {
		var rec cacheRecord
		require.NoError(t, json.Unmarshal(data, &rec))
		rec.Files["values-default.yaml"] = sha256Hex(b)
		out, err := json.Marshal(rec)
		require.NoError(t, err)
		return out
	})
	code, _, _ = runCache(t, "diff", spec, out)
	require.Equal(t, 0, code, "a record matching the folder vouches for it")
}

func TestPruneCacheKeepsTheNewest(t *testing.T) {
	old := CompileCache
	CompileCache = t.TempDir()
	t.Cleanup(func() { CompileCache = old })
	for i := range cacheRecords + 10 {
		p := filepath.Join(CompileCache, fmt.Sprintf("%04d.json", i))
		require.NoError(t, os.WriteFile(p, []byte("{}"), 0o600))
	}
	pruneCache()
	entries, err := os.ReadDir(CompileCache)
	require.NoError(t, err)
	require.Len(t, entries, cacheRecords)
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(text)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func rewriteRecords(t *testing.T, change func([]byte) []byte) {
	t.Helper()
	entries, err := os.ReadDir(CompileCache)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		p := filepath.Join(CompileCache, e.Name())
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, change(b), 0o600))
	}
}

// TestCacheThatCannotBeUsedChangesNothing: a cache path that is a file, or lies under one, leaves
// compile and diff working as without a cache.
func TestCacheThatCannotBeUsedChangesNothing(t *testing.T) {
	old := CompileCache
	t.Cleanup(func() { CompileCache = old })
	blocker := filepath.Join(t.TempDir(), "not-a-folder")
	require.NoError(t, os.WriteFile(blocker, []byte("x"), 0o600))
	for _, dir := range []string{blocker, filepath.Join(blocker, "compiled")} {
		CompileCache = dir
		out := filepath.Join(t.TempDir(), "deploy")
		spec := filepath.Join("..", "..", "examples", "quickstart", "cluster.yaml")
		code, _, stderr := runCache(t, "compile", spec, "-o", out)
		require.Equal(t, 0, code, stderr)
		code, stdout, stderr := runCache(t, "diff", spec, out)
		require.Equal(t, 0, code, stdout+stderr)
		appendTo(t, filepath.Join(out, "base", "namesrv.yaml"), "# edited\n")
		code, stdout, _ = runCache(t, "diff", spec, out)
		require.Equal(t, 1, code)
		require.Contains(t, stdout, "-# edited")
	}
}
