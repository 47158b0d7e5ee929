package kubetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
)

func TestFindBinaries(t *testing.T) {
	root, err := moduleRoot()
	require.NoError(t, err)

	tests := []struct {
		name string
		// setup fills the tools folder and returns the value for ROCKETOPS_TOOLS.
		setup       func(t *testing.T) string
		wantMissing string // "" when both binaries should be found
		wantDir     func(tools string) string
	}{
		{
			name:        "empty tools folder",
			setup:       func(t *testing.T) string { return t.TempDir() },
			wantMissing: "etcd and kube-apiserver",
		},
		{
			name: "only etcd built",
			setup: func(t *testing.T) string {
				dir := t.TempDir()
				writeExecutable(t, filepath.Join(dir, "bin", "etcd"))
				return dir
			},
			wantMissing: "kube-apiserver",
		},
		{
			name: "kube-apiserver not executable",
			setup: func(t *testing.T) string {
				dir := t.TempDir()
				writeExecutable(t, filepath.Join(dir, "bin", "etcd"))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "bin", "kube-apiserver"), nil, 0o644))
				return dir
			},
			wantMissing: "kube-apiserver",
		},
		{
			name: "dangling link as tools.sh leaves after a failed build",
			setup: func(t *testing.T) string {
				dir := t.TempDir()
				writeExecutable(t, filepath.Join(dir, "bin", "etcd"))
				require.NoError(t, os.Symlink(filepath.Join(dir, "versions", "gone"), filepath.Join(dir, "bin", "kube-apiserver")))
				return dir
			},
			wantMissing: "kube-apiserver",
		},
		{
			name: "both built",
			setup: func(t *testing.T) string {
				dir := t.TempDir()
				writeExecutable(t, filepath.Join(dir, "bin", "etcd"))
				writeExecutable(t, filepath.Join(dir, "bin", "kube-apiserver"))
				return dir
			},
		},
		{
			name:        "relative path is taken from the module root",
			setup:       func(t *testing.T) string { return "no-such-tools-dir" },
			wantMissing: "etcd and kube-apiserver",
			wantDir:     func(tools string) string { return filepath.Join(root, tools, "bin") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tools := tt.setup(t)
			t.Setenv(ToolsEnv, tools)
			bins, err := FindBinaries()
			if tt.wantMissing == "" {
				require.NoError(t, err)
				assert.Equal(t, filepath.Join(tools, "bin", "etcd"), bins.Etcd)
				assert.Equal(t, filepath.Join(tools, "bin", "kube-apiserver"), bins.KubeAPIServer)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrNotBuilt)
			dir := filepath.Join(tools, "bin")
			if tt.wantDir != nil {
				dir = tt.wantDir(tools)
			}
			assert.Equal(t, fmt.Sprintf("%s not built in %s: run scripts/tools.sh", tt.wantMissing, dir), err.Error())
		})
	}
}

func TestFindBinariesDefaultsToTheCache(t *testing.T) {
	t.Setenv(ToolsEnv, "")
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	_, err := FindBinaries()
	require.Error(t, err, "nothing is built in an empty cache")
	assert.ErrorIs(t, err, ErrNotBuilt)
	assert.Contains(t, err.Error(), filepath.Join(cache, "rocketops", "tools", "bin"))

	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/someone")
	dir, err := DefaultToolsDir()
	require.NoError(t, err)
	assert.Equal(t, "/home/someone/.cache/rocketops/tools", dir)
}

// recordingTB stands in for a test so needBinaries' skip-or-fail choice can be observed without the real
// test being skipped or failed. Embedding testing.TB supplies the unexported method; only what needBinaries
// calls is overridden.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper()                       {}
func (r *recordingTB) Skipf(format string, a ...any) { r.skipped = fmt.Sprintf(format, a...) }
func (r *recordingTB) Fatalf(format string, a ...any) {
	r.fatal = fmt.Sprintf(format, a...)
}

