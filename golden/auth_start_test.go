package golden_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/render"
)

// The auth start test runs the compiled containers of the access-control golden cases the way the stop
// test does (stop_test.go: the command as PID 1 of new PID and mount namespaces, over stand-ins of the
// image's launchers and java, with the pod's ConfigMaps at their mount paths) and with the Secrets the
// spec refers to placed where the pod's secret and projected volumes put their keys. It checks what the
// start scripts make of the credentials: the lines the acl2 broker appends to its configuration, the
// proxy's rmq-proxy.json with the inner credentials, the console's users.properties link, the acl1
// broker's path to plain_acl.yml, and that a credential that would need escaping stops the script
// before java starts.

// The test's Secrets for golden/auth-metrics. The values differ from one another and hold characters a
// shell or printf could mangle (%s, $HOME, a single quote) but that need no escaping in JSON or in a
// properties file, which the scripts must pass through unchanged.
const (
	authUser      = "rmq-admin"
	authPassword  = "S3cr3t!x"
	authAccessKey = "rmq-inner-AK7"
	authSecretKey = "1nn3r-Sk%s$HOME'~"
	authUsers     = "# the console's users\nadmin=Adm1n-pw,1\nviewer=V13wer-pw\n"
	// aclYAML is golden/acl-exporter's plain_acl.yml.
	aclYAML = "globalWhiteRemoteAddresses: []\naccounts:\n- accessKey: rmq-legacy\n  secretKey: L3gacy-pw\n  admin: true\n"
)

// The acl2 credentials' fields, as the scripts name them in their refusals.
const (
	fieldUsername  = "spec.auth.admin.username"
	fieldPassword  = "spec.auth.admin.password"
	fieldAccessKey = "spec.auth.innerClient.accessKey"
	fieldSecretKey = "spec.auth.innerClient.secretKey"
)

// authSecrets are the Secrets the test makes for a spec's references: by Secret name, then key.
type authSecrets map[string]map[string]string

func (s authSecrets) clone() authSecrets {
	c := authSecrets{}
	for name, data := range s {
		c[name] = maps.Clone(data)
	}
	return c
}

func authTestSecrets() authSecrets {
	return authSecrets{
		// golden/auth-metrics
		"rocketmq-admin":   {"username": authUser, "password": authPassword},
		"rocketmq-inner":   {"accessKey": authAccessKey, "secretKey": authSecretKey},
		"rocketmq-console": {"users.properties": authUsers},
		// golden/acl-exporter
		"rocketmq-acl":             {"plain_acl.yml": aclYAML},
		"rocketmq-console-account": {"accessKey": "rmq-legacy", "secretKey": "L3gacy-pw"},
	}
}

// authCreds are the credentials an acl2 broker adds to its configuration.
type authCreds struct{ username, password, accessKey, secretKey string }

var testCreds = authCreds{authUser, authPassword, authAccessKey, authSecretKey}

// authStartCase is one container the test starts.
type authStartCase struct {
	name      string
	golden    string // the golden case compiled
	kind      string // the workload's
	workload  string
	container string
	pod       string // the pod's name, when not the StatefulSet's last pod or the Deployment's <name>-stop
	edit      func(authSecrets)
	refuse    string // the script must stop with this message before a launcher runs
	check     func(t *testing.T, a *authStart)
}

// authStart is a started container: its pod, the Secret files the test put into its volumes, and its run.
type authStart struct {
	img   stopImage
	pod   stopPod
	files map[string]string // the Secret files by their path in the container
	run   *podRun
}

