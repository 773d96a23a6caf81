package analysis

import (
	"slices"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// TestStatusQuoReservations (issue 16, finding 1): with a status quo the
// analysis measures every gain from the parties' utilities of it, and
// notes a stated reservation value it does not use.
func TestStatusQuoReservations(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/war.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !nearAll(r.Reservation, []float64{0.2, 0.82}) {
		t.Errorf("reservations %v, want [0.2 0.82]", r.Reservation)
	}
	want := "ru's reservation value is its utility of the status quo, 0.82; the 0.45 the file states is not used"
	if !slices.Contains(r.Notes, want) {
		t.Errorf("notes %q lack %q", r.Notes, want)
	}
	// ru reaches 0.82 only at (none, ceded, no) 1.0, (none, ceded, yes)
	// 0.9 and the status quo itself (none, held, no); ua gets 0, 0.2 and
	// 0.2 of them, against its 0.2: two deals are acceptable to both, and
	// the summit of the first is ruled out (TestTermLines).
	if r.Zopa.Count != 1 {
		t.Errorf("zone %d, want 1", r.Zopa.Count)
	}
}

// TestTermLines (issue 16, finding 3): a meeting that is a term of the
// deal rules out, for everyone, the deals with it that it could not be
// held for. In war.yaml the leaders' meeting is the summit and needs a
// ceasefire agreed in the truce phase before it: the one deal of the zone
// with a summit and no ceasefire, (none, ceded, yes), is ruled out. All at
// once (the package) nothing is in force before the deal, so every summit
// is.
func TestTermLines(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/war.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := TermLines(s, s.Utilities())
	if len(lines) != 1 || lines[0].ID != "meeting leaders" || !lines[0].Match([]int{1, 2, 0}) || lines[0].Match([]int{0, 2, 0}) || lines[0].Match([]int{1, 2, 1}) {
		t.Fatalf("lines %+v", lines)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Zopa.Count != 1 {
		t.Errorf("zone %d, want 1", r.Zopa.Count)
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, rl := range r.WhatIf.RedLines {
		if rl.ID == "meeting leaders" {
			found = rl.Party == "" && rl.Removes == 1
		}
	}
	if !found || len(r.WhatIf.RedLines) != 1 {
		t.Errorf("what-if red lines %+v", r.WhatIf.RedLines)
	}
	pkg := TermLines(s.Package(), s.Utilities())
	if len(pkg) != 1 || !pkg[0].Match([]int{0, 0, 0}) || pkg[0].Match([]int{0, 0, 1}) {
		t.Errorf("package lines %+v", pkg)
	}
}
