package forecast

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/parleyhq/parley/diag"
)

// Option types of KTAB's Spatial Model of Politics; the string values are
// KTAB's own names (as in its XML schema smpSchema.xsd).
type (
	// VictoryProbModel maps coalition strengths to a probability of victory.
	VictoryProbModel string
	// PCEModel turns pairwise victory probabilities into a distribution over options.
	PCEModel string
	// StateTransition picks the bargain an actor adopts.
	StateTransition string
	// VotingRule maps a difference in utility to a vote.
	VotingRule string
	// BigRAdjust is how actor h estimates actor i's risk attitude.
	BigRAdjust string
	// BigRRange is the range of inferred risk attitudes.
	BigRRange string
	// ThirdPartyCommit is how far a third party commits to a side.
	ThirdPartyCommit string
	// InterVecBrgn is how a bargain's position is interpolated.
	InterVecBrgn string
	// BargnModel is which bargains are queued.
	BargnModel string
)

// Values of the SMP option types.
const (
	VPMLinear  VictoryProbModel = "Linear"
	VPMSquare  VictoryProbModel = "Square"
	VPMQuartic VictoryProbModel = "Quartic"
	VPMOctic   VictoryProbModel = "Octic"
	VPMBinary  VictoryProbModel = "Binary"

	PCEConditional     PCEModel = "Conditional"
	PCEMarkovIncentive PCEModel = "MarkovIncentive"
	PCEMarkovUniform   PCEModel = "MarkovUniform"

	Deterministic StateTransition = "Deterministic"
	Stochastic    StateTransition = "Stochastic"

	VRBinary       VotingRule = "Binary"
	VRPropBin      VotingRule = "PropBin"
	VRProportional VotingRule = "Proportional"
	VRPropCbc      VotingRule = "PropCbc"
	VRCubic        VotingRule = "Cubic"
	VRASymProsp    VotingRule = "ASymProsp"

	RAFull      BigRAdjust = "Full"
	RATwoThirds BigRAdjust = "TwoThirds"
	RAHalf      BigRAdjust = "Half"
	RAOneThird  BigRAdjust = "OneThird"
	RANo        BigRAdjust = "No"

	RRMin BigRRange = "Min"
	RRMid BigRRange = "Mid"
	RRMax BigRRange = "Max"

	NoCommit   ThirdPartyCommit = "NoCommit"
	SemiCommit ThirdPartyCommit = "SemiCommit"
	FullCommit ThirdPartyCommit = "FullCommit"

	S1P1   InterVecBrgn = "S1P1"
	S2P2   InterVecBrgn = "S2P2"
	S2PMax InterVecBrgn = "S2PMax"

	InitOnlyInterp BargnModel = "InitOnlyInterp"
	InitRcvrInterp BargnModel = "InitRcvrInterp"
	PWCompInterp   BargnModel = "PWCompInterp"
)

// SMPParams are the parameters of KTAB's Spatial Model of Politics. The zero
// value of every field means KTAB's default (DefaultSMPParams).
type SMPParams struct {
	VictoryProb      VictoryProbModel `json:"victory_prob"`
	PCE              PCEModel         `json:"pce"`
	StateTransitions StateTransition  `json:"state_transitions"`
	VotingRule       VotingRule       `json:"voting_rule"`
	BigRAdjust       BigRAdjust       `json:"big_r_adjust"`
	BigRRange        BigRRange        `json:"big_r_range"`
	ThirdPartyCommit ThirdPartyCommit `json:"third_party_commit"`
	InterVecBrgn     InterVecBrgn     `json:"inter_vec_brgn"`
	BargnModel       BargnModel       `json:"bargn_model"`

	// PosTol is the distance on the [0,1] scale under which two positions
	// are the same (KTAB posTol, 1e-3).
	PosTol float64 `json:"pos_tol"`
	// MinIter and MaxIter bound the number of turns (2 and 100).
	MinIter int `json:"min_iter"`
	MaxIter int `json:"max_iter"`
	// MinDeltaRatio stops the run once a turn moves less than this fraction
	// of the first turn (0.02); MinSigDelta guards the ratio against 0/0 (1e-4).
	MinDeltaRatio float64 `json:"min_delta_ratio"`
	MinSigDelta   float64 `json:"min_sig_delta"`
	// Seed seeds the PCG generator used by Stochastic transitions only
	// (KTAB's own PRNG is not reproduced).
	Seed uint64 `json:"seed,omitempty"`
}

// DefaultSMPParams returns KTAB's defaults (kmodel.h, smp.h, smp.cpp).
func DefaultSMPParams() SMPParams {
	return SMPParams{
		VictoryProb:      VPMLinear,
		PCE:              PCEConditional,
		StateTransitions: Deterministic,
		VotingRule:       VRProportional,
		BigRAdjust:       RAOneThird,
		BigRRange:        RRMid,
		ThirdPartyCommit: SemiCommit,
		InterVecBrgn:     S2P2,
		BargnModel:       InitOnlyInterp,
		PosTol:           1e-3,
		MinIter:          2,
		MaxIter:          100,
		MinDeltaRatio:    0.02,
		MinSigDelta:      1e-4,
	}
}