// TestAuthStartScripts runs the start commands of the access-control golden cases' pods with the test's
// Secrets in their volumes and checks what they make of the credentials:
//   - the acl2 broker (auth-metrics, secure-broker-0-1) appends initAuthenticationUser and
//     innerClientAuthenticationCredentials with the Secrets' values to /tmp/broker.conf, which stays a
//     properties file whose two values are JSON objects holding them, and starts java with -c on it;
//     a Secret file ending in a line break gives the value without it;
//   - a value with a space, a double quote, a backslash, a non-ASCII letter or no character at all stops
//     the script with the message naming its field, non-zero, before java starts;
//   - the cluster-mode proxy (auth-metrics, secure-proxy) writes /tmp/rmq-proxy.json: valid JSON with
//     every key of the generated file unchanged and innerClientAuthenticationCredentials, a string that
//     is JSON holding the inner credentials, and starts java with -pc on it;
//   - the console (auth-metrics, secure-console) links the dashboard's users.properties to the mounted
//     Secret's before it execs java;
//   - the acl1 broker (acl-exporter, legacy-broker-0-0) starts java with -Drocketmq.acl.plain.file,
//     which resolved against java's ROCKETMQ_HOME is the mounted plain_acl.yml.
//
// Its first subtest shows that the comparisons detect wrong values, without namespaces.
func TestAuthStartScripts(t *testing.T) {
	t.Run("checks-can-fail", testAuthChecksCanFail)

	outs := map[string]*compile.Output{}
	for _, name := range []string{"auth-metrics", "acl-exporter"} {
		outs[name] = compileCase(t, name)
	}
	set := func(secret, key, value string) func(authSecrets) {
		return func(s authSecrets) { s[secret][key] = value }
	}
	broker := func(name string) authStartCase {
		return authStartCase{name: name, golden: "auth-metrics", kind: "StatefulSet", workload: "secure-broker-0", container: "broker"}
	}
	proxy := func(name string) authStartCase {
		return authStartCase{name: name, golden: "auth-metrics", kind: "Deployment", workload: "secure-proxy", container: "proxy"}
	}
	with := func(c authStartCase, f func(*authStartCase)) authStartCase { f(&c); return c }
	refusal := func(field string) string {
		return "rocketops: " + field + " must be printable ASCII without spaces, quotes or backslashes"
	}

	cases := []authStartCase{
		with(broker("acl2-broker"), func(c *authStartCase) { c.check = checkACL2Broker }),
		with(broker("acl2-broker/trailing-newline"), func(c *authStartCase) {
			c.edit = func(s authSecrets) {
				for _, ref := range [][2]string{{"rocketmq-admin", "username"}, {"rocketmq-admin", "password"},
					{"rocketmq-inner", "accessKey"}, {"rocketmq-inner", "secretKey"}} {
					s[ref[0]][ref[1]] += "\n"
				}
			}
			c.check = checkACL2Broker
		}),
		with(broker("acl2-broker/refuses-space"), func(c *authStartCase) {
			c.edit, c.refuse = set("rocketmq-admin", "password", "S3cr3t x"), refusal(fieldPassword)
		}),
		with(broker("acl2-broker/refuses-double-quote"), func(c *authStartCase) {
			c.edit, c.refuse = set("rocketmq-inner", "accessKey", `rmq"inner`), refusal(fieldAccessKey)
		}),
		with(broker("acl2-broker/refuses-backslash"), func(c *authStartCase) {
			c.edit, c.refuse = set("rocketmq-inner", "secretKey", `1nn3r\Sk`), refusal(fieldSecretKey)
		}),
		with(broker("acl2-broker/refuses-non-ascii"), func(c *authStartCase) {
			c.edit, c.refuse = set("rocketmq-admin", "username", "rmq-admé"), refusal(fieldUsername)
		}),
		with(broker("acl2-broker/refuses-empty"), func(c *authStartCase) {
			c.edit, c.refuse = set("rocketmq-inner", "accessKey", ""), refusal(fieldAccessKey)
		}),
		with(proxy("acl2-proxy"), func(c *authStartCase) { c.check = checkACL2Proxy }),
		with(proxy("acl2-proxy/refuses-tab"), func(c *authStartCase) {
			c.edit, c.refuse = set("rocketmq-inner", "secretKey", "1nn3r\tSk"), refusal(fieldSecretKey)
		}),
		{name: "console-login", golden: "auth-metrics", kind: "Deployment", workload: "secure-console", container: "console"},
		{name: "acl1-broker", golden: "acl-exporter", kind: "StatefulSet", workload: "legacy-broker-0", container: "broker",
			pod: "legacy-broker-0-0", check: checkACL1Broker},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			secrets := authTestSecrets()
			if c.edit != nil {
				c.edit(secrets)
			}
			objs, w := authWorkload(t, outs[c.golden], c.kind, c.workload)
			files := authSecretFiles(t, w, c.container, secrets)
			if c.container == "console" {
				needConsoleTools(t)
				checkConsoleLogin(t, authConsolePodOf(t, w, secrets), files)
				return
			}
			needNamespaces(t)
			a := &authStart{img: imageFor(t, w.Labels["app.kubernetes.io/version"]), files: files}
			a.pod = workloadPod(t, objs, w, c.container)
			if c.pod != "" {
				a.pod = renamed(a.pod, c.pod)
			}
			placed := 0
			for i, m := range a.pod.mounts {
				for path, data := range files {
					if filepath.Dir(path) == m.path {
						placed++
						require.Nil(t, m.files, "%s: the test mounts Secret files only in secret and projected volumes", path)
						if a.pod.mounts[i].files == nil {
							a.pod.mounts[i].files = map[string]string{}
						}
						a.pod.mounts[i].files[filepath.Base(path)] = data
					}
				}
			}
			require.Equal(t, len(files), placed, "Secret files at no mount of the pod")
			a.run = launchPod(t, a.img, a.pod, a.pod.command, false)
			a.run.logOnFailure(t)
			if c.refuse != "" {
				sc := &stopCase{name: c.name, img: a.img, component: c.container, pod: a.pod, command: a.pod.command,
					refuse: c.refuse, run: a.run}
				sc.seen.exited = a.run.waitExit(stopWithin)
				checkRefused(t, sc)
				return
			}
			c.check(t, a)
		})
	}
}

// checkACL2Broker checks the acl2 broker's configuration and java's command line.
func checkACL2Broker(t *testing.T, a *authStart) {
	t.Helper()
	require.Equal(t, "secure-broker-0-1", a.pod.name)
	checkJavaArgv(t, a.javaArgv(t), a.pod, brokerMain, []string{"-c", "/tmp/broker.conf"})
	src := a.mounted(t, "/etc/rocketmq", "broker-1.conf")
	got := a.volumeFile(t, "/tmp", "broker.conf")
	require.NoError(t, brokerAuthConfErr(src, a.env(t, "POD_IP"), got, testCreds), "/tmp/broker.conf:\n%s", got)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	t.Logf("/tmp/broker.conf ends with:\n%s", strings.Join(lines[len(lines)-2:], "\n"))
}

