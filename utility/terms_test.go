package utility

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// randomTerms returns a utility over issues of the given sizes whose tables
// repeat a few entries (so that values share classes) and that has terms of
// both signs, one on no issue, and a red line.
func randomTerms(r *rand.Rand, sizes []int, terms int) *Additive {
	evals := make([][]float64, len(sizes))
	weights := make([]float64, len(sizes))
	for i, n := range sizes {
		weights[i] = r.Float64() / float64(len(sizes))
		evals[i] = make([]float64, n)
		levels := []float64{0, 0.25, 0.5, 1}
		for v := range evals[i] {
			evals[i][v] = levels[r.IntN(len(levels))]
		}
	}
	a := NewAdditive(weights, evals, 0, 1)
	constraint := func() Constraint {
		var c Constraint
		for i, n := range sizes {
			if r.IntN(3) != 0 {
				continue
			}
			al := make([]bool, n)
			for v := range al {
				al[v] = r.IntN(2) == 0
			}
			c.Issues = append(c.Issues, i)
			c.Allowed = append(c.Allowed, al)
		}
		return c
	}
	for range terms {
		a.Terms = append(a.Terms, Term{Constraint: constraint(), Value: r.Float64()*0.6 - 0.2})
	}
	a.Terms = append(a.Terms, Term{Value: 0.05}) // on no issue
	a.RedLines = []RedLine{{ID: "r", Constraint: constraint()}}
	return a
}

// each calls fn on every outcome of the space of the given sizes.
func each(sizes []int, fn func(o []int)) {
	o := make([]int, len(sizes))
	for {
		fn(o)
		i := 0
		for ; i < len(sizes); i++ {
			if o[i]++; o[i] < sizes[i] {
				break
			}
			o[i] = 0
		}
		if i == len(sizes) {
			return
		}
	}
}

func TestTermsRaw(t *testing.T) {
	// Two issues of 3 values; the term adds 0.3 when issue 0 is 0 or 1 and
	// issue 1 is 2; the constant term adds 0.1; the clamp caps at 1.
	a := NewAdditive([]float64{0.5, 0.5}, [][]float64{{1, 0.5, 0}, {0, 0.5, 1}}, 0, 1)
	a.Terms = []Term{
		{Constraint: Constraint{Issues: []int{0, 1}, Allowed: [][]bool{{true, true, false}, {false, false, true}}}, Value: 0.3},
		{Value: 0.1},
	}
	cases := []struct {
		o    []int
		want float64
	}{
		{[]int{0, 0}, 0.5 + 0 + 0.1},
		{[]int{1, 0}, 0.25 + 0.1},
		{[]int{1, 2}, 1},   // 0.25+0.5+0.3+0.1 clamped
		{[]int{0, 2}, 1},   // 0.5+0.5+0.3+0.1 clamped
		{[]int{2, 2}, 0.6}, // the term needs issue 0 in {0, 1}
		{[]int{2, 0}, 0.1}, // only the constant term
		{[]int{1, 1}, 0.25 + 0.25 + 0.1},
	}
	for _, c := range cases {
		if got := a.Raw(c.o); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Raw(%v) = %v, want %v", c.o, got, c.want)
		}
	}
	if !a.HasTerms() || NewAdditive([]float64{1}, [][]float64{{1}}, 0, 1).HasTerms() {
		t.Error("HasTerms is wrong")
	}
}

// TestCellsExact: every outcome's cell has its utility bit for bit, its red
// lines, and the cells' counts add up to the space.
func TestCellsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 40 {
		sizes := []int{1 + r.IntN(5), 1 + r.IntN(5), 1 + r.IntN(5), 1 + r.IntN(4)}
		us := []*Additive{randomTerms(r, sizes, 1+r.IntN(6)), randomTerms(r, sizes, r.IntN(4))}
		c := NewCells(us)
		red := []*Additive{c.Reduce(us[0]), c.Reduce(us[1])}
		cell := make([]int, len(sizes))
		seen := map[[4]int]uint64{}
		each(sizes, func(o []int) {
			c.Cell(o, cell)
			seen[[4]int(cell)]++
			for p, u := range us {
				if got, want := red[p].Raw(cell), u.Raw(o); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("trial %d: party %d, outcome %v (cell %v): reduced %v, utility %v", trial, p, o, cell, got, want)
				}
				if (red[p].Crosses(cell) >= 0) != (u.Crosses(o) >= 0) {
					t.Fatalf("trial %d: red line differs on %v", trial, o)
				}
			}
		})
		for k, n := range seen {
			if got := c.Count(k[:]); got != n {
				t.Fatalf("trial %d: cell %v counts %d, has %d outcomes", trial, k, got, n)
			}
			first := c.First(k[:])
			c.Cell(first, cell)
			if [4]int(cell) != k {
				t.Fatalf("trial %d: first outcome %v of cell %v is in cell %v", trial, first, k, cell)
			}
		}
		if got := c.NumCells(); got != float64(len(seen)) {
			t.Fatalf("trial %d: %v cells, %d seen", trial, got, len(seen))
		}
	}
}

