package session

// The time effects of a session: each member's delay cost and drift per
// round depend on the state of the talks, the clauses agreed and in force
// (scenario.Party.Rates). Clauses agreed in any phase are in force for the
// rounds after it; a standing phase's clauses stay in force when a later
// phase fails or the deal is void, a provisional phase's do not.
//
// A member's ledger keeps what the rounds cost it and drifted its
// reservation value: rounds 1..seg in closed segments, later rounds at the
// rates of the current state. A segment closes only when the member's rates
// change, so a session whose rates never change computes rate·round exactly
// as sessions did before rates could depend on the state.

// ledger is one member's time account.
type ledger struct {
	seg         int     // the last round of the closed segments
	cost, drift float64 // over rounds 1..seg
	rc, rd      float64 // per round from round seg+1 on
	// fall is what the member falls back on if the talks fail: its
	// reservation value (shifts included) with the standing clauses
	// agreed so far in force (see fallback).
	fall float64
}

// costTo and driftTo are the member's cost and drift over rounds 1..r.
func (l *ledger) costTo(r int) float64  { return l.cost + l.rc*float64(r-l.seg) }
func (l *ledger) driftTo(r int) float64 { return l.drift + l.rd*float64(r-l.seg) }

// compileTime finds what the time effects need: each issue's phase, which
// phases stand, and whether any party's rates depend on the state.
func (p *Prepared) compileTime() {
	sc := p.Scenario
	p.sq = sc.StatusQuo
	for _, ph := range sc.Agenda {
		p.anyStands = p.anyStands || ph.Stands
	}
	for _, pa := range sc.Parties {
		p.stateRates = p.stateRates || len(pa.While) > 0
		p.timeRates = p.timeRates || pa.DelayCost != 0 || pa.Drift != 0 || len(pa.While) > 0
	}
	for _, e := range sc.Events {
		p.timeRates = p.timeRates || e.DelayCost != nil || e.Drift != nil
	}
}

// rates returns member m's cost and drift per round in the state where
// the issues marked in force hold their settled values.
func (r *Runner) rates(m int, inForce []bool) (cost, drift float64) {
	return r.prep.partyAt[r.st.events][m].Rates(r.st.settled, inForce)
}

// rerate gives member m the rates of the current state from round end+1
// on, closing its ledger's segment at end if they change (a phase agreed
// in round end, or an event at the start of round end+1).
func (r *Runner) rerate(m, end int) {
	if !r.prep.stateRates {
		return
	}
	l := &r.st.led[m]
	rc, rd := r.rates(m, r.st.isSettled)
	if rc == l.rc && rd == l.rd {
		return
	}
	l.cost, l.drift, l.seg = l.costTo(end), l.driftTo(end), end
	l.rc, l.rd = rc, rd
}

// fallback is what member m gets, before time effects, if the talks fail
// now: its reservation value, and with standing clauses in force its
// utility of the status quo with those clauses in place of the status
// quo's, red lines aside (they are about deals), plus its shifts.
func (r *Runner) fallback(m int) float64 {
	u := r.st.cur[m].u
	if !r.st.anyStanding {
		return u.Reservation
	}
	return u.Reservation + (u.Raw(r.st.mix) - u.Raw(r.prep.sq))
}

// startLedgers opens every member's account at the start of a session.
func (r *Runner) startLedgers() {
	st := &r.st
	st.anyStanding = false
	clear(st.standing)
	if r.prep.sq != nil {
		copy(st.mix, r.prep.sq)
	}
	for m := range st.led {
		l := &st.led[m]
		*l = ledger{}
		l.rc, l.rd = r.rates(m, st.isSettled)
		l.fall = st.cur[m].u.Reservation
	}
}

// phaseAgreed records that phase ph was agreed in round end: its clauses
// are in force from round end+1, and stay in force if the phase stands.
func (r *Runner) phaseAgreed(ph, end int) {
	st := &r.st
	if r.prep.Scenario.Agenda[ph].Stands {
		for _, i := range r.prep.phases[ph].issues {
			st.standing[i] = true
			st.mix[i] = st.settled[i]
		}
		st.anyStanding = true
		for m := range st.led {
			st.led[m].fall = r.fallback(m)
		}
	}
	for m := range st.led {
		r.rerate(m, end)
	}
}

// seen is the reservation value member m's negotiator sees in round:
// what decides between accepting now and holding out to the deadline R.
// Holding out, the member falls back on l.fall with the drift of the
// rounds to R, less the costs still to pay, in the current state. Without
// a status quo the member does not anticipate drift (it sees today's
// alternative): fall + drift so far − the costs still to pay. With a time
// deadline only, costs still to come are unknown and left out.
func (r *Runner) seen(m, round int) float64 {
	l := &r.st.led[m]
	if r.timed() {
		// The phase's preferences count the rounds left relative to
		// holding out (addFlows); holding out is worth the fallback.
		return l.fall
	}
	rv := l.fall + l.driftTo(round)
	R := r.cfg.Deadline.Rounds
	if R <= 0 || round > R {
		return rv
	}
	if r.prep.sq != nil {
		return rv + (l.rd-l.rc)*float64(R-round)
	}
	return rv - l.rc*float64(R-round)
}

// accounts is what a session gave one member, both ways: with the deal
// binding, and without it.
type accounts struct {
	dealCost float64 // the costs of the rounds to the deal
	// none is the payoff without a binding deal, rv the fallback with the
	// drift, cost the costs: to the end of the session, or with a status
	// quo to the deadline (the world without a deal goes on; talks that
	// break off early do not stop it), the rounds after the session under
	// the standing clauses alone.
	none, rv, cost float64
}

// settle computes every member's accounts once the session and its votes
// are over.
func (r *Runner) settle() {
	st := &r.st
	end := r.out.Round
	tail := 0
	if R := r.cfg.Deadline.Rounds; r.prep.sq != nil && R > end {
		tail = R - end
	}
	for m := range st.led {
		l := &st.led[m]
		a := &st.acc[m]
		a.dealCost = l.costTo(end)
		a.cost, a.rv = a.dealCost, r.fallback(m)+l.driftTo(end)
		if tail > 0 {
			rc, rd := r.rates(m, st.standing)
			a.cost += rc * float64(tail)
			a.rv += rd * float64(tail)
		}
		a.none = a.rv - a.cost
	}
}
