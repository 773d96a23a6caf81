// Package tournament expands a tournament specification into numbered
// sessions and plays them on all cores, streaming compact records to a
// Sink (the SQLite store in tournament/store) that keeps each exactly once.
//
// A Spec lists scenarios, negotiators, the protocol and deadline, the role
// rotation and the number of repetitions. Plan resolves it: session i of a
// plan is always the same scenario, the same assignment of negotiators to
// seats and the same seed, so results do not depend on the number of
// workers, on the order in which workers finish, or on interruptions.
package tournament

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/diag/yamlpos"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
)

// Rotation says which assignments of negotiators to a scenario's seats a
// tournament plays.
const (
	// RotationAll plays every assignment with repetition: n negotiators on
	// k seats give n^k assignments, self-play included (every negotiator
	// meets every other, and itself, in every role).
	RotationAll = "all"
	// RotationDistinct plays every assignment of k different negotiators:
	// n!/(n-k)! assignments, no negotiator twice in one session.
	RotationDistinct = "distinct"
)

// MaxSpecSize bounds a spec file, below safeio.MaxFileSize: specs are a few
// lines, and a hostile one should not be read into memory whole.
const MaxSpecSize = 1 << 20

// MaxRounds bounds a tournament's round deadline, so that a session's steps
// fit the store's records whatever the number of seats.
const MaxRounds = 10_000_000

// Spec is a tournament specification as written in YAML.
type Spec struct {
	// Name identifies the tournament; it defaults to the spec file's name.
	Name string `yaml:"name" json:"name"`
	// Seed is the tournament seed; session i plays with SessionSeed(Seed, i).
	Seed uint64 `yaml:"seed" json:"seed"`
	// Scenarios are paths, relative to the spec file: a parley scenario
	// file, a Genius XML domain folder, GeniusWeb JSON profiles in a
	// folder, or a folder of such folders (each sub-folder one scenario).
	// A path may be a pattern (filepath.Match: *, ?, [a-z]), standing for
	// every path it matches, in name order.
	Scenarios []string `yaml:"scenarios" json:"scenarios"`
	// Exclude leaves out the scenarios a pattern matches: by name (a
	// pattern without a /, such as Genius_*) or by path relative to the
	// spec file (the scenario's or a folder it lies in).
	Exclude []string `yaml:"exclude,omitempty" json:"exclude,omitempty"`
	// Negotiators are strategy specs, e.g. boulware or timedependent:e=0.5,
	// or outside seats: a program, cmd:python3 agent.py (paths relative to
	// the spec file, where agents run), or a seat of a kind the spec's
	// Dialer makes.
	Negotiators []string `yaml:"negotiators" json:"negotiators"`
	// Protocol is saop (default), amop, amop-majority or mediated.
	Protocol string `yaml:"protocol" json:"protocol"`
	// Mediator is the mediator strategy of the mediated protocols, or an
	// outside seat as a negotiator may be.
	Mediator string `yaml:"mediator,omitempty" json:"mediator,omitempty"`
	// Deadline in rounds (default 100) and/or wall-clock time.
	Deadline DeadlineSpec `yaml:"deadline" json:"deadline"`
	// Rotation is all (default) or distinct; see RotationAll.
	Rotation string `yaml:"rotation" json:"rotation"`
	// Repetitions of every (scenario, assignment) pair, each with its own
	// seed; default 1.
	Repetitions int `yaml:"repetitions" json:"repetitions"`
	// AnticipateRatification has every party whose deals need ratifying
	// bargain over its expected utility, as parley run
	// --anticipate-ratification (session.Config.AnticipateRatification).
	AnticipateRatification bool `yaml:"anticipate_ratification,omitempty" json:"anticipate_ratification,omitempty"`
	// Agents are the rules of the negotiators played from outside parley
	// (cmd: agents), as parley run's flags set them for one session.
	Agents Agents `yaml:"agents,omitempty" json:"agents,omitempty"`

	dir   string // folder the scenario paths are relative to
	file  string
	pos   map[string]diag.Pos
	other Dialer // outside seats other than cmd: agents, or nil
}

// Dialer makes outside seats of kinds other than cmd: agents (a language
// model's llm:, a seat.Launcher's Kinds): for a spec of a kind it knows,
// it checks the spec and returns how to open a connection to its seat for
// each session that needs one; ok is false for any other spec. It must
// not connect anything until dial is called.
type Dialer func(spec string) (dial func() (seat.Conn, error), ok bool, err error)

