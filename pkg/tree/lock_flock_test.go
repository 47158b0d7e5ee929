//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package tree

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockChildEnv, when set, makes TestLockDirAcrossProcesses act as the child:
// it locks the directory named by the variable, says so, and waits to be
// killed.
const lockChildEnv = "ROCKETOPS_TREE_LOCK_CHILD_DIR"

// The lock keeps out another process while its holder lives, and once the
// holder is killed (no chance to unlock) the next run takes it over and says
// from whom.
func TestLockDirAcrossProcesses(t *testing.T) {
	if dir := os.Getenv(lockChildEnv); dir != "" {
		_, err := LockDir(dir)
		require.NoError(t, err)
		fmt.Println("locked")
		time.Sleep(time.Hour) // until killed
	}

	dir := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDirAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)

	_, err = LockDir(dir)
	var le *LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, &LockedError{Dir: dir, PID: cmd.Process.Pid}, le)

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	data, err := os.ReadFile(filepath.Join(dir, LockFile))
	require.NoError(t, err, "a killed holder cannot remove its lock file")
	require.Contains(t, string(data), "pid "+strconv.Itoa(cmd.Process.Pid)+"\n")

	l, err := LockDir(dir)
	require.NoError(t, err, "the system released the dead holder's lock")
	assert.Equal(t, cmd.Process.Pid, l.Stale)
	require.NoError(t, l.Unlock())
	assert.NoFileExists(t, filepath.Join(dir, LockFile))
}

// A lock file left behind (here written by hand, as a crash leaves it) is
// taken over whatever it says, since nobody holds the lock on it.
func TestLockDirTakesOverStaleLock(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		stale int
	}{
		{name: "from this host", data: "pid 4000001\nhost " + hostname(t) + "\n", stale: 4000001},
		{name: "from another host", data: "pid 17\nhost elsewhere\n", stale: 17},
		{name: "empty", data: "", stale: 0},
		{name: "garbage", data: "\x00\x01 not a lock\n", stale: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{LockFile: tc.data})

			l, err := LockDir(dir)

			require.NoError(t, err)
			assert.Equal(t, tc.stale, l.Stale)
			data, err := os.ReadFile(filepath.Join(dir, LockFile))
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("pid %d\nhost %s\n", os.Getpid(), hostname(t)), string(data), "the new holder replaced the record")
			require.NoError(t, l.Unlock())
			assert.NoFileExists(t, filepath.Join(dir, LockFile))
		})
	}
}

func hostname(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	require.NoError(t, err)
	return h
}
