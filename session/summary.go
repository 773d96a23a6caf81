package session

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

// Summary is the text report of one session that `parley run` prints: who
// negotiates, the agenda and meetings, the head and tail of the exchange,
// and the result. Feed it every protocol event (Observe, from
// Config.OnEvent) and note (Note, from Config.OnNote) while the session
// runs, then call WriteText after Runner.Play. It keeps only the lines it
// will print: every note, and the first and last Lines protocol events
// with the free text said with them (the number cut between them), so a
// long session does not hold its events in memory. Use a new Summary for
// each session.
type Summary struct {
	lines   int
	rows    []line
	events  int // events kept
	headEnd int // rows[:headEnd] hold the first `lines` events
	cut     int // where the cut events were, in rows; -1: none
	dropped int // events cut
}

// NewSummary returns a summary that shows the first and the last lines
// protocol events of the exchange (every event when lines ≤ 0).
func NewSummary(lines int) *Summary { return &Summary{lines: lines, cut: -1} }

// line is one line of the exchange: a protocol event, or a note of the
// session (phase, event, ratification) with t < 0. A line with said set is
// the free text of the event before it: it is shown or cut with that event.
type line struct {
	round                         int
	t                             float64
	party, what, outcome, utility string
	said                          bool
}

// Observe records protocol event ev of the session r is playing, as the
// exchange shows it: an agenda phase's outcomes in that phase's issues,
// and each seat's utility of them at that moment.
func (s *Summary) Observe(r *Runner, ev protocol.Event) {
	what := ev.Type.String()
	if ev.Type == protocol.EventVote {
		what = "reject"
		if ev.Accept {
			what = "accept"
		}
	}
	party := r.SeatName(int(ev.Seat))
	if ev.Private {
		if ev.Type == protocol.EventPropose {
			party += " → " + r.SeatName(int(ev.With))
		} else {
			party += " (private)"
		}
	}
	o := line{round: int(ev.Round), t: ev.T, party: party, what: what}
	if ev.HasOutcome {
		o.outcome = strings.Join(r.Labels(ev.Outcome), ", ")
		n := len(r.prep.Seats)
		us := make([]string, n)
		for seat := range n {
			if u := r.SeatUtility(seat, ev.Outcome); u == utility.Unacceptable {
				us[seat] = r.Refusal(seat, ev.Outcome)
			} else {
				us[seat] = fmt.Sprintf("%.3f", u)
			}
		}
		o.utility = strings.Join(us, " ")
	}
	s.add(o)
	if text := r.EventText(); text != "" {
		// Free text goes on a line of its own under its action, shown or
		// cut with it, quoted so that nothing in it looks like output.
		s.add(line{round: int(ev.Round), t: -1, party: r.SeatName(int(ev.Seat)), what: "says", outcome: strconv.Quote(text), said: true})
	}
}

// Note records a note of the session (a phase opening, a scheduled event,
// a ratification vote); notes are always shown.
func (s *Summary) Note(n Note) {
	s.add(line{round: n.Round, t: -1, party: n.Party, what: n.Kind, outcome: n.Text})
}

func (s *Summary) add(o line) {
	s.rows = append(s.rows, o)
	if o.said && s.lines > 0 && s.events == s.lines && s.headEnd == len(s.rows)-1 {
		// The text of the head's last event belongs to the head.
		s.headEnd++
	}
	if o.t < 0 {
		return
	}
	s.events++
	if s.lines <= 0 {
		return
	}
	if s.events == s.lines {
		s.headEnd = len(s.rows)
	}
	// Up to lines+1 events after the head are kept: a cut that hides a
	// single event is not worth its line.
	if s.events > 2*s.lines+1 {
		s.dropOldest()
	}
}

// dropOldest cuts the first event after the head, with its free text.
func (s *Summary) dropOldest() {
	i := s.headEnd
	for s.rows[i].t < 0 {
		i++
	}
	j := i + 1
	for j < len(s.rows) && s.rows[j].said {
		j++
	}
	s.rows = append(s.rows[:i], s.rows[j:]...)
	s.events--
	s.dropped++
	if s.cut < 0 {
		s.cut = i
	}
}

// finish leaves lines events after the head once some were cut.
func (s *Summary) finish() {
	if s.dropped > 0 && s.events > 2*s.lines {
		s.dropOldest()
	}
}

