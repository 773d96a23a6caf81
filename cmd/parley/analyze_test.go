package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The flagship's what-if text is pinned by TestFlagshipGolden
// (testdata/golden/flagship-analyze-what-if.txt).

func TestAnalyzeWhatIfJSON(t *testing.T) {
	code, out, errs := runCLI("analyze", "../../analysis/testdata/whatif-referendum.yaml", "--what-if", "--json", "--samples", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Nash   []json.RawMessage `json:"nash"`
		WhatIf map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &struct {
		Nash   *[]json.RawMessage          `json:"nash"`
		WhatIf *map[string]json.RawMessage `json:"what_if"`
	}{&r.Nash, &r.WhatIf}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"min_ratification", "unconstrained_nash", "unconstrained_max_welfare", "nash", "red_lines", "ratification", "guarantees", "blocking"} {
		if _, ok := r.WhatIf[k]; !ok {
			t.Errorf("what_if lacks %q", k)
		}
	}
	if _, ok := r.WhatIf["sensitivity"]; ok {
		t.Error("sensitivity present with --samples 0")
	}
	// Without --what-if the JSON has no what_if.
	_, out, _ = runCLI("analyze", "../../analysis/testdata/whatif-referendum.yaml", "--json")
	if strings.Contains(out, "what_if") {
		t.Error("what_if without --what-if")
	}
}

func TestAnalyzeWhatIfErrors(t *testing.T) {
	f := "../../analysis/testdata/whatif-referendum.yaml"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--what-if", "--samples=-1"}, "--samples is -1"},
		{[]string{"--what-if", "--min-ratification", "0"}, "--min-ratification is 0"},
		{[]string{"--what-if", "--min-ratification", "1.5"}, "--min-ratification is 1.5"},
		{[]string{"--samples", "10"}, "add --what-if"},
		{[]string{"--sample-seed", "3"}, "add --what-if"},
		{[]string{"-n", "linear"}, "give the line-up that plays the agenda against the package; add --what-if"},
		{[]string{"--what-if", "--rounds=-3"}, "-r is -3"},
		{[]string{"--what-if", "-n", "linear", "-p", "nosuch"}, "nosuch"},
		{[]string{"--outcome", "territory=none;aid=none", "--min-ratification", "2"}, "--min-ratification is 2"},
	} {
		code, _, errs := runCLI(append([]string{"analyze", f}, c.args...)...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 1 and %q", c.args, code, errs, c.want)
		}
	}
}

func TestAnalyzePlot(t *testing.T) {
	out := filepath.Join(t.TempDir(), "space.svg")
	if code, _, errs := runCLI("analyze", "../../examples/ukraine-2025.yaml", "--plot", out, "--axes", "ru,eu"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), "utility of ru") || !strings.Contains(string(data), "utility of eu") {
		t.Fatalf("plot %s: %v", out, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--plot", out, "--axes", "ua,us"}, "--axes ua,us: parties are ua, ru, eu"},
		{[]string{"--plot", out, "--axes", "ua"}, "--axes takes two party ids"},
		{[]string{"--plot", "space.bmp"}, ".png or .svg"},
	} {
		code, _, errs := runCLI(append([]string{"analyze", "../../examples/ukraine-2025.yaml"}, c.args...)...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %s", c.args, code, errs)
		}
	}
}

