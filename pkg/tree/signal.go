package tree

import (
	"os"
	"os/signal"
	"syscall"
)

// heldSignals are the signals a user or a supervisor sends to stop the
// program politely. Dying on one of them halfway through the renames would
// leave the output directory half old and half new.
var heldSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// holdSignals catches heldSignals until the returned release is called.
// release stops catching and raises the first caught signal again, so the
// program then reacts to it as if it had arrived just after the commit: by
// default it exits, and a program with its own handler gets it (possibly a
// second time, since handlers registered with signal.Notify also receive the
// original). Signals the program ignores are left ignored.
func holdSignals() (release func()) {
	var sigs []os.Signal
	for _, sig := range heldSignals {
		if !signal.Ignored(sig) {
			sigs = append(sigs, sig)
		}
	}
	caught := make(chan os.Signal, len(sigs))
	signal.Notify(caught, sigs...)
	return func() {
		signal.Stop(caught)
		select {
		case sig := <-caught:
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(sig)
			}
		default:
		}
	}
}
