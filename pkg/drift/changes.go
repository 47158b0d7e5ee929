package drift

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/fluxcd/pkg/ssa/jsondiff"
	"github.com/fluxcd/pkg/ssa/normalize"
	wjsondiff "github.com/wI2L/jsondiff"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rocketops/rocketops/pkg/diag"
)

// Mask replaces every value of a Secret's data in a report.
const Mask = "***"

// lastApplied is the annotation kubectl's client-side apply keeps the whole applied object in: for a
// Secret, its values.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// diffObjects lists the fields in which merged, the live object with the desired one applied in a dry
// run, differs from live: the labels and annotations, then everything but metadata and status, as ssa
// compares them (jsondiff.Unstructured in ssa's jsondiff/unstructured.go, v0.78.0, whose dry-run
// fixes it applies too). Unlike it, labels and annotations the apply would remove are reported:
// the dry run removes only those rocketops applied before and no longer generates. Quantities that
// differ only in form are not reported, and Secret values are masked.
func diffObjects(live, merged *unstructured.Unstructured) ([]Change, error) {
	dry := merged.DeepCopy()
	if err := normalize.DryRunUnstructured(dry); err != nil {
		return nil, err
	}
	patch, err := wjsondiff.Compare(metadataOf(live), metadataOf(dry))
	if err != nil {
		return nil, err
	}
	body, err := jsondiff.DiffUnstructured(live, dry)
	if err != nil {
		return nil, err
	}
	patch = append(patch, body...)
	secret := isSecret(live) || isSecret(merged)
	var out []Change
	for _, op := range patch {
		c := Change{Path: op.Path}
		switch op.Type {
		case wjsondiff.OperationAdd:
			c.Desired, c.HasDesired = op.Value, true
		case wjsondiff.OperationRemove:
			c.Live, c.HasLive = op.OldValue, true
		default: // replace; the differ makes no move or copy without options that ask for them
			c.Desired, c.HasDesired = op.Value, true
			c.Live, c.HasLive = op.OldValue, true
		}
		if c.HasDesired && c.HasLive && isQuantity(c.Path) && sameQuantity(c.Desired, c.Live) {
			continue
		}
		if secret {
			c = masked(c)
		}
		out = append(out, c)
	}
	sortChanges(out)
	return out, nil
}

// metadataOf keeps only the labels and annotations of an object, each an empty map when absent, so
// that a change is reported per key rather than as a whole map added.
func metadataOf(u *unstructured.Unstructured) map[string]any {
	md := map[string]any{}
	for _, key := range []string{"labels", "annotations"} {
		m, _, _ := unstructured.NestedMap(u.Object, "metadata", key)
		if m == nil {
			m = map[string]any{}
		}
		md[key] = m
	}
	return map[string]any{"metadata": md}
}

func isSecret(u *unstructured.Unstructured) bool {
	return u != nil && u.GetKind() == "Secret" && u.GroupVersionKind().Group == ""
}

// masked hides the values of a change to a Secret's data or stringData, and the last-applied
// annotation kubectl may have left on it, which holds them too.
func masked(c Change) Change {
	t := diag.SplitPointer(c.Path)
	var mask func(any) any
	switch {
	case len(t) > 0 && (t[0] == "data" || t[0] == "stringData"):
		mask = maskAll
	case len(t) == 3 && t[0] == "metadata" && t[1] == "annotations" && t[2] == lastApplied:
		mask = maskAll
	case len(t) == 2 && t[0] == "metadata" && t[1] == "annotations":
		mask = maskLastApplied
	default:
		return c
	}
	if c.HasDesired {
		c.Desired = mask(c.Desired)
	}
	if c.HasLive {
		c.Live = mask(c.Live)
	}
	return c
}

// maskAll masks a value; a map keeps its keys.
func maskAll(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return Mask
	}
	out := make(map[string]any, len(m))
	for k := range m {
		out[k] = Mask
	}
	return out
}

// maskLastApplied masks the last-applied annotation in a map of annotations.
func maskLastApplied(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, val := range m {
		out[k] = val
		if k == lastApplied {
			out[k] = Mask
		}
	}
	return out
}

// quantityParents are the maps whose values are resource quantities in the kinds rocketops generates:
// resources' limits and requests (a claim's storage too), a volume's capacity.
var quantityParents = []string{"limits", "requests", "capacity"}

// isQuantity reports whether the field at path holds a quantity. Only spec fields are: a ConfigMap's
// "1" and "1.0" are different text, not the same number.
func isQuantity(path string) bool {
	t := diag.SplitPointer(path)
	if len(t) < 2 || t[0] != "spec" {
		return false
	}
	return slices.Contains(quantityParents, t[len(t)-2]) || t[len(t)-1] == "sizeLimit"
}

// sameQuantity reports whether two values are the same quantity written differently ("100m" and
// "0.1", "1Gi" and "1024Mi"). Built-in kinds come back from the server in canonical form either way;
// this keeps custom resources, which the server stores as written, from reporting form as drift.
func sameQuantity(a, b any) bool {
	qa, okA := quantityOf(a)
	qb, okB := quantityOf(b)
	return okA && okB && qa.Cmp(qb) == 0
}

func quantityOf(v any) (resource.Quantity, bool) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		s = strconv.FormatInt(v, 10)
	default:
		return resource.Quantity{}, false
	}
	q, err := resource.ParseQuantity(s)
	return q, err == nil
}

// sortChanges orders changes by path, array indexes by number.
func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int { return comparePointers(a.Path, b.Path) })
}

func comparePointers(a, b string) int {
	ta, tb := diag.SplitPointer(a), diag.SplitPointer(b)
	for i := range min(len(ta), len(tb)) {
		if c := compareTokens(ta[i], tb[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ta), len(tb))
}

func compareTokens(a, b string) int {
	na, errA := strconv.Atoi(a)
	nb, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return cmp.Compare(na, nb)
	}
	return cmp.Compare(a, b)
}

// formatValue writes a value as compact JSON for the text report.
func formatValue(v any) string {
	b, err := jsonMarshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
