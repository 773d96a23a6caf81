package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

func TestPrefixFrontierMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for c := 0; c < 1000; c++ {
		us, sp := randomProblem(r)
		for _, u := range us {
			u.RedLines = nil
		}
		size, _ := sp.Size()
		count := 1 + r.Uint64N(size)
		// Brute force over the prefix: a space whose last issue is cut is
		// not a product, so filter the full enumeration by index.
		idx, vecs := bruteOutcomesPrefix(t, us, sp, count)
		want := frontierOf(idx, vecs, len(us), 1)
		got, err := prefixFrontier(us, sp, count, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(c), func(t *testing.T) { samePareto(t, got, want) })
		if t.Failed() {
			t.Logf("sizes %v count %d", sp.Sizes(), count)
			return
		}
	}
}

// bruteOutcomesPrefix is bruteOutcomes over the first count outcomes, with
// the tie-rule merge over those outcomes only.
func bruteOutcomesPrefix(t *testing.T, us []*utility.Additive, sp outcome.Space, count uint64) ([]uint64, [][]float64) {
	sizes := sp.Sizes()
	o := make([]int, len(sizes))
	var idx []uint64
	var raw [][]float64
	for j := uint64(0); j < count; j++ {
		u := make([]float64, len(us))
		for p, a := range us {
			u[p] = a.Raw(o)
		}
		idx = append(idx, j)
		raw = append(raw, u)
		sp.Next(o)
	}
	mergeTies(raw, len(us))
	return idx, raw
}

func TestZopaMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for c := 0; c < 2000; c++ {
		us, sp := randomProblem(r)
		_, vecs := bruteOutcomes(t, us, sp)
		var want uint64
		for _, u := range vecs {
			in := true
			for p := range u {
				if u[p] < us[p].Reservation-Tolerance {
					in = false
				}
			}
			if in {
				want++
			}
		}
		z, err := CountZopa(us, sp, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if z.Count != want || z.Estimated {
			t.Fatalf("case %d: zopa %+v, want %d", c, z, want)
		}
	}
}

