package golden_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/render"
)

// The stop test stops the compiled broker and name-server containers the way the kubelet does: the
// container's command runs as PID 1 of a PID namespace of its own, with the pod's volumes mounted where the
// pod has them, over stand-ins for the image's launchers and java; the test sends SIGTERM to that PID 1 and
// watches what reaches java. The bounds are far below the pods' grace periods (90 s for a broker, 30 s
// for a name server): a supervisor that passes TERM on is done in about a second, the stand-in's shutdown.
const (
	startWithin = 5 * time.Second  // for the stand-in java to start; the slow runbroker.sh takes 2 s
	termWithin  = 3 * time.Second  // for TERM to reach a running java; the supervisor retries every second
	stopWithin  = 10 * time.Second // for PID 1 to exit after SIGTERM, or after it started when it refuses to
	stopPodIP   = "127.0.0.1"
	stopHostIP  = "127.0.0.2" // status.hostIP, which pods under host networking take as their address
	// standinHeap is the heap flag the stand-in run scripts put before JAVA_OPT_EXT, as the image's do.
	standinHeap = "-Xms1g"
)

// Paths inside the test's mount namespace. /home there is a tmpfs of its own.
const (
	standinPath = "/home/standin" // the stand-in JDK, the links a package manager would add, and the records
	jdkPath     = standinPath + "/jdk"
	recordsPath = standinPath + "/records"
	stagePath   = "/etc/.rocketops-stop-test" // the test's folder while the mounts are made
	sysPath     = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// stopImage is what the test reproduces of an official image (apache/rocketmq-docker image-build/
// Dockerfile-ubuntu for 5.x, on eclipse-temurin:8-jdk; Dockerfile-centos for 4.9, on centos:7).
type stopImage struct {
	shell     string                  // what /bin/sh is
	home      string                  // ROCKETMQ_HOME
	env       []string                // what the image's ENV sets
	launchers map[string]stopLauncher // the image's bin/ launchers, by name
}

// stopLauncher is what one of the image's bin/ launchers runs: `sh <run> <main> "$@"`, without exec.
type stopLauncher struct{ run, main string }

func imageFor(t *testing.T, version string) stopImage {
	t.Helper()
	img := stopImage{home: "/home/rocketmq/rocketmq-" + version, launchers: map[string]stopLauncher{
		"mqbroker":  {"runbroker.sh", brokerMain},
		"mqnamesrv": {"runserver.sh", namesrvMain},
	}}
	switch version {
	case "5.3.3", "5.2.0":
		// Ubuntu: /bin/sh is dash; temurin sets JAVA_HOME and puts its bin first on PATH. 5.x also has the
		// controller's and the proxy's launchers (distribution/bin/mqcontroller and mqproxy at
		// rocketmq-all-5.2.0 and 5.3.3), which run runserver.sh as mqnamesrv does.
		img.shell, img.env = "dash", []string{"JAVA_HOME=" + jdkPath, "PATH=" + jdkPath + "/bin:" + sysPath}
		img.launchers["mqcontroller"] = stopLauncher{"runserver.sh", controllerMain}
		img.launchers["mqproxy"] = stopLauncher{"runserver.sh", proxyMain}
	case "4.9.8", "4.9.5":
		// CentOS: /bin/sh is bash; java-1.8.0-openjdk-devel sets no JAVA_HOME, java and javac are links on PATH.
		img.shell, img.env = "bash", []string{"PATH=" + standinPath + "/bin:" + sysPath}
	default:
		t.Fatalf("no image facts for RocketMQ %s", version)
	}
	img.env = append(img.env, "ROCKETMQ_HOME="+img.home)
	return img
}

// The main classes the launchers start, which java's argv must hold.
const (
	brokerMain     = "org.apache.rocketmq.broker.BrokerStartup"
	namesrvMain    = "org.apache.rocketmq.namesrv.NamesrvStartup"
	controllerMain = "org.apache.rocketmq.controller.ControllerStartup"
	proxyMain      = "org.apache.rocketmq.proxy.ProxyStartup"
)

// TestGracefulStop stops compiled broker and name-server containers as the kubelet does and requires that java
// gets TERM, runs its shutdown hooks to the end while PID 1 waits, and that PID 1 then exits with java's
// status, well inside the grace period; also when TERM comes before java has started. The controllers, the
// name servers with embedded controllers, the cluster-mode proxy and the brokers of the other topologies
// (stop_topology_test.go) are stopped the same way, and the commands that pick their configuration by the
// pod's ordinal must refuse, before starting anything, a pod whose ordinal has no file or whose name has
// no ordinal. Its control cases run the command the broker had before it had a supervisor, `exec` of the
// launcher, through the same harness: PID 1 is then a shell without a TERM handler, which the kernel
// spares every signal it cannot be killed by, so TERM must not reach java at all. The containers run at
// once: the test is mostly waiting.
func TestGracefulStop(t *testing.T) {
	needNamespaces(t)
	var cases []*stopCase
	brokerArgs := []string{"-c", "/tmp/broker.conf"}
	for _, version := range []string{"5.3.3", "4.9.8"} {
		img := imageFor(t, version)
		out := compileStopSpec(t, version)
		broker, namesrv := stopPodOf(t, out, "broker"), stopPodOf(t, out, "namesrv")
		execLauncher := []string{"/bin/sh", "-c", `exec "$ROCKETMQ_HOME/bin/mqbroker" -c /etc/rocketmq/broker-1.conf`}
		name := version + "/" + img.shell + "/"
		cases = append(cases,
			&stopCase{name: name + "broker", img: img, component: "broker", pod: broker, command: broker.command,
				main: brokerMain, args: brokerArgs},
			&stopCase{name: name + "namesrv", img: img, component: "namesrv", pod: namesrv, command: namesrv.command,
				main: namesrvMain, args: []string{"-c", "/etc/rocketmq/namesrv.conf"}},
			&stopCase{name: name + "broker/term-before-java", img: img, component: "broker", pod: broker, command: broker.command,
				main: brokerMain, args: brokerArgs, slowStart: true},
			&stopCase{name: name + "control/exec-launcher", img: img, component: "broker", pod: broker, command: execLauncher,
				control: true},
		)
	}
	cases = append(cases, topologyStopCases(t)...)
	stopAll(t, cases)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run.logOnFailure(t)
			require.NoError(t, c.seen.err)
			switch {
			case c.refuse != "":
				checkRefused(t, c)
			case c.control:
				checkTermLost(t, c)
			default:
				checkGracefulStop(t, c)
			}
		})
	}
}

