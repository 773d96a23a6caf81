package protocol

import (
	"fmt"
	"time"
)

// Shuttle is shuttle diplomacy, as the United States ran it in August 2025
// (Putin in Alaska, Zelensky in the Oval Office, then a joint meeting): the
// mediator (seat Parties) meets the parties one at a time, in seat order,
// round after round. In each bilateral meeting it proposes a text
// (PhasePropose with Bilateral set and With the party) and the party
// accepts or rejects it (PhaseVote, Bilateral). These meetings are private:
// their events are marked Private, for the mediator and that party only.
//
// Once the same text has been accepted in as many consecutive bilateral
// meetings as there are parties (so by every party, each in its latest
// meeting), the joint session opens (EventJoint, public): every party in
// seat order votes on that text (PhaseVote, Joint), and a unanimous vote is
// the agreement. A failed joint vote sends the mediator back to bilateral
// meetings. With JointBlocked set (a party declined the joint meeting) the
// session ends without agreement when the joint session would open
// (EventNoMeeting, reason NoMeeting). The deadline is checked after the last
// party's meeting of each round (and the joint session it may open).
type Shuttle struct {
	// JointBlocked says that the joint session cannot take place.
	JointBlocked bool

	n      int
	size   uint64
	d      Deadline
	sink   Sink
	round  int
	stage  uint8 // shPropose, shVote, shJoint
	k      int   // the party in the bilateral meeting
	j      int   // the voter in the joint session
	text   uint64
	has    bool
	streak int
	yes    int
	t      float64
	out    Outcome
}

const (
	shPropose = iota
	shVote
	shJoint
)

// NewShuttle returns a shuttle protocol; call Reset before use.
func NewShuttle() *Shuttle { return &Shuttle{} }

// Name implements Protocol.
func (p *Shuttle) Name() string { return "shuttle" }

// Mediated implements Protocol.
func (p *Shuttle) Mediated() bool { return true }

// Reset implements Protocol. It keeps JointBlocked.
func (p *Shuttle) Reset(n int, size uint64, d Deadline, sink Sink) error {
	if err := checkReset(n, 2, size, d); err != nil {
		return fmt.Errorf("shuttle: %w", err)
	}
	*p = Shuttle{JointBlocked: p.JointBlocked, n: n, size: size, d: d, sink: sink, round: d.Offset + 1, out: Outcome{Seat: -1}}
	return nil
}

// Next implements Protocol.
func (p *Shuttle) Next(elapsed time.Duration) Turn {
	if p.out.Reason != Running {
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	p.t = p.d.T(p.round, elapsed)
	if p.d.timeUp(elapsed) {
		p.finish(Expired, -1)
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	switch p.stage {
	case shPropose:
		return Turn{Phase: PhasePropose, Seat: p.n, Round: p.round, T: p.t, Bilateral: true, With: p.k}
	case shVote:
		return Turn{Phase: PhaseVote, Seat: p.k, Round: p.round, T: p.t, Outcome: p.text, HasOutcome: true, Bilateral: true, With: p.k}
	}
	return Turn{Phase: PhaseVote, Seat: p.j, Round: p.round, T: p.t, Outcome: p.text, HasOutcome: true, Joint: true, With: -1}
}

// Step implements Protocol.
func (p *Shuttle) Step(a Action) error {
	if p.out.Reason != Running {
		return fmt.Errorf("shuttle: %w: the session is over", ErrBadAction)
	}
	switch p.stage {
	case shPropose:
		e := Event{Seat: int32(p.n), Round: int32(p.round), T: p.t}
		switch a.Kind {
		case ActEnd:
			e.Type = EventEnd
			p.out.Steps++
			emit(p.sink, e)
			p.finish(Exhausted, -1)
		case ActOffer:
			if a.Outcome >= p.size {
				return fmt.Errorf("shuttle: %w: outcome %d is outside the space of %d outcomes", ErrBadAction, a.Outcome, p.size)
			}
			if !p.has || a.Outcome != p.text {
				p.streak = 0
			}
			p.text, p.has, p.stage = a.Outcome, true, shVote
			e.Type, e.Outcome, e.HasOutcome, e.Private, e.With = EventPropose, a.Outcome, true, true, int32(p.k)
			p.out.Steps++
			emit(p.sink, e)
		default:
			return fmt.Errorf("shuttle: %w", badAction(PhasePropose, a))
		}
		return nil
	case shVote:
		e := Event{Seat: int32(p.k), Round: int32(p.round), T: p.t}
		switch a.Kind {
		case ActEnd:
			e.Type = EventEnd
			p.out.Steps++
			emit(p.sink, e)
			p.finish(WalkedOut, p.k)
			return nil
		case ActAccept, ActReject:
		default:
			return fmt.Errorf("shuttle: %w", badAction(PhaseVote, a))
		}
		e.Type, e.Outcome, e.HasOutcome, e.Accept, e.Private, e.With = EventVote, p.text, true, a.Kind == ActAccept, true, int32(p.k)
		p.out.Steps++
		emit(p.sink, e)
		if e.Accept {
			p.streak++
		} else {
			p.streak = 0
		}
		if p.streak < p.n {
			p.stage = shPropose
			p.advance()
			return nil
		}
		if p.JointBlocked {
			emit(p.sink, Event{Type: EventNoMeeting, Seat: -1, Round: int32(p.round), T: p.t, Outcome: p.text, HasOutcome: true})
			p.finish(NoMeeting, -1)
			return nil
		}
		p.stage, p.j, p.yes = shJoint, 0, 0
		emit(p.sink, Event{Type: EventJoint, Seat: -1, Round: int32(p.round), T: p.t, Outcome: p.text, HasOutcome: true})
		return nil
	}
	e := Event{Seat: int32(p.j), Round: int32(p.round), T: p.t}
	switch a.Kind {
	case ActEnd:
		e.Type = EventEnd
		p.out.Steps++
		emit(p.sink, e)
		p.finish(WalkedOut, p.j)
		return nil
	case ActAccept, ActReject:
	default:
		return fmt.Errorf("shuttle: %w", badAction(PhaseVote, a))
	}
	e.Type, e.Outcome, e.HasOutcome, e.Accept = EventVote, p.text, true, a.Kind == ActAccept
	p.out.Steps++
	emit(p.sink, e)
	if e.Accept {
		p.yes++
	}
	p.j++
	if p.j < p.n {
		return nil
	}
	if p.yes == p.n {
		p.finish(Agreed, -1)
		return nil
	}
	p.streak, p.stage = 0, shPropose
	p.advance()
	return nil
}

// advance moves to the next bilateral meeting, ending the round (and
// checking the deadline) after the last party's.
func (p *Shuttle) advance() {
	p.k++
	if p.k < p.n {
		return
	}
	p.k = 0
	if p.d.Rounds > 0 && p.round >= p.d.Rounds {
		p.finish(Expired, -1)
		return
	}
	p.round++
}

func (p *Shuttle) finish(r EndReason, seat int) {
	agreed := r == Agreed
	p.out.Reason, p.out.Agreed, p.out.Round, p.out.T, p.out.Seat = r, agreed, p.round, p.t, seat
	e := Event{Seat: -1, Round: int32(p.round), T: p.t}
	switch {
	case r == Expired:
		e.Type = EventDeadline
		emit(p.sink, e)
	case agreed:
		p.out.Outcome = p.text
		e.Type, e.Outcome, e.HasOutcome = EventAgreement, p.text, true
		emit(p.sink, e)
	}
}

// Result implements Protocol.
func (p *Shuttle) Result() Outcome { return p.out }
