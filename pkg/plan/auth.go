package plan

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketops/rocketops/pkg/catalog"
	"github.com/rocketops/rocketops/pkg/spec"
)

// Where credentials are mounted: Secret volumes, read-only, never copied into a ConfigMap.
const (
	// ACLPath holds plain_acl.yml (acl1). The brokers find it through -Drocketmq.acl.plain.file, a path
	// that PlainPermissionManager always reads relative to ROCKETMQ_HOME (acl/src/main/java/org/apache/
	// rocketmq/acl/plain/PlainPermissionManager.java at rocketmq-all-4.9.0 and 4.9.8), which the image sets
	// to /home/rocketmq/rocketmq-<version>: three levels below the root.
	ACLPath = "/etc/rocketmq-acl"
	aclFile = "plain_acl.yml"
	// AuthPath holds the acl2 credentials, one file each, that the start scripts add to the
	// configuration: no RocketMQ configuration file reads environment variables or other files.
	AuthPath = "/etc/rocketmq-auth"
	// ConsoleUsersPath holds the console's users.properties.
	ConsoleUsersPath = "/etc/rocketmq-console"
)

// The metadata providers acl2 needs: they have no default, and a broker with initAuthenticationUser but
// no provider stops at start (AuthenticationMetadataManagerImpl.java at rocketmq-all-5.3.3).
const (
	brokerAuthnProvider = "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider"
	brokerAuthzProvider = "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider"
	proxyAuthnProvider  = "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider"
	proxyAuthzProvider  = "org.apache.rocketmq.proxy.auth.ProxyAuthorizationMetadataProvider"
)

// auth is what access control asks of a cluster's processes.
func (b *builder) auth() *spec.Auth {
	a := b.c.Spec.Auth
	if !*a.Enabled {
		return nil
	}
	return &a
}

// innerCredentials are the credentials brokers and proxies sign their own calls with: innerClient, or
// the admin user's name and password.
func innerCredentials(a *spec.Auth) spec.Credentials {
	if a.InnerClient != nil {
		return *a.InnerClient
	}
	return spec.Credentials{AccessKey: a.Admin.Username, SecretKey: a.Admin.Password}
}

// clientCredentials are the credentials rocketops' own clients use, or nil.
func clientCredentials(a *spec.Auth) *spec.Credentials {
	if a == nil {
		return nil
	}
	if a.Client != nil {
		return a.Client
	}
	if a.Mode == spec.AuthACL2 {
		c := innerCredentials(a)
		return &c
	}
	return nil
}

// brokerAuthKeys are the broker.conf keys of access control that hold no secret.
func (b *builder) brokerAuthKeys() []kv {
	a := b.auth()
	if a == nil {
		return nil
	}
	if a.Mode == spec.AuthACL1 {
		return []kv{{"aclEnable", "true"}}
	}
	return b.present(catalog.Broker, []kv{
		{"authenticationEnabled", "true"},
		{"authenticationMetadataProvider", brokerAuthnProvider},
		{"authorizationEnabled", fmt.Sprint(*a.Authorization)},
		{"authorizationMetadataProvider", brokerAuthzProvider},
	})
}

// proxyAuthKeys are the rmq-proxy.json keys of access control that hold no secret. The proxy signs its
// calls to the brokers only with enableAclRpcHookForClusterMode (DefaultMessagingProcessor.java at
// rocketmq-all-5.3.3).
func (b *builder) proxyAuthKeys() map[string]any {
	a := b.auth()
	if a == nil {
		return nil
	}
	out := map[string]any{
		"authenticationEnabled":          true,
		"authenticationMetadataProvider": proxyAuthnProvider,
		"authorizationEnabled":           *a.Authorization,
		"authorizationMetadataProvider":  proxyAuthzProvider,
		"enableAclRpcHookForClusterMode": true,
	}
	for k := range out {
		if !b.hasKey(catalog.Proxy, k) {
			delete(out, k)
		}
	}
	return out
}

