// Package jvm sizes the Java heap and direct memory of RocketMQ processes from their container
// memory limit, and turns sizes into JVM flags. It knows the budget a container must hold (heap +
// direct memory + overhead) and leaves reporting a budget that does not fit to the validator.
package jvm

import "fmt"

const (
	mi = int64(1) << 20
	gi = int64(1) << 30
)

// Role selects the sizing rules of a process.
type Role int

// The processes rocketops runs.
const (
	Broker Role = iota
	NameServer
	Console
)

// Overhead is what a process needs beyond heap and direct memory (metaspace, threads, code cache).
func Overhead(r Role) int64 {
	if r == Broker {
		return 512 * mi
	}
	return 256 * mi
}

// Sizes are a process's memory settings in bytes; Direct is 0 for processes that do not set it.
type Sizes struct {
	Heap   int64
	Young  int64
	Direct int64
}

// Total is what the sizes need from the container: heap, direct memory and overhead.
func (s Sizes) Total(r Role) int64 { return s.Heap + s.Direct + Overhead(r) }

// Derive fills the sizes the user did not give from the memory limit: brokers get half of it as heap
// (at most 30Gi, to keep compressed pointers) and a quarter as direct memory; name servers and
// consoles half as heap (at most 8Gi). A zero limit with nothing given gives zero sizes: the
// validator refuses that before anyone plans with it.
func Derive(r Role, limit, heap, direct int64) Sizes {
	if heap == 0 {
		heap = limit / 2
		maxHeap := 8 * gi
		if r == Broker {
			maxHeap = 30 * gi
		}
		heap = min(heap, maxHeap) / mi * mi
	}
	if r == Broker && direct == 0 {
		direct = limit / 4 / mi * mi
	}
	if r != Broker {
		direct = 0
	}
	return Sizes{Heap: heap, Young: heap / 2 / mi * mi, Direct: direct}
}

// Flags returns the JVM flags for the sizes, in a fixed order.
func (s Sizes) Flags() []string {
	flags := []string{"-Xms" + size(s.Heap), "-Xmx" + size(s.Heap), "-Xmn" + size(s.Young)}
	if s.Direct > 0 {
		flags = append(flags, "-XX:MaxDirectMemorySize="+size(s.Direct))
	}
	return flags
}

// size writes bytes the way the JVM reads them: whole gibibytes as g, otherwise mebibytes as m.
func size(b int64) string {
	if b%gi == 0 {
		return fmt.Sprintf("%dg", b/gi)
	}
	return fmt.Sprintf("%dm", b/mi)
}

// Human writes bytes as Kubernetes would: 1536Mi, 2Gi.
func Human(b int64) string {
	switch {
	case b%gi == 0:
		return fmt.Sprintf("%dGi", b/gi)
	case b%mi == 0:
		return fmt.Sprintf("%dMi", b/mi)
	}
	return fmt.Sprintf("%d", b)
}

// MinLimit is the smallest memory limit, in steps of 128Mi, whose derived sizes fit under it, given
// the sizes the user fixed (0 for derived ones). Derived sizes grow with the limit, so this is not
// simply the total of one derivation.
func MinLimit(r Role, heap, direct int64) int64 {
	const step = 128 * mi
	for limit := step; limit <= 1<<40; limit += step {
		if Derive(r, limit, heap, direct).Total(r) <= limit {
			return limit
		}
	}
	return 1 << 40
}
