package seat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"
)

// Options are a remote seat's rules: the session settings of the seat
// protocol.
type Options struct {
	// MaxErrors is how many malformed or illegal actions a seat may send in
	// one session; the next one fails it (default DefaultMaxErrors; a
	// negative value allows none).
	MaxErrors int
	// ActionTimeout bounds each answer; Budget bounds all the seat's
	// answers in a session; Hidden bounds the whole session's wall time
	// from the seat's first briefing, a limit the seat is not told (as
	// ANAC's hidden time limit). Zero means no limit.
	ActionTimeout, Budget, Hidden time.Duration
	// SessionID names each session in the settings (nil: a counter).
	SessionID func(b *session.Briefing) string
	// Dial opens the connection at the start of a session when there is
	// none or the last one failed (a process is restarted). Nil means the
	// Conn given to NewRemote is the only one.
	Dial func() (Conn, error)
	// Clock measures answer times; nil means the wall clock. Tests inject
	// a fake.
	Clock func() time.Time
}

// DefaultMaxErrors is the default of Options.MaxErrors.
const DefaultMaxErrors = 3

// Stats are a seat's answer times over every session it played.
type Stats struct {
	Actions int
	Total   time.Duration
	Max     time.Duration
	// Hist counts answers by power-of-two microseconds: Hist[k] holds the
	// answers that took [2^(k-1), 2^k) µs (Hist[0] those under 1 µs).
	Hist [40]int
}

// Quantile is an upper bound of the q-quantile of answer times (the top of
// its power-of-two bucket).
func (s *Stats) Quantile(q float64) time.Duration {
	if s.Actions == 0 {
		return 0
	}
	need := int(q*float64(s.Actions) + 0.5)
	if need < 1 {
		need = 1
	}
	seen := 0
	for k, n := range s.Hist {
		seen += n
		if seen >= need {
			if k == 0 {
				return time.Microsecond
			}
			return min(time.Duration(1<<k)*time.Microsecond, s.Max)
		}
	}
	return s.Max
}

func (s *Stats) add(d time.Duration) {
	s.Actions++
	s.Total += d
	s.Max = max(s.Max, d)
	us := d.Microseconds()
	k := 0
	for us > 0 && k < len(s.Hist)-1 {
		us >>= 1
		k++
	}
	s.Hist[k]++
}

// Remote plays a seat through a Conn: it implements session.Outside.
type Remote struct {
	opts Options
	conn Conn

	b       *session.Briefing
	setup   *negotiator.Setup
	name    string // the seat's party id (or mediator)
	version uint64
	util    *utility.Additive // the preferences the seat was last told
	buf     []int

	sessions  int
	sessionID string
	started   time.Time
	spent     time.Duration
	errorsOK  int  // errors left this session
	told      bool // the session's settings went out: it hears how it ended
	failure   *session.Failure
	said      string
	sent      uint64 // messages sent on the current connection
	stats     Stats
}

