package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/jvm"
	"github.com/rocketops/rocketops/pkg/names"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/spec"
)

// MinBrokerVolume is the smallest broker volume worth having: commitlog files are 1Gi each and
// RocketMQ stops writing at diskMaxUsedSpaceRatio (75% by default), so 4Gi holds three of them.
const MinBrokerVolume = 4 << 30

// ownedBroker are broker.conf keys the compiler writes itself, with the spec field that sets them.
var ownedBroker = map[string]string{
	"brokerClusterName":               "set spec.brokers.clusterName",
	"brokerName":                      "a group's name is its brokerName: set spec.brokers.groups",
	"brokerId":                        "brokerIds follow from spec.brokers.slaves: 0 for the master, 1 … for slaves",
	"brokerRole":                      "set spec.brokers.replication (ASYNC or SYNC); slaves are SLAVE",
	"namesrvAddr":                     "the name-server addresses come from spec.nameServer",
	"listenPort":                      brokerPorts,
	"haListenPort":                    brokerPorts,
	"brokerIP1":                       "rocketops sets brokerIP1 to the pod IP at start",
	"brokerIP2":                       "rocketops sets brokerIP1 to the pod IP at start; brokerIP2 follows it",
	"storePathRootDir":                storeHint,
	"storePathCommitLog":              storeHint,
	"storePathConsumeQueue":           storeHint,
	"flushDiskType":                   "set spec.brokers.flushDiskType",
	"inSyncReplicas":                  "set spec.brokers.inSyncReplicas",
	"totalReplicas":                   "follows from spec.brokers.slaves",
	"rocketmqHome":                    "the image sets ROCKETMQ_HOME",
	"fetchNamesrvAddrByAddressServer": "the name-server addresses come from spec.nameServer",
}

// ownedNameServer are name-server keys the compiler writes itself.
var ownedNameServer = map[string]string{
	"listenPort":      fmt.Sprintf("rocketops fixes the name-server port at %d", plan.NameServerPort),
	"rocketmqHome":    "the image sets ROCKETMQ_HOME",
	"kvConfigPath":    "the name server keeps kvConfig.json on the volume of spec.nameServer.storage",
	"configStorePath": "the name server keeps its files on the volume of spec.nameServer.storage",
}

// feature is a RocketMQ capability rocketops does not generate yet: its keys are refused rather than
// half-supported, since a hand-set key without the rest of the feature (peers, Secrets, ports) would
// give a cluster that does not work, or a credential in a ConfigMap.
type feature struct {
	name string
	// match says whether a key belongs to the feature.
	match func(key string) bool
}

var notYet = []feature{
	{"exporting metrics to an OpenTelemetry collector", func(k string) bool {
		// The header may carry a collector's credential, and a properties file has no way to take it from a Secret.
		return k == "metricsGrpcExporterHeader" || k == "metricsGrpcExporterTarget"
	}},
}

// unsupported names the feature a key belongs to, or "".
func unsupported(key string) string {
	for _, f := range notYet {
		if f.match(key) {
			return f.name
		}
	}
	return ""
}

// controlChar finds a control character other than tab: a line break ends the property and the rest
// (NUL, escape sequences) has no place in a configuration file.
func controlChar(v string) (rune, bool) {
	for _, c := range v {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return c, true
		}
	}
	return 0, false
}

// credentialWords in a key or a value mark a credential, whatever the key: rocketops writes properties
// into ConfigMaps, which anyone who may read the namespace can read.
var credentialWords = []string{"password", "passwd", "secret", "secretkey", "accesskey", "credential", "token"}

func credential(key, value string) bool {
	k, v := strings.ToLower(key), strings.ToLower(value)
	for _, w := range credentialWords {
		if strings.Contains(k, w) || strings.Contains(v, `"`+w) || strings.Contains(v, w+"=") || strings.Contains(v, w+":") {
			return true
		}
	}
	return false
}

// reservedLabels are the label keys rocketops sets; users may not set them.
var reservedLabels = []string{plan.LabelName, plan.LabelInstance, plan.LabelComponent, plan.LabelManagedBy, plan.LabelVersion,
	"app.kubernetes.io/part-of"}

