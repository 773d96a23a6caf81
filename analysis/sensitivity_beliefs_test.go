package analysis

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestSensitivityOfBeliefs (issues 16 finding 8, 19): the numbers of the
// flagship's beliefs are sampled like any assumption, each belief's type
// probabilities renormalised, and the report says how often each
// holder's beliefs mislead it. The United States' belief that Putin wants
// a deal promises deals that do not exist whatever the numbers (the true
// zone has 24 outcomes, its deal maker accepts far more); Europe's doubt
// mostly hides deals instead. Drawn in parts, the report is the same.
func TestSensitivityOfBeliefs(t *testing.T) {
	f := decodeTestFile(t, flagship)
	const n = 200
	sr, err := Sensitivity(f, flagship, SensitivityOptions{Samples: n, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var beliefs, probs int
	for _, a := range sr.Assumptions {
		if strings.HasPrefix(a.Path, "beliefs[") {
			beliefs++
			if strings.HasSuffix(a.Path, ".probability") {
				probs++
			}
		}
	}
	if beliefs < 6 || probs != 2 {
		t.Errorf("%d belief numbers sampled, %d of them type probabilities; want at least 6, and 2", beliefs, probs)
	}
	shares := map[string]PerceptionShare{}
	for _, p := range sr.Perceptions {
		shares[p.Holder] = p
		if p.Samples != sr.Valid {
			t.Errorf("%s: %d samples of %d", p.Holder, p.Samples, sr.Valid)
		}
	}
	if len(shares) != 3 {
		t.Fatalf("perceptions %+v; want us, ru and eu", sr.Perceptions)
	}
	if us := shares["us"]; us.Promises < 0.9 || us.MeanInformation <= 0 {
		t.Errorf("us: %+v", us)
	}
	if eu := shares["eu"]; eu.Misses <= eu.Promises {
		t.Errorf("eu: misses %v, promises %v; its doubt should hide deals more often than it promises them", eu.Misses, eu.Promises)
	}
	// A sample's probabilities sum to 1 again.
	sm := newSampler(f, false)
	sm.draw(sm.rng(7, 3))
	for k, b := range sm.f.Beliefs {
		if len(b.Types) == 0 {
			continue
		}
		sum := 0.0
		for _, ty := range b.Types {
			sum += ty.Probability.Value
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("belief %d: probabilities sum to %v", k, sum)
		}
	}
	parted, err := Sensitivity(f, flagship, SensitivityOptions{Samples: n, Seed: 7,
		Distribute: func(o SensitivityOptions) ([]*SensitivityPart, error) {
			var parts []*SensitivityPart
			for _, cut := range [][2]int{{90, n}, {0, 90}} {
				p, err := SensitivitySamples(f, flagship, o, cut[0], cut[1])
				if err != nil {
					return nil, err
				}
				parts = append(parts, p)
			}
			return parts, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(parted.Perceptions, sr.Perceptions) {
		t.Errorf("in parts: %+v\nin one run: %+v", parted.Perceptions, sr.Perceptions)
	}
}
