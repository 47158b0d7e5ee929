package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxTracked is the largest file the repository may track outside golden/.
const maxTracked = 1 << 20

// TestRepositoryTracksNoBinaries: a built binary committed by mistake is worse than useless (one that
// did nothing and exited 0 once made `./rocketops diff` pass in CI without checking anything), and
// large files belong elsewhere. Executables must be scripts (#!), and only golden/ may hold files
// over 1 MiB.
func TestRepositoryTracksNoBinaries(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	out, err := exec.Command("git", "-C", root, "ls-files", "-s", "-z").Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("git ls-files: %v", err)
		}
		t.Skipf("not a git checkout: %v", err)
	}
	files := 0
	for _, entry := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		// "<mode> <object> <stage>\t<path>"
		meta, path, ok := strings.Cut(entry, "\t")
		require.True(t, ok, "git ls-files entry %q", entry)
		files++
		mode := strings.Fields(meta)[0]
		data, err := os.ReadFile(filepath.Join(root, path))
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet committed
		}
		require.NoError(t, err)
		problems := trackedProblems(path, mode, data)
		assert.Empty(t, problems, "%s", path)
	}
	assert.Greater(t, files, 10, "git listed the repository's files")
}

// trackedProblems says what is wrong with one tracked file.
func trackedProblems(path, mode string, data []byte) []string {
	var out []string
	if mode == "100755" && !bytes.HasPrefix(data, []byte("#!")) {
		out = append(out, "an executable that is not a script")
	}
	for _, magic := range [][]byte{{0x7f, 'E', 'L', 'F'}, {0xcf, 0xfa, 0xed, 0xfe}, {'M', 'Z'}} {
		if bytes.HasPrefix(data, magic) {
			out = append(out, "a compiled binary")
		}
	}
	if len(data) > maxTracked && !strings.HasPrefix(path, "golden/") {
		out = append(out, "over 1 MiB outside golden/")
	}
	return out
}

func TestTrackedProblems(t *testing.T) {
	tests := []struct {
		name, path, mode string
		data             []byte
		want             int
	}{
		{"a script", ".ci/run", "100755", []byte("#!/usr/bin/env bash\n"), 0},
		{"source", "pkg/x.go", "100644", []byte("package x\n"), 0},
		{"an ELF binary at the root", "rocketops", "100755", []byte{0x7f, 'E', 'L', 'F', 2, 1}, 2},
		{"an ELF binary without its executable bit", "bin/tool", "100644", []byte{0x7f, 'E', 'L', 'F'}, 1},
		{"a big file", "data.json", "100644", bytes.Repeat([]byte("x"), maxTracked+1), 1},
		{"a big golden file", "golden/big/output/rendered/prod/manifest.yaml", "100644", bytes.Repeat([]byte("x"), maxTracked+1), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Len(t, trackedProblems(tc.path, tc.mode, tc.data), tc.want)
		})
	}
}
