package seat_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// TestOfferBreakingAConstraintIsRefused (issue 16, finding 5): a remote
// seat that offers a deal the scenario's constraints forbid gets an error
// naming the constraint and why; its next offer counts.
func TestOfferBreakingAConstraintIsRefused(t *testing.T) {
	sc, err := scenario.LoadFile("../scenario/testdata/clauses.yaml")
	if err != nil {
		t.Fatal(err)
	}
	outside, got, wg := scripted(t, []string{
		`{"type":"offer","outcome":{"guarantees":"article5_like","troops":"none","land":"none"}}`,
		`{"type":"offer","outcome":{"guarantees":"article5_like","troops":"token","land":"none"}}`,
		`{"type":"end"}`,
	})
	r, err := session.NewRunner(session.Config{Scenario: sc, Negotiators: []string{"scripted", "hardliner"},
		Deadline: protocol.Deadline{Rounds: 10}, Outside: outside})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(1); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	r.Close()
	wg.Wait()
	var errs []seat.Error
	for _, m := range *got {
		var e seat.Error
		if json.Unmarshal([]byte(m), &e); e.Type == seat.TypeError {
			errs = append(errs, e)
		}
	}
	if len(errs) != 1 || errs[0].Field != "outcome" ||
		!strings.Contains(errs[0].Message, `this deal breaks the scenario's constraint "guarantee_needs_troops" (guarantees = article5_like with troops = none: an Article 5-like guarantee without troops to back it is empty)`) {
		t.Fatalf("errors %+v", errs)
	}
	if res.Constraints == nil || res.Constraints.Broken["guarantee_needs_troops"] != 0 {
		t.Errorf("a refused offer reached the table: %+v", res.Constraints)
	}
}
