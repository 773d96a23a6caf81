package analysis

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// opposed is the adversary's frontier: issues of card values that the
// parties rank in opposite orders (rising, falling, peaked in the middle,
// by turns), with seeded random weights, so that a large share of every
// issue's partial outcomes stays on the frontier.
func opposed(parties, issues, card int, seed uint64) ([]*utility.Additive, outcome.Space) {
	r := rand.New(rand.NewPCG(seed, 3))
	sizes := make([]int, issues)
	for i := range sizes {
		sizes[i] = card
	}
	sp, err := outcome.NewSpace(sizes)
	if err != nil {
		panic(err)
	}
	us := make([]*utility.Additive, parties)
	for p := range us {
		w := make([]float64, issues)
		sum := 0.0
		for i := range w {
			w[i] = 0.1 + r.Float64()
			sum += w[i]
		}
		ev := make([][]float64, issues)
		for i := range ev {
			w[i] /= sum
			ev[i] = make([]float64, card)
			for v := range ev[i] {
				x := float64(v) / float64(card-1)
				switch (p + i) % 3 {
				case 0:
					ev[i][v] = x
				case 1:
					ev[i][v] = 1 - x
				default:
					ev[i][v] = 1 - 2*max(x-0.5, 0.5-x)
				}
			}
		}
		us[p] = utility.NewAdditive(w, ev, 0, 1)
	}
	return us, sp
}

// TestFrontierRefusesHopelessIssues: an issue whose foreseen dominance
// checks pass the limit is refused before it starts, with the estimate,
// at the same place on every run (issue 14, item 4).
func TestFrontierRefusesHopelessIssues(t *testing.T) {
	us, sp := opposed(3, 12, 10, 1) // 10^12 outcomes
	var msgs []string
	for range 2 {
		_, err := Frontier(us, sp, Options{MaxChecks: 2_000_000})
		var ex *budget.Exceeded
		if !errors.As(err, &ex) || !errors.Is(err, budget.ErrWork) || !ex.Estimated || ex.Need <= 2e6 {
			t.Fatalf("not refused with an estimate: %v", err)
		}
		msgs = append(msgs, err.Error())
	}
	if msgs[0] != msgs[1] {
		t.Errorf("two runs stop at different places:\n%s\n%s", msgs[0], msgs[1])
	}
	for _, want := range []string{"the Pareto frontier of 3 parties over 10^12 outcomes needs about", "dominance checks (at issue ", " of 12 with ", "more than its limit of 2,000,000 dominance checks"} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("message lacks %q: %s", want, msgs[0])
		}
	}
	// Without a limit the first issues go through: the refusal is about
	// the work ahead, not the space's size.
	small, ssp := opposed(3, 4, 10, 1)
	if _, err := Frontier(small, ssp, Options{MaxChecks: 2_000_000}); err != nil {
		t.Errorf("a small opposed frontier: %v", err)
	}
}

// TestFrontierStopsAtItsLimit: where the forecast is too low (the first
// issue's values all ranked alike, the second's in opposite orders), the
// count of dominance checks itself stops the frontier.
func TestFrontierStopsAtItsLimit(t *testing.T) {
	const agreed, split = 1000, 3000
	sp, _ := outcome.NewSpace([]int{agreed, split})
	var us []*utility.Additive
	for p := range 3 {
		a, s := make([]float64, agreed), make([]float64, split)
		for v := range agreed {
			a[v] = float64(v) / (agreed - 1)
		}
		for v := range split {
			x := float64(v) / (split - 1)
			s[v] = []float64{x, 1 - x, 1 - 2*max(x-0.5, 0.5-x)}[p]
		}
		us = append(us, utility.NewAdditive([]float64{0.5, 0.5}, [][]float64{a, s}, 0, 1))
	}
	_, err := Frontier(us, sp, Options{MaxChecks: 1_000_000})
	var ex *budget.Exceeded
	if !errors.As(err, &ex) || !errors.Is(err, budget.ErrWork) || ex.Estimated {
		t.Fatalf("not stopped by the count: %v", err)
	}
	if want := "the Pareto frontier of 3 parties over 3,000,000 outcomes stopped at its limit of 1,000,000 dominance checks (at issue 2 of 2 with 3,000 partial outcomes"; !strings.Contains(err.Error(), want) {
		t.Errorf("message: %v", err)
	}
	f, err := Frontier(us, sp, Options{MaxChecks: -1})
	if err != nil || len(f.Points) != split {
		t.Errorf("without a limit: %v, %d points", err, pointsOf(f))
	}
}