// stopCase is one container the test stops, and what it saw.
type stopCase struct {
	name      string
	img       stopImage
	component string // the container's name
	pod       stopPod
	command   []string
	main      string   // the main class java runs
	args      []string // java's arguments after the main class
	slowStart bool     // runbroker.sh takes 2 s to start java, and SIGTERM comes first
	control   bool     // the command does not pass TERM on
	refuse    string   // the command must exit non-zero with this message, before any launcher runs
	run       *podRun
	seen      stopSeen
}

// stopSeen is what the test saw of one stop.
type stopSeen struct {
	err        error     // the harness could not stop the container as the kubelet does
	sent       time.Time // when PID 1 got SIGTERM
	javaBefore bool      // java was running then
	argv       []string  // java's
	term       string    // java's record of TERM; empty when none came within termWithin of java running
	exited     bool      // PID 1 exited within stopWithin of SIGTERM (of its start, for a refusal)
}

// stopAll starts every case's container, then stops them all at once; a container that must refuse to
// start is only waited for.
func stopAll(t *testing.T, cases []*stopCase) {
	t.Helper()
	for _, c := range cases {
		if c.refuse != "" {
			c.run = launchPod(t, c.img, c.pod, c.command, false)
		} else {
			c.run = startPod(t, c.img, c.pod, c.command, c.slowStart)
		}
	}
	var wg sync.WaitGroup
	for _, c := range cases {
		if c.refuse != "" {
			wg.Go(func() { c.seen.exited = c.run.waitExit(stopWithin) })
			continue
		}
		wg.Go(func() { c.seen = c.run.stop(c.slowStart) })
	}
	wg.Wait()
}

func checkGracefulStop(t *testing.T, c *stopCase) {
	t.Helper()
	s, r := c.seen, c.run
	require.Equal(t, !c.slowStart, s.javaBefore, "java running when SIGTERM was sent")
	if s.term == "" && r.waitExit(0) {
		t.Fatalf("java recorded no TERM: PID 1 exited %s after SIGTERM (%s), and the namespace with it",
			r.exitedAt.Sub(s.sent).Round(time.Millisecond), r.exit)
	}
	require.NotEmpty(t, s.term, "java got no TERM within %s of running", termWithin)
	require.False(t, recordTime(t, s.term).Before(s.sent), "java's TERM came before the test sent SIGTERM: %s", s.term)
	require.True(t, s.exited, "PID 1 still running %s after SIGTERM", stopWithin)

	doneRec, err := os.ReadFile(filepath.Join(r.records, "java.done"))
	require.NoError(t, err, "java's shutdown hooks did not finish: PID 1 did not wait for them")
	done := recordTime(t, string(doneRec))
	require.False(t, r.exitedAt.Before(done), "PID 1 exited at %s, before java's shutdown was done at %s",
		r.exitedAt.Format(time.RFC3339Nano), done.Format(time.RFC3339Nano))
	require.Equal(t, 143, r.exit.ExitCode(), "PID 1 must exit with java's status (%s)", r.exit)
	t.Logf("SIGTERM to exit: %s; java's shutdown done %s before PID 1 exited",
		r.exitedAt.Sub(s.sent).Round(time.Millisecond), r.exitedAt.Sub(done).Round(time.Microsecond))

	shell, err := os.ReadFile(filepath.Join(r.records, "java.shell"))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"bash": "bash\n", "dash": "not bash\n"}[c.img.shell], string(shell), "/bin/sh in the namespace")
	checkJavaArgv(t, s.argv, c.pod, c.main, c.args)
	checkConfigArgs(t, c.pod, c.args)
	if c.component == "broker" {
		checkBrokerConf(t, r, c.pod)
	}
}

