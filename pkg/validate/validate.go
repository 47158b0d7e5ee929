// Package validate decides whether a spec means something rocketops can build: first against the
// JSON Schema (shapes, types, unknown fields), then by rules the schema cannot say (topology, the
// RocketMQ keys of the declared version, memory budgets, name lengths), for the base document and
// every environment. It reports every problem at once, each at the place it was written, and leaves
// resolving what the spec means to package plan.
package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
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

// Validate parses and checks a spec file within spec.DefaultLimits and CompileBudget. It returns
// the valid spec, or every problem found.
func Validate(file string, src []byte) (*Result, diag.List) {
	return validate(file, src, spec.DefaultLimits(), CompileBudget)
}

func validate(file string, src []byte, limits spec.Limits, budget int) (*Result, diag.List) {
	doc, diags := limits.Parse(file, src)
	if doc == nil {
		return nil, diags
	}
	value, vd := doc.ValueDiag(doc.Root)
	diags = append(diags, vd...)
	if len(diags) > 0 {
		return nil, diags.Sort()
	}
	// Rules on the document as written need no typed values, so they run even when the schema
	// pass fails. The rules on typed values need values of the right types: when the schema pass
	// fails they run on the document without the values it refused, so that every problem is
	// reported at once, each once.
	schema := schemaDiags(doc, doc.Root, withoutEnvironmentNulls(value))
	diags = append(schema, documentRules(doc)...)
	if len(diags) > 0 {
		if len(schema) > 0 {
			diags = append(diags, rulesWithout(doc, schema, budget)...)
		}
		return nil, diags.Sort()
	}
	return checkAll(doc, budget)
}

// rulesWithout runs the rules on doc without the values the schema findings point at, and returns
// their errors; nothing when the rest still does not pass the schema.
func rulesWithout(doc *spec.Document, schema diag.List, budget int) diag.List {
	var ptrs []string
	for _, d := range schema {
		ptrs = append(ptrs, d.Pointer)
	}
	rest, ok := doc.Without(ptrs)
	if !ok {
		return nil
	}
	value, vd := rest.ValueDiag(rest.Root)
	if len(vd) > 0 || len(schemaDiags(rest, rest.Root, withoutEnvironmentNulls(value))) > 0 {
		return nil
	}
	_, diags := checkAll(rest, budget)
	return diags.Errors()
}

