// Package suggest finds the name a user probably meant, for "did you mean"
// hints in error messages.
package suggest

// Closest returns the candidate within edit distance 2 of s (the nearest;
// the first on ties), or "" when none is that close.
func Closest(s string, cands []string) string {
	best, bd := "", 3
	for _, c := range cands {
		if d := editDistance(s, c); d < bd {
			best, bd = c, d
		}
	}
	return best
}

// Hint returns ` (did you mean "x"?)` for the closest candidate, or "".
func Hint(s string, cands []string) string {
	if c := Closest(s, cands); c != "" && c != s {
		return ` (did you mean "` + c + `"?)`
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
