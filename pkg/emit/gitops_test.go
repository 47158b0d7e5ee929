package emit_test

import (
	"encoding/json"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/emit"
	"github.com/rocketops/rocketops/pkg/plan"
)

// gitopsSpec is a cluster with two environments; gitops is the spec.gitops block, indented by four.
func gitopsSpec(gitops string) []byte {
	return []byte(`apiVersion: rocketops.dev/v1alpha1
kind: RocketMQCluster
metadata:
  name: rmq
  namespace: mq
spec:
  version: "5.3.3"
  brokers:
    groups: [{name: a}, {name: b}]
  gitops:
    repoURL: https://git.example.com/mq.git
    path: out
` + gitops + `
  environments:
    dev:
      metadata: {namespace: mq-dev}
      spec:
        console: {enabled: false}
    prod:
      metadata: {namespace: mq-prod}
      spec:
        brokers:
          groups: [{name: a}, {name: b}, {name: c}]
        gitops:
          revision: 0123456789abcdef0123456789abcdef01234567
`)
}

func compileGitOps(t *testing.T, src []byte, targets []string, envs ...string) *compile.Output {
	t.Helper()
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: targets, Environments: envs, VendorChart: contains(targets, "helm")})
	require.NoError(t, err)
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// yamlDocs decodes a generated YAML stream.
func yamlDocs(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	require.True(t, strings.HasPrefix(string(b), head))
	var out []map[string]any
	for _, d := range strings.Split(strings.TrimPrefix(string(b), head), "---\n") {
		var m map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(d), &m))
		out = append(out, m)
	}
	return out
}

func dig(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		m, ok := v.(map[string]any)
		require.True(t, ok, "%s: not a mapping in %v", k, v)
		v = m[k]
	}
	return v
}

func TestFluxKustomizationsFollowTheStages(t *testing.T) {
	out := compileGitOps(t, gitopsSpec("    flux: {}"), []string{"kustomize", "flux"})
	for env, p := range out.Plans {
		t.Run(env, func(t *testing.T) {
			ks := yamlDocs(t, out.Tree["flux/"+env+".yaml"])
			var stages []string
			for _, st := range p.Stages() {
				if _, ok := out.Tree["overlays/"+env+"/"+st+"/kustomization.yaml"]; ok {
					stages = append(stages, st)
				}
			}
			require.Len(t, ks, len(stages), "one Kustomization per stage with objects")
			if env == "dev" {
				assert.NotContains(t, stages, plan.StageAccess, "dev has no console, so no access stage")
			}
			prev := ""
			for i, k := range ks {
				st := stages[i]
				assert.Equal(t, "./out/overlays/"+env+"/"+st, dig(t, k, "spec", "path"))
				deps, _ := dig(t, k, "spec", "dependsOn").([]any)
				if prev == "" {
					assert.Empty(t, deps, "the first stage depends on nothing")
				} else {
					assert.Equal(t, []any{map[string]any{"name": prev}}, deps, "stage %s waits for the one before", st)
				}
				assert.Equal(t, true, dig(t, k, "spec", "wait"), "dependsOn only orders stages when each waits for its objects")
				assert.Equal(t, map[string]any{"kind": "GitRepository", "name": "rmq" + map[string]string{"dev": "", "prod": "-prod"}[env]}, dig(t, k, "spec", "sourceRef"))
				prev = dig(t, k, "metadata", "name").(string)
			}
		})
	}
	t.Run("the sources follow the revisions", func(t *testing.T) {
		src := yamlDocs(t, out.Tree["flux/source.yaml"])
		require.Len(t, src, 2, "prod reads another revision")
		assert.Equal(t, map[string]any{"branch": "main"}, dig(t, src[0], "spec", "ref"))
		assert.Equal(t, map[string]any{"commit": "0123456789abcdef0123456789abcdef01234567"}, dig(t, src[1], "spec", "ref"))
	})
}

func TestArgoCDSyncWaves(t *testing.T) {
	out := compileGitOps(t, gitopsSpec("    argocd: {}"), []string{"kustomize", "argocd"})
	for env, p := range out.Plans {
		t.Run(env, func(t *testing.T) {
			waves := map[string]int{}
			for i, st := range p.Stages() {
				waves[st] = i
			}
			seen := map[int]bool{}
			for _, o := range out.Objects[env] {
				ann, _ := dig(t, o.Value, "metadata", "annotations").(map[string]any)
				got, ok := ann[plan.AnnotationSyncWave].(string)
				require.True(t, ok, "%s %s has no sync wave", o.Kind, o.Name)
				want := waves[plan.StageOf(o.Labels)]
				assert.Equal(t, strconv.Itoa(want), got, "%s %s", o.Kind, o.Name)
				seen[want] = true
				specMap, _ := o.Value["spec"].(map[string]any)
				if tpl, ok := specMap["template"]; ok {
					podAnn, _ := dig(t, tpl, "metadata").(map[string]any)["annotations"].(map[string]any)
					assert.NotContains(t, podAnn, plan.AnnotationSyncWave, "a wave on the pod template would roll pods when it changes")
				}
			}
			assert.Len(t, seen, len(p.Stages())-map[string]int{"dev": 1, "prod": 0}[env], "every stage with objects has its wave")
		})
	}
	t.Run("no waves without Argo CD", func(t *testing.T) {
		plain := compileGitOps(t, gitopsSpec("    flux: {}"), []string{"kustomize", "flux"})
		for _, o := range plain.Objects["prod"] {
			ann, _ := dig(t, o.Value, "metadata", "annotations").(map[string]any)
			assert.NotContains(t, ann, plan.AnnotationSyncWave)
		}
	})
}

