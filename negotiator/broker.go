package negotiator

import (
	"github.com/parleyhq/parley/registry"

	"math"

	"github.com/parleyhq/parley/protocol"
)

// Broker is a mediator with interests of its own (the United States
// brokering between Russia and Ukraine): it proposes texts that score best
// on a mix of its own utility and the chance that every party accepts them,
//
//	score(o) = W·u_med(o) + (1 − W)·â(o)/max â,  â(o) = min_k â_k(o),
//
// (acceptance relative to the best-accepted candidate, so that it weighs
// as much as the mediator's own utility however sceptical the parties are)
// among candidates whose utility to the mediator is at least its target,
// which concedes in time from its best utility to its reservation value as
// TimeDependent's does (exponent E). â_k is learnt from party k's votes
// only, the way the mediator learns in its meetings what each side accepts:
// for each issue value, the recency-weighted share of texts with that value
// that k accepted (older votes count 0.7 times less at each new vote of k,
// as parties concede; Laplace-smoothed, 1/2 with no vote), multiplied over
// issues, so that a value a party always rejects (its red line) sinks
// every text that has it. The
// candidates are the Scan outcomes just above the target in the mediator's
// sorted index (or Scan random outcomes when the space is too large to sort,
// or when the mediator has no utility function, in which case u_med is 0).
//
// In the shuttle protocol it carries the same text from meeting to meeting
// while the parties accept it, and brings a new one after a rejection; the
// texts rejected most recently are not proposed again until the candidates
// run out (the last round's worth of rejected texts). In the mediated
// protocol it proposes a fresh text every round.
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
	accepted bool      // the latest vote on cur was an accept
	cands    []uint64  // candidates of the proposal being chosen
	cu, ca   []float64 // their utility to the mediator and acceptance
	tabu     []uint64  // the texts rejected in the last Parties votes
	ntabu    int
	tabuNext int
}

// brokerDecay is the weight of a party's earlier votes at each new vote.
const brokerDecay = 0.7

func init() {
	register(Info{Entry: registry.Entry{Name: "broker", Params: []registry.Param{{Name: "e", Default: 1, Doc: "concession exponent of its own target"}, {Name: "w", Default: 0.5, Doc: "weight of its own utility against the parties' acceptance"}, {Name: "scan", Default: 256, Doc: "candidate texts examined per proposal"}}, Doc: "mediator with interests: proposes texts mixing its own utility with the acceptance it learnt from each party's votes", Source: "parley; acceptance learnt per issue value from votes, concession as Faratin et al. 1998"},
		Role:   RoleMediator,
		Random: true,
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
	if cap(b.cands) < 2*b.Scan {
		b.cands, b.cu, b.ca = make([]uint64, 0, 2*b.Scan), make([]float64, 0, 2*b.Scan), make([]float64, 0, 2*b.Scan)
	}
	if cap(b.tabu) < s.Parties {
		b.tabu = make([]uint64, s.Parties)
	}
	b.tabu = b.tabu[:max(1, s.Parties)]
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
	for j := row; j < row+b.total; j++ {
		b.yes[j] *= brokerDecay
		b.see[j] *= brokerDecay
	}
	for i, v := range b.buf {
		b.see[row+b.off[i]+v]++
		if e.Accept {
			b.yes[row+b.off[i]+v]++
		}
	}
	if b.has && e.Outcome == b.cur {
		b.accepted = e.Accept
	}
	b.tabu[b.tabuNext] = e.Outcome
	if e.Accept {
		b.tabu[b.tabuNext] = ^uint64(0)
	}
	b.tabuNext = (b.tabuNext + 1) % len(b.tabu)
	b.ntabu = min(b.ntabu+1, len(b.tabu))
}

// acceptance is the estimated chance that the least willing party accepts
// the outcome in b.buf.
func (b *Broker) acceptance() float64 {
	worst := 1.0
	for k := range b.s.Parties {
		row := k * b.total
		a := 1.0
		for i, v := range b.buf {
			j := row + b.off[i] + v
			a *= (b.yes[j] + 1) / (b.see[j] + 2)
		}
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

// choose returns the best-scoring candidate at time t.
func (b *Broker) choose(t float64) uint64 {
	x := b.s.Index
	for pass := range 2 {
		tabuOK := pass == 1
		b.cands, b.cu, b.ca = b.cands[:0], b.cu[:0], b.ca[:0]
		add := func(id uint64, u float64) {
			if !tabuOK && b.isTabu(id) {
				return
			}
			b.s.Space.Decode(id, b.buf)
			b.cands, b.cu, b.ca = append(b.cands, id), append(b.cu, u), append(b.ca, b.acceptance())
		}
		switch {
		case x != nil && x.Sorted():
			f := 0.0
			if b.E > 0 {
				f = math.Pow(t, 1/b.E)
			}
			tg := b.pmin + (b.pmax-b.pmin)*(1-f)
			lo := min(x.Position(tg), x.Len()-1)
			for p := lo; p < x.Len() && p < lo+b.Scan; p++ {
				add(x.At(p))
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
				add(id, u)
			}
		}
		if len(b.cands) > 0 {
			break
		}
	}
	if len(b.cands) == 0 {
		if x != nil {
			id, _ := x.Max()
			return id
		}
		return 0
	}
	top := 0.0
	for _, a := range b.ca {
		top = max(top, a)
	}
	best, bestID := math.Inf(-1), b.cands[0]
	for k, id := range b.cands {
		sc := b.W * b.cu[k]
		if top > 0 {
			sc += (1 - b.W) * b.ca[k] / top
		}
		if sc > best {
			best, bestID = sc, id
		}
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
