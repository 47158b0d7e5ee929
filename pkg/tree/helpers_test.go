package tree

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// entry is what snapshot records about one path.
type entry struct {
	Mode    fs.FileMode
	Data    string
	Link    string
	ModTime time.Time
}

// snapshot records every path under dir (mode, content, symlink target and,
// for files, modification time), so a test can assert that nothing changed.
func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		rel, err := filepath.Rel(dir, name)
		require.NoError(t, err)
		fi, err := os.Lstat(name)
		require.NoError(t, err)
		e := entry{Mode: fi.Mode()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			e.Link, err = os.Readlink(name)
			require.NoError(t, err)
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(name)
			require.NoError(t, err)
			e.Data = string(data)
			e.ModTime = fi.ModTime()
		}
		out[filepath.ToSlash(rel)] = e
		return nil
	})
	require.NoError(t, err)
	return out
}

// writeFiles creates files (slash paths relative to dir) with parents.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, data := range files {
		name := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
		require.NoError(t, os.WriteFile(name, []byte(data), 0o644))
	}
}

// readTree reads dir back as a map of the regular files in it, index included.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rel, e := range snapshot(t, dir) {
		if e.Mode.IsRegular() {
			out[rel] = e.Data
		}
	}
	return out
}

// temps lists the temporary files under dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for rel := range snapshot(t, dir) {
		if strings.HasPrefix(filepath.Base(rel), TempPrefix) {
			out = append(out, rel)
		}
	}
	return out
}

// treeOf builds a Tree from string contents.
func treeOf(files map[string]string) Tree {
	t := Tree{}
	for p, data := range files {
		t[p] = []byte(data)
	}
	return t
}

// mustWrite writes tr into dir and fails the test on error.
func mustWrite(t *testing.T, dir string, tr Tree, opts WriteOptions) Result {
	t.Helper()
	res, err := Write(dir, tr, opts)
	require.NoError(t, err)
	return res
}

// backdate sets the modification time of the files under dir well into the
// past, so a rewrite would show up as a newer time even on coarse clocks.
func backdate(t *testing.T, dir string) {
	t.Helper()
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for rel, e := range snapshot(t, dir) {
		if e.Mode.IsRegular() {
			require.NoError(t, os.Chtimes(filepath.Join(dir, rel), old, old))
		}
	}
}
