package forecast

import (
	"fmt"
	"math"
	"sort"

	"github.com/parleyhq/parley/diag"
)

// Compromise is the compromise model (Leinaweaver & Thomson 2014; the
// "Nash bargaining solution" of decide/model): per dimension,
// O_d = Σ_i c_i s_id x_id / Σ_i c_i s_id.
func Compromise(p Problem) (*Result, error) {
	return closedForm(p, "compromise",
		"Compromise model: capability×salience-weighted mean position (Σ c·s·x / Σ c·s)",
		func(a Actor, d int) float64 { return a.Capability * a.Saliences[d] }, weightedMean)
}

// WeightedMean is the capability-weighted mean baseline, ignoring salience:
// per dimension Σ_i c_i x_id / Σ_i c_i.
func WeightedMean(p Problem) (*Result, error) {
	return closedForm(p, "mean",
		"Weighted mean: capability-weighted mean position (Σ c·x / Σ c)",
		func(a Actor, d int) float64 { return a.Capability }, weightedMean)
}

// WeightedMedian is the weighted median ("median voter") baseline: per
// dimension, the position at which the capability×salience weight of the
// actors at or below it first reaches half the total; if it reaches exactly
// half, the midpoint between that position and the next.
func WeightedMedian(p Problem) (*Result, error) {
	return closedForm(p, "median",
		"Weighted median: the median voter position with weights capability×salience",
		func(a Actor, d int) float64 { return a.Capability * a.Saliences[d] }, weightedMedian)
}

func closedForm(p Problem, model, label string, weight func(Actor, int) float64, agg func(x, w []float64) float64) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var errs diag.List
	fc := make([]float64, len(p.Dimensions))
	x := make([]float64, len(p.Actors))
	w := make([]float64, len(p.Actors))
	for d := range p.Dimensions {
		total := 0.0
		for i, a := range p.Actors {
			x[i], w[i] = a.Positions[d], weight(a, d)
			total += w[i]
		}
		if !(total > 0) {
			errs.Add(at(p.Source, 0), "%s: no actor has positive weight on %s (every salience is 0)", model, dimName(&p, d))
			continue
		}
		fc[d] = agg(x, w)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	pos := make([][]float64, len(p.Actors))
	for i, a := range p.Actors {
		pos[i] = append([]float64(nil), a.Positions...)
	}
	return &Result{
		Model:      model,
		Label:      label,
		Dimensions: p.DimensionNames(),
		Actors:     p.ActorNames(),
		Forecast:   fc,
		Rounds:     []Round{{Round: 0, Positions: pos, Forecast: append([]float64(nil), fc...)}},
		Converged:  true,
		Stop:       "closed form (one step)",
	}, nil
}

func weightedMean(x, w []float64) float64 {
	num, den := 0.0, 0.0
	for i := range x {
		num += w[i] * x[i]
		den += w[i]
	}
	return num / den
}

func weightedMedian(x, w []float64) float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	total := 0.0
	for _, v := range w {
		total += v
	}
	half := total / 2
	cum := 0.0
	for k, i := range idx {
		cum += w[i]
		if cum >= half {
			if math.Abs(cum-half) <= 1e-12*total {
				// exactly half: midpoint with the next position that has weight
				for _, j := range idx[k+1:] {
					if w[j] > 0 {
						return (x[i] + x[j]) / 2
					}
				}
			}
			return x[i]
		}
	}
	return x[idx[len(idx)-1]]
}

// Models lists the model keys Run accepts.
var Models = []string{"compromise", "mean", "median", "smp", "eum"}

// Options configures Run.
type Options struct {
	// SMP overrides the SMP parameters; nil means the problem's own
	// (from KTAB XML) or KTAB's defaults.
	SMP *SMPParams
	// EUM sets the EUM parameters; the zero value reproduces the replication.
	EUM EUMParams
}

// Run runs the named model ("compromise", "mean", "median", "smp" or "eum";
// "" means "smp") on the problem.
func Run(p Problem, model string, opts Options) (*Result, error) {
	switch model {
	case "compromise":
		return Compromise(p)
	case "mean":
		return WeightedMean(p)
	case "median":
		return WeightedMedian(p)
	case "smp", "":
		par := SMPParams{}
		if p.SMP != nil {
			par = *p.SMP
		}
		if opts.SMP != nil {
			par = *opts.SMP
		}
		return SMP(p, par)
	case "eum":
		return EUM(p, opts.EUM)
	}
	return nil, fmt.Errorf("unknown forecast model %q (one of %v)", model, Models)
}
