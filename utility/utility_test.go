package utility

import (
	"math"
	"testing"
)

func TestValueShapes(t *testing.T) {
	lin := ValueFunc{Shape: Linear, Offset: 0.2, Slope: 0.1, Origin: 10}
	tri := ValueFunc{Shape: Triangular, Peak: 4, AtMin: 0.5, AtMax: 0}
	bell := ValueFunc{Shape: Peaked, Peak: 3, Width: 2}
	cases := []struct {
		name string
		f    ValueFunc
		x    float64
		want float64
	}{
		{"linear", lin, 13, 0.5},
		{"linear clamps high", lin, 30, 1},
		{"linear clamps low", ValueFunc{Shape: Linear, Offset: 0.2, Slope: -0.1}, 5, 0},
		{"triangular peak", tri, 4, 1},
		{"triangular left", tri, 2, 0.75}, // 0.5 + 0.5·(2-0)/(4-0)
		{"triangular right", tri, 7, 0.5}, // 0 + 1·(10-7)/(10-4)
		{"triangular min", tri, 0, 0.5},
		{"peaked", bell, 5, math.Exp(-0.5)},
	}
	for _, c := range cases {
		if got := c.f.Eval(0, c.x, 0, 10); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s at %v = %v, want %v", c.name, c.x, got, c.want)
		}
	}
	table := ValueFunc{Shape: Table, Values: []float64{0.1, 0.9}}
	if got := table.Eval(1, 0, 0, 0); got != 0.9 {
		t.Errorf("table = %v", got)
	}
}

func TestAdditiveClampAndDiscount(t *testing.T) {
	a := NewAdditive([]float64{0.6, 0.5}, [][]float64{{0, 1}, {0, 1}}, 0.2, 0.5)
	if got := a.Utility([]int{1, 1}); got != 1 {
		t.Errorf("1.1 is not clamped to 1: %v", got)
	}
	if got := a.Utility([]int{1, 0}); got != 0.6 {
		t.Errorf("u = %v, want 0.6", got)
	}
	// Genius discounts by normalised time: u·d^t, t clamped to [0, 1].
	if got, want := a.Discounted(0.6, 0.5), 0.6*math.Sqrt(0.5); math.Abs(got-want) > 1e-15 {
		t.Errorf("discounted = %v, want %v", got, want)
	}
	if got := a.Discounted(0.6, 7); got != 0.3 {
		t.Errorf("t beyond 1 is not clamped: %v", got)
	}
	if m, o := a.Max(); m != 1 || o[0] != 1 || o[1] != 1 {
		t.Errorf("max = %v at %v", m, o)
	}
	if m, _ := a.Min(); m != 0 {
		t.Errorf("min = %v", m)
	}
}

func TestHonourAndCredibility(t *testing.T) {
	c := []float64{0.9, 0.5}
	if got, want := HonourProb("mean", c), 0.7; math.Abs(got-want) > 1e-15 {
		t.Errorf("mean = %v", got)
	}
	if got, want := HonourProb("any", c), 1-0.1*0.5; math.Abs(got-want) > 1e-15 {
		t.Errorf("any = %v", got)
	}
	if got, want := HonourProb("all", c), 0.45; math.Abs(got-want) > 1e-15 {
		t.Errorf("all = %v", got)
	}
	if got := HonourProb("mean", nil); got != 1 {
		t.Errorf("no guarantors = %v", got)
	}
	if got := CredibilityFromRecord(0, 0); got != 0.5 {
		t.Errorf("no record = %v", got)
	}
	if got, want := CredibilityFromRecord(3, 4), 4.0/6; got != want {
		t.Errorf("3 of 4 kept = %v, want %v", got, want)
	}
}

func TestRatificationVoters(t *testing.T) {
	r := Body{Threshold: 0.5, Electorate: Electorate{VoterMean: 0.6, VoterSD: 0.1}, Uncertainty: 0}
	// A deal worth 0.7 to the party satisfies voters whose reservation is
	// below 0.7: Φ(1) ≈ 0.841 say yes, a majority.
	if got := r.Share([]int{0}, 0.7); math.Abs(got-0.8413447460685429) > 1e-12 {
		t.Errorf("share = %v", got)
	}
	if got := r.Prob([]int{0}, 0.7); got != 1 {
		t.Errorf("certain majority gives %v", got)
	}
	if got := r.Prob([]int{0}, 0.5); got != 0 {
		t.Errorf("certain minority gives %v", got)
	}
}

// Discounted must equal u·DiscountFactor(t) bit for bit: tournaments score
// seats with one factor per session.
func TestDiscountFactorMatchesDiscounted(t *testing.T) {
	for _, d := range []float64{0.42441038, 0.9, 1, 0, 1.5} {
		a := &Additive{Discount: d}
		for _, tm := range []float64{-0.5, 0, 0.089, 0.5, 0.99, 1, 3} {
			for _, u := range []float64{0, 0.8151053951696905, 1, -0.2} {
				if got, want := u*a.DiscountFactor(tm), a.Discounted(u, tm); got != want {
					t.Fatalf("d=%v t=%v u=%v: %v != %v", d, tm, u, got, want)
				}
			}
		}
	}
}
