// Package session runs a protocol among negotiators on a scenario: it owns
// the clock and the random sources, relays the public record to every seat,
// writes the trace and computes the result.
//
// Prepare compiles a scenario once (outcome space, utility functions, sorted
// indexes); a Runner plays any number of sessions on it, reusing every
// buffer, so that a step allocates nothing. Run is the one-call form.
package session

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// Prepared is a scenario compiled for sessions. It is read-only once built
// and may be shared by any number of Runners and goroutines.
type Prepared struct {
	Scenario  *scenario.Scenario
	Space     outcome.Space
	Size      uint64
	Seats     []int               // scenario party index of each negotiating seat
	Mediator  int                 // scenario party index of the mediator, or -1
	Utilities []*utility.Additive // per seat
	Indexes   []*negotiator.Index // per seat

	jsonLabels [][]string // per issue, per value: the label as a JSON string
	analysis   *analysisCache
}

// Prepare compiles sc: one negotiating seat per party whose role is not
// "mediator", in scenario order, each with its utility function and sorted
// index.
func Prepare(sc *scenario.Scenario) (*Prepared, error) {
	if sc == nil {
		return nil, errors.New("no scenario")
	}
	p := &Prepared{Scenario: sc, Space: sc.Space(), Mediator: -1}
	size, ok := p.Space.Size()
	if !ok {
		return nil, fmt.Errorf("scenario %s: %.4g outcomes do not fit a 64-bit outcome index", sc.Name, p.Space.SizeFloat())
	}
	p.Size = size
	for i := range sc.Parties {
		if sc.Parties[i].Role == "mediator" {
			if p.Mediator < 0 {
				p.Mediator = i
			}
			continue
		}
		u := sc.Utility(i)
		x, err := negotiator.NewIndex(u, p.Space)
		if err != nil {
			return nil, fmt.Errorf("scenario %s, party %s: %w", sc.Name, sc.Parties[i].ID, err)
		}
		p.Seats = append(p.Seats, i)
		p.Utilities = append(p.Utilities, u)
		p.Indexes = append(p.Indexes, x)
	}
	p.jsonLabels = make([][]string, len(sc.Issues))
	for i := range sc.Issues {
		is := &sc.Issues[i]
		ls := make([]string, is.Size())
		for v := range ls {
			ls[v] = string(appendJSONString(nil, is.Label(v)))
		}
		p.jsonLabels[i] = ls
	}
	p.analysis = &analysisCache{}
	return p, nil
}

// PartyIDs lists the negotiating seats' party ids.
func (p *Prepared) PartyIDs() []string {
	ids := make([]string, len(p.Seats))
	for s, i := range p.Seats {
		ids[s] = p.Scenario.Parties[i].ID
	}
	return ids
}

// Config describes a session.
type Config struct {
	Scenario *scenario.Scenario
	Prepared *Prepared // used instead of Scenario when set (share it across sessions)

	// Negotiators holds one strategy spec per negotiating party in scenario
	// order (see negotiator.Parse), or a single spec for all of them.
	Negotiators []string
	// Mediator is the mediator's strategy for the mediated protocol.
	Mediator string
	Protocol string // saop (default), amop, amop-majority, mediated
	Deadline protocol.Deadline
	Seed     uint64

	// Trace, when set, receives the public record as JSON lines.
	Trace io.Writer
	// OnEvent, when set, sees every event (for summaries and live views).
	OnEvent func(protocol.Event)
	// Clock returns the time elapsed since the session started. Nil means
	// the wall clock when the deadline has a time limit and no time at all
	// otherwise (so round-limited sessions are fully deterministic).
	Clock func() time.Duration
}

// seat is one negotiator with its setup and random source.
type seat struct {
	spec  negotiator.Spec
	neg   negotiator.Negotiator
	setup negotiator.Setup
	pcg   rand.PCG
	rng   *rand.Rand
}

// Runner plays sessions of one configuration, reusing its state.
type Runner struct {
	cfg   Config
	prep  *Prepared
	proto protocol.Protocol
	info  protocol.Info
	seats []*seat // parties, then the mediator if any

	seed     uint64
	start    time.Time
	wall     bool
	out      protocol.Outcome
	played   bool
	tbuf     []byte
	traceErr error
}

