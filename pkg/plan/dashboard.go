package plan

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Dashboard holds the facts of one rocketmq-dashboard release the console relies on.
type Dashboard struct {
	// Port is server.port in the release's src/main/resources/application.yml.
	Port int
}

// Dashboards are the rocketmq-dashboard releases rocketops can run, by version. Both Dockerfiles start
// FROM java:8 with no USER (src/main/docker/Dockerfile at rocketmq-dashboard-2.0.0 and 2.1.0); 2.1.0's
// pom.xml compiles for Java 17, so its image must bring a newer JVM than that Dockerfile does.
var Dashboards = map[string]Dashboard{
	"2.0.0": {Port: 8080},
	"2.1.0": {Port: 8082},
}

// properties are the system properties that make the dashboard run as the rocketmq user on a read-only
// root and show this cluster.
//   - user.home: under a uid with no passwd entry JDK 8 sets it to "?", and logback's
//     ${user.home}/logs/consolelogs then fails Spring Boot's start; /tmp is the pod's writable volume.
//   - rocketmq.config.namesrvAddrs: application.yml sets this list to [127.0.0.1:9876], and it overrides
//     -Drocketmq.namesrv.addr (rocketmq-dashboard PR #271). RMQConfigure uses only the list's first
//     element as the admin client's address and Spring splits a list property on commas, so every
//     name server goes into one element, ";"-joined, which the RocketMQ client reads as a list.
//   - rocketmq.config.dataPath: users.properties and other state, in the writable volume.
//   - management.endpoint.health.probes.enabled: the liveness and readiness health groups the probes
//     use; Spring Boot turns them on by itself only when it detects Kubernetes.
func (d Dashboard) properties(namesrv []string) []string {
	return []string{
		"-Duser.home=" + TmpPath,
		"-Djava.io.tmpdir=" + TmpPath,
		"-Drocketmq.config.namesrvAddrs=" + strings.Join(namesrv, ";"),
		"-Drocketmq.config.dataPath=" + consoleDataPath,
		fmt.Sprintf("-Dserver.port=%d", d.Port),
		"-Dmanagement.endpoint.health.probes.enabled=true",
	}
}

// probes use Spring Boot's health groups (spring-boot-starter-actuator is in the dashboard's pom.xml:
// Spring Boot 2.6.0 in 2.0.0, 3.4.5 in 2.1.0; /actuator/** is outside the login interceptor's paths):
// liveness says the application runs, readiness that it has started and accepts requests.
func (d Dashboard) probes() probes {
	get := func(path string) corev1.ProbeHandler {
		return corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("http")}}
	}
	return probes{
		startup:   &corev1.Probe{ProbeHandler: get(livenessPath), PeriodSeconds: 5, FailureThreshold: 24},
		readiness: &corev1.Probe{ProbeHandler: get(readinessPath), PeriodSeconds: 10, TimeoutSeconds: 5, FailureThreshold: 3},
		liveness:  &corev1.Probe{ProbeHandler: get(livenessPath), PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 6},
	}
}

// consoleDataPath is the dashboard's data path, in its writable volume.
const consoleDataPath = TmpPath + "/rocketmq-console/data"

const (
	livenessPath  = "/actuator/health/liveness"
	readinessPath = "/actuator/health/readiness"
)
