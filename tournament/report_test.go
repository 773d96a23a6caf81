package tournament

import (
	"math"
	"testing"

	"github.com/parleyhq/parley/session"
)

// TestPairs checks head to head on hand-made records: two seats and
// three, self-play, a negotiator holding two seats against one opponent.
func TestPairs(t *testing.T) {
	c := &Canonical{Name: "t", Negotiators: []string{"a", "b", "c"}, Rotation: RotationAll,
		Scenarios: []CanonicalScenario{{Parties: []string{"x", "y"}}, {Parties: []string{"x", "y", "z"}}}}
	recs := []Record{
		{Number: 0, Scenario: 0, Assignment: 1, Agreed: true, Status: session.StatusAgreed, Utility: []float64{0.8, 0.3}},            // a, b
		{Number: 1, Scenario: 0, Assignment: 4, Agreed: true, Status: session.StatusRatified, Utility: []float64{0.5, 0.6}},          // b, b
		{Number: 2, Scenario: 1, Assignment: 5, Agreed: false, Status: session.StatusNoAgreement, Utility: []float64{0.2, 0.4, 0.6}}, // a, b, c
		{Number: 3, Scenario: 1, Assignment: 1, Agreed: true, Status: session.StatusNotRatified, Utility: []float64{0.1, 0.2, 0.9}},  // a, a, b: voided
	}
	for i := range recs {
		recs[i].Discounted = recs[i].Utility
	}
	sum, err := Summarize(c, func(fn func(*Record) error) error {
		for i := range recs {
			if err := fn(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	type cell struct {
		sessions, n          uint64
		mean, agree, binding float64
	}
	want := map[[2]string]cell{
		{"a", "b"}: {3, 4, (0.8 + 0.2 + 0.1 + 0.2) / 4, 2.0 / 3, 1.0 / 3},
		{"b", "a"}: {3, 3, (0.3 + 0.4 + 0.9) / 3, 2.0 / 3, 1.0 / 3},
		{"b", "b"}: {1, 2, 0.55, 1, 1},
		{"a", "a"}: {1, 2, 0.15, 1, 0},
		{"a", "c"}: {1, 1, 0.2, 0, 0},
		{"c", "a"}: {1, 1, 0.6, 0, 0},
		{"b", "c"}: {1, 1, 0.4, 0, 0},
		{"c", "b"}: {1, 1, 0.6, 0, 0},
	}
	if len(sum.Pairs) != len(want) {
		t.Errorf("%d pairs, want %d: %+v", len(sum.Pairs), len(want), sum.Pairs)
	}
	for i, p := range sum.Pairs {
		w, ok := want[[2]string{p.Negotiator, p.Opponent}]
		if !ok {
			t.Errorf("unexpected pair %s against %s", p.Negotiator, p.Opponent)
			continue
		}
		if p.Sessions != w.sessions || p.Utility.N != w.n || math.Abs(p.Utility.Mean-w.mean) > 1e-12 || math.Abs(p.Agreement-w.agree) > 1e-12 ||
			math.Abs(p.Binding-w.binding) > 1e-12 {
			t.Errorf("%s against %s: %d sessions, %d utilities, mean %v, agreement %v, binding %v; want %+v", p.Negotiator, p.Opponent,
				p.Sessions, p.Utility.N, p.Utility.Mean, p.Agreement, p.Binding, w)
		}
		// Spec order: negotiator first, then opponent.
		if i > 0 {
			prev := sum.Pairs[i-1]
			if idx(c, prev.Negotiator)*3+idx(c, prev.Opponent) >= idx(c, p.Negotiator)*3+idx(c, p.Opponent) {
				t.Errorf("pairs out of order: %s/%s before %s/%s", prev.Negotiator, prev.Opponent, p.Negotiator, p.Opponent)
			}
		}
	}
}

func idx(c *Canonical, name string) int {
	for i, n := range c.Negotiators {
		if n == name {
			return i
		}
	}
	return -1
}

// TestPairsBounded: past MaxPairNegotiators the table, which grows with
// their square, is left out.
func TestPairsBounded(t *testing.T) {
	names := make([]string, MaxPairNegotiators+1)
	for i := range names {
		names[i] = string(rune('a' + i%26))
	}
	if newPairTable(names) != nil || newPairTable(names[:MaxPairNegotiators]) == nil {
		t.Errorf("pair tables: kept above %d negotiators, or dropped at it", MaxPairNegotiators)
	}
}
