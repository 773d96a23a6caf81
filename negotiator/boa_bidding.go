package negotiator

import (
	"math"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// TimeDependentBidding is the time-dependent bidding strategy of Faratin,
// Sierra and Jennings (1998) as Genius's BOA TimeDependent_Offering plays
// it: its target at time t is Pmin + (Pmax − Pmin)·(1 − f(t)), f(t) = k +
// (1 − k)·t^(1/e), with Pmin the higher of the worst utility and the
// reservation value (as the timedependent negotiator). Without an opponent
// model it offers the outcome worth least at or above the target; with one,
// the outcome near the target the model rates best for the others
// (Context.Pick: within Window of the first, at most Scan of them).
type TimeDependentBidding struct {
	E, K, Window float64
	Scan         int
}

func init() {
	biddings.Add(part[Bidding]{Entry: registry.Entry{Name: "timedependent",
		Doc:    "concedes on the curve target(t) = Pmin + (Pmax − Pmin)(1 − k − (1 − k)t^(1/e)); with a model, offers the outcome near the target it rates best for the others",
		Source: "Faratin, Sierra & Jennings 1998; Genius BOA TimeDependent_Offering with the BestBid model strategy",
		Params: []registry.Param{{Name: "e", Default: 1, Doc: "concession exponent (0 never concedes, <1 Boulware, >1 Conceder)"},
			{Name: "k", Default: 0, Doc: "initial concession in [0, 1]"},
			{Name: "window", Default: 0.01, Doc: "utility window above the target searched with a model"},
			{Name: "scan", Default: 256, Doc: "outcomes examined at most per offer with a model"}}},
		make: func(p map[string]float64) Bidding {
			return &TimeDependentBidding{E: p["e"], K: p["k"], Window: p["window"], Scan: max(1, int(p["scan"]))}
		}})
}

// Reset implements Bidding.
func (b *TimeDependentBidding) Reset(*Context) {}

// Target is the utility it aims at, at normalised time t.
func (b *TimeDependentBidding) Target(c *Context, t float64) float64 {
	lo, hi := c.Bounds()
	f := b.K
	if b.E > 0 {
		f = b.K + (1-b.K)*math.Pow(t, 1/b.E)
	}
	return lo + (hi-lo)*(1-f)
}

// Next implements Bidding.
func (b *TimeDependentBidding) Next(c *Context, t protocol.Turn) (uint64, float64) {
	return c.Pick(b.Target(c, t.T), b.Window, b.Scan)
}
