package catalog

import "strings"

// Compare orders dotted versions such as "4.9.8" and "5.3.3": it returns a
// negative number when a is older than b, zero when they are equal and a
// positive number when a is newer. Numeric parts compare as numbers, so
// "5.10.0" is newer than "5.9.0", and a missing part counts as 0, so "5.3"
// equals "5.3.0". A part that is not a number, such as "develop", sorts after
// every number and is compared as text with other such parts.
func Compare(a, b string) int {
	for a != "" || b != "" {
		var pa, pb string
		pa, a = nextPart(a)
		pb, b = nextPart(b)
		if c := comparePart(pa, pb); c != 0 {
			return c
		}
	}
	return 0
}

func nextPart(v string) (part, rest string) {
	part, rest, _ = strings.Cut(v, ".")
	if part == "" {
		part = "0"
	}
	return part, rest
}

func comparePart(a, b string) int {
	na, nb := isDigits(a), isDigits(b)
	switch {
	case na && nb:
		// Compare by length after dropping leading zeros so that parts of
		// any size compare correctly without overflowing an int.
		a, b = trimZeros(a), trimZeros(b)
		if len(a) != len(b) {
			if len(a) < len(b) {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	case na:
		return -1
	case nb:
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}
