package kubetest

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Kubeconfig writes a kubeconfig file that reaches the server, for command-line tools (helm,
// kubectl) that a test runs against it, and returns its path. The file lives in tb's temp dir.
func (s *Server) Kubeconfig(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "kubeconfig")
	body := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: test
  user:
    token: %s
contexts:
- name: test
  context: {cluster: test, user: test}
current-context: test
`, s.Config.Host, base64.StdEncoding.EncodeToString(s.Config.TLSClientConfig.CAData), s.Config.BearerToken)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatalf("kubetest: write kubeconfig: %v", err)
	}
	return path
}
