package tree

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteCreatesMissingDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "deep", "er", "out")
	tr := treeOf(map[string]string{"kustomization.yaml": "k\n", "base/broker/sts.yaml": "s\n"})

	res, err := Write(dir, tr, WriteOptions{Meta: map[string]string{"spec": "cluster.yaml"}})
	require.NoError(t, err)

	assert.Equal(t, Result{Created: []string{"base/broker/sts.yaml", "kustomization.yaml"}}, res)
	assert.Equal(t, map[string]string{
		"kustomization.yaml":   "k\n",
		"base/broker/sts.yaml": "s\n",
		IndexFile:              indexHeader + "\nformat 2\nmeta spec cluster.yaml\nfile base/broker/sts.yaml\nfile kustomization.yaml\n",
	}, readTree(t, dir))
	for _, d := range []string{"deep", "deep/er", "deep/er/out", "deep/er/out/base", "deep/er/out/base/broker"} {
		fi, err := os.Stat(filepath.Join(parent, d))
		require.NoError(t, err)
		assert.Equal(t, fs.ModeDir|0o755, fi.Mode(), d)
	}
	for _, f := range []string{"kustomization.yaml", "base/broker/sts.yaml", IndexFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o644), fi.Mode(), f)
	}
	assert.Empty(t, temps(t, dir))
}

func TestWriteResult(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "1", "b/c.yaml": "1", "d/e.yaml": "1"}), WriteOptions{})

	res := mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "2", "b/c.yaml": "1", "f/g.yaml": "1"}), WriteOptions{})

	assert.Equal(t, Result{
		Created:   []string{"f/g.yaml"},
		Updated:   []string{"a.yaml"},
		Unchanged: []string{"b/c.yaml"},
		Removed:   []string{"d/e.yaml"},
	}, res)
	files := readTree(t, dir)
	delete(files, IndexFile)
	assert.Equal(t, map[string]string{"a.yaml": "2", "b/c.yaml": "1", "f/g.yaml": "1"}, files)
	ix, err := ReadIndex(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.yaml", "b/c.yaml", "f/g.yaml"}, ix.Files)
	assert.NoDirExists(t, filepath.Join(dir, "d"))
}

// Rule 1: an error before the commit phase leaves the directory as it was.
func TestWriteFailureBeforeCommitChangesNothing(t *testing.T) {
	injected := errors.New("injected failure")
	v1 := treeOf(map[string]string{"a.yaml": "1", "old/x.yaml": "1", "keep/k.yaml": "1"})
	v2 := treeOf(map[string]string{"a.yaml": "2", "keep/k.yaml": "1", "new/deep/n.yaml": "1", "z.yaml": "1"})
	tests := []struct {
		name    string
		missing bool   // the output directory does not exist yet
		failAt  string // path whose staging fails
	}{
		{name: "first write, first file", missing: true, failAt: "a.yaml"},
		{name: "first write, last file", missing: true, failAt: "z.yaml"},
		{name: "update, first file", failAt: "a.yaml"},
		{name: "update, file in a new directory", failAt: "new/deep/n.yaml"},
		{name: "update, last file", failAt: "z.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			if !tc.missing {
				mustWrite(t, dir, v1, WriteOptions{Meta: map[string]string{"v": "1"}})
				writeFiles(t, dir, map[string]string{"user.txt": "mine", "old/mine.txt": "mine"})
			}
			before := snapshot(t, parent)

			staged := 0
			_, err := write(dir, v2, WriteOptions{Meta: map[string]string{"v": "2"}}, hooks{stage: func(rel string) error {
				if rel == tc.failAt {
					return injected
				}
				staged++
				return nil
			}})

			require.ErrorIs(t, err, injected)
			assert.Equal(t, before, snapshot(t, parent))
			if tc.failAt == "z.yaml" {
				assert.Positive(t, staged, "the test must fail after something was staged")
			}
		})
	}
}

