package negmas

import (
	"math"
	"strings"
	"testing"
)

// TestReadMixed reads a hand-made folder with every value function parley
// reads and checks utilities worked out by hand with NegMAS's rules.
func TestReadMixed(t *testing.T) {
	f, err := ReadDir("testdata/mixed")
	if err != nil {
		t.Fatal(err)
	}
	s := f.Scenario
	if s.Name != "mixed" || len(s.Parties) != 2 || s.Parties[0].ID != "alice" || s.Parties[1].ID != "bob" {
		t.Fatalf("scenario %q, parties %+v", s.Name, s.Parties)
	}
	if got := s.Issues[1]; got.Min != 1 || got.Max != 4 || got.Size() != 4 {
		t.Errorf("qty: %+v", got)
	}
	if got := s.Issues[2].Options[2].ID; got != "3" {
		t.Errorf("size's third value is %q, want 3", got)
	}
	ua, ub := s.Utility(0), s.Utility(1)
	raw := func(tb [][]float64, o []int) float64 {
		x := 0.0
		for i, v := range o {
			x += tb[i][v]
		}
		return x
	}
	for _, c := range []struct {
		o    []int
		a, b float64
	}{
		// alice: 0.1 + 0.5·colour + 0.3·(0.25·qty − 0.25) + 0.2·size
		// bob:   0.5·colour + 0.5·(0.2·qty) + 1·0 (size: weight 1, ConstFun 0)
		{[]int{0, 0, 0}, 0.1 + 0.5*1 + 0.3*0 + 0.2*1, 0.5*0 + 0.5*0.2},
		{[]int{1, 3, 2}, 0.1 + 0.5*0.5 + 0.3*0.75 + 0.2*3, 0.5*1 + 0.5*0.8},
		{[]int{2, 1, 1}, 0.1 + 0.5*0 + 0.3*0.25 + 0.2*2, 0.5*0.5 + 0.5*0.4},
	} {
		if got := raw(ua.Table, c.o); math.Abs(got-c.a) > 1e-12 {
			t.Errorf("alice%v = %v, want %v", c.o, got, c.a)
		}
		if got := raw(ub.Table, c.o); math.Abs(got-c.b) > 1e-12 {
			t.Errorf("bob%v = %v, want %v", c.o, got, c.b)
		}
	}
	// NegMAS's reserved values: alice's as written; bob's outer function
	// gives none, so −inf (the inner 0.3 is not used), which parley's
	// party holds as its lowest utility, 0.5·0 + 0.5·0.2.
	if f.Reserved[0] != -0.05 || !math.IsInf(f.Reserved[1], -1) {
		t.Errorf("reserved %v", f.Reserved)
	}
	if rv := s.Parties[1].Prefs.Reservation; math.Abs(rv-0.1) > 1e-15 {
		t.Errorf("bob's reservation %v, want his lowest utility 0.1", rv)
	}
	if d := s.Parties[1].Prefs.Discount; d != 0.9 {
		t.Errorf("bob's discount %v, want 0.9 (relative_time is parley's normalised time)", d)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "party alice: utilities reach 1.425") {
		t.Errorf("warnings %q", s.Warnings)
	}
	if f.Info["n_steps"] != "100" {
		t.Errorf("info %v", f.Info)
	}
	st, err := f.Stats()
	if err != nil {
		t.Fatal(err)
	}
	// alice's best: red, qty 4, size 3: 0.1 + 0.5 + 0.225 + 0.6.
	if got := st.UtilityRanges[0][1]; math.Abs(got-1.425) > 1e-12 {
		t.Errorf("alice's maximum %v, uncapped, want 1.425", got)
	}
}

func TestReadErrors(t *testing.T) {
	_, err := ReadDir("testdata/bad")
	want := []string{
		"testdata/bad/domain.yml:4:24: issue \"colour\" lists value \"red\" twice",
		"testdata/bad/domain.yml:7:11: issue \"qty\": the range 5..1 is empty",
		"testdata/bad/domain.yml:9:9: issue \"price\" has type \"FancyIssue\"",
	}
	checkErrors(t, err, want)
	_, err = ReadDir("testdata/badufun")
	checkErrors(t, err, []string{
		"testdata/badufun/u1.yml:3:17: reserved_value must be a number or -.inf",
		"testdata/badufun/u1.yml:4:1: LinearAdditiveUtilityFunction: unknown field \"colour_weight\"",
		"testdata/badufun/u1.yml:5:10: weights has 2 entries for 3 issues",
		"testdata/badufun/u1.yml:8:35: the value function of issue \"colour\" names \"purple\", which is not a value of issue \"colour\"",
		"testdata/badufun/u1.yml:8:12: the value function of issue \"colour\" gives no value for blue",
		"testdata/badufun/u2.yml:4:7: the value function of issue \"colour\" is numeric (IdentityFun) but value \"red\" is not a number",
		"testdata/badufun/u1.yml:9:9: the value function of issue \"qty\" has type \"PolynomialFun\"",
		"testdata/badufun/u1.yml:12:10: the value function of issue \"size\": slope must be a finite number",
	})
}

func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
