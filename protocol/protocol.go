// Package protocol holds negotiation protocols as deterministic state
// machines: the caller asks whose turn it is (Next), obtains an Action from
// that seat's negotiator and Steps the protocol with it, in the manner of
// etcd-io/raft's RawNode. Protocols start no goroutines, read no clock and
// draw no random numbers: the runner injects elapsed time, and every event is
// reported to a caller-supplied Sink as a small value (outcomes are mixed-radix
// indices into the outcome space), so a step allocates nothing.
//
// The protocols are SAOP and AMOP (parties only), the mediated single text
// and shuttle diplomacy (a mediator at seat Parties). Shuttle's bilateral
// meetings produce Private events, which a runner shows only to the
// mediator and the party met. Deadline.Offset lets a runner play several
// protocols in a row under one deadline (the phases of an agenda).
package protocol

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/parleyhq/parley/decision"
	"github.com/parleyhq/parley/registry"
)

// Phase is what the protocol expects from the seat whose turn it is.
type Phase uint8

// Phases.
const (
	// PhaseDone: the session is over; see Result.
	PhaseDone Phase = iota
	// PhaseOffer: make an offer (ActOffer) or walk away (ActEnd); there is no
	// standing offer to accept.
	PhaseOffer
	// PhaseRespond: accept the standing offer Turn.Outcome (ActAccept), make a
	// new offer instead (ActOffer), or walk away (ActEnd).
	PhaseRespond
	// PhaseVote: vote on Turn.Outcome (ActAccept or ActReject), or walk away.
	PhaseVote
	// PhasePropose: the mediator proposes a text (ActOffer) or ends (ActEnd).
	PhasePropose
)

var phaseNames = [...]string{"done", "offer", "respond", "vote", "propose"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// ActionKind is the kind of a seat's answer to a turn.
type ActionKind uint8

// Action kinds.
const (
	ActNone ActionKind = iota
	ActOffer
	ActAccept
	ActReject
	ActEnd
)

var actionNames = [...]string{"none", "offer", "accept", "reject", "end"}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) {
		return actionNames[k]
	}
	return fmt.Sprintf("action(%d)", int(k))
}

// Action is a seat's answer to a Turn. Outcome is the offered outcome's index
// for ActOffer and ignored otherwise.
type Action struct {
	Kind    ActionKind
	Outcome uint64
}

// Offer returns the action that offers outcome o.
func Offer(o uint64) Action { return Action{Kind: ActOffer, Outcome: o} }

// Accept, Reject and End are the answers without an outcome.
var (
	Accept = Action{Kind: ActAccept}
	Reject = Action{Kind: ActReject}
	End    = Action{Kind: ActEnd}
)

// Turn tells a seat what the protocol expects from it.
type Turn struct {
	Phase Phase
	Seat  int     // the seat to act: a party 0..Parties-1, or Parties for the mediator
	Round int     // 1-based
	T     float64 // normalised time in [0, 1]
	// Outcome is the standing offer (PhaseRespond) or the text or offer
	// under vote (PhaseVote); HasOutcome says whether there is one.
	Outcome    uint64
	HasOutcome bool
	// Reference is, in the mediated protocol, the current text that Outcome
	// would replace if every party accepts it.
	Reference    uint64
	HasReference bool
	// Bilateral is set in the shuttle protocol's private meetings between
	// the mediator and party With: the mediator proposes to With
	// (PhasePropose), or With votes on the mediator's text (PhaseVote).
	// Joint is set for the shuttle's joint session.
	Bilateral bool
	Joint     bool
	With      int
}

// EventType names what happened.
type EventType uint8

// Event types. Votes are EventVote with Accept set for "accept" and clear for
// "reject".
const (
	EventOffer     EventType = iota + 1 // a party offers Outcome
	EventAccept                         // a party accepts the standing offer Outcome (SAOP)
	EventVote                           // a party votes on Outcome (AMOP, mediated)
	EventPropose                        // the mediator proposes the text Outcome
	EventAdopt                          // mediated: every party accepted Outcome; it is the current text
	EventEnd                            // a seat walked away
	EventAgreement                      // the session ends with agreement on Outcome
	EventDeadline                       // the deadline passed; Outcome is set if an agreement stands
	EventJoint                          // shuttle: the joint session opens to vote on Outcome
	EventNoMeeting                      // shuttle: the joint session cannot take place; the session ends
)

