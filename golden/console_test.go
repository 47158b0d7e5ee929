package golden_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/render"
)

// The console test runs the compiled console (rocketmq-dashboard) container the way the kubelet does, as
// PID 1 of a PID namespace of its own, on a root of the image's shape: a read-only tmpfs holding
// /rocketmq-dashboard.jar, the host's /usr and /etc bound read-only beneath it, java on PATH (a stand-in),
// the pod's volumes where the pod mounts them, and the container's user, group and fsGroup. The image's facts
// (rocketmq-dashboard src/main/docker/Dockerfile at rocketmq-dashboard-2.0.0 and 2.1.0): FROM java:8, the
// jar at /rocketmq-dashboard.jar, java on PATH, no USER. The stand-in java records what it was given and
// what it found, and exits 143 on TERM, as a JVM does.
const (
	consoleStopWithin = 3 * time.Second // for PID 1 to exit after SIGTERM; the pod's grace period is 30 s
	consoleJar        = "/rocketmq-dashboard.jar"
	consoleRecords    = "/.rocketops-records" // in the container's root: the stand-in's records
	consoleJava       = "/usr/local/bin/java" // on the image's PATH
	consoleHome       = "/"                   // HOME the runtime sets for a uid with no passwd entry
)

// TestConsoleStart starts the compiled console containers of both dashboard releases, stops them as the
// kubelet does and requires that java is PID 1 (the shell execs it), that it gets what the dashboard needs
// to show this cluster and run as a non-root user on a read-only root (system properties, a writable home
// and temporary folder in the pod's /tmp volume) and that it gets the kubelet's TERM and PID 1 exits 143.
func TestConsoleStart(t *testing.T) {
	needConsoleTools(t)
	for _, c := range []struct{ version, port string }{{"2.0.0", "8080"}, {"2.1.0", "8082"}} {
		t.Run(c.version, func(t *testing.T) {
			t.Parallel()
			out := compileConsoleSpec(t, c.version)
			pod := consolePodOf(t, out)
			require.True(t, strings.HasSuffix(pod.image, ":"+c.version), "console image %s for dashboard %s", pod.image, c.version)
			require.Equal(t, c.port, pod.port, "the console's http containerPort for dashboard %s", c.version)
			require.Equal(t, []string{"/bin/sh", "-c", "exec java $JAVA_OPTS -jar " + consoleJar}, pod.command)
			namesrv := brokerNamesrvAddrs(t, out)
			require.Len(t, namesrv, 2, "the spec has two name servers")

			r := startConsole(t, pod)
			r.logOnFailure(t)
			argvRec, ok := r.waitRecord("java.argv", startWithin)
			require.True(t, ok, "%s", r.failure("java did not start within %s", startWithin))
			sent, err := r.sigterm()
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(r.pid1Cmdline, "/bin/sh "+consoleJava+" "),
				"PID 1 runs %q, not java: the shell did not exec it", r.pid1Cmdline)
			term, ok := r.waitRecord("java.term", termWithin)
			require.True(t, ok, "%s", r.failure("java recorded no TERM within %s of SIGTERM", termWithin))
			require.False(t, recordTime(t, term).Before(sent), "java's TERM came before the test sent SIGTERM: %s", term)
			require.True(t, r.waitExit(consoleStopWithin-time.Since(sent)), "PID 1 still running %s after SIGTERM", consoleStopWithin)
			require.Equal(t, 143, r.exit.ExitCode(), "PID 1 must exit with java's status (%s)", r.exit)
			t.Logf("SIGTERM to exit: %s", r.exitedAt.Sub(sent).Round(time.Millisecond))

			// java as PID 1, as the container's user.
			proc := consoleRecordMap(t, r, "java.proc", " ")
			require.Equal(t, "1", proc["pid"], "java's PID in the namespace")
			require.Equal(t, pod.uid, proc["uid"], "java's uid")
			require.Equal(t, pod.gid, proc["gid"], "java's gid")
			require.Contains(t, strings.Fields(proc["groups"]), pod.fsGroup, "java's groups must hold the fsGroup")

			// The command line: the shell's word splitting of JAVA_OPTS, then the jar.
			argv := strings.Split(strings.TrimSuffix(argvRec, "\n"), "\n")
			require.Equal(t, consoleJava, argv[0], "java's path: found on the image's PATH")
			require.Equal(t, append(strings.Fields(pod.env["JAVA_OPTS"]), "-jar", consoleJar), argv[1:], "java's arguments")

			// The properties.
			props := consoleRecordMap(t, r, "java.props", "=")
			addrs := props["rocketmq.config.namesrvAddrs"]
			require.Equal(t, strings.Join(namesrv, ";"), addrs, "rocketmq.config.namesrvAddrs: the broker's namesrvAddr")
			require.NotContains(t, addrs, ",", "Spring splits a list property on commas")
			require.Equal(t, pod.port, props["server.port"], "server.port: the container's http port")
			require.Equal(t, "true", props["management.endpoint.health.probes.enabled"])
			tmp := pod.mount(t, "/tmp")
			for _, key := range []string{"user.home", "java.io.tmpdir", "rocketmq.config.dataPath"} {
				require.Truef(t, within(tmp.path, props[key]), "%s=%q is outside the /tmp volume", key, props[key])
			}

			// What java found: the jar, and its home, temporary folder and data folder writable in the volume.
			checks := consoleRecordMap(t, r, "java.checks", " ")
			for _, key := range []string{"jar", "user.home", "java.io.tmpdir", "logs", "rocketmq.config.dataPath", "root"} {
				require.Equal(t, "ok", checks[key], "stand-in check %s", key)
			}
			for _, dir := range []string{filepath.Join(props["user.home"], "logs", "consolelogs"), props["rocketmq.config.dataPath"]} {
				rel, err := filepath.Rel(tmp.path, dir)
				require.NoError(t, err)
				info, err := os.Stat(filepath.Join(tmp.host, rel))
				require.NoError(t, err, "java made %s, but not in the pod's /tmp volume", dir)
				require.True(t, info.IsDir())
			}
		})
	}
}

