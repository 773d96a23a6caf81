package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// AgentGG, the winner of ANAC 2019 (by Shaobo Xu; described in Aydoğan et
// al., "Challenges and main results of the automated negotiating agents
// competition (ANAC) 2019", 2020; Genius's agentgg). It works in shares of
// its utility range, r(o) = (u(o) − worst)/(best − worst). From the
// opponent's offers just after it first moves off its opening offer it
// takes the best share m it is offered and estimates the Nash point at
// N = m + (1 − m)/1.7. Its lower threshold L(t) is 0.9999 until t = 0.01,
// 0.99 until 0.02, then falls linearly to 0.9 at t = 0.2, to N + 0.3·(1 − N)
// at 0.5, to N + 0.15·(1 − N) at 0.9, N + 0.05·(1 − N) at 0.98, N at 0.995
// and N − 0.35·(1 − N) just before the end (never below its reservation
// share plus 0.3, 0.25, then 0.2 in the last three phases). It accepts an
// offer whose share reaches the threshold it last set, and in the last
// moments one worth its reservation share plus 0.2. It offers an outcome
// whose share lies between L and L + 0.1: a random one until t = 0.2, then
// the one whose values the opponent offered most often (counting the
// opponent's offers until t = 0.3).
//
// Deviations: AgentGG played ANAC 2019's league with uncertain preferences
// and estimated its own utilities from a ranking of outcomes; parley knows
// them, so its shares, reservation share and Nash estimate use the true
// utilities; its random outcomes are drawn from the sorted outcomes in the
// band (and of at most 512 of them it takes the opponent's favourite)
// rather than by generating random outcomes; its last moments are the last
// round of a deadline in rounds. It never goes below its reservation
// value. With more than two parties it pools the others' offers. It needs
// a space small enough to sort.
type AgentGG struct {
	opponents
	counts            valueCounts
	lower, upper      float64
	nash              float64
	gotNash, moved    bool
	start, maxShare   float64
	last              uint64
	hasLast           bool
	lo, span, rvShare float64
	scratch           []int
}

func init() {
	register(Info{Entry: registry.Entry{Name: "agentgg",
		Doc:    "ANAC 2019 winner: a stepwise time-dependent threshold towards an estimated Nash point, offering the opponent's favourite values within a band",
		Source: "AgentGG by Shaobo Xu (ANAC 2019 winner; Aydoğan et al. 2020, Challenges and main results of ANAC 2019; Genius agentgg), reimplemented"},
		Role:        RoleParty,
		Random:      true,
		NeedsSorted: true,
		make:        func(map[string]float64) Negotiator { return &AgentGG{} }})
}

// Reset implements Negotiator.
func (n *AgentGG) Reset(s *Setup) {
	n.resetOpponents(s)
	n.counts.reset(s.Space)
	n.lower, n.upper = 1, 1.1
	n.nash, n.gotNash, n.moved = 0, false, false
	n.start, n.maxShare = 0, 0
	n.hasLast = false
	n.scratch = resizeInts(n.scratch, s.Space.Issues())
	n.bounds()
}

func (n *AgentGG) bounds() {
	_, hi := n.s.Index.Max()
	_, lo := n.s.Index.Min()
	n.lo, n.span = lo, hi-lo
	n.rvShare = 0
	if n.span > 0 {
		n.rvShare = (n.rv - lo) / n.span
	}
}

// share is u as a share of its utility range.
func (n *AgentGG) share(u float64) float64 {
	if n.span <= 0 {
		return 1
	}
	return (u - n.lo) / n.span
}

// Observe implements Negotiator.
func (n *AgentGG) Observe(e protocol.Event) { n.heard(e) }

// Lower is its lower threshold, a share of its utility range.
func (n *AgentGG) Lower() float64 { return n.lower }

