package negotiator

import (
	"math"
	"slices"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// NashSeeker is a baseline of the Automated Negotiation League 2024 (ANL's
// anl2024 package, NashSeeker): it knows the other parties' utility
// functions (the league makes them public) but not their reservation
// values, which it assumes to be OpponentRV. At the start of a session it
// finds the Pareto frontier of the outcomes rational for everyone under
// that assumption and the Nash bargaining point on it (NegMAS's
// definitions, as in scenario/negmas: the product of gains over each
// party's reserved value, or its lowest utility where that is higher);
// it then accepts any offer worth at least Factor times its own utility
// at the Nash point, and offers, at random from the seeded source, the
// frontier outcomes worth at least that much to it. Without a Nash point
// its bar is halfway between its reservation value and its best utility.
// Unlike ANL's, it never accepts or offers below its own reservation
// value (parley's rule for every built-in strategy). It needs a space
// small enough to sort.
type NashSeeker struct {
	base
	OpponentRV, Factor float64

	key    planKey
	bar    float64  // the least own utility it accepts
	offers []uint64 // frontier outcomes worth at least bar
	pts    []float64
	ids    []uint64
}

// planKey identifies what a plan was computed from, so that sessions on
// the same preferences share it.
type planKey struct {
	own   *Index
	other *Index
	rv    float64
}

func init() {
	register(Info{Entry: registry.Entry{Name: "nashseeker",
		Doc:    "knows the others' utility functions (ANL); offers frontier outcomes near the Nash point and accepts a set share of it",
		Source: "ANL 2024 baseline NashSeeker (NegMAS anl package), reimplemented",
		Params: []registry.Param{{Name: "opponent_rv", Default: 0.25, Doc: "reservation value assumed for the others"}, {Name: "factor", Default: 0.9, Doc: "share of its Nash utility it accepts"}}},
		Role:        RoleParty,
		Random:      true,
		NeedsSorted: true,
		Public:      true,
		make: func(p map[string]float64) Negotiator {
			return &NashSeeker{OpponentRV: p["opponent_rv"], Factor: p["factor"]}
		}})
}

// Reset implements Negotiator.
func (n *NashSeeker) Reset(s *Setup) {
	n.reset(s)
	n.plan()
}

func (n *NashSeeker) plan() {
	s := n.s
	k := planKey{own: s.Index, rv: n.rv}
	for _, x := range s.Others {
		if x != nil {
			k.other = x
			break
		}
	}
	if k == n.key && n.key.own != nil {
		return
	}
	n.key = k
	// Every party's utility of every outcome, own first; each party's
	// reserved value (the others' assumed) and lowest utility.
	x := s.Index
	n.pts, n.ids = n.pts[:0], n.ids[:0]
	_, mn := x.Min()
	_, mx := x.Max()
	rv, lo := []float64{n.rv}, []float64{mn}
	var others []*Index
	for _, o := range s.Others {
		if o != nil {
			others = append(others, o)
			_, omn := o.Min()
			rv, lo = append(rv, n.OpponentRV), append(lo, omn)
		}
	}
	np := 1 + len(others)
	for i := range x.Len() {
		id, u := x.At(i)
		if u < rv[0] {
			continue
		}
		ok := true
		start := len(n.pts)
		n.pts = append(n.pts, u)
		for j, o := range others {
			v := o.Utility(id, n.buf)
			if v < rv[j+1] {
				ok = false
				break
			}
			n.pts = append(n.pts, v)
		}
		if !ok {
			n.pts = n.pts[:start]
			continue
		}
		n.ids = append(n.ids, id)
	}
	front := paretoFront(n.pts, n.ids, np)
	// NegMAS's nash_points: gains over the reserved value where it is at
	// least the party's minimum, else over the minimum; ties within 1e-12;
	// the first point in the frontier's order (welfare descending).
	vals := make([]float64, len(front))
	top := math.Inf(-1)
	for f, p := range front {
		v := 1.0
		for j, u := range n.pts[p*np : p*np+np] {
			r := lo[j]
			if rv[j] >= lo[j] {
				r = rv[j]
			}
			v *= u - r
		}
		vals[f], top = v, max(top, v)
	}
	best := slices.IndexFunc(vals, func(v float64) bool { return v >= top-1e-12 })
	my := 0.5 * (mx + n.rv)
	if best >= 0 {
		my = n.pts[front[best]*np]
	}
	n.bar = max(my*n.Factor, n.rv)
	n.offers = n.offers[:0]
	for _, p := range front {
		if n.pts[p*np] >= n.bar {
			n.offers = append(n.offers, n.ids[p])
		}
	}
	slices.Sort(n.offers)
}

// Observe implements Negotiator.
func (n *NashSeeker) Observe(protocol.Event) {}

// Act implements Negotiator.
func (n *NashSeeker) Act(t protocol.Turn) protocol.Action {
	if n.changed() {
		n.plan()
	}
	id, _ := n.s.Index.Max()
	if len(n.offers) > 0 {
		id = n.offers[n.s.Rand.IntN(len(n.offers))]
	}
	return n.answer(t, id, n.bar)
}

// OpponentModel implements OpponentModeler: the public utility function.
func (n *NashSeeker) OpponentModel(seat int) func(uint64) float64 { return publicModel(n.s, seat) }

// paretoFront returns the points (indices into ids; pts holds np
// utilities per point) whose utility vector no other weakly dominates,
// one per distinct vector (the first in pts' order), by welfare
// descending, then utilities descending.
func paretoFront(pts []float64, ids []uint64, np int) []int {
	m := len(ids)
	vec := func(k int) []float64 { return pts[k*np : k*np+np] }
	welfare := func(k int) float64 {
		s := 0.0
		for _, x := range vec(k) {
			s += x
		}
		return s
	}
	order := make([]int, m)
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if wa, wb := welfare(a), welfare(b); wa != wb {
			if wa > wb {
				return -1
			}
			return 1
		}
		va, vb := vec(a), vec(b)
		for j := range va {
			if va[j] != vb[j] {
				if va[j] > vb[j] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	var front []int
	for _, k := range order {
		v := vec(k)
		dominated := false
		for _, f := range front {
			ge := true
			for j, x := range vec(f) {
				if x < v[j] {
					ge = false
					break
				}
			}
			if ge {
				dominated = true
				break
			}
		}
		if !dominated {
			front = append(front, k)
		}
	}
	return front
}
