package negmas

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/parleyhq/parley/scenario"
)

// StatsLimit is the largest outcome space Stats enumerates. NegMAS
// enumerates the space for its figures too; this bounds parley's time and
// memory (a few hundred bytes an outcome at worst).
const StatsLimit = 20_000_000

// eps is NegMAS's tolerance for ties of a solution's criterion (the
// default eps of nash_points, kalai_points, ks_points and the welfare
// points, which calc_scenario_stats leaves as they are).
const eps = 1e-12

// Stats are the figures of NegMAS's calc_scenario_stats, computed with
// NegMAS's definitions (see the package documentation) and written with
// the keys of its _stats.yaml. Utilities are listed one per party in party
// order; an outcome is its value labels in issue order. Like NegMAS, each
// solution lists one outcome per utility vector: parley gives the first in
// NegMAS's enumeration order (the last issue varying fastest), NegMAS the
// one numpy's unstable sort happens to keep; ParetoTies lists every
// outcome of the frontier points that several outcomes share.
type Stats struct {
	Outcomes uint64 `json:"n_outcomes"`
	// ReservedValues are the reserved values NegMAS uses, null for −inf.
	ReservedValues   []*float64  `json:"reserved_values"`
	UtilityRanges    [][]float64 `json:"utility_ranges"`
	Opposition       *float64    `json:"opposition"` // null when no outcome is rational for every party
	RationalFraction float64     `json:"rational_fraction"`

	ParetoUtils                [][]float64 `json:"pareto_utils"`
	ParetoOutcomes             [][]string  `json:"pareto_outcomes"`
	NashUtils                  [][]float64 `json:"nash_utils"`
	NashOutcomes               [][]string  `json:"nash_outcomes"`
	KalaiUtils                 [][]float64 `json:"kalai_utils"`
	KalaiOutcomes              [][]string  `json:"kalai_outcomes"`
	ModifiedKalaiUtils         [][]float64 `json:"modified_kalai_utils"`
	ModifiedKalaiOutcomes      [][]string  `json:"modified_kalai_outcomes"`
	KSUtils                    [][]float64 `json:"ks_utils"`
	KSOutcomes                 [][]string  `json:"ks_outcomes"`
	ModifiedKSUtils            [][]float64 `json:"modified_ks_utils"`
	ModifiedKSOutcomes         [][]string  `json:"modified_ks_outcomes"`
	MaxWelfareUtils            [][]float64 `json:"max_welfare_utils"`
	MaxWelfareOutcomes         [][]string  `json:"max_welfare_outcomes"`
	MaxRelativeWelfareUtils    [][]float64 `json:"max_relative_welfare_utils"`
	MaxRelativeWelfareOutcomes [][]string  `json:"max_relative_welfare_outcomes"`

	ParetoTies []Tie `json:"pareto_ties,omitempty"`
}

// Tie is a frontier point that several outcomes share, with all of them.
type Tie struct {
	Utils    []float64  `json:"utils"`
	Outcomes [][]string `json:"outcomes"`
}

// Solution returns the utilities and outcomes of the named solution, as
// named in _stats.yaml without the suffix: pareto, nash, kalai,
// modified_kalai, ks, modified_ks, max_welfare, max_relative_welfare.
func (s *Stats) Solution(name string) ([][]float64, [][]string) {
	switch name {
	case "pareto":
		return s.ParetoUtils, s.ParetoOutcomes
	case "nash":
		return s.NashUtils, s.NashOutcomes
	case "kalai":
		return s.KalaiUtils, s.KalaiOutcomes
	case "modified_kalai":
		return s.ModifiedKalaiUtils, s.ModifiedKalaiOutcomes
	case "ks":
		return s.KSUtils, s.KSOutcomes
	case "modified_ks":
		return s.ModifiedKSUtils, s.ModifiedKSOutcomes
	case "max_welfare":
		return s.MaxWelfareUtils, s.MaxWelfareOutcomes
	case "max_relative_welfare":
		return s.MaxRelativeWelfareUtils, s.MaxRelativeWelfareOutcomes
	}
	return nil, nil
}

