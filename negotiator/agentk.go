package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// AgentK, the winner of ANAC 2010 (Kawaguchi, Fujita and Ito,
// "Compromising strategy based on estimated maximum utility for automated
// negotiation agents", 2012; Genius's Agent_K). From the utilities (to
// itself, as a share of its best) of the offers it receives, their mean μ
// and deviation d = √(12·variance), it estimates the most the opponent will
// concede, emax = μ + (1 − μ)·d, and sets a target that falls from 1
// towards emax, the faster the more the opponent concedes:
//
//	target(t) = r·(1 − t^α·(1 − emax)) + 1 − r,  α = 1 + τ + 10μ − 2τμ,
//	r = min(2, (d + 0.1) / (t^α·(1 − emax))),  τ = 2 (its "tremor"),
//
// pulled down to emax as t³ grows. It accepts an offer of utility u with
// probability t^α/5 + (u − emax) + (u − target) (none below 0.1), and
// otherwise offers, at random, one of the opponent's earlier offers worth
// more than its target, or failing that a random outcome worth at least its
// bid target (the same curve with α jittered by up to ±τ/2).
//
// Deviations: its random outcome is drawn uniformly among those above the
// bid target from the sorted outcomes (Agent_K draws random outcomes until
// one is, lowering the bid target by 0.01 every 500 misses), on spaces too
// large to sort from 500 random draws, then the closest above; it never
// offers or accepts below its reservation value; it draws from the seeded
// source. It learns from the standing offer on each of its turns, which in
// a multilateral session pools every other party's offers.
type AgentK struct {
	opponents
	Tremor            float64
	sum, sum2         float64
	n                 int
	target, bidTarget float64 // shares of the best utility
	offered           []Bid   // distinct offers it received
	seen              seenSet
}

func init() {
	register(Info{Entry: registry.Entry{Name: "agentk",
		Doc:    "ANAC 2010 winner: estimates the most the opponent will concede from its offers' mean and spread, concedes towards it, accepts with a probability",
		Source: "Kawaguchi, Fujita & Ito 2012, AgentK: compromising strategy based on estimated maximum utility (ANAC 2010 winner; Genius Agent_K), reimplemented"},
		Role:   RoleParty,
		Random: true,
		make:   func(map[string]float64) Negotiator { return &AgentK{Tremor: 2} }})
}

// Reset implements Negotiator.
func (n *AgentK) Reset(s *Setup) {
	n.resetOpponents(s)
	n.sum, n.sum2, n.n = 0, 0, 0
	n.target, n.bidTarget = 1, 1
	n.offered = grow(n.offered, expected(s))
	n.seen.reset(sizeOf(s.Space))
}

// Observe implements Negotiator.
func (n *AgentK) Observe(e protocol.Event) {
	if e.Type == protocol.EventOffer {
		n.heard(e)
	}
}

// share is u as a share of the best utility, at most 1.
func (n *AgentK) share(u float64) float64 {
	if n.top <= 0 {
		return 0
	}
	return min(u/n.top, 1)
}

// Target is its acceptance target now, in utility.
func (n *AgentK) Target() float64 { return n.target * n.top }

// receive learns from offer id at time t and returns the probability with
// which it accepts it.
func (n *AgentK) receive(id uint64, t float64) float64 {
	ou := n.util(id)
	if n.seen.add(id) {
		n.offered = append(n.offered, Bid{Outcome: id, U: ou, T: t})
	}
	u := n.share(ou)
	n.sum += u
	n.sum2 += u * u
	n.n++
	mean := n.sum / float64(n.n)
	dev := math.Sqrt((n.sum2/float64(n.n) - mean*mean) * 12)
	if math.IsNaN(dev) {
		dev = 0
	}
	emax := mean + (1-mean)*dev
	tau := n.Tremor
	alpha := 1 + tau + 10*mean - 2*tau*mean
	beta := alpha + n.s.Rand.Float64()*tau - tau/2
	m := t*t*t*(-300) + 400
	n.target = kTarget(t, alpha, emax, dev, m)
	n.bidTarget = kTarget(t, beta, emax, dev, m)
	p := math.Pow(t, alpha)/5 + (u - emax) + (u - n.target)
	if p < 0.1 {
		p = 0
	}
	return p
}

// kTarget is AgentK's target curve with exponent a, estimated maximum
// emax, deviation dev and final pull m.
func kTarget(t, a, emax, dev, m float64) float64 {
	pre := 1 - math.Pow(t, a)*(1-emax)
	ratio := (dev + 0.1) / (1 - pre)
	if math.IsNaN(ratio) || ratio > 2 {
		ratio = 2
	}
	x := ratio*pre + 1 - ratio
	if x <= emax {
		return emax
	}
	r := x - emax
	f := 1 / (r * r)
	if f > m || math.IsNaN(f) {
		f = m
	}
	return x - r*f/m
}

// bid returns its next offer.
func (n *AgentK) bid() uint64 {
	r := n.s.Rand
	target := max(n.target*n.top, n.rv)
	count := 0
	for _, b := range n.offered {
		if b.U > target {
			count++
		}
	}
	if count > 0 {
		k := r.IntN(count)
		for _, b := range n.offered {
			if b.U > target {
				if k == 0 {
					return b.Outcome
				}
				k--
			}
		}
	}
	bt := max(n.bidTarget*n.top, n.rv)
	x := n.s.Index
	if x.Sorted() {
		lo := x.Position(bt)
		if lo >= x.Len() {
			id, _ := x.Max()
			return id
		}
		id, _ := x.At(lo + r.IntN(x.Len()-lo))
		return id
	}
	for range 500 {
		if id := r.Uint64N(x.Size()); n.util(id) >= bt {
			return id
		}
	}
	id, _, _ := x.AtLeast(bt, n.buf)
	return id
}

// Act implements Negotiator.
func (n *AgentK) Act(t protocol.Turn) protocol.Action {
	if n.sync() {
		for i := range n.offered {
			n.offered[i].U = n.util(n.offered[i].Outcome)
		}
	}
	accept := false
	if t.Phase == protocol.PhaseRespond || t.Phase == protocol.PhaseVote {
		p := n.receive(t.Outcome, t.T)
		accept = p > n.s.Rand.Float64()
	}
	return n.respond(t, accept, n.bid())
}