// checkRefused checks that the command exited at once, non-zero, with its message, and started nothing.
func checkRefused(t *testing.T, c *stopCase) {
	t.Helper()
	r := c.run
	require.True(t, c.seen.exited, "PID 1 still running %s after it started: it did not refuse", stopWithin)
	require.NotZero(t, r.exit.ExitCode(), "PID 1 must exit non-zero (%s)", r.exit)
	out, err := os.ReadFile(filepath.Join(r.host, "output.log"))
	require.NoError(t, err)
	require.Contains(t, string(out), c.refuse+"\n", "the script's message")
	for _, rec := range []string{"run.started", "java.argv"} {
		_, err := os.Stat(filepath.Join(r.records, rec))
		require.True(t, os.IsNotExist(err), "%s: the command started the launcher although it refused", rec)
	}
	t.Logf("refused: %s (%s)", strings.TrimSpace(string(out)), r.exit)
}

func checkTermLost(t *testing.T, c *stopCase) {
	t.Helper()
	s, r := c.seen, c.run
	require.True(t, s.javaBefore, "java running when SIGTERM was sent")
	require.Empty(t, s.term, "java got TERM through an exec'd launcher")
	if r.waitExit(0) {
		t.Fatalf("PID 1 exited on SIGTERM (%s)", r.exit)
	}
	t.Logf("control: PID 1 %q ignored SIGTERM: no TERM reached java within %s, PID 1 still running; it is killed with its namespace",
		r.pid1Cmdline, termWithin)
}

// needNamespaces skips the test without root or unshare, which the PID and mount namespaces need, or fails
// it when the tools are required (CI, ROCKETOPS_REQUIRE_TOOLS=1): a skipped stop test checks nothing.
func needNamespaces(t *testing.T) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		missing = append(missing, "unshare (util-linux)")
	}
	if len(missing) > 0 {
		msg := "stop test: needs " + strings.Join(missing, " and ") + " to run containers in PID and mount namespaces"
		if os.Getenv("CI") != "" || os.Getenv(kubetest.RequireToolsEnv) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for _, shell := range []string{"dash", "bash"} {
		_, err := exec.LookPath(shell)
		require.NoError(t, err, "stop test: the images' /bin/sh is dash (5.x) or bash (4.9): install %s", shell)
	}
}

// compileStopSpec compiles the quickstart case for a RocketMQ version, with a slave in its broker group so
// the pod's ordinal has two configuration files to pick from.
func compileStopSpec(t *testing.T, version string) *compile.Output {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("quickstart", "cluster.yaml"))
	require.NoError(t, err)
	spec := string(src)
	for _, edit := range [][2]string{
		{`version: "5.3.3"`, fmt.Sprintf("version: %q", version)},
		{"  brokers:\n", "  brokers:\n    slaves: 1\n"},
	} {
		require.Equal(t, 1, strings.Count(spec, edit[0]), "quickstart/cluster.yaml changed: no single %q", edit[0])
		spec = strings.Replace(spec, edit[0], edit[1], 1)
	}
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: []byte(spec), Targets: []string{"manifests"}})
	require.NoError(t, err)
	require.Len(t, out.Objects, 1, "the spec must have one environment")
	return out
}

// stopPod is what the test takes from a compiled StatefulSet for its last pod.
type stopPod struct {
	name    string
	command []string
	env     []string
	mounts  []stopMount
}

type stopMount struct {
	path     string
	readOnly bool
	files    map[string]string // a ConfigMap volume's data; nil for emptyDir and claims
}