func TestArgoCDApplications(t *testing.T) {
	forms := map[string]struct {
		targets []string
		check   func(t *testing.T, out *compile.Output, env string, source map[string]any)
	}{
		"kustomize": {[]string{"kustomize", "argocd"}, func(t *testing.T, out *compile.Output, env string, source map[string]any) {
			assert.Contains(t, out.Tree, strings.TrimPrefix(source["path"].(string), "out/")+"/kustomization.yaml")
		}},
		"manifests": {[]string{"manifests", "argocd"}, func(t *testing.T, out *compile.Output, env string, source map[string]any) {
			assert.Contains(t, out.Tree, strings.TrimPrefix(source["path"].(string), "out/")+"/manifest.yaml")
			assert.Equal(t, map[string]any{"recurse": false}, source["directory"])
		}},
		"helm": {[]string{"helm", "argocd"}, func(t *testing.T, out *compile.Output, env string, source map[string]any) {
			chart := strings.TrimPrefix(source["path"].(string), "out/")
			assert.Contains(t, out.Tree, chart+"/Chart.yaml")
			files := dig(t, source, "helm", "valueFiles").([]any)
			require.Len(t, files, 1)
			assert.Contains(t, out.Tree, path.Join(chart, files[0].(string)), "the values file is where the helm target writes it")
			assert.Equal(t, "rmq", dig(t, source, "helm", "releaseName"))
		}},
		"plugin": {[]string{"argocd"}, func(t *testing.T, out *compile.Output, env string, source map[string]any) {
			assert.Equal(t, "clusters/rmq", source["path"])
			assert.Equal(t, map[string]any{"name": "rocketops", "env": []any{
				map[string]any{"name": "ROCKETOPS_ENVIRONMENT", "value": env},
				map[string]any{"name": "ROCKETOPS_SPEC", "value": "cluster.yaml"},
			}}, source["plugin"])
		}},
	}
	for form, tc := range forms {
		t.Run(form, func(t *testing.T) {
			out := compileGitOps(t, gitopsSpec("    source: "+form+"\n    specPath: clusters/rmq/cluster.yaml\n    argocd: {}"), tc.targets)
			for _, env := range []string{"dev", "prod"} {
				apps := yamlDocs(t, out.Tree["argocd/applications/"+env+".yaml"])
				require.Len(t, apps, 1)
				a := apps[0]
				assert.Equal(t, "rmq-"+env, dig(t, a, "metadata", "name"))
				assert.Equal(t, "argocd", dig(t, a, "metadata", "namespace"))
				assert.Equal(t, "rmq", dig(t, a, "spec", "project"), "the generated AppProject")
				assert.Equal(t, "mq-"+env, dig(t, a, "spec", "destination", "namespace"))
				assert.Equal(t, "https://kubernetes.default.svc", dig(t, a, "spec", "destination", "server"))
				source := dig(t, a, "spec", "source").(map[string]any)
				assert.Equal(t, map[string]string{"dev": "main", "prod": "0123456789abcdef0123456789abcdef01234567"}[env], source["targetRevision"])
				tc.check(t, out, env, source)
				assert.Equal(t, map[string]any{"prune": true, "selfHeal": true}, dig(t, a, "spec", "syncPolicy", "automated"))
			}
			k := readKustomization(t, out.Tree, "argocd/kustomization.yaml")
			assert.Equal(t, []string{"project.yaml", "applications/dev.yaml", "applications/prod.yaml"}, k.Resources)
		})
	}
}

func TestArgoCDApplicationSet(t *testing.T) {
	for _, gen := range []string{"list", "git"} {
		t.Run(gen, func(t *testing.T) {
			out := compileGitOps(t, gitopsSpec("    argocd:\n      applicationSet: {generator: "+gen+"}"), []string{"kustomize", "argocd"})
			sets := yamlDocs(t, out.Tree["argocd/applicationset.yaml"])
			require.Len(t, sets, 1)
			gens := dig(t, sets[0], "spec", "generators").([]any)
			require.Len(t, gens, 1)
			var elements []any
			if gen == "list" {
				elements = dig(t, gens[0], "list", "elements").([]any)
			} else {
				files := dig(t, gens[0], "git", "files").([]any)
				assert.Equal(t, []any{map[string]any{"path": "out/argocd/environments/*.json"}}, files)
				for _, env := range []string{"dev", "prod"} {
					var m map[string]any
					require.NoError(t, json.Unmarshal(out.Tree["argocd/environments/"+env+".json"], &m))
					elements = append(elements, m)
				}
			}
			require.Len(t, elements, 2)
			for i, env := range []string{"dev", "prod"} {
				assert.Equal(t, env, dig(t, elements[i], "environment"))
				assert.Equal(t, "mq-"+env, dig(t, elements[i], "namespace"))
				assert.Equal(t, "out/overlays/"+env, dig(t, elements[i], "path"))
			}
			// Every parameter the template uses is one each element gives.
			tpl, err := json.Marshal(dig(t, sets[0], "spec", "template"))
			require.NoError(t, err)
			for _, ref := range strings.Split(string(tpl), "{{ .")[1:] {
				name := ref[:strings.Index(ref, " }}")]
				assert.Contains(t, elements[0], name)
			}
			assert.NotContains(t, out.Tree, "argocd/applications/dev.yaml")
		})
	}
}