// Rule 1: a failure in the commit phase is reported, leaves no temporary
// files, and the next write finishes the job without conflicts.
func TestWriteFailureDuringCommitIsRepairedByNextWrite(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "1", "gone.yaml": "1"}), WriteOptions{})
	v2 := treeOf(map[string]string{"a.yaml": "2", "b.yaml": "2", "c/d.yaml": "2"})

	_, err := write(dir, v2, WriteOptions{}, hooks{rename: func(rel string) error {
		if rel == "c/d.yaml" {
			return errors.New("disk on fire")
		}
		return nil
	}})

	require.Error(t, err)
	assert.Equal(t, `cannot write "c/d.yaml": disk on fire; the output directory is partly updated, write again to finish`, err.Error())
	assert.Empty(t, temps(t, dir))
	assert.NoDirExists(t, filepath.Join(dir, "c"), "a directory created for the write is removed when nothing landed in it")
	// a.yaml and b.yaml are in place, and the index already claims b.yaml
	// (which no index listed before), so the next write can replace it.
	ix, err := ReadIndex(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.yaml", "b.yaml", "c/d.yaml", "gone.yaml"}, ix.Files)

	res, err := Write(dir, treeOf(map[string]string{"a.yaml": "3", "b.yaml": "3"}), WriteOptions{})
	require.NoError(t, err, "b.yaml must not be a conflict")
	assert.Equal(t, Result{Updated: []string{"a.yaml", "b.yaml"}, Removed: []string{"gone.yaml"}}, res)
	files := readTree(t, dir)
	delete(files, IndexFile)
	assert.Equal(t, map[string]string{"a.yaml": "3", "b.yaml": "3"}, files)
}

// Rule 1: temporary files from an interrupted write are removed by the next.
// Rule 1: the same holds for the very first write into a new directory.
func TestFirstWriteFailureDuringCommitIsRepairedByNextWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	_, err := write(dir, treeOf(map[string]string{"a.yaml": "1", "b.yaml": "1"}), WriteOptions{}, hooks{rename: func(rel string) error {
		if rel == "b.yaml" {
			return errors.New("killed")
		}
		return nil
	}})
	require.ErrorContains(t, err, "partly updated")

	res, err := Write(dir, treeOf(map[string]string{"a.yaml": "2", "b.yaml": "2"}), WriteOptions{})

	require.NoError(t, err, "a.yaml was claimed before it was renamed, so it is no conflict")
	assert.Equal(t, Result{Created: []string{"b.yaml"}, Updated: []string{"a.yaml"}}, res)
}

func TestWriteRemovesLeftoverTempFiles(t *testing.T) {
	dir := t.TempDir()
	tr := treeOf(map[string]string{"a.yaml": "1", "base/b.yaml": "1", "stale/s.yaml": "1"})
	mustWrite(t, dir, tr, WriteOptions{})
	writeFiles(t, dir, map[string]string{
		TempPrefix + "123":              "half",
		"base/" + TempPrefix + "456":    "half",
		"stale/" + TempPrefix + "789":   "half",
		"user/" + TempPrefix + "1":      "half",
		".rocketops-tmpfoo":             "user's, no dash",
		"notes.txt":                     "user's",
		".git/" + TempPrefix + "object": "git's business",
	})
	delete(tr, "stale/s.yaml")

	res := mustWrite(t, dir, tr, WriteOptions{})

	assert.Equal(t, []string{"stale/s.yaml"}, res.Removed)
	assert.Equal(t, []string{".git/" + TempPrefix + "object"}, temps(t, dir))
	assert.NoDirExists(t, filepath.Join(dir, "stale"), "emptied once its leftover is gone too")
	assert.DirExists(t, filepath.Join(dir, "user"))
	assert.FileExists(t, filepath.Join(dir, ".rocketops-tmpfoo"))
	assert.FileExists(t, filepath.Join(dir, "notes.txt"))
}

