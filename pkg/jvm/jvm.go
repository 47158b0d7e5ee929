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
	// Controller and Proxy are sized like the name server: no page cache of their own to leave room for.
	Controller
	Proxy
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

// MinPageCacheShare is the share of a broker's memory limit below which the validator warns that too
// little is left for the page cache: with less, reads of recent messages go to disk and writes stall
// on dirty-page writeback.
const MinPageCacheShare = 0.25

// PageCache is what a limit leaves for the page cache once the JVM has what the sizes give it.
func (s Sizes) PageCache(r Role, limit int64) int64 { return max(limit-s.Total(r), 0) }

// Derive fills the sizes the user did not give from the memory limit. A broker reads and writes its
// commitlog through the page cache, which the kernel charges to the same cgroup as the JVM, so a broker
// gets a quarter of the limit as heap (at most 16Gi) and an eighth as direct memory (at most 8Gi; it is
// used mostly with transientStorePoolEnable), and the rest beyond the JVM's overhead stays page cache:
// 3/8 of a 2Gi limit, more as the limit grows. RocketMQ's own guidance is the same in spirit: heap at
// most 32G, the machine's memory left to the page cache (docs "Deployment": -Xms8g -Xmx8g -Xmn4g on
// large hosts). Name servers, controllers, proxies and consoles keep no page cache that matters and get half as heap (at
// most 8Gi). A zero limit with nothing given gives zero sizes: the validator refuses that before anyone
// plans with it.
func Derive(r Role, limit, heap, direct int64) Sizes {
	if heap == 0 {
		if r == Broker {
			heap = min(limit/4, 16*gi)
		} else {
			heap = min(limit/2, 8*gi)
		}
		heap = heap / mi * mi
	}
	if r == Broker && direct == 0 {
		direct = min(limit/8, 8*gi) / mi * mi
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
