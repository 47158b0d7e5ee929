package kubetest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ToolsEnv names the environment variable that points at a tools folder other than the default cache
// (see DefaultToolsDir); the binaries are in its bin subfolder. scripts/tools.sh honours the same variable.
const ToolsEnv = "ROCKETOPS_TOOLS"

// RequireToolsEnv, set to 1, makes missing binaries fail tests instead of skipping them, as a non-empty CI does.
const RequireToolsEnv = "ROCKETOPS_REQUIRE_TOOLS"

// ErrNotBuilt is wrapped by FindBinaries' error when a binary is missing.
var ErrNotBuilt = errors.New("not built")

// Binaries holds the paths of the server binaries the harness runs.
type Binaries struct {
	Etcd          string
	KubeAPIServer string
}

// DefaultToolsDir is where scripts/tools.sh caches the tools when ROCKETOPS_TOOLS is unset: outside the
// clone, so that every clone and CI run on a machine reuses them.
func DefaultToolsDir() (string, error) {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the tools cache: %w: set %s", err, ToolsEnv)
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "rocketops", "tools"), nil
}

// FindBinaries locates etcd and kube-apiserver in $ROCKETOPS_TOOLS/bin, or in DefaultToolsDir()/bin. A
// relative ROCKETOPS_TOOLS is taken relative to the module root (the nearest folder at or above the working
// directory that holds go.mod), because go test runs each package in its own folder. It builds nothing; when
// a binary is missing the error wraps ErrNotBuilt and says to run scripts/tools.sh.
func FindBinaries() (Binaries, error) {
	binDir, err := toolsBinDir()
	if err != nil {
		return Binaries{}, err
	}
	b := Binaries{
		Etcd:          filepath.Join(binDir, "etcd"),
		KubeAPIServer: filepath.Join(binDir, "kube-apiserver"),
	}
	var missing []string
	for _, p := range []string{b.Etcd, b.KubeAPIServer} {
		// Stat follows the bin/NAME link tools.sh makes, so a dangling link counts as missing.
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			missing = append(missing, filepath.Base(p))
		}
	}
	if len(missing) > 0 {
		return Binaries{}, fmt.Errorf("%s %w in %s: run scripts/tools.sh", strings.Join(missing, " and "), ErrNotBuilt, binDir)
	}
	return b, nil
}

// toolsBinDir is the folder FindBinaries looks in.
func toolsBinDir() (string, error) {
	env := os.Getenv(ToolsEnv)
	if env != "" && filepath.IsAbs(env) {
		return filepath.Join(env, "bin"), nil
	}
	if env != "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		return filepath.Join(root, env, "bin"), nil
	}
	dir, err := DefaultToolsDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "bin"), nil
}

// moduleRoot walks up from the working directory to the folder holding go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod at or above %s: set %s", wd, ToolsEnv)
		}
		dir = parent
	}
}

// toolsRequired reports whether missing binaries must fail the test: in CI a skipped server test would hide
// that nothing was checked.
func toolsRequired() bool {
	return os.Getenv("CI") != "" || os.Getenv(RequireToolsEnv) == "1"
}

// needBinaries returns the binaries, or skips or fails tb when they are missing. The bool is false when tb
// was stopped; it only matters for a testing.TB whose Skipf and Fatalf return.
func needBinaries(tb testing.TB) (Binaries, bool) {
	tb.Helper()
	b, err := FindBinaries()
	if err == nil {
		return b, true
	}
	if toolsRequired() {
		tb.Fatalf("kubetest: %v", err)
	} else {
		tb.Skipf("kubetest: %v", err)
	}
	return Binaries{}, false
}

// Tool returns the path of another pinned tool scripts/tools.sh builds, under the name tools.sh gives it: a
// binary (helm, kustomize, flux) or a file of CRDs read from an upstream Go module (prometheus-operator-crds,
// argocd-crds, flux-crds). It skips the test — fails it in CI or with ROCKETOPS_REQUIRE_TOOLS=1 — when the
// tool is not built.
func Tool(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := toolsBinDir()
	if err == nil {
		p := filepath.Join(dir, name)
		if st, statErr := os.Stat(p); statErr == nil && !st.IsDir() {
			return p
		}
		err = fmt.Errorf("%s %w in %s: run scripts/tools.sh", name, ErrNotBuilt, dir)
	}
	if toolsRequired() {
		tb.Fatalf("kubetest: %v", err)
	}
	tb.Skipf("kubetest: %v", err)
	return ""
}
