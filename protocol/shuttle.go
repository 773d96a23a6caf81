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

	core
	stage  uint8 // shPropose, shVote, shJoint
	k      int   // the party in the bilateral meeting
	j      int   // the voter in the joint session
	text   uint64
	has    bool
	streak int
	yes    int
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
	*p = Shuttle{JointBlocked: p.JointBlocked, core: newCore(n, size, d, sink)}
	return nil
}

// Next implements Protocol.
func (p *Shuttle) Next(elapsed time.Duration) Turn {
	if p.over() {
		return p.done()
	}
	if p.tick(elapsed) {
		p.end(Expired, -1)
		return p.done()
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
	if p.over() {
		return errOver("shuttle")
	}
	if p.stage == shPropose {
		switch a.Kind {
		case ActEnd:
			p.recordEnd(p.n)
			p.end(Exhausted, -1)
		case ActOffer:
			if err := p.checkOutcome("shuttle", a.Outcome); err != nil {
				return err
			}
			if !p.has || a.Outcome != p.text {
				p.streak = 0
			}
			p.text, p.has, p.stage = a.Outcome, true, shVote
			e := p.event(p.n)
			e.Type, e.Outcome, e.HasOutcome, e.Private, e.With = EventPropose, a.Outcome, true, true, int32(p.k)
			p.record(e)
		default:
			return fmt.Errorf("shuttle: %w", badAction(PhasePropose, a))
		}
		return nil
	}
	// A vote: in the bilateral meeting with party k, or party j's in the
	// joint session.
	seat := p.j
	if p.stage == shVote {
		seat = p.k
	}
	switch a.Kind {
	case ActEnd:
		p.recordEnd(seat)
		p.end(WalkedOut, seat)
		return nil
	case ActAccept, ActReject:
	default:
		return fmt.Errorf("shuttle: %w", badAction(PhaseVote, a))
	}
	e := p.voteEvent(seat, p.text, a)
	if p.stage == shJoint {
		p.record(e)
		p.jointVote(e.Accept)
		return nil
	}
	e.Private, e.With = true, int32(p.k)
	p.record(e)
	p.bilateralVote(e.Accept)
	return nil
}

// bilateralVote counts party k's vote towards the streak of consecutive
// acceptances of the text: a full streak opens the joint session (or ends
// the session if it is blocked), else the mediator moves on to the next
// meeting.
func (p *Shuttle) bilateralVote(accept bool) {
	if accept {
		p.streak++
	} else {
		p.streak = 0
	}
	if p.streak < p.n {
		p.stage = shPropose
		p.advance()
		return
	}
	e := p.event(-1)
	e.Outcome, e.HasOutcome = p.text, true
	if p.JointBlocked {
		e.Type = EventNoMeeting
		emit(p.sink, e)
		p.end(NoMeeting, -1)
		return
	}
	p.stage, p.j, p.yes = shJoint, 0, 0
	e.Type = EventJoint
	emit(p.sink, e)
}

// jointVote counts party j's vote in the joint session: a unanimous vote is
// the agreement, a failed one sends the mediator back to bilateral meetings.
func (p *Shuttle) jointVote(accept bool) {
	if accept {
		p.yes++
	}
	p.j++
	if p.j < p.n {
		return
	}
	if p.yes == p.n {
		p.end(Agreed, -1)
		return
	}
	p.streak, p.stage = 0, shPropose
	p.advance()
}

// advance moves to the next bilateral meeting, ending the round (and
// checking the deadline) after the last party's.
func (p *Shuttle) advance() {
	p.k++
	if p.k < p.n {
		return
	}
	p.k = 0
	if !p.nextRound() {
		p.end(Expired, -1)
	}
}

// end ends the session for reason r; only a unanimous joint vote agrees.
func (p *Shuttle) end(r EndReason, seat int) {
	p.finish(r, r == Agreed, p.text, seat)
}

// Result implements Protocol.
func (p *Shuttle) Result() Outcome { return p.out }
