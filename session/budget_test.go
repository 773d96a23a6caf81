package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// wideScenario has two integer issues of 1000 values (10^6 outcomes),
// which Prepare indexes for each of its two parties.
const wideScenario = `parley: 1
name: wide
issues:
  - {id: x, integer: {min: 0, max: 999}}
  - {id: y, integer: {min: 0, max: 999}}
parties:
  - {id: a, weights: {x: 0.5, y: 0.5}, values: {x: {linear: {at_min: 1, at_max: 0}}, y: {linear: {at_min: 1, at_max: 0}}}}
  - {id: b, weights: {x: 0.3, y: 0.7}, values: {x: {linear: {at_min: 0, at_max: 1}}, y: {linear: {at_min: 0, at_max: 1}}}}
`

// TestPrepareWithinBudget: Prepare refuses, before it builds any index, a
// memory budget that the indexes of every party pass, naming the step; it
// tells its progress while it indexes (issue 13, item 18).
func TestPrepareWithinBudget(t *testing.T) {
	sc, err := scenario.Parse([]byte(wideScenario), "wide.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = PrepareWithin(sc, &budget.Budget{Memory: 32 << 20})
	if !errors.Is(err, budget.ErrMemory) || !strings.Contains(err.Error(), "indexing 1,000,000 outcomes for 2 parties needs about 49.6 MB") {
		t.Errorf("memory: %v", err)
	}
	var steps []string
	b := &budget.Budget{Context: context.Background(), Progress: func(p budget.Progress) {
		steps = append(steps, fmt.Sprintf("%s|%s|%v", p.Step, p.Detail, p.End))
	}}
	p, err := PrepareWithin(sc, b)
	if err != nil || len(p.Indexes) != 2 {
		t.Fatalf("within budget: %v", err)
	}
	want := []string{
		"indexing 1,000,000 outcomes for 2 parties||false",
		"indexing 1,000,000 outcomes for 2 parties|party 1 of 2: 65,536 of 1,000,000 evaluated|false",
		"indexing 1,000,000 outcomes for 2 parties|party 2 of 2: 983,040 of 1,000,000 evaluated|false",
		"indexing 1,000,000 outcomes for 2 parties||true",
	}
	if len(steps) != 2+2*15 || steps[0] != want[0] || steps[1] != want[1] || steps[len(steps)-2] != want[2] || steps[len(steps)-1] != want[3] {
		t.Errorf("progress: %d reports %q ... %q", len(steps), steps[:min(2, len(steps))], steps[max(len(steps)-2, 0):])
	}
}

// TestResultSkipsAFrontierTooBig: a session on 10^12 outcomes whose issues
// the three parties rank in opposite orders ends quickly, but the frontier
// its distances are measured against would take far longer than the
// session; the result leaves them out with a note that says why, instead
// of computing after the session (issue 14, item 4: `run --time 1s` ran
// past 300 s).
func TestResultSkipsAFrontierTooBig(t *testing.T) {
	var b strings.Builder
	b.WriteString("parley: 1\nname: opposed\nissues:\n")
	for i := range 12 {
		fmt.Fprintf(&b, "  - {id: i%d, integer: {min: 0, max: 9}}\n", i)
	}
	b.WriteString("parties:\n")
	shapes := []string{"{linear: {at_min: 1, at_max: 0}}", "{linear: {at_min: 0, at_max: 1}}", "{triangular: {peak: 5}}"}
	for p := range 3 {
		var ws, vs []string
		for i := range 12 {
			ws = append(ws, fmt.Sprintf("i%d: %g", i, []float64{0.05, 0.1, 0.1}[(p*5+i)%3]))
			vs = append(vs, fmt.Sprintf("i%d: %s", i, shapes[(p+i)%3]))
		}
		fmt.Fprintf(&b, "  - {id: p%d, weights: {%s}, values: {%s}}\n", p, strings.Join(ws, ", "), strings.Join(vs, ", "))
	}
	sc, err := scenario.Parse([]byte(b.String()), "opposed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"boulware", "conceder", "boulware"}, Deadline: protocol.Deadline{Rounds: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if res.DistanceToPareto != nil || res.DistanceToNash != nil ||
		!strings.HasPrefix(res.AnalysisNote, "no Pareto or Nash distances: the Pareto frontier of 3 parties over 10^12 outcomes needs about") ||
		!strings.Contains(res.AnalysisNote, "more than its limit of 100,000,000 dominance checks") {
		t.Errorf("distances %v %v, note %q", res.DistanceToPareto, res.DistanceToNash, res.AnalysisNote)
	}
}
