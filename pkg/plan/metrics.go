package plan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/jvm"
	"github.com/rocketops/rocketops/pkg/names"
	"github.com/rocketops/rocketops/pkg/spec"
)

// Metrics are the endpoints an external Prometheus scrapes and the objects that tell it to.
type Metrics struct {
	Port     int               `json:"port" doc:"Port of every metrics endpoint." min:"1" max:"65535"`
	Path     string            `json:"path" doc:"HTTP path of the endpoints."`
	Service  string            `json:"service" doc:"Headless Service over every pod with a metrics port (named metrics)."`
	Selector map[string]string `json:"selector" doc:"Labels of the pods the Service and a PodMonitor select."`
	// Monitor is none, PodMonitor or ServiceMonitor.
	Monitor  string    `json:"monitor" doc:"Prometheus Operator object that makes Prometheus scrape the endpoints." enum:"none,PodMonitor,ServiceMonitor"`
	Exporter *Exporter `json:"exporter,omitempty" doc:"The community rocketmq-exporter, when deployed."`
	Rules    *Rules    `json:"rules,omitempty" doc:"The PrometheusRule with the cluster's alerts, when generated."`
}

// Exporter is the rocketmq-exporter Deployment.
type Exporter struct {
	Deployment string `json:"deployment" doc:"Deployment name."`
	Pod        Pod    `json:"pod" doc:"Pod settings."`
}

// Rules is a PrometheusRule.
type Rules struct {
	Name   string            `json:"name" doc:"PrometheusRule name."`
	Labels map[string]string `json:"labels" doc:"Labels beyond the cluster's, e.g. the ones Prometheus selects rules by."`
	Groups json.RawMessage   `json:"groups" doc:"Rule groups." schema:"array"`
}

// ExporterGRPCPort is the exporter's own OTLP receiver, grpc.server.port in its application.yml.
const ExporterGRPCPort = 5559

// exporterTmpSize holds the exporter's logs (logback keeps up to 1 GB under ${user.home}/logs, logback.xml
// of rocketmq-exporter) and Tomcat's work folder.
const exporterTmpSize = 1536 * mi

const (
	metricsPath = "/metrics"
	// exporterJar is where the exporter's Dockerfile puts its jar (rocketmq-exporter src/main/docker/
	// Dockerfile: ADD … rocketmq-exporter.jar with no WORKDIR; ENTRYPOINT java -jar rocketmq-exporter.jar).
	exporterGrace = 30
)

// metricsOn reports whether the processes of the version export metrics themselves (5.1.0 on).
func (b *builder) metricsOn() bool {
	m := b.c.Spec.Metrics
	return *m.Enabled && b.hasKey(catalog.Broker, "metricsExporterType")
}

// metricsKeys are the keys that turn on a process's own Prometheus endpoint on port, bound on every
// address of the pod (the broker binds brokerIP1 otherwise, BrokerMetricsManager.java at
// rocketmq-all-5.3.3).
func (b *builder) metricsKeys(c catalog.Component, port int) []kv {
	if !b.metricsOn() {
		return nil
	}
	return b.present(c, []kv{
		{"metricsExporterType", "PROM"},
		{"metricsPromExporterHost", "0.0.0.0"},
		{"metricsPromExporterPort", strconv.Itoa(port)},
	})
}

// metricsPort is the metrics container port of a process that exports its own, or nil.
func (b *builder) metricsPort(c catalog.Component, port int) []corev1.ContainerPort {
	if !b.metricsOn() || !b.hasKey(c, "metricsExporterType") {
		return nil
	}
	return []corev1.ContainerPort{tcpPort("metrics", port)}
}

// metricsAnnotations let a Prometheus that discovers pods by annotation scrape them.
func metricsAnnotations(p *Pod, port int) {
	p.Annotations["prometheus.io/scrape"] = "true"
	p.Annotations["prometheus.io/port"] = strconv.Itoa(port)
	p.Annotations["prometheus.io/path"] = metricsPath
}