// threshold sets the band of shares it offers in at time t; last says
// that this is its last chance.
func (n *AgentGG) threshold(t float64, last bool) {
	N, rv := n.nash, n.rvShare
	at := func(k float64) float64 { return k*(1-N) + N }
	lin := func(t, t0, t1, p0, p1 float64) float64 { return p0 - (p0-p1)/(t1-t0)*(t-t0) }
	switch {
	case last:
		n.lower = max(at(-0.4), rv+0.2)
	case t < 0.01:
		n.lower = 0.9999
	case t < 0.02:
		n.lower = 0.99
	case t < 0.2:
		n.lower = 0.99 - 0.5*(t-0.02)
	case t < 0.5:
		n.lower = lin(t, 0.2, 0.5, 0.9, at(0.3))
	case t < 0.9:
		n.lower = lin(t, 0.5, 0.9, at(0.3), at(0.15))
	case t < 0.98:
		n.lower = max(lin(t, 0.9, 0.98, at(0.15), at(0.05)), rv+0.3)
	case t < 0.995:
		n.lower = max(lin(t, 0.98, 0.995, at(0.05), at(0)), rv+0.25)
	case t < 0.999:
		n.lower = max(lin(t, 0.995, 0.9989, at(0), at(-0.35)), rv+0.25)
	default:
		n.lower = max(at(-0.4), rv+0.2)
	}
	n.upper = n.lower + 0.1
}

// bid returns an outcome whose share lies in the band [lower, upper].
func (n *AgentGG) bid(t float64) uint64 {
	x, r := n.s.Index, n.s.Rand
	lo := max(n.lower*n.span+n.lo, n.rv)
	hi := n.upper*n.span + n.lo
	a := x.Position(lo)
	b := x.Position(math.Nextafter(hi, math.Inf(1)))
	if a >= x.Len() {
		id, _ := x.Max()
		return id
	}
	if b <= a {
		id, _ := x.At(a + r.IntN(x.Len()-a))
		return id
	}
	m := b - a
	if t < 0.2 {
		id, _ := x.At(a + r.IntN(m))
		return id
	}
	best, bp := 0.0, -1
	for k := range min(m, 512) {
		p := a + k
		if m > 512 {
			p = a + r.IntN(m)
		}
		id, _ := x.At(p)
		n.s.Space.Decode(id, n.scratch)
		if sc := n.counts.score(n.scratch); sc > best {
			best, bp = sc, p
		}
	}
	if bp < 0 {
		bp = a + r.IntN(m)
	}
	id, _ := x.At(bp)
	return id
}

// Act implements Negotiator.
func (n *AgentGG) Act(t protocol.Turn) protocol.Action {
	if n.sync() {
		n.bounds()
	}
	top, _ := n.s.Index.Max()
	if t.Phase == protocol.PhaseOffer || len(n.theirs) == 0 {
		return n.respond(t, t.HasOutcome && n.share(n.util(t.Outcome)) >= n.lower, top)
	}
	o := t.Outcome
	r := n.share(n.util(o))
	if r >= n.lower {
		return n.respond(t, true, top)
	}
	if !n.gotNash {
		n.maxShare = max(n.maxShare, r)
		if n.moved {
			if t.T-n.start > 0.003 {
				n.nash = (1-n.maxShare)/1.7 + n.maxShare
				n.gotNash = true
			}
		} else if n.hasLast && n.last != o {
			n.moved, n.start = true, t.T
		}
	}
	if t.T < 0.3 {
		n.s.Space.Decode(o, n.scratch)
		n.counts.add(n.scratch)
	}
	last := lastRounds(n.s, t, 1) || t.T >= 0.9989
	n.threshold(t.T, last && n.s.Deadline.Rounds > 0)
	if last && r > n.rvShare+0.2 {
		return n.respond(t, true, top)
	}
	n.last, n.hasLast = o, true
	return n.respond(t, false, n.bid(t.T))
}

// OpponentModel implements OpponentModeler: how often the others offered
// each outcome's values (until t = 0.3; the same for every other seat).
func (n *AgentGG) OpponentModel(seat int) func(uint64) float64 {
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
