package tournament

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"
)

// FormatVersion is the version of the canonical spec; a store holding
// another version is refused. Version 2 adds each scenario's number of
// outcomes and its seats' payoff bounds, which stores check every record
// against; version 3 each scenario's issues (so that exports write an
// agreement's labels without the scenario files) and the rules of outside
// seats.
const FormatVersion = 3

// Canonical is the resolved, normalised form of a spec: what a store keeps
// and compares to refuse resuming with a different tournament. Scenario
// folders and patterns are expanded and each scenario is fingerprinted by
// the contents of the files its loader reads, so an edited domain file
// counts as a change, and a moved one does not.
type Canonical struct {
	Format      int          `json:"format"`
	Name        string       `json:"name"`
	Seed        uint64       `json:"seed"`
	Protocol    string       `json:"protocol"`
	Mediator    string       `json:"mediator,omitempty"`
	Deadline    DeadlineSpec `json:"deadline"`
	Rotation    string       `json:"rotation"`
	Repetitions int          `json:"repetitions"`
	// AnticipateRatification is omitted when false, so that the specs of
	// stores made before it existed keep their hash.
	AnticipateRatification bool `json:"anticipate_ratification,omitempty"`
	// Agents are the rules of outside seats, when some negotiator plays
	// from outside: they change how sessions can end (a timeout fails a
	// seat), so resuming compares them. How many run at once does not.
	Agents      *AgentRules         `json:"agents,omitempty"`
	Negotiators []string            `json:"negotiators"`
	Scenarios   []CanonicalScenario `json:"scenarios"`
	Sessions    uint64              `json:"sessions"`
}

// CanonicalScenario is one resolved scenario.
type CanonicalScenario struct {
	// Path is where the scenario was when the tournament was made, as
	// written in the spec (joined with a sub-folder for folders of
	// domains), and Name its name then (a Genius domain's is its
	// folder's). Only reports use them: resuming compares SHA256.
	Path    string   `json:"path"`
	Name    string   `json:"name"`
	SHA256  string   `json:"sha256"` // of the files its loader reads (fingerprint)
	Parties []string `json:"parties"`
	// Assignments is the number of negotiator-to-seat assignments.
	Assignments uint64 `json:"assignments"`
	// Outcomes is the size of the outcome space: every agreement's
	// outcome index is below it.
	Outcomes uint64 `json:"outcomes"`
	// Payoffs bound what each seat can be paid (see PayoffBounds).
	Payoffs []PayoffBounds `json:"payoffs"`
	// Issues are the scenario's issues in outcome order, with what is
	// needed to name an outcome's values (Agreement).
	Issues []CanonicalIssue `json:"issues"`
}

// AgentRules are the seat protocol's rules of a tournament's outside seats
// (seat.Options), as the canonical spec keeps them, and which negotiators
// play from outside.
type AgentRules struct {
	ActionTimeout string `json:"action_timeout"` // "0s": no limit
	SeatBudget    string `json:"seat_budget"`    // "0s": no limit
	MaxErrors     int    `json:"max_errors"`
	// Outside says, per negotiator and then for the mediator, whether it
	// plays from outside parley: stores check answer times against it.
	Outside []bool `json:"outside"`
}

// Plays reports whether negotiator i (the mediator for the number of
// negotiators) plays from outside parley; false for a nil a.
func (a *AgentRules) Plays(i int) bool {
	return a != nil && i >= 0 && i < len(a.Outside) && a.Outside[i]
}

// agentRules are the rules of p's outside seats, or nil when it has none.
func agentRules(s *Spec, outside []bool) *AgentRules {
	if !slices.Contains(outside, true) {
		return nil
	}
	o := s.SeatOptions()
	return &AgentRules{ActionTimeout: o.ActionTimeout.String(), SeatBudget: o.Budget.String(), MaxErrors: max(o.MaxErrors, 0), Outside: outside}
}

// CanonicalIssue is one issue of a canonical scenario: its id, and its
// values' labels (a discrete issue's) or their range (a numeric one's).
type CanonicalIssue struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"`             // discrete, integer or real
	Labels []string `json:"labels,omitempty"` // discrete: each value's label
	Min    float64  `json:"min,omitempty"`
	Max    float64  `json:"max,omitempty"`
	Steps  int      `json:"steps,omitempty"` // real: the number of values
}

