package scenario

import (
	"fmt"
	"math"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/diag"
)

// FormatVersion is the version of the scenario format this package reads and writes.
const FormatVersion = 1

// File is the on-disk form of a scenario, in YAML or JSON. Field names are
// the keys of the format; unknown keys are errors.
type File struct {
	Parley      int         `yaml:"parley" json:"parley" jsonschema:"enum=1" jsonschema_description:"Format version: 1."`
	Name        string      `yaml:"name" json:"name"`
	Description string      `yaml:"description,omitempty" json:"description,omitempty"`
	Sources     []SourceDef `yaml:"sources,omitempty" json:"sources,omitempty" jsonschema_description:"Documents that values cite by id."`
	Issues      []IssueDef  `yaml:"issues" json:"issues"`
	Parties     []PartyDef  `yaml:"parties" json:"parties"`

	Guarantees []GuaranteeDef `yaml:"guarantees,omitempty" json:"guarantees,omitempty" jsonschema_description:"Issues whose worth to a beneficiary depends on guarantors honouring them."`
	Agenda     []PhaseDef     `yaml:"agenda,omitempty" json:"agenda,omitempty" jsonschema_description:"Phases of the talks; a phase opens only after the phases it comes after are agreed."`
	Mediator   string         `yaml:"mediator,omitempty" json:"mediator,omitempty" jsonschema_description:"Id of the party that mediates."`
	Meetings   []MeetingDef   `yaml:"meetings,omitempty" json:"meetings,omitempty" jsonschema_description:"Meetings that take place only if every invitee accepts."`
	Events     []EventDef     `yaml:"events,omitempty" json:"events,omitempty" jsonschema_description:"Scheduled changes to a party's position: pressure, sanctions, momentum."`
	Decision   *DecisionDef   `yaml:"decision,omitempty" json:"decision,omitempty" jsonschema_description:"How the parties agree on a deal: unanimity (default), or a quorum that must include veto parties."`

	// What the parties believe of each other and say in public (beliefs.go).
	Beliefs []BeliefDef `yaml:"beliefs,omitempty" json:"beliefs,omitempty" jsonschema_description:"What a party believes about another: its reservation value, weights and red lines, as weighted types or ranges."`
	Stances []StanceDef `yaml:"stances,omitempty" json:"stances,omitempty" jsonschema_description:"Public stances: a deal that departs from one costs its party an audience cost."`

	StatusQuo *StatusQuoDef `yaml:"status_quo,omitempty" json:"status_quo,omitempty" jsonschema_description:"What no agreement is: an outcome, every issue given; each party's reservation value is its utility of it."`
	Calendar  *CalendarDef  `yaml:"calendar,omitempty" json:"calendar,omitempty" jsonschema_description:"Maps rounds to dates: round 1 starts on start, each round lasts round (1d, 2w, ...)."`
	Deadline  *DeadlineDef  `yaml:"deadline,omitempty" json:"deadline,omitempty" jsonschema_description:"The scenario's own deadline, which parley run uses by default: a date (with a calendar) or {rounds: N}."`

	MediatorInfluence *InfluenceDef `yaml:"mediator_influence,omitempty" json:"mediator_influence,omitempty" jsonschema_description:"Each round the mediator's weights move toward the parties' weights, each party pulling in proportion to its capability."`

	Constraints []ConstraintDef `yaml:"constraints,omitempty" json:"constraints,omitempty" jsonschema_description:"Combinations of clauses that are incoherent whoever prefers them: no deal may contain one, for any party."`
}

// ConstraintDef is a combination of clauses no deal may contain, whoever
// prefers it (a guarantee without the troops that back it): it removes
// outcomes for every party, where a red line speaks for one.
type ConstraintDef struct {
	ID          string      `yaml:"id" json:"id"`
	Description string      `yaml:"description,omitempty" json:"description,omitempty"`
	Forbid      Match       `yaml:"forbid" json:"forbid" jsonschema_description:"Deals matching this (every listed issue at one of its listed values) cannot be agreed."`
	Source      *Citation   `yaml:"source,omitempty" json:"source,omitempty"`
	Assumption  *Assumption `yaml:"assumption,omitempty" json:"assumption,omitempty" jsonschema_description:"Why the combination is incoherent, when no source says so (no range: it is not a number)."`
}

