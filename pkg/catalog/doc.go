// Package catalog knows which RocketMQ configuration keys exist in each
// RocketMQ version and whether a value would be read the way it was meant.
//
// RocketMQ loads broker.conf and the name server and controller properties
// files with java.util.Properties and copies them onto its config objects
// through setters. Anything it cannot use is dropped without a word: an
// unknown or misspelt key, a number with a trailing blank, a boolean that is
// not exactly "true", an inline "# comment" that silently becomes part of
// the value. The 5.x proxy parses rmq-proxy.json with fastjson, which skips
// unknown keys just as quietly. This package exists so those mistakes are
// reported before a cluster starts with settings nobody asked for.
//
// The key tables are embedded data files, one per component, written by
// scripts/keytables from the sources of every Apache RocketMQ release from
// 4.9.0 to 5.3.3 (the rocketmq-all-* tags, without the 5.0.0 previews); each
// table's header names the tags and classes it was read from. Every row gives
// a key, the Java types its setters take, the classes that accept it, a
// default expression and the releases it exists in.
//
//   - data/broker-keys.tsv, data/namesrv-keys.tsv and data/controller-keys.tsv
//     hold the keys of the properties files, which RocketMQ copies onto its
//     config objects with MixAll.properties2Object: every public setter
//     setXxx(T) that getMethods() lists, those a superclass declares included
//     (BrokerConfig extends BrokerIdentity from 5.0.0 on), defines key xxx,
//     unless properties2Object cannot build a T (an enum, a config object),
//     in which case setting the key has no effect. A class counts for a
//     release only if that release's startup class fills it from the file:
//     the broker reads BrokerConfig, NettyServerConfig, NettyClientConfig,
//     MessageStoreConfig and, from 5.3.0 on, AuthConfig; the name server
//     NamesrvConfig, NettyServerConfig and, from 5.0.0 on, NettyClientConfig;
//     the controller, from 5.0.0 on, ControllerConfig and, from 5.2.0 on,
//     JraftConfig. Two keys that BrokerStartup reads directly rather than
//     through a setter, rmqAddressServerDomain and rmqAddressServerSubGroup,
//     are added for every version.
//   - data/proxy-keys.tsv holds the keys of rmq-proxy.json, which the 5.x
//     proxy parses with fastjson into ProxyConfig and, from 5.3.0 on, into
//     AuthConfig as well. fastjson sets a property through every non-static
//     public setter setXxx(T) returning void or its class, of overloaded
//     setters the one that takes the field's type, and converts any JSON
//     value to T; an enum takes its constant's name, so such keys are typed
//     String. A map the proxy rebuilds after parsing (delayLevelTable) is left
//     out. fastjson also matches a key that differs only in case, '_' or '-',
//     so a proxy key Lookup refuses may still be read; spelling it as listed
//     is what this package checks for.
//
// Each table gives one default expression per key, taken from the newest
// release that has the key (a few defaults changed between releases) and, for
// a key several classes accept, from the class filled last.
//
// A standalone controller also reads the NettyServerConfig and
// NettyClientConfig keys from its file, and a name server with an embedded
// controller reads the controller keys from its own file; callers that check
// those files consult both tables.
//
// CheckValue judges a value as text the way properties2Object reads it. For a
// proxy key the same checks are stricter than fastjson needs: a value that
// passes reads as meant when written into the JSON file as a scalar of the
// key's type, while the checks on line breaks, "#" and surrounding blanks
// guard against properties-file mistakes that JSON does not have.
//
// The package does not write properties files: escaping backslashes and
// non-Latin-1 characters is left to the writer, and CheckValue judges the
// value as it should come out of the file. It does not judge settings against
// each other (a slave with brokerId 0, say) nor interpret default
// expressions, which are kept as Java source text for documentation.
package catalog
