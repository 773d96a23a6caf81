package forecast

import (
	"fmt"

	"github.com/parleyhq/parley/scenario"
)

// FromScenario builds a forecast problem from a scenario's spatial data:
// one dimension per issue with a scale, one actor per party with a
// capability (mediators and coalitions included: they carry weight too).
func FromScenario(s *scenario.Scenario) (Problem, error) {
	p := Problem{Name: s.Name, Description: s.Description, Source: s.Name}
	var dims []int
	for i := range s.Issues {
		is := &s.Issues[i]
		if is.Scale == nil {
			continue
		}
		p.Dimensions = append(p.Dimensions, dimensionOf(is))
		dims = append(dims, i)
	}
	if len(dims) == 0 {
		return Problem{}, fmt.Errorf("scenario %q has no issue with a scale: add scale: to an issue and positions: to the parties", s.Name)
	}
	for _, pa := range s.Parties {
		if pa.Capability == 0 {
			continue
		}
		a := Actor{Name: pa.ID, Description: pa.Name, Capability: pa.Capability}
		for _, i := range dims {
			a.Positions = append(a.Positions, pa.Positions[i].Position)
			a.Saliences = append(a.Saliences, pa.Positions[i].Salience)
		}
		p.Actors = append(p.Actors, a)
	}
	if len(p.Actors) == 0 {
		return Problem{}, fmt.Errorf("scenario %q: no party has a capability and positions", s.Name)
	}
	return p, p.Validate()
}
