package genius

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

const nlDomain = `<negotiation_template><utility_space><objective index="0" name="root">
  <issue index="1" name="A" type="integer" lowerbound="0" upperbound="4"/>
  <issue index="2" name="B" type="integer" lowerbound="10" upperbound="12"/>
  <issue index="3" name="C"><item value="x"/><item value="y"/></issue>
</objective></utility_space></negotiation_template>`

// nlProfile exercises every rule: the outer ufun's weight (ignored), case
// in type and aggregation, INCLUDES on two issues, EXCLUDES with a
// rectangle weight, a rectangle without bounds, an inner ufun with an
// unknown aggregation (a sum) and a weight, a bound past the issue's
// range, the clamp, and reservation and discount read at the root.
const nlProfile = `<utility_space type="NonLinear">
<objective index="0">
 <issue index="1" name="A" type="integer" lowerbound="0" upperbound="4"/>
 <utility maxutility="10">
  <ufun type="PlainUfun" aggregation="SUM" weight="5">
   <hyperRectangle utility="4"><INCLUDES index="1" min="1" max="2"/><INCLUDES index="2" min="11" max="12"/></hyperRectangle>
   <hyperRectangle utility="3" weight="2"><EXCLUDES index="1" min="0" max="1"/></hyperRectangle>
   <hyperRectangle utility="1"/>
   <ufun aggregation="whatever" weight="0.5">
    <hyperRectangle utility="6"><INCLUDES index="2" min="12" max="99"/></hyperRectangle>
   </ufun>
  </ufun>
 </utility>
</objective>
<reservation value="0.25"/>
<discount_factor value="0.9"/>
</utility_space>`

