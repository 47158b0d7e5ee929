// Package validate decides whether a spec means something rocketops can build: first against the
// JSON Schema (shapes, types, unknown fields), then by rules the schema cannot say (topology, the
// RocketMQ keys of the declared version, memory budgets, name lengths), for the base document and
// every environment. It reports every problem at once, each at the place it was written, and leaves
// resolving what the spec means to package plan.
package validate

import (
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rocketops/rocketops/pkg/diag"
	"github.com/rocketops/rocketops/pkg/spec"
)

// BaseName labels the base document in diagnostics that concern it alone.
const BaseName = "base"

// Result is a valid spec: the parsed document and, per environment, the defaulted cluster.
type Result struct {
	Doc          *spec.Document
	Base         *spec.Cluster            // the document without environments, defaulted
	Environments map[string]*spec.Cluster // by environment name, defaulted
	Names        []string                 // environment names, sorted
	Warnings     diag.List                // findings that do not make the spec invalid, sorted
}

// Validate parses and checks a spec file. It returns the valid spec, or every problem found.
func Validate(file string, src []byte) (*Result, diag.List) {
	doc, diags := spec.Parse(file, src)
	if doc == nil {
		return nil, diags
	}
	value, vd := doc.ValueDiag(doc.Root)
	diags = append(diags, vd...)
	if len(diags) > 0 {
		return nil, diags.Sort()
	}
	// Rules on the document as written need no typed values, so they run even when the schema
	// pass fails; the rules on typed values need the schema pass.
	diags = append(schemaDiags(doc, doc.Root, withoutEnvironmentNulls(value)), documentRules(doc)...)
	if len(diags) > 0 {
		return nil, diags.Sort()
	}

	res := &Result{Doc: doc, Environments: map[string]*spec.Cluster{}, Names: doc.EnvironmentNames()}

	// Run the rules on the base and on every environment, then say once what is wrong everywhere
	// and name the environments of what is wrong only in some.
	type finding struct {
		d    diag.Diagnostic
		envs []string
	}
	found := map[string]*finding{}
	var order []string
	check := func(name string, node *yaml.Node) *spec.Cluster {
		// A merged environment is checked against the schema too: a null in it may have removed
		// something the document needs.
		merged, err := spec.Value(node)
		if err != nil {
			diags = append(diags, diag.Diagnostic{File: file, Message: "internal error: " + err.Error()})
			return nil
		}
		findings := schemaDiags(doc, node, merged)
		var c *spec.Cluster
		if len(findings) == 0 {
			c, err = spec.Decode(node)
			if err != nil {
				diags = append(diags, diag.Diagnostic{File: file, Message: "internal error: " + err.Error()})
				return nil
			}
			c.Default()
			findings = rules(doc, node, c)
		}
		for _, d := range findings {
			key := d.String()
			if f, ok := found[key]; ok {
				f.envs = append(f.envs, name)
				continue
			}
			found[key] = &finding{d: d, envs: []string{name}}
			order = append(order, key)
		}
		return c
	}
	hasEnvs := !(len(res.Names) == 1 && res.Names[0] == spec.DefaultEnvironment && spec.Lookup(doc.Root, "/spec/environments/default") == nil)
	all := 1
	res.Base = check(BaseName, doc.Base())
	if hasEnvs {
		for _, name := range res.Names {
			res.Environments[name] = check(name, doc.Environment(name))
		}
		all += len(res.Names)
	} else {
		res.Environments[spec.DefaultEnvironment] = res.Base
	}
	for _, key := range order {
		f := found[key]
		d := f.d
		if len(f.envs) < all && hasEnvs {
			d.Envs = f.envs
		}
		diags = append(diags, d)
	}
	if len(diags.Errors()) > 0 {
		return nil, diags.Sort()
	}
	res.Warnings = diags.Sort()
	return res, nil
}

// documentRules check the document as written, outside any environment.
func documentRules(doc *spec.Document) diag.List {
	var out diag.List
	envs := spec.Lookup(doc.Root, "/spec/environments")
	if envs == nil || envs.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(envs.Content); i += 2 {
		k := envs.Content[i]
		if k.Value == BaseName {
			out = append(out, diag.Diagnostic{File: doc.File, Line: k.Line, Col: k.Column, Pointer: "/spec/environments/" + BaseName,
				Message: `"base" cannot name an environment`, Hint: "base/ holds what every environment shares; pick another name"})
		}
		nested := spec.Pointer("spec", "environments", k.Value, "spec", "environments")
		if n := spec.Lookup(doc.Root, nested); n != nil {
			line, col, _ := doc.Position(doc.Root, nested, true)
			out = append(out, diag.Diagnostic{File: doc.File, Line: line, Col: col, Pointer: nested,
				Message: "environments cannot hold environments", Hint: "declare every environment under spec.environments"})
		}
	}
	return out
}

// sortedNames returns the keys of a map, sorted.
func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func joinQuoted(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = `"` + s + `"`
	}
	return strings.Join(q, ", ")
}
