package spec_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/spec"
)

// withEnv builds a document whose spec is base and whose only environment "e" is env, both given as
// YAML indented for their place.
func withEnv(base, env string) string {
	return "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\n  namespace: mq\n  labels: {team: a}\nspec:\n  version: \"5.3.3\"\n" +
		indentBlock(base, "  ") + "  environments:\n    e:\n" + indentBlock(env, "      ")
}

func indentBlock(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// valueOf reads YAML text into plain values, so expectations are written as YAML too.
func valueOf(t *testing.T, src string) any {
	t.Helper()
	v, err := spec.Value(node(t, src))
	require.NoError(t, err)
	return v
}

func TestEnvironmentMerge(t *testing.T) {
	tests := []struct {
		name string
		base string // under spec:, beside version
		env  string // under environments.e:
		// pointer and want: the merged value at pointer, as YAML; want "" means absent.
		pointer string
		want    string
	}{
		{
			name:    "mappings merge key by key",
			base:    "brokers:\n  slaves: 1\n  replication: ASYNC\n",
			env:     "spec:\n  brokers:\n    replication: SYNC\n",
			pointer: "/spec/brokers",
			want:    "{slaves: 1, replication: SYNC}",
		},
		{
			name:    "new keys are added after the base ones",
			base:    "brokers:\n  slaves: 1\n",
			env:     "spec:\n  brokers:\n    clusterName: X\n  console: {enabled: false}\n",
			pointer: "/spec",
			want:    "{version: \"5.3.3\", brokers: {slaves: 1, clusterName: X}, console: {enabled: false}}",
		},
		{
			name:    "deep mappings merge",
			base:    "brokers:\n  config: {deleteWhen: \"04\", fileReservedTime: 48}\n",
			env:     "spec:\n  brokers:\n    config: {fileReservedTime: 96, diskMaxUsedSpaceRatio: 80}\n",
			pointer: "/spec/brokers/config",
			want:    "{deleteWhen: \"04\", fileReservedTime: 96, diskMaxUsedSpaceRatio: 80}",
		},
		{
			name:    "named lists merge by name, base order then new items",
			base:    "brokers:\n  groups:\n    - {name: a, slaves: 1}\n    - {name: b, config: {x: 1}}\n",
			env:     "spec:\n  brokers:\n    groups:\n      - {name: c}\n      - {name: b, slaves: 2, config: {y: 2}}\n",
			pointer: "/spec/brokers/groups",
			want:    "[{name: a, slaves: 1}, {name: b, config: {x: 1, y: 2}, slaves: 2}, {name: c}]",
		},
		{
			name:    "an empty base list takes the named items",
			base:    "images:\n  pullSecrets: []\n",
			env:     "spec:\n  images:\n    pullSecrets: [{name: x}]\n",
			pointer: "/spec/images/pullSecrets",
			want:    "[{name: x}]",
		},
		{
			name:    "lists of strings replace",
			base:    "images:\n  pullSecrets: [a, b]\n",
			env:     "spec:\n  images:\n    pullSecrets: [c]\n",
			pointer: "/spec/images/pullSecrets",
			want:    "[c]",
		},
		{
			name:    "lists whose items lack a name replace",
			base:    "brokers:\n  placement:\n    tolerations: [{key: a, operator: Exists}]\n",
			env:     "spec:\n  brokers:\n    placement:\n      tolerations: [{key: b, operator: Exists}]\n",
			pointer: "/spec/brokers/placement/tolerations",
			want:    "[{key: b, operator: Exists}]",
		},
		{
			name:    "a count replaces a list of groups",
			base:    "brokers:\n  groups: [{name: a}]\n",
			env:     "spec:\n  brokers:\n    groups: 3\n",
			pointer: "/spec/brokers/groups",
			want:    "3",
		},
		{
			name:    "a list of groups replaces a count",
			base:    "brokers:\n  groups: 2\n",
			env:     "spec:\n  brokers:\n    groups: [{name: a}]\n",
			pointer: "/spec/brokers/groups",
			want:    "[{name: a}]",
		},
		{
			name:    "a scalar replaces a mapping",
			base:    "brokers:\n  config: {x: 1}\n",
			env:     "spec:\n  brokers:\n    config: none\n",
			pointer: "/spec/brokers/config",
			want:    "none",
		},
		{
			name:    "explicit null removes a key",
			base:    "brokers:\n  slaves: 1\n  replication: SYNC\n",
			env:     "spec:\n  brokers:\n    slaves: null\n",
			pointer: "/spec/brokers",
			want:    "{replication: SYNC}",
		},
		{
			name:    "tilde removes a whole mapping",
			base:    "brokers:\n  config: {x: 1}\n  slaves: 1\n",
			env:     "spec:\n  brokers:\n    config: ~\n",
			pointer: "/spec/brokers",
			want:    "{slaves: 1}",
		},
		{
			name:    "null removes a named list item's field",
			base:    "brokers:\n  groups: [{name: a, slaves: 2}]\n",
			env:     "spec:\n  brokers:\n    groups: [{name: a, slaves: null}]\n",
			pointer: "/spec/brokers/groups",
			want:    "[{name: a}]",
		},
		{
			name:    "metadata merges too",
			env:     "metadata:\n  namespace: prod\n  labels: {tier: gold}\n",
			pointer: "/metadata",
			want:    "{name: rmq, namespace: prod, labels: {team: a, tier: gold}}",
		},
		{
			name:    "aliases in the environment are resolved",
			base:    "nameServer: &ns\n  replicas: 1\n",
			env:     "spec:\n  brokers:\n    placement: &p {spreadMembers: none}\n  console:\n    placement: *p\n",
			pointer: "/spec/console/placement",
			want:    "{spreadMembers: none}",
		},
		{
			name:    "environments are not in the result",
			env:     "spec:\n  brokers: {slaves: 1}\n",
			pointer: "/spec/environments",
			want:    "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, withEnv(tc.base, tc.env))
			got := spec.Lookup(d.Environment("e"), tc.pointer)
			if tc.want == "" {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			v, err := spec.Value(got)
			require.NoError(t, err)
			assert.Equal(t, valueOf(t, tc.want), v)
		})
	}
}

func TestEnvironmentNullOfAbsentKey(t *testing.T) {
	// A null meant to remove a key the base never set stays in the merged document as a null, which
	// the schema then refuses ("must be an integer, got nothing") although removing nothing is a no-op.

	d := mustParse(t, withEnv("brokers:\n  replication: ASYNC\n", "spec:\n  brokers:\n    slaves: null\n"))
	v, err := spec.Value(spec.Lookup(d.Environment("e"), "/spec/brokers"))
	require.NoError(t, err)
	assert.Equal(t, valueOf(t, "{replication: ASYNC}"), v)
}

func TestEnvironmentKeepsPositions(t *testing.T) {
	src := withEnv("brokers:\n  slaves: 1\n  replication: ASYNC\n  groups: [{name: a, slaves: 3}]\n",
		"spec:\n  brokers:\n    replication: SYNC\n    groups:\n      - name: a\n        config: {x: 1}\n")
	d := mustParse(t, src)
	lineOf := func(text string) int {
		for i, l := range strings.Split(src, "\n") {
			if strings.Contains(l, text) {
				return i + 1
			}
		}
		t.Fatalf("%q not in the source", text)
		return 0
	}
	env := d.Environment("e")
	tests := []struct {
		name       string
		pointer    string
		key        bool
		line       int
		wantOrigin string
	}{
		{name: "a base value", pointer: "/spec/brokers/slaves", line: lineOf("slaves: 1"), wantOrigin: "/spec/brokers/slaves"},
		{name: "an overridden value", pointer: "/spec/brokers/replication", line: lineOf("replication: SYNC"), wantOrigin: "/spec/environments/e/spec/brokers/replication"},
		{name: "the key of a base value", pointer: "/spec/brokers/slaves", key: true, line: lineOf("slaves: 1"), wantOrigin: "/spec/brokers/slaves"},
		{name: "the key of an added value", pointer: "/spec/brokers/groups/0/config", key: true, line: lineOf("config: {x: 1}"), wantOrigin: "/spec/environments/e/spec/brokers/groups/0/config"},
		{name: "a base field of a merged list item", pointer: "/spec/brokers/groups/0/slaves", line: lineOf("slaves: 3"), wantOrigin: "/spec/brokers/groups/0/slaves"},
		{name: "an environment field of a merged list item", pointer: "/spec/brokers/groups/0/config/x", line: lineOf("config: {x: 1}"), wantOrigin: "/spec/environments/e/spec/brokers/groups/0/config/x"},
		{name: "the version, untouched", pointer: "/spec/version", line: 8, wantOrigin: "/spec/version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, _, origin := d.Position(env, tc.pointer, tc.key)
			assert.Equal(t, tc.line, line)
			assert.Equal(t, tc.wantOrigin, origin)
		})
	}
}

