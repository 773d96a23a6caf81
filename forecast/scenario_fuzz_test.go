package forecast

import (
	"math"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parleyhq/parley/scenario"
)

// FuzzFromScenario runs every model on the spatial data of any valid
// scenario: no panic, every forecast stays on the 0–100 scale, and its
// package holds a value of every scaled issue, each verdict counted within
// the ways of settling the open ones; a few samples of the bands run too.
func FuzzFromScenario(f *testing.F) {
	for _, data := range shared.ScenarioSeeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		p, err := FromScenario(s)
		if err != nil {
			return
		}
		for _, m := range ModelNames() {
			r, err := Run(p, m, Options{})
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("%s: empty error message", m)
				}
				continue
			}
			for d, x := range r.Forecast {
				if math.IsNaN(x) || x < -1e-9 || x > 100+1e-9 {
					t.Fatalf("%s forecasts %v on %s", m, x, p.Dimensions[d].Name)
				}
			}
			pk, err := Assemble(s, r, 0)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			if len(pk.Outcome)+len(pk.Open) != len(s.Issues) || pk.Decision.AgreedIn > pk.Completions || pk.Decision.PassesIn > pk.Completions {
				t.Fatalf("%s: package %v, open %v, decision %+v over %d", m, pk.Outcome, pk.Open, pk.Decision, pk.Completions)
			}
		}
		if _, err := SampleBands(data, "fuzz.yaml", []string{"compromise"}, BandOptions{Samples: 3}); err != nil && err.Error() == "" {
			t.Fatal("bands: empty error message")
		}
	})
}