// canonicalIssues describes sc's issues.
func canonicalIssues(sc *scenario.Scenario) []CanonicalIssue {
	out := make([]CanonicalIssue, len(sc.Issues))
	for i := range sc.Issues {
		is := &sc.Issues[i]
		ci := CanonicalIssue{ID: is.ID, Kind: is.Kind.String()}
		if is.Kind == scenario.Discrete {
			for v := range is.Options {
				ci.Labels = append(ci.Labels, is.Label(v))
			}
		} else {
			ci.Min, ci.Max = is.Min, is.Max
			if is.Kind == scenario.Real {
				ci.Steps = is.Steps
			}
		}
		out[i] = ci
	}
	return out
}

// size is the number of the issue's values (0 for a kind this parley does
// not know).
func (ci *CanonicalIssue) size() uint64 {
	switch ci.Kind {
	case "discrete":
		return uint64(len(ci.Labels))
	case "integer":
		if ci.Max >= ci.Min && ci.Max-ci.Min < 1<<53 {
			return uint64(ci.Max-ci.Min) + 1
		}
	case "real":
		if ci.Steps > 0 {
			return uint64(ci.Steps)
		}
	}
	return 0
}

// label names value v of the issue as scenario.Issue.Label does.
func (ci *CanonicalIssue) label(v uint64) string {
	switch ci.Kind {
	case "discrete":
		return ci.Labels[v]
	case "integer":
		is := scenario.Issue{Kind: scenario.Integer, Min: ci.Min, Max: ci.Max}
		return is.Label(int(v))
	}
	is := scenario.Issue{Kind: scenario.Real, Min: ci.Min, Max: ci.Max, Steps: ci.Steps}
	return is.Label(int(v))
}

// Agreement names outcome index o of the scenario as every outcome is
// named in parley's JSON (session.Result.Agreement, analyze's points):
// issue id → value label. It returns nil when o is not an outcome of the
// scenario's space.
func (cs *CanonicalScenario) Agreement(o uint64) map[string]string {
	if len(cs.Issues) == 0 {
		return nil
	}
	m := make(map[string]string, len(cs.Issues))
	// The outcome index is mixed-radix, the first issue least significant
	// (outcome.Space).
	for i := range cs.Issues {
		ci := &cs.Issues[i]
		n := ci.size()
		if n == 0 {
			return nil
		}
		m[ci.ID] = ci.label(o % n)
		o /= n
	}
	if o != 0 {
		return nil
	}
	return m
}

// PayoffBounds bound what a seat can be paid when a session ends
// (session.Runner.Payoff): a binding deal pays its utility, anything else
// the reservation value moved by the drift of the rounds played, both less
// the delay cost of those rounds. A store checks every recorded utility
// against them, so that a record altered into a value no session can give
// is found.
type PayoffBounds struct {
	// DealLow and DealHigh bound the utility of every outcome, under every
	// weighting the scenario's events give (utility.Unacceptable for an
	// outcome crossing a red line included).
	DealLow  float64 `json:"deal_low"`
	DealHigh float64 `json:"deal_high"`
	// ReservationLow and ReservationHigh bound the reservation value,
	// however the scenario's events shift it.
	ReservationLow  float64 `json:"reservation_low"`
	ReservationHigh float64 `json:"reservation_high"`
	// Drift and DelayCost are per round.
	Drift     float64 `json:"drift"`
	DelayCost float64 `json:"delay_cost"`
	// States are the other (delay cost, drift) pairs per round that the
	// party's rates take in some state of the talks (scenario while:) or
	// after an event that sets them.
	States []RatePair `json:"states,omitempty"`
	// Horizon is the round deadline to which a session without a binding
	// deal counts costs and drift, when the scenario states a status quo
	// (0: to the round the session ended).
	Horizon int `json:"horizon,omitempty"`
}

// RatePair is a delay cost and a drift per round.
type RatePair struct {
	DelayCost float64 `json:"delay_cost"`
	Drift     float64 `json:"drift"`
}

// Holds reports whether u is a payoff the seat can get in a session that
// ended in the given round (to within rounding): a binding deal's utility
// less the costs of the rounds to it, or the reservation value with the
// drift less the costs of the rounds to the end (to the horizon, when it is
// later), each round at the rates of some state.
func (b PayoffBounds) Holds(u float64, round int) bool {
	r, n := float64(round), float64(max(round, b.Horizon))
	cLo, cHi, dLo, dHi := b.DelayCost, b.DelayCost, b.Drift, b.Drift
	for _, s := range b.States {
		cLo, cHi, dLo, dHi = min(cLo, s.DelayCost), max(cHi, s.DelayCost), min(dLo, s.Drift), max(dHi, s.Drift)
	}
	var lo, hi float64
	if len(b.States) == 0 && b.Horizon == 0 {
		lo = min(b.DealLow, b.ReservationLow+b.Drift*r) - b.DelayCost*r
		hi = max(b.DealHigh, b.ReservationHigh+b.Drift*r) - b.DelayCost*r
	} else {
		lo = min(b.DealLow-cHi*r, b.ReservationLow+(dLo-cHi)*n)
		hi = max(b.DealHigh-cLo*r, b.ReservationHigh+(dHi-cLo)*n)
	}
	tol := 1e-9 * (1 + math.Abs(lo) + math.Abs(hi))
	return u >= lo-tol && u <= hi+tol
}