// present keeps the keys the version's component reads.
func (b *builder) present(c catalog.Component, kvs []kv) []kv {
	var out []kv
	for _, p := range kvs {
		if b.hasKey(c, p.k) {
			out = append(out, p)
		}
	}
	return out
}

// authFile is one credential file of the projected auth volume.
type authFile struct {
	ref  spec.SecretRef
	path string
}

// authVolume mounts the Secret keys a process adds to its configuration at start: the admin user for
// brokers, the inner credentials for brokers and proxies.
func authVolume(files []authFile) (corev1.VolumeMount, corev1.Volume) {
	var sources []corev1.VolumeProjection
	for _, f := range files {
		sources = append(sources, corev1.VolumeProjection{Secret: &corev1.SecretProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: f.ref.Name},
			Items:                []corev1.KeyToPath{{Key: f.ref.Key, Path: f.path}},
		}})
	}
	mode := int32(0o440)
	return corev1.VolumeMount{Name: "auth", MountPath: AuthPath, ReadOnly: true},
		corev1.Volume{Name: "auth", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: sources, DefaultMode: &mode}}}
}

// secretVolume mounts one Secret key as file at path.
func secretVolume(name, path, file string, ref spec.SecretRef) (corev1.VolumeMount, corev1.Volume) {
	mode := int32(0o440)
	return corev1.VolumeMount{Name: name, MountPath: path, ReadOnly: true},
		corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: ref.Name, Items: []corev1.KeyToPath{{Key: ref.Key, Path: file}}, DefaultMode: &mode}}}
}

// readSecret is the shell function start scripts read a credential with. The value goes into a
// properties file as JSON text, so it must need no escaping in either: printable ASCII without spaces,
// quotes or backslashes. A trailing line break (echo > file) is dropped.
const readSecret = `# secret prints the credential in file $1, refusing one that would need escaping.
secret() (
  LC_ALL=C
  v=$(cat "$1") || exit 1
  case "$v" in '' | *[!!-~]* | *'"'* | *\\*)
    echo "rocketops: $2 must be printable ASCII without spaces, quotes or backslashes" >&2; exit 1 ;;
  esac
  printf '%s' "$v"
)
`

// brokerAuth adds what access control asks of a broker pod: volumes, JVM flags and the lines its start
// script appends to broker.conf.
func (b *builder) brokerAuth(w *workload) string {
	a := b.auth()
	if a == nil {
		return ""
	}
	if a.Mode == spec.AuthACL1 {
		m, v := secretVolume("acl", ACLPath, aclFile, a.ACL1.File)
		w.mounts, w.volumes = append(w.mounts, m), append(w.volumes, v)
		// From 4.9.3 the brokers also load every .yml under $ROCKETMQ_HOME/conf/acl, and 4.9.3's image ships
		// a sample there with accounts of a known password and whitelisted address ranges
		// (distribution/conf/acl/plain_acl.yml at rocketmq-all-4.9.3): an empty folder hides it.
		w.scratch = append(w.scratch, scratch{"acl-dir", rocketmqHome(b.c.Spec.Version) + "/conf/acl", 1 * mi})
		return ""
	}
	inner := innerCredentials(a)
	m, v := authVolume([]authFile{
		{a.Admin.Username, "admin-username"}, {a.Admin.Password, "admin-password"},
		{inner.AccessKey, "inner-access-key"}, {inner.SecretKey, "inner-secret-key"},
	})
	w.mounts, w.volumes = append(w.mounts, m), append(w.volumes, v)
	return readSecret + fmt.Sprintf(`admin_user=$(secret %[1]s/admin-username spec.auth.admin.username) || exit 1
admin_pass=$(secret %[1]s/admin-password spec.auth.admin.password) || exit 1
inner_ak=$(secret %[1]s/inner-access-key spec.auth.innerClient.accessKey) || exit 1
inner_sk=$(secret %[1]s/inner-secret-key spec.auth.innerClient.secretKey) || exit 1
printf 'initAuthenticationUser={"username":"%%s","password":"%%s"}\ninnerClientAuthenticationCredentials={"accessKey":"%%s","secretKey":"%%s"}\n' "$admin_user" "$admin_pass" "$inner_ak" "$inner_sk" >>"$conf"
unset admin_user admin_pass inner_ak inner_sk
`, AuthPath)
}

