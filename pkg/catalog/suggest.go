package catalog

import (
	"strings"
	"unicode/utf8"

	"github.com/rocketops/rocketops/pkg/diag"
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
		d := diag.Distance(string(lower), strings.ToLower(cand))
		if d > bestDist {
			continue
		}
		dc := diag.Distance(string(exact), cand)
		if d < bestDist || dc < bestCase {
			best, bestDist, bestCase = cand, d, dc
		}
	}
	return best
}