// withDefaults fills every zero field with KTAB's default.
func (p SMPParams) withDefaults() SMPParams {
	d := DefaultSMPParams()
	p.VictoryProb = cmp.Or(p.VictoryProb, d.VictoryProb)
	p.PCE = cmp.Or(p.PCE, d.PCE)
	p.StateTransitions = cmp.Or(p.StateTransitions, d.StateTransitions)
	p.VotingRule = cmp.Or(p.VotingRule, d.VotingRule)
	p.BigRAdjust = cmp.Or(p.BigRAdjust, d.BigRAdjust)
	p.BigRRange = cmp.Or(p.BigRRange, d.BigRRange)
	p.ThirdPartyCommit = cmp.Or(p.ThirdPartyCommit, d.ThirdPartyCommit)
	p.InterVecBrgn = cmp.Or(p.InterVecBrgn, d.InterVecBrgn)
	p.BargnModel = cmp.Or(p.BargnModel, d.BargnModel)
	p.PosTol = cmp.Or(p.PosTol, d.PosTol)
	p.MinIter = cmp.Or(p.MinIter, d.MinIter)
	p.MaxIter = cmp.Or(p.MaxIter, d.MaxIter)
	p.MinDeltaRatio = cmp.Or(p.MinDeltaRatio, d.MinDeltaRatio)
	p.MinSigDelta = cmp.Or(p.MinSigDelta, d.MinSigDelta)
	return p
}

// check reports every parameter outside KTAB's choices or ranges.
func (p SMPParams) check() error {
	var errs diag.List
	oneOf(&errs, "VictoryProbModel", p.VictoryProb, VPMLinear, VPMSquare, VPMQuartic, VPMOctic, VPMBinary)
	oneOf(&errs, "PCEModel", p.PCE, PCEConditional, PCEMarkovIncentive, PCEMarkovUniform)
	oneOf(&errs, "StateTransitions", p.StateTransitions, Deterministic, Stochastic)
	oneOf(&errs, "VotingRule", p.VotingRule, VRBinary, VRPropBin, VRProportional, VRPropCbc, VRCubic, VRASymProsp)
	oneOf(&errs, "BigRAdjust", p.BigRAdjust, RAFull, RATwoThirds, RAHalf, RAOneThird, RANo)
	oneOf(&errs, "BigRRange", p.BigRRange, RRMin, RRMid, RRMax)
	oneOf(&errs, "ThirdPartyCommit", p.ThirdPartyCommit, NoCommit, SemiCommit, FullCommit)
	oneOf(&errs, "InterVecBrgn", p.InterVecBrgn, S1P1, S2P2, S2PMax)
	oneOf(&errs, "BargnModel", p.BargnModel, InitOnlyInterp, InitRcvrInterp, PWCompInterp)
	if !(p.PosTol > 0) || math.IsInf(p.PosTol, 0) {
		errs.Add(diag.Pos{}, "SMP parameter PosTol must be positive, got %v", p.PosTol)
	}
	if p.MinIter < 1 || p.MaxIter < p.MinIter {
		errs.Add(diag.Pos{}, "SMP parameters need 1 ≤ MinIter ≤ MaxIter, got %d and %d", p.MinIter, p.MaxIter)
	}
	if !(p.MinDeltaRatio >= 0) || !(p.MinSigDelta > 0) {
		errs.Add(diag.Pos{}, "SMP parameters MinDeltaRatio must be ≥ 0 and MinSigDelta > 0")
	}
	return errs.Err()
}

// oneOf reports the SMP parameter field if its value v is none of allowed.
func oneOf[T ~string](errs *diag.List, field string, v T, allowed ...T) {
	if !slices.Contains(allowed, v) {
		errs.Add(diag.Pos{}, "SMP parameter %s: unknown value %q (one of %v)", field, v, allowed)
	}
}

// smpMinActors is KTAB's Model::minNumActor.
const smpMinActors = 3

// ValidateSMP checks what SMP needs beyond Validate: at least three actors
// that take part, that is, with positive salience on some dimension. Actors
// with zero salience on every dimension are allowed: they take no part in
// the dynamics (KTAB itself refuses them: its salience-weighted distance
// divides by Σ_d s_id², SMPModel::bvDiff, "ssSqr must be positive").
func (p *Problem) ValidateSMP() error {
	if err := p.Validate(); err != nil {
		return err
	}
	active := 0
	for i := range p.Actors {
		if p.Actors[i].takesPartAnywhere() {
			active++
		}
	}
	if active < smpMinActors {
		msg := fmt.Sprintf("SMP needs at least %d actors with positive salience, got %d", smpMinActors, active)
		if idle := len(p.Actors) - active; idle > 0 {
			msg += fmt.Sprintf(" (%d of the %d actors have zero salience and take no part)", idle, len(p.Actors))
		}
		return diag.List{{Pos: at(p.Source, 0), Msg: msg}}
	}
	return nil
}

// SMP runs KTAB's Spatial Model of Politics (KAPSARC Toolkit for Behavioral
// Analysis, smpc) on the problem with the given parameters; the zero value of
// SMPParams means KTAB's defaults. With default (deterministic) parameters it
// reproduces KTAB's reference runs. Actors with zero salience on every
// dimension take no part: the model runs on the others, exactly as if they
// were absent, and they keep their positions (Result.Inactive names them).
func SMP(p Problem, params SMPParams) (*Result, error) {
	if err := p.ValidateSMP(); err != nil {
		return nil, err
	}
	params = params.withDefaults()
	if err := params.check(); err != nil {
		return nil, err
	}
	var active []int
	for i := range p.Actors {
		if p.Actors[i].takesPartAnywhere() {
			active = append(active, i)
		}
	}
	if len(active) == len(p.Actors) {
		return runSMP(&p, params), nil
	}
	return withInactive(runSMP(p.only(active), params), &p, active), nil
}

// only is the problem restricted to the actors at the given indices (the
// accommodation matrix to their rows and columns).
func (p *Problem) only(idx []int) *Problem {
	q := *p
	q.Actors = make([]Actor, len(idx))
	for k, i := range idx {
		q.Actors[k] = p.Actors[i]
	}
	if p.Accommodation != nil {
		q.Accommodation = make([][]float64, len(idx))
		for k, i := range idx {
			row := make([]float64, len(idx))
			for l, j := range idx {
				row[l] = p.Accommodation[i][j]
			}
			q.Accommodation[k] = row
		}
	}
	return &q
}

