package golden_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/rocketops/rocketops/pkg/kube/kubetest"
)

// The plugin's files, as users install them.
const pluginDir = "../examples/argocd-plugin"

// sidecarUID is who generate runs as when the test runs as root: no other process of the machine
// has it, so anything it owns in a temporary folder afterwards was written by generate.
const sidecarUID = 64999

// TestArgoPluginInSidecar builds the real binary and runs `rocketops argocd generate` as Argo CD's
// cmp-server does: in a copy of a golden case that the process cannot write to, with an empty stdin,
// a home it cannot write to and only the variables Argo CD documents.
func TestArgoPluginInSidecar(t *testing.T) {
	bin := buildRocketops(t)
	app := readOnlyCopy(t, "environments")
	home := readOnlyCopy(t, "")
	proveReadOnly(t, app, home)
	want, err := os.ReadFile(filepath.Join("environments", "output", "rendered", "prod", "manifest.yaml"))
	require.NoError(t, err)
	out := compileCase(t, "environments")

	t.Run("renders the environment", func(t *testing.T) {
		for name, vars := range map[string][]string{
			"plugin env":  {"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT=prod", "ARGOCD_APP_PARAMETERS=null"},
			"parameters":  {"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT=dev", `ARGOCD_APP_PARAMETERS=[{"name":"environment","string":"prod"},{"name":"spec","string":"cluster.yaml"}]`},
			"spec in env": {"ARGOCD_ENV_ROCKETOPS_SPEC=./cluster.yaml", `ARGOCD_APP_PARAMETERS=[{"name":"environment","string":"prod"}]`},
		} {
			t.Run(name, func(t *testing.T) {
				code, stdout, stderr := sidecarRun(t, bin, app, home, vars, "argocd", "generate")
				require.Equal(t, 0, code, stderr)
				assert.NotContains(t, stderr, "warning")
				assert.Equal(t, string(want), stdout, "stdout must be the manifests target's rendered/prod/manifest.yaml")
				kubernetesObjects(t, []byte(stdout))
				same(t, "argocd generate", direct(t, out, "prod"), canonical(t, []byte(stdout)))
			})
		}
	})

	t.Run("fails with nothing on stdout", func(t *testing.T) {
		for name, tc := range map[string]struct {
			vars []string
			err  string
		}{
			"unknown environment": {[]string{"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT=production"}, `error: unknown environment "production" (from ARGOCD_ENV_ROCKETOPS_ENVIRONMENT)`},
			"no environment":      {[]string{"ARGOCD_APP_PARAMETERS=null"}, "error: cluster.yaml has environments dev, prod, staging and none is chosen"},
			"unknown parameter":   {[]string{`ARGOCD_APP_PARAMETERS=[{"name":"env","string":"prod"}]`}, `unknown parameter "env"`},
			"spec outside":        {[]string{"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT=prod", "ARGOCD_ENV_ROCKETOPS_SPEC=../environments/cluster.yaml"}, "leaves the source folder"},
		} {
			t.Run(name, func(t *testing.T) {
				code, stdout, stderr := sidecarRun(t, bin, app, home, tc.vars, "argocd", "generate")
				assert.NotEqual(t, 0, code)
				assert.Empty(t, stdout)
				assert.Contains(t, stderr, tc.err)
			})
		}
	})

	t.Run("plugin.yaml runs the real command", func(t *testing.T) {
		cfg := readPluginConfig(t)
		assert.Equal(t, "argoproj.io/v1alpha1", cfg.APIVersion)
		assert.Equal(t, "ConfigManagementPlugin", cfg.Kind)
		assert.Equal(t, "rocketops", cfg.Metadata.Name, "the README's Applications name the plugin rocketops")
		assert.Empty(t, cfg.Spec.Version, "a version would make the plugin's name rocketops-<version>")
		// Argo CD globs fileName in the Application's source folder (argoproj/argo-cd v3.5.1,
		// cmpserver/plugin/plugin.go: matchRepository).
		matches, err := filepath.Glob(filepath.Join(app, cfg.Spec.Discover.FileName))
		require.NoError(t, err)
		assert.Equal(t, []string{filepath.Join(app, "cluster.yaml")}, matches, "discover.fileName must find the spec")

		argv := append(slices.Clone(cfg.Spec.Generate.Command), cfg.Spec.Generate.Args...)
		require.NotEmpty(t, argv)
		require.Equal(t, "rocketops", argv[0], "the sidecar image puts rocketops on PATH")
		code, stdout, stderr := sidecarRun(t, bin, app, home, []string{"ARGOCD_ENV_ROCKETOPS_ENVIRONMENT=prod"}, argv[1:]...)
		require.Equal(t, 0, code, "plugin.yaml's generate command: %q\n%s", argv, stderr)
		assert.Equal(t, string(want), stdout)

		// Every announced parameter is one generate takes, and the defaults announced are its own.
		var params []map[string]string
		for _, p := range cfg.Spec.Parameters.Static {
			assert.Empty(t, p.CollectionType, "parameter %s: generate takes strings", p.Name)
			value := p.String
			if value == "" {
				value = "prod"
			}
			params = append(params, map[string]string{"name": p.Name, "string": value})
		}
		names := func() (out []string) {
			for _, p := range params {
				out = append(out, p["name"])
			}
			return out
		}()
		assert.ElementsMatch(t, []string{"environment", "spec"}, names)
		js, err := json.Marshal(params)
		require.NoError(t, err)
		code, stdout, stderr = sidecarRun(t, bin, app, home, []string{"ARGOCD_APP_PARAMETERS=" + string(js)}, argv[1:]...)
		require.Equal(t, 0, code, "the announced parameters %s: %s", js, stderr)
		assert.Equal(t, string(want), stdout)

		code, help, stderr := sidecarRun(t, bin, app, home, nil, append(argv[1:], "--help")...)
		require.Equal(t, 0, code, stderr)
		for _, p := range cfg.Spec.Parameters.Static {
			flag := map[string]string{"environment": "env", "spec": "spec"}[p.Name]
			m := regexp.MustCompile(`--` + flag + ` string +.*?(\(default "([^"]*)"\))?\n`).FindStringSubmatch(help)
			require.NotNil(t, m, "generate has no --%s flag:\n%s", flag, help)
			assert.Equal(t, m[2], p.String, "parameter %s announces a default other than --%s's", p.Name, flag)
		}
	})
}

