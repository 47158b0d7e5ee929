package emit

import (
	"encoding/json"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/rocketops/rocketops/pkg/plan"
	"github.com/rocketops/rocketops/pkg/render"
	"github.com/rocketops/rocketops/pkg/spec"
	"github.com/rocketops/rocketops/pkg/tree"
)

// The GitOps targets write the objects Argo CD or Flux need to sync the compiled output from git.
// Files shared by all environments (the AppProject, an ApplicationSet, the GitRepository, the
// kustomization.yaml that lists them) are computed from every environment of the spec, so a compile
// narrowed to some environments writes them whole; each environment's own objects are in a file of
// its own, written only when that environment is compiled.

// API versions of the objects the GitOps targets write.
const (
	argoAPIVersion          = "argoproj.io/v1alpha1"
	fluxKustomizeAPIVersion = "kustomize.toolkit.fluxcd.io/v1"
	fluxHelmAPIVersion      = "helm.toolkit.fluxcd.io/v2"
	fluxSourceAPIVersion    = "source.toolkit.fluxcd.io/v1"
)

// PluginName is the name of rocketops' Argo CD config management plugin (examples/argocd-plugin).
const PluginName = "rocketops"

// Environment variables the plugin reads, as an Application's plugin.env names them (Argo CD adds
// the ARGOCD_ENV_ prefix).
const (
	PluginEnvEnvironment = "ROCKETOPS_ENVIRONMENT"
	PluginEnvSpec        = "ROCKETOPS_SPEC"
)

// gitopsEnv is one environment as the GitOps objects see it.
type gitopsEnv struct {
	name      string
	namespace string
	spec      *spec.Cluster
	g         spec.GitOps
	hostNet   bool
}

func gitopsEnvs(in Input) []gitopsEnv {
	out := make([]gitopsEnv, 0, len(in.AllEnvironments))
	for _, name := range in.AllEnvironments {
		c := in.Specs[name]
		out = append(out, gitopsEnv{name: name, namespace: c.Metadata.Namespace, spec: c, g: c.Spec.GitOps,
			hostNet: boolValue(c.Spec.NameServer.HostNetwork) || boolValue(c.Spec.Brokers.HostNetwork)})
	}
	return out
}

func boolValue(b *bool) bool { return b != nil && *b }

// compiled reports which environments this compile writes.
func compiled(in Input) map[string]bool {
	m := map[string]bool{}
	for _, e := range in.Environments {
		m[e.Name] = true
	}
	return m
}

// sourcePath is where, in the repository, the GitOps objects of an environment find its output.
func sourcePath(e gitopsEnv, stage string) string {
	var p string
	switch e.g.Source {
	case spec.SourceKustomize:
		p = path.Join(e.g.Path, "overlays", e.name, stage)
	case spec.SourceManifests:
		p = path.Join(e.g.Path, "rendered", e.name)
	case spec.SourceHelm:
		p = path.Join(e.g.Path, "charts", "rocketmq")
	case spec.SourcePlugin:
		p = path.Dir(e.g.SpecPath)
	}
	return p
}

func appName(e gitopsEnv) string { return e.spec.Metadata.Name + "-" + e.name }

// writeObjects writes a YAML stream of GitOps objects with the file's header.
func writeObjects(t tree.Tree, head, file string, objs ...any) error {
	var b strings.Builder
	b.WriteString(head)
	for i, o := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		y, err := render.ToYAML(o)
		if err != nil {
			return err
		}
		b.Write(y)
	}
	t[file] = []byte(b.String())
	return nil
}

// ArgoCD writes argocd/: the AppProject, and an Application per environment
// (argocd/applications/<env>.yaml) or one ApplicationSet, with argocd/kustomization.yaml listing them.
func ArgoCD(in Input) (tree.Tree, error) {
	t := tree.Tree{}
	head := header(in.Source)
	envs := gitopsEnvs(in)
	if len(envs) == 0 {
		return t, nil
	}
	first := envs[0].g.ArgoCD
	var files []string
	if *first.CreateProject {
		if err := writeObjects(t, head, "argocd/project.yaml", appProject(envs)); err != nil {
			return nil, err
		}
		files = append(files, "project.yaml")
	}
	if set := first.ApplicationSet; set != nil && *set.Enabled {
		obj, elements := applicationSet(envs)
		if err := writeObjects(t, head, "argocd/applicationset.yaml", obj); err != nil {
			return nil, err
		}
		files = append(files, "applicationset.yaml")
		if set.Generator == "git" {
			for i, e := range envs {
				if !compiled(in)[e.name] {
					continue
				}
				b, err := json.MarshalIndent(elements[i], "", "  ")
				if err != nil {
					return nil, err
				}
				t["argocd/environments/"+e.name+".json"] = append(b, '\n')
			}
		}
	} else {
		for _, e := range envs {
			files = append(files, "applications/"+e.name+".yaml")
			if !compiled(in)[e.name] {
				continue
			}
			if err := writeObjects(t, head, "argocd/applications/"+e.name+".yaml", application(e)); err != nil {
				return nil, err
			}
		}
	}
	k := kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: files}
	if err := writeKustomization(t, head, "argocd/", k); err != nil {
		return nil, err
	}
	return t, nil
}