// withInactive widens a result computed for the active actors of p to all
// of p's actors: the others keep their positions in every round, with win
// probability and risk attitude 0 (they are not candidates and never act).
func withInactive(r *Result, p *Problem, active []int) *Result {
	n := len(p.Actors)
	isActive := make([]int, n)
	for i := range isActive {
		isActive[i] = -1
	}
	for k, i := range active {
		isActive[i] = k
	}
	r.Actors = p.ActorNames()
	r.Inactive = p.inactive()
	for t := range r.Rounds {
		rd := &r.Rounds[t]
		pos := make([][]float64, n)
		var win, risk []float64
		if rd.WinProb != nil {
			win = make([]float64, n)
		}
		if rd.RiskAttitude != nil {
			risk = make([]float64, n)
		}
		for i, k := range isActive {
			if k < 0 {
				pos[i] = append([]float64(nil), p.Actors[i].Positions...)
				continue
			}
			pos[i] = rd.Positions[k]
			if win != nil {
				win[i] = rd.WinProb[k]
			}
			if risk != nil {
				risk[i] = rd.RiskAttitude[k]
			}
		}
		rd.Positions, rd.WinProb, rd.RiskAttitude = pos, win, risk
	}
	return r
}

// runSMP runs the model on a validated problem whose actors all take part.
func runSMP(p *Problem, params SMPParams) *Result {
	m := newSMPModel(p, params)
	st := m.initialState(p)
	res := &Result{
		Model:      "smp",
		Label:      "Spatial Model of Politics (KTAB, KAPSARC 2015; " + m.paramLabel() + ")",
		Dimensions: p.DimensionNames(),
		Actors:     p.ActorNames(),
	}
	states := []*smpState{st}
	var d01 float64
	var ratios []float64
	for t := 1; ; t++ {
		next := m.step(st)
		states = append(states, next)
		dist := m.stateDist(st, next)
		if t == 1 {
			d01 = dist + params.MinSigDelta
		}
		ratio := dist / d01
		ratios = append(ratios, ratio)
		st = next
		if t >= params.MinIter && ratio < params.MinDeltaRatio {
			res.Converged = true
			res.Stop = fmt.Sprintf("turn %d moved %.4f of the first turn's distance (< %g)", t, ratio, params.MinDeltaRatio)
			break
		}
		if t >= params.MaxIter {
			res.Stop = fmt.Sprintf("reached the limit of %d turns", params.MaxIter)
			break
		}
	}
	for t, s := range states {
		rd := Round{Round: t, Positions: scale100(s.pos), RiskAttitude: append([]float64(nil), s.r...)}
		win, best, expected := m.winProbs(s)
		rd.WinProb = win
		rd.Forecast = best
		if t > 0 {
			rd.Stopping = f64p(ratios[t-1])
		}
		res.Rounds = append(res.Rounds, rd)
		if t == len(states)-1 {
			res.Forecast = append([]float64(nil), best...)
			res.Expected = expected
		}
	}
	return res
}

func (m *smpModel) paramLabel() string {
	p := m.par
	d := DefaultSMPParams()
	p.Seed, d.Seed = 0, 0
	if p == d {
		return "KTAB default parameters"
	}
	return fmt.Sprintf("%s, %s, %s, %s, %s, %s, %s, %s, %s", p.VictoryProb, p.PCE, p.StateTransitions,
		p.VotingRule, p.BigRAdjust, p.BigRRange, p.ThirdPartyCommit, p.InterVecBrgn, p.BargnModel)
}

func scale100(pos [][]float64) [][]float64 {
	out := make([][]float64, len(pos))
	for i, row := range pos {
		out[i] = make([]float64, len(row))
		for d, x := range row {
			out[i][d] = x * 100
		}
	}
	return out
}

type smpModel struct {
	n, nd    int
	par      SMPParams
	cap      []float64   // capability c_i
	sal      [][]float64 // salience on [0,1], [actor][dimension]
	salSum   []float64   // S_i = Σ_d s_id
	w        []float64   // S_i·c_i
	acc      [][]float64 // accommodation; nil = identity
	rng      *rand.Rand  // Stochastic transitions only
	scratchU [][]float64
}

type smpState struct {
	pos, ideal [][]float64 // [actor][dimension] on [0,1]
	d          [][]float64 // d[i][j] = salience-weighted distance from i's ideal to j's position
	r          []float64   // risk attitudes R_i
	est        [][]float64 // est[h][i] = h's estimate of R_i
	uself      [][]float64 // uself[a][n] = aUtil[a](a, n)
}

func newSMPModel(p *Problem, par SMPParams) *smpModel {
	n, nd := len(p.Actors), len(p.Dimensions)
	m := &smpModel{n: n, nd: nd, par: par, acc: p.Accommodation}
	m.cap = make([]float64, n)
	m.sal = make([][]float64, n)
	m.salSum = make([]float64, n)
	m.w = make([]float64, n)
	defer func() {
		for i := range m.w {
			m.w[i] = m.salSum[i] * m.cap[i]
		}
	}()
	for i, a := range p.Actors {
		m.cap[i] = a.Capability
		m.sal[i] = make([]float64, nd)
		for d, s := range a.Saliences {
			m.sal[i][d] = s / 100
			m.salSum[i] += s / 100
		}
	}
	if isIdentity(m.acc) {
		m.acc = nil
	}
	if par.StateTransitions == Stochastic {
		m.rng = rand.New(rand.NewPCG(par.Seed, 0x9e3779b97f4a7c15))
	}
	return m
}

func isIdentity(a [][]float64) bool {
	for i, row := range a {
		for j, v := range row {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(v-want) >= 1e-10 {
				return false
			}
		}
	}
	return true
}