// Hints that name facts the plan owns.
var (
	brokerPorts = fmt.Sprintf("rocketops fixes the broker ports (%d, fast channel %d, HA %d)",
		plan.BrokerListenPort, plan.BrokerListenPort-2, plan.BrokerListenPort+1)
	storeHint = "the store lives on the volume of spec.brokers.storage, mounted at " + plan.StorePath
)

type ruler struct {
	doc  *spec.Document
	node *yaml.Node
	c    *spec.Cluster
	out  diag.List
}

func (r *ruler) at(pointer string, key bool, hint, format string, args ...any) {
	line, col, origin := r.doc.Position(r.node, pointer, key)
	r.out = append(r.out, diag.Diagnostic{File: r.doc.File, Line: line, Col: col, Pointer: origin, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// warn reports a finding that does not make the spec invalid.
func (r *ruler) warn(pointer string, key bool, hint, format string, args ...any) {
	r.at(pointer, key, hint, format, args...)
	r.out[len(r.out)-1].Warning = true
}

func rules(doc *spec.Document, node *yaml.Node, c *spec.Cluster) diag.List {
	r := &ruler{doc: doc, node: node, c: c}
	r.metadata()
	r.images()
	r.names()
	r.topology()
	r.modes()
	r.proxy()
	r.clusterPlacement()
	r.authRules()
	r.credentials(node, "")
	r.metricsRules()
	r.gitopsRules()
	r.config()
	r.memory("/spec/nameServer", jvm.NameServer, c.Spec.NameServer.Resources, c.Spec.NameServer.JVM)
	r.memory("/spec/brokers", jvm.Broker, c.Spec.Brokers.Resources, c.Spec.Brokers.JVM)
	if *c.Spec.Console.Enabled {
		r.memory("/spec/console", jvm.Console, c.Spec.Console.Resources, c.Spec.Console.JVM)
		r.console()
	}
	r.storage("/spec/nameServer/storage", c.Spec.NameServer.Storage, false)
	r.storage("/spec/brokers/storage", c.Spec.Brokers.Storage, true)
	if c.Spec.Brokers.CommitLogStorage != nil {
		r.storage("/spec/brokers/commitLogStorage", *c.Spec.Brokers.CommitLogStorage, true)
	}
	r.localNodes()
	if c.Spec.Brokers.Mode == spec.ControllerMode && c.Spec.Controller.Mode == spec.ControllerStandalone {
		r.memory("/spec/controller", jvm.Controller, c.Spec.Controller.Resources, c.Spec.Controller.JVM)
		r.storage("/spec/controller/storage", c.Spec.Controller.Storage, false)
		r.placement("/spec/controller/placement", c.Spec.Controller.Placement)
	}
	if *c.Spec.Proxy.Enabled && c.Spec.Proxy.Mode == spec.ProxyCluster {
		r.memory("/spec/proxy", jvm.Proxy, c.Spec.Proxy.Resources, c.Spec.Proxy.JVM)
		r.placement("/spec/proxy/placement", c.Spec.Proxy.Placement)
	}
	r.placement("/spec/nameServer/placement", c.Spec.NameServer.Placement)
	r.placement("/spec/brokers/placement", c.Spec.Brokers.Placement)
	r.placement("/spec/console/placement", c.Spec.Console.Placement)
	return r.out
}

func (r *ruler) metadata() {
	for _, k := range sortedNames(r.c.Metadata.Labels) {
		p := spec.Pointer("metadata", "labels", k)
		for _, msg := range validation.IsQualifiedName(k) {
			r.at(p, true, "", "label key %q: %s", k, msg)
		}
		for _, msg := range validation.IsValidLabelValue(r.c.Metadata.Labels[k]) {
			r.at(p, false, "", "label value %q: %s", r.c.Metadata.Labels[k], msg)
		}
		for _, reserved := range reservedLabels {
			if k == reserved {
				r.at(p, true, "rocketops sets the app.kubernetes.io labels itself", "label %q is set by rocketops", k)
			}
		}
		if strings.HasPrefix(k, "rocketops.dev/") {
			r.at(p, true, "rocketops.dev/ labels select pods; pick another prefix", "label %q is set by rocketops", k)
		}
	}
	total := 0
	for _, k := range sortedNames(r.c.Metadata.Annotations) {
		p := spec.Pointer("metadata", "annotations", k)
		for _, msg := range validation.IsQualifiedName(k) {
			r.at(p, true, "", "annotation key %s: %s", diag.Quote(k), msg)
		}
		for _, prefix := range reservedAnnotations {
			if strings.HasPrefix(k, prefix) {
				r.at(p, true, "pick another prefix: "+prefix+" annotations steer rocketops or the tools that apply its output",
					"annotation %s is reserved", diag.Quote(k))
			}
		}
		total += len(k) + len(r.c.Metadata.Annotations[k])
	}
	if total > maxAnnotations {
		r.at("/metadata/annotations", true, "", "annotations total %d bytes; Kubernetes allows %d per object", total, maxAnnotations)
	}
}

// reservedAnnotations are prefixes of annotations that change how the output is applied.
var reservedAnnotations = []string{"rocketops.dev/", "helm.sh/", "meta.helm.sh/", "argocd.argoproj.io/",
	"kustomize.toolkit.fluxcd.io/", "kubectl.kubernetes.io/last-applied-configuration"}

// maxAnnotations is the API server's limit on the total size of an object's annotations.
const maxAnnotations = 256 << 10

// images refuses a repository that carries its own tag: the tag field would be appended after it.
func (r *ruler) images() {
	imgs := []struct {
		field string
		img   spec.Image
	}{{"nameServer", r.c.Spec.Images.NameServer}, {"broker", r.c.Spec.Images.Broker}, {"console", r.c.Spec.Images.Console}}
	for _, i := range imgs {
		repo := i.img.Repository
		last := repo[strings.LastIndex(repo, "/")+1:]
		if at := strings.IndexAny(last, ":@"); at >= 0 {
			r.at("/spec/images/"+i.field+"/repository", false, fmt.Sprintf("set spec.images.%s.tag: %q and leave it out of the repository", i.field, last[at+1:]),
				"repository %s holds a tag; the image would be %s:%s", diag.Quote(repo), repo, i.img.Tag)
		}
	}
}

func (r *ruler) names() {
	groups := r.c.Spec.Brokers.GroupList()
	var gnames []string
	for _, g := range groups {
		gnames = append(gnames, g.Name)
	}
	sp := r.c.Spec
	checks := names.LongestWith(r.c.Metadata.Name, gnames,
		sp.Brokers.Mode == spec.ControllerMode && sp.Controller.Mode == spec.ControllerStandalone, *sp.Proxy.Enabled)
	cluster := len(r.c.Metadata.Name)
	// The longest cluster name every name that grows with it allows, so that each finding gives the
	// same, sufficient maximum.
	maxCluster := cluster
	for _, chk := range checks {
		// A named group's own finding blames the group; counted groups are named after the cluster.
		if chk.Group < 0 || r.c.Spec.Brokers.Groups.Named == nil {
			maxCluster = min(maxCluster, chk.Limit-(len(chk.Name)-cluster))
		}
	}
	for _, chk := range checks {
		if len(chk.Name) <= chk.Limit {
			continue
		}
		over := len(chk.Name) - chk.Limit
		ptr, hint := "/metadata/name", fmt.Sprintf("shorten metadata.name (%d characters) to at most %d", cluster, maxCluster)
		if chk.Group >= 0 && r.c.Spec.Brokers.Groups.Named != nil {
			g := groups[chk.Group]
			ptr = spec.Pointer("spec", "brokers", "groups", strconv.Itoa(chk.Group), "name")
			hint = fmt.Sprintf("shorten metadata.name (%d characters) or the group name (%d characters) by %d together", cluster, len(g.Name), over)
		}
		shown := chk.Name
		if len(shown) > 70 {
			shown = shown[:60] + "…"
		}
		r.at(ptr, false, hint, "generated %s name %q is %d characters; Kubernetes allows %d", chk.Kind, shown, len(chk.Name), chk.Limit)
	}
}

func (r *ruler) topology() {
	b := r.c.Spec.Brokers
	seen := map[string]int{}
	for i, g := range b.Groups.Named {
		if j, dup := seen[g.Name]; dup {
			r.at(spec.Pointer("spec", "brokers", "groups", strconv.Itoa(i), "name"), false,
				"a group's name is its brokerName, which the name server keeps one of",
				"group %q is declared twice (first as item %d)", g.Name, j)
			continue
		}
		seen[g.Name] = i
	}
	for i, g := range b.Groups.Named {
		if clash := names.GroupClash(r.c.Metadata.Name, g.Name); clash != "" {
			r.at(spec.Pointer("spec", "brokers", "groups", strconv.Itoa(i), "name"), false,
				"pick another group name, e.g. broker-"+g.Name,
				"group %q would give its StatefulSet, ConfigMap and PodDisruptionBudget %s names (%s)", g.Name, clash, names.BrokerGroup(r.c.Metadata.Name, g.Name))
		}
	}
	if b.Mode != spec.MasterSlave {
		// modes checks the other modes' replicas.
		return
	}
	v4 := spec.IsV4(r.c.Spec.Version)
	var noSlaves, tooFew []string
	for _, g := range b.GroupList() {
		if b.Replication == "SYNC" && *g.Slaves == 0 {
			noSlaves = append(noSlaves, g.Name)
		} else if b.InSyncReplicas != nil && !v4 && *b.InSyncReplicas > *g.Slaves+1 {
			tooFew = append(tooFew, fmt.Sprintf("%s (%d)", g.Name, *g.Slaves+1))
		}
	}
	if len(noSlaves) > 0 {
		r.at("/spec/brokers/replication", false, "set spec.brokers.slaves to 1 or more, or use ASYNC replication",
			"SYNC replication needs at least one slave, but %s %s none", plural(len(noSlaves), "group", "groups")+" "+joinQuoted(noSlaves), plural(len(noSlaves), "has", "have"))
	}
	if len(tooFew) > 0 {
		r.at("/spec/brokers/inSyncReplicas", false, "add slaves or lower spec.brokers.inSyncReplicas",
			"inSyncReplicas %d is more than the replicas (master and slaves) of %s: writes would never complete", *b.InSyncReplicas, strings.Join(tooFew, ", "))
	}
	if b.InSyncReplicas != nil {
		if v4 {
			r.at("/spec/brokers/inSyncReplicas", true, "remove it: RocketMQ 4.x replicates by brokerRole alone",
				"inSyncReplicas exists in RocketMQ 5.0.0 and later, not in %s", r.c.Spec.Version)
		} else if b.Replication == "SYNC" && *b.InSyncReplicas < 2 {
			r.at("/spec/brokers/inSyncReplicas", false, "set inSyncReplicas to 2 or more, or use ASYNC replication",
				"with inSyncReplicas %d a RocketMQ 5.x SYNC_MASTER waits for no slave", *b.InSyncReplicas)
		}
	}
}

func (r *ruler) config() {
	version := r.c.Spec.Version
	r.properties("/spec/nameServer/config", catalog.NameServer, version, r.c.Spec.NameServer.Config, ownedNameServer)
	r.properties("/spec/brokers/config", catalog.Broker, version, r.c.Spec.Brokers.Config, ownedBroker)
	for i, g := range r.c.Spec.Brokers.Groups.Named {
		r.properties(spec.Pointer("spec", "brokers", "groups", strconv.Itoa(i), "config"), catalog.Broker, version, g.Config, ownedBroker)
	}
}

func (r *ruler) properties(ptr string, comp catalog.Component, version string, props spec.Properties, owned map[string]string) {
	for _, k := range sortedNames(props) {
		p := ptr + "/" + escape(k)
		if c, ok := controlChar(props[k]); ok {
			r.at(p, false, "write the value without control characters", "%s: value holds the control character %U, which would be written raw into the configuration file", k, c)
			continue
		}
		if credential(k, props[k]) {
			r.at(p, false, "keep credentials in a Secret; rocketops never writes one into a ConfigMap",
				"%s looks like a credential", k)
			continue
		}
		if f := unsupported(k); f != "" {
			r.at(p, true, "remove it: rocketops will generate "+f+" from the spec, with every part it needs",
				"%s is part of %s, which rocketops does not support yet", k, f)
			continue
		}
		if hint, ok := owned[k]; ok {
			r.at(p, true, hint, "%s is set by rocketops", k)
			continue
		}
		if hint, ok := generatedKeys[k]; ok && (comp == catalog.Broker || comp == catalog.Proxy || comp == catalog.Controller) {
			r.at(p, true, hint, "%s is set by rocketops", k)
			continue
		}
		if hint, ok := r.modeKey(comp, k); ok {
			r.at(p, true, hint, "%s is set by rocketops", k)
			continue
		}
		if comp == catalog.Broker && k == "preferredLeaderId" && !r.preferredLeader(p, props[k]) {
			continue
		}
		key, ok := catalog.Lookup(comp, version, k)
		if !ok {
			if other, found := catalog.Find(comp, k); found && len(other.Versions) > 0 {
				r.at(p, true, "remove it, or change spec.version", "%s setting %q does not exist in RocketMQ %s; it exists in %s", comp, k, version, versionRange(other.Versions))
				continue
			}
			hint := "see the keys of this version with: rocketops explain --keys " + keysArg(comp) + " --version " + version
			if s := catalog.SuggestIn(comp, version, k); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			r.at(p, true, hint, "unknown %s setting %s for RocketMQ %s (RocketMQ would ignore it)", comp, diag.Quote(k), version)
			continue
		}
		if err := catalog.CheckValue(key, props[k]); err != nil {
			r.at(p, false, "", "%s: %v", k, err)
		}
	}
}

func keysArg(c catalog.Component) string {
	switch c {
	case catalog.Broker:
		return "broker"
	case catalog.Controller:
		return "controller"
	case catalog.Proxy:
		return "proxy"
	}
	return "namesrv"
}

// versionRange says which versions a key exists in, compactly: runs of consecutive releases as
// "4.9.0 to 4.9.8", a run to the newest release as "5.1.1 and later".
func versionRange(vs []string) string {
	all := catalog.Versions()
	if len(vs) == 0 {
		return "no release"
	}
	index := map[string]int{}
	for i, v := range all {
		index[v] = i
	}
	var runs []string
	for i := 0; i < len(vs); {
		j := i
		for j+1 < len(vs) && index[vs[j+1]] == index[vs[j]]+1 {
			j++
		}
		switch {
		case index[vs[j]] == len(all)-1 && j > i:
			runs = append(runs, vs[i]+" and later")
		case j == i:
			runs = append(runs, vs[i])
		default:
			runs = append(runs, vs[i]+" to "+vs[j])
		}
		i = j + 1
	}
	return strings.Join(runs, ", ")
}

func (r *ruler) quantity(ptr string, q spec.Quantity) (resource.Quantity, bool) {
	v, err := resource.ParseQuantity(string(q))
	if err != nil {
		r.at(ptr, false, "use a Kubernetes quantity such as 2Gi, 512Mi or 500m", "%q is not a valid quantity", string(q))
		return v, false
	}
	if v.Sign() <= 0 {
		r.at(ptr, false, "", "must be more than zero, got %q", string(q))
		return v, false
	}
	if v.Cmp(maxQuantity) > 0 {
		r.at(ptr, false, "no node has that much: give a size such as 8Gi or 2Ti", "%s is more than %s", diag.Quote(string(q)), maxQuantity.String())
		return v, false
	}
	return v, true
}

// maxQuantity bounds every size and amount in a spec: more than any node has, and far below where the
// derived JVM flags would overflow.
var maxQuantity = resource.MustParse("1Pi")

// sizedFlags are JVM options that size memory: the JVM takes the last of each, and JAVA_OPT_EXT comes
// after rocketops' own flags, so one in jvm.options would silently win over the checked sizes.
var sizedFlags = []struct{ prefix, field string }{
	{"-Xmx", "jvm.heap"}, {"-Xms", "jvm.heap"}, {"-Xmn", "jvm.heap (the young generation is half of it)"},
	{"-XX:MaxDirectMemorySize", "jvm.directMemory"},
	{"-XX:MaxRAM=", "resources.limits.memory"}, {"-XX:InitialRAMPercentage", "jvm.heap"},
	{"-XX:MinRAMPercentage", "jvm.heap"}, {"-XX:MaxRAMPercentage", "jvm.heap"},
	{"-Xloggc", "nothing: rocketops writes the GC log to the logs volume"},
}

func (r *ruler) jvmOptions(ptr string, opts []string) {
	for i, o := range opts {
		for _, f := range sizedFlags {
			if strings.HasPrefix(o, f.prefix) {
				r.at(fmt.Sprintf("%s/jvm/options/%d", ptr, i), false, "use "+f.field+" instead",
					"%s in jvm.options would override the sizes rocketops checks against the memory limit", diag.Quote(o))
				break
			}
		}
	}
}

func (r *ruler) memory(ptr string, role jvm.Role, res spec.Resources, j spec.JVM) {
	r.jvmOptions(ptr, j.Options)
	var limit int64
	for _, section := range []string{"requests", "limits"} {
		list := res.Requests
		if section == "limits" {
			list = res.Limits
		}
		for _, name := range sortedNames(list) {
			p := ptr + "/resources/" + section + "/" + name
			if section == "requests" && spec.Lookup(r.node, p) == nil {
				if _, fromLimit := res.Limits[name]; fromLimit && spec.Lookup(r.node, ptr+"/resources/limits/"+name) != nil {
					// A request Default copied from its limit: the limit is checked where it is written.
					continue
				}
			}
			q, ok := r.quantity(p, list[name])
			if !ok {
				continue
			}
			if section == "limits" && name == "memory" {
				limit = q.Value()
			}
			if section == "requests" {
				if l, has := res.Limits[name]; has {
					if lq, err := resource.ParseQuantity(string(l)); err == nil && q.Cmp(lq) > 0 {
						r.at(ptr+"/resources/requests/"+name, false, "Kubernetes refuses a request above its limit",
							"%s request %s is more than its limit %s", name, list[name], l)
					}
				}
			}
		}
	}
	var heap, direct int64
	if j.Heap != "" {
		if q, ok := r.quantity(ptr+"/jvm/heap", j.Heap); ok {
			heap = q.Value()
		}
	}
	if j.DirectMemory != "" {
		if role != jvm.Broker {
			r.at(ptr+"/jvm/directMemory", true, "only brokers take directMemory", "directMemory is not used by this component")
		} else if q, ok := r.quantity(ptr+"/jvm/directMemory", j.DirectMemory); ok {
			direct = q.Value()
		}
	}
	if limit == 0 {
		// An invalid limit has been reported where it is written.
		if heap == 0 && res.Limits["memory"] == "" {
			r.at(ptr+"/resources", true, "set resources.limits.memory (the JVM is sized from it) or jvm.heap",
				"no memory limit and no jvm.heap: the JVM would size itself from the node's memory")
		}
		return
	}
	s := jvm.Derive(role, limit, heap, direct)
	if s.Heap > 0 && s.Heap < 128<<20 {
		if heap > 0 {
			r.at(ptr+"/jvm/heap", false, "give the JVM at least 128Mi of heap", "heap of %s is too small to run", jvm.Human(s.Heap))
		} else {
			r.at(ptr+"/resources/limits/memory", false, "raise the memory limit or set jvm.heap", "heap of %s is too small to run", jvm.Human(s.Heap))
		}
		return
	}
	if s.Total(role) > limit {
		parts := "heap " + jvm.Human(s.Heap)
		if s.Direct > 0 {
			parts += " + direct memory " + jvm.Human(s.Direct)
		}
		parts += " + " + jvm.Human(jvm.Overhead(role)) + " overhead"
		where := ptr + "/resources/limits/memory"
		if heap > 0 {
			where = ptr + "/jvm/heap"
		}
		r.at(where, false, fmt.Sprintf("raise resources.limits.memory to at least %s, or lower the JVM sizes", jvm.Human(jvm.MinLimit(role, heap, direct))),
			"the JVM does not fit the memory limit %s: %s = %s, and the container would be OOM-killed", jvm.Human(limit), parts, jvm.Human(s.Total(role)))
		return
	}
	if cache := s.PageCache(role, limit); role == jvm.Broker && float64(cache) < jvm.MinPageCacheShare*float64(limit) {
		where := ptr + "/resources/limits/memory"
		if heap > 0 {
			where = ptr + "/jvm/heap"
		} else if direct > 0 {
			where = ptr + "/jvm/directMemory"
		}
		r.warn(where, false, "the commitlog is read and written through the page cache, charged to the same memory limit: raise the limit or lower jvm.heap / jvm.directMemory",
			"heap %s + direct memory %s + %s overhead leave %s of the memory limit %s for the page cache, less than %d%%",
			jvm.Human(s.Heap), jvm.Human(s.Direct), jvm.Human(jvm.Overhead(role)), jvm.Human(cache), jvm.Human(limit), int(jvm.MinPageCacheShare*100))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// forbiddenHostPaths are node folders no RocketMQ store may be put in: the node's own state and the
// container runtime's socket.
var forbiddenHostPaths = []string{"/proc", "/sys", "/dev", "/etc", "/boot", "/run", "/var/run", "/var/lib/kubelet",
	"/var/lib/docker", "/var/lib/containerd", "/usr", "/bin", "/sbin", "/lib", "/root"}

func (r *ruler) hostPath(ptr, path string) {
	if path == "" {
		return
	}
	if c, ok := controlChar(path); ok || strings.ContainsRune(path, 0) {
		r.at(ptr, false, "", "path holds the control character %U", c)
		return
	}
	if clean := filepath.Clean(path); (path != "/" && clean != strings.TrimSuffix(path, "/")) || strings.Contains(path, "/../") {
		r.at(ptr, false, fmt.Sprintf("write it as %s", clean), "path %s is not in its plain form (no .., . or //)", diag.Quote(path))
		return
	}
	clean := filepath.Clean(path)
	if clean == "/" {
		r.at(ptr, false, "use a folder of its own, e.g. /data/rocketmq", "path / would put the store at the root of the node")
		return
	}
	for _, f := range forbiddenHostPaths {
		if clean == f || strings.HasPrefix(clean, f+"/") {
			r.at(ptr, false, "use a folder of its own, e.g. /data/rocketmq", "path %s is inside %s, which belongs to the node", diag.Quote(path), f)
			return
		}
	}
}

func (r *ruler) storage(ptr string, st spec.Storage, broker bool) {
	r.hostPath(ptr+"/path", st.Path)
	if st.StorageClass != nil && *st.StorageClass != "" {
		for _, msg := range validation.IsDNS1123Subdomain(*st.StorageClass) {
			r.at(ptr+"/storageClass", false, "", "storageClass %s: %s", diag.Quote(*st.StorageClass), msg)
		}
	}
	for i, m := range st.AccessModes {
		if m == "ReadOnlyMany" {
			r.at(fmt.Sprintf("%s/accessModes/%d", ptr, i), false, "use ReadWriteOnce (or ReadWriteOncePod)", "RocketMQ writes to its volume; ReadOnlyMany would mount it read-only")
		}
	}
	only := func(field string, set bool, modes ...string) {
		if !set {
			return
		}
		for _, m := range modes {
			if st.Mode == m {
				return
			}
		}
		which := "mode " + modes[0]
		if len(modes) > 1 {
			which = "modes " + strings.Join(modes[:len(modes)-1], ", ") + " and " + modes[len(modes)-1]
		}
		r.at(ptr+"/"+field, true, fmt.Sprintf("remove it, or set mode: %s", modes[0]), "%s is only used with %s, not %s", field, which, st.Mode)
	}
	only("storageClass", st.StorageClass != nil && r.given(ptr+"/storageClass"), "persistentVolumeClaim", "local")
	only("accessModes", len(st.AccessModes) > 0 && r.given(ptr+"/accessModes"), "persistentVolumeClaim", "local", "nfs")
	only("path", st.Path != "", "hostPath")
	only("medium", st.Medium != "", "emptyDir")
	only("local", st.Local != nil, "local")
	only("nfs", st.NFS != nil, "nfs")
	r.storageSources(ptr, st)
	if st.Mode == "hostPath" && st.Path == "" {
		r.at(ptr+"/mode", false, "set storage.path to a folder on the node, e.g. /data/rocketmq", "mode hostPath needs a path")
	}
	if st.Mode == "hostPath" && st.Size != "" {
		r.at(ptr+"/size", true, "a hostPath has the size of the node's disk", "size is not used with mode hostPath")
	}
	if st.Size == "" {
		return
	}
	q, ok := r.quantity(ptr+"/size", st.Size)
	if ok && broker && q.Value() < MinBrokerVolume {
		r.at(ptr+"/size", false, "commitlog files are 1Gi each: give each broker at least 4Gi",
			"broker volume %s is too small for RocketMQ's commitlog", st.Size)
	}
}

func (r *ruler) placement(ptr string, p spec.Placement) {
	for _, k := range sortedNames(p.NodeSelector) {
		for _, msg := range validation.IsQualifiedName(k) {
			r.at(ptr+"/nodeSelector/"+escape(k), true, "", "node label key %q: %s", k, msg)
		}
		for _, msg := range validation.IsValidLabelValue(p.NodeSelector[k]) {
			r.at(ptr+"/nodeSelector/"+escape(k), false, "", "node label value %q: %s", p.NodeSelector[k], msg)
		}
	}
	if len(p.Tolerations) > 0 {
		var t []corev1.Toleration
		if r.strict(ptr+"/tolerations", p.Tolerations, &t) {
			r.tolerations(ptr+"/tolerations", t)
		}
	}
	if len(p.Affinity) > 0 {
		var a corev1.Affinity
		if r.strict(ptr+"/affinity", p.Affinity, &a) {
			r.affinity(ptr+"/affinity", &a)
		}
	}
}

// strict decodes a Kubernetes object the user wrote and reports unknown or mistyped fields where
// they were written. It reports whether the object decoded, so that its values can be checked.
func (r *ruler) strict(ptr string, raw json.RawMessage, into any) bool {
	hint := "see kubectl explain pod.spec." + ptr[strings.LastIndex(ptr, "/")+1:]
	// Duplicate keys are the YAML reader's to report; here every strict error is an unknown field.
	strictErrs, err := kjson.UnmarshalStrict(raw, into, kjson.DisallowUnknownFields)
	if err != nil {
		r.at(ptr, false, hint, "%s", strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	for _, e := range strictErrs {
		var fe kjson.FieldError
		if !errors.As(e, &fe) {
			r.at(ptr, true, hint, "%s", e.Error())
			continue
		}
		p := ptr + fieldPointer(fe.FieldPath())
		name := p[strings.LastIndex(p, "/")+1:]
		r.at(p, true, unknownFieldHint(into, p, ptr, hint), "unknown field %s", diag.Quote(name))
	}
	return len(strictErrs) == 0
}

// unknownFieldHint suggests the nearest field the Kubernetes type has at that place.
func unknownFieldHint(obj any, pointer, root, fallback string) string {
	rel := strings.TrimPrefix(pointer, root)
	parts := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	t := reflect.TypeOf(obj)
	for _, p := range parts[:len(parts)-1] {
		t = deref(t)
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, ok := jsonField(t, p)
			if !ok {
				return fallback
			}
			t = f
		default:
			return fallback
		}
	}
	t = deref(t)
	if t.Kind() == reflect.Slice {
		t = deref(t.Elem())
	}
	if t.Kind() != reflect.Struct {
		return fallback
	}
	if s := diag.Closest(parts[len(parts)-1], jsonFields(t)); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return fallback
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonFields lists a struct's JSON field names, inlined structs included.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if strings.Contains(opts, "inline") || (f.Anonymous && name == "") {
			out = append(out, jsonFields(deref(f.Type))...)
			continue
		}
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if strings.Contains(opts, "inline") || (f.Anonymous && tag == "") {
			if ft, ok := jsonField(deref(f.Type), name); ok {
				return ft, true
			}
			continue
		}
		if tag == name {
			return f.Type, true
		}
	}
	return nil, false
}

// fieldPointer turns "a.b[0].c" (or "[0].c") into "/a/b/0/c".
func fieldPointer(field string) string {
	if field == "" {
		return ""
	}
	field = strings.TrimPrefix(strings.NewReplacer("[", ".", "]", "").Replace(field), ".")
	return "/" + strings.Join(strings.Split(field, "."), "/")
}

func (r *ruler) console() {
	con := r.c.Spec.Console
	if tag := r.c.Spec.Images.Console.Tag; tag != con.Version {
		if _, known := plan.Dashboards[tag]; known {
			r.at("/spec/images/console/tag", false, fmt.Sprintf("set spec.console.version to %q too: the version decides the port and the properties the console is started with", tag),
				"image tag %s is rocketmq-dashboard %s, but spec.console.version is %s", tag, tag, con.Version)
		}
	}
	s := r.c.Spec.Console.Service
	if s.NodePort != 0 && s.Type == "ClusterIP" {
		r.at("/spec/console/service/nodePort", true, "set service.type to NodePort or LoadBalancer", "nodePort needs a NodePort or LoadBalancer service")
	}
}
