package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// openSeat is one seat played over the network. It is the seat.Conn of the
// session's seat.Remote, backed by the seat's message stream: every
// message sent to the seat is numbered from 1, stored, and then readable
// by any transport from any position (after=N), so a client that
// reconnects loses and repeats nothing. What the seat sends is stored
// before the session reads it, with the number of messages it had been
// sent then (seat.Message.Seen): a restored session replays it exactly.
type openSeat struct {
	l     *live
	index int    // the seat's index at the table
	party string // its party id (or the mediator's)
	hash  []byte // SHA-256 of its token

	mu      sync.Mutex
	msgs    [][]byte      // the stream
	at      []int64       // when each message was sent (unix ns)
	stored  int           // messages restored from the database
	sends   int           // Send calls so far
	visible int           // messages committed: what clients may read
	changed chan struct{} // closed and renewed when visible or closed change
	closed  bool          // the session is over: the stream is complete

	in       []received // received and stored, not yet read by Recv
	preload  int        // how many of in were restored from the database
	nIn      int        // records received (messages and a failure)
	pending  int        // received, being stored
	inWake   chan struct{}
	gate     bool            // no more messages accepted
	failure  *seat.ConnError // what the transport saw the seat do
	surfaced bool            // failure was returned to the session
	replay   *failRecord     // a restored failure, to surface at the same point
	timedOut bool            // Recv returned because its context ended
	recorded bool            // the seat's failure is stored

	// Connections.
	ws       bool // a WebSocket is open
	polls    int  // long-polls under way
	lastSeen time.Time
	joined   bool
	timer    *time.Timer
}

// received is a message from the seat with its arrival time.
type received struct {
	msg seat.Message
	at  int64
}

// failRecord is a stored failure of a seat's connection: cause and message
// as the seat was told, surfaced at message atSend (0: in Recv).
type failRecord struct {
	cause   session.Cause
	message string
	atSend  int
}

func newOpenSeat(l *live, index int, party string, hash []byte) *openSeat {
	return &openSeat{l: l, index: index, party: party, hash: hash, changed: make(chan struct{}), inWake: make(chan struct{}, 1)}
}

func (s *openSeat) signal() {
	select {
	case s.inWake <- struct{}{}:
	default:
	}
}

// broadcast wakes every reader of the stream; s.mu is held.
func (s *openSeat) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Send implements seat.Conn: the message goes on the stream; clients read
// it once it is stored. A restored session's replay sends again what is
// stored: it is checked, not stored twice.
func (s *openSeat) Send(msg []byte) error {
	s.mu.Lock()
	s.sends++
	n := s.sends
	if n <= s.stored {
		at, same := s.at[n-1], bytes.Equal(s.msgs[n-1], msg)
		s.mu.Unlock()
		s.l.clock.replayed(at)
		if !same {
			s.l.srv.diverged.Add(1)
			log.Printf("parley serve: session %s, seat %s: message %d differs on replay (was this database written by another version of parley?)", s.l.id, s.party, n)
		}
		return s.sendFailure(n)
	}
	now := time.Now().UnixNano()
	data := bytes.Clone(msg)
	s.msgs = append(s.msgs, data)
	s.at = append(s.at, now)
	o := op{stmts: []stmt{{sqlMessage, []any{s.l.id, s.index, n, now, data}}}}
	if s.l.clock.record != nil {
		// The message depends on a reading of the clock: it is shown once
		// that reading is stored (a replay reads the same).
		o.after = func(error) { s.advance(n) }
	} else {
		// The message follows from what is stored (the request and what
		// the seats sent): a replay sends the same, so clients may read it
		// before it is stored.
		s.visible = n
		s.broadcast()
	}
	s.l.srv.journal.add(o)
	s.mu.Unlock()
	s.l.clock.live()
	return s.sendFailure(n)
}

// advance makes the first n messages readable.
func (s *openSeat) advance(n int) {
	s.mu.Lock()
	if n > s.visible {
		s.visible = n
		s.broadcast()
	}
	s.mu.Unlock()
}

