package analysis

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parleyhq/parley/scenario/genius"
)

// expected is the part of a domain's expected.json (schema
// parley-genius-oracle/1, see shared/domains/README.md) that is checked.
type expected struct {
	Schema    string `json:"schema"`
	NOutcomes uint64 `json:"n_outcomes"`
	Parties   []struct {
		MinUtility float64 `json:"min_utility"`
		MaxUtility float64 `json:"max_utility"`
	} `json:"parties"`
	Issues []struct {
		Name string `json:"name"`
	} `json:"issues"`
	Pareto struct {
		NPoints         int             `json:"n_points"`
		NOutcomes       uint64          `json:"n_outcomes"`
		NRationalPoints int             `json:"n_rational_points"`
		Truncated       bool            `json:"truncated"`
		Points          []expectedPoint `json:"points"`
	} `json:"pareto"`
	Nash                 *expectedSolution `json:"nash"`
	KalaiSmorodinsky     *expectedSolution `json:"kalai_smorodinsky"`
	GeniusKalai          *expectedSolution `json:"genius_kalai"`
	MaxWelfare           *expectedSolution `json:"max_welfare"`
	GeniusNashOnFrontier *expectedSolution `json:"genius_nash_on_frontier"`
	Zopa                 struct {
		NOutcomes uint64 `json:"n_outcomes"`
	} `json:"zopa"`
	Opposition float64 `json:"opposition"`
	Cutoff     *struct {
		NEnumerated     uint64      `json:"n_enumerated"`
		ParetoNPoints   int         `json:"pareto_n_points"`
		ParetoNOutcomes uint64      `json:"pareto_n_outcomes"`
		NashValue       *float64    `json:"nash_value"`
		NashUtilities   [][]float64 `json:"nash_utilities"`
	} `json:"genius_multilateral_analysis_cutoff"`
}

type expectedSolution struct {
	Value     float64         `json:"value"`
	NPoints   int             `json:"n_points"`
	NOutcomes uint64          `json:"n_outcomes"`
	Points    []expectedPoint `json:"points"`
}

type expectedPoint struct {
	Utilities []float64 `json:"utilities"`
	NOutcomes uint64    `json:"n_outcomes"`
	Outcomes  [][]any   `json:"outcomes"`
}

// domainsDir returns ../shared/domains, or skips.
func domainsDir(t testing.TB) string { return shared.Dir(t, "domains") }

func TestConformance(t *testing.T) {
	root := domainsDir(t)
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ent := range ents {
		file := filepath.Join(root, ent.Name(), "expected.json")
		data, err := os.ReadFile(file)
		if !ent.IsDir() || err != nil {
			continue
		}
		n++
		var want expected
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Run(ent.Name(), func(t *testing.T) {
			if testing.Short() && want.NOutcomes >= 10_000_000 {
				t.Skip("10^7 outcomes: skipped in -short mode")
			}
			t.Parallel()
			checkDomain(t, filepath.Join(root, ent.Name()), &want)
		})
	}
	if n == 0 {
		t.Skipf("no expected.json under %s", root)
	}
}

