package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// Atlas3, the winner of ANAC 2015 (Mori and Ito, "Atlas3: a negotiating
// agent based on expecting lower limit of concession function", in Modern
// Approaches to Agent-based Complex Automated Negotiation, 2017; Genius's
// Atlas3), written for multilateral negotiation. Its threshold falls
// linearly from 1 to the expected utility of a "final proposal game"
// between insisting and conceding:
//
//	thr(t) = E + (1 − E)·(1 − t)   (d = 1; with d < 1, max(1 − t/d, E/d^t)),
//
// where E is the equilibrium payoff of the 2×2 game whose payoffs are its
// reservation value (both insist), 1 (it insists, the others concede), C
// (it concedes; C is its utility of the best offer it received, or with
// more than two parties of the best offer every other party supported)
// and their average (both concede). It accepts an offer worth its
// threshold; it offers an outcome just above the threshold, improved issue
// by issue towards the values the others offer most often, where that
// costs it nothing. It records every offer all the other parties supported
// (with two parties, every offer of the opponent), and in its final
// proposal phase — the last as many rounds as it holds such offers, plus
// one — it proposes them back, best for itself first, each while it beats
// the offer on the table and its reservation value, and otherwise accepts
// the offer on the table if that beats its reservation value.
//
// Deviations: its outcome just above the threshold is drawn from those
// within 0.01 above it in the sorted list (the original searches the
// neighbourhood of a random outcome, then by simulated annealing); the
// time of a round is measured in turns, as the original does, and its
// final phase therefore counts rounds; it draws from the seeded source;
// it never goes below its reservation value. It needs a space small enough
// to sort.
type Atlas3 struct {
	opponents
	counts   valueCounts // values of all the others' offers
	popular  []Bid       // offers every other party supported, best for it first
	seen     seenSet
	next     int // the next popular offer of the final phase
	turns    int
	support  int  // parties supporting the standing offer of another
	standing Bid  // that offer
	others   bool // the standing offer is another party's
	bou      float64
	mpbu     float64
	perm     []int
	scratch  []int
}

func init() {
	register(Info{Entry: registry.Entry{Name: "atlas3",
		Doc:    "ANAC 2015 winner (multilateral): concedes linearly to the value of a final-proposal game, then proposes back the offers the others supported",
		Source: "Mori & Ito 2017, Atlas3: a negotiating agent based on expecting lower limit of concession function (ANAC 2015 winner; Genius Atlas3), reimplemented"},
		Role:        RoleParty,
		Random:      true,
		NeedsSorted: true,
		make:        func(map[string]float64) Negotiator { return &Atlas3{} }})
}

// Reset implements Negotiator.
func (n *Atlas3) Reset(s *Setup) {
	n.resetOpponents(s)
	n.counts.reset(s.Space)
	n.popular = grow(n.popular, expected(s))
	n.seen.reset(sizeOf(s.Space))
	n.next, n.turns, n.support = 0, 0, 0
	n.others = false
	n.bou, n.mpbu = 0, 0
	n.perm = resizeInts(n.perm, s.Space.Issues())
	n.scratch = resizeInts(n.scratch, s.Space.Issues())
}

// Observe implements Negotiator: offers and acceptances of the others.
func (n *Atlas3) Observe(e protocol.Event) {
	if int(e.Seat) == n.s.Seat {
		if e.Type == protocol.EventOffer {
			n.others, n.support = false, 0
		}
		return
	}
	switch e.Type {
	case protocol.EventOffer:
		b, _ := n.heard(e)
		n.s.Space.Decode(b.Outcome, n.scratch)
		n.counts.add(n.scratch)
		n.bou = max(n.bou, b.U)
		n.standing, n.others, n.support = b, true, 1
	case protocol.EventAccept:
		n.support++
	default:
		return
	}
	if n.others && n.support == n.s.Parties-1 && n.seen.add(n.standing.Outcome) {
		n.mpbu = max(n.mpbu, n.standing.U)
		// Insert, best for itself first.
		i := len(n.popular)
		n.popular = append(n.popular, n.standing)
		for i > 0 && n.popular[i-1].U < n.standing.U {
			n.popular[i] = n.popular[i-1]
			i--
		}
		n.popular[i] = n.standing
	}
}