type obj = map[string]any

func argoMeta(name string, e gitopsEnv) obj {
	return obj{"name": name, "namespace": e.g.ArgoCD.Namespace, "labels": obj{
		"app.kubernetes.io/part-of":    e.spec.Metadata.Name,
		"app.kubernetes.io/managed-by": "rocketops",
	}}
}

func application(e gitopsEnv) obj {
	m := argoMeta(appName(e), e)
	m["labels"].(obj)["rocketops.dev/environment"] = e.name
	return obj{"apiVersion": argoAPIVersion, "kind": "Application", "metadata": m, "spec": applicationSpec(e, appValues{
		repoURL: e.g.RepoURL, revision: e.g.Revision, path: sourcePath(e, ""), environment: e.name, namespace: e.namespace,
		server: e.g.Destination.Server, cluster: e.g.Destination.Name, valuesFile: valuesFile(e),
	})}
}

// appValues are what differs between the Applications of environments: literal values for an
// Application, template references for an ApplicationSet.
type appValues struct {
	repoURL, revision, path, environment, namespace, server, cluster, valuesFile string
}

func valuesFile(e gitopsEnv) string { return "../../values-" + e.name + ".yaml" }

func applicationSpec(e gitopsEnv, v appValues) obj {
	a := e.g.ArgoCD
	source := obj{"repoURL": v.repoURL, "targetRevision": v.revision, "path": v.path}
	switch e.g.Source {
	case spec.SourceHelm:
		// The vendored chart with the environment's values beside it (rocketops compile -t helm
		// --vendor-chart); the release is the cluster's name, as the values header says.
		source["helm"] = obj{"releaseName": e.spec.Metadata.Name, "valueFiles": []any{v.valuesFile}}
	case spec.SourcePlugin:
		source["plugin"] = obj{"name": PluginName, "env": []any{
			obj{"name": PluginEnvEnvironment, "value": v.environment},
			obj{"name": PluginEnvSpec, "value": path.Base(e.g.SpecPath)},
		}}
	case spec.SourceManifests:
		source["directory"] = obj{"recurse": false}
	}
	dest := obj{"namespace": v.namespace}
	if v.cluster != "" || e.g.Destination.Name != "" {
		dest["name"] = v.cluster
	} else {
		dest["server"] = v.server
	}
	policy := obj{"syncOptions": toAny(a.SyncOptions),
		// A failed wave is retried, not given up on: a broker group may take minutes to be ready.
		"retry": obj{"limit": 5, "backoff": obj{"duration": "30s", "factor": 2, "maxDuration": "10m"}}}
	if *a.Automated {
		policy["automated"] = obj{"prune": *a.Prune, "selfHeal": *a.SelfHeal}
	}
	for _, o := range a.SyncOptions {
		if o == "CreateNamespace=true" {
			// The namespace Argo CD creates enforces the Pod Security level the pods meet: restricted,
			// or privileged with host networking, which no lower level admits.
			policy["managedNamespaceMetadata"] = obj{"labels": obj{"pod-security.kubernetes.io/enforce": podSecurityLevel(e)}}
		}
	}
	return obj{
		"project":     a.Project,
		"source":      source,
		"destination": dest,
		"syncPolicy":  policy,
		// The API server keeps a claim template's status (phase Pending) in the StatefulSet it stores;
		// it is no field anyone sets (argoproj/argo-cd issue 11143).
		"ignoreDifferences": []any{obj{"group": "apps", "kind": "StatefulSet",
			"jqPathExpressions": []any{".spec.volumeClaimTemplates[]?.status"}}},
	}
}

