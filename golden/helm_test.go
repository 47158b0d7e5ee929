package golden_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
)

const chart = "../charts/rocketmq"

// helmLabels are the labels and annotations Helm itself may add to objects. The parity comparison
// removes them and nothing else: it is the one normalisation between the Helm and kustomize paths
// (the chart adds none of them today, so the comparison is exact).
var helmLabels = []string{"helm.sh/chart", "app.kubernetes.io/managed-by=Helm", "meta.helm.sh/release-name", "meta.helm.sh/release-namespace"}

// normalise parses a rendered stream into objects in install order, dropping Helm's own metadata.
func normalise(t *testing.T, stream []byte) []render.Object {
	t.Helper()
	var objs []render.Object
	for _, doc := range bytes.Split(stream, []byte("\n---")) {
		j, err := yaml.YAMLToJSON(doc)
		require.NoError(t, err)
		var v map[string]any
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&v))
		if v == nil {
			continue
		}
		md, _ := v["metadata"].(map[string]any)
		for _, key := range []string{"labels", "annotations"} {
			m, _ := md[key].(map[string]any)
			for _, h := range helmLabels {
				name, value, hasValue := strings.Cut(h, "=")
				if cur, ok := m[name]; ok && (!hasValue || cur == value) {
					delete(m, name)
				}
			}
		}
		o, err := render.FromValue(v)
		require.NoError(t, err)
		objs = append(objs, o)
	}
	render.Sort(objs)
	return objs
}

// indexObjects gives each object's YAML by kind/namespace/name, and the names in order.
func indexObjects(t *testing.T, objs []render.Object) (map[string][]byte, []string) {
	t.Helper()
	m := map[string][]byte{}
	var ids []string
	for _, o := range objs {
		y, err := o.YAML()
		require.NoError(t, err)
		m[o.ID()] = y
		ids = append(ids, o.ID())
	}
	return m, ids
}

// sameObjects compares object lists and fails with a unified diff per differing object, named by
// kind/namespace/name, so the field that differs is in front of the reader.
func sameObjects(t *testing.T, what string, want, got []render.Object) {
	t.Helper()
	w, wids := indexObjects(t, want)
	g, gids := indexObjects(t, got)
	var diff strings.Builder
	for _, id := range wids {
		if !bytes.Equal(w[id], g[id]) {
			var gv []byte
			if b, ok := g[id]; ok {
				gv = b
			}
			diff.WriteString(tree.UnifiedDiff(id, w[id], gv))
		}
	}
	for _, id := range gids {
		if _, ok := w[id]; !ok {
			diff.WriteString(tree.UnifiedDiff(id, nil, g[id]))
		}
	}
	if diff.Len() > 0 {
		t.Fatalf("%s differs from the direct render (- direct, + %s):\n%s", what, what, diff.String())
	}
}

func helmCmd(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(kubetest.Tool(t, "helm"), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "helm %s: %s%s", strings.Join(args, " "), out, stderr.String())
	return out
}

// TestHelmParity renders every golden case and environment with the real helm binary and the
// compiled values, and checks the objects are exactly those of the direct render — and so, by
// TestKustomizeCLI, of kustomize build.
func TestHelmParity(t *testing.T) {
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env, p := range out.Plans {
			t.Run(name+"/"+env, func(t *testing.T) {
				values := filepath.Join(name, "output", "values-"+env+".yaml")
				rendered := helmCmd(t, "template", p.Name, chart, "--namespace", p.Namespace, "-f", values)
				sameObjects(t, "helm template", normalise(t, []byte(direct(t, out, env))), normalise(t, rendered))
			})
		}
	}
}

// TestHelmStagesPartitionTheRender renders every golden case and environment once per sync stage, as
// the Flux HelmReleases of spec.gitops.source helm do (the chart's stage value): each stage's release
// must hold exactly the direct render's objects of that stage, so the releases together hold every
// object once.
func TestHelmStagesPartitionTheRender(t *testing.T) {
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env, p := range out.Plans {
			t.Run(name+"/"+env, func(t *testing.T) {
				values := filepath.Join(name, "output", "values-"+env+".yaml")
				byStage := map[string][]render.Object{}
				for _, o := range normalise(t, []byte(direct(t, out, env))) {
					st := plan.StageOf(o.Labels)
					byStage[st] = append(byStage[st], o)
				}
				covered := 0
				for _, st := range p.Stages() {
					rendered := helmCmd(t, "template", p.Name, chart, "--namespace", p.Namespace, "-f", values, "--set", "stage="+st)
					got := normalise(t, rendered)
					sameObjects(t, "helm template with stage "+st, byStage[st], got)
					covered += len(got)
				}
				require.Equal(t, len(out.Objects[env]), covered, "the stages together hold every object")
			})
		}
	}
}

