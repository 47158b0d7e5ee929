package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketops/rocketops/pkg/render"
)

// State is what a finding says about an object.
type State string

// The states of a finding. An object in sync has no finding.
const (
	Missing State = "missing" // generated, not in the cluster
	Changed State = "changed" // in the cluster, with fields that differ
	Extra   State = "extra"   // in the cluster with the cluster's labels, no longer generated
	Failed  State = "error"   // could not be compared: the dry run was refused, reading was forbidden …
)

// ObjectID names an object.
type ObjectID struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"` // empty when a whole kind could not be listed
}

func idOf(u *unstructured.Unstructured) ObjectID {
	return ObjectID{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
}

// String names the object as kubectl's output does: kind, then namespace/name.
func (id ObjectID) String() string {
	name := id.Name
	if name == "" {
		name = "(all)"
	}
	if id.Namespace != "" {
		name = id.Namespace + "/" + name
	}
	return id.Kind + " " + name
}

// Finding is an object that is not in sync, or could not be compared.
type Finding struct {
	Object  ObjectID
	State   State
	Changes []Change // with Changed, sorted by path
	Error   string   // with Failed
	Hint    string   // with Failed, what to do about it
}

// Change is one field that differs, named by a JSON pointer (RFC 6901) into the object. A field only
// one side has leaves the other side's Has… false. Secret values are masked.
type Change struct {
	Path       string
	Desired    any // the value after an apply of what the spec compiles to
	Live       any // the value in the cluster
	HasDesired bool
	HasLive    bool
}

// MarshalJSON writes a change as {"path", "desired", "live"}, leaving out the side that lacks the field.
func (c Change) MarshalJSON() ([]byte, error) {
	m := map[string]any{"path": c.Path}
	if c.HasDesired {
		m["desired"] = c.Desired
	}
	if c.HasLive {
		m["live"] = c.Live
	}
	return jsonMarshal(m)
}

// Report is the outcome of Compare. The caller fills in where the objects came from and which
// cluster they were compared with, for the header.
type Report struct {
	Spec, Cluster, Environment string // the spec's file, its metadata.name, the environment
	Context, Server            string // the kubeconfig context and its server
	Namespace                  string // the environment's namespace
	NamespaceMissing           bool   // the namespace does not exist: every object in it is missing
	Objects                    int    // generated objects compared
	InSync                     int    // of them, those that match
	Findings                   []Finding
}

// Count returns the number of findings in state s.
func (r *Report) Count(s State) int {
	n := 0
	for _, f := range r.Findings {
		if f.State == s {
			n++
		}
	}
	return n
}

// Drifted reports whether an object is missing, changed or extra.
func (r *Report) Drifted() bool {
	return r.Count(Missing)+r.Count(Changed)+r.Count(Extra) > 0
}

// Summary says in one line what the report found.
func (r *Report) Summary() string {
	var parts []string
	for _, s := range []State{Missing, Changed, Extra} {
		if n := r.Count(s); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	what := "no drift"
	if len(parts) > 0 {
		what = "drift: " + strings.Join(parts, ", ")
	}
	s := fmt.Sprintf("%s (%d of %d generated objects in sync", what, r.InSync, r.Objects)
	if n := r.Count(Failed); n > 0 {
		s += fmt.Sprintf("; %d could not be compared", n)
	}
	return s + ")"
}

// sortFindings orders findings as the compiler orders objects (render.Sort): by install order of
// kind, then namespace and name.
func sortFindings(fs []Finding) {
	objs := make([]render.Object, len(fs))
	for i, f := range fs {
		objs[i] = render.Object{APIVersion: f.Object.APIVersion, Kind: f.Object.Kind, Namespace: f.Object.Namespace, Name: f.Object.Name,
			Value: map[string]any{"finding": i}}
	}
	render.Sort(objs)
	sorted := make([]Finding, len(fs))
	for i, o := range objs {
		sorted[i] = fs[o.Value["finding"].(int)]
	}
	copy(fs, sorted)
}

// marks lead each finding in the text report, as in a plan: what an apply would create, change or
// (with pruning) delete.
var marks = map[State]string{Missing: "+", Changed: "~", Extra: "-", Failed: "!"}

// WriteText writes the report for people: a header naming the cluster, each finding with its fields,
// and the summary.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cluster %q, environment %s, namespace %s", r.Cluster, r.Environment, r.Namespace)
	if r.Context != "" || r.Server != "" {
		fmt.Fprintf(&b, ", against context %s (%s)", r.Context, r.Server)
	}
	b.WriteString("\n")
	if r.NamespaceMissing {
		fmt.Fprintf(&b, "namespace %s does not exist: nothing of this environment is deployed\n", r.Namespace)
	}
	if len(r.Findings) > 0 {
		b.WriteString("\n")
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s: %s\n", marks[f.State], f.Object, describe(f))
		for _, c := range f.Changes {
			writeChange(&b, c)
		}
		if f.State == Failed {
			fmt.Fprintf(&b, "    %s\n", indent(f.Error, "    "))
			if f.Hint != "" {
				fmt.Fprintf(&b, "    hint: %s\n", f.Hint)
			}
		}
	}
	b.WriteString("\n" + r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func describe(f Finding) string {
	switch f.State {
	case Missing:
		return "missing from the cluster"
	case Changed:
		n := len(f.Changes)
		if n == 1 {
			return "1 field differs"
		}
		return fmt.Sprintf("%d fields differ", n)
	case Extra:
		return "in the cluster with the cluster's labels, but no longer generated"
	}
	return "could not be compared"
}

// writeChange writes one field: its pointer, then the desired and live values, or for text of several
// lines a line diff from live to desired.
func writeChange(b *strings.Builder, c Change) {
	mark := "~"
	switch {
	case !c.HasLive:
		mark = "+"
	case !c.HasDesired:
		mark = "-"
	}
	fmt.Fprintf(b, "    %s %s\n", mark, c.Path)
	ds, dok := c.Desired.(string)
	ls, lok := c.Live.(string)
	if dok && lok && (strings.Contains(ds, "\n") || strings.Contains(ls, "\n")) {
		diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(ls), B: difflib.SplitLines(ds), FromFile: "live", ToFile: "desired", Context: 1,
		})
		for _, line := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
			fmt.Fprintf(b, "        %s\n", line)
		}
		return
	}
	fmt.Fprintf(b, "        desired: %s\n", side(c.Desired, c.HasDesired))
	fmt.Fprintf(b, "        live:    %s\n", side(c.Live, c.HasLive))
}

