package negotiator

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// termsUtility is a utility made of rectangles only, as Genius's
// non-linear profiles are, plus a red line: over 6 issues of 6 values,
// cut at a few bounds so that its cells are far fewer than its outcomes.
func termsUtility(r *rand.Rand) (*utility.Additive, outcome.Space) {
	sizes := []int{6, 6, 6, 6, 6, 6}
	sp, _ := outcome.NewSpace(sizes)
	ev := make([][]float64, len(sizes))
	for i := range ev {
		ev[i] = make([]float64, 6)
	}
	u := utility.NewAdditive(make([]float64, len(sizes)), ev, 0.1, 1)
	box := func() utility.Constraint {
		var c utility.Constraint
		for i := range sizes {
			if r.IntN(3) > 0 {
				continue
			}
			lo := r.IntN(6)
			hi := lo + r.IntN(6-lo)
			al := make([]bool, 6)
			for v := lo; v <= hi; v++ {
				al[v] = true
			}
			c.Issues = append(c.Issues, i)
			c.Allowed = append(c.Allowed, al)
		}
		return c
	}
	for range 12 {
		u.Terms = append(u.Terms, utility.Term{Constraint: box(), Value: float64(1+r.IntN(40)) / 100})
	}
	u.RedLines = []utility.RedLine{{ID: "r", Constraint: box()}}
	return u, sp
}

// TestIndexOverCells: over a space too large to sort, a utility with terms
// is indexed by its cells; every "utility ≥ v" answer is the smallest
// utility ≥ v of any outcome, and the outcome given has it.
func TestIndexOverCells(t *testing.T) {
	defer func(l uint64) { sortLimit = l }(sortLimit)
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		u, sp := termsUtility(r)
		var all []float64
		o := make([]int, sp.Issues())
		if err := sp.Enumerate(0, func(o []int) bool { all = append(all, u.Utility(o)); return true }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(all)
		size, _ := sp.Size()
		sortLimit = size - 1 // the outcomes are too many to sort, the cells are not
		x, err := NewIndex(u, sp)
		if err != nil {
			t.Fatal(err)
		}
		if !x.Sorted() || !x.Cells() || uint64(x.Len()) >= size {
			t.Fatalf("trial %d: sorted %v, cells %v, len %d of %d", trial, x.Sorted(), x.Cells(), x.Len(), size)
		}
		if id, mu := x.Max(); mu != all[len(all)-1] || x.Utility(id, o) != mu {
			t.Fatalf("trial %d: Max %v (outcome's %v), want %v", trial, mu, x.Utility(id, o), all[len(all)-1])
		}
		if id, mu := x.Min(); mu != all[0] || x.Utility(id, o) != mu {
			t.Fatalf("trial %d: Min %v, want %v", trial, mu, all[0])
		}
		for _, v := range []float64{-2, -1, 0, 0.05, 0.1, 0.2, 0.37, 0.5, 0.75, 0.9, 1, 1.5} {
			id, got, ok := x.AtLeast(v, o)
			j, _ := slices.BinarySearch(all, v)
			if j == len(all) {
				if ok {
					t.Fatalf("trial %d: AtLeast(%v) = %v, but no outcome reaches it", trial, v, got)
				}
				continue
			}
			if !ok || got != all[j] || x.Utility(id, o) != got {
				t.Fatalf("trial %d: AtLeast(%v) = %v (ok %v, outcome's %v), want %v", trial, v, got, ok, x.Utility(id, o), all[j])
			}
		}
		// Rank walks the cells best first; their utilities are the distinct
		// cells' and each names an outcome that has it.
		prev := math.Inf(1)
		for k := range x.Len() {
			id, ru := x.Rank(k)
			if ru > prev || x.Utility(id, o) != ru {
				t.Fatalf("trial %d: Rank(%d) = %v after %v (outcome's %v)", trial, k, ru, prev, x.Utility(id, o))
			}
			prev = ru
		}
	}
}

// TestIndexTermsGreedy: when even the cells are too many to sort, the
// greedy descent starts from the exact best outcome and never answers
// "utility ≥ v" with less.
func TestIndexTermsGreedy(t *testing.T) {
	defer func(l uint64) { sortLimit = l }(sortLimit)
	sortLimit = 10
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		u, sp := termsUtility(r)
		best := math.Inf(-1)
		if err := sp.Enumerate(0, func(o []int) bool { best = max(best, u.Utility(o)); return true }); err != nil {
			t.Fatal(err)
		}
		x, err := NewIndex(u, sp)
		if err != nil {
			t.Fatal(err)
		}
		if x.Sorted() {
			t.Fatalf("trial %d: sorted with a limit of 10", trial)
		}
		o := make([]int, sp.Issues())
		if _, mu := x.Max(); mu != best {
			t.Fatalf("trial %d: Max %v, want %v", trial, mu, best)
		}
		for v := -0.5; v <= 1.2; v += 0.05 {
			id, got, ok := x.AtLeast(v, o)
			if ok != (v <= best) || (ok && (got < v || x.Utility(id, o) != got)) {
				t.Fatalf("trial %d: AtLeast(%v) = %v, ok %v (best %v)", trial, v, got, ok, best)
			}
		}
	}
}

// TestBitsetSparse: a set over a space of 10^10 outcomes (which an index
// over cells makes playable by MiCRO) holds its members in a map, not in
// 1.25 GB of bits, and still tells new members from old.
func TestBitsetSparse(t *testing.T) {
	var b bitset
	b.reset(10_000_000_000)
	if b.sparse == nil || len(b.bits) != 0 {
		t.Fatalf("%d words of bits for 10^10 outcomes", len(b.bits))
	}
	if !b.add(9_999_999_999) || b.add(9_999_999_999) || !b.add(0) {
		t.Fatal("add does not tell new members from old")
	}
	b.reset(100)
	if b.sparse != nil || len(b.bits) != 2 || !b.add(99) || b.add(99) {
		t.Fatal("a small set is not a bitset")
	}
}