// payoffBounds are the payoff bounds of scenario party i in sessions with
// the given round deadline (0: none).
func payoffBounds(sc *scenario.Scenario, i, rounds int) PayoffBounds {
	pa := &sc.Parties[i]
	u := sc.Utility(i)
	b := PayoffBounds{Drift: pa.Drift, DelayCost: pa.DelayCost}
	for _, w := range pa.While {
		b.States = append(b.States, RatePair{DelayCost: w.DelayCost, Drift: w.Drift})
	}
	rawLo, _ := u.Min()
	rawHi, _ := u.Max()
	// An event may shift the reservation value (shifts add up), give the
	// party new weights or values, draw new red lines, and set new rates.
	var down, up float64
	reweighed, lines := false, len(u.RedLines) > 0
	pa2 := *pa
	for k := range sc.Events {
		e := &sc.Events[k]
		if e.Party != i {
			continue
		}
		if e.ReservationShift < 0 {
			down += e.ReservationShift
		} else {
			up += e.ReservationShift
		}
		sc.ApplyEvent(&pa2, e)
		lines = lines || len(pa2.RedLines) > 0
		if e.DelayCost != nil || e.Drift != nil {
			// New rates while nothing agreed is in force.
			b.States = append(b.States, RatePair{DelayCost: pa2.DelayCost, Drift: pa2.Drift})
		}
		if e.Weights != nil || len(e.Values) > 0 {
			w := sc.UtilityOf(i, &pa2)
			lo, _ := w.Min()
			hi, _ := w.Max()
			rawLo, rawHi, reweighed = min(rawLo, lo), max(rawHi, hi), true
		}
	}
	b.DealLow, b.DealHigh = rawLo, rawHi
	if lines {
		b.DealLow = min(b.DealLow, utility.Unacceptable)
	}
	rLo, rHi := u.Reservation, u.Reservation
	if sc.StatusQuo != nil {
		b.Horizon = rounds
		// New weights value the status quo anew, and a standing phase's
		// clauses replace the status quo's: the fallback is then the
		// utility of some outcome, red lines aside.
		stands := false
		for _, ph := range sc.Agenda {
			stands = stands || ph.Stands
		}
		if stands || reweighed {
			rLo, rHi = min(rLo, rawLo), max(rHi, rawHi)
		}
	}
	b.ReservationLow, b.ReservationHigh = rLo+down, rHi+up
	return b
}

// JSON is the canonical JSON encoding (stable: fields in a fixed order).
func (c *Canonical) JSON() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	return b
}

// Hash is the SHA-256 of the canonical JSON, in hex.
func (c *Canonical) Hash() string {
	h := sha256.Sum256(c.JSON())
	return hex.EncodeToString(h[:])
}

// Diff names what differs between two canonical specs, one line each
// (nil when they are equal).
func (c *Canonical) Diff(o *Canonical) []string {
	var d []string
	f := func(what string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d = append(d, fmt.Sprintf("%s: %v, now %v", what, a, b))
		}
	}
	f("format", c.Format, o.Format)
	f("name", c.Name, o.Name)
	f("seed", c.Seed, o.Seed)
	f("protocol", c.Protocol, o.Protocol)
	f("mediator", c.Mediator, o.Mediator)
	f("deadline", c.Deadline, o.Deadline)
	f("rotation", c.Rotation, o.Rotation)
	f("repetitions", c.Repetitions, o.Repetitions)
	f("anticipate_ratification", c.AnticipateRatification, o.AnticipateRatification)
	f("agents", agentsText(c.Agents), agentsText(o.Agents))
	if !slices.Equal(c.Negotiators, o.Negotiators) {
		d = append(d, fmt.Sprintf("negotiators: %s, now %s", strings.Join(c.Negotiators, ", "), strings.Join(o.Negotiators, ", ")))
	}
	d = append(d, diffScenarios(c.Scenarios, o.Scenarios)...)
	if len(d) == 0 && !slices.Equal(c.withoutPaths().JSON(), o.withoutPaths().JSON()) {
		d = append(d, "the canonical specs differ")
	}
	return d
}

