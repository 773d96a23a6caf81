package negotiator

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// TestIndexWithinBudget: an index refuses a memory budget its estimate
// passes before building anything, and stops on a done context while it
// evaluates the outcomes; within its budget it is the index NewIndex
// builds, its progress told on the way.
func TestIndexWithinBudget(t *testing.T) {
	sp, _ := outcome.NewSpace([]int{1000, 1000})
	ev := make([]float64, 1000)
	for v := range ev {
		ev[v] = float64(v%97) / 96
	}
	u := utility.NewAdditive([]float64{0.5, 0.5}, [][]float64{ev, ev}, 0, 1)
	kept, scratch := IndexMemory(sp)
	if kept != 20e6 || scratch != 12e6 {
		t.Errorf("IndexMemory: %g kept, %g scratch; want 20 MB and 12 MB for 10^6 outcomes", kept, scratch)
	}
	_, err := NewIndexWithin(u, sp, &budget.Budget{Memory: 10 << 20})
	if !errors.Is(err, budget.ErrMemory) || !strings.Contains(err.Error(), "indexing 1,000,000 outcomes needs about 30.5 MB") {
		t.Errorf("memory: %v", err)
	}
	why := errors.New("deadline")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(why)
	_, err = NewIndexWithin(u, sp, &budget.Budget{Context: ctx})
	if !errors.Is(err, why) || !strings.Contains(err.Error(), "indexing 1,000,000 outcomes stopped (65,536 of 1,000,000 evaluated)") {
		t.Errorf("cancelled: %v", err)
	}
	var last budget.Progress
	x, err := NewIndexWithin(u, sp, &budget.Budget{Context: context.Background(), Progress: func(p budget.Progress) { last = p }})
	want, _ := NewIndex(u, sp)
	if err != nil || x.Len() != want.Len() || x.Len() != 1_000_000 {
		t.Fatalf("within budget: %v", err)
	}
	for _, k := range []int{0, 1, 500_000, 999_999} {
		a, ua := x.Rank(k)
		if b, ub := want.Rank(k); a != b || ua != ub {
			t.Errorf("rank %d: %d %g, want %d %g", k, a, ua, b, ub)
		}
	}
	if last.Total != 1_000_000 || last.Done != 983_040 {
		t.Errorf("last progress %+v", last)
	}
}