func (m *smpModel) initialState(p *Problem) *smpState {
	st := &smpState{pos: make([][]float64, m.n)}
	for i, a := range p.Actors {
		st.pos[i] = make([]float64, m.nd)
		for d, x := range a.Positions {
			st.pos[i][d] = x / 100
		}
	}
	st.ideal = copyMatrix(st.pos)
	m.setup(st)
	return st
}

func copyMatrix(a [][]float64) [][]float64 {
	out := make([][]float64, len(a))
	for i, row := range a {
		out[i] = append([]float64(nil), row...)
	}
	return out
}

func newMatrix(r, c int) [][]float64 {
	buf := make([]float64, r*c)
	out := make([][]float64, r)
	for i := range out {
		out[i] = buf[i*c : (i+1)*c : (i+1)*c]
	}
	return out
}

// bvDiff is KTAB's salience-weighted distance sqrt(Σ s²Δ² / Σ s²).
func bvDiff(ideal, pos, sal []float64) float64 {
	dsSqr, ssSqr := 0.0, 0.0
	for d := range ideal {
		ds := (ideal[d] - pos[d]) * sal[d]
		dsSqr += ds * ds
		ssSqr += sal[d] * sal[d]
	}
	return math.Sqrt(dsSqr / ssSqr)
}

// bsUtil is KTAB's utility of a normalised distance sd for risk attitude R.
func bsUtil(sd, r float64) float64 {
	if sd <= 1 {
		return (1 - sd) * (1 + sd*r)
	}
	return (1 - sd) * (1 + r)
}

// setup computes distances, risk attitudes and utilities of a state
// (KTAB SMPState::setAllAUtil).
func (m *smpModel) setup(st *smpState) {
	n := m.n
	st.d = newMatrix(n, n)
	for i := range n {
		for j := range n {
			st.d[i][j] = bvDiff(st.ideal[i], st.pos[j], m.sal[i])
		}
	}
	rn := newMatrix(n, n)
	for i := range n {
		for j := range n {
			rn[i][j] = bsUtil(st.d[i][j], 0)
		}
	}
	c := coalitions(m.par.VotingRule, m.cap, rn, n)
	pv := vProbMatrix(m.par.VictoryProb, c)
	p := pce(m.par.PCE, m.par.VictoryProb, pv, c)
	st.r = bigRFromProb(p, m.par.BigRRange)
	st.est = newMatrix(n, n)
	for h := range n {
		for i := range n {
			st.est[h][i] = estNRA(st.r[h], st.r[i], m.par.BigRAdjust)
		}
	}
	st.uself = newMatrix(n, n)
	for a := range n {
		r := st.est[a][a]
		for j := range n {
			st.uself[a][j] = bsUtil(st.d[a][j], r)
		}
	}
}

// vote is KTAB's Model::vote: actor weight w's vote for option j over k.
func vote(vr VotingRule, w, uj, uk float64) float64 {
	du := uj - uk
	switch vr {
	case VRProportional:
		return w * du
	case VRBinary:
		return w * clamp1(du/1e-8)
	case VRPropBin:
		return w * (0.8*du + 0.2*clamp1(du/1e-8))
	case VRPropCbc:
		return w * (0.5*du + 0.5*du*du*du)
	case VRCubic:
		return w * du * du * du
	case VRASymProsp:
		if du < 0 {
			return w * du
		}
		if du > 0 {
			return 2 * w * du / 3
		}
		return 0
	}
	panic("forecast: unknown voting rule " + string(vr))
}

func clamp1(x float64) float64 {
	return math.Max(-1, math.Min(1, x))
}

// coalitions returns c[i][j], the strength of the coalition for option i
// over option j, from actors' weights w and utilities u[actor][option]
// (KTAB Model::coalitions).
func coalitions(vr VotingRule, w []float64, u [][]float64, nOpt int) [][]float64 {
	const minC = 1e-8
	c := newMatrix(nOpt, nOpt)
	if vr == VRProportional {
		// the same sums as below, with vote inlined and options in rows
		ut := newMatrix(nOpt, len(w))
		for k := range w {
			for i := range nOpt {
				ut[i][k] = u[k][i]
			}
		}
		for i := range nOpt {
			ui := ut[i]
			for j := range i {
				uj := ut[j]
				cij, cji := minC, minC
				for k, wk := range w {
					v := wk * (ui[k] - uj[k])
					cij, cji = tally(cij, cji, v)
				}
				c[i][j], c[j][i] = cij, cji
			}
			c[i][i] = minC
		}
		return c
	}
	for i := range nOpt {
		for j := range i {
			cij, cji := minC, minC
			for k := range w {
				v := vote(vr, w[k], u[k][i], u[k][j])
				cij, cji = tally(cij, cji, v)
			}
			c[i][j], c[j][i] = cij, cji
		}
		c[i][i] = minC
	}
	return c
}

// vProb is KTAB's probability that coalition s1 beats s2.
func vProb(vpm VictoryProbModel, s1, s2 float64) (float64, float64) {
	var x1, x2 float64
	switch vpm {
	case VPMLinear:
		x1, x2 = s1, s2
	case VPMSquare:
		x1, x2 = s1*s1, s2*s2
	case VPMQuartic:
		x1, x2 = s1*s1*s1*s1, s2*s2*s2*s2
	case VPMOctic:
		q1, q2 := s1*s1*s1*s1, s2*s2*s2*s2
		x1, x2 = q1*q1, q2*q2
	case VPMBinary:
		const thresh, minX = 1.10, 1e-6
		switch {
		case s1 >= thresh*s2:
			x1, x2 = 1, minX
		case s2 >= thresh*s1:
			x1, x2 = minX, 1
		default:
			p12 := (s1/(s1+s2)*(thresh+1) - 1) / (thresh - 1)
			x1, x2 = p12, 1-p12
		}
	}
	return x1 / (x1 + x2), x2 / (x1 + x2)
}

