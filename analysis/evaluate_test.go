package analysis

import (
	"math"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	s, r := analyzeFile(t, "../scenario/testdata/rules.yaml")
	e, err := r.Evaluate(map[string]string{"ceasefire": "now", "territory": "none", "guarantee": "pledge", "troops": "european"})
	if err != nil {
		t.Fatal(err)
	}
	// ua: three issues at 1, the pledge at (0.9 + 1/3)/2; ru: 0 on all four.
	want := []float64{0.75 + 0.25*(0.9+1.0/3)/2, 0}
	for i := range want {
		if math.Abs(e.Utilities[i]-want[i]) > 1e-12 {
			t.Errorf("utility %d = %v, want %v", i, e.Utilities[i], want[i])
		}
	}
	if e.Rational || len(e.Crosses) != 1 || e.Crosses[0] != "ru/no_troops" {
		t.Errorf("rational %v, crosses %v", e.Rational, e.Crosses)
	}
	if e.DistanceToNash == nil || e.DistanceToFrontier == nil || *e.DistanceToFrontier > *e.DistanceToNash {
		t.Errorf("distances %v %v", e.DistanceToFrontier, e.DistanceToNash)
	}
	// The Nash deal itself is at distance 0 from the Nash point.
	n := r.Nash[0].Outcome
	ids := map[string]string{}
	for i := range s.Issues {
		is := &s.Issues[i]
		for v := 0; v < is.Size(); v++ {
			if is.Label(v) == n[is.ID] {
				ids[is.ID] = is.Value(v)
			}
		}
	}
	e, err = r.Evaluate(ids)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Rational || *e.DistanceToNash != 0 || *e.DistanceToFrontier != 0 {
		t.Errorf("Nash deal: rational %v, distances %v %v", e.Rational, *e.DistanceToFrontier, *e.DistanceToNash)
	}
	if _, err := r.Evaluate(map[string]string{"ceasefire": "soon", "army": "x"}); err == nil ||
		!strings.Contains(err.Error(), `"soon" is not a value of issue "ceasefire"`) || !strings.Contains(err.Error(), `unknown issue "army"`) ||
		!strings.Contains(err.Error(), `no value for issue "troops"`) {
		t.Errorf("bad outcome: %v", err)
	}
}
