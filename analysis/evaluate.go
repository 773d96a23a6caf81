package analysis

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Evaluation is one outcome measured against the analysis: every party's
// utility, whether it is rational for all, the red lines it crosses, and its
// distances to the Pareto frontier and to the nearest Nash point.
type Evaluation struct {
	Outcome            map[string]string `json:"outcome"`
	Utilities          []float64         `json:"utilities"`
	Rational           bool              `json:"rational"`
	Crosses            []string          `json:"crosses,omitempty"` // party/red line ids
	DistanceToFrontier *float64          `json:"distance_to_frontier"`
	DistanceToNash     *float64          `json:"distance_to_nash"`
}

// Evaluate measures the outcome given as issue id → value (option id or
// number; every issue must be given) and stores it in r.Evaluated.
func (r *Report) Evaluate(values map[string]string) (*Evaluation, error) {
	s := r.scen
	o := make([]int, len(s.Issues))
	var problems []string
	for k := range values {
		if s.IssueIndex(k) < 0 {
			problems = append(problems, fmt.Sprintf("unknown issue %q", k))
		}
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		v, ok := values[is.ID]
		if !ok {
			problems = append(problems, fmt.Sprintf("no value for issue %q", is.ID))
			continue
		}
		if o[i] = is.Lookup(v); o[i] < 0 {
			problems = append(problems, fmt.Sprintf("%q is not a value of issue %q", v, is.ID))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("outcome: %s", strings.Join(problems, "; "))
	}
	e := &Evaluation{Outcome: s.Labels(o), Rational: true}
	for p, u := range r.us {
		x := u.Raw(o)
		e.Utilities = append(e.Utilities, x)
		if x < u.Reservation-Tolerance {
			e.Rational = false
		}
		if k := u.Crosses(o); k >= 0 {
			e.Crosses = append(e.Crosses, r.Parties[p]+"/"+u.RedLines[k].ID)
			e.Rational = false
		}
	}
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
	if e.DistanceToFrontier != nil {
		fmt.Fprintf(w, "  distance to the Pareto frontier %.4f", *e.DistanceToFrontier)
	}
	if e.DistanceToNash != nil {
		fmt.Fprintf(w, ", to the Nash point %.4f", *e.DistanceToNash)
	}
	fmt.Fprintln(w)
}
