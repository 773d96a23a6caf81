package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
//
// Its host is what holds it: a session of parley serve (live), whose
// stream ends with the session, or a remote: seat of parley run or a
// tournament (hubSeat), whose stream goes on from session to session
// (multi) and is kept in memory.
type openSeat struct {
	h     host
	multi bool   // the stream carries many sessions (a Hub's)
	index int    // the seat's index at the table
	party string // its party id (or the mediator's)
	hash  []byte // SHA-256 of its token

	mu      sync.Mutex
	msgs    [][]byte      // the stream, from message first+1
	at      []int64       // when each message was sent (unix ns)
	first   int           // messages no longer kept (a multi stream's oldest)
	size    int           // bytes of msgs
	began   [2]int        // where the last two sessions began (multi)
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
	// drained is closed once a client was given the whole stream, its end
	// included.
	drained     chan struct{}
	drainedOnce sync.Once
}

// host is what holds an open seat, and what the seat's stream needs of it.
type host interface {
	// journal stores the stream (a Hub's keeps nothing).
	journal() *journal
	// seatClock is the session's clock (a restored session replays it).
	seatClock() *clock
	// grace is how long the seat's client may stay away.
	grace() time.Duration
	// join notes the seat's first connection.
	join(s *openSeat)
	// running reports whether a session is under way at the seat: only
	// then does an absent client's grace period run.
	running() bool
	// over is closed when the seat takes no more messages.
	over() <-chan struct{}
	// stopping is closed when the server stops.
	stopping() <-chan struct{}
	// diverged notes that message n differs from the stored one on replay.
	diverged(s *openSeat, n int)
	// storedAs is the session id the stream is stored under.
	storedAs() string
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

func newOpenSeat(h host, index int, party string, hash []byte) *openSeat {
	return &openSeat{h: h, index: index, party: party, hash: hash, changed: make(chan struct{}), inWake: make(chan struct{}, 1), drained: make(chan struct{})}
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
	clk := s.h.seatClock()
	if n <= s.stored {
		at, same := s.at[n-1-s.first], bytes.Equal(s.msgs[n-1-s.first], msg)
		s.mu.Unlock()
		clk.replayed(at)
		if !same {
			s.h.diverged(s, n)
		}
		return s.sendFailure(n)
	}
	now := time.Now().UnixNano()
	data := bytes.Clone(msg)
	s.msgs = append(s.msgs, data)
	s.at = append(s.at, now)
	s.size += len(data)
	o := op{stmts: []stmt{{sqlMessage, []any{s.id(), s.index, n, now, data}}}}
	if clk.record != nil {
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
	s.h.journal().add(o)
	s.mu.Unlock()
	clk.live()
	return s.sendFailure(n)
}

// id is the session id the stream is stored under.
func (s *openSeat) id() string { return s.h.storedAs() }

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
	done := make(chan struct{})
	if s.multi {
		// Nothing to replay; and what the seat is told it sent (held)
		// stays the count of its messages, which it numbers its next
		// ones from.
		close(done)
		return done
	}
	s.nIn++
	s.h.journal().add(op{stmts: []stmt{{sqlFailure, []any{s.id(), s.index, s.nIn, time.Now().UnixNano(), string(cause), message, atSend}}},
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
				s.h.seatClock().replayed(r.at)
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
		s.h.seatClock().live()
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
	// errDropped: a multi stream's seat failed its session, which is
	// over for it; what it sends until the next session is dropped.
	errDropped = errors.New("this seat failed its session; the message is dropped (the next session starts afresh)")
)

// deliver takes a message from the seat: it is stored, then queued for the
// session. It returns once the message is stored. While a restored
// session replays, a message waits for the replay to end: it is stamped
// with what the seat has been sent then, which includes what it read
// before the restart.
func (s *openSeat) deliver(data []byte) error {
	select {
	case <-s.h.seatClock().caughtUp:
	case <-s.h.over():
		return errOver
	case <-s.h.stopping():
		return errNotSaved
	}
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errOver
	case s.gate && s.multi:
		// Received, and dropped: counted, so that the client's numbering
		// of its messages (?n=K, Parley-Received) stays the server's.
		s.nIn++
		s.lastSeen = time.Now()
		s.mu.Unlock()
		return errDropped
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
	k := s.nIn
	now := time.Now()
	r := received{msg: seat.Message{Data: bytes.Clone(data), Seen: uint64(s.visible)}, at: now.UnixNano()}
	s.pending++
	s.lastSeen = now
	done := make(chan error, 1)
	s.h.journal().add(op{stmts: []stmt{{sqlReceived, []any{s.id(), s.index, k, r.at, int64(r.msg.Seen), r.msg.Data}}},
		after: func(err error) {
			s.mu.Lock()
			s.pending--
			switch {
			case err == nil && k <= s.nIn:
				s.in = append(s.in, r)
			case err != nil:
				// Not stored, so not held: the count goes back to the
				// last message stored before it, so that the client's
				// retry (?n=K, or what it sends again after
				// Parley-Received) is taken, not skipped as a duplicate.
				s.nIn = min(s.nIn, k-1)
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
// closed when that changes. It is errGone when some of them are no
// longer kept.
func (s *openSeat) read(n, max int) (msgs [][]byte, done bool, changed <-chan struct{}, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		n = 0
	}
	if n < s.first {
		return nil, false, s.changed, fmt.Errorf("%w: messages 1 to %d of this seat are no longer kept (its client was away too long); it cannot resume after message %d", errGone, s.first, n)
	}
	end := s.first + len(s.msgs)
	if v := min(s.visible, end); n < v {
		msgs = s.msgs[n-s.first : min(v, n+max)-s.first]
	}
	done = s.closed && n+len(msgs) >= s.visible && s.visible >= end
	return msgs, done, s.changed, nil
}

// errGone: a client asked for messages a multi stream no longer keeps.
var errGone = errors.New("gone")

// markDrained notes that a client was given the whole stream.
func (s *openSeat) markDrained() { s.drainedOnce.Do(func() { close(s.drained) }) }

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
		s.h.join(s)
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
	if !s.h.running() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws || s.polls > 0 || s.closed || s.failure != nil {
		return
	}
	wait := s.h.grace() - time.Since(s.lastSeen)
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = time.AfterFunc(max(wait, 0), s.graceOver)
}

func (s *openSeat) graceOver() {
	if !s.h.running() {
		// No session under way (a multi stream between line-ups): the
		// next session checks where its client is.
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws || s.polls > 0 || s.closed {
		return
	}
	grace := s.h.grace()
	if left := grace - time.Since(s.lastSeen); left > 0 {
		s.timer = time.AfterFunc(left, s.graceOver)
		return
	}
	s.fail(session.CauseDisconnect, fmt.Sprintf("its client went away and did not come back within %v", grace))
}

// retain is how many bytes of a multi stream are kept at least: once
// there are more, a session that begins drops the messages before the
// previous session's, which a client that comes back within its grace
// period does not need. (A variable for the tests.)
var retain = 16 << 20

// begin starts a session on a multi stream: what the last one left is
// cleared (a failure, a closed gate, messages that answer nothing of this
// session: those with Seen at most base), old messages are dropped past
// retain, and a client away for longer than the grace period fails the
// seat for this session at once (its next sessions too, until it comes
// back).
func (s *openSeat) begin(base uint64) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return seat.ErrClosed
	}
	s.failure, s.surfaced, s.gate, s.timedOut, s.recorded = nil, false, false, false, false
	kept := s.in[:0]
	for _, r := range s.in {
		if r.msg.Seen > base {
			kept = append(kept, r)
		}
	}
	clear(s.in[len(kept):])
	s.in = kept
	s.began = [2]int{s.began[1], s.sends}
	if from := s.began[0]; s.size > retain && from > s.first {
		for _, m := range s.msgs[:from-s.first] {
			s.size -= len(m)
		}
		s.msgs = append([][]byte(nil), s.msgs[from-s.first:]...)
		s.at = append([]int64(nil), s.at[from-s.first:]...)
		s.first = from
	}
	away := time.Since(s.lastSeen)
	if !s.ws && s.polls == 0 && away >= s.h.grace() {
		s.mu.Unlock()
		return &seat.ConnError{Cause: session.CauseDisconnect,
			Message: fmt.Sprintf("its client went away %v ago and has not come back (it resumes with the same URL)", away.Round(time.Second))}
	}
	s.mu.Unlock()
	s.watch()
	return nil
}