func TestEnvironmentKeyOfOverriddenValue(t *testing.T) {
	// Findings about a key (key=true) in an environment that overrides it should point where the
	// effective entry was written; the merge keeps the base's key node beside the environment's value.

	src := withEnv("brokers:\n  slaves: 1\n  replication: ASYNC\n", "spec:\n  brokers:\n    replication: SYNC\n")
	d := mustParse(t, src)
	line, _, origin := d.Position(d.Environment("e"), "/spec/brokers/replication", true)
	assert.Equal(t, 16, line)
	assert.Equal(t, "/spec/environments/e/spec/brokers/replication", origin)
}

func TestEnvironmentLeavesTheDocumentAlone(t *testing.T) {
	src := withEnv("brokers:\n  slaves: 1\n  groups: [{name: a}]\n",
		"metadata: {namespace: p}\nspec:\n  brokers:\n    slaves: null\n    groups: [{name: a, slaves: 2}, {name: b}]\n")
	d := mustParse(t, src)
	before, err := spec.Value(d.Root)
	require.NoError(t, err)
	_ = d.Environment("e")
	_ = d.Base()
	after, err := spec.Value(d.Root)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	// And twice the same environment gives the same result.
	a, err := spec.Value(d.Environment("e"))
	require.NoError(t, err)
	b, err := spec.Value(d.Environment("e"))
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestEnvironmentUnknownIsBase(t *testing.T) {
	d := mustParse(t, withEnv("brokers: {slaves: 1}\n", "spec:\n  brokers: {slaves: 2}\n"))
	got, err := spec.Value(d.Environment("nope"))
	require.NoError(t, err)
	base, err := spec.Value(d.Base())
	require.NoError(t, err)
	assert.Equal(t, base, got)
}

func TestBase(t *testing.T) {
	d := mustParse(t, withEnv("brokers: {slaves: 1}\n", "spec:\n  brokers: {slaves: 2}\n"))
	got, err := spec.Value(d.Base())
	require.NoError(t, err)
	assert.Equal(t, valueOf(t, `{apiVersion: rocketops.dev/v1alpha1, kind: RocketMQCluster,
metadata: {name: rmq, namespace: mq, labels: {team: a}}, spec: {version: "5.3.3", brokers: {slaves: 1}}}`), got)
	assert.NotNil(t, spec.Lookup(d.Root, "/spec/environments/e"), "Base must not cut environments out of the document")
}

func TestEnvironmentNames(t *testing.T) {
	tests := []struct {
		name string
		envs string // the value of spec.environments, "" for none
		want []string
	}{
		{name: "none", want: []string{spec.DefaultEnvironment}},
		{name: "empty mapping", envs: "{}", want: []string{"default"}},
		{name: "null", envs: "~", want: []string{"default"}},
		{name: "sorted", envs: "{prod: {}, dev: {}, staging: {}}", want: []string{"dev", "prod", "staging"}},
		{name: "one named default", envs: "{default: {}}", want: []string{"default"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "metadata: {name: a}\nspec:\n  version: \"5.3.3\"\n"
			if tc.envs != "" {
				src += "  environments: " + tc.envs + "\n"
			}
			assert.Equal(t, tc.want, mustParse(t, src).EnvironmentNames())
		})
	}
}
