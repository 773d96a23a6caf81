package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// bruteNash is the Nash deal over the outcomes every party accepts (red
// lines and reservation values) that keep, keeps a filter of the caller's:
// the first outcome in enumeration order within Tolerance of the best
// product, -1 when none. It uses nothing of the analysis but Raw.
func bruteNash(t *testing.T, s *scenario.Scenario, keep func(o []int) bool) int {
	t.Helper()
	sp := s.Space()
	var prods []float64
	var idxs []int
	idx := 0
	err := sp.Enumerate(0, func(o []int) bool {
		defer func() { idx++ }()
		if !keep(o) {
			return true
		}
		x := 1.0
		for _, p := range s.Negotiators() {
			pa := &s.Parties[p]
			for _, rl := range pa.RedLines {
				if rl.Match(o) {
					return true
				}
			}
			u := s.Utility(p)
			g := u.Raw(o) - u.Reservation
			if g < -Tolerance {
				return true
			}
			x *= math.Max(g, 0)
		}
		prods, idxs = append(prods, x), append(idxs, idx)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	best := math.Inf(-1)
	for _, x := range prods {
		best = math.Max(best, x)
	}
	for k, x := range prods {
		if x >= best-Tolerance {
			return idxs[k]
		}
	}
	return -1
}

// TestConstraintsInEveryFigure (issue 16, finding 5): a constraint removes
// its outcomes from the frontier's Nash point, the zone, the what-if deals
// (the unconstrained ones included: a constraint is not a red line to
// relax) and the agenda's induction, matching brute-force enumeration; and
// it binds: without it the Nash deal is the forbidden combination.
func TestConstraintsInEveryFigure(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/clauses.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sp := s.Space()
	o := make([]int, sp.Issues())
	free := bruteNash(t, s, func([]int) bool { return true })
	sp.Decode(uint64(free), o)
	if s.Forbidden(o) < 0 {
		t.Fatalf("the constraint does not bind: the Nash deal without it, %v, is allowed", o)
	}
	want := bruteNash(t, s, func(o []int) bool { return s.Forbidden(o) < 0 })
	sp.Decode(uint64(want), o)
	wantLabels := s.Labels(o)

	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Nash) == 0 || !sameLabels(r.Nash[0].Outcome, wantLabels) {
		t.Fatalf("Nash %+v, want %v", r.Nash, wantLabels)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "no deal may break a constraint, for any party: guarantee_needs_troops (guarantees = article5_like with troops = none)") {
		t.Errorf("notes do not name the constraint: %q", r.Notes)
	}
	zone := 0
	_ = sp.Enumerate(0, func(o []int) bool {
		if s.Forbidden(o) >= 0 {
			return true
		}
		for _, p := range s.Negotiators() {
			u := s.Utility(p)
			if u.Raw(o) < u.Reservation-Tolerance {
				return true
			}
		}
		zone++
		return true
	})
	if r.Zopa.Count != uint64(zone) {
		t.Errorf("zone %d, brute force %d", r.Zopa.Count, zone)
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	w := r.WhatIf
	for name, d := range map[string]*Deal{"nash": w.Nash, "unconstrained_nash": w.UnconstrainedNash, "unconstrained_max_welfare": w.UnconstrainedMaxWelfare} {
		if d == nil {
			t.Fatalf("%s: no deal", name)
		}
		if _, err := parseOutcome(s, d.Outcome); err != nil {
			t.Fatal(err)
		}
		o, _ := parseOutcome(s, d.Outcome)
		if s.Forbidden(o) >= 0 {
			t.Errorf("%s %v breaks the constraint", name, d.Outcome)
		}
	}
	if !sameLabels(w.Nash.Outcome, wantLabels) {
		t.Errorf("what-if Nash %v, want %v", w.Nash.Outcome, wantLabels)
	}
	if w.Ratify.Zone != uint64(zone) {
		t.Errorf("what-if zone %d, want %d", w.Ratify.Zone, zone)
	}
	for _, rl := range w.RedLines {
		if strings.HasPrefix(rl.ID, scenario.ConstraintPrefix) {
			t.Errorf("the constraint is listed as a red line: %+v", rl)
		}
	}
	ev, err := r.Evaluate(map[string]string{"guarantees": "article5_like", "troops": "none", "land": "held"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Rational || len(ev.Crosses) != 1 || ev.Crosses[0] != "constraint guarantee_needs_troops" {
		t.Errorf("evaluation of a forbidden deal: rational %v, crosses %v", ev.Rational, ev.Crosses)
	}

	// With an agenda, the induction leaves the combination out once both
	// issues are settled.
	s.Agenda = []scenario.Phase{{ID: "security", Issues: []int{0}}, {ID: "rest", Issues: []int{1, 2}, After: []int{0}}}
	r, err = Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	a := r.WhatIf.Agenda
	if a == nil || !a.Agenda.Complete {
		t.Fatalf("agenda %+v", a)
	}
	if o, _ := parseOutcome(s, a.Agenda.Outcome); s.Forbidden(o) >= 0 {
		t.Errorf("the agenda's deal %v breaks the constraint", a.Agenda.Outcome)
	}
}

func sameLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
