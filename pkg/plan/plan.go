// Package plan resolves a valid, defaulted spec into one Plan per environment: every name, address,
// port, configuration file, JVM flag, volume and placement rule. It is the only place where the
// compiler decides what the user means; blueprints and emitters only read the plan. It trusts
// package validate to have refused what cannot be built, so a failure here is a bug of rocketops.
package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketops/rocketops/pkg/jvm"
	"github.com/rocketops/rocketops/pkg/names"
	"github.com/rocketops/rocketops/pkg/spec"
)

// Fixed facts of the official image and of RocketMQ.
const (
	NameServerPort   = 9876
	BrokerListenPort = 10911 // fast channel listenPort-2, HA listenPort+1
	ConsolePort      = 8080
	StorePath        = "/home/rocketmq/store"
	NameServerPath   = "/home/rocketmq/namesrv"
	hostnameTopology = "kubernetes.io/hostname"
)

// Label keys rocketops sets.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelVersion   = "app.kubernetes.io/version"
	LabelGroup     = "rocketops.dev/broker-group"
	LabelMember    = "rocketops.dev/broker-member"
	LabelRole      = "rocketops.dev/broker-role"
	// AnnotationChecksum changes when a pod's configuration file changes, so the pod rolls.
	AnnotationChecksum = "rocketops.dev/config-checksum"
)

// Build resolves one environment of a valid, defaulted cluster.
func Build(env string, c *spec.Cluster) (*Plan, error) {
	b := &builder{c: c}
	p := &Plan{
		Environment: env,
		Name:        c.Metadata.Name,
		Namespace:   c.Metadata.Namespace,
		Version:     c.Spec.Version,
		Labels:      b.commonLabels(),
		Annotations: orEmpty(c.Metadata.Annotations),
	}
	p.NameServer = b.nameServer()
	p.Brokers = b.brokers(p.NameServer.Addresses)
	if *c.Spec.Console.Enabled {
		p.Console = b.console(p.NameServer.Addresses)
	}
	if b.err != nil {
		return nil, fmt.Errorf("internal error: plan %s: %w", env, b.err)
	}
	return p, nil
}

type builder struct {
	c   *spec.Cluster
	err error
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) commonLabels() map[string]string {
	l := map[string]string{}
	for k, v := range b.c.Metadata.Labels {
		l[k] = v
	}
	l[LabelName] = "rocketmq"
	l[LabelInstance] = b.c.Metadata.Name
	l[LabelManagedBy] = "rocketops"
	l[LabelVersion] = b.c.Spec.Version
	return l
}

func (b *builder) selector(component string, extra ...string) map[string]string {
	s := map[string]string{LabelName: "rocketmq", LabelInstance: b.c.Metadata.Name, LabelComponent: component}
	for i := 0; i+1 < len(extra); i += 2 {
		s[extra[i]] = extra[i+1]
	}
	return s
}

func (b *builder) nameServer() NameServer {
	c := b.c
	ns := c.Spec.NameServer
	n := NameServer{
		StatefulSet:     names.NameServer(c.Metadata.Name),
		Service:         names.NameServer(c.Metadata.Name),
		HeadlessService: names.NameServerHeadless(c.Metadata.Name),
		ConfigMap:       names.NameServerConfig(c.Metadata.Name),
		Replicas:        *ns.Replicas,
		Port:            NameServerPort,
		ConfigFile:      "namesrv.conf",
	}
	for i := 0; i < n.Replicas; i++ {
		n.Addresses = append(n.Addresses, fmt.Sprintf("%s-%d.%s.%s.svc.%s:%d", n.StatefulSet, i, n.HeadlessService, c.Metadata.Namespace, c.Spec.ClusterDomain, NameServerPort))
	}
	n.Config = properties("name server", []kv{
		{"listenPort", fmt.Sprint(NameServerPort)},
		{"kvConfigPath", NameServerPath + "/kvConfig.json"},
		{"configStorePath", NameServerPath + "/namesrv.properties"},
	}, ns.Config)
	n.Volume = b.volume("data", NameServerPath, ns.Storage, n.StatefulSet)
	sel := b.selector("namesrv")
	n.Pod = b.pod(c.Spec.Images.NameServer, ns.Resources, ns.JVM, jvm.NameServer, ns.Placement, sel, nil, n.Config, 30)
	return n
}

