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
	p.partyAt = make([][]*scenario.Party, len(sc.Events)+1)
	parties := make([]scenario.Party, len(p.members))
	p.partyAt[0] = make([]*scenario.Party, len(p.members))
	for m, i := range p.members {
		parties[m] = sc.Parties[i]
		p.partyAt[0][m] = &sc.Parties[i]
	}
	consents := guarantorParties(sc)
	for k := range sc.Events {
		e := &sc.Events[k]
		cur := append([]variant(nil), p.variants[k]...)
		p.partyAt[k+1] = append([]*scenario.Party(nil), p.partyAt[k]...)
		if m := p.member(e.Party); m >= 0 {
			pa := &parties[m]
			sc.ApplyEvent(pa, e)
			cp := *pa
			p.partyAt[k+1][m] = &cp
			if e.DelayCost != nil || e.Drift != nil {
				p.stateRates = true
			}
		}
		// The utilities as the events so far leave them (AfterEvents:
		// audience costs, the status quo valued anew, shifts, members'
		// fallbacks), of the event's party and, when it guarantees, of
		// every party whose consents it gives.
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
		for j := range r.prep.members {
			if j != m && r.variants[k+1][j].u == r.variants[k][j].u {
				continue // neither it nor a guarantor whose consent it needs changed
			}
			r.st.cur[j] = r.variants[k+1][j]
			r.st.led[j].fall = r.fallback(j)
			if j == m {
				r.rerate(j, round-1)
			}
			v, err := r.project(j, r.st.cur[j])
			if err == nil {
				r.st.act[j] = v
				r.setMember(j)
			}
		}
		r.noteEvent(round, e)
	}
	if r.prep.infl != nil {
		r.influence(round)
	}
	if r.timed() {
		// A timed phase's preferences count the rounds left.
		for m := range r.prep.members {
			if v, err := r.project(m, r.st.cur[m]); err == nil {
				r.st.act[m] = v
				r.setMember(m)
			}
		}
	}
	r.updateReservations()
}