// CalendarDef maps rounds to dates: round 1 starts on Start, and each
// round lasts Round ("1d", "3d", "1w", "2 weeks").
type CalendarDef struct {
	Start      string      `yaml:"start" json:"start" jsonschema_description:"The date round 1 starts, as 2006-01-02."`
	Round      string      `yaml:"round" json:"round" jsonschema_description:"How long a round lasts: a number of days or weeks, as 1d, 3d, 1w, 2 weeks."`
	Source     *Citation   `yaml:"source,omitempty" json:"source,omitempty"`
	Assumption *Assumption `yaml:"assumption,omitempty" json:"assumption,omitempty"`
}

// DeadlineDef is the scenario's deadline: a date (written plainly, or as
// {date, source|assumption}) or a number of rounds.
type DeadlineDef struct {
	Date       string      `yaml:"date,omitempty" json:"date,omitempty" jsonschema_description:"The last day of talks, as 2006-01-02 (needs a calendar)."`
	Rounds     int         `yaml:"rounds,omitempty" json:"rounds,omitempty" jsonschema_description:"The deadline in rounds."`
	Source     *Citation   `yaml:"source,omitempty" json:"source,omitempty"`
	Assumption *Assumption `yaml:"assumption,omitempty" json:"assumption,omitempty"`
}

type deadlineFields DeadlineDef // DeadlineDef without its methods, for decoding

// UnmarshalYAML reads a plain date or the mapping.
func (d *DeadlineDef) UnmarshalYAML(node ast.Node) error {
	if sn, ok := node.(*ast.StringNode); ok {
		*d = DeadlineDef{Date: sn.Value}
		return nil
	}
	var f deadlineFields
	if err := decodeNode(node, &f); err != nil {
		return err
	}
	*d = DeadlineDef(f)
	return nil
}

// MarshalYAML writes a plain date when there is nothing else to say.
func (d DeadlineDef) MarshalYAML() (any, error) {
	if d.Date != "" && d.Rounds == 0 && d.Source == nil && d.Assumption == nil {
		return d.Date, nil
	}
	return deadlineFields(d), nil
}

// StatusQuoDef is the world without a deal: an outcome (issue id to option
// id or number, every issue given) with where it comes from. Each party's
// disagreement value is its utility of this outcome (red lines left out:
// they are about deals, not about the world as it is).
type StatusQuoDef struct {
	Outcome    map[string]string `yaml:"outcome" json:"outcome" jsonschema_description:"Issue id to the value the issue takes without a deal: an option id or a number."`
	Source     *Citation         `yaml:"source,omitempty" json:"source,omitempty"`
	Assumption *Assumption       `yaml:"assumption,omitempty" json:"assumption,omitempty"`
}

// SourceDef names a document that quotes in the scenario come from.
type SourceDef struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	Path  string `yaml:"path,omitempty" json:"path,omitempty" jsonschema_description:"File holding the document's text, relative to the scenario file; quotes are checked against it."`
	URL   string `yaml:"url,omitempty" json:"url,omitempty"`
	Date  string `yaml:"date,omitempty" json:"date,omitempty"`
}

// IssueDef is one issue: exactly one of Options, Integer and Real.
type IssueDef struct {
	ID          string      `yaml:"id" json:"id"`
	Name        string      `yaml:"name,omitempty" json:"name,omitempty"`
	Description string      `yaml:"description,omitempty" json:"description,omitempty"`
	Options     []OptionDef `yaml:"options,omitempty" json:"options,omitempty"`
	Integer     *IntRange   `yaml:"integer,omitempty" json:"integer,omitempty"`
	Real        *RealRange  `yaml:"real,omitempty" json:"real,omitempty"`
	Scale       *ScaleDef   `yaml:"scale,omitempty" json:"scale,omitempty" jsonschema_description:"Places the issue on a 0-100 scale for forecast models."`
}

// ScaleDef places an issue on a 0–100 scale: labelled anchor points, and for
// a discrete issue the point of each option. A numeric issue's range maps
// linearly onto 0–100 unless options says otherwise.
type ScaleDef struct {
	Anchors []AnchorDef       `yaml:"anchors,omitempty" json:"anchors,omitempty"`
	Options map[string]Number `yaml:"options,omitempty" json:"options,omitempty" jsonschema_description:"Option id to its point on the 0-100 scale (discrete issues)."`
}

