package analysis

import (
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley/decision"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// Agreement is the zone of agreement under a scenario's decision rule: the
// deals (outcomes) the rule accepts given which parties accept each, and per
// party the deals it accepts. A party accepts a deal that crosses none of
// its red lines and gives it at least its reservation value (Acceptable);
// for an imported LLM-Deliberation game that is exactly "the deal's score
// reaches the party's threshold". Deals are listed in enumeration order
// (first issue fastest).
type Agreement struct {
	Rule   string   `json:"rule"`           // the rule, said for people
	Quorum int      `json:"quorum"`         // parties that must accept
	Veto   []string `json:"veto,omitempty"` // parties that must be among them
	// Feasible counts the deals the rule accepts; Unanimous those every
	// party accepts (the zone of possible agreement).
	Feasible       uint64              `json:"feasible"`
	Unanimous      uint64              `json:"unanimous"`
	Deals          []map[string]string `json:"deals"` // the first feasible deals
	DealsTruncated bool                `json:"deals_truncated"`
	Parties        []PartyAgreement    `json:"parties"`
}

// PartyAgreement is what one party accepts.
type PartyAgreement struct {
	ID       string `json:"id"`
	Accepts  uint64 `json:"accepts"`  // deals the party accepts
	Feasible uint64 `json:"feasible"` // feasible deals it accepts
	// Deals lists the first deals it accepts.
	Deals          []map[string]string `json:"deals"`
	DealsTruncated bool                `json:"deals_truncated"`
}

// Acceptable reports whether a party with utility function u accepts the
// outcome o on its own: o crosses none of its red lines and
// u(o) ≥ rv − Tolerance, the test behind every "rational" figure; a
// coalition whose members decide accepts by their rule, and a deal that
// lacks a guarantor's consent is acceptable to nobody (utility.Accepts,
// whose margin is Tolerance).
func Acceptable(u *utility.Additive, o []int) bool { return u.Accepts(o) }

// CountAgreement enumerates the outcomes of s (at most
// outcome.DefaultEnumerationLimit) for its negotiating parties and counts
// those its decision rule accepts, those every party accepts, and per party
// those it accepts, listing the first opts.Listed of each.
func CountAgreement(s *scenario.Scenario, opts Options) (*Agreement, error) {
	if err := s.CheckParties(); err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
	}
	if err := s.CheckDecision(); err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
	}
	sp := s.Space()
	if err := sp.CheckEnumerable(outcome.DefaultEnumerationLimit); err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: the deals a decision rule accepts are counted by enumeration: %w", s.Name, err)
	}
	rule := s.NegotiatorRule()
	ns := s.Negotiators()
	n := len(ns)
	us := make([]*utility.Additive, n)
	a := &Agreement{Rule: s.DescribeDecision(), Quorum: rule.Need(n), Parties: make([]PartyAgreement, n)}
	for k, i := range ns {
		us[k] = s.Utility(i)
		a.Parties[k] = PartyAgreement{ID: s.Parties[i].ID, Deals: []map[string]string{}}
	}
	for _, p := range rule.Veto {
		a.Veto = append(a.Veto, a.Parties[p].ID)
	}
	a.Deals = []map[string]string{}
	k := opts.listed()
	accept := make([]bool, n)
	err := sp.Enumerate(outcome.DefaultEnumerationLimit, func(o []int) bool {
		all := true
		for p, u := range us {
			accept[p] = Acceptable(u, o)
			all = all && accept[p]
		}
		if all {
			a.Unanimous++
		}
		feasible := rule.Accepts(accept)
		if feasible {
			a.Feasible++
			a.Deals, a.DealsTruncated = list(a.Deals, s, o, k, a.DealsTruncated)
		}
		for p, ok := range accept {
			if !ok {
				continue
			}
			pa := &a.Parties[p]
			pa.Accepts++
			if feasible {
				pa.Feasible++
			}
			pa.Deals, pa.DealsTruncated = list(pa.Deals, s, o, k, pa.DealsTruncated)
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
	}
	return a, nil
}

// list appends outcome o to ds while ds holds fewer than k, and otherwise
// reports that the list is truncated.
func list(ds []map[string]string, s *scenario.Scenario, o []int, k int, truncated bool) ([]map[string]string, bool) {
	if len(ds) < k {
		return append(ds, s.Labels(o)), truncated
	}
	return ds, true
}

// Verdict is one outcome judged under the scenario's decision rule: every
// negotiating party's utility and whether it accepts, whether the rule
// agrees it, and its distances to the Pareto frontier and to the nearest
// Nash point (nil when there is none).
type Verdict struct {
	Utilities          []float64 `json:"utilities"`
	Accepts            []bool    `json:"accepts"`
	Passes             bool      `json:"passes"`    // the decision rule accepts it
	Unanimous          bool      `json:"unanimous"` // every party accepts it
	DistanceToFrontier *float64  `json:"distance_to_frontier"`
	DistanceToNash     *float64  `json:"distance_to_nash"`
}

// Judge judges the outcome o (one value index per issue) for the report's
// parties under its scenario's decision rule.
func (r *Report) Judge(o []int) Verdict {
	v := Verdict{Passes: false, Unanimous: true}
	for _, u := range r.us {
		ok := Acceptable(u, o)
		v.Utilities = append(v.Utilities, u.Raw(o))
		v.Accepts = append(v.Accepts, ok)
		v.Unanimous = v.Unanimous && ok
	}
	v.Passes = r.rule().Accepts(v.Accepts)
	if r.Frontier != nil && len(r.Frontier.Points) > 0 {
		d := DistanceToFrontier(v.Utilities, r.Frontier)
		v.DistanceToFrontier = &d
	}
	if r.NashPoint != nil && len(r.NashPoint.Points) > 0 {
		d := DistanceToNash(v.Utilities, r.NashPoint)
		v.DistanceToNash = &d
	}
	return v
}

// rule is the decision rule over the report's parties.
func (r *Report) rule() decision.Rule { return r.scen.NegotiatorRule() }

// agreement adds the zone of agreement under the scenario's decision rule
// to the report when the rule is not unanimity (unanimity's zone is Zopa),
// or a note saying why it could not be counted.
func (r *Report) agreement(opts Options) {
	if r.rule().Unanimous(len(r.Parties)) {
		return
	}
	a, err := CountAgreement(r.scen, opts)
	if err != nil {
		r.Notes = append(r.Notes, strings.TrimPrefix(err.Error(), "analysis: "))
		return
	}
	r.Agreement = a
}

// writeAgreement is the text form of the Agreement.
func (r *Report) writeAgreement(w io.Writer) {
	a := r.Agreement
	if a == nil {
		return
	}
	fmt.Fprintf(w, "Decision rule: %s\n", a.Rule)
	fmt.Fprintf(w, "Feasible deals (the rule accepts them): %d of %d (%.2f%%); every party accepts %d\n",
		a.Feasible, r.Outcomes, 100*float64(a.Feasible)/float64(r.Outcomes), a.Unanimous)
	for q, d := range a.Deals {
		fmt.Fprintf(w, "  %s\n", r.fmtOutcome(d))
		if q == len(a.Deals)-1 && a.DealsTruncated {
			fmt.Fprintf(w, "  … and %d more\n", a.Feasible-uint64(len(a.Deals)))
		}
	}
	fmt.Fprintf(w, "Deals each party accepts: of all %d, of the %d feasible, and the first in enumeration order\n", r.Outcomes, a.Feasible)
	for _, pa := range a.Parties {
		first := "none"
		if len(pa.Deals) > 0 {
			first = r.fmtOutcome(pa.Deals[0])
		}
		fmt.Fprintf(w, "  %-24s %8d %8d  %s\n", pa.ID, pa.Accepts, pa.Feasible, first)
	}
}
