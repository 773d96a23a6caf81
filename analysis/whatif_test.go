package analysis

import (
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// analyzeFile loads the scenario at path and analyses it.
func analyzeFile(t testing.TB, path string) (*scenario.Scenario, *Report) {
	t.Helper()
	s, err := scenario.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

func whatIfFile(t testing.TB, path string, opts WhatIfOptions) (*Report, *WhatIf) {
	t.Helper()
	_, r := analyzeFile(t, path)
	if err := r.WhatIfAnalysis(opts); err != nil {
		t.Fatal(err)
	}
	return r, r.WhatIf
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func nearAll(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !approx(a[i], b[i]) {
			return false
		}
	}
	return true
}

// The red line no_y1 removes exactly the Nash deal (x0, y1): the zone
// shrinks from {(x0,y1), (x1,y0)} to {(x1,y0)}; b's red line forbids an
// outcome b rejects anyway and does not bind.
func TestWhatIfRedLines(t *testing.T) {
	r, w := whatIfFile(t, "testdata/whatif-redline.yaml", WhatIfOptions{})
	if got, want := w.UnconstrainedNash.Outcome, map[string]string{"x": "x0", "y": "y1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unconstrained Nash %v, want %v", got, want)
	}
	if !approx(w.UnconstrainedNash.Value, 0.49) || !nearAll(w.UnconstrainedNash.Utilities, []float64{0.8, 0.8}) {
		t.Errorf("unconstrained Nash value %v utilities %v, want 0.49 (0.8, 0.8)", w.UnconstrainedNash.Value, w.UnconstrainedNash.Utilities)
	}
	if got, want := w.Nash.Outcome, map[string]string{"x": "x1", "y": "y0"}; !reflect.DeepEqual(got, want) || !approx(w.Nash.Value, 0.01) {
		t.Errorf("Nash with red lines %v (%v), want %v (0.01)", got, w.Nash.Value, want)
	}
	// The what-if Nash agrees with Analyze's.
	if got, want := w.Nash.Outcome, r.Nash[0].Outcome; !reflect.DeepEqual(got, want) {
		t.Errorf("what-if Nash %v, Analyze's %v", got, want)
	}
	want := []RedLineWhatIf{
		{Party: "a", ID: "no_y1", Description: "never y1", Removes: 1, Crossed: 1, Binds: true, CrossesNash: true, CrossesMaxWelfare: true},
		{Party: "b", ID: "not_x0_y0"},
	}
	if !reflect.DeepEqual(w.RedLines, want) {
		t.Errorf("red lines\n got %+v\nwant %+v", w.RedLines, want)
	}
	if w.Ratify.Zone != 1 || w.Ratify.RatifiableZone != 1 || w.Blocking != nil || w.Agenda != nil {
		t.Errorf("zone %d, ratifiable %d, blocking %v, agenda %v; want 1, 1, none, none", w.Ratify.Zone, w.Ratify.RatifiableZone, w.Blocking, w.Agenda)
	}
}

// Ukraine's referendum (support 0.25, threshold 0.5, polling error 0.05)
// fails for the one outcome in the zone, (ceded, some): Φ(−5) < 0.5. The
// smallest relaxations: ru's reservation (then (none, none) and (none,
// some) are acceptable and need no vote) or ua's ratification. ru's
// reservation must fall from 0.5 to its best utility among outcomes ua
// accepts without a referendum, 0.3 at (none, none): a shift of 0.2. ua
// gains nothing from a lower reservation: every outcome ru accepts cedes
// territory.
func TestWhatIfReferendum(t *testing.T) {
	_, w := whatIfFile(t, "testdata/whatif-referendum.yaml", WhatIfOptions{})
	phi5 := 0.5 * math.Erfc(5/math.Sqrt2)
	n := w.Nash
	if n == nil || n.Ratifiable || len(n.Ratification) != 1 {
		t.Fatalf("Nash %+v: want one unratifiable deal", n)
	}
	pr := n.Ratification[0]
	if pr.Party != "ua" || !pr.Required || !approx(pr.Share, 0.25) || math.Abs(pr.Prob-phi5) > 1e-15 {
		t.Errorf("ratification %+v, want ua required, share 0.25, probability %g", pr, phi5)
	}
	if w.Ratify.Zone != 1 || w.Ratify.RatifiableZone != 0 || w.Ratify.RatifiableNash != nil {
		t.Errorf("zone %d ratifiable %d nash %v; want 1, 0, none", w.Ratify.Zone, w.Ratify.RatifiableZone, w.Ratify.RatifiableNash)
	}
	if got := w.Ratify.Rules; len(got) != 1 || got[0].Required != 1 || got[0].Passes != 0 || !got[0].Conditional {
		t.Errorf("rules %+v", got)
	}
	for _, so := range w.Ratify.Solutions {
		if so.Deal.Ratifiable {
			t.Errorf("solution %s is ratifiable", so.Solution)
		}
	}
	bl := w.Blocking
	if bl == nil {
		t.Fatal("no blocking report")
	}
	wantSets := [][]Constraint{{{Kind: "reservation", Party: "ru"}}, {{Kind: "ratification", Party: "ua"}}}
	if bl.SmallestSize != 1 || bl.NSets != 2 || !reflect.DeepEqual(bl.Sets, wantSets) {
		t.Errorf("sets: size %d, n %d, %+v; want 1, 2, %+v", bl.SmallestSize, bl.NSets, bl.Sets, wantSets)
	}
	if len(bl.Shifts) != 2 {
		t.Fatalf("shifts %+v", bl.Shifts)
	}
	if ua := bl.Shifts[0]; ua.Party != "ua" || ua.Shift != nil || ua.Reachable != nil {
		t.Errorf("ua shift %+v, want none suffices", ua)
	}
	ru := bl.Shifts[1]
	if ru.Party != "ru" || ru.Shift == nil || !approx(*ru.Shift, 0.2) || !approx(*ru.Reachable, 0.3) ||
		!reflect.DeepEqual(ru.Deal, map[string]string{"territory": "none", "aid": "none"}) {
		t.Errorf("ru shift %+v, want 0.2 at (none, none)", ru)
	}

	// A floor below Φ(−5) makes the referendum pass.
	_, w = whatIfFile(t, "testdata/whatif-referendum.yaml", WhatIfOptions{MinRatification: 1e-7})
	if w.Ratify.RatifiableZone != 1 || w.Blocking != nil || !w.Nash.Ratifiable {
		t.Errorf("with min 1e-7: ratifiable zone %d, blocking %v", w.Ratify.RatifiableZone, w.Blocking)
	}
}

// Backward induction: after c0 is agreed a's fallback is
// 0.2 + (0.5 − 0.5·0.2) = 0.6 and b's 0.2 + (0 − 0.3·0.2) = 0.14, so the
// second phase picks t1 (product 0.2·0.21) over t2 (a gets 0.5 < 0.6);
// after c1 it picks t1 too. The first phase then compares (0.8, 0.35),
// product 0.09, with (0.3, 0.65), product 0.045: c0. The package's Nash
// is (c0, t2) with product 0.3·0.5 = 0.15.
func TestWhatIfAgendaDiffers(t *testing.T) {
	_, w := whatIfFile(t, "testdata/whatif-agenda.yaml", WhatIfOptions{})
	a := w.Agenda
	if a == nil {
		t.Fatal("no agenda report")
	}
	if got, want := a.Package.Outcome, map[string]string{"c": "c0", "t": "t2"}; !reflect.DeepEqual(got, want) || !approx(a.Package.Value, 0.15) {
		t.Errorf("package %v (%v), want %v (0.15)", got, a.Package.Value, want)
	}
	ad := a.Agenda
	if !ad.Complete || !reflect.DeepEqual(ad.Outcome, map[string]string{"c": "c0", "t": "t1"}) || !nearAll(ad.Utilities, []float64{0.8, 0.35}) {
		t.Errorf("agenda %+v, want complete (c0, t1) at (0.8, 0.35)", ad)
	}
	if len(ad.Steps) != 2 || !nearAll(ad.Steps[0].Fallback, []float64{0.2, 0.2}) || !approx(ad.Steps[0].Value, 0.09) ||
		!nearAll(ad.Steps[1].Fallback, []float64{0.6, 0.14}) || !approx(ad.Steps[1].Value, 0.2*0.21) {
		t.Errorf("steps %+v", ad.Steps)
	}
	if a.SameDeal || a.AgendaBlocks || a.PackageBlocks {
		t.Errorf("same %v, agenda blocks %v, package blocks %v; want false, false, false", a.SameDeal, a.AgendaBlocks, a.PackageBlocks)
	}
}

// Here the first phase's winner raises its fallback to 0.7 (the loser's
// falls to 0.2) and no second-phase deal gives both their fallbacks, so the
// agenda blocks at the first phase, while the package has (c1, t0) and
// (c0, t2), tied at 0.01.
func TestWhatIfAgendaBlocks(t *testing.T) {
	_, w := whatIfFile(t, "testdata/whatif-agenda-blocks.yaml", WhatIfOptions{})
	a := w.Agenda
	if a.Package == nil || a.Package.Ties != 2 || !approx(a.Package.Value, 0.01) {
		t.Errorf("package %+v, want 2 ties at 0.01", a.Package)
	}
	if a.Agenda.Complete || a.Agenda.BlockedAt != "first" || !a.AgendaBlocks || a.SameDeal || len(a.Agenda.Outcome) != 0 {
		t.Errorf("agenda %+v, blocks %v; want blocked at first", a.Agenda, a.AgendaBlocks)
	}
}

// b's record (one commitment, broken) gives credibility 1/3; under rule
// any, the treaty backed by b and m (0.9) holds with 1 − (2/3)(0.1).
func TestWhatIfGuarantees(t *testing.T) {
	_, w := whatIfFile(t, "testdata/whatif-guarantee.yaml", WhatIfOptions{})
	if len(w.Guarantees) != 1 {
		t.Fatalf("guarantees %+v", w.Guarantees)
	}
	g := w.Guarantees[0]
	if g.Issue != "g" || g.Beneficiary != "a" || g.Rule != "any" || g.Baseline != "none" || len(g.Options) != 3 {
		t.Fatalf("guarantee %+v", g)
	}
	want := []struct {
		honour, stated, eff float64
		gs                  []string
	}{{1, 0, 0, []string{}}, {1.0 / 3, 0.5, 0.5 / 3, []string{"b"}}, {1 - (2.0/3)*0.1, 1, 1 - (2.0/3)*0.1, []string{"b", "m"}}}
	for v, o := range g.Options {
		wv := want[v]
		if !approx(o.Honour, wv.honour) || !approx(o.Stated, wv.stated) || !approx(o.Effective, wv.eff) || !reflect.DeepEqual(o.Guarantors, wv.gs) {
			t.Errorf("option %s: %+v, want %+v", o.Option, o, wv)
		}
	}
	// The mediator's credibility counts though it is not a party to the deal.
	if len(w.Nash.Utilities) != 2 {
		t.Errorf("parties in the deal: %v", w.Nash.Utilities)
	}
}

// b's reservation is uniform on [0, 1] and there is a zone (x0, which
// alone a accepts) exactly when it is at most 0.4: 10,000 samples give
// 0.4 within 4 standard errors (0.0049 each). a's weights are renormalised
// (x ∈ [0.8, 1], y ∈ [0, 0.2]) and never invalid; the delay cost's range
// is not sampled; the file is restored.
func TestSensitivity(t *testing.T) {
	path := "testdata/whatif-sensitivity.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := scenario.DecodeFile(data, path)
	if err != nil {
		t.Fatal(err)
	}
	f.ResolveValues()
	before := *f.Parties[1].Reservation
	beforeW := f.Parties[0].Weights["x"]
	rep, err := Sensitivity(f, path, SensitivityOptions{Samples: 10000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, a := range rep.Assumptions {
		paths = append(paths, a.Path)
	}
	wantPaths := []string{"parties[0].weights.x", "parties[0].weights.y", "parties[1].reservation", "parties[1].values.x.x1"}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Errorf("sampled %v, want %v", paths, wantPaths)
	}
	if rep.Invalid != 0 || rep.Valid != 10000 {
		t.Errorf("invalid %d (%s), valid %d", rep.Invalid, rep.FirstError, rep.Valid)
	}
	if math.Abs(rep.ZoneShare-0.4) > 4*0.0049 || rep.RatifiableShare != rep.ZoneShare {
		t.Errorf("zone share %v, ratifiable %v; want about 0.4, equal", rep.ZoneShare, rep.RatifiableShare)
	}
	if len(rep.NashDeals) != 1 || rep.NashDeals[0].Outcome["x"] != "x0" || rep.NashDeals[0].Share != rep.ZoneShare {
		t.Errorf("Nash deals %+v", rep.NashDeals)
	}
	if got := *f.Parties[1].Reservation; !reflect.DeepEqual(got, before) {
		t.Errorf("reservation not restored: %+v, was %+v", got, before)
	}
	if got := f.Parties[0].Weights["x"]; !reflect.DeepEqual(got, beforeW) {
		t.Errorf("weight not restored: %+v, was %+v", got, beforeW)
	}
	again, err := Sensitivity(f, path, SensitivityOptions{Samples: 10000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, rep) {
		t.Error("the same seed gives a different report")
	}
	other, _ := Sensitivity(f, path, SensitivityOptions{Samples: 10000, Seed: 8})
	if other.ZoneShare == rep.ZoneShare {
		t.Error("another seed gives the same share")
	}
	if _, err := Sensitivity(f, path, SensitivityOptions{Samples: 0}); err == nil {
		t.Error("0 samples: no error")
	}
}

// decodeTestFile decodes a scenario file without resolving it.
func decodeTestFile(t *testing.T, path string) *scenario.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := scenario.DecodeFile(data, path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Sensitivity samples into a copy of its own: the caller's file is never
// written, neither while it runs (so that two runs can share it) nor after
// (its value functions are not even resolved).
func TestSensitivityLeavesFileAlone(t *testing.T) {
	path := "testdata/whatif-sensitivity.yaml"
	f, want := decodeTestFile(t, path), decodeTestFile(t, path)
	changed := 0
	opts := SensitivityOptions{Samples: 200, Seed: 7, Progress: func(done, total int) {
		if changed == 0 && !reflect.DeepEqual(f, want) {
			changed = done
		}
	}}
	rep, err := Sensitivity(f, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if changed > 0 {
		t.Errorf("the caller's file changed during sample %d", changed)
	}
	if !reflect.DeepEqual(f, want) {
		t.Error("the caller's file changed")
	}
	// Runs sharing the file at once give the same report as one alone
	// (go test -race checks that they only read it).
	opts.Progress = nil
	reps := make([]*SensitivityReport, 4)
	var wg sync.WaitGroup
	for k := range reps {
		wg.Go(func() { reps[k], _ = Sensitivity(f, path, opts) })
	}
	wg.Wait()
	for k, got := range reps {
		if !reflect.DeepEqual(got, rep) {
			t.Errorf("concurrent run %d: %+v, alone %+v", k, got, rep)
		}
	}
}

// The sensitivity analysis adds to a what-if analysis, and notes when the
// file has no assumed range to sample.
func TestSensitivityAnalysis(t *testing.T) {
	path := "testdata/whatif-sensitivity.yaml"
	_, r := analyzeFile(t, path)
	if err := r.SensitivityAnalysis(decodeTestFile(t, path), path, SensitivityOptions{Samples: 10}); err == nil {
		t.Error("no error without a what-if analysis")
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := r.SensitivityAnalysis(decodeTestFile(t, path), path, SensitivityOptions{Samples: 0}); err == nil {
		t.Error("0 samples: no error")
	}
	if err := r.SensitivityAnalysis(decodeTestFile(t, path), path, SensitivityOptions{Samples: 10}); err != nil || r.WhatIf.Sensitivity == nil || r.WhatIf.Sensitivity.Valid != 10 {
		t.Errorf("sensitivity %+v, %v", r.WhatIf.Sensitivity, err)
	}
	plain := "testdata/whatif-redline.yaml"
	r, w := whatIfFile(t, plain, WhatIfOptions{})
	if err := r.SensitivityAnalysis(decodeTestFile(t, plain), plain, SensitivityOptions{Samples: 10}); err != nil {
		t.Fatal(err)
	}
	if w.Sensitivity != nil || len(w.Notes) != 1 || !strings.Contains(w.Notes[0], "no number the analysis uses has an assumed range") {
		t.Errorf("sensitivity %+v, notes %q", w.Sensitivity, w.Notes)
	}
}

const flagship = "../examples/ukraine-2025.yaml"

// The flagship: Russia's red line binds, Ukraine's referendum makes every
// deal that cedes territory unratifiable, so the ratifiable Nash keeps the
// territory; the agenda leads to the package deal.
func TestWhatIfFlagship(t *testing.T) {
	data, err := os.ReadFile(flagship)
	if err != nil {
		t.Skip(err)
	}
	f, err := scenario.DecodeFile(data, flagship)
	if err != nil {
		t.Fatal(err)
	}
	r, w := whatIfFile(t, flagship, WhatIfOptions{})
	if err := r.SensitivityAnalysis(f, flagship, SensitivityOptions{Samples: 200, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	// With the war as the status quo, Russia's reservation value (0.815)
	// already rules out every deal with NATO troops: its red line no
	// longer binds; the summit, which needs a truce in force, does. The
	// consent of the mediator us, which guarantees, follows; it rules out
	// no deal the parties accept. Britain and France, which guarantee too,
	// are not asked: the coalition decides by unanimity, so their yes is
	// needed anyway. Europe's members' rule is last; it binds no more than
	// Europe's reservation did (the members' reservations are the war's
	// worth to each, and no deal in the zone leaves one below it).
	if len(w.RedLines) != 4 || w.RedLines[0].ID != "no_nato_troops" || w.RedLines[0].Binds || w.RedLines[1].ID != "meeting trilateral_summit" || !w.RedLines[1].Binds ||
		w.RedLines[2].ID != "guarantor us" || w.RedLines[2].Binds || w.RedLines[2].Removes != 0 ||
		w.RedLines[3].Party != "eu" || w.RedLines[3].ID != "members' rule" || w.RedLines[3].Binds || w.RedLines[3].Removes != 0 {
		t.Errorf("red lines %+v", w.RedLines)
	}
	if !reflect.DeepEqual(w.Nash.Outcome, r.Nash[0].Outcome) || w.Nash.Ratifiable {
		t.Errorf("Nash %+v", w.Nash)
	}
	// Issue 16, finding 1: the ratifiable Nash deal no longer has Russia
	// give up land it holds (main's: no territory ceded, Crimea included,
	// for no foreign troops). The front is frozen, nothing is ceded in
	// law (so no referendum), and every party gains on the war.
	rn := w.Ratify.RatifiableNash
	if rn == nil || rn.Outcome["territory"] != "The front frozen: Russia holds the occupied land, nothing ceded in law" || !rn.Rational ||
		w.Ratify.RatifiableZone >= w.Ratify.Zone {
		t.Errorf("ratifiable Nash %+v, zone %d of %d", rn, w.Ratify.RatifiableZone, w.Ratify.Zone)
	}
	if w.Agenda == nil || w.Agenda.SameDeal {
		t.Errorf("agenda %+v", w.Agenda)
	}
	if w.Sensitivity == nil || w.Sensitivity.Valid != 200 || len(w.Sensitivity.Assumptions) == 0 {
		t.Errorf("sensitivity %+v", w.Sensitivity)
	}
	// Issue 16, finding 5: Russia's law is a commitment that Ukraine,
	// Europe and the US value at Russia's credibility, 1/3 by its record.
	if len(w.Guarantees) != 4 || w.Guarantees[0].Issue != "guarantees" || len(w.Guarantees[0].Options) != 3 {
		t.Errorf("guarantees %+v", w.Guarantees)
	}
	for k, who := range []string{"ua", "eu", "us"} {
		if g := w.Guarantees[1+k]; g.Issue != "law" || g.Beneficiary != who || g.Options[0].Option != "yes" ||
			!approx(g.Options[0].Honour, 1.0/3) || !approx(g.Options[0].Effective, 1.0/3) || g.Options[0].Stated != 1 {
			t.Errorf("law for %s: %+v", who, g)
		}
	}
	// And Ukraine's Article 5-like guarantee is worth 0.6 of its value
	// with no troops (given:), then what its guarantors' word is worth,
	// the mean of the US's 0.8 and Britain's and France's 0.75 (members of
	// the coalition, guarantors in their own name): in the Nash deal
	// (Article 5-like, no troops, a partial truce, Donetsk ceded, no
	// summit, the law) 0.25·0.6·0.7667 where the table alone gives
	// 0.25·0.7667.
	if !approx(r.Nash[0].Utilities[0], 0.15*0.5+0.25*0.6*(0.8+0.75+0.75)/3+0.1*0.2+0.05*0.3+0.1/3) {
		t.Errorf("Nash %v: want ua 0.2583", r.Nash[0].Utilities)
	}
}

// A solution point below a party's reservation value is marked as such,
// in the report (JSON and text) and in the what-if, whose "ratifiable"
// speaks of votes only: the max-welfare deal (1, 0.1) needs no vote from
// a's parliament, yet b (rv 0.3) would refuse it.
func TestIrrationalPointsMarked(t *testing.T) {
	r, w := whatIfFile(t, "testdata/whatif-irrational.yaml", WhatIfOptions{})
	mw := r.MaxWelfare
	if len(mw) != 1 || mw[0].Rational || !reflect.DeepEqual(mw[0].BelowReservation, []string{"b"}) {
		t.Errorf("max welfare %+v: want irrational, below b's reservation", mw)
	}
	for name, pts := range map[string][]PointReport{"nash": r.Nash, "kalai": r.Kalai, "kalai_smorodinsky": r.KalaiSmorodinsky, "egalitarian": r.Egalitarian} {
		if len(pts) != 1 || !pts[0].Rational || pts[0].BelowReservation != nil {
			t.Errorf("%s %+v: want rational", name, pts)
		}
	}
	var below [][]string
	rational := 0
	for _, p := range r.Pareto.Points {
		below = append(below, p.BelowReservation)
		if p.Rational {
			rational++
		}
	}
	if want := [][]string{{"a"}, nil, {"b"}}; !reflect.DeepEqual(below, want) || rational != r.Pareto.Rational {
		t.Errorf("frontier below reservation %q (%d rational, summary %d), want %q", below, rational, r.Pareto.Rational, want)
	}
	for name, d := range map[string]*Deal{"unconstrained max welfare": w.UnconstrainedMaxWelfare, "max_welfare": w.Ratify.Solutions[3].Deal} {
		if !d.Ratifiable || d.Rational || !reflect.DeepEqual(d.BelowReservation, []string{"b"}) {
			t.Errorf("%s %+v: want ratifiable, irrational for b", name, d)
		}
	}
	if d := w.Nash; !d.Rational || d.BelowReservation != nil {
		t.Errorf("Nash %+v: want rational", d)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"sum of utilities = 1.1; NOT acceptable to b (below its reservation value)\n",
		"  max_welfare              a: no parliament needed → ratifiable, but NOT acceptable to b (below its reservation value)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "NOT acceptable"); n != 3 {
		t.Errorf("%d marks, want 3 (max welfare, and its two deals in the what-if):\n%s", n, text)
	}
}

// Without any ratification rule the mark goes on the deal's utilities.
func TestIrrationalDealWithoutRules(t *testing.T) {
	r, _ := whatIfFile(t, "testdata/whatif-agenda-blocks.yaml", WhatIfOptions{})
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  Max welfare, red lines ignored (1.0000, 0.0000) (4 tied outcomes; the first shown)  NOT acceptable to b (below its reservation value)\n",
		"  max_welfare              no ratification needed; NOT acceptable to a (below its reservation value)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
