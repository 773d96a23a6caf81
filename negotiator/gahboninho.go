package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// Gahboninho, second at ANAC 2011 (Ben Adar, Sofy and Elimelech,
// "Gahboninho: strategy for balancing pressure and compromise in automated
// negotiation", 2013; Genius's Gahboninho). It opens with its best outcome
// and, for its first 40 offers (while t < 0.15), offers outcomes worth at
// least 1 down to 0.925 "to let the opponent learn" its preferences. Then
// it offers the outcome worth least above a recommended utility
//
//	next(t) = min(1, Max − (Max − Min)·t),  Max = Min·(1 + 6·noise),
//
// where Min is the better of the opponent's best offer and a floor that
// steps down with time (0.9125 until t = 0.85, 0.84 until 0.92, 0.775 until
// 0.94, 0.7 until 0.985, then the opponent's best offer), and noise, which
// starts at 0.4, measures how much the opponent gives: every 20 of its
// offers, noise rises when the opponent's offers grew more like
// Gahboninho's own or when the opponent offered something worse for
// itself than before (it conceded: press it), and falls otherwise (it is
// stubborn: compromise). The recommendation moves by at most 0.0009 down
// (0.001, then up to 0.011 after t = 0.985) and 0.005 up per use. It
// accepts an offer worth at least 0.91–0.95 of the recommendation (0.95 in
// its first 40 offers), and in the last round it offers the opponent's best
// offer. It keeps to outcomes no worse for it, issue by issue, than the
// opponent's first offer.
//
// Deviations: the rate limits apply per 1/1000 of a deadline in rounds
// (the originals per call, in sessions of thousands of rounds), so that a
// 100-round session concedes as far as a 1000-round one; its last phases
// are the last rounds rather than "t > 0.9996"; the opponent's utility of
// its own offers comes from parley's frequency model (the original's model,
// by a bug, is learnt once); its outcome list is the whole sorted space
// (the original enumerates it for a time budget). Its discount-factor
// terms are kept. It never goes below its reservation value. With more
// than two parties it pools the others' offers. It needs a space small
// enough to sort.
type Gahboninho struct {
	opponents
	model FrequencyModels

	noise, prev, rate, cf, accept float64 // in shares of the best utility
	scale                         float64 // rate multiplier for short deadlines
	firstActions                  int
	firstGiven, frenzy            bool
	heardFirst                    bool
	relevant                      []bool // per value: no worse for it than in the opponent's first offer
	voff                          []int
	noiseRate                     float64

	// The noise statistics of the current window of the opponent's offers.
	countdown                 int
	in, out                   valueCounts
	outN                      int
	bestEver, prevBest        float64
	worst, prevWorst, prevSim float64
	prevRoundWorst            float64
	scratch                   []int
}

const gahWindow = 20 // opponent offers per noise update

func init() {
	register(Info{Entry: registry.Entry{Name: "gahboninho",
		Doc:    "ANAC 2011 runner-up: stays near its best, presses an opponent that concedes and compromises with a stubborn one, then offers the opponent's best offer at the end",
		Source: "Ben Adar, Sofy & Elimelech 2013, Gahboninho: strategy for balancing pressure and compromise (ANAC 2011; Genius Gahboninho), reimplemented"},
		Role:        RoleParty,
		NeedsSorted: true,
		make:        func(map[string]float64) Negotiator { return &Gahboninho{} }})
}

