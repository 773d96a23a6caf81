package session

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/utility"
)

// SeatBelief is what one seat believed of another at the end of a session
// (Result.Beliefs): the probability of each type its beliefs held possible
// and of each stated red line being real, before and after the session.
type SeatBelief struct {
	Holder   string            `json:"holder"`
	About    string            `json:"about"`
	Types    []BeliefPosterior `json:"types,omitempty"`
	RedLines []BeliefPosterior `json:"red_lines,omitempty"`
}

// BeliefPosterior is one type or red line: the probability its holder gave
// it before the session and at its end.
type BeliefPosterior struct {
	ID        string  `json:"id"`
	Prior     float64 `json:"prior"`
	Posterior float64 `json:"posterior"`
}

// compileBeliefs builds what each negotiating seat believes of the others
// when a session starts (negotiator.Setup.Beliefs), from the scenario's
// stated beliefs and red lines: a seat gets the types it states a belief
// in, or, where it states none, the other seat's stated red lines with
// their credibility and nothing of its preferences. They are over the
// whole space; an agenda's phases get them projected (phaseBeliefs).
func (p *Prepared) compileBeliefs() {
	sc := p.Scenario
	if sc.Beliefs == nil || !sc.Perceives() {
		return
	}
	n := len(p.Seats)
	p.beliefs = make([][]*negotiator.Belief, n)
	for i, h := range p.Seats {
		row := make([]*negotiator.Belief, n)
		for j, a := range p.Seats {
			if i == j {
				continue
			}
			stated := sc.StatedRedLines(a)
			b := &negotiator.Belief{}
			for _, rl := range stated {
				b.Lines = append(b.Lines, rl.RedLine)
			}
			if sb := sc.StatedBelief(h, a); sb != nil {
				for _, t := range sb.Types {
					b.Types = append(b.Types, negotiator.BeliefType{ID: t.ID, Prior: t.Prob, Utility: t.Utility,
						RvLow: t.RvLow, RvHigh: t.RvHigh, Real: append([]float64(nil), t.Real...)})
				}
			} else if len(stated) > 0 {
				real := make([]float64, len(stated))
				for k, rl := range stated {
					real[k] = rl.Credibility
				}
				b.Types = []negotiator.BeliefType{{ID: "stated", Prior: 1, Real: real}}
			} else {
				continue
			}
			row[j] = b
		}
		p.beliefs[i] = row
	}
}

// shareBeliefs gives each negotiating seat its beliefs; with an agenda
// they are given phase by phase (phaseBeliefs).
func (r *Runner) shareBeliefs() {
	if r.prep.beliefs == nil || r.prep.agenda() {
		return
	}
	for i := range r.prep.Seats {
		r.seats[i].setup.Beliefs = r.prep.beliefs[i]
	}
}

// phaseBeliefs gives each seat its beliefs for agenda phase ph, projected
// as the session projects the true preferences (phaseUtilityAt): the
// types' utilities with settled issues at their agreed values and open
// ones at their mean or the phase's completion, their reservation ranges
// as stated; each stated red line restricted to the phase's issues, or,
// where it cannot bind in the phase, matching no outcome of it but kept
// in its place (so the types' Real stay aligned). The time effects and
// the terms off the table, which shape the true phase preferences, are
// the seats' own and not believed of others. The projections are built
// only when some seat uses beliefs, once per phase and settled values
// (beliefCache); Setup.Phase tells a strategy that learns to carry what
// it learnt.
func (r *Runner) phaseBeliefs(ph int) {
	p := r.prep
	for _, s := range r.seats {
		s.setup.Phase = ph
	}
	if p.beliefs == nil || !r.usesBeliefs() {
		return
	}
	r.phaseKey = phaseKey(r.phaseKey[:0], ph, r.st.settled, r.st.isSettled)
	bs := p.phaseBel.get(r.phaseKey, func() [][]*negotiator.Belief {
		return p.projectBeliefs(ph, r.st.settled, r.st.isSettled)
	})
	for i := range p.Seats {
		r.seats[i].setup.Beliefs = bs[i]
	}
}

// usesBeliefs reports whether some negotiating seat may read its beliefs:
// one played from outside, or a strategy that says so
// (negotiator.BeliefUser).
func (r *Runner) usesBeliefs() bool {
	for i := range r.prep.Seats {
		s := r.seats[i]
		if s.out != nil {
			return true
		}
		if u, ok := s.neg.(negotiator.BeliefUser); ok && u.UsesBeliefs() {
			return true
		}
	}
	return false
}