// Rule 2: stale files go, and the directories that leaves empty.
func TestWriteRemovesStaleFiles(t *testing.T) {
	tests := []struct {
		name        string
		before      map[string]string // generated by the first write
		user        map[string]string // added by the user afterwards
		userDirs    []string          // empty directories the user made
		deleted     []string          // paths the user deleted afterwards
		after       map[string]string // generated by the second write
		removed     []string
		wantFiles   map[string]string // every regular file afterwards, index excluded
		wantDirs    []string
		wantNoDirs  []string
		replaceWith func(t *testing.T, dir string)
	}{
		{
			name:       "nested directories emptied",
			before:     map[string]string{"a/b/c.yaml": "", "a/d.yaml": "", "x/y/z.yaml": "", "k.yaml": ""},
			after:      map[string]string{"a/d.yaml": "", "k.yaml": ""},
			removed:    []string{"a/b/c.yaml", "x/y/z.yaml"},
			wantFiles:  map[string]string{"a/d.yaml": "", "k.yaml": ""},
			wantDirs:   []string{"a"},
			wantNoDirs: []string{"a/b", "x/y", "x"},
		},
		{
			name:      "directories with user files stay",
			before:    map[string]string{"u/gen.yaml": "", "u/v/gen.yaml": ""},
			user:      map[string]string{"u/v/mine.txt": "mine"},
			after:     map[string]string{},
			removed:   []string{"u/gen.yaml", "u/v/gen.yaml"},
			wantFiles: map[string]string{"u/v/mine.txt": "mine"},
			wantDirs:  []string{"u", "u/v"},
		},
		{
			name:      "empty user directories stay",
			before:    map[string]string{"x/g.yaml": ""},
			userDirs:  []string{"x/emptysub", "alone"},
			after:     map[string]string{},
			removed:   []string{"x/g.yaml"},
			wantFiles: map[string]string{},
			wantDirs:  []string{"x", "x/emptysub", "alone"},
		},
		{
			name:      "directory still receiving generated files stays",
			before:    map[string]string{"a/old.yaml": ""},
			after:     map[string]string{"a/new/n.yaml": "n"},
			removed:   []string{"a/old.yaml"},
			wantFiles: map[string]string{"a/new/n.yaml": "n"},
			wantDirs:  []string{"a", "a/new"},
		},
		{
			name:      "stale file the user already deleted",
			before:    map[string]string{"a/g.yaml": "", "b.yaml": ""},
			deleted:   []string{"a"},
			after:     map[string]string{"b.yaml": ""},
			wantFiles: map[string]string{"b.yaml": ""},
		},
		{
			name:    "stale file replaced by a user directory",
			before:  map[string]string{"g.yaml": ""},
			deleted: []string{"g.yaml"},
			user:    map[string]string{"g.yaml/mine.txt": "mine"},
			after:   map[string]string{},
			// Not the file rocketops wrote any more, so not removed.
			wantFiles: map[string]string{"g.yaml/mine.txt": "mine"},
			wantDirs:  []string{"g.yaml"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mustWrite(t, dir, treeOf(tc.before), WriteOptions{})
			for _, rel := range tc.deleted {
				require.NoError(t, os.RemoveAll(filepath.Join(dir, rel)))
			}
			writeFiles(t, dir, tc.user)
			for _, d := range tc.userDirs {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
			}

			res := mustWrite(t, dir, treeOf(tc.after), WriteOptions{})

			assert.Equal(t, tc.removed, res.Removed)
			files := readTree(t, dir)
			delete(files, IndexFile)
			assert.Equal(t, tc.wantFiles, files)
			for _, d := range tc.wantDirs {
				assert.DirExists(t, filepath.Join(dir, d))
			}
			for _, d := range tc.wantNoDirs {
				assert.NoDirExists(t, filepath.Join(dir, d))
			}
			ix, err := ReadIndex(dir)
			require.NoError(t, err)
			assert.Equal(t, treeOf(tc.after).Paths(), ix.Files)
		})
	}
}

