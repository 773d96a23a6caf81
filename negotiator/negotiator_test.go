package negotiator

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

func testUtility(sizes []int, seed uint64) *utility.Additive {
	r := rand.New(rand.NewPCG(seed, 1))
	w := make([]float64, len(sizes))
	ev := make([][]float64, len(sizes))
	s := 0.0
	for i, n := range sizes {
		w[i] = r.Float64()
		s += w[i]
		ev[i] = make([]float64, n)
		for v := range ev[i] {
			ev[i][v] = r.Float64()
		}
	}
	for i := range w {
		w[i] /= s
	}
	return utility.NewAdditive(w, ev, 0.2, 1)
}

func TestIndexAtLeast(t *testing.T) {
	sizes := []int{3, 4, 5}
	sp, _ := outcome.NewSpace(sizes)
	u := testUtility(sizes, 1)
	x, err := NewIndex(u, sp)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int, 3)
	for _, v := range []float64{-1, 0, 0.1, 0.33, 0.5, 0.77, 0.9, 2} {
		// Brute force: the smallest utility >= v, smallest index among ties.
		bestID, bestU, found := uint64(0), math.Inf(1), false
		for id := range uint64(60) {
			sp.Decode(id, buf)
			if uu := u.Utility(buf); uu >= v && uu < bestU {
				bestID, bestU, found = id, uu, true
			}
		}
		id, got, ok := x.AtLeast(v, buf)
		if ok != found || (found && (id != bestID || got != bestU)) {
			t.Errorf("AtLeast(%v) = %d %v %v, want %d %v %v", v, id, got, ok, bestID, bestU, found)
		}
	}
	if id, uu := x.Rank(0); uu != x.maxU || id != x.maxID || x.Utility(id, buf) != uu {
		t.Errorf("Rank(0) = %d %v", id, uu)
	}
}

// TestIndexGreedy: on a space too large to enumerate, AtLeast still returns
// an outcome at or above the target.
func TestIndexGreedy(t *testing.T) {
	sizes := []int{100, 100, 100, 100, 100} // 10^10 outcomes
	sp, _ := outcome.NewSpace(sizes)
	u := testUtility(sizes, 2)
	x, err := NewIndex(u, sp)
	if err != nil {
		t.Fatal(err)
	}
	if x.Sorted() {
		t.Fatal("10^10 outcomes were sorted")
	}
	buf := make([]int, len(sizes))
	for _, v := range []float64{0.2, 0.5, 0.8} {
		id, got, ok := x.AtLeast(v, buf)
		sp.Decode(id, buf)
		if !ok || got < v || u.Utility(buf) != got || got > v+0.05 {
			t.Errorf("AtLeast(%v) = %d %v %v", v, id, got, ok)
		}
	}
}

func TestTimeDependentTarget(t *testing.T) {
	sizes := []int{4, 4}
	sp, _ := outcome.NewSpace(sizes)
	u := testUtility(sizes, 3)
	x, _ := NewIndex(u, sp)
	s := &Setup{Parties: 2, Space: sp, Utility: u, Index: x, Rand: rand.New(rand.NewPCG(1, 1)), Deadline: protocol.Deadline{Rounds: 10}}
	_, pmax := x.Max()
	_, wmin := x.Min()
	pmin := math.Max(wmin, 0.2)
	for _, e := range []float64{0.2, 1, 2} {
		n := NewTimeDependent(e, 0)
		n.Reset(s)
		for _, tt := range []float64{0, 0.25, 0.5, 1} {
			want := pmin + (pmax-pmin)*(1-math.Pow(tt, 1/e))
			if got := n.Target(tt); math.Abs(got-want) > 1e-15 {
				t.Errorf("e=%v target(%v) = %v, want %v", e, tt, got, want)
			}
		}
	}
	// Hardliner never concedes.
	h := NewTimeDependent(0, 0)
	h.Reset(s)
	if h.Target(0.99) != pmax {
		t.Errorf("hardliner target %v", h.Target(0.99))
	}
	// AC_next: accept exactly when the offer is at least the next bid.
	c := NewTimeDependent(2, 0)
	c.Reset(s)
	buf := make([]int, 2)
	_, next, _ := x.AtLeast(c.Target(0.5), buf)
	for id := range x.Size() {
		a := c.Act(protocol.Turn{Phase: protocol.PhaseRespond, T: 0.5, Outcome: id, HasOutcome: true})
		if want := x.Utility(id, buf) >= next; (a.Kind == protocol.ActAccept) != want {
			t.Errorf("outcome %d: %v", id, a)
		}
	}
}