// projectBeliefs builds every seat's beliefs for phase ph with the given
// values settled (see phaseBeliefs).
func (p *Prepared) projectBeliefs(ph int, settled []int, isSettled []bool) [][]*negotiator.Belief {
	info := &p.phases[ph]
	fill := p.completion(ph)
	local := make([]int, p.Space.Issues())
	for i := range local {
		local[i] = -1
	}
	for k, i := range info.issues {
		local[i] = k
	}
	// A line that cannot bind: no value of the phase's first issue is
	// allowed, so no outcome of the phase matches it.
	never := utility.Constraint{Issues: []int{0}, Allowed: [][]bool{make([]bool, p.Scenario.Issues[info.issues[0]].Size())}}
	projected := map[*utility.Additive]*utility.Additive{}
	out := make([][]*negotiator.Belief, len(p.beliefs))
	for i, row := range p.beliefs {
		out[i] = make([]*negotiator.Belief, len(row))
		for j, b := range row {
			if b == nil {
				continue
			}
			pb := &negotiator.Belief{Types: make([]negotiator.BeliefType, len(b.Types)), Lines: make([]utility.RedLine, len(b.Lines))}
			for l, rl := range b.Lines {
				pl, ok := phaseLine(rl, local, settled, isSettled)
				if !ok {
					pl = utility.RedLine{ID: rl.ID, Constraint: never}
				}
				pb.Lines[l] = pl
			}
			for k, t := range b.Types {
				if u := t.Utility; u != nil {
					if projected[u] == nil {
						projected[u] = phaseUtilityAt(u, info.issues, settled, isSettled, fill)
					}
					t.Utility = projected[u]
				}
				pb.Types[k] = t
			}
			out[i][j] = pb
		}
	}
	return out
}

// beliefCache remembers the seats' beliefs per agenda phase and settled
// values (phaseKey), shared by a Prepared's sessions and goroutines; at
// most maxPhaseCache entries are kept, beyond which they are built each
// time.
type beliefCache struct {
	mu sync.Mutex
	m  map[string][][]*negotiator.Belief
}

func (c *beliefCache) get(key []byte, build func() [][]*negotiator.Belief) [][]*negotiator.Belief {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[string(key)]; ok {
		return v
	}
	v := build()
	if len(c.m) < maxPhaseCache {
		if c.m == nil {
			c.m = map[string][][]*negotiator.Belief{}
		}
		c.m[string(key)] = v
	}
	return v
}

// addBeliefs completes a result with each seat's final beliefs (read from
// its negotiator, negotiator.BeliefReporter) and each party's audience
// costs.
func (r *Runner) addBeliefs(res *Result) {
	p := r.prep
	sc := p.Scenario
	if sc.Beliefs == nil {
		return
	}
	if res.OutcomeIndex != nil && r.st.status.Binding() {
		o := make([]int, p.Space.Issues())
		p.Space.Decode(*res.OutcomeIndex, o)
		for s := range res.Parties {
			res.Parties[s].AudienceCost = sc.AudienceCost(p.Seats[s], o)
		}
	}
	if p.beliefs == nil {
		return
	}
	for i := range p.Seats {
		rep, ok := r.seats[i].neg.(negotiator.BeliefReporter)
		if !ok {
			continue
		}
		for j, b := range p.beliefs[i] {
			if b == nil {
				continue
			}
			types, lines := make([]float64, len(b.Types)), make([]float64, len(b.Lines))
			if !rep.Posterior(j, types, lines) {
				continue
			}
			sb := SeatBelief{Holder: r.SeatName(i), About: r.SeatName(j)}
			for k, t := range b.Types {
				sb.Types = append(sb.Types, BeliefPosterior{ID: t.ID, Prior: t.Prior, Posterior: types[k]})
			}
			stated := sc.StatedRedLines(p.Seats[j])
			for l := range b.Lines {
				prior := 0.0
				for _, t := range b.Types {
					prior += t.Prior * t.Real[l]
				}
				sb.RedLines = append(sb.RedLines, BeliefPosterior{ID: stated[l].ID, Prior: prior, Posterior: lines[l]})
			}
			res.Beliefs = append(res.Beliefs, sb)
		}
	}
}

// writeBeliefs writes the audience costs paid and the seats' final
// beliefs under a result.
func writeBeliefs(w io.Writer, res *Result) {
	var paid []string
	for _, pr := range res.Parties {
		if pr.AudienceCost != 0 {
			paid = append(paid, fmt.Sprintf("%s %s", pr.ID, num(pr.AudienceCost)))
		}
	}
	if len(paid) > 0 {
		fmt.Fprintf(w, "Audience costs paid (in the utilities above): %s\n", strings.Join(paid, ", "))
	}
	for _, b := range res.Beliefs {
		var parts []string
		for _, t := range b.Types {
			parts = append(parts, fmt.Sprintf("%s %.3g → %.3g", t.ID, t.Prior, t.Posterior))
		}
		for _, l := range b.RedLines {
			parts = append(parts, fmt.Sprintf("red line %s real %.3g → %.3g", l.ID, l.Prior, l.Posterior))
		}
		fmt.Fprintf(w, "Beliefs of %s about %s: %s\n", b.Holder, b.About, strings.Join(parts, "; "))
	}
}
