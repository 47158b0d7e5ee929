//go:build unix

package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/cli"
	"github.com/rocketops/rocketops/pkg/tree"
)

// runAsync is run for a goroutine: it cannot fail the test itself.
type result struct {
	spec           string
	code           int
	stdout, stderr string
}

func runAsync(args ...string) result {
	var out, errb bytes.Buffer
	code := cli.Run(args, strings.NewReader(""), &out, &errb)
	return result{spec: args[1], code: code, stdout: out.String(), stderr: errb.String()}
}

// TestCompileRace runs two compiles into one folder at once. Each reads its spec from a named pipe
// after it has taken the lock, so the winner holds the lock until the test feeds it its spec: the
// other one must have lost by then, whatever the scheduling.
func TestCompileRace(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			out := filepath.Join(root, "deploy", "out")
			fifos := []string{filepath.Join(root, "a.yaml"), filepath.Join(root, "b.yaml")}
			results := make(chan result, len(fifos))
			for _, f := range fifos {
				require.NoError(t, syscall.Mkfifo(f, 0o644))
				go func() { results <- runAsync("compile", f, "-o", out) }()
			}
			t.Cleanup(func() {
				// A compile still waiting for its spec (the test failed) gets an empty one.
				for _, f := range fifos {
					if w, err := os.OpenFile(f, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
						_ = w.Close()
					}
				}
			})

			var loser result
			select {
			case loser = <-results:
			case <-time.After(time.Minute):
				t.Fatal("neither compile returned: both are waiting for their spec, so both took the lock")
			}
			assert.Equal(t, 2, loser.code, "stderr:\n%s", loser.stderr)
			assert.Empty(t, loser.stdout)
			assert.Equal(t, fmt.Sprintf("error: output directory %q is locked by another rocketops (process %d); wait for it to finish, then run again\n", out, os.Getpid()), loser.stderr)

			winner := fifos[0]
			if loser.spec == winner {
				winner = fifos[1]
			}
			w, err := os.OpenFile(winner, os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = w.WriteString(readFile(t, quickstart))
			require.NoError(t, err)
			require.NoError(t, w.Close())
			var won result
			select {
			case won = <-results:
			case <-time.After(time.Minute):
				t.Fatal("the winner did not finish")
			}
			assert.Equal(t, 0, won.code, "stderr:\n%s", won.stderr)
			assert.Regexp(t, `\A`+regexp.QuoteMeta(out)+`: \d+ files \(\d+ created, 0 updated, 0 unchanged, 0 removed\)\n\z`, won.stdout)
			assert.Empty(t, won.stderr)
			requireOwnsExactly(t, out)
			assert.NoFileExists(t, filepath.Join(out, tree.LockFile))
		})
	}
}
