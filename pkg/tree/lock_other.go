//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package tree

import (
	"errors"
	"io/fs"
	"os"
)

// lockTakesOver says whether a lock left behind by a dead holder is taken
// over or must be removed by hand: without flock the lock is the file's
// existence, and whether its holder still runs cannot be told portably.
const lockTakesOver = false

// acquire creates the lock file, failing if it exists. It returns the open
// file, or a *LockedError (without Dir) and what the holder recorded.
func acquire(name string) (*os.File, []byte, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		holder, _ := os.ReadFile(name)
		return nil, holder, &LockedError{}
	}
	if err != nil {
		return nil, nil, err
	}
	return f, nil, nil
}

// release removes the lock file.
func release(f *os.File, name string) error {
	err := f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}