// Threshold is its threshold at time t, in utility.
func (n *Atlas3) Threshold(t float64) float64 {
	if n.top <= 0 {
		return n.rv
	}
	d := discountFactor(n.s)
	rv := n.rv / n.top
	c := n.mpbu
	if n.s.Parties == 2 {
		c = n.bou
	}
	c /= n.top
	a11, a12 := rv*d, d
	a21 := rv * d
	if c >= rv {
		a21 = c * d
	}
	a22 := 0.5*a21 + 0.5*a12
	q := 1.0
	if a12-a22 != 0 && 1-(a11-a21)/(a12-a22) != 0 {
		q = 1 / (1 - (a11-a21)/(a12-a22))
	}
	if q < 0 || q > 1 {
		q = 1
	}
	e := (q*a21 + (1-q)*a22) / math.Pow(d, t)
	thr := e + (1-e)*(1-t)
	if d < 1 {
		thr = max(1-t/d, e)
	}
	return max(thr*n.top, n.rv)
}

// search returns an outcome just above thr, improved towards the others'
// most frequent values where that costs it nothing.
func (n *Atlas3) search(thr float64) uint64 {
	x, r, sp := n.s.Index, n.s.Rand, n.s.Space
	id, u, ok := x.AtLeast(thr, n.buf)
	if !ok {
		return id
	}
	a := x.Position(thr)
	b := x.Position(math.Nextafter(u+0.01*n.top, math.Inf(1)))
	if b > a+1 {
		id, u = x.At(a + r.IntN(b-a))
	}
	sp.Decode(id, n.scratch)
	for i := range n.perm {
		n.perm[i] = i
	}
	for i := len(n.perm) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		n.perm[i], n.perm[j] = n.perm[j], n.perm[i]
	}
	for _, i := range n.perm {
		v := n.counts.mode(i)
		if v < 0 || v == n.scratch[i] {
			continue
		}
		old := n.scratch[i]
		n.scratch[i] = v
		cand := sp.Index(n.scratch)
		if cu := n.util(cand); cu >= u {
			id, u = cand, cu
		} else {
			n.scratch[i] = old
		}
	}
	return id
}

// Act implements Negotiator.
func (n *Atlas3) Act(t protocol.Turn) protocol.Action {
	if n.sync() {
		for i := range n.popular {
			n.popular[i].U = n.util(n.popular[i].Outcome)
		}
	}
	n.turns++
	respond := t.Phase == protocol.PhaseRespond || t.Phase == protocol.PhaseVote
	offered := 0.0
	if respond {
		offered = n.util(t.Outcome)
	}
	thr := n.Threshold(t.T)
	if scale := t.T / float64(n.turns); t.T > 1-scale*float64(len(n.popular)+1) {
		// The final proposal phase.
		if n.next < len(n.popular) {
			cb := n.popular[n.next]
			if cb.U > offered && cb.U > n.rv {
				if t.Phase == protocol.PhaseVote {
					return protocol.Reject
				}
				n.next++
				return protocol.Offer(cb.Outcome)
			}
		}
		if respond && ((n.next >= len(n.popular) && offered >= n.rv) || offered > n.rv) {
			return protocol.Accept
		}
		return n.respond(t, false, n.search(thr))
	}
	if respond && offered >= thr {
		return n.respond(t, true, 0)
	}
	if n.rv*math.Pow(discountFactor(n.s), t.T) >= thr && n.rv > 0 {
		return protocol.End
	}
	return n.respond(t, false, n.search(thr))
}

// OpponentModel implements OpponentModeler: how often the others offered
// each outcome's values (the same for every other seat).
func (n *Atlas3) OpponentModel(seat int) func(uint64) float64 {
	if n.s == nil || seat < 0 || seat >= n.s.Parties || seat == n.s.Seat || len(n.theirs) == 0 {
		return nil
	}
	sp, c := n.s.Space, n.counts
	buf := make([]int, sp.Issues())
	return func(id uint64) float64 {
		sp.Decode(id, buf)
		return c.score(buf)
	}
}
