package diag_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/diag"
)

func TestDiagnosticString(t *testing.T) {
	tests := []struct {
		name string
		d    diag.Diagnostic
		want string
	}{
		{
			name: "everything",
			d:    diag.Diagnostic{File: "c.yaml", Line: 14, Col: 7, Pointer: "/spec/brokers/groups", Message: "must be >= 1, got 0", Hint: "every cluster needs at least one broker group"},
			want: "c.yaml:14:7: /spec/brokers/groups: must be >= 1, got 0\n\thint: every cluster needs at least one broker group",
		},
		{
			name: "no position",
			d:    diag.Diagnostic{File: "c.yaml", Message: "the file is empty"},
			want: "c.yaml: the file is empty",
		},
		{
			name: "a column alone is no position",
			d:    diag.Diagnostic{File: "c.yaml", Col: 3, Message: "m"},
			want: "c.yaml: m",
		},
		{
			name: "no pointer",
			d:    diag.Diagnostic{File: "c.yaml", Line: 1, Col: 1, Message: "missing required field \"kind\""},
			want: "c.yaml:1:1: missing required field \"kind\"",
		},
		{
			name: "one environment",
			d:    diag.Diagnostic{File: "c.yaml", Line: 9, Col: 5, Pointer: "/spec/brokers/inSyncReplicas", Message: "m", Envs: []string{"legacy"}},
			want: "c.yaml:9:5: /spec/brokers/inSyncReplicas: m (environment legacy)",
		},
		{
			name: "several environments and a hint: the environments stay on the message line",
			d:    diag.Diagnostic{File: "c.yaml", Line: 2, Col: 3, Pointer: "/p", Message: "m", Hint: "h", Envs: []string{"dev", "prod"}},
			want: "c.yaml:2:3: /p: m (environment dev, prod)\n\thint: h",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.d.String())
		})
	}
}

func TestSort(t *testing.T) {
	a1 := diag.Diagnostic{File: "a.yaml", Line: 1, Col: 1, Message: "x"}
	tests := []struct {
		name string
		in   diag.List
		want diag.List
	}{
		{
			name: "by file first",
			in:   diag.List{{File: "b.yaml", Line: 1, Message: "m"}, {File: "a.yaml", Line: 9, Message: "m"}},
			want: diag.List{{File: "a.yaml", Line: 9, Message: "m"}, {File: "b.yaml", Line: 1, Message: "m"}},
		},
		{
			name: "line as a number, not as text",
			in:   diag.List{{File: "a", Line: 10, Message: "m"}, {File: "a", Line: 9, Message: "m"}},
			want: diag.List{{File: "a", Line: 9, Message: "m"}, {File: "a", Line: 10, Message: "m"}},
		},
		{
			name: "no position comes first",
			in:   diag.List{{File: "a", Line: 3, Col: 1, Message: "m"}, {File: "a", Message: "z"}},
			want: diag.List{{File: "a", Message: "z"}, {File: "a", Line: 3, Col: 1, Message: "m"}},
		},
		{
			name: "then column, pointer, message",
			in: diag.List{
				{File: "a", Line: 4, Col: 9, Pointer: "/a", Message: "a"},
				{File: "a", Line: 4, Col: 2, Pointer: "/z", Message: "b"},
				{File: "a", Line: 4, Col: 9, Pointer: "/a", Message: "A"},
				{File: "a", Line: 4, Col: 2, Pointer: "/y", Message: "c"},
			},
			want: diag.List{
				{File: "a", Line: 4, Col: 2, Pointer: "/y", Message: "c"},
				{File: "a", Line: 4, Col: 2, Pointer: "/z", Message: "b"},
				{File: "a", Line: 4, Col: 9, Pointer: "/a", Message: "A"},
				{File: "a", Line: 4, Col: 9, Pointer: "/a", Message: "a"},
			},
		},
		{
			name: "exact duplicates dropped, even apart",
			in:   diag.List{a1, {File: "a.yaml", Line: 2, Message: "y"}, a1, a1},
			want: diag.List{a1, {File: "a.yaml", Line: 2, Message: "y"}},
		},
		{
			name: "same place and message but other hints are both kept",
			in:   diag.List{{File: "a", Line: 1, Message: "m", Hint: "h2"}, {File: "a", Line: 1, Message: "m", Hint: "h1"}},
			want: diag.List{{File: "a", Line: 1, Message: "m", Hint: "h2"}, {File: "a", Line: 1, Message: "m", Hint: "h1"}},
		},
		{
			name: "same finding in other environments is kept",
			in:   diag.List{{File: "a", Line: 1, Message: "m", Envs: []string{"dev"}}, {File: "a", Line: 1, Message: "m", Envs: []string{"prod"}}},
			want: diag.List{{File: "a", Line: 1, Message: "m", Envs: []string{"dev"}}, {File: "a", Line: 1, Message: "m", Envs: []string{"prod"}}},
		},
	}
	t.Run("empty", func(t *testing.T) {
		assert.Empty(t, diag.List(nil).Sort())
		assert.Empty(t, diag.List{}.Sort())
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append(diag.List(nil), tc.in...)
			assert.Equal(t, tc.want, tc.in.Sort())
			assert.Equal(t, in, tc.in, "Sort leaves its receiver alone")
		})
	}
}