func TestRegistry(t *testing.T) {
	for _, i := range Strategies() {
		if i.Doc == "" || i.Source == "" {
			t.Errorf("%s is not documented", i.Name)
		}
	}
	_, err := Parse("concede")
	if err == nil || !strings.Contains(err.Error(), `did you mean "conceder"`) {
		t.Errorf("%v", err)
	}
	s, err := Parse("timedependent:e=0.5")
	if err != nil || s.Params["e"] != 0.5 || s.String() != "timedependent:e=0.5" {
		t.Errorf("%v %v", s, err)
	}
	if _, err := New("boulware"); err != nil {
		t.Error(err)
	}
	if _, err := Parse("timedependent:e=x"); err == nil {
		t.Error("non-numeric parameter accepted")
	}
}

func TestFrequencyModel(t *testing.T) {
	sp, _ := outcome.NewSpace([]int{3, 3})
	var m FrequencyModel
	m.LearnRate = 0.2
	m.Reset(sp)
	// The opponent keeps issue 0 at value 2 and varies issue 1.
	for _, o := range [][]int{{2, 0}, {2, 1}, {2, 2}, {2, 0}} {
		m.Update(sp.Index(o))
	}
	if m.weights[0] <= m.weights[1] {
		t.Errorf("weights %v: the unchanged issue should weigh more", m.weights)
	}
	if m.Utility([]int{2, 0}) <= m.Utility([]int{0, 0}) {
		t.Error("the opponent's favourite value is not rated higher")
	}
}

func TestMediatorsStayInSpace(t *testing.T) {
	sp, _ := outcome.NewSpace([]int{2, 3, 1})
	size, _ := sp.Size()
	for _, name := range []string{"hillclimb", "veto"} {
		m, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		s := &Setup{Seat: 2, Parties: 2, Space: sp, Rand: rand.New(rand.NewPCG(1, 2))}
		m.Reset(s)
		for range 50 {
			a := m.Act(protocol.Turn{Phase: protocol.PhasePropose})
			if a.Kind == protocol.ActOffer && a.Outcome >= size {
				t.Fatalf("%s proposed %d", name, a.Outcome)
			}
		}
	}
}

// TestIndexRedLinesUnsorted: on a space too large to sort, the best
// outcome and AtLeast's answers never cross a red line, even when the
// unconstrained best does.
func TestIndexRedLinesUnsorted(t *testing.T) {
	sizes := []int{10, 10, 10, 10, 10, 10, 10, 10} // 10^8 outcomes
	sp, _ := outcome.NewSpace(sizes)
	u := testUtility(sizes, 3)
	_, best := u.Max()
	// Forbid the best values of issues 0 and 1 together.
	allowed := func(v int) []bool { a := make([]bool, 10); a[v] = true; return a }
	u.RedLines = []utility.RedLine{{ID: "x", Constraint: utility.Constraint{Issues: []int{0, 1}, Allowed: [][]bool{allowed(best[0]), allowed(best[1])}}}}
	x, err := NewIndex(u, sp)
	if err != nil {
		t.Fatal(err)
	}
	if x.Sorted() {
		t.Fatal("the space should be too large to sort")
	}
	buf := make([]int, len(sizes))
	id, mu := x.Max()
	if sp.Decode(id, buf); u.Crosses(buf) >= 0 || mu == utility.Unacceptable || mu != u.Utility(buf) {
		t.Fatalf("best outcome %v crosses the red line (utility %v)", buf, mu)
	}
	for _, v := range []float64{0, 0.3, 0.6, mu, 2} {
		id, got, _ := x.AtLeast(v, buf)
		sp.Decode(id, buf)
		if got == utility.Unacceptable || u.Crosses(buf) >= 0 {
			t.Errorf("AtLeast(%v) = %v crosses the red line", v, buf)
		}
	}
}