// NewRemote returns a seat played through conn (which may be nil when
// Options.Dial opens it).
func NewRemote(conn Conn, opts Options) *Remote {
	if opts.MaxErrors == 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.MaxErrors < 0 {
		opts.MaxErrors = 0
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Remote{opts: opts, conn: conn}
}

// Stats returns the seat's answer times so far.
func (r *Remote) Stats() Stats { return r.stats }

// Close closes the connection.
func (r *Remote) Close() error {
	if r.conn == nil {
		return nil
	}
	err := r.conn.Close()
	r.conn = nil
	return err
}

// Failure implements session.Outside.
func (r *Remote) Failure() *session.Failure { return r.failure }

// Said implements session.Outside.
func (r *Remote) Said() string { return r.said }

func (r *Remote) fail(cause session.Cause, format string, args ...any) {
	if r.failure == nil {
		r.failure = &session.Failure{Seat: r.name, Cause: cause, Message: fmt.Sprintf(format, args...)}
	}
}

// failErr records a transport or context error as the seat's failure.
func (r *Remote) failErr(err error, waiting string) {
	var ce *ConnError
	switch {
	case errors.As(err, &ce):
		r.fail(ce.Cause, "%s", ce.Message)
	case errors.Is(err, errHidden):
		r.fail(session.CauseTimeout, "the session ran past its time limit while %s", waiting)
	case errors.Is(err, errBudget):
		r.fail(session.CauseTimeout, "the seat used up its time budget of %v while %s", r.opts.Budget, waiting)
	case errors.Is(err, context.DeadlineExceeded):
		r.fail(session.CauseTimeout, "no answer within %v while %s", r.opts.ActionTimeout, waiting)
	default:
		r.fail(session.CauseDisconnect, "%v", err)
	}
}

var (
	errHidden = errors.New("hidden time limit")
	errBudget = errors.New("time budget")
)

// Brief implements session.Outside: a new session (phase 0) resets the
// seat's errors and clock; every phase sends the settings.
func (r *Remote) Brief(b *session.Briefing) {
	r.b, r.setup = b, b.Setup
	r.name = seatName(b)
	if b.Phase == 0 {
		r.sessions++
		r.failure, r.said, r.spent = nil, "", 0
		r.errorsOK = r.opts.MaxErrors
		r.started = r.opts.Clock()
		r.sessionID = fmt.Sprintf("%d", r.sessions)
		if r.opts.SessionID != nil {
			r.sessionID = r.opts.SessionID(b)
		}
		r.told = false
		if r.conn == nil && r.opts.Dial != nil {
			c, err := r.opts.Dial()
			if err != nil {
				r.failConn(err)
				return
			}
			r.conn, r.sent = c, 0
		}
		if sc, ok := r.conn.(Sessions); ok {
			if err := sc.BeginSession(); err != nil {
				r.failConn(err)
				return
			}
		}
	}
	if r.conn == nil {
		r.fail(session.CauseDisconnect, "no connection to the seat")
		return
	}
	r.version, r.util = b.Setup.Version, b.Setup.Utility
	if r.failure == nil {
		r.told = true
	}
	r.send(settings(b, r.sessionID, r.opts))
}

// failConn fails a seat whose connection could not be had for a session:
// a process that would not start (crash), or what a transport says.
func (r *Remote) failConn(err error) {
	var ce *ConnError
	if errors.As(err, &ce) {
		r.fail(ce.Cause, "%s", ce.Message)
		return
	}
	r.fail(session.CauseCrash, "%v", err)
}

// Sessions is a Conn that carries many sessions, one after another, and
// needs to know where each begins: a remote: seat's stream, which one
// client reads across a whole run. Remote calls BeginSession before it
// sends a session's settings; an error (its client is gone) fails the
// seat for that session, which then sends it nothing.
type Sessions interface {
	BeginSession() error
}

// Reset implements negotiator.Negotiator.
func (r *Remote) Reset(s *negotiator.Setup) {
	r.setup = s
	if cap(r.buf) < s.Space.Issues() {
		r.buf = make([]int, s.Space.Issues())
	}
	r.buf = r.buf[:s.Space.Issues()]
	r.version, r.util = s.Version, s.Utility
}

// send writes a message, failing the seat if it cannot.
func (r *Remote) send(v any) {
	if r.failure != nil {
		return
	}
	r.write(v)
}

// write writes a message even to a failed seat (which may still hear how
// its session ended).
func (r *Remote) write(v any) {
	if r.conn == nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		r.fail(session.CauseDisconnect, "encoding a message: %v", err)
		return
	}
	r.sent++
	if err := r.conn.Send(data); err != nil {
		r.failErr(err, "sending to it")
	}
}

// Observe implements negotiator.Negotiator: the record goes out as
// action_done, with the outcome's utility to this seat.
func (r *Remote) Observe(e protocol.Event) {
	if r.failure != nil {
		return
	}
	r.sendUpdate(int(e.Round))
	m := ActionDone{Type: TypeActionDone, Event: e.Type.String(), Round: int(e.Round), T: e.T, Text: r.b.Runner.EventText()}
	if e.Seat >= 0 {
		m.By = r.b.Runner.SeatName(int(e.Seat))
	}
	if e.Private {
		m.Meeting = r.b.Runner.SeatName(int(e.With))
	}
	if e.Type == protocol.EventVote {
		m.Vote = ActReject
		if e.Accept {
			m.Vote = ActAccept
		}
	}
	if e.HasOutcome {
		m.Outcome, m.Utility = r.outcome(e.Outcome)
	}
	r.send(m)
}

// sendUpdate tells the seat when the runner changed its preferences (a
// reservation value that moves each round goes with your_turn instead).
func (r *Remote) sendUpdate(round int) {
	if r.setup.Version == r.version {
		return
	}
	r.version = r.setup.Version
	if r.setup.Utility == r.util {
		return
	}
	r.util = r.setup.Utility
	r.send(Update{Type: TypeUpdate, Round: round, Preferences: preferences(r.b, r.setup)})
}

// outcome renders a phase outcome and its utility to the seat.
func (r *Remote) outcome(id uint64) (map[string]any, *float64) {
	r.setup.Space.Decode(id, r.buf)
	m := make(map[string]any, len(r.buf))
	for k, v := range r.buf {
		is := &r.b.Scenario.Issues[r.b.Issues[k]]
		m[is.ID] = valueOf(is, v)
	}
	if r.setup.Utility == nil {
		return m, nil
	}
	u := r.setup.Utility.Own(r.buf) // its own preferences, as sent: the runner screens what others veto
	return m, &u
}

