package explain

import (
	"github.com/rocketops/rocketops/pkg/diag"

	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// ValuesTable writes a Markdown table of every value a JSON Schema describes: dotted key ("a.b",
// "a[].b" inside lists), type and description, in sorted key order. It documents the Helm chart's
// values from the same schema Helm validates them with.
func ValuesTable(w io.Writer, schema []byte) error {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return diag.Internal(err, "schema")
	}
	fmt.Fprintln(w, "| key | type | description |")
	fmt.Fprintln(w, "| --- | --- | --- |")
	var walk func(prefix string, s map[string]any)
	walk = func(prefix string, s map[string]any) {
		props := properties(root, s)
		for _, k := range sortedKeys(props) {
			f := merged(root, props[k].(map[string]any))
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			desc, _ := f["description"].(string)
			fmt.Fprintf(w, "| `%s` | %s | %s |\n", key, strings.ReplaceAll(typeOf(root, f), "|", `\|`), strings.ReplaceAll(desc, "|", `\|`))
			if len(properties(root, f)) > 0 {
				walk(key, f)
			}
			if items, ok := resolve(root, f)["items"].(map[string]any); ok && len(properties(root, resolve(root, items))) > 0 {
				walk(key+"[]", resolve(root, items))
			}
		}
	}
	walk("", root)
	return nil
}
