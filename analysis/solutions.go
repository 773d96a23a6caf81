package analysis

import "math"

// Solution is the optimum of a solution concept on the frontier: the value
// of its criterion and every frontier point whose criterion is within
// Tolerance of it (ties are all reported, never broken).
type Solution struct {
	Value  float64
	Points []Point
}

// N is the number of outcomes of the solution's points.
func (s *Solution) N() uint64 {
	var n uint64
	for _, p := range s.Points {
		n += p.N
	}
	return n
}

// optimum returns the eligible points with the best criterion (largest, or
// smallest if minimise), ties within Tolerance; nil when none is eligible.
func (f *Pareto) optimum(minimise bool, crit func(u []float64) (float64, bool)) *Solution {
	vals := make([]float64, len(f.Points))
	ok := make([]bool, len(f.Points))
	best, found := 0.0, false
	for q := range f.Points {
		c, e := crit(f.Points[q].Utilities)
		if minimise {
			c = -c
		}
		vals[q], ok[q] = c, e
		if e && (!found || c > best) {
			best, found = c, true
		}
	}
	if !found {
		return nil
	}
	s := &Solution{Value: best}
	if minimise {
		s.Value = -best
	}
	for q := range f.Points {
		if ok[q] && vals[q] >= best-Tolerance {
			s.Points = append(s.Points, f.Points[q])
		}
	}
	return s
}

// Rational reports whether every party gets at least its reservation value
// (up to Tolerance).
func Rational(u, rv []float64) bool {
	for p := range u {
		if u[p] < rv[p]-Tolerance {
			return false
		}
	}
	return true
}

// RationalPoints is the number of frontier points that are rational.
func (f *Pareto) RationalPoints(rv []float64) int {
	c := 0
	for _, p := range f.Points {
		if Rational(p.Utilities, rv) {
			c++
		}
	}
	return c
}

// Nash is the Nash bargaining solution: over rational outcomes, the maximum
// of Π_i (u_i − rv_i). It lies on the frontier (see the package
// documentation); nil when no outcome is rational.
func (f *Pareto) Nash(rv []float64) *Solution {
	return f.optimum(false, func(u []float64) (float64, bool) {
		if !Rational(u, rv) {
			return 0, false
		}
		x := 1.0
		for p := range u {
			x *= max(u[p]-rv[p], 0)
		}
		return x, true
	})
}

// GeniusNash is Genius's Nash point (MultilateralAnalysis.getNashPoint): the
// frontier point maximising Π_i (u_i − rv_i) without excluding irrational
// points.
func (f *Pareto) GeniusNash(rv []float64) *Solution {
	return f.optimum(false, func(u []float64) (float64, bool) {
		x := 1.0
		for p := range u {
			x *= u[p] - rv[p]
		}
		return x, true
	})
}

// KalaiSmorodinsky maximises min_i (u_i − rv_i)/(best_i − rv_i) on the
// frontier, best_i being party i's largest utility; nil if some
// best_i − rv_i ≤ Tolerance.
func (f *Pareto) KalaiSmorodinsky(rv, best []float64) *Solution {
	for p := range rv {
		if best[p]-rv[p] <= Tolerance {
			return nil
		}
	}
	return f.optimum(false, func(u []float64) (float64, bool) {
		x := math.Inf(1)
		for p := range u {
			x = min(x, (u[p]-rv[p])/(best[p]-rv[p]))
		}
		return x, true
	})
}

// GeniusKalai is what Genius calls the Kalai(-Smorodinsky) point
// (BidSpace.getKalaiSmorodinsky): the frontier point minimising
// Σ_{i<j} |u_i − u_j|, reservation values ignored. Like Genius (which starts
// from 2 with a strict <) it is nil when every point has asymmetry ≥ 2.
func (f *Pareto) GeniusKalai() *Solution {
	s := f.optimum(true, asymmetry)
	if s == nil || s.Value >= 2 {
		return nil
	}
	return s
}

func asymmetry(u []float64) (float64, bool) {
	x := 0.0
	for i := range u {
		for j := i + 1; j < len(u); j++ {
			x += math.Abs(u[i] - u[j])
		}
	}
	return x, true
}

// MaxWelfare maximises the social welfare Σ_i u_i.
func (f *Pareto) MaxWelfare() *Solution {
	return f.optimum(false, func(u []float64) (float64, bool) {
		x := 0.0
		for _, v := range u {
			x += v
		}
		return x, true
	})
}

// Egalitarian maximises the smallest gain over the reservation value,
// min_i (u_i − rv_i) (Kalai's egalitarian solution), on the frontier.
func (f *Pareto) Egalitarian(rv []float64) *Solution {
	return f.optimum(false, func(u []float64) (float64, bool) {
		x := math.Inf(1)
		for p := range u {
			x = min(x, u[p]-rv[p])
		}
		return x, true
	})
}

// Opposition is Genius's opposition (MultilateralAnalysis.getOpposition): the
// smallest Euclidean distance from an outcome's utility vector to (1, …, 1).
// It is attained on the frontier. NaN for an empty frontier.
func (f *Pareto) Opposition() float64 {
	d := math.NaN()
	for _, p := range f.Points {
		s := 0.0
		for _, x := range p.Utilities {
			s += (1 - x) * (1 - x)
		}
		if s = math.Sqrt(s); !(d <= s) {
			d = s
		}
	}
	return d
}

// Best returns each party's largest utility on the frontier (which is its
// largest over all feasible outcomes).
func (f *Pareto) Best() []float64 {
	b := make([]float64, f.Parties)
	for p := range b {
		b[p] = math.Inf(-1)
	}
	for _, pt := range f.Points {
		for p, x := range pt.Utilities {
			b[p] = max(b[p], x)
		}
	}
	return b
}

// DistanceToFrontier is the Euclidean distance in utility space from u to
// the nearest frontier point (a point, not the segments between points, as
// Genius measures it). NaN for an empty frontier.
func DistanceToFrontier(u []float64, f *Pareto) float64 {
	if f == nil {
		return math.NaN()
	}
	return nearest(u, f.Points)
}

// DistanceToNash is the Euclidean distance in utility space from u to the
// nearest of the tied Nash points. NaN when there is none.
func DistanceToNash(u []float64, nash *Solution) float64 {
	if nash == nil {
		return math.NaN()
	}
	return nearest(u, nash.Points)
}

func nearest(u []float64, pts []Point) float64 {
	d := math.NaN()
	for _, p := range pts {
		s := 0.0
		for i, x := range p.Utilities {
			s += (u[i] - x) * (u[i] - x)
		}
		if s = math.Sqrt(s); !(d <= s) {
			d = s
		}
	}
	return d
}