// agentsText describes the rules of outside seats for Diff.
func agentsText(a *AgentRules) string {
	if a == nil {
		return "none"
	}
	return fmt.Sprintf("action_timeout %s, seat_budget %s, max_errors %d", a.ActionTimeout, a.SeatBudget, a.MaxErrors)
}

// withoutPaths is a copy of c whose scenarios have neither paths nor names
// (a Genius domain is named after its folder): what Diff compares once
// each scenario is matched by its contents.
func (c *Canonical) withoutPaths() *Canonical {
	x := *c
	x.Scenarios = slices.Clone(c.Scenarios)
	for i := range x.Scenarios {
		x.Scenarios[i].Path, x.Scenarios[i].Name = "", ""
	}
	return &x
}

// diffScenarios names how the scenarios now differ from before. A scenario
// is the same as before when its contents are (SHA256), wherever its files
// now lie, so that a moved spec, store or domain folder resumes; one whose
// path names a scenario of before with other contents has changed.
func diffScenarios(before, now []CanonicalScenario) []string {
	var d []string
	matched := make([]bool, len(before))
	match := func(ok func(j int) bool) int {
		for j := range before {
			if !matched[j] && ok(j) {
				matched[j] = true
				return j
			}
		}
		return -1
	}
	for i, s := range now {
		if i < len(before) && !matched[i] && before[i].SHA256 == s.SHA256 {
			matched[i] = true
			continue
		}
		if j := match(func(j int) bool { return before[j].SHA256 == s.SHA256 }); j >= 0 {
			d = append(d, fmt.Sprintf("scenario %s moved in the order (from %d to %d)", s.Path, j+1, i+1))
			continue
		}
		if j := match(func(j int) bool { return before[j].Path == s.Path }); j >= 0 {
			d = append(d, fmt.Sprintf("scenario %s: its files changed (sha256 %.12s, now %.12s)", s.Path, before[j].SHA256, s.SHA256))
			continue
		}
		d = append(d, fmt.Sprintf("scenario %s added", s.Path))
	}
	for j, s := range before {
		if !matched[j] {
			d = append(d, fmt.Sprintf("scenario %s removed", s.Path))
		}
	}
	return d
}

// Plan is a resolved tournament: its scenarios loaded, every session
// numbered from 0 to Total-1.
type Plan struct {
	Spec      *Spec
	Canonical *Canonical
	Scenarios []*PlanScenario
	Total     uint64
	// MaxSeats is the largest number of negotiating seats of a scenario.
	MaxSeats int
	deadline protocol.Deadline
	// outside says, per negotiator and then for the mediator, whether it
	// plays from outside parley (a cmd: agent).
	outside []bool
}

// Agents reports whether some seat of the plan plays from outside parley.
func (p *Plan) Agents() bool { return slices.Contains(p.outside, true) }

// Outside reports whether negotiator i (an index into Spec.Negotiators;
// len(Spec.Negotiators) for the mediator) plays from outside parley.
func (p *Plan) Outside(i int) bool { return i >= 0 && i < len(p.outside) && p.outside[i] }

// Deadline is the deadline of every session.
func (p *Plan) Deadline() protocol.Deadline { return p.deadline }

// PlanScenario is one scenario of a plan.
type PlanScenario struct {
	Path        string
	Scenario    *scenario.Scenario
	Seats       int
	Assignments uint64
	Offset      uint64 // number of the scenario's first session
	Sessions    uint64

	anticipate bool // sessions anticipate ratification: checked by Prepared
	once       sync.Once
	prep       *session.Prepared
	err        error
	frontier   *analysis.Pareto   // nil when it could not be computed
	nash       *analysis.Solution // nil when there is no rational outcome
	note       string             // why distances are missing
	budget     *budget.Budget     // bounds preparing it (Plan.Within)
}

// Within bounds the preparation of every scenario of the plan (indexes,
// frontiers) by b: a deadline, a memory ceiling, progress. Call it before
// the scenarios are prepared.
func (p *Plan) Within(b *budget.Budget) {
	for _, ps := range p.Scenarios {
		ps.budget = b
	}
}