// Rule 3: files the index does not list belong to the user.
func TestWriteConflicts(t *testing.T) {
	user := map[string]string{
		"a.yaml":       "user a",
		"b/c.yaml":     "user c",
		"same.yaml":    "generated",
		"notes.txt":    "notes",
		"b/readme.md":  "readme",
		"gen/own.yaml": "generated before",
	}
	tr := treeOf(map[string]string{
		"a.yaml":       "generated",
		"b/c.yaml":     "generated",
		"same.yaml":    "generated",
		"new/n.yaml":   "generated",
		"gen/own.yaml": "generated now",
	})
	setup := func(t *testing.T) string {
		dir := t.TempDir()
		mustWrite(t, dir, treeOf(map[string]string{"gen/own.yaml": "generated before"}), WriteOptions{})
		writeFiles(t, dir, user)
		return dir
	}

	t.Run("different content is refused before anything changes", func(t *testing.T) {
		dir := setup(t)
		before := snapshot(t, dir)

		_, err := Write(dir, tr, WriteOptions{})

		var ce *ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, []string{"a.yaml", "b/c.yaml"}, ce.Paths)
		assert.Equal(t, `refusing to overwrite 2 files not generated by rocketops: "a.yaml", "b/c.yaml"; move them away or use --force`, err.Error())
		assert.Equal(t, before, snapshot(t, dir))
	})

	t.Run("one conflict", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"a.yaml": "user"})
		_, err := Write(dir, treeOf(map[string]string{"a.yaml": "gen"}), WriteOptions{})
		require.EqualError(t, err, `refusing to overwrite 1 file not generated by rocketops: "a.yaml"; move it away or use --force`)
	})

	t.Run("identical content is adopted and owned from then on", func(t *testing.T) {
		dir := setup(t)
		adopt := treeOf(map[string]string{"same.yaml": "generated", "gen/own.yaml": "generated now"})

		res := mustWrite(t, dir, adopt, WriteOptions{})
		assert.Equal(t, Result{Updated: []string{"gen/own.yaml"}, Unchanged: []string{"same.yaml"}}, res)

		res = mustWrite(t, dir, Tree{}, WriteOptions{})
		assert.Equal(t, []string{"gen/own.yaml", "same.yaml"}, res.Removed)
		files := readTree(t, dir)
		delete(files, IndexFile)
		assert.Equal(t, map[string]string{"a.yaml": "user a", "b/c.yaml": "user c", "notes.txt": "notes", "b/readme.md": "readme"}, files)
	})

	t.Run("force overwrites but never removes user files", func(t *testing.T) {
		dir := setup(t)

		res, err := Write(dir, tr, WriteOptions{Force: true})

		require.NoError(t, err)
		assert.Equal(t, Result{
			Created:   []string{"new/n.yaml"},
			Updated:   []string{"a.yaml", "b/c.yaml", "gen/own.yaml"},
			Unchanged: []string{"same.yaml"},
		}, res)
		files := readTree(t, dir)
		delete(files, IndexFile)
		assert.Equal(t, map[string]string{
			"a.yaml": "generated", "b/c.yaml": "generated", "same.yaml": "generated", "new/n.yaml": "generated",
			"gen/own.yaml": "generated now", "notes.txt": "notes", "b/readme.md": "readme",
		}, files)
	})
}

