package protocol

import (
	"fmt"
	"time"
)

// Mediated is the mediated single-text protocol (Klein, Faratin, Sayama and
// Bar-Yam, "Negotiating complex contracts", 2003; Genius's
// SimpleMediatorBasedProtocol). Each round the mediator (seat Parties)
// proposes a text, then every party in seat order votes on it. A text that
// every party accepts is adopted as the current text, which later proposals
// are voted against (Turn.Reference). The session ends at the deadline, when
// the mediator ends it, or when a party walks out; in the first two cases the
// current text, if any text was ever adopted, is the agreement.
type Mediated struct {
	n      int
	size   uint64
	d      Deadline
	sink   Sink
	round  int
	voting bool
	seat   int
	text   uint64
	yes    int
	cur    uint64
	hasCur bool
	t      float64
	out    Outcome
}

// NewMediated returns a mediated single-text protocol; call Reset before use.
func NewMediated() *Mediated { return &Mediated{} }

// Name implements Protocol.
func (p *Mediated) Name() string { return "mediated" }

// Mediated implements Protocol.
func (p *Mediated) Mediated() bool { return true }

// Reset implements Protocol.
func (p *Mediated) Reset(n int, size uint64, d Deadline, sink Sink) error {
	if err := checkReset(n, 2, size, d); err != nil {
		return fmt.Errorf("mediated: %w", err)
	}
	*p = Mediated{n: n, size: size, d: d, sink: sink, round: d.Offset + 1, out: Outcome{Seat: -1}}
	return nil
}

// Next implements Protocol.
func (p *Mediated) Next(elapsed time.Duration) Turn {
	if p.out.Reason != Running {
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	p.t = p.d.T(p.round, elapsed)
	if p.d.timeUp(elapsed) {
		p.finish(Expired, -1)
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	if !p.voting {
		return Turn{Phase: PhasePropose, Seat: p.n, Round: p.round, T: p.t, Reference: p.cur, HasReference: p.hasCur}
	}
	return Turn{Phase: PhaseVote, Seat: p.seat, Round: p.round, T: p.t, Outcome: p.text, HasOutcome: true,
		Reference: p.cur, HasReference: p.hasCur}
}

// Step implements Protocol.
func (p *Mediated) Step(a Action) error {
	if p.out.Reason != Running {
		return fmt.Errorf("mediated: %w: the session is over", ErrBadAction)
	}
	if !p.voting {
		e := Event{Seat: int32(p.n), Round: int32(p.round), T: p.t}
		switch a.Kind {
		case ActEnd:
			e.Type = EventEnd
			p.out.Steps++
			emit(p.sink, e)
			p.finish(Exhausted, -1)
		case ActOffer:
			if a.Outcome >= p.size {
				return fmt.Errorf("mediated: %w: outcome %d is outside the space of %d outcomes", ErrBadAction, a.Outcome, p.size)
			}
			p.text, p.yes, p.seat, p.voting = a.Outcome, 0, 0, true
			e.Type, e.Outcome, e.HasOutcome = EventPropose, a.Outcome, true
			p.out.Steps++
			emit(p.sink, e)
		default:
			return fmt.Errorf("mediated: %w", badAction(PhasePropose, a))
		}
		return nil
	}
	e := Event{Seat: int32(p.seat), Round: int32(p.round), T: p.t}
	switch a.Kind {
	case ActEnd:
		e.Type = EventEnd
		p.out.Steps++
		emit(p.sink, e)
		p.finish(WalkedOut, p.seat)
		return nil
	case ActAccept, ActReject:
	default:
		return fmt.Errorf("mediated: %w", badAction(PhaseVote, a))
	}
	e.Type, e.Outcome, e.HasOutcome, e.Accept = EventVote, p.text, true, a.Kind == ActAccept
	if e.Accept {
		p.yes++
	}
	p.out.Steps++
	emit(p.sink, e)
	p.seat++
	if p.seat < p.n {
		return nil
	}
	if p.yes == p.n {
		p.cur, p.hasCur = p.text, true
		emit(p.sink, Event{Type: EventAdopt, Seat: -1, Round: int32(p.round), T: p.t, Outcome: p.text, HasOutcome: true})
	}
	p.voting, p.seat = false, 0
	if p.d.Rounds > 0 && p.round >= p.d.Rounds {
		p.finish(Expired, -1)
		return nil
	}
	p.round++
	return nil
}

func (p *Mediated) finish(r EndReason, seat int) {
	agreed := r != WalkedOut && p.hasCur
	p.out.Reason, p.out.Agreed, p.out.Round, p.out.T, p.out.Seat = r, agreed, p.round, p.t, seat
	e := Event{Seat: -1, Round: int32(p.round), T: p.t}
	if r == Expired {
		e.Type = EventDeadline
		emit(p.sink, e)
	}
	if agreed {
		p.out.Outcome = p.cur
		e.Type, e.Outcome, e.HasOutcome = EventAgreement, p.cur, true
		emit(p.sink, e)
	}
}

// Result implements Protocol.
func (p *Mediated) Result() Outcome { return p.out }