// Prepared compiles the scenario once, on first use, with its Pareto
// frontier and Nash point (analysis.Frontier, computed without enumerating
// the space) that the distances of every session are measured against.
func (ps *PlanScenario) Prepared() (*session.Prepared, error) {
	ps.once.Do(func() {
		ps.prep, ps.err = session.PrepareWithin(ps.Scenario, ps.budget)
		if ps.err != nil {
			return
		}
		if ps.anticipate {
			if ps.err = ps.prep.CheckAnticipation(); ps.err != nil {
				return
			}
		}
		f, err := analysis.Frontier(ps.prep.Utilities, ps.prep.Space, analysis.Options{Listed: 1, Budget: ps.budget, MaxChecks: session.ResultMaxChecks})
		if err != nil {
			ps.note = err.Error()
			return
		}
		ps.frontier = f
		rv := make([]float64, len(ps.prep.Utilities))
		for i, u := range ps.prep.Utilities {
			rv[i] = u.Reservation
		}
		ps.nash = f.Nash(rv)
	})
	return ps.prep, ps.err
}

// Prepare compiles every scenario of the plan (Prepared) on up to workers
// goroutines, so that a run starts with all of them ready. Big domains take
// seconds each (their utility indexes and Pareto frontiers): done, if set,
// is called as each one is ready (from the preparing goroutine, one call at
// a time), with the time it took. The first error, in scenario order, is
// returned.
func (p *Plan) Prepare(workers int, done func(ps *PlanScenario, took time.Duration)) error {
	workers = max(1, min(workers, len(p.Scenarios)))
	next := make(chan *PlanScenario)
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ps := range next {
				start := time.Now()
				_, err := ps.Prepared()
				if done != nil && err == nil {
					mu.Lock()
					done(ps, time.Since(start))
					mu.Unlock()
				}
			}
		}()
	}
	for _, ps := range p.Scenarios {
		next <- ps
	}
	close(next)
	wg.Wait()
	for _, ps := range p.Scenarios {
		if _, err := ps.Prepared(); err != nil {
			return fmt.Errorf("scenario %s: %w", ps.Path, err)
		}
	}
	return nil
}

// Reference returns the Pareto frontier and Nash solution that distances
// are measured against (nil when not available), once Prepared has run.
func (ps *PlanScenario) Reference() (*analysis.Pareto, *analysis.Solution) {
	return ps.frontier, ps.nash
}

