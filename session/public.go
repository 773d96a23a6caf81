package session

import (
	"slices"

	"github.com/parleyhq/parley/negotiator"
)

// compilePublic builds, when the scenario makes utility functions public
// (scenario.Scenario.PublicUtilities), the index each other seat sees of a
// seat's utility function: its own, with the reservation value withheld
// (0), as it stands at the start of the session (a scheduled event that
// changes a party's preferences is not shown to the others). Preferences
// stay private in scenarios with an agenda, whose phases negotiate over
// spaces of their own.
func (p *Prepared) compilePublic(ib *indexBudget) error {
	if !p.Scenario.PublicUtilities || len(p.Scenario.Agenda) > 0 {
		return nil
	}
	p.public = make([]*negotiator.Index, len(p.Seats))
	for s, u := range p.Utilities {
		c := *u // the tables are shared, read-only
		c.Reservation = 0
		x, err := negotiator.NewIndexWithin(&c, p.Space, ib.party(s))
		if err != nil {
			return err
		}
		p.public[s] = x
	}
	return nil
}

// sharePublic shows each negotiating seat the others' public utility
// functions (negotiator.Setup.Others).
func (r *Runner) sharePublic() {
	if r.prep.public == nil {
		return
	}
	for i := range r.prep.Seats {
		others := slices.Clone(r.prep.public)
		others[i] = nil
		r.seats[i].setup.Others = others
	}
}

// OpponentModel returns seat's estimate of seat of's utility of each
// outcome, read from its negotiator at the end of the last session
// (negotiator.OpponentModeler), or nil when the negotiator has none (or
// plays from outside).
func (r *Runner) OpponentModel(seat, of int) func(outcome uint64) float64 {
	if seat < 0 || seat >= len(r.seats) {
		return nil
	}
	if m, ok := r.seats[seat].neg.(negotiator.OpponentModeler); ok {
		return m.OpponentModel(of)
	}
	return nil
}