// needConsoleTools is needNamespaces without the broker images' shells: the console test needs root,
// unshare, chroot and setpriv, and fails without them when the tools are required (CI, ROCKETOPS_REQUIRE_TOOLS=1).
func needConsoleTools(t *testing.T) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, tool := range []string{"unshare", "setpriv", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := "console test: needs " + strings.Join(missing, ", ") + " to run the console in PID and mount namespaces"
		if os.Getenv("CI") != "" || os.Getenv(kubetest.RequireToolsEnv) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// compileConsoleSpec compiles the quickstart case with a dashboard release and two name servers, so the
// console's list of name servers has a separator to get wrong.
func compileConsoleSpec(t *testing.T, version string) *compile.Output {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("quickstart", "cluster.yaml"))
	require.NoError(t, err)
	spec := string(src)
	const at = "  brokers:\n"
	require.Equal(t, 1, strings.Count(spec, at), "quickstart/cluster.yaml changed: no single %q", at)
	spec = strings.Replace(spec, at, fmt.Sprintf("  nameServer:\n    replicas: 2\n  console:\n    version: %q\n", version)+at, 1)
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: []byte(spec), Targets: []string{"manifests"}})
	require.NoError(t, err)
	require.Len(t, out.Objects, 1, "the spec must have one environment")
	return out
}

func consoleObjects(out *compile.Output) []render.Object {
	var objs []render.Object
	for _, o := range out.Objects {
		objs = o
	}
	return objs
}