// AnchorDef labels one point of a 0–100 scale.
type AnchorDef struct {
	Value float64 `yaml:"value" json:"value"`
	Label string  `yaml:"label" json:"label"`
}

// PositionDef is a party's stand on a scaled issue, for forecast models.
type PositionDef struct {
	Position Number `yaml:"position" json:"position" jsonschema_description:"The outcome the party advocates, on the issue's 0-100 scale."`
	Salience Number `yaml:"salience" json:"salience" jsonschema_description:"How much the issue matters to the party, 0-100; a party's saliences sum to at most 100."`
}

// OptionDef is one option of a discrete issue.
type OptionDef struct {
	ID    string `yaml:"id" json:"id"`
	Label string `yaml:"label,omitempty" json:"label,omitempty"`
}

// IntRange is the range of an integer issue, both ends included.
type IntRange struct {
	Min int64 `yaml:"min" json:"min"`
	Max int64 `yaml:"max" json:"max"`
}

// RealRange is the range of a real issue, enumerated as Steps evenly spaced values.
type RealRange struct {
	Min   float64 `yaml:"min" json:"min"`
	Max   float64 `yaml:"max" json:"max"`
	Steps int     `yaml:"steps,omitempty" json:"steps,omitempty" jsonschema_description:"Number of values the range is enumerated as (default 21)."`
}

// PartyDef is one party and its preferences.
type PartyDef struct {
	ID          string                 `yaml:"id" json:"id"`
	Name        string                 `yaml:"name,omitempty" json:"name,omitempty"`
	Role        string                 `yaml:"role,omitempty" json:"role,omitempty" jsonschema:"enum=party,enum=mediator,enum=guarantor,enum=coalition"`
	Reservation *Number                `yaml:"reservation,omitempty" json:"reservation,omitempty" jsonschema_description:"Utility of no agreement in [0,1] (default 0)."`
	Discount    *Number                `yaml:"discount,omitempty" json:"discount,omitempty" jsonschema_description:"Discount factor d in (0,1]; utility at normalised time t is u*d^t (default 1)."`
	Weights     map[string]Number      `yaml:"weights,omitempty" json:"weights,omitempty" jsonschema_description:"Issue id to weight in [0,1]; weights sum to 1."`
	Values      map[string]ValueDef    `yaml:"values,omitempty" json:"values,omitempty" jsonschema_description:"Issue id to value function."`
	Capability  *Number                `yaml:"capability,omitempty" json:"capability,omitempty" jsonschema_description:"Power to affect the outcome (any positive scale), for forecast models."`
	Positions   map[string]PositionDef `yaml:"positions,omitempty" json:"positions,omitempty" jsonschema_description:"Scaled issue id to the party's position and salience, for forecast models."`

	Leader  string      `yaml:"leader,omitempty" json:"leader,omitempty" jsonschema_description:"Who speaks for the party, as the sources name them."`
	Members []MemberDef `yaml:"members,omitempty" json:"members,omitempty" jsonschema_description:"The actors a coalition (or any party) speaks for: states, leaders, organisations."`

	RedLines     []RedLineDef     `yaml:"red_lines,omitempty" json:"red_lines,omitempty" jsonschema_description:"Hard constraints: outcomes the party rejects whatever their utility."`
	Credibility  *Number          `yaml:"credibility,omitempty" json:"credibility,omitempty" jsonschema_description:"Probability in [0,1] that the party honours a commitment; derived from commitments when absent."`
	Commitments  []CommitmentDef  `yaml:"commitments,omitempty" json:"commitments,omitempty" jsonschema_description:"The party's record of commitments kept and broken."`
	Ratification *RatificationDef `yaml:"ratification,omitempty" json:"ratification,omitempty" jsonschema_description:"A deal binds the party only if its constituency ratifies it."`
	DelayCost    *Number          `yaml:"delay_cost,omitempty" json:"delay_cost,omitempty" jsonschema_description:"Utility lost per round without agreement."`
	Drift        *Number          `yaml:"reservation_drift,omitempty" json:"reservation_drift,omitempty" jsonschema_description:"Change of the reservation value per round (momentum)."`
	While        []WhileDef       `yaml:"while,omitempty" json:"while,omitempty" jsonschema_description:"Delay cost and drift in other states of the talks: the first entry whose clauses are agreed and in force applies."`

	Decides *DecidesDef `yaml:"decides,omitempty" json:"decides,omitempty" jsonschema_description:"How a coalition whose members have preferences accepts a deal: unanimity (default), leader, weighted, {leader: member id} or {qualified_majority: {share}}."`
}