func (b *builder) brokers(namesrv []string) Brokers {
	c := b.c
	bs := c.Spec.Brokers
	out := Brokers{
		ClusterName:     bs.ClusterName,
		HeadlessService: names.BrokerHeadless(c.Metadata.Name),
		Ports:           Ports{Listen: BrokerListenPort, Fast: BrokerListenPort - 2, HA: BrokerListenPort + 1},
	}
	v4 := spec.IsV4(c.Spec.Version)
	for _, g := range bs.GroupList() {
		group := Group{
			Name:           g.Name,
			PDB:            names.BrokerGroup(c.Metadata.Name, g.Name),
			SelectorLabels: b.selector("broker", LabelGroup, g.Name),
		}
		slaves := *g.Slaves
		for id := 0; id <= slaves; id++ {
			m := Member{
				Name:       names.Broker(c.Metadata.Name, g.Name, id),
				Role:       "master",
				BrokerID:   id,
				ConfigMap:  names.BrokerConfig(c.Metadata.Name, g.Name, id),
				ConfigFile: "broker.conf",
			}
			role := "ASYNC_MASTER"
			if bs.Replication == "SYNC" {
				role = "SYNC_MASTER"
			}
			if id > 0 {
				m.Role, role = "slave", "SLAVE"
			}
			m.Address = fmt.Sprintf("%s-0.%s.%s.svc.%s", m.Name, out.HeadlessService, c.Metadata.Namespace, c.Spec.ClusterDomain)
			owned := []kv{
				{"brokerClusterName", bs.ClusterName},
				{"brokerName", g.Name},
				{"brokerId", fmt.Sprint(id)},
				{"brokerRole", role},
				{"flushDiskType", bs.FlushDiskType},
				{"namesrvAddr", strings.Join(namesrv, ";")},
				{"listenPort", fmt.Sprint(out.Ports.Listen)},
				{"haListenPort", fmt.Sprint(out.Ports.HA)},
				{"storePathRootDir", StorePath},
				{"storePathCommitLog", StorePath + "/commitlog"},
			}
			if !v4 && bs.Replication == "SYNC" && bs.InSyncReplicas != nil {
				owned = append(owned, kv{"inSyncReplicas", fmt.Sprint(*bs.InSyncReplicas)}, kv{"totalReplicas", fmt.Sprint(slaves + 1)})
			}
			m.Config = properties("broker", owned, mergeProps(bs.Config, g.Config))
			m.Volume = b.volume("store", StorePath, bs.Storage, m.Name)
			sel := b.selector("broker", LabelGroup, g.Name, LabelMember, names.Member(id))
			m.Pod = b.pod(c.Spec.Images.Broker, bs.Resources, bs.JVM, jvm.Broker, bs.Placement, sel, group.SelectorLabels, m.Config, 60)
			m.Pod.Labels[LabelRole] = m.Role
			group.Members = append(group.Members, m)
		}
		out.Groups = append(out.Groups, group)
	}
	return out
}

func (b *builder) console(namesrv []string) *Console {
	c := b.c
	con := c.Spec.Console
	out := &Console{
		Deployment: names.Console(c.Metadata.Name),
		Service: ConsoleService{
			Name: names.Console(c.Metadata.Name), Type: con.Service.Type, Port: con.Service.Port, NodePort: con.Service.NodePort,
		},
		Replicas: *con.Replicas,
		Port:     ConsolePort,
	}
	sel := b.selector("console")
	out.Pod = b.pod(c.Spec.Images.Console, con.Resources, con.JVM, jvm.Console, con.Placement, sel, nil, "", 30)
	out.Pod.JavaOptions = strings.Join(append(strings.Fields(out.Pod.JavaOptions),
		"-Drocketmq.namesrv.addr="+strings.Join(namesrv, ";"),
		fmt.Sprintf("-Dserver.port=%d", ConsolePort),
		"-Drocketmq.config.dataPath=/tmp/rocketmq-console/data",
	), " ")
	return out
}

