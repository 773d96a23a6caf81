package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"
)

// RunCmd runs one negotiation session and reports the exchange and result.
type RunCmd struct {
	Path        string        `arg:"" name:"scenario" help:"A parley scenario file, or a Genius XML / GeniusWeb folder." type:"path"`
	Negotiators []string      `short:"n" required:"" sep:"," help:"Negotiators, one per party in scenario order, or one for all: ${negotiators} (parameters as timedependent:e=0.5; parley list describes them), or cmd:\"PROGRAM ARGS\" for an agent that speaks the seat protocol on stdin/stdout (docs/protocol.md)."`
	Protocol    string        `short:"p" default:"saop" help:"Protocol: ${protocols_or}."`
	Mediator    string        `short:"m" help:"Mediator for protocols ${mediated_or}: ${mediators_or} (default broker when the scenario names a mediator party)."`
	Rounds      int           `short:"r" help:"Deadline in rounds (default 100 when no --time is given)."`
	Time        time.Duration `help:"Deadline in wall-clock time, e.g. 2s (makes the run non-deterministic)."`
	Seed        uint64        `short:"s" help:"Seed of the negotiators' random sources."`
	Trace       string        `help:"Write the public record as JSON lines to this file." type:"path"`
	JSON        bool          `help:"Print the result as JSON instead of a summary."`
	Lines       int           `default:"10" help:"Exchange lines shown at the start and at the end of the summary."`
	Plot        string        `help:"Also draw the session to this PNG or SVG file: each party's utility of the offers over time, and the offers in the utility space of two parties with their Pareto frontier, the Nash point and the agreement."`
	Axes        []string      `sep:"," help:"The two parties of --plot's utility space, as x,y (default: the first two)."`

	AnticipateRatification bool `help:"Parties whose deals need ratifying bargain over their expected utility P·u + (1−P)·rv, P the chance their own constituency ratifies the deal (needs an enumerable outcome space)."`

	SeatClock
}

// Run implements the run command.
func (c *RunCmd) Run(e env) error {
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	if len(c.Axes) > 0 && c.Plot == "" {
		return fmt.Errorf("--axes chooses the parties of --plot; add --plot FILE.png or FILE.svg")
	}
	sc, err := open.Path(c.Path)
	if err != nil {
		return err
	}
	d := protocol.Deadline{Rounds: c.Rounds, Time: c.Time}
	if d.Rounds == 0 && d.Time == 0 {
		d.Rounds = 100
	}
	var (
		rows = exchange{lines: c.Lines, cut: -1}
		r    *session.Runner
		rec  *session.Recorder
	)
	if c.Plot != "" {
		rec = &session.Recorder{}
	}
	seats, err := c.launcher("")
	if err != nil {
		return err
	}
	defer seats.Close()
	cfg := session.Config{
		Outside:     seats.Outside,
		Scenario:    sc,
		Negotiators: c.Negotiators,
		Mediator:    c.Mediator,
		Protocol:    c.Protocol,
		Deadline:    d,
		Seed:        c.Seed,

		AnticipateRatification: c.AnticipateRatification,
	}
	if !c.JSON || rec != nil {
		cfg.OnEvent = func(ev protocol.Event) {
			if !c.JSON {
				rows.add(eventRow(r, ev))
			}
			if rec != nil {
				rec.Observe(r, ev)
			}
		}
	}
	if !c.JSON {
		cfg.OnNote = func(n session.Note) {
			rows.add(row{round: n.Round, t: -1, party: n.Party, what: n.Kind, outcome: n.Text})
		}
	}
	r, err = session.NewRunner(cfg)
	if err != nil {
		return err
	}
	// The axes are checked before the session runs, which may be long.
	var x, y int
	if rec != nil {
		if x, y, err = plotAxes(c.Axes, r.Prepared().PartyIDs()); err != nil {
			return err
		}
	}
	play := func() error {
		_, err := r.Play(c.Seed)
		return err
	}
	if c.Trace == "" {
		err = play()
	} else {
		err = writeFileAtomic(c.Trace, func(f *os.File) error {
			tw := bufio.NewWriter(f)
			r.SetTrace(tw)
			if err := play(); err != nil {
				return err
			}
			return tw.Flush()
		})
	}
	if err != nil {
		return err
	}
	if rec != nil {
		if err := writePlot(c.Plot, func(w io.Writer, format string) error { return rec.WritePlot(w, format, r, x, y) }); err != nil {
			return err
		}
	}
	res := r.Result()
	if c.JSON {
		return writeJSON(e.stdout, res)
	}
	summarize(e.stdout, r, res, &rows)
	return nil
}

// row is one line of the exchange: a protocol event, or a note of the
// session (phase, event, ratification) with t < 0.
type row struct {
	round                         int
	t                             float64
	party, what, outcome, utility string
}