func TestSortDropsDuplicatesSeparatedByATie(t *testing.T) {
	// Sort compares file, position, pointer and message but deduplicates on the whole text, so two
	// copies with a same-place finding between them (another hint or environment) both survive.

	a := diag.Diagnostic{File: "a", Line: 1, Col: 1, Message: "m", Hint: "h1"}
	b := diag.Diagnostic{File: "a", Line: 1, Col: 1, Message: "m", Hint: "h2"}
	assert.Len(t, diag.List{a, b, a}.Sort(), 2)
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		l    diag.List
		want string
	}{
		{
			name: "one error",
			l:    diag.List{{File: "c.yaml", Message: "the file is empty", Hint: "start somewhere"}},
			want: "c.yaml: the file is empty\n\thint: start somewhere\n1 error in c.yaml\n",
		},
		{
			name: "two errors, sorted",
			l:    diag.List{{File: "c.yaml", Line: 22, Col: 5, Message: "b"}, {File: "c.yaml", Line: 14, Col: 7, Message: "a"}},
			want: "c.yaml:14:7: a\nc.yaml:22:5: b\n2 errors in c.yaml\n",
		},
		{
			name: "duplicates are not counted",
			l:    diag.List{{File: "c.yaml", Message: "a"}, {File: "c.yaml", Message: "a"}},
			want: "c.yaml: a\n1 error in c.yaml\n",
		},
		{
			name: "several files named once each, in order",
			l:    diag.List{{File: "b.yaml", Message: "x"}, {File: "a.yaml", Message: "y"}, {File: "b.yaml", Line: 1, Col: 1, Message: "z"}},
			want: "a.yaml: y\nb.yaml: x\nb.yaml:1:1: z\n3 errors in a.yaml, b.yaml\n",
		},
		{
			name: "none",
			l:    nil,
			want: "0 errors in \n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, tc.l.Write(&b))
			assert.Equal(t, tc.want, b.String())
			assert.Equal(t, strings.TrimRight(tc.want, "\n"), tc.l.Error())
		})
	}
}

func TestListIsAnError(t *testing.T) {
	var err error = diag.List{{File: "c.yaml", Message: "m"}}
	var l diag.List
	require.True(t, errors.As(err, &l))
	assert.Len(t, l, 1)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriteErrors(t *testing.T) {
	for _, l := range []diag.List{nil, {{File: "c", Message: "m"}}} {
		assert.EqualError(t, l.Write(failingWriter{}), "disk full")
	}
}

func TestClosest(t *testing.T) {
	tests := []struct {
		name       string
		word       string
		candidates []string
		want       string
	}{
		{name: "one letter off", word: "replicaz", candidates: []string{"replicas", "resources", "jvm"}, want: "replicas"},
		{name: "missing letter", word: "slave", candidates: []string{"slaves", "groups"}, want: "slaves"},
		{name: "transposition costs two", word: "namespcae", candidates: []string{"name", "namespace", "labels"}, want: "namespace"},
		{name: "case-insensitive exact match wins over a closer spelling", word: "sync", candidates: []string{"ASYNC", "SYNC"}, want: "SYNC"},
		{name: "exact match ignoring case keeps the candidate's case", word: "READWRITEONCE", candidates: []string{"ReadWriteOnce", "ReadWriteMany"}, want: "ReadWriteOnce"},
		{name: "nothing close", word: "dashboard", candidates: []string{"brokers", "console", "version"}, want: ""},
		{name: "no candidates", word: "x", candidates: nil, want: ""},
		// The threshold is len(word)/3+1: 2 edits for a 3- to 5-letter word, 3 for 6 to 8.
		{name: "at the threshold", word: "abcdef", candidates: []string{"abcxyz"}, want: "abcxyz"},
		{name: "just past the threshold", word: "abcdef", candidates: []string{"abwxyz"}, want: ""},
		{name: "short word, two edits", word: "abc", candidates: []string{"xyc"}, want: "xyc"},
		{name: "short word, three edits", word: "abc", candidates: []string{"xyz"}, want: ""},
		{name: "tie goes to the first in sort order", word: "cat", candidates: []string{"cot", "bat", "cab"}, want: "bat"},
		{name: "tie order does not depend on the input order", word: "cat", candidates: []string{"cab", "cot", "bat"}, want: "bat"},
		{name: "a tie goes to fewer edits when case counts", word: "abcd", candidates: []string{"abce", "Abcf"}, want: "abce"},
		{name: "then to sort order by bytes, so upper case comes first", word: "abcd", candidates: []string{"aBce", "Abce"}, want: "Abce"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]string(nil), tc.candidates...)
			assert.Equal(t, tc.want, diag.Closest(tc.word, tc.candidates))
			assert.Equal(t, in, tc.candidates, "Closest leaves the candidates in place")
		})
	}
}