// metrics resolves the metrics Service, the exporter, the monitor and the alerts.
func (b *builder) metrics(p *Plan) *Metrics {
	c := b.c
	m := c.Spec.Metrics
	if !*m.Enabled {
		return nil
	}
	out := &Metrics{
		Port: m.Port, Path: metricsPath, Service: names.Metrics(c.Metadata.Name),
		Selector: map[string]string{LabelName: "rocketmq", LabelInstance: c.Metadata.Name},
		Monitor:  m.Monitor,
	}
	if *m.Exporter.Enabled {
		out.Exporter = b.exporter(p.NameServer.Addresses)
	}
	if *m.Rules.Enabled {
		out.Rules = b.rules(p, out)
	}
	return out
}

// exporter is the rocketmq-exporter Deployment: Spring Boot binds its settings from the environment
// (rocketmq.config.* as ROCKETMQ_CONFIG_*, server.port as SERVER_PORT; RMQConfigure and application.yml
// of apache/rocketmq-exporter), and its java is the image's entrypoint, PID 1, so it gets SIGTERM.
func (b *builder) exporter(namesrv []string) *Exporter {
	c := b.c
	m := c.Spec.Metrics
	out := &Exporter{Deployment: names.Exporter(c.Metadata.Name)}
	sel := b.selector("exporter")
	out.Pod = b.pod(spec.ComponentExporter, m.Exporter.Placement, sel, nil, "", exporterGrace)
	metricsAnnotations(&out.Pod, m.Port)
	env := []corev1.EnvVar{
		envValue("ROCKETMQ_CONFIG_NAMESRVADDR", strings.Join(namesrv, ";")),
		envValue("SERVER_PORT", strconv.Itoa(m.Port)),
		// The image runs as root with no user of uid 3000: logback writes under ${user.home}/logs.
		envValue("JAVA_TOOL_OPTIONS", "-Duser.home="+TmpPath+" -Djava.io.tmpdir="+TmpPath+" "+
			strings.Join(b.exporterHeap(m.Exporter.Resources), " ")),
	}
	if cred := clientCredentials(b.auth()); cred != nil {
		env = append(env, envValue("ROCKETMQ_CONFIG_ENABLEACL", "true"),
			secretEnv("ROCKETMQ_CONFIG_ACCESSKEY", cred.AccessKey), secretEnv("ROCKETMQ_CONFIG_SECRETKEY", cred.SecretKey))
	}
	get := corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: metricsPath, Port: intstr.FromString("metrics")}}
	tcp := corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("metrics")}}
	b.finish(&out.Pod, workload{
		name: "exporter", image: image(c.Spec.Images.Exporter), pull: c.Spec.Images.Exporter.PullPolicy,
		env:       env,
		ports:     []corev1.ContainerPort{tcpPort("metrics", m.Port)},
		scratch:   []scratch{{"tmp", TmpPath, exporterTmpSize}},
		resources: b.resources(m.Exporter.Resources),
		probes: probes{
			startup:   &corev1.Probe{ProbeHandler: tcp, PeriodSeconds: 5, FailureThreshold: 24},
			readiness: &corev1.Probe{ProbeHandler: get, PeriodSeconds: 30, TimeoutSeconds: 10, FailureThreshold: 3},
			liveness:  &corev1.Probe{ProbeHandler: tcp, PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 6},
		},
	})
	return out
}

// exporterHeap sizes the exporter's JVM from its memory limit, as the console's.
func (b *builder) exporterHeap(r spec.Resources) []string {
	return strings.Fields(b.javaOptions(r, spec.JVM{}, jvm.Console))
}

// rule is one alerting rule.
type rule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

type ruleGroup struct {
	Name  string `json:"name"`
	Rules []rule `json:"rules"`
}

