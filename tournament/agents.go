package tournament

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// Times are a negotiator's answer times as an outside seat over some
// sessions: how many answers, their total time, and how many took each
// power of two of microseconds (seat.Stats's histogram).
type Times struct {
	// Negotiator is an index into the spec's negotiators, or their number
	// for the mediator.
	Negotiator int
	Actions    uint64
	Total      time.Duration
	Hist       [TimeBuckets]uint64
}

// TimeBuckets is the number of buckets of Times.Hist: Hist[k] counts the
// answers that took [2^(k-1), 2^k) µs, Hist[0] those under 1 µs (as
// seat.Stats).
const TimeBuckets = len(seat.Stats{}.Hist)

// Add adds o's answers to t.
func (t *Times) Add(o *Times) {
	t.Actions += o.Actions
	t.Total += o.Total
	for k, n := range o.Hist {
		t.Hist[k] += n
	}
}

// Mean is the mean time of an answer (0 without answers).
func (t *Times) Mean() time.Duration {
	if t.Actions == 0 {
		return 0
	}
	return t.Total / time.Duration(t.Actions)
}

// Quantile is an upper bound of the q-quantile of the answer times: the
// top of the power-of-two bucket it falls in.
func (t *Times) Quantile(q float64) time.Duration {
	if t.Actions == 0 {
		return 0
	}
	need := uint64(max(1, q*float64(t.Actions)+0.5))
	seen := uint64(0)
	for k, n := range t.Hist {
		seen += n
		if seen >= need {
			return bucketTop(k)
		}
	}
	return bucketTop(len(t.Hist) - 1)
}

// bucketTop is the upper end of bucket k of a histogram of Times.
func bucketTop(k int) time.Duration {
	if k == 0 {
		return time.Microsecond
	}
	return time.Duration(1<<k) * time.Microsecond
}

// since sets t to the answers in now that were not in before (the stats of
// one seat, taken after and before a session).
func (t *Times) since(now, before *seat.Stats) {
	t.Actions += uint64(now.Actions - before.Actions)
	t.Total += now.Total - before.Total
	for k := range now.Hist {
		t.Hist[k] += uint64(now.Hist[k] - before.Hist[k])
	}
}

// Outside is what a session with outside seats adds to its record: the
// failure that ended it, if one did, and the answer times of its outside
// seats, one Times per negotiator, in negotiator order. A worker hands it
// to the Sink with the record, which keeps both in the same transaction.
type Outside struct {
	Session uint64
	// Failure is why the session failed (status failed): FailedSeat (from
	// 0, the mediator's after the parties') failed. Nil otherwise.
	Failure    *session.Failure
	FailedSeat int
	Times      []Times
}

// agents are the outside seats of one runner: a process per seat (or a
// connection, for a seat the spec's Dialer makes), started for its first
// session and kept for the next ones (a tournament plays a line-up's
// repetitions in a row), restarted after a failure, stopped when the
// runner is closed, and closed at once by interrupt when the run is
// cancelled.
type agents struct {
	p    *Plan
	dir  string
	opts seat.Options

	seats []agentSeat
	// number is the tournament's number of the session in play, which
	// the seats are told as their session id.
	number uint64

	mu      sync.Mutex
	conns   map[int]seat.Conn // each seat's latest process
	stopped bool              // interrupted: start nothing more
}

// agentSeat is one outside seat of a runner.
type agentSeat struct {
	seat       int // its index in the session
	negotiator int // its negotiator (Plan.Outside's index)
	remote     *seat.Remote
	last       seat.Stats // its stats after the last session
}

func newAgents(p *Plan) *agents {
	a := &agents{p: p, dir: p.Spec.dir, opts: p.Spec.SeatOptions(), conns: map[int]seat.Conn{}}
	a.opts.SessionID = func(*session.Briefing) string { return strconv.FormatUint(a.number, 10) }
	return a
}

// errInterrupted is why an agent is not started after the run was
// cancelled.
var errInterrupted = errors.New("the tournament was interrupted")

// outside implements session.Config.Outside for the runner's seats:
// negotiator is the spec index of the negotiator at seat (the mediator's
// for the seat after the parties').
func (a *agents) outside(negotiator func(seat int) int) func(spec string, seat int) (session.Outside, bool, error) {
	return func(spec string, at int) (session.Outside, bool, error) {
		// A program (cmd:), or a seat of another kind the spec's Dialer
		// makes.
		var dial func() (seat.Conn, error)
		argv, ok, err := seat.Command(spec)
		switch {
		case ok && err == nil:
			dial = func() (seat.Conn, error) { return seat.StartProcess(argv, a.dir) }
		case !ok && a.p.Spec.other != nil:
			dial, ok, err = a.p.Spec.other(strings.TrimSpace(spec))
		}
		if !ok || err != nil {
			return nil, ok, err
		}
		opts := a.opts
		opts.Dial = func() (seat.Conn, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.stopped {
				return nil, errInterrupted
			}
			c, err := dial()
			if err != nil {
				return nil, err
			}
			a.conns[at] = c
			return c, nil
		}
		r := seat.NewRemote(nil, opts)
		a.seats = append(a.seats, agentSeat{seat: at, negotiator: negotiator(at), remote: r})
		return r, true, nil
	}
}

// played fills out with what the session just played adds to its record:
// the failure r ended with, and each negotiator's answer times.
func (a *agents) played(r *session.Runner, number uint64, out *Outside) {
	*out = Outside{Session: number, Failure: r.Failure(), FailedSeat: -1}
	for i := range a.seats {
		s := &a.seats[i]
		now := s.remote.Stats()
		if out.Failure != nil && s.remote.Failure() == out.Failure {
			out.FailedSeat = s.seat
		}
		if now.Actions > s.last.Actions {
			t := out.times(s.negotiator)
			t.since(&now, &s.last)
		}
		s.last = now
	}
}

// times is the Times of negotiator n in o, added in negotiator order.
func (o *Outside) times(n int) *Times {
	for i := range o.Times {
		if o.Times[i].Negotiator == n {
			return &o.Times[i]
		}
	}
	i := len(o.Times)
	for i > 0 && o.Times[i-1].Negotiator > n {
		i--
	}
	o.Times = append(o.Times, Times{})
	copy(o.Times[i+1:], o.Times[i:])
	o.Times[i] = Times{Negotiator: n}
	return &o.Times[i]
}

// interrupt kills the seats' processes at once (from any goroutine) and
// starts no more: a session in play then ends, and the worker drops it
// unrecorded.
func (a *agents) interrupt() {
	a.mu.Lock()
	a.stopped = true
	conns := make([]seat.Conn, 0, len(a.conns))
	for _, c := range a.conns {
		conns = append(conns, c)
	}
	a.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.Close() }()
	}
	wg.Wait()
}

// slots bounds the runners with outside seats open at once (the spec's
// agents.concurrency): a worker takes a slot before it opens one, and
// gives it back when it closes it.
type slots chan struct{}

// take waits for a slot; false when ctx ends first.
func (s slots) take(ctx context.Context) bool {
	select {
	case s <- struct{}{}:
		return true
	default:
	}
	select {
	case s <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s slots) give() { <-s }
