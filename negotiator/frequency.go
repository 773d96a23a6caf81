package negotiator

import (
	"github.com/parleyhq/parley/registry"

	"math"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
)

// FrequencyModel estimates an opponent's additive preferences from its offers
// alone, as HardHeaded does (van Krimpen, Looije and Hajizadeh, "HardHeaded",
// in Complex Automated Negotiations, 2013): an issue whose value the opponent
// keeps from one offer to the next gains weight (LearnRate, then the weights
// are renormalised), and each value's evaluation is how often the opponent
// offered it relative to its most offered value of that issue.
type FrequencyModel struct {
	LearnRate float64 // weight added to an unchanged issue; HardHeaded uses 0.2

	sp      outcome.Space
	weights []float64
	counts  []float64 // flat: issue i's values at off[i]...
	off     []int
	maxc    []float64
	last    []int
	prev    []int
	offers  int
}

// Reset starts a fresh model over sp.
func (m *FrequencyModel) Reset(sp outcome.Space) {
	k := sp.Issues()
	m.sp = sp
	if cap(m.weights) < k {
		m.weights, m.off, m.maxc = make([]float64, k), make([]int, k+1), make([]float64, k)
		m.last, m.prev = make([]int, k), make([]int, k)
	}
	m.weights, m.off, m.maxc = m.weights[:k], m.off[:k+1], m.maxc[:k]
	m.last, m.prev = m.last[:k], m.prev[:k]
	total := 0
	for i := range k {
		m.off[i] = total
		total += sp.Card(i)
		m.weights[i] = 1 / float64(k)
	}
	m.off[k] = total
	if cap(m.counts) < total {
		m.counts = make([]float64, total)
	}
	m.counts = m.counts[:total]
	clear(m.counts)
	clear(m.maxc)
	m.offers = 0
}

// Update learns from one offer of the opponent.
func (m *FrequencyModel) Update(id uint64) {
	m.last, m.prev = m.prev, m.last
	m.sp.Decode(id, m.last)
	if m.offers > 0 {
		same := 0
		for i := range m.last {
			if m.last[i] == m.prev[i] {
				m.weights[i] += m.LearnRate
				same++
			}
		}
		if same > 0 {
			s := 0.0
			for _, w := range m.weights {
				s += w
			}
			for i := range m.weights {
				m.weights[i] /= s
			}
		}
	}
	for i, v := range m.last {
		c := &m.counts[m.off[i]+v]
		*c++
		if *c > m.maxc[i] {
			m.maxc[i] = *c
		}
	}
	m.offers++
}

// Offers is the number of offers learnt from.
func (m *FrequencyModel) Offers() int { return m.offers }

// Weight is the estimated weight of issue i.
func (m *FrequencyModel) Weight(i int) float64 { return m.weights[i] }

// Utility estimates the opponent's utility of outcome o (one value per issue).
func (m *FrequencyModel) Utility(o []int) float64 {
	if m.offers == 0 {
		return 0
	}
	u := 0.0
	for i, v := range o {
		u += m.weights[i] * m.counts[m.off[i]+v] / m.maxc[i]
	}
	return u
}

// Frequency is a negotiator in the spirit of HardHeaded (ANAC 2011 winner)
// and AgentK: it concedes on a Boulware time-dependent curve (exponent E,
// default 0.2, Pmin = max(reservation, worst utility)), and instead of the
// outcome closest to its target it offers, among up to Scan outcomes whose
// utility lies in [target, target + Window], the one the frequency opponent
// models rate best (the sum over opponents of their estimated utilities;
// ties to the lower own utility). It accepts with AC_next against the
// outcome it would offer next. On a space too large to sort it offers the
// greedy AtLeast outcome.
type Frequency struct {
	base
	E, Window  float64
	Scan       int
	pmin, pmax float64
	models     []FrequencyModel
	cand       []int
}

func init() {
	register(Info{Entry: registry.Entry{Name: "frequency", Doc: "Boulware curve; picks, near its target, the outcome a frequency opponent model rates best", Source: "in the spirit of HardHeaded (van Krimpen et al. 2013) and AgentK (Kawaguchi et al. 2012); frequency model as HardHeaded", Params: []registry.Param{{Name: "e", Default: 0.2, Doc: "concession exponent"}, {Name: "window", Default: 0.05, Doc: "utility window above the target"}, {Name: "scan", Default: 128, Doc: "outcomes examined at most per offer"}}},
		Role: RoleParty,
		make: func(p map[string]float64) Negotiator {
			return &Frequency{E: p["e"], Window: p["window"], Scan: max(1, int(p["scan"]))}
		}})
}

// Reset implements Negotiator.
func (n *Frequency) Reset(s *Setup) {
	n.reset(s)
	n.bounds()
	if cap(n.models) < s.Parties {
		n.models = make([]FrequencyModel, s.Parties)
	}
	n.models = n.models[:s.Parties]
	for i := range n.models {
		n.models[i].LearnRate = 0.2
		n.models[i].Reset(s.Space)
	}
	if cap(n.cand) < s.Space.Issues() {
		n.cand = make([]int, s.Space.Issues())
	}
	n.cand = n.cand[:s.Space.Issues()]
}

func (n *Frequency) bounds() {
	_, n.pmax = n.s.Index.Max()
	_, n.pmin = n.s.Index.Min()
	n.pmin = math.Max(n.pmin, n.rv)
}

// Observe implements Negotiator.
func (n *Frequency) Observe(e protocol.Event) {
	if e.Type == protocol.EventOffer && int(e.Seat) != n.s.Seat && int(e.Seat) < len(n.models) {
		n.models[e.Seat].Update(e.Outcome)
	}
}

func (n *Frequency) target(t float64) float64 {
	f := 0.0
	if n.E > 0 {
		f = math.Pow(t, 1/n.E)
	}
	return n.pmin + (n.pmax-n.pmin)*(1-f)
}

// choose returns the outcome to offer at time t and its own utility.
func (n *Frequency) choose(t float64) (uint64, float64) {
	x := n.s.Index
	tg := n.target(t)
	id, u, _ := x.AtLeast(tg, n.buf)
	if !x.Sorted() {
		return id, u
	}
	learnt := false
	for i := range n.models {
		if i != n.s.Seat && n.models[i].Offers() > 0 {
			learnt = true
		}
	}
	if !learnt {
		return id, u
	}
	best := -1.0
	lo := x.Position(tg)
	for p := lo; p < x.Len() && p < lo+n.Scan; p++ {
		cid, cu := x.At(p)
		if cu > tg+n.Window && p > lo {
			break
		}
		n.s.Space.Decode(cid, n.cand)
		est := 0.0
		for i := range n.models {
			if i != n.s.Seat {
				est += n.models[i].Utility(n.cand)
			}
		}
		if est > best {
			best, id, u = est, cid, cu
		}
	}
	return id, u
}

// Act implements Negotiator.
func (n *Frequency) Act(t protocol.Turn) protocol.Action {
	if n.changed() {
		n.bounds()
	}
	id, u := n.choose(t.T)
	return n.answer(t, id, u)
}
