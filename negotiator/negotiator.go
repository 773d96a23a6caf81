// Package negotiator holds parley's built-in negotiation strategies, their
// opponent models and the mediators of the mediated and shuttle protocols
// (hillclimb and veto, which see only the record, and broker, a mediator
// with interests of its own).
//
// A Negotiator sees its own utility function (through Setup) and the record
// the runner shows it (the events passed to Observe), never another party's
// preferences. Its utility function returns utility.Unacceptable for an
// outcome that crosses one of its red lines; every built-in strategy keeps
// at or above its reservation value, which it takes as never below 0, so
// none offers, accepts or votes for such an outcome. The runner may change
// a seat's preferences and reservation value during a session (Setup.Version).
// It is reused across sessions: Reset starts a new one, and Observe and Act
// allocate nothing, so a runner can play millions of sessions without garbage.
package negotiator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/parleyhq/parley/internal/suggest"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
	"github.com/parleyhq/parley/utility"
)

// Negotiator is a strategy for one seat.
type Negotiator interface {
	// Reset starts a new session. The Setup and what it points to are
	// read-only and stay valid for the whole session.
	Reset(s *Setup)
	// Observe sees one event of the public record, its own actions included.
	Observe(e protocol.Event)
	// Act answers the turn the protocol gives this seat.
	Act(t protocol.Turn) protocol.Action
}

// Setup is what a seat knows: its own preferences, never another party's.
//
// The runner may change Utility, Index and Reservation between turns, when
// the seat's situation changes during a session (a scheduled event, the
// next phase of an agenda, a reservation value that moves with delay costs
// and drift); it then increments Version. Strategies that derive values
// from these fields recompute them when Version moves (see base.changed).
type Setup struct {
	Seat    int // this seat (the mediator's seat is Parties)
	Parties int // negotiating parties
	Space   outcome.Space
	Utility *utility.Additive // own preferences; nil for a mediator without interests
	// Index is the sorted index of the utility the seat negotiates over:
	// Utility's, or, for a seat that anticipates its ratification, its
	// expected utility P(o)·u(o) + (1 − P(o))·rv (built by NewIndexFunc).
	// Strategies read "my utility of outcome o" from Index (Utility, Max,
	// AtLeast, Rank), never from Utility directly. Nil when Utility is.
	Index    *Index
	Rand     *rand.Rand // seeded per session and seat
	Deadline protocol.Deadline
	// Dynamic says that Reservation, not Utility.Reservation, is the
	// seat's current reservation value.
	Dynamic     bool
	Reservation float64
	Version     uint64
	// Others holds, when the scenario makes utility functions public
	// (scenario.Scenario.PublicUtilities, as in ANL's league), the index of
	// every other negotiating seat's utility function, nil at this seat's
	// own position; their reservation values stay private (0 in these
	// indexes). Nil when preferences are private.
	Others []*Index
	// Beliefs holds, per other negotiating seat, what this seat believes
	// of it when the session starts (its prior types and stated red
	// lines), nil at its own position and where it believes nothing;
	// strategies that model others from beliefs start from it
	// (beliefs.go). Nil when the scenario states no beliefs.
	Beliefs []*Belief
}

// CurrentReservation is the seat's reservation value now.
func (s *Setup) CurrentReservation() float64 {
	if s.Dynamic || s.Utility == nil {
		return s.Reservation
	}
	return s.Utility.Reservation
}

// Role says whether a strategy negotiates for a party or mediates.
type Role uint8

// Roles.
const (
	RoleParty Role = iota
	RoleMediator
)

func (r Role) String() string {
	if r == RoleMediator {
		return "mediator"
	}
	return "negotiator"
}

// Info describes a registered strategy: its registry entry (name, doc,
// source, parameters) and what a runner must know to seat it.
type Info struct {
	registry.Entry
	Role Role
	// NeedsSorted: the strategy walks the sorted outcome list, so the space
	// must be small enough to enumerate.
	NeedsSorted bool
	// Random: the strategy draws from Setup.Rand (broker only on spaces
	// too large to sort), so sessions that differ only in their seed may
	// play differently; without it a session's seed changes nothing the
	// strategy does.
	Random bool
	// Public: the strategy needs the other parties' utility functions
	// (Setup.Others), so it plays only where the scenario makes them
	// public (see Spec.CheckPublic).
	Public bool
	make   func(p map[string]float64) Negotiator
	// parse, when set, reads the parts of a spec after the name itself
	// (a composed strategy such as boa, whose parts are not numbers).
	parse func(spec string, parts []string) (Spec, error)
}

// The strategies, one list per role.
var (
	parties   = registry.New[Info]("negotiator")
	mediators = registry.New[Info]("mediator")
)

func register(i Info) {
	if i.Role == RoleMediator {
		mediators.Add(i)
	} else {
		parties.Add(i)
	}
}

