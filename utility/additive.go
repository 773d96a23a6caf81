package utility

import "math"

// Additive is a linear additive utility function with Genius's semantics:
// u(o) = min(Σ_i w_i·e_i(o_i), 1), summed in issue order, weights as given.
// Table[i][v] holds the product w_i·e_i(v), computed once, so an evaluation
// performs exactly Genius's operations in Genius's order.
//
// Terms, when there are any, make it non-additive: each adds its value to
// the outcomes it matches, after the tables and in term order (see Term).
type Additive struct {
	Weights     []float64   // w_i, as written
	Evals       [][]float64 // e_i(v) in [0, 1]
	Table       [][]float64 // w_i·e_i(v)
	Reservation float64     // utility of no agreement (BATNA), undiscounted
	Discount    float64     // d in (0, 1]; discounted utility is u·d^t
	// RedLines make the outcomes they match Unacceptable. With none (the
	// usual case) Utility is a pure table sum.
	RedLines []RedLine
	// Terms are the non-additive part: u(o) = min(Σ_i Table[i][o_i] +
	// Σ_{t matches o} t.Value, 1). With none (every additive profile) the
	// utility is the table sum alone.
	Terms []Term
	// Panel, when set, decides what the party accepts: its members'
	// answers by their rule (a coalition whose members have preferences);
	// the utility itself is then their weighted mean. Consents are the
	// acceptances other parties must give to the outcomes they match (a
	// guarantor, to a deal that names it). An outcome the panel rejects or
	// that lacks a consent is Unacceptable, like a red line (panel.go).
	Panel    *Panel
	Consents []Consent
}

// NewAdditive compiles weights and per-issue evaluations into an Additive.
func NewAdditive(weights []float64, evals [][]float64, reservation, discount float64) *Additive {
	a := &Additive{Weights: weights, Evals: evals, Reservation: reservation, Discount: discount}
	a.Table = make([][]float64, len(evals))
	for i, e := range evals {
		t := make([]float64, len(e))
		for v, x := range e {
			t[v] = weights[i] * x
		}
		a.Table[i] = t
	}
	return a
}

// Utility returns u(o) for the outcome o (one value index per issue), or
// Unacceptable if o crosses one of the party's red lines, lacks a consent
// it needs or is rejected by its panel (Refuses).
func (a *Additive) Utility(o []int) float64 {
	if len(a.RedLines) > 0 && a.Crosses(o) >= 0 {
		return Unacceptable
	}
	if a.Vetoes() && a.vetoed(o) {
		return Unacceptable
	}
	return a.Raw(o)
}

// Raw returns the additive utility of o, ignoring red lines.
func (a *Additive) Raw(o []int) float64 {
	s := 0.0
	for i, t := range a.Table {
		s += t[o[i]]
	}
	for k := range a.Terms {
		if a.Terms[k].Match(o) {
			s += a.Terms[k].Value
		}
	}
	return Clamp(s)
}

// Crosses returns the index of the first red line o crosses, or -1.
func (a *Additive) Crosses(o []int) int {
	for k := range a.RedLines {
		if a.RedLines[k].Match(o) {
			return k
		}
	}
	return -1
}

// Clamp applies Genius's upper clamp min(s, 1) to a utility sum.
func Clamp(s float64) float64 {
	if s > 1 {
		return 1
	}
	return s
}

// Discounted returns u·d^t for normalised time t in [0, 1] (clamped), as
// Genius discounts: by elapsed fraction of the deadline, not per round.
func (a *Additive) Discounted(u, t float64) float64 {
	if a.Discount >= 1 || a.Discount <= 0 {
		return u
	}
	return u * a.DiscountFactor(t)
}

// DiscountFactor is d^t for normalised time t (clamped to [0, 1]), 1 when
// the party does not discount: Discounted(u, t) is u·DiscountFactor(t), so
// a caller scoring many utilities at one time computes the power once.
func (a *Additive) DiscountFactor(t float64) float64 {
	if a.Discount >= 1 || a.Discount <= 0 {
		return 1
	}
	if t < 0 {
		t = 0
	} else if t > 1 {
		t = 1
	}
	return math.Pow(a.Discount, t)
}

// Max returns the largest utility over all outcomes and one outcome that has
// it, ignoring red lines. With terms it is found by a search (see Extreme)
// of at most DefaultSearchNodes nodes; past that it is the best outcome
// found, and Extreme says so.
func (a *Additive) Max() (float64, []int) {
	u, o, _ := a.Extreme(true, DefaultSearchNodes)
	return u, o
}

// Min returns the smallest utility over all outcomes and one outcome that has
// it, ignoring red lines; with terms, as Max.
func (a *Additive) Min() (float64, []int) {
	u, o, _ := a.Extreme(false, DefaultSearchNodes)
	return u, o
}

// tableExtreme is Max or Min of a utility without terms: each issue's best
// (or worst) table entry, the first among ties.
func (a *Additive) tableExtreme(better func(x, y float64) bool) (float64, []int) {
	o := make([]int, len(a.Table))
	for i, t := range a.Table {
		for v := range t {
			if better(t[v], t[o[i]]) {
				o[i] = v
			}
		}
	}
	return a.Raw(o), o
}