// pod resolves what a workload's pods share. spreadSel selects the pods that must not share a node
// (a broker's group); nil means the workload's own pods.
func (b *builder) pod(img spec.Image, res spec.Resources, j spec.JVM, role jvm.Role, pl spec.Placement, sel, spreadSel map[string]string, config string, grace int) Pod {
	p := Pod{
		Image:            img.Repository + imageSep(img.Tag) + img.Tag,
		PullPolicy:       img.PullPolicy,
		PullSecrets:      append([]string{}, b.c.Spec.Images.PullSecrets...),
		Resources:        b.resources(res),
		NodeSelector:     orEmpty(pl.NodeSelector),
		SelectorLabels:   sel,
		Labels:           map[string]string{},
		Annotations:      map[string]string{},
		TerminationGrace: grace,
	}
	for k, v := range b.commonLabels() {
		p.Labels[k] = v
	}
	for k, v := range sel {
		p.Labels[k] = v
	}
	if config != "" {
		sum := sha256.Sum256([]byte(config))
		p.Annotations[AnnotationChecksum] = "sha256:" + hex.EncodeToString(sum[:])
	}
	limit := int64(0)
	if q, err := resource.ParseQuantity(string(res.Limits["memory"])); err == nil {
		limit = q.Value()
	}
	heap, direct := quantity(j.Heap), quantity(j.DirectMemory)
	flags := jvm.Derive(role, limit, heap, direct).Flags()
	p.JavaOptions = strings.Join(append(flags, j.Options...), " ")

	var tol []corev1.Toleration
	if len(pl.Tolerations) > 0 {
		if err := json.Unmarshal(pl.Tolerations, &tol); err != nil {
			b.fail(err)
		}
	}
	p.Tolerations = b.marshal(orEmptyList(tol))
	var aff corev1.Affinity
	if len(pl.Affinity) > 0 {
		if err := json.Unmarshal(pl.Affinity, &aff); err != nil {
			b.fail(err)
		}
	}
	if spreadSel == nil {
		spreadSel = sel
	}
	spread(&aff, pl.SpreadMembers, spreadSel)
	p.Affinity = b.marshal(aff)
	return p
}

// spread adds the anti-affinity that keeps pods selected by sel on different nodes.
func spread(a *corev1.Affinity, how string, sel map[string]string) {
	if how == "none" || how == "" {
		return
	}
	if a.PodAntiAffinity == nil {
		a.PodAntiAffinity = &corev1.PodAntiAffinity{}
	}
	term := corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: sel}, TopologyKey: hostnameTopology}
	if how == "required" {
		a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, term)
		return
	}
	a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
		corev1.WeightedPodAffinityTerm{Weight: 100, PodAffinityTerm: term})
}

func (b *builder) marshal(v any) json.RawMessage {
	out, err := json.Marshal(v)
	if err != nil {
		b.fail(err)
	}
	return out
}

// resources writes quantities in canonical form (0.5 becomes 500m, 1024Mi becomes 1Gi), the form the
// API server stores, so that live objects compare equal.
func (b *builder) resources(r spec.Resources) Resources {
	canon := func(in map[string]spec.Quantity) map[string]string {
		out := map[string]string{}
		for k, v := range in {
			q, err := resource.ParseQuantity(string(v))
			if err != nil {
				b.fail(fmt.Errorf("quantity %q: %w", v, err))
				continue
			}
			out[k] = q.String()
		}
		return out
	}
	return Resources{Requests: canon(r.Requests), Limits: canon(r.Limits)}
}

func (b *builder) volume(name, mount string, st spec.Storage, member string) Volume {
	v := Volume{Name: name, Mode: st.Mode, MountPath: mount, Medium: st.Medium}
	switch st.Mode {
	case "persistentVolumeClaim":
		v.Size = canonical(st.Size)
		v.StorageClass = st.StorageClass
		v.AccessModes = st.AccessModes
	case "hostPath":
		v.HostPath = strings.TrimRight(st.Path, "/") + "/" + member
	case "emptyDir":
		if st.Size != "" {
			v.Size = canonical(st.Size)
		}
	}
	return v
}

func canonical(q spec.Quantity) string {
	v, err := resource.ParseQuantity(string(q))
	if err != nil {
		return string(q)
	}
	return v.String()
}

func quantity(q spec.Quantity) int64 {
	if q == "" {
		return 0
	}
	v, err := resource.ParseQuantity(string(q))
	if err != nil {
		return 0
	}
	return v.Value()
}

func imageSep(tag string) string {
	if strings.HasPrefix(tag, "sha256:") {
		return "@"
	}
	return ":"
}

type kv struct{ k, v string }

// properties writes a Java properties file: the keys rocketops owns in a fixed order, then the
// user's sorted by key.
func properties(what string, owned []kv, user spec.Properties) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s configuration generated by rocketops\n", what)
	for _, p := range owned {
		fmt.Fprintf(&b, "%s=%s\n", p.k, p.v)
	}
	if len(user) > 0 {
		b.WriteString("# from the spec\n")
		keys := make([]string, 0, len(user))
		for k := range user {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s\n", k, escapeValue(user[k]))
		}
	}
	return b.String()
}

// escapeValue escapes what a properties reader would otherwise misread: backslashes, and characters
// outside ASCII, since RocketMQ reads the file as ISO 8859-1 and takes \uXXXX escapes. The
// validator has already refused values with line breaks or comments.
func escapeValue(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mergeProps(base, over spec.Properties) spec.Properties {
	out := spec.Properties{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func orEmptyList(t []corev1.Toleration) []corev1.Toleration {
	if t == nil {
		return []corev1.Toleration{}
	}
	return t
}
