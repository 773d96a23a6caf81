// Package session runs a protocol among negotiators on a scenario: it owns
// the clock and the random sources, relays the record to every seat, applies
// the scenario's negotiation rules, writes the trace and computes the result.
//
// Prepare compiles a scenario once (outcome space, utility functions, sorted
// indexes, the preferences after each scheduled event, the meetings); a
// Runner plays any number of sessions on it, reusing every buffer, so that a
// step allocates nothing. Run is the one-call form.
//
// # Seats
//
// Every party negotiates except the mediator (scenario.Scenario.Negotiates
// decides). Guarantors and coalitions are parties that negotiate. The mediator party sits at the mediator seat of the mediated
// and shuttle protocols, where its utility function is its Setup.Utility
// (the broker strategy uses it; hillclimb and veto ignore it); in saop and
// amop it takes no part.
//
// # The rules of the seed scenario
//
// Red lines: a party's utility of an outcome that crosses one of its red
// lines is utility.Unacceptable, below any reservation value, so no built-in
// strategy offers, accepts or votes for it. Mediators do not know the
// parties' red lines (private information); a text that crosses one is
// simply rejected. Result.RedLines counts, per party, the offers and texts
// put to it that crossed its red lines, and says whether red lines alone
// leave no outcome acceptable to every party. The trace holds none of this.
//
// Agenda: with Scenario.Agenda the session runs phase by phase, in the
// agenda's order (which respects every phase's After): each phase runs the
// protocol over its own issues only, with earlier phases' agreements fixed;
// a phase that fails ends the session (status failed_phase). A party values
// a phase's outcome as the full deal with the settled issues at their agreed
// values and the issues still open at their mean evaluation (for an additive
// utility the same as the expectation over a uniformly random completion),
// against its whole-deal reservation value; a phase that stands on its own,
// with a status quo, at what it secures to the deadline instead (timed, in
// agenda.go). A red line binds a phase once
// every issue it names is settled or on the table. All phases share the
// session's deadline: a phase that opens after round r starts in round r+1
// with the session's normalised time, and a phase whose predecessors used
// every round cannot open. Phase outcomes in the trace are indices into the
// phase's own outcome space (its issues, in agenda order).
//
// Ratification: when an agreement is reached, every body of every
// negotiating party that the deal requires holds its vote, body by body,
// drawn from the session's own seeded source: it passes when a uniform
// draw is below utility.Body.Prob. One failed vote makes the deal void
// (status not_ratified): every party gets its reservation value.
//
// Constraints (scenario.Constraint) are the last red lines of every
// member's utility: no built-in strategy offers or accepts a deal that
// breaks one; an offer that does is counted per constraint
// (Result.Constraints), not as a crossing of each party's red lines. With
// Config.AnticipateRatification, a party with a ratification rule bargains
// over its expected utility P(o)·u(o) + (1 − P(o))·rv instead of u (see
// anticipate.go and docs/sessions.md); results and votes stay real.
//
// Guarantees and credibility are compiled into the beneficiary's utility
// function by scenario.Utility; sessions use it as it is.
//
// Time: a party with delay cost c loses c per round until the session ends,
// with a deal or without (the war goes on during the talks), so its payoff
// is u(o) − c·r for a deal in round r and rv(r) − c·r for no deal when the
// session ends in round r. Its reservation value drifts by d per round:
// rv(r) = rv + shifts + d·r. What a negotiator sees in round r is the
// reservation that decides between accepting now and holding out to the
// round deadline R: rv(r) − c·(R − r) (costs already paid are sunk; the
// party does not anticipate drift, it sees today's alternative), never
// below 0. So a delay cost makes a party readier to settle early. With a
// time deadline only, the cost term is left out. Scheduled events apply at
// the start of their round (events of round 0 before the first turn): a
// reservation shift, new weights or dropped red lines; the party's
// negotiator sees its new utility and reservation from that turn on. The
// trace records that an event happened, to whom, and its description,
// never the numbers.
//
// Meetings: each scenario meeting takes place only if every invitee accepts
// by its rule (analysis.JudgeMeeting: always; never; zone: some outcome that
// keeps the clauses in force is acceptable to every invitee, counting red
// lines and fallbacks; a number x: the invitee's utility at the predicted
// deal is at least x) and the state gives it what it needs. A meeting is
// judged when it is needed (meetings.go): a term of the deal when the phase
// that settles its issue opens (if it cannot take place, its value is off
// the table: a red line of every member for that phase), a meeting that
// signs a phase when the phase is about to close (if it does not take
// place, the phase fails), any other at the start. Under the shuttle
// protocol the joint session is the first meeting whose invitees include
// every negotiating party: if it does not take place at the start, the
// session ends when the joint session would open (status no_agreement, end
// "no joint meeting").
package session

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/parleyhq/parley/budget"
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
	Utilities []*utility.Additive // per seat, before any event
	Indexes   []*negotiator.Index // per seat, before any event
	// Meetings is the verdict on each of the scenario's meetings.
	Meetings []Meeting
	// Joint is the meeting that holds the shuttle's joint session (the
	// first whose invitees include every negotiating party), or -1.
	Joint int

	// members are the seats' parties, then the mediator party if any.
	members []int
	// variants[k][m] is member m's utility function and index after the
	// first k scheduled events; only the members an event changes get new
	// ones.
	variants [][]variant
	// partyAt[k][m] is member m's party after the first k scheduled
	// events: its delay cost and drift (events may set them).
	partyAt [][]*scenario.Party
	phases  []phaseInfo
	dynamic bool // time effects, events or an agenda: reservations move
	rules   bool // the scenario has any negotiation rule

	// Meetings judged during sessions (meetings.go): per meeting, the
	// phase whose opening judges it as a term of the deal (-1: none);
	// per phase, the meeting that signs it (-1: none); the terms.
	termPhase []int
	gate      []int
	terms     []int
	meetCache *meetingCache

	sq         []int // the status quo, or nil (time.go)
	anyStands  bool  // some phase of the agenda stands on its own
	stateRates bool  // some party's costs or drift depend on the state
	timeRates  bool  // some party has costs or drift (timed)

	public     []*negotiator.Index // per seat, when utilities are public (public.go)
	jsonLabels [][]string          // per issue, per value: the label as a JSON string
	budget     *budget.Budget      // from PrepareWithin: bounds indexing and the results' analysis
	analysis   *analysisCache
	zone       *zoneCache
	anti       *anticipation
	proj       *phaseCache[variant] // phase preferences (project)
	infl       *influenceCache      // the mediator's preferences by round, when parties lobby it
	vetoes     bool                 // some seat's acceptance is its members' or needs a consent

	beliefs [][]*negotiator.Belief // per seat, what it believes of the others (beliefs.go)

	phaseBel beliefCache // beliefs projected to agenda phases (beliefs.go)
}

