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
	core
	seat    int
	offer   uint64
	has     bool
	accepts int
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
	*p = SAOP{core: newCore(n, size, d, sink)}
	return nil
}

// Next implements Protocol.
func (p *SAOP) Next(elapsed time.Duration) Turn {
	if p.over() {
		return p.done()
	}
	if p.tick(elapsed) {
		p.expire()
		return p.done()
	}
	return Turn{Phase: p.phase(), Seat: p.seat, Round: p.round, T: p.t, Outcome: p.offer, HasOutcome: p.has}
}

// phase is PhaseRespond while an offer stands, else PhaseOffer.
func (p *SAOP) phase() Phase {
	if p.has {
		return PhaseRespond
	}
	return PhaseOffer
}

// Step implements Protocol.
func (p *SAOP) Step(a Action) error {
	if p.over() {
		return errOver("saop")
	}
	switch a.Kind {
	case ActOffer:
		if err := p.checkOutcome("saop", a.Outcome); err != nil {
			return err
		}
		p.offer, p.has, p.accepts = a.Outcome, true, 0
		e := p.event(p.seat)
		e.Type, e.Outcome, e.HasOutcome = EventOffer, a.Outcome, true
		p.record(e)
	case ActAccept:
		if !p.has {
			return fmt.Errorf("saop: %w", badAction(PhaseOffer, a))
		}
		p.accepts++
		e := p.event(p.seat)
		e.Type, e.Outcome, e.HasOutcome = EventAccept, p.offer, true
		p.record(e)
		if p.accepts == p.n-1 {
			p.finish(Agreed, true, p.offer, -1)
			return nil
		}
	case ActEnd:
		p.recordEnd(p.seat)
		p.finish(WalkedOut, false, 0, p.seat)
		return nil
	default:
		return fmt.Errorf("saop: %w", badAction(p.phase(), a))
	}
	p.seat++
	if p.seat == p.n {
		p.seat = 0
		if !p.nextRound() {
			p.expire()
		}
	}
	return nil
}

func (p *SAOP) expire() { p.finish(Expired, false, 0, -1) }

// Result implements Protocol.
func (p *SAOP) Result() Outcome { return p.out }
