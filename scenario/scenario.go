// Package scenario holds a negotiation scenario: its parties, issues and each
// party's preferences, with the sources its numbers rest on. It loads and
// validates parley's YAML/JSON format; the genius and geniusweb subpackages
// import the formats of those tools.
package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

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

	// StatusQuo is what no agreement is, one value index per issue, or nil
	// when the file does not say. With it, each party's reservation value
	// (Preferences.Reservation) is its utility of this outcome, red lines
	// left out.
	StatusQuo []int

	// Calendar maps rounds to dates, or is nil.
	Calendar *Calendar
	// Deadline is the scenario's own deadline in rounds (0: none), which
	// parley run uses when it is given none.
	Deadline int

	// Influence, if not nil, moves the mediator's weights each round
	// toward the parties' (influence.go).
	Influence *Influence

	// Constraints are the combinations no deal may contain, for any
	// party (constraints.go).
	Constraints []Constraint
}

// Calendar maps rounds to dates: round 1 starts on Start, and each round
// lasts Days days.
type Calendar struct {
	Start time.Time
	Days  int
}

// Date is the date round r starts (round 0, before the first turn, is
// round 1's), as 2006-01-02; "" without a calendar.
func (c *Calendar) Date(r int) string {
	if c == nil {
		return ""
	}
	return c.Start.AddDate(0, 0, c.Days*max(r-1, 0)).Format(time.DateOnly)
}

// Round is the round date d falls in: 1 for the first Days days from
// Start, and so on; 0 for a date before Start.
func (c *Calendar) Round(d time.Time) int {
	days := int(d.Sub(c.Start).Hours() / 24)
	if days < 0 {
		return 0
	}
	return days/c.Days + 1
}

// Guarantee discounts an issue's worth to its beneficiaries by the
// probability that the chosen option's guarantors honour it: a guarantee,
// or any commitment whose worth rests on its author's word.
type Guarantee struct {
	Issue       int
	Beneficiary int     // the first of Beneficiaries
	Baseline    int     // value index that guarantees nothing
	Guarantors  [][]int // per value index, the guarantor party indices
	Rule        string  // mean, any or all (utility.HonourProb)
	// Members are, per value index, the coalition members that pledge it
	// besides the parties in Guarantors.
	Members [][]MemberRef

	// Beneficiaries are the parties that value the commitment.
	Beneficiaries []int
}

// Phase is one phase of the agenda: its issues are settled together, after
// the phases in After are agreed.
type Phase struct {
	ID     string
	Issues []int
	After  []int // phase indices
	// Stands: the phase binds on its own, so that its clauses stay in
	// force if a later phase fails; otherwise it is provisional and
	// nothing it agreed binds without the whole deal.
	Stands bool
	// SignedAt is the id of the meeting at which alone the phase can be
	// signed, or "" (MeetingIndex finds it).
	SignedAt string
}

// Meeting takes place only if every invitee accepts, each by its own rule,
// and the state of the talks allows it.
type Meeting struct {
	ID       string
	Invitees []int
	Accept   []string // per invitee: always, never, zone, or a number
	// Needs, if not nil, is the state the meeting needs: the clauses it
	// matches agreed and in force.
	Needs *utility.Constraint
	// Term, if not nil, makes the meeting a term of the deal: the issue
	// value that is this meeting. Without it the meeting is a step of the
	// talks.
	Term *Term
}

// Term is one value of one issue.
type Term struct {
	Issue, Value int
}

// MeetingIndex returns the index of the meeting with the given id, or -1.
func (s *Scenario) MeetingIndex(id string) int {
	for k := range s.Meetings {
		if s.Meetings[k].ID == id {
			return k
		}
	}
	return -1
}

// NeedsMet reports whether the state (see Party.Rates) allows meeting m:
// every clause it needs agreed and in force.
func (m *Meeting) NeedsMet(agreed []int, isAgreed []bool) bool {
	if m.Needs == nil {
		return true
	}
	r := StateRule{Agreed: *m.Needs}
	return r.Matches(agreed, isAgreed)
}

