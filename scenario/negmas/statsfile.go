package negmas

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/parleyhq/parley/internal/safeio"
)

// ReadStats reads a _stats file as NegMAS writes it (YAML or JSON): the
// utility ranges, opposition, rational fraction and each solution's
// utilities and outcomes (value labels). Outcomes and ReservedValues are
// not in the file and stay empty.
func ReadStats(path string) (*Stats, error) {
	data, err := safeio.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := parseTree(data, path)
	if err != nil {
		return nil, err
	}
	if t.kind != kMap {
		return nil, fmt.Errorf("%s: a _stats file holds a mapping, not %s", t.pos, t.kind)
	}
	var problems []string
	nums := func(key string) [][]float64 {
		out := [][]float64{}
		n := t.get(key)
		if n == nil || n.kind == kNull {
			return out
		}
		if n.kind != kSeq {
			problems = append(problems, fmt.Sprintf("%s: %s is %s, not a list", n.pos, key, n.kind))
			return out
		}
		for _, row := range n.vals {
			var r []float64
			for _, x := range row.vals {
				if !x.isNumber() {
					problems = append(problems, fmt.Sprintf("%s: %s holds %s, not a number", x.pos, key, x.kind))
				}
				r = append(r, x.num)
			}
			out = append(out, r)
		}
		return out
	}
	outcomes := func(key string) [][]string {
		out := [][]string{}
		n := t.get(key)
		if n == nil || n.kind != kSeq {
			return out
		}
		for _, row := range n.vals {
			var r []string
			for _, x := range row.vals {
				r = append(r, x.label())
			}
			out = append(out, r)
		}
		return out
	}
	s := &Stats{UtilityRanges: nums("utility_ranges")}
	if o := t.get("opposition"); o.isNumber() {
		x := o.num
		s.Opposition = &x
	}
	if r := t.get("rational_fraction"); r.isNumber() {
		s.RationalFraction = r.num
	}
	s.ParetoUtils, s.ParetoOutcomes = nums("pareto_utils"), outcomes("pareto_outcomes")
	s.NashUtils, s.NashOutcomes = nums("nash_utils"), outcomes("nash_outcomes")
	s.KalaiUtils, s.KalaiOutcomes = nums("kalai_utils"), outcomes("kalai_outcomes")
	s.ModifiedKalaiUtils, s.ModifiedKalaiOutcomes = nums("modified_kalai_utils"), outcomes("modified_kalai_outcomes")
	s.KSUtils, s.KSOutcomes = nums("ks_utils"), outcomes("ks_outcomes")
	s.ModifiedKSUtils, s.ModifiedKSOutcomes = nums("modified_ks_utils"), outcomes("modified_ks_outcomes")
	s.MaxWelfareUtils, s.MaxWelfareOutcomes = nums("max_welfare_utils"), outcomes("max_welfare_outcomes")
	s.MaxRelativeWelfareUtils, s.MaxRelativeWelfareOutcomes = nums("max_relative_welfare_utils"), outcomes("max_relative_welfare_outcomes")
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return s, nil
}

// Diff lists how s differs from ref, NegMAS's own figures (ReadStats):
// utility ranges, opposition and rational fraction within tol; for each
// solution the same number of points, matched one to one within tol; and
// each point's outcome exactly, except that for a frontier point that
// several outcomes share (s.ParetoTies) ref's outcome need only be one of
// them. No differences: nil.
func (s *Stats) Diff(ref *Stats, tol float64) []string {
	var d []string
	near := func(a, b float64) bool { return math.Abs(a-b) <= tol }
	same := func(a, b []float64) bool {
		if len(a) != len(b) {
			return false
		}
		for j := range a {
			if !near(a[j], b[j]) {
				return false
			}
		}
		return true
	}
	if len(s.UtilityRanges) != len(ref.UtilityRanges) {
		d = append(d, fmt.Sprintf("%d utility ranges, NegMAS %d", len(s.UtilityRanges), len(ref.UtilityRanges)))
	} else {
		for j := range ref.UtilityRanges {
			if !same(s.UtilityRanges[j], ref.UtilityRanges[j]) {
				d = append(d, fmt.Sprintf("utility range of party %d: %v, NegMAS %v", j, s.UtilityRanges[j], ref.UtilityRanges[j]))
			}
		}
	}
	switch {
	case (s.Opposition == nil) != (ref.Opposition == nil):
		d = append(d, fmt.Sprintf("opposition %v, NegMAS %v", s.Opposition, ref.Opposition))
	case s.Opposition != nil && !near(*s.Opposition, *ref.Opposition):
		d = append(d, fmt.Sprintf("opposition %v, NegMAS %v", *s.Opposition, *ref.Opposition))
	}
	if !near(s.RationalFraction, ref.RationalFraction) {
		d = append(d, fmt.Sprintf("rational fraction %v, NegMAS %v", s.RationalFraction, ref.RationalFraction))
	}
	tied := map[int][]string{} // frontier point → every outcome with it
	for _, tie := range s.ParetoTies {
		k := slices.IndexFunc(s.ParetoUtils, func(u []float64) bool { return slices.Equal(u, tie.Utils) })
		for _, o := range tie.Outcomes {
			tied[k] = append(tied[k], strings.Join(o, "|"))
		}
	}
	for _, name := range Solutions {
		us, os := s.Solution(name)
		rus, ros := ref.Solution(name)
		if len(us) != len(rus) {
			d = append(d, fmt.Sprintf("%s: %d points, NegMAS %d", name, len(us), len(rus)))
			continue
		}
		used := make([]bool, len(us))
		for w, ru := range rus {
			g := -1
			for k, u := range us {
				if !used[k] && same(u, ru) {
					g = k
					break
				}
			}
			if g < 0 {
				d = append(d, fmt.Sprintf("%s: NegMAS's point %v is not among parley's", name, ru))
				continue
			}
			used[g] = true
			if w >= len(ros) {
				continue
			}
			want, got := strings.Join(ros[w], "|"), strings.Join(os[g], "|")
			k := slices.IndexFunc(s.ParetoUtils, func(u []float64) bool { return slices.Equal(u, us[g]) })
			if all, ok := tied[k]; ok {
				if !slices.Contains(all, want) {
					d = append(d, fmt.Sprintf("%s: NegMAS's outcome %s of %v is not among those parley finds there (%s)", name, want, ru, strings.Join(all, "; ")))
				}
			} else if got != want {
				d = append(d, fmt.Sprintf("%s: point %v has outcome %s, NegMAS %s", name, ru, got, want))
			}
		}
	}
	return d
}
