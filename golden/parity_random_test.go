package golden_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
	"github.com/rocketops/rocketops/pkg/validate"
)

// The random parity test: its seed, how many specs it checks by default, the variable that raises
// the count, and how many of the generated specs the validator may refuse (each refusal is a
// generator bug: the generator builds specs from valid pieces only).
const (
	paritySeed      = 0x726f636b65746f70 // "rocketop"
	paritySpecs     = 40
	paritySpecsEnv  = "ROCKETOPS_PARITY_SPECS"
	parityMaxSkip   = 0.05
	parityShownSkip = 3
)

// TestRandomSpecsRenderAlike extends TestHelmParity and TestKustomizeLibrary beyond the golden cases:
// it generates valid specs that combine broker modes, controllers, proxies, host networking, storage
// modes, placement, access control, metrics, the console and versions, most with environments that
// change some of them, compiles each with every target, writes the tree to a folder and checks, for
// every environment, that `helm template` of the chart with values-<env>.yaml, the kustomize build
// of overlays/<env> and rendered/<env>/manifest.yaml are exactly the objects of the direct render.
//
// The specs are pseudo-random with a fixed seed, spec i from a generator of its own, so that a
// failure names a spec (spec-007) that fails the same way on every run and with any count:
//
//	go test -run 'TestRandomSpecsRenderAlike/specs/spec-007$' -v ./golden/
//	ROCKETOPS_PARITY_SPECS=400 go test -run TestRandomSpecsRenderAlike ./golden/
func TestRandomSpecsRenderAlike(t *testing.T) {
	n := paritySpecCount(t)
	kubetest.Tool(t, "helm") // skip (or fail, as CI asks) before any work when helm is not built

	type generated struct {
		i   int
		src []byte
	}
	var specs []generated
	skipped := 0
	covered := map[string]int{} // feature to the environments that have it
	for i := range n {
		src, features := parityGenerate(t, i)
		if _, diags := validate.Validate("cluster.yaml", src); len(diags.Errors()) > 0 {
			skipped++
			if skipped <= parityShownSkip {
				t.Logf("generator bug: spec-%03d is refused:\n%s\n--- spec-%03d:\n%s", i, diags.Error(), i, src)
			}
			continue
		}
		specs = append(specs, generated{i, src})
		for _, f := range features {
			covered[f]++
		}
	}
	t.Logf("%d specs generated, %d refused by the validator", n, skipped)
	require.LessOrEqual(t, float64(skipped), parityMaxSkip*float64(n),
		"the validator refused %d of %d generated specs: the generator builds invalid specs (the first are logged above)", skipped, n)
	var tally []string
	for _, f := range slices.Sorted(maps.Keys(covered)) {
		tally = append(tally, fmt.Sprintf("%s %d", f, covered[f]))
	}
	t.Logf("environments with each feature: %s", strings.Join(tally, ", "))
	var missing []string
	for _, f := range parityRequired {
		if covered[f] == 0 {
			missing = append(missing, f)
		}
	}
	require.Empty(t, missing, "no accepted spec has these features: the generator, or what fix makes of it, lost them")

	t.Run("specs", func(t *testing.T) {
		for _, g := range specs {
			t.Run(fmt.Sprintf("spec-%03d", g.i), func(t *testing.T) {
				t.Parallel()
				parityCheck(t, g.src)
			})
		}
	})
}

// paritySpecCount is paritySpecs, or more when ROCKETOPS_PARITY_SPECS says so.
func paritySpecCount(t *testing.T) int {
	v := os.Getenv(paritySpecsEnv)
	if v == "" {
		return paritySpecs
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "%s must be a number of specs", paritySpecsEnv)
	if n < paritySpecs {
		t.Logf("%s=%d is below the default; checking %d specs", paritySpecsEnv, n, paritySpecs)
		return paritySpecs
	}
	return n
}

// parityCheck compiles one spec and compares, per environment, the Helm, kustomize and rendered
// paths with the direct render. A failure logs the spec.
func parityCheck(t *testing.T, src []byte) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the spec:\n%s", src)
		}
	})
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"kustomize", "manifests", "helm"}})
	require.NoError(t, err, "a spec the validator accepts must compile")
	dir := t.TempDir()
	_, err = tree.Write(dir, out.Tree, tree.WriteOptions{Meta: out.Meta})
	require.NoError(t, err)

	envs := make([]string, 0, len(out.Plans))
	for env := range out.Plans {
		envs = append(envs, env)
	}
	sort.Strings(envs)
	for _, env := range envs {
		p := out.Plans[env]
		want := direct(t, out, env)
		require.NotEmpty(t, out.Objects[env], "environment %s renders no objects", env)

		// (a) helm template with the compiled values, as TestHelmParity runs it.
		values := filepath.Join(dir, "values-"+env+".yaml")
		rendered := helmCmd(t, "template", p.Name, chart, "--namespace", p.Namespace, "-f", values)
		if d := parityFirstObjectDiff(t, normalise(t, []byte(want)), normalise(t, rendered)); d != "" {
			t.Errorf("environment %s: helm template differs from the direct render (- direct, + helm), first differing object:\n%s", env, d)
		}

		// (b) the kustomize library build of the overlay, as TestKustomizeLibrary runs it.
		k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
		rm, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(dir, "overlays", env))
		require.NoError(t, err, "kustomize build overlays/%s", env)
		y, err := rm.AsYaml()
		require.NoError(t, err)
		if d := parityFirstDocDiff(t, want, canonical(t, y)); d != "" {
			t.Errorf("environment %s: kustomize build overlays/%s differs from the direct render (- direct, + kustomize), first differing object:\n%s", env, env, d)
		}

		// (c) the rendered manifests, as TestManifestsMatchDirectRender reads them.
		manifest := out.Tree["rendered/"+env+"/manifest.yaml"]
		require.NotEmpty(t, manifest, "no rendered manifest for %s", env)
		if d := parityFirstDocDiff(t, want, canonical(t, manifest)); d != "" {
			t.Errorf("environment %s: rendered/%s/manifest.yaml differs from the direct render (- direct, + rendered), first differing object:\n%s", env, env, d)
		}
	}
}

// parityFirstObjectDiff compares objects by identity, as sameObjects does, and returns the diff of the
// first object that differs (with the identities of the others that do), or "" when all agree.
func parityFirstObjectDiff(t *testing.T, want, got []render.Object) string {
	t.Helper()
	w, wids := indexObjects(t, want)
	g, gids := indexObjects(t, got)
	var differ []string
	for _, id := range wids {
		if !bytes.Equal(w[id], g[id]) {
			differ = append(differ, id)
		}
	}
	for _, id := range gids {
		if _, ok := w[id]; !ok {
			differ = append(differ, id)
		}
	}
	if len(differ) == 0 {
		return ""
	}
	d := tree.UnifiedDiff(differ[0], w[differ[0]], g[differ[0]])
	if len(differ) > 1 {
		d += fmt.Sprintf("(%d more objects differ: %s)\n", len(differ)-1, strings.Join(differ[1:], ", "))
	}
	return d
}

// parityFirstDocDiff compares two canonical streams (see canonical) document by document, in order,
// and returns the diff of the first document that differs, or "" when the streams are equal.
func parityFirstDocDiff(t *testing.T, want, got string) string {
	t.Helper()
	if want == got {
		return ""
	}
	split := func(s string) []string {
		var docs []string
		for _, d := range strings.Split(s, "---\n") {
			if d != "" {
				docs = append(docs, d)
			}
		}
		return docs
	}
	wd, gd := split(want), split(got)
	id := func(doc string) string {
		var o struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &o))
		return o.Kind + "/" + o.Metadata.Namespace + "/" + o.Metadata.Name
	}
	note := ""
	if ws, gs := slices.Sorted(slices.Values(wd)), slices.Sorted(slices.Values(gd)); slices.Equal(ws, gs) {
		note = "(the same objects, in another order)\n"
	}
	for i := 0; i < max(len(wd), len(gd)); i++ {
		var a, b []byte
		label := ""
		if i < len(wd) {
			a, label = []byte(wd[i]), id(wd[i])
		}
		if i < len(gd) {
			b = []byte(gd[i])
			if label == "" {
				label = id(gd[i])
			}
		}
		if !bytes.Equal(a, b) {
			return note + tree.UnifiedDiff(fmt.Sprintf("object %d, %s", i+1, label), a, b)
		}
	}
	return note
}

