package analysis

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parleyhq/parley/scenario"
)

// FuzzAnalyze feeds any scenario that validates through the whole analysis,
// what-if included: no panic, and the figures keep their invariants.
func FuzzAnalyze(f *testing.F) {
	for _, data := range shared.ScenarioSeeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if n, ok := s.Space().Size(); !ok || n > 20_000 {
			return // keep each run fast; size limits have tests of their own
		}
		r, err := Analyze(s, Options{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if r.Zopa.Count > r.Outcomes {
			t.Fatalf("zone of %d outcomes in a space of %d", r.Zopa.Count, r.Outcomes)
		}
		if r.Pareto.Count > 0 && r.Pareto.Outcomes < uint64(r.Pareto.Count) {
			t.Fatalf("frontier of %d points covers %d outcomes", r.Pareto.Count, r.Pareto.Outcomes)
		}
		file, err := scenario.DecodeFile(data, "fuzz.yaml")
		if err != nil {
			t.Fatalf("a valid scenario does not decode: %v", err)
		}
		if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := r.SensitivityAnalysis(file, "fuzz.yaml", SensitivityOptions{Samples: 3, Seed: 1}); err != nil {
			t.Fatalf("sensitivity after a what-if analysis: %v", err)
		}
		if err := r.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzEvaluate feeds any strings to --outcome's parser: no panic, an error
// that says something, and on success an outcome of the scenario's labels
// whose evaluation is the same when given back by option id.
func FuzzEvaluate(f *testing.F) {
	s, err := scenario.LoadFile("testdata/evaluate-values.yaml")
	if err != nil {
		f.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range [][3]string{{"a", "1", "0"}, {"Deal D", "3", "0.25"}, {"same", "5", "1e0"}, {" c", "2.0", "0x1p-2"}, {"", "", ""}} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, x, n, rv string) {
		e, err := r.Evaluate(map[string]string{"x": x, "n": n, "r": rv}, 0)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		ids := map[string]string{"n": e.Outcome["n"], "r": e.Outcome["r"]}
		for k := range s.Issues[0].Options {
			if s.Issues[0].Label(k) == e.Outcome["x"] && (strings.EqualFold(strings.TrimSpace(x), s.Issues[0].Options[k].ID) || strings.EqualFold(strings.TrimSpace(x), e.Outcome["x"])) {
				ids["x"] = s.Issues[0].Options[k].ID
			}
		}
		again, err := r.Evaluate(ids, 0)
		if err != nil || !reflect.DeepEqual(again.Utilities, e.Utilities) {
			t.Fatalf("x=%q n=%q r=%q gave %v; by id %v: %v, %v", x, n, rv, e.Outcome, ids, again, err)
		}
	})
}
