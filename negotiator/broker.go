package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
)

// Broker is a mediator with interests of its own (the United States
// brokering between Russia and Ukraine): it proposes texts that score best
// on a mix of its own utility and the chance that every party accepts them,
//
//	score(o) = W·u_med(o) + (1 − W)·min_k â_k(o),
//
// among candidates whose utility to the mediator is at least its target,
// which concedes in time from its best utility to its reservation value as
// TimeDependent's does (exponent E). â_k is learnt from party k's votes
// only, the way the mediator learns in its meetings what each side accepts:
// for each issue value, the share of texts with that value that k accepted
// (Laplace-smoothed, 1/2 with no vote), averaged over issues. The
// candidates are the Scan outcomes just above the target in the mediator's
// sorted index (or Scan random outcomes when the space is too large to sort,
// or when the mediator has no utility function, in which case u_med is 0).
//
// In the shuttle protocol it carries the same text from meeting to meeting
// while the parties accept it, and brings a new one after a rejection; the
// texts rejected most recently are not proposed again until the candidates
// run out. In the mediated protocol it proposes a fresh text every round.
type Broker struct {
	E, W float64
	Scan int

	s          *Setup
	buf        []int
	version    uint64
	pmin, pmax float64

	off      []int
	yes, see []float64 // [party*total + off[i] + v]
	total    int

	cur      uint64
	has      bool
	accepted bool // the latest vote on cur was an accept
	tabu     [64]uint64
	ntabu    int
	tabuNext int
}

func init() {
	register(Info{Name: "broker", Role: RoleMediator,
		Params: []Param{{"e", 1, "concession exponent of its own target"}, {"w", 0.5, "weight of its own utility against the parties' acceptance"}, {"scan", 256, "candidate texts examined per proposal"}},
		Doc:    "mediator with interests: proposes texts mixing its own utility with the acceptance it learnt from each party's votes",
		Source: "parley; acceptance learnt per issue value from votes, concession as Faratin et al. 1998",
		make: func(p map[string]float64) Negotiator {
			return &Broker{E: p["e"], W: p["w"], Scan: max(1, int(p["scan"]))}
		}})
}

// Reset implements Negotiator.
func (b *Broker) Reset(s *Setup) {
	b.s, b.version = s, s.Version
	k := s.Space.Issues()
	if cap(b.buf) < k {
		b.buf, b.off = make([]int, k), make([]int, k)
	}
	b.buf, b.off = b.buf[:k], b.off[:k]
	b.total = 0
	for i := range k {
		b.off[i] = b.total
		b.total += s.Space.Card(i)
	}
	n := s.Parties * b.total
	if cap(b.yes) < n {
		b.yes, b.see = make([]float64, n), make([]float64, n)
	}
	b.yes, b.see = b.yes[:n], b.see[:n]
	clear(b.yes)
	clear(b.see)
	b.has, b.accepted, b.ntabu, b.tabuNext = false, false, 0, 0
	b.bounds()
}

func (b *Broker) bounds() {
	if b.s.Index == nil {
		return
	}
	_, b.pmax = b.s.Index.Max()
	_, b.pmin = b.s.Index.Min()
	b.pmin = math.Max(b.pmin, floorRV(b.s.CurrentReservation()))
	if b.pmin > b.pmax {
		b.pmin = b.pmax
	}
}

// Observe implements Negotiator.
func (b *Broker) Observe(e protocol.Event) {
	if e.Type != protocol.EventVote || int(e.Seat) >= b.s.Parties || e.Seat < 0 {
		return
	}
	b.s.Space.Decode(e.Outcome, b.buf)
	row := int(e.Seat) * b.total
	for i, v := range b.buf {
		b.see[row+b.off[i]+v]++
		if e.Accept {
			b.yes[row+b.off[i]+v]++
		}
	}
	if b.has && e.Outcome == b.cur {
		b.accepted = e.Accept
	}
	if !e.Accept {
		b.tabu[b.tabuNext] = e.Outcome
		b.tabuNext = (b.tabuNext + 1) % len(b.tabu)
		b.ntabu = min(b.ntabu+1, len(b.tabu))
	}
}

// acceptance is the estimated chance that the least willing party accepts
// the outcome in b.buf.
func (b *Broker) acceptance() float64 {
	worst := 1.0
	for k := range b.s.Parties {
		row := k * b.total
		a := 0.0
		for i, v := range b.buf {
			j := row + b.off[i] + v
			a += (b.yes[j] + 1) / (b.see[j] + 2)
		}
		a /= float64(len(b.buf))
		worst = min(worst, a)
	}
	return worst
}

func (b *Broker) isTabu(id uint64) bool {
	for _, x := range b.tabu[:b.ntabu] {
		if x == id {
			return true
		}
	}
	return false
}

func (b *Broker) score(id uint64, u float64) float64 {
	b.s.Space.Decode(id, b.buf)
	return b.W*u + (1-b.W)*b.acceptance()
}

// choose returns the best-scoring candidate at time t.
func (b *Broker) choose(t float64) uint64 {
	best, bestID, found := math.Inf(-1), uint64(0), false
	consider := func(id uint64, u float64, tabuOK bool) {
		if !tabuOK && b.isTabu(id) {
			return
		}
		if sc := b.score(id, u); sc > best {
			best, bestID, found = sc, id, true
		}
	}
	x := b.s.Index
	for pass := range 2 {
		tabuOK := pass == 1
		switch {
		case x != nil && x.Sorted():
			f := 0.0
			if b.E > 0 {
				f = math.Pow(t, 1/b.E)
			}
			tg := b.pmin + (b.pmax-b.pmin)*(1-f)
			lo := min(x.Position(tg), x.Len()-1)
			for p := lo; p < x.Len() && p < lo+b.Scan; p++ {
				id, u := x.At(p)
				consider(id, u, tabuOK)
			}
		default:
			size, _ := b.s.Space.Size()
			for range b.Scan {
				id := b.s.Rand.Uint64N(size)
				u := 0.0
				if x != nil {
					if u = x.Utility(id, b.buf); u < b.pmin {
						continue
					}
				}
				consider(id, u, tabuOK)
			}
		}
		if found {
			break
		}
	}
	if !found && x != nil {
		bestID, _ = x.Max()
	}
	return bestID
}

// Act implements Negotiator.
func (b *Broker) Act(t protocol.Turn) protocol.Action {
	if b.s.Version != b.version {
		b.version = b.s.Version
		b.bounds()
	}
	if t.Phase != protocol.PhasePropose {
		return protocol.Reject
	}
	if t.Bilateral && b.has && b.accepted {
		return protocol.Offer(b.cur)
	}
	b.cur, b.has, b.accepted = b.choose(t.T), true, false
	return protocol.Offer(b.cur)
}
