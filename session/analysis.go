package session

import "sync"

// analysisCache holds the scenario-wide figures a result is measured
// against (Pareto frontier, Nash point), computed once per Prepared on
// first use.
type analysisCache struct {
	once     sync.Once
	frontier [][]float64 // utility vectors of the Pareto frontier
	nash     []float64
	note     string
}

func (a *analysisCache) fill(p *Prepared, us []float64, res *Result) {
	a.once.Do(func() { a.compute(p) })
	if a.note != "" {
		res.AnalysisNote = a.note
	}
	if len(a.frontier) > 0 {
		d := dist(us, a.frontier[0])
		for _, f := range a.frontier[1:] {
			d = min(d, dist(us, f))
		}
		res.DistanceToPareto = &d
	}
	if a.nash != nil {
		d := dist(us, a.nash)
		res.DistanceToNash = &d
		res.Nash = a.nash
	}
}

func (a *analysisCache) compute(p *Prepared) {
	a.note = "Pareto and Nash distances await the analysis package"
}
