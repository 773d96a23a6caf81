package negotiator

import "github.com/parleyhq/parley/registry"

// TypeModels is a TypeModel per other seat, as a BOA Model (model=types):
// it starts from the seat's beliefs.
type TypeModels struct {
	Beta float64
	seat int
	m    []TypeModel
}

func init() {
	models.Add(part[Model]{Entry: registry.Entry{Name: "types", Doc: "Bayesian learning over the types the scenario's beliefs hold possible (without beliefs, as model bayesian)",
		Source: "Zeng & Sycara 1998; Hindriks & Tykhonov 2008 (TypeModel)",
		Params: []registry.Param{{Name: "beta", Default: 10, Doc: "rationality of the choice model the types explain offers by"}}},
		make: func(p map[string]float64) Model { return &TypeModels{Beta: p["beta"]} }})
}

// Reset implements Model.
func (tm *TypeModels) Reset(s *Setup) {
	tm.seat = s.Seat
	tm.m = resizeModels(tm.m, s.Parties)
	for j := range tm.m {
		var b *Belief
		if j < len(s.Beliefs) && j != s.Seat {
			b = s.Beliefs[j]
		}
		tm.m[j].Beta = tm.Beta
		tm.m[j].Reset(b, s.Space)
	}
}

// Update implements Model.
func (tm *TypeModels) Update(seat int, id uint64, _ float64) { tm.m[seat].Update(id) }

// Knows implements Model.
func (tm *TypeModels) Knows(seat int) bool {
	return seat >= 0 && seat < len(tm.m) && seat != tm.seat && (tm.m[seat].Types() || tm.m[seat].Offers() > 0)
}

// Estimate implements Model.
func (tm *TypeModels) Estimate(seat int, _ uint64, vals []int) float64 {
	return tm.m[seat].Estimate(vals)
}

// Posterior implements BeliefReporter.
func (tm *TypeModels) Posterior(seat int, types, lines []float64) bool {
	if seat < 0 || seat >= len(tm.m) || seat == tm.seat {
		return false
	}
	return tm.m[seat].Posterior(types, lines)
}

// Posterior implements BeliefReporter for a BOA agent whose opponent model
// holds types (model=types).
func (n *BOA) Posterior(seat int, types, lines []float64) bool {
	if r, ok := n.c.Model.(BeliefReporter); ok {
		return r.Posterior(seat, types, lines)
	}
	return false
}