// WhileDef is the delay cost and drift of a party while certain clauses are
// agreed and in force (a truce stops the war's costs). A field left out
// keeps the party's own value.
type WhileDef struct {
	Agreed    Match   `yaml:"agreed" json:"agreed" jsonschema_description:"The state: every listed issue agreed, with one of the listed values."`
	DelayCost *Number `yaml:"delay_cost,omitempty" json:"delay_cost,omitempty" jsonschema_description:"Utility lost per round in this state (default: the party's delay_cost)."`
	Drift     *Number `yaml:"reservation_drift,omitempty" json:"reservation_drift,omitempty" jsonschema_description:"Change of the reservation value per round in this state (default: the party's reservation_drift)."`
}

// MemberDef is an actor that a party speaks for: a member of a coalition,
// or an organisation that takes part through it.
type MemberDef struct {
	ID     string    `yaml:"id" json:"id"`
	Name   string    `yaml:"name,omitempty" json:"name,omitempty"`
	Role   string    `yaml:"role,omitempty" json:"role,omitempty" jsonschema:"enum=member,enum=guarantor,enum=observer" jsonschema_description:"member (default), guarantor or observer."`
	Leader string    `yaml:"leader,omitempty" json:"leader,omitempty" jsonschema_description:"Who speaks for it, as the sources name them."`
	Source *Citation `yaml:"source,omitempty" json:"source,omitempty"`

	// A member with preferences of its own (weights and values) votes in
	// its coalition's decisions, and its utility enters the coalition's.
	Weight      *Number             `yaml:"weight,omitempty" json:"weight,omitempty" jsonschema_description:"The member's vote share, in its coalition's decisions and in the coalition's mean utility (default 1: equal shares). Needs preferences."`
	Reservation *Number             `yaml:"reservation,omitempty" json:"reservation,omitempty" jsonschema_description:"The member's utility of no agreement in [0,1] (default 0; with a status quo, its utility of it)."`
	Credibility *Number             `yaml:"credibility,omitempty" json:"credibility,omitempty" jsonschema_description:"Probability in [0,1] that the member honours a guarantee it gives (default: its coalition's)."`
	Weights     map[string]Number   `yaml:"weights,omitempty" json:"weights,omitempty" jsonschema_description:"Issue id to the member's weight in [0,1]; weights sum to 1."`
	Values      map[string]ValueDef `yaml:"values,omitempty" json:"values,omitempty" jsonschema_description:"Issue id to the member's value function."`
	RedLines    []RedLineDef        `yaml:"red_lines,omitempty" json:"red_lines,omitempty" jsonschema_description:"Outcomes the member rejects whatever their utility: its no in its coalition's vote."`
}

// Match names, per issue id, the values an outcome must take to match; an
// outcome matches when every listed issue takes one of its listed values.
type Match map[string][]string

// RedLineDef is a hard constraint of one party.
type RedLineDef struct {
	ID          string      `yaml:"id" json:"id"`
	Description string      `yaml:"description,omitempty" json:"description,omitempty"`
	Forbid      Match       `yaml:"forbid" json:"forbid" jsonschema_description:"Outcomes matching this are unacceptable to the party."`
	Bluff       bool        `yaml:"bluff,omitempty" json:"bluff,omitempty" jsonschema_description:"The party states this red line but does not hold it (beliefs.go)."`
	Credibility *Number     `yaml:"credibility,omitempty" json:"credibility,omitempty" jsonschema_description:"Probability the other parties give the red line of being real (default 1)."`
	Source      *Citation   `yaml:"source,omitempty" json:"source,omitempty"`
	Assumption  *Assumption `yaml:"assumption,omitempty" json:"assumption,omitempty"`
}

// CommitmentDef is one entry of a party's record.
type CommitmentDef struct {
	What   string    `yaml:"what" json:"what"`
	Year   int       `yaml:"year,omitempty" json:"year,omitempty"`
	Kept   bool      `yaml:"kept" json:"kept"`
	Source *Citation `yaml:"source,omitempty" json:"source,omitempty"`
}

