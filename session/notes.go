package session

import (
	"fmt"
	"strconv"

	"github.com/parleyhq/parley/scenario"
)

// Note is one of the session's own events, for live views: a phase opens
// or ends, a scheduled event happens, a ratification vote is held.
type Note struct {
	Kind  string // phase, event, meeting, ratification
	Round int
	Party string // the party concerned, if any
	Phase string // the phase, if any
	Text  string // a readable sentence
}

// Labels returns the labels of an event's outcome, in the issue order of
// the phase under way (all issues without an agenda). Valid during OnEvent.
func (r *Runner) Labels(id uint64) []string {
	info := &r.prep.phases[r.st.phase]
	ls := make([]string, len(info.issues))
	for k, i := range info.issues {
		is := &r.prep.Scenario.Issues[i]
		n := uint64(is.Size())
		ls[k] = is.Label(int(id % n))
		id /= n
	}
	return ls
}

// SeatUtility is seat s's utility, by its preferences now, of an outcome of
// the phase under way (Unacceptable across its red lines). Valid during
// OnEvent.
func (r *Runner) SeatUtility(s int, id uint64) float64 {
	return r.st.act[s].x.Utility(id, r.st.buf)
}

func (r *Runner) note(n Note) {
	if r.cfg.OnNote != nil {
		r.cfg.OnNote(n)
	}
}

func (r *Runner) phaseID(ph int) string { return r.prep.phases[ph].id }

func (r *Runner) notePhase(ph, round int, state, why string, agreed bool, id uint64) {
	if r.cfg.Trace != nil {
		r.tracePhase(ph, round, state, why, agreed, id)
	}
	if r.cfg.OnNote == nil {
		return
	}
	text := "phase " + r.phaseID(ph) + " " + state
	switch {
	case state == "open":
		text = "phase " + r.phaseID(ph) + " opens on " + issueList(r, ph)
	case agreed:
		text = "phase " + r.phaseID(ph) + " agreed: " + joinLabels(r.prep, ph, id)
		if r.prep.keepsStatusQuoIndex(ph, id) {
			text += " (the status quo: nothing changes)"
		}
	case why != "":
		text += " (" + why + ")"
	}
	r.note(Note{Kind: "phase", Round: round, Phase: r.phaseID(ph), Text: text})
}

func (r *Runner) noteEvent(round int, e *scenario.Event) {
	id := r.prep.Scenario.Parties[e.Party].ID
	if r.cfg.Trace != nil {
		r.traceNote("event", round, id, "description", e.Description)
	}
	if r.cfg.OnNote != nil {
		text := "event for " + id + ": " + e.Description
		switch {
		case e.Exclude:
			text += " (" + id + " is excluded: its turns pass, and the agreement does not wait for it)"
		case e.Readmit:
			text += " (" + id + " is back at the table)"
		}
		r.note(Note{Kind: "event", Round: round, Party: id, Text: text})
	}
}

// noteMeeting records that meeting k was judged in round: whether it can
// take place, and why not.
func (r *Runner) noteMeeting(k, round int, v *Meeting) {
	if r.cfg.Trace != nil {
		r.traceMeeting(v, round)
	}
	if r.cfg.OnNote == nil {
		return
	}
	text := "meeting " + v.ID
	switch {
	case v.Term != "" && v.Possible:
		text += " can take place: " + v.Term + " is on the table"
	case v.Term != "":
		text += " cannot take place (" + v.Reason() + "): " + v.Term + " is off the table"
	case v.Possible:
		text += " takes place"
	default:
		text += " does not take place (" + v.Reason() + ")"
	}
	r.note(Note{Kind: "meeting", Round: round, Text: text})
}

func (r *Runner) noteRatification(s int, body string, v *ratVote) {
	id := r.SeatName(s)
	if r.cfg.Trace != nil {
		r.traceRatification(id, body, v.passed)
	}
	if r.cfg.OnNote != nil {
		res := "fails"
		if v.passed {
			res = "passes"
		}
		if body == "" {
			body = "ratification"
		}
		r.note(Note{Kind: "ratification", Round: r.out.Round, Party: id,
			Text: fmt.Sprintf("%s of %s %s (probability %s, draw %s)", body, id, res, strconv.FormatFloat(v.prob, 'f', 3, 64), strconv.FormatFloat(v.draw, 'f', 3, 64))})
	}
}

func issueList(r *Runner, ph int) string {
	s := ""
	for k, i := range r.prep.phases[ph].issues {
		if k > 0 {
			s += ", "
		}
		s += r.prep.Scenario.Issues[i].ID
	}
	return s
}

func joinLabels(p *Prepared, ph int, id uint64) string {
	s := ""
	for k, i := range p.phases[ph].issues {
		is := &p.Scenario.Issues[i]
		n := uint64(is.Size())
		if k > 0 {
			s += ", "
		}
		s += is.ID + " = " + is.Label(int(id%n))
		id /= n
	}
	return s
}
