package negotiator

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

// pie is a one-issue "divide the pie" space of n outcomes: outcome k gives
// the first party k/(n−1) and the second 1 − k/(n−1).
func pie(n int, rv0, rv1 float64) (outcome.Space, *utility.Additive, *utility.Additive) {
	sp, _ := outcome.NewSpace([]int{n})
	a, b := make([]float64, n), make([]float64, n)
	for k := range n {
		a[k] = float64(k) / float64(n-1)
		b[k] = 1 - a[k]
	}
	return sp, utility.NewAdditive([]float64{1}, [][]float64{a}, rv0, 1), utility.NewAdditive([]float64{1}, [][]float64{b}, rv1, 1)
}

// publicSetup seats a strategy at seat 0 of a two-party session in which
// the other's utility function is public (its reservation value hidden).
func publicSetup(t *testing.T, sp outcome.Space, own, other *utility.Additive, rounds int) *Setup {
	t.Helper()
	x, err := NewIndex(own, sp)
	if err != nil {
		t.Fatal(err)
	}
	hidden := *other
	hidden.Reservation = 0
	ox, err := NewIndex(&hidden, sp)
	if err != nil {
		t.Fatal(err)
	}
	return &Setup{Seat: 0, Parties: 2, Space: sp, Utility: own, Index: x, Rand: rand.New(rand.NewPCG(1, 2)),
		Deadline: protocol.Deadline{Rounds: rounds}, Others: []*Index{nil, ox}}
}

// TestRVFitterLearnsReservation shows RVFitter an opponent conceding on a
// time-dependent curve towards reservation value 0.35 (exponent 2.5) and
// checks that it recovers the reservation value.
func TestRVFitterLearnsReservation(t *testing.T) {
	for _, c := range []struct{ rv, e float64 }{{0.35, 2.5}, {0.2, 0.6}, {0.6, 4}, {0.05, 1}} {
		const n = 1001
		sp, own, other := pie(n, 0.1, c.rv)
		s := publicSetup(t, sp, own, other, 100)
		f := &RVFitter{MinUnique: 10, E: 5, Stochasticity: 0.1}
		f.Reset(s)
		for r := 0; r <= 60; r++ { // the opponent opens at t = 0 with its best
			tt := float64(r) / 100
			target := (1-c.rv)*(1-math.Pow(tt, c.e)) + c.rv // the opponent's utility of its offer
			k := uint64(math.Round((1 - target) * (n - 1)))
			f.Observe(protocol.Event{Type: protocol.EventOffer, Seat: 1, T: tt, Outcome: k, HasOutcome: true})
			f.Act(protocol.Turn{Phase: protocol.PhaseRespond, Seat: 0, Round: r, T: tt, Outcome: k, HasOutcome: true})
			if r == 4 && f.EstimatedRV(1) != 0 {
				t.Errorf("after 5 distinct offers the estimate is %v; it should stay 0 until 10", f.EstimatedRV(1))
			}
		}
		if got := f.EstimatedRV(1); math.Abs(got-c.rv) > 0.01 {
			t.Errorf("rv %v, e %v: estimated reservation value %v", c.rv, c.e, got)
		}
		// Its offers now leave the opponent above the estimate.
		for range 20 {
			a := f.Act(protocol.Turn{Phase: protocol.PhasePropose, Seat: 0, Round: 61, T: 0.61})
			if a.Outcome > uint64(math.Round((1-f.EstimatedRV(1))*(n-1))) {
				t.Errorf("offer %d leaves the opponent below its estimated reservation value", a.Outcome)
			}
		}
		if m := f.OpponentModel(1); m == nil || m(0) != 1 || m(n-1) != 0 {
			t.Error("RVFitter's opponent model is not the public utility function")
		}
	}
}

// TestNashSeekerBar checks NashSeeker's acceptance bar and offers on a pie
// of 101 outcomes: with the opponent assumed at 0.25 and itself at 0.1,
// the Nash point maximises (x − 0.1)(0.75 − x), at x = 0.425, between the
// grid points 0.42 and 0.43, whose products 0.32·0.33 and 0.33·0.32 tie;
// NegMAS takes the first in its frontier order (equal welfare, then the
// higher own utility first): 0.43.
func TestNashSeekerBar(t *testing.T) {
	sp, own, other := pie(101, 0.1, 0.6)
	s := publicSetup(t, sp, own, other, 100)
	ns := &NashSeeker{OpponentRV: 0.25, Factor: 0.9}
	ns.Reset(s)
	if want := 0.9 * 0.43; math.Abs(ns.bar-want) > 1e-12 {
		t.Errorf("bar %v, want %v", ns.bar, want)
	}
	// It offers frontier outcomes from its bar up to the opponent's assumed
	// reservation value: 0.39 … 0.75.
	if len(ns.offers) != 37 || ns.offers[0] != 39 || ns.offers[36] != 75 {
		t.Errorf("offers %v", ns.offers)
	}
	if a := ns.Act(protocol.Turn{Phase: protocol.PhaseRespond, T: 0.5, Outcome: 40, HasOutcome: true}); a.Kind != protocol.ActAccept {
		t.Errorf("0.40 ≥ bar 0.387 was not accepted: %+v", a)
	}
	if a := ns.Act(protocol.Turn{Phase: protocol.PhaseRespond, T: 0.5, Outcome: 38, HasOutcome: true}); a.Kind == protocol.ActAccept {
		t.Error("0.38 < bar 0.387 was accepted")
	}
}

func TestPublicCheck(t *testing.T) {
	for _, name := range []string{"rvfitter", "nashseeker"} {
		sp, err := Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		if sp.CheckPublic(false) == nil || sp.CheckPublic(true) != nil {
			t.Errorf("%s: CheckPublic", name)
		}
	}
	if sp, _ := Parse("boulware"); sp.CheckPublic(false) != nil {
		t.Error("boulware needs nothing public")
	}
}
