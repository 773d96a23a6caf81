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
	// 0.2 of them, against its 0.2: two deals are in the zone.
	if r.Zopa.Count != 2 {
		t.Errorf("zone %d, want 2", r.Zopa.Count)
	}
}
