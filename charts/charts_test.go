package charts_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/charts"
	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/explain"
	"github.com/rocketops/rocketops/pkg/kube/kubetest"
	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/tree"
)

var update = flag.Bool("update", os.Getenv("ROCKETOPS_UPDATE_GOLDEN") == "1", "rewrite the generated chart files")

// upToDate compares a generated chart file with the committed one, rewriting it with -update.
func upToDate(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date (run make golden):\n%s", path, tree.UnifiedDiff(path, got, want))
	}
}

// TestValuesSchemaIsThePlan keeps values.schema.json generated from the plan's Go types.
func TestValuesSchemaIsThePlan(t *testing.T) {
	want, err := plan.Schema()
	require.NoError(t, err)
	upToDate(t, "rocketmq/values.schema.json", want)
}

// TestDefaultValuesAreTheQuickstart keeps values.yaml the compiled quickstart: a small working cluster.
func TestDefaultValuesAreTheQuickstart(t *testing.T) {
	src, err := os.ReadFile("../examples/quickstart/cluster.yaml")
	require.NoError(t, err)
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"helm"}})
	require.NoError(t, err)
	upToDate(t, "rocketmq/values.yaml", out.Tree["values-default.yaml"])
}

// TestReadmeValuesTable keeps the chart README's values table generated from the schema.
func TestReadmeValuesTable(t *testing.T) {
	schema, err := os.ReadFile("rocketmq/values.schema.json")
	require.NoError(t, err)
	var table bytes.Buffer
	require.NoError(t, explain.ValuesTable(&table, schema))
	intro, err := os.ReadFile("rocketmq/README.intro.md")
	require.NoError(t, err)
	want := append(append(intro, "\n## Values\n\nGenerated from values.schema.json.\n\n"...), table.Bytes()...)
	upToDate(t, "rocketmq/README.md", want)
	require.Contains(t, table.String(), "| `brokers.groups[].members[].address` | string |", "the table must reach nested list items")
}

// TestVendorChart checks --vendor-chart writes the embedded chart byte for byte.
func TestVendorChart(t *testing.T) {
	src, err := os.ReadFile("../examples/quickstart/cluster.yaml")
	require.NoError(t, err)
	out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"helm"}, VendorChart: true})
	require.NoError(t, err)
	n := 0
	err = fs.WalkDir(os.DirFS("."), charts.Name, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
			return err
		}
		disk, err := os.ReadFile(p)
		require.NoError(t, err)
		require.Equal(t, string(disk), string(out.Tree["charts/"+p]), "vendored %s differs from the chart", p)
		n++
		return nil
	})
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 8)
	_, err = compile.Compile(compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"kustomize"}, VendorChart: true})
	require.ErrorContains(t, err, "--vendor-chart needs the helm target")
}

func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(kubetest.Tool(t, "helm"), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestDefaultValuesLintAndRender: the chart with no values file is a working cluster to Helm.
func TestDefaultValuesLintAndRender(t *testing.T) {
	out, err := helm(t, "lint", "--strict", "--namespace", "rocketmq", "rocketmq")
	require.NoError(t, err, out)
	out, err = helm(t, "template", "rmq", "rocketmq", "--namespace", "rocketmq")
	require.NoError(t, err, out)
	require.Contains(t, out, "kind: StatefulSet")
}

// TestHelmRefusesBadValues: values the plan could not hold fail with the field named.
func TestHelmRefusesBadValues(t *testing.T) {
	cases := []struct {
		name, values, want string
	}{
		{"wrong type", "nameServer:\n  replicas: three\n", "replicas"},
		{"unknown field", "nameServer:\n  replicaz: 2\n", "replicaz"},
		{"bad enum", "console:\n  service:\n    type: Ingress\n", "type"},
		{"out of range", "brokers:\n  ports:\n    listen: 70000\n", "listen"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "values.yaml")
			require.NoError(t, os.WriteFile(f, []byte(c.values), 0o644))
			out, err := helm(t, "template", "rmq", "rocketmq", "--namespace", "rocketmq", "-f", f)
			require.Error(t, err, "helm accepted bad values:\n%s", out)
			require.Contains(t, out, "values don't meet the specifications of the schema")
			require.Contains(t, out, c.want)
		})
	}
	out, err := helm(t, "template", "rmq", "rocketmq", "--namespace", "elsewhere")
	require.Error(t, err)
	require.Contains(t, out, `compiled for namespace "rocketmq", but the release namespace is "elsewhere"`)
}

// TestTemplatesAreDeterministic: no template may call what makes two renders differ or reads the
// cluster, so that a render depends on the values alone.
func TestTemplatesAreDeterministic(t *testing.T) {
	banned := regexp.MustCompile(`\b(randAlphaNum|randAlpha|randNumeric|randAscii|randBytes|randInt|uuidv4|now|date|dateInZone|unixEpoch|lookup|genCA|genPrivateKey|genSelfSignedCert|genSignedCert|derivePassword)\b`)
	files, err := filepath.Glob("rocketmq/templates/*")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 4)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, action := range regexp.MustCompile(`(?s)\{\{.*?\}\}`).FindAllString(string(b), -1) {
			require.False(t, banned.MatchString(action), "%s: %s makes rendering depend on more than the values", f, action)
		}
	}
	// Two renders of the same values give the same bytes.
	a, err := helm(t, "template", "rmq", "rocketmq", "--namespace", "rocketmq")
	require.NoError(t, err, a)
	b, err := helm(t, "template", "rmq", "rocketmq", "--namespace", "rocketmq")
	require.NoError(t, err, b)
	require.Equal(t, a, b)
}
