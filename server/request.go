package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/diag/yamlpos"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// Request creates a session: POST /api/v1/sessions (docs/serve.md).
type Request struct {
	// Scenario is a parley scenario's text (YAML or JSON); Example names a
	// file of the server's examples folder instead.
	Scenario string `json:"scenario,omitempty"`
	Example  string `json:"example,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	// Mediator is the mediator's strategy, or "remote" for an open seat.
	Mediator string    `json:"mediator,omitempty"`
	Deadline *Deadline `json:"deadline,omitempty"`
	Seed     uint64    `json:"seed"`
	// Seats holds one entry per negotiating party in scenario order (or
	// one for all): a built-in strategy spec, or "remote" for an open seat.
	Seats []string `json:"seats"`
	Clock *Clock   `json:"clock,omitempty"`
	// MaxErrors is how many malformed or illegal actions an open seat may
	// send in the session before it fails (absent: 3).
	MaxErrors *int `json:"max_errors,omitempty"`
}

// Deadline is a session's deadline (absent: 100 rounds).
type Deadline struct {
	Rounds int   `json:"rounds,omitempty"`
	MS     int64 `json:"ms,omitempty"`
}

// Clock holds the open seats' clocks, in milliseconds: ActionMS per answer
// (absent: 30000; 0: no limit), BudgetMS for all of a seat's answers, and
// HiddenMS, the session's time limit from its start, which seats are not
// told (0: none).
type Clock struct {
	ActionMS *int64 `json:"action_ms,omitempty"`
	BudgetMS int64  `json:"budget_ms,omitempty"`
	HiddenMS int64  `json:"hidden_ms,omitempty"`
}

// Remote is the seat spec of an open seat.
const Remote = "remote"

// DefaultActionTimeout is an open seat's time per answer when the request
// gives none.
const DefaultActionTimeout = 30 * time.Second

func (r *Request) protocol() string {
	if r.Protocol == "" {
		return "saop"
	}
	return r.Protocol
}

func (r *Request) deadline() protocol.Deadline {
	if r.Deadline == nil || (r.Deadline.Rounds == 0 && r.Deadline.MS == 0) {
		return protocol.Deadline{Rounds: 100}
	}
	return protocol.Deadline{Rounds: r.Deadline.Rounds, Time: time.Duration(r.Deadline.MS) * time.Millisecond}
}

// specs are the seats' specs in seat order (the mediator's last).
func (r *Request) specs(parties int) []string {
	specs := r.Seats
	if len(specs) == 1 && parties > 1 {
		specs = make([]string, parties)
		for i := range specs {
			specs[i] = r.Seats[0]
		}
	}
	specs = append([]string(nil), specs...)
	if r.Mediator != "" {
		specs = append(specs, r.Mediator)
	}
	return specs
}

// options are the open seats' rules.
func (r *Request) options() seat.Options {
	o := seat.Options{ActionTimeout: DefaultActionTimeout}
	if c := r.Clock; c != nil {
		if c.ActionMS != nil {
			o.ActionTimeout = time.Duration(*c.ActionMS) * time.Millisecond
		}
		o.Budget = time.Duration(c.BudgetMS) * time.Millisecond
		o.Hidden = time.Duration(c.HiddenMS) * time.Millisecond
	}
	if r.MaxErrors != nil {
		o.MaxErrors = *r.MaxErrors
		if o.MaxErrors == 0 {
			o.MaxErrors = -1 // none allowed
		}
	}
	return o
}

// Problem is one thing wrong with a request: where (a scenario's line and
// column, or a field of the request) and what.
type Problem struct {
	At      string `json:"at,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Problems is every problem found in a request.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p.At != "" {
			b.WriteString(p.At + ": ")
		} else if p.Field != "" {
			b.WriteString(p.Field + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

func (ps *Problems) add(field, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// merge adds an error: positioned scenario errors one by one, others as
// they are.
func (ps *Problems) merge(field string, err error) {
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			*ps = append(*ps, problemAt(field, e))
		}
	case errors.As(err, &one):
		*ps = append(*ps, problemAt(field, one))
	default:
		for _, line := range strings.Split(err.Error(), "\n") {
			ps.add(field, "%s", line)
		}
	}
}

func problemAt(field string, e *diag.Error) Problem {
	return Problem{At: e.Pos.String(), Line: e.Pos.Line, Column: e.Pos.Col, Field: field, Message: e.Msg}
}

// decodeRequest reads a request body strictly: unknown fields are errors.
func decodeRequest(body []byte) (*Request, error) {
	var r Request
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil {
		return nil, fmt.Errorf("the body is not a session request: %v", err)
	}
	if d.More() {
		return nil, errors.New("the body holds more than one JSON value")
	}
	return &r, nil
}

// ScenarioName is the file name positions in a posted scenario's errors
// refer to.
const ScenarioName = "scenario"

var exampleName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// scenarioText returns the scenario a request names: its text and the name
// it is parsed with (a posted scenario's, or the example's path, against
// which its source documents resolve).
func (srv *Server) scenarioText(r *Request) (name string, text []byte, ps Problems) {
	switch {
	case r.Scenario != "" && r.Example != "":
		ps.add("scenario", "give \"scenario\" (the text of a scenario) or \"example\" (the name of an example), not both")
	case r.Scenario == "" && r.Example == "":
		ps.add("scenario", "give \"scenario\" (the text of a scenario) or \"example\" (the name of an example)")
	case r.Example != "":
		if !exampleName.MatchString(r.Example) || strings.Contains(r.Example, "..") {
			ps.add("example", "%q is not an example's name; the examples: %s", r.Example, strings.Join(srv.examples(), ", "))
			return
		}
		path := filepath.Join(srv.cfg.Examples, r.Example)
		if filepath.Ext(path) == "" {
			path += ".yaml"
		}
		data, err := safeio.ReadFile(path)
		if err != nil {
			ps.add("example", "no example %q; the examples: %s", r.Example, strings.Join(srv.examples(), ", "))
			return
		}
		return path, data, nil
	default:
		data := []byte(r.Scenario)
		if srv.cached(ScenarioName, data) != nil {
			return ScenarioName, data, nil // checked before
		}
		if err := noFiles(data); err != nil {
			ps.merge("scenario", err)
			return
		}
		return ScenarioName, data, nil
	}
	return
}

// ParseScenario reads a scenario a client sent (a request's, or one
// uploaded to the web pages) as the server does: it may name no files, and
// its problems are positioned in ScenarioName.
func ParseScenario(text []byte) (*scenario.Scenario, error) {
	if err := noFiles(text); err != nil {
		return nil, err
	}
	return scenario.Parse(text, ScenarioName)
}

// examples lists the scenario files of the examples folder.
func (srv *Server) examples() []string {
	m, _ := filepath.Glob(filepath.Join(srv.cfg.Examples, "*.yaml"))
	var out []string
	for _, p := range m {
		b := strings.TrimSuffix(filepath.Base(p), ".yaml")
		if !strings.HasPrefix(b, "tournament-") {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return []string{"(none)"}
	}
	return out
}

// noFiles refuses a posted scenario whose sources name files: the server
// reads no file a client names (a quote checked against a file would tell
// the client what the file holds).
func noFiles(text []byte) error {
	var doc map[string]any
	if yamlpos.Guard(func() error { return yaml.Unmarshal(text, &doc) }) != nil {
		return nil // not YAML: parsing reports it, before reading any source
	}
	srcs, _ := doc["sources"].([]any)
	var errs diag.List
	for i, s := range srcs {
		m, _ := s.(map[string]any)
		if p, ok := m["path"]; ok && p != nil && p != "" {
			pos := diag.Pos{File: ScenarioName}
			if f, err := parser.ParseBytes(text, 0); err == nil {
				if yp, err := yaml.PathString(fmt.Sprintf("$.sources[%d].path", i)); err == nil {
					if n, err := yp.FilterFile(f); err == nil {
						pos = yamlpos.Of(ScenarioName, n)
					}
				}
			}
			errs.Add(pos, "a scenario sent to the server cannot name files: leave out sources[%d].path (quotes are then checked against source ids only)", i)
		}
	}
	return errs.Err()
}

// prepare parses a scenario and compiles it, sharing the compiled form
// among sessions of the same text.
func (srv *Server) prepare(name string, text []byte) (*session.Prepared, error) {
	if p := srv.cached(name, text); p != nil {
		return p, nil
	}
	key := preparedKey(name, text)
	sc, err := scenario.Parse(text, name)
	if err != nil {
		return nil, err
	}
	p, err := session.Prepare(sc)
	if err != nil {
		return nil, err
	}
	srv.mu.Lock()
	if len(srv.prepared) >= maxPrepared {
		for k := range srv.prepared {
			delete(srv.prepared, k)
			break
		}
	}
	srv.prepared[key] = p
	srv.mu.Unlock()
	return p, nil
}

func preparedKey(name string, text []byte) [32]byte {
	return sha256.Sum256(append([]byte(name+"\x00"), text...))
}

// cached is the compiled scenario of a text seen before, or nil.
func (srv *Server) cached(name string, text []byte) *session.Prepared {
	key := preparedKey(name, text)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.prepared[key]
}

// maxPrepared is how many compiled scenarios the server keeps for reuse.
const maxPrepared = 64

// build makes the session a request describes, with id: its runner, its
// open seats and their remotes. Every problem is reported at once.
func (srv *Server) build(id string, r *Request, name string, text []byte) (*live, Problems) {
	var ps Problems
	prep, err := srv.prepare(name, text)
	if err != nil {
		ps.merge("scenario", err)
		return nil, ps
	}
	if max := srv.cfg.MaxOutcomes; max > 0 && prep.Size > max {
		ps.add("scenario", "the scenario has %d outcomes; this server plays scenarios of at most %d (the result's analysis enumerates them)", prep.Size, max)
		return nil, ps
	}
	if len(r.Seats) == 0 {
		ps.add("seats", "give one seat per negotiating party in scenario order (%s): a built-in strategy, or %q for an open seat", strings.Join(prep.PartyIDs(), ", "), Remote)
	}
	if c := r.Clock; c != nil && ((c.ActionMS != nil && *c.ActionMS < 0) || c.BudgetMS < 0 || c.HiddenMS < 0) {
		ps.add("clock", "times are milliseconds, 0 or more")
	}
	if r.MaxErrors != nil && *r.MaxErrors < 0 {
		ps.add("max_errors", "give 0 or more")
	}
	if d := r.Deadline; d != nil && (d.Rounds < 0 || d.MS < 0) {
		ps.add("deadline", "rounds and ms are 0 or more")
	}
	if len(ps) > 0 {
		return nil, ps
	}
	l := &live{srv: srv, id: id, req: r, state: StateWaiting, parties: prep.PartyIDs(), done: make(chan struct{})}
	l.clock.caughtUp = make(chan struct{})
	close(l.clock.caughtUp) // replaced by resume
	opts := r.options()
	opts.SessionID = func(*session.Briefing) string { return id }
	opts.Clock = l.clock.Now
	cfg := session.Config{Prepared: prep, Negotiators: r.Seats, Mediator: r.Mediator, Protocol: r.Protocol, Deadline: r.deadline(), Seed: r.Seed,
		Outside: func(spec string, i int) (session.Outside, bool, error) {
			spec = strings.TrimSpace(spec)
			if seat.IsOutside(spec) {
				return nil, true, fmt.Errorf("%q: a cmd: seat would run a program on the server; over HTTP a seat is %q (open) or a built-in strategy", spec, Remote)
			}
			if spec != Remote {
				return nil, false, nil
			}
			s := newOpenSeat(l, i, "", nil)
			l.seats = append(l.seats, s)
			return &outsideSeat{Remote: seat.NewRemote(s, opts), s: s, l: l}, true, nil
		}}
	if cfg.Deadline.Time > 0 {
		cfg.Clock = l.clock.elapsed
		l.clock.record = func(k int, d time.Duration) {
			srv.journal.add(op{stmts: []stmt{{sqlClock, []any{id, k, int64(d)}}}})
		}
	}
	if srv.cfg.Watch != nil {
		// A session stopped by Close ends as its seats are closed: that
		// end is not what happened (the next server resumes the session),
		// so watchers see nothing of it.
		cfg.OnEvent = func(e protocol.Event) {
			if l.watcher != nil && !srv.stopping.Load() {
				l.watcher.Event(e)
			}
		}
		cfg.OnNote = func(n session.Note) {
			if l.watcher != nil && !srv.stopping.Load() {
				l.watcher.Note(n)
			}
		}
	}
	runner, err := session.NewRunner(cfg)
	if err != nil {
		ps.merge("", err)
		return nil, ps
	}
	l.runner = runner
	if srv.cfg.Watch != nil {
		l.watcher = srv.cfg.Watch(id, runner)
	}
	l.specs = r.specs(len(l.parties))
	if info, err := protocol.Lookup(r.protocol()); err == nil && info.Mediated && r.Mediator == "" && prep.Mediator >= 0 {
		l.specs = append(l.specs, "broker") // as session.NewRunner decides
	}
	for _, s := range l.seats {
		s.party = runner.SeatName(s.index)
	}
	return l, nil
}