// PhaseOf returns the agenda phase of issue i: the index in Agenda, 0
// without an agenda.
func (s *Scenario) PhaseOf(i int) int {
	for k, ph := range s.Agenda {
		for _, j := range ph.Issues {
			if j == i {
				return k
			}
		}
	}
	return 0
}

// Event changes one party at the start of a round.
type Event struct {
	Round            int
	Party            int
	Description      string
	ReservationShift float64
	// DelayCost and Drift, if not nil, are the party's new rates while
	// nothing agreed is in force (sanctions that raise the cost of war).
	DelayCost, Drift *float64
	Weights          []float64 // nil: unchanged
	// Values are new values, applied in order: an option's value, or a
	// numeric issue's whole function.
	Values []ValueChange
	// Positions are new positions on scaled issues (forecast models), by
	// issue index.
	Positions    map[int]Position
	AddRedLines  []utility.RedLine
	AddInfo      []RedLineInfo // description and source of each added red line
	DropRedLines []string
	// Exclude: the party is excluded from the talks (its turns pass, the
	// agreement does not wait for it); Readmit: it returns.
	Exclude, Readmit bool

	file int // index in the file's events, for positions
}

// ValueChange is one change of a party's values: option Option of issue
// Issue takes Value, or, with Option -1, the issue's whole function is
// Func.
type ValueChange struct {
	Issue, Option int
	Value         float64
	Func          utility.ValueFunc
}

// ApplyEvent changes pa, a party of s or a copy of one, as e says: new
// weights, values, rates, positions, red lines added and dropped,
// exclusion; its reservation shift is left to the caller, which knows the
// shifts so far (AtRound).
func (s *Scenario) ApplyEvent(pa *Party, e *Event) {
	if e.Weights != nil {
		pa.Prefs.Weights = append([]float64(nil), e.Weights...)
	}
	if e.DelayCost != nil {
		pa.DelayCost = *e.DelayCost
	}
	if e.Drift != nil {
		pa.Drift = *e.Drift
	}
	if len(e.Values) > 0 {
		vs := append([]utility.ValueFunc(nil), pa.Prefs.Values...)
		for _, c := range e.Values {
			if c.Option < 0 {
				vs[c.Issue] = c.Func
				continue
			}
			f := vs[c.Issue]
			f.Values = append([]float64(nil), f.Values...)
			f.Values[c.Option] = c.Value
			vs[c.Issue] = f
		}
		pa.Prefs.Values = vs
	}
	if len(e.Positions) > 0 {
		ps := append([]Position(nil), pa.Positions...)
		for i, x := range e.Positions {
			ps[i] = x
		}
		pa.Positions = ps
	}
	if len(e.AddRedLines) > 0 || len(e.DropRedLines) > 0 {
		var lines []utility.RedLine
		var info []RedLineInfo
		for k, rl := range pa.RedLines {
			if !slices.Contains(e.DropRedLines, rl.ID) {
				lines = append(lines, rl)
				if k < len(pa.RedLineInfo) {
					info = append(info, pa.RedLineInfo[k])
				}
			}
		}
		pa.RedLines = append(lines, e.AddRedLines...)
		pa.RedLineInfo = append(info, e.AddInfo...)
	}
	switch {
	case e.Exclude:
		pa.Excluded = true
	case e.Readmit:
		pa.Excluded = false
	}
}

// UtilityOf compiles the preferences of pa, party p of s or a changed
// copy of it (ApplyEvent), as Utility does: guarantees to p discounted by
// their guarantors' credibility, audience costs subtracted, red lines
// attached (its own, then the scenario's constraints), conditional values
// as terms. Its reservation value
// is pa's (the caller adds shifts, or values the status quo anew).
//
// A coalition whose members have preferences accepts by their rule
// (utility.Panel), and every party needs the consent of the guarantors a
// deal names (utility.Consent): see coalition.go.
func (s *Scenario) UtilityOf(p int, pa *Party) *utility.Additive {
	a := s.ownUtility(p, pa)
	a.Consents = s.consents(p)
	return a
}