// TestWalkerBounds: after any prefix of settings, every completion's sum
// lies within the walker's bounds (widened by the rounding margin), and at
// full depth the bounds are the outcome's sum.
func TestWalkerBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 40 {
		sizes := []int{1 + r.IntN(4), 1 + r.IntN(4), 1 + r.IntN(4), 1 + r.IntN(4)}
		a := randomTerms(r, sizes, 1+r.IntN(8))
		order := r.Perm(len(sizes))
		w := NewWalker(a, order)
		eps := a.RoundingMargin()
		sum := func(o []int) float64 {
			s := 0.0
			for i, t := range a.Table {
				s += t[o[i]]
			}
			for k := range a.Terms {
				if a.Terms[k].Match(o) {
					s += a.Terms[k].Value
				}
			}
			return s
		}
		each(sizes, func(o []int) {
			// Set the outcome's values in order, checking each prefix.
			for d := 0; d <= len(order); d++ {
				if d > 0 {
					w.Set(d-1, o[order[d-1]])
				}
				lo, hi := w.Bounds(d)
				if s := sum(o); s < lo-eps || s > hi+eps {
					t.Fatalf("trial %d: outcome %v at depth %d: sum %v outside [%v, %v]", trial, o, d, s, lo, hi)
				}
			}
			lo, hi := w.Bounds(len(order))
			if s := sum(o); math.Abs(lo-s) > eps || math.Abs(hi-s) > eps {
				t.Fatalf("trial %d: outcome %v: full-depth bounds [%v, %v], sum %v", trial, o, lo, hi, s)
			}
		})
	}
}

// TestExtremeMatchesEnumeration: Max and Min of utilities with terms are the
// enumerated extremes, and the outcome returned has that utility.
func TestExtremeMatchesEnumeration(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 60 {
		sizes := []int{1 + r.IntN(5), 1 + r.IntN(5), 1 + r.IntN(5), 1 + r.IntN(5), 1 + r.IntN(3)}
		a := randomTerms(r, sizes, r.IntN(10))
		lo, hi := math.Inf(1), math.Inf(-1)
		each(sizes, func(o []int) {
			u := a.Raw(o)
			lo, hi = min(lo, u), max(hi, u)
		})
		u, o := a.Max()
		if u != hi || a.Raw(o) != u {
			t.Errorf("trial %d: Max = %v at %v (utility %v), enumeration %v", trial, u, o, a.Raw(o), hi)
		}
		u, o = a.Min()
		if u != lo || a.Raw(o) != u {
			t.Errorf("trial %d: Min = %v at %v (utility %v), enumeration %v", trial, u, o, a.Raw(o), lo)
		}
	}
}

// TestExtremeLimit: a search cut short says so and still returns an
// outcome with the utility it reports.
func TestExtremeLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	sizes := make([]int, 14)
	for i := range sizes {
		sizes[i] = 3
	}
	a := randomTerms(r, sizes, 60)
	u, o, err := a.Extreme(true, 5)
	if !errors.Is(err, ErrSearchLimit) {
		t.Fatalf("err = %v, want ErrSearchLimit", err)
	}
	if o == nil || a.Raw(o) != u {
		t.Fatalf("outcome %v has utility %v, reported %v", o, a.Raw(o), u)
	}
	if _, _, err := a.Extreme(true, 0); err != nil {
		t.Fatalf("unlimited: %v", err)
	}
}
