package catalog

import (
	"fmt"
	"slices"
)

// Component selects a key table.
type Component int

const (
	// Broker covers broker.conf: BrokerConfig (with BrokerIdentity in 5.x),
	// NettyServerConfig, NettyClientConfig, MessageStoreConfig and, from
	// 5.3.0 on, AuthConfig.
	Broker Component = iota
	// NameServer covers the name server properties file: NamesrvConfig,
	// NettyServerConfig and, from 5.0.0 on, NettyClientConfig.
	NameServer
	// Controller covers ControllerConfig and JraftConfig, read by an
	// embedded or standalone controller; it exists in 5.x only.
	Controller
	// Proxy covers rmq-proxy.json, which the 5.x proxy parses with fastjson
	// into ProxyConfig and, from 5.3.0 on, AuthConfig.
	Proxy
)

// numComponents sizes the per-component tables; keep it after the last
// Component.
const numComponents = 4

// String returns the component's name as used in messages.
func (c Component) String() string {
	switch c {
	case Broker:
		return "broker"
	case NameServer:
		return "name server"
	case Controller:
		return "controller"
	case Proxy:
		return "proxy"
	}
	return fmt.Sprintf("Component(%d)", int(c))
}

// Key is one configuration key.
type Key struct {
	Name string
	// Type is the Java parameter type of the key's setter as in the data:
	// "int", "long", "boolean", "String", "double", alternatives joined by
	// "|" (such as "String|int") when overloaded setters accept either, or
	// "" when unknown. Boxed types appear as their primitives; a proxy key
	// whose setter takes an enum is "String", the constant's name.
	Type string
	// Classes are the config classes whose setters accept the key, sorted.
	// Empty for the keys BrokerStartup reads itself and for rows whose
	// class is unknown.
	Classes []string
	// Default is the Java default expression, for documentation only.
	Default string
	// Versions are the versions the key exists in, in release order.
	Versions []string
}

// Versions lists the RocketMQ versions with key data, in release order. The
// develop branch is not a version.
func Versions() []string {
	return slices.Clone(load().versions)
}

// Supported reports whether version has key data. Versions are matched
// exactly, as in "5.3.3".
func Supported(version string) bool {
	_, ok := load().index[version]
	return ok
}

// Lookup returns the key if it exists in component c for that version.
func Lookup(c Component, version, name string) (Key, bool) {
	cat := load()
	i, ok := cat.index[version]
	if !ok {
		return Key{}, false
	}
	e := cat.entry(c, name)
	if e == nil || e.mask&(1<<i) == 0 {
		return Key{}, false
	}
	return e.export(), true
}

// Find returns the key if it exists in any version of component c, so that a
// caller can say a key exists only from some version on.
func Find(c Component, name string) (Key, bool) {
	e := load().entry(c, name)
	if e == nil {
		return Key{}, false
	}
	return e.export(), true
}

// Keys returns all key names valid for component c in version, sorted. It
// returns nil for an unsupported version or a component without keys in it.
func Keys(c Component, version string) []string {
	cat := load()
	i, ok := cat.index[version]
	if !ok || !validComponent(c) {
		return nil
	}
	return slices.Clone(cat.tables[c].byVersion[i])
}

func validComponent(c Component) bool {
	return c >= 0 && c < numComponents
}
