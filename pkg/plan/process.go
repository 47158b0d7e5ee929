package plan

import (
	"fmt"
	"strings"
)

// Facts of the official RocketMQ images (apache/rocketmq-docker, image-build/Dockerfile-ubuntu for 5.x,
// Dockerfile-centos for 4.9; tags 5.3.3 and 4.9.8) that the generated pods rely on.
const (
	// Home is the rocketmq user's home (uid 3000): the JVM's user.home, so logs go to Home/logs.
	Home = "/home/rocketmq"
	// LogsPath is where RocketMQ's logback configuration writes (${user.home}/logs/rocketmqlogs).
	LogsPath = Home + "/logs"
	// ConfigPath is where the generated configuration files are mounted, read-only.
	ConfigPath = "/etc/rocketmq"
	// TmpPath is the JVM's java.io.tmpdir and the start scripts' scratch folder.
	TmpPath = "/tmp"
	// UID and GID of the rocketmq user the image creates; volumes are made theirs through fsGroup.
	UID = 3000
	GID = 3000
)

// Main classes the image's launchers (bin/mqnamesrv, bin/mqbroker) start; the supervisor finds the java
// process by them, as bin/mqshutdown does (`ps ax | grep -i <MainClass> | grep java`).
const (
	NameServerMain = "org.apache.rocketmq.namesrv.NamesrvStartup"
	BrokerMain     = "org.apache.rocketmq.broker.BrokerStartup"
)

// supervise returns the shell that runs a RocketMQ launcher as a child of PID 1 and passes SIGTERM on to
// java. bin/mqbroker and bin/mqnamesrv are #!/bin/sh scripts that run `sh runbroker.sh|runserver.sh …`
// without exec, and the image's run scripts start java without exec (apache/rocketmq distribution/bin at
// rocketmq-all-5.3.3 and 4.9.8; apache/rocketmq-docker image-build/scripts/runbroker-customize.sh): exec'ing
// the launcher would leave a shell as PID 1, which ignores SIGTERM, so java would only ever be SIGKILLed.
// Here PID 1 traps TERM, sends it to the java process running main (found in /proc, since the image may
// lack ps), and waits until the launcher, and so java with its shutdown hooks, has exited. A TERM that
// arrives before java has started is sent again once java is there. The script is POSIX sh: /bin/sh is
// dash on the 5.x (Ubuntu) image and bash on the 4.9 (CentOS) one.
func supervise(prepare, launcher, main string) string {
	return prepare + fmt.Sprintf(`main=%s
# term_java sends TERM to the java process running $main; it fails while there is none.
term_java() {
  sent=1
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    cmd=$(tr '\000' '\n' 2>/dev/null <"$p/cmdline") || continue
    case "
$cmd
" in *"
$main
"*) ;; *) continue ;; esac
    case "
$cmd
" in *"
java
"* | *"/java
"*) kill -TERM "${p#/proc/}" 2>/dev/null && sent=0 ;; esac
  done
  return $sent
}
stopping=
on_term() { stopping=1; if term_java; then stopping=sent; fi; }
trap on_term TERM INT
%s &
launcher=$!
status=0
while kill -0 "$launcher" 2>/dev/null; do
  if [ "$stopping" = 1 ] && [ "$(cut -d' ' -f3 "/proc/$launcher/stat" 2>/dev/null)" != Z ]; then
    # TERM came before java had started: send it again once java is there.
    if term_java; then stopping=sent; else sleep 1; fi
    continue
  fi
  if wait "$launcher"; then status=0; else status=$?; fi
done
exit "$status"
`, main, launcher)
}

// nameServerScript starts the name server under the supervisor.
func nameServerScript(configFile string) string {
	return supervise("set -u\n",
		fmt.Sprintf(`"$ROCKETMQ_HOME/bin/mqnamesrv" -c %s/%s`, ConfigPath, configFile), NameServerMain)
}

