package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/validate"
)

// TestYAMLMistakes: the mistakes people make writing YAML by hand, each named for what it is, at the
// line it is on, with how to fix it.
func TestYAMLMistakes(t *testing.T) {
	const head = "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\n"
	tests := []struct {
		name string
		src  string
		want string // the whole first finding
	}{
		{"a tab in the indentation", head + "spec:\n\tversion: \"5.3.3\"\n",
			"cluster.yaml:6:1: invalid YAML: a tab indents this line\n\thint: YAML indents with spaces only: replace the tab with spaces"},
		{"no space after the colon", head + "spec:\n  version: \"5.3.3\"\n  nameServer:\n    replicas:2\n",
			"cluster.yaml:8:5: /spec/nameServer: must be a mapping, got the string \"replicas:2\"\n\thint: put a space after the colon: \"replicas: 2\""},
		{"a line indented too deep", head + "spec:\n  version: \"5.3.3\"\n  nameServer:\n      replicas: 2\n    resources: {}\n",
			"cluster.yaml:8:7: invalid YAML: this line is indented 6 spaces, deeper than the 4 of the lines around it\n\thint: indent it like line 9"},
		{"a version YAML reads as a number", head + "spec:\n  version: 5.0\n",
			"cluster.yaml:6:12: /spec/version: must be a string, got the number 5.0\n\thint: quote it: \"5.0\"; YAML reads 5.0 as a number"},
		{"the nearest version, not the nearest string", head + "spec:\n  version: \"5.3.4\"\n",
			"cluster.yaml:6:12: /spec/version: must be one of 4.9.0, 4.9.1, 4.9.2, 4.9.3, 4.9.4, 4.9.5, 4.9.6, 4.9.7, 4.9.8, 5.0.0, 5.1.0, 5.1.1, 5.1.2, 5.1.3, 5.1.4, 5.2.0, 5.3.0, 5.3.1, 5.3.2, 5.3.3, got \"5.3.4\"\n\thint: did you mean \"5.3.3\"?"},
		{"a tag", head + "spec:\n  version: \"5.3.3\"\n  clusterDomain: !include x.yaml\n",
			"cluster.yaml:7:18: /spec/clusterDomain: the YAML tag \"!include\" is not supported\n\thint: a spec is plain YAML: write the value itself (rocketops includes no other files)"},
		{"a count written as a fraction", head + "spec:\n  version: \"5.3.3\"\n  nameServer:\n    replicas: 3.0\n",
			"cluster.yaml:8:15: /spec/nameServer/replicas: must be a whole number written without a decimal point or exponent, got 3.0\n\thint: write it as digits only, e.g. 3"},
		{"a group listed twice in an environment", head + "spec:\n  version: \"5.3.3\"\n  environments:\n    prod:\n      spec:\n        brokers:\n          groups: [{name: c}, {name: c}]\n",
			"cluster.yaml:11:38: /spec/environments/prod/spec/brokers/groups/1/name: group \"c\" is listed twice in environment prod (first as item 0)\n\thint: a group's name is its brokerName; list each group once"},
		{"a YAML version rocketops does not read", "\n%YAML 1.3\n---\n" + head,
			"cluster.yaml:2:1: invalid YAML: found incompatible YAML document\n\thint: rocketops reads YAML 1.1 and 1.2: remove the %YAML line or write %YAML 1.2"},
		{"a key with a line break and an escape sequence", head + "spec:\n  version: \"5.3.3\"\n  \"bad\\nkey\\e[31m\": 1\n",
			"cluster.yaml:7:3: /spec/bad\\nkey\\x1b[31m: unknown field \"bad\\nkey\\x1b[31m\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := validate.Validate("cluster.yaml", []byte(tc.src))
			require.NotEmpty(t, diags)
			got := diags.Sort()[0].String()
			if !strings.Contains(tc.want, "\n\thint") {
				got, _, _ = strings.Cut(got, "\n")
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestYAMLThatIsFine(t *testing.T) {
	const head = "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\n"
	for name, src := range map[string]string{
		"a YAML 1.2 directive":           "%YAML 1.2\n---\n" + head + "spec:\n  version: \"5.3.3\"\n",
		"a trailing separator, comments": head + "spec:\n  version: \"5.3.3\"\n---\n# the end\n",
		"core tags":                      head + "spec:\n  version: !!str 5.3.3\n",
	} {
		t.Run(name, func(t *testing.T) {
			res, diags := validate.Validate("cluster.yaml", []byte(src))
			require.Empty(t, diags, "%s", diags)
			require.NotNil(t, res)
		})
	}
	t.Run("groups: null in an environment removes the list, so the default applies", func(t *testing.T) {
		src := head + "spec:\n  version: \"5.3.3\"\n  brokers:\n    groups: [{name: a}, {name: b}]\n  environments:\n    prod:\n      spec:\n        brokers:\n          groups: null\n"
		res, diags := validate.Validate("cluster.yaml", []byte(src))
		require.Empty(t, diags, "%s", diags)
		groups := res.Environments["prod"].Spec.Brokers.GroupList()
		require.Len(t, groups, 1)
		assert.Equal(t, "broker-0", groups[0].Name, "the default of spec.brokers.groups: one group")
	})
}