// TestArgoPluginKustomize builds examples/argocd-plugin with the pinned kustomize onto a minimal
// argocd-repo-server Deployment and checks that the result is a sidecar Argo CD can run.
func TestArgoPluginKustomize(t *testing.T) {
	kustomize := kubetest.Tool(t, "kustomize")
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(pluginDir)))
	// The shipped kustomization builds on Argo CD's install.yaml; the test swaps in the parts of its
	// repo-server Deployment the patch relies on (argoproj/argo-cd v3.5.1,
	// manifests/base/repo-server/argocd-repo-server-deployment.yaml: the var-files and plugins
	// volumes), so that it needs no network.
	const install = "https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml"
	k := filepath.Join(dir, "kustomization.yaml")
	kb, err := os.ReadFile(k)
	require.NoError(t, err)
	require.Equal(t, 1, bytes.Count(kb, []byte("  - "+install+"\n")), "kustomization.yaml no longer lists %s; update the test", install)
	require.NoError(t, os.WriteFile(k, bytes.Replace(kb, []byte(install), []byte("repo-server.yaml"), 1), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "repo-server.yaml"), []byte(minimalRepoServer), 0o644))

	cmd := exec.Command(kustomize, "build", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	built, err := cmd.Output()
	require.NoError(t, err, stderr.String())

	var deploy, configMap map[string]any
	for _, o := range kubernetesObjects(t, built) {
		switch o["kind"] {
		case "Deployment":
			deploy = o
		case "ConfigMap":
			configMap = o
		}
	}
	require.NotNil(t, deploy, "no Deployment in:\n%s", built)
	require.NotNil(t, configMap, "no ConfigMap in:\n%s", built)
	plugin, err := os.ReadFile(filepath.Join(pluginDir, "plugin.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(plugin), dig(t, configMap, "data", "plugin.yaml"), "the ConfigMap must hold plugin.yaml as it is")
	assert.Equal(t, "argocd", dig(t, deploy, "metadata", "namespace"))
	assert.Equal(t, "argocd", dig(t, configMap, "metadata", "namespace"))

	pod := dig(t, deploy, "spec", "template", "spec").(map[string]any)
	volumes := map[string]map[string]any{}
	for _, v := range pod["volumes"].([]any) {
		volumes[v.(map[string]any)["name"].(string)] = v.(map[string]any)
	}
	containers := map[string]map[string]any{}
	for _, c := range pod["containers"].([]any) {
		containers[c.(map[string]any)["name"].(string)] = c.(map[string]any)
	}
	require.Contains(t, containers, "argocd-repo-server", "the patch must add a container, not replace the list")
	assert.Equal(t, "quay.io/argoproj/argocd:v3.5.1", containers["argocd-repo-server"]["image"])
	require.Contains(t, containers, "rocketops")
	side := containers["rocketops"]
	assert.Equal(t, []any{"/var/run/argocd/argocd-cmp-server"}, side["command"])
	assert.Equal(t, "rocketops-argocd-cmp:local", side["image"])
	assert.Equal(t, map[string]any{
		"runAsNonRoot": true, "runAsUser": float64(999), "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
		"capabilities": map[string]any{"drop": []any{"ALL"}}, "seccompProfile": map[string]any{"type": "RuntimeDefault"},
	}, side["securityContext"])

	mounts := map[string]map[string]any{}
	for _, m := range side["volumeMounts"].([]any) {
		m := m.(map[string]any)
		mounts[m["mountPath"].(string)] = m
		assert.Contains(t, volumes, m["name"], "mount %s names a volume the pod does not have", m["mountPath"])
	}
	assert.Equal(t, "var-files", mounts["/var/run/argocd"]["name"])
	assert.Equal(t, "plugins", mounts["/home/argocd/cmp-server/plugins"]["name"])
	cfg := mounts["/home/argocd/cmp-server/config/plugin.yaml"]
	require.NotNil(t, cfg, "plugin.yaml is not mounted where the cmp-server reads it")
	assert.Equal(t, "plugin.yaml", cfg["subPath"])
	assert.Equal(t, dig(t, configMap, "metadata", "name"), dig(t, volumes[cfg["name"].(string)], "configMap", "name"),
		"plugin.yaml's volume must be the generated ConfigMap, hash suffix included")
	tmp := mounts["/tmp"]
	require.NotNil(t, tmp, "the cmp-server needs a writable /tmp")
	assert.Contains(t, volumes[tmp["name"].(string)], "emptyDir")
	assert.NotEqual(t, "tmp", tmp["name"], "the sidecar must not share the repo-server's /tmp")

	// The image the patch names is the one the Dockerfile builds: rocketops where PATH finds it.
	df, err := os.ReadFile(filepath.Join(pluginDir, "Dockerfile"))
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^COPY rocketops /usr/local/bin/rocketops$`, string(df))
	assert.Contains(t, string(df), "CGO_ENABLED=0 go build")
	assert.Contains(t, string(df), "docker build -t rocketops-argocd-cmp:local")
}

// minimalRepoServer has what the patch relies on in Argo CD's argocd-repo-server Deployment.
const minimalRepoServer = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: argocd-repo-server}
  template:
    metadata:
      labels: {app.kubernetes.io/name: argocd-repo-server}
    spec:
      containers:
        - name: argocd-repo-server
          image: quay.io/argoproj/argocd:v3.5.1
          volumeMounts:
            - {name: plugins, mountPath: /home/argocd/cmp-server/plugins}
            - {name: tmp, mountPath: /tmp}
      volumes:
        - {name: tmp, emptyDir: {}}
        - {name: var-files, emptyDir: {}}
        - {name: plugins, emptyDir: {}}
`

// pluginConfig has the fields of Argo CD's ConfigManagementPlugin (argoproj/argo-cd v3.5.1,
// cmpserver/plugin/config.go); plugin.yaml is parsed strictly against it, so a misspelt field fails.
type pluginConfig struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version  string        `json:"version"`
		Init     pluginCommand `json:"init"`
		Generate pluginCommand `json:"generate"`
		Discover struct {
			FileName string `json:"fileName"`
			Find     struct {
				pluginCommand
				Glob string `json:"glob"`
			} `json:"find"`
		} `json:"discover"`
		Parameters struct {
			Static []struct {
				Name           string            `json:"name"`
				Title          string            `json:"title"`
				Tooltip        string            `json:"tooltip"`
				Required       bool              `json:"required"`
				ItemType       string            `json:"itemType"`
				CollectionType string            `json:"collectionType"`
				String         string            `json:"string"`
				Array          []string          `json:"array"`
				Map            map[string]string `json:"map"`
			} `json:"static"`
			Dynamic pluginCommand `json:"dynamic"`
		} `json:"parameters"`
		PreserveFileMode bool `json:"preserveFileMode"`
		ProvideGitCreds  bool `json:"provideGitCreds"`
	} `json:"spec"`
}

type pluginCommand struct {
	Command []string `json:"command"`
	Args    []string `json:"args"`
}

func readPluginConfig(t *testing.T) pluginConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pluginDir, "plugin.yaml"))
	require.NoError(t, err)
	var cfg pluginConfig
	require.NoError(t, yaml.UnmarshalStrict(b, &cfg), "plugin.yaml")
	return cfg
}

