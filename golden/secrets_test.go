package golden_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/kube"
	"github.com/rocketops/rocketops/pkg/validate"
	"github.com/rocketops/rocketops/schemas"
)

// sentinel is a credential as a user might paste it into a spec.
const sentinel = "password=Sentinel-7f3a9c"

// TestNoSecretReachesTheOutput puts a credential into every string field of the schema, one at a time,
// and into every key of the configuration maps: each spec is either refused by the validator with a
// finding at that field, or compiles to output, in every target, that does not contain the credential.
func TestNoSecretReachesTheOutput(t *testing.T) {
	var root map[string]any
	require.NoError(t, json.Unmarshal(schemas.Cluster, &root))
	defs, _ := root["$defs"].(map[string]any)
	var fields []schemaField
	walkSchema(root, defs, nil, &fields, 0)
	sort.Slice(fields, func(i, j int) bool { return strings.Join(fields[i].path, "/") < strings.Join(fields[j].path, "/") })
	tried, refused := 0, 0
	for _, f := range fields {
		value, ok := stringValue(f.node)
		if !ok {
			continue
		}
		tried++
		data, err := withValue(t, f.path, value)
		require.NoError(t, err)
		name := strings.Join(f.path, ".")
		if _, diags := validate.Validate("cluster.yaml", data); len(diags.Errors()) > 0 {
			refused++
			at := "/" + strings.Join(f.path, "/")
			found := false
			for _, d := range diags.Errors() {
				found = found || strings.HasPrefix(d.Pointer, at)
			}
			assert.True(t, found, "%s: refused, but not where the credential is: %s", name, diags)
			continue
		}
		out, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: data, Targets: []string{"kustomize", "manifests", "helm"}})
		require.NoError(t, err, name)
		for file, b := range out.Tree {
			assert.NotContains(t, string(b), "Sentinel-7f3a9c", "%s: the credential reached %s", name, file)
		}
	}
	require.Greater(t, tried, 100, "the schema has string fields to try")
	t.Logf("%d string fields given a credential: %d refused, the rest compiled without it", tried, refused)
	for _, comp := range []string{"brokers", "nameServer", "proxy", "controller"} {
		for _, key := range []string{"initAuthenticationUser", "innerClientAuthenticationCredentials", "someSecretKey", "brokerClusterName"} {
			src := strings.Replace(hostileBase, "spec:\n", "spec:\n  "+comp+":\n    config:\n      "+key+": \""+sentinel+"\"\n", 1)
			_, err := compile.Compile(compile.Options{File: "cluster.yaml", Source: []byte(src), Targets: []string{"manifests"}})
			assert.Error(t, err, "%s.config.%s holding a credential must be refused", comp, key)
		}
	}
}

// stringValue is a credential the field's type takes, where it takes a free string.
func stringValue(node map[string]any) (string, bool) {
	if node["enum"] != nil || node["const"] != nil {
		return "", false
	}
	switch t := node["type"].(type) {
	case string:
		return sentinel, t == "string"
	case []any:
		for _, x := range t {
			if x == "string" {
				return sentinel, true
			}
		}
	}
	return "", false
}

// TestCredentialsComeFromSecrets checks every golden output: no Secret is generated, every environment
// variable that carries a credential takes it from a Secret key, and no configuration file holds a
// credential key.
func TestCredentialsComeFromSecrets(t *testing.T) {
	credentialKeys := []string{"initAuthenticationUser", "innerClientAuthenticationCredentials", "secretKey", "accessKey", "password"}
	refs := 0
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env := range out.Plans {
			data, err := os.ReadFile(filepath.Join(name, "output", "rendered", env, "manifest.yaml"))
			require.NoError(t, err)
			objs, err := kube.DecodeYAML(data)
			require.NoError(t, err)
			for _, o := range objs {
				where := name + "/" + env + " " + o.GetKind() + " " + o.GetName()
				assert.NotEqual(t, "Secret", o.GetKind(), "%s: rocketops generates no Secret", where)
				if o.GetKind() == "ConfigMap" {
					files, _, _ := unstructuredStrings(o.Object, "data")
					for file, text := range files {
						for _, line := range strings.Split(text, "\n") {
							for _, k := range credentialKeys {
								assert.False(t, strings.HasPrefix(strings.TrimSpace(line), k+"=") || strings.Contains(line, `"`+k+`"`),
									"%s %s: %q holds a credential key", where, file, line)
							}
						}
					}
				}
				tmpl, ok, _ := nestedMap(o.Object, "spec", "template", "spec")
				if !ok {
					continue
				}
				containers, _ := tmpl["containers"].([]any)
				for _, c := range containers {
					envs, _ := c.(map[string]any)["env"].([]any)
					for _, e := range envs {
						ev := e.(map[string]any)
						n := strings.ToUpper(ev["name"].(string))
						if strings.Contains(n, "SECRET") || strings.Contains(n, "ACCESSKEY") || strings.Contains(n, "PASSWORD") {
							_, literal := ev["value"]
							assert.False(t, literal, "%s: %s has a literal value", where, n)
							ref, _, _ := nestedMap(ev, "valueFrom", "secretKeyRef")
							if assert.NotNil(t, ref, "%s: %s must come from a Secret key", where, n) {
								refs++
							}
						}
					}
				}
			}
		}
	}
	assert.NotZero(t, refs, "no golden case has a credential taken from a Secret: the check proved nothing")
}

func nestedMap(obj map[string]any, fields ...string) (map[string]any, bool, error) {
	cur := obj
	for _, f := range fields {
		next, ok := cur[f].(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = next
	}
	return cur, true, nil
}
