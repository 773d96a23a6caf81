package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/llm/leak"
	"github.com/parleyhq/parley/plot"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// RunCmd runs one negotiation session and reports the exchange and result.
type RunCmd struct {
	Path        string         `arg:"" name:"scenario" help:"A parley scenario file, or a Genius XML / GeniusWeb folder." type:"path"`
	Negotiators []string       `short:"n" sep:"," help:"Negotiators, one per party in scenario order, or one for all (default: boulware and conceder in turn): ${negotiators} (parameters as timedependent:e=0.5; parley list describes them), cmd:\"PROGRAM ARGS\" for an agent that speaks the seat protocol on stdin/stdout (docs/protocol.md), remote:NAME for an agent that connects over the network (WebSocket or long-poll; parley prints the seat's URLs and waits for it: --listen), or llm:model=NAME:base_url=URL:key_env=VAR for a language model behind an OpenAI-compatible endpoint (docs/llm.md)."`
	Protocol    string         `short:"p" default:"saop" help:"Protocol: ${protocols_or}."`
	Mediator    string         `short:"m" help:"Mediator for protocols ${mediated_or}: ${mediators_or} (default broker when the scenario names a mediator party)."`
	Rounds      *int           `short:"r" help:"Deadline in rounds (default: the scenario's deadline, or 100, when no --time is given)."`
	Time        *time.Duration `help:"Deadline in wall-clock time, e.g. 2s (makes the run non-deterministic)."`
	Seed        uint64         `short:"s" help:"Seed of the negotiators' random sources."`
	Trace       string         `help:"Write the public record as JSON lines to this file." type:"path"`
	JSON        bool           `help:"Print the result as JSON instead of a summary."`
	Lines       int            `default:"10" help:"Exchange lines shown at the start and at the end of the summary."`
	Plot        string         `help:"Also draw the session to this PNG or SVG file: each party's utility of the offers over time, and the offers in the utility space of two parties with their Pareto frontier, the Nash point and the agreement."`
	Axes        []string       `sep:"," help:"The two parties of --plot's utility space, as x,y (default: the first two)."`

	AnticipateRatification bool `help:"Parties whose deals need ratifying bargain over their expected utility P·u + (1−P)·rv, P the chance their own constituency ratifies the deal (needs an enumerable outcome space)."`

	SeatClock
	RemoteFlags
}

// Run implements the run command.
func (c *RunCmd) Run(e env) error {
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	if len(c.Axes) > 0 && c.Plot == "" {
		return fmt.Errorf("--axes chooses the parties of --plot; add --plot FILE.png or FILE.svg")
	}
	d, err := c.deadline()
	if err != nil {
		return err
	}
	sc, err := open.Path(c.Path)
	if err != nil {
		return err
	}
	d = c.scenarioDeadline(d, sc)
	prep, err := session.PrepareWithin(sc, e.b)
	if err != nil {
		return err
	}
	var (
		sum = session.NewSummary(c.Lines)
		r   *session.Runner
		rec *session.Recorder
	)
	if c.Plot != "" {
		rec = &session.Recorder{}
	}
	if len(c.Negotiators) == 0 {
		c.Negotiators = defaultNegotiators(len(sc.Negotiators()))
		fmt.Fprintf(e.stderr, "note: no -n given: the parties play %s (choose with -n; parley list shows the negotiators)\n", strings.Join(c.Negotiators, ", "))
	}
	hub, err := c.hub()
	if err != nil {
		return err
	}
	seats, pool, err := c.launcher("", hub.Kind())
	if err != nil {
		hub.Close()
		return err
	}
	defer seats.Close() // the remote seats' too: their agents read the end
	var said leak.Watch
	cfg := session.Config{
		Outside:     seats.Outside,
		Prepared:    prep,
		Negotiators: c.Negotiators,
		Mediator:    c.Mediator,
		Protocol:    c.Protocol,
		Deadline:    d,
		Seed:        c.Seed,

		AnticipateRatification: c.AnticipateRatification,
	}
	cfg.OnEvent = func(ev protocol.Event) {
		said.Observe(r, ev)
		if !c.JSON {
			sum.Observe(r, ev)
		}
		if rec != nil {
			rec.Observe(r, ev)
		}
	}
	if !c.JSON {
		cfg.OnNote = sum.Note
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
	if err := oneSeatEach(seats.Seats()); err != nil {
		return err
	}
	if err := c.serve(e.b.Context, e, hub); err != nil {
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
	reportLLM(e.stderr, pool)
	if err != nil {
		return err
	}
	leaks := leak.Check(r, said.Said, 0)
	if rec != nil {
		if err := writePlot(c.Plot, func(w io.Writer, format string) error { return plot.Session(w, format, r, rec, x, y) }); err != nil {
			return err
		}
	}
	if c.JSON {
		return writeJSON(e.stdout, runOutput{Result: r.Result(), TextLeaks: leaks})
	}
	out := printable.Writer(e.stdout) // labels and free text come from outside
	if err := sum.WriteText(out, r); err != nil {
		return err
	}
	if len(leaks) > 0 {
		fmt.Fprintln(out)
	}
	return leak.WriteText(out, leaks)
}

// deadline is the session's deadline: --rounds, --time or both, 100
// rounds when neither is given. A zero or negative one is refused, not
// taken for the default.
func (c *RunCmd) deadline() (protocol.Deadline, error) {
	var d protocol.Deadline
	if c.Rounds != nil {
		if *c.Rounds <= 0 {
			return d, fmt.Errorf("--rounds is %d; give a positive number of rounds (or leave it out for 100)", *c.Rounds)
		}
		d.Rounds = *c.Rounds
	}
	if c.Time != nil {
		if *c.Time <= 0 {
			return d, fmt.Errorf("--time is %v; give a positive duration such as 2s (or leave it out)", *c.Time)
		}
		d.Time = *c.Time
	}
	if c.Rounds == nil && c.Time == nil {
		d.Rounds = 100
	}
	return d, nil
}

// scenarioDeadline is the scenario's own deadline when the command gives
// none (scenario.Scenario.Deadline), else d.
func (c *RunCmd) scenarioDeadline(d protocol.Deadline, sc *scenario.Scenario) protocol.Deadline {
	if c.Rounds == nil && c.Time == nil && sc.Deadline > 0 {
		d.Rounds = sc.Deadline
	}
	return d
}

// defaultNegotiators seats n parties with boulware and conceder in turn: a
// demanding and a yielding strategy, so a first run shows a negotiation
// that moves.
func defaultNegotiators(n int) []string {
	negs := make([]string, n)
	for i := range negs {
		negs[i] = []string{"boulware", "conceder"}[i%2]
	}
	return negs
}

// oneSeatEach refuses a remote seat named for two seats of the session:
// one agent plays one seat of one session at a time.
func oneSeatEach(seats []*seat.Launched) error {
	seen := map[string]bool{}
	for _, s := range seats {
		if name, ok, _ := seat.RemoteName(s.Spec); ok {
			if seen[name] {
				return fmt.Errorf("%s%s sits at two seats of the session, and one agent plays one seat at a time: give each seat a name of its own (%s%s, %s%s2)",
					seat.RemotePrefix, name, seat.RemotePrefix, name, seat.RemotePrefix, name)
			}
			seen[name] = true
		}
	}
	return nil
}
