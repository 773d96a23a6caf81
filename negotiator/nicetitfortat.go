package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// NiceTitForTat (Baarslag, Hindriks and Jonker, "A tit for tat negotiation
// strategy for real-time bilateral negotiations", in Complex Automated
// Negotiations, 2013; ANAC 2011; Genius's NiceTitForTat). It reciprocates
// the opponent's concessions measured in its own utility, towards the Nash
// point of a Bayesian model of the opponent (BayesianModel): if the
// opponent has conceded a share f of the way from its first offers to
// Nash (from u₀, the least it was offered in the first 1% of the time, to
// its best offer since, against its Nash utility N), it concedes the same
// share of the way from its best to Nash,
//
//	target = 1 − f·(1 − N),  f = min(1, (best offer − u₀)/(N − u₀)),
//
// and as the deadline nears (after t = 0.91, 0.85 on spaces of more than
// 3,000 outcomes) it gives a growing bonus of the gap left to Nash, up to
// all of it, never less than 0.5 − 0.4·d of it (d the discount factor).
// N is the Nash point of its utility and the model's estimate (its own
// utility there, times 1.4 − 0.6 × the initial gap, within 0.5–1; 0.7
// before it can tell, or on spaces of 200,000 outcomes or more). It offers,
// among its outcomes worth 0.98 of the target up to 0.05 above it (widened
// by 0.01 until there are two), the one the model rates best for the
// opponent — or the opponent's best offer, if that is worth as much to it.
// It accepts an offer worth what it would offer next unless the opponent
// offered something better before and more offers are still to come (in
// the time that remains); after t = 0.98, when few offers are still to
// come, it also accepts an offer that no earlier offer in that window
// beats.
//
// Deviations: in that last rule, Genius's code compares the offer with the
// earlier offers at least as good as it, itself included, so that it can
// never fire; parley takes the paper's meaning (the expected utility of
// waiting for a better offer). It never goes below its reservation value.
// With more than two parties it pools the others' offers, models each
// other party apart, and takes the Nash product over all of them. It needs
// a space small enough to sort.
type NiceTitForTat struct {
	opponents
	model BayesianModels

	nash, gap  float64 // Nash utility (shares of its best), initial gap
	learnt     int     // distinct offers the Nash point was computed from
	big        bool
	scratch    []int
	lastTarget float64
}

func init() {
	register(Info{Entry: registry.Entry{Name: "nicetitfortat",
		Doc:    "reciprocates the opponent's concessions towards the Nash point of a Bayesian opponent model; accepts what it would offer, near the end what it will not see bettered",
		Source: "Baarslag, Hindriks & Jonker 2013, A tit for tat negotiation strategy for real-time bilateral negotiations (ANAC 2011; Genius NiceTitForTat), reimplemented"},
		Role:        RoleParty,
		NeedsSorted: true,
		make:        func(map[string]float64) Negotiator { return &NiceTitForTat{} }})
}

// Reset implements Negotiator.
func (n *NiceTitForTat) Reset(s *Setup) {
	n.resetOpponents(s)
	n.model.Sigma, n.model.Step = 0.25, 0.003
	n.model.Reset(s)
	n.nash, n.gap, n.learnt = 0.7, 0, -1
	n.big = s.Index.Size() > 3000
	n.scratch = resizeInts(n.scratch, s.Space.Issues())
	n.lastTarget = 1
}

// Observe implements Negotiator.
func (n *NiceTitForTat) Observe(e protocol.Event) {
	if b, ok := n.heard(e); ok && b.Seat < n.s.Parties {
		n.model.Update(b.Seat, b.Outcome, b.T)
	}
}

// offersLearnt is the number of distinct offers its model has learnt from.
func (n *NiceTitForTat) offersLearnt() int {
	k := 0
	for s := range n.s.Parties {
		if s != n.s.Seat {
			k += n.model.m[s].Offers()
		}
	}
	return k
}

// updateNash recomputes its Nash utility (a share of its best) when the
// model learnt something since.
func (n *NiceTitForTat) updateNash() {
	k := n.offersLearnt()
	if k == n.learnt {
		return
	}
	n.learnt = k
	x := n.s.Index
	n.nash = 0.7
	if x.Sorted() && x.Len() < 200000 {
		best, bu := -1.0, 0.0
		for p := x.Position(n.rv); p < x.Len(); p++ {
			id, u := x.At(p)
			n.s.Space.Decode(id, n.scratch)
			prod := u - n.rv
			for s := range n.s.Parties {
				if s != n.s.Seat && n.model.Knows(s) {
					prod *= n.model.Estimate(s, id, n.scratch)
				}
			}
			if prod > best {
				best, bu = prod, u
			}
		}
		if best >= 0 && n.top > 0 {
			n.nash = bu / n.top
		}
	}
	n.nash = min(max(n.nash*max(1.4-0.6*n.gap, 0), 0.5), 1)
}

