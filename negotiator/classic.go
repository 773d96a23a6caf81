package negotiator

import (
	"math"
	"slices"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
)

// What the classic ANAC agents (agentk.go, hardheaded.go, gahboninho.go,
// cuhkagent.go, nicetitfortat.go, atlas3.go, agentgg.go) share. They were
// written for Genius, whose utilities run from 0 to 1 with a best outcome
// worth 1; parley's agents read every absolute utility of the originals
// (HardHeaded's 0.585, Gahboninho's 0.9125, …) as that share of their best
// utility, which is the same thing on Genius's profiles. They ran under a
// time deadline of thousands of rounds; where an original acts "in the
// last moments" (t > 0.9996, say), parley's acts in the last rounds of a
// deadline in rounds. Written for two parties, they play multilateral
// sessions by taking every other party's offers as the one opponent's, and
// answer votes (AMOP, mediated) with their acceptance rule.

// resizeInts returns s with length n, reusing its storage.
func resizeInts(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

// resizeFloats returns s with length n, reusing its storage.
func resizeFloats(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// grow returns s emptied, with room for n elements, reusing its storage:
// sized in Reset from the deadline, a record kept over a session then
// appends without allocating.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

// expected is the number of offers a seat may hear in a session: one per
// other party per round of a deadline in rounds (0 without one).
func expected(s *Setup) int {
	if s.Deadline.Rounds <= 0 {
		return 0
	}
	return s.Deadline.Rounds * max(s.Parties, 1)
}

// sizeOf is the number of outcomes of sp, or the largest uint64 when it
// does not fit.
func sizeOf(sp outcome.Space) uint64 {
	n, ok := sp.Size()
	if !ok {
		return math.MaxUint64
	}
	return n
}

// seenLimit is the largest space whose seen outcomes a seenSet keeps in a
// bitset (512 KiB); beyond it, in a list.
const seenLimit = 1 << 22

// seenSet is a reusable set of outcomes: a bitset on small spaces, a list
// (as long as the offers seen) on large ones.
type seenSet struct {
	bits bitset
	list []uint64
	big  bool
}

func (s *seenSet) reset(size uint64) {
	s.big = size > seenLimit
	if s.big {
		s.list = s.list[:0]
	} else {
		s.bits.reset(size)
	}
}

// add inserts id and reports whether it was new.
func (s *seenSet) add(id uint64) bool {
	if !s.big {
		return s.bits.add(id)
	}
	if slices.Contains(s.list, id) {
		return false
	}
	s.list = append(s.list, id)
	return true
}

// valueCounts counts how often each value of each issue appeared in a
// party's offers: the opponent statistics of CUHKAgent, AgentGG and Atlas3.
type valueCounts struct {
	off    []int
	counts []float64
}

func (v *valueCounts) reset(sp outcome.Space) {
	k := sp.Issues()
	v.off = resizeInts(v.off, k+1)
	n := 0
	for i := range k {
		v.off[i] = n
		n += sp.Card(i)
	}
	v.off[k] = n
	v.counts = resizeFloats(v.counts, n)
	clear(v.counts)
}

// add counts the values of outcome o (one value per issue).
func (v *valueCounts) add(o []int) {
	for i, x := range o {
		v.counts[v.off[i]+x]++
	}
}

// score is the sum of the counts of o's values.
func (v *valueCounts) score(o []int) float64 {
	s := 0.0
	for i, x := range o {
		s += v.counts[v.off[i]+x]
	}
	return s
}

// mode is issue i's most counted value (the first among ties), or -1 when
// none was counted.
func (v *valueCounts) mode(i int) int {
	best, bv := 0.0, -1
	for x, c := range v.counts[v.off[i]:v.off[i+1]] {
		if c > best {
			best, bv = c, x
		}
	}
	return bv
}

// lastRounds reports whether fewer than n rounds are left after this turn's:
// with a deadline in rounds, by counting; with one in time alone, by the
// time one round has taken so far.
func lastRounds(s *Setup, t protocol.Turn, n int) bool {
	if s.Deadline.Rounds > 0 {
		return s.Deadline.Rounds-t.Round < n
	}
	if t.Round <= 0 || t.T <= 0 {
		return false
	}
	perRound := t.T / float64(t.Round)
	return (1-t.T)/perRound < float64(n)
}

// discountFactor is the seat's time discount d (1 when it does not
// discount), which several agents read to decide how fast to concede.
func discountFactor(s *Setup) float64 {
	if s.Utility == nil || s.Utility.Discount <= 0 || s.Utility.Discount >= 1 {
		return 1
	}
	return s.Utility.Discount
}

// opponents is the base of the classic agents: its setup, the best
// utility (the "1" of the originals), the reservation value, and the
// other parties' offers in order with their utility to it.
type opponents struct {
	base
	top    float64 // best utility
	theirs []Bid   // the other parties' offers, oldest first
	best   Bid     // the best of theirs for this seat
}

func (o *opponents) resetOpponents(s *Setup) {
	o.reset(s)
	_, o.top = s.Index.Max()
	o.theirs = grow(o.theirs, expected(s))
	o.best = Bid{}
}

// heard records an offer event of another party and returns it, with ok
// false for any other event.
func (o *opponents) heard(e protocol.Event) (b Bid, ok bool) {
	if e.Type != protocol.EventOffer || int(e.Seat) == o.s.Seat {
		return Bid{}, false
	}
	b = Bid{Seat: int(e.Seat), Outcome: e.Outcome, U: o.util(e.Outcome), T: e.T}
	if len(o.theirs) == 0 || b.U > o.best.U {
		o.best = b
	}
	o.theirs = append(o.theirs, b)
	return b, true
}

// sync takes a changed setup (see base.changed): the best utility and the
// utilities of the offers heard.
func (o *opponents) sync() bool {
	if !o.changed() {
		return false
	}
	_, o.top = o.s.Index.Max()
	for i := range o.theirs {
		b := &o.theirs[i]
		b.U = o.util(b.Outcome)
		if i == 0 || b.U > o.best.U {
			o.best = *b
		}
	}
	return true
}

// respond answers a respond or vote turn given whether the agent accepts
// the offer on the table (never below the reservation value), and
// otherwise offers id.
func (o *opponents) respond(t protocol.Turn, accept bool, id uint64) protocol.Action {
	switch t.Phase {
	case protocol.PhaseRespond:
		if accept && o.util(t.Outcome) >= o.rv {
			return protocol.Accept
		}
	case protocol.PhaseVote:
		u := o.util(t.Outcome)
		if u >= o.rv && (accept || (t.HasReference && u >= o.util(t.Reference))) {
			return protocol.Accept
		}
		return protocol.Reject
	}
	return protocol.Offer(id)
}

// floor returns id and its utility, or the best outcome when id is worth
// less than the reservation value.
func (o *opponents) floor(id uint64) (uint64, float64) {
	if u := o.util(id); u >= o.rv {
		return id, u
	}
	return o.s.Index.Max()
}
