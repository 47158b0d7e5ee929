package golden_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/tree"
)

// canonical turns a YAML stream into one canonical YAML document per object, in stream order, so
// that outputs that differ only in formatting (string styles, key order) compare equal and any
// difference in content, or in object order, does not.
func canonical(t *testing.T, stream []byte) string {
	t.Helper()
	var b strings.Builder
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		var v map[string]any
		require.NoError(t, yaml.Unmarshal(doc, &v))
		if v == nil {
			continue
		}
		y, err := render.ToYAML(v)
		require.NoError(t, err)
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.String()
}

// direct is the render of one environment, straight from the blueprints.
func direct(t *testing.T, out *compile.Output, env string) string {
	t.Helper()
	var b bytes.Buffer
	for _, o := range out.Objects[env] {
		y, err := o.YAML()
		require.NoError(t, err)
		b.WriteString("---\n")
		b.Write(y)
	}
	return canonical(t, b.Bytes())
}

func same(t *testing.T, what, want, got string) {
	t.Helper()
	if want != got {
		t.Fatalf("%s differs from the direct render:\n%s", what, tree.UnifiedDiff("objects", []byte(want), []byte(got)))
	}
}

// TestKustomizeLibrary builds every overlay with the kustomize library in memory and checks it
// yields exactly the objects of the direct render, in the same order.
func TestKustomizeLibrary(t *testing.T) {
	for _, name := range cases(t) {
		out := compileCase(t, name)
		fs := filesys.MakeFsInMemory()
		for p, b := range out.Tree {
			require.NoError(t, fs.MkdirAll(filepath.Dir("/out/"+p)))
			require.NoError(t, fs.WriteFile("/out/"+p, b))
		}
		for env := range out.Plans {
			t.Run(name+"/"+env, func(t *testing.T) {
				k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
				rm, err := k.Run(fs, "/out/overlays/"+env)
				require.NoError(t, err)
				y, err := rm.AsYaml()
				require.NoError(t, err)
				same(t, "kustomize (library) build overlays/"+env, direct(t, out, env), canonical(t, y))
			})
		}
	}
}

// kustomizeBuild runs the real, pinned kustomize binary's build of dir and returns what it prints.
func kustomizeBuild(t *testing.T, dir string) []byte {
	t.Helper()
	cmd := exec.Command(kubetest.Tool(t, "kustomize"), "build", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	y, err := cmd.Output()
	require.NoError(t, err, "kustomize build %s: %s", dir, stderr.String())
	return y
}

// TestKustomizeCLI does the same with the real, pinned kustomize binary on the golden output.
func TestKustomizeCLI(t *testing.T) {
	kubetest.Tool(t, "kustomize") // stop before compiling anything when it is not built
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env := range out.Plans {
			t.Run(name+"/"+env, func(t *testing.T) {
				y := kustomizeBuild(t, filepath.Join(name, "output", "overlays", env))
				same(t, "kustomize build overlays/"+env, direct(t, out, env), canonical(t, y))
			})
		}
	}
}

// TestManifestsMatchDirectRender checks the rendered-manifests target is the direct render.
func TestManifestsMatchDirectRender(t *testing.T) {
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env := range out.Plans {
			y := out.Tree["rendered/"+env+"/manifest.yaml"]
			require.NotEmpty(t, y, "%s: no rendered manifest for %s", name, env)
			same(t, "rendered/"+env+"/manifest.yaml", direct(t, out, env), canonical(t, y))
		}
	}
}
