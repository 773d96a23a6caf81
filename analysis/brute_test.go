package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// bruteOutcomes enumerates sp and returns every feasible outcome's index and
// utility vector (after the tie-rule merge of each party's values).
func bruteOutcomes(t testing.TB, us []*utility.Additive, sp outcome.Space) (idx []uint64, vecs [][]float64) {
	t.Helper()
	n := len(us)
	var raw [][]float64
	var j uint64
	err := sp.Enumerate(0, func(o []int) bool {
		defer func() { j++ }()
		u := make([]float64, n)
		for p, a := range us {
			if len(a.RedLines) > 0 && a.Crosses(o) >= 0 {
				return true
			}
			u[p] = a.Raw(o)
		}
		for _, a := range us {
			if len(a.RedLines) > 0 && a.Crosses(o) >= 0 {
				return true
			}
		}
		idx = append(idx, j)
		raw = append(raw, u)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	mergeTies(raw, n)
	return idx, raw
}

// mergeTies replaces each party's values by their tie-rule representatives.
func mergeTies(raw [][]float64, n int) {
	for p := 0; p < n; p++ {
		var vs []float64
		for _, u := range raw {
			vs = append(vs, u[p])
		}
		slices.Sort(vs)
		vs = slices.Compact(vs)
		rep := map[float64]float64{}
		for q, x := range vs {
			if q > 0 && x-vs[q-1] <= Tolerance {
				rep[x] = rep[vs[q-1]]
			} else {
				rep[x] = x
			}
		}
		for _, u := range raw {
			u[p] = rep[u[p]]
		}
	}
}

// bruteFrontier is the reference: group outcomes by merged utility vector,
// keep the vectors no other vector strictly dominates.
func bruteFrontier(t testing.TB, us []*utility.Additive, sp outcome.Space, k int) *Pareto {
	idx, vecs := bruteOutcomes(t, us, sp)
	return frontierOf(idx, vecs, len(us), k)
}

func frontierOf(idx []uint64, vecs [][]float64, n, k int) *Pareto {
	groups := map[string]*Point{}
	var order []string
	for q, u := range vecs {
		key := fmt.Sprint(u)
		g := groups[key]
		if g == nil {
			g = &Point{Utilities: u}
			groups[key] = g
			order = append(order, key)
		}
		g.N++
		if len(g.Outcomes) < k {
			g.Outcomes = append(g.Outcomes, idx[q])
		}
	}
	f := &Pareto{Parties: n}
	for _, ka := range order {
		a := groups[ka]
		dominated := false
		for _, kb := range order {
			b := groups[kb]
			ge, gt := true, false
			for p := range a.Utilities {
				if b.Utilities[p] < a.Utilities[p] {
					ge = false
				}
				if b.Utilities[p] > a.Utilities[p] {
					gt = true
				}
			}
			if ge && gt {
				dominated = true
				break
			}
		}
		if !dominated {
			f.Points = append(f.Points, *a)
			f.N += a.N
		}
	}
	slices.SortFunc(f.Points, func(a, b Point) int { return slices.Compare(a.Utilities, b.Utilities) })
	return f
}

// randomProblem draws a random additive problem: 2–4 parties, 1–5 issues
// of 1–5 values, evaluations from a coarse grid (ties) or decimals whose
// sums round differently in different orders, weights that sometimes sum
// past 1 (clamping), and sometimes red lines.
func randomProblem(r *rand.Rand) ([]*utility.Additive, outcome.Space) {
	n := 2 + r.IntN(3)
	m := 1 + r.IntN(5)
	sizes := make([]int, m)
	for i := range sizes {
		sizes[i] = 1 + r.IntN(5)
	}
	sp, err := outcome.NewSpace(sizes)
	if err != nil {
		panic(err)
	}
	style := r.IntN(3)
	us := make([]*utility.Additive, n)
	for p := range us {
		w := make([]float64, m)
		total := 0.0
		for i := range w {
			w[i] = float64(1+r.IntN(9)) / 10
			total += w[i]
		}
		scale := 1.0
		if r.IntN(3) > 0 {
			scale = total // weights sum to 1 (as decimals) ...
		} else {
			scale = total / (1 + r.Float64()*0.3) // ... or to more than 1
		}
		for i := range w {
			w[i] /= scale
			if style == 1 {
				w[i] = math.Round(w[i]*10) / 10
			}
		}
		ev := make([][]float64, m)
		for i := range ev {
			ev[i] = make([]float64, sizes[i])
			for v := range ev[i] {
				switch style {
				case 0:
					ev[i][v] = float64(r.IntN(5)) / 4
				case 1:
					ev[i][v] = float64(r.IntN(11)) / 10
				default:
					ev[i][v] = r.Float64()
				}
			}
		}
		a := utility.NewAdditive(w, ev, float64(r.IntN(4))/5, 1)
		if r.IntN(5) == 0 {
			i := r.IntN(m)
			allowed := make([]bool, sizes[i])
			for v := range allowed {
				allowed[v] = r.IntN(2) == 0
			}
			rl := utility.RedLine{ID: "rl", Constraint: utility.Constraint{Issues: []int{i}, Allowed: [][]bool{allowed}}}
			if m > 1 && r.IntN(2) == 0 {
				i2 := (i + 1) % m
				al2 := make([]bool, sizes[i2])
				for v := range al2 {
					al2[v] = r.IntN(2) == 0
				}
				rl.Issues = append(rl.Issues, i2)
				rl.Allowed = append(rl.Allowed, al2)
			}
			a.RedLines = append(a.RedLines, rl)
		}
		us[p] = a
	}
	return us, sp
}

func samePareto(t *testing.T, got, want *Pareto) {
	t.Helper()
	if len(got.Points) != len(want.Points) || got.N != want.N {
		t.Fatalf("frontier: %d points / %d outcomes, want %d / %d\ngot  %v\nwant %v", len(got.Points), got.N, len(want.Points), want.N, got.Points, want.Points)
	}
	for q := range got.Points {
		g, w := got.Points[q], want.Points[q]
		for p := range g.Utilities {
			if math.Abs(g.Utilities[p]-w.Utilities[p]) > 1e-9 {
				t.Fatalf("point %d: utilities %v, want %v", q, g.Utilities, w.Utilities)
			}
		}
		if g.N != w.N || !slices.Equal(g.Outcomes, w.Outcomes) {
			t.Fatalf("point %d %v: %d outcomes %v, want %d %v", q, g.Utilities, g.N, g.Outcomes, w.N, w.Outcomes)
		}
	}
}

func TestFrontierMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for c := 0; c < 3000; c++ {
		us, sp := randomProblem(r)
		k := 1 + r.IntN(4)
		want := bruteFrontier(t, us, sp, k)
		got, err := Frontier(us, sp, Options{Listed: k})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(c), func(t *testing.T) { samePareto(t, got, want) })
		if t.Failed() {
			t.Logf("sizes %v", sp.Sizes())
			for p, u := range us {
				t.Logf("party %d: weights %v evals %v redlines %v", p, u.Weights, u.Evals, u.RedLines)
			}
			return
		}
	}
}
