package golden_test

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
)

// gitopsObjects decodes the Argo CD and Flux objects of a golden case's output (every YAML file
// under argocd/ and flux/ but the kustomization.yaml that lists them), by file.
func gitopsObjects(t *testing.T, name string) map[string][]*unstructured.Unstructured {
	t.Helper()
	out := map[string][]*unstructured.Unstructured{}
	for _, dir := range []string{"argocd", "flux"} {
		root := filepath.Join(name, "output", dir)
		if _, err := os.Stat(root); os.IsNotExist(err) {
			continue
		}
		require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || d.Name() == "kustomization.yaml" {
				return err
			}
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			objs, err := kube.DecodeYAML(data)
			require.NoError(t, err, p)
			rel, _ := filepath.Rel(filepath.Join(name, "output"), p)
			out[filepath.ToSlash(rel)] = objs
			return nil
		}))
	}
	return out
}

// TestGitOpsObjectsAccepted server-side dry-runs every Argo CD and Flux object of every golden case
// against the real API server with the upstream CRDs installed.
func TestGitOpsObjectsAccepted(t *testing.T) {
	srv := kubetest.Shared(t)
	installGitOpsCRDs(t, srv.Config)
	client, err := kube.NewClient(srv.Config)
	require.NoError(t, err)
	n := 0
	for _, name := range cases(t) {
		for file, objs := range gitopsObjects(t, name) {
			t.Run(name+"/"+file, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				for _, o := range objs {
					require.NoError(t, client.EnsureNamespace(ctx, o.GetNamespace()))
				}
				for _, e := range client.DryRunApply(ctx, objs) {
					t.Error(e)
				}
				n += len(objs)
			})
		}
	}
	require.Greater(t, n, 10, "the golden cases hold GitOps objects")
}

// TestFluxBuildMatchesDirectRender builds every Flux Kustomization of every golden case with the
// pinned flux CLI, as kustomize-controller would: each stage must hold exactly the direct render's
// objects of that stage, and the stages of an environment together every object once.
func TestFluxBuildMatchesDirectRender(t *testing.T) {
	n := 0
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for file, objs := range gitopsObjects(t, name) {
			env := strings.TrimSuffix(path.Base(file), ".yaml")
			if _, ok := out.Plans[env]; !strings.HasPrefix(file, "flux/") || !ok {
				continue
			}
			t.Run(name+"/"+env, func(t *testing.T) {
				// flux build rewrites the kustomization.yaml it builds: work on a copy of the output,
				// laid out at the repository path the Kustomizations name.
				repo := t.TempDir()
				require.NoError(t, os.CopyFS(filepath.Join(repo, gitopsPath(t, name, env)), os.DirFS(filepath.Join(name, "output"))))
				want := map[string][]render.Object{}
				for _, o := range normalise(t, []byte(direct(t, out, env))) {
					st := plan.StageOf(o.Labels)
					want[st] = append(want[st], o)
				}
				total := 0
				for _, k := range objs {
					if k.GetKind() != "Kustomization" {
						continue
					}
					stage := stageOfKustomization(t, k)
					ksFile := filepath.Join(t.TempDir(), "ks.yaml")
					b, err := yaml.Marshal(k.Object)
					require.NoError(t, err)
					require.NoError(t, os.WriteFile(ksFile, b, 0o644))
					kpath, _, _ := unstructured.NestedString(k.Object, "spec", "path")
					built := fluxBuild(t, ksFile, k.GetName(), filepath.Join(repo, filepath.FromSlash(kpath)))
					got := withoutFluxLabels(t, normalise(t, built))
					sameObjects(t, "flux build of "+k.GetName(), want[stage], got)
					total += len(got)
					n++
				}
				require.Equal(t, len(out.Objects[env]), total, "the stages of %s together hold every object", env)
			})
		}
	}
	require.Positive(t, n, "no golden case has Flux Kustomizations")
}

// gitopsPath is the repository path a case's environment is compiled to (spec.gitops.path).
func gitopsPath(t *testing.T, name, env string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(name, "cluster.yaml"))
	require.NoError(t, err)
	res, diags := compile.Validate("cluster.yaml", src)
	require.Empty(t, diags.Errors())
	return filepath.FromSlash(res.Environments[env].Spec.GitOps.Path)
}

func stageOfKustomization(t *testing.T, k *unstructured.Unstructured) string {
	t.Helper()
	slug := k.GetLabels()["rocketops.dev/stage"]
	require.NotEmpty(t, slug, "%s names its stage", k.GetName())
	if g, ok := strings.CutPrefix(slug, "group-"); ok {
		return plan.StageGroups + g
	}
	return slug
}