// bonus is the share of the gap to Nash it gives up at time t.
func (n *NiceTitForTat) bonus(t float64) float64 {
	d := discountFactor(n.s)
	from := 0.91
	if n.big {
		from = 0.85
	}
	tb := 0.0
	if t > from {
		tb = min(1, 20*(t-from))
	}
	return min(max(max(0.5-0.4*d, tb), 0), 1)
}

// Target is the utility it aimed at last.
func (n *NiceTitForTat) Target() float64 { return n.lastTarget * n.top }

// plan returns the outcome it would offer at time t.
func (n *NiceTitForTat) plan(t float64) (uint64, float64) {
	x := n.s.Index
	n.updateNash()
	share := func(u float64) float64 { return u / n.top }
	first := n.theirs[0].U
	for _, b := range n.theirs {
		if b.T > 0.01 {
			break
		}
		first = min(first, b.U)
	}
	u0, bestU := share(first), share(n.best.U)
	f := 1.0
	if den := n.nash - u0; den > 0 {
		f = min(1, (bestU-u0)/den)
	} else if bestU-u0 <= 0 {
		f = 0
	}
	target := 1 - f*(1-n.nash)
	n.gap = 1 - u0
	target -= n.bonus(t) * max(0, target-n.nash)
	target = min(target, 1)
	n.lastTarget = target
	// Outcomes worth 0.98·target to target + 0.05, widened until two.
	lo := max(0.98*target*n.top, n.rv)
	a := x.Position(lo)
	hi := target + 0.04
	b := a
	for {
		hi += 0.01
		b = x.Position(math.Nextafter(hi*n.top, math.Inf(1)))
		if b-a > 1 || (hi >= 1 && b-a > 0) || hi > 1 {
			break
		}
	}
	if b <= a {
		return x.Max()
	}
	pick, best := a, math.Inf(-1)
	for p := a; p < b && p < a+2048; p++ {
		id, _ := x.At(p)
		n.s.Space.Decode(id, n.scratch)
		e := 0.0
		for s := range n.s.Parties {
			if s != n.s.Seat && n.model.Knows(s) {
				e += n.model.Estimate(s, id, n.scratch)
			}
		}
		if e > best {
			pick, best = p, e
		}
	}
	id, u := x.At(pick)
	if n.best.U >= u {
		return n.best.Outcome, n.best.U
	}
	return id, u
}

// accepts is its acceptance rule for an offer worth u, its next bid
// worth next, at time t.
func (n *NiceTitForTat) accepts(u, next, t float64) bool {
	left := 1 - t
	from := t - left
	ok := u >= next
	if !ok && t >= 0.98 {
		recent, better, sum := 0, 0, 0.0
		for i := len(n.theirs) - 1; i >= 0 && n.theirs[i].T >= from; i-- {
			recent++
			if i < len(n.theirs)-1 && n.theirs[i].U > u {
				better++
				sum += n.theirs[i].U
			}
		}
		enough := 10
		if n.big {
			enough = 40
		}
		// The expected utility of waiting: a better offer surely comes
		// (the window is the time left) and is worth their average.
		ok = recent <= enough && (better == 0 || u > sum/float64(better))
	}
	if !ok {
		return false
	}
	recent := 0
	for i := len(n.theirs) - 1; i >= 0 && n.theirs[i].T >= from; i-- {
		recent++
	}
	return !(recent > 1 && n.best.U > u)
}

// Act implements Negotiator.
func (n *NiceTitForTat) Act(t protocol.Turn) protocol.Action {
	n.sync()
	if len(n.theirs) == 0 {
		// Nothing to reciprocate yet: it opens with its best outcome (and
		// votes for a text only as good as it, or better than the current one).
		id, u := n.s.Index.Max()
		return n.respond(t, t.HasOutcome && n.util(t.Outcome) >= u, id)
	}
	id, _ := n.plan(t.T)
	id, u := n.floor(id)
	accept := false
	if t.Phase == protocol.PhaseRespond || t.Phase == protocol.PhaseVote {
		accept = n.accepts(n.util(t.Outcome), u, t.T)
	}
	return n.respond(t, accept, id)
}

// OpponentModel implements OpponentModeler: its Bayesian model of seat.
func (n *NiceTitForTat) OpponentModel(seat int) func(uint64) float64 {
	return modelOf(&n.model, n.s, seat)
}