func vProbMatrix(vpm VictoryProbModel, c [][]float64) [][]float64 {
	n := len(c)
	p := newMatrix(n, n)
	for i := range n {
		for j := range i {
			p[i][j], p[j][i] = vProb(vpm, c[i][j], c[j][i])
		}
		p[i][i] = 0.5
	}
	return p
}

// pce is KTAB's probabilistic Condorcet election.
func pce(model PCEModel, vpm VictoryProbModel, pv, c [][]float64) []float64 {
	switch model {
	case PCEMarkovUniform:
		return markovUniformPCE(pv)
	case PCEMarkovIncentive:
		return markovIncentivePCE(pv, c)
	}
	return condPCE(pv)
}

// condPCE: p_i ∝ Π_j P[i>j]. Falls back to logarithms if every product
// underflows (KTAB would divide 0 by 0).
func condPCE(pv [][]float64) []float64 {
	n := len(pv)
	p := make([]float64, n)
	sum := 0.0
	for i := range n {
		pi := 1.0
		for j := range n {
			pi *= pv[i][j]
		}
		p[i] = pi
		sum += pi
	}
	if sum > 0 {
		for i := range p {
			p[i] /= sum
		}
		return p
	}
	maxL := math.Inf(-1)
	for i := range n {
		l := 0.0
		for j := range n {
			l += math.Log(pv[i][j])
		}
		p[i] = l
		maxL = math.Max(maxL, l)
	}
	sum = 0
	for i := range p {
		p[i] = math.Exp(p[i] - maxL)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

func markovUniformPCE(pv [][]float64) []float64 {
	n := len(pv)
	return dampedFixedPoint(n, 1e-6, func(p, q []float64) {
		for i := range n {
			pi := 0.0
			for j := range n {
				pi += pv[i][j] * (p[i] + p[j])
			}
			q[i] = pi / float64(n)
		}
	})
}

func markovIncentivePCE(pv, c [][]float64) []float64 {
	n := len(pv)
	inc := newMatrix(n, n)
	for i := range n {
		for j := range n {
			inc[i][j] = c[i][j] * pv[i][j]
			if i == j {
				inc[i][j] += 1e-10
			}
		}
	}
	chlg := newMatrix(n, n)
	for j := range n {
		sum := 0.0
		for k := range n {
			sum += inc[k][j]
		}
		for i := range n {
			chlg[i][j] = inc[i][j] / sum
		}
	}
	ct := newMatrix(n, n)
	return dampedFixedPoint(n, 1e-8, func(p, q []float64) {
		for i := range n {
			for j := range n {
				ct[i][j] = p[i] * chlg[j][i]
			}
		}
		for i := range n {
			qi := 0.0
			for j := range n {
				qi += pv[i][j] * (ct[i][j] + ct[j][i])
			}
			q[i] = qi
		}
	})
}

// dampedFixedPoint finds the distribution of the Markov PCE models: from the
// uniform p it sets next(p, q), then p ← (p+q)/2, until no q[i] lies more
// than tol from p[i] (at most 1000 times, as KTAB).
func dampedFixedPoint(n int, tol float64, next func(p, q []float64)) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = 1 / float64(n)
	}
	q := make([]float64, n)
	for iter := 0; iter < 1000; iter++ {
		next(p, q)
		change := 0.0
		for i := range p {
			change = math.Max(change, math.Abs(q[i]-p[i]))
		}
		for i := range p {
			p[i] = (p[i] + q[i]) / 2
		}
		if change <= tol {
			break
		}
	}
	return p
}

// bigRFromProb infers risk attitudes from the probabilities of actors'
// positions: the most likely gets the top of the range (risk averse).
// If every probability is equal (KTAB divides by zero) all are risk neutral.
func bigRFromProb(p []float64, rr BigRRange) []float64 {
	pMin, pMax := 1.0, 0.0
	for _, v := range p {
		pMin = math.Min(pMin, v)
		pMax = math.Max(pMax, v)
	}
	r := make([]float64, len(p))
	if !(pMax > pMin) {
		return r
	}
	for i, v := range p {
		switch rr {
		case RRMin:
			r[i] = (v - pMin) / (pMax - pMin)
		case RRMax:
			r[i] = (2*v - (pMax + pMin)) / (pMax - pMin)
		default:
			r[i] = (3*v - (pMax + 2*pMin)) / (2 * (pMax - pMin))
		}
	}
	return r
}

// estNRA is h's estimate of i's risk attitude.
func estNRA(rh, ri float64, ra BigRAdjust) float64 {
	switch ra {
	case RAFull:
		return ri
	case RATwoThirds:
		return (rh + 2.0*ri) / 3.0
	case RAHalf:
		return (rh + ri) / 2
	case RANo:
		return rh
	}
	return (2.0*rh + ri) / 3.0
}

