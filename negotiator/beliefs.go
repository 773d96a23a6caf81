package negotiator

import (
	"math"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// Belief is what a seat believes, when a session starts, about another
// seat (Setup.Beliefs): a prior over types of that seat, and the red lines
// the seat states in public, each of which may or may not be real. The
// runner builds it from the scenario's stated beliefs; it never holds the
// other seat's true preferences unless the scenario says the holder
// believes them.
type Belief struct {
	Types []BeliefType
	// Lines are the red lines the other seat states (real ones and
	// bluffs alike: the holder cannot tell them apart).
	Lines []utility.RedLine
}

// BeliefType is one type the holder holds possible.
type BeliefType struct {
	ID    string
	Prior float64
	// Utility is the type's utility function (red lines left out), or
	// nil when the holder believes nothing of its preferences.
	Utility *utility.Additive
	// The type's reservation value, believed uniform on [RvLow, RvHigh]
	// (exactly RvLow when they are equal).
	RvLow, RvHigh float64
	// Real is, per line of the belief, the probability that it is real.
	Real []float64
}

// BeliefReporter is implemented by strategies that hold beliefs about the
// other seats as types. Posterior writes its belief about seat now: the
// probability of each type (in the order of Setup.Beliefs[seat].Types)
// into types, and the probability that each stated red line is real into
// lines; it reports false when it holds no types for seat. The runner
// reads it at the end of a session (Result.Beliefs).
type BeliefReporter interface {
	Posterior(seat int, types, lines []float64) bool
}

// TypeModel is a Bayesian model of one other seat over the types a belief
// holds possible, in the tradition of Zeng and Sycara ("Bayesian learning
// in negotiation", 1998: beliefs about the opponent, its reservation value
// above all, updated by Bayes' rule from its offers) and of Hindriks and
// Tykhonov (2008: hypotheses about the opponent's preferences weighed by
// how well they explain its offers). On each new offer o of that seat:
//
//   - a type with known preferences explains o as a boundedly rational
//     choice: the seat offers outcome o with probability e^{β·u_t(o)}/Z_t
//     (Z_t summed over the whole space in closed form, a product over
//     issues of the utility's tables, the clamp at 1 left out), so the
//     type that values the offers most, relative to what it could have
//     asked, gains;
//   - a seat never offers below its reservation value: a type gains the
//     probability that its reservation value is at most u_t(o) (a floor
//     of 10⁻³ keeps a type that is wrong about it alive), and its range
//     for the reservation value is cut at u_t(o), as Zeng and Sycara
//     learn a reservation price;
//   - a seat never offers an outcome that crosses one of its real red
//     lines: an offer that crosses a stated line proves it a bluff (the
//     line is then believed real under no type), and each offer that
//     does not makes the line a little more credible, by how much of the
//     type's choice mass the line would have taken away.
//
// Types without known preferences learn nothing from where an offer lies
// (only from its red lines); their utility is estimated by the scalable
// Hindriks–Tykhonov model (BayesianModel) learnt from the same offers.
// Repeated offers teach nothing, as in Hindriks and Tykhonov's model.
type TypeModel struct {
	Beta float64 // rationality of the choice model; 0 learns nothing from where offers lie

	b      *Belief
	sp     outcome.Space
	post   []float64 // posterior per type
	logp   []float64 // scratch: log posterior
	real   []float64 // [t*L+l]: probability line l is real under type t
	rvHi   []float64 // per type: the reservation range's upper end, cut by offers
	logZ   []float64 // per type: log Σ_o e^{β·u_t(o)}
	share  []float64 // [t*L+l]: share of type t's choice mass that crosses line l
	vals   []int
	ht     BayesianModel
	htOn   bool // some type has unknown preferences
	seen   seenSet
	offers int
}

// typeFloor keeps a likelihood factor above 0, so that one offer a type
// cannot explain does not rule it out for good.
const typeFloor = 1e-3

// Reset starts a fresh model of a seat the holder believes b of (nil: no
// belief; the model then has no types and learns like BayesianModel).
func (m *TypeModel) Reset(b *Belief, sp outcome.Space) {
	m.b, m.sp, m.offers = b, sp, 0
	m.vals = resizeInts(m.vals, sp.Issues())
	m.seen.reset(sizeOf(sp))
	nt, nl := 0, 0
	if b != nil {
		nt, nl = len(b.Types), len(b.Lines)
	}
	m.post = resizeFloats(m.post, nt)
	m.logp = resizeFloats(m.logp, nt)
	m.rvHi = resizeFloats(m.rvHi, nt)
	m.logZ = resizeFloats(m.logZ, nt)
	m.real = resizeFloats(m.real, nt*nl)
	m.share = resizeFloats(m.share, nt*nl)
	m.htOn = b == nil
	sum := 0.0
	for t := range nt {
		ty := &b.Types[t]
		sum += ty.Prior
		m.rvHi[t] = ty.RvHigh
		for l := range nl {
			m.real[t*nl+l] = ty.Real[l]
		}
		if ty.Utility == nil {
			m.htOn = true
			continue
		}
		m.logZ[t] = m.logPartition(ty.Utility, nil)
		for l := range nl {
			m.share[t*nl+l] = math.Exp(m.logPartition(ty.Utility, &b.Lines[l].Constraint) - m.logZ[t])
		}
	}
	for t := range nt {
		m.post[t] = b.Types[t].Prior / sum
		if sum <= 0 {
			m.post[t] = 1 / float64(nt)
		}
	}
	if m.htOn {
		if m.ht.Sigma == 0 {
			m.ht.Sigma, m.ht.Step = 0.25, 0.003
		}
		m.ht.Reset(sp)
	}
}

// logPartition is log Σ e^{β·Σ_i T_i(o_i)} over the outcomes o that c
// matches (every outcome when c is nil): a product over issues of sums,
// each taken stably. It counts the utility's tables only: for a utility
// that is not a table sum it is an approximation.
func (m *TypeModel) logPartition(u *utility.Additive, c *utility.Constraint) float64 {
	z := 0.0
	for i, row := range u.Table {
		var allowed []bool
		if c != nil {
			for k, j := range c.Issues {
				if j == i {
					allowed = c.Allowed[k]
				}
			}
		}
		top := math.Inf(-1)
		for v, x := range row {
			if allowed == nil || allowed[v] {
				top = max(top, m.Beta*x)
			}
		}
		s := 0.0
		for v, x := range row {
			if allowed == nil || allowed[v] {
				s += math.Exp(m.Beta*x - top)
			}
		}
		z += top + math.Log(s)
	}
	return z
}

// Types reports whether the model holds types.
func (m *TypeModel) Types() bool { return len(m.post) > 0 }

// Offers is the number of distinct offers learnt from.
func (m *TypeModel) Offers() int { return m.offers }

// Update learns from one offer of the seat.
func (m *TypeModel) Update(id uint64) {
	if !m.seen.add(id) {
		return
	}
	m.offers++
	m.sp.Decode(id, m.vals)
	if m.htOn {
		m.ht.Update(id)
	}
	if len(m.post) == 0 {
		return
	}
	nl := len(m.b.Lines)
	top := math.Inf(-1)
	for t := range m.post {
		ty := &m.b.Types[t]
		ll := math.Log(max(m.post[t], 1e-300))
		if u := ty.Utility; u != nil {
			x := u.Raw(m.vals)
			ll += m.Beta*x - m.logZ[t]
			ll += math.Log(max(m.cdf(t, x), typeFloor))
			if x >= ty.RvLow && x < m.rvHi[t] {
				m.rvHi[t] = x
			}
		}
		for l := range nl {
			r := m.real[t*nl+l]
			if m.b.Lines[l].Match(m.vals) {
				ll += math.Log(max(1-r, typeFloor))
			} else if sh := m.share[t*nl+l]; ty.Utility != nil && sh < 1 {
				// Real: the seat chose among the outcomes the line leaves.
				ll += math.Log(r/(1-sh) + 1 - r)
			}
		}
		m.logp[t] = ll
		top = max(top, ll)
	}
	sum := 0.0
	for t := range m.post {
		m.post[t] = math.Exp(m.logp[t] - top)
		sum += m.post[t]
	}
	for t := range m.post {
		m.post[t] /= sum
	}
	for l := range nl {
		crossed := m.b.Lines[l].Match(m.vals)
		for t := range m.post {
			r := &m.real[t*nl+l]
			switch {
			case crossed:
				*r = 0 // a bluff, shown
			case m.b.Types[t].Utility != nil && *r > 0 && m.share[t*nl+l] < 1:
				*r /= *r + (1-*r)*(1-m.share[t*nl+l])
			}
		}
	}
}

// cdf is the probability that type t's reservation value is at most x.
func (m *TypeModel) cdf(t int, x float64) float64 {
	lo, hi := m.b.Types[t].RvLow, m.rvHi[t]
	if hi > lo {
		return math.Min(1, math.Max(0, (x-lo)/(hi-lo)))
	}
	if x >= lo {
		return 1
	}
	return 0
}

// clear is the probability, under type t, that the outcome in vals
// crosses none of the seat's real red lines.
func (m *TypeModel) clear(t int, vals []int) float64 {
	p := 1.0
	nl := len(m.b.Lines)
	for l := range nl {
		if m.b.Lines[l].Match(vals) {
			p *= 1 - m.real[t*nl+l]
		}
	}
	return p
}

func (m *TypeModel) raw(t int, vals []int) float64 {
	if u := m.b.Types[t].Utility; u != nil {
		return u.Raw(vals)
	}
	return m.ht.Utility(vals)
}

// Accepts is the believed probability that the seat would accept the
// outcome in vals rather than have no deal: its reservation value at most
// its utility of it, and none of its red lines that it crosses real. A
// type with unknown preferences is taken to accept what crosses none of
// its red lines.
func (m *TypeModel) Accepts(vals []int) float64 {
	if len(m.post) == 0 {
		return 1
	}
	p := 0.0
	for t, w := range m.post {
		a := m.clear(t, vals)
		if m.b.Types[t].Utility != nil && a > 0 {
			a *= m.cdf(t, m.b.Types[t].Utility.Raw(vals))
		}
		p += w * a
	}
	return p
}

// Forbidden is the believed probability that the outcome in vals crosses
// one of the seat's real red lines.
func (m *TypeModel) Forbidden(vals []int) float64 {
	if len(m.post) == 0 {
		return 0
	}
	p := 0.0
	for t, w := range m.post {
		p += w * (1 - m.clear(t, vals))
	}
	return p
}

// Estimate is the seat's expected utility of the outcome in vals, an
// outcome across a real red line counting 0.
func (m *TypeModel) Estimate(vals []int) float64 {
	if len(m.post) == 0 {
		return m.ht.Utility(vals)
	}
	e := 0.0
	for t, w := range m.post {
		e += w * m.clear(t, vals) * m.raw(t, vals)
	}
	return e
}

// Posterior writes the probability of each type into types and of each
// stated red line being real into lines (see BeliefReporter).
func (m *TypeModel) Posterior(types, lines []float64) bool {
	if len(m.post) == 0 {
		return false
	}
	copy(types, m.post)
	nl := len(m.b.Lines)
	for l := range min(nl, len(lines)) {
		p := 0.0
		for t, w := range m.post {
			p += w * m.real[t*nl+l]
		}
		lines[l] = p
	}
	return true
}
