package analysis

// AgendaInfo compares the package deal with the agenda solved by backward
// induction (see the package documentation, "Agenda versus package").
type AgendaInfo struct {
	Phases  []string   `json:"phases"` // in the order they are settled
	Package *Deal      `json:"package"`
	Agenda  AgendaDeal `json:"agenda"`
	// SameDeal: both reach the same complete outcome (or both none).
	SameDeal bool `json:"same_deal"`
	// AgendaBlocks: the package has a deal and the agenda reaches no
	// complete one. PackageBlocks: the reverse (impossible under parley's
	// definition, reported as a check).
	AgendaBlocks  bool `json:"agenda_blocks_package_deal"`
	PackageBlocks bool `json:"package_blocks_agenda_deal"`
	// Orderings compares the agenda with the package on the payoffs each
	// party can expect, time and the state of the talks counted (present
	// when the what-if analysis has a Predictor).
	Orderings *Orderings `json:"orderings,omitempty"`
}

// AgendaDeal is where backward induction over the agenda ends: a complete
// deal, or the phases agreed before a phase with no acceptable deal.
type AgendaDeal struct {
	Complete  bool   `json:"complete"`
	BlockedAt string `json:"blocked_at,omitempty"` // the phase with no acceptable deal
	// Outcome: issue id → label for the settled issues (all of them when
	// complete).
	Outcome map[string]string `json:"outcome"`
	// Utilities: of the deal when complete; otherwise each party's
	// fallback at the blocked phase (the agreed phases standing).
	Utilities []float64    `json:"utilities"`
	Steps     []AgendaStep `json:"steps"`
}

// AgendaStep is one phase on the induced path: what it settled, each
// party's fallback when it opened (its value if talks failed there) and
// the Nash product over the continuation that chose it.
type AgendaStep struct {
	Phase    string            `json:"phase"`
	Settled  map[string]string `json:"settled"`
	Fallback []float64         `json:"fallback"`
	Value    float64           `json:"value"`
	Ties     int               `json:"ties"`
}

// agendaRun holds what backward induction needs.
type agendaRun struct {
	g       *grid
	phases  [][]int // issue indices per phase
	decided [][]int // red lines (grid bits) decidable once phase k is settled
	forbids [][]int // scenario constraints decidable once phase k is settled
	o       []int
}

// result of a subgame: complete with outcome index idx, or blocked at phase
// blocked with the fallback values vals; path is the choice per phase.
type subgame struct {
	complete bool
	idx      int
	blocked  int
	vals     []float64
	choice   []agendaChoice // per phase from the subgame's phase on
}

type agendaChoice struct {
	values []int // value per issue of the phase
	fall   []float64
	value  float64
	ties   int
}

func (g *grid) agenda(pkg *Deal, minRat float64) *AgendaInfo {
	s := g.s
	ar := &agendaRun{g: g, o: make([]int, g.sp.Issues())}
	phaseOf := make([]int, g.sp.Issues())
	ai := &AgendaInfo{Package: pkg}
	for k, ph := range s.Agenda {
		ai.Phases = append(ai.Phases, ph.ID)
		ar.phases = append(ar.phases, ph.Issues)
		for _, i := range ph.Issues {
			phaseOf[i] = k
		}
	}
	ar.decided = make([][]int, len(ar.phases))
	for b, l := range g.lines {
		last := 0
		for _, i := range g.line(l).Issues {
			last = max(last, phaseOf[i])
		}
		ar.decided[last] = append(ar.decided[last], b)
	}
	ar.forbids = make([][]int, len(ar.phases))
	for c := range s.Constraints {
		last := 0
		for _, i := range s.Constraints[c].Forbid.Issues {
			last = max(last, phaseOf[i])
		}
		ar.forbids[last] = append(ar.forbids[last], c)
	}
	res := ar.solve(0, g.rv)
	ad := AgendaDeal{Complete: res.complete, Utilities: res.vals, Steps: []AgendaStep{}}
	settled := map[string]string{}
	for k, ch := range res.choice {
		st := AgendaStep{Phase: ai.Phases[k], Settled: map[string]string{}, Fallback: ch.fall, Value: ch.value, Ties: ch.ties}
		if ch.values != nil {
			for j, i := range ar.phases[k] {
				is := &s.Issues[i]
				st.Settled[is.ID] = is.Label(ch.values[j])
				settled[is.ID] = is.Label(ch.values[j])
			}
		}
		ad.Steps = append(ad.Steps, st)
	}
	ad.Outcome = settled
	if !res.complete {
		ad.BlockedAt = ai.Phases[res.blocked]
	}
	ai.Agenda = ad
	switch {
	case pkg == nil && !res.complete:
		ai.SameDeal = true
	case pkg != nil && res.complete:
		ai.SameDeal = pkg.index == res.idx
	}
	ai.AgendaBlocks = pkg != nil && !res.complete
	ai.PackageBlocks = pkg == nil && res.complete
	return ai
}