func TestAnalyzeOutcome(t *testing.T) {
	o := "ceasefire=before_talks;territory=none;guarantees=article5_like;troops=european;summit=trilateral;law=yes"
	code, out, errs := runCLI("analyze", "../../examples/ukraine-2025.yaml", "--outcome", o)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "NOT acceptable to every party; crosses ru/no_nato_troops") {
		t.Errorf("report:\n%s", out)
	}
	code, out, _ = runCLI("analyze", "../../examples/ukraine-2025.yaml", "--outcome", o, "--json")
	var r struct {
		Evaluated struct {
			Crosses []string `json:"crosses"`
		} `json:"evaluated"`
	}
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || len(r.Evaluated.Crosses) != 1 {
		t.Errorf("JSON: exit %d, %v, %+v", code, err, r)
	}
	if code, _, errs := runCLI("analyze", "../../examples/ukraine-2025.yaml", "--outcome", "ceasefire=soon"); code != 1 || !strings.Contains(errs, `"soon" is not a value of issue "ceasefire"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// --outcome takes the labels every output prints (or ids, mixed), lists
// the valid values when one fits nothing, and reports the outcome's
// ratification and red lines in text and JSON. The deal cedes Crimea, so
// Ukraine's parliament (which votes on every deal, and passes this one)
// and its referendum (yes share 0.25) must ratify it.
func TestAnalyzeOutcomeLabels(t *testing.T) {
	const flagship = "../../examples/ukraine-2025.yaml"
	o := "ceasefire=Ceasefire before talks advance;territory=Crimea only;guarantees=article5_like;troops=No foreign troops;summit=No summit;law=yes"
	code, out, errs := runCLI("analyze", flagship, "--outcome", o)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"  ceasefire=Ceasefire before talks advance, territory=Crimea only, guarantees=Article 5-like guarantees, troops=No foreign troops, summit=No summit, law=Russia passes the law\n",
		"  red lines:\n    ru/no_nato_troops (No troops of NATO countries in Ukraine): kept\n",
		"  ratification (ratifiable when every required vote passes with probability ≥ 0.50): ua: parliament and referendum pass with p = 2.87e-07 (parliament p = 1 (yes share 1.00), referendum p = 2.87e-07 (yes share 0.25)) → NOT ratifiable\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runCLI("analyze", flagship, "--outcome", o, "--json", "--min-ratification", "1e-7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Evaluated struct {
			RedLines []struct {
				Party   string `json:"party"`
				ID      string `json:"id"`
				Crossed bool   `json:"crossed"`
			} `json:"red_lines"`
			MinRatification float64 `json:"min_ratification"`
			Ratification    []struct {
				Party    string  `json:"party"`
				Body     string  `json:"body"`
				Required bool    `json:"required"`
				Share    float64 `json:"share"`
				Prob     float64 `json:"probability"`
				Bodies   []struct {
					Body string  `json:"body"`
					Prob float64 `json:"probability"`
				} `json:"bodies"`
			} `json:"ratification"`
			Ratifiable bool `json:"ratifiable"`
		} `json:"evaluated"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	e := r.Evaluated
	// Russia's red line, then the summit's: a term of the deal that needs
	// a truce in force, which no deal signed without one can have.
	if len(e.RedLines) != 2 || e.RedLines[0].Party != "ru" || e.RedLines[0].ID != "no_nato_troops" || e.RedLines[0].Crossed ||
		e.RedLines[1].Party != "" || e.RedLines[1].ID != "meeting trilateral_summit" || e.RedLines[1].Crossed {
		t.Errorf("red_lines %+v", e.RedLines)
	}
	if len(e.Ratification) != 1 || e.Ratification[0].Party != "ua" || e.Ratification[0].Body != "parliament and referendum" || !e.Ratification[0].Required ||
		e.Ratification[0].Share != 0.25 || e.Ratification[0].Prob > 3e-7 || e.MinRatification != 1e-7 || !e.Ratifiable ||
		len(e.Ratification[0].Bodies) != 2 || e.Ratification[0].Bodies[0].Body != "parliament" || e.Ratification[0].Bodies[0].Prob != 1 ||
		e.Ratification[0].Bodies[1].Body != "referendum" || e.Ratification[0].Bodies[1].Prob != e.Ratification[0].Prob {
		t.Errorf("ratification %+v (min %v, ratifiable %v): want ua's parliament (passes) and referendum (share 0.25), ratifiable at 1e-7", e.Ratification, e.MinRatification, e.Ratifiable)
	}
	code, _, errs = runCLI("analyze", flagship, "--outcome", "ceasefire=Ceasefire later;territory=none;guarantees=none;troops=none;summit=none;law=no")
	if want := `parley: outcome: "Ceasefire later" is not a value of issue "ceasefire" (values: before_talks "Ceasefire before talks advance", partial "A partial truce: the killings stop", none "Talks go on through the war")`; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("exit %d, %s; want %s", code, errs, want)
	}
	if code, _, errs := runCLI("analyze", flagship, "--min-ratification", "0.9"); code != 1 || !strings.Contains(errs, "--min-ratification applies to the what-if analysis and to --outcome") {
		t.Errorf("--min-ratification alone: exit %d, %s", code, errs)
	}
}

// The flagship's max-welfare point leaves Russia below its reservation
// value: the JSON says so (added fields rational and below_reservation),
// and the what-if's deal is ratifiable (no referendum) yet irrational.
func TestAnalyzeMarksIrrational(t *testing.T) {
	code, out, errs := runCLI("analyze", "../../examples/ukraine-2025.yaml", "--what-if", "--samples", "0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	type mark struct {
		Rational   *bool    `json:"rational"`
		Below      []string `json:"below_reservation"`
		Ratifiable *bool    `json:"ratifiable"`
	}
	var r struct {
		Nash       []mark `json:"nash"`
		MaxWelfare []mark `json:"max_welfare"`
		Pareto     struct {
			Rational int    `json:"rational"`
			Points   []mark `json:"points"`
		} `json:"pareto"`
		WhatIf struct {
			MaxWelfare mark `json:"unconstrained_max_welfare"`
		} `json:"what_if"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.MaxWelfare) != 1 || r.MaxWelfare[0].Rational == nil || *r.MaxWelfare[0].Rational || !slices.Equal(r.MaxWelfare[0].Below, []string{"ru"}) {
		t.Errorf("max_welfare %+v: want rational false, below_reservation [ru]", r.MaxWelfare)
	}
	if len(r.Nash) != 1 || r.Nash[0].Rational == nil || !*r.Nash[0].Rational || r.Nash[0].Below != nil {
		t.Errorf("nash %+v: want rational, no below_reservation", r.Nash)
	}
	rational := 0
	for _, p := range r.Pareto.Points {
		if *p.Rational {
			rational++
		}
	}
	if rational != r.Pareto.Rational || rational != 5 {
		t.Errorf("%d frontier points marked rational, the summary says %d; want 5", rational, r.Pareto.Rational)
	}
	mw := r.WhatIf.MaxWelfare
	if mw.Ratifiable == nil || !*mw.Ratifiable || mw.Rational == nil || *mw.Rational || !slices.Equal(mw.Below, []string{"ru"}) {
		t.Errorf("what_if.unconstrained_max_welfare %+v: want ratifiable, not rational, below [ru]", mw)
	}
}
