package analysis

import (
	"io"
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