// TestHelmLint lints the chart strictly with every golden values file.
func TestHelmLint(t *testing.T) {
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env, p := range out.Plans {
			values := filepath.Join(name, "output", "values-"+env+".yaml")
			res := helmCmd(t, "lint", "--strict", chart, "--namespace", p.Namespace, "-f", values)
			require.Contains(t, string(res), "0 chart(s) failed", "%s/%s", name, env)
		}
	}
}

// TestHelmInstallAndUpgrade installs the chart into a real API server with the staging values, then
// upgrades it with the values of a changed spec (more name servers, a broker setting, no console), as
// a Flux HelmRelease or `helm upgrade` would: Helm must accept the values, the objects must change,
// and the release history must record both revisions. (Upgrading staging to prod would fail: prod's
// volumes differ, and volumeClaimTemplates cannot change.)
func TestHelmInstallAndUpgrade(t *testing.T) {
	srv := kubetest.Shared(t)
	kubeconfig := srv.Kubeconfig(t)
	const ns = "helm-install"
	src, err := os.ReadFile("environments/cluster.yaml")
	require.NoError(t, err)
	v1 := strings.Replace(string(src), "namespace: orders-mq-staging", "namespace: "+ns, 1)
	v2 := strings.Replace(v1, "        brokers:\n          slaves: 1\n        console:\n",
		"        nameServer:\n          replicas: 3\n        brokers:\n          slaves: 1\n          config: {fileReservedTime: 24}\n        console:\n          enabled: false\n", 1)
	require.NotEqual(t, v1, v2, "the staging environment of the golden spec changed shape")
	dir := t.TempDir()
	for i, spec := range []string{v1, v2} {
		res, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: []byte(spec), Targets: []string{"helm"}, Environments: []string{"staging"}})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("v%d.yaml", i+1)), res.Tree["values-staging.yaml"], 0o644))
	}
	base := []string{"--kubeconfig", kubeconfig, "--namespace", ns}
	helmCmd(t, append([]string{"upgrade", "--install", "orders", chart, "--create-namespace", "-f", filepath.Join(dir, "v1.yaml")}, base...)...)

	client, err := kube.NewClient(srv.Config)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = client.Get(ctx, "apps/v1", "Deployment", ns, "orders-console")
	require.NoError(t, err, "staging has a console")

	helmCmd(t, append([]string{"upgrade", "orders", chart, "-f", filepath.Join(dir, "v2.yaml")}, base...)...)
	history := string(helmCmd(t, append([]string{"history", "orders", "-o", "json"}, base...)...))
	require.Contains(t, history, `"revision":2`)
	require.Contains(t, history, `"status":"deployed"`)
	sts, err := client.Get(ctx, "apps/v1", "StatefulSet", ns, "orders-namesrv")
	require.NoError(t, err)
	replicas, _, _ := unstructured.NestedInt64(sts.Object, "spec", "replicas")
	require.EqualValues(t, 3, replicas)
	cm, err := client.Get(ctx, "v1", "ConfigMap", ns, "orders-broker-a-config")
	require.NoError(t, err)
	conf, _, _ := unstructured.NestedString(cm.Object, "data", "broker-0.conf")
	require.Contains(t, conf, "fileReservedTime=24")
	_, err = client.Get(ctx, "apps/v1", "Deployment", ns, "orders-console")
	require.True(t, apierrors.IsNotFound(err), "the upgrade must remove the console: %v", err)

	// Values the chart's schema refuses fail the install with the field named.
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("nameServer:\n  replicas: -1\n"), 0o644))
	cmd := exec.Command(kubetest.Tool(t, "helm"), append([]string{"install", "bad", chart, "-f", bad}, base...)...)
	msg, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(msg), "replicas")
}