// fallback is each party's value if talks fail once phases before k are
// agreed. With a status quo, the party's utility of the status quo with
// the clauses of the standing phases among them in place (a provisional
// phase's clauses are void when a later one fails). Without one, the
// agreed phases stand and open issues are worth the party's reservation
// value on their own scale: rv_p + Σ_settled (Table_p[i][o_i] − w_pi·rv_p),
// plus the terms whose issues are all settled and match.
func (ar *agendaRun) fallback(k int) []float64 {
	g := ar.g
	if sq := g.s.StatusQuo; sq != nil {
		mix := append([]int(nil), sq...)
		for j := 0; j < k; j++ {
			if g.s.Agenda[j].Stands {
				for _, i := range ar.phases[j] {
					mix[i] = ar.o[i]
				}
			}
		}
		d := make([]float64, len(g.us))
		for p, u := range g.us {
			d[p] = u.Raw(mix)
		}
		return d
	}
	d := append([]float64(nil), g.rv...)
	settled := make([]bool, len(ar.o))
	for j := 0; j < k; j++ {
		for _, i := range ar.phases[j] {
			settled[i] = true
			for p, u := range g.us {
				d[p] += u.Table[i][ar.o[i]] - u.Weights[i]*g.rv[p]
			}
		}
	}
	// A term (a conditional value) is not additive: it counts once every
	// issue it names is settled, and then only if the settled values
	// match it; until then its issues are worth rv on their own scale.
	for p, u := range g.us {
	terms:
		for t := range u.Terms {
			for _, i := range u.Terms[t].Issues {
				if !settled[i] {
					continue terms
				}
			}
			if u.Terms[t].Match(ar.o) {
				d[p] += u.Terms[t].Value
			}
		}
	}
	return d
}

// solve finds the subgame outcome from phase k, given the values of the
// earlier phases in ar.o and their fallback d.
func (ar *agendaRun) solve(k int, d []float64) subgame {
	g := ar.g
	issues := ar.phases[k]
	last := k == len(ar.phases)-1
	type cand struct {
		sg    subgame
		value float64
		vals  []int
	}
	var cands []cand
	bestV := -1.0
	for _, i := range issues {
		ar.o[i] = 0
	}
	for {
		ok := true
		for _, b := range ar.decided[k] {
			l := g.lines[b]
			if g.matches(l, ar.o) {
				ok = false
				break
			}
		}
		for _, c := range ar.forbids[k] {
			ok = ok && !g.s.Constraints[c].Forbid.Match(ar.o)
		}
		if ok {
			var sg subgame
			if last {
				idx := int(g.sp.Index(ar.o))
				sg = subgame{complete: true, idx: idx, vals: g.utilities(idx)}
			} else {
				saved := make([]int, len(issues))
				for j, i := range issues {
					saved[j] = ar.o[i]
				}
				sg = ar.solve(k+1, ar.fallback(k+1))
				for j, i := range issues {
					ar.o[i] = saved[j]
				}
			}
			feasible := true
			x := 1.0
			for p, v := range sg.vals {
				if v < d[p]-Tolerance {
					feasible = false
					break
				}
				x *= max(v-d[p], 0)
			}
			if feasible {
				vals := make([]int, len(issues))
				for j, i := range issues {
					vals[j] = ar.o[i]
				}
				cands = append(cands, cand{sg: sg, value: x, vals: vals})
				bestV = max(bestV, x)
			}
		}
		// Next value of the phase, first issue fastest.
		j := 0
		for ; j < len(issues); j++ {
			i := issues[j]
			ar.o[i]++
			if ar.o[i] < g.sp.Card(i) {
				break
			}
			ar.o[i] = 0
		}
		if j == len(issues) {
			break
		}
	}
	if len(cands) == 0 {
		return subgame{blocked: k, vals: d, choice: []agendaChoice{{fall: d}}}
	}
	pick, ties := -1, 0
	for c := range cands {
		if cands[c].value >= bestV-Tolerance {
			if pick < 0 {
				pick = c
			}
			ties++
		}
	}
	c := cands[pick]
	ch := agendaChoice{values: c.vals, fall: d, value: c.value, ties: ties}
	sg := c.sg
	sg.choice = append([]agendaChoice{ch}, sg.choice...)
	return sg
}