// Rule 4: the output directory and the directories in it.
func TestWriteDirectoryProblems(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, parent string) string // returns the output directory
		tree    map[string]string
		message string // with "{dir}" for the output directory
	}{
		{
			name: "output directory is a file",
			setup: func(t *testing.T, parent string) string {
				writeFiles(t, parent, map[string]string{"out": "x"})
				return filepath.Join(parent, "out")
			},
			tree:    map[string]string{"a.yaml": "a"},
			message: `output directory "{dir}" is not a directory`,
		},
		{
			name: "output directory under a file",
			setup: func(t *testing.T, parent string) string {
				writeFiles(t, parent, map[string]string{"file": "x"})
				return filepath.Join(parent, "file", "out")
			},
			tree:    map[string]string{"a.yaml": "a"},
			message: "output directory: stat {dir}: not a directory",
		},
		{
			name: "parent of a path is a file",
			setup: func(t *testing.T, parent string) string {
				dir := filepath.Join(parent, "out")
				writeFiles(t, dir, map[string]string{"base": "user file"})
				return dir
			},
			tree:    map[string]string{"a.yaml": "a", "base/x.yaml": "x"},
			message: `cannot write "base/x.yaml": "base" is not a directory`,
		},
		{
			name: "directory in the way of a file",
			setup: func(t *testing.T, parent string) string {
				dir := filepath.Join(parent, "out")
				writeFiles(t, dir, map[string]string{"a.yaml/inner": "user file"})
				return dir
			},
			tree:    map[string]string{"a.yaml": "a", "b.yaml": "b"},
			message: `cannot write "a.yaml": a directory is in the way`,
		},
		{
			name:    "empty directory name",
			setup:   func(t *testing.T, parent string) string { return "" },
			tree:    map[string]string{"a.yaml": "a"},
			message: "output directory not set",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := tc.setup(t, parent)
			before := snapshot(t, parent)

			_, err := Write(dir, treeOf(tc.tree), WriteOptions{})

			require.Error(t, err)
			assert.Equal(t, strings.ReplaceAll(tc.message, "{dir}", dir), err.Error())
			assert.Equal(t, before, snapshot(t, parent))
		})
	}
}

// Rule 4: a directory that is not writable fails the write before anything
// changes, whether it is to receive files or only to lose them.
func TestWriteReadOnlyDirectory(t *testing.T) {
	tests := []struct {
		name     string
		readOnly string // relative to the output directory; "." is the directory itself
		next     map[string]string
		message  string
	}{
		{name: "output directory", readOnly: ".", next: map[string]string{"a.yaml": "2", "sub/s.yaml": "1", "ro/r.yaml": "1"}, message: `cannot write "a.yaml": `},
		{name: "directory that receives a file", readOnly: "ro", next: map[string]string{"a.yaml": "1", "sub/s.yaml": "1", "ro/r.yaml": "2"}, message: `cannot write "ro/r.yaml": `},
		{name: "directory that only loses a file", readOnly: "ro", next: map[string]string{"a.yaml": "2", "sub/s.yaml": "2"}, message: `cannot write to directory "ro": `},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "1", "sub/s.yaml": "1", "ro/r.yaml": "1"}), WriteOptions{})
			writeFiles(t, dir, map[string]string{"ro/user.txt": "keeps ro from being pruned"})
			makeReadOnly(t, filepath.Join(dir, tc.readOnly))
			before := snapshot(t, dir)

			_, err := Write(dir, treeOf(tc.next), WriteOptions{})

			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.message)
			assert.ErrorIs(t, err, fs.ErrPermission)
			assert.Equal(t, before, snapshot(t, dir))
		})
	}
}

// Rule 5: files that already have the generated content are left alone.
func TestWriteKeepsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	tr := treeOf(map[string]string{"a.yaml": "a", "b/c.yaml": "c"})
	opts := WriteOptions{Meta: map[string]string{"digest": "sha256:1"}}
	mustWrite(t, dir, tr, opts)
	backdate(t, dir)
	before := snapshot(t, dir)

	res := mustWrite(t, dir, tr, opts)

	assert.Equal(t, Result{Unchanged: []string{"a.yaml", "b/c.yaml"}}, res)
	assert.Equal(t, before, snapshot(t, dir), "no file, not even the index, may be rewritten")

	tr["a.yaml"] = []byte("a2")
	res = mustWrite(t, dir, tr, opts)
	assert.Equal(t, Result{Updated: []string{"a.yaml"}, Unchanged: []string{"b/c.yaml"}}, res)
	after := snapshot(t, dir)
	assert.Equal(t, before["b/c.yaml"], after["b/c.yaml"])
	assert.Equal(t, before[IndexFile], after[IndexFile], "same paths and meta: index untouched")
	assert.NotEqual(t, before["a.yaml"].ModTime, after["a.yaml"].ModTime)
}

