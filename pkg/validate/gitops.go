package validate

import (
	"net/url"

	"github.com/rocketops/rocketops/pkg/diag"
	"strings"

	"github.com/rocketops/rocketops/pkg/spec"
	"go.yaml.in/yaml/v3"
)

// gitopsRules checks spec.gitops: what each GitOps tool can sync, and that the objects rocketops
// writes for it can be complete.
func (r *ruler) gitopsRules() {
	g := r.c.Spec.GitOps
	if g.RepoURL != "" {
		if u, err := url.Parse(g.RepoURL); err == nil && u.User != nil {
			if _, hasPassword := u.User.Password(); hasPassword {
				r.at("/spec/gitops/repoURL", false, "give Argo CD a repository Secret, and Flux a GitRepository secretRef; keep the URL without credentials",
					"repoURL carries a password: every generated Application and GitRepository would show it")
			}
		}
	}
	if g.Source == spec.SourcePlugin && g.SpecPath == "" {
		r.at("/spec/gitops/source", false, "set spec.gitops.specPath to this file's path in the repository, e.g. clusters/orders/cluster.yaml",
			"source plugin runs rocketops on the spec in the repository, and spec.gitops.specPath is not set")
	}
	if g.Destination.Server != "" && g.Destination.Name != "" && r.given("/spec/gitops/destination/server") {
		r.at("/spec/gitops/destination/name", true, "keep one of them", "a destination is a server URL or a cluster name, not both")
	}
	if g.ArgoCD != nil && g.RepoURL == "" {
		r.at("/spec/gitops/argocd", true, "set spec.gitops.repoURL to the repository the output is committed to",
			"Argo CD Applications need spec.gitops.repoURL")
	}
	if f := g.Flux; f != nil {
		switch {
		case g.Source == spec.SourcePlugin || g.Source == spec.SourceManifests:
			r.at("/spec/gitops/source", false, "use source kustomize (one Kustomization per stage, in order) or helm",
				"Flux cannot sync source %s in stages: %s", g.Source, map[string]string{
					spec.SourcePlugin:    "plugins are an Argo CD feature",
					spec.SourceManifests: "rendered/<env>/manifest.yaml is one file, and a Kustomization applies a whole folder at once",
				}[g.Source])
		case f.SourceName == "" && f.SourceKind != "GitRepository":
			r.at("/spec/gitops/flux/sourceKind", false, "name the existing source with spec.gitops.flux.sourceName",
				"rocketops writes only GitRepository sources; an %s must exist already", f.SourceKind)
		case f.SourceName == "" && g.RepoURL == "":
			r.at("/spec/gitops/flux", true, "set spec.gitops.repoURL, or name an existing source with spec.gitops.flux.sourceName",
				"the Flux GitRepository needs spec.gitops.repoURL")
		}
		if g.Source == spec.SourceHelm {
			// Helm refuses release names over 53 characters (maxReleaseNameLen in pkg/chartutil/validate_name.go, helm v3.22.0).
			for _, grp := range r.c.Spec.Brokers.GroupList() {
				if n := r.c.Metadata.Name + "-group-" + grp.Name; len(n) > 53 {
					r.at("/spec/gitops/source", false, "shorten the cluster or group name",
						"the Helm release of group %s would be %q, %d characters; Helm allows 53", grp.Name, n, len(n))
				}
			}
		}
		if len(f.HealthChecks) > 0 && *f.Wait {
			r.warn("/spec/gitops/flux/healthChecks", true, "set spec.gitops.flux.wait: false to have Flux check these instead",
				"Flux ignores healthChecks when wait is true: it waits for every object it applies")
		}
		if f.SourceName != "" && g.RepoURL != "" && r.given("/spec/gitops/repoURL") && !r.given("/spec/gitops/argocd") {
			r.warn("/spec/gitops/repoURL", false, "remove repoURL, or remove sourceName to have rocketops write the GitRepository",
				"repoURL is not used: the Kustomizations read the existing source %s", f.SourceName)
		}
	}
	if g.ArgoCD == nil && g.Flux == nil {
		for _, f := range []string{"repoURL", "revision", "path", "source", "specPath", "destination"} {
			if p := "/spec/gitops/" + f; r.given(p) {
				r.warn(p, true, "add spec.gitops.argocd or spec.gitops.flux (even empty) for the tool that syncs the output",
					"spec.gitops.%s is not used: neither spec.gitops.argocd nor spec.gitops.flux is given", f)
			}
		}
	}
	for i, p := range []string{g.Path, g.SpecPath} {
		if p == "" {
			continue
		}
		for _, part := range strings.Split(p, "/") {
			if part == ".." {
				r.at("/spec/gitops/"+[]string{"path", "specPath"}[i], false, "write the path from the repository root, without ..",
					"%q leaves the repository", p)
				break
			}
		}
	}
}

// argocdOverrides reports environments that change Argo CD settings every environment shares:
// the one AppProject rocketops writes (its name, whether it is written, Argo CD's namespace), and with
// an ApplicationSet all of spec.gitops.argocd, since one ApplicationSet has one project and one sync
// policy for all the Applications it generates.
func argocdOverrides(doc *spec.Document, envs *yaml.Node) diag.List {
	set := spec.Lookup(doc.Root, "/spec/gitops/argocd/applicationSet")
	shared := set != nil
	if shared {
		if on := spec.Lookup(set, "/enabled"); on != nil && on.Value == "false" {
			shared = false
		}
	}
	var out diag.List
	for i := 0; i+1 < len(envs.Content); i += 2 {
		env := envs.Content[i].Value
		ptr := spec.Pointer("spec", "environments", env, "spec", "gitops", "argocd")
		if shared && spec.Lookup(doc.Root, ptr) != nil {
			line, col, _ := doc.Position(doc.Root, ptr, true)
			out = append(out, diag.Diagnostic{File: doc.File, Line: line, Col: col, Pointer: ptr,
				Message: "environment " + env + " changes spec.gitops.argocd, which one ApplicationSet shares with every environment",
				Hint:    "set Argo CD options once, in spec.gitops.argocd; environments may change repoURL, revision, path and destination"})
			continue
		}
		for _, f := range []string{"namespace", "project", "createProject"} {
			p := ptr + "/" + f
			if spec.Lookup(doc.Root, p) == nil {
				continue
			}
			line, col, _ := doc.Position(doc.Root, p, true)
			out = append(out, diag.Diagnostic{File: doc.File, Line: line, Col: col, Pointer: p,
				Message: "environment " + env + " changes spec.gitops.argocd." + f + ", which every environment shares: rocketops writes one AppProject for all of them",
				Hint:    "set it once, in spec.gitops.argocd"})
		}
	}
	return out
}