// rules are the alerts an operator of RocketMQ expects. Metric names are those every exporting release
// has under the same name: up (Prometheus), kube-state-metrics' StatefulSet replicas, the kubelet's
// volume statistics, rocketmq_consumer_lag_messages (BrokerMetricsConstant.java at rocketmq-all-5.1.0
// to 5.3.3: a gauge, so no suffix is added), and the exporter's rocketmq_group_diff,
// rocketmq_brokeruntime_commitlog_disk_ratio (0 to 1) and rocketmq_broker_commitlog_diff (bytes a slave is
// behind its master; RMQMetricsCollector.java of apache/rocketmq-exporter).
func (b *builder) rules(p *Plan, m *Metrics) *Rules {
	c := b.c
	ns := c.Metadata.Namespace
	r := c.Spec.Metrics.Rules
	sel := fmt.Sprintf(`namespace=%q`, ns)
	warn := map[string]string{"severity": "warning"}
	crit := map[string]string{"severity": "critical"}
	var rs []rule
	targets := regexp.QuoteMeta(c.Metadata.Name) + "-.*"
	rs = append(rs, rule{
		Alert: "RocketMQTargetDown", For: "2m", Labels: crit,
		Expr: fmt.Sprintf(`up{%s, pod=~%q} == 0`, sel, targets),
		Annotations: map[string]string{"summary": "A RocketMQ metrics endpoint of " + c.Metadata.Name + " does not answer",
			"description": "{{ $labels.pod }} has not answered Prometheus for 2 minutes: the process is down or stuck."},
	})
	var sets []string
	sets = append(sets, p.NameServer.StatefulSet)
	for _, g := range p.Brokers.Groups {
		sets = append(sets, g.StatefulSet)
	}
	if p.Controller != nil {
		sets = append(sets, p.Controller.StatefulSet)
	}
	setRe := alternation(sets)
	rs = append(rs, rule{
		Alert: "RocketMQPodsNotReady", For: "5m", Labels: crit,
		Expr: fmt.Sprintf(`kube_statefulset_status_replicas_ready{%[1]s, statefulset=~%[2]q} < kube_statefulset_replicas{%[1]s, statefulset=~%[2]q}`, sel, setRe),
		Annotations: map[string]string{"summary": "A name server, broker or controller of " + c.Metadata.Name + " is not ready",
			"description": "StatefulSet {{ $labels.statefulset }} has had fewer ready pods than replicas for 5 minutes (kube-state-metrics)."},
	})
	var brokerSets []string
	for _, g := range p.Brokers.Groups {
		brokerSets = append(brokerSets, g.StatefulSet)
	}
	ratio := b.diskRatio()
	threshold := strconv.FormatFloat(max(ratio-0.05, 0.05), 'f', 2, 64)
	if claimed(p.Brokers) {
		rs = append(rs, rule{
			Alert: "RocketMQStoreVolumeFilling", For: "10m", Labels: warn,
			Expr: fmt.Sprintf(`kubelet_volume_stats_used_bytes{%[1]s, persistentvolumeclaim=~%[2]q} / kubelet_volume_stats_capacity_bytes{%[1]s, persistentvolumeclaim=~%[2]q} > %[3]s`,
				sel, "(store|commitlog)-"+alternation(brokerSets)+"-[0-9]+", threshold),
			Annotations: map[string]string{"summary": "A broker volume of " + c.Metadata.Name + " is nearly full",
				"description": fmt.Sprintf("{{ $labels.persistentvolumeclaim }} is more than %s%% used; at diskMaxUsedSpaceRatio (%d%%) the broker deletes messages before their reserved time, and at 90%% it refuses writes.", pct(threshold), int(ratio*100))},
		})
	}
	lag := strconv.Itoa(r.ConsumerLag)
	if b.metricsOn() {
		rs = append(rs, rule{
			Alert: "RocketMQConsumerLag", For: "5m", Labels: warn,
			Expr: fmt.Sprintf(`max by (consumer_group, topic) (rocketmq_consumer_lag_messages{cluster=%q, is_system!="true"}) > %s`, c.Spec.Brokers.ClusterName, lag),
			Annotations: map[string]string{"summary": "A consumer group lags behind",
				"description": "Consumer group {{ $labels.consumer_group }} is more than " + lag + " messages behind on topic {{ $labels.topic }}."},
		})
	}
	if m.Exporter != nil {
		exp := fmt.Sprintf(`%s, pod=~%q`, sel, regexp.QuoteMeta(m.Exporter.Deployment)+"-.*")
		rs = append(rs, rule{
			Alert: "RocketMQCommitLogDiskFilling", For: "10m", Labels: warn,
			Expr: fmt.Sprintf(`max by (brokerIP) (rocketmq_brokeruntime_commitlog_disk_ratio{%s}) > %s`, exp, threshold),
			Annotations: map[string]string{"summary": "A broker's commitlog disk is nearly full",
				"description": "The commitlog disk of {{ $labels.brokerIP }} is more than " + pct(threshold) + "% used."},
		})
		if !b.metricsOn() {
			rs = append(rs, rule{
				Alert: "RocketMQConsumerLag", For: "5m", Labels: warn,
				Expr: fmt.Sprintf(`max by (group, topic) (rocketmq_group_diff{%s}) > %s`, exp, lag),
				Annotations: map[string]string{"summary": "A consumer group lags behind",
					"description": "Consumer group {{ $labels.group }} is more than " + lag + " messages behind on topic {{ $labels.topic }}."},
			})
		}
		if replicated(p.Brokers) {
			bytes := strconv.Itoa(r.ReplicationLagBytes)
			rs = append(rs, rule{
				Alert: "RocketMQReplicationLag", For: "5m", Labels: warn,
				Expr: fmt.Sprintf(`max by (broker, brokerIP) (rocketmq_broker_commitlog_diff{%s}) > %s`, exp, bytes),
				Annotations: map[string]string{"summary": "A slave lags behind its master",
					"description": "Slave {{ $labels.brokerIP }} of {{ $labels.broker }} is more than " + bytes + " bytes of commitlog behind its master."},
			})
		}
	}
	groups := []ruleGroup{{Name: "rocketmq-" + c.Metadata.Name, Rules: rs}}
	return &Rules{Name: names.Metrics(c.Metadata.Name), Labels: orEmpty(r.Labels), Groups: b.marshal(groups)}
}