func pointsOf(f *Pareto) int {
	if f == nil {
		return -1
	}
	return len(f.Points)
}

// TestFrontierMemoryRefusedBeforeAllocating: one issue of 10^6 values
// makes 10^6 partial outcomes at once; with a budget of 100 MB the
// frontier refuses with its estimate, having allocated next to nothing.
func TestFrontierMemoryRefusedBeforeAllocating(t *testing.T) {
	const card = 1_000_000
	sp, _ := outcome.NewSpace([]int{card})
	up, down := make([]float64, card), make([]float64, card)
	for v := range card {
		up[v], down[v] = float64(v)/(card-1), 1-float64(v)/(card-1)
	}
	us := []*utility.Additive{utility.NewAdditive([]float64{1}, [][]float64{up}, 0, 1), utility.NewAdditive([]float64{1}, [][]float64{down}, 0, 1)}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Frontier(us, sp, Options{Budget: &budget.Budget{Memory: 100 << 20}})
	runtime.ReadMemStats(&after)
	var ex *budget.Exceeded
	if !errors.As(err, &ex) || !errors.Is(err, budget.ErrMemory) || ex.Need < 200<<20 || ex.Limit != 100<<20 {
		t.Fatalf("not refused: %v", err)
	}
	// The engine's tables of the issue's values (16 MB) are all it made.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 40<<20 {
		t.Errorf("allocated %d MB before refusing", grew>>20)
	}
	if want := "the Pareto frontier of 2 parties over 1,000,000 outcomes needs about"; !strings.Contains(err.Error(), want) {
		t.Errorf("message: %v", err)
	}
}

