package seat

import (
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"
)

// settings builds the settings of a briefing: what the seat may know.
func settings(b *session.Briefing, id string, opts Options) Settings {
	sc := b.Scenario
	s := Settings{Type: TypeSettings, Version: Version, Session: id,
		You:       You{Party: seatName(b), Seat: b.Seat, Role: "party"},
		Protocol:  Protocol{Name: b.Protocol.Name, Doc: b.Protocol.Doc},
		Deadline:  Deadline{Rounds: b.Deadline.Rounds, MS: b.Deadline.Time.Milliseconds(), Offset: b.Deadline.Offset},
		Clock:     Clock{ActionMS: opts.ActionTimeout.Milliseconds(), BudgetMS: opts.Budget.Milliseconds()},
		MaxErrors: opts.MaxErrors,
		Seed:      b.Seed,
	}
	if b.Party >= 0 {
		s.You.Name = sc.Parties[b.Party].Name
	}
	prep := b.Runner.Prepared()
	for _, i := range prep.Seats {
		s.Parties = append(s.Parties, sc.Parties[i].ID)
	}
	if b.Seat >= len(prep.Seats) {
		s.You.Role = "mediator"
	}
	if b.Protocol.Mediated {
		s.Mediator = b.Runner.SeatName(len(prep.Seats))
	}
	s.Decision = decisionOf(sc, len(prep.Seats))
	if len(sc.Agenda) > 0 {
		s.Phase = &Phase{ID: b.PhaseID, Index: b.Phase, Count: len(sc.Agenda)}
	}
	for _, i := range b.Issues {
		s.Issues = append(s.Issues, issueOf(&sc.Issues[i]))
	}
	for i, v := range b.Settled {
		if v >= 0 {
			if s.Settled == nil {
				s.Settled = map[string]any{}
			}
			s.Settled[sc.Issues[i].ID] = valueOf(&sc.Issues[i], v)
		}
	}
	s.Preferences = preferences(b, b.Setup)
	s.Beliefs = beliefs(b, b.Setup)
	return s
}

// beliefs are what the seat believes of the others over the phase's
// outcomes (Setup.Beliefs: built from the scenario's beliefs, never from
// the others' true preferences unless the scenario says it believes
// them).
func beliefs(b *session.Briefing, s *negotiator.Setup) []Belief {
	sc := b.Scenario
	var out []Belief
	for j, bl := range s.Beliefs {
		if bl == nil {
			continue
		}
		o := Belief{About: b.Runner.SeatName(j), Types: []BeliefType{}}
		for _, rl := range bl.Lines {
			o.RedLines = append(o.RedLines, redLine(sc, b.Issues, rl))
		}
		for _, t := range bl.Types {
			bt := BeliefType{ID: t.ID, Prior: t.Prior, Real: t.Real}
			if u := t.Utility; u != nil {
				bt.Utility = map[string][]float64{}
				for k, i := range b.Issues {
					bt.Utility[sc.Issues[i].ID] = append([]float64(nil), u.Table[k]...)
				}
				for _, tm := range u.Terms {
					bt.Terms = append(bt.Terms, Term{When: valueSets(sc, b.Issues, &tm.Constraint), Value: tm.Value})
				}
				if t.RvHigh > t.RvLow {
					bt.ReservationRange = &Range{Low: t.RvLow, High: t.RvHigh}
				} else {
					rv := t.RvLow
					bt.Reservation = &rv
				}
			}
			o.Types = append(o.Types, bt)
		}
		out = append(out, o)
	}
	return out
}

// decisionOf is the scenario's decision rule among its n negotiating
// parties, nil for unanimity. The session refuses a rule other than
// unanimity under a protocol that agrees only unanimously, so the rule
// holds under every protocol it is sent with.
func decisionOf(sc *scenario.Scenario, n int) *Decision {
	r := sc.NegotiatorRule()
	if r.Unanimous(n) {
		return nil
	}
	d := &Decision{Quorum: r.Need(n), Doc: sc.DescribeDecision()}
	ns := sc.Negotiators()
	for _, k := range r.Veto {
		d.Veto = append(d.Veto, sc.Parties[ns[k]].ID)
	}
	return d
}