// checkACL2Proxy checks the cluster-mode proxy's rmq-proxy.json and java's command line.
func checkACL2Proxy(t *testing.T, a *authStart) {
	t.Helper()
	checkJavaArgv(t, a.javaArgv(t), a.pod, proxyMain, []string{"-pm", "cluster", "-pc", "/tmp/rmq-proxy.json"})
	generated := a.mounted(t, "/etc/rocketmq", "rmq-proxy.json")
	got := a.volumeFile(t, "/tmp", "rmq-proxy.json")
	require.NoError(t, proxyAuthJSONErr(generated, got, authAccessKey, authSecretKey), "/tmp/rmq-proxy.json:\n%s", got)
}

// checkACL1Broker checks that the acl1 broker's java is pointed at the mounted plain_acl.yml: the option
// PlainPermissionManager reads, resolved against the ROCKETMQ_HOME java runs with (4.9.x joins the two
// with a separator and normalizes the path, MixAll.dealFilePath), and that the file is there in the
// container's mount namespace.
func checkACL1Broker(t *testing.T, a *authStart) {
	t.Helper()
	argv := a.javaArgv(t)
	checkJavaArgv(t, argv, a.pod, brokerMain, []string{"-c", "/tmp/broker.conf"})
	checkBrokerConf(t, a.run, a.pod)
	pid := a.javaPid(t, brokerMain)
	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	require.NoError(t, err)
	env := strings.Split(strings.TrimSuffix(string(environ), "\x00"), "\x00")
	resolved, err := aclPathErr(argv, env, a.files, aclYAML)
	require.NoError(t, err)
	// What java would open, without the normalization: the kernel walks the ".." in the namespace.
	var home, rel string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "ROCKETMQ_HOME="); ok {
			home = v
		}
	}
	for _, arg := range argv {
		if v, ok := strings.CutPrefix(arg, "-D"+aclProperty+"="); ok {
			rel = v
		}
	}
	seen, err := os.ReadFile(fmt.Sprintf("/proc/%d/root%s/%s", pid, home, rel))
	require.NoError(t, err, "java cannot read %s/%s in its mount namespace", home, rel)
	require.Equal(t, aclYAML, string(seen), "%s/%s in java's mount namespace", home, rel)
	t.Logf("-D%s=%s with ROCKETMQ_HOME=%s is %s, the mounted Secret's plain_acl.yml", aclProperty, rel, home, resolved)
}

// javaArgv waits for the stand-in java to record its argv.
func (a *authStart) javaArgv(t *testing.T) []string {
	t.Helper()
	rec, ok := a.run.waitRecord("java.argv", startWithin)
	require.True(t, ok, "%s", a.run.failure("java did not start within %s", startWithin))
	return strings.Split(strings.TrimSuffix(rec, "\n"), "\n")
}

// mounted is the ConfigMap file name at the pod's mount path.
func (a *authStart) mounted(t *testing.T, path, name string) string {
	t.Helper()
	for _, m := range a.pod.mounts {
		if m.path == path {
			data, ok := m.files[name]
			require.True(t, ok, "%s mounts no %s at %s", a.pod.name, name, path)
			return data
		}
	}
	t.Fatalf("%s mounts nothing at %s", a.pod.name, path)
	return ""
}

// volumeFile reads a file the container wrote into the volume at the pod's mount path.
func (a *authStart) volumeFile(t *testing.T, path, name string) string {
	t.Helper()
	for i, m := range a.pod.mounts {
		if m.path == path {
			data, err := os.ReadFile(filepath.Join(a.run.host, "volumes", strconv.Itoa(i), name))
			require.NoError(t, err, "%s/%s", path, name)
			return string(data)
		}
	}
	t.Fatalf("%s mounts nothing at %s", a.pod.name, path)
	return ""
}

func (a *authStart) env(t *testing.T, name string) string {
	t.Helper()
	for _, e := range a.pod.env {
		if v, ok := strings.CutPrefix(e, name+"="); ok {
			return v
		}
	}
	t.Fatalf("%s sets no %s", a.pod.name, name)
	return ""
}

// javaPid is the host's pid of the stand-in java running main in this run: a process below unshare whose
// argv holds the stand-in JDK's java and main.
func (a *authStart) javaPid(t *testing.T, main string) int {
	t.Helper()
	root := a.run.cmd.Process.Pid
	below := func(pid int) bool {
		for range 64 {
			stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil {
				return false
			}
			s := string(stat)
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
			if len(f) < 2 {
				return false
			}
			if pid, err = strconv.Atoi(f[1]); err != nil || pid <= 1 {
				return false
			}
			if pid == root {
				return true
			}
		}
		return false
	}
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(string(cmdline), "\x00")
		if slices.Contains(argv, jdkPath+"/bin/java") && slices.Contains(argv, main) && below(pid) {
			pids = append(pids, pid)
		}
	}
	require.NotEmpty(t, pids, "no java running %s below unshare %d", main, root)
	slices.Sort(pids) // a fork of the stand-in for its sleep has its environment and root too
	return pids[0]
}

// authWorkload finds the workload kind/name in the only environment of out.
func authWorkload(t *testing.T, out *compile.Output, kind, name string) ([]render.Object, render.Object) {
	t.Helper()
	require.Len(t, out.Objects, 1, "the spec must have one environment")
	for _, objs := range out.Objects {
		for _, o := range objs {
			if o.Kind == kind && o.Name == name {
				return objs, o
			}
		}
	}
	t.Fatalf("no %s %s", kind, name)
	return nil, render.Object{}
}

