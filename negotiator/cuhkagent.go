package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// CUHKAgent, the winner of ANAC 2012 (Hao and Leung, "ABiNeS: an adaptive
// bilateral negotiating strategy over multiple items", IAT 2012; Genius's
// CUHKAgent). Its threshold concedes to the discount factor d, not to time:
//
//	thr(t) = 1 − (1 − d^(1−λ))·(t/λ)^2  for t ≤ λ,   d^(1−t) after,
//
// where λ, the time it holds out, is 0.08 + 0.92·d^β (β = 1.8, 1.5, 1.2 as
// d falls past 0.75 and 0.5) and grows towards 1 the more the opponent
// keeps making new offers (its toughness: the share of its last ten offers
// made once, squared, to the tenth power). Undiscounted (d = 1), λ = 1 and
// it holds at its best utility, less 0.05 on spaces of more than 3,000
// outcomes (0.25 after t = 0.98 beyond 10,000). It offers the opponent's
// best offer once that reaches its threshold, and otherwise, among its
// outcomes between its threshold and its best, the one whose values the
// opponent offered most often (from the opponent's first 100 distinct
// offers; among 200 sampled where there are more, ties by a coin, and
// 5% of the time one at random). It accepts an offer worth its threshold
// or what it would offer next; when the opponent's best offer beats what
// it can still expect, it accepts an offer within 0.01 of that best, or
// else offers it. In the last five rounds it offers the opponent's best
// offer (or, if that is worth less than 0.85, a favourite of the
// opponent's among outcomes worth 0.85–0.98 of its best, until the last
// round). It walks away when its reservation value reaches its threshold.
//
// Deviations: its last phases count rounds left from the deadline rather
// than estimating them from answer times; its acceptance and walking away
// are the original agent's (Genius's BOA version drops them). With more
// than two parties it pools the others' offers. It needs a space small
// enough to sort.
type CUHKAgent struct {
	opponents
	counts   valueCounts // values of the opponent's first 100 distinct offers
	seen     seenSet
	distinct int
	hist     []uint64 // every offer of the others, in order

	d, lambda0, lambda, thr float64
	big, huge               bool
	concede                 bool
	offered                 bool // it has made an offer
	scratch                 []int
}

func init() {
	register(Info{Entry: registry.Entry{Name: "cuhkagent",
		Doc:    "ANAC 2012 winner: concedes to the discount factor, not to time (undiscounted it holds out), offering the opponent's favourite values; concedes to the opponent's best offer at the end",
		Source: "Hao & Leung 2012, ABiNeS: an adaptive bilateral negotiating strategy over multiple items (ANAC 2012 winner; Genius CUHKAgent), reimplemented"},
		Role:        RoleParty,
		Random:      true,
		NeedsSorted: true,
		make:        func(map[string]float64) Negotiator { return &CUHKAgent{} }})
}

// Reset implements Negotiator.
func (n *CUHKAgent) Reset(s *Setup) {
	n.resetOpponents(s)
	n.counts.reset(s.Space)
	n.seen.reset(sizeOf(s.Space))
	n.distinct = 0
	n.hist = grow(n.hist, expected(s))
	n.d = discountFactor(s)
	beta := 1.2
	switch {
	case n.d > 0.75:
		beta = 1.8
	case n.d > 0.5:
		beta = 1.5
	}
	n.lambda0 = 0.08 + 0.92*math.Pow(n.d, beta)
	n.lambda = n.lambda0
	n.thr = n.top
	size := s.Index.Size()
	n.big, n.huge = size > 3000, size > 10000
	n.concede, n.offered = false, false
	n.scratch = resizeInts(n.scratch, s.Space.Issues())
}

// Observe implements Negotiator.
func (n *CUHKAgent) Observe(e protocol.Event) {
	b, ok := n.heard(e)
	if !ok {
		return
	}
	n.hist = append(n.hist, b.Outcome)
	if n.seen.add(b.Outcome) {
		n.distinct++
		if n.distinct <= 100 {
			n.s.Space.Decode(b.Outcome, n.scratch)
			n.counts.add(n.scratch)
		}
	}
}

// toughness is the opponent's concession degree: the share of its last
// ten offers that it made only once, squared (with fewer than eleven
// offers, its distinct offers over ten, squared).
func (n *CUHKAgent) toughness() float64 {
	h := n.hist
	if len(h) <= 10 {
		return math.Pow(float64(n.distinct)/10, 2)
	}
	once := 0
	for _, id := range h[len(h)-10:] {
		c := 0
		for _, x := range h {
			if x == id {
				c++
			}
		}
		if c == 1 {
			once++
		}
	}
	return math.Pow(float64(once)/10, 2)
}

// Threshold is its utility threshold now.
func (n *CUHKAgent) Threshold() float64 { return n.thr }

