package negotiator

import (
	"errors"
	"testing"

	"github.com/parleyhq/parley/outcome"
)

// TestNewIndexFunc indexes a function that is not additive (the product of
// the values, which no weighted sum reproduces) and checks every query
// against brute force; f may reuse scratch space because it is called only
// while the index is built.
func TestNewIndexFunc(t *testing.T) {
	sizes := []int{3, 4, 5}
	sp, _ := outcome.NewSpace(sizes)
	calls := 0
	f := func(o []int) float64 {
		calls++
		return float64((o[0]+1)*(o[1]+1)*(o[2]+1)) / 60
	}
	x, err := NewIndexFunc(f, sp)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 60 || !x.Sorted() || x.Len() != 60 || x.Func() != nil {
		t.Fatalf("%d calls, sorted %v, len %d", calls, x.Sorted(), x.Len())
	}
	buf := make([]int, 3)
	for id := range uint64(60) {
		sp.Decode(id, buf)
		if got, want := x.Utility(id, buf), f(buf); got != want {
			t.Errorf("Utility(%d) = %v, want %v", id, got, want)
		}
	}
	if id, u := x.Max(); id != 59 || u != 1 {
		t.Errorf("Max = %d %v", id, u)
	}
	if id, u := x.Min(); id != 0 || u != 1.0/60 {
		t.Errorf("Min = %d %v", id, u)
	}
	for _, v := range []float64{0, 0.1, 0.2, 0.5, 0.99, 1} {
		bestID, bestU := uint64(0), 2.0
		for id := range uint64(60) {
			sp.Decode(id, buf)
			if u := f(buf); u >= v && u < bestU {
				bestID, bestU = id, u
			}
		}
		if id, u, ok := x.AtLeast(v, buf); !ok || id != bestID || u != bestU {
			t.Errorf("AtLeast(%v) = %d %v %v, want %d %v", v, id, u, ok, bestID, bestU)
		}
	}
	for k := 1; k < 60; k++ {
		if _, a := x.Rank(k - 1); a < func() float64 { _, b := x.Rank(k); return b }() {
			t.Fatalf("Rank not descending at %d", k)
		}
	}

	big, _ := outcome.NewSpace([]int{10000, 10000})
	if _, err := NewIndexFunc(f, big); !errors.Is(err, outcome.ErrTooLarge) {
		t.Errorf("a space of 10^8 outcomes: %v, want ErrTooLarge", err)
	}
}