// TestFrontierCancelled: a context done midway stops the frontier with its
// cause, where the caller cancelled it (here from the progress callback,
// after the third issue), every time; a budget that allows everything
// changes nothing.
func TestFrontierCancelled(t *testing.T) {
	us, sp := synthetic(3, 8, 1)
	want, err := Frontier(us, sp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var reports []budget.Progress
	b := &budget.Budget{Context: context.Background(), Memory: 1 << 40, Progress: func(p budget.Progress) { reports = append(reports, p) }}
	got, err := Frontier(us, sp, Options{Budget: b})
	if err != nil || !slices.EqualFunc(got.Points, want.Points, func(a, b Point) bool { return slices.Equal(a.Utilities, b.Utilities) && a.N == b.N }) {
		t.Fatalf("within a budget the frontier changes: %v", err)
	}
	if len(reports) < 8 || !reports[len(reports)-1].End || reports[0].Step != "the Pareto frontier of 3 parties over 100,000,000 outcomes" {
		t.Errorf("progress: %+v", reports)
	}

	why := errors.New("--max-time 1s")
	var stops []string
	for range 2 {
		ctx, cancel := context.WithCancelCause(context.Background())
		b := &budget.Budget{Context: ctx, Progress: func(p budget.Progress) {
			if p.Done == 2 {
				cancel(why)
			}
		}}
		_, err := Frontier(us, sp, Options{Budget: b})
		if !errors.Is(err, why) {
			t.Fatalf("not stopped by the context: %v", err)
		}
		stops = append(stops, err.Error())
		cancel(nil)
	}
	if stops[0] != stops[1] || !strings.Contains(stops[0], "stopped (at issue 4 of 8") {
		t.Errorf("stops: %q", stops)
	}
}

// TestReportListsBoundedPoints: a 250-byte scenario with one issue of
// 20,001 integers has a frontier of 20,001 points, every one tied for
// maximum welfare; the report lists 10,000 of them, evenly spaced from
// the first to the last, and 100 ties, and says how many there are
// (issue 14, item 4: the listing took gigabytes at 10^6).
func TestReportListsBoundedPoints(t *testing.T) {
	s, err := scenario.Parse([]byte(`parley: 1
name: wide
issues:
  - {id: x, integer: {min: 0, max: 20000}}
parties:
  - {id: a, weights: {x: 1}, values: {x: {linear: {at_min: 1, at_max: 0}}}}
  - {id: b, weights: {x: 1}, values: {x: {linear: {at_min: 0, at_max: 1}}}}
`), "wide.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pts := r.Pareto.Points
	if r.Pareto.Count != 20001 || len(pts) != MaxReportPoints || r.Truncated["pareto.points"] != 20001 {
		t.Fatalf("count %d, listed %d, truncated %v", r.Pareto.Count, len(pts), r.Truncated)
	}
	first, last := r.Frontier.Points[0], r.Frontier.Points[len(r.Frontier.Points)-1]
	if !slices.Equal(pts[0].Utilities, first.Utilities) || !slices.Equal(pts[len(pts)-1].Utilities, last.Utilities) {
		t.Errorf("the listing does not run from the first point to the last")
	}
	if len(r.MaxWelfare) != MaxReportTies || r.Truncated["max_welfare"] != 20001 || len(r.Nash) != 1 {
		t.Errorf("max welfare lists %d, truncated %v; Nash %d", len(r.MaxWelfare), r.Truncated, len(r.Nash))
	}
	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "(tie)            and 19,991 more tied points") || strings.Count(text.String(), "(tie)") != 10 {
		t.Errorf("text:\n%s", text.String())
	}
}

// TestZoneAndGridWithinBudget: the zone count, the what-if grid and the
// sensitivity run stop on a done context, and the grid refuses a memory
// budget its estimate passes.
func TestZoneAndGridWithinBudget(t *testing.T) {
	why := errors.New("stop")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(why)
	done := &budget.Budget{Context: ctx}

	us, sp := synthetic(2, 7, 1) // 10^7 outcomes: counted exactly
	if _, err := CountZopa(us, sp, Options{Budget: done}); !errors.Is(err, why) || !strings.Contains(err.Error(), "the zone of possible agreement of 2 parties over 10,000,000 outcomes stopped") {
		t.Errorf("zone: %v", err)
	}
	us, sp = synthetic(2, 10, 1) // sampled, once 10 search nodes are spent
	for _, u := range us {
		u.Reservation = 0.5 // else the whole space is in the zone at once
	}
	// Cancelled when the sampling first reports, it stops at its next look.
	ctx2, cancel2 := context.WithCancelCause(context.Background())
	defer cancel2(nil)
	midway := &budget.Budget{Context: ctx2, Progress: func(p budget.Progress) {
		if strings.HasSuffix(p.Detail, "samples") {
			cancel2(why)
		}
	}}
	if _, err := CountZopa(us, sp, Options{Budget: midway, ZopaBudget: 10}); !errors.Is(err, why) || !strings.Contains(err.Error(), "stopped (131,071 samples)") {
		t.Errorf("zone, sampled: %v", err)
	}

	s, err := scenario.LoadFile("testdata/whatif-sensitivity.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = r.WhatIfAnalysis(WhatIfOptions{Budget: &budget.Budget{Memory: 1}})
	if !errors.Is(err, budget.ErrMemory) || !strings.Contains(err.Error(), "the what-if grid of 2 parties over") {
		t.Errorf("grid: %v", err)
	}
	data, err := os.ReadFile("testdata/whatif-sensitivity.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := scenario.DecodeFile(data, "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Sensitivity(f, "s.yaml", SensitivityOptions{Samples: 10, Budget: done})
	if !errors.Is(err, why) || !strings.Contains(err.Error(), "the sensitivity analysis (10 samples) stopped (0 done)") {
		t.Errorf("sensitivity: %v", err)
	}
	if _, err := Analyze(s, Options{Budget: done}); !errors.Is(err, why) {
		t.Errorf("Analyze: %v", err)
	}
}