// authSecretFiles resolves the secret and projected volumes the container mounts as the kubelet does,
// from the test's Secrets: the files by their path in the container. Every key the volumes name must be
// one of the test's.
func authSecretFiles(t *testing.T, w render.Object, container string, secrets authSecrets) map[string]string {
	t.Helper()
	podSpec := dig(t, w.Value, "spec", "template", "spec")
	c := named(t, dig(t, podSpec, "containers"), container)
	files := map[string]string{}
	add := func(at string, source any, nameKey string) {
		secret := dig(t, source, nameKey).(string)
		items, ok := source.(map[string]any)["items"].([]any)
		require.True(t, ok && len(items) > 0, "Secret %s at %s: the test resolves only volumes that list their items", secret, at)
		for _, item := range items {
			key, path := dig(t, item, "key").(string), dig(t, item, "path").(string)
			require.NotContains(t, path, "/", "Secret %s key %s: the test places files only at the volume's top", secret, key)
			data, ok := secrets[secret][key]
			require.True(t, ok, "the pod mounts Secret %s key %s, which the test has no value for", secret, key)
			full := at + "/" + path
			_, dup := files[full]
			require.False(t, dup, "two Secret keys at %s", full)
			files[full] = data
		}
	}
	for _, vm := range dig(t, c, "volumeMounts").([]any) {
		at := dig(t, vm, "mountPath").(string)
		var vol map[string]any // nil for a volumeClaimTemplate's claim
		for _, v := range dig(t, podSpec, "volumes").([]any) {
			if dig(t, v, "name") == dig(t, vm, "name") {
				vol = v.(map[string]any)
			}
		}
		if s, ok := vol["secret"]; ok {
			add(at, s, "secretName")
		}
		if p, ok := vol["projected"]; ok {
			for _, src := range dig(t, p, "sources").([]any) {
				s, ok := src.(map[string]any)["secret"]
				require.True(t, ok, "projected volume at %s: the test resolves only Secret sources", at)
				add(at, s, "name")
			}
		}
		_, isSecret := vol["secret"]
		_, isProjected := vol["projected"]
		if isSecret || isProjected {
			ro, _ := vm.(map[string]any)["readOnly"].(bool)
			require.True(t, ro, "the Secret volume at %s is mounted writable", at)
		}
	}
	return files
}

// aclProperty is the system property PlainPermissionManager takes plain_acl.yml's path from, relative
// to ROCKETMQ_HOME.
const aclProperty = "rocketmq.acl.plain.file"

// aclPathErr resolves java's -Drocketmq.acl.plain.file against the ROCKETMQ_HOME of its environment, as
// the broker does, and requires the result to be a mounted Secret file holding want.
func aclPathErr(argv, environ []string, mounted map[string]string, want string) (string, error) {
	var rel, home string
	for _, arg := range argv {
		if v, ok := strings.CutPrefix(arg, "-D"+aclProperty+"="); ok {
			rel = v
		}
	}
	for _, e := range environ {
		if v, ok := strings.CutPrefix(e, "ROCKETMQ_HOME="); ok {
			home = v
		}
	}
	if rel == "" {
		return "", fmt.Errorf("java's arguments set no -D%s: %q", aclProperty, argv)
	}
	if home == "" {
		return "", fmt.Errorf("java's environment has no ROCKETMQ_HOME")
	}
	resolved := filepath.Clean(home + "/" + rel)
	data, ok := mounted[resolved]
	if !ok {
		return resolved, fmt.Errorf("-D%s=%s with ROCKETMQ_HOME=%s is %s, which is no mounted Secret file (%v)",
			aclProperty, rel, home, resolved, slices.Sorted(maps.Keys(mounted)))
	}
	if data != want {
		return resolved, fmt.Errorf("%s holds %q, not %q", resolved, data, want)
	}
	return resolved, nil
}

// brokerAuthConfErr compares the broker.conf an acl2 broker's script wrote with what it must be, as text
// (the pod's file, its address, then exactly the two lines with the credentials) and as a properties
// file whose two values are JSON objects holding the credentials. It reports every difference.
func brokerAuthConfErr(src, ip, got string, want authCreds) error {
	var errs []error
	base := src + "brokerIP1=" + ip + "\nbrokerIP2=" + ip + "\n"
	wantAuth := `initAuthenticationUser={"username":"` + want.username + `","password":"` + want.password + "\"}\n" +
		`innerClientAuthenticationCredentials={"accessKey":"` + want.accessKey + `","secretKey":"` + want.secretKey + "\"}\n"
	if rest, ok := strings.CutPrefix(got, base); !ok {
		errs = append(errs, fmt.Errorf("as text: it does not begin with the pod's configuration file and address"))
	} else if rest != wantAuth {
		errs = append(errs, fmt.Errorf("as text: after the address it has\n%s\nnot\n%s", rest, wantAuth))
	}
	props, err := javaProperties(got)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("as properties: %w", err))...)
	}
	for key, fields := range map[string]map[string]string{
		"initAuthenticationUser":               {"username": want.username, "password": want.password},
		"innerClientAuthenticationCredentials": {"accessKey": want.accessKey, "secretKey": want.secretKey},
	} {
		v, ok := props[key]
		if !ok {
			errs = append(errs, fmt.Errorf("as properties: no %s", key))
			continue
		}
		var obj map[string]string
		if err := json.Unmarshal([]byte(v), &obj); err != nil {
			errs = append(errs, fmt.Errorf("as properties: %s=%s is not a JSON object of strings: %w", key, v, err))
			continue
		}
		if !maps.Equal(obj, fields) {
			errs = append(errs, fmt.Errorf("as properties: %s as JSON is %q, not %q", key, obj, fields))
		}
	}
	return errors.Join(errs...)
}

