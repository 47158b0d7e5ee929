package golden_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"

	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// installGitOpsCRDs installs Argo CD's Application, ApplicationSet and AppProject CRDs and Flux's
// Kustomization, HelmRelease, GitRepository and OCIRepository CRDs, pinned in scripts/tools.sh and read from
// the upstream Go modules, once per API server, and waits until the server serves them.
func installGitOpsCRDs(t *testing.T, cfg *rest.Config) {
	t.Helper()
	installCRDs(t, cfg, "argocd-crds")
	installCRDs(t, cfg, "flux-crds")
}

// fluxBuild runs the pinned flux CLI's offline build of the Flux Kustomization name, read from
// kustomizationFile, over the kustomize folder path, and returns the objects it prints. flux rewrites
// path/kustomization.yaml while it builds (and puts it back), so path should be a copy. HOME and KUBECONFIG
// point into a private folder: the build reads no user configuration and reaches no cluster.
func fluxBuild(t *testing.T, kustomizationFile, name, path string) []byte {
	t.Helper()
	bin := kubetest.Tool(t, "flux")
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"build", "kustomization", name, "--path", path, "--kustomization-file", kustomizationFile, "--dry-run"}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = home
	cmd.Env = []string{"HOME=" + home, "KUBECONFIG=" + filepath.Join(home, "kubeconfig"), "TMPDIR=" + home}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "flux %s: %s", strings.Join(args, " "), stderr.String())
	return out
}

// gitOpsObjects are one valid object of each GitOps kind the CRDs define, as a user would write them.
const gitOpsObjects = `
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: rocketmq
spec:
  sourceRepos: [https://git.example.com/rocketmq.git]
  destinations:
  - server: https://kubernetes.default.svc
    namespace: rocketmq-*
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: rocketmq-prod
spec:
  project: rocketmq
  source:
    repoURL: https://git.example.com/rocketmq.git
    targetRevision: main
    path: overlays/prod
  destination:
    server: https://kubernetes.default.svc
    namespace: rocketmq-prod
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [ServerSideApply=true]
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: rocketmq
spec:
  generators:
  - list:
      elements:
      - env: dev
      - env: prod
  template:
    metadata:
      name: 'rocketmq-{{env}}'
    spec:
      project: rocketmq
      source:
        repoURL: https://git.example.com/rocketmq.git
        targetRevision: main
        path: 'overlays/{{env}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: 'rocketmq-{{env}}'
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: rocketmq
spec:
  interval: 5m
  url: https://git.example.com/rocketmq.git
  ref: {branch: main}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: rocketmq-chart
spec:
  interval: 10m
  url: oci://registry.example.com/charts/rocketmq
  ref: {tag: 1.0.0}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: rocketmq
spec:
  interval: 10m
  path: ./overlays/prod
  prune: true
  sourceRef: {kind: GitRepository, name: rocketmq}
  targetNamespace: rocketmq-prod
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: rocketmq
spec:
  interval: 10m
  chartRef: {kind: OCIRepository, name: rocketmq-chart}
  values:
    brokers: {replicas: 2}
`

// TestGitOpsToolsWork checks the pinned GitOps tools do their part: the CRDs install and judge objects on a
// real API server, and the flux CLI builds a generated overlay offline into the objects kustomize gives.
func TestGitOpsToolsWork(t *testing.T) {
	t.Run("crds", func(t *testing.T) {
		srv := kubetest.Shared(t)
		installGitOpsCRDs(t, srv.Config)
		client, err := kube.NewClient(srv.Config)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		const ns = "gitops-tools"
		require.NoError(t, client.EnsureNamespace(ctx, ns))

		objs, err := kube.DecodeYAML([]byte(gitOpsObjects))
		require.NoError(t, err)
		require.Len(t, objs, 7)
		for _, o := range objs {
			o.SetNamespace(ns)
		}
		for _, e := range client.DryRunApply(ctx, objs) {
			t.Error(e)
		}

		for _, tc := range []struct {
			name, field, object string
		}{
			{"kustomization without a source", "spec.sourceRef", `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: no-source}
spec: {interval: 10m, prune: true}
`},
			{"kustomization with a malformed interval", "spec.interval", `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: soon}
spec:
  interval: soon
  prune: true
  sourceRef: {kind: GitRepository, name: rocketmq}
`},
			{"application without a destination", "spec.destination", `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: nowhere}
spec:
  project: rocketmq
  source: {repoURL: https://git.example.com/rocketmq.git, path: overlays/prod}
`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				bad, err := kube.DecodeYAML([]byte(tc.object))
				require.NoError(t, err)
				bad[0].SetNamespace(ns)
				errs := client.DryRunApply(ctx, bad)
				require.Len(t, errs, 1, "the API server accepted the object")
				assert.True(t, apierrors.IsInvalid(errs[0]), "want an Invalid error, got %v", errs[0])
				assert.ErrorContains(t, errs[0], tc.field)
			})
		}
	})

	t.Run("flux build", func(t *testing.T) {
		const overlay = "quickstart/output/overlays/default"
		// flux writes into the folder it builds; the golden output stays untouched.
		work := filepath.Join(t.TempDir(), "output")
		require.NoError(t, os.CopyFS(work, os.DirFS(filepath.Dir(filepath.Dir(overlay)))))
		ks := filepath.Join(t.TempDir(), "kustomization.yaml")
		require.NoError(t, os.WriteFile(ks, []byte(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: rocketmq
  namespace: flux-system
spec:
  interval: 10m
  path: ./overlays/default
  prune: true
  sourceRef: {kind: GitRepository, name: rocketmq}
`), 0o644))

		built := fluxBuild(t, ks, "rocketmq", filepath.Join(work, "overlays", "default"))
		got := kindNames(t, built)
		want := kindNames(t, kustomizeBuild(t, overlay))
		require.NotEmpty(t, want)
		assert.Equal(t, want, got, "flux build and kustomize build of %s give different objects", overlay)
	})
}

// kindNames lists the objects of a YAML stream as sorted kind/name pairs.
func kindNames(t *testing.T, stream []byte) []string {
	t.Helper()
	objs, err := kube.DecodeYAML(stream)
	require.NoError(t, err)
	var ids []string
	for _, o := range objs {
		ids = append(ids, o.GetKind()+"/"+o.GetName())
	}
	slices.Sort(ids)
	return ids
}