// Rule 6: hostile paths are refused before anything is created.
func TestWriteRejectsHostilePaths(t *testing.T) {
	for _, bad := range []string{"../escape.yaml", "/etc/passwd", "a/../../b", `..\b`, "a//b", ".git/hooks/post-checkout", "a\x00b", IndexFile} {
		t.Run(bad, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")

			_, err := Write(dir, treeOf(map[string]string{"ok.yaml": "ok", bad: "evil"}), WriteOptions{})

			var ipe *InvalidPathError
			require.ErrorAs(t, err, &ipe)
			assert.Equal(t, bad, ipe.Path)
			assert.NoDirExists(t, dir)
			assert.Empty(t, snapshot(t, parent)["escape.yaml"])
		})
	}
}

// Rule 7: symlinks inside the output directory are not followed.
func TestWriteRefusesSymlinks(t *testing.T) {
	tests := []struct {
		name  string
		first map[string]string                            // written before the links are made
		setup func(t *testing.T, dir, outside string)      // makes the links
		tree  map[string]string                            // then written, with and without force
		link  string                                       // the path the error must name
		check func(t *testing.T, outside map[string]entry) // outside must be untouched
	}{
		{
			name: "file is a symlink",
			setup: func(t *testing.T, dir, outside string) {
				require.NoError(t, os.Symlink(filepath.Join(outside, "target"), filepath.Join(dir, "a.yaml")))
			},
			tree: map[string]string{"a.yaml": "evil"},
			link: "a.yaml",
		},
		{
			name: "dangling symlink",
			setup: func(t *testing.T, dir, outside string) {
				require.NoError(t, os.Symlink(filepath.Join(outside, "nothing-yet"), filepath.Join(dir, "a.yaml")))
			},
			tree: map[string]string{"a.yaml": "evil"},
			link: "a.yaml",
		},
		{
			name: "parent directory is a symlink",
			setup: func(t *testing.T, dir, outside string) {
				require.NoError(t, os.Symlink(outside, filepath.Join(dir, "base")))
			},
			tree: map[string]string{"ok.yaml": "ok", "base/x.yaml": "evil"},
			link: "base",
		},
		{
			name: "deeper parent is a symlink",
			setup: func(t *testing.T, dir, outside string) {
				require.NoError(t, os.Mkdir(filepath.Join(dir, "a"), 0o755))
				require.NoError(t, os.Symlink(outside, filepath.Join(dir, "a", "b")))
			},
			tree: map[string]string{"a/b/c/d.yaml": "evil"},
			link: "a/b",
		},
		{
			name:  "generated directory replaced by a symlink holding a stale file",
			first: map[string]string{"base/x.yaml": "gen"},
			setup: func(t *testing.T, dir, outside string) {
				require.NoError(t, os.RemoveAll(filepath.Join(dir, "base")))
				require.NoError(t, os.Symlink(outside, filepath.Join(dir, "base")))
				writeFiles(t, outside, map[string]string{"x.yaml": "precious"})
			},
			tree: map[string]string{},
			link: "base",
		},
		{
			name:  "stale file replaced by a symlink",
			first: map[string]string{"x.yaml": "gen"},
			setup: func(t *testing.T, dir, outside string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "x.yaml")))
				require.NoError(t, os.Symlink(filepath.Join(outside, "target"), filepath.Join(dir, "x.yaml")))
			},
			tree: map[string]string{},
			link: "x.yaml",
		},
	}
	for _, tc := range tests {
		for _, force := range []bool{false, true} {
			name := tc.name
			if force {
				name += " with force"
			}
			t.Run(name, func(t *testing.T) {
				dir, outside := t.TempDir(), t.TempDir()
				writeFiles(t, outside, map[string]string{"target": "precious"})
				if tc.first != nil {
					mustWrite(t, dir, treeOf(tc.first), WriteOptions{})
				}
				tc.setup(t, dir, outside)
				beforeDir, beforeOutside := snapshot(t, dir), snapshot(t, outside)

				_, err := Write(dir, treeOf(tc.tree), WriteOptions{Force: force})

				var se *SymlinkError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.link, se.Path)
				assert.Equal(t, `refusing to follow symlink "`+tc.link+`": generated files must stay inside the output directory`, err.Error())
				assert.Equal(t, beforeDir, snapshot(t, dir))
				assert.Equal(t, beforeOutside, snapshot(t, outside))

				_, _, err = Diff(dir, treeOf(tc.tree), DiffOptions{})
				require.ErrorAs(t, err, &se, "Diff refuses the same links")
			})
		}
	}
}

