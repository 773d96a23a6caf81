package session

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// TestRatificationByBodies (issue 16, finding 7): every body the deal
// requires votes with a draw of its own, at the probability of its own
// electorate (the deputies' utility, the communities' consent); one
// failed vote voids the deal; the result and the summary give each vote.
func TestRatificationByBodies(t *testing.T) {
	sc, err := scenario.LoadFile("../scenario/testdata/ratify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rat := sc.Parties[0].Ratification
	seen := map[string]bool{}
	o := make([]int, 2)
	for _, neg := range []string{"conceder", "boulware", "linear", "random"} {
		for seed := uint64(1); seed <= 12; seed++ {
			r, err := NewRunner(Config{Scenario: sc, Negotiators: []string{neg, "conceder"}, Deadline: protocol.Deadline{Rounds: 30}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Play(seed); err != nil {
				t.Fatal(err)
			}
			res := r.Result()
			if !res.Agreed {
				continue
			}
			sc.Space().Decode(*res.OutcomeIndex, o)
			u := sc.Utility(0).Utility(o)
			if len(res.Ratification) != 2 {
				t.Fatalf("%s seed %d: votes %+v", neg, seed, res.Ratification)
			}
			allPass := true
			for k, v := range res.Ratification {
				b := &rat.Bodies[k]
				if v.Party != "ua" || v.Body != b.Name || v.Required != b.Required(o) || v.Probability != b.Prob(o, u) {
					t.Errorf("%s seed %d, %s: vote %+v, want required %v probability %v", neg, seed, b.Name, v, b.Required(o), b.Prob(o, u))
				}
				if v.Required && (v.Draw < v.Probability) != v.Passed {
					t.Errorf("vote %+v", v)
				}
				if (len(v.Communities) > 0) != (v.Required && len(b.Communities) > 0) {
					t.Errorf("communities %+v", v.Communities)
				}
				allPass = allPass && v.Passed
				if v.Required {
					seen[b.Name+map[bool]string{true: " passed", false: " failed"}[v.Passed]] = true
				}
			}
			want := StatusRatified
			if !allPass {
				want = StatusNotRatified
			}
			if res.Status != want {
				t.Errorf("%s seed %d: status %s, want %s (%+v)", neg, seed, res.Status, want, res.Ratification)
			}
			var b strings.Builder
			writeResult(&b, &res)
			for _, v := range res.Ratification {
				if v.Required && !strings.Contains(b.String(), "ua: "+v.Body+" ") {
					t.Errorf("summary lacks the %s:\n%s", v.Body, b.String())
				}
				if len(v.Communities) > 0 && !strings.Contains(b.String(), "; predicted: west ") {
					t.Errorf("summary lacks the communities:\n%s", b.String())
				}
			}
		}
	}
	t.Logf("votes seen: %v", seen)
	if len(seen) < 2 {
		t.Errorf("the sessions tried too little: %v", seen)
	}
}
