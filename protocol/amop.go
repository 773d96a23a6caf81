package protocol

import (
	"fmt"
	"time"
)

// AMOP is the alternating multiple offers protocol (Aydoğan et al. 2017;
// Genius's AlternatingMultipleOffersProtocol). Each round has an offer stage,
// in which every party in seat order makes an offer, and a vote stage, in
// which every party in seat order votes on every offer of the round (its own
// included), offer by offer in seat order. After the vote stage the first
// offer (in seat order) that every party accepted is the agreement.
//
// With Majority set (Genius's majority-consensus variant) a unanimous offer
// still ends the session at once, but otherwise the session runs to the
// deadline, which agrees on the offer with the most accept votes over the
// whole session if a strict majority of parties accepted it; between equally
// accepted offers the latest wins, as it reflects the parties' latest
// positions.
type AMOP struct {
	Majority bool

	n      int
	size   uint64
	d      Deadline
	sink   Sink
	round  int
	voting bool
	seat   int // offerer, or voter
	k      int // offer under vote
	offers []uint64
	votes  []int
	t      float64
	out    Outcome

	best      uint64
	bestVotes int
}

// NewAMOP returns an AMOP protocol, the majority-consensus variant if
// majority is set; call Reset before use.
func NewAMOP(majority bool) *AMOP { return &AMOP{Majority: majority} }

// Name implements Protocol.
func (p *AMOP) Name() string {
	if p.Majority {
		return "amop-majority"
	}
	return "amop"
}

// Mediated implements Protocol.
func (p *AMOP) Mediated() bool { return false }

// Reset implements Protocol.
func (p *AMOP) Reset(n int, size uint64, d Deadline, sink Sink) error {
	if err := checkReset(n, 2, size, d); err != nil {
		return fmt.Errorf("%s: %w", p.Name(), err)
	}
	offers, votes := p.offers, p.votes
	if cap(offers) < n {
		offers, votes = make([]uint64, n), make([]int, n)
	}
	*p = AMOP{Majority: p.Majority, n: n, size: size, d: d, sink: sink, round: d.Offset + 1,
		offers: offers[:n], votes: votes[:n], out: Outcome{Seat: -1}}
	clear(p.votes)
	return nil
}

// Next implements Protocol.
func (p *AMOP) Next(elapsed time.Duration) Turn {
	if p.out.Reason != Running {
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	p.t = p.d.T(p.round, elapsed)
	if p.d.timeUp(elapsed) {
		p.expire()
		return Turn{Phase: PhaseDone, Seat: -1, Round: p.out.Round, T: p.out.T}
	}
	if !p.voting {
		return Turn{Phase: PhaseOffer, Seat: p.seat, Round: p.round, T: p.t}
	}
	return Turn{Phase: PhaseVote, Seat: p.seat, Round: p.round, T: p.t, Outcome: p.offers[p.k], HasOutcome: true}
}

// Step implements Protocol.
func (p *AMOP) Step(a Action) error {
	if p.out.Reason != Running {
		return fmt.Errorf("%s: %w: the session is over", p.Name(), ErrBadAction)
	}
	e := Event{Seat: int32(p.seat), Round: int32(p.round), T: p.t}
	if a.Kind == ActEnd {
		e.Type = EventEnd
		p.out.Steps++
		emit(p.sink, e)
		p.finish(WalkedOut, false, 0, p.seat)
		return nil
	}
	if !p.voting {
		if a.Kind != ActOffer {
			return fmt.Errorf("%s: %w", p.Name(), badAction(PhaseOffer, a))
		}
		if a.Outcome >= p.size {
			return fmt.Errorf("%s: %w: outcome %d is outside the space of %d outcomes", p.Name(), ErrBadAction, a.Outcome, p.size)
		}
		p.offers[p.seat] = a.Outcome
		e.Type, e.Outcome, e.HasOutcome = EventOffer, a.Outcome, true
		p.out.Steps++
		emit(p.sink, e)
		p.seat++
		if p.seat == p.n {
			p.seat, p.k, p.voting = 0, 0, true
		}
		return nil
	}
	if a.Kind != ActAccept && a.Kind != ActReject {
		return fmt.Errorf("%s: %w", p.Name(), badAction(PhaseVote, a))
	}
	e.Type, e.Outcome, e.HasOutcome, e.Accept = EventVote, p.offers[p.k], true, a.Kind == ActAccept
	if e.Accept {
		p.votes[p.k]++
	}
	p.out.Steps++
	emit(p.sink, e)
	p.k++
	if p.k < p.n {
		return nil
	}
	p.k = 0
	p.seat++
	if p.seat < p.n {
		return nil
	}
	// The vote stage is over.
	for k, v := range p.votes {
		if v == p.n {
			p.finish(Agreed, true, p.offers[k], -1)
			return nil
		}
		if p.Majority && v >= p.bestVotes && v > 0 {
			p.best, p.bestVotes = p.offers[k], v
		}
	}
	clear(p.votes)
	p.seat, p.voting = 0, false
	if p.d.Rounds > 0 && p.round >= p.d.Rounds {
		p.expire()
		return nil
	}
	p.round++
	return nil
}

func (p *AMOP) expire() {
	if p.Majority && 2*p.bestVotes > p.n {
		p.finish(Expired, true, p.best, -1)
		return
	}
	p.finish(Expired, false, 0, -1)
}

func (p *AMOP) finish(r EndReason, agreed bool, o uint64, seat int) {
	p.out.Reason, p.out.Agreed, p.out.Round, p.out.T, p.out.Seat = r, agreed, p.round, p.t, seat
	if agreed {
		p.out.Outcome = o
	}
	e := Event{Seat: -1, Round: int32(p.round), T: p.t}
	switch {
	case r == Expired:
		e.Type = EventDeadline
		emit(p.sink, e)
		if !agreed {
			return
		}
		fallthrough
	case agreed:
		e.Type, e.Outcome, e.HasOutcome = EventAgreement, o, true
		emit(p.sink, e)
	}
}

// Result implements Protocol.
func (p *AMOP) Result() Outcome { return p.out }
