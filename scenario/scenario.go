// Package scenario holds a negotiation scenario: its parties, issues and each
// party's preferences, with the sources its numbers rest on. It loads and
// validates parley's YAML/JSON format; the genius and geniusweb subpackages
// import the formats of those tools.
package scenario

import (
	"fmt"
	"math"
	"strconv"

	"github.com/parleyhq/parley/decision"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// Kind is the kind of an issue's values.
type Kind int

// Issue kinds.
const (
	Discrete Kind = iota // labelled options
	Integer              // every integer in [Min, Max]
	Real                 // Steps evenly spaced values in [Min, Max]
)

func (k Kind) String() string {
	switch k {
	case Discrete:
		return "discrete"
	case Integer:
		return "integer"
	case Real:
		return "real"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// DefaultRealSteps is how many values a real issue has when the scenario does
// not say: Genius's BidIterator also enumerates a real issue as 21 values.
const DefaultRealSteps = 21

// Scenario is a fully resolved, validated scenario.
type Scenario struct {
	Name        string
	Description string
	Sources     []Source
	Parties     []Party
	Issues      []Issue
	Warnings    []string // problems that do not stop use, e.g. an unreadable source
	// Defaults are the numbers and rules the file left out that enter a
	// figure, with the values used in their place (set by Parse).
	Defaults []Default

	// PublicUtilities makes each party's utility function, though not its
	// reservation value, known to the other parties, as the Automated
	// Negotiation League does: sessions then show them to the strategies
	// that use them (negotiator.Setup.Others). False keeps preferences
	// private, the rule everywhere else.
	PublicUtilities bool

	Guarantees []Guarantee
	Agenda     []Phase // in an order that respects every phase's After
	Meetings   []Meeting
	Events     []Event // by round, then in file order
	// Decision is how the negotiating parties agree on a deal (the zero
	// Rule: unanimity); its veto parties are scenario party indices, see
	// NegotiatorRule.
	Decision decision.Rule

	// Beliefs holds what the parties believe of each other, their stated
	// red lines and public stances; nil when the file has none (beliefs.go).
	Beliefs *Beliefs
}

// Guarantee discounts an issue's worth to its beneficiary by the
// probability that the chosen option's guarantors honour it.
type Guarantee struct {
	Issue       int
	Beneficiary int
	Baseline    int     // value index that guarantees nothing
	Guarantors  [][]int // per value index, the guarantor party indices
	Rule        string  // mean, any or all (utility.HonourProb)
}

// Phase is one phase of the agenda: its issues are settled together, after
// the phases in After are agreed.
type Phase struct {
	ID     string
	Issues []int
	After  []int // phase indices
}

// Meeting takes place only if every invitee accepts, each by its own rule.
type Meeting struct {
	ID       string
	Invitees []int
	Accept   []string // per invitee: always, never, zone, or a number
}

// Event changes one party at the start of a round.
type Event struct {
	Round            int
	Party            int
	Description      string
	ReservationShift float64
	Weights          []float64 // nil: unchanged
	DropRedLines     []string
}

// Source is a document the scenario's numbers cite.
type Source struct {
	ID    string
	Title string
	Path  string // a file, relative to the scenario file
	URL   string
	Date  string
}

// Party is a negotiating party (or mediator, guarantor, ...).
type Party struct {
	ID    string
	Name  string
	Role  Role
	Prefs Preferences

	// Capability and Positions feed forecast models: Capability is 0 and
	// Positions nil for a party that takes no stand. Positions has one
	// entry per issue; issues without a scale are zero.
	Capability float64
	Positions  []Position

	Leader  string   // who speaks for the party
	Members []Member // the actors the party speaks for (a coalition's members)

	RedLines     []utility.RedLine
	RedLineInfo  []RedLineInfo // description and source of each red line
	Credibility  float64       // probability of honouring a commitment
	Ratification *utility.Ratification
	DelayCost    float64 // utility lost per round without agreement
	Drift        float64 // change of the reservation value per round
}

// Disinterested reports whether the party has no interests of its own:
// every weight is 0, as for a chair who mediates without a stake in the
// outcome. Only a mediator may be; its strategy then sees no utility.
func (p *Party) Disinterested() bool {
	if len(p.Prefs.Terms) > 0 {
		return false
	}
	for _, w := range p.Prefs.Weights {
		if w != 0 {
			return false
		}
	}
	return len(p.Prefs.Weights) > 0
}

// Member is an actor a party speaks for.
type Member struct {
	ID     string
	Name   string
	Role   MemberRole
	Leader string
}

// RedLineInfo describes a red line for reports.
type RedLineInfo struct {
	Description string
	Quote       string
}

// Preferences are one party's additive preferences.
type Preferences struct {
	Weights     []float64           // one per issue
	Values      []utility.ValueFunc // one per issue
	Reservation float64
	Discount    float64 // 1 means no discounting
	// Terms add value to the outcomes they match, on top of the weighted
	// values (utility.Term): Genius's non-linear profiles are terms only.
	// Their Values are utilities, already weighted.
	Terms []utility.Term
}

// Issue is one negotiable question.
type Issue struct {
	ID      string
	Name    string
	Kind    Kind
	Options []Option // Discrete
	Min     float64  // Integer and Real
	Max     float64
	Steps   int    // Real: number of grid values
	Scale   *Scale // placement on 0–100 for forecast models, or nil
}

// Scale places an issue on a 0–100 scale.
type Scale struct {
	Anchors []Anchor
	Points  []float64 // the scale point of each value index
}

// Anchor labels a point of a scale.
type Anchor struct {
	Value float64
	Label string
}

// Position is a party's stand on a scaled issue.
type Position struct {
	Position float64 // on the issue's 0–100 scale
	Salience float64 // 0–100
}

// Option is one value of a discrete issue.
type Option struct {
	ID    string
	Label string
}

// Size is the number of values of the issue.
func (is *Issue) Size() int {
	switch is.Kind {
	case Discrete:
		return len(is.Options)
	case Integer:
		return int(is.Max-is.Min) + 1
	default:
		return is.Steps
	}
}

// Number is the numeric value of value index v (0 for discrete issues).
func (is *Issue) Number(v int) float64 {
	switch is.Kind {
	case Integer:
		return is.Min + float64(v)
	case Real:
		if is.Steps <= 1 {
			return is.Min
		}
		return is.Min + (is.Max-is.Min)*float64(v)/float64(is.Steps-1)
	}
	return 0
}

// Value returns the id of value index v: the option id, or the number.
func (is *Issue) Value(v int) string {
	if is.Kind == Discrete {
		return is.Options[v].ID
	}
	return strconv.FormatFloat(is.Number(v), 'g', -1, 64)
}

// Label returns a human-readable label for value index v.
func (is *Issue) Label(v int) string {
	if is.Kind == Discrete {
		if l := is.Options[v].Label; l != "" {
			return l
		}
		return is.Options[v].ID
	}
	return is.Value(v)
}

// Lookup returns the value index of id (an option id or a number), or -1.
func (is *Issue) Lookup(id string) int {
	if is.Kind == Discrete {
		for v, o := range is.Options {
			if o.ID == id {
				return v
			}
		}
		return -1
	}
	x, err := strconv.ParseFloat(id, 64)
	if err != nil || !(x >= is.Min && x <= is.Max) {
		return -1
	}
	// The nearest grid value, computed rather than searched: ranges can be long.
	v := int(math.Round(x - is.Min))
	if is.Kind == Real && is.Steps > 1 {
		v = int(math.Round((x - is.Min) / (is.Max - is.Min) * float64(is.Steps-1)))
	}
	if v >= 0 && v < is.Size() && math.Abs(is.Number(v)-x) <= 1e-9*math.Max(1, math.Abs(x)) {
		return v
	}
	return -1
}

// Space returns the scenario's outcome space.
func (s *Scenario) Space() outcome.Space {
	sizes := make([]int, len(s.Issues))
	for i := range s.Issues {
		sizes[i] = s.Issues[i].Size()
	}
	sp, err := outcome.NewSpace(sizes)
	if err != nil {
		panic(fmt.Sprintf("scenario: invalid space in a validated scenario: %v", err))
	}
	return sp
}

// Utility compiles party p's preferences into an additive utility function.
func (s *Scenario) Utility(p int) *utility.Additive {
	pr := &s.Parties[p].Prefs
	evals := make([][]float64, len(s.Issues))
	for i := range s.Issues {
		is := &s.Issues[i]
		e := make([]float64, is.Size())
		f := &pr.Values[i]
		for v := range e {
			e[v] = f.Eval(v, is.Number(v), is.Min, is.Max)
		}
		evals[i] = e
	}
	for _, g := range s.Guarantees {
		if g.Beneficiary != p {
			continue
		}
		e := evals[g.Issue]
		base := e[g.Baseline]
		for v, gs := range g.Guarantors {
			cred := make([]float64, len(gs))
			for k, q := range gs {
				cred[k] = s.Parties[q].Credibility
			}
			e[v] = base + (e[v]-base)*utility.HonourProb(g.Rule, cred)
		}
	}
	a := utility.NewAdditive(append([]float64(nil), pr.Weights...), evals, pr.Reservation, pr.Discount)
	a.RedLines = s.Parties[p].RedLines
	a.Terms = pr.Terms
	s.AddAudienceCosts(p, a)
	return a
}

// Utilities compiles every party's utility function, in party order.
func (s *Scenario) Utilities() []*utility.Additive {
	us := make([]*utility.Additive, len(s.Parties))
	for p := range s.Parties {
		us[p] = s.Utility(p)
	}
	return us
}

// PartyIndex returns the index of the party with the given id, or -1.
func (s *Scenario) PartyIndex(id string) int {
	for i := range s.Parties {
		if s.Parties[i].ID == id {
			return i
		}
	}
	return -1
}

// IssueIndex returns the index of the issue with the given id, or -1.
func (s *Scenario) IssueIndex(id string) int {
	for i := range s.Issues {
		if s.Issues[i].ID == id {
			return i
		}
	}
	return -1
}

// Labels returns issue id → value label for the outcome o.
func (s *Scenario) Labels(o []int) map[string]string {
	m := make(map[string]string, len(o))
	for i, v := range o {
		m[s.Issues[i].ID] = s.Issues[i].Label(v)
	}
	return m
}
