package negotiator

import (
	"math"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// beliefSpace is two issues of three values; type "a" cares for issue 0,
// type "b" for issue 1, both preferring higher values.
func beliefSpace(t *testing.T) (outcome.Space, *Belief) {
	t.Helper()
	sp, err := outcome.NewSpace([]int{3, 3})
	if err != nil {
		t.Fatal(err)
	}
	up := []float64{0, 0.5, 1}
	ua := utility.NewAdditive([]float64{0.9, 0.1}, [][]float64{up, up}, 0, 1)
	ub := utility.NewAdditive([]float64{0.1, 0.9}, [][]float64{up, up}, 0, 1)
	// The seat states a red line: never the value 2 of issue 1.
	line := utility.RedLine{ID: "no_top", Constraint: utility.Constraint{Issues: []int{1}, Allowed: [][]bool{{false, false, true}}}}
	return sp, &Belief{Lines: []utility.RedLine{line}, Types: []BeliefType{
		{ID: "a", Prior: 0.5, Utility: ua, RvLow: 0.2, RvHigh: 0.6, Real: []float64{0.5}},
		{ID: "b", Prior: 0.5, Utility: ub, RvLow: 0.2, RvHigh: 0.6, Real: []float64{0.5}},
	}}
}

// TestTypeModelLearnsType: offers that type a values and type b does not
// move the posterior to a; a repeated offer teaches nothing.
func TestTypeModelLearnsType(t *testing.T) {
	sp, b := beliefSpace(t)
	var m TypeModel
	m.Beta = 10
	m.Reset(b, sp)
	types, lines := make([]float64, 2), make([]float64, 1)
	m.Update(sp.Index([]int{2, 0})) // worth 0.9 to a, 0.1 to b
	m.Posterior(types, lines)
	first := types[0]
	if !(first > 0.99) {
		t.Errorf("after one offer P(a) = %v, want it near 1", first)
	}
	// Bayes' rule by hand: the likelihood ratio of a to b is e^{β(0.9−0.1)}
	// times the ratio of their partition functions (equal by symmetry),
	// of their reservation factors (1 for a; 0.1 lies below b's range,
	// floored at 10⁻³) and of their red-line factors r/(1 − s) + 1 − r,
	// s the share of a type's choice mass across the line: e^{β·w}/(1 +
	// e^{β·w/2} + e^{β·w}) with w its weight of issue 1.
	share := func(w float64) float64 { return math.Exp(10*w) / (1 + math.Exp(5*w) + math.Exp(10*w)) }
	line := func(w float64) float64 { return 0.5/(1-share(w)) + 0.5 }
	ratio := math.Exp(10*0.8) / 1e-3 * line(0.1) / line(0.9)
	want := ratio / (1 + ratio)
	if math.Abs(first-want) > 1e-9 {
		t.Errorf("P(a) = %v, want %v", first, want)
	}
	m.Update(sp.Index([]int{2, 0}))
	m.Posterior(types, lines)
	if types[0] != first || m.Offers() != 1 {
		t.Errorf("a repeated offer moved the posterior: %v → %v", first, types[0])
	}
}

// TestTypeModelReservation: an offer worth x to a type cuts its range for
// the reservation value at x (a seat never offers below it), as Zeng and
// Sycara learn a reservation price.
func TestTypeModelReservation(t *testing.T) {
	sp, b := beliefSpace(t)
	var m TypeModel
	m.Beta = 10
	m.Reset(b, sp)
	o := []int{1, 1} // worth 0.5 to both types
	if got := m.Accepts(o); math.Abs(got-0.75) > 1e-12 {
		// rv uniform on [0.2, 0.6]: P(rv ≤ 0.5) = 0.75 for either type.
		t.Errorf("before any offer Accepts = %v, want 0.75", got)
	}
	m.Update(sp.Index([]int{1, 1}))
	if got := m.Accepts(o); math.Abs(got-1) > 1e-12 {
		t.Errorf("after the seat offered it, Accepts = %v, want 1", got)
	}
	// (1, 0) is worth 0.45 to a and 0.05 to b: a's range is now [0.2,
	// 0.5], so P = 0.25/0.3; b's reservation is at least 0.2.
	types := make([]float64, 2)
	m.Posterior(types, nil)
	want := types[0] * 0.25 / 0.3
	if got := m.Accepts([]int{1, 0}); math.Abs(got-want) > 1e-12 {
		t.Errorf("Accepts(1, 0) = %v, want %v", got, want)
	}
}

// TestTypeModelRedLines: an offer across a stated red line shows it a
// bluff; offers that stay clear of it make it more credible, the more so
// the more of the type's choice the line takes away.
func TestTypeModelRedLines(t *testing.T) {
	sp, b := beliefSpace(t)
	var m TypeModel
	m.Beta = 10
	m.Reset(b, sp)
	lines := make([]float64, 1)
	m.Update(sp.Index([]int{2, 1}))
	m.Posterior(make([]float64, 2), lines)
	if !(lines[0] > 0.5) {
		t.Errorf("after an offer clear of the line, P(real) = %v, want above 0.5", lines[0])
	}
	if f := m.Forbidden([]int{0, 2}); math.Abs(f-lines[0]) > 1e-12 {
		t.Errorf("Forbidden(0, 2) = %v, want %v", f, lines[0])
	}
	m.Update(sp.Index([]int{0, 2}))
	m.Posterior(make([]float64, 2), lines)
	if lines[0] != 0 || m.Forbidden([]int{0, 2}) != 0 {
		t.Errorf("after an offer across the line, P(real) = %v, want 0", lines[0])
	}
	if got := m.Estimate([]int{0, 2}); got <= 0 {
		t.Errorf("Estimate across a shown bluff = %v, want its utility", got)
	}
}

// TestTypeModelWithoutBelief: a seat believed nothing of is learnt as the
// Hindriks–Tykhonov model learns it, and believed to accept anything.
func TestTypeModelWithoutBelief(t *testing.T) {
	sp, _ := beliefSpace(t)
	var m, unknown TypeModel
	var ht BayesianModel
	ht.Sigma, ht.Step = 0.25, 0.003
	ht.Reset(sp)
	m.Beta = 10
	m.Reset(nil, sp)
	for _, o := range [][]int{{2, 2}, {2, 1}, {1, 2}} {
		m.Update(sp.Index(o))
		ht.Update(sp.Index(o))
	}
	if m.Types() || m.Accepts([]int{0, 0}) != 1 || m.Forbidden([]int{0, 0}) != 0 {
		t.Error("a model without a belief has types or believes something")
	}
	if got, want := m.Estimate([]int{1, 1}), ht.Utility([]int{1, 1}); got != want {
		t.Errorf("Estimate = %v, want the Bayesian model's %v", got, want)
	}
	if m.Posterior(make([]float64, 1), nil) {
		t.Error("Posterior reports types it does not hold")
	}
	// A belief of stated red lines only: preferences unknown.
	unknown.Beta = 10
	unknown.Reset(&Belief{Lines: []utility.RedLine{{ID: "x", Constraint: utility.Constraint{Issues: []int{0}, Allowed: [][]bool{{true, false, false}}}}},
		Types: []BeliefType{{ID: "stated", Prior: 1, Real: []float64{0.8}}}}, sp)
	if got := unknown.Accepts([]int{0, 1}); math.Abs(got-0.2) > 1e-12 {
		t.Errorf("Accepts across a line believed with 0.8 = %v, want 0.2", got)
	}
	if got := unknown.Accepts([]int{1, 1}); got != 1 {
		t.Errorf("Accepts clear of it = %v, want 1", got)
	}
}