// javaProperties reads the part of java.util.Properties' format that the brokers' configuration uses:
// key=value, key:value or key value lines, # and ! comments and blank lines. It refuses backslashes,
// escapes and continuation lines the test would have to reproduce, and keys that come twice, of which
// Java would silently keep the last.
func javaProperties(text string) (map[string]string, error) {
	props := map[string]string{}
	const blank = " \t\f"
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimLeft(line, blank)
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		if strings.ContainsAny(line, "\\\r") {
			return nil, fmt.Errorf("line %d: a backslash or carriage return, which this reader does not read: %q", n+1, line)
		}
		key, value := line, ""
		if i := strings.IndexAny(line, "=:"+blank); i >= 0 {
			key = line[:i]
			rest := strings.TrimLeft(line[i:], blank)
			if rest != "" && (rest[0] == '=' || rest[0] == ':') {
				rest = rest[1:]
			}
			value = strings.TrimLeft(rest, blank)
		}
		if _, dup := props[key]; dup {
			return nil, fmt.Errorf("line %d: %s again", n+1, key)
		}
		props[key] = value
	}
	return props, nil
}

// innerCredentialsKey is the rmq-proxy.json key the proxy script adds.
const innerCredentialsKey = "innerClientAuthenticationCredentials"

// proxyAuthJSONErr checks the rmq-proxy.json the proxy's script wrote against the generated one: valid
// JSON, one object without repeated keys, every key of the generated file with its value, and
// innerClientAuthenticationCredentials, a string that is a JSON object of exactly the inner credentials.
func proxyAuthJSONErr(generated, got, accessKey, secretKey string) error {
	if !json.Valid([]byte(got)) {
		return fmt.Errorf("not valid JSON")
	}
	keys, err := jsonObjectKeys(got)
	if err != nil {
		return err
	}
	var want, have map[string]any
	if err := unmarshalNumbers(generated, &want); err != nil {
		return fmt.Errorf("the generated file: %w", err)
	}
	if err := unmarshalNumbers(got, &have); err != nil {
		return err
	}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if v, ok := have[k]; !ok {
			errs = append(errs, fmt.Errorf("no %s", k))
		} else if !reflect.DeepEqual(v, want[k]) {
			errs = append(errs, fmt.Errorf("%s is %v, not the generated %v", k, v, want[k]))
		}
	}
	if _, ok := want[innerCredentialsKey]; ok {
		errs = append(errs, fmt.Errorf("the generated file already has %s", innerCredentialsKey))
	}
	for _, k := range keys {
		if _, ok := want[k]; !ok && k != innerCredentialsKey {
			errs = append(errs, fmt.Errorf("%s, which the generated file does not have", k))
		}
	}
	switch v, ok := have[innerCredentialsKey].(string); {
	case !ok:
		errs = append(errs, fmt.Errorf("%s is %#v, not a string", innerCredentialsKey, have[innerCredentialsKey]))
	default:
		var creds map[string]string
		if err := json.Unmarshal([]byte(v), &creds); err != nil {
			errs = append(errs, fmt.Errorf("%s %q is not a JSON object of strings: %w", innerCredentialsKey, v, err))
		} else if w := map[string]string{"accessKey": accessKey, "secretKey": secretKey}; !maps.Equal(creds, w) {
			errs = append(errs, fmt.Errorf("%s as JSON is %q, not %q", innerCredentialsKey, creds, w))
		}
	}
	return errors.Join(errs...)
}

// jsonObjectKeys lists the keys of the JSON object s is, refusing a key that comes twice and anything
// after the object.
func jsonObjectKeys(s string) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object (%v, %v)", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		if slices.Contains(keys, key) {
			return nil, fmt.Errorf("key %s twice", key)
		}
		keys = append(keys, key)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("something after the object (%v)", err)
	}
	return keys, nil
}

func unmarshalNumbers(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	return dec.Decode(v)
}

// consoleLoginErr checks the console's users.properties in its data path: a link to a mounted Secret
// file, through which the console's user reads want.
func consoleLoginErr(target, readThrough string, mounted map[string]string, want string) error {
	data, ok := mounted[target]
	switch {
	case !filepath.IsAbs(target):
		return fmt.Errorf("the link points at %q, not at an absolute path", target)
	case !ok:
		return fmt.Errorf("the link points at %s, which is no mounted Secret file (%v)", target, slices.Sorted(maps.Keys(mounted)))
	case data != want:
		return fmt.Errorf("the link points at %s, which holds %q, not %q", target, data, want)
	case readThrough != want:
		return fmt.Errorf("the console's user reads %q through the link, not %q", readThrough, want)
	}
	return nil
}

