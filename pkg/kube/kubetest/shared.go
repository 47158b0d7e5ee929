package kubetest

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// shared is the package-wide server behind Shared. It is started by the first test that asks and stopped by
// Main after the last test, so a package whose server tests are all filtered out by -run pays nothing.
var shared struct {
	mu      sync.Mutex
	inMain  bool
	started bool
	dir     string
	srv     *Server
	err     error
}

// Main runs the package's tests and then stops the server Shared started, if any. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
//
// It returns m.Run's exit code, or 1 if the tests passed but the shared server could not be stopped cleanly
// (it had crashed, so the tests ran against a broken server).
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()

	code := m.Run()

	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.inMain = false
	if shared.srv != nil {
		if err := shared.srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "kubetest: shared server: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	return code
}

// Shared returns the package's shared server, starting it on first use. It needs TestMain to call Main, which
// is what stops the server; without it Shared fails the test rather than leave servers running. Missing
// binaries skip or fail tb as in Start; a failed startup fails this and every later caller without retrying.
// When tb fails, the tails of the server logs are printed, though they may also show other tests' requests.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	shared.mu.Lock()
	inMain := shared.inMain
	shared.mu.Unlock()
	if !inMain {
		// Checked before the binaries, so the mistake is reported whether or not the tools are built.
		tb.Fatalf("kubetest: Shared needs TestMain to call kubetest.Main(m), which stops the server after the last test")
		return nil
	}
	bins, ok := needBinaries(tb)
	if !ok {
		return nil
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.started {
		shared.started = true
		shared.dir, shared.err = os.MkdirTemp("", "kubetest-")
		if shared.err == nil {
			began := time.Now()
			shared.srv, shared.err = start(bins, shared.dir, tb.Logf)
			if shared.err == nil {
				tb.Logf("kubetest: shared kube-apiserver ready at %s after %s", shared.srv.Config.Host, time.Since(began).Round(time.Millisecond))
			}
		}
	}
	if shared.err != nil {
		if shared.srv != nil {
			shared.srv.logTails(tb)
		}
		tb.Fatalf("kubetest: shared server: %v", shared.err)
		return nil
	}
	s := shared.srv
	tb.Cleanup(func() {
		if tb.Failed() {
			s.logTails(tb)
		}
	})
	return s
}