// NewPlan resolves a spec: it expands folders of domains, loads every
// scenario and numbers the sessions. Every problem is reported at once.
func NewPlan(s *Spec) (*Plan, error) {
	p := &Plan{Spec: s, deadline: s.deadline()}
	c := &Canonical{Format: FormatVersion, Name: s.Name, Seed: s.Seed, Protocol: s.Protocol, Mediator: s.Mediator,
		Deadline: s.Deadline, Rotation: s.Rotation, Repetitions: s.Repetitions, AnticipateRatification: s.AnticipateRatification,
		Negotiators: slices.Clone(s.Negotiators)}
	p.outside = make([]bool, len(s.Negotiators)+1)
	for i, n := range append(slices.Clone(s.Negotiators), s.Mediator) {
		p.outside[i], _ = s.agent(n)
		p.outside[i] = p.outside[i] && n != ""
	}
	c.Agents = agentRules(s, slices.Clone(p.outside))
	errs := s.checkPrograms()
	entries, pathErrs := s.scenarioPaths()
	errs = append(errs, pathErrs...)
	seen := map[string]bool{}
	for _, en := range entries {
		i, rel := en.entry, en.path
		if seen[rel] {
			errs = append(errs, fmt.Errorf("%s: scenarios[%d]: %s is listed twice", s.where(fmt.Sprintf("scenarios[%d]", i)), i, rel))
			continue
		}
		seen[rel] = true
		full := resolve(s.dir, rel)
		sc, err := open.Path(full)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: scenario %s: %w", s.where(fmt.Sprintf("scenarios[%d]", i)), rel, err))
			continue
		}
		sum, err := fingerprint(full)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ps := &PlanScenario{Path: filepath.ToSlash(rel), Scenario: sc, anticipate: s.AnticipateRatification}
		if err := sc.CheckParties(); err != nil {
			errs = append(errs, fmt.Errorf("scenario %s: %w", rel, err))
			continue
		}
		var ids []string
		var payoffs []PayoffBounds
		for _, i := range sc.Negotiators() {
			ids = append(ids, sc.Parties[i].ID)
			payoffs = append(payoffs, payoffBounds(sc, i, s.Deadline.Rounds))
		}
		ps.Seats = len(ids)
		ps.Assignments = countAssignments(len(s.Negotiators), ps.Seats, s.Rotation)
		if ps.Assignments == 0 {
			errs = append(errs, fmt.Errorf("scenario %s has %d parties but rotation distinct needs at least as many negotiators; there are %d (use rotation: all, or add negotiators)", rel, ps.Seats, len(s.Negotiators)))
			continue
		}
		hi, n := bits.Mul64(ps.Assignments, uint64(s.Repetitions))
		if hi != 0 || n > MaxSessions-p.Total {
			errs = append(errs, fmt.Errorf("scenario %s: %s assignments × %d repetitions make the tournament longer than %d sessions, the most one store keeps (it holds a bit per session in memory to resume): use fewer negotiators or repetitions, or rotation: distinct, or split the tournament",
				rel, bigCount(ps.Assignments), s.Repetitions, uint64(MaxSessions)))
			continue
		}
		ps.Offset = p.Total
		ps.Sessions = n
		p.Total += ps.Sessions
		p.MaxSeats = max(p.MaxSeats, ps.Seats)
		p.Scenarios = append(p.Scenarios, ps)
		outcomes, _ := sc.Space().Size() // 0 when it does not fit 64 bits: session.Prepare refuses it
		c.Scenarios = append(c.Scenarios, CanonicalScenario{Path: ps.Path, Name: sc.Name, SHA256: sum, Parties: ids, Assignments: ps.Assignments,
			Outcomes: outcomes, Payoffs: payoffs, Issues: canonicalIssues(sc)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.Sessions = p.Total
	p.Canonical = c
	return p, nil
}

// checkPrograms finds the program of each cmd: agent, so that a misspelt
// one is refused before any session rather than failing every session it
// plays: a name is looked up in PATH, a path is relative to the spec's
// folder (where agents run).
func (s *Spec) checkPrograms() []error {
	var errs []error
	for i, n := range append(slices.Clone(s.Negotiators), s.Mediator) {
		argv, ok, err := seat.Command(n)
		if !ok || err != nil {
			continue // built-in, or refused by ParseSpec
		}
		where := fmt.Sprintf("negotiators[%d]", i)
		if i == len(s.Negotiators) {
			where = "mediator"
		}
		prog := argv[0]
		if strings.ContainsRune(prog, '/') || strings.ContainsRune(prog, filepath.Separator) {
			prog = resolve(s.dir, prog)
			if fi, err := os.Stat(prog); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
				errs = append(errs, fmt.Errorf("%s: %s: %s is not an executable file (paths are relative to the spec's folder, where agents run)", s.where(where), where, prog))
			}
		} else if _, err := exec.LookPath(prog); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: program %s is not found in PATH", s.where(where), where, prog))
		}
	}
	return errs
}

// AgentDir is the folder agents run in: the spec's.
func (s *Spec) AgentDir() string { return s.dir }

func (s *Spec) where(path string) string {
	if pos, ok := s.pos[path]; ok {
		return pos.String()
	}
	return s.file
}

// scenarioPath is a scenario a spec names, as found from entry
// scenarios[entry].
type scenarioPath struct {
	entry int
	path  string // relative to the spec's folder, unless absolute
}

// scenarioPaths resolves the spec's scenarios entries, each a path or a
// pattern (filepath.Match) relative to the spec's folder, into scenario
// paths in order (a pattern's matches in name order, a folder of domain
// folders expanded), leaving out those an exclude pattern matches.
func (s *Spec) scenarioPaths() ([]scenarioPath, []error) {
	var (
		paths []scenarioPath
		errs  []error
	)
	for i, given := range s.Scenarios {
		at := s.where(fmt.Sprintf("scenarios[%d]", i))
		matches := []string{filepath.Clean(given)}
		if _, err := os.Stat(resolve(s.dir, given)); err != nil && isPattern(given) {
			found, err := filepath.Glob(resolve(s.dir, given))
			if err == nil && len(found) == 0 {
				err = errors.New("the pattern matches nothing")
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: scenarios[%d]: %s: %w", at, i, given, err))
				continue
			}
			matches = matches[:0]
			for _, f := range found {
				if !filepath.IsAbs(given) {
					if f, err = filepath.Rel(s.dir, f); err != nil {
						errs = append(errs, fmt.Errorf("%s: scenarios[%d]: %w", at, i, err))
						continue
					}
				}
				matches = append(matches, f)
			}
			sort.Strings(matches)
		}
		for _, m := range matches {
			expanded, err := expand(s.dir, m)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: scenarios[%d]: %w", at, i, err))
				continue
			}
			for _, p := range expanded {
				paths = append(paths, scenarioPath{i, p})
			}
		}
	}
	used := make([]bool, len(s.Exclude))
	kept := paths[:0]
	for _, p := range paths {
		out := false
		for k, pat := range s.Exclude {
			if excludes(pat, p.path) {
				out, used[k] = true, true
			}
		}
		if !out {
			kept = append(kept, p)
		}
	}
	for k, pat := range s.Exclude {
		if !used[k] && len(errs) == 0 {
			errs = append(errs, fmt.Errorf("%s: exclude[%d]: %s matches no scenario of the list", s.where(fmt.Sprintf("exclude[%d]", k)), k, pat))
		}
	}
	if len(kept) == 0 && len(paths) > 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: exclude leaves no scenario", s.where("exclude")))
	}
	return kept, errs
}

