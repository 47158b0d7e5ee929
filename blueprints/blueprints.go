// Package blueprints holds the jsonnet that turns a plan into Kubernetes objects. main.jsonnet reads
// the plan from the native function "plan" (std.native('plan')(), which package render provides) and
// returns a list of objects; the files decide nothing,
// they only place what the plan resolved. Package render evaluates them.
package blueprints

import "embed"

// FS holds main.jsonnet and the libraries it imports.
//
//go:embed *.jsonnet *.libsonnet
var FS embed.FS

// Main is the entry file.
const Main = "main.jsonnet"
