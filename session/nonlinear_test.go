package session

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
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
	// Strategies that need a sorted index play too.
	for _, negs := range [][]string{{"micro", "frequency"}, {"random", "micro"}} {
		res, err := Run(Config{Prepared: prep, Negotiators: negs, Deadline: protocol.Deadline{Rounds: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Agreed {
			sc.Space().Decode(*res.OutcomeIndex, o)
			for p, pr := range res.Parties {
				if want := us[p].Utility(o); pr.Utility != want {
					t.Errorf("%v: %s's payoff %v, its utility of the deal %v", negs, pr.ID, pr.Utility, want)
				}
			}
		}
	}
}

// TestPhaseUtilityTerms: an agenda phase's utility of a utility with terms
// is the mean, over the values of the issues still open, of the full
// utility with the settled issues at their agreed values (sums stay below
// the clamp here, so the mean and the sum commute).
func TestPhaseUtilityTerms(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	sizes := []int{3, 2, 4}
	for trial := range 50 {
		ev := make([][]float64, len(sizes))
		for i, n := range sizes {
			ev[i] = make([]float64, n)
			for v := range ev[i] {
				ev[i][v] = r.Float64()
			}
		}
		u := utility.NewAdditive([]float64{0.1, 0.1, 0.1}, ev, 0, 1)
		for range 4 {
			var c utility.Constraint
			for i, n := range sizes {
				if r.IntN(2) == 0 {
					continue
				}
				al := make([]bool, n)
				for v := range al {
					al[v] = r.IntN(2) == 0
				}
				c.Issues, c.Allowed = append(c.Issues, i), append(c.Allowed, al)
			}
			u.Terms = append(u.Terms, utility.Term{Constraint: c, Value: r.Float64()*0.2 - 0.05})
		}
		v0 := r.IntN(3)
		pu := phaseUtility(u, []int{1}, []int{v0, 0, 0}, []bool{true, false, false})
		for x := range sizes[1] {
			mean := 0.0
			for v2 := range sizes[2] {
				mean += u.Raw([]int{v0, x, v2}) / float64(sizes[2])
			}
			if got := pu.Raw([]int{x}); math.Abs(got-mean) > 1e-12 {
				t.Fatalf("trial %d: phase utility of %d is %v, the mean %v", trial, x, got, mean)
			}
		}
	}
}