// DeadlineSpec is a deadline in rounds and/or time.
type DeadlineSpec struct {
	Rounds int    `yaml:"rounds,omitempty" json:"rounds,omitempty"`
	Time   string `yaml:"time,omitempty" json:"time,omitempty"`
}

func (d DeadlineSpec) String() string {
	var parts []string
	if d.Rounds > 0 {
		parts = append(parts, fmt.Sprintf("%d rounds", d.Rounds))
	}
	if d.Time != "" {
		parts = append(parts, d.Time)
	}
	return strings.Join(parts, " or ")
}

// Agents are the settings of a tournament's outside seats: how many of
// their sessions run at once, and the seat protocol's clock and error
// rules (parley run's --action-timeout, --seat-budget and --max-errors).
type Agents struct {
	// Concurrency is the most sessions with an outside seat in play at
	// once (each holds its agents' processes); default: the workers.
	Concurrency int `yaml:"concurrency,omitempty" json:"concurrency,omitempty"`
	// ActionTimeout bounds each answer (default 30s; "0" for no limit).
	ActionTimeout string `yaml:"action_timeout,omitempty" json:"action_timeout,omitempty"`
	// SeatBudget bounds all of a seat's answers in a session (default: no
	// limit).
	SeatBudget string `yaml:"seat_budget,omitempty" json:"seat_budget,omitempty"`
	// MaxErrors is how many malformed or illegal actions a seat may send
	// in a session before it forfeits (default 3; 0 allows none).
	MaxErrors *int `yaml:"max_errors,omitempty" json:"max_errors,omitempty"`
}

// DefaultActionTimeout is the default of agents.action_timeout, as parley
// run's --action-timeout.
const DefaultActionTimeout = 30 * time.Second

// SeatOptions are the seat protocol's rules the spec gives its outside
// seats (already validated).
func (s *Spec) SeatOptions() seat.Options {
	a := s.Agents
	opts := seat.Options{ActionTimeout: DefaultActionTimeout, MaxErrors: seat.DefaultMaxErrors}
	if a.ActionTimeout != "" {
		opts.ActionTimeout, _ = time.ParseDuration(a.ActionTimeout)
	}
	if a.SeatBudget != "" {
		opts.Budget, _ = time.ParseDuration(a.SeatBudget)
	}
	if a.MaxErrors != nil {
		opts.MaxErrors = *a.MaxErrors
		if opts.MaxErrors == 0 {
			opts.MaxErrors = -1 // seat.Options: none allowed
		}
	}
	return opts
}

// IsAgent reports whether a negotiator or mediator spec names a program
// that plays from outside parley (a cmd: agent: seat.CheckSpec).
func IsAgent(spec string) bool {
	ok, _ := seat.CheckSpec(spec)
	return ok
}

// agent reports whether a negotiator or mediator spec of s plays from
// outside parley, a cmd: agent or a seat its Dialer makes, and whether it
// is well formed.
func (s *Spec) agent(spec string) (bool, error) {
	if ok, err := seat.CheckSpec(spec); ok || s.other == nil {
		return ok, err
	}
	_, ok, err := s.other(strings.TrimSpace(spec))
	return ok, err
}

// HasAgents reports whether some negotiator, or the mediator, of the spec
// plays from outside parley.
func (s *Spec) HasAgents() bool {
	for _, n := range append([]string{s.Mediator}, s.Negotiators...) {
		if ok, _ := s.agent(n); ok && n != "" {
			return true
		}
	}
	return false
}

// Deadline converts the spec's deadline (already validated).
func (s *Spec) deadline() protocol.Deadline {
	d := protocol.Deadline{Rounds: s.Deadline.Rounds}
	if s.Deadline.Time != "" {
		d.Time, _ = time.ParseDuration(s.Deadline.Time)
	}
	return d
}

// LoadSpec reads and checks a tournament spec, reporting every problem with
// its file:line:column (a diag.List). Its outside seats are cmd: agents.
func LoadSpec(path string) (*Spec, error) { return LoadSpecWith(path, nil) }

