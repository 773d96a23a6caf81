package server

import (
	"time"
)

// clock is a session's time, read only by the session's goroutine. Live,
// it is the wall clock. While a restored session replays what happened
// before a restart, it is the recorded time of the event being replayed,
// shifted so that the last recorded event falls at the restart: the seats'
// budgets and the hidden limit count what the seats spent, and not the
// time the server was down.
type clock struct {
	shift     time.Duration // added to recorded times
	replaying bool
	at        time.Time // while replaying: the latest replayed event
	// caughtUp is closed when the replay is over (at once for a session
	// that is not restored).
	caughtUp chan struct{}

	// A session with a time deadline reads its elapsed time through
	// elapsed: readings are recorded, and replayed in order after a
	// restart; live ones continue from the last (base at since).
	readings []int64
	base     time.Duration
	since    time.Time
	record   func(k int, d time.Duration)
	k        int
}

// Now is Options.Clock of the session's seats.
func (c *clock) Now() time.Time {
	if c.replaying {
		return c.at
	}
	return time.Now()
}

// replayed moves the replay's time to a recorded event (unix ns).
func (c *clock) replayed(at int64) {
	if !c.replaying {
		return
	}
	if t := time.Unix(0, at).Add(c.shift); t.After(c.at) {
		c.at = t
	}
}

// live ends the replay: what happens now happens for the first time.
func (c *clock) live() {
	if c.replaying {
		c.replaying = false
		close(c.caughtUp)
	}
}

// elapsed is session.Config.Clock for sessions with a time deadline.
func (c *clock) elapsed() time.Duration {
	c.k++
	if len(c.readings) > 0 {
		d := time.Duration(c.readings[0])
		c.readings = c.readings[1:]
		c.base, c.since = d, time.Now()
		return d
	}
	d := c.base + time.Since(c.since)
	if c.record != nil {
		c.record(c.k, d)
	}
	return d
}
