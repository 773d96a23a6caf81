package forecast

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley/diag"
)

// EUMParams are the parameters of the expected-utility model. The zero
// value is the configuration that reproduces the public replication
// (jmckib/bdm-scholz-expected-utility-model, Q = 1, 10 rounds).
type EUMParams struct {
	// Rounds is the maximum number of rounds (default 10); the run stops
	// earlier once no actor receives an offer, since the state is then fixed.
	Rounds int `json:"rounds"`
	// StatusQuoChange is 1 − Q, the probability that an unchallenged
	// status quo changes (default 0, i.e. Q = 1).
	StatusQuoChange float64 `json:"status_quo_change"`
	// ChangeForWorse is 1 − T, the probability that such a change is for
	// the worse (default 0, i.e. T = 1). It matters only if StatusQuoChange > 0.
	ChangeForWorse float64 `json:"change_for_worse"`
	// Capitulation enables capitulation offers (a < 0 < b, |a| > b). Scholz's
	// code, as ported by the replication, tests b < |b|, which never holds,
	// so by default (false) capitulation never fires, as there.
	Capitulation bool `json:"capitulation"`
}

// eumMinActors is the fewest actors EUM accepts.
const eumMinActors = 2

// ValidateEUM checks what EUM needs beyond Validate: at least two actors.
func (p *Problem) ValidateEUM() error {
	if err := p.Validate(); err != nil {
		return err
	}
	if n := len(p.Actors); n < eumMinActors {
		return diag.List{{Pos: at(p.Source, 0), Msg: fmt.Sprintf("EUM needs at least %d actors, got %d", eumMinActors, n)}}
	}
	return nil
}

// EUMLabel names the expected-utility model as implemented.
const EUMLabel = "Expected-utility model of Bueno de Mesquita (1994), in the formulation of Scholz, Calbert & Smith (2011)"

// EUM runs Bueno de Mesquita's expected-utility ("challenge") model in the
// formulation of Scholz, Calbert & Smith (2011), one dimension at a time
// (each dimension is an independent issue with that dimension's saliences).
// Each round: risk exponents from the actors' "danger", then every actor
// receives offers (conflict, compromise, capitulation) and moves to the one
// it prefers; all moves are simultaneous. An actor with zero salience on a
// dimension takes no part there (Actor.TakesPart): it makes and receives no
// offers, counts in no vote or range, keeps its position, and its risk
// exponent is shown as 1. Every round's offers are in
// Result.Rounds[t].Offers. The forecast is the capability×salience-weighted
// mean position.
func EUM(p Problem, params EUMParams) (*Result, error) {
	if err := p.ValidateEUM(); err != nil {
		return nil, err
	}
	if params.Rounds == 0 {
		params.Rounds = 10
	}
	if params.Rounds < 0 || !(params.StatusQuoChange >= 0 && params.StatusQuoChange <= 1) ||
		!(params.ChangeForWorse >= 0 && params.ChangeForWorse <= 1) {
		return nil, fmt.Errorf("EUM parameters: need Rounds ≥ 0 and StatusQuoChange, ChangeForWorse in [0,1]; got %+v", params)
	}
	n, nd := len(p.Actors), len(p.Dimensions)
	res := &Result{
		Model:      "eum",
		Label:      EUMLabel,
		Dimensions: p.DimensionNames(),
		Actors:     p.ActorNames(),
	}
	pos := make([][]float64, n)
	for i, a := range p.Actors {
		pos[i] = append([]float64(nil), a.Positions...)
	}
	dims := make([]*eumDim, nd)
	for d := range nd {
		dims[d] = newEUMDim(&p, d, params)
	}
	res.Rounds = append(res.Rounds, Round{Round: 0, Positions: copyMatrix(pos), Forecast: eumForecast(dims)})
	res.Converged = false
	res.Stop = fmt.Sprintf("reached the limit of %d rounds", params.Rounds)
	for t := 1; t <= params.Rounds; t++ {
		rd := Round{Round: t, RiskExponent: newMatrix(n, nd)}
		moved := 0.0
		offers := 0
		for d, dim := range dims {
			r, offs := dim.round()
			for i := range n {
				rd.RiskExponent[i][d] = 1 // for actors that take no part
			}
			for k, i := range dim.idx {
				rd.RiskExponent[i][d] = r[k]
				moved += math.Abs(dim.x[k] - pos[i][d])
				pos[i][d] = dim.x[k]
			}
			for _, o := range offs {
				o.Dimension, o.From, o.To = d, dim.idx[o.From], dim.idx[o.To]
				rd.Offers = append(rd.Offers, o)
			}
			offers += len(offs)
		}
		rd.Positions = copyMatrix(pos)
		rd.Forecast = eumForecast(dims)
		rd.Stopping = f64p(moved)
		if offers == 0 {
			// the state is a fixed point: further rounds would repeat it
			res.Converged = true
			res.Stop = fmt.Sprintf("no actor received an offer in round %d", t)
			break
		}
		res.Rounds = append(res.Rounds, rd)
	}
	last := res.Rounds[len(res.Rounds)-1]
	res.Forecast = append([]float64(nil), last.Forecast...)
	return res, nil
}