// LoadSpecWith is LoadSpec with outside seats of other kinds, which other
// makes (nil: cmd: agents only).
func LoadSpecWith(path string, other Dialer) (*Spec, error) {
	data, err := safeio.ReadFileLimit(path, MaxSpecSize)
	if err != nil {
		return nil, fmt.Errorf("cannot read the tournament spec: %w", err)
	}
	s, err := ParseSpecWith(data, path, other)
	if err != nil {
		return nil, err
	}
	s.dir = filepath.Dir(path)
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return s, nil
}

// ParseSpec parses a spec; name is used in error positions, and scenario
// paths are relative to the current folder (LoadSpec makes them relative
// to the spec file). Its outside seats are cmd: agents.
func ParseSpec(data []byte, name string) (*Spec, error) { return ParseSpecWith(data, name, nil) }

// ParseSpecWith is ParseSpec with outside seats of other kinds, which
// other recognises, checks and makes (nil: cmd: agents only).
func ParseSpecWith(data []byte, name string, other Dialer) (*Spec, error) {
	var errs diag.List
	if len(data) > MaxSpecSize {
		errs.Add(diag.Pos{File: name}, "%d bytes is more than the %d a tournament spec may have", len(data), MaxSpecSize)
		return nil, errs
	}
	// Parsed safely: nesting bounded, no aliases (a 400-byte spec of
	// aliases expanded to gigabytes).
	f, err := yamlpos.Parse(data, name)
	if err != nil {
		return nil, err
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		errs.Add(diag.Pos{File: name}, "empty tournament spec")
		return nil, errs
	}
	body := f.Docs[0].Body
	s := &Spec{file: name, dir: ".", pos: map[string]diag.Pos{}, other: other}
	if err := yamlpos.Guard(func() error { return yaml.NodeToValue(body, s, yaml.Strict()) }); err != nil {
		return nil, ErrorAt(name, err)
	}
	index(body, "", name, s.pos)
	// Integers are whole: go-yaml reads repetitions: 2.5 as 2.
	for _, field := range []string{"seed", "deadline.rounds", "repetitions", "agents.concurrency", "agents.max_errors"} {
		if p, err := yaml.PathString("$." + field); err == nil {
			if n, err := p.FilterNode(body); err == nil && n != nil {
				if msg := yamlpos.Whole(n); msg != "" {
					errs.Add(yamlpos.Of(name, n), "%s: %s; give a whole number", field, msg)
				}
			}
		}
	}
	at := func(path string) diag.Pos {
		for p := path; ; {
			if pos, ok := s.pos[p]; ok {
				return pos
			}
			i := strings.LastIndexAny(p, ".[")
			if i < 0 {
				return diag.Pos{File: name}
			}
			p = p[:i]
		}
	}
	if len(s.Scenarios) == 0 {
		errs.Add(at("scenarios"), "scenarios: give at least one scenario file or folder")
	}
	for i, p := range s.Scenarios {
		if strings.TrimSpace(p) == "" {
			errs.Add(at(fmt.Sprintf("scenarios[%d]", i)), "scenarios[%d]: empty path", i)
		} else if _, err := filepath.Match(p, ""); err != nil {
			errs.Add(at(fmt.Sprintf("scenarios[%d]", i)), "scenarios[%d]: %q is not a valid pattern (%v)", i, p, err)
		}
	}
	for i, p := range s.Exclude {
		if strings.TrimSpace(p) == "" {
			errs.Add(at(fmt.Sprintf("exclude[%d]", i)), "exclude[%d]: empty pattern", i)
		} else if _, err := filepath.Match(p, ""); err != nil {
			errs.Add(at(fmt.Sprintf("exclude[%d]", i)), "exclude[%d]: %q is not a valid pattern (%v)", i, p, err)
		}
	}
	if len(s.Negotiators) == 0 {
		errs.Add(at("negotiators"), "negotiators: give at least one negotiator (%s)", strings.Join(negotiator.Names(negotiator.RoleParty), ", "))
	}
	seen := map[string]int{}
	for i, n := range s.Negotiators {
		p := fmt.Sprintf("negotiators[%d]", i)
		if outside, err := s.agent(n); outside {
			// A program (cmd:) or another outside seat, kept as written
			// but for surrounding spaces: its words are its own.
			c := strings.TrimSpace(n)
			if err != nil {
				errs.Add(at(p), "%s: %v", p, err)
			} else if j, dup := seen[c]; dup {
				errs.Add(at(p), "%s: %s is listed twice (also negotiators[%d])", p, c, j)
			}
			seen[c] = i
			s.Negotiators[i] = c
			continue
		}
		if _, ok, _ := seat.RemoteName(n); ok {
			errs.Add(at(p), "%s: %s is a seat played over the network, which needs a listener for its agent (parley tournament gives one; tournament.LoadSpecWith needs a Dialer that knows remote:)", p, strings.TrimSpace(n))
			continue
		}
		sp, err := negotiator.Parse(n)
		if err != nil {
			errs.Add(at(p), "%s: %v", p, err)
			continue
		}
		if err := sp.CheckRole(negotiator.RoleParty); err != nil {
			errs.Add(at(p), "%s: %v", p, err)
			continue
		}
		c := sp.String()
		if j, dup := seen[c]; dup {
			errs.Add(at(p), "%s: %s is listed twice (also negotiators[%d])", p, c, j)
		}
		seen[c] = i
		s.Negotiators[i] = c
	}
	if s.Protocol == "" {
		s.Protocol = "saop"
	}
	info, err := protocol.Lookup(s.Protocol)
	if err != nil {
		errs.Add(at("protocol"), "protocol: %v", err)
	} else if err := negotiator.CheckTable(info, 0, s.Mediator != ""); err != nil {
		if s.Mediator == "" {
			errs.Add(at("protocol"), "protocol: %v", err)
		} else {
			errs.Add(at("mediator"), "mediator: %v", err)
		}
	}
	if outside, err := s.agent(s.Mediator); outside {
		if err != nil {
			errs.Add(at("mediator"), "mediator: %v", err)
		}
		s.Mediator = strings.TrimSpace(s.Mediator)
	} else if s.Mediator != "" {
		sp, err := negotiator.Parse(s.Mediator)
		if err == nil {
			err = sp.CheckRole(negotiator.RoleMediator)
		}
		if err != nil {
			errs.Add(at("mediator"), "mediator: %v", err)
		} else {
			s.Mediator = sp.String()
		}
	}
	switch {
	case s.Deadline.Rounds < 0:
		errs.Add(at("deadline.rounds"), "deadline.rounds: %d is negative", s.Deadline.Rounds)
	case s.Deadline.Rounds > MaxRounds:
		errs.Add(at("deadline.rounds"), "deadline.rounds: %d is more than %d: a tournament plays many short sessions, and a store records at most 2^32 steps per session", s.Deadline.Rounds, MaxRounds)
	}
	if s.Deadline.Time != "" {
		d, err := time.ParseDuration(s.Deadline.Time)
		if err != nil || d <= 0 {
			errs.Add(at("deadline.time"), "deadline.time: %q is not a positive duration such as 2s", s.Deadline.Time)
		}
	}
	if s.Deadline.Rounds == 0 && s.Deadline.Time == "" {
		s.Deadline.Rounds = 100
	}
	switch s.Rotation {
	case "":
		s.Rotation = RotationAll
	case RotationAll, RotationDistinct:
	default:
		errs.Add(at("rotation"), "rotation: %q is not all or distinct", s.Rotation)
	}
	s.checkRemote(&errs, at)
	_, givenReps := s.pos["repetitions"]
	switch {
	case s.Repetitions == 0 && givenReps:
		errs.Add(at("repetitions"), "repetitions: 0 plays nothing; give 1 or more (leave it out for 1)")
	case s.Repetitions == 0:
		s.Repetitions = 1
	case s.Repetitions < 0:
		errs.Add(at("repetitions"), "repetitions: %d is negative", s.Repetitions)
	}
	s.checkAgents(&errs, at)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return s, nil
}

