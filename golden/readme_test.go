package golden_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/rocketops/rocketops/pkg/cli"
)

// fencedBlocks returns the README's fenced code blocks with their language.
func fencedBlocks(t *testing.T) []struct{ lang, body string } {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	var out []struct{ lang, body string }
	lines := strings.Split(string(readme), "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		lang := strings.TrimPrefix(lines[i], "```")
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		out = append(out, struct{ lang, body string }{lang, strings.Join(body, "\n") + "\n"})
	}
	require.NotEmpty(t, out)
	return out
}

// TestReadmeBlocksParse parses every YAML and JSON block of the README: the workflows, Argo CD and
// Flux objects, specs and reports it shows are at least well-formed (the specs and GitOps objects are
// checked further by TestReadmeSpecsAreValid and TestReadmeGitOpsExamples).
func TestReadmeBlocksParse(t *testing.T) {
	n := map[string]int{}
	for _, b := range fencedBlocks(t) {
		switch b.lang {
		case "yaml":
			dec := yaml.NewDecoder(strings.NewReader(b.body))
			for {
				var doc yaml.Node
				err := dec.Decode(&doc)
				if err != nil {
					require.Equal(t, "EOF", err.Error(), "a YAML block of the README does not parse:\n%s", b.body)
					break
				}
			}
		case "json":
			var v any
			require.NoError(t, json.Unmarshal([]byte(b.body), &v), "a JSON block of the README does not parse:\n%s", b.body)
		default:
			continue
		}
		n[b.lang]++
	}
	assert.Positive(t, n["yaml"])
	assert.Positive(t, n["json"])
}

// readmeCommand finds a rocketops command line: at the start of a line, after a prompt, a workflow's
// run: or `go run ./cmd/rocketops`, or after environment assignments.
var readmeCommand = regexp.MustCompile(`^(?:\s*(?:\$ |- run: |go run \./cmd/)?)(?:[A-Z_]+=\S+ )*rocketops ((?:compile|validate|diff|drift|argocd|schema|explain|version|completion)\b.*)$`)

// TestReadmeCommandsParse runs every rocketops command line the README shows through the real command
// tree with --help added: each names a command that exists and only flags it takes, so a renamed flag
// cannot leave the walkthroughs behind.
func TestReadmeCommandsParse(t *testing.T) {
	n := 0
	for _, b := range fencedBlocks(t) {
		for _, line := range strings.Split(b.body, "\n") {
			m := readmeCommand.FindStringSubmatch(line)
			if m == nil || strings.Contains(m[1], "[") {
				continue // not a command, or a synopsis ([--flag VALUE])
			}
			cmd := m[1]
			for _, stop := range []string{" #", " |", " >", " &&"} {
				if i := strings.Index(cmd, stop); i >= 0 {
					cmd = cmd[:i]
				}
			}
			args := shellWords(t, cmd)
			var stdout, stderr bytes.Buffer
			code := cli.Run(append(args, "--help"), strings.NewReader(""), &stdout, &stderr)
			assert.Equal(t, 0, code, "README command `rocketops %s` does not parse: %s", cmd, stderr.String())
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 8, "the README shows rocketops commands")
}

// shellWords splits a command line the way a shell would for the simple lines the README has: words
// separated by spaces, double quotes kept together.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote, have = !inQuote, true
		case r == ' ' && !inQuote:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	require.False(t, inQuote, "unbalanced quotes in %q", s)
	if have {
		out = append(out, cur.String())
	}
	return out
}