func eumForecast(dims []*eumDim) []float64 {
	out := make([]float64, len(dims))
	for d, dim := range dims {
		out[d] = dim.mean()
	}
	return out
}

// eumDim is the state of one issue among the actors that take part in it
// (Actor.TakesPart): the others neither make nor receive offers, count in
// no vote and keep their positions.
type eumDim struct {
	n        int       // actors taking part
	idx      []int     // their indices in the problem
	c, s, x  []float64 // capability, salience on [0,1], position
	r        []float64
	rng      float64 // R = max − min of the initial positions
	q, t     float64
	capitul  bool
	denom    float64 // Σ_k Σ_a Σ_b |vote_k(a,b)| for the current r
	mu       float64 // reference position for the Q < 1 terms
	disabled bool
}

func newEUMDim(p *Problem, d int, params EUMParams) *eumDim {
	e := &eumDim{q: 1 - params.StatusQuoChange, t: 1 - params.ChangeForWorse, capitul: params.Capitulation}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range p.Actors {
		a := &p.Actors[i]
		if !a.TakesPart(d) {
			continue
		}
		e.idx = append(e.idx, i)
		e.c = append(e.c, a.Capability)
		e.s = append(e.s, a.Saliences[d]/100)
		e.x = append(e.x, a.Positions[d])
		lo, hi = math.Min(lo, a.Positions[d]), math.Max(hi, a.Positions[d])
	}
	e.n = len(e.idx)
	e.r = make([]float64, e.n)
	e.rng = hi - lo
	e.disabled = !(e.rng > 0)
	return e
}

