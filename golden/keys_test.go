package golden_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/kube"
)

// TestConfigKeysExistInTheirVersion reads every configuration file of every golden case's rendered
// output and checks each key against the key table of the component and version that reads it, and each
// value against the key's type: RocketMQ ignores what it does not know without a word, so a key the
// compiler writes for the wrong version would silently do nothing.
func TestConfigKeysExistInTheirVersion(t *testing.T) {
	checked := map[string]int{}
	for _, name := range cases(t) {
		out := compileCase(t, name)
		for env, p := range out.Plans {
			data, err := os.ReadFile(filepath.Join(name, "output", "rendered", env, "manifest.yaml"))
			require.NoError(t, err)
			objs, err := kube.DecodeYAML(data)
			require.NoError(t, err)
			for _, o := range objs {
				if o.GetKind() != "ConfigMap" {
					continue
				}
				files, _, _ := unstructuredStrings(o.Object, "data")
				for file, text := range files {
					where := fmt.Sprintf("%s/%s %s %s", name, env, o.GetName(), file)
					comps, kind := readers(file, text)
					require.NotEmpty(t, comps, "%s: no component reads this file", where)
					keys := map[string]string{}
					if kind == "json" {
						var cfg map[string]any
						require.NoError(t, json.Unmarshal([]byte(text), &cfg), where)
						for k, v := range cfg {
							keys[k] = fmt.Sprint(v)
						}
					} else {
						keys = properties(t, where, text)
					}
					for k, v := range keys {
						key, ok := lookup(comps, p.Version, k)
						if assert.True(t, ok, "%s: RocketMQ %s has no key %s", where, p.Version, k) {
							assert.NoError(t, catalog.CheckValue(key, v), "%s: %s=%s", where, k, v)
						}
					}
					checked[comps[0].String()]++
				}
			}
		}
	}
	for _, c := range []catalog.Component{catalog.Broker, catalog.NameServer, catalog.Controller, catalog.Proxy} {
		assert.NotZero(t, checked[c.String()], "no golden case has a %s file: the check proved nothing for it", c)
	}
}

// readers names the components that read a generated file, by its name.
func readers(file, text string) ([]catalog.Component, string) {
	switch {
	case strings.HasPrefix(file, "broker-"):
		return []catalog.Component{catalog.Broker}, "properties"
	case strings.HasPrefix(file, "controller-"):
		// A standalone controller also fills NettyServerConfig and NettyClientConfig from its file.
		return []catalog.Component{catalog.Controller, catalog.NameServer}, "properties"
	case strings.HasPrefix(file, "namesrv"):
		if strings.Contains(text, "enableControllerInNamesrv=true") {
			return []catalog.Component{catalog.NameServer, catalog.Controller}, "properties"
		}
		return []catalog.Component{catalog.NameServer}, "properties"
	case file == "rmq-proxy.json":
		return []catalog.Component{catalog.Proxy}, "json"
	}
	return nil, ""
}

func lookup(comps []catalog.Component, version, k string) (catalog.Key, bool) {
	for _, c := range comps {
		if key, ok := catalog.Lookup(c, version, k); ok {
			return key, true
		}
	}
	return catalog.Key{}, false
}

func properties(t *testing.T, where, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "%s: line %q", where, line)
		_, dup := out[k]
		require.False(t, dup, "%s: %s written twice", where, k)
		out[k] = v
	}
	return out
}

func unstructuredStrings(obj map[string]any, field string) (map[string]string, bool, error) {
	raw, ok := obj[field].(map[string]any)
	if !ok {
		return nil, false, nil
	}
	out := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, false, fmt.Errorf("%s.%s is not a string", field, k)
		}
		out[k] = s
	}
	return out, true, nil
}
