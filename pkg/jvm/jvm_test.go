package jvm_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rocketops/rocketops/pkg/jvm"
)

const (
	mi = int64(1) << 20
	gi = int64(1) << 30
)

func TestDerive(t *testing.T) {
	tests := []struct {
		name         string
		role         jvm.Role
		limit        int64
		heap, direct int64
		want         jvm.Sizes
	}{
		{name: "broker 2Gi", role: jvm.Broker, limit: 2 * gi, want: jvm.Sizes{Heap: 512 * mi, Young: 256 * mi, Direct: 256 * mi}},
		{name: "broker 8Gi", role: jvm.Broker, limit: 8 * gi, want: jvm.Sizes{Heap: 2 * gi, Young: 1 * gi, Direct: 1 * gi}},
		{name: "broker heap and direct memory capped", role: jvm.Broker, limit: 128 * gi, want: jvm.Sizes{Heap: 16 * gi, Young: 8 * gi, Direct: 8 * gi}},
		{name: "broker just under the caps", role: jvm.Broker, limit: 60 * gi, want: jvm.Sizes{Heap: 15 * gi, Young: 7680 * mi, Direct: 7680 * mi}},
		{name: "broker odd limit rounds down to MiB", role: jvm.Broker, limit: 3*gi + 3, want: jvm.Sizes{Heap: 768 * mi, Young: 384 * mi, Direct: 384 * mi}},
		{name: "broker given heap keeps derived direct", role: jvm.Broker, limit: 8 * gi, heap: 3 * gi, want: jvm.Sizes{Heap: 3 * gi, Young: 1536 * mi, Direct: 1 * gi}},
		{name: "broker given direct keeps derived heap", role: jvm.Broker, limit: 8 * gi, direct: 2 * gi, want: jvm.Sizes{Heap: 2 * gi, Young: 1 * gi, Direct: 2 * gi}},
		{name: "broker both given: the limit does not matter", role: jvm.Broker, limit: 1 * gi, heap: 4 * gi, direct: 8 * gi, want: jvm.Sizes{Heap: 4 * gi, Young: 2 * gi, Direct: 8 * gi}},
		{name: "broker given heap above the cap is kept", role: jvm.Broker, limit: 128 * gi, heap: 31 * gi, want: jvm.Sizes{Heap: 31 * gi, Young: 15872 * mi, Direct: 8 * gi}},
		{name: "name server 1Gi", role: jvm.NameServer, limit: 1 * gi, want: jvm.Sizes{Heap: 512 * mi, Young: 256 * mi}},
		{name: "name server heap capped at 8Gi", role: jvm.NameServer, limit: 32 * gi, want: jvm.Sizes{Heap: 8 * gi, Young: 4 * gi}},
		{name: "name server never gets direct memory", role: jvm.NameServer, limit: 1 * gi, direct: 256 * mi, want: jvm.Sizes{Heap: 512 * mi, Young: 256 * mi}},
		{name: "console 512Mi", role: jvm.Console, limit: 512 * mi, want: jvm.Sizes{Heap: 256 * mi, Young: 128 * mi}},
		{name: "console heap capped at 8Gi", role: jvm.Console, limit: 20 * gi, want: jvm.Sizes{Heap: 8 * gi, Young: 4 * gi}},
		{name: "console given heap", role: jvm.Console, limit: 4 * gi, heap: 1 * gi, want: jvm.Sizes{Heap: 1 * gi, Young: 512 * mi}},
		{name: "no limit, nothing given", role: jvm.Broker, want: jvm.Sizes{}},
		{name: "no limit, heap given", role: jvm.NameServer, heap: 256 * mi, want: jvm.Sizes{Heap: 256 * mi, Young: 128 * mi}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, jvm.Derive(tc.role, tc.limit, tc.heap, tc.direct))
		})
	}
}

func TestOverheadAndTotal(t *testing.T) {
	tests := []struct {
		name  string
		role  jvm.Role
		sizes jvm.Sizes
		want  int64
	}{
		{name: "broker", role: jvm.Broker, sizes: jvm.Sizes{Heap: 4 * gi, Young: 2 * gi, Direct: 8 * gi}, want: 12*gi + 512*mi},
		{name: "name server", role: jvm.NameServer, sizes: jvm.Sizes{Heap: 512 * mi, Young: 256 * mi}, want: 768 * mi},
		{name: "console", role: jvm.Console, sizes: jvm.Sizes{Heap: 1 * gi}, want: gi + 256*mi},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.sizes.Total(tc.role), "young generation is part of the heap, not added")
		})
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name  string
		sizes jvm.Sizes
		want  []string
	}{
		{name: "whole GiB as g", sizes: jvm.Sizes{Heap: 4 * gi, Young: 2 * gi, Direct: 2 * gi}, want: []string{"-Xms4g", "-Xmx4g", "-Xmn2g", "-XX:MaxDirectMemorySize=2g"}},
		{name: "MiB as m", sizes: jvm.Sizes{Heap: 1 * gi, Young: 512 * mi, Direct: 512 * mi}, want: []string{"-Xms1g", "-Xmx1g", "-Xmn512m", "-XX:MaxDirectMemorySize=512m"}},
		{name: "1.5GiB is not whole", sizes: jvm.Sizes{Heap: 1536 * mi, Young: 768 * mi}, want: []string{"-Xms1536m", "-Xmx1536m", "-Xmn768m"}},
		{name: "no direct memory, no flag", sizes: jvm.Sizes{Heap: 512 * mi, Young: 256 * mi}, want: []string{"-Xms512m", "-Xmx512m", "-Xmn256m"}},
		{name: "large", sizes: jvm.Sizes{Heap: 30 * gi, Young: 15 * gi, Direct: 16 * gi}, want: []string{"-Xms30g", "-Xmx30g", "-Xmn15g", "-XX:MaxDirectMemorySize=16g"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.sizes.Flags())
		})
	}
}