// ---- the generator ----
//
// A spec is decided as a parityEnv per environment: the base one rolls every aspect below, each
// environment starts from a copy of it, gets a namespace of its own and re-rolls a few aspects. fix
// then brings the choices in line with what the version, the broker mode and the other choices allow,
// so every environment, and the base, is valid by construction. doc writes the choices as a document;
// an environment is written as the merge patch (parityPatch) that turns the base document into its own.

// parityEnv is what the generator decides for one environment.
type parityEnv struct {
	Namespace    string
	Labels       map[string]string
	Annotations  map[string]string
	Version      string
	Domain       string
	PullSecrets  []string
	CustomImages bool
	ImageTag     string // "" is <version>-r1
	OddSecrets   bool   // Secret names and keys that read as other types when unquoted
	NS           parityNameServer
	B            parityBrokers
	Ctl          parityController
	Px           parityProxy
	Con          parityConsole
	NetPol       *bool
	Ded          *parityDedicated
	Priority     string
	Auth         parityAuth
	Met          parityMetrics
}

type parityStorage struct {
	Mode         string // "" leaves the component's default
	Size         string
	Class        *string
	AccessModes  []string
	Path         string // hostPath folder, local path or NFS export
	NFSServer    string
	Medium       string
	MountOptions bool // nfs
	NoClass      bool // local: createStorageClass false
	GroupNodes   bool // brokers, local: the first named group names its own nodes
}

type parityPlacement struct {
	NodeSelector bool
	Value        string // of the node selector and a toleration
	Tolerations  bool
	Affinity     int // 0 none, 1 required node affinity, 2 preferred node affinity, 3 preferred pod anti-affinity
	Spread       string
	Zone         string
	Priority     string
}

type parityResources struct {
	Memory    string
	MemNum    bool   // write the memory as a number of bytes
	CPU       string // "" none
	CPUNum    int    // write the CPU as this number instead
	Ephemeral bool
}

type parityNameServer struct {
	Replicas    int // 0 leaves the default
	HostNetwork *bool
	Storage     parityStorage
	Config      bool
	Res         *parityResources
	Place       parityPlacement
}

type parityGroup struct {
	Name   string
	Count  *int // the group's own slaves (masterSlave) or members
	Config bool
}

type parityBrokers struct {
	ClusterName string
	Mode        string // "" is masterSlave
	Count       int    // groups as a count when Named is empty; 0 leaves the default
	Named       []parityGroup
	Slaves      *int
	Members     int
	Replication string
	Flush       string
	InSync      int
	MinInSync   int
	DLedgerPort int
	HostNetwork *bool
	Config      int
	Res         *parityResources
	JVM         int // 0 none, 1 options only, 2 heap and direct memory too
	Storage     parityStorage
	CommitLog   *parityStorage
	Place       parityPlacement
}

type parityController struct {
	Mode     string
	Replicas int
	Type     string
	Config   bool
	Storage  parityStorage
	Res      *parityResources
	Place    parityPlacement
	Image    bool
}

type parityProxy struct {
	Enabled          bool
	Explicit         bool // write enabled: false when disabled
	Mode             string
	Replicas         int
	Type             string
	GRPCPort         int
	RemotingPort     int
	GRPCNodePort     int
	RemotingNodePort int
	Annotations      string // "" none, else the value of an annotation
	ETP              string
	LBRanges         bool
	Config           bool
	Res              *parityResources
	Place            parityPlacement
	Image            bool
}

type parityConsole struct {
	Enabled  *bool
	Version  string
	Replicas int
	Type     string
	Port     int
	NodePort int
	Login    bool
	Res      *parityResources
	Place    parityPlacement
	Image    bool
}

type parityDedicated struct {
	Key, Value, Effect string
	Components         []string
}

type parityAuth struct {
	Enabled       bool
	Mode          string // acl1 or acl2
	ExplicitMode  bool
	Client        bool
	InnerClient   bool
	Authorization *bool
}

type parityMetrics struct {
	Enabled       bool
	Port          int
	Exporter      *bool
	ExporterRes   bool
	ExporterPlace parityPlacement
	ExporterImage bool
	Monitor       string
	Rules         bool
	RuleLabels    bool
	RuleLabel     string
	ConsumerLag   int
	LagBytes      int
}

// parityAspects are the parts of a spec an environment may change, in the order the base rolls them.
var parityAspects = []struct {
	name string
	roll func(*parityRand, *parityEnv)
}{
	{"version", rollVersion},
	{"misc", rollMisc},
	{"nameServer", rollNameServer},
	{"brokers", rollBrokers},
	{"brokerStorage", rollBrokerStorage},
	{"controller", rollController},
	{"proxy", rollProxy},
	{"console", rollConsole},
	{"auth", rollAuth},
	{"metrics", rollMetrics},
	{"placement", rollPlacement},
	{"network", rollNetwork},
}

// parityVersions are the versions specs use: every feature gate on both sides.
var parityVersions = []string{"4.9.4", "4.9.8", "5.0.0", "5.1.0", "5.1.1", "5.1.4", "5.2.0", "5.2.0", "5.3.0", "5.3.2", "5.3.3", "5.3.3", "5.3.3"}

// parityGroupNames are group names that clash with no generated name.
var parityGroupNames = []string{"broker-a", "broker-b", "broker-c", "orders", "payments", "raft-x", "g1", "012", "1e3", "true", "null", "123"}

// Valid strings that YAML reads as something else when written unquoted (booleans, null, numbers,
// dates) or that need escaping: where a template writes a value without toYaml or quote, or a tool
// re-reads it, they come out different.
var (
	parityNames            = []string{"rmq", "orders", "mq1", "shop", "edge-a"}
	parityOddNames         = []string{"null", "true", "on"}
	parityNamespaces       = []string{"012", "true", "null", "1e3", "yes", "off"}
	parityEnvNames         = []string{"on", "null", "true", "no", "off", "yes"}
	parityDNSNames         = []string{"012", "true", "null", "1e3"}
	parityTags             = []string{"1.0", "012", "1e3", "true", "latest", "v2_x"}
	parityLabelValues      = []string{"true", "yes", "on", "off", "null", "012", "1e3", "0x1f", "1.0", "1_000", "a.b_c-d", "2024-01-01", ""}
	parityAnnotationValues = []string{"mq-team@example.com", "true", "no", "~", "null", "012", "1e3", "", "a: b", "# hash", "{x: 1}",
		"[1, 2]", "line one\nline two\n", " padded ", "'single'", `"double"`, "ünïcödé ✓", "{{ .Values.x }}", "*star", "&amp", "!bang",
		"@at", "%pct", `back\slash`, "tab\there", "2024-01-01T00:00:00Z", "=", strings.Repeat("long-", 60)}
)

type parityRand struct{ *rand.Rand }

func (r parityRand) chance(p float64) bool { return r.Float64() < p }

func (r parityRand) pick(items ...string) string { return items[r.IntN(len(items))] }

func (r parityRand) pickInt(items ...int) int { return items[r.IntN(len(items))] }

// odd returns an item of pool with probability p, else normal.
func (r parityRand) odd(p float64, normal string, pool []string) string {
	if r.chance(p) {
		return r.pick(pool...)
	}
	return normal
}

