package session

import "github.com/parleyhq/parley/protocol"

// standIn acts for an excluded party, whose turns pass: it accepts what is
// on the table (the agreement does not wait for it) and, when it must
// offer, repeats the last outcome offered in the phase, or, before any,
// offers the outcome best for it (its preferences still count for what it
// is paid).
func (r *Runner) standIn(t protocol.Turn) protocol.Action {
	switch t.Phase {
	case protocol.PhaseRespond, protocol.PhaseVote:
		return protocol.Accept
	}
	if r.st.hasOffer {
		return protocol.Offer(r.st.lastOffer)
	}
	id, _ := r.st.act[t.Seat].x.Max()
	return protocol.Offer(id)
}

// excluded lists the parties excluded at the end of the last session.
func (r *Runner) excluded() []string {
	var out []string
	for s := range r.prep.Seats {
		if r.st.cur[s].out {
			out = append(out, r.SeatName(s))
		}
	}
	return out
}
