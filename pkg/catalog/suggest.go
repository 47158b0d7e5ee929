package catalog

import (
	"strings"
	"unicode/utf8"
)

// Suggest returns the key of component c, in any version, closest to a
// misspelt name, or "" when nothing is close. A key equal to name apart from
// case is always closest; a valid name suggests itself.
func Suggest(c Component, name string) string {
	if !validComponent(c) {
		return ""
	}
	return closest(load().tables[c].all, name)
}

// SuggestIn is Suggest limited to the keys that exist in version, so the
// suggestion is one the caller can use there.
func SuggestIn(c Component, version, name string) string {
	cat := load()
	i, ok := cat.index[version]
	if !ok || !validComponent(c) {
		return ""
	}
	return closest(cat.tables[c].byVersion[i], name)
}

// maxDistance is how many edits a suggestion may be away: about one in four
// characters, so a long key survives a dropped word prefix such as "is" but
// a short one does not turn into an unrelated short key.
func maxDistance(n int) int {
	return max(1, n/4)
}

// closest picks from the sorted candidates the one with the fewest edits,
// ignoring case, from name. Ties go to the one with fewer edits when case
// counts, then to the first in sort order, so the answer never depends on
// map order.
func closest(candidates []string, name string) string {
	if name == "" {
		return ""
	}
	lower := []rune(strings.ToLower(name))
	exact := []rune(name)
	limit := maxDistance(len(lower))

	best, bestDist, bestCase := "", limit+1, 0
	for _, cand := range candidates {
		if d := utf8.RuneCountInString(cand) - len(lower); d > limit || -d > limit {
			continue // cannot be close enough
		}
		d := distance(lower, []rune(strings.ToLower(cand)))
		if d > bestDist {
			continue
		}
		dc := distance(exact, []rune(cand))
		if d < bestDist || dc < bestCase {
			best, bestDist, bestCase = cand, d, dc
		}
	}
	return best
}

// distance is the optimal string alignment distance: insertions, deletions,
// substitutions and swaps of neighbours each count one edit.
func distance(a, b []rune) int {
	// Three rolling rows: the swap rule looks two rows back.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
