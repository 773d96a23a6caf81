package tournament

import (
	"fmt"

	"github.com/parleyhq/parley/negotiator"
)

// RepetitionsNote says, for a plan that repeats its line-ups, that the
// repetitions cannot differ: no negotiator or mediator of the spec draws
// random numbers (negotiator.Info.Random), no party's ratification vote is
// left to chance (a rule with an uncertainty), and the deadline is in
// rounds only (a time limit depends on the machine). The seed is then the
// only thing repetitions change, and nothing reads it, so every repetition
// of a line-up plays the same session. It returns "" otherwise.
func (p *Plan) RepetitionsNote() string {
	s := p.Spec
	if s.Repetitions < 2 || s.Deadline.Time != "" {
		return ""
	}
	for _, n := range append([]string{s.Mediator}, s.Negotiators...) {
		if n == "" {
			continue
		}
		sp, err := negotiator.Parse(n)
		if err != nil || sp.Info.Random {
			return ""
		}
	}
	for _, ps := range p.Scenarios {
		for _, pa := range ps.Scenario.Parties {
			if r := pa.Ratification; r != nil && r.Uncertain() {
				return ""
			}
		}
	}
	return fmt.Sprintf("no negotiator here draws random numbers and no ratification vote is left to chance, so the %d repetitions of each line-up will play the same session: they add copies, not observations (the report counts each line-up once; repetitions: 1 gives the same means and intervals)", s.Repetitions)
}
