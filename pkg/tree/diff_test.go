package tree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnifiedDiff(t *testing.T) {
	lines := func(ls ...string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }
	fifteen := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"}
	changed := append([]string{}, fifteen...)
	changed[1], changed[13] = "TWO", "FOURTEEN"
	tests := []struct {
		name     string
		old, new []byte
		want     string
	}{
		{name: "identical", old: lines("a", "b"), new: lines("a", "b"), want: ""},
		{name: "both missing", old: nil, new: nil, want: ""},
		{
			name: "one line changed, context limited to 3",
			old:  lines("1", "2", "3", "4", "5", "6", "7", "8"),
			new:  lines("1", "2", "3", "4", "FIVE", "6", "7", "8"),
			want: "--- a/x.yaml\n+++ b/x.yaml\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n",
		},
		{
			name: "distant changes make two hunks",
			old:  lines(fifteen...),
			new:  lines(changed...),
			want: "--- a/x.yaml\n+++ b/x.yaml\n" +
				"@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n" +
				"@@ -11,5 +11,5 @@\n 11\n 12\n 13\n-14\n+FOURTEEN\n 15\n",
		},
		{
			name: "new file",
			old:  nil,
			new:  lines("x"),
			want: "--- /dev/null\n+++ b/x.yaml\n@@ -0,0 +1 @@\n+x\n",
		},
		{
			name: "deleted file",
			old:  lines("x", "y"),
			new:  nil,
			want: "--- a/x.yaml\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n",
		},
		{
			name: "empty file created",
			old:  nil,
			new:  []byte{},
			want: "--- /dev/null\n+++ b/x.yaml\n",
		},
		{
			name: "empty file filled",
			old:  []byte{},
			new:  lines("x"),
			want: "--- a/x.yaml\n+++ b/x.yaml\n@@ -0,0 +1 @@\n+x\n",
		},
		{
			name: "missing newline at end",
			old:  []byte("a\nb"),
			new:  lines("a", "b", "c"),
			want: "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n",
		},
		{
			name: "only the final newline differs",
			old:  lines("a"),
			new:  []byte("a"),
			want: "--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n",
		},
		{
			name: "binary",
			old:  []byte("a\x00b"),
			new:  []byte("a\x00c"),
			want: "Binary files a/x.yaml and b/x.yaml differ\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, UnifiedDiff("x.yaml", tc.old, tc.new))
		})
	}
}

// Repeated lines, such as YAML's "---", must not make the diff coarser than
// needed (difflib's autojunk heuristic would, past 200 lines).
func TestUnifiedDiffRepetitiveFile(t *testing.T) {
	var old, new strings.Builder
	for i := range 150 {
		old.WriteString("---\nkind: ConfigMap\n")
		new.WriteString("---\nkind: ConfigMap\n")
		if i == 75 {
			new.WriteString("extra: true\n")
		}
	}
	got := UnifiedDiff("m.yaml", []byte(old.String()), []byte(new.String()))
	assert.Equal(t, "--- a/m.yaml\n+++ b/m.yaml\n@@ -150,6 +150,7 @@\n"+
		" kind: ConfigMap\n ---\n kind: ConfigMap\n+extra: true\n ---\n kind: ConfigMap\n ---\n", got)
}

