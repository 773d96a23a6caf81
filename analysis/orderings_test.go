package analysis_test

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
)

// TestOrderingsDiffer (issue 16, finding 2): the what-if analysis compares
// the agenda (a truce first) with the package (talks through the war) on
// what each party ends with, time and the state of the talks counted,
// instead of finding "the same deal either way" by construction. In
// session/testdata/truce.yaml, conceders agree on a partial truce in round
// 6 and on half the land in round 11 (ua 0.5 − 0.085, ru 0.59 − 0.195,
// session's TestTruceStopsCosts); all at once, they agree in round 10 on
// a ceasefire with all the land to ru: ua 0.4 − 0.1, ru 0.85 − 0.2. So ua
// prefers the truce first, ru the package.
func TestOrderingsDiffer(t *testing.T) {
	s, err := scenario.LoadFile("../session/testdata/truce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr := session.Predictor{Config: session.Config{Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 20}}}
	if err := r.WhatIfAnalysis(analysis.WhatIfOptions{Predictor: pr}); err != nil {
		t.Fatal(err)
	}
	o := r.WhatIf.Agenda.Orderings
	if o == nil {
		t.Fatal("no orderings")
	}
	if a := o.Agenda; a.Round != 11 || len(a.Phases) != 2 || a.Phases[0].Round != 6 || a.Phases[0].Settled["ceasefire"] != "The killing stops" || a.Binding != 1 {
		t.Errorf("agenda: %+v", a)
	}
	if p := o.Package; p.Round != 10 || p.Deal["land"] != "All the land" || p.Deal["ceasefire"] != "Ceasefire now" || len(p.Phases) != 0 {
		t.Errorf("package: %+v", p)
	}
	want := [][]float64{{0.5 - 0.085, 0.59 - 0.195}, {0.4 - 0.1, 0.85 - 0.2}}
	for k, p := range []*analysis.Prediction{o.Agenda, o.Package} {
		for i := range want[k] {
			if math.Abs(p.Payoffs[i]-want[k][i]) > 1e-12 {
				t.Errorf("ordering %d, %s: payoff %v, want %v", k, o.Parties[i], p.Payoffs[i], want[k][i])
			}
		}
	}
	if o.Prefers[0].Prefers != analysis.PrefersAgenda || o.Prefers[1].Prefers != analysis.PrefersPackage {
		t.Errorf("prefers %+v", o.Prefers)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"    agenda    phase truce agreed ceasefire=The killing stops in round 6\n",
		"    package   deal signed in round 10, binds with p = 1: ceasefire=Ceasefire now, land=All the land\n",
		"  Each party prefers: ua the agenda (+0.1150), ru the package (-0.2550)\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("the report lacks %q:\n%s", line, b.String())
		}
	}
}

// TestOrderingsSensitivity: over samples of the assumed numbers, time
// costs included, the sensitivity analysis says how often each party
// prefers each ordering; the shares add up to 1 and the costs' ranges are
// sampled only when the orderings are predicted.
func TestOrderingsSensitivity(t *testing.T) {
	data, err := os.ReadFile("../session/testdata/truce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Give the war's costs ranges to sample.
	text := strings.Replace(string(data), "    delay_cost: 0.01\n", "    delay_cost: {value: 0.01, assumption: {why: the war, range: [0, 0.02]}}\n", 1)
	text = strings.Replace(text, "    delay_cost: 0.02\n", "    delay_cost: {value: 0.02, assumption: {why: the war, range: [0.01, 0.04]}}\n", 1)
	f, err := scenario.DecodeFile([]byte(text), "truce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pr := session.Predictor{Config: session.Config{Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 20}}}
	plain, err := analysis.Sensitivity(f, "truce.yaml", analysis.SensitivityOptions{Samples: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Assumptions) != 0 || plain.Orderings != nil {
		t.Errorf("without a predictor: %d assumptions, orderings %v; want none", len(plain.Assumptions), plain.Orderings)
	}
	sr, err := analysis.Sensitivity(f, "truce.yaml", analysis.SensitivityOptions{Samples: 50, Predictor: pr})
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.Assumptions) != 2 || sr.Assumptions[0].Path != "parties[0].delay_cost" {
		t.Errorf("assumptions %+v", sr.Assumptions)
	}
	o := sr.Orderings
	if o == nil || o.Samples != 50 || len(o.Parties) != 2 {
		t.Fatalf("orderings %+v", o)
	}
	for p := range o.Parties {
		if sum := o.Agenda[p] + o.Package[p] + o.Either[p]; math.Abs(sum-1) > 1e-12 {
			t.Errorf("%s: shares sum to %v", o.Parties[p], sum)
		}
	}
	// ru gets all the land in the package: it prefers it far more often
	// than ua, which pays for the war that goes on meanwhile.
	if o.Package[1] < 0.8 || o.Agenda[0] < 0.5 {
		t.Errorf("the package preferred by ru in %v of samples, the agenda by ua in %v", o.Package[1], o.Agenda[0])
	}
	again, err := analysis.Sensitivity(f, "truce.yaml", analysis.SensitivityOptions{Samples: 50, Predictor: pr})
	if err != nil || !slicesEqual(again.Orderings.MeanGain, o.MeanGain) {
		t.Errorf("a second run differs: %v, %v against %v", err, again.Orderings.MeanGain, o.MeanGain)
	}
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
