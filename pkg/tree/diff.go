package tree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// diffContext is the number of unchanged lines shown around a change, as in
// git and diff -u.
const diffContext = 3

// DiffOptions control Diff.
type DiffOptions struct {
	// Partial says that t is only part of what dir holds, as
	// WriteOptions.Partial does for Write: files the index lists and t lacks
	// are not drift, since such a write would keep them.
	Partial bool
}

// Diff compares t with what is in dir, in the terms Write uses: it looks at
// every path of t and every path the index in dir lists, so a file that was
// generated before and is not any more counts as drift (Write would remove
// it), unless opts.Partial is set. Files in dir that are neither in t nor in
// the index are the user's and are ignored. dir need not exist.
//
// It returns the unified diffs from dir to t, one per differing file, sorted
// by path, and whether anything differs. A symlink on the way to a compared
// file is a *SymlinkError, as in Write.
func Diff(dir string, t Tree, opts DiffOptions) (string, bool, error) {
	if err := t.Check(); err != nil {
		return "", false, err
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Everything is to be added; the lookups below all find nothing.
	case err != nil:
		return "", false, fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return "", false, fmt.Errorf("output directory %q is not a directory", dir)
	}
	ix, err := ReadIndex(dir)
	if err != nil {
		return "", false, err
	}
	paths := t.Paths()
	if !opts.Partial {
		paths = union(ix.Files, paths)
	}
	fsys := &lister{dir: dir, kinds: map[string]kind{}}
	var out strings.Builder
	for _, rel := range paths {
		want, generated := t[rel]
		have, exists, err := fsys.read(rel, generated)
		if err != nil {
			return "", false, err
		}
		if !exists && !generated {
			continue // generated once, already gone: nothing for Write to do
		}
		out.WriteString(fileDiff(rel, have, exists, want, generated))
	}
	return out.String(), out.Len() > 0, nil
}

// read returns the content of rel in the directory, and whether it is there
// as a regular file. A directory or device in place of a file that is to be
// generated is an error, as it would be for Write; in place of a file that
// is no longer generated it is simply not that file any more.
func (l *lister) read(rel string, generated bool) ([]byte, bool, error) {
	blocker, k, err := l.blockingParent(rel)
	if err != nil {
		return nil, false, err
	}
	switch k {
	case kindSymlink:
		return nil, false, &SymlinkError{Path: blocker}
	case kindMissing, kindFile, kindOther:
		return nil, false, nil
	}
	k, err = l.kind(rel)
	if err != nil {
		return nil, false, err
	}
	switch k {
	case kindMissing:
		return nil, false, nil
	case kindSymlink:
		return nil, false, &SymlinkError{Path: rel}
	case kindDir, kindOther:
		if generated {
			return nil, false, fmt.Errorf("cannot compare %q: it exists and is not a regular file", rel)
		}
		return nil, false, nil
	}
	data, err := os.ReadFile(l.path(rel))
	if err != nil {
		return nil, false, fmt.Errorf("cannot read %q: %w", rel, err)
	}
	return data, true, nil
}

// UnifiedDiff returns the unified diff of the file at path from old to new,
// with git-style headers ("--- a/PATH", "+++ b/PATH") and 3 lines of context,
// or "" if they are equal. A nil old or new stands for a missing file and is
// shown as /dev/null; use an empty, non-nil slice for an empty file. A last
// line without a newline is marked as git marks it, and content with a NUL
// byte is reported as binary rather than diffed.
func UnifiedDiff(path string, old, new []byte) string {
	return fileDiff(path, old, old != nil, new, new != nil)
}

func fileDiff(path string, old []byte, oldExists bool, new []byte, newExists bool) string {
	if oldExists == newExists && bytes.Equal(old, new) {
		return ""
	}
	from, to := "a/"+path, "b/"+path
	if !oldExists {
		from = "/dev/null"
	}
	if !newExists {
		to = "/dev/null"
	}
	if bytes.IndexByte(old, 0) >= 0 || bytes.IndexByte(new, 0) >= 0 {
		return fmt.Sprintf("Binary files %s and %s differ\n", from, to)
	}
	var b strings.Builder
	b.WriteString("--- " + from + "\n+++ " + to + "\n")
	a, z := splitLines(old), splitLines(new)
	if len(a) == 0 && len(z) == 0 {
		return b.String() // an empty file created or deleted: no hunk to show
	}
	// Without autojunk: it treats lines that repeat often, such as YAML's
	// "---" and "metadata:", as noise and gives needlessly large hunks.
	m := difflib.NewMatcherWithJunk(a, z, false, nil)
	for _, group := range m.GetGroupedOpCodes(diffContext) {
		first, last := group[0], group[len(group)-1]
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(first.I1, last.I2), hunkRange(first.J1, last.J2))
		for _, op := range group {
			if op.Tag == 'e' {
				writeLines(&b, ' ', a[op.I1:op.I2])
				continue
			}
			if op.Tag == 'r' || op.Tag == 'd' {
				writeLines(&b, '-', a[op.I1:op.I2])
			}
			if op.Tag == 'r' || op.Tag == 'i' {
				writeLines(&b, '+', z[op.J1:op.J2])
			}
		}
	}
	return b.String()
}

// splitLines splits content into lines that keep their "\n". A last line
// without one gets git's marker instead, so that it differs from the same
// text with a newline and the diff shows why.
func splitLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(data), "\n")
	if last := lines[len(lines)-1]; last == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] = last + "\n\\ No newline at end of file\n"
	}
	return slices.Clip(lines)
}

func writeLines(b *strings.Builder, prefix byte, lines []string) {
	for _, l := range lines {
		b.WriteByte(prefix)
		b.WriteString(l)
	}
}

// hunkRange formats the 0-based half-open line range [start, stop) the way
// unified diffs number lines: 1-based "first,count", just "first" for one
// line, and for no lines the line before the gap with a count of 0.
func hunkRange(start, stop int) string {
	switch n := stop - start; n {
	case 0:
		return strconv.Itoa(start) + ",0"
	case 1:
		return strconv.Itoa(start + 1)
	default:
		return strconv.Itoa(start+1) + "," + strconv.Itoa(n)
	}
}