// variant is a member's preferences: its utility function, the index of
// it, and, when the member's seat anticipates its ratification, the index
// of its expected utility, which its negotiator then sees instead (ax).
type variant struct {
	u   *utility.Additive
	x   *negotiator.Index
	ax  *negotiator.Index
	out bool // the member is excluded from the talks
}

// phaseInfo is one phase of the agenda as sessions run it; a scenario
// without an agenda has one phase with every issue.
type phaseInfo struct {
	id     string
	issues []int
	space  outcome.Space
	size   uint64
}

// Prepare compiles sc. See the package documentation for who negotiates.
func Prepare(sc *scenario.Scenario) (*Prepared, error) { return PrepareWithin(sc, nil) }

// PrepareWithin is Prepare bounded by b: the indexes' memory must fit
// (refused before any is built, with the estimate), b's context is polled
// and its callback told while they are built, and it also bounds the
// Pareto frontier that results measure their distances against (see
// Result.AnalysisNote). b's context must stay valid for as long as the
// Prepared plays sessions.
func PrepareWithin(sc *scenario.Scenario, b *budget.Budget) (*Prepared, error) {
	if sc == nil {
		return nil, errors.New("no scenario")
	}
	p := &Prepared{Scenario: sc, Space: sc.Space(), Mediator: -1, Joint: -1, budget: b}
	size, ok := p.Space.Size()
	if !ok {
		return nil, fmt.Errorf("scenario %s: %.4g outcomes do not fit a 64-bit outcome index", sc.Name, p.Space.SizeFloat())
	}
	p.Size = size
	if err := sc.CheckParties(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	p.Mediator = sc.MediatorIndex()
	p.Seats = sc.Negotiators()
	p.members = append([]int(nil), p.Seats...)
	if p.Mediator >= 0 {
		p.members = append(p.members, p.Mediator)
	}
	ib, err := p.indexBudget()
	if err != nil {
		return nil, err
	}
	base := make([]variant, len(p.members))
	for m, i := range p.members {
		u := sc.Utility(i)
		x, err := negotiator.NewIndexWithin(u, p.Space, ib.party(m))
		if err != nil {
			return nil, fmt.Errorf("scenario %s, party %s: %w", sc.Name, sc.Parties[i].ID, err)
		}
		base[m] = variant{u: u, x: x}
	}
	for s := range p.Seats {
		p.Utilities = append(p.Utilities, base[s].u)
		p.Indexes = append(p.Indexes, base[s].x)
		p.vetoes = p.vetoes || base[s].u.Vetoes()
	}
	ib.events = true
	err = p.compileEvents(base, ib)
	if err != nil {
		ib.end()
		return nil, err
	}
	ib.events, ib.public = false, true
	err = p.compilePublic(ib)
	ib.end()
	if err != nil {
		return nil, err
	}
	p.compileBeliefs()
	p.compilePhases()
	p.compileTime()
	for _, pa := range sc.Parties {
		if pa.DelayCost != 0 || pa.Drift != 0 || len(pa.While) > 0 {
			p.dynamic = true
		}
		if len(pa.RedLines) > 0 || pa.Ratification != nil {
			p.rules = true
		}
	}
	if len(sc.Events) > 0 || len(sc.Agenda) > 0 {
		p.dynamic = true
	}
	p.rules = p.rules || p.dynamic || p.Mediator >= 0 || len(sc.Meetings) > 0 || len(sc.Guarantees) > 0 || len(sc.Constraints) > 0
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
	p.zone = &zoneCache{}
	p.anti = &anticipation{}
	p.proj = &phaseCache[variant]{}
	p.compileMeetings()
	if sc.Influence != nil && p.Mediator >= 0 {
		p.infl = &influenceCache{}
		p.dynamic, p.rules = true, true
	}
	return p, nil
}

// member returns the member index of scenario party i, or -1.
func (p *Prepared) member(i int) int {
	for m, x := range p.members {
		if x == i {
			return m
		}
	}
	return -1
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
	// Mediator is the mediator's strategy for the mediated and shuttle
	// protocols; when the scenario names a mediator party it defaults to
	// broker.
	Mediator string
	Protocol string // saop (default), amop, amop-majority, mediated, shuttle
	Deadline protocol.Deadline
	Seed     uint64

	// AnticipateRatification has every negotiating party that must have a
	// deal ratified bargain over its expected utility
	// P(o)·u(o) + (1 − P(o))·rv instead of u(o), P being the chance that its
	// own constituency ratifies o (a two-level game played with foresight;
	// other parties' rules stay unknown to it). The results still report
	// real utilities and the real vote. It needs a space of at most
	// outcome.DefaultEnumerationLimit outcomes; see docs/sessions.md.
	AnticipateRatification bool

	// Custom names negotiators of the caller's own, written in Go: a spec
	// that is a key of Custom seats a fresh negotiator from its function
	// (docs/negotiator.md). Custom names take precedence over built-ins.
	Custom map[string]func() negotiator.Negotiator

	// Outside makes the seat for a negotiator spec that is not a built-in
	// strategy (a process, a remote client, a language model): it returns
	// ok false for specs it does not know, which are then parsed as
	// built-ins. Nil means built-ins only.
	Outside func(spec string, seat int) (o Outside, ok bool, err error)

	// Trace, when set, receives the record as JSON lines.
	Trace io.Writer
	// OnEvent, when set, sees every protocol event (for summaries and live
	// views). During the call, Runner.Labels and Runner.SeatUtility
	// describe the event's outcome.
	OnEvent func(protocol.Event)
	// OnNote, when set, sees the session's own events: phases, scheduled
	// events, ratification votes.
	OnNote func(Note)
	// Clock returns the time elapsed since the session started. Nil means
	// the wall clock when the deadline has a time limit and no time at all
	// otherwise (so round-limited sessions are fully deterministic).
	Clock func() time.Duration
}

// seat is one negotiator with its setup and random source.
type seat struct {
	spec  negotiator.Spec // zero for an outside seat
	name  string          // the spec as given, for results and traces
	neg   negotiator.Negotiator
	out   Outside // the negotiator, when it plays from outside
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

	phaseKey []byte              // project's key buffer
	meetKey  []byte              // judge's key buffer
	meets    map[string]*Meeting // judge's verdicts
	phases   phaseCache[variant] // project's results, anticipated indexes included
	// A timed phase's preferences change every round: the runner keeps
	// them in a dense table per phase opening (timed.go), so that a round
	// costs an index, not a map lookup per member.
	timedTabs map[string]*timedTable
	timedCur  *timedTable

	seed     uint64
	start    time.Time
	wall     bool
	out      protocol.Outcome
	played   bool
	tbuf     []byte
	traceErr error

	// variants is prep.variants, with the anticipated indexes filled in
	// when the configuration asks for them.
	variants [][]variant

	outsiders bool   // some seat plays from outside
	said      string // free text of the action being stepped
	saidSeat  int    // the seat stepping it, -1 between steps
	text      string // said, while an event of saidSeat is relayed (EventText)

	// The rules' per-session state (rules.go).
	st       sessionState
	ratPCG   rand.PCG
	ratRand  *rand.Rand
	phaseBuf []int
	payBuf   []int     // the agreement, decoded for Payoff
	infl     []variant // the mediator's preferences by round (influence.go)
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
	if perr == nil && info.Mediated && cfg.Mediator == "" && prep.Mediator >= 0 {
		cfg.Mediator = "broker"
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
		if make, ok := cfg.Custom[name]; ok {
			if len(specs) == n {
				r.seats = append(r.seats, &seat{name: name, neg: make()})
			}
			continue
		}
		if o, ok, err := r.outside(name, s); ok || err != nil {
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", who, err))
			} else if len(specs) == n {
				r.seats = append(r.seats, &seat{name: name, neg: o, out: o})
			}
			continue
		}
		sp, err := negotiator.Parse(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", who, err))
			continue
		}
		if len(specs) != n {
			continue
		}
		if err := sp.CheckRole(negotiator.RoleParty); err != nil {
			errs = append(errs, fmt.Errorf("party %s: %w", ids[s], err))
			continue
		}
		if err := sp.CheckIndex(prep.Indexes[s]); err != nil {
			errs = append(errs, fmt.Errorf("party %s: %w", ids[s], err))
			continue
		}
		if err := sp.CheckPublic(prep.public != nil); err != nil {
			errs = append(errs, fmt.Errorf("party %s: %w", ids[s], err))
			continue
		}
		r.seats = append(r.seats, &seat{spec: sp, name: sp.String(), neg: sp.New()})
	}
	if perr == nil {
		if err := negotiator.CheckTable(info, n, cfg.Mediator != ""); err != nil {
			errs = append(errs, err)
		}
		if err := checkRule(prep, info); err != nil {
			errs = append(errs, err)
		}
	}
	if o, ok, err := r.outside(cfg.Mediator, n); cfg.Mediator != "" && info.Mediated && (ok || err != nil) {
		if err != nil {
			errs = append(errs, fmt.Errorf("mediator: %w", err))
		} else {
			r.seats = append(r.seats, &seat{name: cfg.Mediator, neg: o, out: o})
		}
	} else if cfg.Mediator != "" && info.Mediated {
		sp, err := negotiator.Parse(cfg.Mediator)
		if err == nil {
			err = sp.CheckRole(negotiator.RoleMediator)
		}
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("mediator: %w", err))
		default:
			r.seats = append(r.seats, &seat{spec: sp, name: sp.String(), neg: sp.New()})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.cfg = cfg
	for _, s := range r.seats {
		r.outsiders = r.outsiders || s.out != nil
	}
	r.variants = prep.variants
	if cfg.AnticipateRatification {
		ax, err := prep.anticipated(cfg.Deadline.Rounds)
		if err != nil {
			return nil, err
		}
		r.variants = make([][]variant, len(prep.variants))
		for k, vs := range prep.variants {
			r.variants[k] = append([]variant(nil), vs...)
			for s := range prep.Seats {
				r.variants[k][s].ax = ax[k][s]
			}
		}
	}
	r.proto = info.New()
	if rp, ok := r.proto.(protocol.Ruled); ok {
		rp.SetRule(prep.Scenario.NegotiatorRule())
	}
	if sh, ok := r.proto.(*protocol.Shuttle); ok && prep.Joint >= 0 {
		sh.JointBlocked = !prep.Meetings[prep.Joint].Held
	}
	for i, s := range r.seats {
		s.rng = rand.New(&s.pcg)
		s.setup = negotiator.Setup{Seat: i, Parties: n, Space: prep.Space, Rand: s.rng, Deadline: cfg.Deadline, Dynamic: prep.dynamic}
	}
	r.sharePublic()
	r.shareBeliefs()
	r.ratRand = rand.New(&r.ratPCG)
	r.initState()
	r.wall = cfg.Clock == nil && cfg.Deadline.Time > 0
	return r, nil
}