// NewRunner checks cfg and builds a runner. Every problem with the
// configuration is reported at once.
func NewRunner(cfg Config) (*Runner, error) {
	prep := cfg.Prepared
	if prep == nil {
		var err error
		if prep, err = Prepare(cfg.Scenario); err != nil {
			return nil, err
		}
	}
	if cfg.Protocol == "" {
		cfg.Protocol = "saop"
	}
	var errs []error
	info, perr := protocol.Lookup(cfg.Protocol)
	if perr != nil {
		errs = append(errs, perr)
	}
	if err := cfg.Deadline.Validate(); err != nil {
		errs = append(errs, err)
	}
	n := len(prep.Seats)
	ids := prep.PartyIDs()
	specs := cfg.Negotiators
	switch {
	case len(specs) == 1 && n > 1:
		specs = repeat(specs[0], n)
	case len(specs) != n:
		errs = append(errs, fmt.Errorf("the scenario has %d negotiating parties (%s); give %d negotiators, one per party in that order, or one for all; got %d (%s)",
			n, strings.Join(ids, ", "), n, len(specs), strings.Join(specs, ", ")))
	}
	r := &Runner{cfg: cfg, prep: prep, info: info}
	for s, name := range specs {
		who := fmt.Sprintf("negotiator %d", s+1)
		if len(specs) == n {
			who = "party " + ids[s]
		}
		sp, err := negotiator.Parse(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", who, err))
			continue
		}
		if len(specs) != n {
			continue
		}
		if sp.Info.Role == negotiator.RoleMediator {
			errs = append(errs, fmt.Errorf("party %s: %s is a mediator, not a negotiator; name it as the mediator (with protocol mediated) and give the party one of: %s",
				ids[s], sp.Info.Name, strings.Join(negotiator.Names(negotiator.RoleParty), ", ")))
			continue
		}
		if sp.Info.NeedsSorted && !prep.Indexes[s].Sorted() {
			errs = append(errs, fmt.Errorf("party %s: %s walks the sorted outcomes, but the %d outcomes are more than the %d that can be sorted; choose another negotiator",
				ids[s], sp.Info.Name, prep.Size, outcome.DefaultEnumerationLimit))
			continue
		}
		r.seats = append(r.seats, &seat{spec: sp, neg: sp.New()})
	}
	if perr == nil {
		if err := info.CheckParties(n, cfg.Mediator != ""); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.Mediator != "" && info.Mediated {
		sp, err := negotiator.Parse(cfg.Mediator)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("mediator: %w", err))
		case sp.Info.Role != negotiator.RoleMediator:
			errs = append(errs, fmt.Errorf("mediator: %s negotiates for a party and cannot mediate; mediators: %s",
				sp.Info.Name, strings.Join(negotiator.Names(negotiator.RoleMediator), ", ")))
		default:
			r.seats = append(r.seats, &seat{spec: sp, neg: sp.New()})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.proto = info.New()
	for i, s := range r.seats {
		s.rng = rand.New(&s.pcg)
		s.setup = negotiator.Setup{Seat: i, Parties: n, Space: prep.Space, Rand: s.rng, Deadline: cfg.Deadline}
		if i < n {
			s.setup.Utility, s.setup.Index = prep.Utilities[i], prep.Indexes[i]
		}
	}
	r.wall = cfg.Clock == nil && cfg.Deadline.Time > 0
	return r, nil
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// Prepared returns the compiled scenario the runner plays on.
func (r *Runner) Prepared() *Prepared { return r.prep }

// SetTrace directs the JSON-lines trace of later sessions to w (nil: none).
func (r *Runner) SetTrace(w io.Writer) { r.cfg.Trace = w }

// SeatName is the party id of a seat, "mediator" (or the scenario's mediator
// id) for the mediator seat, and "" for the protocol itself.
func (r *Runner) SeatName(s int) string {
	switch {
	case s < 0:
		return ""
	case s < len(r.prep.Seats):
		return r.prep.Scenario.Parties[r.prep.Seats[s]].ID
	case r.prep.Mediator >= 0:
		return r.prep.Scenario.Parties[r.prep.Mediator].ID
	}
	return "mediator"
}

func (r *Runner) elapsed() time.Duration {
	switch {
	case r.cfg.Clock != nil:
		return r.cfg.Clock()
	case r.wall:
		return time.Since(r.start)
	}
	return 0
}

// Play runs one session with the given seed and returns how it ended. It
// allocates nothing when no trace is written. Each seat draws from its own
// PCG source seeded with (seed, seat), so a seat's choices do not depend on
// how many numbers the others draw.
func (r *Runner) Play(seed uint64) (protocol.Outcome, error) {
	r.seed, r.played, r.traceErr = seed, true, nil
	n := len(r.prep.Seats)
	if err := r.proto.Reset(n, r.prep.Size, r.cfg.Deadline, r); err != nil {
		return protocol.Outcome{}, err
	}
	for i, s := range r.seats {
		s.pcg.Seed(seed, 0x9e3779b97f4a7c15*uint64(i+1))
		s.neg.Reset(&s.setup)
	}
	if r.cfg.Trace != nil {
		r.traceHeader()
	}
	if r.wall {
		r.start = time.Now()
	}
	for {
		t := r.proto.Next(r.elapsed())
		if t.Phase == protocol.PhaseDone {
			break
		}
		a := r.seats[t.Seat].neg.Act(t)
		if err := r.proto.Step(a); err != nil {
			return r.proto.Result(), fmt.Errorf("%s (%s) in round %d: %w", r.SeatName(t.Seat), r.seats[t.Seat].spec.Info.Name, t.Round, err)
		}
	}
	r.out = r.proto.Result()
	if r.traceErr != nil {
		return r.out, fmt.Errorf("writing the trace: %w", r.traceErr)
	}
	return r.out, nil
}

// Event implements protocol.Sink: it relays the public record to every seat,
// the trace and the OnEvent hook.
func (r *Runner) Event(e protocol.Event) {
	for _, s := range r.seats {
		s.neg.Observe(e)
	}
	if r.cfg.Trace != nil {
		r.traceEvent(e)
	}
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(e)
	}
}

// Run plays one session of cfg with cfg.Seed and returns its result.
func Run(cfg Config) (Result, error) {
	r, err := NewRunner(cfg)
	if err != nil {
		return Result{}, err
	}
	if _, err := r.Play(cfg.Seed); err != nil {
		return Result{}, err
	}
	return r.Result(), nil
}
