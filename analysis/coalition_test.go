package analysis

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

const coalitionFile = "../scenario/testdata/coalition.yaml"

// coalitionMutated loads the coalition fixture, each from replaced by its
// to, and analyses it with its what-if analysis.
func coalitionMutated(t *testing.T, swaps ...string) (*scenario.Scenario, *Report) {
	t.Helper()
	data, err := os.ReadFile(coalitionFile)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k+1 < len(swaps); k += 2 {
		if !bytes.Contains(data, []byte(swaps[k])) {
			t.Fatalf("fixture lacks %q", swaps[k])
		}
		data = bytes.Replace(data, []byte(swaps[k]), []byte(swaps[k+1]), 1)
	}
	s, err := scenario.Parse(data, coalitionFile)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	return s, r
}

var qualified = []string{"    role: coalition\n", "    role: coalition\n    decides: {qualified_majority: {share: 0.6}}\n"}

// TestCoalitionZone (issue 16, finding 4): the zone counts the deals every
// party accepts, the coalition by its members' rule. By hand, from the
// members' utilities: under unanimity only (talks go on, a pledge, nothing
// else) and (a ceasefire, a pledge, land ceded) pass Germany, Britain and
// Italy as well as Ukraine and Russia; a qualified majority of 0.6 adds
// three deals that Britain or Italy alone opposes. Italy's veto (its red
// line on troops) and Britain's (its reservation) are eu's members' rule,
// which the what-if analysis lists as a line that binds.
func TestCoalitionZone(t *testing.T) {
	for _, c := range []struct {
		name    string
		swaps   []string
		zone    uint64
		removes uint64
	}{
		{"unanimity", nil, 2, 4},
		{"qualified majority", qualified, 5, 1},
	} {
		_, r := coalitionMutated(t, c.swaps...)
		if r.Zopa.Count != c.zone || r.Zopa.Estimated {
			t.Errorf("%s: zone %d (estimated %v), want %d", c.name, r.Zopa.Count, r.Zopa.Estimated, c.zone)
		}
		if r.WhatIf.Ratify.Zone != c.zone {
			t.Errorf("%s: the what-if zone is %d, want %d", c.name, r.WhatIf.Ratify.Zone, c.zone)
		}
		var rule *RedLineWhatIf
		for k := range r.WhatIf.RedLines {
			if rl := &r.WhatIf.RedLines[k]; rl.Party == "eu" && rl.ID == "members' rule" {
				rule = rl
			}
		}
		if rule == nil || rule.Removes != c.removes || rule.Binds != (c.removes > 0) {
			t.Errorf("%s: eu's members' rule %+v, want it to remove %d", c.name, rule, c.removes)
		}
		a, err := CountAgreement(r.scen, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if a.Unanimous != c.zone {
			t.Errorf("%s: deals every party accepts %d, want %d", c.name, a.Unanimous, c.zone)
		}
	}
}

// TestCoalitionEvaluate: an evaluated deal says how each member answers and
// whether eu accepts; troopsForLand is vetoed by Italy's red line under
// unanimity, carried by Germany and Britain under a qualified majority.
func TestCoalitionEvaluate(t *testing.T) {
	deal := map[string]string{"ceasefire": "now", "guarantees": "none", "troops": "european", "land": "ceded"}
	for _, c := range []struct {
		swaps    []string
		rational bool
		text     string
	}{
		{nil, false, "  eu decides by unanimity of de, gb, it: de yes, gb yes, it no (red line no_troops); it REJECTS\n"},
		{qualified, true, "  eu decides by a qualified majority (0.6 of the vote) of de, gb, it: de yes, gb yes, it no (red line no_troops); it accepts\n"},
	} {
		_, r := coalitionMutated(t, c.swaps...)
		e, err := r.Evaluate(deal, 0)
		if err != nil {
			t.Fatal(err)
		}
		if e.Rational != c.rational || len(e.Coalitions) != 1 || e.Coalitions[0].Members[2].Crosses != "no_troops" {
			t.Errorf("rational %v, coalitions %+v", e.Rational, e.Coalitions)
		}
		var b strings.Builder
		r.writeEvaluation(&b)
		if !strings.Contains(b.String(), c.text) {
			t.Errorf("the evaluation lacks %q:\n%s", c.text, b.String())
		}
	}
}

// TestGuarantorConsentAnalysis: with the mediator's reservation at 0.56
// it would not back the pledge of (talks go on, a pledge, nothing else),
// which every negotiating party accepts: the deal leaves the zone and the
// frontier, and its evaluation says why. Britain, the other guarantor, is
// a member of eu under unanimity: it consents by accepting the deal.
func TestGuarantorConsentAnalysis(t *testing.T) {
	deal := map[string]string{"ceasefire": "none", "guarantees": "pledge", "troops": "none", "land": "none"}
	_, r := coalitionMutated(t, "  - id: us\n    reservation: 0.2", "  - id: us\n    reservation: 0.56")
	if r.Zopa.Count != 1 {
		t.Errorf("zone %d, want 1: the deal us would not back has left it", r.Zopa.Count)
	}
	e, err := r.Evaluate(deal, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []EvaluatedGuarantor{{"us", "guarantees", "pledge", false, true}, {"gb", "guarantees", "pledge", true, false}}
	if e.Rational || len(e.Guarantors) != 2 || e.Guarantors[0] != want[0] || e.Guarantors[1] != want[1] {
		t.Errorf("rational %v, guarantors %+v, want %+v", e.Rational, e.Guarantors, want)
	}
	idx := r.scen.Space().Index([]int{1, 1, 0, 0})
	for _, p := range r.Frontier.Points {
		for _, o := range p.Outcomes {
			if o == idx {
				t.Error("the deal us would not back is on the frontier")
			}
		}
	}
	var b strings.Builder
	r.writeEvaluation(&b)
	if !strings.Contains(b.String(), "  guarantor us would NOT back guarantees = pledge: the deal is off the table\n") {
		t.Errorf("the evaluation does not say why:\n%s", b.String())
	}
	found := false
	for _, n := range r.Notes {
		found = found || strings.Contains(n, "guarantors must consent: a deal whose guarantee names a guarantor (us)")
	}
	if !found {
		t.Errorf("notes %q", r.Notes)
	}
}

// TestCoalitionFrontierExact: the frontier found outcome by outcome when
// members decide is the frontier of the outcomes no party refuses,
// checked against brute force.
func TestCoalitionFrontierExact(t *testing.T) {
	s, r := coalitionMutated(t, qualified...)
	us, _ := utilities(s)
	sp := s.Space()
	var pts [][]float64
	sp.Enumerate(0, func(o []int) bool {
		for _, u := range us {
			if u.Refuses(o) {
				return true
			}
		}
		var v []float64
		for _, u := range us {
			v = append(v, u.Raw(o))
		}
		pts = append(pts, v)
		return true
	})
	dominated := func(a []float64) bool {
		for _, b := range pts {
			ge, gt := true, false
			for k := range a {
				ge = ge && b[k] >= a[k]-Tolerance
				gt = gt || b[k] > a[k]+Tolerance
			}
			if ge && gt {
				return true
			}
		}
		return false
	}
	want := map[string]bool{}
	for _, p := range pts {
		if !dominated(p) {
			want[fmtUtils(p)] = true
		}
	}
	if len(r.Frontier.Points) != len(want) {
		t.Fatalf("frontier of %d points, brute force %d", len(r.Frontier.Points), len(want))
	}
	for _, p := range r.Frontier.Points {
		if !want[fmtUtils(p.Utilities)] {
			t.Errorf("point %v is not on the brute-force frontier", p.Utilities)
		}
	}
}

// TestMemberGuarantorListed: the what-if analysis lists Britain among the
// pledge's guarantors with its own credibility, 0.9.
func TestMemberGuarantorListed(t *testing.T) {
	_, r := coalitionMutated(t)
	g := r.WhatIf.Guarantees
	if len(g) != 1 || len(g[0].Options) != 2 {
		t.Fatalf("guarantees %+v", g)
	}
	o := g[0].Options[1]
	if strings.Join(o.Guarantors, ",") != "us,gb" || o.Credibility[1] != 0.9 || !approx(o.Honour, 0.85) || !approx(o.Effective, 0.85) {
		t.Errorf("pledge %+v", o)
	}
}

// coalitionSampled is the coalition fixture with one of Germany's weights
// assumed too, so that a member's weights are sampled and renormalised.
func coalitionSampled(t *testing.T) *scenario.File {
	t.Helper()
	data, err := os.ReadFile(coalitionFile)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("weights: {ceasefire: 0.5, guarantees: 0.3,"), []byte("weights: {ceasefire: {value: 0.5, assumption: {why: Germany wants a truce first, range: [0.3, 0.7]}}, guarantees: 0.3,"), 1)
	f, err := scenario.DecodeFile(data, coalitionFile)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCoalitionSensitivity: the members' assumed numbers are sampled (a
// member's weights renormalised to sum to 1, as a party's), so every
// sample is valid, and each sample's coalition votes by its draws.
func TestCoalitionSensitivity(t *testing.T) {
	f := coalitionSampled(t)
	rep, err := Sensitivity(f, coalitionFile, SensitivityOptions{Samples: 200, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, a := range rep.Assumptions {
		paths[a.Path] = true
	}
	for _, p := range []string{"parties[2].members[0].weights.ceasefire", "parties[2].members[1].weight", "parties[2].members[1].reservation"} {
		if !paths[p] {
			t.Errorf("%s is not sampled: %v", p, paths)
		}
	}
	if rep.Valid != 200 || rep.Invalid != 0 {
		t.Fatalf("valid %d, invalid %d: %s", rep.Valid, rep.Invalid, rep.FirstError)
	}
	rate := false
	for _, sl := range assumptionSlots(f, true) {
		rate = rate || sl.path == "mediator_influence.rate" && sl.time
	}
	if !rate {
		t.Error("the rate of the mediator's influence is not sampled with the numbers of time")
	}
	sm := newSampler(f, false)
	rng := rand.New(rand.NewPCG(1, 2))
	moved := 0
	for range 20 {
		sm.draw(rng, rng)
		s, err := scenario.FromFile(sm.f, coalitionFile)
		if err != nil {
			t.Fatal(err)
		}
		gb := s.Utility(2).Panel.Members[1]
		de := s.Parties[2].Members[0].Prefs
		sum := 0.0
		for _, w := range de.Weights {
			sum += w
		}
		if gb.Reservation < 0.4 || gb.Reservation > 0.6 || math.Abs(sum-1) > 1e-9 {
			t.Fatalf("Britain's reservation %v, Germany's weights sum to %v", gb.Reservation, sum)
		}
		if gb.Reservation != 0.5 && de.Weights[0] != 0.5 {
			moved++
		}
	}
	if moved < 19 {
		t.Errorf("only %d of 20 samples moved the members' numbers", moved)
	}
}

// TestCoalitionTruth: the truth the perceived zones are measured against
// is each party's acceptance as the analysis judges it: a coalition's by
// its members' rule, and nobody's of a deal a guarantor would not back.
// A party that sees the coalition as it is (Truth) believes exactly that.
func TestCoalitionTruth(t *testing.T) {
	us := []string{"  - id: us\n    reservation: 0.2", "  - id: us\n    reservation: 0.56"} // us would not back some pledges
	// Britain deciding alone, eu accepts deals its members' mean values
	// below their mean reservation (Germany and Italy would not).
	leader := []string{"    role: coalition\n", "    role: coalition\n    decides: {leader: gb}\n", "        reservation: 0.35\n", "        reservation: 0.7\n"}
	for _, swaps := range [][]string{us, append(slices.Clone(qualified), us...), append(slices.Clone(leader), us...)} {
		s, _ := coalitionMutated(t, swaps...)
		g, err := newGrid(s, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		truth := g.truthAcceptance()
		o := make([]int, len(s.Issues))
		var panelNo, consentNo, belowMean int
		for idx := range g.size {
			g.sp.Decode(uint64(idx), o)
			for q, u := range g.us {
				if got, want := truth[idx*g.n+q], u.Accepts(o); got != want {
					t.Fatalf("%v: %s truly accepts %v, Accepts says %v", o, g.ids[q], got, want)
				}
				if u.Panel != nil && !u.Panel.Accepts(o) {
					panelNo++
				}
				if u.Lacks(o) >= 0 {
					consentNo++
				}
				if u.Panel != nil && u.Accepts(o) && u.Raw(o) < u.Reservation {
					belowMean++
				}
			}
		}
		if panelNo == 0 || consentNo == 0 || len(swaps) > 4 && belowMean == 0 {
			t.Fatalf("the fixture exercises no members' rule (%d), no consent (%d) or no acceptance below the mean (%d)", panelNo, consentNo, belowMean)
		}
		bl := &believing{g: g, acc: make([]float64, g.size*g.n)}
		for q, p := range g.parties {
			if g.us[q].Panel == nil {
				continue
			}
			bl.fill(q, []scenario.BeliefType{s.Truth(p)})
			for idx := range g.size {
				if believed := bl.acc[idx*g.n+q] >= DefaultBeliefThreshold; believed != truth[idx*g.n+q] {
					g.sp.Decode(uint64(idx), o)
					t.Fatalf("%v: %s seen as it is is believed to accept %v, truly %v", o, g.ids[q], believed, truth[idx*g.n+q])
				}
			}
		}
	}
}

// TestMembersKeepConstraints: a member accepts no deal the scenario's
// constraints forbid. Under the qualified majority Germany and Britain
// carry (now, none, european, ceded) (TestCoalitionEvaluate); forbid
// European troops with ceded land and each of them answers no, naming the
// constraint, and the coalition rejects the deal.
func TestMembersKeepConstraints(t *testing.T) {
	deal := map[string]string{"ceasefire": "now", "guarantees": "none", "troops": "european", "land": "ceded"}
	swaps := append(append([]string(nil), qualified...), "parties:\n",
		"constraints:\n  - {id: no_troops_on_ceded_land, forbid: {troops: [european], land: [ceded]}, assumption: {why: a test}}\nparties:\n")
	_, r := coalitionMutated(t, swaps...)
	e, err := r.Evaluate(deal, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Coalitions) != 1 {
		t.Fatalf("coalitions %+v", e.Coalitions)
	}
	for _, m := range e.Coalitions[0].Members[:2] {
		if m.Crosses != "constraint no_troops_on_ceded_land" {
			t.Errorf("member %+v: want it to refuse by the constraint", m)
		}
	}
	var b strings.Builder
	r.writeEvaluation(&b)
	if !strings.Contains(b.String(), "it REJECTS") {
		t.Errorf("the coalition should reject the forbidden deal:\n%s", b.String())
	}
}