func TestDiff(t *testing.T) {
	previous := map[string]string{
		"same.yaml":     "same\n",
		"changed.yaml":  "one\ntwo\nthree\n",
		"gone.yaml":     "gone\n",
		"sub/gone.yaml": "gone too\n",
		"deleted.yaml":  "deleted by the user\n",
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		tree    map[string]string
		want    string
		differs bool
	}{
		{
			name:    "missing directory: everything is added",
			setup:   func(t *testing.T, dir string) { require.NoError(t, os.Remove(dir)) },
			tree:    map[string]string{"b.yaml": "b\n", "a/x.yaml": "x\n"},
			want:    "--- /dev/null\n+++ b/a/x.yaml\n@@ -0,0 +1 @@\n+x\n--- /dev/null\n+++ b/b.yaml\n@@ -0,0 +1 @@\n+b\n",
			differs: true,
		},
		{
			name: "up to date, user files ignored",
			setup: func(t *testing.T, dir string) {
				mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "a\n", "sub/b.yaml": "b\n"}), WriteOptions{})
				writeFiles(t, dir, map[string]string{"user.yaml": "mine\n", "sub/notes.txt": "x"})
			},
			tree: map[string]string{"a.yaml": "a\n", "sub/b.yaml": "b\n"},
		},
		{
			name: "added, removed, changed and unchanged",
			setup: func(t *testing.T, dir string) {
				mustWrite(t, dir, treeOf(previous), WriteOptions{})
				require.NoError(t, os.Remove(filepath.Join(dir, "deleted.yaml")))
				writeFiles(t, dir, map[string]string{"user.yaml": "mine\n"})
			},
			tree: map[string]string{
				"same.yaml":    "same\n",
				"changed.yaml": "one\n2\nthree\n",
				"new/n.yaml":   "new\n",
			},
			want: "--- a/changed.yaml\n+++ b/changed.yaml\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n" +
				"--- a/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n" +
				"--- /dev/null\n+++ b/new/n.yaml\n@@ -0,0 +1 @@\n+new\n" +
				"--- a/sub/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone too\n",
			differs: true,
		},
		{
			name: "generated file edited by hand",
			setup: func(t *testing.T, dir string) {
				mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "a\n"}), WriteOptions{})
				writeFiles(t, dir, map[string]string{"a.yaml": "hand edit\n"})
			},
			tree:    map[string]string{"a.yaml": "a\n"},
			want:    "--- a/a.yaml\n+++ b/a.yaml\n@@ -1 +1 @@\n-hand edit\n+a\n",
			differs: true,
		},
		{
			name:    "user file where a generated one goes",
			setup:   func(t *testing.T, dir string) { writeFiles(t, dir, map[string]string{"a.yaml": "mine\n"}) },
			tree:    map[string]string{"a.yaml": "a\n"},
			want:    "--- a/a.yaml\n+++ b/a.yaml\n@@ -1 +1 @@\n-mine\n+a\n",
			differs: true,
		},
		{
			name: "only the index differs in meta: no drift",
			setup: func(t *testing.T, dir string) {
				mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "a\n"}), WriteOptions{Meta: map[string]string{"digest": "old"}})
			},
			tree: map[string]string{"a.yaml": "a\n"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			before := snapshot(t, filepath.Dir(dir))

			got, differs, err := Diff(dir, treeOf(tc.tree), DiffOptions{})

			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.differs, differs)
			assert.Equal(t, before, snapshot(t, filepath.Dir(dir)), "Diff only reads")

			// Whatever Diff reports is what Write changes: afterwards no drift.
			_, err = Write(dir, treeOf(tc.tree), WriteOptions{Force: true})
			require.NoError(t, err)
			got, differs, err = Diff(dir, treeOf(tc.tree), DiffOptions{})
			require.NoError(t, err)
			assert.Empty(t, got)
			assert.False(t, differs)
		})
	}
}

func TestDiffErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) string
		tree    Tree
		message string
	}{
		{
			name: "output directory is a file",
			setup: func(t *testing.T, dir string) string {
				writeFiles(t, dir, map[string]string{"f": ""})
				return filepath.Join(dir, "f")
			},
			tree:    Tree{},
			message: "is not a directory",
		},
		{
			name:    "hostile path",
			setup:   func(t *testing.T, dir string) string { return dir },
			tree:    treeOf(map[string]string{"../x": ""}),
			message: `invalid path "../x": contains ".."`,
		},
		{
			name: "directory where a generated file goes",
			setup: func(t *testing.T, dir string) string {
				require.NoError(t, os.Mkdir(filepath.Join(dir, "a.yaml"), 0o755))
				return dir
			},
			tree:    treeOf(map[string]string{"a.yaml": ""}),
			message: `cannot compare "a.yaml": it exists and is not a regular file`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Diff(tc.setup(t, t.TempDir()), tc.tree, DiffOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.message)
		})
	}
}

// A partial diff is what a partial write would change: files of the index
// that the tree lacks are not drift.
func TestDiffPartial(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, treeOf(map[string]string{"base.yaml": "b\n", "dev.yaml": "d\n", "prod.yaml": "p\n"}), WriteOptions{})
	prod := treeOf(map[string]string{"base.yaml": "b\n", "prod.yaml": "p2\n"})

	got, differs, err := Diff(dir, prod, DiffOptions{Partial: true})
	require.NoError(t, err)
	assert.True(t, differs)
	assert.Equal(t, "--- a/prod.yaml\n+++ b/prod.yaml\n@@ -1 +1 @@\n-p\n+p2\n", got)

	got, _, err = Diff(dir, prod, DiffOptions{})
	require.NoError(t, err)
	assert.Equal(t, "--- a/dev.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-d\n"+
		"--- a/prod.yaml\n+++ b/prod.yaml\n@@ -1 +1 @@\n-p\n+p2\n", got, "a full diff counts dev.yaml, which a full write removes")

	_, err = Write(dir, prod, WriteOptions{Partial: true})
	require.NoError(t, err)
	got, differs, err = Diff(dir, prod, DiffOptions{Partial: true})
	require.NoError(t, err)
	assert.False(t, differs, got)
	assert.FileExists(t, filepath.Join(dir, "dev.yaml"))
}
