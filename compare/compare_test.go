package compare

import (
	"bytes"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
)

const flagshipPath = "../examples/ukraine-2025.yaml"

func flagship(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(flagshipPath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// edit applies (old, new) replacements to the flagship, each exactly once.
func edit(t *testing.T, data []byte, pairs ...string) []byte {
	t.Helper()
	s := string(data)
	for i := 0; i < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			t.Fatalf("%q occurs %d times in the flagship", pairs[i], n)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

// versions diffs the flagship against b with the line-up of parley run.
func versions(t *testing.T, b []byte) *Diff {
	t.Helper()
	lineup := Lineup{Negotiators: func(n int) []string {
		negs := make([]string, n)
		for i := range negs {
			negs[i] = []string{"boulware", "conceder"}[i%2]
		}
		return negs
	}}
	// B lives beside A, so that both read the article from the same place.
	d, err := Versions(Version{Name: flagshipPath, Data: flagship(t)}, Version{Name: "../examples/b.yaml", Data: b}, Options{Lineup: lineup})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestDiffSame: a file against itself changes nothing and moves nothing.
func TestDiffSame(t *testing.T) {
	d := versions(t, flagship(t))
	if len(d.Changes) != 0 || len(d.Moved) != 0 {
		t.Errorf("changes %+v, moved %v; want none", d.Changes, d.Moved)
	}
	if d.BeforeFigures.Zone != 22 || d.BeforeFigures.Session == nil || d.BeforeFigures.Session.Error != "" {
		t.Errorf("figures %+v", d.BeforeFigures)
	}
}

// TestDiffWeight: Ukraine weighs territory 0.45 instead of 0.35 and
// guarantees 0.15 instead of 0.25. The diff reports both numbers with
// their provenance, and the figures move as the weights dictate: the
// ratifiable Nash deal (the front frozen, which Ukraine values 0.45, and
// no guarantees) gains 0.10·0.45 = +0.045 for Ukraine, and so does its
// reservation value (the status quo holds the same front, without
// guarantees); the max-welfare deal (no land ceded, Article 5-like
// guarantees worth 0.6 without troops × 0.7667 honoured, the mean of the
// US's 0.8 and Britain's and France's 0.75) gains 0.10·1 − 0.10·0.46 =
// +0.054;
// the other parties' utilities stay. The Nash deal moves: Ukraine now
// gives up less for the summit.
func TestDiffWeight(t *testing.T) {
	b := edit(t, flagship(t),
		"      territory:\n        value: 0.35\n", "      territory:\n        value: 0.45\n",
		"guarantees: {value: 0.25, assumption: {why: guarantees decide", "guarantees: {value: 0.15, assumption: {why: guarantees decide")
	d := versions(t, b)
	want := map[string][2]float64{"parties[ua].weights.territory": {0.35, 0.45}, "parties[ua].weights.guarantees": {0.25, 0.15}}
	if len(d.Changes) != len(want) {
		t.Fatalf("changes %+v; want the two weights", d.Changes)
	}
	for _, c := range d.Changes {
		w, ok := want[c.Path]
		if !ok || c.Section != Numbers || c.Kind != Changed || c.OldValue == nil || c.NewValue == nil || *c.OldValue != w[0] || *c.NewValue != w[1] {
			t.Errorf("change %+v; want %s %v → %v", c, c.Path, w[0], w[1])
		}
	}
	if c := d.Changes[0]; !strings.Contains(c.Old, "quoted for direction, size assumed, range [0.3, 0.45]") && !strings.Contains(d.Changes[1].Old, "quoted for direction") {
		t.Errorf("the territory weight's provenance is not shown: %+v", d.Changes)
	}
	x, y := d.BeforeFigures, d.AfterFigures
	if rx, ry := x.RatifiableNash, y.RatifiableNash; !samePointDeal(rx, ry) || !near(ry.Utilities["ua"]-rx.Utilities["ua"], 0.045) ||
		!near(ry.Utilities["ru"], rx.Utilities["ru"]) || !near(ry.Utilities["eu"], rx.Utilities["eu"]) {
		t.Errorf("ratifiable Nash %+v → %+v; want the same deal, Ukraine +0.045", rx, ry)
	}
	if !near(y.Reservation["ua"]-x.Reservation["ua"], 0.045) {
		t.Errorf("ua's reservation value %v → %v; want +0.045", x.Reservation["ua"], y.Reservation["ua"])
	}
	if samePointDeal(x.Nash, y.Nash) {
		t.Errorf("Nash %+v → %+v; want another deal", x.Nash, y.Nash)
	}
	if !samePointDeal(x.MaxWelfare, y.MaxWelfare) || !near(y.MaxWelfare.Utilities["ua"]-x.MaxWelfare.Utilities["ua"], 0.1-0.1*0.6*(0.8+0.75+0.75)/3) {
		t.Errorf("max welfare %+v → %+v; want the same deal, Ukraine +0.054", x.MaxWelfare, y.MaxWelfare)
	}
	for _, m := range []string{"nash", "ratifiable_nash", "max_welfare"} {
		if !slices.Contains(d.Moved, m) {
			t.Errorf("moved %v lacks %s", d.Moved, m)
		}
	}
	var text bytes.Buffer
	if err := d.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"2 changes", "Numbers:", "parties[ua].weights.territory", "0.35 (quoted for direction, size assumed, range [0.3, 0.45]) → 0.45",
		"Ratifiable Nash    ua 0.2258 → 0.2708 (+0.0450), ru 0.8250, eu 0.1758", "same deal",
	} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, text.String())
		}
	}
}

