package session

import (
	"math"
	"testing"

	"github.com/parleyhq/parley/protocol"
)

// TestNonlinearGeniusSession: Boulware against Conceder on ANAC 2014's
// non-linear 10issues domain (10^10 outcomes, utilities made of
// hyper-rectangles). Each party's index sorts its cells, so its offers are
// exact "utility ≥ target" answers; the deal's payoffs are the parties'
// utilities of the agreed outcome, and the result measures its distance to
// the exact frontier.
func TestNonlinearGeniusSession(t *testing.T) {
	sc := loadDomain(t, "ANAC2014_10issues")
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	for s, x := range prep.Indexes {
		if !x.Sorted() || !x.Cells() {
			t.Fatalf("seat %d: index sorted %v, over cells %v", s, x.Sorted(), x.Cells())
		}
		if _, u := x.Max(); u != 1 {
			t.Fatalf("seat %d: best utility %v, want 1", s, u)
		}
	}
	us := sc.Utilities()
	o := make([]int, len(sc.Issues))
	for seed := range uint64(3) {
		res, err := Run(Config{Prepared: prep, Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 100}, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Agreed || res.OutcomeIndex == nil {
			t.Fatalf("seed %d: no agreement (%s after %d rounds)", seed, res.End, res.Round)
		}
		sc.Space().Decode(*res.OutcomeIndex, o)
		for p, pr := range res.Parties {
			if want := us[p].Utility(o); pr.Utility != want {
				t.Errorf("seed %d: %s's payoff %v, its utility of the deal %v", seed, pr.ID, pr.Utility, want)
			}
		}
		// Conceder concedes faster, so Boulware (seat 0) does better.
		if res.Parties[0].Utility <= res.Parties[1].Utility {
			t.Errorf("seed %d: boulware %v, conceder %v", seed, res.Parties[0].Utility, res.Parties[1].Utility)
		}
		if res.AnalysisNote != "" || res.DistanceToPareto == nil || *res.DistanceToPareto < 0 || math.IsNaN(*res.DistanceToPareto) {
			t.Errorf("seed %d: distance to Pareto %v, note %q", seed, res.DistanceToPareto, res.AnalysisNote)
		}
	}
}
