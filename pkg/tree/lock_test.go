package tree

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedMessage is the exact error a run gets for a directory this test
// process holds the lock on.
func lockedMessage(dir string) string {
	return fmt.Sprintf("output directory %q is locked by another rocketops (process %d); wait for it to finish, then run again", dir, os.Getpid())
}

// Two runs racing for one directory: exactly one gets the lock, every other
// one a *LockedError that names the directory and the holder.
func TestLockDirRace(t *testing.T) {
	const runs = 8
	dir := filepath.Join(t.TempDir(), "out")
	var (
		start   = make(chan struct{})
		tried   sync.WaitGroup // every run has had its go
		done    sync.WaitGroup
		mu      sync.Mutex
		winners []*DirLock
		errs    []error
	)
	tried.Add(runs)
	done.Add(runs)
	for range runs {
		go func() {
			defer done.Done()
			<-start
			l, err := LockDir(dir)
			mu.Lock()
			if err == nil {
				winners = append(winners, l)
			} else {
				errs = append(errs, err)
			}
			mu.Unlock()
			tried.Done()
			// The winner holds on until the others have tried, so the race
			// cannot be won twice in a row by runs that never overlapped.
			tried.Wait()
		}()
	}
	close(start)
	done.Wait()

	require.Len(t, winners, 1, "exactly one run may hold the lock; errors: %v", errs)
	require.Len(t, errs, runs-1)
	for _, err := range errs {
		var le *LockedError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, &LockedError{Dir: dir, PID: os.Getpid()}, le)
		assert.EqualError(t, err, lockedMessage(dir))
	}
	assert.Zero(t, winners[0].Stale)

	require.NoError(t, winners[0].Unlock())
	assert.NoFileExists(t, filepath.Join(dir, LockFile))
	l, err := LockDir(dir)
	require.NoError(t, err, "released, the lock is free again")
	require.NoError(t, l.Unlock())
}

func TestLockDirRecordsHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := LockDir(dir)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, LockFile))
	require.NoError(t, err)
	host, _ := os.Hostname()
	assert.Equal(t, fmt.Sprintf("pid %d\nhost %s\n", os.Getpid(), host), string(data))

	_, err = LockDir(dir)
	assert.EqualError(t, err, lockedMessage(dir))

	require.NoError(t, l.Unlock())
	require.NoError(t, l.Unlock(), "a second Unlock does nothing")
	assert.NoFileExists(t, filepath.Join(dir, LockFile))
}

func TestLockedErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  LockedError
		want string
	}{
		{name: "holder known", err: LockedError{Dir: "deploy/", PID: 42},
			want: `output directory "deploy/" is locked by another rocketops (process 42); wait for it to finish, then run again`},
		{name: "holder on another host", err: LockedError{Dir: "deploy", PID: 42, Host: "ci-7"},
			want: `output directory "deploy" is locked by another rocketops (process 42 on ci-7); wait for it to finish, then run again`},
		{name: "holder not recorded", err: LockedError{Dir: "deploy"},
			want: `output directory "deploy" is locked by another rocketops; wait for it to finish, then run again`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !lockTakesOver {
				t.Skip("the message also says to remove the lock file on this system")
			}
			assert.EqualError(t, &tc.err, tc.want)
		})
	}
}

// A lock for a folder that does not exist yet creates it, and a run that
// fails before writing anything leaves no trace of it.
func TestLockDirMissingDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "deploy", "rmq") + string(filepath.Separator)

	l, err := LockDir(dir)
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, LockFile))
	for _, d := range []string{"deploy", "deploy/rmq"} {
		fi, err := os.Stat(filepath.Join(parent, d))
		require.NoError(t, err)
		assert.Equal(t, os.ModeDir|0o755, fi.Mode(), d)
	}
	require.NoError(t, l.Unlock())
	assert.Equal(t, map[string]entry{".": snapshot(t, parent)["."]}, snapshot(t, parent), "nothing left")

	// One that wrote something keeps the folder.
	l, err = LockDir(dir)
	require.NoError(t, err)
	mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "a"}), WriteOptions{})
	require.NoError(t, l.Unlock())
	assert.Equal(t, map[string]string{"a.yaml": "a", IndexFile: indexHeader + "\nformat 2\nfile a.yaml\n"}, readTree(t, dir))
}

