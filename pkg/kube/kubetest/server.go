// Package kubetest runs a real etcd and kube-apiserver on loopback for tests.
//
// The servers are the pinned binaries scripts/tools.sh builds; this package builds nothing and downloads
// nothing. Without the binaries, tests skip, or fail when CI is set or ROCKETOPS_REQUIRE_TOOLS=1, with a
// message saying to run scripts/tools.sh.
//
// Start and Shared run no controller-manager or scheduler: objects are stored and validated, but nothing
// reconciles them (no pods, no default service account, namespaces never finish deleting). StartCluster adds
// kube-controller-manager, kube-scheduler and kwok with fake nodes, so workloads create pods that are
// scheduled, become ready and roll out. Authentication is one bearer token with system:masters and
// authorization allows everything, so tests see admission and validation errors, not permission errors.
//
// Start gives one test its own server. To share one server among the tests of a package, which saves about
// two seconds per test, call Main from TestMain and Shared from the tests:
//
//	func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		srv := kubetest.Shared(t)
//		...
//	}
//
// Tests sharing a server share its state, so each should work in its own namespace.
package kubetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

const (
	// readyTimeout bounds startup; the servers are usually ready in about two seconds.
	readyTimeout = 60 * time.Second
	// stopGrace is how long a server gets to exit after SIGTERM before it is killed.
	stopGrace = 10 * time.Second
	// startAttempts covers the race between picking a free port and the server binding it.
	startAttempts = 3
	// pollInterval paces the readiness probes.
	pollInterval = 50 * time.Millisecond
	// logTailLines is how much of each server log a failing test prints.
	logTailLines = 40
)

// Server is a running etcd and kube-apiserver pair.
type Server struct {
	// Config reaches the apiserver with a bearer token and trusts its self-signed CA. Tests sharing a server
	// share this value: copy it with rest.CopyConfig before changing it.
	Config *rest.Config

	dir       string
	etcd      *process
	apiserver *process

	stopOnce sync.Once
	stopErr  error
}

// Start runs a fresh etcd and kube-apiserver for tb, with their data in tb.TempDir(), and returns once the
// apiserver's /readyz passes. The servers are stopped when tb's cleanups run, whether or not tb failed. When
// startup fails or tb fails, the tails of both server logs are printed with tb.Log.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bins, ok := needBinaries(tb)
	if !ok {
		return nil
	}
	began := time.Now()
	s, err := start(bins, tb.TempDir(), tb.Logf)
	if err != nil {
		if s != nil {
			s.logTails(tb)
		}
		tb.Fatalf("kubetest: %v", err)
		return nil
	}
	tb.Logf("kubetest: kube-apiserver ready at %s after %s", s.Config.Host, time.Since(began).Round(time.Millisecond))
	tb.Cleanup(func() {
		if err := s.stop(); err != nil {
			tb.Errorf("kubetest: %v", err)
		}
		if tb.Failed() {
			s.logTails(tb)
		}
	})
	return s
}

// start runs the servers in dir, retrying with new ports when one was taken in the meantime. On error the
// returned Server, if not nil, is already stopped and only good for its logs.
func start(bins Binaries, dir string, logf func(string, ...any)) (*Server, error) {
	key, err := serviceAccountKey()
	if err != nil {
		return nil, err
	}
	token := rand.Text()
	files := map[string][]byte{
		"sa.key": key,
		// One user in system:masters; with AlwaysAllow the group matters only to admission plugins that check it.
		"tokens.csv": fmt.Appendf(nil, "%s,kubetest-admin,kubetest-admin,\"system:masters\"\n", token),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
	}
	var s *Server
	for attempt := 1; attempt <= startAttempts; attempt++ {
		s, err = startOnce(bins, dir, token, attempt)
		if err == nil || !errors.Is(err, errPortTaken) {
			return s, err
		}
		logf("kubetest: attempt %d: %v; retrying with new ports", attempt, err)
	}
	return s, err
}

var errPortTaken = errors.New("port already in use")

