package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/diag"
)

func TestValidateJSON(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, filepath.Join(dir, "bad.yaml"), smallInvalid)
	small := writeFile(t, filepath.Join(dir, "small.yaml"), smallBroker)
	code, stdout, stderr := run(t, "validate", "-o", "json", quickstart, bad, small)
	assert.Equal(t, 1, code)
	assert.Empty(t, stderr, "json goes to stdout alone")
	var r diag.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &r), stdout)
	assert.Equal(t, 1, r.Version)
	assert.Equal(t, []diag.FileResult{
		{File: quickstart, Valid: true, Environments: []string{"default"}},
		{File: bad, Valid: false},
		{File: small, Valid: true, Environments: []string{"default"}},
	}, r.Files)
	assert.Equal(t, 2, r.Errors)
	assert.Equal(t, 1, r.Warnings)
	require.Len(t, r.Findings, 3)
	assert.Equal(t, diag.Finding{File: bad, Line: 10, Column: 5, Pointer: "/spec/brokers/grups", Severity: "error",
		Message: `unknown field "grups"`, Hint: `did you mean "groups"?`}, r.Findings[1])
	assert.Equal(t, "warning", r.Findings[2].Severity)
	assert.Equal(t, "/spec/brokers/resources/limits/memory", r.Findings[2].Pointer)
}

func TestValidateJSONValidAndUnreadable(t *testing.T) {
	code, stdout, _ := run(t, "validate", "-o", "json", quickstart)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, `"findings": []`, "an empty list, not null")

	code, stdout, stderr := run(t, "validate", "-o", "json", filepath.Join(t.TempDir(), "missing.yaml"), quickstart)
	assert.Equal(t, 2, code, "an unreadable file is an error, not a finding")
	assert.Empty(t, stderr)
	var r diag.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	require.Len(t, r.Problems, 1)
	assert.Contains(t, r.Problems[0], "cannot read spec")
	assert.Len(t, r.Files, 1, "the readable file is still checked")
}

func TestValidateGitHub(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, filepath.Join(dir, "bad.yaml"), smallInvalid)
	code, stdout, _ := run(t, "validate", "-o", "github", bad)
	assert.Equal(t, 1, code)
	assert.Equal(t, "::error file="+bad+",line=8,col=15,title=rocketops /spec/nameServer/replicas::must be >= 1 but found 0\n"+
		"::error file="+bad+",line=10,col=5,title=rocketops /spec/brokers/grups::unknown field \"grups\"%0Ahint: did you mean \"groups\"?\n", stdout)
}

func TestGitHubEscaping(t *testing.T) {
	var b strings.Builder
	require.NoError(t, diag.WriteGitHub(&b, diag.List{{File: "a,b:c.yaml", Line: 1, Col: 2, Pointer: "/x", Message: "100% wrong\nreally", Warning: true}}))
	assert.Equal(t, "::warning file=a%2Cb%3Ac.yaml,line=1,col=2,title=rocketops /x::100%25 wrong%0Areally\n", b.String())
}

func TestOutputFormatIsChecked(t *testing.T) {
	code, _, stderr := run(t, "validate", "-o", "yaml", quickstart)
	assert.Equal(t, 2, code)
	assert.Equal(t, "error: unknown output format \"yaml\"\n\thint: use -o text, -o json, -o github\n", stderr)
}

func TestVersionBuildInfo(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, _ := run(t, args...)
		assert.Equal(t, 0, code)
		assert.True(t, strings.HasPrefix(stdout, "rocketops "), stdout)
		assert.Contains(t, stdout, "\nrevision: ")
		assert.Contains(t, stdout, "\ngo: go1.")
		assert.Contains(t, stdout, "\nRocketMQ versions: 4.9.0, 4.9.1, ")
		assert.Contains(t, stdout, "5.3.3\n")
	}
}

