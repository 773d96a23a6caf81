package session

import (
	"fmt"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/utility"
)

// compileEvents builds every member's preferences after each scheduled
// event, so that a session only switches pointers when an event happens.
func (p *Prepared) compileEvents(base []variant, ib *indexBudget) error {
	sc := p.Scenario
	p.variants = make([][]variant, len(sc.Events)+1)
	p.variants[0] = base
	type change struct {
		weights []float64
		dropped map[string]bool
		shift   float64
	}
	changes := make([]change, len(p.members))
	for k, e := range sc.Events {
		cur := append([]variant(nil), p.variants[k]...)
		if m := p.member(e.Party); m >= 0 {
			c := &changes[m]
			if e.Weights != nil {
				c.weights = e.Weights
			}
			for _, id := range e.DropRedLines {
				if c.dropped == nil {
					c.dropped = map[string]bool{}
				}
				c.dropped[id] = true
			}
			c.shift += e.ReservationShift
			u := sc.Utility(e.Party)
			if c.weights != nil {
				nu := utility.NewAdditive(append([]float64(nil), c.weights...), u.Evals, u.Reservation, u.Discount)
				sc.AddAudienceCosts(e.Party, nu)
				nu.RedLines = u.RedLines
				u = nu
			}
			u.Reservation += c.shift
			var kept []utility.RedLine
			for _, rl := range u.RedLines {
				if !c.dropped[rl.ID] {
					kept = append(kept, rl)
				}
			}
			u.RedLines = kept
			x, err := negotiator.NewIndexWithin(u, p.Space, ib.party(m))
			if err != nil {
				return fmt.Errorf("scenario %s, event %d: %w", sc.Name, k+1, err)
			}
			cur[m] = variant{u: u, x: x}
		}
		p.variants[k+1] = cur
	}
	return nil
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

// reservation is what member m's negotiator sees as its reservation value
// in the given round: rv(r) − c·(R − r), rv(r) = rv + shifts + drift·r.
func (r *Runner) reservation(m, round int) float64 {
	pa := &r.prep.Scenario.Parties[r.prep.members[m]]
	rv := r.st.cur[m].u.Reservation + pa.Drift*float64(round)
	if R := r.cfg.Deadline.Rounds; R > 0 && round <= R {
		rv -= pa.DelayCost * float64(R-round)
	}
	return rv
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
		s.setup.Reservation = r.reservation(m, max(r.st.round, 1))
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
			v, err := r.project(m, r.st.cur[m])
			if err == nil {
				r.st.act[m] = v
				r.setMember(m)
			}
		}
		r.noteEvent(round, e.Party, e.Description)
	}
	r.updateReservations()
}