// testAuthChecksCanFail feeds the comparisons right and wrong results: each must accept the right one
// and report the wrong ones, so a script that wrote a different value would fail the test.
func testAuthChecksCanFail(t *testing.T) {
	t.Run("broker.conf", func(t *testing.T) {
		src, ip := "# broker configuration\nbrokerName=broker-0\nbrokerId=1\n", "10.0.0.7"
		good := src + "brokerIP1=10.0.0.7\nbrokerIP2=10.0.0.7\n" +
			`initAuthenticationUser={"username":"rmq-admin","password":"S3cr3t!x"}` + "\n" +
			`innerClientAuthenticationCredentials={"accessKey":"rmq-inner-AK7","secretKey":"1nn3r-Sk%s$HOME'~"}` + "\n"
		require.NoError(t, brokerAuthConfErr(src, ip, good, testCreds))

		wrong := testCreds
		wrong.password = "S3cr3t!y"
		err := brokerAuthConfErr(src, ip, good, wrong)
		require.ErrorContains(t, err, "as text")
		require.ErrorContains(t, err, "as properties: initAuthenticationUser as JSON")

		for name, conf := range map[string]string{
			"no inner credentials": strings.TrimSuffix(good, `innerClientAuthenticationCredentials={"accessKey":"rmq-inner-AK7","secretKey":"1nn3r-Sk%s$HOME'~"}`+"\n"),
			"a line after them":    good + "brokerRole=SLAVE\n",
			"the key twice":        good + `initAuthenticationUser={"username":"rmq-admin","password":"S3cr3t!x"}` + "\n",
			"a line break":         strings.Replace(good, `"S3cr3t!x"`, "\"S3cr3t!x\n\"", 1),
			"no address":           src + good[len(src)+len("brokerIP1=10.0.0.7\nbrokerIP2=10.0.0.7\n"):],
		} {
			require.Error(t, brokerAuthConfErr(src, ip, conf, testCreds), name)
		}
	})
	t.Run("rmq-proxy.json", func(t *testing.T) {
		generated := "{\n  \"grpcServerPort\": 8081,\n  \"proxyMode\": \"cluster\"\n}\n"
		line := `  ,"innerClientAuthenticationCredentials": "{\"accessKey\":\"rmq-inner-AK7\",\"secretKey\":\"1nn3r-Sk%s$HOME'~\"}"`
		good := "{\n  \"grpcServerPort\": 8081,\n  \"proxyMode\": \"cluster\"\n" + line + "\n}\n"
		require.NoError(t, proxyAuthJSONErr(generated, good, authAccessKey, authSecretKey))
		require.ErrorContains(t, proxyAuthJSONErr(generated, good, authAccessKey, "another-secret"), "as JSON is")
		for name, got := range map[string]string{
			"a changed key":  strings.Replace(good, "8081", "8082", 1),
			"a lost key":     strings.Replace(good, "  \"proxyMode\": \"cluster\"\n  ,", "  ", 1),
			"invalid JSON":   strings.Replace(good, "  ,", "  ", 1),
			"a repeated key": strings.Replace(good, "\n}\n", "\n  ,\"proxyMode\": \"local\"\n}\n", 1),
			"no credentials": generated,
			"an object value": strings.Replace(good, line,
				`  ,"innerClientAuthenticationCredentials": {"accessKey":"rmq-inner-AK7","secretKey":"1nn3r-Sk%s$HOME'~"}`, 1),
		} {
			require.Error(t, proxyAuthJSONErr(generated, got, authAccessKey, authSecretKey), name)
		}
	})
	t.Run("plain_acl.yml", func(t *testing.T) {
		mounted := map[string]string{"/etc/rocketmq-acl/plain_acl.yml": aclYAML}
		env := []string{"PATH=/bin", "ROCKETMQ_HOME=/home/rocketmq/rocketmq-4.9.8"}
		argv := []string{"java", "-D" + aclProperty + "=../../../etc/rocketmq-acl/plain_acl.yml", brokerMain}
		_, err := aclPathErr(argv, env, mounted, aclYAML)
		require.NoError(t, err)
		_, err = aclPathErr([]string{"java", "-D" + aclProperty + "=../../etc/rocketmq-acl/plain_acl.yml", brokerMain}, env, mounted, aclYAML)
		require.ErrorContains(t, err, "is /home/etc/rocketmq-acl/plain_acl.yml, which is no mounted Secret file")
		_, err = aclPathErr(argv, []string{"ROCKETMQ_HOME=/opt/apache/rocketmq/rocketmq-4.9.8"}, mounted, aclYAML)
		require.Error(t, err)
		_, err = aclPathErr(argv, env, mounted, "accounts: []\n")
		require.Error(t, err)
	})
	t.Run("users.properties", func(t *testing.T) {
		mounted := map[string]string{"/etc/rocketmq-console/users.properties": authUsers}
		require.NoError(t, consoleLoginErr("/etc/rocketmq-console/users.properties", authUsers, mounted, authUsers))
		require.Error(t, consoleLoginErr("/etc/rocketmq-console/users.properties", authUsers, mounted, "admin=other\n"))
		require.Error(t, consoleLoginErr("/etc/rocketmq/users.properties", authUsers, mounted, authUsers))
		require.Error(t, consoleLoginErr("../rocketmq-console/users.properties", authUsers, mounted, authUsers))
		require.Error(t, consoleLoginErr("/etc/rocketmq-console/users.properties", "", mounted, authUsers))
	})
}

