package analysis

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/utility"
)

// TestCloud: every outcome of a small space, each once, on the side of the
// red lines it lies, at its raw utilities to the two parties.
func TestCloud(t *testing.T) {
	s, r := analyzeFile(t, "../scenario/testdata/rules.yaml")
	ok, crossing, err := r.Cloud(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	size, _ := s.Space().Size()
	if uint64(len(ok)+len(crossing)) != size || len(ok) == 0 || len(crossing) == 0 {
		t.Fatalf("%d acceptable and %d crossing points for %d outcomes", len(ok), len(crossing), size)
	}
	// Rebuild the split from the utilities themselves.
	sp := s.Space()
	o := make([]int, sp.Issues())
	var wantOK, wantCross [][2]float64
	for {
		p := [2]float64{r.us[0].Raw(o), r.us[1].Raw(o)}
		cross := false
		for _, u := range r.us {
			cross = cross || u.Utility(o) == utility.Unacceptable
		}
		if cross {
			wantCross = append(wantCross, p)
		} else {
			wantOK = append(wantOK, p)
		}
		if !sp.Next(o) {
			break
		}
	}
	for i := range wantOK {
		if ok[i] != wantOK[i] {
			t.Fatalf("acceptable point %d: %v, want %v", i, ok[i], wantOK[i])
		}
	}
	for i := range wantCross {
		if crossing[i] != wantCross[i] {
			t.Fatalf("crossing point %d: %v, want %v", i, crossing[i], wantCross[i])
		}
	}
	// The axes swapped swap the coordinates.
	ok2, _, _ := r.Cloud(1, 0)
	if ok2[0] != [2]float64{ok[0][1], ok[0][0]} {
		t.Errorf("Cloud(1, 0) starts at %v, Cloud(0, 1) at %v", ok2[0], ok[0])
	}
	for _, c := range [][2]int{{0, 0}, {0, 5}, {-1, 1}} {
		if _, _, err := r.Cloud(c[0], c[1]); err == nil || !strings.Contains(err.Error(), "two different parties") {
			t.Errorf("Cloud(%d, %d): %v", c[0], c[1], err)
		}
	}
}
