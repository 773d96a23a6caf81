package budget

import (
	"context"
	"errors"
	"testing"
)

func TestNilBudgetAllowsEverything(t *testing.T) {
	var b *Budget
	if b.Err() != nil || b.Check("x", "") != nil || b.Fit("x", "", 1e18) != nil || b.Over(1e18) || b.Reporting() {
		t.Error("a nil budget stops or refuses something")
	}
	b.Report(Progress{Step: "x"}) // no callback: nothing happens
	b.End("x")
	if (&Budget{}).Err() != nil || (&Budget{}).Fit("x", "", 1e18) != nil {
		t.Error("the zero budget stops or refuses something")
	}
}

// TestStopsCarryTheCause: a stop says what stopped and why, and unwraps to
// the context's cause, so callers tell a deadline from a cancellation.
func TestStopsCarryTheCause(t *testing.T) {
	why := errors.New("--max-time 10s")
	ctx, cancel := context.WithCancelCause(context.Background())
	b := &Budget{Context: ctx}
	if err := b.Check("the frontier", "issue 3 of 9"); err != nil {
		t.Fatalf("stopped before the context was done: %v", err)
	}
	cancel(why)
	err := b.Check("the frontier", "issue 3 of 9")
	var ex *Exceeded
	if !errors.As(err, &ex) || !errors.Is(err, why) || ex.Step != "the frontier" || ex.At != "issue 3 of 9" {
		t.Fatalf("stop: %#v", err)
	}
	if got, want := err.Error(), "the frontier stopped (issue 3 of 9): --max-time 10s"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}

	dl, stop := context.WithTimeout(context.Background(), 0)
	defer stop()
	<-dl.Done()
	if err := (&Budget{Context: dl}).Check("x", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a deadline's stop does not unwrap to DeadlineExceeded: %v", err)
	}
}

func TestFitRefusesWithTheEstimate(t *testing.T) {
	b := &Budget{Memory: 200 << 20}
	if err := b.Fit("the grid", "", 199<<20); err != nil {
		t.Errorf("refused below the ceiling: %v", err)
	}
	err := b.Fit("the grid", "1,000,000 outcomes", 445<<20)
	if !errors.Is(err, ErrMemory) {
		t.Fatalf("not refused: %v", err)
	}
	if got, want := err.Error(), "the grid needs about 445 MB (1,000,000 outcomes), more than the memory budget of 200 MB"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	work := &Exceeded{Step: "the frontier", Need: 5.05e9, Limit: 1e9, Unit: "dominance checks", Estimated: true, Cause: ErrWork}
	if got, want := work.Error(), "the frontier needs about 5.05×10^9 dominance checks, more than its limit of 10^9 dominance checks"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestProgressReachesTheCallback(t *testing.T) {
	var got []Progress
	b := &Budget{Progress: func(p Progress) { got = append(got, p) }}
	b.Report(Progress{Step: "indexing", Done: 1, Total: 2})
	b.End("indexing")
	if len(got) != 2 || got[0].Done != 1 || !got[1].End || got[1].Step != "indexing" {
		t.Errorf("reports %+v", got)
	}
}

func TestAmounts(t *testing.T) {
	for _, c := range []struct {
		x    float64
		unit string
		want string
	}{
		{0, "bytes", "0 B"},
		{1023, "bytes", "1023 B"},
		{1536, "bytes", "1.5 KB"},
		{445 << 20, "bytes", "445 MB"},
		{12.5 * (1 << 30), "bytes", "12.5 GB"},
		{999, "checks", "999 checks"},
		{1_234_567, "outcomes", "1,234,567 outcomes"},
		{1e12, "outcomes", "10^12 outcomes"},
		{1.36e9, "checks", "1.36×10^9 checks"},
	} {
		if got := Amount(c.x, c.unit); got != c.want {
			t.Errorf("Amount(%g, %s) = %q, want %q", c.x, c.unit, got, c.want)
		}
	}
	if got := Thousands(1000000); got != "1,000,000" {
		t.Errorf("Thousands: %q", got)
	}
}