func issueOf(is *scenario.Issue) Issue {
	out := Issue{ID: is.ID, Name: is.Name, Kind: is.Kind.String(), Values: make([]any, is.Size())}
	labels := false
	for v := range out.Values {
		out.Values[v] = valueOf(is, v)
		labels = labels || is.Label(v) != is.Value(v)
	}
	if labels {
		out.Labels = make([]string, is.Size())
		for v := range out.Labels {
			out.Labels[v] = is.Label(v)
		}
	}
	return out
}

// preferences are the seat's own preferences over the phase's outcomes,
// nil for a mediator without interests.
func preferences(b *session.Briefing, s *negotiator.Setup) *Preferences {
	u := s.Utility
	if u == nil {
		return nil
	}
	sc := b.Scenario
	p := &Preferences{Utility: map[string][]float64{}, Reservation: s.CurrentReservation(), Discount: u.Discount}
	if p.Discount <= 0 || p.Discount > 1 {
		p.Discount = 1
	}
	for k, i := range b.Issues {
		p.Utility[sc.Issues[i].ID] = append([]float64(nil), u.Table[k]...)
	}
	for _, rl := range u.RedLines {
		p.RedLines = append(p.RedLines, redLine(sc, b.Issues, rl))
	}
	for _, t := range u.Terms {
		p.Terms = append(p.Terms, Term{When: valueSets(sc, b.Issues, &t.Constraint), Value: t.Value})
	}
	return p
}

// valueSets renders a constraint of the phase's utility (issue indices are
// the phase's dimensions) as the values it allows per issue (a red line's
// forbidden values), an empty list rather than null where it allows none.
func valueSets(sc *scenario.Scenario, issues []int, c *utility.Constraint) map[string][]any {
	out := map[string][]any{}
	for k, d := range c.Issues {
		is := &sc.Issues[issues[d]]
		vs := []any{}
		for v, ok := range c.Allowed[k] {
			if ok {
				vs = append(vs, valueOf(is, v))
			}
		}
		out[is.ID] = vs
	}
	return out
}

// redLine renders a red line of the phase's utility (its issue indices are
// the phase's dimensions).
func redLine(sc *scenario.Scenario, issues []int, rl utility.RedLine) RedLine {
	return RedLine{ID: rl.ID, Forbid: valueSets(sc, issues, &rl.Constraint)}
}

// may lists the actions a turn allows.
func may(p protocol.Phase) []string {
	switch p {
	case protocol.PhaseRespond:
		return []string{ActAccept, ActOffer, ActEnd}
	case protocol.PhaseVote:
		return []string{ActAccept, ActReject, ActEnd}
	}
	return []string{ActOffer, ActEnd}
}

// yourTurn renders a turn for the seat.
func (r *Remote) yourTurn(t protocol.Turn) YourTurn {
	y := YourTurn{Type: TypeYourTurn, Round: t.Round, T: t.T, Phase: t.Phase.String(), May: may(t.Phase), Joint: t.Joint}
	if t.HasOutcome {
		y.Offer, y.OfferUtility = r.outcome(t.Outcome)
	}
	if t.HasReference {
		y.Text, y.TextUtility = r.outcome(t.Reference)
	}
	if t.Bilateral {
		// The other side of the private meeting: the party met, for the
		// mediator; the mediator, for the party.
		other := t.With
		if other == r.b.Seat {
			other = len(r.b.Runner.Prepared().Seats)
		}
		y.With = r.b.Runner.SeatName(other)
	}
	if r.setup.Dynamic {
		rv := r.setup.CurrentReservation()
		y.Reservation = &rv
	}
	return y
}
