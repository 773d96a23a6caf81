package protocol

import (
	"fmt"
	"time"
)

// core is the state and bookkeeping every protocol shares: the parties, the
// outcome space, the deadline and sink, the current round and time, and how
// the session ended. Each protocol embeds it, so its helpers cost no
// allocation.
type core struct {
	n     int
	size  uint64
	d     Deadline
	sink  Sink
	round int
	t     float64
	out   Outcome
}

// newCore starts a session in the first round after the deadline's offset.
func newCore(n int, size uint64, d Deadline, sink Sink) core {
	return core{n: n, size: size, d: d, sink: sink, round: d.Offset + 1, out: Outcome{Seat: -1}}
}

// over reports whether the session has ended.
func (c *core) over() bool { return c.out.Reason != Running }

// done is the turn Next returns once the session is over.
func (c *core) done() Turn {
	return Turn{Phase: PhaseDone, Seat: -1, Round: c.out.Round, T: c.out.T}
}

// tick sets the normalised time from elapsed and reports whether a time
// deadline has passed.
func (c *core) tick(elapsed time.Duration) (timeUp bool) {
	c.t = c.d.T(c.round, elapsed)
	return c.d.timeUp(elapsed)
}

// event is an event of seat (-1 for the protocol itself) in the current
// round, its type and outcome left for the caller to set.
func (c *core) event(seat int) Event {
	return Event{Seat: int32(seat), Round: int32(c.round), T: c.t}
}

// record counts an applied action and reports its event.
func (c *core) record(e Event) {
	c.out.Steps++
	emit(c.sink, e)
}

// recordEnd records that seat ended the negotiation.
func (c *core) recordEnd(seat int) {
	e := c.event(seat)
	e.Type = EventEnd
	c.record(e)
}

// voteEvent is the event of seat's vote a (ActAccept or ActReject) on o.
func (c *core) voteEvent(seat int, o uint64, a Action) Event {
	e := c.event(seat)
	e.Type, e.Outcome, e.HasOutcome, e.Accept = EventVote, o, true, a.Kind == ActAccept
	return e
}

// checkOutcome refuses an offer outside the outcome space; name is the
// protocol's, for the message.
func (c *core) checkOutcome(name string, o uint64) error {
	if o >= c.size {
		return fmt.Errorf("%s: %w: outcome %d is outside the space of %d outcomes", name, ErrBadAction, o, c.size)
	}
	return nil
}

// nextRound moves on to the next round, or reports false when the round
// deadline has been reached (the caller then expires the session).
func (c *core) nextRound() bool {
	if c.d.Rounds > 0 && c.round >= c.d.Rounds {
		return false
	}
	c.round++
	return true
}

// finish ends the session for reason r, with agreement on o if agreed, and
// seat the seat that walked out (else -1). It reports the deadline, when r
// is Expired, and then the agreement, if any.
func (c *core) finish(r EndReason, agreed bool, o uint64, seat int) {
	c.out.Reason, c.out.Agreed, c.out.Round, c.out.T, c.out.Seat = r, agreed, c.round, c.t, seat
	e := c.event(-1)
	if r == Expired {
		e.Type = EventDeadline
		emit(c.sink, e)
	}
	if agreed {
		c.out.Outcome = o
		e.Type, e.Outcome, e.HasOutcome = EventAgreement, o, true
		emit(c.sink, e)
	}
}

// errOver is Step's error once the session is over.
func errOver(name string) error {
	return fmt.Errorf("%s: %w: the session is over", name, ErrBadAction)
}
