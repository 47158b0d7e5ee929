package drift_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/drift"
)

const twoContexts = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "https://prod.example.com:6443"}
- name: staging
  cluster: {server: "https://staging.example.com:6443"}
users:
- name: admin
  user: {token: abc}
contexts:
- name: prod-eu
  context: {cluster: prod, user: admin}
- name: staging-eu
  context: {cluster: staging, user: admin}
- name: broken
  context: {cluster: nowhere, user: admin}
current-context: staging-eu
`

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestDriftLoadConfig(t *testing.T) {
	good := writeFile(t, "config", twoContexts)
	noCurrent := writeFile(t, "config", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://c.example.com"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: only, context: {cluster: c, user: u}}]
`)
	missing := filepath.Join(t.TempDir(), "absent")
	for _, tc := range []struct {
		name      string
		k         drift.Kubeconfig
		server    string // on success
		context   string
		msg, hint string // on failure, parts of the error and its hint
	}{
		{name: "current context", k: drift.Kubeconfig{Path: good}, server: "https://staging.example.com:6443", context: "staging-eu"},
		{name: "named context", k: drift.Kubeconfig{Path: good, Context: "prod-eu"}, server: "https://prod.example.com:6443", context: "prod-eu"},
		{name: "KUBECONFIG list skips missing files", k: drift.Kubeconfig{Paths: []string{missing, good}}, server: "https://staging.example.com:6443", context: "staging-eu"},
		{name: "default file", k: drift.Kubeconfig{Default: good, Context: "prod-eu"}, server: "https://prod.example.com:6443", context: "prod-eu"},
		{name: "--kubeconfig that does not exist", k: drift.Kubeconfig{Path: missing},
			msg: "cannot read kubeconfig " + missing + ": no such file or directory", hint: "--kubeconfig"},
		{name: "no kubeconfig anywhere", k: drift.Kubeconfig{Default: missing},
			msg: "no kubeconfig with a context found (looked in " + missing + ")", hint: "KUBECONFIG"},
		{name: "nothing given at all", k: drift.Kubeconfig{},
			msg: "no kubeconfig with a context found (looked in (none given))", hint: "--kubeconfig"},
		{name: "not YAML", k: drift.Kubeconfig{Path: writeFile(t, "config", "clusters: [unclosed\n")},
			msg: "cannot read kubeconfig", hint: "kind: Config"},
		{name: "a YAML list", k: drift.Kubeconfig{Path: writeFile(t, "config", "- a\n- b\n")},
			msg: "cannot read kubeconfig", hint: "kind: Config"},
		{name: "binary junk", k: drift.Kubeconfig{Path: writeFile(t, "config", "\x00\x01\xff\xfe")},
			msg: "cannot read kubeconfig"},
		{name: "unknown context, close to one", k: drift.Kubeconfig{Path: good, Context: "prod-e"},
			msg: `context "prod-e" is not in kubeconfig ` + good, hint: `did you mean "prod-eu"?`},
		{name: "unknown context", k: drift.Kubeconfig{Path: good, Context: "qa"},
			msg: `context "qa" is not in kubeconfig`, hint: "contexts in it: broken, prod-eu, staging-eu"},
		{name: "no current context", k: drift.Kubeconfig{Path: noCurrent},
			msg: "sets no current context", hint: "choose one with --context: only"},
		{name: "context without its cluster", k: drift.Kubeconfig{Path: good, Context: "broken"},
			msg: `context "broken" of kubeconfig ` + good + " cannot be used", hint: "kubectl config view --context broken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, target, err := drift.LoadConfig(tc.k)
			if tc.msg == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.server, cfg.Host)
				assert.Equal(t, drift.Target{Context: tc.context, Server: tc.server}, target)
				return
			}
			var ce *drift.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Msg, tc.msg)
			assert.Contains(t, ce.Hint, tc.hint)
		})
	}
}
