package analysis

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	s, r := analyzeFile(t, "../scenario/testdata/rules.yaml")
	e, err := r.Evaluate(map[string]string{"ceasefire": "now", "territory": "none", "guarantee": "pledge", "troops": "european"}, 0)
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
	e, err = r.Evaluate(ids, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Rational || *e.DistanceToNash != 0 || *e.DistanceToFrontier != 0 {
		t.Errorf("Nash deal: rational %v, distances %v %v", e.Rational, *e.DistanceToFrontier, *e.DistanceToNash)
	}
	if _, err := r.Evaluate(map[string]string{"ceasefire": "soon", "army": "x"}, 0); err == nil ||
		!strings.Contains(err.Error(), `"soon" is not a value of issue "ceasefire"`) || !strings.Contains(err.Error(), `unknown issue "army"`) ||
		!strings.Contains(err.Error(), `no value for issue "troops"`) {
		t.Errorf("bad outcome: %v", err)
	}
}

// --outcome takes an option's id or its label, as every output prints it;
// an ambiguous one is an error naming the options, and a value that fits
// nothing lists the valid ones.
func TestEvaluateValues(t *testing.T) {
	_, r := analyzeFile(t, "testdata/evaluate-values.yaml")
	for _, c := range []struct {
		x, n, r string
		want    map[string]string // labels, or nil for an error
		err     string
	}{
		{"b", "3", "0.25", map[string]string{"x": "Same", "n": "3", "r": "0.25"}, ""},
		{"Deal D", "1", "0", map[string]string{"x": "Deal D", "n": "1", "r": "0"}, ""},
		{" deal d ", "5", "1", map[string]string{"x": "Deal D", "n": "5", "r": "1"}, ""},
		{"c", "2", "0.5", map[string]string{"x": "a", "n": "2", "r": "0.5"}, ""},
		{"Same", "1", "0", nil, `"Same" is ambiguous for issue "x": it names options a, b; give one of these ids`},
		{"a", "1", "0", nil, `"a" is ambiguous for issue "x": it names options a, c; give one of these ids`},
		{"e", "1", "0", nil, `outcome: "e" is not a value of issue "x" (values: a "Same", b "Same", c "a", d "Deal D")`},
		{"b", "7", "0", nil, `"7" is not a value of issue "n" (an integer from 1 to 5)`},
		{"b", "1", "0.3", nil, `"0.3" is not a value of issue "r" (one of 5 numbers from 0 to 1 in steps of 0.25)`},
	} {
		e, err := r.Evaluate(map[string]string{"x": c.x, "n": c.n, "r": c.r}, 0)
		switch {
		case c.want == nil && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("x=%q n=%q r=%q: error %v, want %q", c.x, c.n, c.r, err, c.err)
		case c.want != nil && err != nil:
			t.Errorf("x=%q n=%q r=%q: %v", c.x, c.n, c.r, err)
		case c.want != nil && !reflect.DeepEqual(e.Outcome, c.want):
			t.Errorf("x=%q n=%q r=%q: outcome %v, want %v", c.x, c.n, c.r, e.Outcome, c.want)
		}
	}
	_, err := r.Evaluate(map[string]string{"x": "b", "size": "1"}, 0)
	want := "outcome: 3 problems:\n" +
		"  no value for issue \"n\" (an integer from 1 to 5)\n" +
		"  no value for issue \"r\" (one of 5 numbers from 0 to 1 in steps of 0.25)\n" +
		"  unknown issue \"size\" (issues: x, n, r)"
	if err == nil || err.Error() != want {
		t.Errorf("missing and unknown issues: %v\nwant %s", err, want)
	}
}

// The evaluation reports the outcome's red lines and ratification: x = d
// needs p's parliament, whose yes share 0.3 passes with Φ(−4); x = c
// crosses p's red line and needs no vote.
func TestEvaluateRatificationAndRedLines(t *testing.T) {
	_, r := analyzeFile(t, "testdata/evaluate-values.yaml")
	e, err := r.Evaluate(map[string]string{"x": "d", "n": "3", "r": "0.5"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	phi4 := 0.5 * math.Erfc(4/math.Sqrt2)
	if len(e.Ratification) != 1 || e.Ratifiable || e.MinRatification != DefaultMinRatification {
		t.Fatalf("ratification %+v, ratifiable %v, min %v", e.Ratification, e.Ratifiable, e.MinRatification)
	}
	if pr := e.Ratification[0]; pr.Party != "p" || pr.Body != "parliament" || !pr.Required || !approx(pr.Share, 0.3) || math.Abs(pr.Prob-phi4) > 1e-15 {
		t.Errorf("ratification %+v, want p's parliament required, share 0.3, probability %g", pr, phi4)
	}
	if want := []EvaluatedRedLine{{Party: "p", ID: "no_c", Description: "never c"}}; !reflect.DeepEqual(e.RedLines, want) || e.Crosses != nil {
		t.Errorf("red lines %+v, crosses %v; want %+v, none", e.RedLines, e.Crosses, want)
	}
	// A floor below Φ(−4) passes the vote.
	if e, _ = r.Evaluate(map[string]string{"x": "d", "n": "3", "r": "0.5"}, 1e-5); !e.Ratifiable {
		t.Error("min 1e-5: not ratifiable")
	}
	e, err = r.Evaluate(map[string]string{"x": "c", "n": "3", "r": "0.5"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Ratifiable || e.Ratification[0].Required || !e.RedLines[0].Crossed || e.Rational || !reflect.DeepEqual(e.Crosses, []string{"p/no_c"}) {
		t.Errorf("x = c: %+v", e)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  red lines:\n    p/no_c (never c): CROSSED\n",
		"  ratification (ratifiable when every required vote passes with probability ≥ 0.50): p: no parliament needed → ratifiable\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// Evaluate agrees with the what-if analysis on every outcome of the
// flagship: utilities, the parties below their reservation values, the
// ratification of each party, and whether a line (a red line, a meeting,
// a guarantor's consent) rules it out.
func TestEvaluateAgreesWithWhatIf(t *testing.T) {
	s, r := analyzeFile(t, flagship)
	g, err := newGrid(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := make([]int, len(s.Issues))
	for idx := 0; idx < g.size; idx++ {
		g.sp.Decode(uint64(idx), o)
		ids := map[string]string{}
		for i := range s.Issues {
			ids[s.Issues[i].ID] = s.Issues[i].Value(o[i])
		}
		e, err := r.Evaluate(ids, 0)
		if err != nil {
			t.Fatal(err)
		}
		d := g.deal(best{idx: idx}, DefaultMinRatification)
		// A guarantor's refusal is a line of the what-if grid (coalition.go),
		// which the evaluation lists among its guarantors.
		clear := len(e.Crosses) == 0
		for _, gu := range e.Guarantors {
			clear = clear && (gu.Backs || !gu.Asked)
		}
		for _, c := range e.Coalitions {
			clear = clear && c.Accepts
		}
		got := fmt.Sprint(e.Utilities, e.BelowReservation, e.Ratification, e.Ratifiable, clear)
		want := fmt.Sprint(d.Utilities, d.BelowReservation, d.Ratification, d.Ratifiable, g.cross[idx] == 0)
		if got != want {
			t.Fatalf("outcome %v: evaluation %s, what-if %s", ids, got, want)
		}
	}
}