// probEduChlg is h's estimate of the probability that i beats j and of the
// expected gain to k of i challenging j (KTAB SMPState::probEduChlg).
func (m *smpModel) probEduChlg(st *smpState, h, k, i, j int) (phij, du float64) {
	vr := m.par.VotingRule
	est := st.est[h]
	d := st.d
	uii := bsUtil(d[i][i], est[i])
	uij := bsUtil(d[i][j], est[i])
	uji := bsUtil(d[j][i], est[j])
	ujj := bsUtil(d[j][j], est[j])
	uki := bsUtil(d[k][i], est[k])
	ukj := bsUtil(d[k][j], est[k])
	euSQ := uki + ukj
	uhkij := uki + uki
	uhkji := ukj + ukj
	sj := m.salSum[j]
	contribI := vote(vr, m.salSum[i]*m.cap[i], uii, uij)
	contribJ := vote(vr, sj*m.cap[j], uji, ujj)
	const minCltn = 1e-10
	chij, chji := minCltn, minCltn
	chij, chji = tally(chij, chji, contribI)
	chij, chji = tally(chij, chji, contribJ)
	ci, cj := chij, chji
	tpc := m.par.ThirdPartyCommit
	for n := range m.n {
		if n == i || n == j {
			continue
		}
		wn := m.salSum[n] * m.cap[n]
		dn := d[n]
		rn := est[n]
		uni := bsUtil(dn[i], rn)
		unj := bsUtil(dn[j], rn)
		unn := bsUtil(dn[n], rn)
		// the little contest (i:j) with n weighing in (Actor::vProbLittle)
		cn := vote(vr, wn, uni, unj)
		cni, cnj := tally(ci, cj, cn)
		pin := cni / (cni + cnj)
		v := thirdPartyVote(wn, vr, tpc, pin, 1-pin, uni, unj, unn)
		chij, chji = tally(chij, chji, v)
	}
	phij = chij / (chij + chji)
	phji := chji / (chij + chji)
	euVict := uhkij
	euCntst := phij*uhkij + phji*uhkji
	euChlg := (1-sj)*euVict + sj*euCntst
	return phij, euChlg - euSQ
}

// tally adds vote v to the coalition it favours, as KTAB does: i's (cij)
// when v > 0, j's (cji, as −v) when v < 0.
func tally(cij, cji, v float64) (float64, float64) {
	if v > 0 {
		cij += v
	}
	if v < 0 {
		cji -= v
	}
	return cij, cji
}

// fastScratch holds per-state and per-challenger arrays for probEduChlgFast.
type fastScratch struct {
	dT   [][]float64 // dT[j][n] = d[n][j]
	forI int         // challenger the arrays below are for
	uni  []float64   // U^i(n, i)
	a2ni []float64   // 2U^i(n,i) + U^i(n,n)
	a3ni []float64   // 3U^i(n,i)
	unn  []float64   // U^i(n, n)
}

func newFastScratch(st *smpState, n int) *fastScratch {
	fs := &fastScratch{dT: newMatrix(n, n), forI: -1,
		uni: make([]float64, n), a2ni: make([]float64, n), a3ni: make([]float64, n), unn: make([]float64, n)}
	for i := range n {
		for j := range n {
			fs.dT[j][i] = st.d[i][j]
		}
	}
	return fs
}

// probEduChlgFast is probEduChlg(i, i, i, j) specialised to Proportional
// voting and SemiCommit third parties, with per-challenger terms hoisted out
// of the loop over j. Every value is computed with the same operations in
// the same order as probEduChlg, so the results are identical.
func (m *smpModel) probEduChlgFast(st *smpState, fs *fastScratch, i, j int) (phij, du float64) {
	est := st.est[i]
	d := st.d
	if fs.forI != i {
		fs.forI = i
		colI := fs.dT[i]
		for n := range m.n {
			r := est[n]
			uni := bsUtil(colI[n], r)
			unn := bsUtil(d[n][n], r)
			fs.uni[n] = uni
			fs.unn[n] = unn
			fs.a2ni[n] = uni + uni + unn
			fs.a3ni[n] = uni + uni + uni
		}
	}
	uii := bsUtil(d[i][i], est[i])
	uij := bsUtil(d[i][j], est[i])
	uji := bsUtil(d[j][i], est[j])
	ujj := bsUtil(d[j][j], est[j])
	uki, ukj := uii, uij
	euSQ := uki + ukj
	uhkij := uki + uki
	uhkji := ukj + ukj
	sj := m.salSum[j]
	contribI := m.salSum[i] * m.cap[i] * (uii - uij)
	contribJ := sj * m.cap[j] * (uji - ujj)
	const minCltn = 1e-10
	chij, chji := minCltn, minCltn
	chij, chji = tally(chij, chji, contribI)
	chij, chji = tally(chij, chji, contribJ)
	ci, cj := chij, chji
	colJ := fs.dT[j]
	w := m.w
	for n := range m.n {
		if n == i || n == j {
			continue
		}
		wn := w[n]
		rn := est[n]
		uni := fs.uni[n]
		unj := bsUtil(colJ[n], rn)
		// Branch-free forms of KTAB's "if (x > 0) add x": adding an exact
		// zero leaves a positive sum unchanged, so the values are identical.
		cn := wn * (uni - unj)
		cnPos, cnNeg := cn, -cn
		if cnPos < 0 {
			cnPos = 0
		}
		if cnNeg < 0 {
			cnNeg = 0
		}
		cni, cnj := ci+cnPos, cj+cnNeg
		pin := cni / (cni + cnj)
		pjn := 1 - pin
		uIkJ := pin*fs.a2ni[n] + pjn*(unj+unj+unj)
		uIJk := pin*fs.a3ni[n] + pjn*(unj+unj+fs.unn[n])
		v := wn * (uIkJ - uIJk)
		vPos, vNeg := v, -v
		if vPos < 0 {
			vPos = 0
		}
		if vNeg < 0 {
			vNeg = 0
		}
		chij += vPos
		chji += vNeg
	}
	phij = chij / (chij + chji)
	phji := chji / (chij + chji)
	euVict := uhkij
	euCntst := phij*uhkij + phji*uhkji
	euChlg := (1-sj)*euVict + sj*euCntst
	return phij, euChlg - euSQ
}