// sendFailure surfaces a failure of the connection at message n.
func (s *openSeat) sendFailure(n int) error {
	s.mu.Lock()
	switch {
	case s.replay != nil && s.replay.atSend == n:
		f := s.replay
		s.replay, s.surfaced, s.gate, s.recorded = nil, true, true, true
		s.failure = &seat.ConnError{Cause: f.cause, Message: f.message}
		s.mu.Unlock()
		return s.failure
	case s.surfaced:
		s.mu.Unlock()
		return s.failure
	case s.failure != nil && s.replay == nil:
		s.surfaced = true
		done := s.recordFailure(s.failure.Cause, s.failure.Message, n)
		s.mu.Unlock()
		<-done
		return s.failure
	}
	s.mu.Unlock()
	return nil
}

// recordFailure stores the seat's failure; s.mu is held. The channel is
// closed once it is stored.
func (s *openSeat) recordFailure(cause session.Cause, message string, atSend int) chan struct{} {
	s.recorded = true
	s.nIn++
	done := make(chan struct{})
	s.l.srv.journal.add(op{stmts: []stmt{{sqlFailure, []any{s.l.id, s.index, s.nIn, time.Now().UnixNano(), string(cause), message, atSend}}},
		after: func(error) { close(done) }})
	return done
}

// Recv implements seat.Conn: the next message the seat sent, restored
// ones first.
func (s *openSeat) Recv(ctx context.Context) (seat.Message, error) {
	for {
		s.mu.Lock()
		if len(s.in) > 0 {
			r := s.in[0]
			s.in = s.in[1:]
			replayed := s.preload > 0
			if replayed {
				s.preload--
			}
			s.mu.Unlock()
			if replayed {
				s.l.clock.replayed(r.at)
			}
			return r.msg, nil
		}
		switch {
		case s.replay != nil && s.replay.atSend == 0:
			f := s.replay
			s.replay, s.surfaced, s.gate, s.recorded = nil, true, true, true
			s.failure = &seat.ConnError{Cause: f.cause, Message: f.message}
			s.mu.Unlock()
			return seat.Message{}, s.failure
		case s.surfaced:
			s.mu.Unlock()
			return seat.Message{}, s.failure
		case s.failure != nil && s.pending == 0:
			s.surfaced = true
			done := s.recordFailure(s.failure.Cause, s.failure.Message, 0)
			s.mu.Unlock()
			<-done
			return seat.Message{}, s.failure
		case s.closed:
			s.mu.Unlock()
			return seat.Message{}, seat.ErrClosed
		}
		wake, pending := s.inWake, s.pending > 0
		s.mu.Unlock()
		s.l.clock.live()
		if pending {
			<-wake // a message being stored arrived before any deadline
			continue
		}
		select {
		case <-wake:
		case <-ctx.Done():
			s.mu.Lock()
			if len(s.in) > 0 || s.pending > 0 {
				s.mu.Unlock()
				continue
			}
			// Nothing more is taken from the seat: what the session does
			// next does not depend on a message that came too late.
			s.gate, s.timedOut = true, true
			s.mu.Unlock()
			return seat.Message{}, ctx.Err()
		}
	}
}

// Buffered implements seat.Conn: messages received and not yet read (of
// restored ones, those the seat had sent by now).
func (s *openSeat) Buffered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.in) - s.preload
	for _, r := range s.in[:s.preload] {
		if r.msg.Seen <= uint64(s.sends) {
			n++
		}
	}
	return n
}

// Close implements seat.Conn: the session is over, the stream complete.
func (s *openSeat) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed, s.gate = true, true
		s.broadcast()
		if s.timer != nil {
			s.timer.Stop()
		}
	}
	s.mu.Unlock()
	s.signal()
	return nil
}

// noteTimeout stores a failure the session's seat decided on its own
// clock (a timeout), so that a replay fails the seat at the same point.
func (s *openSeat) noteTimeout(f *session.Failure) {
	s.mu.Lock()
	if !s.timedOut || s.recorded {
		s.mu.Unlock()
		return
	}
	done := s.recordFailure(f.Cause, f.Message, 0)
	s.mu.Unlock()
	<-done
}

// Errors a transport reports to the client that sent a message.
var (
	errOver     = errors.New("the session is over")
	errFailed   = errors.New("this seat has failed; its session is over")
	errTooBig   = fmt.Errorf("a message of more than %d bytes; the seat fails", seat.MaxMessage)
	errFlood    = fmt.Errorf("more than %d messages waiting unread; the seat fails", seat.MaxBuffered)
	errNotSaved = errors.New("the message could not be stored; send it again")
)

