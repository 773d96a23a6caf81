package negotiator

import (
	"github.com/parleyhq/parley/registry"
)

// The opponent models of boa specs: none, frequency (HardHeaded's), the
// scalable Bayesian model of Hindriks and Tykhonov, and perfect (the true
// utility function, where the scenario makes it public). Each learns every
// other seat apart.

func init() {
	models.Add(part[Model]{Entry: registry.Entry{Name: "none", Doc: "no opponent model: the bidding strategy offers by its own utility alone", Source: "BOA NoModel"},
		make: func(map[string]float64) Model { return nil }})
	models.Add(part[Model]{Entry: registry.Entry{Name: "frequency", Doc: "frequency model: issues whose value the opponent keeps gain weight, values count by how often it offers them",
		Source: "HardHeaded (van Krimpen, Looije & Hajizadeh 2013), as the frequency negotiator's FrequencyModel",
		Params: []registry.Param{{Name: "learn", Default: 0.2, Doc: "weight added to an issue the opponent did not change"}}},
		make: func(p map[string]float64) Model { return &FrequencyModels{LearnRate: p["learn"]} }})
	models.Add(part[Model]{Entry: registry.Entry{Name: "bayesian", Doc: "Bayesian learning over hypotheses of each issue's weight and value function (uphill, downhill, triangular)",
		Source: "Hindriks & Tykhonov 2008, Opponent modelling in automated multi-issue negotiation using Bayesian learning; Genius's scalable version",
		Params: []registry.Param{{Name: "sigma", Default: 0.25, Doc: "spread of the likelihood around the predicted utility"},
			{Name: "step", Default: 0.003, Doc: "predicted concession of the opponent per new offer"}}},
		make: func(p map[string]float64) Model { return &BayesianModels{Sigma: p["sigma"], Step: p["step"]} }})
	models.Add(part[Model]{Entry: registry.Entry{Name: "perfect", Doc: "the other parties' true utility functions (scenarios that make them public, as ANL's league)",
		Source: "BOA perfect model (Baarslag et al. 2013, Predicting the performance of opponent models)"},
		public: true,
		make:   func(map[string]float64) Model { return &PerfectModel{} }})
}

// FrequencyModels is a FrequencyModel per other seat, as a BOA Model.
type FrequencyModels struct {
	LearnRate float64
	seat      int
	m         []FrequencyModel
}

// Reset implements Model.
func (f *FrequencyModels) Reset(s *Setup) {
	f.seat = s.Seat
	if cap(f.m) < s.Parties {
		f.m = make([]FrequencyModel, s.Parties)
	}
	f.m = f.m[:s.Parties]
	for i := range f.m {
		f.m[i].LearnRate = f.LearnRate
		f.m[i].Reset(s.Space)
	}
}

// Update implements Model.
func (f *FrequencyModels) Update(seat int, id uint64, _ float64) { f.m[seat].Update(id) }

// Knows implements Model.
func (f *FrequencyModels) Knows(seat int) bool {
	return seat >= 0 && seat < len(f.m) && seat != f.seat && f.m[seat].Offers() > 0
}

// Estimate implements Model.
func (f *FrequencyModels) Estimate(seat int, _ uint64, vals []int) float64 {
	return f.m[seat].Utility(vals)
}

// BayesianModels is a BayesianModel per other seat, as a BOA Model.
type BayesianModels struct {
	Sigma, Step float64
	seat        int
	m           []BayesianModel
}

// Reset implements Model.
func (b *BayesianModels) Reset(s *Setup) {
	b.seat = s.Seat
	if cap(b.m) < s.Parties {
		b.m = make([]BayesianModel, s.Parties)
	}
	b.m = b.m[:s.Parties]
	for i := range b.m {
		b.m[i].Sigma, b.m[i].Step = b.Sigma, b.Step
		b.m[i].Reset(s.Space)
	}
}

// Update implements Model.
func (b *BayesianModels) Update(seat int, id uint64, _ float64) { b.m[seat].Update(id) }

// Knows implements Model.
func (b *BayesianModels) Knows(seat int) bool {
	return seat >= 0 && seat < len(b.m) && seat != b.seat && b.m[seat].Offers() > 0
}

// Estimate implements Model.
func (b *BayesianModels) Estimate(seat int, _ uint64, vals []int) float64 {
	return b.m[seat].Utility(vals)
}

// PerfectModel knows the other parties' utility functions, which the
// scenario made public (Setup.Others); their reservation values stay
// unknown.
type PerfectModel struct{ s *Setup }

// Reset implements Model.
func (p *PerfectModel) Reset(s *Setup) { p.s = s }

// Update implements Model.
func (p *PerfectModel) Update(int, uint64, float64) {}

// Knows implements Model.
func (p *PerfectModel) Knows(seat int) bool {
	return seat >= 0 && seat < len(p.s.Others) && p.s.Others[seat] != nil
}

// Estimate implements Model.
func (p *PerfectModel) Estimate(seat int, id uint64, vals []int) float64 {
	return p.s.Others[seat].Utility(id, vals)
}
