package analysis

import (
	"math/rand/v2"

	"github.com/parleyhq/parley/scenario"
)

// Sampled reports whether a sensitivity analysis samples the number: it
// carries an assumption with a range [lo, hi]. Quoted and plain numbers
// keep their values.
func Sampled(n scenario.Number) bool {
	return n.Assumption != nil && len(n.Assumption.Range) == 2
}

// DrawAssumed draws a sampled number uniformly from its assumed range, with
// one draw from rng. It is the one sampling rule: the sensitivity analysis
// draws the numbers the analysis uses by it, and forecast bands
// (forecast.SampleBands) the numbers the forecast models use.
func DrawAssumed(n scenario.Number, rng *rand.Rand) float64 {
	r := n.Assumption.Range
	return r[0] + (r[1]-r[0])*rng.Float64()
}
