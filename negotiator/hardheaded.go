package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// HardHeaded, the winner of ANAC 2011 (van Krimpen, Looije and Hajizadeh,
// "HardHeaded", in Complex Automated Negotiations, 2013; Genius's KLH). Its
// floor falls on a very late curve,
//
//	p(t) = MIN + (1 − Fa(t))·(1 − MIN),  Fa(t) = Ka + (1 − Ka)·t^(1/e),
//
// with Ka = 0.05, e = 0.05 and MIN = 0.585 (with a discount factor d < 0.9
// it concedes faster, to a floor of MIN + (1 − MIN)·d until t = d, then on
// to MIN), and it walks down its outcomes sorted by utility one at a time:
// each turn it takes the outcome just below its last offer, with those
// within 0.01 below it, and offers them in turn (the five its frequency
// model rates best for the opponent when there are more than four). Below
// the floor, it repeats one of its earlier offers at random instead. If
// the opponent ever offered something better for it than what it is about
// to offer, it offers that. It accepts an offer worth more than the least it
// has offered, or at least as much as what it would offer next.
//
// Deviations: MIN is the higher of 0.585 and its reservation value (the
// original leaves MIN at 0.585 through a quirk of its initialisation, and
// may offer below a higher reservation value); ties in utility are
// separate outcomes of its sorted list (the original's list, keyed by
// utility, keeps one outcome per utility); parley's frequency model
// (FrequencyModel) stands for HardHeaded's learner, which differs in how it
// scales the weight it adds. In a multilateral session it pools the others'
// offers and sums their frequency models. It needs a space small enough to
// sort. Its cluster holds at most 64 outcomes.
type HardHeaded struct {
	opponents
	Ka, E, Min float64

	model    FrequencyModels
	mine     []int  // sorted positions of its own offers
	queue    [6]int // positions to offer next, queue[qh:qn]
	qh, qn   int
	lowest   float64 // the least utility it offered
	started  bool
	scratchP [64]int // the cluster below its last offer, at most 64
	scratchU [64]float64
}

func init() {
	register(Info{Entry: registry.Entry{Name: "hardheaded",
		Doc:    "ANAC 2011 winner: walks down its sorted outcomes one at a time above a very late concession floor, picking among close ones by a frequency model",
		Source: "van Krimpen, Looije & Hajizadeh 2013, HardHeaded (ANAC 2011 winner; Genius KLH), reimplemented"},
		Role:        RoleParty,
		Random:      true,
		NeedsSorted: true,
		make:        func(map[string]float64) Negotiator { return &HardHeaded{Ka: 0.05, E: 0.05, Min: 0.585} }})
}

// Reset implements Negotiator.
func (n *HardHeaded) Reset(s *Setup) {
	n.resetOpponents(s)
	n.model.LearnRate = 0.2
	n.model.Reset(s)
	n.mine = grow(n.mine, expected(s))
	n.qh, n.qn = 0, 0
	n.lowest = n.top
	n.started = false
}

// Observe implements Negotiator.
func (n *HardHeaded) Observe(e protocol.Event) {
	if b, ok := n.heard(e); ok && b.Seat < n.s.Parties {
		n.model.Update(b.Seat, b.Outcome, b.T)
	}
}

// Floor is p(t), the least utility it offers at time t by its curve.
func (n *HardHeaded) Floor(t float64) float64 {
	maxU := n.top
	minU := min(max(n.Min*n.top, n.rv), maxU)
	d := discountFactor(n.s)
	if d >= 0.9 {
		fa := n.Ka + (1-n.Ka)*math.Pow(t/d, 1/n.E)
		return minU + (1-fa)*(maxU-minU)
	}
	if t <= d {
		fa := n.Ka + (1-n.Ka)*math.Pow(t/d, d/n.E)
		lo := minU + math.Abs(maxU-minU)*d
		return lo + (1-fa)*(maxU-lo)
	}
	fa := n.Ka + (1-n.Ka)*math.Pow((t-d)/(1-d), 1.0/30)
	hi := minU + math.Abs(maxU-minU)*d
	return minU + (1-fa)*(hi-minU)
}

// positionOf is the sorted position of outcome id, worth u.
func (n *HardHeaded) positionOf(id uint64, u float64) int {
	x := n.s.Index
	p := x.Position(u)
	for q := p; q < x.Len(); q++ {
		qid, qu := x.At(q)
		if qu != u {
			break
		}
		if qid == id {
			return q
		}
	}
	return p
}

