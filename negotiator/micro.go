package negotiator

import (
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// MiCRO is Dave de Jonge's "Monotonic Concession with Reciprocal Offers"
// ("An analysis of the linear bilateral ANAC domains using the MiCRO
// benchmark strategy", IJCAI 2022). It walks its outcomes best first and
// makes a new, lower proposal only when the other parties have made at least
// as many distinct offers as it has (reciprocity), never below its
// reservation value; otherwise it repeats one of its earlier proposals, drawn
// at random from the seeded source. It accepts an offer at least as good as
// the proposal it would make next. With more than two parties the distinct
// offers of all other parties count together. (De Jonge's refinement of
// preferring an equally good outcome the opponent already proposed is
// omitted.) It needs a space small enough to sort.
type MiCRO struct {
	base
	m        int // distinct proposals made: Rank(0..m-1)
	received bitset
	distinct int
}

func init() {
	register(Info{Entry: registry.Entry{Name: "micro", Doc: "concedes one outcome at a time, only as often as the others made new offers", Source: "de Jonge, IJCAI 2022 (MiCRO)"},
		Role:        RoleParty,
		Random:      true,
		NeedsSorted: true,
		make:        func(map[string]float64) Negotiator { return &MiCRO{} }})
}

// Reset implements Negotiator.
func (n *MiCRO) Reset(s *Setup) {
	n.reset(s)
	n.m, n.distinct = 0, 0
	n.received.reset(s.Index.Size())
}

// Observe implements Negotiator.
func (n *MiCRO) Observe(e protocol.Event) {
	if e.Type == protocol.EventOffer && int(e.Seat) != n.s.Seat && n.received.add(e.Outcome) {
		n.distinct++
	}
}

// next returns the proposal MiCRO would make now and whether it is a new one.
func (n *MiCRO) next() (id uint64, u float64, fresh bool) {
	x := n.s.Index
	if n.m == 0 {
		id, u = x.Rank(0)
		return id, u, true
	}
	if n.m <= n.distinct && n.m < x.Len() {
		if id, u = x.Rank(n.m); u >= n.rv {
			return id, u, true
		}
	}
	id, u = x.Rank(n.m - 1)
	return id, u, false
}

// Act implements Negotiator.
func (n *MiCRO) Act(t protocol.Turn) protocol.Action {
	if n.changed() && n.m > n.s.Index.Len() {
		n.m = n.s.Index.Len()
	}
	id, u, fresh := n.next()
	switch t.Phase {
	case protocol.PhaseRespond:
		if v := n.util(t.Outcome); v >= u && v >= n.rv {
			return protocol.Accept
		}
	case protocol.PhaseVote:
		return n.vote(t, u)
	}
	if fresh {
		n.m++
		return protocol.Offer(id)
	}
	id, _ = n.s.Index.Rank(n.s.Rand.IntN(n.m))
	return protocol.Offer(id)
}