func TestZopaEstimatedBeyondBudget(t *testing.T) {
	defer func(l uint64) { zopaExactLimit = l }(zopaExactLimit)
	zopaExactLimit = 10
	us, sp := synthetic(2, 6, 9)
	for _, u := range us {
		u.Reservation = 0.45
	}
	exact, err := CountZopa(us, sp, Options{ZopaBudget: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	if exact.Estimated {
		t.Fatalf("huge budget: estimated")
	}
	est, err := CountZopa(us, sp, Options{ZopaBudget: 100, ZopaSamples: 200_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !est.Estimated || est.Samples != 200_000 {
		t.Fatalf("budget 100: %+v, want an estimate", est)
	}
	if d := math.Abs(float64(est.Count) - float64(exact.Count)); d > 5*est.StdErr+1 {
		t.Errorf("estimate %d ± %.0f, exact %d", est.Count, est.StdErr, exact.Count)
	}
	again, _ := CountZopa(us, sp, Options{ZopaBudget: 100, ZopaSamples: 200_000, Seed: 1})
	if again != est {
		t.Errorf("same seed, different estimate: %+v vs %+v", again, est)
	}
}

// TestSolutionsMatchBruteForce checks that each solution concept, computed
// on the frontier, is the optimum over all outcomes.
func TestSolutionsMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for c := 0; c < 2000; c++ {
		us, sp := randomProblem(r)
		n := len(us)
		rv := make([]float64, n)
		for p, u := range us {
			rv[p] = u.Reservation
		}
		idx, vecs := bruteOutcomes(t, us, sp)
		f, err := Frontier(us, sp, Options{Listed: 1})
		if err != nil {
			t.Fatal(err)
		}
		check := func(name string, got *Solution, minimise bool, eligible func(u []float64) bool, crit func(u []float64) float64) {
			t.Helper()
			best, found := 0.0, false
			for _, u := range vecs {
				if eligible(u) {
					x := crit(u)
					if minimise {
						x = -x
					}
					if !found || x > best {
						best, found = x, true
					}
				}
			}
			if minimise {
				best = -best
			}
			if !found {
				if got != nil {
					t.Fatalf("case %d %s: %+v, want none", c, name, got)
				}
				return
			}
			if got == nil || math.Abs(got.Value-best) > 1e-12 {
				t.Fatalf("case %d %s: %+v, want value %v", c, name, got, best)
			}
			// Every tied outcome maps to a listed point (criteria > 0: a
			// product of 0 ties every rational outcome, dominated or not).
			if best == 0 {
				return
			}
			var tied uint64
			for q, u := range vecs {
				x := crit(u)
				if eligible(u) && math.Abs(x-best) <= Tolerance {
					tied++
					if !slices.ContainsFunc(got.Points, func(p Point) bool { return nearly(p.Utilities, u) }) {
						t.Fatalf("case %d %s: outcome %d %v ties but is not listed in %+v", c, name, idx[q], u, got.Points)
					}
				}
			}
			if tied != got.N() {
				t.Fatalf("case %d %s: %d outcomes, brute force %d", c, name, got.N(), tied)
			}
		}
		all := func([]float64) bool { return true }
		rational := func(u []float64) bool { return Rational(u, rv) }
		check("nash", f.Nash(rv), false, rational, func(u []float64) float64 {
			x := 1.0
			for p := range u {
				x *= max(u[p]-rv[p], 0)
			}
			return x
		})
		check("welfare", f.MaxWelfare(), false, all, func(u []float64) float64 {
			x := 0.0
			for _, v := range u {
				x += v
			}
			return x
		})
		if len(vecs) > 0 {
			opp := math.Inf(1)
			for _, u := range vecs {
				s := 0.0
				for _, x := range u {
					s += (1 - x) * (1 - x)
				}
				opp = min(opp, math.Sqrt(s))
			}
			if got := f.Opposition(); math.Abs(got-opp) > 1e-12 {
				t.Fatalf("case %d opposition %v, want %v", c, got, opp)
			}
			best := make([]float64, n)
			for p := range best {
				best[p] = math.Inf(-1)
				for _, u := range vecs {
					best[p] = max(best[p], u[p])
				}
			}
			if got := f.Best(); !nearly(got, best) {
				t.Fatalf("case %d best %v, want %v", c, got, best)
			}
		}
	}
}

func TestDistances(t *testing.T) {
	f := &Pareto{Parties: 2, Points: []Point{{Utilities: []float64{0, 1}}, {Utilities: []float64{0.6, 0.6}}, {Utilities: []float64{1, 0}}}}
	if got := DistanceToFrontier([]float64{0.3, 0.2}, f); math.Abs(got-0.5) > 1e-15 {
		t.Errorf("distance to frontier %v, want 0.5", got)
	}
	nash := &Solution{Points: f.Points[1:2]}
	if got := DistanceToNash([]float64{0.6, 0.6}, nash); got != 0 {
		t.Errorf("distance to nash %v, want 0", got)
	}
	if !math.IsNaN(DistanceToNash([]float64{0, 0}, nil)) || !math.IsNaN(DistanceToFrontier([]float64{0, 0}, &Pareto{})) {
		t.Errorf("distances to nothing should be NaN")
	}
}

func TestFrontierErrors(t *testing.T) {
	sizes := make([]int, 20)
	for i := range sizes {
		sizes[i] = 10
	}
	big, _ := outcome.NewSpace(sizes) // 10^20 > 2^64
	evals := make([][]float64, 20)
	for i := range evals {
		evals[i] = make([]float64, 10)
	}
	u := utility.NewAdditive(make([]float64, 20), evals, 0, 1)
	if _, err := Frontier([]*utility.Additive{u, u}, big, Options{}); err == nil || !strings.Contains(err.Error(), "2^64") {
		t.Errorf("10^20 outcomes: %v, want an error about 2^64", err)
	}
	small, _ := outcome.NewSpace([]int{3})
	if _, err := Frontier(nil, small, Options{}); err == nil {
		t.Errorf("no parties: want an error")
	}
	if _, err := Frontier([]*utility.Additive{u}, small, Options{}); err == nil {
		t.Errorf("table of another space: want an error")
	}
	nan := utility.NewAdditive([]float64{1}, [][]float64{{0, math.NaN(), 1}}, 0, 1)
	if _, err := Frontier([]*utility.Additive{nan}, small, Options{}); err == nil {
		t.Errorf("NaN utility: want an error")
	}
}

// TestFrontierNoIssues: a space without issues has one outcome, utility 0.
func TestFrontierNoIssues(t *testing.T) {
	sp, _ := outcome.NewSpace(nil)
	u := utility.NewAdditive(nil, nil, 0, 1)
	f, err := Frontier([]*utility.Additive{u, u}, sp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Points) != 1 || f.N != 1 || !slices.Equal(f.Points[0].Outcomes, []uint64{0}) {
		t.Errorf("frontier %+v", f)
	}
}

func laptop() *scenario.Scenario {
	opt := func(ids ...string) []scenario.Option {
		o := make([]scenario.Option, len(ids))
		for i, id := range ids {
			o[i] = scenario.Option{ID: id, Label: strings.ToUpper(id)}
		}
		return o
	}
	tab := func(v ...float64) utility.ValueFunc { return utility.ValueFunc{Shape: utility.Table, Values: v} }
	return &scenario.Scenario{
		Name: "toy",
		Issues: []scenario.Issue{
			{ID: "brand", Kind: scenario.Discrete, Options: opt("dell", "mac", "hp")},
			{ID: "disk", Kind: scenario.Integer, Min: 1, Max: 3},
		},
		Parties: []scenario.Party{
			{ID: "buyer", Role: "party", Prefs: scenario.Preferences{Weights: []float64{0.6, 0.4}, Values: []utility.ValueFunc{tab(0.2, 1, 0.6), {Shape: utility.Linear, Slope: 0.5, Origin: 1}}, Reservation: 0.3, Discount: 1}},
			{ID: "broker", Role: "mediator", Prefs: scenario.Preferences{Weights: []float64{0.5, 0.5}, Values: []utility.ValueFunc{tab(1, 1, 1), tab(1, 1, 1)}, Discount: 1}},
			{ID: "seller", Role: "party", Prefs: scenario.Preferences{Weights: []float64{0.5, 0.5}, Values: []utility.ValueFunc{tab(1, 0.4, 0.7), {Shape: utility.Linear, Offset: 1, Slope: -0.5, Origin: 1}}, Reservation: 0.2, Discount: 1}},
		},
	}
}

func TestAnalyzeJSONShape(t *testing.T) {
	r, err := Analyze(laptop(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Parties, []string{"buyer", "seller"}) {
		t.Errorf("parties %v: the mediator should be left out", r.Parties)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scenario", "outcomes", "parties", "issues", "reservation", "min_utility", "max_utility", "pareto",
		"nash", "kalai_smorodinsky", "kalai", "max_welfare", "egalitarian", "genius_nash_on_frontier", "zopa", "opposition"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, data)
		}
	}
	p := m["pareto"].(map[string]any)
	for _, k := range []string{"count", "outcomes", "rational", "points"} {
		if _, ok := p[k]; !ok {
			t.Errorf("pareto lacks %q", k)
		}
	}
	nash := m["nash"].([]any)
	if len(nash) == 0 {
		t.Fatalf("no nash point: %s", data)
	}
	pt := nash[0].(map[string]any)
	for _, k := range []string{"utilities", "n_outcomes", "value", "outcome", "outcomes"} {
		if _, ok := pt[k]; !ok {
			t.Errorf("nash point lacks %q: %v", k, pt)
		}
	}
	if o := pt["outcome"].(map[string]any); o["brand"] == nil || o["disk"] == nil {
		t.Errorf("outcome %v: want issue id → label", o)
	}
	z := m["zopa"].(map[string]any)
	if _, ok := z["count"]; !ok {
		t.Errorf("zopa lacks count: %v", z)
	}
}

func TestWriteText(t *testing.T) {
	r, err := Analyze(laptop(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Scenario toy", "buyer", "seller", "brand", "Outcomes: 9", "Pareto frontier:", "Nash", "Kalai–Smorodinsky", "Max welfare", "Egalitarian", "Zone of possible agreement"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "brand=") || !strings.Contains(out, "disk=") {
		t.Errorf("solution points should be shown as labels:\n%s", out)
	}
}

// TestAnalyzeRedLines: outcomes crossing a red line are not agreements.
func TestAnalyzeRedLines(t *testing.T) {
	s := laptop()
	// The seller refuses a Dell (which the buyer likes least and the seller most).
	s.Parties[2].RedLines = []utility.RedLine{{ID: "no-dell", Constraint: utility.Constraint{Issues: []int{0}, Allowed: [][]bool{{true, false, false}}}}}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Pareto.Points {
		for _, o := range p.Outcomes {
			if o["brand"] == "DELL" {
				t.Errorf("frontier point %v crosses the red line", p.Utilities)
			}
		}
	}
	if r.Zopa.Count > 6 {
		t.Errorf("zopa %d outcomes; at most 6 avoid the red line", r.Zopa.Count)
	}
	if len(r.Notes) == 0 {
		t.Errorf("no note about red lines")
	}
}

func nearly(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-12 })
}

// TestAnalyzeNothingFeasible: red lines that rule out every outcome leave an
// empty frontier, and the report still encodes.
func TestAnalyzeNothingFeasible(t *testing.T) {
	s := laptop()
	s.Parties[0].RedLines = []utility.RedLine{{ID: "all", Constraint: utility.Constraint{Issues: []int{1}, Allowed: [][]bool{{true, true, true}}}}}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Pareto.Count != 0 || r.Zopa.Count != 0 || len(r.Nash) != 0 || r.Opposition != nil {
		t.Errorf("nothing feasible: pareto %d, zopa %d, nash %v, opposition %v", r.Pareto.Count, r.Zopa.Count, r.Nash, r.Opposition)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("JSON: %v", err)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Error(err)
	}
}