// isPattern reports whether a spec path is a pattern (filepath.Match); a
// path that exists is taken as it is, whatever characters it holds.
func isPattern(p string) bool { return strings.ContainsAny(p, "*?[") }

// excludes reports whether the exclude pattern pat matches the scenario
// path p (relative to the spec's folder, unless absolute): a pattern
// without a path separator matches the scenario's own name (file or
// folder); one with a separator matches its path, or a folder it lies in.
func excludes(pat, p string) bool {
	pat, p = filepath.Clean(pat), filepath.Clean(p)
	if !strings.ContainsRune(pat, filepath.Separator) && !strings.ContainsRune(pat, '/') {
		ok, _ := filepath.Match(pat, filepath.Base(p))
		return ok
	}
	for {
		if ok, _ := filepath.Match(pat, p); ok {
			return true
		}
		up := filepath.Dir(p)
		if up == p || up == "." {
			return false
		}
		p = up
	}
}

// expand lists the scenarios a spec path names, relative to dir: the path
// itself, or for a folder that holds no scenario files but sub-folders,
// each sub-folder in name order.
func expand(dir, given string) ([]string, error) {
	full := resolve(dir, given)
	fi, err := os.Stat(full)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{filepath.Clean(given)}, nil
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return nil, err
	}
	var subs []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".xml", ".json":
			return []string{filepath.Clean(given)}, nil
		case ".yml", ".yaml":
			if open.Format(full) == "negmas" {
				return []string{filepath.Clean(given)}, nil
			}
		}
		if e.IsDir() {
			subs = append(subs, filepath.Join(given, e.Name()))
		}
	}
	if len(subs) == 0 {
		return nil, fmt.Errorf("%s holds no scenario files and no domain folders", full)
	}
	sort.Strings(subs)
	return subs, nil
}