func samePointDeal(a, b *Point) bool {
	return a != nil && b != nil && samePoint(&Point{Deal: a.Deal}, &Point{Deal: b.Deal})
}

// TestDiffDroppedRedLine: without Russia's red line against NATO troops
// the diff reports the red line removed as a whole (one change, a rule),
// and the zone grows by exactly the outcomes the what-if analysis says the
// red line removes from it: none, since the war as status quo already
// makes every deal with NATO troops worse to Russia than no deal. Only the
// max-welfare deal, which need not be acceptable, moves: British and
// French troops make Ukraine's Article 5-like guarantee worth its full
// value (without troops, 0.6 of it), which outweighs Russia's loss.
func TestDiffDroppedRedLine(t *testing.T) {
	b := edit(t, flagship(t), `    red_lines:
      - id: no_nato_troops
        description: No troops of NATO countries in Ukraine
        forbid: {troops: [european, us_european]}
        source: {document: article, quote: "Moscow would oppose the deployment of NATO troops to the country as “provocative” and “reckless,”"}
`, "")
	d := versions(t, b)
	if len(d.Changes) != 1 || d.Changes[0] != (Change{Section: Rules, Path: "parties[ru].red_lines[no_nato_troops]", Kind: Removed}) {
		t.Fatalf("changes %+v; want the red line removed", d.Changes)
	}
	s, err := scenario.Parse(flagship(t), flagshipPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WhatIfAnalysis(analysis.WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	rl := r.WhatIf.RedLines[0]
	if got, want := d.AfterFigures.Zone, d.BeforeFigures.Zone+rl.Removes; got != want || rl.ID != "no_nato_troops" || rl.Removes != 0 || rl.Binds {
		t.Errorf("zone %d → %d; want %d + %d (red line %+v)", d.BeforeFigures.Zone, got, d.BeforeFigures.Zone, rl.Removes, rl)
	}
	for _, m := range []string{"zone", "ratifiable_zone", "nash", "ratifiable_nash"} {
		if slices.Contains(d.Moved, m) {
			t.Errorf("moved %v; the red line removed no deal from the zone", d.Moved)
		}
	}
	if mw := d.AfterFigures.MaxWelfare; !slices.Contains(d.Moved, "max_welfare") || mw == nil || mw.Deal["troops"] != "British and French troops" {
		t.Errorf("moved %v, max welfare %+v; want it to move to British and French troops", d.Moved, mw)
	}
}

// TestDiffRulesSourcesDefaults: a changed quote is a source change, a
// default made explicit shows the default it replaces, a meeting's rule
// and an event's date are rule changes, and renaming an option label is
// a structure change.
func TestDiffRulesSourcesDefaults(t *testing.T) {
	b := edit(t, flagship(t),
		`accept: {us: always, ua: always, ru: zone}`, `accept: {us: always, ua: always, ru: never}`,
		"  - date: 2025-09-16\n", "  - date: 2025-09-06\n",
		"        threshold: {value: 0.5, assumption: {why: a referendum", "        uncertainty: 0.1\n        threshold: {value: 0.5, assumption: {why: a referendum",
		`crimea: {value: 0.25, source: {document: article, quote: "polls indicate that three out of four`, `crimea: {value: 0.25, source: {document: article, quote: "three out of four`,
		"{id: none, label: No summit}", "{id: none, label: No summit at all}",
	)
	d := versions(t, b)
	got := map[string]Change{}
	for _, c := range d.Changes {
		got[c.Path] = c
	}
	for path, want := range map[string]Change{
		"meetings[trilateral_summit].accept.ru":                                      {Section: Rules, Kind: Changed, Old: "zone", New: "never"},
		"events[ru@2025-09-16]":                                                      {Section: Rules, Kind: Removed},
		"events[ru@2025-09-06]":                                                      {Section: Rules, Kind: Added},
		"parties[ua].ratification[referendum].uncertainty":                           {Section: Numbers, Kind: Changed, Old: "0.05 (default)", New: "0.1"},
		"parties[ua].ratification[referendum].support.territory.crimea.source.quote": {Section: Sources, Kind: Changed},
		"issues[summit].options[none].label":                                         {Section: Structure, Kind: Changed, Old: "No summit", New: "No summit at all"},
	} {
		c, ok := got[path]
		if !ok || c.Section != want.Section || c.Kind != want.Kind || want.Old != "" && (c.Old != want.Old || c.New != want.New) {
			t.Errorf("%s: %+v, want %+v", path, c, want)
		}
	}
	if len(d.Changes) != 6 {
		t.Errorf("%d changes, want 6: %+v", len(d.Changes), d.Changes)
	}
}

// TestDiffReorderedFile: moving a party and an issue within the file
// changes nothing and moves no figure of the analysis: the diff names
// things by id. (The session may move: the line-up seats negotiators by
// position.)
func TestDiffReorderedFile(t *testing.T) {
	a := flagship(t)
	s := string(a)
	i, j := strings.Index(s, "  - id: law\n"), strings.Index(s, "\nparties:\n")
	law := s[i : j+1]
	s = s[:i] + s[j+1:]
	k := strings.Index(s, "  - id: ceasefire\n")
	s = s[:k] + law + s[k:]
	// Ukraine, the first party, goes last.
	i, j = strings.Index(s, "  - id: ua\n"), strings.Index(s, "  - id: ru\n")
	ua := s[i:j]
	s = s[:i] + s[j:] + ua
	d := versions(t, []byte(s))
	if got := d.AfterFigures.Parties; slices.Equal(got, d.BeforeFigures.Parties) {
		t.Fatalf("the parties were not reordered: %v", got)
	}
	if len(d.Changes) != 0 {
		t.Errorf("changes %+v; want none", d.Changes)
	}
	for _, m := range []string{"zone", "ratifiable_zone", "nash", "ratifiable_nash", "max_welfare"} {
		if slices.Contains(d.Moved, m) {
			t.Errorf("%s moved; the scenario is the same", m)
		}
	}
}

// TestDiffErrors: an invalid version is reported with its position, both
// versions' errors at once.
func TestDiffErrors(t *testing.T) {
	bad := edit(t, flagship(t), "      territory:\n        value: 0.35\n", "      territory:\n        value: 1.35\n")
	_, err := Versions(Version{Name: "a.yaml", Data: bad}, Version{Name: "b.yaml", Data: []byte("parley: 1\nname: x\n")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "a.yaml:") || !strings.Contains(err.Error(), "b.yaml:") {
		t.Errorf("got %v; want both files' errors with positions", err)
	}
}

// TestDiffWithoutLineup: a caller that gives no line-up gets the figures
// of the analysis and no session.
func TestDiffWithoutLineup(t *testing.T) {
	b := edit(t, flagship(t), "      territory:\n        value: 0.35\n", "      territory:\n        value: 0.45\n",
		"guarantees: {value: 0.25, assumption: {why: guarantees decide", "guarantees: {value: 0.15, assumption: {why: guarantees decide")
	d, err := Versions(Version{Name: flagshipPath, Data: flagship(t)}, Version{Name: "../examples/b.yaml", Data: b}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.BeforeFigures.Session != nil || d.AfterFigures.Session != nil || slices.Contains(d.Moved, "session") || !slices.Contains(d.Moved, "nash") {
		t.Errorf("sessions %+v %+v, moved %v", d.BeforeFigures.Session, d.AfterFigures.Session, d.Moved)
	}
	var text bytes.Buffer
	if err := d.WriteText(&text); err != nil || strings.Contains(text.String(), "Session") {
		t.Errorf("%v:\n%s", err, text.String())
	}
}

// TestDiffStatusQuo: a status quo added to a version is a change of its
// rules, and the reservation values it derives move as figures: the
// north's world without a deal (no truce, the line of contact, no
// guarantees) is worth 0.2·0 + 0.5·0.4 + 0.3·0 = 0.2 to it, not the 0.3
// it states.
func TestDiffStatusQuo(t *testing.T) {
	a, err := os.ReadFile("testdata/truce-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := append(bytes.Clone(a), []byte("status_quo:\n  outcome: {truce: none, border: line, guarantees: none}\n  assumption: {why: the front holds}\n")...)
	d, err := Versions(Version{Name: "testdata/truce-v1.yaml", Data: a}, Version{Name: "testdata/truce-v1b.yaml", Data: b}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range d.Changes {
		paths = append(paths, c.Section+" "+c.Path+" "+c.Kind)
	}
	if !slices.Contains(paths, "rules status_quo.outcome.border added") {
		t.Errorf("changes %q: want the status quo added to the rules", paths)
	}
	if !slices.Contains(d.Moved, "reservation") || !near(d.AfterFigures.Reservation["north"], 0.2) || !near(d.BeforeFigures.Reservation["north"], 0.3) {
		t.Errorf("moved %v; reservation %v → %v", d.Moved, d.BeforeFigures.Reservation, d.AfterFigures.Reservation)
	}
}

// TestDiffIssue16Fields: the fields issue 16 adds are compared like the
// rest: a state's cost, a standing phase, a meeting's needs and term, an
// event by date, the calendar and the deadline.
func TestDiffIssue16Fields(t *testing.T) {
	a, err := os.ReadFile("../scenario/testdata/war.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(a)
	for _, r := range [][2]string{
		{"delay_cost: 0.002}", "delay_cost: 0.001}"},
		{"stands: true}", "stands: false}"},
		{"needs: {ceasefire: [now]}", "needs: {ceasefire: [now, none]}"},
		{"round: 1w}", "round: 2w}"},
		{"deadline: 2025-11-30", "deadline: {rounds: 10}"},
		{`values: {summit: {"yes": 0.8}}`, `values: {summit: {"yes": 0.7}}`},
	} {
		if !bytes.Contains(b, []byte(r[0])) {
			t.Fatalf("war.yaml lacks %q", r[0])
		}
		b = bytes.Replace(b, []byte(r[0]), []byte(r[1]), 1)
	}
	var got []string
	for _, c := range Files(decodeResolved(t, a), decodeResolved(t, b), nil, nil) {
		got = append(got, c.Section+" "+c.Path+" "+c.Kind)
	}
	for _, want := range []string{
		"numbers parties[ua].while[0].delay_cost changed",
		"rules agenda[truce].stands changed",
		"rules meetings[leaders].needs.ceasefire changed",
		"rules calendar.round changed",
		"rules deadline.date removed",
		"rules deadline.rounds changed",
		"numbers events[ru@2025-09-01].values.summit.yes changed",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("changes %q lack %q", got, want)
		}
	}
}

func decodeResolved(t *testing.T, data []byte) *scenario.File {
	t.Helper()
	f, err := scenario.DecodeFile(data, "war.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f.ResolveValues()
	return f
}
