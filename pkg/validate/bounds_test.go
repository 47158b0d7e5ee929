package validate_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile/specgen"
	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/validate"
)

const boundsHeader = "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\nspec:\n  version: \"5.3.3\"\n"

// namedGroups writes a flow list of n named groups.
func namedGroups(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf("{name: g%d}", i)
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// emptyEnvironments writes n environments that change nothing.
func emptyEnvironments(n int) string {
	var b strings.Builder
	b.WriteString("  environments:\n")
	for i := range n {
		fmt.Fprintf(&b, "    e%02d: {}\n", i)
	}
	return b.String()
}

// validateBounded validates src and measures what it allocated; a run past 10 s fails the test (a
// safety net against a runaway path, not a timing).
func validateBounded(t *testing.T, src string) (*validate.Result, diag.List, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		res   *validate.Result
		diags diag.List
		alloc uint64
	}
	done := make(chan result, 1)
	go func() {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, diags := validate.Validate("cluster.yaml", []byte(src))
		runtime.ReadMemStats(&after)
		done <- result{res, diags, after.TotalAlloc - before.TotalAlloc}
	}()
	select {
	case r := <-done:
		return r.res, r.diags, r.alloc
	case <-ctx.Done():
		t.Fatalf("validate did not end within 10 s")
		return nil, nil, 0
	}
}

const groupsHint = "\thint: rocketops compiles at most 256 broker groups per spec; split larger deployments into several specs"