// withoutFluxLabels drops the labels kustomize-controller adds to every object it applies, which are
// Flux's, not the output's.
func withoutFluxLabels(t *testing.T, objs []render.Object) []render.Object {
	t.Helper()
	for i := range objs {
		md, _ := objs[i].Value["metadata"].(map[string]any)
		labels, _ := md["labels"].(map[string]any)
		for k := range labels {
			if strings.HasPrefix(k, "kustomize.toolkit.fluxcd.io/") {
				delete(labels, k)
				delete(objs[i].Labels, k)
			}
		}
	}
	return objs
}

// TestReadmeGitOpsExamples keeps the README's GitOps walkthrough true: its spec compiles with
// -t kustomize,argocd,flux, and every Argo CD or Flux object the GitOps section shows is exactly
// one the compiler writes for it. Every Argo CD or Flux object anywhere in the README passes a
// server-side dry run against the upstream CRDs.
func TestReadmeGitOpsExamples(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, "## GitOps: Argo CD and Flux")
	require.GreaterOrEqual(t, start, 0, "the README has a GitOps section")
	end := start + 1 + strings.Index(text[start+1:], "\n## ")
	section := text[start:end]

	blocks := func(s string) []string {
		var out []string
		for _, b := range strings.Split(s, "```yaml\n")[1:] {
			out = append(out, b[:strings.Index(b, "```")])
		}
		return out
	}
	var specSrc string
	for _, b := range blocks(section) {
		if strings.Contains(b, "kind: RocketMQCluster") {
			specSrc = b
			break
		}
	}
	require.NotEmpty(t, specSrc, "the GitOps section shows its spec")
	// The spec as shown, and the two variants the section describes: an ApplicationSet, and the helm
	// source.
	generated := map[string]map[string]any{}
	variants := []struct {
		src     []byte
		targets []string
	}{
		{[]byte(specSrc), []string{"kustomize", "argocd", "flux"}},
		{putYAML(t, []byte(specSrc), "{generator: list}", "spec", "gitops", "argocd", "applicationSet"), []string{"kustomize", "argocd"}},
		{putYAML(t, []byte(specSrc), "helm", "spec", "gitops", "source"), []string{"helm", "flux"}},
	}
	for _, v := range variants {
		out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: v.src, Targets: v.targets, VendorChart: v.targets[0] == "helm"})
		require.NoError(t, err)
		for file, b := range out.Tree {
			if !strings.HasSuffix(file, ".yaml") || !(strings.HasPrefix(file, "argocd/") || strings.HasPrefix(file, "flux/")) {
				continue
			}
			objs, err := kube.DecodeYAML(b)
			require.NoError(t, err)
			for _, o := range objs {
				generated[o.GetKind()+"/"+o.GetName()] = o.Object
			}
		}
	}
	shown := 0
	for _, b := range blocks(section) {
		objs, err := kube.DecodeYAML([]byte(b))
		if err != nil || len(objs) != 1 || !isGitOps(objs[0]) {
			continue
		}
		o := objs[0]
		want, ok := generated[o.GetKind()+"/"+o.GetName()]
		require.True(t, ok, "the README shows %s %s, which the compiler does not write", o.GetKind(), o.GetName())
		assert.Equal(t, want, o.Object, "the README's %s %s is not what the compiler writes", o.GetKind(), o.GetName())
		shown++
	}
	require.GreaterOrEqual(t, shown, 4, "the GitOps section shows generated objects: an Application, an ApplicationSet, a Kustomization and a HelmRelease")

	srv := kubetest.Shared(t)
	installGitOpsCRDs(t, srv.Config)
	client, err := kube.NewClient(srv.Config)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var all []*unstructured.Unstructured
	for _, b := range blocks(text) {
		objs, err := kube.DecodeYAML([]byte(b))
		if err != nil {
			continue
		}
		for _, o := range objs {
			if isGitOps(o) {
				all = append(all, o)
			}
		}
	}
	kinds := map[string]bool{}
	for _, o := range all {
		require.NoError(t, client.EnsureNamespace(ctx, o.GetNamespace()))
		kinds[o.GetKind()] = true
	}
	for _, e := range client.DryRunApply(ctx, all) {
		t.Error(e)
	}
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	assert.Subset(t, names, []string{"Application", "ApplicationSet", "HelmRelease", "Kustomization"}, "the README shows both tools' objects")
}

func isGitOps(o *unstructured.Unstructured) bool {
	g := o.GroupVersionKind().Group
	return g == "argoproj.io" || strings.HasSuffix(g, ".toolkit.fluxcd.io")
}