// checkRemote checks the remote: seats (one agent on one connection,
// which plays one seat of one session at a time): none may meet itself,
// and none needs a listener the caller does not give.
func (s *Spec) checkRemote(errs *diag.List, at func(string) diag.Pos) {
	names := map[string]string{}
	for i, n := range s.Negotiators {
		name, ok, _ := seat.RemoteName(n)
		if out, _ := s.agent(n); !ok || !out {
			continue // not a remote seat, or one already refused
		}
		p := fmt.Sprintf("negotiators[%d]", i)
		names[name] = p
		if s.Rotation == RotationAll {
			errs.Add(at(p), "%s: %s would play both sides of some sessions under rotation: all, and one agent plays one seat at a time; set rotation: distinct", p, n)
		}
	}
	if name, ok, _ := seat.RemoteName(s.Mediator); ok && names[name] != "" {
		errs.Add(at("mediator"), "mediator: %s is also %s, and one agent plays one seat at a time; give the mediator a name of its own", s.Mediator, names[name])
	}
}

// oneAtATime says, per negotiator (the mediator after them), whether it
// plays one session at a time: a remote: seat is one agent on one
// connection. Nil when none does.
func (s *Spec) oneAtATime() []bool {
	var one []bool
	for i, n := range append(slices.Clone(s.Negotiators), s.Mediator) {
		if _, ok, _ := seat.RemoteName(n); ok {
			if one == nil {
				one = make([]bool, len(s.Negotiators)+1)
			}
			one[i] = true
		}
	}
	return one
}