// fill queues the next offers.
func (n *HardHeaded) fill(t float64) {
	x := n.s.Index
	n.qh, n.qn = 0, 0
	if !n.started {
		n.started = true
		n.queue[0], n.qn = x.Len()-1, 1
		return
	}
	p := n.Floor(t)
	last := n.mine[len(n.mine)-1]
	next := max(last-1, 0)
	_, firstU := x.At(next)
	if firstU < p {
		n.queue[0], n.qn = n.mine[n.s.Rand.IntN(len(n.mine))], 1
	} else {
		// The cluster within 0.01 below, worth at least the floor, best
		// for itself last (the original's ascending map).
		k := 0
		n.scratchP[k] = next
		k++
		for a := next - 1; a >= 0 && k < len(n.scratchP); a-- {
			_, au := x.At(a)
			if firstU-au >= 0.01*n.top || au < p {
				break
			}
			n.scratchP[k] = a
			k++
		}
		if k <= 4 {
			for i := k - 1; i >= 0; i-- {
				n.queue[n.qn] = n.scratchP[i]
				n.qn++
			}
		} else {
			// The five the model rates best for the opponent, best first
			// (the original starts from its own best and replaces it only
			// by strictly better estimates).
			for i := range k {
				id, _ := x.At(n.scratchP[i])
				n.scratchU[i] = n.estimate(id)
			}
			for range 5 {
				bi := -1
				for i := range k {
					if n.scratchP[i] < 0 {
						continue
					}
					if bi < 0 || n.scratchU[i] > n.scratchU[bi] || (n.scratchU[i] == n.scratchU[bi] && n.scratchP[i] > n.scratchP[bi]) {
						bi = i
					}
				}
				n.queue[n.qn] = n.scratchP[bi]
				n.qn++
				n.scratchP[bi] = -1
			}
		}
	}
	// The opponent's best offer beats the planned one: offer it first.
	if len(n.theirs) > 0 {
		if _, hu := x.At(n.queue[0]); hu < n.best.U && n.qn < len(n.queue) {
			copy(n.queue[1:n.qn+1], n.queue[:n.qn])
			n.queue[0] = n.positionOf(n.best.Outcome, n.best.U)
			n.qn++
		}
	}
}

// estimate is the frequency models' summed estimate of the others'
// utility of id.
func (n *HardHeaded) estimate(id uint64) float64 {
	n.s.Space.Decode(id, n.buf)
	e := 0.0
	for s := range n.s.Parties {
		if n.model.Knows(s) {
			e += n.model.Estimate(s, id, n.buf)
		}
	}
	return e
}

// Act implements Negotiator.
func (n *HardHeaded) Act(t protocol.Turn) protocol.Action {
	n.sync()
	x := n.s.Index
	if n.qh >= n.qn {
		n.fill(t.T)
	}
	_, headU := x.At(n.queue[n.qh])
	if t.Phase == protocol.PhaseRespond || t.Phase == protocol.PhaseVote {
		u := n.util(t.Outcome)
		accept := u > n.lowest || headU <= u
		if t.Phase == protocol.PhaseVote || (accept && u >= n.rv) {
			return n.respond(t, accept, 0)
		}
	}
	p := n.queue[n.qh]
	n.qh++
	n.mine = append(n.mine, p)
	id, u := x.At(p)
	if u < n.rv {
		id, u = x.Max()
	}
	n.lowest = min(n.lowest, u)
	return protocol.Offer(id)
}

// OpponentModel implements OpponentModeler: its frequency model of seat.
func (n *HardHeaded) OpponentModel(seat int) func(uint64) float64 {
	return modelOf(&n.model, n.s, seat)
}

// modelOf exposes seat's estimate in a BOA model as an OpponentModeler's
// function (nil before the model knows seat).
func modelOf(m Model, s *Setup, seat int) func(uint64) float64 {
	if s == nil || seat < 0 || seat >= s.Parties || seat == s.Seat || !m.Knows(seat) {
		return nil
	}
	buf := make([]int, s.Space.Issues())
	return func(id uint64) float64 {
		s.Space.Decode(id, buf)
		return m.Estimate(seat, id, buf)
	}
}
