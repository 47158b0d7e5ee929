package cli_test

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/cli"
)

// kubeconfigFor writes a kubeconfig whose one context, "test", points at server.
func kubeconfigFor(t *testing.T, server string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	body := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "` + server + `", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: test, context: {cluster: c, user: u}}]
current-context: test
`
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestDriftUsage covers what drift refuses before it talks to any cluster, each with exit 2, the
// exact problem and a hint.
func TestDriftUsage(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	t.Setenv("HOME", t.TempDir())
	invalid := filepath.Join(t.TempDir(), "cluster.yaml")
	require.NoError(t, os.WriteFile(invalid, []byte(smallInvalid), 0o600))
	good := kubeconfigFor(t, "https://127.0.0.1:1")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"several environments, none named", []string{"drift", environments, "--kubeconfig", good},
			[]string{"error: " + environments + " has 3 environments: dev, prod, staging", "hint: name the one to compare with --env, e.g. --env dev"}},
		{"unknown environment", []string{"drift", environments, "--env", "prd", "--kubeconfig", good},
			[]string{`error: unknown environment "prd"`, `hint: did you mean "prod"?`}},
		{"environment of a spec without environments", []string{"drift", quickstart, "--env", "prod", "--kubeconfig", good},
			[]string{`error: unknown environment "prod"`, "hint: the spec's environments: default"}},
		{"unknown output format", []string{"drift", quickstart, "-o", "github"},
			[]string{`error: unknown output format "github"`, "hint: use -o text or -o json"}},
		{"no time", []string{"drift", quickstart, "--timeout", "0s"},
			[]string{"error: --timeout must be more than 0, got 0s"}},
		{"no spec", []string{"drift"}, []string{"error: accepts 1 arg(s), received 0", "hint: see rocketops drift --help"}},
		{"missing spec", []string{"drift", "nope.yaml"}, []string{"error: cannot read spec: stat nope.yaml: no such file or directory"}},
		{"invalid spec", []string{"drift", invalid}, []string{"/spec/brokers/grups", "hint: fix the spec before comparing it with a cluster"}},
		{"no kubeconfig", []string{"drift", quickstart},
			[]string{"error: no kubeconfig with a context found", "hint: give one with --kubeconfig FILE or the KUBECONFIG environment variable"}},
		{"kubeconfig that does not exist", []string{"drift", quickstart, "--kubeconfig", "/nonexistent/kubeconfig"},
			[]string{"error: cannot read kubeconfig /nonexistent/kubeconfig: no such file or directory"}},
		{"unknown context", []string{"drift", quickstart, "--kubeconfig", good, "--context", "tset"},
			[]string{`error: context "tset" is not in kubeconfig ` + good, `hint: did you mean "test"?`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			assert.Equal(t, cli.ExitError, code, "stderr:\n%s", stderr)
			assert.Empty(t, stdout)
			for _, want := range tc.stderr {
				assert.Contains(t, stderr, want)
			}
		})
	}
}

// TestDriftUnreachable: a server that never answers ends the run at --timeout with exit 2; with -o
// json the error is a JSON document too.
func TestDriftUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	kc := kubeconfigFor(t, "https://"+l.Addr().String())
	began := time.Now()
	code, stdout, stderr := runCLI(t, "drift", quickstart, "--kubeconfig", kc, "--timeout", "1s", "-o", "json")
	assert.Less(t, time.Since(began), 5*time.Second)
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, stderr, "did not answer in time: timed out after 1s")
	assert.Contains(t, stderr, "hint: check that the server is up")
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	assert.Equal(t, float64(1), doc["version"])
	assert.Equal(t, "test", doc["context"])
	assert.Equal(t, "default", doc["environment"])
	assert.Contains(t, doc["error"], "did not answer in time")
	assert.Contains(t, doc["hint"], "--timeout")
}

func TestDriftHelp(t *testing.T) {
	code, stdout, _ := runCLI(t, "drift", "--help")
	require.Equal(t, cli.ExitOK, code)
	for _, want := range []string{"--env", "--kubeconfig", "--context", "--timeout", "-o, --output", "Exit codes: 0 no drift, 1 drift, 2 error"} {
		assert.Contains(t, stdout, want)
	}
}
