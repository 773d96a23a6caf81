package negotiator

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// TestRadixSortMatchesComparison: the radix sort orders keys as the
// comparison sort it replaced did (utility ascending, ties by index
// ascending), on random utilities with many ties, negatives (red lines,
// −1) and extremes.
func TestRadixSortMatchesComparison(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(3000)
		us := make([]float64, n)
		for i := range us {
			switch rng.IntN(6) {
			case 0:
				us[i] = -1
			case 1:
				us[i] = float64(rng.IntN(5)) / 4 // ties
			case 2:
				us[i] = []float64{0, math.Copysign(0, -1), 1, 1e-300, -1e-300, math.MaxFloat64, -math.MaxFloat64}[rng.IntN(7)]
			default:
				us[i] = rng.Float64()*2 - 0.5
			}
		}
		keys, ids := make([]uint64, n), make([]uint32, n)
		for i, u := range us {
			keys[i], ids[i] = floatKey(u), uint32(i)
		}
		radixSort(keys, ids)
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		slices.SortFunc(want, func(a, b int) int {
			if c := cmp.Compare(us[a], us[b]); c != 0 && !(us[a] == 0 && us[b] == 0) {
				return c
			}
			return cmp.Compare(a, b)
		})
		for i := range want {
			if int(ids[i]) != want[i] || keyFloat(keys[i]) != us[ids[i]] {
				t.Fatalf("trial %d, n %d: position %d holds %d (%v), want %d (%v)", trial, n, i, ids[i], keyFloat(keys[i]), want[i], us[want[i]])
			}
		}
	}
}

func TestFloatKeyRoundTrip(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.5, -0.5, 1e-308, -1e-308, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1)} {
		if g := keyFloat(floatKey(f)); g != f {
			t.Errorf("%v → %v", f, g)
		}
	}
}

// BenchmarkNewIndex indexes a 10^6-outcome space of 6 issues (10 values
// each): go test ./negotiator -run '^$' -bench NewIndex -benchmem.
func BenchmarkNewIndex(b *testing.B) {
	sizes := []int{10, 10, 10, 10, 10, 10}
	sp, err := outcome.NewSpace(sizes)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	ws, evals := make([]float64, len(sizes)), make([][]float64, len(sizes))
	for i, n := range sizes {
		ws[i] = 1 / float64(len(sizes))
		evals[i] = make([]float64, n)
		for v := range evals[i] {
			evals[i][v] = float64(rng.IntN(11)) / 10
		}
	}
	u := utility.NewAdditive(ws, evals, 0, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewIndex(u, sp); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/outcome")
}
