package protocol

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/decision"
)

// AMOP is the alternating multiple offers protocol (Aydoğan et al. 2017;
// Genius's AlternatingMultipleOffersProtocol). Each round has an offer stage,
// in which every party in seat order makes an offer, and a vote stage, in
// which every party in seat order votes on every offer of the round (its own
// included), offer by offer in seat order. After the vote stage the first
// offer (in seat order) that every party accepted is the agreement; with a
// decision Rule, the first offer the rule accepts (say, n−1 parties, the
// veto players among them).
//
// With Majority set (Genius's majority-consensus variant) an offer that is
// agreed (unanimously, or by the Rule) still ends the session at once, but
// otherwise the session runs to the deadline, which agrees on the offer with
// the most accept votes over the whole session if a strict majority of
// parties accepted it; between equally accepted offers the latest wins, as it
// reflects the parties' latest positions. The Rule does not change this
// deadline fallback.
type AMOP struct {
	Majority bool
	// Rule decides which votes agree an offer (the zero Rule: unanimity).
	// Reset keeps it and checks it against the number of parties.
	Rule decision.Rule

	core
	voting bool
	seat   int // offerer, or voter
	k      int // offer under vote
	offers []uint64
	votes  []int // accept votes per offer of the round
	vetoes []int // of which by veto parties

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

// SetRule implements Ruled.
func (p *AMOP) SetRule(r decision.Rule) { p.Rule = r }

// Reset implements Protocol.
func (p *AMOP) Reset(n int, size uint64, d Deadline, sink Sink) error {
	if err := checkReset(n, 2, size, d); err != nil {
		return fmt.Errorf("%s: %w", p.Name(), err)
	}
	if err := p.Rule.Check(n); err != nil {
		return fmt.Errorf("%s: %w", p.Name(), err)
	}
	offers, votes, vetoes := p.offers, p.votes, p.vetoes
	if cap(offers) < n {
		offers, votes, vetoes = make([]uint64, n), make([]int, n), make([]int, n)
	}
	*p = AMOP{Majority: p.Majority, Rule: p.Rule, core: newCore(n, size, d, sink), offers: offers[:n], votes: votes[:n], vetoes: vetoes[:n]}
	clear(p.votes)
	clear(p.vetoes)
	return nil
}

// Next implements Protocol.
func (p *AMOP) Next(elapsed time.Duration) Turn {
	if p.over() {
		return p.done()
	}
	if p.tick(elapsed) {
		p.expire()
		return p.done()
	}
	if !p.voting {
		return Turn{Phase: PhaseOffer, Seat: p.seat, Round: p.round, T: p.t}
	}
	return Turn{Phase: PhaseVote, Seat: p.seat, Round: p.round, T: p.t, Outcome: p.offers[p.k], HasOutcome: true}
}

// Step implements Protocol.
func (p *AMOP) Step(a Action) error {
	if p.over() {
		return errOver(p.Name())
	}
	if a.Kind == ActEnd {
		p.recordEnd(p.seat)
		p.finish(WalkedOut, false, 0, p.seat)
		return nil
	}
	if !p.voting {
		if a.Kind != ActOffer {
			return fmt.Errorf("%s: %w", p.Name(), badAction(PhaseOffer, a))
		}
		if err := p.checkOutcome(p.Name(), a.Outcome); err != nil {
			return err
		}
		p.offers[p.seat] = a.Outcome
		e := p.event(p.seat)
		e.Type, e.Outcome, e.HasOutcome = EventOffer, a.Outcome, true
		p.record(e)
		p.seat++
		if p.seat == p.n {
			p.seat, p.k, p.voting = 0, 0, true
		}
		return nil
	}
	if a.Kind != ActAccept && a.Kind != ActReject {
		return fmt.Errorf("%s: %w", p.Name(), badAction(PhaseVote, a))
	}
	if a.Kind == ActAccept {
		p.votes[p.k]++
		if p.Rule.IsVeto(p.seat) {
			p.vetoes[p.k]++
		}
	}
	p.record(p.voteEvent(p.seat, p.offers[p.k], a))
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
		if p.Rule.Agrees(p.n, v, p.vetoes[k]) {
			p.finish(Agreed, true, p.offers[k], -1)
			return nil
		}
		if p.Majority && v >= p.bestVotes && v > 0 {
			p.best, p.bestVotes = p.offers[k], v
		}
	}
	clear(p.votes)
	clear(p.vetoes)
	p.seat, p.voting = 0, false
	if !p.nextRound() {
		p.expire()
	}
	return nil
}

// expire ends the session at the deadline: with the majority rule, on the
// most-accepted offer if a strict majority accepted it.
func (p *AMOP) expire() {
	if p.Majority && 2*p.bestVotes > p.n {
		p.finish(Expired, true, p.best, -1)
		return
	}
	p.finish(Expired, false, 0, -1)
}

// Result implements Protocol.
func (p *AMOP) Result() Outcome { return p.out }
