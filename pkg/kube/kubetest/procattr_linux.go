package kubetest

import "syscall"

// sysProcAttr asks Linux to kill the servers when the test process dies without running its cleanups, as it
// does when go test's -timeout fires or the process is killed; otherwise they would outlive the test run.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
