package forecast

import (
	"math"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parleyhq/parley/scenario"
)

// FuzzFromScenario runs every model on the spatial data of any valid
// scenario: no panic, and every forecast stays on the 0–100 scale.
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
		}
	})
}