// brokerNamesrvAddrs reads the name servers from the brokers' configuration: namesrvAddr, ";"-separated.
func brokerNamesrvAddrs(t *testing.T, out *compile.Output) []string {
	t.Helper()
	var addrs []string
	for _, o := range consoleObjects(out) {
		if o.Kind != "ConfigMap" || o.Labels["app.kubernetes.io/component"] != "broker" {
			continue
		}
		for name, data := range dig(t, o.Value, "data").(map[string]any) {
			for _, line := range strings.Split(data.(string), "\n") {
				if v, ok := strings.CutPrefix(line, "namesrvAddr="); ok {
					got := strings.Split(v, ";")
					require.True(t, addrs == nil || strings.Join(addrs, ";") == v, "%s/%s: namesrvAddr=%s, elsewhere %q", o.Name, name, v, addrs)
					addrs = got
				}
			}
		}
	}
	require.NotEmpty(t, addrs, "no broker ConfigMap has a namesrvAddr line")
	return addrs
}

// consolePod is what the test takes from the compiled console Deployment.
type consolePod struct {
	image   string
	command []string
	env     map[string]string
	envList []string
	port    string // the http containerPort
	uid     string
	gid     string
	fsGroup string
	mounts  []consoleMount
}

type consoleMount struct {
	path string // in the container
	host string // the folder the test mounts there
}

func (p consolePod) mount(t *testing.T, path string) consoleMount {
	t.Helper()
	for _, m := range p.mounts {
		if m.path == path {
			return m
		}
	}
	t.Fatalf("the console mounts nothing at %s", path)
	return consoleMount{}
}

func consolePodOf(t *testing.T, out *compile.Output) consolePod {
	t.Helper()
	var deploy *render.Object
	objs := consoleObjects(out)
	for i, o := range objs {
		if o.Kind == "Deployment" && o.Labels["app.kubernetes.io/component"] == "console" {
			require.Nil(t, deploy, "more than one console Deployment")
			deploy = &objs[i]
		}
	}
	require.NotNil(t, deploy, "no console Deployment")
	podSpec := dig(t, deploy.Value, "spec", "template", "spec")
	c := named(t, dig(t, podSpec, "containers"), "console")
	p := consolePod{image: dig(t, c, "image").(string), env: map[string]string{}}
	for _, arg := range dig(t, c, "command").([]any) {
		p.command = append(p.command, arg.(string))
	}
	for _, e := range dig(t, c, "env").([]any) {
		name := dig(t, e, "name").(string)
		v, ok := e.(map[string]any)["value"].(string)
		require.True(t, ok, "env %s: the console test resolves only values", name)
		p.env[name] = v
		p.envList = append(p.envList, name+"="+v)
	}
	p.port = fmt.Sprint(dig(t, named(t, dig(t, c, "ports"), "http"), "containerPort"))
	p.uid, p.gid, p.fsGroup = runAs(t, c, podSpec)
	require.NotEqual(t, "0", p.uid, "the console runs as root")
	for _, vm := range dig(t, c, "volumeMounts").([]any) {
		name := dig(t, vm, "name").(string)
		vol := named(t, dig(t, podSpec, "volumes"), name)
		_, ok := vol["emptyDir"]
		require.True(t, ok, "volume %s: the console test mounts only emptyDirs", name)
		p.mounts = append(p.mounts, consoleMount{path: dig(t, vm, "mountPath").(string)})
	}
	return p
}

// startConsole runs the container's command as PID 1 of new PID and mount namespaces, chrooted into the
// image-shaped root, as the container's user.
func startConsole(t *testing.T, p consolePod) *podRun {
	t.Helper()
	host := t.TempDir()
	for _, dir := range []string{"root", "bin", "records"} {
		require.NoError(t, os.Mkdir(filepath.Join(host, dir), 0o755))
	}
	require.NoError(t, os.Chmod(filepath.Join(host, "records"), 0o777))
	require.NoError(t, os.WriteFile(filepath.Join(host, "bin", "java"), []byte(strings.ReplaceAll(consoleJavaStandin, "@RECORDS@", consoleRecords)), 0o755))
	fsGroup, err := strconv.Atoi(p.fsGroup)
	require.NoError(t, err)
	for i := range p.mounts {
		// An emptyDir as the kubelet makes it: mode 0777, then the fsGroup's, group-writable and setgid.
		dir := filepath.Join(host, "volumes", strconv.Itoa(i))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.Chown(dir, 0, fsGroup))
		require.NoError(t, os.Chmod(dir, 0o777|os.ModeSetgid))
		p.mounts[i].host = dir
	}
	return waitPID1(t, launchAsUser(t, host, consoleSetup(t, host, p.mounts), p.uid, p.gid, p.fsGroup, p.command, p.envList))
}