// Strategies lists the registered strategies, negotiators then mediators,
// each sorted by name.
func Strategies() []Info {
	var s []Info
	for _, l := range []*registry.List[Info]{parties, mediators} {
		all := l.All()
		slices.SortFunc(all, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
		s = append(s, all...)
	}
	return s
}

// Names lists the registered strategy names with the given role, sorted.
func Names(r Role) []string {
	var ns []string
	for _, i := range Strategies() {
		if i.Role == r {
			ns = append(ns, i.Name)
		}
	}
	return ns
}

// Lookup returns the strategy called name, or an error that names the valid
// ones (and the closest, when the name looks like a typo).
func Lookup(name string) (Info, error) {
	if i, ok := parties.Get(name); ok {
		return i, nil
	}
	if i, ok := mediators.Get(name); ok {
		return i, nil
	}
	all := append(Names(RoleParty), Names(RoleMediator)...)
	return Info{}, fmt.Errorf("unknown negotiator %q%s; negotiators: %s; mediators: %s", name, suggest.Hint(name, all),
		strings.Join(Names(RoleParty), ", "), strings.Join(Names(RoleMediator), ", "))
}

// Spec is a parsed strategy specification: a name and parameter values.
type Spec struct {
	Info   Info
	Params map[string]float64 // every parameter, defaults filled in
	text   string             // the canonical spec of a composed strategy
}

// String renders the spec as it would be parsed back.
func (s Spec) String() string {
	if s.text != "" {
		return s.text
	}
	return registry.Spec[Info]{Item: s.Info, Params: s.Params}.String()
}

// New returns a fresh negotiator for the spec.
func (s Spec) New() Negotiator { return s.Info.make(s.Params) }

// CheckRole reports a strategy given for the wrong kind of seat: a mediator
// for a party, or a party's negotiator for the mediator.
func (s Spec) CheckRole(want Role) error {
	switch {
	case s.Info.Role == want:
		return nil
	case want == RoleParty:
		return fmt.Errorf("%s is a mediator, not a negotiator; it mediates protocols %s; negotiators: %s",
			s.Info.Name, registry.Or(mediatedProtocols()), strings.Join(Names(RoleParty), ", "))
	}
	return fmt.Errorf("%s negotiates for a party and cannot mediate; mediators: %s", s.Info.Name, strings.Join(Names(RoleMediator), ", "))
}

// Parse reads a strategy specification "name" or "name:param=value:..."
// (for example "timedependent:e=0.5"), checking the name and parameters.
func Parse(spec string) (Spec, error) {
	parts := strings.Split(strings.TrimSpace(spec), ":")
	info, err := Lookup(strings.ToLower(parts[0]))
	if err != nil {
		return Spec{}, err
	}
	if info.parse != nil {
		return info.parse(spec, parts[1:])
	}
	rs, err := registry.ParseParams(info, spec, parts[1:])
	if err != nil {
		return Spec{}, fmt.Errorf("negotiator %w", err)
	}
	return Spec{Info: info, Params: rs.Params}, nil
}

// New returns a negotiator by name with parameters given as name=value
// pairs; see Parse.
func New(name string, params ...string) (Negotiator, error) {
	s, err := Parse(strings.Join(append([]string{name}, params...), ":"))
	if err != nil {
		return nil, err
	}
	return s.New(), nil
}

// base holds what most strategies keep: their setup and a decoding buffer.
type base struct {
	s       *Setup
	buf     []int
	rv      float64 // reservation value (undiscounted), never below 0
	version uint64
}

func (b *base) reset(s *Setup) {
	b.s = s
	if cap(b.buf) < s.Space.Issues() {
		b.buf = make([]int, s.Space.Issues())
	}
	b.buf = b.buf[:s.Space.Issues()]
	b.version = s.Version
	b.rv = floorRV(s.CurrentReservation())
}

// floorRV keeps a reservation value at 0 or above: 0 is the least utility
// of an outcome that crosses none of the party's red lines (those are
// utility.Unacceptable, −1), so a strategy that never goes below its
// reservation value never offers, accepts or votes for such an outcome,
// however far delay costs push the reservation down.
func floorRV(rv float64) float64 { return max(rv, 0) }

// changed reports whether the runner changed the setup since the strategy
// last looked, and takes the new reservation value.
func (b *base) changed() bool {
	if b.s.Version == b.version {
		return false
	}
	b.version = b.s.Version
	b.rv = floorRV(b.s.CurrentReservation())
	return true
}

func (b *base) util(id uint64) float64 { return b.s.Index.Utility(id, b.buf) }

// vote is the common voting rule given the strategy's current acceptance
// threshold: never below the reservation value; a text that is at least as
// good as the current text (mediated protocol) or that meets the threshold is
// accepted.
func (b *base) vote(t protocol.Turn, threshold float64) protocol.Action {
	u := b.util(t.Outcome)
	if u < b.rv {
		return protocol.Reject
	}
	if u >= threshold || (t.HasReference && u >= b.util(t.Reference)) {
		return protocol.Accept
	}
	return protocol.Reject
}

// answer is the reply of a strategy that would offer id now and accepts
// what is worth u or more to it: it accepts a standing offer worth at least
// u, votes by the common rule with threshold u, and otherwise offers id.
func (b *base) answer(t protocol.Turn, id uint64, u float64) protocol.Action {
	switch t.Phase {
	case protocol.PhaseRespond:
		if b.util(t.Outcome) >= u {
			return protocol.Accept
		}
	case protocol.PhaseVote:
		return b.vote(t, u)
	}
	return protocol.Offer(id)
}
