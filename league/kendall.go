package league

import (
	"math"
	"slices"
)

// KendallTau is Kendall's τ-b between x and y (equal lengths): the
// concordant pairs less the discordant, over the pairs not tied in x and
// in y (the geometric mean), so ties in either count for neither. It is 0
// when either is constant (or there are fewer than two values). Knight's
// O(n log n) algorithm: sort by x then y, count the ties, and count the
// discordant pairs as the swaps of a merge sort by y.
func KendallTau(x, y []float64) float64 {
	n := len(x)
	if n < 2 || len(y) != n {
		return 0
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp(x[a], x[b]); c != 0 {
			return c
		}
		return cmp(y[a], y[b])
	})
	// Ties in x (n1) and in both (n3).
	var n1, n3 int64
	for i := 0; i < n; {
		j := i
		for j < n && x[idx[j]] == x[idx[i]] {
			j++
		}
		n1 += pairs(j - i)
		for k := i; k < j; {
			l := k
			for l < j && y[idx[l]] == y[idx[k]] {
				l++
			}
			n3 += pairs(l - k)
			k = l
		}
		i = j
	}
	ys := make([]float64, n)
	for i, k := range idx {
		ys[i] = y[k]
	}
	swaps := mergeCount(ys, make([]float64, n))
	// Ties in y (n2), ys now sorted.
	var n2 int64
	for i := 0; i < n; {
		j := i
		for j < n && ys[j] == ys[i] {
			j++
		}
		n2 += pairs(j - i)
		i = j
	}
	n0 := pairs(n)
	den := math.Sqrt(float64(n0-n1)) * math.Sqrt(float64(n0-n2))
	if den == 0 {
		return 0
	}
	return float64(n0-n1-n2+n3-2*swaps) / den
}

func pairs(k int) int64 { return int64(k) * int64(k-1) / 2 }

func cmp(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mergeCount sorts a ascending (buf is scratch of the same length) and
// returns the number of inversions (pairs out of order, ties not counted).
func mergeCount(a, buf []float64) int64 {
	n := len(a)
	if n < 2 {
		return 0
	}
	m := n / 2
	c := mergeCount(a[:m], buf[:m]) + mergeCount(a[m:], buf[m:])
	i, j, k := 0, m, 0
	for i < m && j < n {
		if a[j] < a[i] {
			buf[k] = a[j]
			c += int64(m - i)
			j++
		} else {
			buf[k] = a[i]
			i++
		}
		k++
	}
	k += copy(buf[k:], a[i:m])
	copy(buf[k:], a[j:n])
	copy(a, buf[:n])
	return c
}

// ModelScore scores an opponent model against the opponent's true utility
// of every outcome: (1 + τ)/2 with τ Kendall's τ-b between the model's
// values and the true ones, so 1 for a model that ranks the outcomes as
// the opponent does, 0 for the reverse ranking, and 0.5 for one that knows
// nothing (a constant, or values unrelated to the truth).
// A model value that is NaN counts as the lowest (model is changed in
// place).
func ModelScore(model, truth []float64) float64 {
	for i, v := range model {
		if math.IsNaN(v) {
			model[i] = math.Inf(-1)
		}
	}
	return (1 + KendallTau(model, truth)) / 2
}
