package analysis

import (
	"math/rand/v2"
	"reflect"
	"testing"
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
	want, err := Sensitivity(f, path, SensitivityOptions{Samples: n, Seed: 5, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, cuts := range [][]int{{0, n}, {0, 1, n}, {0, 100, 101, 350, 699, n}, {0, 64, 128, 192, 256, 320, 384, 448, 512, 576, 640, n}} {
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