func TestGitOpsNarrowedCompile(t *testing.T) {
	src := gitopsSpec("    argocd: {}\n    flux: {}")
	out := compileGitOps(t, src, []string{"kustomize", "argocd", "flux"}, "prod")
	assert.Contains(t, out.Tree, "argocd/applications/prod.yaml")
	assert.NotContains(t, out.Tree, "argocd/applications/dev.yaml", "dev is not compiled")
	assert.NotContains(t, out.Tree, "flux/dev.yaml")
	full := compileGitOps(t, src, []string{"kustomize", "argocd", "flux"})
	for _, shared := range []string{"argocd/project.yaml", "argocd/kustomization.yaml", "flux/source.yaml", "flux/kustomization.yaml"} {
		assert.Equal(t, string(full.Tree[shared]), string(out.Tree[shared]), "%s covers every environment", shared)
	}
}

func TestGitOpsUsageErrors(t *testing.T) {
	plain := []byte(strings.Replace(string(gitopsSpec("")), "  gitops:\n    repoURL: https://git.example.com/mq.git\n    path: out\n", "", 1))
	tests := []struct {
		name    string
		src     []byte
		targets []string
		vendor  bool
		want    string
	}{
		{"argocd without its section", plain, []string{"kustomize", "argocd"}, false, "the argocd target needs spec.gitops.argocd"},
		{"flux without its section", gitopsSpec("    argocd: {}"), []string{"kustomize", "flux"}, false, "the flux target needs spec.gitops.flux"},
		{"the source form is not compiled", gitopsSpec("    argocd: {}"), []string{"manifests", "argocd"}, false, "spec.gitops.source is kustomize"},
		{"helm without the vendored chart", gitopsSpec("    source: helm\n    flux: {}"), []string{"helm", "flux"}, false, "--vendor-chart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: tc.src, Targets: tc.targets, VendorChart: tc.vendor})
			var ue *compile.UsageError
			require.ErrorAs(t, err, &ue)
			assert.Contains(t, ue.Error(), tc.want)
			assert.NotEmpty(t, ue.Hint)
		})
	}
}

func TestFluxHelmReleases(t *testing.T) {
	out := compileGitOps(t, gitopsSpec("    source: helm\n    flux:\n      driftDetection:\n        ignore:\n          - paths: [/spec/replicas]\n            target: {kind: StatefulSet}"), []string{"helm", "flux"})
	rels := yamlDocs(t, out.Tree["flux/prod.yaml"])
	stages := out.Plans["prod"].Stages()
	require.Len(t, rels, len(stages), "one release per stage")
	prev := ""
	for i, r := range rels {
		assert.Equal(t, "HelmRelease", r["kind"])
		assert.Equal(t, map[string]any{"stage": stages[i]}, dig(t, r, "spec", "values"), "the release renders its stage only")
		assert.Equal(t, emit.HelmReleaseName("rmq", stages[i]), dig(t, r, "spec", "releaseName"))
		deps, _ := dig(t, r, "spec", "dependsOn").([]any)
		if prev == "" {
			assert.Empty(t, deps)
		} else {
			assert.Equal(t, []any{map[string]any{"name": prev}}, deps)
		}
		prev = dig(t, r, "metadata", "name").(string)
		chart := strings.TrimPrefix(dig(t, r, "spec", "chart", "spec", "chart").(string), "./out/")
		assert.Contains(t, out.Tree, chart+"/Chart.yaml")
		values := dig(t, r, "spec", "chart", "spec", "valuesFiles").([]any)
		assert.Contains(t, out.Tree, strings.TrimPrefix(values[0].(string), "./out/"))
		assert.Equal(t, "mq-prod", dig(t, r, "spec", "targetNamespace"))
		assert.Equal(t, "enabled", dig(t, r, "spec", "driftDetection", "mode"))
		assert.Equal(t, []any{map[string]any{"paths": []any{"/spec/replicas"}, "target": map[string]any{"kind": "StatefulSet"}}}, dig(t, r, "spec", "driftDetection", "ignore"))
		assert.Equal(t, map[string]any{"retries": float64(0), "remediateLastFailure": false}, dig(t, r, "spec", "upgrade", "remediation"), "a failed upgrade is never rolled back or uninstalled")
	}
}