// diskRatio is diskMaxUsedSpaceRatio as a fraction: the spec's, else RocketMQ's default 75, clamped to
// 10..95 as MessageStoreConfig does.
func (b *builder) diskRatio() float64 {
	v := 75
	if s, ok := b.c.Spec.Brokers.Config["diskMaxUsedSpaceRatio"]; ok {
		if n, err := strconv.Atoi(s); err == nil {
			v = min(max(n, 10), 95)
		}
	}
	return float64(v) / 100
}

func pct(fraction string) string {
	f, _ := strconv.ParseFloat(fraction, 64)
	return strconv.Itoa(int(f*100 + 0.5))
}

// alternation is a regular expression matching exactly the given names.
func alternation(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = regexp.QuoteMeta(x)
	}
	return "(" + strings.Join(q, "|") + ")"
}

// claimed reports whether broker stores are claims, whose use the kubelet reports.
func claimed(b Brokers) bool {
	for _, g := range b.Groups {
		if g.Volume.Mode == "persistentVolumeClaim" || g.Volume.Mode == "local" {
			return true
		}
	}
	return false
}

// replicated reports whether some group has slaves that replicate through the HA service, whose lag the
// exporter reports.
func replicated(b Brokers) bool {
	if b.Mode == spec.DLedger {
		return false
	}
	for _, g := range b.Groups {
		if g.Replicas > 1 {
			return true
		}
	}
	return false
}