func TestFlagsOfADerivedBroker(t *testing.T) {
	// The example of the docs: a 2Gi broker keeps 768Mi, 3/8 of its limit, for the page cache.
	s := jvm.Derive(jvm.Broker, 2*gi, 0, 0)
	assert.Equal(t, []string{"-Xms512m", "-Xmx512m", "-Xmn256m", "-XX:MaxDirectMemorySize=256m"}, s.Flags())
	assert.Equal(t, 768*mi, s.PageCache(jvm.Broker, 2*gi))
}

func TestPageCache(t *testing.T) {
	s := jvm.Sizes{Heap: 4 * gi, Direct: 2 * gi}
	assert.Equal(t, 1536*mi, s.PageCache(jvm.Broker, 8*gi), "8Gi - 4Gi - 2Gi - 512Mi")
	assert.Zero(t, s.PageCache(jvm.Broker, 4*gi), "never negative")
	// From about 1.4Gi up; below, the JVM's fixed overhead takes the share, and the validator warns.
	for _, limit := range []int64{2 * gi, 8 * gi, 64 * gi, 256 * gi} {
		d := jvm.Derive(jvm.Broker, limit, 0, 0)
		assert.GreaterOrEqual(t, float64(d.PageCache(jvm.Broker, limit)), jvm.MinPageCacheShare*float64(limit),
			"derived sizes leave the page cache at least its share at %s", jvm.Human(limit))
	}
}

func TestHuman(t *testing.T) {
	tests := map[int64]string{2 * gi: "2Gi", 1536 * mi: "1536Mi", 12800 * mi: "12800Mi", 1000: "1000"}
	for in, want := range tests {
		t.Run(want, func(t *testing.T) {
			assert.Equal(t, want, jvm.Human(in))
		})
	}
}

func TestMinLimit(t *testing.T) {
	const step = 128 * mi
	tests := []struct {
		name         string
		role         jvm.Role
		heap, direct int64
		want         int64
	}{
		// Derived: heap L/4, direct L/8, overhead 512Mi: 5L/8 >= 512Mi, L >= 819.2Mi.
		{name: "broker, all derived", role: jvm.Broker, want: 896 * mi},
		// L/2 + 256Mi <= L.
		{name: "name server, derived", role: jvm.NameServer, want: 512 * mi},
		{name: "console, derived", role: jvm.Console, want: 512 * mi},
		// 4Gi + 8Gi + 512Mi, all fixed.
		{name: "broker, both fixed", role: jvm.Broker, heap: 4 * gi, direct: 8 * gi, want: 12800 * mi},
		// 4Gi + L/8 + 512Mi <= L: L >= 5266.3Mi, so the next 128Mi step.
		{name: "broker, heap fixed, direct grows with the limit", role: jvm.Broker, heap: 4 * gi, want: 5376 * mi},
		// 5Gi + L/8 + 512Mi <= L: L >= 6436.6Mi.
		{name: "broker, heap fixed, between steps", role: jvm.Broker, heap: 5 * gi, want: 6*gi + 384*mi},
		// L/4 + 1Gi + 512Mi <= L: L >= 2Gi, where the total is exactly the limit.
		{name: "broker, direct fixed", role: jvm.Broker, direct: 1 * gi, want: 2 * gi},
		// 30Gi + L/8 + 512Mi <= L: L >= 35693.7Mi.
		{name: "broker, heap at the cap", role: jvm.Broker, heap: 30 * gi, want: 35712 * mi},
		{name: "name server, heap fixed", role: jvm.NameServer, heap: 1 * gi, want: gi + 256*mi},
		{name: "console, direct is ignored", role: jvm.Console, direct: 4 * gi, want: 512 * mi},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := jvm.MinLimit(tc.role, tc.heap, tc.direct)
			assert.Equal(t, tc.want, got, "got %s", jvm.Human(got))
			assert.Zero(t, got%step, "a multiple of 128Mi")
			fits := func(limit int64) bool {
				return jvm.Derive(tc.role, limit, tc.heap, tc.direct).Total(tc.role) <= limit
			}
			assert.True(t, fits(got), "the returned limit fits")
			assert.False(t, fits(got-step), "the limit 128Mi below does not fit")
		})
	}
}
