package forecast

import (
	"fmt"
	"math"
	"strconv"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// A forecast on a scenario is a position per scaled issue; a deal is one
// value per issue. Assemble turns the first into the second, each issue at
// its value nearest the forecast, and judges the package by the scenario's
// own rules, as the analysis judges any outcome: red lines, each party's
// reservation value (analysis.Acceptable), the decision rule, and
// ratification with the analysis's threshold (analysis.DefaultMinRatification).
// Issues without a scale are not forecast: the judgement then covers every
// way of settling them (the completions), and says in how many of them
// each verdict holds.

// Nearest is the value of an issue nearest a position on its 0–100 scale.
type Nearest struct {
	// Index is the value's index in the issue (its option, or its step).
	Index int `json:"index"`
	// Value is the option's id, or the number; Label the option's label.
	Value string `json:"value"`
	Label string `json:"label"`
	// Point is the value's place on the 0–100 scale.
	Point float64 `json:"point"`
	// Units is, for a numeric issue, the position itself in the issue's
	// own units (its range mapped linearly onto 0–100).
	Units *float64 `json:"units,omitempty"`
}

// nearestIndex is the index of the point nearest x, the first of equals:
// the one rule by which a forecast position becomes an issue's value.
func nearestIndex(points []float64, x float64) int {
	best, bd := -1, math.Inf(1)
	for k, p := range points {
		if d := math.Abs(p - x); d < bd {
			best, bd = k, d
		}
	}
	return best
}

// Numeric is a numeric issue's range, which its scale maps linearly onto 0–100.
type Numeric struct {
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Values int     `json:"values"` // evenly spaced from Min to Max (integers: Max−Min+1)
}

// number is value k of the range.
func (n *Numeric) number(k int) float64 {
	if n.Values <= 1 {
		return n.Min
	}
	return n.Min + (n.Max-n.Min)*float64(k)/float64(n.Values-1)
}

// Nearest returns the value of the dimension nearest position x: for a
// scenario's discrete issue the nearest option of its scale, for a numeric
// issue the nearest of its values (with x in the issue's units); false
// when the dimension has neither (a KTAB file or actor table).
func (d *Dimension) Nearest(x float64) (Nearest, bool) {
	switch {
	case len(d.Options) > 0:
		points := make([]float64, len(d.Options))
		for k, o := range d.Options {
			points[k] = o.Value
		}
		k := nearestIndex(points, x)
		o := d.Options[k]
		id := o.ID
		if id == "" {
			id = o.Label
		}
		return Nearest{Index: k, Value: id, Label: o.Label, Point: o.Value}, true
	case d.Numeric != nil && d.Numeric.Values > 0:
		n := d.Numeric
		// The values' points are evenly spaced on 0–100, so the nearest is
		// found by rounding, half down: the first of two equally near, as
		// nearestIndex has it, without listing up to a million points.
		k := 0
		if n.Values > 1 {
			k = int(math.Ceil(x/100*float64(n.Values-1) - 0.5))
			k = min(max(k, 0), n.Values-1)
		}
		point := 0.0
		if n.Max > n.Min {
			point = 100 * (n.number(k) - n.Min) / (n.Max - n.Min)
		}
		v := strconv.FormatFloat(n.number(k), 'g', -1, 64)
		units := n.Min + (n.Max-n.Min)*x/100
		return Nearest{Index: k, Value: v, Label: v, Point: point, Units: &units}, true
	}
	return Nearest{}, false
}

// Package is a forecast assembled into a deal and judged by the scenario's
// rules. Counts ("…In") are over the Completions: the ways of settling the
// issues no model forecasts (Open); with none open there is one.
type Package struct {
	Model string `json:"model"`
	// Issues: every issue of the scenario, in order.
	Issues []PackageIssue `json:"issues"`
	// Open names the issues without a scale, which the forecast leaves
	// open; Completions counts the ways of settling them (0 when there are
	// more than MaxCompletions: the package is then not judged).
	Open        []string `json:"open,omitempty"`
	Completions int      `json:"completions"`
	// Crosses names the red lines ("party/id", or the id of a scenario
	// constraint) the package crosses however
	// the open issues are settled; RedLines is every red line with the
	// number of completions that cross it.
	Crosses  []string          `json:"crosses"`
	RedLines []PackageRedLine  `json:"red_lines"`
	Parties  []PackageParty    `json:"parties"`
	Votes    []PackageVote     `json:"ratification"`
	Decision PackageDecision   `json:"decision"`
	Outcome  map[string]string `json:"outcome"` // issue id → value id; open issues absent
}

// PackageIssue is one issue of a package.
type PackageIssue struct {
	Issue string `json:"issue"`
	// Forecast is the model's position on the 0–100 scale; absent (and
	// Nearest nil) for an issue without a scale, which stays open.
	Forecast *float64 `json:"forecast,omitempty"`
	Nearest  *Nearest `json:"nearest,omitempty"`
}

// PackageRedLine is one red line and how many completions cross it.
type PackageRedLine struct {
	Party       string `json:"party"` // "" for a scenario constraint, which binds everyone
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	CrossedIn   int    `json:"crossed_in"`
}

// Name is "party/id", or the id of a scenario constraint
// ("constraint guarantee_needs_troops").
func (rl *PackageRedLine) Name() string {
	if rl.Party == "" {
		return rl.ID
	}
	return rl.Party + "/" + rl.ID
}

// PackageParty is one negotiating party's view of the package: its utility
// (lowest and highest over the completions), its reservation value, and in
// how many completions the package is acceptable to it (no red line of its
// crossed, utility at least its reservation value: analysis.Acceptable).
type PackageParty struct {
	Party        string  `json:"party"`
	UtilityMin   float64 `json:"utility_min"`
	UtilityMax   float64 `json:"utility_max"`
	Reservation  float64 `json:"reservation"`
	AcceptableIn int     `json:"acceptable_in"`
}

// PackageVote is one party's ratification of the package: in how many
// completions a vote is required and passes (with probability at least
// MinRatification), and the range of the predicted yes share and of the
// probability that it passes.
type PackageVote struct {
	Party      string  `json:"party"`
	Body       string  `json:"body,omitempty"`
	RequiredIn int     `json:"required_in"`
	PassesIn   int     `json:"passes_in"`
	ShareMin   float64 `json:"share_min"`
	ShareMax   float64 `json:"share_max"`
	ProbMin    float64 `json:"probability_min"`
	ProbMax    float64 `json:"probability_max"`
}

// PackageDecision is the package under the scenario's decision rule: in how
// many completions the rule accepts it (enough parties, every veto party,
// find it acceptable), in how many every required vote passes, and in how
// many both: the package is agreed.
type PackageDecision struct {
	Rule            string  `json:"rule"`
	MinRatification float64 `json:"min_ratification"`
	PassesIn        int     `json:"passes_in"`
	RatifiableIn    int     `json:"ratifiable_in"`
	AgreedIn        int     `json:"agreed_in"`
}

// MaxCompletions bounds the ways of settling the open issues that Assemble
// enumerates.
const MaxCompletions = 1 << 16

// Assemble maps the result r of a model run on FromScenario(s) to the
// package of s's values nearest the forecast and judges it.
// minRatification ≤ 0 means analysis.DefaultMinRatification.
func Assemble(s *scenario.Scenario, r *Result, minRatification float64) (*Package, error) {
	if minRatification <= 0 {
		minRatification = analysis.DefaultMinRatification
	}
	pk := &Package{Model: r.Model, Issues: make([]PackageIssue, len(s.Issues)), Outcome: map[string]string{},
		Crosses: []string{}, RedLines: []PackageRedLine{}, Parties: []PackageParty{}, Votes: []PackageVote{}}
	o := make([]int, len(s.Issues))
	var open []int
	forecastOf := map[string]float64{}
	for d, name := range r.Dimensions {
		forecastOf[name] = r.Forecast[d]
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		pk.Issues[i].Issue = is.ID
		x, ok := forecastOf[is.ID]
		if !ok || is.Scale == nil {
			open = append(open, i)
			pk.Open = append(pk.Open, is.ID)
			continue
		}
		dim := dimensionOf(is)
		n, _ := dim.Nearest(x)
		pk.Issues[i].Forecast, pk.Issues[i].Nearest = &x, &n
		o[i] = n.Index
		pk.Outcome[is.ID] = is.Value(n.Index)
	}
	if len(r.Dimensions) != len(forecastOf) || len(forecastOf) != len(s.Issues)-len(open) {
		return nil, fmt.Errorf("forecast: the %s result's dimensions %v are not the scaled issues of scenario %q", r.Model, r.Dimensions, s.Name)
	}
	completions := 1
	for _, i := range open {
		completions *= s.Issues[i].Size()
		if completions > MaxCompletions {
			completions = 0
			break
		}
	}
	pk.Completions = completions
	rule := s.NegotiatorRule()
	ns := s.Negotiators()
	pk.Decision = PackageDecision{Rule: s.DescribeDecision(), MinRatification: minRatification}
	us := make([]*utility.Additive, len(ns))
	for q, p := range ns {
		us[q] = s.Utility(p)
		pa := &s.Parties[p]
		pk.Parties = append(pk.Parties, PackageParty{Party: pa.ID, Reservation: us[q].Reservation,
			UtilityMin: math.Inf(1), UtilityMax: math.Inf(-1)})
		for k, rl := range pa.RedLines {
			prl := PackageRedLine{Party: pa.ID, ID: rl.ID}
			if k < len(pa.RedLineInfo) {
				prl.Description = pa.RedLineInfo[k].Description
			}
			pk.RedLines = append(pk.RedLines, prl)
		}
		if rat := pa.Ratification; rat != nil {
			pk.Votes = append(pk.Votes, PackageVote{Party: pa.ID, Body: rat.Names(),
				ShareMin: math.Inf(1), ShareMax: math.Inf(-1), ProbMin: math.Inf(1), ProbMax: math.Inf(-1)})
		}
	}
	for k, rl := range s.ConstraintLines() {
		// A constraint removes deals for everyone: a line of no party.
		pk.RedLines = append(pk.RedLines, PackageRedLine{ID: rl.ID, Description: s.Constraints[k].Description})
	}
	if completions == 0 {
		return pk, nil
	}
	accept := make([]bool, len(ns))
	for c := 0; c < completions; c++ {
		k := c
		for _, i := range open {
			n := s.Issues[i].Size()
			o[i] = k % n
			k /= n
		}
		line, vote := 0, 0
		ratifiable := true
		for q, p := range ns {
			u := us[q]
			x := u.Raw(o)
			pp := &pk.Parties[q]
			pp.UtilityMin, pp.UtilityMax = math.Min(pp.UtilityMin, x), math.Max(pp.UtilityMax, x)
			accept[q] = analysis.Acceptable(u, o)
			if accept[q] {
				pp.AcceptableIn++
			}
			for _, rl := range s.Parties[p].RedLines {
				if rl.Match(o) {
					pk.RedLines[line].CrossedIn++
				}
				line++
			}
			rat := s.Parties[p].Ratification
			if rat == nil {
				continue
			}
			pv := &pk.Votes[vote]
			vote++
			share, prob := 1.0, 1.0
			if rat.Required(o) {
				pv.RequiredIn++
				share, prob = rat.Share(o, x), rat.Prob(o, x)
			}
			if prob >= minRatification {
				pv.PassesIn++
			} else {
				ratifiable = false
			}
			pv.ShareMin, pv.ShareMax = math.Min(pv.ShareMin, share), math.Max(pv.ShareMax, share)
			pv.ProbMin, pv.ProbMax = math.Min(pv.ProbMin, prob), math.Max(pv.ProbMax, prob)
		}
		for k := range s.Constraints {
			if s.Constraints[k].Forbid.Match(o) {
				pk.RedLines[line+k].CrossedIn++
			}
		}
		passes := rule.Accepts(accept)
		if passes {
			pk.Decision.PassesIn++
		}
		if ratifiable {
			pk.Decision.RatifiableIn++
		}
		if passes && ratifiable {
			pk.Decision.AgreedIn++
		}
	}
	for _, rl := range pk.RedLines {
		if rl.CrossedIn == completions {
			pk.Crosses = append(pk.Crosses, rl.Name())
		}
	}
	return pk, nil
}

// Agreed reports whether the package is agreed however its open issues are
// settled: the decision rule accepts it and every required vote passes.
func (pk *Package) Agreed() bool {
	return pk.Completions > 0 && pk.Decision.AgreedIn == pk.Completions
}

// dimensionOf is the forecast dimension of a scaled scenario issue: its
// anchors, and its options where the scale places them or its numeric range.
func dimensionOf(is *scenario.Issue) Dimension {
	d := Dimension{Name: is.ID}
	for _, a := range is.Scale.Anchors {
		d.Anchors = append(d.Anchors, Anchor{Value: a.Value, Label: a.Label})
	}
	if is.Kind == scenario.Discrete {
		for v := range is.Options {
			d.Options = append(d.Options, Anchor{Value: is.Scale.Points[v], Label: is.Label(v), ID: is.Options[v].ID})
		}
	} else {
		d.Numeric = &Numeric{Min: is.Min, Max: is.Max, Values: is.Size()}
	}
	return d
}
