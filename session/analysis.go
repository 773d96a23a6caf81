package session

import (
	"fmt"
	"strings"
	"sync"

	"github.com/parleyhq/parley/analysis"
)

// analysisCache holds the scenario-wide figures a result is measured
// against (Pareto frontier, Nash point of the negotiating seats), computed
// once per Prepared on first use and shared by every session.
type analysisCache struct {
	once     sync.Once
	frontier *analysis.Pareto
	nash     *analysis.Solution
	note     string
}

// get returns the cache with its figures computed.
func (a *analysisCache) get(p *Prepared) *analysisCache {
	a.once.Do(func() { a.compute(p) })
	return a
}

// fill sets the result's distances for the seats' undiscounted utilities us.
func (a *analysisCache) fill(p *Prepared, us []float64, res *Result) {
	a.get(p)
	if a.note != "" {
		res.AnalysisNote = a.note
	}
	if a.frontier != nil && len(a.frontier.Points) > 0 {
		d := analysis.DistanceToFrontier(us, a.frontier)
		res.DistanceToPareto = &d
	}
	if a.nash != nil && len(a.nash.Points) > 0 {
		d := analysis.DistanceToNash(us, a.nash)
		res.DistanceToNash = &d
		res.Nash = a.nash.Points[0].Utilities
	}
}

// ResultMaxChecks bounds the dominance checks of the frontier that results
// measure their distances against, about a second of work: a frontier
// that needs more (a huge space whose issues every party ranks in
// opposite orders) is left out, with a note, rather than hold up the
// result of a session that is over. The Prepared's budget bounds it too.
const ResultMaxChecks = 100_000_000

func (a *analysisCache) compute(p *Prepared) {
	f, err := analysis.Frontier(p.Utilities, p.Space, analysis.Options{Listed: 1, Budget: p.budget, MaxChecks: ResultMaxChecks})
	if err != nil {
		a.note = "no Pareto or Nash distances: " + err.Error()
		return
	}
	a.frontier = f
	if f.Sampled > 0 {
		a.note = fmt.Sprintf("distances are to a Pareto frontier ESTIMATED from %d sampled outcomes (utilities with terms, the exact search passed its limit)", f.Sampled)
	}
	rv := make([]float64, len(p.Utilities))
	for i, u := range p.Utilities {
		rv[i] = u.Reservation
	}
	a.nash = f.Nash(rv)
	if a.nash == nil {
		a.note = strings.TrimPrefix(a.note+"; no outcome is acceptable to every party, so there is no Nash point", "; ")
	}
}

// Frontier returns the Pareto frontier of the negotiating seats that
// results measure their distances to (computed once per Prepared), or nil
// when it could not be computed (Result.AnalysisNote then says why).
func (p *Prepared) Frontier() *analysis.Pareto { return p.analysis.get(p).frontier }
