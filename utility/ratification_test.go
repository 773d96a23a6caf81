package utility

import (
	"math"
	"testing"
)

// A body that votes in two communities: west 60% of the electorate, east
// 40% with a lower bar of its own.
func twoCommunities(need float64) Body {
	return Body{Threshold: 0.5, Uncertainty: 0.05, Need: need, Communities: []Community{
		{ID: "west", Weight: 0.6, Threshold: 0.5, Electorate: Electorate{Support: [][]float64{{1, 0.4, 0.1}}}},
		{ID: "east", Weight: 0.4, Threshold: 0.4, Electorate: Electorate{Support: [][]float64{{1, 0.7, 0.5}}}},
	}}
}

// TestBodyConsent (issue 16, finding 7): the overall share is the
// communities' weighted mean; cross-community consent needs every
// community past its own bar, a double majority at least the share asked;
// the polling error is one swing for all, so the margin is the least lead
// that must hold.
func TestBodyConsent(t *testing.T) {
	o := []int{1} // west 0.4, east 0.7: overall 0.52
	for _, c := range []struct {
		need   float64
		margin float64
	}{
		{0, 0.52 - 0.5},   // the overall share alone
		{0.5, 0.52 - 0.5}, // one community of two: east's 0.3 lead
		{1, 0.4 - 0.5},    // both: west's lead −0.1
	} {
		b := twoCommunities(c.need)
		if got := b.Share(o, 0); math.Abs(got-0.52) > 1e-12 {
			t.Errorf("need %v: share %v, want 0.52", c.need, got)
		}
		if got := b.Margin(o, 0); math.Abs(got-c.margin) > 1e-12 {
			t.Errorf("need %v: margin %v, want %v", c.need, got, c.margin)
		}
		if got, want := b.Prob(o, 0), normCDF(c.margin/0.05); math.Abs(got-want) > 1e-12 {
			t.Errorf("need %v: probability %v, want %v", c.need, got, want)
		}
	}
	// Three communities, a double majority of half: two must pass.
	b := twoCommunities(0.5)
	b.Communities = append(b.Communities, Community{ID: "south", Weight: 0, Threshold: 0.5, Electorate: Electorate{Support: [][]float64{{1, 0.45, 0}}}})
	if got, want := b.Margin(o, 0), 0.45-0.5; math.Abs(got-want) > 1e-12 {
		t.Errorf("two of three: margin %v, want the second lead %v", got, want)
	}
}

// TestRatificationBodies: every required body must pass, independently;
// Share is the yes share of the vote least likely to pass; a body whose
// when does not match takes no vote.
func TestRatificationBodies(t *testing.T) {
	voters := &Additive{Table: [][]float64{{0.4, 0.24, 0.08}}}
	parl := Body{Name: "parliament", Threshold: 0.5, Uncertainty: 0.03, Electorate: Electorate{VoterMean: 0.5, VoterSD: 0.15, Utility: voters}}
	ref := twoCommunities(1)
	ref.Name = "referendum"
	ref.When = &Constraint{Issues: []int{0}, Allowed: [][]bool{{false, true, true}}}
	r := Ratification{Bodies: []Body{parl, ref}}
	if got := r.Names(); got != "parliament and referendum" {
		t.Errorf("names %q", got)
	}
	// Land kept: only the parliament votes, on its own utility 0.4 (the
	// party's 0.9 is not what the deputies judge by).
	p0 := normCDF((normCDF((0.4-0.5)/0.15) - 0.5) / 0.03)
	if got := r.Prob([]int{0}, 0.9); math.Abs(got-p0) > 1e-12 {
		t.Errorf("land kept: probability %v, want %v", got, p0)
	}
	if !r.Required([]int{0}) || ref.Required([]int{0}) {
		t.Error("required")
	}
	o := []int{1}
	pp, pr := r.Bodies[0].Prob(o, 0.9), r.Bodies[1].Prob(o, 0.9)
	if got := r.Prob(o, 0.9); math.Abs(got-pp*pr) > 1e-15 {
		t.Errorf("two bodies: probability %v, want the product %v", got, pp*pr)
	}
	want := r.Bodies[0].Share(o, 0.9)
	if pr < pp {
		want = r.Bodies[1].Share(o, 0.9)
	}
	if got := r.Share(o, 0.9); got != want {
		t.Errorf("share %v, want the least likely body's %v", got, want)
	}
	if !r.Uncertain() || (&Ratification{Bodies: []Body{{}}}).Uncertain() {
		t.Error("Uncertain")
	}
}