// authConsolePod is what the test takes from the console Deployment: its command, environment (the
// Secrets' values resolved), user and volumes.
type authConsolePod struct {
	command []string
	env     []string
	uid     string
	gid     string
	fsGroup string
	mounts  []authConsoleMount
}

type authConsoleMount struct {
	path     string
	readOnly bool
	secret   bool   // a secret or projected volume, which gets the Secret files at path
	host     string // the folder the test mounts there
}

func authConsolePodOf(t *testing.T, w render.Object, secrets authSecrets) authConsolePod {
	t.Helper()
	podSpec := dig(t, w.Value, "spec", "template", "spec")
	c := named(t, dig(t, podSpec, "containers"), "console")
	var p authConsolePod
	for _, arg := range dig(t, c, "command").([]any) {
		p.command = append(p.command, arg.(string))
	}
	for _, e := range dig(t, c, "env").([]any) {
		name := dig(t, e, "name").(string)
		if v, ok := e.(map[string]any)["value"].(string); ok {
			p.env = append(p.env, name+"="+v)
			continue
		}
		ref := dig(t, e, "valueFrom", "secretKeyRef")
		secret, key := dig(t, ref, "name").(string), dig(t, ref, "key").(string)
		v, ok := secrets[secret][key]
		require.True(t, ok, "env %s: Secret %s key %s, which the test has no value for", name, secret, key)
		p.env = append(p.env, name+"="+v)
	}
	p.uid, p.gid, p.fsGroup = runAs(t, c, podSpec)
	require.NotEqual(t, "0", p.uid, "the console runs as root")
	for _, vm := range dig(t, c, "volumeMounts").([]any) {
		vol := named(t, dig(t, podSpec, "volumes"), dig(t, vm, "name").(string))
		m := authConsoleMount{path: dig(t, vm, "mountPath").(string)}
		m.readOnly, _ = vm.(map[string]any)["readOnly"].(bool)
		_, isSecret := vol["secret"]
		_, isProjected := vol["projected"]
		_, isEmpty := vol["emptyDir"]
		require.True(t, isSecret || isProjected || isEmpty, "volume at %s: the test mounts emptyDirs and Secrets", m.path)
		m.secret = isSecret || isProjected
		p.mounts = append(p.mounts, m)
	}
	return p
}

// checkConsoleLogin runs the console's command on an image-shaped root (as TestConsoleStart does, with
// /etc an overlay so the Secret's mount point can be made) with a java stand-in that records what it
// finds in the data path and exits 0, and checks that users.properties there links to the mounted file.
func checkConsoleLogin(t *testing.T, p authConsolePod, files map[string]string) {
	t.Helper()
	r := startAuthConsole(t, p, files)
	r.logOnFailure(t)
	require.True(t, r.waitExit(stopWithin), "PID 1 still running %s after it started: the stand-in java exits at once", stopWithin)
	require.Zero(t, r.exit.ExitCode(), "PID 1 must exit with java's status 0 (%s)", r.exit)
	argvRec, err := os.ReadFile(filepath.Join(r.records, "java.argv"))
	require.NoError(t, err, "java did not start")
	argv := strings.Split(strings.TrimSuffix(string(argvRec), "\n"), "\n")
	var opts string
	for _, e := range p.env {
		if v, ok := strings.CutPrefix(e, "JAVA_OPTS="); ok {
			opts = v
		}
	}
	require.Equal(t, append([]string{consoleJava}, append(strings.Fields(opts), "-jar", consoleJar)...), argv, "java's argv")
	require.Contains(t, argv, "-Drocketmq.config.loginRequired=true")
	pid, err := os.ReadFile(filepath.Join(r.records, "java.pid"))
	require.NoError(t, err)
	require.Equal(t, "1\n", string(pid), "java's PID in the namespace: the shell must exec it")

	var dataPath string
	for _, a := range argv {
		if v, ok := strings.CutPrefix(a, "-Drocketmq.config.dataPath="); ok {
			dataPath = v
		}
	}
	require.NotEmpty(t, dataPath, "java gets no rocketmq.config.dataPath")
	link := dataPath + "/users.properties"
	// The link as the host sees it in the volume the container wrote it to.
	var target string
	for _, m := range p.mounts {
		if within(m.path, link) && !m.secret {
			rel, err := filepath.Rel(m.path, link)
			require.NoError(t, err)
			target, err = os.Readlink(filepath.Join(m.host, rel))
			require.NoError(t, err, "%s is not a link in the volume at %s", link, m.path)
		}
	}
	require.NotEmpty(t, target, "%s is in no volume the console writes to", link)
	seen, err := os.ReadFile(filepath.Join(r.records, "java.link"))
	require.NoError(t, err)
	require.Equal(t, target+"\n", string(seen), "the link java finds at %s", link)
	users, err := os.ReadFile(filepath.Join(r.records, "java.users"))
	require.NoError(t, err)
	require.NoError(t, consoleLoginErr(target, string(users), files, authUsers))
	t.Logf("%s -> %s, readable by uid %s", link, target, p.uid)
}

