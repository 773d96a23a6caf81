package analysis

import (
	"fmt"
	"math/rand/v2"
)

// MaxCloud is the most outcomes Cloud returns; larger spaces are
// represented by a seeded uniform sample of this size.
const MaxCloud = 50_000

// Cloud returns the utilities (raw, red lines aside) to negotiating
// parties x and y (indices into Report.Parties) of every outcome, or of a
// seeded uniform sample of MaxCloud outcomes when the space is larger,
// split by whether the outcome crosses some party's red line: the outcome
// space as two parties see it, for a figure. The same report always gives
// the same points, in the same order.
func (r *Report) Cloud(x, y int) (ok, crossing [][2]float64, err error) {
	n := len(r.Parties)
	if x < 0 || x >= n || y < 0 || y >= n || x == y {
		return nil, nil, fmt.Errorf("need two different parties among %v", r.Parties)
	}
	sp := r.scen.Space()
	o := make([]int, sp.Issues())
	add := func() {
		p := [2]float64{r.us[x].Raw(o), r.us[y].Raw(o)}
		for _, u := range r.us {
			if u.Refuses(o) {
				crossing = append(crossing, p)
				return
			}
		}
		ok = append(ok, p)
	}
	if size, fits := sp.Size(); fits && size <= MaxCloud {
		for {
			add()
			if !sp.Next(o) {
				break
			}
		}
		return ok, crossing, nil
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range MaxCloud {
		sp.Sample(rng, o)
		add()
	}
	return ok, crossing, nil
}