// VotersDef describes voters' own reservation utilities as a normal distribution.
type VotersDef struct {
	Mean Number `yaml:"mean" json:"mean"`
	SD   Number `yaml:"sd" json:"sd"`
}

// GuaranteeDef makes an issue a guarantee: its worth to the beneficiary is
// discounted by the probability that the guarantors of the chosen option
// honour it.
type GuaranteeDef struct {
	Issue       string              `yaml:"issue" json:"issue"`
	Beneficiary string              `yaml:"beneficiary,omitempty" json:"beneficiary,omitempty" jsonschema_description:"The party that values the commitment (or give beneficiaries)."`
	Baseline    string              `yaml:"baseline" json:"baseline" jsonschema_description:"The option that guarantees nothing; its value is what an unhonoured pledge is worth."`
	Guarantors  map[string][]string `yaml:"guarantors" json:"guarantors" jsonschema_description:"Option id to the ids of the parties or coalition members that pledge it; each must accept a deal that names it."`
	Rule        string              `yaml:"rule,omitempty" json:"rule,omitempty" jsonschema:"enum=mean,enum=any,enum=all" jsonschema_description:"How guarantors' credibilities combine (default mean)."`

	// Beneficiaries are the parties that value the commitment, when it is
	// more than one: Russia's law is worth something to Ukraine and to
	// Europe, each discounted by Russia's credibility.
	Beneficiaries []string `yaml:"beneficiaries,omitempty" json:"beneficiaries,omitempty" jsonschema_description:"The parties that value the commitment, each discounting it by its guarantors' credibility (instead of beneficiary)."`
}

// PhaseDef is one phase of the agenda.
type PhaseDef struct {
	ID     string   `yaml:"id" json:"id"`
	Issues []string `yaml:"issues" json:"issues"`
	After  []string `yaml:"after,omitempty" json:"after,omitempty" jsonschema_description:"Phases that must be agreed before this one opens."`
	Stands bool     `yaml:"stands,omitempty" json:"stands,omitempty" jsonschema_description:"The phase binds on its own: if a later phase fails, its clauses stay in force (default: provisional). Needs status_quo."`
	// SignedAt names a meeting at which alone the phase can be signed: if
	// the meeting does not take place, the phase cannot close.
	SignedAt string    `yaml:"signed_at,omitempty" json:"signed_at,omitempty" jsonschema_description:"Id of the meeting at which alone the phase can be signed; if it does not take place when the phase is about to close, the phase fails."`
	Source   *Citation `yaml:"source,omitempty" json:"source,omitempty"`
}

// MeetingDef is a meeting that takes place only if every invitee accepts.
type MeetingDef struct {
	ID       string            `yaml:"id" json:"id"`
	Invitees []string          `yaml:"invitees" json:"invitees"`
	Accept   map[string]string `yaml:"accept,omitempty" json:"accept,omitempty" jsonschema_description:"Invitee id to its rule: always, never, zone (only if a zone of agreement exists) or a number (only if its utility at the predicted deal reaches it). Default: always."`
	// Needs is the state the meeting needs: it can take place only while
	// these clauses are agreed and in force.
	Needs Match `yaml:"needs,omitempty" json:"needs,omitempty" jsonschema_description:"The meeting can take place only while these clauses are agreed and in force (issue id to values)."`
	// Term makes the meeting a term of the deal: one issue and the value
	// that is this meeting. A deal with that value is feasible only if
	// the meeting would take place; a deal without it holds no meeting.
	Term   map[string]string `yaml:"term,omitempty" json:"term,omitempty" jsonschema_description:"The meeting is this term of the deal (one issue id to one value): deals with it are feasible only if the meeting takes place."`
	Source *Citation         `yaml:"source,omitempty" json:"source,omitempty"`
}

