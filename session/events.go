package session

import (
	"fmt"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/scenario"
)

// compileEvents builds every member's preferences after each scheduled
// event, so that a session only switches pointers when an event happens.
// An event changes its party as scenario.ApplyEvent says; its reservation
// value is shifted by the shifts so far (with a status quo, the status quo
// valued anew by its new preferences, then shifted).
//
// A guarantor's preferences enter the consents every party needs
// (scenario.Scenario.UtilityOf): an event that changes a guarantor, or a
// coalition whose members guarantee, changes every member.
func (p *Prepared) compileEvents(base []variant, ib *indexBudget) error {
	sc := p.Scenario
	p.variants = make([][]variant, len(sc.Events)+1)
	p.variants[0] = base
	consents := guarantorParties(sc)
	for k := range sc.Events {
		e := &sc.Events[k]
		cur := append([]variant(nil), p.variants[k]...)
		var c *scenario.Scenario
		for m, i := range p.members {
			if i != e.Party && !consents[e.Party] {
				continue
			}
			if c == nil {
				c = sc.AfterEvents(k + 1)
			}
			u := c.Utility(i)
			x, err := negotiator.NewIndexWithin(u, p.Space, ib.party(m))
			if err != nil {
				return fmt.Errorf("scenario %s, event %d: %w", sc.Name, k+1, err)
			}
			cur[m] = variant{u: u, x: x, out: c.Parties[i].Excluded}
		}
		p.variants[k+1] = cur
	}
	return nil
}

// guarantorParties marks the parties whose consent some guarantee needs:
// its guarantors, and the parties of its guarantor members.
func guarantorParties(sc *scenario.Scenario) []bool {
	out := make([]bool, len(sc.Parties))
	for gi := range sc.Guarantees {
		g := &sc.Guarantees[gi]
		for v := range g.Guarantors {
			for _, q := range g.Guarantors[v] {
				out[q] = true
			}
			if g.Members != nil {
				for _, r := range g.Members[v] {
					out[r.Party] = true
				}
			}
		}
	}
	return out
}

// memberSeat is the seat of member m: its party's seat, or the mediator
// seat for the mediator party; nil if the member has none.
func (r *Runner) memberSeat(m int) *seat {
	n := len(r.prep.Seats)
	switch {
	case m < n:
		return r.seats[m]
	case len(r.seats) > n:
		return r.seats[n]
	}
	return nil
}

// setMember points the seat of member m at its current preferences.
func (r *Runner) setMember(m int) {
	s := r.memberSeat(m)
	if s == nil {
		return
	}
	v := &r.st.act[m]
	s.setup.Utility, s.setup.Index = v.u, v.x
	if v.ax != nil {
		s.setup.Index = v.ax
	}
	if m >= len(r.prep.Seats) && !r.interested(m) {
		// A mediator without interests (a chair) has no utility to steer
		// by: its strategy sees none, as when no party mediates.
		s.setup.Utility, s.setup.Index = nil, nil
	}
	s.setup.Version++
}

// interested reports whether member m, as the events so far leave it,
// weighs any issue (scenario.Party.Disinterested).
func (r *Runner) interested(m int) bool {
	for _, w := range r.st.cur[m].u.Weights {
		if w != 0 {
			return true
		}
	}
	return false
}

func (r *Runner) updateReservations() {
	if !r.prep.dynamic {
		return
	}
	for m := range r.prep.members {
		s := r.memberSeat(m)
		if s == nil {
			continue
		}
		s.setup.Reservation = r.seen(m, max(r.st.round, 1))
		s.setup.Version++
	}
}

// enterRound applies what happens at the start of a round: scheduled
// events, then the reservation values of the round.
func (r *Runner) enterRound(round int) {
	r.st.round = round
	evs := r.prep.Scenario.Events
	for r.st.events < len(evs) && evs[r.st.events].Round <= round {
		k := r.st.events
		r.st.events++
		e := &evs[k]
		m := r.prep.member(e.Party)
		if m >= 0 {
			r.st.cur[m] = r.variants[k+1][m]
			r.st.led[m].fall = r.fallback(m)
			v, err := r.project(m, r.st.cur[m])
			if err == nil {
				r.st.act[m] = v
				r.setMember(m)
			}
		}
		r.noteEvent(round, e)
	}
	if r.prep.infl != nil {
		r.influence(round)
	}
	r.updateReservations()
}