// Solutions names the solutions of Stats in _stats.yaml's terms.
var Solutions = []string{"pareto", "nash", "kalai", "modified_kalai", "ks", "modified_ks", "max_welfare", "max_relative_welfare"}

// ErrTooLarge is returned by Stats for spaces over StatsLimit outcomes.
var ErrTooLarge = errors.New("negmas: outcome space too large for NegMAS's figures")

// Stats computes NegMAS's figures of the folder's scenario.
func (f *Folder) Stats() (*Stats, error) { return ComputeStats(f.Scenario, f.Reserved) }

// ComputeStats computes NegMAS's figures for the negotiating parties of s,
// with reserved the reserved value NegMAS uses for each (−Inf allowed;
// nil: the scenario's). Utilities are NegMAS's: Σ w_i·v_i summed in issue
// order from 0, not capped at 1.
func ComputeStats(s *scenario.Scenario, reserved []float64) (*Stats, error) {
	sp := s.Space()
	size, ok := sp.Size()
	if !ok || size > StatsLimit {
		return nil, fmt.Errorf("%w: %.4g outcomes, more than %d", ErrTooLarge, sp.SizeFloat(), StatsLimit)
	}
	seats := s.Negotiators()
	n := len(seats)
	tables := make([][][]float64, n)
	rs := make([]float64, n)
	for j, p := range seats {
		tables[j] = s.Utility(p).Table
		if reserved != nil {
			rs[j] = reserved[p]
		} else {
			rs[j] = s.Parties[p].Prefs.Reservation
		}
	}
	st := &Stats{Outcomes: size}
	// Ranges: each issue's lowest and highest w·v summed in issue order,
	// NegMAS's u(worst) and u(best) of a linear additive function.
	lo, hi := make([]float64, n), make([]float64, n)
	for j, tb := range tables {
		for _, t := range tb {
			lo[j] += slices.Min(t)
			hi[j] += slices.Max(t)
		}
		st.UtilityRanges = append(st.UtilityRanges, []float64{lo[j], hi[j]})
		if math.IsInf(rs[j], -1) {
			st.ReservedValues = append(st.ReservedValues, nil)
		} else {
			r := rs[j]
			st.ReservedValues = append(st.ReservedValues, &r)
		}
	}

	// One pass over the space: opposition, rational fraction, and the
	// rational utility vectors for the frontier.
	util := make([]float64, n)
	o := make([]int, sp.Issues())
	var rational []float64 // n per outcome
	var ids []uint64
	nearest := math.Inf(1)
	strict := 0
	for id := uint64(0); id < size; id++ {
		if id > 0 {
			sp.Next(o)
		}
		irr, weak, above := false, true, true
		for j, tb := range tables {
			u := 0.0
			for i, t := range tb {
				u += t[o[i]]
			}
			util[j] = u
			if u < rs[j] {
				irr, weak = true, false
			}
			if !(u > rs[j]) {
				above = false
			}
			if !finite(u) {
				weak = false
			}
		}
		if above {
			strict++
		}
		if !irr {
			v := 0.0
			for j, u := range util {
				d := 1 - u
				if hi[j] != 0 {
					d = 1 - u/hi[j]
				}
				v += d * d
			}
			nearest = min(nearest, v)
		}
		if weak {
			rational = append(rational, util...)
			ids = append(ids, id)
		}
	}
	if !math.IsInf(nearest, 1) {
		x := math.Sqrt(nearest)
		st.Opposition = &x
	}
	st.RationalFraction = float64(strict) / float64(size)

	front := frontier(rational, ids, n)
	frontUtils := make([][]float64, len(front))
	for k, p := range front {
		frontUtils[k] = p.u
	}
	labels := func(id uint64) []string {
		sp.Decode(id, o)
		lab := make([]string, len(o))
		for i, v := range o {
			lab[i] = s.Issues[i].Label(v)
		}
		return lab
	}
	// first is the point's outcome that NegMAS enumerates first: the
	// lexicographically smallest value indices.
	first := make([][]string, len(front))
	for k, p := range front {
		var best []int
		for _, id := range p.ids {
			sp.Decode(id, o)
			if best == nil || slices.Compare(o, best) < 0 {
				best = append(best[:0], o...)
			}
		}
		first[k] = make([]string, len(best))
		for i, v := range best {
			first[k][i] = s.Issues[i].Label(v)
		}
		if len(p.ids) > 1 {
			tie := Tie{Utils: p.u}
			for _, id := range p.ids {
				tie.Outcomes = append(tie.Outcomes, labels(id))
			}
			st.ParetoTies = append(st.ParetoTies, tie)
		}
	}
	pick := func(idx []int) ([][]float64, [][]string) {
		us, os := [][]float64{}, [][]string{}
		for _, k := range idx {
			us = append(us, front[k].u)
			os = append(os, first[k])
		}
		return us, os
	}
	all := make([]int, len(front))
	for k := range all {
		all[k] = k
	}
	st.ParetoUtils, st.ParetoOutcomes = pick(all)

	// Ranges with NegMAS's substitution of the reserved value for the
	// minimum where it is finite and above it (nash, kalai and ks points).
	adj := make([][2]float64, n)
	tiny := false
	for j := range n {
		adj[j] = [2]float64{lo[j], hi[j]}
		if finite(rs[j]) && rs[j] >= lo[j] {
			adj[j][0] = rs[j]
		}
		if hi[j]-lo[j] <= eps {
			tiny = true
		}
	}
	adjTiny := tiny
	for j := range n {
		if adj[j][1]-adj[j][0] <= eps {
			adjTiny = true
		}
	}
	irrational := func(u []float64) bool {
		for j, x := range u {
			if x < rs[j] {
				return true
			}
		}
		return false
	}
	best := func(tiny bool, maximise bool, crit func(u []float64) (float64, bool)) []int {
		if tiny {
			return all
		}
		vals := make([]float64, len(frontUtils))
		opt := math.Inf(-1)
		if !maximise {
			opt = math.Inf(1)
		}
		found := false
		for k, u := range frontUtils {
			v, ok := crit(u)
			if !ok {
				vals[k] = math.NaN()
				continue
			}
			vals[k] = v
			if maximise && v > opt || !maximise && v < opt {
				opt, found = v, true
			}
		}
		var idx []int
		if !found {
			return idx
		}
		for k, v := range vals {
			if maximise && v >= opt-eps || !maximise && v <= opt+eps {
				idx = append(idx, k)
			}
		}
		return idx
	}
	st.NashUtils, st.NashOutcomes = pick(best(adjTiny, true, func(u []float64) (float64, bool) {
		v := 1.0
		for j, x := range u {
			v *= x - adj[j][0]
		}
		return v, true
	}))
	kalai := func(sub bool) []int {
		return best(adjTiny, true, func(u []float64) (float64, bool) {
			if irrational(u) {
				return 0, false
			}
			v := math.Inf(1)
			for j, x := range u {
				if sub {
					x -= adj[j][0]
				}
				v = min(v, x)
			}
			return v, true
		})
	}
	st.KalaiUtils, st.KalaiOutcomes = pick(kalai(true))
	st.ModifiedKalaiUtils, st.ModifiedKalaiOutcomes = pick(kalai(false))
	ks := func(sub bool) []int {
		return best(adjTiny, false, func(u []float64) (float64, bool) {
			if irrational(u) {
				return 0, false
			}
			mx, mn := math.Inf(-1), math.Inf(1)
			for j, x := range u {
				var a float64
				r, top := adj[j][0], adj[j][1]
				switch {
				case sub && top-r != 0:
					a = (x - r) / (top - r)
				case sub:
					a = x - r
				case top != 0:
					a = x / top
				default:
					a = x
				}
				mx, mn = max(mx, a), min(mn, a)
			}
			return mx - mn, true
		})
	}
	st.KSUtils, st.KSOutcomes = pick(ks(true))
	st.ModifiedKSUtils, st.ModifiedKSOutcomes = pick(ks(false))
	st.MaxWelfareUtils, st.MaxWelfareOutcomes = pick(best(tiny, true, func(u []float64) (float64, bool) {
		v := 0.0
		for _, x := range u {
			v += x
		}
		return v, true
	}))
	// Relative welfare: NegMAS divides each gain over the party's minimum
	// by its maximum less the larger of its reserved value and minimum.
	st.MaxRelativeWelfareUtils, st.MaxRelativeWelfareOutcomes = pick(best(tiny, true, func(u []float64) (float64, bool) {
		if irrational(u) {
			return 0, false
		}
		v := 0.0
		for j, x := range u {
			d := hi[j] - max(rs[j], lo[j])
			if d == 0 {
				d = 1
			}
			v += (x - lo[j]) / d
		}
		return v, true
	}))
	return st, nil
}

