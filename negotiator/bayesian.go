package negotiator

import (
	"math"

	"github.com/parleyhq/parley/outcome"
)

// BayesianModel is the opponent model of Hindriks and Tykhonov, "Opponent
// modelling in automated multi-issue negotiation using Bayesian learning"
// (AAMAS 2008), in the scalable form Genius uses (its
// BayesianOpponentModelScalable, NiceTitForTat's model): each issue has its
// own hypotheses about its weight (eleven levels, 0 to 1, with a prior
// that favours small weights) and about its value function (uphill,
// downhill, and triangular with its peak at an inner value), believed
// independently of the other issues'. The opponent is assumed to concede
// slowly: its n-th distinct offer is expected to be worth 1 − Step·n to it,
// and a hypothesis is as likely as the utility it gives that offer is
// close to that prediction (a Gaussian of spread Sigma in relative error).
// After each new offer, Bayes' rule updates the weight hypotheses of every
// issue (the other issues at their expected weight and evaluation), then
// the value-function hypotheses; repeated offers teach nothing. Its
// estimate of an outcome is Σ expected weight × expected evaluation.
//
// Where parley departs from Genius's: value functions are the clean shapes
// (uphill v/(n−1), and so on) rather than Genius's integer tables; an issue
// of more than 18 values has 16 evenly spaced triangular peaks rather than
// one per value; the prediction stops at 0.1 instead of falling to 0 (after
// 333 offers, where Genius's estimates turn NaN); and a Bayes update whose
// likelihoods all vanish is skipped rather than dividing by zero.
type BayesianModel struct {
	Sigma, Step float64

	sp     outcome.Space
	voff   []int     // issue i's values at voff[i]..voff[i+1] of ev
	hoff   []int     // issue i's value-function hypotheses at hoff[i]..hoff[i+1] of ph
	soff   []int     // hypothesis h's evaluations at soff[h].. of shape
	shape  []float64 // evaluation of each value under each hypothesis
	ph     []float64 // value-function hypotheses' probabilities
	pw     []float64 // weight hypotheses' probabilities, weightLevels per issue
	ew     []float64 // expected weight per issue
	ev     []float64 // expected evaluation per value
	lik    []float64 // scratch
	vals   []int
	seen   seenSet
	pred   float64
	offers int
}

const (
	weightLevels = 11 // weight hypotheses per issue: 0, 0.1, …, 1
	maxPeaks     = 16 // triangular hypotheses per issue at most
	predFloor    = 0.1
)

// Reset starts a fresh model over sp.
func (m *BayesianModel) Reset(sp outcome.Space) {
	k := sp.Issues()
	m.sp = sp
	m.voff = resizeInts(m.voff, k+1)
	m.hoff = resizeInts(m.hoff, k+1)
	m.vals = resizeInts(m.vals, k)
	nv, nh, ns := 0, 0, 0
	for i := range k {
		n := sp.Card(i)
		m.voff[i], m.hoff[i] = nv, nh
		h := bayesHypotheses(n)
		nv, nh, ns = nv+n, nh+h, ns+h*n
	}
	m.voff[k], m.hoff[k] = nv, nh
	m.soff = resizeInts(m.soff, nh)
	m.shape = resizeFloats(m.shape, ns)
	m.ph = resizeFloats(m.ph, nh)
	m.pw = resizeFloats(m.pw, k*weightLevels)
	m.ew = resizeFloats(m.ew, k)
	m.ev = resizeFloats(m.ev, nv)
	m.lik = resizeFloats(m.lik, max(nh, weightLevels))
	s := 0
	for i := range k {
		n := sp.Card(i)
		h0, h1 := m.hoff[i], m.hoff[i+1]
		for h := h0; h < h1; h++ {
			m.soff[h] = s
			fillShape(m.shape[s:s+n], h-h0)
			s += n
			m.ph[h] = 1 / float64(h1-h0)
		}
		// Genius's prior: (1 − (j+1)/11)³, normalised.
		norm := 0.0
		for j := range weightLevels {
			q := 1 - float64(j+1)/weightLevels
			m.pw[i*weightLevels+j] = q * q * q
			norm += q * q * q
		}
		for j := range weightLevels {
			m.pw[i*weightLevels+j] /= norm
		}
	}
	m.seen.reset(sizeOf(sp))
	m.pred, m.offers = 1, 0
	m.expect()
}