func (r parityRand) boolPtr(pTrue, pFalse float64) *bool {
	x := r.Float64()
	switch {
	case x < pTrue:
		return ptrTo(true)
	case x < pTrue+pFalse:
		return ptrTo(false)
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

func rollVersion(r *parityRand, s *parityEnv) { s.Version = r.pick(parityVersions...) }

func rollMisc(r *parityRand, s *parityEnv) {
	s.Labels = nil
	if r.chance(0.5) {
		s.Labels = map[string]string{"app.example.com/owner": r.odd(0.5, "orders", parityLabelValues)}
		if r.chance(0.3) {
			s.Labels["example.com/a_b.c-d"] = r.pick(parityLabelValues...)
		}
	}
	s.Annotations = nil
	if r.chance(0.4) {
		s.Annotations = map[string]string{"example.com/contact": r.odd(0.6, "mq-team@example.com", parityAnnotationValues)}
		if r.chance(0.4) {
			s.Annotations["note"] = r.pick(parityAnnotationValues...)
		}
	}
	s.Domain = ""
	if r.chance(0.2) {
		s.Domain = "cluster.example"
	}
	s.PullSecrets = nil
	switch r.IntN(4) {
	case 0:
		s.PullSecrets = []string{"registry-cred"}
	case 1:
		s.PullSecrets = []string{"registry-cred", r.pick(parityDNSNames...)}
	}
	s.CustomImages = r.chance(0.3)
	s.ImageTag = r.odd(0.6, "", parityTags)
	s.OddSecrets = r.chance(0.3)
}

func rollResources(r *parityRand, p float64, memory ...string) *parityResources {
	if !r.chance(p) {
		return nil
	}
	res := &parityResources{Memory: r.pick(memory...), MemNum: r.chance(0.2), Ephemeral: r.chance(0.2)}
	switch r.IntN(6) {
	case 0:
		res.CPU = "250m"
	case 1:
		res.CPU = "1"
	case 2:
		res.CPUNum = r.pickInt(1, 2)
	case 3:
		res.CPU = "1500m"
	case 4:
		res.CPU = "0.5"
	}
	return res
}

func rollPlace(r *parityRand, p float64) parityPlacement {
	if !r.chance(p) {
		return parityPlacement{}
	}
	pl := parityPlacement{NodeSelector: r.chance(0.4), Tolerations: r.chance(0.4), Value: r.odd(0.5, "ssd", parityLabelValues)}
	if r.chance(0.5) {
		pl.Affinity = 1 + r.IntN(3)
	}
	pl.Spread = r.pick("", "", "required", "preferred", "none")
	pl.Zone = r.pick("", "", "required", "preferred", "none")
	if r.chance(0.2) {
		pl.Priority = r.odd(0.3, "rocketmq-high", parityDNSNames)
	}
	return pl
}

// rollStorage rolls the storage of a component: "namesrv", "broker", "commitlog" or "controller".
func rollStorage(r *parityRand, comp string, modes ...string) parityStorage {
	st := parityStorage{Mode: r.pick(modes...)}
	broker := comp == "broker" || comp == "commitlog"
	size := func() string {
		if broker {
			return r.pick("4Gi", "16Gi", "100Gi")
		}
		return r.pick("1Gi", "2Gi")
	}
	switch st.Mode {
	case "":
		// The default mode: emptyDir for name servers (a claim with embedded controllers), else a claim.
		if r.chance(0.5) {
			st.Size = size()
		}
	case "persistentVolumeClaim":
		if r.chance(0.5) {
			st.Size = size()
		}
		switch r.IntN(4) {
		case 0:
			st.Class = ptrTo(r.odd(0.4, "fast-ssd", parityDNSNames))
		case 1:
			st.Class = ptrTo("")
		}
		if r.chance(0.2) {
			st.AccessModes = []string{r.pick("ReadWriteOnce", "ReadWriteOncePod")}
		}
	case "local":
		if r.chance(0.6) {
			st.Size = size()
		}
		if r.chance(0.4) {
			st.Class = ptrTo("local-" + comp)
		}
		st.Path = "/mnt/disks/" + comp
		st.NoClass = r.chance(0.3)
		st.GroupNodes = r.chance(0.5)
		if r.chance(0.2) {
			st.AccessModes = []string{"ReadWriteOnce"}
		}
	case "nfs":
		if r.chance(0.5) {
			st.Size = size()
		}
		st.Path = "/exports/rocketmq/" + comp
		st.NFSServer = r.pick("nfs.example.com", "10.0.0.5", "fd00::5")
		st.MountOptions = r.chance(0.5)
		if r.chance(0.3) {
			st.AccessModes = []string{"ReadWriteMany"}
		}
	case "hostPath":
		st.Path = "/data/rocketmq-" + comp
	case "emptyDir":
		if r.chance(0.5) {
			st.Size = size()
		}
		if r.chance(0.2) {
			st.Medium = "Memory"
			st.Size = map[bool]string{true: "4Gi", false: "1Gi"}[broker]
		}
	}
	return st
}

func rollNameServer(r *parityRand, s *parityEnv) {
	s.NS.Replicas = r.pickInt(0, 1, 2, 3)
	s.NS.Storage = rollStorage(r, "namesrv", "", "persistentVolumeClaim", "local", "nfs", "hostPath", "emptyDir")
	s.NS.Config = r.chance(0.3)
	s.NS.Res = rollResources(r, 0.3, "1Gi", "2Gi")
	s.NS.Place = rollPlace(r, 0.3)
}

func rollBrokers(r *parityRand, s *parityEnv) {
	b := &s.B
	b.ClusterName = r.odd(0.2, r.pick("", "", "RaftCluster", "Orders_1"), []string{"012", "true", "null", "1e3"})
	b.Mode = r.pick("", "masterSlave", "dledger", "controller", "controller")
	switch {
	case len(b.Named) > 0 && r.chance(0.7):
		// An environment's named groups merge by name over the base's: it keeps them and may add one.
		if r.chance(0.4) {
			for _, n := range parityGroupNames {
				if !slices.ContainsFunc(b.Named, func(g parityGroup) bool { return g.Name == n }) {
					b.Named = append(b.Named, parityGroup{Name: n})
					break
				}
			}
		}
	case len(b.Named) > 0 || r.chance(0.5):
		b.Named, b.Count = nil, r.pickInt(0, 1, 2, 3)
	default:
		b.Count = 0
		names := slices.Clone(parityGroupNames)
		r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		b.Named = nil
		for _, n := range names[:1+r.IntN(3)] {
			b.Named = append(b.Named, parityGroup{Name: n})
		}
	}
	for i := range b.Named {
		g := &b.Named[i]
		g.Count = nil
		if r.chance(0.3) {
			g.Count = ptrTo(r.IntN(6))
		}
		g.Config = r.chance(0.3)
	}
	b.Slaves = nil
	if r.chance(0.6) {
		b.Slaves = ptrTo(r.IntN(3))
	}
	b.Members = r.pickInt(0, 0, 2, 3, 4, 5)
	b.Replication = r.pick("", "ASYNC", "SYNC", "SYNC")
	b.Flush = r.pick("", "", "ASYNC_FLUSH", "SYNC_FLUSH")
	b.InSync = r.pickInt(0, 0, 1, 2, 3)
	b.MinInSync = r.pickInt(0, 0, 1, 2)
	b.DLedgerPort = r.pickInt(0, 0, 41911)
	b.Config = r.IntN(3)
	b.Res = rollResources(r, 0.4, "2Gi", "4Gi", "8Gi")
	b.JVM = r.IntN(3)
}

func rollBrokerStorage(r *parityRand, s *parityEnv) {
	s.B.Storage = rollStorage(r, "broker", "", "persistentVolumeClaim", "local", "local", "nfs", "hostPath", "emptyDir")
	s.B.CommitLog = nil
	if r.chance(0.35) {
		s.B.CommitLog = ptrTo(rollStorage(r, "commitlog", "", "persistentVolumeClaim", "local", "local", "nfs", "hostPath", "emptyDir"))
	}
}

func rollController(r *parityRand, s *parityEnv) {
	c := &s.Ctl
	c.Mode = r.pick("", "standalone", "embedded", "embedded")
	c.Replicas = r.pickInt(0, 1, 3, 5)
	c.Type = r.pick("", "DLedger", "jRaft", "jRaft")
	c.Config = r.chance(0.4)
	c.Storage = rollStorage(r, "controller", "", "persistentVolumeClaim", "local", "nfs", "hostPath")
	c.Res = rollResources(r, 0.3, "1Gi", "2Gi")
	c.Place = rollPlace(r, 0.3)
	c.Image = r.chance(0.2)
}

func rollProxy(r *parityRand, s *parityEnv) {
	p := &s.Px
	p.Enabled = r.chance(0.7)
	p.Explicit = r.chance(0.5)
	p.Mode = r.pick("", "cluster", "local", "local")
	p.Replicas = r.pickInt(0, 1, 3)
	p.Type = r.pick("", "ClusterIP", "NodePort", "NodePort", "LoadBalancer", "LoadBalancer", "LoadBalancer")
	p.GRPCPort = r.pickInt(0, 0, 9081)
	p.RemotingPort = r.pickInt(0, 0, 9080)
	p.GRPCNodePort = r.pickInt(0, 30081)
	p.RemotingNodePort = r.pickInt(0, 30082)
	p.Annotations = ""
	if r.chance(0.4) {
		p.Annotations = r.odd(0.6, "nlb", parityAnnotationValues)
	}
	p.ETP = r.pick("", "Cluster", "Local")
	p.LBRanges = r.chance(0.7)
	p.Config = r.chance(0.4)
	p.Res = rollResources(r, 0.3, "2Gi", "4Gi")
	p.Place = rollPlace(r, 0.3)
	p.Image = r.chance(0.2)
}

func rollConsole(r *parityRand, s *parityEnv) {
	c := &s.Con
	c.Enabled = r.boolPtr(0.2, 0.3)
	c.Version = r.pick("", "2.0.0", "2.1.0")
	c.Replicas = r.pickInt(0, 0, 2)
	c.Type = r.pick("", "ClusterIP", "NodePort", "LoadBalancer")
	c.Port = r.pickInt(0, 0, 8088)
	c.NodePort = r.pickInt(0, 30080)
	c.Login = r.chance(0.3)
	c.Res = rollResources(r, 0.3, "512Mi", "1Gi")
	c.Place = rollPlace(r, 0.3)
	c.Image = r.chance(0.3)
}

func rollAuth(r *parityRand, s *parityEnv) {
	a := &s.Auth
	a.Enabled = r.chance(0.5)
	a.Mode = r.pick("acl1", "acl2")
	a.ExplicitMode = r.chance(0.5)
	a.Client = r.chance(0.5)
	a.InnerClient = r.chance(0.5)
	a.Authorization = r.boolPtr(0.2, 0.2)
}

func rollMetrics(r *parityRand, s *parityEnv) {
	m := &s.Met
	m.Enabled = r.chance(0.5)
	m.Port = r.pickInt(0, 0, 5558, 9100)
	m.Exporter = r.boolPtr(0.3, 0.2)
	m.ExporterRes = r.chance(0.3)
	m.ExporterPlace = rollPlace(r, 0.3)
	m.ExporterImage = r.chance(0.2)
	m.Monitor = r.pick("", "none", "PodMonitor", "ServiceMonitor")
	m.Rules = r.chance(0.5)
	m.RuleLabels = r.chance(0.5)
	m.RuleLabel = r.odd(0.5, "prometheus", parityLabelValues)
	m.ConsumerLag = r.pickInt(0, 0, 5000)
	m.LagBytes = r.pickInt(0, 0, 52428800)
}

func rollPlacement(r *parityRand, s *parityEnv) {
	s.Ded = nil
	if r.chance(0.35) {
		d := &parityDedicated{
			Key:    r.pick("dedicated", "rocketmq.example.com/pool"),
			Value:  r.odd(0.4, "rocketmq", parityLabelValues),
			Effect: r.pick("", "NoSchedule", "NoExecute", "PreferNoSchedule"),
		}
		if r.chance(0.6) {
			all := []string{"nameServer", "brokers", "controller", "proxy", "console", "exporter"}
			for _, c := range all {
				if r.chance(0.5) {
					d.Components = append(d.Components, c)
				}
			}
			if len(d.Components) == 0 {
				d.Components = []string{r.pick(all...)}
			}
		}
		s.Ded = d
	}
	s.Priority = ""
	if r.chance(0.25) {
		s.Priority = r.odd(0.3, "rocketmq-critical", parityDNSNames)
	}
	s.NS.Place = rollPlace(r, 0.4)
	s.B.Place = rollPlace(r, 0.6)
	s.Ctl.Place = rollPlace(r, 0.3)
	s.Px.Place = rollPlace(r, 0.3)
	s.Con.Place = rollPlace(r, 0.3)
}

func rollNetwork(r *parityRand, s *parityEnv) {
	s.NS.HostNetwork = r.boolPtr(0.2, 0.1)
	s.B.HostNetwork = r.boolPtr(0.2, 0.1)
	s.NetPol = r.boolPtr(0.2, 0.2)
}

// parityAtLeast reports whether version a is b or later.
func parityAtLeast(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 3 {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x > y
		}
	}
	return true
}

func (s *parityEnv) mode() string {
	if s.B.Mode == "" {
		return "masterSlave"
	}
	return s.B.Mode
}

func (s *parityEnv) controllerMode() string {
	if s.Ctl.Mode == "" {
		return "standalone"
	}
	return s.Ctl.Mode
}

func (s *parityEnv) consoleOn() bool { return s.Con.Enabled == nil || *s.Con.Enabled }

func (s *parityEnv) proxyCluster() bool { return s.Px.Enabled && s.Px.Mode != "local" }

func (s *parityEnv) hostNetwork() bool {
	return (s.NS.HostNetwork != nil && *s.NS.HostNetwork) || (s.B.HostNetwork != nil && *s.B.HostNetwork)
}

func (s *parityEnv) exporterOn() bool {
	if s.Met.Exporter != nil {
		return *s.Met.Exporter
	}
	return !parityAtLeast(s.Version, "5.1.0")
}

// groups returns the number of groups.
func (s *parityEnv) groups() int {
	switch {
	case len(s.B.Named) > 0:
		return len(s.B.Named)
	case s.B.Count > 0:
		return s.B.Count
	}
	return 1
}

// size returns the pods of group i.
func (s *parityEnv) size(i int) int {
	b := s.B
	var own *int
	if len(b.Named) > 0 {
		own = b.Named[i].Count
	}
	if s.mode() == "masterSlave" {
		switch {
		case own != nil:
			return 1 + *own
		case b.Slaves != nil:
			return 1 + *b.Slaves
		}
		return 1
	}
	switch {
	case own != nil:
		return *own
	case b.Members > 0:
		return b.Members
	case s.mode() == "dledger":
		return 3
	}
	return 2
}

func (s *parityEnv) minSize() int {
	m := s.size(0)
	for i := 1; i < s.groups(); i++ {
		m = min(m, s.size(i))
	}
	return m
}

// localProxyRefused reports whether the brokers cannot hold a local proxy: host-networked brokers would
// all open its ports on the node, and behind one Service only masters without slaves give routes a
// client can write to (fix drops the slaves of masterSlave groups for a local proxy).
func (s *parityEnv) localProxyRefused() bool {
	return s.B.HostNetwork != nil && *s.B.HostNetwork || s.mode() != "masterSlave"
}

// fix brings the choices in line with each other, the version and the broker mode.
func (s *parityEnv) fix() {
	v := s.Version
	b := &s.B
	if b.Mode == "controller" && !parityAtLeast(v, "5.1.1") {
		b.Mode = "dledger"
	}
	// Counts and replication by mode.
	switch s.mode() {
	case "masterSlave":
		b.Members, b.MinInSync = 0, 0
		if b.Slaves != nil && *b.Slaves > 2 {
			b.Slaves = ptrTo(1)
		}
		for i := range b.Named {
			if c := b.Named[i].Count; c != nil && *c > 2 {
				b.Named[i].Count = ptrTo(2)
			}
		}
		if b.Replication == "SYNC" && s.minSize() < 2 {
			// SYNC replication needs a slave in every group.
			if b.Slaves == nil || *b.Slaves == 0 {
				b.Slaves = ptrTo(1)
			}
			for i := range b.Named {
				if c := b.Named[i].Count; c != nil && *c == 0 {
					b.Named[i].Count = ptrTo(1)
				}
			}
		}
		switch {
		case !parityAtLeast(v, "5.0.0") || b.InSync > s.minSize():
			b.InSync = 0
		case b.Replication == "SYNC" && b.InSync == 1:
			b.InSync = 0
		}
	case "dledger":
		b.Slaves, b.Replication, b.InSync, b.MinInSync = nil, "", 0, 0
		oddMembers := func(n int) int {
			if n < 3 {
				return 3
			}
			if n%2 == 0 {
				return n + 1
			}
			return n
		}
		if b.Members > 0 {
			b.Members = oddMembers(b.Members)
		}
		for i := range b.Named {
			if c := b.Named[i].Count; c != nil {
				b.Named[i].Count = ptrTo(oddMembers(*c))
			}
		}
	case "controller":
		b.Slaves, b.Replication = nil, ""
		if b.Members == 1 {
			b.Members = 2
		}
		for i := range b.Named {
			if c := b.Named[i].Count; c != nil && *c < 2 {
				b.Named[i].Count = ptrTo(2)
			}
		}
		if b.InSync > s.minSize() {
			b.InSync = 0
		}
		if in := max(b.InSync, 1); b.MinInSync > in {
			b.MinInSync = 0
		}
	}
	if s.mode() != "dledger" {
		b.DLedgerPort = 0
	}
	// Controllers.
	if s.mode() == "controller" {
		c := &s.Ctl
		if c.Type == "jRaft" && !parityAtLeast(v, "5.2.0") {
			c.Type = "DLedger"
		}
		if s.controllerMode() == "embedded" {
			if n := max(s.NS.Replicas, 1); n%2 == 0 {
				s.NS.Replicas = n + 1
			}
			if s.NS.Storage.Mode == "emptyDir" {
				s.NS.Storage = parityStorage{Mode: "persistentVolumeClaim"}
			}
		} else if c.Replicas%2 == 0 && c.Replicas > 0 {
			c.Replicas++
		}
	}
	// Brokers' memory: heap and direct memory only where the limit has room for them.
	if b.JVM == 2 && (b.Res == nil || b.Res.Memory == "2Gi") {
		b.JVM = 1
	}
	// Access control.
	a := &s.Auth
	def := "acl1"
	if parityAtLeast(v, "5.3.0") {
		def = "acl2"
	}
	if (a.Mode == "acl1" && parityAtLeast(v, "5.3.3")) || (a.Mode == "acl2" && !parityAtLeast(v, "5.3.0")) {
		a.Mode = def
	}
	if a.Mode != def {
		a.ExplicitMode = true
	}
	// The proxy.
	p := &s.Px
	if !parityAtLeast(v, "5.0.0") || (a.Enabled && a.Mode == "acl1") {
		p.Enabled = false
	}
	if p.Enabled && p.Mode == "local" && s.localProxyRefused() {
		p.Mode = "cluster"
	}
	if p.Enabled && p.Mode == "local" {
		if b.Slaves != nil {
			b.Slaves = ptrTo(0)
		}
		for i := range b.Named {
			if b.Named[i].Count != nil {
				b.Named[i].Count = ptrTo(0)
			}
		}
		b.Replication, b.InSync = "", 0
	}
	if p.Mode == "local" {
		// A local proxy hands out its broker's pod address, which only clients in the cluster reach.
		if p.Type != "ClusterIP" {
			p.Type = ""
		}
	}
	if p.Type == "" || p.Type == "ClusterIP" {
		p.GRPCNodePort, p.RemotingNodePort, p.ETP = 0, 0, ""
	}
	if p.Type != "LoadBalancer" {
		p.LBRanges = false
	}
	// The console.
	if s.Con.Type == "" || s.Con.Type == "ClusterIP" {
		s.Con.NodePort = 0
	}
	// Metrics.
	if m := &s.Met; m.Exporter != nil && !*m.Exporter && !parityAtLeast(v, "5.1.0") {
		m.Exporter = nil
	}
	// Host networking turns the NetworkPolicies off; asking for them is refused.
	if s.hostNetwork() && s.NetPol != nil && *s.NetPol {
		s.NetPol = nil
	}
}

// parityRequired are features every run's specs must have (see parityFeatures), so that the
// generator cannot silently stop producing them.
var parityRequired = []string{
	"version 4.9", "version 5.0", "version 5.1", "version 5.2", "version 5.3",
	"mode masterSlave", "mode dledger", "mode controller", "controller standalone", "controller embedded", "controller jRaft",
	"slaves", "replication SYNC", "named groups", "counted groups",
	"proxy cluster", "proxy local", "proxy NodePort", "proxy LoadBalancer", "proxy nodePorts", "proxy annotations",
	"proxy externalTrafficPolicy", "proxy loadBalancerSourceRanges",
	"hostNetwork nameServer", "hostNetwork brokers",
	"storage persistentVolumeClaim", "storage local", "storage nfs", "storage hostPath", "storage emptyDir",
	"commitLogStorage", "local createStorageClass false", "group nodes", "nameServer storage local", "nameServer storage nfs",
	"dedicatedNodes", "dedicatedNodes components", "zoneSpread", "priorityClassName", "tolerations", "affinity", "nodeSelector",
	"auth acl1", "auth acl2", "auth client", "auth innerClient", "console login",
	"metrics exporter", "monitor PodMonitor", "monitor ServiceMonitor", "monitor none", "rules", "rules labels",
	"console off", "console 2.1.0", "networkPolicy off",
	"environments", "environment changes brokers", "environment changes version",
	"odd cluster name", "odd namespace", "odd label value", "odd annotation value",
}

// parityFeatures names what an environment has, for the tally.
func (s *parityEnv) parityFeatures() []string {
	var f []string
	add := func(cond bool, name string) {
		if cond {
			f = append(f, name)
		}
	}
	f = append(f, "version "+s.Version[:3], "mode "+s.mode())
	b := s.B
	if s.mode() == "controller" {
		f = append(f, "controller "+s.controllerMode())
		add(s.Ctl.Type == "jRaft", "controller jRaft")
	}
	add(len(b.Named) > 0, "named groups")
	add(len(b.Named) == 0, "counted groups")
	add(s.mode() == "masterSlave" && s.size(0) > 1, "slaves")
	add(b.Replication == "SYNC", "replication SYNC")
	if p := s.Px; p.Enabled {
		f = append(f, "proxy "+map[bool]string{true: "cluster", false: "local"}[s.proxyCluster()])
		add(p.Type == "NodePort", "proxy NodePort")
		add(p.Type == "LoadBalancer", "proxy LoadBalancer")
		add(p.GRPCNodePort != 0 || p.RemotingNodePort != 0, "proxy nodePorts")
		add(p.Annotations != "", "proxy annotations")
		add(p.ETP != "", "proxy externalTrafficPolicy")
		add(p.LBRanges, "proxy loadBalancerSourceRanges")
	}
	add(s.NS.HostNetwork != nil && *s.NS.HostNetwork, "hostNetwork nameServer")
	add(b.HostNetwork != nil && *b.HostNetwork, "hostNetwork brokers")
	mode := b.Storage.Mode
	if mode == "" {
		mode = "persistentVolumeClaim"
	}
	f = append(f, "storage "+mode)
	add(b.CommitLog != nil, "commitLogStorage")
	local := b.Storage.Mode == "local" || (b.CommitLog != nil && b.CommitLog.Mode == "local")
	add((b.Storage.Mode == "local" && b.Storage.NoClass) || (b.CommitLog != nil && b.CommitLog.Mode == "local" && b.CommitLog.NoClass), "local createStorageClass false")
	add(local && len(b.Named) > 0 && (b.Storage.GroupNodes || (b.CommitLog != nil && b.CommitLog.GroupNodes)), "group nodes")
	add(s.NS.Storage.Mode != "", "nameServer storage "+s.NS.Storage.Mode)
	if d := s.Ded; d != nil {
		f = append(f, "dedicatedNodes")
		add(len(d.Components) > 0, "dedicatedNodes components")
	}
	places := []parityPlacement{s.NS.Place, b.Place, s.Con.Place}
	if s.mode() == "controller" && s.controllerMode() == "standalone" {
		places = append(places, s.Ctl.Place)
	}
	if s.proxyCluster() {
		places = append(places, s.Px.Place)
	}
	zone, prio, tol, aff, sel := false, s.Priority != "", false, false, false
	for _, p := range places {
		zone = zone || p.Zone == "required" || p.Zone == "preferred"
		prio = prio || p.Priority != ""
		tol = tol || p.Tolerations
		aff = aff || p.Affinity != 0
		sel = sel || p.NodeSelector
	}
	add(zone, "zoneSpread")
	add(prio, "priorityClassName")
	add(tol, "tolerations")
	add(aff, "affinity")
	add(sel, "nodeSelector")
	if s.Auth.Enabled {
		f = append(f, "auth "+s.Auth.Mode)
		add(s.Auth.Client, "auth client")
		add(s.Auth.Mode == "acl2" && s.Auth.InnerClient, "auth innerClient")
	}
	add(s.consoleOn() && s.Con.Login, "console login")
	add(!s.consoleOn(), "console off")
	add(s.consoleOn() && s.Con.Version == "2.1.0", "console 2.1.0")
	if s.Met.Enabled {
		add(s.exporterOn(), "metrics exporter")
		monitor := s.Met.Monitor
		if monitor == "" {
			monitor = "none"
		}
		f = append(f, "monitor "+monitor)
		add(s.Met.Rules, "rules")
		add(s.Met.Rules && s.Met.RuleLabels, "rules labels")
	}
	add(s.NetPol != nil && !*s.NetPol || s.hostNetwork() && s.NetPol == nil, "networkPolicy off")
	add(slices.Contains(parityNamespaces, s.Namespace), "odd namespace")
	for _, v := range s.Labels {
		add(slices.Contains(parityLabelValues, v) && v != "", "odd label value")
	}
	for _, v := range s.Annotations {
		add(slices.Contains(parityAnnotationValues, v) && v != "mq-team@example.com", "odd annotation value")
	}
	return f
}

// parityGenerate returns spec i and the features of the environments it compiles to.
func parityGenerate(t *testing.T, i int) ([]byte, []string) {
	t.Helper()
	r := &parityRand{rand.New(rand.NewPCG(paritySeed, uint64(i)))}
	name := r.odd(0.2, r.pick(parityNames...), parityOddNames)
	base := &parityEnv{Namespace: r.odd(0.3, r.pick("", "messaging", "rocketmq"), parityNamespaces)}
	for _, a := range parityAspects {
		a.roll(r, base)
	}
	base.fix()
	baseDoc := base.doc(name, "base")
	var features []string
	if slices.Contains(parityOddNames, name) {
		features = append(features, "odd cluster name")
	}

	var envNames []string
	switch x := r.IntN(20); {
	case x < 6:
	case x < 9:
		envNames = []string{"prod"}
	case x < 16:
		envNames = []string{"dev", "prod"}
	default:
		envNames = []string{"dev", "staging", "prod"}
	}
	if len(envNames) > 0 && r.chance(0.2) {
		envNames[0] = r.pick(parityEnvNames...)
	}
	envs := map[string]any{}
	for k, env := range envNames {
		e := base.clone(t)
		e.Namespace = fmt.Sprintf("%s-%s", name, env)
		if r.chance(0.15) {
			e.Namespace = parityNamespaces[(k+r.IntN(2))%len(parityNamespaces)]
		}
		if r.chance(0.4) {
			e.Labels = map[string]string{"stage": env}
		}
		order := r.Perm(len(parityAspects))
		for _, k := range order[:1+r.IntN(3)] {
			parityAspects[k].roll(r, e)
		}
		e.fix()
		features = append(features, e.parityFeatures()...)
		envDoc := e.doc(name, env)
		entry := map[string]any{}
		for _, part := range []string{"metadata", "spec"} {
			p, changed := parityPatch(t, baseDoc[part], envDoc[part])
			if !changed {
				continue
			}
			require.True(t, reflect.DeepEqual(parityMerge(baseDoc[part], p), envDoc[part]),
				"generator bug: the %s patch of environment %s does not give its document", part, env)
			entry[part] = p
		}
		if p, ok := entry["spec"].(map[string]any); ok {
			for k := range p {
				features = append(features, "environment changes "+k)
			}
		}
		envs[env] = entry
	}
	doc := baseDoc
	if len(envs) > 0 {
		doc["spec"].(map[string]any)["environments"] = envs
		features = append(features, "environments")
	} else {
		features = append(features, base.parityFeatures()...)
	}
	var y bytes.Buffer
	fmt.Fprintf(&y, "# spec-%03d of TestRandomSpecsRenderAlike\n", i)
	enc := yamlv3.NewEncoder(&y)
	enc.SetIndent(2)
	require.NoError(t, enc.Encode(doc))
	require.NoError(t, enc.Close())
	return y.Bytes(), features
}

func (s *parityEnv) clone(t *testing.T) *parityEnv {
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var c parityEnv
	require.NoError(t, json.Unmarshal(b, &c))
	return &c
}

// put sets m[key] to v unless v is a zero value (a false *bool is written).
func put(m map[string]any, key string, v any) {
	switch x := v.(type) {
	case nil:
		return
	case string:
		if x == "" {
			return
		}
	case int:
		if x == 0 {
			return
		}
	case *bool:
		if x == nil {
			return
		}
		v = *x
	case *int:
		if x == nil {
			return
		}
		v = *x
	case map[string]any:
		if len(x) == 0 {
			return
		}
	case []any:
		if len(x) == 0 {
			return
		}
	case []string:
		if len(x) == 0 {
			return
		}
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		v = l
	case map[string]string:
		if len(x) == 0 {
			return
		}
		mm := map[string]any{}
		for k, s := range x {
			mm[k] = s
		}
		v = mm
	}
	m[key] = v
}

func secretRef(name, key string) map[string]any { return map[string]any{"name": name, "key": key} }

func resourcesDoc(r *parityResources) any {
	if r == nil {
		return nil
	}
	var memory any = r.Memory
	if r.MemNum {
		q, ok := map[string]int{"256Mi": 256 << 20, "512Mi": 512 << 20, "1Gi": 1 << 30, "2Gi": 2 << 30, "4Gi": 4 << 30, "8Gi": 8 << 30}[r.Memory]
		if ok {
			memory = q
		}
	}
	req := map[string]any{"memory": memory}
	put(req, "cpu", r.CPU)
	put(req, "cpu", r.CPUNum)
	lim := map[string]any{"memory": memory}
	if r.Ephemeral {
		req["ephemeral-storage"] = "1Gi"
		lim["ephemeral-storage"] = "4Gi"
	}
	return map[string]any{"requests": req, "limits": lim}
}

func placementDoc(p parityPlacement, comp string) map[string]any {
	m := map[string]any{}
	if p.NodeSelector {
		m["nodeSelector"] = map[string]any{"disktype": p.Value, "example.com/" + strings.ToLower(comp): "true"}
	}
	if p.Tolerations {
		m["tolerations"] = []any{
			map[string]any{"key": "example.com/rocketmq", "operator": "Exists", "effect": "NoSchedule"},
			map[string]any{"key": "example.com/pool", "operator": "Equal", "value": p.Value, "effect": "PreferNoSchedule"},
			map[string]any{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60},
		}
	}
	switch p.Affinity {
	case 1:
		m["affinity"] = map[string]any{"nodeAffinity": map[string]any{"requiredDuringSchedulingIgnoredDuringExecution": map[string]any{
			"nodeSelectorTerms": []any{map[string]any{"matchExpressions": []any{
				map[string]any{"key": "kubernetes.io/arch", "operator": "In", "values": []any{"amd64", "arm64"}}}}}}}}
	case 2:
		m["affinity"] = map[string]any{"nodeAffinity": map[string]any{"preferredDuringSchedulingIgnoredDuringExecution": []any{
			map[string]any{"weight": 10, "preference": map[string]any{"matchExpressions": []any{
				map[string]any{"key": "disktype", "operator": "In", "values": []any{"nvme"}}}}}}}}
	case 3:
		m["affinity"] = map[string]any{"podAntiAffinity": map[string]any{"preferredDuringSchedulingIgnoredDuringExecution": []any{
			map[string]any{"weight": 50, "podAffinityTerm": map[string]any{"topologyKey": "kubernetes.io/hostname",
				"labelSelector": map[string]any{"matchLabels": map[string]any{"app": "noisy-neighbour"}}}}}}}
	}
	put(m, "spreadMembers", p.Spread)
	put(m, "zoneSpread", p.Zone)
	put(m, "priorityClassName", p.Priority)
	return m
}

// storageDoc writes a storage; nodes are the nodes of its local volumes, if it names them.
func storageDoc(st parityStorage, nodes []string) map[string]any {
	m := map[string]any{}
	put(m, "mode", st.Mode)
	put(m, "size", st.Size)
	if st.Class != nil {
		m["storageClass"] = *st.Class
	}
	put(m, "accessModes", st.AccessModes)
	put(m, "medium", st.Medium)
	switch st.Mode {
	case "hostPath":
		m["path"] = st.Path
	case "local":
		l := map[string]any{"path": st.Path}
		put(l, "nodes", nodes)
		if st.NoClass {
			l["createStorageClass"] = false
		}
		m["local"] = l
	case "nfs":
		n := map[string]any{"server": st.NFSServer, "path": st.Path}
		if st.MountOptions {
			n["mountOptions"] = []any{"nfsvers=4.1", "hard"}
		}
		m["nfs"] = n
	}
	return m
}

func nodeNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i+1)
	}
	return out
}

