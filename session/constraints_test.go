package session

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// forbidder offers the same deal every turn and accepts nothing.
type forbidder struct{ id uint64 }

func (f *forbidder) Reset(*negotiator.Setup)           {}
func (f *forbidder) Observe(protocol.Event)            {}
func (f *forbidder) Act(protocol.Turn) protocol.Action { return protocol.Offer(f.id) }

// TestConstraintsInSessions (issue 16, finding 5): no built-in strategy
// agrees to a deal that breaks a scenario constraint, with or without an
// agenda; an offer that breaks one all the same (a strategy of the
// caller's own) is counted against the constraint, not as a crossing of
// each party's red lines, and is never accepted.
func TestConstraintsInSessions(t *testing.T) {
	sc, err := scenario.LoadFile("../scenario/testdata/clauses.yaml")
	if err != nil {
		t.Fatal(err)
	}
	staged := *sc
	staged.Agenda = []scenario.Phase{{ID: "security", Issues: []int{0}}, {ID: "rest", Issues: []int{1, 2}, After: []int{0}}}
	o := make([]int, 3)
	for _, s := range []*scenario.Scenario{sc, &staged} {
		for _, neg := range []string{"conceder", "boulware", "linear", "hardliner", "titfortat", "random", "micro"} {
			for seed := uint64(1); seed <= 5; seed++ {
				res, err := Run(Config{Scenario: s, Negotiators: []string{neg, "conceder"}, Deadline: protocol.Deadline{Rounds: 40}, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				if res.OutcomeIndex != nil {
					sc.Space().Decode(*res.OutcomeIndex, o)
					if sc.Forbidden(o) >= 0 {
						t.Fatalf("%s vs conceder, seed %d, agenda %v: agreed %v, which the constraint forbids", neg, seed, s.Agenda != nil, res.Agreement)
					}
				}
				if res.Constraints == nil || res.Constraints.Broken["guarantee_needs_troops"] != 0 {
					t.Errorf("%s, seed %d: constraints report %+v", neg, seed, res.Constraints)
				}
			}
		}
	}
	bad := sc.Space().Index([]int{2, 0, 0}) // article5_like without troops
	r, err := NewRunner(Config{Scenario: sc, Negotiators: []string{"forbidder", "conceder"}, Deadline: protocol.Deadline{Rounds: 10},
		Custom: map[string]func() negotiator.Negotiator{"forbidder": func() negotiator.Negotiator { return &forbidder{id: bad} }}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(1); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	if res.Agreed {
		t.Fatalf("a forbidden deal was agreed: %v", res.Agreement)
	}
	if got := res.Constraints.Broken["guarantee_needs_troops"]; got != 10 {
		t.Errorf("broken %d times, want 10 (one offer a round)", got)
	}
	if res.RedLines != nil {
		t.Errorf("the constraint was counted as the parties' red lines: %+v", res.RedLines)
	}
	var b strings.Builder
	writeResult(&b, &res)
	if !strings.Contains(b.String(), "Constraints: offers and texts breaking them: guarantee_needs_troops 10") {
		t.Errorf("summary:\n%s", b.String())
	}
}