var eventNames = [...]string{"", "offer", "accept", "vote", "propose", "adopt", "end", "agreement", "deadline", "joint", "no_meeting"}

func (t EventType) String() string {
	if int(t) < len(eventNames) && t > 0 {
		return eventNames[t]
	}
	return fmt.Sprintf("event(%d)", int(t))
}

// Event is one entry of the record. Seat is -1 for events of the protocol
// itself (agreement, deadline, adopt). A Private event (the shuttle's
// bilateral meetings) belongs to the mediator and party With only: a runner
// shows it to those two seats and to no other.
type Event struct {
	Type       EventType
	Accept     bool // EventVote: accept (true) or reject
	HasOutcome bool
	Private    bool
	Seat       int32
	With       int32 // the party of a Private event
	Round      int32
	T          float64
	Outcome    uint64
}

// Sink receives events as they happen. Implementations must not retain
// anything beyond the Event value itself.
type Sink interface {
	Event(e Event)
}

// Deadline bounds a session in rounds, in time, or both (whichever comes
// first). A zero field means no bound of that kind. Offset is the number of
// rounds already spent before the protocol starts: an agenda runs one
// protocol per phase under one shared deadline, so a phase that opens after
// round 12 starts in round 13 and its normalised time goes on from there.
type Deadline struct {
	Rounds int
	Time   time.Duration
	Offset int
}

// T returns normalised time in [0, 1] during round (1-based) after elapsed
// time. With a round deadline of R rounds it is round/(R+1), as Genius's
// DiscreteTimeline (which starts at round 1 and sets its total to R+1 so
// that the last round still lies before t = 1); with a time deadline D it is
// elapsed/D; with both, the larger.
func (d Deadline) T(round int, elapsed time.Duration) float64 {
	t := 0.0
	if d.Rounds > 0 {
		t = float64(round) / float64(d.Rounds+1)
	}
	if d.Time > 0 {
		if x := float64(elapsed) / float64(d.Time); x > t {
			t = x
		}
	}
	return math.Min(math.Max(t, 0), 1)
}

// Validate reports a deadline that bounds nothing or is negative.
func (d Deadline) Validate() error {
	switch {
	case d.Rounds < 0:
		return fmt.Errorf("deadline of %d rounds: the number of rounds must be positive", d.Rounds)
	case d.Time < 0:
		return fmt.Errorf("deadline of %v: the time must be positive", d.Time)
	case d.Rounds == 0 && d.Time == 0:
		return errors.New("no deadline: give a number of rounds, a time, or both")
	case d.Offset < 0 || (d.Rounds > 0 && d.Offset >= d.Rounds):
		return fmt.Errorf("deadline offset %d: no round left of %d", d.Offset, d.Rounds)
	}
	return nil
}

func (d Deadline) timeUp(elapsed time.Duration) bool { return d.Time > 0 && elapsed >= d.Time }

// EndReason says why a session ended.
type EndReason uint8

// End reasons.
const (
	Running   EndReason = iota
	Agreed              // every party agreed
	Expired             // the deadline passed without agreement
	WalkedOut           // a seat ended the negotiation
	Exhausted           // the mediator ended the session (no text left to try)
	NoMeeting           // shuttle: the joint session did not take place
)

var reasonNames = [...]string{"running", "agreement", "deadline", "walked out", "mediator ended", "no joint meeting"}