// brokerScript picks the member's configuration by the pod's ordinal, appends the pod IP (the node's
// under host networking) as brokerIP1/brokerIP2 (unset, the broker guesses its address and guesses wrong
// on multi-NIC pods; the IP is only known at start), and starts launcher under the supervisor.
func brokerScript(launcher, main, extra string) string {
	prepare := fmt.Sprintf(`set -u
id=${POD_NAME##*-}
case "$id" in '' | *[!0-9]*) echo "rocketops: pod name $POD_NAME does not end in an ordinal" >&2; exit 1 ;; esac
src=%[1]s/broker-$id.conf
if [ ! -f "$src" ]; then echo "rocketops: no $src: brokerId $id is not in the spec" >&2; exit 1; fi
conf=%[2]s/broker.conf
cp "$src" "$conf"
printf 'brokerIP1=%%s\nbrokerIP2=%%s\n' "$POD_IP" "$POD_IP" >>"$conf"
`, ConfigPath, TmpPath) + extra
	return supervise(prepare, launcher, main)
}

// consoleCommand starts the dashboard jar directly: the image's own command (`sh -c "java $JAVA_OPTS -jar
// /rocketmq-dashboard.jar"` in rocketmq-dashboard src/main/docker/Dockerfile, tags 2.0.0 and 2.1.0) puts a
// shell in front of java, and exec makes java PID 1, which gets SIGTERM and runs Spring's shutdown.
func consoleCommand(prepare string) []string {
	return []string{"/bin/sh", "-c", prepare + "exec java $JAVA_OPTS -jar /rocketmq-dashboard.jar"}
}

// shellCommand wraps a script as a container command.
func shellCommand(script string) []string {
	return []string{"/bin/sh", "-c", strings.TrimRight(script, "\n")}
}

// The logs volumes are sized to what the image's logback configuration can keep at most, so the kubelet
// never evicts a pod for logs RocketMQ rotates by itself. Every appender rolls with a fixed window and no
// total cap; the sums of (window + 1) × maxFileSize, archives counted at full size, are (apache/rocketmq):
//
//   - broker 5.3.3, broker/src/main/resources/rmq.broker.logback.xml: 31,767,658,496 bytes (19 files);
//
//   - broker 4.9.8, distribution/conf/logback_broker.xml: 19,394,461,696 bytes (12 files);
//
//   - name server 5.3.3, namesrv/src/main/resources/rmq.namesrv.logback.xml: 2,411,724,800 bytes;
//
//   - name server 4.9.8, distribution/conf/logback_namesrv.xml: 1,258,291,200 bytes;
//
//   - controller 5.3.3, controller/src/main/resources/rmq.controller.logback.xml: 3,670,016,000 bytes;
//
//   - proxy 5.3.3, proxy/src/main/resources/rmq.proxy.logback.xml: 32,086,425,600 bytes (17 files); a
//     broker inside a local-mode proxy logs through the proxy's configuration (bin/mqproxy sets it);
//
// plus the GC log, 5 × 30 MB (gcLogFlags). Earlier 5.x releases have a subset of 5.3.3's appenders.
// The pods request far less than that (logsRequest): what a broker writes in normal operation.
const (
	brokerLogsV5     = 30 * gi
	brokerLogsV4     = 19 * gi
	nameServerLogsV5 = 2560 * mi
	nameServerLogsV4 = 1408 * mi
	controllerLogs   = 3840 * mi
	proxyLogs        = 31 * gi
	tmpSize          = 256 * mi
	// consoleTmpSize holds the dashboard's data, Tomcat's work folder and its log
	// (${user.home}/logs/dashboardlogs, 100 MB files kept 10 days; the same lines go to stdout).
	consoleTmpSize = 1 * gi
	mi             = int64(1) << 20
	gi             = int64(1) << 30
)

// gcLogFlags move the GC log off /dev/shm and bound it. runbroker.sh writes it to /dev/shm/mq_gc_%p.log
// rotating 5 × 30m, runserver.sh to /dev/shm/rmq_srv_gc.log without rotation (apache/rocketmq-docker
// image-build/scripts/runbroker-customize.sh, runserver-customize.sh): /dev/shm is 64 MiB in a pod and
// charged to the memory limit. JAVA_OPT_EXT comes after those flags, and the JVM takes the last one.
var gcLogFlags = []string{"-Xloggc:" + LogsPath + "/gc.log", "-XX:+UseGCLogFileRotation", "-XX:NumberOfGCLogFiles=5", "-XX:GCLogFileSize=30m"}