// EventDef is a scheduled change to one party at a given round (or date,
// with a calendar).
type EventDef struct {
	Round        int                    `yaml:"round" json:"round" jsonschema_description:"The round at whose start the event happens (0: before the first turn)."`
	Date         string                 `yaml:"date,omitempty" json:"date,omitempty" jsonschema_description:"Instead of round: the date, as 2006-01-02 (needs a calendar); the event happens at the start of the round that date falls in."`
	Party        string                 `yaml:"party" json:"party"`
	Description  string                 `yaml:"description,omitempty" json:"description,omitempty"`
	Reservation  *Number                `yaml:"reservation_shift,omitempty" json:"reservation_shift,omitempty" jsonschema_description:"Added to the party's reservation value."`
	DelayCost    *Number                `yaml:"delay_cost,omitempty" json:"delay_cost,omitempty" jsonschema_description:"The party's new delay cost while nothing agreed is in force (its while: states keep theirs)."`
	Drift        *Number                `yaml:"reservation_drift,omitempty" json:"reservation_drift,omitempty" jsonschema_description:"The party's new reservation drift while nothing agreed is in force."`
	Weights      map[string]Number      `yaml:"weights,omitempty" json:"weights,omitempty" jsonschema_description:"New weights for the party (all issues, summing to 1)."`
	Values       map[string]ValueDef    `yaml:"values,omitempty" json:"values,omitempty" jsonschema_description:"New values: per issue, the options whose value changes (issues with options), or a whole new shape (numeric issues)."`
	Positions    map[string]PositionDef `yaml:"positions,omitempty" json:"positions,omitempty" jsonschema_description:"New positions and saliences on scaled issues, for forecast models."`
	AddRedLines  []RedLineDef           `yaml:"add_red_lines,omitempty" json:"add_red_lines,omitempty" jsonschema_description:"Red lines the party draws from this round on."`
	DropRedLines []string               `yaml:"drop_red_lines,omitempty" json:"drop_red_lines,omitempty"`
	Exclude      bool                   `yaml:"exclude,omitempty" json:"exclude,omitempty" jsonschema_description:"The party is excluded from the talks: its turns pass and the agreement does not wait for it."`
	Readmit      bool                   `yaml:"readmit,omitempty" json:"readmit,omitempty" jsonschema_description:"An excluded party returns to the talks."`
	Source       *Citation              `yaml:"source,omitempty" json:"source,omitempty"`
	Assumption   *Assumption            `yaml:"assumption,omitempty" json:"assumption,omitempty"`
}

// Number is a number that may carry where it comes from: either a plain
// number, or a mapping {value, source: {document, quote}} or
// {value, assumption: {why, range: [lo, hi]}}, or both when the source is
// marked direction_only (the quote gives the direction, the assumption the
// size).
type Number struct {
	Value      float64     `yaml:"value" json:"value"`
	Source     *Citation   `yaml:"source,omitempty" json:"source,omitempty"`
	Assumption *Assumption `yaml:"assumption,omitempty" json:"assumption,omitempty"`
}

// Citation ties a value to a verbatim quote from one of the scenario's sources.
type Citation struct {
	Document string `yaml:"document" json:"document"`
	Quote    string `yaml:"quote" json:"quote"`
	Note     string `yaml:"note,omitempty" json:"note,omitempty"`
	// DirectionOnly says that the quote gives only the number's direction
	// (which option is best, which issue weighs most), not its size: the
	// number then also carries an assumption with a range for the size,
	// which sensitivity analysis samples like any other.
	DirectionOnly bool `yaml:"direction_only,omitempty" json:"direction_only,omitempty" jsonschema_description:"The quote gives only the number's direction; its size is the number's assumption (with a range)."`
}

// Assumption marks a value the sources do not give: why it was chosen and
// the range of plausible values (used by sensitivity analysis).
type Assumption struct {
	Why   string    `yaml:"why" json:"why"`
	Range []float64 `yaml:"range,omitempty" json:"range,omitempty"`
}

// N returns a plain Number.
func N(v float64) Number { return Number{Value: v} }

type numberFields Number // Number without its methods, for decoding

// UnmarshalYAML reads a plain number or an annotated mapping.
func (n *Number) UnmarshalYAML(node ast.Node) error {
	switch nd := node.(type) {
	case *ast.FloatNode:
		*n = Number{Value: nd.Value}
		return nil
	case *ast.NanNode:
		*n = Number{Value: math.NaN()}
		return nil
	case *ast.InfinityNode:
		*n = Number{Value: nd.Value}
		return nil
	case *ast.IntegerNode:
		switch x := nd.Value.(type) {
		case int64:
			*n = Number{Value: float64(x)}
		case uint64:
			*n = Number{Value: float64(x)}
		default:
			v, err := strconv.ParseFloat(nd.GetToken().Value, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", nd.GetToken().Value)
			}
			*n = Number{Value: v}
		}
		return nil
	case *ast.MappingNode, *ast.MappingValueNode:
		var f numberFields
		if err := decodeNode(node, &f); err != nil {
			return err
		}
		*n = Number(f)
		return nil
	}
	return fmt.Errorf("expected a number or {value, source|assumption}, found %s", describe(node))
}

