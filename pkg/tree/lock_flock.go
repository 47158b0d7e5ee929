//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package tree

import (
	"errors"
	"os"
	"syscall"
)

// lockTakesOver says whether a lock left behind by a dead holder is taken
// over (flock: the system released it) or must be removed by hand.
const lockTakesOver = true

// acquire opens the lock file, creating it if needed, and takes an exclusive
// flock on it without waiting. It returns the open file and what the file
// said before, or a *LockedError (without Dir) and what the holder recorded.
func acquire(name string) (*os.File, []byte, error) {
	// A few rounds at most: each retry means another run removed or replaced
	// the file between our open and our flock, and has finished since.
	for range 5 {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
		if errors.Is(err, syscall.ELOOP) {
			return nil, nil, &SymlinkError{Path: LockFile}
		}
		if err != nil {
			return nil, nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			holder := readHolder(f)
			_ = f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, holder, &LockedError{}
			}
			return nil, nil, err
		}
		// The holder before us removes the file while it still holds the
		// lock; if it did so after our open, we now hold a lock on a file
		// that is no longer there, and someone may have made a new one.
		fi, ferr := f.Stat()
		ni, nerr := os.Lstat(name)
		if ferr == nil && nerr == nil && os.SameFile(fi, ni) {
			return f, readHolder(f), nil
		}
		_ = f.Close()
	}
	return nil, nil, errors.New("the lock file keeps being replaced; is another rocketops running?")
}

// release empties and removes the lock file while it is still held, then
// releases the lock by closing it. Emptied first, so that a run that opened
// the file just before the removal does not take our pid for a stale one.
func release(f *os.File, name string) error {
	err := f.Truncate(0)
	if fi, ferr := f.Stat(); ferr == nil {
		if ni, nerr := os.Lstat(name); nerr == nil && os.SameFile(fi, ni) {
			if rerr := os.Remove(name); err == nil {
				err = rerr
			}
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