// Act implements negotiator.Negotiator: it sends your_turn and waits for a
// legal answer, answering each illegal one with an error.
func (r *Remote) Act(t protocol.Turn) protocol.Action {
	r.said = ""
	if r.failure != nil || r.conn == nil {
		return protocol.End
	}
	r.sendUpdate(t.Round)
	if n := r.conn.Buffered(); n >= MaxBuffered {
		r.fail(session.CauseFlood, "%d messages arrived while it was not the seat's turn", n)
		return protocol.End
	}
	r.send(r.yourTurn(t))
	asked := r.sent // your_turn's number: an answer arrives after it
	start := r.opts.Clock()
	defer func() { d := r.opts.Clock().Sub(start); r.spent += d; r.stats.add(d) }()
	ctx, cancel := r.deadline(start)
	defer cancel()
	for r.failure == nil {
		msg, err := r.conn.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil && context.Cause(ctx) != nil {
				err = context.Cause(ctx)
			}
			r.failErr(err, fmt.Sprintf("waiting for its action in round %d", t.Round))
			break
		}
		if msg.Seen < asked {
			r.reject(&fieldError{unasked: true, msg: "a message arrived while it was not the seat's turn (a seat acts only after your_turn); it was ignored"})
			continue
		}
		a, text, verr := r.parse(msg.Data, t)
		if verr == nil {
			r.said = text
			return a
		}
		r.reject(verr)
	}
	return protocol.End
}

// deadline is the context of one answer: the action timeout, the rest of
// the seat's budget and the hidden limit, whichever ends first.
func (r *Remote) deadline(start time.Time) (context.Context, context.CancelFunc) {
	ctx := context.Background()
	var cancels []context.CancelFunc
	limit := func(d time.Duration, cause error) {
		c, cancel := context.WithDeadlineCause(ctx, start.Add(d), cause)
		ctx = c
		cancels = append(cancels, cancel)
	}
	if d := r.opts.ActionTimeout; d > 0 {
		limit(d, context.DeadlineExceeded)
	}
	if d := r.opts.Budget; d > 0 {
		limit(d-r.spent, errBudget)
	}
	if d := r.opts.Hidden; d > 0 {
		limit(d-start.Sub(r.started), errHidden)
	}
	return ctx, func() {
		for _, c := range cancels {
			c()
		}
	}
}

// reject answers an illegal message, failing the seat past its errors.
func (r *Remote) reject(e *fieldError) {
	if r.errorsOK <= 0 {
		cause := session.CauseInvalid
		switch {
		case e.garbage:
			cause = session.CauseGarbage
		case e.unasked:
			cause = session.CauseFlood
		}
		r.fail(cause, "more than %d malformed or illegal messages in a session; the last: %s", r.opts.MaxErrors, e.msg)
		return
	}
	r.errorsOK--
	r.send(Error{Type: TypeError, Message: e.msg, Field: e.field, Legal: e.legal, ErrorsLeft: r.errorsOK})
}

// Finish implements session.Outside: the seat hears how the session ended
// and its own payoff only.
func (r *Remote) Finish(res *session.Result) {
	if r.conn == nil {
		return
	}
	if r.told {
		r.write(r.finished(res))
	}
	if r.failure != nil && r.opts.Dial != nil {
		// A failed connection is not reused: the next session dials anew.
		r.conn.Close()
		r.conn = nil
	}
}

// finished is the seat's finished message.
func (r *Remote) finished(res *session.Result) Finished {
	f := Finished{Type: TypeFinished, Session: r.sessionID, Status: string(res.Status), End: res.End, Round: res.Round}
	if res.Agreed {
		f.Agreement = map[string]any{}
		for _, v := range res.Outcome {
			is := &r.b.Scenario.Issues[r.b.Scenario.IssueIndex(v.Issue)]
			f.Agreement[v.Issue] = valueOf(is, is.Lookup(v.Value))
		}
	}
	switch {
	case r.b.Seat < len(res.Parties):
		f.Payoff = res.Parties[r.b.Seat].Utility
	case res.MediatorParty != nil:
		f.Payoff = res.MediatorParty.Utility
	}
	if res.Failure != nil {
		f.Failure = &Failure{Seat: res.Failure.Seat, Cause: string(res.Failure.Cause), Message: res.Failure.Message}
	}
	return f
}

func seatName(b *session.Briefing) string {
	if b.Party >= 0 {
		return b.Scenario.Parties[b.Party].ID
	}
	return "mediator"
}

// valueOf is value index v of an issue as it goes on the wire: the option
// id, or the number.
func valueOf(is *scenario.Issue, v int) any {
	if is.Kind == scenario.Discrete {
		return is.Options[v].ID
	}
	x := is.Number(v)
	if is.Kind == scenario.Integer {
		return int64(x)
	}
	return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
}
