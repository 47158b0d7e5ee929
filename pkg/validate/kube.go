package validate

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/rocketops/rocketops/pkg/diag"
)

// The rules below are the ones the API server applies to the same fields (k8s.io/kubernetes
// pkg/apis/core/validation, ValidateTolerations and ValidateAffinity, v1.33), so that a mistake in a
// hand-written object is reported where it was written, before anything is applied.

// tolerations checks decoded tolerations.
func (r *ruler) tolerations(ptr string, tols []corev1.Toleration) {
	for i, tol := range tols {
		tp := fmt.Sprintf("%s/%d", ptr, i)
		if tol.Key != "" {
			r.qualifiedName(tp+"/key", "toleration key", tol.Key)
		}
		switch tol.Operator {
		case corev1.TolerationOpExists:
			if tol.Value != "" {
				r.at(tp+"/value", true, "remove value, or use operator Equal", "a toleration with operator Exists takes no value")
			}
		case "", corev1.TolerationOpEqual:
			if tol.Key == "" {
				r.at(tp, false, "give a key, or use operator Exists to tolerate every taint", "a toleration without a key must use operator Exists")
			}
			for _, msg := range validation.IsValidLabelValue(tol.Value) {
				r.at(tp+"/value", false, "", "toleration value %s: %s", diag.Quote(tol.Value), msg)
			}
		default:
			r.enum(tp+"/operator", "operator", string(tol.Operator), "Exists", "Equal")
		}
		switch tol.Effect {
		case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			r.enum(tp+"/effect", "effect", string(tol.Effect), "NoSchedule", "PreferNoSchedule", "NoExecute")
		}
		if tol.TolerationSeconds != nil && tol.Effect != corev1.TaintEffectNoExecute {
			r.at(tp+"/tolerationSeconds", true, "remove it, or use effect NoExecute", "tolerationSeconds only applies to effect NoExecute")
		}
	}
}