// The output directory itself may be a symlink: the user chose it.
func TestWriteThroughSymlinkedOutputDirectory(t *testing.T) {
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.Symlink(real, link))

	mustWrite(t, link, treeOf(map[string]string{"a.yaml": "a"}), WriteOptions{})

	assert.FileExists(t, filepath.Join(real, "a.yaml"))
	assert.FileExists(t, filepath.Join(real, IndexFile))
}

func TestWriteIsDeterministic(t *testing.T) {
	files := map[string]string{"z.yaml": "z", "a/b.yaml": "b", "a.yaml": "a", "m/n/o.yaml": "o"}
	metaA := map[string]string{}
	metaB := map[string]string{}
	for _, kv := range [][2]string{{"spec", "cluster.yaml"}, {"digest", "sha256:0f"}, {"target", "kustomize"}, {"env", "prod"}} {
		metaA[kv[0]] = kv[1]
	}
	for _, kv := range [][2]string{{"env", "prod"}, {"target", "kustomize"}, {"digest", "sha256:0f"}, {"spec", "cluster.yaml"}} {
		metaB[kv[0]] = kv[1]
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	mustWrite(t, dirA, treeOf(files), WriteOptions{Meta: metaA})
	mustWrite(t, dirB, treeOf(files), WriteOptions{Meta: metaB})

	a, err := os.ReadFile(filepath.Join(dirA, IndexFile))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dirB, IndexFile))
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b))
	assert.Equal(t, indexHeader+"\n"+"format 2\n"+
		"meta digest sha256:0f\nmeta env prod\nmeta spec cluster.yaml\nmeta target kustomize\n"+
		"file a.yaml\nfile a/b.yaml\nfile m/n/o.yaml\nfile z.yaml\n", string(a))
	assert.Equal(t, readTree(t, dirA), readTree(t, dirB))

	// Writing into a fresh directory and rewriting an existing one agree too.
	mustWrite(t, dirA, treeOf(map[string]string{"other.yaml": "x"}), WriteOptions{})
	mustWrite(t, dirA, treeOf(files), WriteOptions{Meta: metaB})
	assert.Equal(t, readTree(t, dirB), readTree(t, dirA))
}

func TestWriteIndexRoundTrip(t *testing.T) {
	dir := t.TempDir()
	meta := map[string]string{"spec": "my cluster.yaml", "digest": "sha256:ab"}
	tr := treeOf(map[string]string{"b.yaml": "", "a/c.yaml": ""})
	mustWrite(t, dir, tr, WriteOptions{Meta: meta})

	ix, err := ReadIndex(dir)

	require.NoError(t, err)
	assert.Equal(t, Index{Meta: meta, Files: []string{"a/c.yaml", "b.yaml"}}, ix)
}