// startOnce makes one attempt at starting both servers on fresh ports. Retries log to new files, so the log
// an earlier attempt's error points at is still there.
func startOnce(bins Binaries, dir, token string, attempt int) (*Server, error) {
	logName := func(name string) string {
		if attempt == 1 {
			return name + ".log"
		}
		return fmt.Sprintf("%s-%d.log", name, attempt)
	}
	// Fresh state per attempt: a failed attempt may have left an etcd member or certificates behind.
	data, certs := filepath.Join(dir, "etcd-data"), filepath.Join(dir, "certs")
	for _, d := range []string{data, certs} {
		if err := os.RemoveAll(d); err != nil {
			return nil, fmt.Errorf("clean %s: %w", d, err)
		}
	}
	ports, err := pickPorts(4)
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	deadline := time.Now().Add(readyTimeout)
	etcdURL, err := s.startEtcd(bins, data, ports[:3], logName("etcd"), deadline)
	if err != nil {
		return s, err
	}
	host := "https://127.0.0.1:" + strconv.Itoa(ports[3])
	if err := s.startAPIServer(bins, etcdURL, certs, ports[3], logName("kube-apiserver")); err != nil {
		s.stop()
		return s, err
	}
	ca, err := s.waitAPIServer(host, filepath.Join(certs, "apiserver.crt"), token, deadline)
	if err != nil {
		s.stop()
		return s, fmt.Errorf("kube-apiserver: %w", err)
	}
	s.Config = &rest.Config{
		Host:            host,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		// The default client-side rate limit (5 requests/s) would dominate tests that send many objects.
		QPS:       1000,
		Burst:     2000,
		UserAgent: "rocketops-kubetest",
	}
	return s, nil
}

// startEtcd starts etcd on ports (client, peer, metrics) and waits until it is healthy. The apiserver
// starts only after that, so a port clash is pinned on the right server and an apiserver never talks
// to somebody else's etcd that happened to answer on the port.
func (s *Server) startEtcd(bins Binaries, data string, ports []int, logName string, deadline time.Time) (string, error) {
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	var err error
	s.etcd, err = startProcess("etcd", bins.Etcd, s.dir, logName, []string{
		"--name=kubetest",
		"--data-dir=" + data,
		"--listen-client-urls=" + etcdURL,
		"--advertise-client-urls=" + etcdURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=kubetest=" + peerURL,
		"--listen-metrics-urls=http://127.0.0.1:" + strconv.Itoa(ports[2]),
		// Test data is thrown away; not waiting for the disk makes writes much faster on slow disks.
		"--unsafe-no-fsync",
	})
	if err != nil {
		return "", err
	}
	plain := &http.Client{Timeout: 2 * time.Second}
	if err := s.waitFor(deadline, func() error { return probe(plain, etcdURL+"/health", "") }); err != nil {
		return "", fmt.Errorf("etcd: %w", err)
	}
	return etcdURL, nil
}

// startAPIServer starts kube-apiserver on 127.0.0.1:port against etcdURL.
func (s *Server) startAPIServer(bins Binaries, etcdURL, certs string, port int, logName string) error {
	var err error
	s.apiserver, err = startProcess("kube-apiserver", bins.KubeAPIServer, s.dir, logName, []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + certs,
		"--service-account-key-file=" + filepath.Join(s.dir, "sa.key"),
		"--service-account-signing-key-file=" + filepath.Join(s.dir, "sa.key"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=AlwaysAllow",
		"--token-auth-file=" + filepath.Join(s.dir, "tokens.csv"),
		"--anonymous-auth=false",
		"--allow-privileged=true",
		// Without a controller-manager no default service account is ever made, and this plugin would
		// reject every pod-bearing object for lacking one.
		"--disable-admission-plugins=ServiceAccount",
		// No real endpoints to publish for the kubernetes service, and nothing else would clean them up.
		"--endpoint-reconciler-type=none",
	})
	return err
}

