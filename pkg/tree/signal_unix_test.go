//go:build unix

package tree

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signalChildEnv, when set, makes TestWriteHoldsSignalsDuringCommit act as
// the child process: it writes into the directory named by the variable and
// interrupts itself during the commit.
const signalChildEnv = "ROCKETOPS_TREE_SIGNAL_CHILD_DIR"

// Rule 1: SIGINT during the commit phase does not stop it halfway; the
// process dies of it only after the directory is consistent.
//
// This needs a process of its own: without Write's handler, SIGINT kills the
// process on the spot, which is exactly the failure the test must be able to
// see.
func TestWriteHoldsSignalsDuringCommit(t *testing.T) {
	tr := Tree{}
	for i := range 20 {
		tr[fmt.Sprintf("f%02d.yaml", i)] = []byte(fmt.Sprintf("file %d\n", i))
	}

	if dir := os.Getenv(signalChildEnv); dir != "" {
		self, err := os.FindProcess(os.Getpid())
		require.NoError(t, err)
		renames := 0
		_, err = write(dir, tr, WriteOptions{}, hooks{rename: func(string) error {
			renames++
			if renames == 1 {
				require.NoError(t, self.Signal(os.Interrupt))
				time.Sleep(200 * time.Millisecond) // an unhandled SIGINT kills well within this
			}
			return nil
		}})
		require.NoError(t, err)
		time.Sleep(2 * time.Second) // the re-raised SIGINT should end us here
		fmt.Println("child survived its own SIGINT")
		os.Exit(3)
	}

	dir := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteHoldsSignalsDuringCommit$", "-test.count=1")
	cmd.Env = append(os.Environ(), signalChildEnv+"="+dir)
	out, err := cmd.CombinedOutput()

	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "child must die of the re-raised signal; err=%v output:\n%s", err, out)
	status, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	require.True(t, status.Signaled(), "child exited instead of being killed: %v\n%s", err, out)
	assert.Equal(t, syscall.SIGINT, status.Signal())

	// And it died only after finishing: every file and the index are there.
	files := readTree(t, dir)
	for p, data := range tr {
		assert.Equal(t, string(data), files[p], p)
	}
	ix, err := ReadIndex(dir)
	require.NoError(t, err)
	assert.Equal(t, tr.Paths(), ix.Files)
	assert.Empty(t, temps(t, dir))
}