func TestNeedBinariesSkipsOrFails(t *testing.T) {
	tests := []struct {
		name, ci, require string
		wantFatal         bool
	}{
		{name: "local run skips"},
		{name: "CI fails", ci: "true", wantFatal: true},
		{name: "ROCKETOPS_REQUIRE_TOOLS=1 fails", require: "1", wantFatal: true},
		{name: "ROCKETOPS_REQUIRE_TOOLS=0 skips", require: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(ToolsEnv, t.TempDir())
			t.Setenv("CI", tt.ci)
			t.Setenv(RequireToolsEnv, tt.require)
			rec := &recordingTB{TB: t}
			_, ok := needBinaries(rec)
			assert.False(t, ok)
			got := rec.skipped
			if tt.wantFatal {
				assert.Empty(t, rec.skipped)
				got = rec.fatal
			} else {
				assert.Empty(t, rec.fatal)
			}
			assert.Contains(t, got, "not built in ")
			assert.True(t, strings.HasSuffix(got, ": run scripts/tools.sh"), got)
		})
	}
}

// TestStartServesAndStops starts a private server in a subtest and checks that its cleanup stopped both
// processes and freed the port.
func TestStartServesAndStops(t *testing.T) {
	var srv *Server
	t.Run("serve", func(t *testing.T) {
		began := time.Now()
		srv = Start(t)
		t.Logf("startup took %s", time.Since(began))

		dc, err := discovery.NewDiscoveryClientForConfig(srv.Config)
		require.NoError(t, err)
		v, err := dc.ServerVersion()
		require.NoError(t, err)
		assert.Equal(t, "v1.33.13", v.GitVersion)

		for _, p := range []*process{srv.etcd, srv.apiserver} {
			assert.FileExists(t, p.logPath)
		}
	})
	if srv == nil {
		return // skipped: binaries not built
	}
	for _, p := range []*process{srv.etcd, srv.apiserver} {
		select {
		case <-p.done:
		default:
			t.Errorf("%s still running after cleanup", p.name)
		}
	}
	host := strings.TrimPrefix(srv.Config.Host, "https://")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err == nil {
		conn.Close()
	}
	assert.Error(t, err, "apiserver port should be closed after cleanup")
}

func TestStartRejectsWrongToken(t *testing.T) {
	srv := Start(t)
	cfg := *srv.Config
	cfg.BearerToken = "wrong"
	dc, err := discovery.NewDiscoveryClientForConfig(&cfg)
	require.NoError(t, err)
	_, err = dc.ServerVersion()
	require.Error(t, err, "anonymous or unknown callers must be refused")
	assert.True(t, apierrors.IsUnauthorized(err), "want 401, got %v", err)
}

func writeExecutable(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755))
}

// TestStartRetriesWhenAPortIsTaken hands the first attempt a port that is already bound, as happens when
// another process grabs a port between freePorts and the server binding it.
func TestStartRetriesWhenAPortIsTaken(t *testing.T) {
	bins, ok := needBinaries(t)
	if !ok {
		return
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()

	calls := 0
	pickPorts = func(n int) ([]int, error) {
		calls++
		ports, err := freePorts(n)
		if calls == 1 && err == nil {
			ports[0] = taken.Addr().(*net.TCPAddr).Port // etcd's client port
		}
		return ports, err
	}
	t.Cleanup(func() { pickPorts = freePorts })

	var logged []string
	srv, err := start(bins, t.TempDir(), func(format string, a ...any) { logged = append(logged, fmt.Sprintf(format, a...)) })
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, srv.stop()) })

	assert.Equal(t, 2, calls)
	require.Len(t, logged, 1)
	assert.Contains(t, logged[0], "attempt 1: etcd: port already in use: etcd exited during startup")
	assert.Contains(t, logged[0], "etcd.log", "the first attempt's log")
	assert.Equal(t, "etcd-2.log", filepath.Base(srv.etcd.logPath))
	assert.Contains(t, logged[0], "retrying with new ports")
}

func TestSharedNeedsMain(t *testing.T) {
	// This package has no TestMain calling Main, so Shared must refuse instead of leaking a server.
	rec := &recordingTB{TB: t}
	assert.Nil(t, Shared(rec))
	assert.Contains(t, rec.fatal, "kubetest.Main(m)")
	assert.False(t, shared.started, "no server may be started without Main to stop it")
}