// rocketmqHome is ROCKETMQ_HOME in the official image of version (image-build/Dockerfile-* of
// apache/rocketmq-docker: /home/rocketmq/rocketmq-<version>).
func rocketmqHome(version string) string { return Home + "/rocketmq-" + version }

// aclJavaOption points the broker at the mounted plain_acl.yml.
func (b *builder) aclJavaOption() []string {
	a := b.auth()
	if a == nil || a.Mode != spec.AuthACL1 {
		return nil
	}
	return []string{"-Drocketmq.acl.plain.file=../../.." + ACLPath + "/" + aclFile}
}

// proxyAuth adds the inner credentials to a proxy's pod and returns the script that writes its
// rmq-proxy.json with them into /tmp, or "" when there are none. src is the generated file.
func (b *builder) proxyAuth(w *workload, src string) string {
	a := b.auth()
	if a == nil || a.Mode != spec.AuthACL2 {
		return ""
	}
	inner := innerCredentials(a)
	m, v := authVolume([]authFile{{inner.AccessKey, "inner-access-key"}, {inner.SecretKey, "inner-secret-key"}})
	if !hasMount(w.mounts, "auth") {
		w.mounts, w.volumes = append(w.mounts, m), append(w.volumes, v)
	}
	// The generated file ends with a line holding "}": replace it with one more entry and the brace.
	return readSecret + fmt.Sprintf(`inner_ak=$(secret %[1]s/inner-access-key spec.auth.innerClient.accessKey) || exit 1
inner_sk=$(secret %[1]s/inner-secret-key spec.auth.innerClient.secretKey) || exit 1
sed '$d' %[2]s >%[3]s/rmq-proxy.json
printf '  ,"innerClientAuthenticationCredentials": "{\\"accessKey\\":\\"%%s\\",\\"secretKey\\":\\"%%s\\"}"\n}\n' "$inner_ak" "$inner_sk" >>%[3]s/rmq-proxy.json
unset inner_ak inner_sk
`, AuthPath, src, TmpPath)
}

func hasMount(ms []corev1.VolumeMount, name string) bool {
	for _, m := range ms {
		if m.Name == name {
			return true
		}
	}
	return false
}

// consoleAuth gives the console its credentials to the brokers (Spring binds ROCKETMQ_CONFIG_ACCESSKEY
// and _SECRETKEY to rocketmq.config.accessKey and secretKey, RMQConfigure at rocketmq-dashboard 2.0.0
// and 2.1.0) and, with a login, its users.properties: a link in the data path to the Secret's file,
// which the dashboard re-reads when it changes (it polls the file's digest every 500 ms).
func (b *builder) consoleAuth(w *workload, dataPath string) (props []string, prepare string) {
	if c := clientCredentials(b.auth()); c != nil {
		w.env = append(w.env, secretEnv("ROCKETMQ_CONFIG_ACCESSKEY", c.AccessKey), secretEnv("ROCKETMQ_CONFIG_SECRETKEY", c.SecretKey))
	}
	login := b.c.Spec.Console.Login
	if login == nil {
		return nil, ""
	}
	m, v := secretVolume("users", ConsoleUsersPath, "users.properties", login.Users)
	w.mounts, w.volumes = append(w.mounts, m), append(w.volumes, v)
	return []string{"-Drocketmq.config.loginRequired=true"},
		fmt.Sprintf("mkdir -p %[1]s && ln -sf %[2]s/users.properties %[1]s/users.properties && ", dataPath, ConsoleUsersPath)
}

func secretEnv(name string, ref spec.SecretRef) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: ref.Key}}}
}

// joinOptions appends JVM options to a JAVA_OPT_EXT value.
func joinOptions(base string, extra []string) string {
	if len(extra) == 0 {
		return base
	}
	return strings.TrimSpace(base + " " + strings.Join(extra, " "))
}