// resolve makes a spec path relative to the spec's folder, unless absolute.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// fingerprint hashes what the scenario loader (scenario/open) reads: a
// scenario file's contents, or, for a folder, each file of the format it
// holds (its .xml files when it has any, as Genius domains do, else its
// .json, .yml and .yaml files, GeniusWeb's and NegMAS's), with its name, in
// name order. The loaders
// decide by their contents which of those are domains and profiles, so
// all of them count; the folder's other files (a README, reference
// figures) do not, and neither do the paths, so that moving a scenario
// does not change it.
func fingerprint(path string) (string, error) {
	h := sha256.New()
	add := func(p string, named bool) error {
		data, err := safeio.ReadFile(p) // what the loader read: a regular file, bounded
		if err != nil {
			return err
		}
		if named {
			fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(p), len(data))
		}
		h.Write(data)
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		if err := add(path, false); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return "", err
	}
	var files []string
	ext := ".json"
	for _, e := range entries {
		full := filepath.Join(path, e.Name())
		if fi, err := os.Stat(full); err != nil || fi.IsDir() {
			continue
		}
		switch x := strings.ToLower(filepath.Ext(e.Name())); {
		case x == ".xml":
			if ext != ".xml" {
				ext, files = ".xml", files[:0]
			}
			files = append(files, full)
		case x == ext, ext != ".xml" && (x == ".yml" || x == ".yaml"): // NegMAS folders: YAML or JSON
			files = append(files, full)
		}
	}
	for _, f := range files {
		if err := add(f, true); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Session is one numbered session of a plan.
type Session struct {
	Number     uint64
	Scenario   int // index in Plan.Scenarios
	Assignment uint64
	Repetition int
	Seed       uint64
}

// Session returns session number i (0 ≤ i < Total). Sessions are ordered by
// scenario, then assignment, then repetition.
func (p *Plan) Session(i uint64) Session {
	k := sort.Search(len(p.Scenarios), func(k int) bool { return p.Scenarios[k].Offset+p.Scenarios[k].Sessions > i })
	ps := p.Scenarios[k]
	local := i - ps.Offset
	reps := uint64(p.Spec.Repetitions)
	return Session{Number: i, Scenario: k, Assignment: local / reps, Repetition: int(local % reps), Seed: SessionSeed(p.Spec.Seed, i)}
}

// cursor walks consecutive sessions: a worker's next session without the
// search and the divisions of Session (1% of a Laptop session).
type cursor struct {
	p    *Plan
	s    Session
	end  uint64 // the first session of the next scenario
	base uint64 // the tournament seed, mixed: see SessionSeed
}

// cursor starts at session i (< p.Total).
func (p *Plan) cursor(i uint64) cursor {
	s := p.Session(i)
	ps := p.Scenarios[s.Scenario]
	return cursor{p: p, s: s, end: ps.Offset + ps.Sessions, base: mix64(p.Spec.Seed)}
}

// next moves to the following session; past the last one only the number
// changes.
func (c *cursor) next() {
	n := c.s.Number + 1
	switch {
	case n >= c.p.Total:
		c.s.Number = n
	case n >= c.end:
		*c = c.p.cursor(n)
	default:
		c.s.Number, c.s.Seed = n, sessionSeed(c.base, n)
		if c.s.Repetition++; c.s.Repetition == c.p.Spec.Repetitions {
			c.s.Repetition = 0
			c.s.Assignment++
		}
	}
}

// Assignment writes into dst the negotiator index (into Spec.Negotiators)
// of each seat of assignment a of scenario k and returns it.
func (p *Plan) Assignment(k int, a uint64, dst []int) []int {
	return assignment(len(p.Spec.Negotiators), p.Scenarios[k].Seats, p.Spec.Rotation, a, dst[:0])
}

// SessionSeed derives session i's seed from the tournament seed with
// SplitMix64: for a given tournament seed, distinct sessions get distinct
// 64-bit values, of which the seed keeps the low 63 bits (so that it is a
// non-negative SQLite integer).
func SessionSeed(seed, i uint64) uint64 { return sessionSeed(mix64(seed), i) }

// sessionSeed is SessionSeed with the tournament seed already mixed.
func sessionSeed(base, i uint64) uint64 { return mix64(base+i) & (1<<63 - 1) }

func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// countAssignments is the number of assignments of n negotiators to k
// seats, or math.MaxUint64 when that does not fit in 64 bits.
func countAssignments(n, k int, rotation string) uint64 {
	c := uint64(1)
	for j := range k {
		m := n
		if rotation == RotationDistinct {
			m = n - j
		}
		if m <= 0 {
			return 0
		}
		hi, lo := bits.Mul64(c, uint64(m))
		if hi != 0 {
			return math.MaxUint64
		}
		c = lo
	}
	return c
}

// bigCount writes n, or "more than 2^64" for the saturated count.
func bigCount(n uint64) string {
	if n == math.MaxUint64 {
		return "more than 2^64"
	}
	return strconv.FormatUint(n, 10)
}

// MaxSessions bounds the sessions of a tournament: its store keeps a bit
// per session in memory to resume (1.25 GB at the bound), and 10^10
// sessions take hours even on many cores.
const MaxSessions = 10_000_000_000

// assignment decodes assignment a in lexicographic order: with rotation all
// it is a's base-n digits, seat 0 most significant; with distinct it is the
// a-th k-permutation of n.
func assignment(n, k int, rotation string, a uint64, dst []int) []int {
	if rotation != RotationDistinct {
		dst = slices.Grow(dst, k)[:k]
		for s := k - 1; s >= 0; s-- {
			dst[s] = int(a % uint64(n))
			a /= uint64(n)
		}
		return dst
	}
	var used uint64 // bitset for n ≤ 64, else a slice
	var usedBig []bool
	if n > 64 {
		usedBig = make([]bool, n)
	}
	for s := range k {
		rest := countAssignments(n-s-1, k-s-1, RotationDistinct)
		pick := int(a / rest)
		a %= rest
		for v := 0; v < n; v++ {
			taken := (n <= 64 && used&(1<<v) != 0) || (n > 64 && usedBig[v])
			if taken {
				continue
			}
			if pick == 0 {
				dst = append(dst, v)
				if n <= 64 {
					used |= 1 << v
				} else {
					usedBig[v] = true
				}
				break
			}
			pick--
		}
	}
	return dst
}

// AssignmentOf decodes assignment a of n negotiators on k seats under a
// rotation (see Plan.Assignment) into dst.
func AssignmentOf(n, k int, rotation string, a uint64, dst []int) []int {
	return assignment(n, k, rotation, a, dst[:0])
}
