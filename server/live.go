package server

import (
	"encoding/json"
	"log"
	"sync"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// States of a session on the server.
const (
	StateWaiting  = "waiting"  // some open seat has not connected yet
	StateRunning  = "running"  // under way
	StateFinished = "finished" // over; its result is stored
)

// live is a session the server holds in memory: waiting for its seats or
// under way. Its runner plays on a goroutine of its own; open seats are
// stepped through their openSeat streams.
type live struct {
	srv     *Server
	id      string
	req     *Request
	created time.Time
	runner  *session.Runner
	parties []string
	specs   []string    // every seat's negotiator spec, in seat order
	seats   []*openSeat // the open seats, in seat order
	clock   clock
	watcher Watcher // Config.Watch's, or nil

	mu      sync.Mutex
	state   string
	started time.Time
	result  *session.Result
	done    chan struct{}

	finishing bool // closed when the session is over and stored
}

// outsideSeat is an open seat at the table: a seat.Remote whose failures
// that depend on the clock are stored, and whose session's result is
// stored before any seat hears it.
type outsideSeat struct {
	*seat.Remote
	s *openSeat
	l *live
}

// Act implements negotiator.Negotiator.
func (o *outsideSeat) Act(t protocol.Turn) protocol.Action {
	a := o.Remote.Act(t)
	if f := o.Remote.Failure(); f != nil {
		o.s.noteTimeout(f)
	}
	return a
}

// Finish implements session.Outside.
func (o *outsideSeat) Finish(r *session.Result) {
	o.l.finish(r)
	o.Remote.Finish(r)
}

// live is the host of its open seats.
func (l *live) journal() *journal         { return l.srv.journal }
func (l *live) seatClock() *clock         { return &l.clock }
func (l *live) grace() time.Duration      { return l.srv.cfg.Grace }
func (l *live) over() <-chan struct{}     { return l.done }
func (l *live) stopping() <-chan struct{} { return l.srv.ctx.Done() }
func (l *live) storedAs() string          { return l.id }
func (l *live) diverged(s *openSeat, n int) {
	l.srv.diverged.Add(1)
	log.Printf("parley serve: session %s, seat %s: message %d differs on replay (was this database written by another version of parley?)", l.id, s.party, n)
}

func (l *live) running() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state == StateRunning
}

// join notes that an open seat connected for the first time; the session
// starts once every open seat has.
func (l *live) join(s *openSeat) {
	l.srv.journal.add(op{stmts: []stmt{{sqlJoined, []any{l.id, s.index}}}})
	l.startIfReady()
}

func (l *live) startIfReady() {
	l.mu.Lock()
	if l.state != StateWaiting {
		l.mu.Unlock()
		return
	}
	for _, s := range l.seats {
		s.mu.Lock()
		j := s.joined
		s.mu.Unlock()
		if !j {
			l.mu.Unlock()
			return
		}
	}
	l.state, l.started = StateRunning, time.Now()
	l.clock.since = l.started
	l.srv.journal.add(op{stmts: []stmt{{sqlStarted, []any{l.started.UnixNano(), l.id}}}})
	l.mu.Unlock()
	l.begin()
}

// begin plays the session on a goroutine of its own and starts watching
// its seats' connections.
func (l *live) begin() {
	l.srv.wg.Add(1)
	go l.run()
	for _, s := range l.seats {
		s.watch()
	}
}

func (l *live) run() {
	defer l.srv.wg.Done()
	if _, err := l.runner.Play(l.req.Seed); err != nil {
		log.Printf("parley serve: session %s: %v", l.id, err)
	}
	res := l.runner.Result()
	l.finish(&res)
	l.runner.Close()
	// Once every message of the session is stored, it is served from the
	// database.
	if l.srv.journal.do() == nil {
		l.srv.retire(l)
	}
	close(l.done)
}

// finish stores the session's result, once, before any seat hears it;
// the session shows as finished once its result is stored.
func (l *live) finish(r *session.Result) {
	l.mu.Lock()
	if l.finishing {
		l.mu.Unlock()
		return
	}
	l.finishing = true
	l.mu.Unlock()
	if l.watcher != nil && !l.srv.stopping.Load() {
		l.watcher.Finish(r)
	}
	data, err := json.Marshal(r)
	if err == nil {
		err = l.srv.journal.do(stmt{sqlFinished, []any{string(data), l.id}})
	}
	if err != nil && err != errStopped {
		log.Printf("parley serve: session %s: storing its result: %v", l.id, err)
	}
	l.mu.Lock()
	l.result, l.state = r, StateFinished
	l.mu.Unlock()
}

// status describes the session for GET /api/v1/sessions/{id}.
func (l *live) status() *Status {
	l.mu.Lock()
	st := &Status{ID: l.id, State: l.state, Scenario: l.runner.Prepared().Scenario.Name, Protocol: l.req.protocol(), Parties: l.parties}
	if l.result != nil {
		st.Result = publicResult(l.result)
	}
	l.mu.Unlock()
	open := map[int]*openSeat{}
	for _, s := range l.seats {
		open[s.index] = s
	}
	for i, spec := range l.specs {
		ss := SeatStatus{Seat: i, Party: l.runner.SeatName(i), Negotiator: spec}
		if s := open[i]; s != nil {
			s.mu.Lock()
			ss.Open, ss.Joined, ss.Connected = true, s.joined, s.ws || s.polls > 0
			s.mu.Unlock()
		}
		st.Seats = append(st.Seats, ss)
	}
	return st
}