// consoleSetup is the script that builds the container's root in the new mount namespace and then execs
// the container's command in it, which stays PID 1. The root is a tmpfs on the test's folder, with the
// host's system folders bound read-only, the stand-in java over /usr/local/bin, the image's jar, the
// pod's volumes and the records; then it is made read-only, as readOnlyRootFilesystem does.
func consoleSetup(t *testing.T, host string, mounts []consoleMount) string {
	t.Helper()
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	root := host + "/root"
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("set -eu")
	line("root=%s", q(root))
	line(`mount -t tmpfs -o mode=0755 tmpfs "$root"`)
	line(`for d in bin sbin lib lib32 lib64 libx32 usr etc; do`)
	line(`	if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$root/$d"`)
	line(`	elif [ -d "/$d" ]; then mkdir "$root/$d" && mount --rbind "/$d" "$root/$d" && mount -o remount,bind,ro "$root/$d"; fi`)
	line(`done`)
	line(`mkdir "$root/dev" "$root/proc" && mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc"`)
	line(`mount --bind %s "$root/usr/local/bin"`, q(host+"/bin"))
	line(`mkdir "$root"%s && mount --bind %s "$root"%s`, q(consoleRecords), q(host+"/records"), q(consoleRecords))
	line(`: >"$root"%s`, q(consoleJar))
	for _, m := range mounts {
		top := strings.SplitN(strings.TrimPrefix(m.path, "/"), "/", 2)[0]
		require.NotContains(t, []string{"", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "dev", "proc"}, top,
			"mount %s: the console test makes mount points only in its own root", m.path)
		line(`mkdir -p "$root"%s && mount --bind %s "$root"%s`, q(m.path), q(m.host), q(m.path))
	}
	line(`mount -o remount,ro "$root"`)
	line(`cd "$root"`)
	line(`exec chroot "$root" "$@"`)
	return b.String()
}

// consoleRecordMap reads a record of "key<sep>value" lines.
func consoleRecordMap(t *testing.T, r *podRun, name, sep string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.records, name))
	require.NoError(t, err)
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		k, v, ok := strings.Cut(line, sep)
		require.True(t, ok, "record %s: line %q", name, line)
		m[k] = v
	}
	return m
}

// within reports whether path is dir or below it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && filepath.IsAbs(path) && rel != ".." && !strings.HasPrefix(rel, "../")
}

