package decision

import (
	"strings"
	"testing"
)

// TestRuleEverySubset checks Accepts and Agrees against the rule's
// definition over every set of accepting parties, for unanimity, a plain
// quorum and the LLM-Deliberation rule (n−1 of n, parties 3 and 4 among
// them).
func TestRuleEverySubset(t *testing.T) {
	const n = 6
	rules := []struct {
		name string
		r    Rule
		want func(set []bool, yes int) bool
	}{
		{"unanimity", Rule{}, func(_ []bool, yes int) bool { return yes == n }},
		{"quorum 4", Rule{Quorum: 4}, func(_ []bool, yes int) bool { return yes >= 4 }},
		{"n-1 with vetoes", Rule{Quorum: n - 1, Veto: []int{3, 4}}, func(s []bool, yes int) bool { return yes >= n-1 && s[3] && s[4] }},
		{"vetoes beyond the quorum", Rule{Quorum: 1, Veto: []int{0, 5}}, func(s []bool, _ int) bool { return s[0] && s[5] }},
	}
	for _, c := range rules {
		if err := c.r.Check(n); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		agreed := 0
		for mask := 0; mask < 1<<n; mask++ {
			set := make([]bool, n)
			yes, vetoYes := 0, 0
			for p := range set {
				if set[p] = mask&(1<<p) != 0; set[p] {
					yes++
					if c.r.IsVeto(p) {
						vetoYes++
					}
				}
			}
			want := c.want(set, yes)
			if got := c.r.Accepts(set); got != want {
				t.Errorf("%s: Accepts(%v) = %v, want %v", c.name, set, got, want)
			}
			if got := c.r.Agrees(n, yes, vetoYes); got != want {
				t.Errorf("%s: Agrees(%d, %d, %d) = %v, want %v", c.name, n, yes, vetoYes, got, want)
			}
			if want {
				agreed++
			}
		}
		// The sets each rule accepts, counted by hand: 1; C(6,4)+C(6,5)+1 = 22;
		// the 4 supersets of {3,4} with at most one other party missing,
		// 4 + 1 = 5; and the 16 supersets of {0,5}.
		wantCount := map[string]int{"unanimity": 1, "quorum 4": 22, "n-1 with vetoes": 5, "vetoes beyond the quorum": 16}[c.name]
		if agreed != wantCount {
			t.Errorf("%s accepts %d sets, want %d", c.name, agreed, wantCount)
		}
	}
}

func TestRuleUnanimousAndNeed(t *testing.T) {
	for _, c := range []struct {
		r         Rule
		n, need   int
		unanimous bool
	}{
		{Rule{}, 3, 3, true},
		{Rule{Quorum: 3}, 3, 3, true},
		{Rule{Quorum: 2}, 3, 2, false},
		{Rule{Quorum: 1, Veto: []int{0, 1}}, 3, 2, false},
		{Rule{Quorum: 1, Veto: []int{0, 1}}, 2, 2, true},
		{Rule{Quorum: 5, Veto: []int{0}}, 6, 5, false},
	} {
		if got := c.r.Need(c.n); got != c.need {
			t.Errorf("%+v.Need(%d) = %d, want %d", c.r, c.n, got, c.need)
		}
		if got := c.r.Unanimous(c.n); got != c.unanimous {
			t.Errorf("%+v.Unanimous(%d) = %v, want %v", c.r, c.n, got, c.unanimous)
		}
	}
}

func TestRuleCheck(t *testing.T) {
	for _, c := range []struct {
		r    Rule
		want string
	}{
		{Rule{Quorum: 7}, "a quorum of 7 among 6 parties"},
		{Rule{Quorum: -1}, "a quorum of -1"},
		{Rule{Veto: []int{6}}, "veto party 6 is not one of the 6 parties"},
		{Rule{Veto: []int{2, 2}}, "veto party 2 is listed twice"},
	} {
		err := c.r.Check(6)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	names := []string{"Mayor", "Other cities", "Union", "SportCo", "Department of Tourism", "Environmental League"}
	for _, c := range []struct {
		r    Rule
		want string
	}{
		{Rule{}, "unanimity (all 6 parties)"},
		{Rule{Quorum: 4}, "4 of 6 parties"},
		{Rule{Quorum: 5, Veto: []int{3, 4}}, "5 of 6 parties, including SportCo and Department of Tourism"},
		{Rule{Quorum: 3, Veto: []int{0, 1, 2}}, "3 of 6 parties, including Mayor, Other cities and Union"},
	} {
		if got := c.r.Describe(names); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}

func TestAgreesAllocatesNothing(t *testing.T) {
	r := Rule{Quorum: 5, Veto: []int{3, 4}}
	if a := testing.AllocsPerRun(100, func() { r.Agrees(6, 5, 2) }); a != 0 {
		t.Errorf("%v allocations", a)
	}
}