// cmpDesc orders numbers descending.
func cmpDesc(x, y float64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

// point is one distinct utility vector of the frontier with the outcomes
// that have it.
type point struct {
	u   []float64
	ids []uint64
}

// frontier returns the distinct utility vectors among us (n per outcome)
// that no other vector weakly dominates, each with every outcome that has
// it, sorted by welfare descending (NegMAS's order; ties by utilities
// descending). A vector dominates another when it is at least as large for
// every party and differs: exact comparisons, as NegMAS's
// pareto_frontier_numpy makes.
func frontier(us []float64, ids []uint64, n int) []point {
	m := len(ids)
	vec := func(k int) []float64 { return us[k*n : k*n+n] }
	welfare := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s
	}
	// desc orders vectors by key, then utilities, descending.
	desc := func(ka, kb float64, a, b []float64) int {
		if ka != kb {
			if ka > kb {
				return -1
			}
			return 1
		}
		for j := range a {
			if a[j] != b[j] {
				if a[j] > b[j] {
					return -1
				}
				return 1
			}
		}
		return 0
	}
	order := make([]int, m)
	for k := range order {
		order[k] = k
	}
	var front []point
	add := func(k int) {
		front = append(front, point{u: append([]float64(nil), vec(k)...), ids: []uint64{ids[k]}})
	}
	if n == 2 {
		// A sweep: by party 0's utility, then party 1's, descending, a
		// vector is dominated exactly when an earlier one has party 1's
		// utility at least as large (equal vectors are adjacent).
		type p2 struct {
			a, b float64
			id   uint64
		}
		ps := make([]p2, m)
		for k := range ps {
			ps[k] = p2{us[2*k], us[2*k+1], ids[k]}
		}
		slices.SortFunc(ps, func(x, y p2) int {
			switch {
			case x.a != y.a:
				return cmpDesc(x.a, y.a)
			case x.b != y.b:
				return cmpDesc(x.b, y.b)
			}
			return cmpDesc(float64(y.id), float64(x.id))
		})
		best := math.Inf(-1)
		for _, q := range ps {
			switch {
			case len(front) > 0 && front[len(front)-1].u[0] == q.a && front[len(front)-1].u[1] == q.b:
				last := &front[len(front)-1]
				last.ids = append(last.ids, q.id)
			case best >= q.b:
			default:
				front = append(front, point{u: []float64{q.a, q.b}, ids: []uint64{q.id}})
				best = q.b
			}
		}
	} else {
		// By welfare descending: a vector can only be dominated by one
		// before it.
		sums := make([]float64, m)
		for k := range sums {
			sums[k] = welfare(vec(k))
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := desc(sums[a], sums[b], vec(a), vec(b)); c != 0 {
				return c
			}
			return int(ids[a]) - int(ids[b])
		})
		for _, k := range order {
			v := vec(k)
			dominated := false
			for f := range front {
				p := front[f].u
				ge := true
				for j := range n {
					if p[j] < v[j] {
						ge = false
						break
					}
				}
				if ge {
					if slices.Equal(p, v) {
						front[f].ids = append(front[f].ids, ids[k])
					}
					dominated = true
					break
				}
			}
			if !dominated {
				add(k)
			}
		}
	}
	slices.SortStableFunc(front, func(a, b point) int { return desc(welfare(a.u), welfare(b.u), a.u, b.u) })
	return front
}
