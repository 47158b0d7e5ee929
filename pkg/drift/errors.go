package drift

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	ssaerrors "github.com/fluxcd/pkg/ssa/errors"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ConfigError is a kubeconfig that cannot be used: missing, unreadable, or without the context asked for.
type ConfigError struct {
	Msg  string
	Hint string
	Err  error // the underlying error, if any
}

func (e *ConfigError) Error() string { return e.Msg }

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// ClusterError is a cluster that cannot be compared with at all: unreachable, refusing the
// credentials, or not answering in time.
type ClusterError struct {
	Msg  string
	Hint string
	Err  error
}

func (e *ClusterError) Error() string { return e.Msg }

// Unwrap returns the underlying error.
func (e *ClusterError) Unwrap() error { return e.Err }

// clusterError says what went wrong talking to the server at host, and what to do about it.
func clusterError(host string, err error) *ClusterError {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		netErr    net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &ClusterError{Err: err, Msg: fmt.Sprintf("the cluster at %s did not answer in time: %v", host, err),
			Hint: "check that the server is up and reachable from here, or allow more time with --timeout"}
	case apierrors.IsUnauthorized(err):
		return &ClusterError{Err: err, Msg: fmt.Sprintf("the cluster at %s refused the credentials: %v", host, err),
			Hint: "the context's token or client certificate is wrong or expired: log in again, or pick another context with --context"}
	case apierrors.IsForbidden(err):
		return &ClusterError{Err: err, Msg: fmt.Sprintf("the cluster at %s refused access: %v", host, err),
			Hint: "the context's user needs to read the API (get, list) and to patch with dryRun the objects rocketops generates"}
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid):
		return &ClusterError{Err: err, Msg: fmt.Sprintf("the cluster at %s is not the one the kubeconfig trusts: %v", host, err),
			Hint: "the context's certificate-authority does not match the server's certificate; check the kubeconfig's cluster entry"}
	case errors.As(err, &netErr):
		return &ClusterError{Err: err, Msg: fmt.Sprintf("cannot reach the cluster at %s: %v", host, err),
			Hint: "check that the server is running and that the context (--context, --kubeconfig) names the right address"}
	}
	return &ClusterError{Err: err, Msg: fmt.Sprintf("talking to the cluster at %s: %v", host, err),
		Hint: "check the context (--context, --kubeconfig) and that the server is a Kubernetes API server"}
}

// objectError is the finding for an object the server would not let be compared.
func objectError(id ObjectID, desired *unstructured.Unstructured, err error) *Finding {
	f := &Finding{Object: id, State: Failed}
	msg := err.Error()
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Message != "" {
		// ssa's DryRunErr repeats the object's name, which the finding already gives.
		msg = status.Status().Message
	}
	switch {
	case meta.IsNoMatchError(err):
		f.Error = fmt.Sprintf("the cluster does not serve %s %s", id.APIVersion, id.Kind)
		f.Hint = "install the CustomResourceDefinition that defines it (for monitoring.coreos.com, the Prometheus Operator's), or turn off what generates it in the spec"
	case apierrors.IsForbidden(err):
		f.Error = "forbidden: " + msg
		f.Hint = fmt.Sprintf("the context's user needs get and patch (the server-side dry run) on %s in %s", id.Kind, where(id))
	case apierrors.IsNotFound(err):
		f.Error = "the dry run was refused: " + msg
		f.Hint = "create what it names first (the namespace, say)"
	case ssaerrors.IsImmutableError(err):
		f.Error = "the dry run was refused: " + msg
		f.Hint = "the server does not accept the object as rocketops generates it; when the message names a field " +
			"that cannot change in place (a StatefulSet's volumeClaimTemplates, selector or serviceName), the object has to be deleted and applied again"
	default:
		f.Error = "the dry run was refused: " + msg
	}
	f.Error = redact(f.Error, desired)
	return f
}

func where(id ObjectID) string {
	if id.Namespace == "" {
		return "the cluster scope"
	}
	return "namespace " + id.Namespace
}

// redact masks in msg every value of a Secret's data and stringData, as written and decoded: the
// server's messages quote values they refuse.
func redact(msg string, obj *unstructured.Unstructured) string {
	if !isSecret(obj) {
		return msg
	}
	var values []string
	for _, key := range []string{"data", "stringData"} {
		m, _, _ := unstructured.NestedMap(obj.Object, key)
		for _, v := range m {
			s, ok := v.(string)
			if !ok || s == "" {
				continue
			}
			values = append(values, s)
			if key == "data" {
				if dec, err := base64.StdEncoding.DecodeString(s); err == nil && len(dec) > 0 {
					values = append(values, string(dec))
				}
			}
		}
	}
	// Longest first, so that a value containing another is masked whole.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, v := range values {
		msg = strings.ReplaceAll(msg, v, Mask)
	}
	return msg
}
