package catalog

import (
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

// closest is diag.Nearest with the catalog's limit.
func closest(candidates []string, name string) string {
	return diag.Nearest(name, candidates, maxDistance(utf8.RuneCountInString(name)))
}
