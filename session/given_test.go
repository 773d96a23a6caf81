package session

import (
	"math"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// TestPhaseUtilityOfConditionalValues (issue 16, finding 5): a phase's
// preferences value an outcome of its issues as the mean over the
// completions of the open issues, conditional values included (brute
// force over every completion), and count settled issues at their values.
func TestPhaseUtilityOfConditionalValues(t *testing.T) {
	sc, err := scenario.LoadFile("../scenario/testdata/given.yaml")
	if err != nil {
		t.Fatal(err)
	}
	u := sc.Utility(0)
	sp := sc.Space()
	for _, c := range []struct {
		issues    []int
		settled   []int
		isSettled []bool
	}{
		{[]int{0}, []int{0, 0, 0}, []bool{false, false, false}},
		{[]int{1}, []int{2, 0, 0}, []bool{true, false, false}},
		{[]int{2}, []int{1, 0, 0}, []bool{true, true, false}},
		{[]int{0, 2}, []int{0, 1, 0}, []bool{false, true, false}},
	} {
		pu := phaseUtility(u, c.issues, c.settled, c.isSettled)
		local := make([]int, len(c.issues))
		var walk func(k int)
		walk = func(k int) {
			if k < len(local) {
				for v := range sc.Issues[c.issues[k]].Size() {
					local[k] = v
					walk(k + 1)
				}
				return
			}
			sum, n := 0.0, 0
			_ = sp.Enumerate(0, func(o []int) bool {
				for k, i := range c.issues {
					if o[i] != local[k] {
						return true
					}
				}
				for i, s := range c.isSettled {
					if s && o[i] != c.settled[i] {
						return true
					}
				}
				sum += u.Raw(o)
				n++
				return true
			})
			if got, want := pu.Raw(local), sum/float64(n); math.Abs(got-want) > 1e-12 {
				t.Errorf("phase %v, settled %v %v, outcome %v: %v, mean over completions %v", c.issues, c.settled, c.isSettled, local, got, want)
			}
		}
		walk(0)
	}
	// Sessions on it pay each party its utility of the deal.
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 30}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Agreed {
		t.Fatalf("no deal: %s", res.End)
	}
	o := make([]int, 3)
	sp.Decode(*res.OutcomeIndex, o)
	if got, want := res.Parties[0].Utility, u.Utility(o); got != want {
		t.Errorf("ua paid %v for %v, its utility is %v", got, res.Agreement, want)
	}
}
