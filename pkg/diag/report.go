package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// ReportVersion is the version of the JSON report's shape. It changes only when a field changes
// meaning or goes away; new fields may appear within a version.
const ReportVersion = 1

// Report is the machine-readable result of checking some spec files (`-o json`).
type Report struct {
	Version  int          `json:"version"`            // ReportVersion
	Files    []FileResult `json:"files"`              // every file given, in order
	Findings []Finding    `json:"findings"`           // sorted by file and position
	Errors   int          `json:"errors"`             // findings with severity "error"
	Warnings int          `json:"warnings"`           // findings with severity "warning"
	Changed  []string     `json:"changed,omitempty"`  // diff only: files that differ from the spec
	Diff     string       `json:"diff,omitempty"`     // diff only: the unified diff text
	Summary  string       `json:"summary,omitempty"`  // diff only: what differs and how to update it
	Problems []string     `json:"problems,omitempty"` // what stopped the run (unreadable input), not about a spec's content
}

// FileResult says whether one file is a valid spec.
type FileResult struct {
	File         string   `json:"file"`
	Valid        bool     `json:"valid"`
	Environments []string `json:"environments,omitempty"` // of a valid spec
}

// Finding is one diagnostic in the report.
type Finding struct {
	File         string   `json:"file"`
	Line         int      `json:"line"`   // 1-based; 0 when the finding has no place in the file
	Column       int      `json:"column"` // 1-based
	Pointer      string   `json:"pointer"`
	Severity     string   `json:"severity"` // "error" or "warning"
	Message      string   `json:"message"`
	Hint         string   `json:"hint,omitempty"`
	Environments []string `json:"environments,omitempty"` // where the finding shows up only in some
}

// Findings turns the list into report findings, sorted.
func (l List) Findings() []Finding {
	out := []Finding{}
	for _, d := range l.Sort() {
		sev := "error"
		if d.Warning {
			sev = "warning"
		}
		out = append(out, Finding{File: d.File, Line: d.Line, Column: d.Col, Pointer: d.Pointer, Severity: sev,
			Message: d.Message, Hint: d.Hint, Environments: d.Envs})
	}
	return out
}

// Add records a file's findings in the report.
func (r *Report) Add(file string, l List, envs []string) {
	r.Files = append(r.Files, FileResult{File: file, Valid: len(l.Errors()) == 0, Environments: envs})
	r.Findings = append(r.Findings, l.Findings()...)
	r.Warnings += len(l.Warnings())
	r.Errors += len(l) - len(l.Warnings())
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	r.Version = ReportVersion
	if r.Files == nil {
		r.Files = []FileResult{}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteGitHub writes each finding as a GitHub Actions workflow command (::error / ::warning), which the
// runner shows as an annotation on the file and line of the pull request.
func WriteGitHub(w io.Writer, l List) error {
	for _, f := range l.Findings() {
		props := []string{"file=" + ghProperty(f.File)}
		if f.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Line), fmt.Sprintf("col=%d", f.Column))
		}
		title := "rocketops"
		if f.Pointer != "" {
			title += " " + f.Pointer
		}
		props = append(props, "title="+ghProperty(title))
		msg := f.Message
		if len(f.Environments) > 0 {
			msg += " (environment " + strings.Join(f.Environments, ", ") + ")"
		}
		if f.Hint != "" {
			msg += "\nhint: " + f.Hint
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", f.Severity, strings.Join(props, ","), ghData(msg)); err != nil {
			return err
		}
	}
	return nil
}

// ghData escapes a workflow command's message the way the runner unescapes it.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
