package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/session"
)

// RunCmd runs one negotiation session and reports the exchange and result.
type RunCmd struct {
	Path        string        `arg:"" name:"scenario" help:"A parley scenario file, or a Genius XML / GeniusWeb folder." type:"path"`
	Negotiators []string      `short:"n" required:"" sep:"," help:"Negotiators, one per party in scenario order, or one for all (e.g. boulware,conceder; parameters as timedependent:e=0.5)."`
	Protocol    string        `short:"p" default:"saop" help:"Protocol: saop, amop, amop-majority or mediated."`
	Mediator    string        `short:"m" help:"Mediator for protocol mediated: hillclimb or veto."`
	Rounds      int           `short:"r" help:"Deadline in rounds (default 100 when no --time is given)."`
	Time        time.Duration `help:"Deadline in wall-clock time, e.g. 2s (makes the run non-deterministic)."`
	Seed        uint64        `short:"s" help:"Seed of the negotiators' random sources."`
	Trace       string        `help:"Write the public record as JSON lines to this file." type:"path"`
	JSON        bool          `help:"Print the result as JSON instead of a summary."`
	Lines       int           `default:"10" help:"Exchange lines shown at the start and at the end of the summary."`
}

// Run implements the run command.
func (c *RunCmd) Run(e env) error {
	sc, err := open.Path(c.Path)
	if err != nil {
		return err
	}
	d := protocol.Deadline{Rounds: c.Rounds, Time: c.Time}
	if d.Rounds == 0 && d.Time == 0 {
		d.Rounds = 100
	}
	var events []protocol.Event
	cfg := session.Config{
		Scenario:    sc,
		Negotiators: c.Negotiators,
		Mediator:    c.Mediator,
		Protocol:    c.Protocol,
		Deadline:    d,
		Seed:        c.Seed,
	}
	if !c.JSON {
		cfg.OnEvent = func(ev protocol.Event) { events = append(events, ev) }
	}
	r, err := session.NewRunner(cfg)
	if err != nil {
		return err
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
	res := r.Result()
	if c.JSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	summarize(e.stdout, r, res, events, c.Lines)
	return nil
}

// summarize prints the head and tail of the exchange and the result.
func summarize(w io.Writer, r *session.Runner, res session.Result, events []protocol.Event, lines int) {
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
		fmt.Fprintf(w, "  %-24s %s\n", r.SeatName(len(p.Seats)), res.Mediator)
	}
	fmt.Fprintln(w)

	buf := make([]int, p.Space.Issues())
	label := func(id uint64) string {
		p.Space.Decode(id, buf)
		ls := make([]string, len(buf))
		for i, v := range buf {
			ls[i] = sc.Issues[i].Label(v)
		}
		return strings.Join(ls, ", ")
	}
	utils := func(id uint64) string {
		us := make([]string, len(p.Seats))
		for s := range p.Seats {
			us[s] = fmt.Sprintf("%.3f", p.Indexes[s].Utility(id, buf))
		}
		return strings.Join(us, " ")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "round\tt\tparty\tevent\toutcome\tutilities")
	row := func(ev protocol.Event) {
		what := ev.Type.String()
		if ev.Type == protocol.EventVote {
			what = "reject"
			if ev.Accept {
				what = "accept"
			}
		}
		o, u := "", ""
		if ev.HasOutcome {
			o, u = label(ev.Outcome), utils(ev.Outcome)
		}
		fmt.Fprintf(tw, "%d\t%.3f\t%s\t%s\t%s\t%s\n", ev.Round, ev.T, r.SeatName(int(ev.Seat)), what, o, u)
	}
	if lines <= 0 || len(events) <= 2*lines+1 {
		for _, ev := range events {
			row(ev)
		}
	} else {
		for _, ev := range events[:lines] {
			row(ev)
		}
		fmt.Fprintf(tw, "…\t\t\t(%d events)\t\t\n", len(events)-2*lines)
		for _, ev := range events[len(events)-lines:] {
			row(ev)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)

	if res.Agreed {
		fmt.Fprintf(w, "Agreement in round %d (t = %.4g, %d actions):\n", res.Round, res.Time, res.Steps)
		for _, v := range res.Outcome {
			val := v.Value
			if v.Label != "" {
				val = v.Label
			}
			fmt.Fprintf(w, "  %s: %s\n", v.Issue, val)
		}
	} else {
		why := res.End
		if res.WalkedOut != "" {
			why = res.WalkedOut + " walked out"
		}
		fmt.Fprintf(w, "No agreement (%s) in round %d (t = %.4g, %d actions); every party gets its reservation value.\n", why, res.Round, res.Time, res.Steps)
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  party\tnegotiator\tutility\tdiscounted\treservation")
	for _, pr := range res.Parties {
		fmt.Fprintf(tw, "  %s\t%s\t%.6g\t%.6g\t%.6g\n", pr.ID, pr.Negotiator, pr.Utility, pr.Discounted, pr.Reservation)
	}
	tw.Flush()
	fmt.Fprintf(w, "Social welfare %.6g (discounted %.6g)", res.SocialWelfare, res.DiscountedSocialWelfare)
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