// affinity checks a decoded affinity.
func (r *ruler) affinity(ptr string, a *corev1.Affinity) {
	if na := a.NodeAffinity; na != nil {
		np := ptr + "/nodeAffinity"
		if req := na.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
			rp := np + "/requiredDuringSchedulingIgnoredDuringExecution"
			if len(req.NodeSelectorTerms) == 0 {
				r.at(rp, true, "add a term under nodeSelectorTerms, or remove the requirement", "nodeSelectorTerms must have at least one term")
			}
			for i, term := range req.NodeSelectorTerms {
				r.nodeSelectorTerm(fmt.Sprintf("%s/nodeSelectorTerms/%d", rp, i), term)
			}
		}
		for i, pref := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			pp := fmt.Sprintf("%s/preferredDuringSchedulingIgnoredDuringExecution/%d", np, i)
			r.weight(pp, pref.Weight)
			r.nodeSelectorTerm(pp+"/preference", pref.Preference)
		}
	}
	if pa := a.PodAffinity; pa != nil {
		r.podAffinity(ptr+"/podAffinity", pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		r.podAffinity(ptr+"/podAntiAffinity", pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
}

func (r *ruler) nodeSelectorTerm(ptr string, term corev1.NodeSelectorTerm) {
	if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
		r.at(ptr, false, "add matchExpressions or matchFields", "a node selector term must have matchExpressions or matchFields")
	}
	for i, req := range term.MatchExpressions {
		ep := fmt.Sprintf("%s/matchExpressions/%d", ptr, i)
		r.qualifiedName(ep+"/key", "node label key", req.Key)
		r.nodeRequirement(ep, req)
	}
	for i, req := range term.MatchFields {
		fp := fmt.Sprintf("%s/matchFields/%d", ptr, i)
		if req.Key != "metadata.name" {
			r.at(fp+"/key", false, "", `matchFields supports only the key "metadata.name", got %s`, diag.Quote(req.Key))
		}
		r.nodeRequirement(fp, req)
		if req.Operator == corev1.NodeSelectorOpIn || req.Operator == corev1.NodeSelectorOpNotIn {
			if len(req.Values) != 1 {
				r.at(fp+"/values", true, "", "matchFields with %s takes exactly one value", req.Operator)
			}
		}
	}
}

func (r *ruler) nodeRequirement(ptr string, req corev1.NodeSelectorRequirement) {
	switch req.Operator {
	case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
		if len(req.Values) == 0 {
			r.at(ptr+"/operator", false, "add values", "operator %s needs at least one value", req.Operator)
		}
	case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
		if len(req.Values) > 0 {
			r.at(ptr+"/values", true, "remove values", "operator %s takes no values", req.Operator)
		}
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if len(req.Values) != 1 {
			r.at(ptr+"/operator", false, "give one whole number", "operator %s takes exactly one value", req.Operator)
		} else if _, err := strconv.ParseInt(req.Values[0], 10, 64); err != nil {
			r.at(ptr+"/values/0", false, "", "operator %s compares with a whole number, got %s", req.Operator, diag.Quote(req.Values[0]))
		}
	default:
		r.enum(ptr+"/operator", "operator", string(req.Operator), "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
	}
}

func (r *ruler) podAffinity(ptr string, required []corev1.PodAffinityTerm, preferred []corev1.WeightedPodAffinityTerm) {
	for i, term := range required {
		r.podAffinityTerm(fmt.Sprintf("%s/requiredDuringSchedulingIgnoredDuringExecution/%d", ptr, i), term)
	}
	for i, w := range preferred {
		wp := fmt.Sprintf("%s/preferredDuringSchedulingIgnoredDuringExecution/%d", ptr, i)
		r.weight(wp, w.Weight)
		r.podAffinityTerm(wp+"/podAffinityTerm", w.PodAffinityTerm)
	}
}

func (r *ruler) podAffinityTerm(ptr string, term corev1.PodAffinityTerm) {
	if term.TopologyKey == "" {
		r.at(ptr, false, "set topologyKey, e.g. kubernetes.io/hostname or topology.kubernetes.io/zone", "a pod affinity term needs a topologyKey")
	} else {
		r.qualifiedName(ptr+"/topologyKey", "topologyKey", term.TopologyKey)
	}
	r.labelSelector(ptr+"/labelSelector", term.LabelSelector)
	r.labelSelector(ptr+"/namespaceSelector", term.NamespaceSelector)
}

func (r *ruler) labelSelector(ptr string, sel *metav1.LabelSelector) {
	if sel == nil {
		return
	}
	for _, k := range sortedNames(sel.MatchLabels) {
		r.qualifiedName(ptr+"/matchLabels/"+escape(k), "label key", k)
	}
	for i, req := range sel.MatchExpressions {
		ep := fmt.Sprintf("%s/matchExpressions/%d", ptr, i)
		r.qualifiedName(ep+"/key", "label key", req.Key)
		switch req.Operator {
		case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn:
			if len(req.Values) == 0 {
				r.at(ep+"/operator", false, "add values", "operator %s needs at least one value", req.Operator)
			}
		case metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
			if len(req.Values) > 0 {
				r.at(ep+"/values", true, "remove values", "operator %s takes no values", req.Operator)
			}
		default:
			r.enum(ep+"/operator", "operator", string(req.Operator), "In", "NotIn", "Exists", "DoesNotExist")
		}
	}
}

func (r *ruler) weight(ptr string, w int32) {
	if w < 1 || w > 100 {
		r.at(ptr+"/weight", false, "", "weight must be 1 to 100, got %d", w)
	}
}

func (r *ruler) qualifiedName(ptr, what, name string) {
	for _, msg := range validation.IsQualifiedName(name) {
		r.at(ptr, false, "", "%s %s: %s", what, diag.Quote(name), msg)
	}
}

// enum reports a value that is none of the allowed ones, suggesting the nearest (a case slip such as
// "in" for "In" is the usual mistake).
func (r *ruler) enum(ptr, field, got string, allowed ...string) {
	hint := ""
	if s := diag.Closest(got, allowed); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	r.at(ptr, false, hint, "%s must be one of %s, got %s", field, strings.Join(allowed, ", "), diag.Quote(got))
}