func side(v any, has bool) string {
	if !has {
		return "(absent)"
	}
	return formatValue(v)
}

func indent(s, by string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+by)
}

// JSONVersion is the version of the JSON form; fields may be added within it, none changes meaning.
const JSONVersion = 1

type jsonReport struct {
	Version          int          `json:"version"`
	Spec             string       `json:"spec"`
	Cluster          string       `json:"cluster"`
	Environment      string       `json:"environment"`
	Namespace        string       `json:"namespace"`
	NamespaceMissing bool         `json:"namespaceMissing"`
	Context          string       `json:"context"`
	Server           string       `json:"server"`
	Drift            bool         `json:"drift"`
	Counts           jsonCounts   `json:"counts"`
	Objects          []jsonObject `json:"objects"`
	Summary          string       `json:"summary"`
}

type jsonCounts struct {
	Compared int `json:"compared"`
	InSync   int `json:"inSync"`
	Missing  int `json:"missing"`
	Changed  int `json:"changed"`
	Extra    int `json:"extra"`
	Errors   int `json:"errors"`
}

type jsonObject struct {
	ObjectID
	State   State    `json:"state"`
	Changes []Change `json:"changes,omitempty"`
	Error   string   `json:"error,omitempty"`
	Hint    string   `json:"hint,omitempty"`
}

// WriteJSON writes the report as one JSON document (see README.md, "rocketops drift").
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		Version: JSONVersion, Spec: r.Spec, Cluster: r.Cluster, Environment: r.Environment,
		Namespace: r.Namespace, NamespaceMissing: r.NamespaceMissing, Context: r.Context, Server: r.Server,
		Drift: r.Drifted(),
		Counts: jsonCounts{Compared: r.Objects, InSync: r.InSync, Missing: r.Count(Missing), Changed: r.Count(Changed),
			Extra: r.Count(Extra), Errors: r.Count(Failed)},
		Objects: []jsonObject{},
		Summary: r.Summary(),
	}
	for _, f := range r.Findings {
		out.Objects = append(out.Objects, jsonObject{ObjectID: f.Object, State: f.State, Changes: f.Changes, Error: f.Error, Hint: f.Hint})
	}
	b, err := jsonIndent(out)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// WriteErrorJSON writes the JSON document of a run that could not compare at all: the header, and the
// error with its hint.
func WriteErrorJSON(w io.Writer, r *Report, msg, hint string) error {
	b, err := jsonIndent(map[string]any{
		"version": JSONVersion, "spec": r.Spec, "cluster": r.Cluster, "environment": r.Environment,
		"namespace": r.Namespace, "context": r.Context, "server": r.Server,
		"error": msg, "hint": hint,
	})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// jsonMarshal is json.Marshal without HTML escaping, so that "<" and "&" in values read as written.
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func jsonIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