// startAuthConsole runs the console's command as PID 1 of new PID and mount namespaces, chrooted into the
// image-shaped root, as the container's user, with the Secret files in their volumes as the kubelet
// puts them: owned by root and the fsGroup, mode 0440 (the volumes' defaultMode 288).
func startAuthConsole(t *testing.T, p authConsolePod, files map[string]string) *podRun {
	t.Helper()
	host := t.TempDir()
	require.False(t, strings.ContainsAny(host, ",:"), "overlayfs options cannot hold %s", host)
	for _, dir := range []string{"root", "bin", "records", "overlay"} {
		require.NoError(t, os.Mkdir(filepath.Join(host, dir), 0o755))
	}
	require.NoError(t, os.Chmod(filepath.Join(host, "records"), 0o777))
	require.NoError(t, os.WriteFile(filepath.Join(host, "bin", "java"),
		[]byte(strings.ReplaceAll(authConsoleJavaStandin, "@RECORDS@", consoleRecords)), 0o755))
	fsGroup, err := strconv.Atoi(p.fsGroup)
	require.NoError(t, err)
	placed := 0
	for i := range p.mounts {
		m := &p.mounts[i]
		m.host = filepath.Join(host, "volumes", strconv.Itoa(i))
		require.NoError(t, os.MkdirAll(m.host, 0o755))
		require.NoError(t, os.Chown(m.host, 0, fsGroup))
		if !m.secret {
			require.NoError(t, os.Chmod(m.host, 0o777|os.ModeSetgid)) // an emptyDir with an fsGroup
			continue
		}
		for path, data := range files {
			if filepath.Dir(path) != m.path {
				continue
			}
			file := filepath.Join(m.host, filepath.Base(path))
			require.NoError(t, os.WriteFile(file, []byte(data), 0o440))
			require.NoError(t, os.Chown(file, 0, fsGroup))
			require.NoError(t, os.Chmod(file, 0o440))
			placed++
		}
	}
	require.Equal(t, len(files), placed, "Secret files outside the console's secret volumes")
	return launchAsUser(t, host, authConsoleSetup(t, host, p.mounts), p.uid, p.gid, p.fsGroup, p.command, p.env)
}

// authConsoleSetup is consoleSetup with /etc an overlay of the host's, in which the mount points of the
// pod's volumes under /etc are made before it is made read-only with the rest of the root.
func authConsoleSetup(t *testing.T, host string, mounts []authConsoleMount) string {
	t.Helper()
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	ovl := host + "/overlay"
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("set -eu")
	line("root=%s", q(host+"/root"))
	line(`mount -t tmpfs -o mode=0755 tmpfs "$root"`)
	line(`for d in bin sbin lib lib32 lib64 libx32 usr; do`)
	line(`	if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$root/$d"`)
	line(`	elif [ -d "/$d" ]; then mkdir "$root/$d" && mount --rbind "/$d" "$root/$d" && mount -o remount,bind,ro "$root/$d"; fi`)
	line(`done`)
	line("mount -t tmpfs tmpfs %s && mkdir %s %s", q(ovl), q(ovl+"/upper"), q(ovl+"/work"))
	line(`mkdir "$root/etc" && mount -t overlay overlay -o %s "$root/etc"`, q("lowerdir=/etc,upperdir="+ovl+"/upper,workdir="+ovl+"/work"))
	line(`mkdir "$root/dev" "$root/proc" && mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc"`)
	line(`mount --bind %s "$root/usr/local/bin"`, q(host+"/bin"))
	line(`mkdir "$root"%s && mount --bind %s "$root"%s`, q(consoleRecords), q(host+"/records"), q(consoleRecords))
	line(`: >"$root"%s`, q(consoleJar))
	sorted := slices.Clone(mounts)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].path < sorted[b].path })
	for _, m := range sorted {
		top := strings.SplitN(strings.TrimPrefix(m.path, "/"), "/", 2)[0]
		require.NotContains(t, []string{"", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "dev", "proc"}, top,
			"mount %s: the test makes mount points only in its own root and /etc", m.path)
		line(`mkdir -p "$root"%s && mount --bind %s "$root"%s`, q(m.path), q(m.host), q(m.path))
		if m.readOnly {
			line(`mount -o remount,bind,ro "$root"%s`, q(m.path))
		}
	}
	line(`mount -o remount,ro "$root/etc"`)
	line(`mount -o remount,ro "$root"`)
	line(`cd "$root"`)
	line(`exec chroot "$root" "$@"`)
	return b.String()
}

// authConsoleJavaStandin plays the dashboard's JVM just long enough to see its login: it records its PID,
// what users.properties in rocketmq.config.dataPath links to and what reading it gives, then its argv,
// and exits 0. Records are renamed into place; java.argv comes last.
const authConsoleJavaStandin = `#!/bin/sh
rec=@RECORDS@
data=
for a in "$@"; do
	case $a in -Drocketmq.config.dataPath=*) data=${a#*=} ;; esac
done
echo "$$" >"$rec/java.pid.part" && mv "$rec/java.pid.part" "$rec/java.pid"
f=$data/users.properties
if [ -L "$f" ]; then readlink "$f"; else echo "not a link: $f"; fi >"$rec/java.link.part"
mv "$rec/java.link.part" "$rec/java.link"
cat "$f" >"$rec/java.users.part" 2>&1 || echo "unreadable" >>"$rec/java.users.part"
mv "$rec/java.users.part" "$rec/java.users"
printf '%s\n' "$0" "$@" >"$rec/java.argv.part"
mv "$rec/java.argv.part" "$rec/java.argv"
exit 0
`