// consoleJavaStandin plays the dashboard's JVM: it records its PID and ids, its argv and -D properties,
// checks the jar and that the folders the dashboard writes to exist and are writable (logback writes to
// ${user.home}/logs/consolelogs, the dashboard its users and state to rocketmq.config.dataPath), and
// that the root is not; on TERM it records the time and exits 143. Records are renamed into place, as
// the test polls for them; java.argv comes last.
const consoleJavaStandin = `#!/bin/sh
rec=@RECORDS@
stop() {
	echo "term $(date +%s.%N)" >"$rec/java.term.part"
	mv "$rec/java.term.part" "$rec/java.term"
	exit 143
}
trap stop TERM
# Stand-in for java (rocketops console test): the trap comes first, as TERM may come as soon as it runs.
# Probes write in subshells: a failed redirection of a special built-in ends a POSIX shell.
{ echo "pid $$"; echo "uid $(id -u)"; echo "gid $(id -g)"; echo "groups $(id -G)"; } >"$rec/java.proc.part"
mv "$rec/java.proc.part" "$rec/java.proc"
home= tmpdir= data= jar= prev=
: >"$rec/java.props.part"
for a in "$@"; do
	case $a in
	-D*) printf '%s\n' "${a#-D}" >>"$rec/java.props.part" ;;
	esac
	case $a in
	-Duser.home=*) home=${a#*=} ;;
	-Djava.io.tmpdir=*) tmpdir=${a#*=} ;;
	-Drocketmq.config.dataPath=*) data=${a#*=} ;;
	esac
	if [ "$prev" = -jar ]; then jar=$a; fi
	prev=$a
done
mv "$rec/java.props.part" "$rec/java.props"
writable() { # name folder
	if [ -z "$2" ]; then echo "$1 unset"
	elif [ ! -d "$2" ]; then echo "$1 missing: $2"
	elif ! (: >"$2/.standin-probe" && rm "$2/.standin-probe") 2>/dev/null; then echo "$1 not writable: $2"
	else echo "$1 ok"; fi
}
{
	if [ -n "$jar" ] && [ -f "$jar" ] && [ -r "$jar" ]; then echo "jar ok"; else echo "jar missing: $jar"; fi
	writable user.home "$home"
	writable java.io.tmpdir "$tmpdir"
	if [ -n "$home" ] && mkdir -p "$home/logs/consolelogs" 2>/dev/null; then echo "logs ok"; else echo "logs failed"; fi
	if [ -n "$data" ] && mkdir -p "$data" 2>/dev/null; then writable rocketmq.config.dataPath "$data"; else echo "rocketmq.config.dataPath failed: $data"; fi
	if (: >/.standin-probe) 2>/dev/null; then echo "root writable"; else echo "root ok"; fi
} >"$rec/java.checks.part"
mv "$rec/java.checks.part" "$rec/java.checks"
printf '%s\n' "$0" "$@" >"$rec/java.argv.part"
mv "$rec/java.argv.part" "$rec/java.argv"
while :; do
	sleep 0.1 &
	wait $!
done
`

// launchAsUser runs command as PID 1 of new PID and mount namespaces, as uid:gid with the pod's fsGroup and
// no new privileges, after setup has made the pod's mounts; its output goes to host/output.log.
func launchAsUser(t *testing.T, host, setup, uid, gid, fsGroup string, command, env []string) *podRun {
	t.Helper()
	logFile, err := os.Create(filepath.Join(host, "output.log"))
	require.NoError(t, err)
	t.Cleanup(func() { logFile.Close() })

	user := []string{"setpriv", "--reuid=" + uid, "--regid=" + gid, "--groups=" + fsGroup, "--no-new-privs", "--"}
	args := append([]string{"--pid", "--fork", "--kill-child", "--mount-proc", "--mount", "--propagation", "private",
		"--", "/bin/sh", "-c", setup, "setup"}, append(user, command...)...)
	r := &podRun{host: host, records: filepath.Join(host, "records"), cmd: exec.Command("unshare", args...), done: make(chan struct{})}
	r.cmd.Env = append([]string{"PATH=" + sysPath, "HOME=" + consoleHome}, env...)
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // Pdeathsig follows the thread that started the process
		defer runtime.UnlockOSThread()
		if err := r.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = r.cmd.Wait()
		r.exitedAt, r.exit = time.Now(), r.cmd.ProcessState
		close(r.done)
	}()
	require.NoError(t, <-started)
	t.Cleanup(r.kill)
	return r
}

// runAs is the console's uid, gid and fsGroup: the container's securityContext overrides the pod's.
func runAs(t *testing.T, c map[string]any, podSpec any) (uid, gid, fsGroup string) {
	t.Helper()
	sc := func(key string) string {
		for _, ctx := range []any{c["securityContext"], podSpec.(map[string]any)["securityContext"]} {
			if m, ok := ctx.(map[string]any); ok && m[key] != nil {
				return fmt.Sprint(m[key])
			}
		}
		t.Fatalf("the console sets no %s", key)
		return ""
	}
	return sc("runAsUser"), sc("runAsGroup"), sc("fsGroup")
}
