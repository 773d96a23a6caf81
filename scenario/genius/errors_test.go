package genius

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const okDomain = `<negotiation_template>
<utility_space number_of_issues="2">
<objective index="0" name="root" type="objective">
  <issue index="1" name="Colour" type="discrete" vtype="discrete">
    <item index="1" value="red"/> <item index="2" value="blue"/>
  </issue>
  <issue index="2" name="Count" type="integer" lowerbound="3" upperbound="7"/>
</objective>
</utility_space>
</negotiation_template>
`

func parse(t *testing.T, domain, profile string) error {
	t.Helper()
	d, err := ParseDomain(strings.NewReader(domain), "d.xml")
	if err != nil {
		return err
	}
	_, err = ParseProfile(strings.NewReader(profile), "p.xml", d)
	return err
}

func TestMalformedInputsArePositioned(t *testing.T) {
	cases := []struct {
		name, domain, profile string
		want                  []string
	}{
		{"syntax", okDomain, "<utility_space>\n<objective>\n</utility_space>", []string{"p.xml:3:", "XML syntax error"}},
		{"missing evaluation", okDomain, `<utility_space>
<objective index="0">
<issue index="1" type="discrete"><item value="red" evaluation="3"/><item value="blue"/></issue>
<issue index="2" type="integer" lowerbound="3" upperbound="7"><evaluator ftype="linear" slope="0.1" offset="0.2"/></issue>
<weight index="1" value="0.5"/><weight index="2" value="0.5"/>
</objective></utility_space>`, []string{`p.xml:3:1: issue "Colour" (index 1): value "blue" has no evaluation`}},
		{"no weight and bad number", okDomain, `<utility_space>
<objective index="0">
  <issue index="1" type="discrete"><item value="red" evaluation="3"/><item value="blue" evaluation="x"/></issue>
  <issue index="2" type="integer" lowerbound="3" upperbound="7"/>
  <weight index="1" value="0.5"/>
</objective></utility_space>`, []string{`p.xml:3:70: issue "Colour" (index 1): evaluation="x" of value "blue" is not a finite number`,
			`p.xml:1:1: issue "Count" (index 2) of the domain has no evaluator`}},
		{"discrete on integer", okDomain, `<utility_space><objective index="0">
<issue index="1"><item value="red" evaluation="3"/><item value="blue" evaluation="1"/></issue>
<issue index="2" name="Count"><item value="3" evaluation="1"/></issue>
<weight index="1" value="0.5"/><weight index="2" value="0.5"/>
</objective></utility_space>`, []string{`p.xml:3:1: issue "Count" (index 2) is integer in the domain, but the profile has no type attribute`}},
		{"huge integer issue", `<negotiation_template><utility_space><objective index="0">
<issue index="1" name="n" type="integer" lowerbound="0" upperbound="1000000000000"/></objective></utility_space></negotiation_template>`, "",
			[]string{`d.xml:2:1: integer issue "n": upperbound="1000000000000" is not an integer`}},
		{"too many values", `<negotiation_template><utility_space><objective index="0">
<issue index="1" name="n" type="integer" lowerbound="-2000000000" upperbound="2000000000"/></objective></utility_space></negotiation_template>`, "",
			[]string{`d.xml:2:1: integer issue "n" has 4000000001 values`, "at most 1000000"}},
		{"nonlinear", okDomain, `<utility_space type="nonlinear"/>`, []string{"p.xml:1:1: non-linear profile has no child element"}},
		{"wrong root", okDomain, `<negotiation_template/>`, []string{"p.xml:1:1: root element is <negotiation_template>"}},
		{"domain duplicates", `<negotiation_template><utility_space><objective index="0">
<issue index="1" name="a"><item value="x"/><item value="x"/></issue>
<issue index="2" name="b"><item value="y"/></issue>
<issue index="2" name="d"><item value="y"/></issue>
<issue index="4" name="b"><item value="y"/></issue>
<issue index="3" name="c" type="real"/>
</objective></utility_space></negotiation_template>`, "", []string{
			`d.xml:2:44: issue "a" lists value "x" twice`, `d.xml:4:1: issue "d" has index 2, already used by issue "b" at d.xml:3:1`,
			`d.xml:5:1: issue name "b" is used twice`, `d.xml:6:1: real issue "c" has no <range`}},
		{"not xml", "0.5, 1.0\n", "", []string{"d.xml"}},
		{"empty", "", "", []string{"d.xml: no XML element"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := parse(t, c.domain, c.profile)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

// TestSemantics pins the Genius rules on a small hand-written scenario.
func TestSemantics(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("domain.xml", okDomain)
	// b.xml sorts before c.xml; notes.txt and junk.xml are ignored.
	write("c.xml", `<utility_space><objective index="0">
<issue index="2" type="integer" lowerbound="3" upperbound="7"><evaluator ftype="linear" slope="0.5" offset="-0.2"/></issue>
<issue index="1" type="discrete"><item value="red" evaluation="0"/><item value="blue" evaluation="0.000001"/></issue>
<weight index="1" value="0.7"/><weight index="2" value="0.6"/>
</objective><discount_factor value="0"/><reservation value="0.3"/></utility_space>`)
	write("b.xml", `<utility_space><objective index="0">
<issue index="1" type="discrete"><item value="red" evaluation="4"/><item value="blue" evaluation="1"/><item value="green" evaluation="8"/></issue>
<issue index="2" type="integer" lowerbound="3" upperbound="7"/>
<weight index="1" value="0.25"/><weight index="2" value="0.25"/>
</objective><discount_factor value="0.5"/></utility_space>`)
	write("notes.txt", "hello")
	write("junk.xml", "1, 2\n")
	sd, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sd.Ignored, ","); got != "junk.xml,notes.txt" {
		t.Errorf("ignored %q", got)
	}
	s, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Parties[0].ID != "b" || s.Parties[1].ID != "c" {
		t.Fatalf("party order %q %q", s.Parties[0].ID, s.Parties[1].ID)
	}
	b, c := s.Utility(0), s.Utility(1)
	// Discrete: divided by the max over all profile items (green, not in the domain).
	if b.Evals[0][0] != 0.5 || b.Evals[0][1] != 0.125 {
		t.Errorf("b discrete evals %v", b.Evals[0])
	}
	// Missing evaluator: slope = offset = 0.
	for _, e := range b.Evals[1] {
		if e != 0 {
			t.Errorf("b integer evals %v", b.Evals[1])
		}
	}
	if b.Reservation != 0 || b.Discount != 0.5 {
		t.Errorf("b rv %v d %v", b.Reservation, b.Discount)
	}
	// Max below 0.00001 → all zero.
	if c.Evals[0][0] != 0 || c.Evals[0][1] != 0 {
		t.Errorf("c discrete evals %v", c.Evals[0])
	}
	// Integer: clamp(-0.2 + 0.5*(v-3)) for v = 3..7.
	want := []float64{0, 0.3, 0.8, 1, 1}
	for v, w := range want {
		if got := c.Evals[1][v]; got != w {
			t.Errorf("c integer e(%d) = %v, want %v", v+3, got, w)
		}
	}
	if c.Weights[0] != 0.7 || c.Weights[1] != 0.6 {
		t.Errorf("weights not as written: %v", c.Weights)
	}
	if c.Discount != 1 || c.Reservation != 0.3 {
		t.Errorf("c rv %v d %v (discount 0 must become 1)", c.Reservation, c.Discount)
	}
	if hi, _ := c.Max(); hi != 0.6 {
		t.Errorf("c max %v", hi)
	}
}
