package protocol

import (
	"fmt"
	"time"
)

// SAOP is the stacked alternating offers protocol of Genius and GeniusWeb
// (Aydoğan et al., "Alternating offers protocols for multilateral
// negotiation", 2017). Parties act in seat order, one turn each per round.
// On its turn a party accepts the standing offer, makes a new offer (which
// replaces it), or ends the negotiation. An offer is agreed when every other
// party has accepted it in sequence. The first party of round 1 has no offer
// to accept. After round Rounds, or once the time deadline has passed, the
// session ends without agreement.
type SAOP struct {
	n       int
	size    uint64
	d       Deadline
	sink    Sink
	round   int
	seat    int
	offer   uint64
	has     bool
	accepts int
	t       float64
	out     Outcome
}

// NewSAOP returns an SAOP protocol; call Reset before use.
func NewSAOP() *SAOP { return &SAOP{} }

// Name implements Protocol.
func (p *SAOP) Name() string { return "saop" }

// Mediated implements Protocol.
func (p *SAOP) Mediated() bool { return false }

// Reset implements Protocol.
func (p *SAOP) Reset(n int, size uint64, d Deadline, sink Sink) error {
	if err := checkReset(n, 2, size, d); err != nil {
		return fmt.Errorf("saop: %w", err)
	}
	*p = SAOP{n: n, size: size, d: d, sink: sink, round: d.Offset + 1, out: Outcome{Seat: -1}}
	return nil
}

// Next implements Protocol.
func (p *SAOP) Next(elapsed time.Duration) Turn {
	if p.out.Reason != Running {
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	p.t = p.d.T(p.round, elapsed)
	if p.d.timeUp(elapsed) {
		p.expire()
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	ph := PhaseOffer
	if p.has {
		ph = PhaseRespond
	}
	return Turn{Phase: ph, Seat: p.seat, Round: p.round, T: p.t, Outcome: p.offer, HasOutcome: p.has}
}

// Step implements Protocol.
func (p *SAOP) Step(a Action) error {
	if p.out.Reason != Running {
		return fmt.Errorf("saop: %w: the session is over", ErrBadAction)
	}
	e := Event{Seat: int32(p.seat), Round: int32(p.round), T: p.t}
	switch a.Kind {
	case ActOffer:
		if a.Outcome >= p.size {
			return fmt.Errorf("saop: %w: outcome %d is outside the space of %d outcomes", ErrBadAction, a.Outcome, p.size)
		}
		p.offer, p.has, p.accepts = a.Outcome, true, 0
		e.Type, e.Outcome, e.HasOutcome = EventOffer, a.Outcome, true
		p.out.Steps++
		emit(p.sink, e)
	case ActAccept:
		if !p.has {
			return fmt.Errorf("saop: %w", badAction(PhaseOffer, a))
		}
		p.accepts++
		e.Type, e.Outcome, e.HasOutcome = EventAccept, p.offer, true
		p.out.Steps++
		emit(p.sink, e)
		if p.accepts == p.n-1 {
			p.finish(Agreed, true, -1)
			return nil
		}
	case ActEnd:
		e.Type = EventEnd
		p.out.Steps++
		emit(p.sink, e)
		p.finish(WalkedOut, false, p.seat)
		return nil
	default:
		ph := PhaseOffer
		if p.has {
			ph = PhaseRespond
		}
		return fmt.Errorf("saop: %w", badAction(ph, a))
	}
	p.seat++
	if p.seat == p.n {
		p.seat = 0
		if p.d.Rounds > 0 && p.round >= p.d.Rounds {
			p.expire()
			return nil
		}
		p.round++
	}
	return nil
}

func (p *SAOP) expire() {
	p.finish(Expired, false, -1)
}

func (p *SAOP) finish(r EndReason, agreed bool, seat int) {
	p.out.Reason, p.out.Agreed, p.out.Round, p.out.T, p.out.Seat = r, agreed, p.round, p.t, seat
	e := Event{Seat: -1, Round: int32(p.round), T: p.t}
	switch r {
	case Agreed:
		p.out.Outcome = p.offer
		e.Type, e.Outcome, e.HasOutcome = EventAgreement, p.offer, true
	case Expired:
		e.Type = EventDeadline
	default:
		return
	}
	emit(p.sink, e)
}

// Result implements Protocol.
func (p *SAOP) Result() Outcome { return p.out }
