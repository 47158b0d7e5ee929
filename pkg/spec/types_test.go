package spec_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/spec"
)

func TestPropertiesUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    spec.Properties
		wantErr string
	}{
		{name: "string", json: `{"deleteWhen":"04"}`, want: spec.Properties{"deleteWhen": "04"}},
		{name: "string with spaces kept", json: `{"a":"48 "}`, want: spec.Properties{"a": "48 "}},
		{name: "integer", json: `{"fileReservedTime":48}`, want: spec.Properties{"fileReservedTime": "48"}},
		{name: "decimal keeps its text", json: `{"x":10.0}`, want: spec.Properties{"x": "10.0"}},
		{name: "exponent keeps its text", json: `{"x":1e3}`, want: spec.Properties{"x": "1e3"}},
		{name: "negative", json: `{"x":-1}`, want: spec.Properties{"x": "-1"}},
		{name: "true", json: `{"autoCreateTopicEnable":true}`, want: spec.Properties{"autoCreateTopicEnable": "true"}},
		{name: "false", json: `{"x":false}`, want: spec.Properties{"x": "false"}},
		{name: "empty", json: `{}`, want: spec.Properties{}},
		{name: "a list is refused", json: `{"x":[1]}`, wantErr: `property "x" must be a string, number or boolean`},
		{name: "a mapping is refused", json: `{"x":{"y":1}}`, wantErr: `property "x" must be a string, number or boolean`},
		{name: "not a mapping", json: `[1]`, wantErr: "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p spec.Properties
			err := json.Unmarshal([]byte(tc.json), &p)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, p)
		})
	}
}

func TestPropertiesFromYAMLKeepNumberText(t *testing.T) {
	// The whole way from YAML: what Java will read must be what the user wrote.
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{name: "decimal", yaml: "10.0", want: "10.0"},
		{name: "hexadecimal is resolved", yaml: "0x1F", want: "31"},
		{name: "quoted", yaml: `"0x1F"`, want: "0x1F"},
		{name: "boolean", yaml: "true", want: "true"},
		{name: "yes stays text", yaml: "yes", want: "yes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := spec.Decode(mustParse(t, "spec:\n  brokers:\n    config:\n      k: "+tc.yaml+"\n").Root)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.Spec.Brokers.Config["k"])
		})
	}
}

func TestQuantityUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    spec.Quantity
		wantErr bool
	}{
		{name: "string", json: `"2Gi"`, want: "2Gi"},
		{name: "millicores", json: `"500m"`, want: "500m"},
		{name: "integer", json: `2`, want: "2"},
		{name: "decimal keeps its text", json: `0.50`, want: "0.50"},
		{name: "boolean", json: `true`, wantErr: true},
		{name: "list", json: `["1"]`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var q spec.Quantity
			err := json.Unmarshal([]byte(tc.json), &q)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, q)
		})
	}
}

func TestGroups(t *testing.T) {
	two := 2
	tests := []struct {
		name      string
		json      string
		wantCount int
		wantNamed []spec.Group
		wantErr   bool
	}{
		{name: "count", json: `3`, wantCount: 3},
		{name: "list", json: `[{"name":"a"},{"name":"b","slaves":2}]`, wantNamed: []spec.Group{{Name: "a"}, {Name: "b", Slaves: &two}}},
		{name: "empty list stays a list", json: `[]`, wantNamed: []spec.Group{}},
		{name: "string", json: `"two"`, wantErr: true},
		{name: "fraction", json: `1.5`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var g spec.Groups
			err := json.Unmarshal([]byte(tc.json), &g)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantCount, g.Count)
			assert.Equal(t, tc.wantNamed, g.Named)
			out, err := json.Marshal(g)
			require.NoError(t, err)
			assert.JSONEq(t, tc.json, string(out), "written back in the form it was read")
		})
	}

	t.Run("a list read over a count forgets the count", func(t *testing.T) {
		g := spec.Groups{Count: 4}
		require.NoError(t, json.Unmarshal([]byte(`[{"name":"a"}]`), &g))
		assert.Zero(t, g.Count)
		g2 := spec.Groups{Named: []spec.Group{{Name: "x"}}}
		require.NoError(t, json.Unmarshal([]byte(`2`), &g2))
		assert.Nil(t, g2.Named)
		assert.Equal(t, 2, g2.Count)
	})
}

func TestGroupList(t *testing.T) {
	one, three := 1, 3
	tests := []struct {
		name   string
		b      spec.Brokers
		names  []string
		slaves []int
	}{
		{name: "count", b: spec.Brokers{Groups: spec.Groups{Count: 3}, Slaves: &one},
			names: []string{"broker-0", "broker-1", "broker-2"}, slaves: []int{1, 1, 1}},
		{name: "count past nine", b: spec.Brokers{Groups: spec.Groups{Count: 12}, Slaves: &one},
			names:  []string{"broker-0", "broker-1", "broker-2", "broker-3", "broker-4", "broker-5", "broker-6", "broker-7", "broker-8", "broker-9", "broker-10", "broker-11"},
			slaves: []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{name: "named, with and without their own slaves", b: spec.Brokers{Groups: spec.Groups{Named: []spec.Group{{Name: "a"}, {Name: "b", Slaves: &three}}}, Slaves: &one},
			names: []string{"a", "b"}, slaves: []int{1, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var names []string
			var slaves []int
			for _, g := range tc.b.GroupList() {
				names = append(names, g.Name)
				require.NotNil(t, g.Slaves)
				slaves = append(slaves, *g.Slaves)
			}
			assert.Equal(t, tc.names, names)
			assert.Equal(t, tc.slaves, slaves)
		})
	}
	t.Run("does not write the cluster's slaves into the spec", func(t *testing.T) {
		b := spec.Brokers{Groups: spec.Groups{Named: []spec.Group{{Name: "a"}}}, Slaves: &one}
		_ = b.GroupList()
		assert.Nil(t, b.Groups.Named[0].Slaves)
	})
}

func TestIsV4(t *testing.T) {
	tests := map[string]bool{"4.9.8": true, "4.5.0": true, "5.3.3": false, "5.0.0": false, "4": false, "": false, "14.0": false}
	for v, want := range tests {
		t.Run(v, func(t *testing.T) {
			assert.Equal(t, want, spec.IsV4(v))
		})
	}
}