// seatLocks let one runner at a time hold each negotiator that plays one
// session at a time (Spec.oneAtATime): a worker takes those of a line-up,
// in negotiator order so that two line-ups never wait for each other,
// before it opens the line-up's seats, and gives them back when it closes
// them. A nil seatLocks has nothing to take.
type seatLocks []chan struct{}

func newSeatLocks(s *Spec) seatLocks {
	one := s.oneAtATime()
	if one == nil {
		return nil
	}
	l := make(seatLocks, len(one))
	for i, ok := range one {
		if ok {
			l[i] = make(chan struct{}, 1)
		}
	}
	return l
}

// take takes the locks of negotiators (indices, the mediator's
// len(Negotiators)), waiting for them; ok is false when ctx ends first.
// give gives them back.
func (l seatLocks) take(ctx context.Context, negotiators []int) (give func(), ok bool) {
	var want []int
	for _, n := range negotiators {
		if n >= 0 && n < len(l) && l[n] != nil && !slices.Contains(want, n) {
			want = append(want, n)
		}
	}
	slices.Sort(want)
	var held []int
	give = func() {
		for _, n := range held {
			<-l[n]
		}
		held = nil
	}
	for _, n := range want {
		select {
		case l[n] <- struct{}{}:
			held = append(held, n)
		case <-ctx.Done():
			give()
			return nil, false
		}
	}
	return give, true
}

// checkAgents checks the agents: settings.
func (s *Spec) checkAgents(errs *diag.List, at func(string) diag.Pos) {
	a := &s.Agents
	if a.Concurrency < 0 {
		errs.Add(at("agents.concurrency"), "agents.concurrency: %d is negative; give the most sessions with outside agents to play at once", a.Concurrency)
	}
	for _, d := range []struct{ field, value, zero string }{
		{"action_timeout", a.ActionTimeout, "0 for no limit"},
		{"seat_budget", a.SeatBudget, "leave it out for no limit"},
	} {
		if d.value == "" {
			continue
		}
		if x, err := time.ParseDuration(d.value); err != nil || x < 0 {
			errs.Add(at("agents."+d.field), "agents.%s: %q is not a duration such as 30s (%s)", d.field, d.value, d.zero)
		}
	}
	if a.MaxErrors != nil && *a.MaxErrors < 0 {
		errs.Add(at("agents.max_errors"), "agents.max_errors: %d is negative; give 0 or more", *a.MaxErrors)
	}
}

// ErrorAt turns a go-yaml error into a positioned error.
func ErrorAt(file string, err error) error {
	return diag.List{yamlpos.Error(file, err)}
}

// index records the position of every mapping key and sequence item.
func index(n ast.Node, path, file string, pos map[string]diag.Pos) {
	at := func(n ast.Node) diag.Pos { return yamlpos.Of(file, n) }
	switch v := n.(type) {
	case *ast.DocumentNode:
		index(v.Body, path, file, pos)
	case *ast.MappingNode:
		for _, kv := range v.Values {
			index(kv, path, file, pos)
		}
	case *ast.MappingValueNode:
		k := strings.Trim(v.Key.String(), `"'`)
		p := k
		if path != "" {
			p = path + "." + k
		}
		pos[p] = at(v.Key)
		index(v.Value, p, file, pos)
	case *ast.SequenceNode:
		for i, it := range v.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			pos[p] = at(it)
			index(it, p, file, pos)
		}
	}
}
