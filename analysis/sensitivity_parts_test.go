package analysis

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// advance jumps the stream exactly as many draws would move it, for
// strides small and large.
func TestAdvance(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 7, 64, 1000, 12345} {
		a, b := rand.NewPCG(11, 0x5eed5eed5eed5eed), rand.NewPCG(11, 0x5eed5eed5eed5eed)
		for range n {
			a.Uint64()
		}
		advance(b, n)
		if x, y := a.Uint64(), b.Uint64(); x != y {
			t.Errorf("after %d draws: %x, advanced: %x", n, x, y)
		}
	}
	// A jump of 2^40 draws is the jumps of 2^39 twice.
	a, b := rand.NewPCG(3, 4), rand.NewPCG(3, 4)
	advance(a, 1<<40)
	advance(b, 1<<39)
	advance(b, 1<<39)
	if a.Uint64() != b.Uint64() {
		t.Error("2^40 draws at once differ from 2^39 twice")
	}
}

// Parts of any cut, drawn apart and merged in any order, give the report
// of one run, field for field; parts that leave a gap or overlap are
// refused.
func TestSensitivityParts(t *testing.T) {
	path := "testdata/whatif-sensitivity.yaml"
	f := decodeTestFile(t, path)
	const n = 700
	sensitivityParts(t, f, path, n, [][]int{{0, n}, {0, 1, n}, {0, 100, 101, 350, 699, n}, {0, 64, 128, 192, 256, 320, 384, 448, 512, 576, 640, n}})
	opts := SensitivityOptions{Samples: n, Seed: 5}
	p1, _ := SensitivitySamples(f, path, opts, 0, 300)
	p2, _ := SensitivitySamples(f, path, opts, 301, n)
	p3, _ := SensitivitySamples(f, path, opts, 200, n)
	for _, parts := range [][]*SensitivityPart{{p1, p2}, {p1, p3}, {p1}} {
		opts.Distribute = func(SensitivityOptions) ([]*SensitivityPart, error) { return parts, nil }
		if _, err := Sensitivity(f, path, opts); err == nil {
			t.Errorf("parts %d–%d…: no error", parts[0].From, parts[len(parts)-1].To)
		}
	}
}

// A coalition's members' numbers, a member's weights renormalised after
// each draw, and the mediator's influence rate (a number of time) are
// drawn in parts as in one run: sample k drawn from the streams set at k
// is sample k of a run from 0.
func TestSensitivityPartsCoalition(t *testing.T) {
	f := coalitionSampled(t)
	const n = 40
	sensitivityParts(t, f, coalitionFile, n, [][]int{{0, 1, n}, {0, 17, 18, 30, n}})
	snap := func(sm *sampler) string {
		c := sm.f
		return fmt.Sprint(c.Parties[2].Members[0].Weights, c.Parties[2].Members[1].Weight, c.Parties[2].Members[1].Reservation, c.MediatorInfluence.Rate)
	}
	one := newSampler(f, true)
	rng, timeRNG := one.rng(5, 0)
	var seen []string
	for k := range n {
		one.draw(rng, timeRNG)
		seen = append(seen, snap(one))
		if k > 0 && seen[k] == seen[k-1] {
			t.Fatalf("samples %d and %d draw the same numbers: %s", k-1, k, seen[k])
		}
	}
	for _, k := range []int{0, 1, 17, n - 1} {
		part := newSampler(f, true)
		rng, timeRNG := part.rng(5, k)
		part.draw(rng, timeRNG)
		if got := snap(part); got != seen[k] {
			t.Errorf("sample %d drawn alone: %s; in one run: %s", k, got, seen[k])
		}
	}
}

// sensitivityParts checks that the samples of f drawn in parts cut at
// each of cutss (merged in reverse) give the report of one run.
func sensitivityParts(t *testing.T, f *scenario.File, path string, n int, cutss [][]int) {
	t.Helper()
	want, err := Sensitivity(f, path, SensitivityOptions{Samples: n, Seed: 5, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, cuts := range cutss {
		var got *SensitivityReport
		opts := SensitivityOptions{Samples: n, Seed: 5, Top: 3, Distribute: func(o SensitivityOptions) ([]*SensitivityPart, error) {
			var parts []*SensitivityPart
			for i := len(cuts) - 1; i > 0; i-- { // in reverse: the order parts come in does not matter
				p, err := SensitivitySamples(f, path, o, cuts[i-1], cuts[i])
				if err != nil {
					return nil, err
				}
				parts = append(parts, p)
			}
			return parts, nil
		}}
		got, err = Sensitivity(f, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("cut at %v: %+v\nwant %+v", cuts, got, want)
		}
	}
}