// stopPodOf reads the container named component from its StatefulSet in the compiled output of a spec
// with one environment, resolving the downward-API variables as the kubelet would for the StatefulSet's
// last pod.
func stopPodOf(t *testing.T, out *compile.Output, component string) stopPod {
	t.Helper()
	require.Len(t, out.Objects, 1, "the spec must have one environment")
	var objs []render.Object
	for _, o := range out.Objects {
		objs = o
	}
	var sts *render.Object
	for i, o := range objs {
		if o.Kind == "StatefulSet" && o.Labels["app.kubernetes.io/component"] == component {
			require.Nil(t, sts, "more than one %s StatefulSet", component)
			sts = &objs[i]
		}
	}
	require.NotNil(t, sts, "no %s StatefulSet", component)
	return workloadPod(t, objs, *sts, component)
}

// workloadPod reads the container named component from a StatefulSet or Deployment of objs. A
// StatefulSet's pod is its last; a Deployment's pods have no ordinal, and the test names its pod
// <name>-stop.
func workloadPod(t *testing.T, objs []render.Object, w render.Object, component string) stopPod {
	t.Helper()
	p := stopPod{name: w.Name + "-stop"}
	switch w.Kind {
	case "StatefulSet":
		replicas, err := strconv.Atoi(fmt.Sprint(dig(t, w.Value, "spec", "replicas")))
		require.NoError(t, err)
		p.name = fmt.Sprintf("%s-%d", w.Name, replicas-1)
	case "Deployment":
	default:
		t.Fatalf("%s %s: the stop test runs the pods of StatefulSets and Deployments", w.Kind, w.Name)
	}
	podSpec := dig(t, w.Value, "spec", "template", "spec")
	c := named(t, dig(t, podSpec, "containers"), component)

	for _, arg := range dig(t, c, "command").([]any) {
		p.command = append(p.command, arg.(string))
	}
	for _, e := range dig(t, c, "env").([]any) {
		name := dig(t, e, "name").(string)
		if v, ok := e.(map[string]any)["value"]; ok {
			p.env = append(p.env, name+"="+v.(string))
			continue
		}
		switch field := dig(t, e, "valueFrom", "fieldRef", "fieldPath"); field {
		case "metadata.name":
			p.env = append(p.env, name+"="+p.name)
		case "status.podIP":
			p.env = append(p.env, name+"="+stopPodIP)
		case "status.hostIP":
			p.env = append(p.env, name+"="+stopHostIP)
		default:
			t.Fatalf("env %s: the stop test does not resolve %v", name, field)
		}
	}
	for _, vm := range dig(t, c, "volumeMounts").([]any) {
		m := stopMount{path: dig(t, vm, "mountPath").(string)}
		m.readOnly, _ = vm.(map[string]any)["readOnly"].(bool)
		name := dig(t, vm, "name").(string)
		var vol map[string]any
		for _, v := range dig(t, podSpec, "volumes").([]any) {
			if dig(t, v, "name") == name {
				vol = v.(map[string]any)
			}
		}
		if cm, ok := vol["configMap"]; ok { // otherwise an emptyDir or a claim: an empty folder either way
			m.files = configMapData(t, objs, dig(t, cm, "name").(string))
		}
		p.mounts = append(p.mounts, m)
	}
	return p
}

func configMapData(t *testing.T, objs []render.Object, name string) map[string]string {
	t.Helper()
	for _, o := range objs {
		if o.Kind == "ConfigMap" && o.Name == name {
			files := map[string]string{}
			for k, v := range dig(t, o.Value, "data").(map[string]any) {
				files[k] = v.(string)
			}
			return files
		}
	}
	t.Fatalf("no ConfigMap %s", name)
	return nil
}

func dig(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		m, ok := v.(map[string]any)
		require.True(t, ok, "%s: not in an object", k)
		v, ok = m[k]
		require.True(t, ok, "no %s", k)
	}
	return v
}

func named(t *testing.T, list any, name string) map[string]any {
	t.Helper()
	for _, v := range list.([]any) {
		if dig(t, v, "name") == name {
			return v.(map[string]any)
		}
	}
	t.Fatalf("nothing named %s", name)
	return nil
}

// podRun is one container run: unshare, whose child is the container's PID 1.
type podRun struct {
	host        string // the run's folder
	records     string // the stand-ins' records, in host
	cmd         *exec.Cmd
	pid1        int    // the host's pid of the namespace's PID 1
	pid1Cmdline string // what PID 1 was running when it got SIGTERM
	done        chan struct{}
	exitedAt    time.Time
	exit        *os.ProcessState
}

// startPod runs command as PID 1 of new PID and mount namespaces with the image's environment and the pod's,
// the pod's volumes and the stand-ins for the image's scripts and java, and returns once PID 1 is there.
func startPod(t *testing.T, img stopImage, p stopPod, command []string, slowStart bool) *podRun {
	t.Helper()
	return waitPID1(t, launchPod(t, img, p, command, slowStart))
}

