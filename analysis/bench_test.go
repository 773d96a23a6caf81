package analysis

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/genius"
	"github.com/parleyhq/parley/utility"
)

// synthetic returns a linear additive problem with the given number of
// parties and issues of 10 values each: seeded random weights (summing to
// 1) and evaluations.
func synthetic(parties, issues int, seed uint64) ([]*utility.Additive, outcome.Space) {
	r := rand.New(rand.NewPCG(seed, 7))
	sizes := make([]int, issues)
	for i := range sizes {
		sizes[i] = 10
	}
	sp, err := outcome.NewSpace(sizes)
	if err != nil {
		panic(err)
	}
	us := make([]*utility.Additive, parties)
	for p := range us {
		w := make([]float64, issues)
		sum := 0.0
		for i := range w {
			w[i] = r.Float64()
			sum += w[i]
		}
		ev := make([][]float64, issues)
		for i := range ev {
			w[i] /= sum
			ev[i] = make([]float64, 10)
			for v := range ev[i] {
				ev[i][v] = r.Float64()
			}
		}
		us[p] = utility.NewAdditive(w, ev, 0, 1)
	}
	return us, sp
}

var benchSizes = []struct {
	name   string
	issues int
}{{"1e5", 5}, {"1e6", 6}, {"1e7", 7}, {"1e10", 10}}

func BenchmarkFrontier(b *testing.B) {
	for _, parties := range []int{2, 3} {
		for _, sz := range benchSizes {
			us, sp := synthetic(parties, sz.issues, 1)
			b.Run(fmt.Sprintf("parties=%d/outcomes=%s", parties, sz.name), func(b *testing.B) {
				b.ReportAllocs()
				var f *Pareto
				for b.Loop() {
					var err error
					if f, err = Frontier(us, sp, Options{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(f.Points)), "points")
			})
		}
	}
}

// BenchmarkEnumerateSort is the naive baseline the frontier replaces:
// evaluate every outcome, sort, sweep (two parties, no tie handling).
func BenchmarkEnumerateSort(b *testing.B) {
	us, sp := synthetic(2, 6, 1)
	b.Run("parties=2/outcomes=1e6", func(b *testing.B) {
		b.ReportAllocs()
		size, _ := sp.Size()
		type pt struct{ u0, u1 float64 }
		pts := make([]pt, 0, size)
		for b.Loop() {
			pts = pts[:0]
			sp.Enumerate(0, func(o []int) bool {
				pts = append(pts, pt{us[0].Raw(o), us[1].Raw(o)})
				return true
			})
			slices.SortFunc(pts, func(a, b pt) int {
				if a.u0 != b.u0 {
					if a.u0 > b.u0 {
						return -1
					}
					return 1
				}
				if a.u1 > b.u1 {
					return -1
				} else if a.u1 < b.u1 {
					return 1
				}
				return 0
			})
			best, n := -1.0, 0
			for _, p := range pts {
				if p.u1 > best {
					best = p.u1
					n++
				}
			}
			_ = n
		}
	})
}

// BenchmarkAnalyzeEnergy imports ANAC2011 Energy (390,625 outcomes) from its
// Genius XML and analyses it fully.
func BenchmarkAnalyzeEnergy(b *testing.B) {
	dir := filepath.Join(domainsDir(b), "ANAC2011_Energy")
	b.ReportAllocs()
	for b.Loop() {
		s, err := genius.LoadDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Analyze(s, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func flagshipFile(b *testing.B) (*scenario.Scenario, *scenario.File) {
	b.Helper()
	data, err := os.ReadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		b.Skip(err)
	}
	f, err := scenario.DecodeFile(data, "../examples/ukraine-2025.yaml")
	if err != nil {
		b.Fatal(err)
	}
	s, err := scenario.Parse(data, "../examples/ukraine-2025.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return s, f
}

// BenchmarkSensitivityFlagship: 10,000 samples of the flagship's assumed
// ranges, each re-validated and analysed.
func BenchmarkSensitivityFlagship(b *testing.B) {
	_, f := flagshipFile(b)
	for b.Loop() {
		if _, err := Sensitivity(f, "ukraine-2025.yaml", SensitivityOptions{Samples: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWhatIfFlagship: the what-if analysis of the flagship without
// sensitivity (red lines, ratification, guarantees, agenda).
func BenchmarkWhatIfFlagship(b *testing.B) {
	s, _ := flagshipFile(b)
	r, err := Analyze(s, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
