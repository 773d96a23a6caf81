package negotiator

import (
	"github.com/parleyhq/parley/registry"

	"math"

	"github.com/parleyhq/parley/protocol"
)

// Random offers a uniformly random outcome whose utility is at least its
// reservation value and accepts (or votes for) an offer at or above its
// reservation value with probability P, drawing from the seeded source the
// runner gives it. A baseline in the manner of NegMAS's RandomNegotiator and
// Genius's RandomCounterOfferParty.
type Random struct {
	base
	P float64
}

// TitForTat is a naive tit-for-tat (Faratin, Sierra & Jennings 1998,
// imitative tactics; NegMAS's NaiveTitForTatNegotiator): it starts at its
// best outcome and concedes, in its own utility, as much as the other
// parties have conceded, assuming the game is zero-sum: its target is
// Pmax − (u(latest opposing offer) − u(first opposing offer)), never rising
// again and never below max(reservation, worst utility). It offers the
// outcome with the smallest utility ≥ target and accepts with AC_next.
type TitForTat struct {
	base
	pmin, pmax, target float64
	first              float64
	seen               bool
}

func init() {
	register(Info{Entry: registry.Entry{Name: "random", Doc: "offers random outcomes above its reservation value; accepts those with probability p", Source: "baseline as NegMAS RandomNegotiator / Genius RandomCounterOfferParty (seeded)", Params: []registry.Param{{Name: "p", Default: 0.5, Doc: "probability of accepting an acceptable offer"}}},
		Role:   RoleParty,
		Random: true,
		make:   func(p map[string]float64) Negotiator { return &Random{P: p["p"]} }})
	register(Info{Entry: registry.Entry{Name: "titfortat", Doc: "naive tit-for-tat: concedes in its own utility as much as the others conceded", Source: "Faratin, Sierra & Jennings 1998 (imitative tactics); NegMAS NaiveTitForTatNegotiator"},
		Role: RoleParty,
		make: func(map[string]float64) Negotiator { return &TitForTat{} }})
}

// Reset implements Negotiator.
func (n *Random) Reset(s *Setup) { n.reset(s) }

// Observe implements Negotiator.
func (n *Random) Observe(protocol.Event) {}

// Act implements Negotiator.
func (n *Random) Act(t protocol.Turn) protocol.Action {
	n.changed()
	r := n.s.Rand
	switch t.Phase {
	case protocol.PhaseRespond, protocol.PhaseVote:
		if n.util(t.Outcome) >= n.rv && r.Float64() < n.P {
			return protocol.Accept
		}
		if t.Phase == protocol.PhaseVote {
			return protocol.Reject
		}
	}
	x := n.s.Index
	if x.Sorted() {
		lo := x.Position(n.rv)
		if lo >= x.Len() {
			lo = x.Len() - 1
		}
		id, _ := x.At(lo + r.IntN(x.Len()-lo))
		return protocol.Offer(id)
	}
	size := x.Size()
	for range 64 {
		id := r.Uint64N(size)
		if n.util(id) >= n.rv {
			return protocol.Offer(id)
		}
	}
	id, _ := x.Max()
	return protocol.Offer(id)
}

// Reset implements Negotiator.
func (n *TitForTat) Reset(s *Setup) {
	n.reset(s)
	n.bounds()
	n.target, n.seen = n.pmax, false
}

// bounds takes the best and worst utilities; after a change of preferences
// the target stays where it was, within the new bounds.
func (n *TitForTat) bounds() {
	_, n.pmax = n.s.Index.Max()
	_, n.pmin = n.s.Index.Min()
	n.pmin = math.Max(n.pmin, n.rv)
	n.target = math.Max(math.Min(n.target, n.pmax), n.pmin)
}

// Observe implements Negotiator.
func (n *TitForTat) Observe(e protocol.Event) {
	if n.changed() {
		n.bounds()
	}
	if e.Type != protocol.EventOffer || int(e.Seat) == n.s.Seat {
		return
	}
	u := n.util(e.Outcome)
	if !n.seen {
		n.first, n.seen = u, true
		return
	}
	if t := n.pmax - (u - n.first); t < n.target {
		n.target = math.Max(t, n.pmin)
	}
}

// Act implements Negotiator.
func (n *TitForTat) Act(t protocol.Turn) protocol.Action {
	if n.changed() {
		n.bounds()
	}
	id, u, _ := n.s.Index.AtLeast(n.target, n.buf)
	return n.answer(t, id, u)
}
