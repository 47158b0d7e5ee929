package tree

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	// IndexFile is the name of the index that Write keeps at the top of the
	// output directory. It has no .yaml or .json extension on purpose, so that
	// tools which apply every manifest in a directory leave it alone.
	IndexFile = ".rocketops-index"

	// LockFile is the name of the lock LockDir keeps at the top of the output
	// directory while a run writes it. It is reserved like IndexFile; it only
	// exists while a run is going on, or after one was killed.
	LockFile = ".rocketops-lock"

	// TempPrefix starts the name of every temporary file Write creates. Files
	// with this prefix are left over from an interrupted write, and the next
	// write deletes them, so the prefix is reserved.
	TempPrefix = ".rocketops-tmp-"
)

// Tree is a set of generated files: clean, slash-separated relative path to
// content.
type Tree map[string][]byte

// Paths returns the paths of t, sorted.
func (t Tree) Paths() []string {
	return slices.Sorted(maps.Keys(t))
}

// Check rejects paths that are hostile or malformed: empty, absolute, with a
// drive letter, "." or ".." or empty segments, backslashes, NUL or other
// control characters, segments with leading or trailing spaces, anything
// inside a .git directory, the reserved IndexFile, LockFile and TempPrefix
// names, two paths that differ only in letter case (they collide on macOS and
// Windows), and a path that is also the directory of another path ("a" and
// "a/b").
// The error names every offending path; each part is an *InvalidPathError.
func (t Tree) Check() error {
	paths := t.Paths()
	var errs []error
	folded := make(map[string]string, len(paths)) // lower-cased path -> path
	for _, p := range paths {
		if err := checkPath(p); err != nil {
			errs = append(errs, err)
			continue
		}
		low := strings.ToLower(p)
		if other, ok := folded[low]; ok {
			errs = append(errs, &InvalidPathError{Path: p, Reason: fmt.Sprintf(
				"differs from %q only in letter case, which case-insensitive file systems cannot hold", other)})
			continue
		}
		folded[low] = p
	}
	reported := map[string]bool{}
	for _, p := range paths {
		if _, ok := folded[strings.ToLower(p)]; !ok {
			continue // already reported as invalid
		}
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			file, ok := folded[strings.ToLower(dir)]
			if ok && !reported[file] {
				reported[file] = true
				errs = append(errs, &InvalidPathError{Path: file, Reason: fmt.Sprintf(
					"is a file, but %q needs it to be a directory", p)})
				break
			}
		}
	}
	return errors.Join(errs...)
}

// checkPath checks one path on its own; Check adds the checks that need the
// whole set. The index reader uses it too, because a tampered index must not
// be able to make Write delete files outside the output directory.
func checkPath(p string) error {
	bad := func(format string, args ...any) error {
		return &InvalidPathError{Path: p, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case p == "":
		return bad("is empty")
	case !utf8.ValidString(p):
		return bad("is not valid UTF-8")
	case strings.HasPrefix(p, "/"):
		return bad("is absolute")
	case len(p) >= 2 && p[1] == ':' && isASCIILetter(p[0]):
		return bad("starts with a drive letter")
	}
	for _, r := range p {
		switch {
		case r == 0:
			return bad("contains a NUL byte")
		case r == '\\':
			return bad("contains a backslash; use forward slashes")
		case r < 0x20 || r == 0x7f:
			return bad("contains a control character")
		}
	}
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "":
			return bad("has an empty segment")
		case seg == "..":
			return bad(`contains ".."`)
		case seg == ".":
			return bad("is not clean (want %q)", path.Clean(p))
		case strings.TrimSpace(seg) != seg:
			return bad("has a segment that starts or ends with a space")
		case strings.EqualFold(seg, ".git"):
			return bad("is inside a .git directory")
		case strings.HasPrefix(strings.ToLower(seg), TempPrefix):
			return bad("uses the reserved prefix %q", TempPrefix)
		}
	}
	if strings.EqualFold(p, IndexFile) {
		return bad("is the reserved index file name")
	}
	if strings.EqualFold(p, LockFile) {
		return bad("is the reserved lock file name")
	}
	if path.Clean(p) != p {
		// Unreachable with the segment checks above; kept so that the
		// definition "clean" never depends on getting that list complete.
		return bad("is not clean (want %q)", path.Clean(p))
	}
	return nil
}

func isASCIILetter(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