func (e *eumDim) mean() float64 {
	num, den := 0.0, 0.0
	for i := range e.n {
		num += e.c[i] * e.s[i] * e.x[i]
		den += e.c[i] * e.s[i]
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// compare is actor k's weighted preference for position xj over xk
// (risk-curved distances, as in Scholz's code).
func (e *eumDim) compare(k int, xj, xk float64) float64 {
	dk := math.Pow(math.Abs(e.x[k]-xk)/e.rng, e.r[k])
	dj := math.Pow(math.Abs(e.x[k]-xj)/e.rng, e.r[k])
	return e.c[k] * e.s[k] * (dk - dj)
}

// setDenom sums the absolute votes of every actor over every ordered pair of
// actors' positions: Scholz's normaliser of P.
func (e *eumDim) setDenom() {
	sum := 0.0
	for k := range e.n {
		for a := range e.n {
			for b := range e.n {
				sum += math.Abs(e.compare(k, e.x[a], e.x[b]))
			}
		}
	}
	e.denom = sum
}

// prob is P_ij, the probability that position xi beats xj.
func (e *eumDim) prob(xi, xj float64) float64 {
	if xi == xj || e.denom == 0 {
		return 0
	}
	sum := 0.0
	for k := range e.n {
		sum += math.Max(0, e.compare(k, xi, xj))
	}
	return sum / e.denom
}

// euChallenge is, from actor p's perspective, the expected utility to i of
// challenging j.
func (e *eumDim) euChallenge(p, i, j int) float64 {
	r := e.r[p]
	dij := math.Abs(e.x[i]-e.x[j]) / e.rng
	pij := e.prob(e.x[i], e.x[j])
	us := 2 - 4*math.Pow(0.5-0.5*dij, r)
	uf := 2 - 4*math.Pow(0.5+0.5*dij, r)
	usq := 2 - 4*math.Pow(0.5, r)
	resist := e.s[j] * (pij*us + (1-pij)*uf)
	notResist := (1 - e.s[j]) * us
	sq := e.q * usq
	if e.q != 1 {
		dm := (math.Abs(e.x[i]-e.mu) + math.Abs(e.x[i]-e.x[j])) / e.rng
		ub := 2 - 4*math.Pow(0.5-0.25*dm, r)
		uw := 2 - 4*math.Pow(0.5+0.25*dm, r)
		sq += (1 - e.q) * (e.t*ub + (1-e.t)*uw)
	}
	return resist + notResist - sq
}

// round runs one round and returns the risk exponents used and every offer,
// indexed by the actors taking part.
func (e *eumDim) round() ([]float64, []Offer) {
	n := e.n
	if e.disabled {
		r := make([]float64, n)
		for i := range r {
			r[i] = 1
		}
		return r, nil
	}
	e.mu = e.mean()
	for i := range n {
		e.r[i] = 1
	}
	e.setDenom()
	danger := make([]float64, n)
	dMax, dMin := math.Inf(-1), math.Inf(1)
	for a := range n {
		sum := 0.0
		for o := range n {
			if o != a {
				sum += e.euChallenge(a, o, a)
			}
		}
		danger[a] = sum
		dMax, dMin = math.Max(dMax, sum), math.Min(dMin, sum)
	}
	r := make([]float64, n)
	for a := range n {
		risk := 0.0
		if dMax > dMin {
			risk = (2*danger[a] - dMax - dMin) / (dMax - dMin)
		}
		r[a] = (1 - risk/3.0) / (1 + risk/3.0)
	}
	copy(e.r, r)
	e.setDenom()

	var all []Offer
	newX := append([]float64(nil), e.x...)
	for i := range n {
		var conflicts, compromises, capitulations []Offer
		for o := range n {
			if e.x[i] == e.x[o] {
				continue
			}
			a := e.euChallenge(i, i, o) // E^i(U_io)
			b := e.euChallenge(i, o, i) // E^i(U_oi)
			of := Offer{From: o, To: i, EUReceiver: a, EUProposer: b}
			switch {
			case b > a && a > 0:
				of.Type, of.Position = "conflict", e.x[o]
				conflicts = append(conflicts, of)
			case b > 0 && 0 > a && b > math.Abs(a):
				of.Type = "compromise"
				of.Position = e.x[i] + (e.x[o]-e.x[i])*math.Abs(a/b)
				compromises = append(compromises, of)
			case e.capitul && b > 0 && 0 > a && b < math.Abs(a):
				of.Type, of.Position = "capitulation", e.x[o]
				capitulations = append(capitulations, of)
			}
		}
		// Least movement, except that compromises are ranked, as in
		// Scholz's code, by the |EU|-weighted point between the two positions.
		pick := -1
		var list []Offer
		switch {
		case len(conflicts) > 0:
			list = conflicts
			pick = argmin(list, func(o Offer) float64 { return math.Abs(e.x[i] - o.Position) })
		case len(compromises) > 0:
			list = compromises
			pick = argmin(list, func(o Offer) float64 {
				top := math.Abs(o.EUReceiver)*e.x[o.To] + math.Abs(o.EUProposer)*e.x[o.From]
				return top / (math.Abs(o.EUReceiver) + math.Abs(o.EUProposer))
			})
		case len(capitulations) > 0:
			list = capitulations
			pick = argmin(list, func(o Offer) float64 { return math.Abs(e.x[i] - o.Position) })
		}
		if pick >= 0 {
			list[pick].Accepted = true
			newX[i] = list[pick].Position
		}
		all = append(all, conflicts...)
		all = append(all, compromises...)
		all = append(all, capitulations...)
	}
	e.x = newX
	return r, all
}

func argmin(list []Offer, key func(Offer) float64) int {
	best, bestV := -1, math.Inf(1)
	for i, o := range list {
		if v := key(o); best < 0 || v < bestV {
			best, bestV = i, v
		}
	}
	return best
}
