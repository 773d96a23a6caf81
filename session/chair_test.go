package session

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// chairScenario is a two-party negotiation mediated by a chair: George
// Mitchell in Northern Ireland had no stake in the outcome. chair is the
// mediator's entry.
func chairScenario(t *testing.T, chair string) *scenario.Scenario {
	t.Helper()
	text := `parley: 1
name: chair
mediator: mitchell
issues:
  - {id: x, options: [{id: a}, {id: b}, {id: c}]}
  - {id: y, options: [{id: a}, {id: b}, {id: c}]}
parties:
  - {id: p, reservation: 0.3, weights: {x: 0.7, y: 0.3}, values: {x: {a: 1, b: 0.6, c: 0}, y: {a: 0, b: 0.5, c: 1}}}
  - {id: q, reservation: 0.3, weights: {x: 0.3, y: 0.7}, values: {x: {a: 0, b: 0.5, c: 1}, y: {a: 1, b: 0.6, c: 0}}}
` + chair
	s, err := scenario.Parse([]byte(text), "chair.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestChairMediates (issue 16, finding 9): a mediator without interests
// sits at the mediator seat with no utility (Setup.Utility and Index nil,
// as when no party mediates), so the broker proposes by the parties'
// acceptance alone, and hillclimb and veto, which ignore utility, run as
// ever; each session reaches a deal. A mediator with interests keeps its
// utility (the control).
func TestChairMediates(t *testing.T) {
	for _, c := range []struct {
		name, chair  string
		interested   bool
		protocol     string
		mediators    []string
		wantAgreed   bool
		wantMediator float64 // the mediator's utility of any deal
	}{
		{"chair, shuttle", "  - {id: mitchell, name: George Mitchell}\n", false, "shuttle", []string{"broker"}, true, 0},
		{"chair with weights 0, mediated", "  - {id: mitchell, weights: {x: 0, y: 0}, values: {x: {a: 1, b: 0, c: 0}, y: {a: 1, b: 0, c: 0}}}\n", false, "mediated", []string{"broker", "hillclimb", "veto"}, true, 0},
		{"interested mediator", "  - {id: mitchell, reservation: 0.1, weights: {x: 0.5, y: 0.5}, values: {x: {a: 1, b: 0.5, c: 0}, y: {a: 1, b: 0.5, c: 0}}}\n", true, "shuttle", []string{"broker"}, true, -1},
	} {
		for _, med := range c.mediators {
			t.Run(c.name+"/"+med, func(t *testing.T) {
				cfg := Config{Scenario: chairScenario(t, c.chair), Protocol: c.protocol, Mediator: med,
					Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 60}}
				r, err := NewRunner(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.Play(3); err != nil {
					t.Fatal(err)
				}
				setup := r.seats[len(r.prep.Seats)].setup
				if got := setup.Utility != nil || setup.Index != nil; got != c.interested {
					t.Errorf("the mediator seat sees a utility: %v, want %v", got, c.interested)
				}
				res := r.Result()
				if res.Agreed != c.wantAgreed {
					t.Fatalf("agreed %v (%s, %s), want %v", res.Agreed, res.Status, res.End, c.wantAgreed)
				}
				if res.MediatorParty == nil || !strings.EqualFold(res.MediatorParty.ID, "mitchell") {
					t.Fatalf("mediator party %+v", res.MediatorParty)
				}
				if c.wantMediator >= 0 && res.MediatorParty.Utility != c.wantMediator {
					t.Errorf("a chair's utility of the deal is %v, want %v", res.MediatorParty.Utility, c.wantMediator)
				}
				for _, p := range res.Parties {
					if p.Utility < 0.3 {
						t.Errorf("%s gets %v, below its reservation value 0.3", p.ID, p.Utility)
					}
				}
			})
		}
	}
}
