package protocol

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/decision"
)

// Mediated is the mediated single-text protocol (Klein, Faratin, Sayama and
// Bar-Yam, "Negotiating complex contracts", 2003; Genius's
// SimpleMediatorBasedProtocol). Each round the mediator (seat Parties)
// proposes a text, then every party in seat order votes on it. A text that
// every party accepts (with a decision Rule: that the rule accepts) is
// adopted as the current text, which later proposals
// are voted against (Turn.Reference). The session ends at the deadline, when
// the mediator ends it, or when a party walks out; in the first two cases the
// current text, if any text was ever adopted, is the agreement.
type Mediated struct {
	// Rule decides which votes adopt a text (the zero Rule: unanimity).
	// Reset keeps it and checks it against the number of parties.
	Rule decision.Rule

	core
	voting bool
	seat   int
	text   uint64
	yes    int
	vetoes int // accept votes of veto parties
	cur    uint64
	hasCur bool
}

// NewMediated returns a mediated single-text protocol; call Reset before use.
func NewMediated() *Mediated { return &Mediated{} }

// Name implements Protocol.
func (p *Mediated) Name() string { return "mediated" }

// Mediated implements Protocol.
func (p *Mediated) Mediated() bool { return true }

// SetRule implements Ruled.
func (p *Mediated) SetRule(r decision.Rule) { p.Rule = r }

// Reset implements Protocol.
func (p *Mediated) Reset(n int, size uint64, d Deadline, sink Sink) error {
	if err := checkReset(n, 2, size, d); err != nil {
		return fmt.Errorf("mediated: %w", err)
	}
	if err := p.Rule.Check(n); err != nil {
		return fmt.Errorf("mediated: %w", err)
	}
	*p = Mediated{Rule: p.Rule, core: newCore(n, size, d, sink)}
	return nil
}

// Next implements Protocol.
func (p *Mediated) Next(elapsed time.Duration) Turn {
	if p.over() {
		return p.done()
	}
	if p.tick(elapsed) {
		p.end(Expired, -1)
		return p.done()
	}
	if !p.voting {
		return Turn{Phase: PhasePropose, Seat: p.n, Round: p.round, T: p.t, Reference: p.cur, HasReference: p.hasCur}
	}
	return Turn{Phase: PhaseVote, Seat: p.seat, Round: p.round, T: p.t, Outcome: p.text, HasOutcome: true,
		Reference: p.cur, HasReference: p.hasCur}
}

// Step implements Protocol.
func (p *Mediated) Step(a Action) error {
	if p.over() {
		return errOver("mediated")
	}
	if !p.voting {
		switch a.Kind {
		case ActEnd:
			p.recordEnd(p.n)
			p.end(Exhausted, -1)
		case ActOffer:
			if err := p.checkOutcome("mediated", a.Outcome); err != nil {
				return err
			}
			p.text, p.yes, p.vetoes, p.seat, p.voting = a.Outcome, 0, 0, 0, true
			e := p.event(p.n)
			e.Type, e.Outcome, e.HasOutcome = EventPropose, a.Outcome, true
			p.record(e)
		default:
			return fmt.Errorf("mediated: %w", badAction(PhasePropose, a))
		}
		return nil
	}
	switch a.Kind {
	case ActEnd:
		p.recordEnd(p.seat)
		p.end(WalkedOut, p.seat)
		return nil
	case ActAccept, ActReject:
	default:
		return fmt.Errorf("mediated: %w", badAction(PhaseVote, a))
	}
	if a.Kind == ActAccept {
		p.yes++
		if p.Rule.IsVeto(p.seat) {
			p.vetoes++
		}
	}
	p.record(p.voteEvent(p.seat, p.text, a))
	p.seat++
	if p.seat < p.n {
		return nil
	}
	if p.Rule.Agrees(p.n, p.yes, p.vetoes) {
		p.cur, p.hasCur = p.text, true
		e := p.event(-1)
		e.Type, e.Outcome, e.HasOutcome = EventAdopt, p.text, true
		emit(p.sink, e)
	}
	p.voting, p.seat = false, 0
	if !p.nextRound() {
		p.end(Expired, -1)
	}
	return nil
}

// end ends the session for reason r: unless a party walked out, the current
// text, if one was ever adopted, is the agreement.
func (p *Mediated) end(r EndReason, seat int) {
	p.finish(r, r != WalkedOut && p.hasCur, p.cur, seat)
}

// Result implements Protocol.
func (p *Mediated) Result() Outcome { return p.out }