// bayesHypotheses is the number of value-function hypotheses of an issue
// of n values: uphill and downhill, and a triangle per inner peak.
func bayesHypotheses(n int) int {
	switch {
	case n <= 1:
		return 1
	case n == 2:
		return 2
	}
	return 2 + min(n-2, maxPeaks)
}

// fillShape writes the evaluations of hypothesis h (0 uphill, 1 downhill,
// then the triangles) of an issue of len(e) values.
func fillShape(e []float64, h int) {
	n := len(e)
	if n == 1 {
		e[0] = 1
		return
	}
	last := float64(n - 1)
	peak := -1
	if h >= 2 {
		inner := n - 2
		if inner <= maxPeaks {
			peak = h - 1
		} else {
			peak = 1 + int(math.Round(float64(h-2)*float64(inner-1)/float64(maxPeaks-1)))
		}
	}
	for v := range e {
		x := float64(v)
		switch {
		case h == 0:
			e[v] = x / last
		case h == 1:
			e[v] = (last - x) / last
		case v <= peak:
			e[v] = x / float64(peak)
		default:
			e[v] = (last - x) / (last - float64(peak))
		}
	}
}

// expect recomputes the expected weights and evaluations.
func (m *BayesianModel) expect() {
	for i := range m.ew {
		w := 0.0
		for j := range weightLevels {
			w += m.pw[i*weightLevels+j] * float64(j) / (weightLevels - 1)
		}
		m.ew[i] = w
		v0, v1 := m.voff[i], m.voff[i+1]
		for v := v0; v < v1; v++ {
			e := 0.0
			for h := m.hoff[i]; h < m.hoff[i+1]; h++ {
				e += m.ph[h] * m.shape[m.soff[h]+v-v0]
			}
			m.ev[v] = e
		}
	}
}

// like is the likelihood of an offer the hypothesis values at u.
func (m *BayesianModel) like(u float64) float64 {
	x := (m.pred - u) / m.pred
	return math.Exp(-x * x / (2 * m.Sigma * m.Sigma))
}

// Update learns from one offer of the opponent.
func (m *BayesianModel) Update(id uint64) {
	if !m.seen.add(id) {
		return
	}
	m.sp.Decode(id, m.vals)
	total := 0.0
	for i, v := range m.vals {
		total += m.ew[i] * m.ev[m.voff[i]+v]
	}
	if m.offers > 0 {
		for i, v := range m.vals {
			e := m.ev[m.voff[i]+v]
			partial := total - m.ew[i]*e
			p := m.pw[i*weightLevels : (i+1)*weightLevels]
			norm := 0.0
			for j := range weightLevels {
				m.lik[j] = p[j] * m.like(float64(j)/(weightLevels-1)*e+partial)
				norm += m.lik[j]
			}
			if norm > 0 && !math.IsInf(norm, 0) {
				for j := range p {
					p[j] = m.lik[j] / norm
				}
			}
		}
		m.expect()
		total = 0
		for i, v := range m.vals {
			total += m.ew[i] * m.ev[m.voff[i]+v]
		}
	}
	for i, v := range m.vals {
		partial := total - m.ew[i]*m.ev[m.voff[i]+v]
		h0, h1 := m.hoff[i], m.hoff[i+1]
		norm := 0.0
		for h := h0; h < h1; h++ {
			m.lik[h-h0] = m.ph[h] * m.like(partial+m.ew[i]*m.shape[m.soff[h]+v])
			norm += m.lik[h-h0]
		}
		if norm > 0 && !math.IsInf(norm, 0) {
			for h := h0; h < h1; h++ {
				m.ph[h] = m.lik[h-h0] / norm
			}
		}
	}
	m.expect()
	m.offers++
	m.pred = max(m.pred-m.Step, predFloor)
}

// Offers is the number of distinct offers learnt from.
func (m *BayesianModel) Offers() int { return m.offers }

// Utility estimates the opponent's utility of outcome o (one value per issue).
func (m *BayesianModel) Utility(o []int) float64 {
	u := 0.0
	for i, v := range o {
		u += m.ew[i] * m.ev[m.voff[i]+v]
	}
	return u
}

// Weight is the expected weight of issue i.
func (m *BayesianModel) Weight(i int) float64 { return m.ew[i] }
