package analysis

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/internal/suggest"
	"github.com/parleyhq/parley/scenario"
)

// Evaluation is one outcome measured against the analysis: every party's
// utility, whether it is acceptable to all (rational and crossing no red
// line), the red lines it crosses, its distances to the Pareto frontier
// and to the nearest Nash point, and its ratification.
type Evaluation struct {
	Outcome            map[string]string `json:"outcome"`
	Utilities          []float64         `json:"utilities"`
	Rational           bool              `json:"rational"`
	Crosses            []string          `json:"crosses,omitempty"` // party/red line ids
	DistanceToFrontier *float64          `json:"distance_to_frontier"`
	DistanceToNash     *float64          `json:"distance_to_nash"`
	// BelowReservation names the parties whose utility is below their
	// reservation value.
	BelowReservation []string `json:"below_reservation,omitempty"`
	// RedLines lists every party's red lines and whether the outcome
	// crosses each.
	RedLines []EvaluatedRedLine `json:"red_lines"`
	// Ratification is the vote of each party that has a rule (required,
	// predicted yes share, probability it passes); Ratifiable: every
	// required vote passes with probability ≥ MinRatification.
	MinRatification float64             `json:"min_ratification"`
	Ratification    []PartyRatification `json:"ratification"`
	Ratifiable      bool                `json:"ratifiable"`
	// Coalitions: how the members of each coalition that decides by
	// their rule answer; Guarantors: the guarantors the outcome names and
	// whether each backs it (coalition.go).
	Coalitions []EvaluatedCoalition `json:"coalitions,omitempty"`
	Guarantors []EvaluatedGuarantor `json:"guarantors,omitempty"`
}

// EvaluatedRedLine is one red line of an evaluated outcome.
type EvaluatedRedLine struct {
	Party       string `json:"party"`
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	Crossed     bool   `json:"crossed"`
}

// Evaluate measures the outcome given as issue id → value and stores it in
// r.Evaluated. Every issue must be given; a value is an option's id or its
// label (case ignored when nothing matches exactly; an ambiguous label is
// an error), or a number of a numeric issue. A deal is ratifiable when
// every required vote passes with probability ≥ minRatification (0 means
// DefaultMinRatification).
func (r *Report) Evaluate(values map[string]string, minRatification float64) (*Evaluation, error) {
	s := r.scen
	o, err := parseOutcome(s, values)
	if err != nil {
		return nil, err
	}
	minRat := WhatIfOptions{MinRatification: minRatification}.minRat()
	e := &Evaluation{Outcome: s.Labels(o), RedLines: []EvaluatedRedLine{}, MinRatification: minRat,
		Ratification: []PartyRatification{}, Ratifiable: true}
	for q, p := range s.Negotiators() {
		u := r.us[q]
		x := u.Raw(o)
		e.Utilities = append(e.Utilities, x)
		for k, rl := range u.RedLines[:len(s.Parties[p].RedLines)] {
			erl := EvaluatedRedLine{Party: r.Parties[q], ID: rl.ID, Crossed: rl.Match(o)}
			if info := s.Parties[p].RedLineInfo; k < len(info) {
				erl.Description = info[k].Description
			}
			if erl.Crossed {
				e.Crosses = append(e.Crosses, r.Parties[q]+"/"+rl.ID)
			}
			e.RedLines = append(e.RedLines, erl)
		}
		if q == len(r.us)-1 {
			for k, rl := range s.ConstraintLines() {
				erl := EvaluatedRedLine{ID: rl.ID, Description: s.Constraints[k].Description, Crossed: rl.Match(o)}
				if erl.Description == "" {
					erl.Description = "a combination no deal may contain: " + s.DescribeConstraint(k)
				}
				if erl.Crossed {
					e.Crosses = append(e.Crosses, rl.ID)
				}
				e.RedLines = append(e.RedLines, erl)
			}
			for _, rl := range r.meetLines {
				erl := EvaluatedRedLine{ID: rl.ID, Description: "a term of the deal whose meeting cannot take place", Crossed: rl.Match(o)}
				if erl.Crossed {
					e.Crosses = append(e.Crosses, rl.ID)
				}
				e.RedLines = append(e.RedLines, erl)
			}
		}
		rat := s.Parties[p].Ratification
		if rat == nil {
			continue
		}
		pr := partyRatification(r.Parties[q], rat, o, x)
		if pr.Required {
			e.Ratifiable = e.Ratifiable && pr.Prob >= minRat
		}
		e.Ratification = append(e.Ratification, pr)
	}
	e.BelowReservation = belowReservation(e.Utilities, r.Reservation, r.Parties)
	e.Rational = len(e.BelowReservation) == 0 && len(e.Crosses) == 0
	r.evaluateVetoes(e, o)
	if r.Frontier != nil && len(r.Frontier.Points) > 0 {
		d := DistanceToFrontier(e.Utilities, r.Frontier)
		e.DistanceToFrontier = &d
	}
	if r.NashPoint != nil && len(r.NashPoint.Points) > 0 {
		d := DistanceToNash(e.Utilities, r.NashPoint)
		e.DistanceToNash = &d
	}
	r.Evaluated = e
	return e, nil
}

