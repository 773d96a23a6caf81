package league

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteTau is Kendall's τ-b by definition, over every pair.
func bruteTau(x, y []float64) float64 {
	var c, d, tx, ty, n0 float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			n0++
			dx, dy := x[i]-x[j], y[i]-y[j]
			switch {
			case dx == 0 && dy == 0:
				tx++
				ty++
			case dx == 0:
				tx++
			case dy == 0:
				ty++
			case dx*dy > 0:
				c++
			default:
				d++
			}
		}
	}
	den := math.Sqrt((n0 - tx) * (n0 - ty))
	if den == 0 {
		return 0
	}
	return (c - d) / den
}

func TestKendallTauAgainstDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 1 + r.IntN(60)
		levels := 1 + r.IntN(8) // few levels: many ties
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = float64(r.IntN(levels))
			y[i] = float64(r.IntN(levels))
			if trial%3 == 0 {
				y[i] = x[i] + float64(r.IntN(2))
			}
		}
		if got, want := KendallTau(x, y), bruteTau(x, y); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: τ = %v, by definition %v (x %v, y %v)", trial, got, want, x, y)
		}
	}
}

// TestModelScore: a perfect model scores 1, the reversed ranking 0, a
// constant model 0.5 exactly and a uniformly random one about 0.5.
func TestModelScore(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	truth := make([]float64, 1000)
	for i := range truth {
		truth[i] = r.Float64()
	}
	perfect, reversed, flat, uniform := make([]float64, 1000), make([]float64, 1000), make([]float64, 1000), make([]float64, 1000)
	for i, u := range truth {
		perfect[i] = 3*u + 1 // any increasing transform ranks alike
		reversed[i] = -u
		flat[i] = 0.5
		uniform[i] = r.Float64()
	}
	if got := ModelScore(perfect, truth); got != 1 {
		t.Errorf("perfect model scores %v, want 1", got)
	}
	if got := ModelScore(reversed, truth); got != 0 {
		t.Errorf("reversed model scores %v, want 0", got)
	}
	if got := ModelScore(flat, truth); got != 0.5 {
		t.Errorf("constant model scores %v, want 0.5", got)
	}
	// τ of independent samples has standard deviation about
	// √(2(2n+5)/(9n(n−1))) ≈ 0.021 for n = 1000: the score's is half that.
	if got := ModelScore(uniform, truth); math.Abs(got-0.5) > 0.04 {
		t.Errorf("uniform model scores %v, want about 0.5", got)
	}
}