// thirdPartyVote is KTAB's Actor::thirdPartyVoteSU.
func thirdPartyVote(w float64, vr VotingRule, tpc ThirdPartyCommit, pik, pjk, uki, ukj, ukk float64) float64 {
	var ikDefJ, jDefIk, iDefJk, jkDefI float64
	switch tpc {
	case FullCommit:
		ikDefJ = uki + uki + uki
		jDefIk = ukj + ukj + ukj
		iDefJk = uki + uki + uki
		jkDefI = ukj + ukj + ukj
	case NoCommit:
		ikDefJ = uki + uki + ukk
		jDefIk = ukj + ukj + ukk
		iDefJk = uki + uki + ukk
		jkDefI = ukj + ukj + ukk
	default:
		ikDefJ = uki + uki + ukk
		jDefIk = ukj + ukj + ukj
		iDefJk = uki + uki + uki
		jkDefI = ukj + ukj + ukk
	}
	uIkJ := pik*ikDefJ + pjk*jDefIk
	uIJk := pik*iDefJk + pjk*jkDefI
	return vote(vr, w, uIkJ, uIJk)
}

type bargain struct {
	init, rcvr       int
	posInit, posRcvr []float64
}

func round4(x float64) float64 {
	const s = 10000.0
	return float64(int(0.5+x*s)) / s
}

// interpolate forms the bargain between i and j (KTAB SMPActor::interpolateBrgn).
func (m *smpModel) interpolate(i, j int, posI, posJ []float64, prbI, prbJ float64) bargain {
	b := bargain{init: i, rcvr: j, posInit: make([]float64, m.nd), posRcvr: make([]float64, m.nd)}
	for k := range m.nd {
		tik, sik := posI[k], m.sal[i][k]
		tjk, sjk := posJ[k], m.sal[j][k]
		var bik, bjk float64
		switch m.par.InterVecBrgn {
		case S2PMax:
			di := math.Max(prbJ-prbI, 0)
			dj := math.Max(prbI-prbJ, 0)
			sik2, sjk2 := sik*sik, sjk*sjk
			const minW = 1e-6
			dik := (di * sjk2) / ((di * sjk2) + minW + ((1 - di) * sik2))
			djk := (dj * sik2) / ((dj * sik2) + minW + ((1 - dj) * sjk2))
			bik = tik + dik*(tjk-tik)
			bjk = tjk + djk*(tik-tjk)
		default:
			wik, wjk := sik*prbI, sjk*prbJ
			if m.par.InterVecBrgn == S2P2 {
				wik = sik * sik * prbI * prbI
				wjk = sjk * sjk * prbJ * prbJ
			}
			const minW = 1e-6
			bik = round4(((wik+minW)*tik + wjk*tjk) / (wik + minW + wjk))
			bjk = round4((wik*tik + (minW+wjk)*tjk) / (wik + minW + wjk))
		}
		b.posInit[k], b.posRcvr[k] = bik, bjk
	}
	return b
}

// step runs one turn: challenges, bargains, resolution (KTAB SMPState::doBCN).
func (m *smpModel) step(st *smpState) *smpState {
	n := m.n
	queues := make([][]bargain, n)
	for k := range n {
		queues[k] = append(queues[k], bargain{init: k, rcvr: k})
	}
	fast := m.par.VotingRule == VRProportional && m.par.ThirdPartyCommit == SemiCommit
	var fs *fastScratch
	if fast {
		fs = newFastScratch(st, n)
	}
	for i := range n {
		bestJ, piiJ, bestEU := -1, 0.0, -1.0
		for j := range n {
			if j == i {
				continue
			}
			var p, du float64
			if fast {
				p, du = m.probEduChlgFast(st, fs, i, j)
			} else {
				p, du = m.probEduChlg(st, i, i, i, j)
			}
			if 1e-5 < du && bestEU < du {
				bestJ, piiJ, bestEU = j, p, du
			}
		}
		if bestJ < 0 {
			continue
		}
		j := bestJ
		bIIJ := m.interpolate(i, j, st.pos[i], st.pos[j], piiJ, 1-piiJ)
		switch m.par.BargnModel {
		case InitRcvrInterp, PWCompInterp:
			pjiJ, _ := m.probEduChlg(st, j, i, i, j)
			bJIJ := m.interpolate(i, j, st.pos[i], st.pos[j], pjiJ, 1-pjiJ)
			if m.par.BargnModel == InitRcvrInterp {
				queues[i] = append(queues[i], bIIJ, bJIJ)
				queues[j] = append(queues[j], bIIJ, bJIJ)
				break
			}
			// KTAB weighs j's view by c_i·S_j (it reads the capability of
			// brgnJIJ's initiator, i); kept as in KTAB.
			wi := m.cap[i] * m.salSum[i]
			wj := m.cap[i] * m.salSum[j]
			b := bargain{init: i, rcvr: j, posInit: make([]float64, m.nd), posRcvr: make([]float64, m.nd)}
			for k := range m.nd {
				b.posInit[k] = (wi*bIIJ.posInit[k] + wj*bJIJ.posInit[k]) / (wi + wj)
				b.posRcvr[k] = (wi*bIIJ.posRcvr[k] + wj*bJIJ.posRcvr[k]) / (wi + wj)
			}
			queues[i] = append(queues[i], b)
			queues[j] = append(queues[j], b)
		default:
			queues[i] = append(queues[i], bIIJ)
			queues[j] = append(queues[j], bIIJ)
		}
	}

	next := &smpState{pos: make([][]float64, n)}
	cache := &bargainCache{}
	for k := range n {
		q := queues[k]
		u := m.bargainUtils(st, q, cache)
		p := m.scalarPCE(u, len(q))
		mMax := 0
		if m.rng != nil {
			mMax = probSel(m.rng, p)
		} else {
			best := -1.0
			for i, v := range p {
				if best < math.Abs(v) {
					best, mMax = math.Abs(v), i
				}
			}
		}
		b := q[mMax]
		switch {
		case b.init == b.rcvr:
			next.pos[k] = append([]float64(nil), st.pos[k]...)
		case b.init == k:
			next.pos[k] = append([]float64(nil), b.posInit...)
		default:
			next.pos[k] = append([]float64(nil), b.posRcvr...)
		}
	}
	next.ideal = m.newIdeals(st.ideal, next.pos)
	m.setup(next)
	return next
}