// parseOutcome reads issue id → value into a value index per issue,
// reporting every problem at once with the valid choices.
func parseOutcome(s *scenario.Scenario, values map[string]string) ([]int, error) {
	o := make([]int, len(s.Issues))
	var problems []string
	ids := make([]string, len(s.Issues))
	for i := range s.Issues {
		ids[i] = s.Issues[i].ID
	}
	for k := range values {
		if s.IssueIndex(k) < 0 {
			problems = append(problems, fmt.Sprintf("unknown issue %q%s (issues: %s)", k, suggest.Hint(k, ids), strings.Join(ids, ", ")))
		}
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		v, ok := values[is.ID]
		if !ok {
			problems = append(problems, fmt.Sprintf("no value for issue %q (%s)", is.ID, describeValues(is)))
			continue
		}
		var err error
		if o[i], err = lookupValue(is, v); err != nil {
			problems = append(problems, err.Error())
		}
	}
	switch len(problems) {
	case 0:
		return o, nil
	case 1:
		return nil, fmt.Errorf("outcome: %s", problems[0])
	}
	sort.Strings(problems)
	return nil, fmt.Errorf("outcome: %d problems:\n  %s", len(problems), strings.Join(problems, "\n  "))
}

// lookupValue finds v among is's values: an option's id or label (exactly,
// else ignoring case), or a number of a numeric issue.
func lookupValue(is *scenario.Issue, v string) (int, error) {
	v = strings.TrimSpace(v)
	if is.Kind != scenario.Discrete {
		if k := is.Lookup(v); k >= 0 {
			return k, nil
		}
		return -1, fmt.Errorf("%q is not a value of issue %q (%s)", v, is.ID, describeValues(is))
	}
	matches := func(same func(a, b string) bool) []int {
		var ks []int
		for k, op := range is.Options {
			if same(op.ID, v) || same(is.Label(k), v) {
				ks = append(ks, k)
			}
		}
		return ks
	}
	ks := matches(func(a, b string) bool { return a == b })
	if len(ks) == 0 {
		ks = matches(strings.EqualFold)
	}
	switch len(ks) {
	case 1:
		return ks[0], nil
	case 0:
		return -1, fmt.Errorf("%q is not a value of issue %q (%s)", v, is.ID, describeValues(is))
	}
	names := make([]string, len(ks))
	for j, k := range ks {
		names[j] = is.Options[k].ID
	}
	return -1, fmt.Errorf("%q is ambiguous for issue %q: it names options %s; give one of these ids", v, is.ID, strings.Join(names, ", "))
}

// describeValues says what values is takes: each option's id and label,
// or a numeric issue's range.
func describeValues(is *scenario.Issue) string {
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch is.Kind {
	case scenario.Discrete:
		vs := make([]string, len(is.Options))
		for k, op := range is.Options {
			vs[k] = op.ID
			if l := is.Label(k); l != op.ID {
				vs[k] += fmt.Sprintf(" %q", l)
			}
		}
		return "values: " + strings.Join(vs, ", ")
	case scenario.Integer:
		return fmt.Sprintf("an integer from %s to %s", g(is.Min), g(is.Max))
	}
	if is.Size() == 1 {
		return "the number " + g(is.Min)
	}
	return fmt.Sprintf("one of %d numbers from %s to %s in steps of %s", is.Size(), g(is.Min), g(is.Max), g(is.Number(1)-is.Number(0)))
}

// writeEvaluation is the text form of an Evaluation.
func (r *Report) writeEvaluation(w io.Writer) {
	e := r.Evaluated
	if e == nil {
		return
	}
	fmt.Fprintf(w, "\nThe given outcome (utilities in party order: %s)\n  %s\n  ", strings.Join(r.Parties, ", "), r.fmtOutcome(e.Outcome))
	fmt.Fprint(w, fmtUtils(e.Utilities))
	if e.Rational {
		fmt.Fprint(w, "  acceptable to every party")
	} else {
		fmt.Fprint(w, "  NOT acceptable to every party")
	}
	if len(e.Crosses) > 0 {
		fmt.Fprintf(w, "; crosses %s", strings.Join(e.Crosses, ", "))
	}
	fmt.Fprintln(w)
	if len(e.BelowReservation) > 0 {
		fmt.Fprintf(w, "  below the reservation value of %s\n", strings.Join(e.BelowReservation, ", "))
	}
	if e.DistanceToFrontier != nil {
		fmt.Fprintf(w, "  distance to the Pareto frontier %.4f", *e.DistanceToFrontier)
	}
	if e.DistanceToNash != nil {
		fmt.Fprintf(w, ", to the Nash point %.4f", *e.DistanceToNash)
	}
	fmt.Fprintln(w)
	if len(e.RedLines) == 0 {
		fmt.Fprintf(w, "  red lines: none\n")
	} else {
		fmt.Fprintf(w, "  red lines:\n")
	}
	for _, rl := range e.RedLines {
		state := "kept"
		if rl.Crossed {
			state = "CROSSED"
		}
		desc := ""
		if rl.Description != "" {
			desc = " (" + rl.Description + ")"
		}
		name := rl.Party + "/" + rl.ID
		if rl.Party == "" {
			name = rl.ID
		}
		fmt.Fprintf(w, "    %s%s: %s\n", name, desc, state)
	}
	fmt.Fprintf(w, "  ratification (ratifiable when every required vote passes with probability ≥ %.2f): %s\n",
		e.MinRatification, fmtRatification(&Deal{Ratification: e.Ratification, Ratifiable: e.Ratifiable}))
	writeVetoEvaluation(w, e)
}
