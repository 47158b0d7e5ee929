// Package charts holds the rocketmq Helm chart. The chart places the values rocketops compiles (the
// plan of one environment) and decides nothing; its templates are the Helm copy of blueprints/, kept
// identical by the parity tests. `rocketops compile --target helm --vendor-chart` writes it out.
package charts

import "embed"

// FS holds the chart under rocketmq/, helpers and ignore file included.
//
//go:embed all:rocketmq
var FS embed.FS

// Name is the chart's folder in FS.
const Name = "rocketmq"
