package tree

import (
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTreePaths(t *testing.T) {
	tr := treeOf(map[string]string{"b/x.yaml": "", "a.yaml": "", "a-b/c.yaml": "", "a/z.yaml": ""})
	assert.Equal(t, []string{"a-b/c.yaml", "a.yaml", "a/z.yaml", "b/x.yaml"}, tr.Paths())
	assert.Empty(t, Tree(nil).Paths())
}

func TestTreeCheck(t *testing.T) {
	tests := []struct {
		name    string
		paths   []string
		bad     []string // paths the error must name; none means valid
		message string   // part of the message
	}{
		{name: "empty tree", paths: nil},
		{name: "plain paths", paths: []string{"kustomization.yaml", "base/broker/sts.yaml", "base/name srv.yaml", "a-b/c", "a/b"}},
		{name: "dot files are fine", paths: []string{".gitignore", "base/.keep"}},
		{name: "empty path", paths: []string{""}, bad: []string{""}, message: "is empty"},
		{name: "absolute", paths: []string{"/etc/passwd"}, bad: []string{"/etc/passwd"}, message: "is absolute"},
		{name: "drive letter", paths: []string{"C:/x.yaml"}, bad: []string{"C:/x.yaml"}, message: "drive letter"},
		{name: "dot dot at start", paths: []string{"../x.yaml"}, bad: []string{"../x.yaml"}, message: `contains ".."`},
		{name: "dot dot inside", paths: []string{"a/../../x"}, bad: []string{"a/../../x"}, message: `contains ".."`},
		{name: "dot segment", paths: []string{"a/./b"}, bad: []string{"a/./b"}, message: `not clean (want "a/b")`},
		{name: "leading dot slash", paths: []string{"./a"}, bad: []string{"./a"}, message: "not clean"},
		{name: "double slash", paths: []string{"a//b"}, bad: []string{"a//b"}, message: "empty segment"},
		{name: "trailing slash", paths: []string{"a/"}, bad: []string{"a/"}, message: "empty segment"},
		{name: "backslash", paths: []string{`a\b.yaml`}, bad: []string{`a\b.yaml`}, message: "backslash"},
		{name: "NUL", paths: []string{"a\x00b"}, bad: []string{"a\x00b"}, message: "NUL"},
		{name: "newline", paths: []string{"a\nfile b"}, bad: []string{"a\nfile b"}, message: "control character"},
		{name: "invalid UTF-8", paths: []string{"a\xffb"}, bad: []string{"a\xffb"}, message: "UTF-8"},
		{name: "trailing space", paths: []string{"a /b"}, bad: []string{"a /b"}, message: "space"},
		{name: ".git", paths: []string{".git/hooks/pre-commit"}, bad: []string{".git/hooks/pre-commit"}, message: ".git"},
		{name: ".GIT deeper", paths: []string{"x/.GIT/config"}, bad: []string{"x/.GIT/config"}, message: ".git"},
		{name: "index name", paths: []string{IndexFile}, bad: []string{IndexFile}, message: "reserved"},
		{name: "temp prefix", paths: []string{"a/" + TempPrefix + "1"}, bad: []string{"a/" + TempPrefix + "1"}, message: "reserved prefix"},
		{name: "file and directory", paths: []string{"a", "a/b", "a/c"}, bad: []string{"a"}, message: `is a file, but "a/b" needs it to be a directory`},
		{name: "file and deep directory", paths: []string{"a/b", "a/b/c/d"}, bad: []string{"a/b"}, message: "needs it to be a directory"},
		{name: "case collision", paths: []string{"A.yaml", "a.yaml"}, bad: []string{"a.yaml"}, message: `differs from "A.yaml" only in letter case`},
		{name: "every bad path named", paths: []string{"ok.yaml", "/abs", "x/../y"}, bad: []string{"/abs", "x/../y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := Tree{}
			for _, p := range tc.paths {
				tr[p] = []byte("x")
			}
			err := tr.Check()
			if len(tc.bad) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var ipe *InvalidPathError
			require.ErrorAs(t, err, &ipe)
			for _, p := range tc.bad {
				assert.Contains(t, err.Error(), "invalid path "+strconv.Quote(p))
			}
			assert.Contains(t, err.Error(), tc.message)
			// Every part is an *InvalidPathError, for callers that list them.
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				assert.Len(t, joined.Unwrap(), len(tc.bad))
				for _, e := range joined.Unwrap() {
					assert.True(t, errors.As(e, &ipe))
				}
			}
		})
	}
}