// WriteText writes the summary of the session r played: its set-up, the
// exchange and the result (r.Result()).
func (s *Summary) WriteText(w io.Writer, r *Runner) error {
	res := r.Result()
	p := r.prep
	sc := p.Scenario
	ew := &errWriter{w: w}
	w = ew
	dl := fmt.Sprintf("%d rounds", res.Deadline.Rounds)
	if res.Deadline.Time != "" {
		if res.Deadline.Rounds > 0 {
			dl += " or " + res.Deadline.Time
		} else {
			dl = res.Deadline.Time
		}
	}
	if c := sc.Calendar; c != nil && res.Deadline.Rounds > 0 {
		per := fmt.Sprintf("%d days a round", c.Days)
		if c.Days == 1 {
			per = "a day a round"
		}
		dl += fmt.Sprintf(" (%s to %s, %s)", c.Date(1), c.Start.AddDate(0, 0, c.Days*res.Deadline.Rounds-1).Format(time.DateOnly), per)
	}
	fmt.Fprintf(w, "%s: protocol %s, deadline %s, seed %d\n", sc.Name, res.Protocol, dl, res.Seed)
	for _, pr := range res.Parties {
		fmt.Fprintf(w, "  %-24s %s\n", pr.ID, pr.Negotiator)
	}
	if res.Mediator != "" {
		fmt.Fprintf(w, "  %-24s %s (mediator)\n", r.SeatName(len(p.Seats)), res.Mediator)
	}
	if len(sc.Agenda) > 0 {
		var ps []string
		for _, ph := range res.Phases {
			ps = append(ps, fmt.Sprintf("%s (%s)", ph.ID, strings.Join(ph.Issues, ", ")))
		}
		fmt.Fprintf(w, "Agenda: %s\n", strings.Join(ps, " → "))
	}
	for _, m := range res.Meetings {
		who := strings.Join(m.Invitees, ", ")
		switch {
		case m.Term != "":
			fmt.Fprintf(w, "Meeting %s (%s) is a term of the deal: %s; judged when its phase opens.\n", m.ID, who, m.Term)
		case m.Signs != "":
			fmt.Fprintf(w, "Meeting %s (%s) signs phase %s; judged when the phase is about to close.\n", m.ID, who, m.Signs)
		case m.Held:
			fmt.Fprintf(w, "Meeting %s (%s) takes place.\n", m.ID, who)
		default:
			fmt.Fprintf(w, "Meeting %s (%s) does not take place: %s.\n", m.ID, who, m.Reason())
		}
	}
	fmt.Fprintln(w)
	s.writeExchange(w)
	fmt.Fprintln(w)
	writeResult(w, &res)
	return ew.err
}

// writeExchange writes the exchange as a table: notes always, protocol
// events cut in the middle.
func (s *Summary) writeExchange(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "round\tt\tparty\tevent\toutcome\tutilities")
	put := func(o line) {
		t := ""
		if o.t >= 0 {
			t = fmt.Sprintf("%.3f", o.t)
		}
		if o.utility == "" {
			// A note's text ends the line outside the columns, so one long
			// note does not widen the outcome column of every row.
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", o.round, t, o.party, o.what, o.outcome)
			return
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", o.round, t, o.party, o.what, o.outcome, o.utility)
	}
	s.finish()
	for i, o := range s.rows {
		if i == s.cut {
			fmt.Fprintf(tw, "…\t\t\t(%d events)\t\t\n", s.dropped)
		}
		put(o)
	}
	tw.Flush()
}