func podSecurityLevel(e gitopsEnv) string {
	if e.hostNet {
		return "privileged"
	}
	return "restricted"
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// applicationSet returns one ApplicationSet for every environment, and each environment's
// generator parameters.
func applicationSet(envs []gitopsEnv) (obj, []map[string]string) {
	e0 := envs[0]
	// Only the parameters some environment needs: a destination by server URL or by cluster name
	// (both when environments differ), the values file with the helm source.
	byServer, byName := false, false
	for _, e := range envs {
		byName = byName || e.g.Destination.Name != ""
		byServer = byServer || e.g.Destination.Name == ""
	}
	elements := make([]map[string]string, len(envs))
	list := make([]any, len(envs))
	for i, e := range envs {
		el := map[string]string{
			"environment": e.name, "namespace": e.namespace, "repoURL": e.g.RepoURL, "revision": e.g.Revision,
			"path": sourcePath(e, ""),
		}
		if byServer {
			el["server"] = e.g.Destination.Server
		}
		if byName {
			el["cluster"] = e.g.Destination.Name
		}
		if e.g.Source == spec.SourceHelm {
			el["valuesFile"] = valuesFile(e)
		}
		elements[i] = el
		m := obj{}
		for k, v := range el {
			m[k] = v
		}
		list[i] = m
	}
	var gen obj
	if e0.g.ArgoCD.ApplicationSet.Generator == "git" {
		gen = obj{"git": obj{"repoURL": e0.g.RepoURL, "revision": e0.g.Revision,
			"files": []any{obj{"path": path.Join(e0.g.Path, "argocd", "environments", "*.json")}}}}
	} else {
		gen = obj{"list": obj{"elements": list}}
	}
	param := func(k string) string { return "{{ ." + k + " }}" }
	spec := applicationSpec(e0, appValues{repoURL: param("repoURL"), revision: param("revision"), path: param("path"),
		environment: param("environment"), namespace: param("namespace"), valuesFile: param("valuesFile")})
	dest := obj{"namespace": param("namespace")}
	if byServer {
		dest["server"] = param("server")
	}
	if byName {
		dest["name"] = param("cluster")
	}
	spec["destination"] = dest
	m := argoMeta(e0.spec.Metadata.Name, e0)
	return obj{"apiVersion": argoAPIVersion, "kind": "ApplicationSet", "metadata": m, "spec": obj{
		"goTemplate":        true,
		"goTemplateOptions": []any{"missingkey=error"},
		"generators":        []any{gen},
		"template": obj{
			"metadata": obj{"name": e0.spec.Metadata.Name + "-" + param("environment"), "labels": obj{
				"app.kubernetes.io/part-of": e0.spec.Metadata.Name, "app.kubernetes.io/managed-by": "rocketops",
				"rocketops.dev/environment": param("environment"),
			}},
			"spec": spec,
		},
	}}, elements
}

// appProject lets the Applications sync only the cluster's repositories, into its environments'
// namespaces and destinations, and only the kinds rocketops generates.
func appProject(envs []gitopsEnv) obj {
	e0 := envs[0]
	repos := map[string]bool{}
	type dest struct{ server, name, namespace string }
	dests := map[dest]bool{}
	for _, e := range envs {
		repos[e.g.RepoURL] = true
		dests[dest{e.g.Destination.Server, e.g.Destination.Name, e.namespace}] = true
	}
	var repoList []string
	for r := range repos {
		repoList = append(repoList, r)
	}
	sort.Strings(repoList)
	var destList []dest
	for d := range dests {
		destList = append(destList, d)
	}
	sort.Slice(destList, func(i, j int) bool {
		a, b := destList[i], destList[j]
		return a.server+"\x00"+a.name+"\x00"+a.namespace < b.server+"\x00"+b.name+"\x00"+b.namespace
	})
	var destinations []any
	for _, d := range destList {
		m := obj{"namespace": d.namespace}
		if d.name != "" {
			m["name"] = d.name
		} else {
			m["server"] = d.server
		}
		destinations = append(destinations, m)
	}
	var clusterKinds, nsKinds []any
	kinds := append([]plan.Kind{}, plan.Kinds...)
	sort.Slice(kinds, func(i, j int) bool {
		return kinds[i].Group+"/"+kinds[i].Kind < kinds[j].Group+"/"+kinds[j].Kind
	})
	for _, k := range kinds {
		m := obj{"group": k.Group, "kind": k.Kind}
		if k.Cluster {
			clusterKinds = append(clusterKinds, m)
		} else {
			nsKinds = append(nsKinds, m)
		}
	}
	return obj{"apiVersion": argoAPIVersion, "kind": "AppProject", "metadata": argoMeta(e0.g.ArgoCD.Project, e0), "spec": obj{
		"description":                "RocketMQ cluster " + e0.spec.Metadata.Name + ", compiled by rocketops",
		"sourceRepos":                toAny(repoList),
		"destinations":               destinations,
		"clusterResourceWhitelist":   clusterKinds,
		"namespaceResourceWhitelist": nsKinds,
		// Objects in the namespaces that no Application syncs show as orphaned, without being touched.
		"orphanedResources": obj{"warn": true},
	}}
}

// Flux writes flux/: the GitRepository (unless the spec names an existing source), per environment
// flux/<env>.yaml with one Kustomization (source kustomize) or HelmRelease (source helm) per stage,
// each depending on the one before, and flux/kustomization.yaml listing them.
func Flux(in Input) (tree.Tree, error) {
	t := tree.Tree{}
	head := header(in.Source)
	envs := gitopsEnvs(in)
	if len(envs) == 0 {
		return t, nil
	}
	var files []string
	names := sourceNames(envs)
	if src := gitRepositories(envs, names); len(src) > 0 {
		if err := writeObjects(t, head, "flux/source.yaml", src...); err != nil {
			return nil, err
		}
		files = append(files, "source.yaml")
	}
	byName := map[string]Environment{}
	for _, e := range in.Environments {
		byName[e.Name] = e
	}
	for _, e := range envs {
		files = append(files, e.name+".yaml")
		env, ok := byName[e.name]
		if !ok {
			continue
		}
		var objs []any
		if e.g.Source == spec.SourceHelm {
			objs = helmReleases(e, names[e.name], stagesOf(env).order)
		} else {
			objs = fluxKustomizations(e, names[e.name], stagesOf(env).order)
		}
		if err := writeObjects(t, head, "flux/"+e.name+".yaml", objs...); err != nil {
			return nil, err
		}
	}
	if err := writeKustomization(t, head, "flux/", kustomization{APIVersion: apiVersion, Kind: "Kustomization", Resources: files}); err != nil {
		return nil, err
	}
	return t, nil
}

func fluxMeta(name string, e gitopsEnv) obj {
	return obj{"name": name, "namespace": e.g.Flux.Namespace, "labels": obj{
		"app.kubernetes.io/part-of":    e.spec.Metadata.Name,
		"app.kubernetes.io/managed-by": "rocketops",
		"rocketops.dev/environment":    e.name,
	}}
}

// sourceNames names each environment's source: the one the spec names, or the GitRepository
// rocketops writes, one per distinct repository and revision: the cluster's name for the first, and
// <cluster>-<env> for an environment that reads another.
func sourceNames(envs []gitopsEnv) map[string]string {
	out := map[string]string{}
	byRepo := map[string]string{}
	for _, e := range envs {
		if e.g.Flux.SourceName != "" {
			out[e.name] = e.g.Flux.SourceName
			continue
		}
		key := e.g.RepoURL + "\x00" + e.g.Revision
		if n, ok := byRepo[key]; ok {
			out[e.name] = n
			continue
		}
		n := e.spec.Metadata.Name
		if len(byRepo) > 0 {
			n += "-" + e.name
		}
		byRepo[key], out[e.name] = n, n
	}
	return out
}

var commitSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// gitRepositories are the GitRepositories rocketops writes, in the order their names first appear.
func gitRepositories(envs []gitopsEnv, names map[string]string) []any {
	var out []any
	seen := map[string]bool{}
	for _, e := range envs {
		n := names[e.name]
		if e.g.Flux.SourceName != "" || seen[n] {
			continue
		}
		seen[n] = true
		ref := obj{"branch": e.g.Revision}
		switch r := e.g.Revision; {
		case commitSHA.MatchString(r):
			ref = obj{"commit": r}
		case strings.HasPrefix(r, "refs/"):
			ref = obj{"name": r}
		}
		m := fluxMeta(n, e)
		delete(m["labels"].(obj), "rocketops.dev/environment")
		out = append(out, obj{"apiVersion": fluxSourceAPIVersion, "kind": "GitRepository", "metadata": m, "spec": obj{
			"interval": e.g.Flux.Interval, "url": e.g.RepoURL, "ref": ref, "timeout": "60s",
		}})
	}
	return out
}

// stageSlug names a stage in a Kustomization's name.
func stageSlug(stage string) string {
	if g, ok := strings.CutPrefix(stage, plan.StageGroups); ok {
		return "group-" + g
	}
	return stage
}

// stageChain makes one Flux object per stage of an environment, named <cluster>-<env>-<stage>, each
// depending on the one before it, with the environment's remote cluster if it has one; specOf gives
// each stage's own spec fields.
func stageChain(e gitopsEnv, apiVersion, kind string, stages []string, specOf func(i int, stage string) obj) []any {
	var out []any
	prev := ""
	for i, st := range stages {
		name := appName(e) + "-" + stageSlug(st)
		s := specOf(i, st)
		if prev != "" {
			s["dependsOn"] = []any{obj{"name": prev}}
		}
		if e.g.Destination.KubeConfigSecret != "" {
			s["kubeConfig"] = obj{"secretRef": obj{"name": e.g.Destination.KubeConfigSecret}}
		}
		m := fluxMeta(name, e)
		m["labels"].(obj)["rocketops.dev/stage"] = stageSlug(st)
		out = append(out, obj{"apiVersion": apiVersion, "kind": kind, "metadata": m, "spec": s})
		prev = name
	}
	return out
}

// fluxKustomizations are one Kustomization per stage of an environment, each depending on the one
// before it: with wait, a stage starts only once every object of the one before is ready.
func fluxKustomizations(e gitopsEnv, source string, stages []string) []any {
	f := e.g.Flux
	return stageChain(e, fluxKustomizeAPIVersion, "Kustomization", stages, func(i int, st string) obj {
		s := obj{
			"interval":      f.Interval,
			"retryInterval": f.RetryInterval,
			"timeout":       f.Timeout,
			"path":          "./" + sourcePath(e, st),
			"prune":         *f.Prune,
			"wait":          *f.Wait,
			"sourceRef":     obj{"kind": f.SourceKind, "name": source},
		}
		if i == len(stages)-1 && len(f.HealthChecks) > 0 {
			// The spec's health checks are the environment's, checked once its last stage is applied.
			var hc []any
			for _, h := range f.HealthChecks {
				m := obj{"apiVersion": h.APIVersion, "kind": h.Kind, "name": h.Name, "namespace": h.Namespace}
				if h.Namespace == "" {
					m["namespace"] = e.namespace
				}
				hc = append(hc, m)
			}
			s["healthChecks"] = hc
		}
		return s
	})
}

// HelmReleaseName is the Helm release of a stage: the cluster's name and the stage's.
func HelmReleaseName(cluster, stage string) string { return cluster + "-" + stageSlug(stage) }

// helmReleases install the vendored chart once per stage, each with the environment's values and the
// chart's stage value, so each release holds one stage's objects; each depends on the one before, and
// Helm waits for a release's objects to be ready, so the stages go one after another.
func helmReleases(e gitopsEnv, source string, stages []string) []any {
	f := e.g.Flux
	drift := obj{"mode": f.DriftDetection.Mode}
	if len(f.DriftDetection.Ignore) > 0 {
		var rules []any
		for _, r := range f.DriftDetection.Ignore {
			m := obj{"paths": toAny(r.Paths)}
			if r.Target != nil {
				tg := obj{}
				for k, v := range map[string]string{"group": r.Target.Group, "kind": r.Target.Kind, "name": r.Target.Name} {
					if v != "" {
						tg[k] = v
					}
				}
				m["target"] = tg
			}
			rules = append(rules, m)
		}
		drift["ignore"] = rules
	}
	return stageChain(e, fluxHelmAPIVersion, "HelmRelease", stages, func(_ int, st string) obj {
		return obj{
			"interval":         f.Interval,
			"timeout":          f.Timeout,
			"releaseName":      HelmReleaseName(e.spec.Metadata.Name, st),
			"targetNamespace":  e.namespace,
			"storageNamespace": e.namespace,
			"chart": obj{"spec": obj{
				"chart":             "./" + sourcePath(e, ""),
				"sourceRef":         obj{"kind": f.SourceKind, "name": source},
				"valuesFiles":       []any{"./" + path.Join(e.g.Path, "values-"+e.name+".yaml")},
				"reconcileStrategy": "Revision",
			}},
			"values":  obj{"stage": st},
			"install": obj{"createNamespace": true, "remediation": obj{"retries": 3}},
			// An upgrade that fails is left for a fix, never rolled back or uninstalled: rolling a
			// broker group back is another rolling restart, and an uninstall would take the brokers
			// away. No retries and no remediation of the last failure is what helm-controller v1.6.4
			// does by default (upgrade.remediation in its HelmRelease CRD), spelled out.
			"upgrade":        obj{"remediation": obj{"retries": 0, "remediateLastFailure": false}},
			"driftDetection": drift,
		}
	})
}