// MarshalYAML writes a plain number when there is nothing to annotate.
func (n Number) MarshalYAML() (any, error) {
	if n.Source == nil && n.Assumption == nil {
		return n.Value, nil
	}
	return numberFields(n), nil
}

// ValueDef is a party's value function for one issue. For a discrete issue
// it maps option ids to values in [0,1]; for a numeric issue it holds one
// shape: linear {at_min, at_max} or {offset, slope, origin}, triangular
// {peak, at_min, at_max} or peaked {peak, width}. It is interpreted during
// validation, once the issue's kind is known.
type ValueDef struct {
	Table map[string]Number
	Shape *ShapeDef
	// Given are conditional values (a table's given: entry): options
	// worth other values in the deals each entry's if: matches.
	Given []GivenDef `yaml:"given,omitempty" json:"given,omitempty"`
	node  ast.Node
}

// ShapeDef holds a numeric value function; exactly one field is set.
type ShapeDef struct {
	Linear     *LinearDef     `yaml:"linear,omitempty" json:"linear,omitempty"`
	Triangular *TriangularDef `yaml:"triangular,omitempty" json:"triangular,omitempty"`
	Peaked     *PeakedDef     `yaml:"peaked,omitempty" json:"peaked,omitempty"`
}

// LinearDef is a linear value function, given either by its values at the
// issue's bounds (AtMin, AtMax) or, as Genius writes it, by Offset and Slope
// from Origin. Values are clamped to [0,1].
type LinearDef struct {
	AtMin  *Number `yaml:"at_min,omitempty" json:"at_min,omitempty"`
	AtMax  *Number `yaml:"at_max,omitempty" json:"at_max,omitempty"`
	Offset *Number `yaml:"offset,omitempty" json:"offset,omitempty"`
	Slope  *Number `yaml:"slope,omitempty" json:"slope,omitempty"`
	Origin *Number `yaml:"origin,omitempty" json:"origin,omitempty"`
}

// TriangularDef is 1 at Peak and falls linearly to AtMin and AtMax at the bounds.
type TriangularDef struct {
	Peak  Number  `yaml:"peak" json:"peak"`
	AtMin *Number `yaml:"at_min,omitempty" json:"at_min,omitempty"`
	AtMax *Number `yaml:"at_max,omitempty" json:"at_max,omitempty"`
}

// PeakedDef is a bell exp(-((x-peak)/width)^2/2).
type PeakedDef struct {
	Peak  Number `yaml:"peak" json:"peak"`
	Width Number `yaml:"width" json:"width"`
}

// UnmarshalYAML keeps the node; validation interprets it.
func (v *ValueDef) UnmarshalYAML(node ast.Node) error {
	if _, ok := node.(*ast.MappingNode); !ok {
		if _, ok := node.(*ast.MappingValueNode); !ok {
			return fmt.Errorf("expected a mapping (option id: value, or a shape such as linear), found %s", describe(node))
		}
	}
	v.node = node
	return nil
}

// MarshalYAML writes the table or the shape.
func (v ValueDef) MarshalYAML() (any, error) {
	if v.Shape != nil {
		return v.Shape, nil
	}
	if v.Table != nil && len(v.Given) > 0 {
		m := yaml.MapSlice{}
		for _, k := range sortedKeys(v.Table) {
			m = append(m, yaml.MapItem{Key: k, Value: v.Table[k]})
		}
		return append(m, yaml.MapItem{Key: "given", Value: v.Given}), nil
	}
	if v.Table != nil {
		return v.Table, nil
	}
	if v.node != nil {
		return v.node, nil
	}
	return map[string]Number{}, nil
}

func describe(node ast.Node) string {
	if node == nil {
		return "nothing"
	}
	switch node.Type() {
	case ast.StringType:
		return "the text " + diag.Excerpt(node.GetToken().Value)
	case ast.SequenceType:
		return "a list"
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.NullType:
		return "null"
	case ast.BoolType:
		return "a boolean"
	}
	return node.Type().String()
}
