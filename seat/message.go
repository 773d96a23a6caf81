package seat

import "encoding/json"

// Version is the seat protocol's version, sent in every settings message.
// A change that an existing seat could misread gets a new version.
const Version = 1

// Message types, the "type" field of every message.
const (
	TypeSettings   = "settings"
	TypeYourTurn   = "your_turn"
	TypeActionDone = "action_done"
	TypeUpdate     = "update"
	TypeFinished   = "finished"
	TypeError      = "error"
)

// Action types: what a seat may answer.
const (
	ActOffer  = "offer"
	ActAccept = "accept"
	ActReject = "reject"
	ActEnd    = "end"
)

// Settings opens a session (and, with an agenda, each of its phases).
type Settings struct {
	Type    string `json:"type" jsonschema:"enum=settings"`
	Version int    `json:"version"`
	// Session identifies the session among those the seat plays.
	Session string `json:"session"`
	// You is who the seat plays for.
	You You `json:"you"`
	// Parties are the negotiating parties in seat order; Mediator is the
	// mediating party or seat, if the protocol has one.
	Parties  []string `json:"parties"`
	Mediator string   `json:"mediator,omitempty"`
	Protocol Protocol `json:"protocol"`
	// Decision is the rule by which the parties agree a deal, when it is
	// not unanimity (absent: every party must accept).
	Decision *Decision `json:"decision,omitempty"`
	Deadline Deadline  `json:"deadline"`
	Clock    Clock     `json:"clock"`
	// MaxErrors is how many malformed or illegal actions the seat may send
	// in a session before it forfeits.
	MaxErrors int `json:"max_errors"`
	// Seed seeds the seat's own random choices, so that a seeded agent
	// plays the same session the same way.
	Seed uint64 `json:"seed"`
	// Phase is the agenda phase under way (absent without an agenda).
	Phase *Phase `json:"phase,omitempty"`
	// Issues are the issues to negotiate now, in the order of outcomes.
	Issues []Issue `json:"issues"`
	// Settled are issues agreed in earlier phases: issue id → value.
	Settled map[string]any `json:"settled,omitempty"`
	// Preferences are the seat's own (absent for a mediator without
	// interests of its own).
	Preferences *Preferences `json:"preferences,omitempty"`
	// Beliefs are what the seat believes of the other negotiating
	// parties, when the scenario states beliefs, bluffs or doubted red
	// lines: its own beliefs, never another party's true preferences.
	// With an agenda they are the phase's, as Preferences are.
	Beliefs []Belief `json:"beliefs,omitempty"`
}

// Belief is what the seat believes of party About: the types it holds
// possible, and the red lines About states in public (real ones and
// bluffs alike; a line that cannot bind in the phase forbids no value).
type Belief struct {
	About    string       `json:"about"`
	Types    []BeliefType `json:"types"`
	RedLines []RedLine    `json:"red_lines,omitempty"`
}

// BeliefType is one type the seat holds possible, with its prior. Its
// Utility and Terms are read as Preferences' are (absent when the seat
// believes nothing of the party's preferences); its reservation value is
// Reservation, or uniform on ReservationRange; Real is, per red line of
// the belief, the probability that it is real.
type BeliefType struct {
	ID               string               `json:"id"`
	Prior            float64              `json:"prior"`
	Utility          map[string][]float64 `json:"utility,omitempty"`
	Terms            []Term               `json:"terms,omitempty"`
	Reservation      *float64             `json:"reservation,omitempty"`
	ReservationRange *Range               `json:"reservation_range,omitempty"`
	Real             []float64            `json:"real,omitempty"`
}

// Range is a closed interval believed uniform.
type Range struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// You is the seat's own identity.
type You struct {
	Party string `json:"party"`
	Seat  int    `json:"seat"`
	Role  string `json:"role"` // party or mediator
	Name  string `json:"name,omitempty"`
}

// Protocol names the protocol and says how it runs.
type Protocol struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// Decision is a decision rule other than unanimity: a deal is agreed when
// at least Quorum of the parties accept it, every party of Veto among them.
// Doc says the same in words.
type Decision struct {
	Quorum int      `json:"quorum"`
	Veto   []string `json:"veto,omitempty"`
	Doc    string   `json:"doc"`
}

// Deadline bounds the session in rounds, milliseconds, or both (0: none).
// With an agenda, Offset is the number of rounds played before the phase
// under way: its first round is Offset+1 of the session's Rounds.
type Deadline struct {
	Rounds int   `json:"rounds,omitempty"`
	MS     int64 `json:"ms,omitempty"`
	Offset int   `json:"offset,omitempty"`
}

// Clock is the seat's own time: at most ActionMS per answer and BudgetMS
// for all its answers in a session (0: no limit).
type Clock struct {
	ActionMS int64 `json:"action_ms,omitempty"`
	BudgetMS int64 `json:"budget_ms,omitempty"`
}

// Phase is the agenda phase under way.
type Phase struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
	Count int    `json:"count"`
}

// Issue is one issue: its values are option ids (strings) for discrete
// issues, numbers for integer and real ones.
type Issue struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Kind   string `json:"kind"` // discrete, integer or real
	Values []any  `json:"values"`
	// Labels are the options' readable labels, where they differ from ids.
	Labels []string `json:"labels,omitempty"`
}