func probSel(rng *rand.Rand, p []float64) int {
	x := rng.Float64()
	for i, v := range p {
		x -= v
		if x <= 0 {
			return i
		}
	}
	return len(p) - 1
}

// bargainUtils is u[a][m], actor a's average utility over all positions
// after bargain m is implemented (KTAB updateBestBrgnPositions's brgnUtil).
// Sums run in KTAB's order; each bargain's column is computed once and shared
// by the two queues holding it.
func (m *smpModel) bargainUtils(st *smpState, q []bargain, cache *bargainCache) [][]float64 {
	n := m.n
	if cap(m.scratchU) < n {
		m.scratchU = make([][]float64, n)
	}
	u := m.scratchU[:n]
	for a := range n {
		if cap(u[a]) < len(q) {
			u[a] = make([]float64, len(q), 2*len(q))
		}
		u[a] = u[a][:len(q)]
	}
	for mi, b := range q {
		col := cache.column(m, st, b)
		for a := range n {
			u[a][mi] = col[a]
		}
	}
	return u
}

type bargainCache struct {
	sq   []float64
	cols map[*float64][]float64 // keyed by the bargain's posInit backing array
}

func (c *bargainCache) column(m *smpModel, st *smpState, b bargain) []float64 {
	n := m.n
	if b.init == b.rcvr {
		if c.sq == nil {
			c.sq = make([]float64, n)
			for a := range n {
				sum := 0.0
				for _, v := range st.uself[a] {
					sum += v
				}
				c.sq[a] = sum / float64(n)
			}
		}
		return c.sq
	}
	key := &b.posInit[0]
	if col, ok := c.cols[key]; ok {
		return col
	}
	col := make([]float64, n)
	for a := range n {
		sum := bsUtil(bvDiff(st.ideal[a], b.posInit, m.sal[a]), st.r[a])
		sum += bsUtil(bvDiff(st.ideal[a], b.posRcvr, m.sal[a]), st.r[a])
		for j, v := range st.uself[a] {
			if j != b.init && j != b.rcvr {
				sum += v
			}
		}
		col[a] = sum / float64(n)
	}
	if c.cols == nil {
		c.cols = map[*float64][]float64{}
	}
	c.cols[key] = col
	return col
}

// scalarPCE is KTAB's Model::scalarPCE with the actors' capabilities as weights.
func (m *smpModel) scalarPCE(u [][]float64, nOpt int) []float64 {
	c := coalitions(m.par.VotingRule, m.cap, u, nOpt)
	pv := vProbMatrix(m.par.VictoryProb, c)
	return pce(m.par.PCE, m.par.VictoryProb, pv, c)
}

// newIdeals moves ideals by the accommodation matrix (identity: ideal = position).
func (m *smpModel) newIdeals(old, pos [][]float64) [][]float64 {
	if m.acc == nil {
		return copyMatrix(pos)
	}
	out := make([][]float64, m.n)
	for i := range m.n {
		ni := make([]float64, m.nd)
		si := 0.0
		for j := range m.n {
			a := m.acc[i][j]
			si += a
			for d := range m.nd {
				ni[d] += a * pos[j][d]
			}
		}
		lag := 1 - math.Min(si, 1)
		for d := range m.nd {
			ni[d] += lag * old[i][d]
		}
		out[i] = ni
	}
	return out
}

// stateDist is Σ_i ‖x_i(a) − x_i(b)‖ (KTAB SMPModel::stateDist).
func (m *smpModel) stateDist(a, b *smpState) float64 {
	sum := 0.0
	for i := range m.n {
		s := 0.0
		for d := range m.nd {
			x := a.pos[i][d] - b.pos[i][d]
			s += x * x
		}
		sum += math.Sqrt(s)
	}
	return sum
}

// winProbs returns each actor's probability that its position wins a
// probabilistic Condorcet election over the distinct positions, valued by
// each actor with its own utilities (KTAB pDist(-1) and posProb), the most
// probable position (0–100) and the probability-weighted mean position.
func (m *smpModel) winProbs(st *smpState) (win, best, expected []float64) {
	n := m.n
	tol := m.par.PosTol
	equiv := func(i, j int) bool {
		s := 0.0
		for d := range m.nd {
			x := st.pos[i][d] - st.pos[j][d]
			s += x * x
		}
		return math.Sqrt(s) < tol
	}
	var uniq []int
	for i := range n {
		found := false
		for _, k := range uniq {
			if equiv(i, k) {
				found = true
				break
			}
		}
		if !found {
			uniq = append(uniq, i)
		}
	}
	u := newMatrix(n, len(uniq))
	for i := range n {
		for j, k := range uniq {
			u[i][j] = st.uself[i][k]
		}
	}
	p := m.scalarPCE(u, len(uniq))
	win = make([]float64, n)
	for i := range n {
		for j, k := range uniq {
			if equiv(i, k) {
				win[i] = p[j]
			}
		}
	}
	top := 0
	expected = make([]float64, m.nd)
	for j, k := range uniq {
		if p[j] > p[top] {
			top = j
		}
		for d := range m.nd {
			expected[d] += p[j] * st.pos[k][d] * 100
		}
	}
	best = make([]float64, m.nd)
	for d := range m.nd {
		best[d] = st.pos[uniq[top]][d] * 100
	}
	return win, best, expected
}
