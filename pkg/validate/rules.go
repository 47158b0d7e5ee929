package validate

import (
	"encoding/json"
	"fmt"
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
	"listenPort":                      "rocketops fixes the broker ports (10911, fast channel 10909, HA 10912)",
	"haListenPort":                    "rocketops fixes the broker ports (10911, fast channel 10909, HA 10912)",
	"brokerIP1":                       "rocketops sets brokerIP1 to the pod IP at start",
	"brokerIP2":                       "rocketops sets brokerIP1 to the pod IP at start; brokerIP2 follows it",
	"storePathRootDir":                "the store lives on the volume of spec.brokers.storage, mounted at /home/rocketmq/store",
	"storePathCommitLog":              "the store lives on the volume of spec.brokers.storage, mounted at /home/rocketmq/store",
	"storePathConsumeQueue":           "the store lives on the volume of spec.brokers.storage, mounted at /home/rocketmq/store",
	"flushDiskType":                   "set spec.brokers.flushDiskType",
	"inSyncReplicas":                  "set spec.brokers.inSyncReplicas",
	"totalReplicas":                   "follows from spec.brokers.slaves",
	"rocketmqHome":                    "the image sets ROCKETMQ_HOME",
	"enableDLegerCommitLog":           "DLedger groups are not supported by this version of rocketops",
	"enableControllerMode":            "controller mode is not supported by this version of rocketops",
	"controllerAddr":                  "controller mode is not supported by this version of rocketops",
	"fetchNamesrvAddrByAddressServer": "the name-server addresses come from spec.nameServer",
}

// ownedNameServer are name-server keys the compiler writes itself.
var ownedNameServer = map[string]string{
	"listenPort":                "rocketops fixes the name-server port at 9876",
	"rocketmqHome":              "the image sets ROCKETMQ_HOME",
	"kvConfigPath":              "the name server keeps kvConfig.json on the volume of spec.nameServer.storage",
	"configStorePath":           "the name server keeps its files on the volume of spec.nameServer.storage",
	"enableControllerInNamesrv": "controller mode is not supported by this version of rocketops",
}

// reservedLabels are the label keys rocketops sets; users may not set them.
var reservedLabels = []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
	"app.kubernetes.io/managed-by", "app.kubernetes.io/version", "app.kubernetes.io/part-of"}

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
	r.names()
	r.topology()
	r.config()
	r.memory("/spec/nameServer", jvm.NameServer, c.Spec.NameServer.Resources, c.Spec.NameServer.JVM)
	r.memory("/spec/brokers", jvm.Broker, c.Spec.Brokers.Resources, c.Spec.Brokers.JVM)
	if *c.Spec.Console.Enabled {
		r.memory("/spec/console", jvm.Console, c.Spec.Console.Resources, c.Spec.Console.JVM)
		r.console()
	}
	r.storage("/spec/nameServer/storage", c.Spec.NameServer.Storage, false)
	r.storage("/spec/brokers/storage", c.Spec.Brokers.Storage, true)
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
	for _, k := range sortedNames(r.c.Metadata.Annotations) {
		for _, msg := range validation.IsQualifiedName(k) {
			r.at(spec.Pointer("metadata", "annotations", k), true, "", "annotation key %q: %s", k, msg)
		}
	}
}