// kubernetesObjects parses a YAML stream and requires every document to be a Kubernetes object.
func kubernetesObjects(t *testing.T, stream []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, doc := range regexp.MustCompile(`(?m)^---\n`).Split(string(stream), -1) {
		var o map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &o), "document %d", i)
		if o == nil {
			require.Zero(t, i, "document %d is empty", i) // only the header comment stands alone
			continue
		}
		for _, k := range []string{"apiVersion", "kind"} {
			require.IsType(t, "", o[k], "document %d: %s", i, k)
			require.NotEmpty(t, o[k], "document %d: %s", i, k)
		}
		require.NotEmpty(t, dig(t, o, "metadata", "name"), "document %d", i)
		out = append(out, o)
	}
	require.NotEmpty(t, out, "no objects")
	return out
}

func buildRocketops(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "rocketops")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/rocketops")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	openUp(t, dir)
	return bin
}

// openUp lets other users into dir and its parent, which t.TempDir makes private.
func openUp(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{filepath.Dir(dir), dir} {
		require.NoError(t, os.Chmod(d, 0o755))
	}
}

// readOnlyCopy copies a golden case (or nothing, for "") into a folder nobody but root can write.
func readOnlyCopy(t *testing.T, name string) string {
	t.Helper()
	top := t.TempDir()
	dir := filepath.Join(top, "source")
	if name == "" {
		require.NoError(t, os.Mkdir(dir, 0o755))
	} else {
		require.NoError(t, os.CopyFS(dir, os.DirFS(name)))
	}
	openUp(t, top)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o444)
		if d.IsDir() {
			mode = 0o555
		}
		return os.Chmod(p, mode)
	}))
	// Folders must be writable again for t.TempDir to remove them.
	t.Cleanup(func() {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				_ = os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	return dir
}

// proveReadOnly checks that the user generate runs as really cannot write to the folders.
func proveReadOnly(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		probe := filepath.Join(dir, "probe")
		if os.Geteuid() == 0 {
			cmd := exec.Command("/bin/sh", "-c", `: > "$1"`, "sh", probe)
			cmd.SysProcAttr = asSidecar()
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "uid %d could write %s", sidecarUID, probe)
			assert.Contains(t, string(out), "Permission denied")
		} else {
			err := os.WriteFile(probe, nil, 0o644)
			require.ErrorIs(t, err, fs.ErrPermission, "the test could write %s", probe)
		}
		_, err := os.Stat(probe)
		require.ErrorIs(t, err, fs.ErrNotExist)
	}
}

