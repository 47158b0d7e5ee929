// Package catalog knows which RocketMQ configuration keys exist in each
// RocketMQ version and whether a value would be read the way it was meant.
//
// RocketMQ loads broker.conf and the name server and controller properties
// files with java.util.Properties and copies them onto its config objects
// through setters. Anything it cannot use is dropped without a word: an
// unknown or misspelt key, a number with a trailing blank, a boolean that is
// not exactly "true", an inline "# comment" that silently becomes part of
// the value. This package exists so those mistakes are reported before a
// cluster starts with settings nobody asked for.
//
// The key tables are embedded data files:
//
//   - data/broker-keys.tsv lists every broker key with its Java type, the
//     config classes that accept it and the versions it exists in. Keys that
//     only exist on the develop branch are left out, since no release reads
//     them. Two keys that BrokerStartup reads directly rather than through a
//     setter, rmqAddressServerDomain and rmqAddressServerSubGroup, are added
//     for every version.
//   - data/namesrv-keys.tsv and data/controller-keys.tsv have the same
//     columns for the name server (NamesrvConfig, NettyServerConfig,
//     NettyClientConfig) and the controller (ControllerConfig, JraftConfig),
//     read from each supported release's sources. A class counts for a
//     release only if that release fills it from the properties file: the
//     4.9.8 name server reads no NettyClientConfig, the controller exists
//     from 5.0.0 on and JraftConfig from 5.2.0 on. Setters whose parameter
//     type properties2Object cannot build (an enum, a JraftConfig) are left
//     out: setting such a key in the file has no effect.
//
// Each table gives one default expression per key, taken from the newest
// release that has the key; a few defaults changed between releases.
//
// A standalone controller also reads the NettyServerConfig and
// NettyClientConfig keys from its file, and a name server with an embedded
// controller reads the controller keys from its own file; callers that check
// those files consult both tables.
//
// The package does not write properties files: escaping backslashes and
// non-Latin-1 characters is left to the writer, and CheckValue judges the
// value as it should come out of the file. It does not judge settings against
// each other (a slave with brokerId 0, say) nor interpret default
// expressions, which are kept as Java source text for documentation.
package catalog
