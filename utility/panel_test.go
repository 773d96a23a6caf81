package utility

import "testing"

// panelOf three members over one issue of three values: member k values
// value k at 1 and the others at 0.2, with reservation 0.5, so member k
// accepts exactly value k; weights 0.5, 0.3, 0.2.
func panelOf(rule PanelRule) *Panel {
	p := &Panel{Weights: []float64{0.5, 0.3, 0.2}, Rule: rule, IDs: []string{"a", "b", "c"}}
	for k := range 3 {
		e := []float64{0.2, 0.2, 0.2}
		e[k] = 1
		p.Members = append(p.Members, NewAdditive([]float64{1}, [][]float64{e}, 0.5, 1))
	}
	return p
}

// TestPanelRules: which values each rule accepts when member k accepts
// only value k.
func TestPanelRules(t *testing.T) {
	for _, c := range []struct {
		name  string
		rule  PanelRule
		share float64
		lead  int
		want  [3]bool
	}{
		{"unanimity", Unanimity, 0, 0, [3]bool{false, false, false}},
		{"leader a", LeaderDecides, 0, 0, [3]bool{true, false, false}},
		{"leader c", LeaderDecides, 0, 2, [3]bool{false, false, true}},
		// 0.5 is not more than half of 1.
		{"weighted", WeightedMajority, 0, 0, [3]bool{false, false, false}},
		{"qualified 0.5", QualifiedMajority, 0.5, 0, [3]bool{true, false, false}},
		{"qualified 0.3", QualifiedMajority, 0.3, 0, [3]bool{true, true, false}},
		{"qualified 0.2", QualifiedMajority, 0.2, 0, [3]bool{true, true, true}},
	} {
		p := panelOf(c.rule)
		p.Share, p.Leader = c.share, c.lead
		for v := range 3 {
			if got := p.Accepts([]int{v}); got != c.want[v] {
				t.Errorf("%s: value %d accepted %v, want %v", c.name, v, got, c.want[v])
			}
		}
	}
	// Two members sharing a value reach a weighted majority.
	p := panelOf(WeightedMajority)
	p.Members[1].Table[0][0] = 1 // b now accepts value 0 too: 0.8 > 0.5
	if !p.Accepts([]int{0}) || p.Accepts([]int{1}) {
		t.Error("weighted majority: 0.5+0.3 should carry value 0 and 0.3 not value 1")
	}
}

// TestPanelDecidesAcceptance: a party with a panel accepts what the panel
// accepts, whatever its own utility against its reservation, and its
// Utility is Unacceptable where the panel rejects; a member's red line is
// its veto under unanimity.
func TestPanelDecidesAcceptance(t *testing.T) {
	a := NewAdditive([]float64{1}, [][]float64{{0.9, 0.9, 0.1}}, 0.5, 1)
	a.Panel = panelOf(QualifiedMajority)
	a.Panel.Share = 0.3
	for v, want := range []bool{true, true, false} {
		if got := a.Accepts([]int{v}); got != want {
			t.Errorf("value %d: accepts %v, want %v", v, got, want)
		}
	}
	if got := a.Utility([]int{2}); got != Unacceptable {
		t.Errorf("utility of a value the panel rejects = %v, want Unacceptable", got)
	}
	if got := a.Utility([]int{0}); got != 0.9 {
		t.Errorf("utility of a value the panel accepts = %v, want 0.9", got)
	}
	// Its raw utility at value 2 is below its reservation, but that is not
	// its rule: with a panel that accepts everything, it accepts.
	a.Panel = panelOf(QualifiedMajority)
	a.Panel.Share = 0.2
	if !a.Accepts([]int{2}) {
		t.Error("the panel accepts value 2, but the party does not")
	}
	u := panelOf(Unanimity)
	for _, m := range u.Members {
		m.Table[0] = []float64{1, 1, 1}
	}
	u.Members[1].RedLines = []RedLine{{ID: "no2", Constraint: Constraint{Issues: []int{0}, Allowed: [][]bool{{false, false, true}}}}}
	if !u.Accepts([]int{1}) || u.Accepts([]int{2}) {
		t.Error("under unanimity, member b's red line on value 2 must veto it, and only it")
	}
}

// TestConsent: an outcome that needs a consent is unacceptable to the
// party needing it when the one who must consent would not accept it.
func TestConsent(t *testing.T) {
	guarantor := NewAdditive([]float64{0.5, 0.5}, [][]float64{{1, 0}, {0, 1}}, 0.6, 1)
	a := NewAdditive([]float64{0.5, 0.5}, [][]float64{{1, 0}, {1, 0}}, 0.1, 1)
	// Issue 1 value 1 is the guarantee the guarantor pledges.
	a.Consents = []Consent{{ID: "guarantor g", When: Constraint{Issues: []int{1}, Allowed: [][]bool{{false, true}}}, By: guarantor}}
	for _, c := range []struct {
		o      []int
		lacks  int
		accept bool
	}{
		{[]int{0, 0}, -1, true}, // no guarantee: no consent needed
		{[]int{0, 1}, -1, true}, // the guarantor gets 1 ≥ 0.6 and consents; a gets 0.5
		{[]int{1, 1}, 0, false}, // the guarantor gets 0.5 < 0.6: refused
	} {
		if got := a.Lacks(c.o); got != c.lacks {
			t.Errorf("%v: lacks %d, want %d", c.o, got, c.lacks)
		}
		if got := a.Accepts(c.o); got != c.accept {
			t.Errorf("%v: accepts %v, want %v", c.o, got, c.accept)
		}
	}
	if a.Utility([]int{1, 1}) != Unacceptable || a.Raw([]int{1, 1}) != 0 {
		t.Errorf("a deal without its guarantor's consent: utility %v, raw %v", a.Utility([]int{1, 1}), a.Raw([]int{1, 1}))
	}
}

// TestShiftAndFallback move a panel's members with the party.
func TestShiftAndFallback(t *testing.T) {
	a := NewAdditive([]float64{1}, [][]float64{{0.4, 0.4, 0.4}}, 0.5, 1)
	a.Panel = panelOf(Unanimity)
	a.ShiftReservation(-0.1)
	if a.Reservation != 0.4 || a.Panel.Members[2].Reservation != 0.4 {
		t.Errorf("shifted: %v, member %v", a.Reservation, a.Panel.Members[2].Reservation)
	}
	a.ValueFallback([]int{1})
	if a.Reservation != 0.4 || a.Panel.Members[1].Reservation != 1 || a.Panel.Members[0].Reservation != 0.2 {
		t.Errorf("status quo: %v, members %v %v", a.Reservation, a.Panel.Members[0].Reservation, a.Panel.Members[1].Reservation)
	}
}