// Reset implements Negotiator.
func (n *Gahboninho) Reset(s *Setup) {
	n.resetOpponents(s)
	n.model.LearnRate = 0.2
	n.model.Reset(s)
	n.noise, n.prev, n.rate, n.cf, n.accept = 0.4, 1, 0.0009, 0.95, 1
	n.scale = 1
	if r := s.Deadline.Rounds; r > 0 && r < 1000 {
		n.scale = 1000 / float64(r)
	}
	n.firstActions = 40
	n.firstGiven, n.frenzy, n.heardFirst = false, false, false
	n.in.reset(s.Space)
	n.out.reset(s.Space)
	n.voff = n.in.off
	n.relevant = resizeBools(n.relevant, len(n.in.counts))
	n.outN = 0
	n.countdown = gahWindow
	n.bestEver, n.prevBest = 0, 1
	n.worst, n.prevWorst, n.prevRoundWorst, n.prevSim = 1, 1, 1, 0.2
	n.noiseRate = 0.01
	n.scratch = resizeInts(n.scratch, s.Space.Issues())
}

func resizeBools(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}

// share is u as a share of the best utility.
func (n *Gahboninho) share(u float64) float64 {
	if n.top <= 0 {
		return 0
	}
	return u / n.top
}

// Observe implements Negotiator: the opponent's offers feed its model and
// its noise statistics.
func (n *Gahboninho) Observe(e protocol.Event) {
	b, ok := n.heard(e)
	if !ok || b.Seat >= n.s.Parties {
		return
	}
	n.model.Update(b.Seat, b.Outcome, b.T)
	n.s.Space.Decode(b.Outcome, n.scratch)
	if !n.heardFirst {
		n.heardFirst = true
		n.learn(n.scratch)
		return
	}
	n.process(b, n.scratch)
}

// learn marks, after the opponent's first offer o, the values no worse for
// it than o's, and sets the rate at which noise moves from how many
// outcomes they make.
func (n *Gahboninho) learn(o []int) {
	u := n.s.Utility
	eff := 1.0
	for i, v := range o {
		k := 0
		for x := range n.s.Space.Card(i) {
			ok := u == nil || u.Table[i][x] >= u.Table[i][v]
			n.relevant[n.voff[i]+x] = ok
			if ok {
				k++
			}
		}
		eff *= float64(k)
	}
	n.noiseRate = min(max(0.01*eff/400, 0.003), 0.015)
}

// process updates the noise statistics with the opponent's offer b.
func (n *Gahboninho) process(b Bid, o []int) {
	if n.countdown > 0 {
		n.bestEver = max(n.bestEver, n.share(b.U))
		own := n.model.Estimate(b.Seat, b.Outcome, o)
		n.prevRoundWorst = max(n.prevRoundWorst, own)
		n.worst = min(n.worst, own)
		n.countdown--
		n.in.add(o)
		return
	}
	// The similarity of the opponent's recent offers to its own.
	sim := 0.0
	k := float64(len(o))
	for i := range o {
		c := float64(n.s.Space.Card(i))
		for x := n.voff[i]; x < n.voff[i+1]; x++ {
			if n.out.counts[x] > 0 && n.in.counts[x] > 0 {
				d := n.out.counts[x]/float64(max(n.outN, 1)) - n.in.counts[x]/gahWindow
				sim += (1 / k) * (1 / c) * (1 - d*d)
			}
		}
	}
	switch {
	case sim > n.prevSim:
		n.noise += 0.05
	case n.bestEver < n.prevBest || n.worst < n.prevWorst:
		n.noise += n.noiseRate
	default:
		n.noise -= n.noiseRate
		if n.prevRoundWorst > n.worst*1.2 {
			n.noise -= n.noiseRate
		}
		if sim*1.1 < n.prevSim {
			n.noise -= n.noiseRate
		}
	}
	n.noise = min(max(n.noise, 0), 1)
	n.prevSim, n.countdown, n.prevBest = sim, gahWindow, n.bestEver
	n.prevRoundWorst, n.prevWorst = 1, n.worst
	clear(n.in.counts)
}

// Noise is its current estimate of how much the opponent gives, in [0, 1].
func (n *Gahboninho) Noise() float64 { return n.noise }