// waitPID1 waits until the unshare that r started has its PID 1, and records it.
func waitPID1(t *testing.T, r *podRun) *podRun {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(startWithin)
	for r.pid1 = childOf(r.cmd.Process.Pid); r.pid1 == 0; r.pid1 = childOf(r.cmd.Process.Pid) {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("unshare started no PID 1 within %s", startWithin)
		case <-r.done:
			t.Fatalf("unshare exited before it started PID 1 (%s)", r.exit)
		}
	}
	return r
}

// launchPod starts unshare for startPod and returns at once: a command that exits as soon as it runs may be
// gone before its PID 1 could be seen.
func launchPod(t *testing.T, img stopImage, p stopPod, command []string, slowStart bool) *podRun {
	t.Helper()
	host := t.TempDir()
	require.False(t, strings.ContainsAny(host, ",:"), "overlayfs options cannot hold %s", host)
	writeStandins(t, host, img, slowStart)
	for i, m := range p.mounts {
		dir := filepath.Join(host, "volumes", strconv.Itoa(i))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for name, data := range m.files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
		}
	}
	require.NoError(t, os.Mkdir(filepath.Join(host, "overlay"), 0o700))
	logPath := filepath.Join(host, "output.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	t.Cleanup(func() { logFile.Close() })

	// --kill-child: unshare SIGKILLs PID 1 when it dies, and it dies with the test process (Pdeathsig),
	// so a test killed on timeout, whose cleanups never run, leaves no namespace behind.
	args := append([]string{"--pid", "--fork", "--kill-child", "--mount-proc", "--mount", "--propagation", "private",
		"--", "/bin/sh", "-c", namespaceSetup(t, host, img, p.mounts), "setup"}, command...)
	r := &podRun{host: host, records: filepath.Join(host, "standin", "records"), cmd: exec.Command("unshare", args...), done: make(chan struct{})}
	r.cmd.Env = append(append([]string{"HOME=/home/rocketmq"}, img.env...), p.env...)
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig follows the thread that started the process: keep that thread until unshare exits.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := r.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = r.cmd.Wait() // the status is in ProcessState
		r.exitedAt, r.exit = time.Now(), r.cmd.ProcessState
		close(r.done)
	}()
	require.NoError(t, <-started)
	t.Cleanup(r.kill)
	return r
}

// kill ends the run: SIGKILL to the namespace's PID 1 makes the kernel kill everything in the namespace.
func (r *podRun) kill() {
	if r.waitExit(0) {
		return
	}
	if r.pid1 != 0 {
		_ = syscall.Kill(r.pid1, syscall.SIGKILL)
	} else {
		_ = r.cmd.Process.Kill()
	}
	if !r.waitExit(5 * time.Second) {
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

// stop does what the kubelet does to stop the container and records what follows: once java (with
// slowStart, the run script) is running, it sends SIGTERM to PID 1, then waits for java's TERM and for
// PID 1 to exit. It runs beside other stops, so it reports problems rather than failing the test.
func (r *podRun) stop(slowStart bool) (s stopSeen) {
	ready := "java.argv"
	if slowStart {
		ready = "run.started"
	}
	if _, ok := r.waitRecord(ready, startWithin); !ok {
		s.err = r.failure("no %s within %s", ready, startWithin)
		return s
	}
	if s.sent, s.err = r.sigterm(); s.err != nil {
		return s
	}
	_, err := os.Stat(filepath.Join(r.records, "java.argv"))
	s.javaBefore = err == nil
	argv, ok := r.waitRecord("java.argv", startWithin)
	if !ok {
		s.err = r.failure("java did not start within %s", startWithin)
		return s
	}
	s.argv = strings.Split(strings.TrimSuffix(argv, "\n"), "\n")
	if s.term, ok = r.waitRecord("java.term", termWithin); ok {
		s.exited = r.waitExit(stopWithin - time.Since(s.sent))
	}
	return s
}

// sigterm sends SIGTERM to PID 1, as the kubelet does to stop a container, and returns when it did.
func (r *podRun) sigterm() (time.Time, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", r.pid1))
	if err != nil {
		return time.Time{}, err
	}
	var nspid []string
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			nspid = strings.Fields(rest)
		}
	}
	if want := []string{strconv.Itoa(r.pid1), "1"}; !slices.Equal(nspid, want) {
		return time.Time{}, fmt.Errorf("process %d has NSpid %q, not %q: it is not PID 1 of the namespace", r.pid1, nspid, want)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", r.pid1))
	if err != nil {
		return time.Time{}, err
	}
	r.pid1Cmdline = strings.ReplaceAll(strings.TrimSuffix(string(cmdline), "\x00"), "\x00", " ")
	at := time.Now()
	return at, syscall.Kill(r.pid1, syscall.SIGTERM)
}

// failure is an error saying what did not happen, and how PID 1 exited if it did.
func (r *podRun) failure(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if r.waitExit(0) {
		err = fmt.Errorf("%w (PID 1 exited: %s)", err, r.exit)
	}
	return err
}

// logOnFailure prints the container's output and the stand-ins' records when t fails.
func (r *podRun) logOnFailure(t *testing.T) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		out, _ := os.ReadFile(filepath.Join(r.host, "output.log"))
		t.Logf("container output:\n%s", out)
		entries, _ := os.ReadDir(r.records)
		for _, e := range entries {
			rec, _ := os.ReadFile(filepath.Join(r.records, e.Name()))
			t.Logf("record %s:\n%s", e.Name(), rec)
		}
	})
}

