package compile_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/diag"
)

// FuzzCompile: every spec the validator accepts compiles (a failure after validation is a bug of
// rocketops), and compiling twice gives the same bytes.
//
//	go test -run '^$' -fuzz FuzzCompile -fuzztime 10m ./pkg/compile/
func FuzzCompile(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "golden", "*", "cluster.yaml"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := compile.Options{File: "cluster.yaml", Source: src, Targets: []string{"kustomize", "manifests", "helm"}}
		out, err := compile.Compile(opts)
		var findings diag.List
		if errors.As(err, &findings) {
			return // refused: the validator's answer
		}
		if err != nil {
			t.Fatalf("a valid spec failed to compile: %v", err)
		}
		again, err := compile.Compile(opts)
		if err != nil {
			t.Fatalf("the second compile failed: %v", err)
		}
		if len(out.Tree) != len(again.Tree) {
			t.Fatalf("%d files, then %d", len(out.Tree), len(again.Tree))
		}
		for path, b := range out.Tree {
			if string(again.Tree[path]) != string(b) {
				t.Fatalf("%s differs between two compiles", path)
			}
		}
	})
}