// Preferences are a seat's own preferences. The utility of an outcome o is
// min(Σ_i Utility[i][k_i] + Σ_{terms o matches} value, 1), k_i the index of
// o's value of issue i in Issues[i].Values, or −1 when o crosses a red
// line: every issue a red line names takes one of the values it forbids.
// Utilities of the phase under way include what settled and open issues
// are worth.
type Preferences struct {
	Utility     map[string][]float64 `json:"utility"`
	Reservation float64              `json:"reservation"`
	// Discount d: a deal at normalised time t is worth u·d^t (1: none).
	Discount float64   `json:"discount"`
	RedLines []RedLine `json:"red_lines,omitempty"`
	// Terms make the utility non-additive (a non-linear Genius profile's
	// rectangles): each adds its value to the outcomes it matches.
	Terms []Term `json:"terms,omitempty"`
}

// Term adds Value to the utility of the outcomes that take, on every issue
// it names, one of the values listed (a term that names no issue matches
// every outcome).
type Term struct {
	When  map[string][]any `json:"when"`
	Value float64          `json:"value"`
}

// RedLine forbids the outcomes that take, on every issue it names, one of
// the values listed.
type RedLine struct {
	ID     string           `json:"id"`
	Forbid map[string][]any `json:"forbid"`
}

// YourTurn asks the seat to act.
type YourTurn struct {
	Type  string  `json:"type" jsonschema:"enum=your_turn"`
	Round int     `json:"round"`
	T     float64 `json:"t"` // normalised time in [0, 1]
	// Phase is what is asked: offer, respond (to Offer), vote (on Offer)
	// or propose (a mediator's text).
	Phase string   `json:"phase"`
	May   []string `json:"may"`
	// Offer is the standing offer, or the text under vote; OfferUtility
	// is its utility to the seat.
	Offer        map[string]any `json:"offer,omitempty"`
	OfferUtility *float64       `json:"offer_utility,omitempty"`
	// Text is the mediated protocol's current text, which Offer would
	// replace if every party accepts it.
	Text        map[string]any `json:"text,omitempty"`
	TextUtility *float64       `json:"text_utility,omitempty"`
	// With is the party a shuttle mediator meets (or that the seat meets);
	// Joint marks the shuttle's joint session.
	With  string `json:"with,omitempty"`
	Joint bool   `json:"joint,omitempty"`
	// Reservation is the seat's reservation value now, when it moves
	// during the session (delay costs, drift, events).
	Reservation *float64 `json:"reservation,omitempty"`
}

// ActionDone is one entry of the public record.
type ActionDone struct {
	Type  string  `json:"type" jsonschema:"enum=action_done"`
	Event string  `json:"event"` // offer, accept, vote, propose, adopt, end, agreement, deadline, joint, no_meeting
	Round int     `json:"round"`
	T     float64 `json:"t"`
	By    string  `json:"by,omitempty"` // the seat that acted
	// Meeting is the party of a shuttle's private meeting.
	Meeting string         `json:"meeting,omitempty"`
	Vote    string         `json:"vote,omitempty"` // accept or reject
	Outcome map[string]any `json:"outcome,omitempty"`
	// Utility is the outcome's utility to the receiving seat.
	Utility *float64 `json:"utility,omitempty"`
	Text    string   `json:"text,omitempty"`
}

// Update tells the seat that its preferences or reservation value changed
// during a phase (a scheduled event).
type Update struct {
	Type        string       `json:"type" jsonschema:"enum=update"`
	Round       int          `json:"round"`
	Preferences *Preferences `json:"preferences"`
}

// Finished tells the seat how the session ended.
type Finished struct {
	Type      string         `json:"type" jsonschema:"enum=finished"`
	Session   string         `json:"session"`
	Status    string         `json:"status"`
	End       string         `json:"end"`
	Round     int            `json:"round"`
	Agreement map[string]any `json:"agreement,omitempty"`
	// Payoff is the seat's own result: its utility of a binding deal, or
	// its reservation value, less delay costs.
	Payoff  float64  `json:"payoff"`
	Failure *Failure `json:"failure,omitempty"`
}

// Failure names a seat that failed and why.
type Failure struct {
	Seat    string `json:"seat"`
	Cause   string `json:"cause"`
	Message string `json:"message"`
}

// Error answers a malformed or illegal action.
type Error struct {
	Type    string `json:"type" jsonschema:"enum=error"`
	Message string `json:"message"`
	// Field is the offending field's path (type, outcome.price, ...).
	Field string `json:"field,omitempty"`
	// Legal lists what the field may be.
	Legal []string `json:"legal,omitempty"`
	// ErrorsLeft is how many more errors the seat may make this session.
	ErrorsLeft int `json:"errors_left"`
}

// Action is a seat's answer to your_turn.
type Action struct {
	Type string `json:"type" jsonschema:"enum=offer,enum=accept,enum=reject,enum=end"`
	// Outcome is the offer (offer): issue id → value id, for every issue
	// of the phase.
	Outcome map[string]json.RawMessage `json:"outcome,omitempty"`
	// Text is free text for the public record.
	Text string `json:"text,omitempty"`
	// Party, if given, must be the seat's own.
	Party string `json:"party,omitempty"`
}