// waitExit reports whether unshare, and so PID 1, exits within d.
func (r *podRun) waitExit(d time.Duration) bool {
	if d <= 0 {
		select {
		case <-r.done:
			return true
		default:
			return false
		}
	}
	select {
	case <-r.done:
		return true
	case <-time.After(d):
		return false
	}
}

// waitRecord polls for a stand-in's record until d has passed or the run has ended.
func (r *podRun) waitRecord(name string, d time.Duration) (string, bool) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(d)
	for {
		if data, err := os.ReadFile(filepath.Join(r.records, name)); err == nil {
			return string(data), true
		}
		select {
		case <-tick.C:
		case <-deadline:
			return "", false
		case <-r.done:
			data, err := os.ReadFile(filepath.Join(r.records, name))
			return string(data), err == nil
		}
	}
}

// childOf returns the pid of a child of ppid, or 0.
func childOf(ppid int) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		s := string(stat)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			return pid
		}
	}
	return 0
}

// recordTime reads the Unix time (date +%s.%N) that ends a record.
func recordTime(t *testing.T, rec string) time.Time {
	t.Helper()
	f := strings.Fields(rec)
	require.NotEmpty(t, f, "empty record")
	sec, nsec, _ := strings.Cut(f[len(f)-1], ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	require.NoError(t, err, "record %q", rec)
	ns, err := strconv.ParseInt(nsec, 10, 64)
	require.NoError(t, err, "record %q", rec)
	return time.Unix(s, ns)
}

// checkJavaArgv checks that java was started as the image starts it: from the JDK the run script found,
// with the options JAVA_OPT_EXT adds after the image's own, then the main class and its arguments.
func checkJavaArgv(t *testing.T, argv []string, p stopPod, main string, args []string) {
	t.Helper()
	require.Equal(t, jdkPath+"/bin/java", argv[0], "java's path: found through `which javac`")
	i := slices.Index(argv, main)
	require.Positive(t, i, "java's argv has no %s: %q", main, argv)
	require.Equal(t, args, argv[i+1:], "java's arguments after the main class")
	var ext []string
	for _, e := range p.env {
		if v, ok := strings.CutPrefix(e, "JAVA_OPT_EXT="); ok {
			ext = strings.Fields(v)
		}
	}
	require.NotEmpty(t, ext, "the container sets no JAVA_OPT_EXT")
	// JAVA_OPT_EXT may begin with the image's own heap flag (the proxy's -Xms1g): look for it after that flag.
	heap := slices.Index(argv, standinHeap)
	require.Positive(t, heap, "java's argv lacks the image's heap flags: %q", argv)
	at := heap + 1
	for ; at+len(ext) <= len(argv) && !slices.Equal(ext, argv[at:at+len(ext)]); at++ {
	}
	require.LessOrEqual(t, at+len(ext), len(argv), "java's argv lacks JAVA_OPT_EXT %q after the image's heap flags: %q", ext, argv)
}

// checkConfigArgs checks that every configuration file java is given is in the pod: the broker's in its
// /tmp, the others in a ConfigMap the pod mounts.
func checkConfigArgs(t *testing.T, p stopPod, args []string) {
	t.Helper()
	for i, arg := range args {
		if !strings.HasPrefix(arg, "/") || i == 0 || !strings.HasPrefix(args[i-1], "-") {
			continue
		}
		if arg == "/tmp/broker.conf" {
			continue // checkBrokerConf reads it
		}
		require.True(t, hasConfigFile(p, arg), "%s %s: no such file in the ConfigMaps %s mounts", args[i-1], arg, p.name)
	}
}

// checkBrokerConf checks the configuration the broker script wrote: the file of the pod's ordinal, with
// the pod's IP (POD_IP, the node's under host networking) appended.
func checkBrokerConf(t *testing.T, r *podRun, p stopPod) {
	t.Helper()
	id := p.name[strings.LastIndexByte(p.name, '-')+1:]
	var src, tmp string
	for i, m := range p.mounts {
		switch m.path {
		case "/etc/rocketmq":
			src = m.files["broker-"+id+".conf"]
		case "/tmp":
			tmp = filepath.Join(r.host, "volumes", strconv.Itoa(i))
		}
	}
	// A DLedger member names itself by its peer id, n<ordinal>, rather than by a brokerId.
	require.True(t, strings.Contains(src, "\nbrokerId="+id+"\n") || strings.Contains(src, "\ndLegerSelfId=n"+id+"\n"),
		"broker-%s.conf names no brokerId %[1]s or dLegerSelfId n%[1]s:\n%s", id, src)
	var ip string
	for _, e := range p.env {
		if v, ok := strings.CutPrefix(e, "POD_IP="); ok {
			ip = v
		}
	}
	require.NotEmpty(t, ip, "the broker sets no POD_IP")
	require.NotEmpty(t, tmp, "the broker mounts nothing at /tmp")
	got, err := os.ReadFile(filepath.Join(tmp, "broker.conf"))
	require.NoError(t, err)
	require.Equal(t, src+"brokerIP1="+ip+"\nbrokerIP2="+ip+"\n", string(got), "/tmp/broker.conf of %s", p.name)
}

// namespaceSetup is the script that makes the pod's mounts in the new mount namespace and then execs the
// container's command, which stays PID 1. Nothing it does is seen outside the namespace: /etc gets a
// throwaway overlay for mount points such as /etc/rocketmq, /home a tmpfs, /tmp a bind mount, and the
// image's /bin/sh is bind-mounted over the host's.
func namespaceSetup(t *testing.T, host string, img stopImage, mounts []stopMount) string {
	t.Helper()
	shell, err := exec.LookPath(img.shell)
	require.NoError(t, err)
	shell, err = filepath.EvalSymlinks(shell)
	require.NoError(t, err)
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	bind := func(src, dst string, readOnly bool) {
		line("mkdir -p %s", q(dst))
		line("mount --bind %s %s", q(stagePath+"/"+src), q(dst))
		if readOnly {
			line("mount -o remount,bind,ro %s", q(dst))
		}
	}
	ovl := host + "/overlay"
	line("set -eu")
	line("mount -t tmpfs tmpfs %s", q(ovl))
	line("mkdir %s %s", q(ovl+"/upper"), q(ovl+"/work"))
	line("mount -t overlay overlay -o %s /etc", q("lowerdir=/etc,upperdir="+ovl+"/upper,workdir="+ovl+"/work"))
	// The test's folder may be under /tmp or /home, which are covered next: reach it through /etc meanwhile.
	line("mkdir %s", stagePath)
	line("mount --bind %s %s", q(host), stagePath)
	line("mount -t tmpfs tmpfs /home")
	bind("rocketmq", img.home, true)
	bind("standin", standinPath, false)
	order := make([]int, len(mounts))
	for i, m := range mounts {
		order[i] = i
		require.True(t, m.path == "/tmp" || strings.HasPrefix(m.path, "/etc/") || strings.HasPrefix(m.path, "/home/"),
			"mount %s: the stop test makes mount points only in the namespace's /etc overlay and /home tmpfs", m.path)
	}
	sort.Slice(order, func(a, b int) bool { return mounts[order[a]].path < mounts[order[b]].path })
	for _, i := range order {
		bind("volumes/"+strconv.Itoa(i), mounts[i].path, mounts[i].readOnly)
	}
	line(`sh=$(readlink -f /bin/sh)`)
	line(`[ "$sh" = %s ] || mount --bind %s "$sh"`, q(shell), q(shell))
	line("umount %s && rmdir %s", stagePath, stagePath)
	line(`exec "$@"`)
	return b.String()
}

// writeStandins writes the stand-ins for the image's launchers, run scripts and JDK. They keep the facts the
// supervisor depends on (apache/rocketmq distribution/bin at rocketmq-all-5.3.3 and 4.9.8, apache/rocketmq-
// docker image-build/scripts/runbroker-customize.sh and runserver-customize.sh): bin/mqbroker,
// bin/mqnamesrv and, on 5.x, bin/mqcontroller and bin/mqproxy are #!/bin/sh scripts that run
// `sh runbroker.sh|runserver.sh <main class> "$@"` without exec;
// the run scripts find java through `readlink -f $(which javac)`, start a short java to size the heap, and
// run `$JAVA $JAVA_OPT $@` without exec, JAVA_OPT_EXT after their own options.
func writeStandins(t *testing.T, host string, img stopImage, slowStart bool) {
	t.Helper()
	delay := ""
	if slowStart {
		delay = "sleep 2 # a slow start: the kubelet's SIGTERM comes before java\n"
	}
	files := map[string]string{
		"rocketmq/bin/runbroker.sh": strings.ReplaceAll(runStandin("runbroker.sh"), "@DELAY@\n", delay),
		"rocketmq/bin/runserver.sh": strings.ReplaceAll(runStandin("runserver.sh"), "@DELAY@\n", ""),
		"standin/jdk/bin/java":      javaStandin,
		"standin/jdk/bin/javac":     "#!/bin/sh\necho 'javac: a stand-in' >&2\nexit 2\n",
		// The runtime makes mount points in the image before the root turns read-only; the namespace
		// setup binds the image's folder read-only first, so the folder a pod mounts over exists already.
		"rocketmq/conf/acl/plain_acl.yml": "# the image's sample, hidden by an empty folder when ACL is on\naccounts: [{accessKey: RocketMQ, secretKey: \"12345678\"}]\n",
	}
	for name, l := range img.launchers {
		files["rocketmq/bin/"+name] = launcherStandin(name, l.run, l.main)
	}
	for name, text := range files {
		path := filepath.Join(host, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(text, "@RECORDS@", recordsPath)), 0o755))
	}
	// What the alternatives system puts on PATH on CentOS.
	require.NoError(t, os.MkdirAll(filepath.Join(host, "standin", "bin"), 0o755))
	for _, tool := range []string{"java", "javac"} {
		require.NoError(t, os.Symlink(jdkPath+"/bin/"+tool, filepath.Join(host, "standin", "bin", tool)))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(host, "standin", "records"), 0o755))
}

