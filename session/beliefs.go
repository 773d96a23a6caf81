package session

import (
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley/negotiator"
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
// their credibility and nothing of its preferences. Like public
// utilities, beliefs reach the seats only in scenarios without an agenda,
// whose phases negotiate over spaces of their own.
func (p *Prepared) compileBeliefs() {
	sc := p.Scenario
	if sc.Beliefs == nil || !sc.Perceives() || len(sc.Agenda) > 0 {
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

// shareBeliefs gives each negotiating seat its beliefs.
func (r *Runner) shareBeliefs() {
	if r.prep.beliefs == nil {
		return
	}
	for i := range r.prep.Seats {
		r.seats[i].setup.Beliefs = r.prep.beliefs[i]
	}
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
