package protocol

import (
	"testing"

	"github.com/parleyhq/parley/decision"
)

// deliberation is the LLM-Deliberation rule among six seats: five must
// accept, seats 3 and 4 (p1 and p2) among them.
var deliberation = decision.Rule{Quorum: 5, Veto: []int{3, 4}}

// votes returns the vote of each of n seats on one offer: accept unless
// the seat is in no.
func votes(n int, no ...int) []Action {
	v := make([]Action, n)
	for s := range v {
		v[s] = Accept
		for _, x := range no {
			if x == s {
				v[s] = Reject
			}
		}
	}
	return v
}

// TestAMOPRule: under the deliberation rule an offer that five seats accept
// is agreed if the veto seats are among them, and not if one of them
// rejects; the first agreed offer in seat order wins.
func TestAMOPRule(t *testing.T) {
	const n = 6
	for _, c := range []struct {
		name   string
		rule   decision.Rule
		no     [n][]int // per offer, the seats that reject it
		agreed bool
		want   uint64
	}{
		// Offer 10 misses a non-veto seat, offer 11 nobody: 10 wins.
		{"one non-veto missing", deliberation, [n][]int{{0}, {}, {0, 1}, {0, 1}, {0, 1}, {0, 1}}, true, 10},
		// Offer 10 misses veto seat 3; offer 11 is the first agreed.
		{"a veto missing", deliberation, [n][]int{{3}, {5}, {}, {}, {}, {}}, true, 11},
		// Offer 12 is the only one the rule accepts.
		{"vetoes and quorum", deliberation, [n][]int{{4}, {0, 1}, {2}, {3, 0}, {4, 5}, {0, 1}}, true, 12},
		// The same votes under unanimity: only the offers nobody rejects.
		{"unanimity", decision.Rule{}, [n][]int{{4}, {0, 1}, {2}, {3, 0}, {4, 5}, {0, 1}}, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var steps []step
			for s := 0; s < n; s++ {
				steps = append(steps, step{PhaseOffer, s, Offer(uint64(10 + s))})
			}
			for s := 0; s < n; s++ { // seat s votes on every offer k
				for k := 0; k < n; k++ {
					steps = append(steps, step{PhaseVote, s, votes(n, c.no[k]...)[s]})
				}
			}
			p := NewAMOP(false)
			p.SetRule(c.rule)
			r, o := play(t, p, n, Deadline{Rounds: 1}, steps)
			if o.Agreed != c.agreed || c.agreed && o.Outcome != c.want {
				t.Errorf("%+v, want agreed %v on %d\n%v", o, c.agreed, c.want, r[len(r)-2:])
			}
			// The rule outlives Reset.
			if err := p.Reset(n, 100, Deadline{Rounds: 1}, nil); err != nil || len(p.Rule.Veto) != len(c.rule.Veto) {
				t.Errorf("Reset dropped the rule: %v %+v", err, p.Rule)
			}
		})
	}
}

// TestMediatedRule: a text five seats accept, the vetoes among them, is
// adopted; one a veto seat rejects is not, however many accept it.
func TestMediatedRule(t *testing.T) {
	const n = 6
	p := NewMediated()
	p.SetRule(deliberation)
	var steps []step
	text := func(o uint64, no ...int) {
		steps = append(steps, step{PhasePropose, n, Offer(o)})
		for s, a := range votes(n, no...) {
			steps = append(steps, step{PhaseVote, s, a})
		}
	}
	text(20, 0)    // adopted: five accept, both vetoes among them
	text(21, 4)    // veto seat 4 rejects: the current text stays 20
	text(22, 1, 2) // only four accept
	steps = append(steps, step{PhasePropose, n, End})
	r, o := play(t, p, n, Deadline{Rounds: 10}, steps)
	if !o.Agreed || o.Outcome != 20 {
		t.Errorf("%+v\n%v", o, r)
	}
	adopted := 0
	for _, e := range r {
		if e == "adopt r1 s-1 o20" {
			adopted++
		} else if len(e) > 5 && e[:5] == "adopt" {
			t.Errorf("unexpected %s", e)
		}
	}
	if adopted != 1 {
		t.Errorf("text 20 adopted %d times:\n%v", adopted, r)
	}
}

// TestRuleChecked: a rule that does not fit the table fails Reset.
func TestRuleChecked(t *testing.T) {
	for _, p := range []Ruled{NewAMOP(false), NewAMOP(true), NewMediated()} {
		p.SetRule(decision.Rule{Quorum: 2, Veto: []int{5}})
		if err := p.Reset(3, 10, Deadline{Rounds: 5}, nil); err == nil {
			t.Errorf("%s: a veto seat 5 among 3 parties was accepted", p.Name())
		}
	}
}

// TestRuleZeroAllocations: voting under a rule allocates nothing per step.
func TestRuleZeroAllocations(t *testing.T) {
	var sink nopSink
	a := NewAMOP(false)
	a.SetRule(deliberation)
	if err := a.Reset(6, 10, Deadline{Rounds: 1 << 30}, sink); err != nil {
		t.Fatal(err)
	}
	m := NewMediated()
	m.SetRule(deliberation)
	if err := m.Reset(6, 10, Deadline{Rounds: 1 << 30}, sink); err != nil {
		t.Fatal(err)
	}
	for _, p := range []Protocol{a, m} {
		allocs := testing.AllocsPerRun(1000, func() {
			tu := p.Next(0)
			act := Reject // veto seat 3 rejects every offer: the session runs on
			if tu.Phase == PhaseOffer || tu.Phase == PhasePropose {
				act = Offer(3)
			} else if tu.Seat != 3 {
				act = Accept
			}
			if err := p.Step(act); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per step", p.Name(), allocs)
		}
	}
}