// The plan already knows which directories a write empties; it must not
// count on the commit-time "not empty any more" check to keep the ones that
// receive new files, since the plan also decides which directories get probed.
func TestPlanPrune(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, treeOf(map[string]string{"a/old.yaml": "", "x/y/z.yaml": "", "k.yaml": ""}), WriteOptions{})

	p, err := newPlan(dir, treeOf(map[string]string{"a/new/n.yaml": "", "k.yaml": ""}), WriteOptions{})

	require.NoError(t, err)
	assert.Equal(t, []string{"a/old.yaml", "x/y/z.yaml"}, p.removed)
	assert.Equal(t, []string{"x/y", "x"}, p.prune)
	assert.Equal(t, []string{"a/new"}, p.mkdirs)
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

// A partial write updates what it covers and keeps every other file the
// index lists, on disk and in the index; the next full write removes them.
func TestWritePartial(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, treeOf(map[string]string{
		"base/a.yaml": "1", "dev/x.yaml": "1", "prod/y.yaml": "1", "prod/old.yaml": "1",
	}), WriteOptions{Meta: map[string]string{"v": "1"}})
	backdate(t, dir)
	before := snapshot(t, dir)
	prod := treeOf(map[string]string{"base/a.yaml": "2", "prod/y.yaml": "2", "prod/new.yaml": "2"})

	res, err := Write(dir, prod, WriteOptions{Meta: map[string]string{"v": "2"}, Partial: true})

	require.NoError(t, err)
	assert.Equal(t, Result{Created: []string{"prod/new.yaml"}, Updated: []string{"base/a.yaml", "prod/y.yaml"}}, res)
	after := snapshot(t, dir)
	for _, kept := range []string{"dev", "dev/x.yaml", "prod/old.yaml"} {
		assert.Equal(t, before[kept], after[kept], "%s is not this write's and must stay as it was", kept)
	}
	ix, err := ReadIndex(dir)
	require.NoError(t, err)
	assert.Equal(t, Index{
		Meta:  map[string]string{"v": "2"},
		Files: []string{"base/a.yaml", "dev/x.yaml", "prod/new.yaml", "prod/old.yaml", "prod/y.yaml"},
	}, ix)

	// Again: nothing to do, not even the index.
	backdate(t, dir)
	before = snapshot(t, dir)
	res, err = Write(dir, prod, WriteOptions{Meta: map[string]string{"v": "2"}, Partial: true})
	require.NoError(t, err)
	assert.Equal(t, Result{Unchanged: []string{"base/a.yaml", "prod/new.yaml", "prod/y.yaml"}}, res)
	assert.Equal(t, before, snapshot(t, dir))

	// A full write of the same tree removes what it no longer generates.
	res, err = Write(dir, prod, WriteOptions{Meta: map[string]string{"v": "2"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"dev/x.yaml", "prod/old.yaml"}, res.Removed)
	assert.NoDirExists(t, filepath.Join(dir, "dev"))
}

// A partial write into a folder whose other files are not what the index
// says (edited, replaced by a symlink, gone) leaves them to the full write:
// it does not look at them.
func TestWritePartialIgnoresWhatItDoesNotCover(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeFiles(t, outside, map[string]string{"x.yaml": "precious"})
	mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "1", "dev/x.yaml": "1", "gone.yaml": "1"}), WriteOptions{})
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "dev")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "dev")))
	require.NoError(t, os.Remove(filepath.Join(dir, "gone.yaml")))
	beforeOutside := snapshot(t, outside)

	res, err := Write(dir, treeOf(map[string]string{"a.yaml": "2"}), WriteOptions{Partial: true})

	require.NoError(t, err)
	assert.Equal(t, Result{Updated: []string{"a.yaml"}}, res)
	assert.Equal(t, beforeOutside, snapshot(t, outside))
	ix, err := ReadIndex(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.yaml", "dev/x.yaml", "gone.yaml"}, ix.Files)

	// The full write does look, and refuses the symlink.
	_, err = Write(dir, treeOf(map[string]string{"a.yaml": "2"}), WriteOptions{})
	var se *SymlinkError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "dev", se.Path)
}