// TestBoundsReadAlike: a bound is worded the same way whether a number or a list breaks it, with
// the same hint, in the base and in an environment.
func TestBoundsReadAlike(t *testing.T) {
	tests := []struct {
		name string
		body string // under spec:, beside the version
		want []string
	}{
		{
			name: "a count of groups",
			body: "  brokers:\n    groups: 300\n",
			want: []string{"cluster.yaml:8:13: /spec/brokers/groups: must be <= 256 but found 300\n" + groupsHint},
		},
		{
			name: "a list of groups",
			body: "  brokers:\n    groups: " + namedGroups(300) + "\n",
			want: []string{"cluster.yaml:8:13: /spec/brokers/groups: must have <= 256 items but found 300\n" + groupsHint},
		},
		{
			name: "a list of groups in an environment",
			body: "  environments:\n    prod:\n      spec:\n        brokers:\n          groups: " + namedGroups(257) + "\n",
			want: []string{"cluster.yaml:11:19: /spec/environments/prod/spec/brokers/groups: must have <= 256 items but found 257\n" + groupsHint},
		},
		{
			name: "an environment adding groups to the base's",
			body: "  brokers:\n    groups: " + namedGroups(250) + "\n  environments:\n    prod:\n      spec:\n        brokers:\n          groups: [{name: x0}, {name: x1}, {name: x2}, {name: x3}, {name: x4}, {name: x5}, {name: x6}]\n",
			want: []string{"cluster.yaml:8:13: /spec/brokers/groups: must have <= 256 items but found 257 (environment prod)\n" + groupsHint},
		},
		{
			name: "no groups",
			body: "  brokers:\n    groups: []\n",
			want: []string{"cluster.yaml:8:13: /spec/brokers/groups: must have >= 1 items but found 0"},
		},
		{
			name: "environments",
			body: emptyEnvironments(33),
			want: []string{"cluster.yaml:8:5: /spec/environments: must have <= 32 entries but found 33\n\thint: every environment compiles the whole cluster again; a spec holds at most 32"},
		},
		{
			name: "jvm options",
			body: "  brokers:\n    jvm:\n      options: [" + strings.TrimSuffix(strings.Repeat("-Dx=1, ", 65), ", ") + "]\n",
			want: []string{"cluster.yaml:9:16: /spec/brokers/jvm/options: must have <= 64 items but found 65"},
		},
		{
			name: "a long property value",
			body: "  brokers:\n    config:\n      brokerClusterName2: " + strings.Repeat("x", 4097) + "\n",
			want: []string{"cluster.yaml:9:27: /spec/brokers/config/brokerClusterName2: must be <= 4096 characters but found 4097"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags, _ := validateBounded(t, boundsHeader+tc.body)
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestCompileBudget: the largest topology compiles; more environments of it, or settings every
// group copies, are refused before the compiler would spend gigabytes on them.
func TestCompileBudget(t *testing.T) {
	affinity := func(values int) string {
		v := make([]string, values)
		for i := range v {
			v[i] = fmt.Sprintf("v%d", i)
		}
		return "    placement:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n" +
			"              - matchExpressions: [{key: zone, operator: In, values: [" + strings.Join(v, ", ") + "]}]\n"
	}
	tests := []struct {
		name string
		src  string
		want string // "" for a valid spec
	}{
		{name: "the largest topology in 4 environments", src: string(specgen.Generate(256-specgen.ExtraGroups(228), 8, 4, "5.3.3"))},
		{name: "the largest topology alone", src: boundsHeader + "  brokers:\n    groups: 256\n    slaves: 8\n"},
		{name: "small clusters in many environments", src: boundsHeader + "  brokers:\n    groups: 4\n    slaves: 2\n" + emptyEnvironments(32)},
		{
			name: "the largest topology in 10 environments",
			src:  boundsHeader + "  brokers:\n    groups: 256\n    slaves: 8\n" + emptyEnvironments(10),
			want: "cluster.yaml:7:3: /spec/brokers: the spec would compile to about 2,142,525 values of manifests, more than the 2,000,000 rocketops compiles: 11 environments (the base included) of up to 256 broker groups, each group with its own copy of the shared settings\n" +
				"\thint: use fewer broker groups, slaves or environments",
		},
		{
			name: "an affinity every group copies",
			src:  boundsHeader + "  brokers:\n    groups: 256\n" + affinity(2000) + emptyEnvironments(2),
			want: "cluster.yaml:7:3: /spec/brokers: the spec would compile to about 3,692,334 values of manifests, more than the 2,000,000 rocketops compiles: 3 environments (the base included) of up to 256 broker groups, each group with its own copy of the shared settings\n" +
				"\thint: spec.brokers.placement adds the most (1,034,240 values in one environment): make it smaller, or use fewer broker groups, slaves or environments",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, diags, _ := validateBounded(t, tc.src)
			if tc.want == "" {
				require.Empty(t, diags)
				require.NotNil(t, res)
				return
			}
			require.Len(t, diags, 1, "%s", diags)
			assert.Equal(t, tc.want, diags[0].String())
		})
	}
}

// TestHostileSpecs: specs built to exhaust the validator end with a finding at a position, having
// allocated a bounded amount. Before the limits, seven levels of ten aliases under
// spec.brokers.placement.affinity took over 10 GB and a self-alias killed the process.
func TestHostileSpecs(t *testing.T) {
	laughs := func(levels int, use string) string {
		var b strings.Builder
		b.WriteString(`a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]` + "\n")
		for i := 1; i <= levels; i++ {
			fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), 10), ","))
		}
		return b.String() + boundsHeader + strings.ReplaceAll(use, "LAST", fmt.Sprintf("*a%d", levels))
	}
	keys := func(n int, indent string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%sk%d: 1\n", indent, i)
		}
		return b.String()
	}
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"laughs under affinity", laughs(7, "  brokers:\n    placement:\n      affinity: {x: LAST}\n"), "aliases expand the document"},
		{"laughs under config", laughs(7, "  brokers:\n    config: {x: LAST}\n"), "aliases expand the document"},
		{"laughs in an environment", laughs(7, "  environments:\n    prod: {spec: {brokers: {placement: {affinity: {x: LAST}}}}}\n"), "aliases expand the document"},
		{"laughs in a key", laughs(7, "  ? LAST\n  : 1\n"), "aliases expand the document"},
		{"self alias", boundsHeader + "  brokers:\n    placement:\n      affinity: &a [*a]\n", "alias *a is used inside the value it names"},
		{"10k levels of lists", boundsHeader + "  x: " + strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000) + "\n", "nests deeper than 32 levels"},
		{"10k levels of mappings", boundsHeader + "  x: " + strings.Repeat("{a: ", 10_000) + "1" + strings.Repeat("}", 10_000) + "\n", "nests deeper than 32 levels"},
		{"1M keys", boundsHeader + "  brokers:\n    config:\n" + keys(1_000_000, "      "), "the file is"},
		{"30k keys", boundsHeader + "  brokers:\n" + keys(30_000, "    "), "the mapping has 30,000 keys"},
		{"huge scalar", boundsHeader + "  clusterDomain: " + strings.Repeat("a", 4<<20) + "\n", "the file is"},
		{"large scalar", boundsHeader + "  clusterDomain: " + strings.Repeat("a", 100<<10) + "\n", "a value of 100 KiB"},
		{"10k groups", boundsHeader + "  brokers:\n    groups: " + namedGroups(10_000) + "\n", "the document holds more than 20,000 values"},
		{"5k groups", boundsHeader + "  brokers:\n    groups: " + namedGroups(5_000) + "\n", "must have <= 256 items but found 5000"},
		{"a number without an exact value", boundsHeader + "  nameServer:\n    replicas: 1e-99999999\n", "is out of the range of numbers"},
		{"20k unknown keys in 32 environments", boundsHeader + "  brokers:\n    config:\n" + keys(900, "      ") + "  nameServer:\n    config:\n" + keys(900, "      ") + emptyEnvironments(32), "32 of 32 environments were not checked"},
		{"an affinity as large as the limits allow in 32 environments", boundsHeader + "  brokers:\n    placement:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n              - matchExpressions: [{key: zone, operator: In, values: [" + strings.TrimSuffix(strings.Repeat("v, ", 19_800), ", ") + "]}]\n" + emptyEnvironments(31), "the spec would compile to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, diags, alloc := validateBounded(t, tc.src)
			assert.Nil(t, res)
			require.NotEmpty(t, diags)
			assert.True(t, strings.Contains(diags.Error(), tc.want), "no %q in the %d findings, the first: %s", tc.want, len(diags), diags[0])
			for _, d := range diags {
				assert.Positive(t, d.Line, "a position for %s", d)
			}
			// Measured at most about 100 MB (the affinity checked in 32 environments); the bombs
			// allocated tens of gigabytes before the limits.
			t.Logf("allocated %d MiB", alloc>>20)
			assert.Less(t, alloc, uint64(256<<20), "allocated %d MiB", alloc>>20)
		})
	}
}
