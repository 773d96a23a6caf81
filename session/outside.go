package session

import (
	"fmt"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// Outside is a negotiator played by something outside parley: a process,
// a remote program, a person, a language model. The runner still steps it
// as any negotiator (Reset, Observe, Act) and stays deterministic given
// its answers; besides, it briefs the seat on what a program outside needs
// in words (the scenario's issues, whose seat it is), tells it how the
// session ended, and asks after each answer whether the seat failed. A
// failed seat ends the session: status failed, every party paid as without
// agreement, the failure (seat and cause) in the result.
type Outside interface {
	negotiator.Negotiator
	// Brief is called before each phase's Reset (once without an agenda).
	Brief(b *Briefing)
	// Finish is called once the session's result is known.
	Finish(r *Result)
	// Failure is non-nil once the seat has failed (timed out, crashed,
	// disconnected, sent what it may not): the runner then ends the session.
	Failure() *Failure
	// Said is the free text the seat attached to its last action, or "".
	Said() string
}

// Briefing is what the runner tells an Outside seat before a phase.
type Briefing struct {
	Runner   *Runner
	Scenario *scenario.Scenario
	// Seat is the seat's index (the mediator's is the number of parties);
	// Party its party's index in Scenario.Parties, -1 for a mediator that
	// is no party.
	Seat, Party int
	Protocol    protocol.Info
	Deadline    protocol.Deadline
	Seed        uint64
	// Phase is the agenda phase (0 without an agenda), PhaseID its id;
	// Issues maps the dimensions of the phase's outcome space to scenario
	// issue indices; Settled holds, per scenario issue, the value agreed
	// in an earlier phase, or -1.
	Phase   int
	PhaseID string
	Issues  []int
	Settled []int
	// Setup is the seat's negotiator setup: its preferences over the
	// phase's outcomes (Utility, nil for a mediator without interests) and
	// its current reservation value (Setup.CurrentReservation).
	Setup *negotiator.Setup
}

// Failure is why an outside seat failed.
type Failure struct {
	Seat  string `json:"seat"`  // the party id, or the mediator's
	Cause Cause  `json:"cause"` // a word for tables and stores
	// Message says what happened in words a person can act on.
	Message string `json:"message"`
}

func (f *Failure) Error() string {
	return fmt.Sprintf("seat %s failed (%s): %s", f.Seat, f.Cause, f.Message)
}

// Cause names the kind of a seat's failure.
type Cause string

// Causes of failure.
const (
	CauseTimeout    Cause = "timeout"    // no answer within the action's or the seat's time
	CauseCrash      Cause = "crash"      // the program exited or could not start
	CauseDisconnect Cause = "disconnect" // the connection closed and did not come back
	CauseGarbage    Cause = "garbage"    // what it sent is not a message
	CauseInvalid    Cause = "invalid"    // too many malformed or illegal actions
	CauseFlood      Cause = "flood"      // it sent more than it was asked for
)

// EventText is the free text attached to the event being relayed, valid
// during Observe and OnEvent ("" when there is none). Only the acting
// seat's own events carry its text: an agreement, a deadline or an adopted
// text that its action brings about in the same step is the protocol's.
func (r *Runner) EventText() string { return r.text }

// Failure is the failure that ended the last session, or nil.
func (r *Runner) Failure() *Failure { return r.st.failure }

// brief tells every outside seat about phase ph.
func (r *Runner) brief(ph int) {
	p := r.prep
	for i, s := range r.seats {
		if s.out == nil {
			continue
		}
		party := -1
		if i < len(p.Seats) {
			party = p.Seats[i]
		} else if p.Mediator >= 0 {
			party = p.Mediator
		}
		settled := make([]int, p.Space.Issues())
		for k := range settled {
			settled[k] = -1
			if r.st.isSettled[k] {
				settled[k] = r.st.settled[k]
			}
		}
		s.out.Brief(&Briefing{Runner: r, Scenario: p.Scenario, Seat: i, Party: party, Protocol: r.info,
			Deadline: s.setup.Deadline, Seed: r.seed, Phase: ph, PhaseID: p.phases[ph].id,
			Issues: p.phases[ph].issues, Settled: settled, Setup: &s.setup})
	}
}

// stepOutside plays an outside seat's turn: its answer, with the free text
// it attached, or, if the seat failed, a walk-out that ends the session
// (the result says why).
func (r *Runner) stepOutside(s *seat, t protocol.Turn) error {
	a := r.screen(t, s.neg.Act(t))
	if f := s.out.Failure(); f != nil {
		r.st.failure = f
		a = protocol.End
	}
	r.said, r.saidSeat = s.out.Said(), t.Seat
	err := r.proto.Step(a)
	r.said, r.saidSeat = "", -1
	if err != nil {
		return r.stepError(s, t, err)
	}
	return nil
}

func (r *Runner) stepError(s *seat, t protocol.Turn, err error) error {
	return fmt.Errorf("%s (%s) in round %d: %w", r.SeatName(t.Seat), s.name, t.Round, err)
}

// failed reports the first outside seat that has failed, recording it.
func (r *Runner) failed() (int, bool) {
	for i, s := range r.seats {
		if s.out == nil {
			continue
		}
		if f := s.out.Failure(); f != nil {
			r.st.failure = f
			return i, true
		}
	}
	return -1, false
}

// finish tells every outside seat the result.
func (r *Runner) finish() {
	var res *Result
	for _, s := range r.seats {
		if s.out == nil {
			continue
		}
		if res == nil {
			x := r.Result()
			res = &x
		}
		s.out.Finish(res)
	}
}

// Close closes the outside seats that hold a connection or a process.
func (r *Runner) Close() error {
	var first error
	for _, s := range r.seats {
		if c, ok := s.out.(interface{ Close() error }); ok {
			if err := c.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