func parseNL(t *testing.T, domain, profile string) (*scenario.Scenario, error) {
	t.Helper()
	d, err := ParseDomain(strings.NewReader(domain), "d.xml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProfile(strings.NewReader(profile), "p.xml", d)
	if err != nil {
		return nil, err
	}
	return &scenario.Scenario{Issues: d.Issues, Parties: []scenario.Party{{ID: "p", Prefs: *p}}}, nil
}

// TestNonlinearSemantics checks utilities worked out by hand from Genius's
// rules (NonlinearUtilitySpace, UtilityFunction, Inclusive- and
// ExclusiveHyperRectangle).
func TestNonlinearSemantics(t *testing.T) {
	s, err := parseNL(t, nlDomain, nlProfile)
	if err != nil {
		t.Fatal(err)
	}
	u := s.Utility(0)
	if u.Reservation != 0.25 || u.Discount != 0.9 {
		t.Errorf("reservation %v, discount %v", u.Reservation, u.Discount)
	}
	if s.Parties[0].Disinterested() {
		t.Error("a party made of terms counts as disinterested")
	}
	// A=a (value index a), B=b (index b-10), C either value.
	for _, c := range []struct {
		a, b int
		want float64
	}{
		{0, 10, 0.1}, // the rectangle without bounds: 1/10
		{2, 12, 1},   // 4 + 3·2 + 1 + 0.5·6 = 14, clamped
		{1, 11, 0.5}, // 4 + 1
		{3, 12, 1},   // 6 + 1 + 3
		{4, 11, 0.7}, // 6 + 1
		{1, 12, 0.8}, // 4 + 1 + 3
	} {
		for cv := range 2 {
			if got := u.Utility([]int{c.a, c.b - 10, cv}); math.Abs(got-c.want) > 1e-15 {
				t.Errorf("u(A=%d, B=%d) = %v, want %v", c.a, c.b, got, c.want)
			}
		}
	}
}

// TestNonlinearANAC2014: the shipped 10issues profiles load as terms, and
// a utility worked out by hand from profile-1.xml matches.
func TestNonlinearANAC2014(t *testing.T) {
	s, err := LoadDir(filepath.Join(domainsDir(t), "ANAC2014_10issues"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Parties) != 2 || len(s.Parties[0].Prefs.Terms) != 20 || len(s.Parties[1].Prefs.Terms) != 20 {
		t.Fatalf("%d parties, terms %d and %d", len(s.Parties), len(s.Parties[0].Prefs.Terms), len(s.Parties[1].Prefs.Terms))
	}
	// Every issue at 0: profile-1's rectangles of utility 27, 56, 1, 9 and
	// 93 hold, of 662.
	if got, want := s.Utility(0).Utility(make([]int, 10)), 186.0/662; math.Abs(got-want) > 1e-15 {
		t.Errorf("u1(0, ..., 0) = %v, want %v", got, want)
	}
	// Every issue at 9 (c1-i2 is Genius index 9): 97? no (index 9 max 7);
	// 13 (index 9 = 9); 21 (index 4 = 9, 9 in [6,9], index 10 = 9 not in
	// [0,8]): no; 4: index 1 = 9 not in [0,5]: no; 45: index 10 = 9 not in
	// [0,7]: no; 32: index 6 = 9 not in [0,7]: no. Only 13.
	nine := []int{9, 9, 9, 9, 9, 9, 9, 9, 9, 9}
	if got, want := s.Utility(0).Utility(nine), 13.0/662; math.Abs(got-want) > 1e-15 {
		t.Errorf("u1(9, ..., 9) = %v, want %v", got, want)
	}
}

func TestNonlinearErrorsArePositioned(t *testing.T) {
	wrap := func(ufun string) string {
		return "<utility_space type=\"nonlinear\">\n<objective index=\"0\">\n<utility maxutility=\"10\">\n" + ufun + "\n</utility>\n</objective>\n</utility_space>"
	}
	big := `<negotiation_template><utility_space><objective index="0">
<issue index="1" name="n" type="integer" lowerbound="0" upperbound="999999"/></objective></utility_space></negotiation_template>`
	cases := []struct {
		name, domain, profile string
		want                  []string
	}{
		{"empty", nlDomain, `<utility_space type="nonlinear"/>`, []string{"p.xml:1:1: non-linear profile has no child element"}},
		{"no utility", nlDomain, "<utility_space type=\"nonlinear\">\n<objective/>\n</utility_space>", []string{"p.xml:2:1: <objective>, the first child", "no <utility maxutility=...>"}},
		{"no maxutility", nlDomain, "<utility_space type=\"nonlinear\">\n<objective><utility><ufun aggregation=\"sum\"/></utility></objective>\n</utility_space>",
			[]string{"p.xml:2:12: <utility> has no maxutility attribute"}},
		{"zero maxutility", nlDomain, "<utility_space type=\"nonlinear\">\n<objective><utility maxutility=\"0\"><ufun aggregation=\"sum\"/></utility></objective>\n</utility_space>",
			[]string{"p.xml:2:12: <utility> has maxutility=0", "above 0"}},
		{"no ufun", nlDomain, "<utility_space type=\"nonlinear\">\n<objective><utility maxutility=\"5\"/></objective>\n</utility_space>", []string{"p.xml:2:12: <utility> has no <ufun> child"}},
		{"no aggregation", nlDomain, wrap(`<ufun/>`), []string{"p.xml:4:1: <ufun> has no aggregation attribute"}},
		{"min", nlDomain, wrap(`<ufun aggregation="min"/>`), []string{`p.xml:4:1: <ufun aggregation="min"> is not supported`}},
		{"inner max", nlDomain, wrap(`<ufun aggregation="sum"><ufun aggregation="MAX"/></ufun>`), []string{`p.xml:4:25: <ufun aggregation="MAX"> is not supported`}},
		{"discrete bound", nlDomain, wrap(`<ufun aggregation="sum"><hyperRectangle utility="1"><INCLUDES index="3" min="0" max="1"/></hyperRectangle></ufun>`),
			[]string{`p.xml:4:53: <INCLUDES> bounds issue "C" (index 3), which is discrete`, "integer issues only"}},
		{"unknown issue", nlDomain, wrap(`<ufun aggregation="sum"><hyperRectangle utility="1"><EXCLUDES index="7" min="0" max="1"/></hyperRectangle></ufun>`),
			[]string{"p.xml:4:53: <EXCLUDES> bounds issue index 7, which the domain does not have"}},
		{"both", nlDomain, wrap(`<ufun aggregation="sum"><hyperRectangle utility="1"><INCLUDES index="1" min="0" max="1"/><EXCLUDES index="1" min="0" max="1"/></hyperRectangle></ufun>`),
			[]string{"p.xml:4:25: <hyperRectangle> has both <INCLUDES> and <EXCLUDES>"}},
		{"bad numbers", nlDomain, wrap(`<ufun aggregation="sum"><hyperRectangle utility="NaN" weight="x"><INCLUDES index="1" min="a"/></hyperRectangle><ufun aggregation="sum" weight=""/></ufun>`),
			[]string{`p.xml:4:25: <hyperRectangle>: utility="NaN" is not a finite number`, `p.xml:4:25: <hyperRectangle>: weight="x" is not a finite number`,
				`p.xml:4:66: <INCLUDES>: min="a" is not an integer`, `p.xml:4:66: <INCLUDES> has no max attribute`, `p.xml:4:112: <ufun>: weight="" is not a finite number`}},
		{"too many flags", big, wrap(`<ufun aggregation="sum">` + strings.Repeat(`<hyperRectangle utility="1"><INCLUDES index="1" min="0" max="5"/></hyperRectangle>`, 18) + `</ufun>`),
			[]string{"bound issues of 17000000 values in all so far, more than parley reads in one profile (16777216)"}},
		{"unknown type", nlDomain, `<utility_space type="constraint"/>`, []string{`p.xml:1:1: utility space type "constraint" is not supported`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseNL(t, c.domain, c.profile)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

// FuzzParseNonlinear parses non-linear profiles against the 10issues
// domain: an accepted profile gives terms on that domain's issues, with
// one flag per value and finite values.
func FuzzParseNonlinear(f *testing.F) {
	root := fuzzRoot()
	domain, err := os.ReadFile(filepath.Join(root, "ANAC2014_10issues", "10issues-domain.xml"))
	if err != nil {
		domain = []byte(nlDomain)
	}
	d, err := ParseDomain(bytes.NewReader(domain), "d.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(nlProfile))
	seedFiles(f, root)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(bytes.NewReader(data), "p.xml", d)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		flags := 0
		for _, term := range p.Terms {
			if math.IsNaN(term.Value) || math.IsInf(term.Value, 0) {
				t.Fatalf("term value %v", term.Value)
			}
			if len(term.Issues) != len(term.Allowed) {
				t.Fatalf("%d issues, %d flag sets", len(term.Issues), len(term.Allowed))
			}
			for j, i := range term.Issues {
				if i < 0 || i >= len(d.Issues) || len(term.Allowed[j]) != d.Issues[i].Size() {
					t.Fatalf("term on issue %d with %d flags", i, len(term.Allowed[j]))
				}
				flags += len(term.Allowed[j])
			}
		}
		if flags > MaxTermFlags {
			t.Fatalf("%d flags", flags)
		}
	})
}
