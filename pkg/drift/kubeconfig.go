package drift

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/rocketops/rocketops/pkg/diag"
)

// Kubeconfig says where the kubeconfig is and which of its contexts to use, with kubectl's rules:
// Path alone if given, else the files of Paths merged, else Default.
type Kubeconfig struct {
	Path    string   // --kubeconfig: the one file read; it must exist
	Paths   []string // the files KUBECONFIG lists, used when Path is empty; missing ones are skipped
	Default string   // read when neither is given (~/.kube/config)
	Context string   // the context to use; empty means the kubeconfig's current context
}

// Target is the context a Config was loaded for.
type Target struct {
	Context string
	Server  string
}

// LoadConfig reads the kubeconfig through client-go's clientcmd and returns the client configuration
// of its context. Every error is a *ConfigError that names the file or context and says what to do.
func LoadConfig(k Kubeconfig) (*rest.Config, Target, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: k.Path, Precedence: k.Paths}
	if k.Path == "" && len(k.Paths) == 0 && k.Default != "" {
		rules.Precedence = []string{k.Default}
	}
	where := describeFiles(k, rules)
	if k.Path != "" {
		if _, err := os.Stat(k.Path); err != nil {
			return nil, Target{}, &ConfigError{Err: err, Msg: fmt.Sprintf("cannot read kubeconfig %s: %v", k.Path, unwrapPath(err)),
				Hint: "give the path of a kubeconfig file with --kubeconfig"}
		}
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, Target{}, &ConfigError{Err: err, Msg: fmt.Sprintf("cannot read kubeconfig %s: %v", where, err),
			Hint: "the file must be a kubeconfig (apiVersion: v1, kind: Config), as kubectl config view prints it"}
	}
	if len(raw.Contexts) == 0 {
		return nil, Target{}, &ConfigError{Msg: fmt.Sprintf("no kubeconfig with a context found (looked in %s)", where),
			Hint: "give one with --kubeconfig FILE or the KUBECONFIG environment variable"}
	}
	name := k.Context
	if name == "" {
		name = raw.CurrentContext
	}
	names := contextNames(raw)
	if name == "" {
		return nil, Target{}, &ConfigError{Msg: fmt.Sprintf("kubeconfig %s sets no current context", where),
			Hint: "choose one with --context: " + strings.Join(names, ", ")}
	}
	if _, ok := raw.Contexts[name]; !ok {
		hint := "contexts in it: " + strings.Join(names, ", ")
		if s := diag.Closest(name, names); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		what := "context"
		if k.Context == "" {
			what = "current context"
		}
		return nil, Target{}, &ConfigError{Msg: fmt.Sprintf("%s %q is not in kubeconfig %s", what, name, where), Hint: hint}
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		return nil, Target{}, &ConfigError{Err: err, Msg: fmt.Sprintf("context %q of kubeconfig %s cannot be used: %v", name, where, err),
			Hint: "the context must name a cluster with a server address and a user; check it with kubectl config view --context " + name}
	}
	return cfg, Target{Context: name, Server: cfg.Host}, nil
}

func contextNames(c *clientcmdapi.Config) []string {
	var names []string
	for n := range c.Contexts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// describeFiles names the files a kubeconfig is read from, for messages.
func describeFiles(k Kubeconfig, rules *clientcmd.ClientConfigLoadingRules) string {
	if k.Path != "" {
		return k.Path
	}
	if len(rules.Precedence) == 0 {
		return "(none given)"
	}
	return strings.Join(rules.Precedence, ", ")
}

// unwrapPath drops the path a *PathError repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
