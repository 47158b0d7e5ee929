package validate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rocketops/rocketops/pkg/validate"
)

// FuzzValidate: no input makes the validator panic, and it either accepts a spec or says what is
// wrong, each finding with a message.
//
//	go test -run '^$' -fuzz FuzzValidate -fuzztime 10m ./pkg/validate/
func FuzzValidate(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "golden", "*", "cluster.yaml"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(doc("5.3.3", "", "  brokers:\n    groups: [{name: a, slaves: 2}]\n    config: {deleteWhen: \"4;16\"}\n")))
	f.Add([]byte(doc("4.9.8", "  annotations: {a: b}\n", "  brokers:\n    placement:\n      tolerations: [{operator: Exists}]\n")))
	f.Fuzz(func(t *testing.T, src []byte) {
		res, diags := validate.Validate("cluster.yaml", src)
		if res == nil && len(diags) == 0 {
			t.Fatalf("no result and no finding")
		}
		for _, d := range diags {
			if strings.TrimSpace(d.Message) == "" {
				t.Fatalf("a finding without a message: %+v", d)
			}
			if strings.HasPrefix(d.Message, "internal error") {
				t.Fatalf("an internal error for user input: %s", d)
			}
		}
	})
}