// checkAll runs the rules on the base and every environment of a document that passes the schema.
func checkAll(doc *spec.Document, budget int) (*Result, diag.List) {
	file := doc.File
	var diags diag.List
	res := &Result{Doc: doc, Environments: map[string]*spec.Cluster{}, Names: doc.EnvironmentNames()}

	// Run the rules on the base and on every environment, then say once what is wrong everywhere
	// and name the environments of what is wrong only in some.
	type finding struct {
		d    diag.Diagnostic
		envs []string
	}
	found := map[string]*finding{}
	var order []string
	var sizes []output
	errs := 0 // distinct errors found so far
	check := func(name string, node *yaml.Node) *spec.Cluster {
		// A merged environment is checked against the schema too: a null in it may have removed
		// something the document needs.
		merged, err := spec.Value(node)
		if err != nil {
			diags = append(diags, diag.Diagnostic{File: file, Internal: true, Message: "internal error: " + err.Error()})
			return nil
		}
		findings := schemaDiags(doc, node, merged)
		var c *spec.Cluster
		if len(findings) == 0 {
			c, err = spec.DecodeValue(merged)
			var te *json.UnmarshalTypeError
			switch {
			case errors.As(err, &te):
				// The schema takes 3.0 and 1e0 as integers (they are, in JSON); Go's decoder does not.
				c, findings = nil, diag.List{wholeNumber(doc, node, te)}
			case err != nil:
				diags = append(diags, diag.Diagnostic{File: file, Internal: true, Message: "internal error: " + err.Error()})
				return nil
			default:
				c.Default()
				findings = rules(doc, node, c)
				sizes = append(sizes, measureCompiled(merged, c))
			}
		}
		for _, d := range findings {
			key := d.String()
			if f, ok := found[key]; ok {
				f.envs = append(f.envs, name)
				continue
			}
			found[key] = &finding{d: d, envs: []string{name}}
			order = append(order, key)
			if !d.Warning {
				errs++
			}
		}
		return c
	}
	hasEnvs := !(len(res.Names) == 1 && res.Names[0] == spec.DefaultEnvironment && spec.Lookup(doc.Root, "/spec/environments/default") == nil)
	all := 1
	res.Base = check(BaseName, doc.Base())
	if hasEnvs {
		for i, name := range res.Names {
			if errs > maxFindings {
				// Every environment would repeat most of them, at the cost of all the rules again.
				line, col, origin := doc.Position(doc.Root, "/spec/environments", true)
				diags = append(diags, diag.Diagnostic{File: file, Line: line, Col: col, Pointer: origin,
					Message: fmt.Sprintf("%d of %d environments were not checked: more than %s problems were found before them", len(res.Names)-i, len(res.Names), thousands(maxFindings)),
					Hint:    "fix the problems above, then validate again"})
				break
			}
			res.Environments[name] = check(name, doc.Environment(name))
			all++
		}
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
	if d, over := overBudget(doc, sizes, budget); over {
		return nil, append(diags, d).Sort()
	}
	res.Warnings = diags.Sort()
	return res, nil
}

// wholeNumber reports a number written as a fraction or with an exponent where a count is needed.
func wholeNumber(doc *spec.Document, node *yaml.Node, te *json.UnmarshalTypeError) diag.Diagnostic {
	ptr := "/" + strings.ReplaceAll(te.Field, ".", "/")
	line, col, origin := doc.Position(node, ptr, false)
	got := te.Value
	if n := spec.Lookup(node, ptr); n != nil {
		got = n.Value
	}
	return diag.Diagnostic{File: doc.File, Line: line, Col: col, Pointer: origin,
		Message: fmt.Sprintf("must be a whole number written without a decimal point or exponent, got %s", got),
		Hint:    "write it as digits only, e.g. 3"}
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
		out = append(out, duplicateGroups(doc, spec.Pointer("spec", "environments", k.Value, "spec", "brokers", "groups"), k.Value)...)
	}
	out = append(out, argocdOverrides(doc, envs)...)
	for i := 0; i+1 < len(envs.Content); i += 2 {
		k := envs.Content[i]
		nested := spec.Pointer("spec", "environments", k.Value, "spec", "environments")
		if n := spec.Lookup(doc.Root, nested); n != nil {
			line, col, _ := doc.Position(doc.Root, nested, true)
			out = append(out, diag.Diagnostic{File: doc.File, Line: line, Col: col, Pointer: nested,
				Message: "environments cannot hold environments", Hint: "declare every environment under spec.environments"})
		}
	}
	return out
}