func (r *ruler) names() {
	groups := r.c.Spec.Brokers.GroupList()
	var gnames []string
	for _, g := range groups {
		gnames = append(gnames, g.Name)
	}
	for _, chk := range names.Longest(r.c.Metadata.Name, gnames) {
		if len(chk.Name) <= chk.Limit {
			continue
		}
		ptr, hint := "/metadata/name", fmt.Sprintf("shorten metadata.name (%d characters)", len(r.c.Metadata.Name))
		if chk.Group >= 0 && r.c.Spec.Brokers.Groups.Named != nil {
			g := groups[chk.Group]
			ptr = spec.Pointer("spec", "brokers", "groups", strconv.Itoa(chk.Group), "name")
			hint = fmt.Sprintf("shorten metadata.name (%d characters) or the group name (%d characters)", len(r.c.Metadata.Name), len(g.Name))
		}
		r.at(ptr, false, hint, "generated %s name %s is %d characters; Kubernetes allows %d", chk.Kind, diag.Quote(chk.Name), len(chk.Name), chk.Limit)
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
		if hint, ok := owned[k]; ok {
			r.at(p, true, hint, "%s is set by rocketops", k)
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
	if c == catalog.Broker {
		return "broker"
	}
	return "namesrv"
}

// versionRange says which versions a key exists in, compactly.
func versionRange(vs []string) string {
	all := catalog.Versions()
	if len(vs) == 0 {
		return "no release"
	}
	first := -1
	for i, v := range all {
		if v == vs[0] {
			first = i
		}
	}
	if first >= 0 && len(vs) == len(all)-first {
		return vs[0] + " and later"
	}
	return strings.Join(vs, ", ")
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
	return v, true
}

func (r *ruler) memory(ptr string, role jvm.Role, res spec.Resources, j spec.JVM) {
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
		if heap == 0 {
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

func (r *ruler) storage(ptr string, st spec.Storage, broker bool) {
	only := func(field, mode string, set bool) {
		if set && st.Mode != mode {
			r.at(ptr+"/"+field, true, fmt.Sprintf("remove it, or set mode: %s", mode), "%s is only used with mode %s, not %s", field, mode, st.Mode)
		}
	}
	only("storageClass", "persistentVolumeClaim", st.StorageClass != nil)
	only("accessModes", "persistentVolumeClaim", len(st.AccessModes) > 0 && st.Mode != "persistentVolumeClaim")
	only("path", "hostPath", st.Path != "")
	only("medium", "emptyDir", st.Medium != "")
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
		r.strict(ptr+"/tolerations", p.Tolerations, &t)
		for i, tol := range t {
			tp := fmt.Sprintf("%s/tolerations/%d", ptr, i)
			if tol.Operator == corev1.TolerationOpExists && tol.Value != "" {
				r.at(tp+"/value", true, "remove value, or use operator Equal", "a toleration with operator Exists takes no value")
			}
			if tol.Operator != "" && tol.Operator != corev1.TolerationOpExists && tol.Operator != corev1.TolerationOpEqual {
				r.at(tp+"/operator", false, "", "operator must be Exists or Equal, got %q", tol.Operator)
			}
			switch tol.Effect {
			case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
			default:
				r.at(tp+"/effect", false, "", "effect must be NoSchedule, PreferNoSchedule or NoExecute, got %q", tol.Effect)
			}
		}
	}
	if len(p.Affinity) > 0 {
		var a corev1.Affinity
		r.strict(ptr+"/affinity", p.Affinity, &a)
	}
}

// strict decodes a Kubernetes object the user wrote and reports unknown or mistyped fields where
// they were written.
func (r *ruler) strict(ptr string, raw json.RawMessage, into any) {
	strictErrs, err := kjson.UnmarshalStrict(raw, into)
	if err != nil {
		r.at(ptr, false, "see kubectl explain pod.spec."+ptr[strings.LastIndex(ptr, "/")+1:], "%s", strings.TrimPrefix(err.Error(), "json: "))
		return
	}
	for _, e := range strictErrs {
		msg := e.Error()
		field := ""
		if i := strings.Index(msg, `"`); i >= 0 {
			if j := strings.LastIndex(msg, `"`); j > i {
				field = msg[i+1 : j]
			}
		}
		r.at(ptr+fieldPointer(field), true, "see kubectl explain pod.spec."+ptr[strings.LastIndex(ptr, "/")+1:], "%s", msg)
	}
}

// fieldPointer turns "a.b[0].c" into "/a/b/0/c".
func fieldPointer(field string) string {
	if field == "" {
		return ""
	}
	field = strings.NewReplacer("[", ".", "]", "").Replace(field)
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