// recommend is the utility (share of its best) it recommends offering now.
func (n *Gahboninho) recommend(t protocol.Turn) float64 {
	if !n.firstGiven {
		n.firstGiven = true
		return 1
	}
	d := discountFactor(n.s)
	tt := t.T
	lo := math.Pow(d, 2*tt)
	hi := lo * (1 + 6*n.noise*math.Pow(d, 5))
	best := n.bestEver
	switch {
	case tt < 0.85*d:
		lo *= max(best, 0.9125)
	case tt <= 0.92*d:
		n.cf = 0.94
		lo *= max(best, 0.84)
		hi /= lo
	case tt <= 0.94*d:
		n.cf = 0.93
		lo *= max(best, 0.775)
		hi /= lo
	case tt <= 0.985*lo && !lastRounds(n.s, t, 2):
		n.cf, n.rate = 0.91, 0.001
		lo *= max(best, 0.7)
		hi /= lo
	case !lastRounds(n.s, t, 1):
		n.rate = 0.001 + 0.01*max(tt-0.985, 0)/0.015
		if best < 3.0/8 {
			lo *= 3.5 / 8
			n.cf = 0.8
		} else {
			lo *= best
			n.cf = 0.95
		}
		hi /= lo
	default:
		n.cf = 0.92
		if best < 0.25 {
			lo, hi = 0.25, 1
		} else {
			lo, hi = best, best
			n.frenzy = true
		}
		n.rate = 1
	}
	lo = max(lo, n.share(n.rv))
	hi = max(hi, lo)
	next := min(1, hi-(hi-lo)*tt)
	if down := n.rate * n.scale; next+down < n.prev {
		next = n.prev - down
	} else if up := 0.005 * n.scale; next-up > n.prev {
		next = n.prev + up
	}
	n.prev = next
	return next
}

// atLeast is the outcome worth least at or above share u of its best
// among those no worse for it, issue by issue, than the opponent's first
// offer (or the opponent's best offer), searching at most 2048 outcomes
// before taking the plain AtLeast.
func (n *Gahboninho) atLeast(u float64) uint64 {
	x := n.s.Index
	target := max(u*n.top, n.rv)
	id, _, ok := x.AtLeast(target, n.buf)
	if !ok || !n.heardFirst {
		return id
	}
	lo := x.Position(target)
	for p := lo; p < x.Len() && p < lo+2048; p++ {
		cid, _ := x.At(p)
		if len(n.theirs) > 0 && cid == n.best.Outcome {
			return cid
		}
		n.s.Space.Decode(cid, n.buf)
		ok := true
		for i, v := range n.buf {
			if !n.relevant[n.voff[i]+v] {
				ok = false
				break
			}
		}
		if ok {
			return cid
		}
	}
	return id
}

// Act implements Negotiator.
func (n *Gahboninho) Act(t protocol.Turn) protocol.Action {
	n.sync()
	if len(n.theirs) > 0 {
		n.accept = n.cf * n.recommend(t)
	}
	var id uint64
	switch {
	case len(n.theirs) < 2:
		id, _ = n.s.Index.Max()
	case n.firstActions >= 0 && t.T < 0.15:
		id = n.atLeast(0.925 + (1-0.925)/40*float64(n.firstActions))
		n.firstActions--
	default:
		id = n.atLeast(n.recommend(t))
		if n.frenzy {
			id = n.best.Outcome
		}
	}
	id, _ = n.floor(id)
	accept := false
	if t.Phase == protocol.PhaseRespond || t.Phase == protocol.PhaseVote {
		u := n.share(n.util(t.Outcome))
		accept = (n.firstActions > 0 && u > 0.95) || u >= n.accept
	}
	a := n.respond(t, accept, id)
	if a.Kind == protocol.ActOffer {
		n.s.Space.Decode(id, n.scratch)
		n.out.add(n.scratch)
		n.outN++
	}
	return a
}

// OpponentModel implements OpponentModeler: its frequency model of seat.
func (n *Gahboninho) OpponentModel(seat int) func(uint64) float64 {
	return modelOf(&n.model, n.s, seat)
}