// bidToOffer updates the threshold and returns its regular offer.
func (n *CUHKAgent) bidToOffer(t float64) uint64 {
	top := n.top
	var least float64
	if n.d == 1 && n.big {
		least = top - 0.05*top
		if n.huge && t >= 0.98 {
			least = top - 0.25*top
		}
		n.thr = min(n.thr, least)
	} else {
		if t <= n.lambda {
			floor := top * n.d / math.Pow(n.d, n.lambda)
			n.thr = top - (top-floor)*math.Pow(t/n.lambda, 2)
		} else {
			n.thr = top * n.d / math.Pow(n.d, t)
		}
		least = n.thr
	}
	n.thr, least = max(n.thr, n.rv), max(least, n.rv)
	if len(n.theirs) > 0 && n.best.U >= least {
		return n.best.Outcome
	}
	return n.choose(least, top)
}

// choose returns, among its outcomes worth lo to hi, one whose values the
// opponent offered most often (see the type's comment).
func (n *CUHKAgent) choose(lo, hi float64) uint64 {
	x := n.s.Index
	r := n.s.Rand
	a := x.Position(lo)
	b := x.Position(math.Nextafter(hi, math.Inf(1)))
	if a >= b {
		id, _ := x.Max()
		return id
	}
	m := b - a
	pick := func(k int) int {
		if m >= 200 {
			return a + r.IntN(m)
		}
		return a + k
	}
	tries := min(m, 200)
	best, bp := 0.0, -1
	for k := range tries {
		p := pick(k)
		id, _ := x.At(p)
		n.s.Space.Decode(id, n.scratch)
		sc := n.counts.score(n.scratch)
		if sc > best || (sc == best && bp >= 0 && r.Float64() < 0.5) {
			best, bp = sc, p
		}
	}
	if bp < 0 || r.Float64() >= 0.95 {
		bp = a + r.IntN(m)
	}
	id, _ := x.At(bp)
	return id
}

// acceptable is the original's acceptance test of offer u against its
// planned bid worth bu; it may decide to offer the opponent's best instead.
func (n *CUHKAgent) acceptable(u, bu, t float64) bool {
	n.concede = false
	if u >= n.thr || u >= bu {
		return true
	}
	if len(n.theirs) == 0 {
		return false
	}
	dt := math.Pow(n.d, t)
	cur := n.best.U * dt
	if (cur > n.top*n.d && t > n.lambda) || cur > n.thr*dt {
		if u >= n.best.U-0.01*n.top {
			return true
		}
		n.concede = true
	}
	return false
}

// Act implements Negotiator.
func (n *CUHKAgent) Act(t protocol.Turn) protocol.Action {
	n.sync()
	x := n.s.Index
	top, _ := x.Max()
	if len(n.theirs) == 0 || !n.offered {
		// It opens with its best outcome (and votes for a text only as
		// good as it, or better than the current one).
		a := n.respond(t, t.HasOutcome && n.util(t.Outcome) >= n.top, top)
		n.offered = n.offered || a.Kind == protocol.ActOffer
		return a
	}
	n.lambda = min(n.lambda0+0.1*(1-n.lambda0)*math.Pow(n.toughness(), 10), 1)
	var id uint64
	switch {
	case !lastRounds(n.s, t, 10):
		id = n.bidToOffer(t.T)
	case lastRounds(n.s, t, 5):
		id = n.best.Outcome
		if n.best.U < 0.85*n.top {
			if lastRounds(n.s, t, 2) {
				id = n.best.Outcome
			} else {
				id = n.choose(0.85*n.top, 0.98*n.top)
			}
		}
	default:
		id = n.bidToOffer(t.T)
	}
	id, bu := n.floor(id)
	accept := false
	if t.Phase == protocol.PhaseRespond || t.Phase == protocol.PhaseVote {
		accept = n.acceptable(n.util(t.Outcome), bu, t.T)
	}
	// It walks away when no deal can beat its reservation value.
	if n.rv > 0 && (n.rv >= n.thr || n.rv >= bu || (n.rv*math.Pow(n.d, t.T) > n.top*n.d && t.T > n.lambda)) && !accept {
		return protocol.End
	}
	if n.concede && !accept {
		id, _ = n.floor(n.best.Outcome)
		n.concede = false
	}
	return n.respond(t, accept, id)
}

// OpponentModel implements OpponentModeler: how often the others offered
// each outcome's values (the same for every other seat).
func (n *CUHKAgent) OpponentModel(seat int) func(uint64) float64 {
	if n.s == nil || seat < 0 || seat >= n.s.Parties || seat == n.s.Seat || n.distinct == 0 {
		return nil
	}
	sp, c := n.s.Space, n.counts
	buf := make([]int, sp.Issues())
	return func(id uint64) float64 {
		sp.Decode(id, buf)
		return c.score(buf)
	}
}