func TestCompletionOffers(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"targets", []string{"__complete", "compile", quickstart, "-t", ""}, []string{"kustomize", "manifests", "helm", "argocd", "flux"}},
		{"environments of the spec", []string{"__complete", "compile", environments, "-e", ""}, []string{"dev", "prod", "staging"}},
		{"diff environments", []string{"__complete", "diff", environments, "out", "-e", ""}, []string{"dev", "prod", "staging"}},
		{"components", []string{"__complete", "explain", "--keys", ""}, []string{"broker", "namesrv", "controller", "proxy"}},
		{"field paths", []string{"__complete", "explain", "spec.console.serv"}, []string{"spec.console.service", "spec.console.service.nodePort", "spec.console.service.port", "spec.console.service.type"}},
		{"output formats", []string{"__complete", "validate", quickstart, "-o", ""}, []string{"text", "json", "github"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, _ := run(t, tc.args...)
			require.Equal(t, 0, code)
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			require.NotEmpty(t, lines)
			assert.Equal(t, tc.want, lines[:len(lines)-1], "the last line is the directive")
		})
	}
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		code, stdout, _ := run(t, "completion", sh)
		assert.Equal(t, 0, code, sh)
		assert.Contains(t, stdout, "rocketops", sh)
	}
	code, stdout, stderr := run(t, "completion", "tcsh")
	assert.Equal(t, 2, code, "an unsupported shell is an error")
	assert.Empty(t, stdout)
	assert.Equal(t, "error: unknown shell \"tcsh\"\n\thint: rocketops writes completion scripts for bash, fish, powershell, zsh\n", stderr)
}

func TestDiffReports(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	mustRun(t, "compile", quickstart, "-o", dir)

	code, stdout, stderr := run(t, "diff", "-o", "json", quickstart, dir)
	require.Equal(t, 0, code, stderr)
	var r diag.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	assert.Empty(t, r.Changed)
	assert.Empty(t, r.Summary)

	file := filepath.Join(dir, "base", "namesrv.yaml")
	writeFile(t, file, strings.Replace(readFile(t, file), "replicas: 1", "replicas: 2", 1))
	code, stdout, stderr = run(t, "diff", "-o", "json", quickstart, dir)
	assert.Equal(t, 1, code)
	assert.Empty(t, stderr, "json goes to stdout alone")
	r = diag.Report{}
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	assert.Equal(t, []string{"base/namesrv.yaml"}, r.Changed)
	assert.Contains(t, r.Diff, "-  replicas: 2\n+  replicas: 1\n")
	assert.Contains(t, r.Summary, "differs from what "+quickstart+" compiles to; to update it, run: rocketops compile")

	code, stdout, _ = run(t, "diff", "-o", "github", quickstart, dir)
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasPrefix(stdout, "::error file="+dir+"/base/namesrv.yaml,title=rocketops diff::"+dir+" differs"), stdout)

	bad := writeFile(t, filepath.Join(t.TempDir(), "bad.yaml"), smallInvalid)
	code, stdout, _ = run(t, "diff", "-o", "github", bad, dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "::error file="+bad+",line=8,col=15,title=rocketops /spec/nameServer/replicas::must be >= 1 but found 0\n")
}

// TestReadmeJSONExample: the README's -o json example is what validate prints for a spec whose one
// mistake is the misspelt groups on line 10.
func TestReadmeJSONExample(t *testing.T) {
	readme := readFile(t, filepath.Join("..", "..", "README.md"))
	const start = "`-o json` prints one JSON document"
	i := strings.Index(readme, start)
	require.GreaterOrEqual(t, i, 0)
	block := readme[i:]
	block = block[strings.Index(block, "```json\n")+len("```json\n"):]
	block = block[:strings.Index(block, "```")]
	var want any
	require.NoError(t, json.Unmarshal([]byte(block), &want), "the README's example is JSON")

	dir := t.TempDir()
	spec := "apiVersion: rocketops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: rmq\nspec:\n  version: \"5.3.3\"\n  nameServer:\n    replicas: 1\n  brokers:\n    grups: 2\n"
	writeFile(t, filepath.Join(dir, "cluster.yaml"), spec)
	t.Chdir(dir)
	code, stdout, _ := run(t, "validate", "-o", "json", "cluster.yaml")
	require.Equal(t, 1, code)
	var got any
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, want, got)
}