func asSidecar() *syscall.SysProcAttr {
	if os.Geteuid() != 0 {
		return nil
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: sidecarUID, Gid: sidecarUID, Groups: []uint32{}}}
}

// sidecarRun runs bin in dir with an empty stdin and only the environment a plugin gets from
// Argo CD (the build environment, the Application's plugin env and parameters), plus vars.
func sidecarRun(t *testing.T, bin, dir, home string, vars []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin = nil // the null device, as the cmp-server leaves it
	cmd.Env = append([]string{
		"HOME=" + home,
		"ARGOCD_APP_NAME=orders-prod",
		"ARGOCD_APP_NAMESPACE=orders-mq-prod",
		"ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567",
		"ARGOCD_APP_SOURCE_PATH=golden/environments",
		"KUBE_VERSION=1.33.13",
		"KUBE_API_VERSIONS=v1,apps/v1,policy/v1,networking.k8s.io/v1",
	}, vars...)
	cmd.SysProcAttr = asSidecar()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	before := ownedInTemp(t)
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running %s: %v", bin, err)
	}
	assert.Equal(t, before, ownedInTemp(t), "generate left files in a temporary folder")
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// ownedInTemp lists what the sidecar's uid owns in the machine's temporary folders. Running as
// root only: otherwise the test's own files could not be told apart.
func ownedInTemp(t *testing.T) []string {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	var out []string
	for _, dir := range []string{os.TempDir(), "/tmp", "/var/tmp", "/dev/shm"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil {
				continue
			}
			if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Uid == sidecarUID {
				out = append(out, fmt.Sprintf("%s/%s", dir, e.Name()))
			}
		}
	}
	return out
}