// duplicateGroups reports a group an environment lists twice: merged by name, the second would
// silently take the place of the first.
func duplicateGroups(doc *spec.Document, ptr, env string) diag.List {
	list := spec.Lookup(doc.Root, ptr)
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	var out diag.List
	seen := map[string]int{}
	for i, item := range list.Content {
		name := spec.Lookup(item, "/name")
		if name == nil || name.Kind != yaml.ScalarNode {
			continue
		}
		if j, dup := seen[name.Value]; dup {
			p := ptr + "/" + strconv.Itoa(i) + "/name"
			out = append(out, diag.Diagnostic{File: doc.File, Line: name.Line, Col: name.Column, Pointer: p,
				Message: fmt.Sprintf("group %q is listed twice in environment %s (first as item %d)", name.Value, env, j),
				Hint:    "a group's name is its brokerName; list each group once"})
			continue
		}
		seen[name.Value] = i
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

// maxFindings is how many errors stop the checks of further environments.
const maxFindings = 1000

// CompileBudget bounds what a valid spec may compile to, in values (a scalar, or 32 bytes of a long
// one): every broker group's objects carry copies of the spec's shared settings (metadata, and
// spec.brokers: placement, resources, jvm, storage; its config once per member), and every
// environment compiles the cluster again, so a small spec can stand for gigabytes of manifests.
// The compiler needs about 1 KB of memory and 3 µs per value; the largest topology (256 groups of
// 9 members in 4 environments and the base) comes to about 1 million.
const CompileBudget = 2_000_000

// The parts of the compiled output that do not come from the user's settings, in values.
const (
	groupValues       = 750  // a group's StatefulSet, ConfigMap and PodDisruptionBudget
	environmentValues = 2500 // an environment's name servers, console and network policies
)

// output is what one environment would compile to.
type output struct {
	values  int    // in all
	groups  int    // broker groups
	largest string // the shared setting that adds the most, as a spec path
	copies  int    // what largest adds, in values
}

// measureCompiled estimates what one defaulted environment compiles to from its merged value.
func measureCompiled(merged any, c *spec.Cluster) output {
	doc, _ := merged.(map[string]any)
	meta, _ := doc["metadata"].(map[string]any)
	sp, _ := doc["spec"].(map[string]any)
	brokers, _ := sp["brokers"].(map[string]any)
	out := output{values: environmentValues + weight(merged)}
	perGroup := 0 // copied into every group's objects
	perMember := weight(brokers["config"])
	shared := map[string]int{"spec.brokers.config": 0}
	for _, k := range []string{"labels", "annotations"} {
		w := weight(meta[k])
		perGroup += w
		shared["metadata."+k] = w
	}
	for k, v := range brokers {
		if k == "groups" || k == "config" {
			continue
		}
		w := weight(v)
		if k == "placement" {
			// Affinity and tolerations are merged with rocketops' own and kept as objects at
			// every stage: they cost twice what other settings do.
			w *= 2
		}
		perGroup += w
		shared["spec.brokers."+k] = w
	}
	items, _ := brokers["groups"].([]any)
	groups := c.Spec.Brokers.GroupList()
	for i, g := range groups {
		own := 0
		if i < len(items) {
			item, _ := items[i].(map[string]any)
			own = weight(item["config"])
		}
		members := *g.Slaves + 1
		out.values += groupValues + perGroup + members*(perMember+own)
		shared["spec.brokers.config"] += members * perMember
	}
	out.groups = len(groups)
	for _, k := range sortedNames(shared) {
		if w := shared[k]; k != "spec.brokers.config" {
			shared[k] = w * len(groups)
		}
		if shared[k] > out.copies {
			out.largest, out.copies = k, shared[k]
		}
	}
	return out
}

// weight counts the values of v, a long string as one per 32 bytes.
func weight(v any) int {
	switch t := v.(type) {
	case map[string]any:
		n := 1
		for k, x := range t {
			n += 1 + len(k)/32 + weight(x)
		}
		return n
	case []any:
		n := 1
		for _, x := range t {
			n += weight(x)
		}
		return n
	case string:
		return 1 + len(t)/32
	case json.Number:
		return 1 + len(t)/32
	case nil:
		return 0
	}
	return 1
}

// overBudget reports a spec whose environments together compile to more than budget values.
func overBudget(doc *spec.Document, sizes []output, budget int) (diag.Diagnostic, bool) {
	total, worst := 0, output{}
	for _, s := range sizes {
		total += s.values
		// A setting is worth naming when it is a good part of what its environment compiles to.
		if s.copies > worst.copies && s.copies*4 >= s.values {
			worst = s
		}
	}
	if total <= budget {
		return diag.Diagnostic{}, false
	}
	line, col, origin := doc.Position(doc.Root, "/spec/brokers", true)
	d := diag.Diagnostic{File: doc.File, Line: line, Col: col, Pointer: origin,
		Message: fmt.Sprintf("the spec would compile to about %s values of manifests, more than the %s rocketops compiles: %d %s of up to %d broker groups, each group with its own copy of the shared settings",
			thousands(total), thousands(budget), len(sizes), plural(len(sizes), "environment", "environments (the base included)"), maxGroups(sizes)),
		Hint: "use fewer broker groups, slaves or environments"}
	if worst.largest != "" {
		d.Hint = fmt.Sprintf("%s adds the most (%s values in one environment): make it smaller, or use fewer broker groups, slaves or environments", worst.largest, thousands(worst.copies))
	}
	return d, true
}

func maxGroups(sizes []output) int {
	n := 0
	for _, s := range sizes {
		n = max(n, s.groups)
	}
	return n
}

// thousands writes a count with separators: 2,000,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
