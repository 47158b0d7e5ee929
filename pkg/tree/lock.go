package tree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DirLock is a held lock on an output directory; see LockDir.
type DirLock struct {
	// Stale is the process id a previous holder recorded in the lock and left
	// behind when it died without unlocking (killed, or crashed): LockDir took
	// the lock over from it. 0 when the lock was free.
	Stale int

	dir  string
	name string   // the lock file
	file *os.File // open while held
	made []string // directories LockDir created for dir, outermost first
}

// LockDir takes the lock that keeps two runs from writing into dir at the
// same time, or fails with a *LockedError naming the run that holds it. It
// does not wait: a second compile into the same folder is a mistake to
// report, not something to queue.
//
// The lock is the file LockFile in dir, holding the holder's process id and
// host name. dir is created, with its parents, if it is missing, so that a
// new folder can be locked too; Unlock removes what LockDir created if
// nothing else was put there. Where the system has flock (Linux, macOS, the
// BSDs) the lock is held on the open file, so the system releases it when
// the holder exits however it exits; a lock file left behind by a holder
// that was killed is then taken over, and Stale says from whom. Elsewhere
// the lock is the file's existence, and one left behind must be removed by
// hand; the *LockedError says so.
//
// A symlink in place of the lock file is refused with a *SymlinkError, as
// every path inside dir is.
func LockDir(dir string) (*DirLock, error) {
	if dir == "" {
		return nil, errors.New("output directory not set")
	}
	l := &DirLock{dir: dir, name: filepath.Join(dir, LockFile)}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if l.made, err = makeDirs(dir); err != nil {
			l.removeMade()
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("output directory %q is not a directory", dir)
	}
	if fi, err := os.Lstat(l.name); err == nil {
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, &SymlinkError{Path: LockFile}
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("cannot lock output directory %q: %s is not a regular file", dir, LockFile)
		}
	}

	f, before, err := acquire(l.name)
	if err != nil {
		l.removeMade()
		var le *LockedError
		if errors.As(err, &le) {
			le.Dir = dir
			le.PID, le.Host = parseHolder(awaitHolder(l.name, before))
			return nil, le
		}
		return nil, fmt.Errorf("cannot lock output directory %q: %w", dir, err)
	}
	l.file = f
	// Whatever the file still says is from a holder that is gone: a live one
	// would hold the lock.
	l.Stale, _ = parseHolder(before)
	if err := l.record(); err != nil {
		_ = l.Unlock()
		return nil, fmt.Errorf("cannot lock output directory %q: %w", dir, err)
	}
	return l, nil
}

// Unlock releases the lock and removes the lock file, then the directories
// LockDir created if they are still empty (the run failed before writing
// anything). Unlocking a lock that is not held does nothing.
func (l *DirLock) Unlock() error {
	if l == nil || l.file == nil {
		return nil
	}
	err := release(l.file, l.name)
	l.file = nil
	l.removeMade()
	if err != nil {
		return fmt.Errorf("cannot unlock output directory %q: %w", l.dir, err)
	}
	return nil
}

// record writes the holder's identity into the held lock file, for the
// *LockedError of a run that finds it held and for the Stale of one that
// finds it left behind.
func (l *DirLock) record() error {
	host, _ := os.Hostname()
	data := "pid " + strconv.Itoa(os.Getpid()) + "\n"
	if host != "" && !strings.ContainsAny(host, "\n\r") {
		data += "host " + host + "\n"
	}
	if err := l.file.Truncate(0); err != nil {
		return err
	}
	_, err := l.file.WriteAt([]byte(data), 0)
	return err
}

func (l *DirLock) removeMade() {
	for _, d := range slices.Backward(l.made) {
		if os.Remove(d) != nil {
			return // not empty: the run wrote into it, keep it and its parents
		}
	}
	l.made = nil
}

// parseHolder reads what record wrote. Anything else (an empty file, whose
// holder has not recorded itself yet, or garbage) gives 0 and "". The host is
// only returned when it is not this one.
func parseHolder(data []byte) (pid int, host string) {
	for line := range strings.Lines(string(data)) {
		key, value, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch key {
		case "pid":
			if n, err := strconv.Atoi(value); err == nil && n > 0 {
				pid = n
			}
		case "host":
			host = value
		}
	}
	if me, err := os.Hostname(); err == nil && me == host {
		host = ""
	}
	return pid, host
}

// awaitHolder returns what the holder of a busy lock recorded. A holder
// records itself right after it takes the lock; one that is caught in
// between gets a moment, so that the error can name it.
func awaitHolder(name string, data []byte) []byte {
	for deadline := time.Now().Add(time.Second); len(data) == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		var err error
		if data, err = os.ReadFile(name); err != nil {
			return nil // gone, or unreadable: the holder stays unnamed
		}
	}
	return data
}

// readHolder reads the start of an open lock file, enough for parseHolder.
func readHolder(f *os.File) []byte {
	data, _ := io.ReadAll(io.NewSectionReader(f, 0, 512))
	return data
}

// makeDirs creates dir and whichever of its parents are missing, with an
// explicit mode so that it does not depend on the umask, and returns the
// ones it created, outermost first. A directory that appears meanwhile (a
// concurrent run creating the same folder) is not an error, and not counted.
func makeDirs(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break // exists, or Mkdir below will say why not
		}
		missing = append(missing, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	var made []string
	for _, d := range slices.Backward(missing) {
		if err := os.Mkdir(d, 0o755); err != nil {
			if errors.Is(err, fs.ErrExist) {
				if fi, serr := os.Stat(d); serr == nil && fi.IsDir() {
					continue
				}
			}
			return made, fmt.Errorf("cannot create output directory: %w", err)
		}
		made = append(made, d)
		if err := os.Chmod(d, 0o755); err != nil {
			return made, fmt.Errorf("cannot create output directory: %w", err)
		}
	}
	return made, nil
}