// Everything in the way of a lock fails before anything changes, inside the
// folder or outside it.
func TestLockDirProblems(t *testing.T) {
	// Root ignores permission bits; makeReadOnly uses chattr +i instead, which
	// fails with another errno.
	denied := "permission denied"
	if os.Geteuid() == 0 {
		denied = "operation not permitted"
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, parent, outside string) string // returns the directory to lock
		message string                                            // {dir} is that directory
	}{
		{
			name:    "no directory given",
			setup:   func(t *testing.T, parent, outside string) string { return "" },
			message: "output directory not set",
		},
		{
			name: "output directory is a file",
			setup: func(t *testing.T, parent, outside string) string {
				writeFiles(t, parent, map[string]string{"out": "x"})
				return filepath.Join(parent, "out")
			},
			message: `output directory "{dir}" is not a directory`,
		},
		{
			name: "output directory under a file",
			setup: func(t *testing.T, parent, outside string) string {
				writeFiles(t, parent, map[string]string{"file": "x"})
				return filepath.Join(parent, "file", "out")
			},
			message: "output directory: stat {dir}: not a directory",
		},
		{
			name: "lock file is a symlink out of the folder",
			setup: func(t *testing.T, parent, outside string) string {
				require.NoError(t, os.Symlink(filepath.Join(outside, "target"), filepath.Join(parent, LockFile)))
				return parent
			},
			message: `refusing to follow symlink ".rocketops-lock": generated files must stay inside the output directory`,
		},
		{
			name: "lock file is a dangling symlink",
			setup: func(t *testing.T, parent, outside string) string {
				require.NoError(t, os.Symlink(filepath.Join(outside, "nothing"), filepath.Join(parent, LockFile)))
				return parent
			},
			message: `refusing to follow symlink ".rocketops-lock": generated files must stay inside the output directory`,
		},
		{
			name: "lock file is a directory",
			setup: func(t *testing.T, parent, outside string) string {
				require.NoError(t, os.Mkdir(filepath.Join(parent, LockFile), 0o755))
				return parent
			},
			message: `cannot lock output directory "{dir}": .rocketops-lock is not a regular file`,
		},
		{
			name: "read-only output directory",
			setup: func(t *testing.T, parent, outside string) string {
				dir := filepath.Join(parent, "out")
				mustWrite(t, dir, treeOf(map[string]string{"a.yaml": "a"}), WriteOptions{})
				makeReadOnly(t, dir)
				return dir
			},
			message: `cannot lock output directory "{dir}": open {dir}/.rocketops-lock: ` + denied,
		},
		{
			name: "read-only parent of a new output directory",
			setup: func(t *testing.T, parent, outside string) string {
				require.NoError(t, os.Mkdir(filepath.Join(parent, "ro"), 0o755))
				makeReadOnly(t, filepath.Join(parent, "ro"))
				return filepath.Join(parent, "ro", "out")
			},
			message: "cannot create output directory: mkdir {dir}: " + denied,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent, outside := t.TempDir(), t.TempDir()
			writeFiles(t, outside, map[string]string{"target": "precious"})
			dir := tc.setup(t, parent, outside)
			before, beforeOutside := snapshot(t, parent), snapshot(t, outside)

			l, err := LockDir(dir)

			require.Error(t, err)
			assert.Nil(t, l)
			assert.EqualError(t, err, strings.ReplaceAll(tc.message, "{dir}", dir))
			assert.Equal(t, before, snapshot(t, parent))
			assert.Equal(t, beforeOutside, snapshot(t, outside))
		})
	}
}

// LockFile is reserved like the index: a tree cannot hold it, and a
// symlink LockDir refuses is not something Write follows either.
func TestLockFileIsReserved(t *testing.T) {
	err := treeOf(map[string]string{LockFile: "x"}).Check()
	var ipe *InvalidPathError
	require.True(t, errors.As(err, &ipe))
	assert.EqualError(t, err, `invalid path ".rocketops-lock": is the reserved lock file name`)
}