// doc writes the environment's choices as a whole document.
func (s *parityEnv) doc(name, env string) map[string]any {
	md := map[string]any{"name": name}
	put(md, "namespace", s.Namespace)
	put(md, "labels", s.Labels)
	put(md, "annotations", s.Annotations)
	sp := map[string]any{"version": s.Version}
	put(sp, "clusterDomain", s.Domain)
	ctlMode := s.mode() == "controller"
	standalone := ctlMode && s.controllerMode() == "standalone"

	// Images.
	img := map[string]any{}
	put(img, "pullSecrets", s.PullSecrets)
	tag := s.ImageTag
	if tag == "" {
		tag = s.Version + "-r1"
	}
	if s.CustomImages {
		img["nameServer"] = map[string]any{"repository": "registry.example.com/apache/rocketmq", "tag": tag, "pullPolicy": "Always"}
		img["broker"] = map[string]any{"repository": "registry.example.com/apache/rocketmq", "tag": tag}
	}
	if s.Con.Image && s.consoleOn() {
		img["console"] = map[string]any{"repository": "registry.example.com/rocketmq-dashboard-jre17", "pullPolicy": "IfNotPresent"}
	}
	if s.Ctl.Image && standalone {
		img["controller"] = map[string]any{"repository": "registry.example.com/rocketmq-controller", "tag": tag}
	}
	if s.Px.Image && s.proxyCluster() {
		img["proxy"] = map[string]any{"repository": "registry.example.com/rocketmq-proxy", "pullPolicy": "Never"}
	}
	if s.Met.Enabled && s.Met.ExporterImage && s.exporterOn() {
		img["exporter"] = map[string]any{"repository": "registry.example.com/rocketmq-exporter", "tag": tag}
	}
	put(sp, "images", img)

	// Name servers.
	ns := map[string]any{}
	put(ns, "replicas", s.NS.Replicas)
	put(ns, "hostNetwork", s.NS.HostNetwork)
	var nsNodes []string
	if s.NS.Storage.Mode == "local" {
		nsNodes = nodeNames(env+"-ns", max(s.NS.Replicas, 1))
	}
	put(ns, "storage", storageDoc(s.NS.Storage, nsNodes))
	if s.NS.Config {
		ns["config"] = map[string]any{"orderMessageEnable": true, "serverWorkerThreads": 16}
	}
	put(ns, "resources", resourcesDoc(s.NS.Res))
	put(ns, "placement", placementDoc(s.NS.Place, "nameServer"))
	put(sp, "nameServer", ns)

	// Brokers.
	b := s.B
	br := map[string]any{}
	put(br, "clusterName", b.ClusterName)
	put(br, "mode", b.Mode)
	local := b.Storage.Mode == "local" || (b.CommitLog != nil && b.CommitLog.Mode == "local")
	ownNodes := local && len(b.Named) > 0 && (b.Storage.GroupNodes || (b.CommitLog != nil && b.CommitLog.GroupNodes))
	var shared []string
	if len(b.Named) > 0 {
		var groups []any
		for i, g := range b.Named {
			item := map[string]any{"name": g.Name}
			if g.Count != nil {
				item[map[bool]string{true: "slaves", false: "members"}[s.mode() == "masterSlave"]] = *g.Count
			}
			if g.Config {
				item["config"] = map[string]any{"fileReservedTime": 24 + 12*i, "deleteWhen": "03"}
			}
			if ownNodes && i == 0 {
				item["nodes"] = toAny(nodeNames(env+"-"+g.Name, s.size(i)))
			} else {
				shared = append(shared, nodeNames(fmt.Sprintf("%s-b%d", env, i), s.size(i))...)
			}
			groups = append(groups, item)
		}
		br["groups"] = groups
	} else {
		put(br, "groups", b.Count)
		for i := range s.groups() {
			shared = append(shared, nodeNames(fmt.Sprintf("%s-b%d", env, i), s.size(i))...)
		}
	}
	if s.mode() == "masterSlave" {
		put(br, "slaves", b.Slaves)
	} else {
		put(br, "members", b.Members)
	}
	put(br, "replication", b.Replication)
	put(br, "flushDiskType", b.Flush)
	put(br, "inSyncReplicas", b.InSync)
	put(br, "minInSyncReplicas", b.MinInSync)
	if b.DLedgerPort != 0 {
		br["dledger"] = map[string]any{"port": b.DLedgerPort}
	}
	put(br, "hostNetwork", b.HostNetwork)
	switch b.Config {
	case 1:
		br["config"] = map[string]any{"deleteWhen": "04", "fileReservedTime": 48}
	case 2:
		br["config"] = map[string]any{"diskMaxUsedSpaceRatio": 85, "sendMessageThreadPoolNums": 16, "maxMessageSize": 8388608, "autoCreateTopicEnable": false}
	}
	put(br, "resources", resourcesDoc(b.Res))
	switch b.JVM {
	case 1:
		br["jvm"] = map[string]any{"options": []any{"-XX:+UseG1GC", "-XX:+AlwaysPreTouch"}}
	case 2:
		br["jvm"] = map[string]any{"heap": "1Gi", "directMemory": "512Mi", "options": []any{"-XX:+UseG1GC"}}
	}
	storeNodes, commitNodes := shared, []string(nil)
	if b.Storage.Mode != "local" {
		storeNodes, commitNodes = nil, shared
	}
	put(br, "storage", storageDoc(b.Storage, storeNodes))
	if b.CommitLog != nil {
		br["commitLogStorage"] = storageDoc(*b.CommitLog, commitNodes)
	}
	put(br, "placement", placementDoc(b.Place, "brokers"))
	sp["brokers"] = br

	// Controllers.
	if ctlMode {
		c := s.Ctl
		ctl := map[string]any{}
		put(ctl, "mode", c.Mode)
		put(ctl, "type", c.Type)
		if c.Config {
			ctl["config"] = map[string]any{"enableElectUncleanMaster": false, "scanNotActiveBrokerInterval": 10000}
		}
		if standalone {
			put(ctl, "replicas", c.Replicas)
			var nodes []string
			if c.Storage.Mode == "local" {
				n := c.Replicas
				if n == 0 {
					n = 3
				}
				nodes = nodeNames(env+"-ctl", n)
			}
			put(ctl, "storage", storageDoc(c.Storage, nodes))
			put(ctl, "resources", resourcesDoc(c.Res))
			put(ctl, "placement", placementDoc(c.Place, "controller"))
		}
		put(sp, "controller", ctl)
	}

	// The proxy.
	if p := s.Px; p.Enabled {
		px := map[string]any{"enabled": true}
		put(px, "mode", p.Mode)
		svc := map[string]any{}
		put(svc, "type", p.Type)
		put(svc, "grpcPort", p.GRPCPort)
		put(svc, "remotingPort", p.RemotingPort)
		put(svc, "grpcNodePort", p.GRPCNodePort)
		put(svc, "remotingNodePort", p.RemotingNodePort)
		if p.Annotations != "" {
			svc["annotations"] = map[string]any{"service.beta.kubernetes.io/aws-load-balancer-type": p.Annotations, "example.com/team": "mq"}
		}
		put(svc, "externalTrafficPolicy", p.ETP)
		if p.LBRanges {
			svc["loadBalancerSourceRanges"] = []any{"10.0.0.0/8", "192.168.0.0/16"}
		}
		put(px, "service", svc)
		if p.Config {
			px["config"] = map[string]any{"grpcThreadPoolNums": 32}
		}
		if s.proxyCluster() {
			put(px, "replicas", p.Replicas)
			put(px, "resources", resourcesDoc(p.Res))
			put(px, "placement", placementDoc(p.Place, "proxy"))
		}
		sp["proxy"] = px
	} else if p.Explicit {
		sp["proxy"] = map[string]any{"enabled": false}
	}

	// The console.
	con := map[string]any{}
	put(con, "enabled", s.Con.Enabled)
	if s.consoleOn() {
		c := s.Con
		put(con, "version", c.Version)
		put(con, "replicas", c.Replicas)
		svc := map[string]any{}
		put(svc, "type", c.Type)
		put(svc, "port", c.Port)
		put(svc, "nodePort", c.NodePort)
		put(con, "service", svc)
		if c.Login {
			con["login"] = map[string]any{"users": secretRef(map[bool]string{true: "012", false: "rocketmq-console"}[s.OddSecrets], "users.properties")}
		}
		put(con, "resources", resourcesDoc(c.Res))
		put(con, "placement", placementDoc(c.Place, "console"))
	}
	put(sp, "console", con)

	secret := func(name, key string) map[string]any {
		if s.OddSecrets {
			return secretRef(parityDNSNames[len(name)%len(parityDNSNames)], parityDNSNames[len(key)%len(parityDNSNames)]+"."+key)
		}
		return secretRef(name, key)
	}
	if s.NetPol != nil {
		sp["networkPolicy"] = map[string]any{"enabled": *s.NetPol}
	}

	// Placement short forms.
	pl := map[string]any{}
	if d := s.Ded; d != nil {
		dm := map[string]any{"key": d.Key}
		put(dm, "value", d.Value)
		put(dm, "effect", d.Effect)
		put(dm, "components", d.Components)
		pl["dedicatedNodes"] = dm
	}
	put(pl, "priorityClassName", s.Priority)
	put(sp, "placement", pl)

	// Access control.
	if a := s.Auth; a.Enabled {
		au := map[string]any{"enabled": true}
		if a.ExplicitMode {
			au["mode"] = a.Mode
		}
		creds := func(name string) map[string]any {
			return map[string]any{"accessKey": secret(name, "accessKey"), "secretKey": secret(name, "secretKey")}
		}
		if a.Mode == "acl1" {
			au["acl1"] = map[string]any{"file": secret("rocketmq-acl", "plain_acl.yml")}
		} else {
			au["admin"] = map[string]any{"username": secret("rocketmq-admin", "username"), "password": secret("rocketmq-admin", "password")}
			if a.InnerClient {
				au["innerClient"] = creds("rocketmq-inner")
			}
			put(au, "authorization", a.Authorization)
		}
		if a.Client {
			au["client"] = creds("rocketmq-client")
		}
		sp["auth"] = au
	}

	// Metrics.
	if m := s.Met; m.Enabled {
		mm := map[string]any{"enabled": true}
		put(mm, "port", m.Port)
		ex := map[string]any{}
		put(ex, "enabled", m.Exporter)
		if s.exporterOn() {
			if m.ExporterRes {
				ex["resources"] = resourcesDoc(&parityResources{Memory: "256Mi", CPU: "50m"})
			}
			put(ex, "placement", placementDoc(m.ExporterPlace, "exporter"))
		}
		put(mm, "exporter", ex)
		put(mm, "monitor", m.Monitor)
		if m.Rules {
			rules := map[string]any{"enabled": true}
			if m.RuleLabels {
				rules["labels"] = map[string]any{"release": m.RuleLabel, "team": "mq"}
			}
			put(rules, "consumerLag", m.ConsumerLag)
			put(rules, "replicationLagBytes", m.LagBytes)
			mm["rules"] = rules
		}
		sp["metrics"] = mm
	}

	return map[string]any{"apiVersion": "rocketops.dev/v1alpha1", "kind": "RocketMQCluster", "metadata": md, "spec": sp}
}

func toAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// parityNamed reports whether a value is a list whose items are all mappings with a name, which an
// environment merges item by item (see spec.Document.Environment).
func parityNamed(v any) ([]any, bool) {
	l, ok := v.([]any)
	if !ok {
		return nil, false
	}
	for _, item := range l {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, false
		}
		if _, ok := m["name"].(string); !ok {
			return nil, false
		}
	}
	return l, true
}

// parityPatch returns what an environment writes to turn base into target: mappings key by key with
// null for what target drops, named lists item by item (target must keep base's items in order),
// anything else whole. changed is false when they are equal.
func parityPatch(t *testing.T, base, target any) (patch any, changed bool) {
	if reflect.DeepEqual(base, target) {
		return nil, false
	}
	bm, ok1 := base.(map[string]any)
	tm, ok2 := target.(map[string]any)
	if ok1 && ok2 {
		p := map[string]any{}
		for k := range bm {
			if _, ok := tm[k]; !ok {
				p[k] = nil
			}
		}
		for k, tv := range tm {
			bv, ok := bm[k]
			if !ok {
				p[k] = tv
				continue
			}
			if pv, ch := parityPatch(t, bv, tv); ch {
				p[k] = pv
			}
		}
		return p, true
	}
	bl, ok1 := parityNamed(base)
	tl, ok2 := parityNamed(target)
	if ok1 && ok2 && len(tl) > 0 {
		require.GreaterOrEqual(t, len(tl), len(bl), "generator bug: an environment drops named items")
		var p []any
		for i, item := range tl {
			if i >= len(bl) {
				p = append(p, item)
				continue
			}
			name := item.(map[string]any)["name"]
			require.Equal(t, bl[i].(map[string]any)["name"], name, "generator bug: an environment reorders named items")
			if pv, ch := parityPatch(t, bl[i], item); ch {
				pm := pv.(map[string]any)
				pm["name"] = name
				p = append(p, pm)
			}
		}
		return p, true
	}
	return target, true
}

// parityMerge merges an environment's value over the base's as spec.Document.Environment does.
func parityMerge(base, over any) any {
	if over == nil {
		return nil
	}
	if base == nil {
		return over
	}
	bm, ok1 := base.(map[string]any)
	om, ok2 := over.(map[string]any)
	if ok1 && ok2 {
		out := map[string]any{}
		for k, v := range bm {
			out[k] = v
		}
		for k, v := range om {
			if m := parityMerge(out[k], v); m == nil {
				delete(out, k)
			} else {
				out[k] = m
			}
		}
		return out
	}
	bl, ok1 := parityNamed(base)
	ol, ok2 := parityNamed(over)
	if ok1 && ok2 {
		out := slices.Clone(bl)
		for _, item := range ol {
			name := item.(map[string]any)["name"]
			i := slices.IndexFunc(out, func(b any) bool { return b.(map[string]any)["name"] == name })
			if i < 0 {
				out = append(out, item)
				continue
			}
			out[i] = parityMerge(out[i], item)
		}
		return out
	}
	return over
}