// ownUtility is UtilityOf without the consents of guarantors: what party
// p accepts by its own preferences and, for a coalition, its members'
// rule. A guarantor decides its consent by it.
func (s *Scenario) ownUtility(p int, pa *Party) *utility.Additive {
	a := s.partyUtility(p, pa)
	s.AddAudienceCosts(p, a)
	a.RedLines = s.withConstraints(pa.RedLines)
	a.Panel = s.panel(p, pa)
	return a
}

// withConstraints are red lines rl followed by the scenario's constraints,
// which remove outcomes for everyone: the last red lines of every party.
func (s *Scenario) withConstraints(rl []utility.RedLine) []utility.RedLine {
	if len(s.Constraints) == 0 {
		return rl
	}
	return append(append([]utility.RedLine(nil), rl...), s.ConstraintLines()...)
}

// compile compiles preferences pr of party p, or of one of its members,
// into an additive utility without red lines or audience costs: guarantees
// to p discounted by their guarantors' credibility, conditional values as
// terms.
func (s *Scenario) compile(p int, pr *Preferences) *utility.Additive {
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
	for i := range evals {
		s.discount(p, i, evals[i])
	}
	a := utility.NewAdditive(append([]float64(nil), pr.Weights...), evals, pr.Reservation, pr.Discount)
	a.Terms = pr.Terms
	if len(pr.Given) > 0 {
		a.Terms = append(append([]utility.Term(nil), pr.Terms...), s.givenTerms(p, pr, func(i int, row []float64) { s.discount(p, i, row) })...)
	}
	return a
}

// discount discounts row, party p's evaluations of issue i's values, by
// the guarantees of that issue to p: each option's worth above the
// baseline's, by the probability that its guarantors honour it.
func (s *Scenario) discount(p, i int, row []float64) {
	for _, g := range s.Guarantees {
		if g.Issue != i || !g.benefits(p) {
			continue
		}
		base := row[g.Baseline]
		for v := range g.Guarantors {
			cred := s.GuarantorCredibility(&g, v) // parties, then members
			row[v] = base + (row[v]-base)*utility.HonourProb(g.Rule, cred)
		}
	}
}

// StatusQuoValue is what the status quo is worth to party p with
// preferences pa: its utility of that outcome, red lines and audience
// costs left out (no deal moves a party off its public stance).
func (s *Scenario) StatusQuoValue(p int, pa *Party) float64 {
	return s.partyUtility(p, pa).Raw(s.StatusQuo)
}

// AtRound returns s as the scheduled events up to round r leave it: each
// party's preferences, positions, red lines and exclusion changed, and
// its reservation value shifted (with a status quo, the status quo valued
// anew by its new preferences, then shifted). The rest is shared with s;
// forecasts and analyses of a later moment of the talks use it.
//
// With mediator_influence the mediator's weights are those of round r
// (MediatorWeights).
func (s *Scenario) AtRound(r int) *Scenario {
	n := 0
	for n < len(s.Events) && s.Events[n].Round <= r {
		n++
	}
	return s.after(n, s.MediatorWeights(r))
}

// AfterEvents returns s as its first n scheduled events leave it, as
// AtRound does, the mediator's influence aside: sessions, which apply
// events one at a time and the influence round by round.
func (s *Scenario) AfterEvents(n int) *Scenario { return s.after(n, nil) }