func checkDomain(t *testing.T, dir string, want *expected) {
	s, err := genius.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcomes != want.NOutcomes {
		t.Errorf("outcomes %d, want %d", r.Outcomes, want.NOutcomes)
	}
	for p, wp := range want.Parties {
		near(t, fmt.Sprintf("party %d min utility", p), r.MinUtility[p], wp.MinUtility)
		near(t, fmt.Sprintf("party %d max utility", p), r.MaxUtility[p], wp.MaxUtility)
	}
	if r.Pareto.Count != want.Pareto.NPoints || r.Pareto.Outcomes != want.Pareto.NOutcomes || r.Pareto.Rational != want.Pareto.NRationalPoints {
		t.Errorf("pareto: %d points, %d outcomes, %d rational; want %d, %d, %d",
			r.Pareto.Count, r.Pareto.Outcomes, r.Pareto.Rational, want.Pareto.NPoints, want.Pareto.NOutcomes, want.Pareto.NRationalPoints)
	}
	if !want.Pareto.Truncated {
		checkPoints(t, "pareto", r, r.Pareto.Points, want.Pareto.Points)
	}
	checkSolution(t, "nash", r, r.Nash, want.Nash)
	checkSolution(t, "kalai_smorodinsky", r, r.KalaiSmorodinsky, want.KalaiSmorodinsky)
	checkSolution(t, "genius_kalai", r, r.Kalai, want.GeniusKalai)
	checkSolution(t, "max_welfare", r, r.MaxWelfare, want.MaxWelfare)
	checkSolution(t, "genius_nash_on_frontier", r, r.GeniusNash, want.GeniusNashOnFrontier)
	if r.Zopa.Count != want.Zopa.NOutcomes || r.Zopa.Estimated {
		t.Errorf("zopa %d (estimated %v), want %d", r.Zopa.Count, r.Zopa.Estimated, want.Zopa.NOutcomes)
	}
	if r.Opposition == nil {
		t.Errorf("opposition missing")
	} else {
		near(t, "opposition", *r.Opposition, want.Opposition)
	}
	if c := want.Cutoff; c != nil {
		g := r.GeniusCutoff
		if g == nil {
			t.Fatalf("genius cutoff missing")
		}
		if g.Enumerated != c.NEnumerated || g.ParetoPoints != c.ParetoNPoints || g.ParetoOutcomes != c.ParetoNOutcomes {
			t.Errorf("genius cutoff: %d enumerated, frontier %d points, %d outcomes; want %d, %d, %d",
				g.Enumerated, g.ParetoPoints, g.ParetoOutcomes, c.NEnumerated, c.ParetoNPoints, c.ParetoNOutcomes)
		}
		if (g.NashValue == nil) != (c.NashValue == nil) {
			t.Errorf("genius cutoff nash %v, want %v", g.NashValue, c.NashValue)
		} else if c.NashValue != nil {
			near(t, "genius cutoff nash value", *g.NashValue, *c.NashValue)
			if len(g.NashUtilities) != len(c.NashUtilities) {
				t.Errorf("genius cutoff nash: %d points, want %d", len(g.NashUtilities), len(c.NashUtilities))
			} else {
				for q := range c.NashUtilities {
					nearVec(t, "genius cutoff nash point", g.NashUtilities[q], c.NashUtilities[q])
				}
			}
		}
	}
}

func checkSolution(t *testing.T, name string, r *Report, got []PointReport, want *expectedSolution) {
	t.Helper()
	if want == nil {
		if len(got) != 0 {
			t.Errorf("%s: %d points, want none", name, len(got))
		}
		return
	}
	if len(got) != want.NPoints {
		t.Errorf("%s: %d points, want %d", name, len(got), want.NPoints)
		return
	}
	var n uint64
	for _, p := range got {
		n += p.NOutcomes
		near(t, name+" value", *p.Value, want.Value)
	}
	if n != want.NOutcomes {
		t.Errorf("%s: %d outcomes, want %d", name, n, want.NOutcomes)
	}
	checkPoints(t, name, r, got, want.Points)
}

func checkPoints(t *testing.T, name string, r *Report, got []PointReport, want []expectedPoint) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d points, want %d", name, len(got), len(want))
		return
	}
	for q := range want {
		g, w := got[q], want[q]
		what := fmt.Sprintf("%s point %d", name, q)
		if !nearVec(t, what, g.Utilities, w.Utilities) {
			continue
		}
		if g.NOutcomes != w.NOutcomes {
			t.Errorf("%s %v: %d outcomes, want %d", what, w.Utilities, g.NOutcomes, w.NOutcomes)
		}
		for o := 0; o < len(w.Outcomes) && o < DefaultListed; o++ {
			if o >= len(g.Outcomes) {
				t.Errorf("%s: lists %d outcomes, want at least %d", what, len(g.Outcomes), o+1)
				break
			}
			for i, v := range w.Outcomes[o] {
				id := r.Issues[i].ID
				if gv, wv := g.Outcomes[o][id], jsonValue(v); gv != wv {
					t.Errorf("%s, outcome %d, issue %s: %q, want %q", what, o, id, gv, wv)
				}
			}
		}
	}
}

func jsonValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func near(t *testing.T, what string, got, want float64) bool {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s: %.17g, want %.17g", what, got, want)
		return false
	}
	return true
}

func nearVec(t *testing.T, what string, got, want []float64) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %v, want %v", what, got, want)
		return false
	}
	for p := range want {
		if math.Abs(got[p]-want[p]) > 1e-9 {
			t.Errorf("%s: utilities %v, want %v", what, got, want)
			return false
		}
	}
	return true
}