func launcherStandin(name, run, main string) string {
	return fmt.Sprintf(`#!/bin/sh
# Stand-in for the image's bin/%[1]s (rocketops stop test): it runs %[2]s with sh, not exec, so it stays
# between PID 1 and java.
if [ -z "${ROCKETMQ_HOME:-}" ]; then ROCKETMQ_HOME=$(cd "$(dirname "$0")/.." && pwd); fi
export ROCKETMQ_HOME
sh "$ROCKETMQ_HOME/bin/%[2]s" %[3]s "$@"
`, name, run, main)
}

func runStandin(name string) string {
	return `#!/bin/sh
# Stand-in for the image's bin/` + name + ` (rocketops stop test): finds the JDK through javac on PATH, probes
# the heap with a java that runs no main class, and runs java with its options, not exec.
date +%s.%N >@RECORDS@/run.started.part && mv @RECORDS@/run.started.part @RECORDS@/run.started
@DELAY@
if javac=$(which javac); then JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$javac")")"); fi
[ -e "${JAVA_HOME:-}/bin/java" ] || { echo "$0: no java in JAVA_HOME=${JAVA_HOME:-}" >&2; exit 1; }
export JAVA_HOME
JAVA=$JAVA_HOME/bin/java
if [ -z "${MAX_POSSIBLE_HEAP:-}" ]; then java -XshowSettings:vm -version >/dev/null 2>&1; fi
JAVA_OPT="${JAVA_OPT:-} -server ` + standinHeap + ` -Xmx1g -Xmn512m"
JAVA_OPT="$JAVA_OPT ${JAVA_OPT_EXT:-}"
JAVA_OPT="$JAVA_OPT -cp .:$ROCKETMQ_HOME/conf"
$JAVA $JAVA_OPT $@
`
}

