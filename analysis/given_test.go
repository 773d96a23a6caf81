package analysis

import (
	"math"
	"os"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// TestGivenValuesInEveryFigure (issue 16, finding 5): conditional values
// make a party's utility non-additive; the frontier, the solution points,
// the zone and the what-if deals are those of brute-force enumeration.
func TestGivenValuesInEveryFigure(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/given.yaml")
	if err != nil {
		t.Fatal(err)
	}
	us, _ := utilities(s)
	if !us[0].HasTerms() {
		t.Fatal("ua's utility is additive")
	}
	sp := s.Space()
	f, err := Frontier(us, sp, Options{Listed: 3})
	if err != nil {
		t.Fatal(err)
	}
	samePareto(t, f, bruteFrontier(t, us, sp, 3))
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := make([]int, sp.Issues())
	want := bruteNash(t, s, func([]int) bool { return true })
	sp.Decode(uint64(want), o)
	if len(r.Nash) == 0 || !sameLabels(r.Nash[0].Outcome, s.Labels(o)) {
		t.Errorf("Nash %+v, brute force %v", r.Nash, s.Labels(o))
	}
	zone := 0
	_ = sp.Enumerate(0, func(o []int) bool {
		for _, u := range us {
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
	for p, u := range us {
		lo, hi := math.Inf(1), math.Inf(-1)
		_ = sp.Enumerate(0, func(o []int) bool {
			lo, hi = math.Min(lo, u.Raw(o)), math.Max(hi, u.Raw(o))
			return true
		})
		if r.MinUtility[p] != lo || r.MaxUtility[p] != hi {
			t.Errorf("%s: utilities [%v, %v], brute force [%v, %v]", r.Parties[p], r.MinUtility[p], r.MaxUtility[p], lo, hi)
		}
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	if !sameLabels(r.WhatIf.Nash.Outcome, s.Labels(o)) {
		t.Errorf("what-if Nash %v, brute force %v", r.WhatIf.Nash.Outcome, s.Labels(o))
	}
}

// TestAgendaFallbackCountsSettledTerms: without a status quo, a phase's
// fallback counts a conditional value once both clauses it ties are
// settled (the additive formula alone would leave it out): with
// guarantees = article5_like and troops = none settled first, ua falls back
// on rv + 0.5·(0.6·0.65) + 0.3·0 − 0.8·rv, not on the table's 1·0.65.
func TestAgendaFallbackCountsSettledTerms(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/given.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.Agenda = []scenario.Phase{{ID: "security", Issues: []int{0, 1}}, {ID: "law", Issues: []int{2}, After: []int{0}}}
	g, err := newGrid(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ar := &agendaRun{g: g, o: []int{2, 0, 0}, phases: [][]int{{0, 1}, {2}}}
	rv := g.rv[0]
	want := rv + 0.5*0.6*0.65 + 0.3*0 - 0.8*rv
	if got := ar.fallback(1)[0]; math.Abs(got-want) > 1e-12 {
		t.Errorf("ua's fallback %v, want %v", got, want)
	}
	// The induction's result agrees with a brute-force backward
	// induction over the same fallbacks.
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	a := r.WhatIf.Agenda.Agenda
	best, bestX := -1, -1.0
	var bestLaw int
	for sec := 0; sec < 9; sec++ {
		ar.o[0], ar.o[1] = sec%3, sec/3
		d := ar.fallback(1)
		if !allAtLeast(d, g.rv) {
			continue
		}
		law, lawX := -1, -1.0
		for l := 0; l < 2; l++ {
			ar.o[2] = l
			idx := int(sp(s).Index(ar.o))
			u := g.utilities(idx)
			if !allAtLeast(u, d) {
				continue
			}
			if x := gains(u, d); x > lawX+Tolerance {
				law, lawX = l, x
			}
		}
		if law < 0 {
			continue
		}
		ar.o[2] = law
		u := g.utilities(int(sp(s).Index(ar.o)))
		if x := gains(u, g.rv); x > bestX+Tolerance {
			best, bestX, bestLaw = sec, x, law
		}
	}
	if best < 0 {
		t.Fatal("brute force finds no agenda deal")
	}
	o := []int{best % 3, best / 3, bestLaw}
	if !a.Complete || !sameLabels(a.Outcome, s.Labels(o)) {
		t.Errorf("agenda deal %+v, brute force %v", a, s.Labels(o))
	}
}

func sp(s *scenario.Scenario) interface{ Index([]int) uint64 } { return s.Space() }

func allAtLeast(u, d []float64) bool {
	for p := range u {
		if u[p] < d[p]-Tolerance {
			return false
		}
	}
	return true
}

func gains(u, d []float64) float64 {
	x := 1.0
	for p := range u {
		x *= math.Max(u[p]-d[p], 0)
	}
	return x
}

// TestGivenValuesSampled: a conditional value with an assumed range is
// sampled by the sensitivity analysis like any value.
func TestGivenValuesSampled(t *testing.T) {
	data, err := os.ReadFile("../scenario/testdata/given.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := scenario.DecodeFile(data, "given.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Sensitivity(f, "given.yaml", SensitivityOptions{Samples: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range rep.Assumptions {
		found = found || a.Path == "parties[0].values.guarantees.given[0].article5_like"
	}
	if !found || rep.Valid != 20 {
		t.Errorf("assumptions %+v, valid %d", rep.Assumptions, rep.Valid)
	}
}

// TestCommitmentInfoPerBeneficiary: a commitment valued by several parties
// is reported once per beneficiary, each with its own stated and effective
// value (Russia's law, discounted by Russia's credibility 1/3).
func TestCommitmentInfoPerBeneficiary(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/commitments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gs := guarantees(s)
	if len(gs) != 2 || gs[0].Beneficiary != "ua" || gs[1].Beneficiary != "eu" {
		t.Fatalf("guarantees %+v", gs)
	}
	for k, want := range [][2]float64{{1, 1.0 / 3}, {0.8, 0.2 + 0.6/3}} {
		o := gs[k].Options[1]
		if o.Stated != want[0] || math.Abs(o.Effective-want[1]) > 1e-12 || math.Abs(o.Honour-1.0/3) > 1e-12 {
			t.Errorf("%s: %+v, want stated %v effective %v", gs[k].Beneficiary, o, want[0], want[1])
		}
	}
}