// deliver takes a message from the seat: it is stored, then queued for the
// session. It returns once the message is stored. While a restored
// session replays, a message waits for the replay to end: it is stamped
// with what the seat has been sent then, which includes what it read
// before the restart.
func (s *openSeat) deliver(data []byte) error {
	select {
	case <-s.l.clock.caughtUp:
	case <-s.l.done:
		return errOver
	case <-s.l.srv.ctx.Done():
		return errNotSaved
	}
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errOver
	case s.gate:
		s.mu.Unlock()
		return errFailed
	case len(data) > seat.MaxMessage:
		s.fail(session.CauseGarbage, fmt.Sprintf("it sent a message of more than %d bytes", seat.MaxMessage))
		s.mu.Unlock()
		return errTooBig
	case len(s.in)-s.preload+s.pending >= seat.MaxBuffered:
		s.fail(session.CauseFlood, fmt.Sprintf("it sent more than %d messages it was not asked for", seat.MaxBuffered))
		s.mu.Unlock()
		return errFlood
	}
	s.nIn++
	now := time.Now()
	r := received{msg: seat.Message{Data: bytes.Clone(data), Seen: uint64(s.visible)}, at: now.UnixNano()}
	s.pending++
	s.lastSeen = now
	done := make(chan error, 1)
	s.l.srv.journal.add(op{stmts: []stmt{{sqlReceived, []any{s.l.id, s.index, s.nIn, r.at, int64(r.msg.Seen), r.msg.Data}}},
		after: func(err error) {
			s.mu.Lock()
			s.pending--
			if err == nil {
				s.in = append(s.in, r)
			}
			s.mu.Unlock()
			s.signal()
			done <- err
		}})
	s.mu.Unlock()
	if err := <-done; err != nil {
		return errNotSaved
	}
	return nil
}

// held is how many messages of the seat the server holds (stored or
// being stored): a client that reconnects sends again those after them.
func (s *openSeat) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nIn
}

// fail records what the transport saw the seat do; the session hears it
// at the seat's next message or turn. s.mu is held.
func (s *openSeat) fail(cause session.Cause, message string) {
	if s.failure != nil || s.closed {
		return
	}
	s.failure = &seat.ConnError{Cause: cause, Message: message}
	s.gate = true
	s.signal()
}

// read returns the messages after the first n that clients may read, at
// most max, whether the stream is complete after them, and a channel
// closed when that changes.
func (s *openSeat) read(n, max int) (msgs [][]byte, done bool, changed <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		n = 0
	}
	if end := min(s.visible, len(s.msgs)); n < end {
		msgs = s.msgs[n:min(end, n+max)]
	}
	done = s.closed && n+len(msgs) >= s.visible && s.visible >= len(s.msgs)
	return msgs, done, s.changed
}

// connect notes a client: a WebSocket (refused, false, while another is
// open) or a long-poll.
func (s *openSeat) connect(ws bool) bool {
	s.mu.Lock()
	if ws && s.ws {
		s.mu.Unlock()
		return false
	}
	if ws {
		s.ws = true
	} else {
		s.polls++
	}
	s.lastSeen = time.Now()
	first := !s.joined
	s.joined = true
	s.mu.Unlock()
	if first {
		s.l.join(s)
	}
	return true
}

// disconnect notes that a client went away; with none left, the seat has
// the grace period to come back.
func (s *openSeat) disconnect(ws bool) {
	s.mu.Lock()
	if ws {
		s.ws = false
	} else {
		s.polls--
	}
	s.lastSeen = time.Now()
	s.mu.Unlock()
	s.watch()
}

// watch starts the grace timer of a running session's seat that has no
// client connected.
func (s *openSeat) watch() {
	if !s.l.running() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws || s.polls > 0 || s.closed || s.failure != nil {
		return
	}
	wait := s.l.srv.cfg.Grace - time.Since(s.lastSeen)
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = time.AfterFunc(max(wait, 0), s.graceOver)
}

func (s *openSeat) graceOver() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws || s.polls > 0 || s.closed {
		return
	}
	grace := s.l.srv.cfg.Grace
	if left := grace - time.Since(s.lastSeen); left > 0 {
		s.timer = time.AfterFunc(left, s.graceOver)
		return
	}
	s.fail(session.CauseDisconnect, fmt.Sprintf("its client went away and did not come back within %v", grace))
}