// after is AtRound after the first n events, with the mediator's weights
// w (nil: as the events leave them).
func (s *Scenario) after(n int, w []float64) *Scenario {
	c := *s
	c.Parties = slices.Clone(s.Parties)
	c.Events = append([]Event(nil), s.Events[n:]...)
	shift := make([]float64, len(s.Parties))
	for k := range s.Events[:n] {
		e := &s.Events[k]
		s.ApplyEvent(&c.Parties[e.Party], e)
		shift[e.Party] += e.ReservationShift
	}
	if w != nil {
		c.Parties[s.MediatorIndex()].Prefs.Weights = w
	}
	for p := range c.Parties {
		pa := &c.Parties[p]
		if s.StatusQuo != nil && !pa.Disinterested() {
			pa.Prefs.Reservation = c.StatusQuoValue(p, pa)
		}
		pa.Prefs.Reservation += shift[p]
		c.fallbackMembers(p, pa, shift[p])
	}
	return &c
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
	DelayCost    float64 // utility lost per round while nothing agreed is in force
	Drift        float64 // change of the reservation value per round, likewise
	// While are the delay cost and drift in other states of the talks: the
	// first rule whose clauses are agreed and in force applies (Rates).
	While []StateRule

	// Excluded: the party is out of the talks (an event excluded it and
	// none readmitted it yet).
	Excluded bool

	// StatedReservation is the reservation value the file states when a
	// status quo replaces it with a different one (nil otherwise):
	// validation warns, and analyses note it.
	StatedReservation *float64

	// Decides is how the party accepts a deal when some of its members
	// have preferences of their own (Voters); its Prefs are then their
	// weighted mean (coalition.go).
	Decides Decides
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

// StateRule is a party's delay cost and drift while the clauses Agreed
// matches are agreed and in force.
type StateRule struct {
	Agreed    utility.Constraint
	DelayCost float64
	Drift     float64
}

// Rates returns the party's delay cost and drift per round in a state of
// the talks: isAgreed[i] says whether issue i is agreed and in force, and
// agreed[i] its value. The first While rule that the state matches applies
// (every issue it names agreed, with one of its values); in any other
// state, the party's own DelayCost and Drift.
func (p *Party) Rates(agreed []int, isAgreed []bool) (cost, drift float64) {
	for k := range p.While {
		if p.While[k].Matches(agreed, isAgreed) {
			return p.While[k].DelayCost, p.While[k].Drift
		}
	}
	return p.DelayCost, p.Drift
}

// Matches reports whether the state (see Party.Rates) has every issue the
// rule names agreed, with one of the values it lists.
func (r *StateRule) Matches(agreed []int, isAgreed []bool) bool {
	for k, i := range r.Agreed.Issues {
		if !isAgreed[i] || !r.Agreed.Allowed[k][agreed[i]] {
			return false
		}
	}
	return true
}

// Member is an actor a party speaks for.
type Member struct {
	ID     string
	Name   string
	Role   MemberRole
	Leader string

	// Prefs, when not nil, are the member's own preferences: it then votes
	// in its coalition's decisions, with vote share Weight, and its
	// utility enters the coalition's mean (coalition.go).
	Prefs       *Preferences
	Weight      float64
	RedLines    []utility.RedLine
	RedLineInfo []RedLineInfo
	// Credibility is the probability that the member honours a guarantee
	// it gives: its own, or its coalition's.
	Credibility float64
	// StatedReservation is the reservation value the file states when a
	// status quo replaces it with a different one (nil otherwise).
	StatedReservation *float64
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
	// Given are conditional values (given: in a value table): UtilityOf
	// compiles them into terms after Terms, weighted and discounted as
	// the table is.
	Given []Given
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
func (s *Scenario) Utility(p int) *utility.Additive { return s.UtilityOf(p, &s.Parties[p]) }

// Utilities compiles every party's utility function, in party order.
func (s *Scenario) Utilities() []*utility.Additive {
	us := make([]*utility.Additive, len(s.Parties))
	for p := range s.Parties {
		us[p] = s.Utility(p)
	}
	return us
}

// Package returns s with every issue negotiated at once, so that nothing
// agreed is in force before the whole deal (talks during the war, when the
// agenda puts a truce first): no agenda, or, when the agenda's last phase
// is signed at a meeting, one phase with every issue signed there. The
// rest is shared with s.
func (s *Scenario) Package() *Scenario {
	c := *s
	c.Agenda = nil
	if n := len(s.Agenda); n > 0 && s.Agenda[n-1].SignedAt != "" {
		all := make([]int, len(s.Issues))
		for i := range all {
			all[i] = i
		}
		c.Agenda = []Phase{{ID: "package", Issues: all, SignedAt: s.Agenda[n-1].SignedAt}}
	}
	return &c
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
