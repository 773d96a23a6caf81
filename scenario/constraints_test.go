package scenario

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestConstraintsRemoveOutcomesForEveryone (issue 16, finding 5): a
// combination that is incoherent whoever prefers it is written once, as a
// constraint, and every party's utility rules it out, after the party's
// own red lines; on main the file cannot be written (unknown field).
func TestConstraintsRemoveOutcomesForEveryone(t *testing.T) {
	s := mustLoad(t, "testdata/clauses.yaml")
	if len(s.Constraints) != 1 || s.Constraints[0].ID != "guarantee_needs_troops" {
		t.Fatalf("constraints %+v", s.Constraints)
	}
	forbidden := []int{2, 0, 1} // article5_like, no troops, held
	allowed := []int{2, 1, 1}   // article5_like, token troops, held
	if got := s.Forbidden(forbidden); got != 0 {
		t.Errorf("Forbidden(article5_like, none) = %d, want 0", got)
	}
	if got := s.Forbidden(allowed); got != -1 {
		t.Errorf("Forbidden(article5_like, token) = %d, want -1", got)
	}
	for p := range s.Parties {
		u := s.Utility(p)
		if got := u.Utility(forbidden); got != -1 {
			t.Errorf("%s: utility of a forbidden deal %v, want Unacceptable", s.Parties[p].ID, got)
		}
		if got := u.Utility(allowed); got < 0 {
			t.Errorf("%s: utility of an allowed deal %v", s.Parties[p].ID, got)
		}
		if n := len(u.RedLines); n != 1 || u.RedLines[0].ID != "constraint guarantee_needs_troops" {
			t.Errorf("%s: red lines %+v", s.Parties[p].ID, u.RedLines)
		}
		if len(s.Parties[p].RedLines) != 0 {
			t.Errorf("%s: the constraint became the party's own red line", s.Parties[p].ID)
		}
		// The status quo is the world, not a deal: Raw ignores it.
		if got, want := u.Raw(forbidden), u.Raw([]int{2, 0, 1}); got != want || got < 0 {
			t.Errorf("%s: Raw %v", s.Parties[p].ID, got)
		}
	}
	if got, want := s.DescribeConstraint(0), "guarantees = article5_like with troops = none"; got != want {
		t.Errorf("DescribeConstraint = %q, want %q", got, want)
	}
}

// TestConstraintErrors: every misuse of constraints is positioned.
func TestConstraintErrors(t *testing.T) {
	const (
		c = "forbid: {guarantees: [article5_like], troops: [none]}"
		a = "guarantees nothing}"
	)
	cases := []mutation{
		{"unknown issue", c, "forbid: {guarantees: [article5_like], soldiers: [none]}", `testdata/x.yaml:17:53: constraint "guarantee_needs_troops" names unknown issue "soldiers"; issues are guarantees, troops, land`},
		{"unknown option", c, "forbid: {guarantees: [article6], troops: [none]}", `testdata/x.yaml:17:26: constraint "guarantee_needs_troops" names "article6", which is not a value of issue "guarantees" (options: none, assurances, article5_like)`},
		{"no value", c, "forbid: {guarantees: [], troops: [none]}", `constraint "guarantee_needs_troops" lists no value of issue "guarantees"`},
		{"every outcome", c, "forbid: {troops: [none, token, brigade]}", `testdata/x.yaml:17:13: constraint "guarantee_needs_troops" forbids every outcome: it lists every value of each issue it names`},
		{"no why", "    assumption: {why: a pledge that no soldier stands behind guarantees nothing}\n", "", `testdata/x.yaml:15:7: constraint "guarantee_needs_troops" removes deals for every party: say why`},
		{"range", "assumption: {why: a pledge that no soldier stands behind guarantees nothing}", "assumption: {why: x, range: [0, 1]}", `constraint "guarantee_needs_troops" is a combination of clauses, not a number: its assumption takes no range`},
		{"no id", "  - id: guarantee_needs_troops\n    description", "  - description", `testdata/x.yaml:15:16: constraint 1 needs an id`},
		{"together", a, a + "\n  - {id: b, forbid: {troops: [token, brigade]}, assumption: {why: y}}\n  - {id: d, forbid: {troops: [none], guarantees: [none, assurances]}, assumption: {why: z}}", `testdata/x.yaml:15:3: together the constraints guarantee_needs_troops, b, d forbid every outcome`},
		{"twice", a, a + "\n  - {id: guarantee_needs_troops, forbid: {troops: [token]}, assumption: {why: y}}", `constraint "guarantee_needs_troops" appears twice`},
		{"unknown field", "    description: an Article", "    forbids: {}\n    description: an Article", `testdata/x.yaml:16:5: unknown field "forbids" in constraints[0] (did you mean "forbid"?)`},
	}
	checkMutations(t, "testdata/clauses.yaml", cases)
}

// TestConstraintsWrittenBack: ToFile writes the constraints, and the file
// it writes reads back to the same constraint.
func TestConstraintsWrittenBack(t *testing.T) {
	s := mustLoad(t, "testdata/clauses.yaml")
	data, err := yaml.Marshal(s.ToFile())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "guarantee_needs_troops") {
		t.Fatalf("written file lacks the constraint:\n%s", data)
	}
	back, err := Parse(data, "testdata/back.yaml")
	if err != nil {
		t.Fatalf("written file does not read back: %v\n%s", err, data)
	}
	if len(back.Constraints) != 1 || back.DescribeConstraint(0) != s.DescribeConstraint(0) || back.Constraints[0].Quote != s.Constraints[0].Quote {
		t.Errorf("read back %+v, want %+v", back.Constraints, s.Constraints)
	}
}