// writeResult writes how the session ended and what each party got.
func writeResult(w io.Writer, res *Result) {
	switch {
	case res.Agreed:
		fmt.Fprintf(w, "Agreement in round %d (%st = %.4g, %d actions):\n", res.Round, datePrefix(res.Date), res.Time, res.Steps)
		for _, v := range res.Outcome {
			val := v.Value
			if v.Label != "" {
				val = v.Label
			}
			fmt.Fprintf(w, "  %s: %s\n", v.Issue, val)
		}
		for _, rt := range res.Ratification {
			body := rt.Body
			if body == "" {
				body = "ratification"
			}
			switch {
			case !rt.Required:
				fmt.Fprintf(w, "  %s: no %s required\n", rt.Party, body)
			case rt.Passed:
				fmt.Fprintf(w, "  %s: %s passes (probability %.3g, draw %.3g%s)\n", rt.Party, body, rt.Probability, rt.Draw, communitiesText(rt))
			default:
				fmt.Fprintf(w, "  %s: %s fails (probability %.3g, draw %.3g%s)\n", rt.Party, body, rt.Probability, rt.Draw, communitiesText(rt))
			}
		}
		if res.Status == StatusNotRatified {
			fmt.Fprintf(w, "Status: not_ratified: the deal is void; every party gets %s.\n", fallback(res))
		} else {
			fmt.Fprintf(w, "Status: %s.\n", res.Status)
		}
	default:
		why := res.End
		if res.WalkedOut != "" {
			why = res.WalkedOut + " walked out"
		}
		if res.FailedPhase != "" {
			why = "failed at phase " + res.FailedPhase + ": " + why
		}
		if f := res.Failure; f != nil {
			why = fmt.Sprintf("seat %s failed, %s: %s", f.Seat, f.Cause, f.Message)
		}
		fmt.Fprintf(w, "No agreement (%s) in round %d (%st = %.4g, %d actions); every party gets %s.\n", why, res.Round, datePrefix(res.Date), res.Time, res.Steps, fallback(res))
		fmt.Fprintf(w, "Status: %s.\n", res.Status)
	}
	writeMeetings(w, res)
	if rl := res.RedLines; rl != nil {
		var cs []string
		for _, pr := range res.Parties {
			if n, ok := rl.Crossings[pr.ID]; ok {
				cs = append(cs, fmt.Sprintf("%s %d", pr.ID, n))
			}
		}
		fmt.Fprintf(w, "Red lines: offers and texts crossing them: %s", strings.Join(cs, ", "))
		if rl.Blocked != nil && *rl.Blocked {
			fmt.Fprint(w, "; they leave no outcome acceptable to all (one would exist without them)")
		}
		fmt.Fprintln(w)
	}
	writeVetoes(w, res)
	writeConstraints(w, res)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	costs := false
	for _, pr := range res.Parties {
		costs = costs || pr.DelayCost != 0
	}
	hdr := "  party\tnegotiator\tutility\tdiscounted\treservation"
	if costs {
		hdr += "\tdelay cost"
	}
	fmt.Fprintln(tw, hdr)
	prow := func(pr PartyResult) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s", pr.ID, pr.Negotiator, num(pr.Utility), num(pr.Discounted), num(pr.Reservation))
		if costs {
			fmt.Fprintf(tw, "\t%s", num(pr.DelayCost))
		}
		fmt.Fprintln(tw)
	}
	for _, pr := range res.Parties {
		prow(pr)
	}
	if res.MediatorParty != nil {
		mp := *res.MediatorParty
		if mp.Negotiator == "" {
			mp.Negotiator = "(mediator, not at the table)"
		} else {
			mp.Negotiator += " (mediator)"
		}
		prow(mp)
	}
	tw.Flush()
	fmt.Fprintf(w, "Social welfare %s (discounted %s)", num(res.SocialWelfare), num(res.DiscountedSocialWelfare))
	if res.DistanceToPareto != nil {
		fmt.Fprintf(w, "; distance to the Pareto frontier %.4g", *res.DistanceToPareto)
	}
	if res.DistanceToNash != nil {
		fmt.Fprintf(w, "; to the Nash point %.4g", *res.DistanceToNash)
	}
	fmt.Fprintln(w)
	if res.AnalysisNote != "" {
		fmt.Fprintln(w, "Note:", res.AnalysisNote)
	}
	writeBeliefs(w, res)
}

// writeMeetings says what became of the meetings judged during the
// session: a term of the deal takes place only if the deal signed has it,
// and a meeting that signs a phase decides whether the phase closes.
func writeMeetings(w io.Writer, res *Result) {
	for _, m := range res.Meetings {
		if m.Term == "" && m.Signs == "" {
			continue
		}
		switch {
		case m.Judged == judgedNever:
			fmt.Fprintf(w, "Meeting %s: %s.\n", m.ID, m.Judged)
		case m.Term != "" && !m.Possible:
			fmt.Fprintf(w, "Meeting %s could not take place (%s; judged %s): %s was off the table.\n", m.ID, m.Reason(), m.Judged, m.Term)
		case m.Term != "" && m.Held:
			fmt.Fprintf(w, "Meeting %s takes place: the deal includes %s.\n", m.ID, m.Term)
		case m.Term != "" && res.Agreed:
			fmt.Fprintf(w, "Meeting %s does not take place: the deal does not include %s.\n", m.ID, m.Term)
		case m.Term != "":
			fmt.Fprintf(w, "Meeting %s does not take place: no deal was signed.\n", m.ID)
		case m.Possible:
			fmt.Fprintf(w, "Meeting %s takes place in round %d: phase %s is signed there.\n", m.ID, m.Round, m.Signs)
		default:
			fmt.Fprintf(w, "Meeting %s does not take place in round %d (%s): phase %s cannot be signed.\n", m.ID, m.Round, m.Reason(), m.Signs)
		}
	}
}

// datePrefix is "2025-09-29, " for a date, "" for none.
func datePrefix(d string) string {
	if d == "" {
		return ""
	}
	return d + ", "
}

// fallback says what a party is paid without a binding deal: its
// reservation value, or its utility of the status quo with the standing
// clauses in place, less what delay cost it, when time cost anything.
func fallback(res *Result) string {
	what := "its reservation value"
	if res.StatusQuo {
		what = "its utility of the status quo"
	}
	if len(res.Standing) > 0 {
		var cs []string
		for _, v := range res.Standing {
			l := v.Value
			if v.Label != "" {
				l = v.Label
			}
			cs = append(cs, v.Issue+" = "+l)
		}
		what += " with the standing clauses in force (" + strings.Join(cs, ", ") + ")"
	}
	for _, pr := range res.Parties {
		if pr.DelayCost != 0 {
			return what + " less its delay costs (the table below)"
		}
	}
	return what
}

// num formats a utility with six significant digits, printing rounding
// residue such as -2.8e-17 as 0.
func num(x float64) string {
	if math.Abs(x) < 1e-12 {
		x = 0
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// errWriter keeps the first write error, so that a report of many small
// writes is checked once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