// exchange keeps the rows the summary shows while the session runs: every
// note, the first and the last `lines` events, and the number of events cut
// between them (all events when lines ≤ 0), so that a long session does
// not hold every event in memory.
type exchange struct {
	lines   int
	rows    []row
	events  int // events kept
	headEnd int // rows[:headEnd] hold the first `lines` events
	cut     int // where the cut events were, in rows; -1: none
	dropped int // events cut
}

func (x *exchange) add(o row) {
	x.rows = append(x.rows, o)
	if o.t < 0 {
		return
	}
	x.events++
	if x.lines <= 0 {
		return
	}
	if x.events == x.lines {
		x.headEnd = len(x.rows)
	}
	// Up to lines+1 events after the head are kept: a cut that hides a
	// single event is not worth its line.
	if x.events > 2*x.lines+1 {
		x.dropOldest()
	}
}

// dropOldest cuts the first event after the head.
func (x *exchange) dropOldest() {
	i := x.headEnd
	for x.rows[i].t < 0 {
		i++
	}
	x.rows = append(x.rows[:i], x.rows[i+1:]...)
	x.events--
	x.dropped++
	if x.cut < 0 {
		x.cut = i
	}
}

// finish leaves lines events after the head once some were cut.
func (x *exchange) finish() {
	if x.dropped > 0 && x.events > 2*x.lines {
		x.dropOldest()
	}
}

// eventRow describes a protocol event while it happens (an agenda phase's
// outcomes are read in that phase's issues).
func eventRow(r *session.Runner, ev protocol.Event) row {
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
	o := row{round: int(ev.Round), t: ev.T, party: party, what: what}
	if ev.HasOutcome {
		o.outcome = strings.Join(r.Labels(ev.Outcome), ", ")
		n := len(r.Prepared().Seats)
		us := make([]string, n)
		for s := range n {
			if u := r.SeatUtility(s, ev.Outcome); u == utility.Unacceptable {
				us[s] = "red line"
			} else {
				us[s] = fmt.Sprintf("%.3f", u)
			}
		}
		o.utility = strings.Join(us, " ")
	}
	return o
}

// summarize prints the meetings, the head and tail of the exchange and the result.
func summarize(w io.Writer, r *session.Runner, res session.Result, ex *exchange) {
	p := r.Prepared()
	sc := p.Scenario
	dl := fmt.Sprintf("%d rounds", res.Deadline.Rounds)
	if res.Deadline.Time != "" {
		if res.Deadline.Rounds > 0 {
			dl += " or " + res.Deadline.Time
		} else {
			dl = res.Deadline.Time
		}
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
		if m.Held {
			fmt.Fprintf(w, "Meeting %s (%s) takes place.\n", m.ID, strings.Join(m.Invitees, ", "))
		} else {
			fmt.Fprintf(w, "Meeting %s (%s) does not take place: %s.\n", m.ID, strings.Join(m.Invitees, ", "), m.Reason())
		}
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "round\tt\tparty\tevent\toutcome\tutilities")
	put := func(o row) {
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
	// Notes are always shown; protocol events are cut in the middle.
	ex.finish()
	for i, o := range ex.rows {
		if i == ex.cut {
			fmt.Fprintf(tw, "…\t\t\t(%d events)\t\t\n", ex.dropped)
		}
		put(o)
	}
	tw.Flush()
	fmt.Fprintln(w)

	switch {
	case res.Agreed:
		fmt.Fprintf(w, "Agreement in round %d (t = %.4g, %d actions):\n", res.Round, res.Time, res.Steps)
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
				fmt.Fprintf(w, "  %s: %s passes (probability %.3g, draw %.3g)\n", rt.Party, body, rt.Probability, rt.Draw)
			default:
				fmt.Fprintf(w, "  %s: %s fails (probability %.3g, draw %.3g)\n", rt.Party, body, rt.Probability, rt.Draw)
			}
		}
		if res.Status == session.StatusNotRatified {
			fmt.Fprintln(w, "Status: not_ratified: the deal is void; every party gets its reservation value.")
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
		fmt.Fprintf(w, "No agreement (%s) in round %d (t = %.4g, %d actions); every party gets its reservation value.\n", why, res.Round, res.Time, res.Steps)
		fmt.Fprintf(w, "Status: %s.\n", res.Status)
	}
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
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	costs := false
	for _, pr := range res.Parties {
		costs = costs || pr.DelayCost != 0
	}
	hdr := "  party\tnegotiator\tutility\tdiscounted\treservation"
	if costs {
		hdr += "\tdelay cost"
	}
	fmt.Fprintln(tw, hdr)
	prow := func(pr session.PartyResult) {
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
}

// num formats a utility with six significant digits, printing rounding
// residue such as -2.8e-17 as 0.
func num(x float64) string {
	if math.Abs(x) < 1e-12 {
		x = 0
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}
