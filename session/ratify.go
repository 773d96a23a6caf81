package session

import (
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

// countRedLines counts the offers and texts put to each party that cross
// its red lines (the mediator's private proposals only for their party),
// and apart those its members' rule or a guarantor's consent rules out
// (refused).
func (r *Runner) countRedLines(e protocol.Event) {
	if e.Type != protocol.EventOffer && e.Type != protocol.EventPropose {
		return
	}
	if r.st.broken != nil {
		if c := r.brokenBy(e.Outcome); c >= 0 {
			r.st.broken[c]++ // no deal for anyone: not a party's red line
			return
		}
	}
	for s := range r.prep.Seats {
		u := r.st.act[s].u
		if s == int(e.Seat) || (e.Private && s != int(e.With)) || len(u.RedLines) == 0 && !u.Vetoes() {
			continue
		}
		if r.st.act[s].x.Utility(e.Outcome, r.st.buf) != utility.Unacceptable {
			continue
		}
		if u.Vetoes() {
			sp := r.prep.phases[r.st.phase].space
			o := r.st.buf[:sp.Issues()]
			sp.Decode(e.Outcome, o)
			if len(u.RedLines) == 0 || u.Crosses(o) < 0 {
				r.st.refused[s]++
				continue
			}
		}
		r.st.crossings[s]++
	}
}

// ratify holds the ratification votes of an agreement and sets the status.
func (r *Runner) ratify() {
	st := &r.st
	switch {
	case st.failed >= 0:
		st.status = StatusFailedPhase
		return
	case !r.out.Agreed:
		st.status = StatusNoAgreement
		return
	}
	st.status = StatusAgreed
	p := r.prep
	p.Space.Decode(r.out.Outcome, st.buf)
	for s, i := range p.Seats {
		rat := p.Scenario.Parties[i].Ratification
		if rat == nil {
			continue
		}
		u := st.cur[s].u.Utility(st.buf)
		// Every body votes that the deal requires, in order, each with a
		// draw of its own: all must pass.
		for b := range rat.Bodies {
			body := &rat.Bodies[b]
			v := &st.ratif[st.ratOff[s]+b]
			v.has = true
			v.required = body.Required(st.buf)
			v.prob = body.Prob(st.buf, u)
			if !v.required {
				v.passed = true
				continue
			}
			v.draw = r.ratRand.Float64()
			v.passed = v.draw < v.prob
			if st.status == StatusAgreed {
				st.status = StatusRatified
			}
			if !v.passed {
				st.status = StatusNotRatified
			}
			r.noteRatification(s, body.Name, v)
		}
	}
}
