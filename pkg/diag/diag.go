// Package diag holds the findings the compiler reports about a spec: where (file:line:col and a JSON
// pointer), what is wrong, and a hint for fixing it. It formats them the same way for every command and
// leaves deciding what is wrong to the validator.
package diag

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Diagnostic is one problem in a spec.
type Diagnostic struct {
	File    string // file name as the user gave it
	Line    int    // 1-based; 0 when the problem has no place in the file
	Col     int    // 1-based
	Pointer string // JSON pointer into the document, "" for the whole document
	Message string // lower case, no trailing period
	Hint    string // how to fix it, "" when the message says it all
	// Envs names the environments the problem shows up in when it does not show up in all of them.
	Envs []string
	// Warning marks a finding that does not make the spec invalid: it is reported, and the spec compiles.
	Warning bool
	// Internal marks a failure of rocketops itself met while checking the spec (see InternalError):
	// commands exit 2 on it, not 1.
	Internal bool
}

// maxMessage bounds a message: a diagnostic must never echo a megabyte of input back.
const maxMessage = 1024

// Quote quotes a value the user wrote for a message, shortened when it is long.
func Quote(s string) string {
	const keep = 60
	r := []rune(s)
	if len(r) <= keep+10 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d characters)", string(r[:keep]), len(r))
}

// String formats the diagnostic as "file:line:col: pointer: message", with the hint on an indented second line.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, d.Col)
	}
	b.WriteString(": ")
	if d.Pointer != "" {
		b.WriteString(printable(d.Pointer))
		b.WriteString(": ")
	}
	msg := d.Message
	if d.Warning {
		b.WriteString("warning: ")
	}
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "… (shortened)"
	}
	b.WriteString(msg)
	if len(d.Envs) > 0 {
		fmt.Fprintf(&b, " (environment %s)", strings.Join(d.Envs, ", "))
	}
	if d.Hint != "" {
		b.WriteString("\n\thint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// printable escapes what a terminal would act on (line breaks, escape sequences, other control and
// invisible characters) in text taken from the input, as Go writes them in a quoted string.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			q := strconv.Quote(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

// List is a set of diagnostics. It is an error, so a failed validation travels as one value.
type List []Diagnostic

// Sort orders the list by file, position, pointer and message, and drops exact duplicates.
func (l List) Sort() List {
	out := append(List(nil), l...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		return a.Message < b.Message
	})
	seen := map[string]bool{}
	dedup := out[:0]
	for _, d := range out {
		key := d.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		dedup = append(dedup, d)
	}
	return dedup
}

// Error returns the whole report, as Write prints it.
func (l List) Error() string {
	var b strings.Builder
	_ = l.Write(&b)
	return strings.TrimRight(b.String(), "\n")
}

// Write prints every diagnostic and a closing count line ("2 errors in cluster.yaml").
func (l List) Write(w io.Writer) error {
	l = l.Sort()
	for _, d := range l {
		if _, err := fmt.Fprintln(w, d.String()); err != nil {
			return err
		}
	}
	files := map[string]bool{}
	var names []string
	for _, d := range l {
		if !files[d.File] {
			files[d.File] = true
			names = append(names, d.File)
		}
	}
	warnings := len(l.Warnings())
	errs := len(l) - warnings
	count := fmt.Sprintf("%d %s", errs, plural(errs, "error", "errors"))
	switch {
	case warnings > 0 && errs == 0:
		count = fmt.Sprintf("%d %s", warnings, plural(warnings, "warning", "warnings"))
	case warnings > 0:
		count += fmt.Sprintf(" and %d %s", warnings, plural(warnings, "warning", "warnings"))
	}
	_, err := fmt.Fprintf(w, "%s in %s\n", count, strings.Join(names, ", "))
	return err
}

// Internal reports whether the list holds a failure of rocketops itself.
func (l List) Internal() bool {
	for _, d := range l {
		if d.Internal {
			return true
		}
	}
	return false
}

// Errors returns the findings that make a spec invalid.
func (l List) Errors() List { return l.filter(false) }

// Warnings returns the findings that do not.
func (l List) Warnings() List { return l.filter(true) }

func (l List) filter(warning bool) List {
	var out List
	for _, d := range l {
		if d.Warning == warning {
			out = append(out, d)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Closest returns the candidate nearest to word, for "did you mean" hints: within about a third of
// the word's length (Nearest's limit).
func Closest(word string, candidates []string) string {
	return Nearest(word, candidates, len(word)/3+1)
}

// Nearest is the one did-you-mean chooser: among candidates at most limit edits from word, ignoring
// case, the one with the fewest; ties go to the one with fewer edits when case counts, then to the
// one that sorts first, so hints never depend on the candidates' order. It returns "" when nothing is
// that close. Candidates whose length alone rules them out are not compared.
func Nearest(word string, candidates []string, limit int) string {
	if word == "" {
		return ""
	}
	lw := strings.ToLower(word)
	n := utf8.RuneCountInString(lw)
	best, bestDist, bestCase := "", limit+1, 0
	for _, c := range candidates {
		if d := utf8.RuneCountInString(c) - n; d > limit || -d > limit {
			continue
		}
		d := Distance(lw, strings.ToLower(c))
		if d > bestDist {
			continue
		}
		dc := Distance(word, c)
		if d < bestDist || dc < bestCase || (dc == bestCase && c < best) {
			best, bestDist, bestCase = c, d, dc
		}
	}
	return best
}

// Distance is the optimal string alignment distance between a and b, by characters: insertions,
// deletions, substitutions and swaps of neighbours each count one edit ("flushDiskTpye" is one edit
// from "flushDiskType").
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rolling rows: the swap rule looks two rows back.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