// javaStandin plays the JVM: it records its argv and, on TERM, runs "shutdown hooks" for a second, records
// that they are done and exits 143, as a JVM stopped by SIGTERM does. Without TERM it runs forever, in short
// sleeps it leaves at once on TERM. Records are renamed into place, as the test polls for them.
const javaStandin = `#!/bin/sh
stop() {
	echo "term $(date +%s.%N)" >@RECORDS@/java.term.part
	mv @RECORDS@/java.term.part @RECORDS@/java.term
	sleep 1 # the shutdown hooks
	echo "shutdown done $(date +%s.%N)" >@RECORDS@/java.done.part
	mv @RECORDS@/java.done.part @RECORDS@/java.done
	exit 143
}
trap stop TERM
# Stand-in for java (rocketops stop test): the trap comes first, as TERM may come as soon as it runs.
rec=@RECORDS@
case " $* " in *" -version "*) echo '    Max. Heap Size (Estimated): 1.00G'; exit 0 ;; esac
if [ -n "${BASH_VERSION:-}" ]; then echo bash; else echo not bash; fi >"$rec/java.shell"
printf '%s\n' "$0" "$@" >"$rec/java.argv.part"
mv "$rec/java.argv.part" "$rec/java.argv"
while :; do
	sleep 0.1 &
	wait $!
done
`