// waitAPIServer waits until the apiserver answers and returns its CA. The CA appears in cert-dir only
// once the apiserver has generated it, so it is re-read on every probe until the server answers; a
// server that is ready has finished writing it.
func (s *Server) waitAPIServer(host, caFile, token string, deadline time.Time) ([]byte, error) {
	var ca []byte
	err := s.waitFor(deadline, func() error {
		pemData, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return fmt.Errorf("no certificate in %s yet", caFile)
		}
		c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		defer c.CloseIdleConnections()
		if err := probe(c, host+"/readyz", token); err != nil {
			return err
		}
		// readyz can pass a moment before the system namespaces exist; tests expect "default" to be there.
		if err := probe(c, host+"/api/v1/namespaces/default", token); err != nil {
			return err
		}
		ca = pemData
		return nil
	})
	return ca, err
}

// waitFor polls check until it passes, a server exits or the deadline passes.
func (s *Server) waitFor(deadline time.Time, check func() error) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		lastErr := check()
		if err := s.exited(); err != nil {
			s.stop()
			return err
		}
		if lastErr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return fmt.Errorf("not ready after %s: %w", readyTimeout, lastErr)
		}
		<-tick.C
	}
}

// exited returns an error if either server has exited, marking a port clash with errPortTaken.
func (s *Server) exited() error {
	for _, p := range []*process{s.etcd, s.apiserver} {
		if p == nil {
			continue
		}
		select {
		case <-p.done:
			err := fmt.Errorf("%s exited during startup: %v (log: %s)", p.name, p.waitErr, p.logPath)
			if log, _ := os.ReadFile(p.logPath); bytes.Contains(log, []byte("address already in use")) {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		default:
		}
	}
	return nil
}

// probe GETs url and wants a 200.
func probe(c *http.Client, url, token string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body := make([]byte, 512)
		n, _ := resp.Body.Read(body)
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body[:n])))
	}
	return nil
}

// stop stops the apiserver, then etcd, so the apiserver never runs without its store. It is idempotent and
// returns an error if a server had already died, since the test then ran against a broken server.
func (s *Server) stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		for _, p := range []*process{s.apiserver, s.etcd} {
			if p != nil {
				errs = append(errs, p.stop())
			}
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// logTails prints the end of both server logs.
func (s *Server) logTails(tb testing.TB) {
	tb.Helper()
	for _, p := range []*process{s.etcd, s.apiserver} {
		if p != nil {
			tb.Logf("kubetest: last lines of %s:\n%s", p.logPath, tail(p.logPath, logTailLines))
		}
	}
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// process is one running server binary with its log file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed once the process has exited and been waited for
	waitErr error         // valid after done is closed
	stopped bool          // set by stop before signalling, so the exit is not reported as a crash
}

// startProcess runs bin with args in dir, writing its output to dir/logName.
func startProcess(name, bin, dir, logName string, args []string) (*process, error) {
	logPath := filepath.Join(dir, logName)
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	// A file, not a pipe: the child writes directly, so nothing in the test has to keep draining it.
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// childEnv is the test's environment without ETCD_* variables, which etcd would read as flags.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCD_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop sends SIGTERM, waits stopGrace, then kills, and always waits for the exit.
func (p *process) stop() error {
	select {
	case <-p.done:
		if !p.stopped {
			return fmt.Errorf("%s had exited before the test ended: %v (log: %s)", p.name, p.waitErr, p.logPath)
		}
		return nil
	default:
	}
	p.stopped = true
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.name, err)
	}
	<-p.done
	return nil
}

// pickPorts is freePorts, replaceable by tests that need a port clash.
var pickPorts = freePorts

// freePorts returns n distinct loopback ports that were free a moment ago. Another process can take one
// before the server binds it; start retries when that happens.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		// All listeners stay open until every port is picked, so the n ports differ.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

var saKey struct {
	once sync.Once
	pem  []byte
	err  error
}

// serviceAccountKey returns a PEM RSA key for signing service account tokens. The apiserver refuses to start
// without one; nothing in the tests checks tokens, so one key per test process is plenty and saves the
// generation time for every further server.
func serviceAccountKey() ([]byte, error) {
	saKey.once.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			saKey.err = fmt.Errorf("generate service account key: %w", err)
			return
		}
		saKey.pem = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	})
	return saKey.pem, saKey.err
}
