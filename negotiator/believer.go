package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// Believer negotiates on what it believes of the others, never on their
// true preferences: it starts from its beliefs (Setup.Beliefs: weighted
// types and stated red lines) and learns from their offers with a
// TypeModel per other seat. It concedes on a time-dependent curve (target
// Pmin + (Pmax − Pmin)(1 − t^(1/e)), Pmin the higher of its worst utility
// and its reservation value); among up to Scan outcomes at or above its
// target it offers the one it believes likeliest to be accepted by every
// other seat (the product of TypeModel.Accepts), then, among equals, the
// one it believes best for them (the sum of their expected utilities),
// then the one worth least to itself. It never offers an outcome it
// believes more likely than not to cross a red line of some seat: when
// every outcome at or above its target would, it offers the one nearest
// its target that would not, above or (conceding further) below it but
// never below its reservation value. It accepts an offer worth at least
// the outcome it would offer next (AC_next). Without beliefs about a seat
// it learns that seat's preferences as the scalable Hindriks–Tykhonov
// model does and believes it accepts anything.
//
// On a space too large to sort it offers the greedy AtLeast outcome.
type Believer struct {
	base
	E, Beta    float64
	Scan       int
	pmin, pmax float64
	models     []TypeModel
	cand       []int
}

func init() {
	register(Info{Entry: registry.Entry{Name: "believer",
		Doc:    "acts on its beliefs about the others (scenario beliefs: types, stated red lines), updated by Bayes' rule from their offers; never offers what it believes crosses a red line",
		Source: "Bayesian learning over opponent types: Zeng & Sycara 1998; Hindriks & Tykhonov 2008; concession curve of Faratin, Sierra & Jennings 1998",
		Params: []registry.Param{{Name: "e", Default: 0.5, Doc: "concession exponent (<1 Boulware, >1 Conceder)"},
			{Name: "beta", Default: 10, Doc: "rationality of the choice model the types explain offers by"},
			{Name: "scan", Default: 64, Doc: "outcomes examined at most per offer"}}},
		Role: RoleParty,
		make: func(p map[string]float64) Negotiator {
			return &Believer{E: p["e"], Beta: p["beta"], Scan: max(1, int(p["scan"]))}
		}})
}

// Reset implements Negotiator.
func (n *Believer) Reset(s *Setup) {
	n.reset(s)
	n.bounds()
	n.models = resizeModels(n.models, s.Parties)
	for j := range n.models {
		var b *Belief
		if j < len(s.Beliefs) && j != s.Seat {
			b = s.Beliefs[j]
		}
		n.models[j].Beta = n.Beta
		n.models[j].Reset(b, s.Space)
	}
	n.cand = resizeInts(n.cand, s.Space.Issues())
}

func resizeModels(m []TypeModel, n int) []TypeModel {
	if cap(m) < n {
		return make([]TypeModel, n)
	}
	return m[:n]
}

func (n *Believer) bounds() {
	_, n.pmax = n.s.Index.Max()
	_, n.pmin = n.s.Index.Min()
	n.pmin = min(math.Max(n.pmin, n.rv), n.pmax)
}

// Observe implements Negotiator: the others' offers are learnt from.
func (n *Believer) Observe(e protocol.Event) {
	if e.Type == protocol.EventOffer && int(e.Seat) != n.s.Seat && int(e.Seat) < len(n.models) {
		n.models[e.Seat].Update(e.Outcome)
	}
}

// Target is the utility it aims at, at normalised time t.
func (n *Believer) Target(t float64) float64 {
	f := 0.0
	if n.E > 0 {
		f = math.Pow(t, 1/n.E)
	}
	return n.pmin + (n.pmax-n.pmin)*(1-f)
}

// Act implements Negotiator.
func (n *Believer) Act(t protocol.Turn) protocol.Action {
	if n.changed() {
		n.bounds()
	}
	id, u := n.choose(n.Target(t.T))
	return n.answer(t, id, u)
}

// forbidden reports whether it believes the outcome in cand more likely
// than not to cross some other seat's red line.
func (n *Believer) forbidden() bool {
	for j := range n.models {
		if j != n.s.Seat && n.models[j].Forbidden(n.cand) >= 0.5 {
			return true
		}
	}
	return false
}

// score is the believed chance that every other seat accepts cand, and
// the sum of their believed utilities of it.
func (n *Believer) score() (p, est float64) {
	p = 1
	for j := range n.models {
		if j != n.s.Seat {
			p *= n.models[j].Accepts(n.cand)
			est += n.models[j].Estimate(n.cand)
		}
	}
	return p, est
}

// choose returns the outcome to offer at target tg and its utility.
func (n *Believer) choose(tg float64) (uint64, float64) {
	x := n.s.Index
	if !x.Sorted() {
		id, u, _ := x.AtLeast(tg, n.buf)
		return id, u
	}
	const eps = 1e-12
	best := -1
	var bestID uint64
	var bestU, bestP, bestE float64
	lo := x.Position(tg)
	for p := lo; p < x.Len(); p++ {
		if p >= lo+n.Scan && best >= 0 {
			break
		}
		id, u := x.At(p)
		n.s.Space.Decode(id, n.cand)
		if n.forbidden() {
			continue
		}
		pa, est := n.score()
		if best < 0 || pa > bestP+eps || (pa >= bestP-eps && est > bestE+eps) {
			best, bestID, bestU, bestP, bestE = p, id, u, pa, est
		}
	}
	if best >= 0 {
		return bestID, bestU
	}
	for p := lo - 1; p >= 0; p-- {
		id, u := x.At(p)
		if u < n.rv {
			break
		}
		n.s.Space.Decode(id, n.cand)
		if !n.forbidden() {
			return id, u
		}
	}
	return x.Max()
}

// OpponentModel implements OpponentModeler: its believed utility of seat.
func (n *Believer) OpponentModel(seat int) func(uint64) float64 {
	if seat < 0 || seat >= len(n.models) || seat == n.s.Seat {
		return nil
	}
	m := &n.models[seat]
	if !m.Types() && m.Offers() == 0 {
		return nil
	}
	buf := make([]int, n.s.Space.Issues())
	return func(id uint64) float64 {
		n.s.Space.Decode(id, buf)
		return m.Estimate(buf)
	}
}

// Posterior implements BeliefReporter.
func (n *Believer) Posterior(seat int, types, lines []float64) bool {
	if seat < 0 || seat >= len(n.models) || seat == n.s.Seat {
		return false
	}
	return n.models[seat].Posterior(types, lines)
}
