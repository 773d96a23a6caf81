package forecast

import (
	"math"
	"sort"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/registry"
)

// Compromise is the compromise model (Leinaweaver & Thomson 2014; the
// "Nash bargaining solution" of decide/model): per dimension,
// O_d = Σ_i c_i s_id x_id / Σ_i c_i s_id.
func Compromise(p Problem) (*Result, error) {
	return closedForm(p, "compromise",
		"Compromise model: capability×salience-weighted mean position (Σ c·s·x / Σ c·s)",
		func(a Actor, d int) float64 { return a.Capability * a.Saliences[d] }, weightedMean)
}

// WeightedMean is the capability-weighted mean baseline, which weighs
// salience only as far as taking part goes: per dimension Σ_i c_i x_id /
// Σ_i c_i over the actors with positive salience on it (Actor.TakesPart).
func WeightedMean(p Problem) (*Result, error) {
	return closedForm(p, "mean",
		"Weighted mean: capability-weighted mean position of the actors that care (Σ c·x / Σ c)",
		func(a Actor, d int) float64 {
			if !a.TakesPart(d) {
				return 0
			}
			return a.Capability
		}, weightedMean)
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

// Options configures Run.
type Options struct {
	// SMP overrides the SMP parameters; nil means the problem's own
	// (from KTAB XML) or KTAB's defaults.
	SMP *SMPParams
	// EUM sets the EUM parameters; the zero value reproduces the replication.
	EUM EUMParams
}

// Model is a registered forecast model: its registry entry and how it runs.
type Model struct {
	registry.Entry
	run func(p Problem, opts Options) (*Result, error)
}

var models = registry.New("forecast model",
	Model{Entry: registry.Entry{Name: "compromise", Doc: "capability×salience-weighted mean position (Σ c·s·x / Σ c·s)", Source: "Leinaweaver & Thomson 2014; decide/model's nash_bargaining_solution"},
		run: func(p Problem, _ Options) (*Result, error) { return Compromise(p) }},
	Model{Entry: registry.Entry{Name: "mean", Doc: "capability-weighted mean position of the actors with some salience, whatever its size (Σ c·x / Σ c)", Source: "baseline"},
		run: func(p Problem, _ Options) (*Result, error) { return WeightedMean(p) }},
	Model{Entry: registry.Entry{Name: "median", Doc: "the median voter position, weights capability×salience", Source: "baseline (Black 1948)"},
		run: func(p Problem, _ Options) (*Result, error) { return WeightedMedian(p) }},
	Model{Entry: registry.Entry{Name: "smp", Doc: "KTAB's Spatial Model of Politics: challenges, bargains and Condorcet votes until positions settle", Source: "KAPSARC Toolkit for Behavioral Analysis, 2015 (smp.cpp)"},
		run: func(p Problem, opts Options) (*Result, error) {
			par := SMPParams{}
			if p.SMP != nil {
				par = *p.SMP
			}
			if opts.SMP != nil {
				par = *opts.SMP
			}
			return SMP(p, par)
		}},
	Model{Entry: registry.Entry{Name: "eum", Doc: "expected-utility model: actors make conflict, compromise and capitulation offers by expected utility", Source: "Bueno de Mesquita 1994, as formulated by Scholz, Calbert & Smith 2011"},
		run: func(p Problem, opts Options) (*Result, error) { return EUM(p, opts.EUM) }},
)

// DefaultModel is the model Run uses when none is named.
const DefaultModel = "smp"

// Models lists the registered forecast models.
func Models() []Model { return models.All() }

// ModelNames lists the registered models' names, in a stable order.
func ModelNames() []string { return models.Names() }

// Run runs the named model ("" means DefaultModel) on the problem.
func Run(p Problem, model string, opts Options) (*Result, error) {
	if model == "" {
		model = DefaultModel
	}
	m, err := models.Lookup(model)
	if err != nil {
		return nil, err
	}
	r, err := m.run(p, opts)
	if err != nil {
		return nil, err
	}
	if err := r.checkFinite(&p); err != nil {
		return nil, err
	}
	r.Inactive = p.inactive()
	return r, nil
}