func (r EndReason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Outcome is how a session ended.
type Outcome struct {
	Reason  EndReason
	Agreed  bool
	Outcome uint64 // the agreement, if Agreed
	Round   int    // the round in which the session ended
	T       float64
	Seat    int // the seat that walked out, else -1
	Steps   int // actions applied
}

// Protocol is a negotiation protocol as a state machine. Reset starts a
// session; then the caller alternates Next and Step until Next returns
// PhaseDone. Implementations must not allocate in Next or Step.
type Protocol interface {
	// Name is the registry name (saop, amop, ...).
	Name() string
	// Mediated reports whether the protocol needs a mediator at seat Parties.
	Mediated() bool
	// Reset starts a new session among n parties with outcome indices in
	// [0, size) under deadline d, reporting events to sink (may be nil).
	Reset(n int, size uint64, d Deadline, sink Sink) error
	// Next returns the current turn, given the elapsed time (the runner's
	// clock); it ends the session when a time deadline has passed.
	Next(elapsed time.Duration) Turn
	// Step applies the action of the seat whose turn Next returned.
	Step(a Action) error
	// Result reports how the session ended (Reason Running while it runs).
	Result() Outcome
}

// Ruled is a protocol that decides by vote and can replace unanimity with
// a decision rule (a quorum with veto players): AMOP, its majority variant
// and the mediated protocol. The rule's parties are seats; Reset checks it.
// SAOP (an offer stands until every other party has accepted it in turn) and
// shuttle diplomacy (a joint session once every side has accepted) are
// unanimous by construction and are not Ruled.
type Ruled interface {
	Protocol
	SetRule(r decision.Rule)
}

// Info describes a registered protocol: its registry entry and the seats
// it needs (negotiator.CheckTable applies them).
type Info struct {
	registry.Entry
	MinParties int
	Mediated   bool
	New        func() Protocol
}

var protocols = registry.New("protocol",
	Info{Entry: registry.Entry{Name: "saop", Doc: "stacked alternating offers (Genius/GeniusWeb SAOP): in turn, each party accepts the standing offer, makes a new one, or ends; an offer is agreed when every other party has accepted it in sequence",
		Source: "Aydoğan et al. 2017 (SAOP); Genius and GeniusWeb"}, MinParties: 2, New: func() Protocol { return NewSAOP() }},
	Info{Entry: registry.Entry{Name: "amop", Doc: "alternating multiple offers (Genius AMOP): every party offers, then every party votes on every offer; the first offer that all accept (or the scenario's decision rule) wins",
		Source: "Genius AMOP (Aydoğan et al. 2017)"}, MinParties: 2, New: func() Protocol { return NewAMOP(false) }},
	Info{Entry: registry.Entry{Name: "amop-majority", Doc: "AMOP, majority consensus: as amop, but at the deadline the most-accepted offer wins if a strict majority accepted it",
		Source: "Genius AMOP with majority consensus"}, MinParties: 2, New: func() Protocol { return NewAMOP(true) }},
	Info{Entry: registry.Entry{Name: "mediated", Doc: "mediated single text (Klein et al. 2003): a mediator proposes a text, every party votes, a text all accept (or the scenario's decision rule) becomes the current text; the agreement is the last such text",
		Source: "Klein, Faratin, Sayama & Bar-Yam 2003; Genius mediated single text"}, MinParties: 2, Mediated: true, New: func() Protocol { return NewMediated() }},
	Info{Entry: registry.Entry{Name: "shuttle", Doc: "shuttle diplomacy: the mediator meets each party separately, proposing texts one side at a time; once every side has accepted the same text, a joint session votes on it",
		Source: "parley, after the seed article's mediator"}, MinParties: 2, Mediated: true, New: func() Protocol { return NewShuttle() }},
)

// Protocols lists the registered protocols in a stable order.
func Protocols() []Info { return protocols.All() }

// Names lists the registered protocol names.
func Names() []string { return protocols.Names() }

// Lookup returns the registered protocol called name, or an error that
// lists the valid names.
func Lookup(name string) (Info, error) { return protocols.Lookup(name) }

// ErrBadAction is wrapped by Step when an action does not fit the turn.
var ErrBadAction = errors.New("action does not fit the turn")

func badAction(p Phase, a Action) error {
	return fmt.Errorf("%w: %s in phase %s", ErrBadAction, a.Kind, p)
}

func emit(s Sink, e Event) {
	if s != nil {
		s.Event(e)
	}
}

func checkReset(n, min int, size uint64, d Deadline) error {
	if n < min {
		return fmt.Errorf("need at least %d parties, got %d", min, n)
	}
	if size == 0 {
		return errors.New("empty outcome space")
	}
	return d.Validate()
}