// outside asks Config.Outside for the seat of spec, if it is one.
func (r *Runner) outside(spec string, seat int) (Outside, bool, error) {
	if r.cfg.Outside == nil || spec == "" {
		return nil, false, nil
	}
	return r.cfg.Outside(spec, seat)
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

// Play runs one session with the given seed and returns how the
// negotiation ended: Agreed means the parties signed (with an agenda: every
// phase agreed, Outcome the whole deal); whether the deal binds after
// ratification is Status. It allocates nothing when no trace is written and
// the scenario has no agenda. Each seat draws from its own PCG source
// seeded with (seed, seat), so a seat's choices do not depend on how many
// numbers the others draw; ratification votes draw from a source of their
// own.
func (r *Runner) Play(seed uint64) (protocol.Outcome, error) {
	r.seed, r.played, r.traceErr = seed, true, nil
	for i, s := range r.seats {
		s.pcg.Seed(seed, 0x9e3779b97f4a7c15*uint64(i+1))
	}
	r.ratPCG.Seed(seed, 0x5ea7ed4a11b07e5)
	r.resetState()
	if r.cfg.Trace != nil {
		r.traceHeader()
	}
	if r.wall {
		r.start = time.Now()
	}
	var err error
	if r.out, err = r.playPhases(); err != nil {
		return r.out, err
	}
	r.ratify()
	r.settle()
	if r.st.failure != nil {
		r.st.status = StatusFailed
	}
	if r.cfg.Trace != nil && (r.prep.rules || r.st.failure != nil) {
		r.traceResult()
	}
	if r.outsiders {
		r.finish()
	}
	if r.traceErr != nil {
		return r.out, fmt.Errorf("writing the trace: %w", r.traceErr)
	}
	return r.out, nil
}

// playPhase runs the protocol once over phase ph, starting after round
// offset, and returns how it ended (outcome index in the phase's space).
func (r *Runner) playPhase(ph int, offset int) (protocol.Outcome, error) {
	n := len(r.prep.Seats)
	d := r.cfg.Deadline
	d.Offset = offset
	info := &r.prep.phases[ph]
	if err := r.proto.Reset(n, info.size, d, r); err != nil {
		return protocol.Outcome{}, err
	}
	r.st.hasOffer = false
	for _, s := range r.seats {
		s.setup.Space = info.space
		s.setup.Deadline = d
	}
	if r.outsiders {
		r.brief(ph)
	}
	for _, s := range r.seats {
		s.neg.Reset(&s.setup)
	}
	if r.outsiders {
		if s, bad := r.failed(); bad {
			return protocol.Outcome{Reason: protocol.WalkedOut, Round: offset, Seat: s}, nil
		}
	}
	for {
		t := r.proto.Next(r.elapsed())
		if t.Phase == protocol.PhaseDone {
			break
		}
		if t.Round != r.st.round {
			r.enterRound(t.Round)
		}
		s := r.seats[t.Seat]
		if t.Seat < n && r.st.cur[t.Seat].out {
			// An excluded party's turns pass: the agreement does not
			// wait for it.
			if err := r.proto.Step(r.standIn(t)); err != nil {
				return r.proto.Result(), r.stepError(s, t, err)
			}
			continue
		}
		if s.out != nil {
			if err := r.stepOutside(s, t); err != nil || r.st.failure != nil {
				return r.proto.Result(), err
			}
			continue
		}
		a := s.neg.Act(t)
		if r.prep.vetoes {
			a = r.screen(t, a)
		}
		if err := r.proto.Step(a); err != nil {
			return r.proto.Result(), r.stepError(s, t, err)
		}
	}
	return r.proto.Result(), nil
}

// Event implements protocol.Sink: it relays the record to every seat (a
// private event only to the mediator and the party it concerns), the trace
// and the OnEvent hook.
func (r *Runner) Event(e protocol.Event) {
	n := len(r.prep.Seats)
	if e.Type == protocol.EventOffer || e.Type == protocol.EventPropose {
		r.st.lastOffer, r.st.hasOffer = e.Outcome, true
	}
	if r.said != "" && int(e.Seat) == r.saidSeat {
		r.text = r.said
	}
	for i, s := range r.seats {
		if e.Private && i != n && i != int(e.With) {
			continue
		}
		s.neg.Observe(e)
	}
	if r.prep.rules {
		r.countRedLines(e)
	}
	if r.cfg.Trace != nil {
		r.traceEvent(e)
	}
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(e)
	}
	r.text = ""
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

// checkRule refuses a scenario whose decision rule is not unanimity under
// a protocol that agrees only unanimously (see protocol.Ruled).
func checkRule(prep *Prepared, info protocol.Info) error {
	sc := prep.Scenario
	if err := sc.CheckDecision(); err != nil {
		return fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	if sc.NegotiatorRule().Unanimous(len(prep.Seats)) {
		return nil
	}
	if _, ok := info.New().(protocol.Ruled); ok {
		return nil
	}
	var ruled []string
	for _, p := range protocol.Protocols() {
		if _, ok := p.New().(protocol.Ruled); ok {
			ruled = append(ruled, p.Name)
		}
	}
	return fmt.Errorf("scenario %s agrees by %s, but protocol %s agrees only unanimously; use %s",
		sc.Name, sc.DescribeDecision(), info.Name, strings.Join(ruled, ", "))
}
