// Package schemas holds the JSON Schema of the RocketMQCluster document. It is the one place the
// spec's fields are documented: the validator checks documents against it, `rocketops explain`
// prints from it and editors read it through `rocketops schema`.
package schemas

import _ "embed"

// Cluster is the JSON Schema (draft 2020-12) of a RocketMQCluster document.
//
//go:embed rocketmqcluster.schema.json
var Cluster []byte

// ClusterURL is the schema's $id.
const ClusterURL = "https://rocketops.dev/schemas/rocketmqcluster.schema.json"
