package analysis

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// committee has four negotiating parties and a mediator (listed second, so
// that party indices and negotiator positions differ), two issues, a red
// line, and the rule "3 of 4, r among them".
const committee = `parley: 1
name: committee
issues:
  - id: x
    options: [{id: a}, {id: b}, {id: c}]
  - id: y
    options: [{id: d}, {id: e}]
parties:
  - {id: p, reservation: 0.5, weights: {x: 0.5, y: 0.5}, values: {x: {a: 1, b: 0.5, c: 0}, y: {d: 1, e: 0}}}
  - {id: m, role: mediator, weights: {x: 1, y: 0}, values: {x: {a: 0, b: 0, c: 0}, y: {d: 0, e: 0}}}
  - {id: q, reservation: 0.5, weights: {x: 0.5, y: 0.5}, values: {x: {a: 0, b: 0.5, c: 1}, y: {d: 0, e: 1}}}
  - id: r
    reservation: 0.25
    weights: {x: 0.5, y: 0.5}
    values: {x: {a: 0.5, b: 1, c: 0.5}, y: {d: 0.5, e: 0.5}}
    red_lines: [{id: no-ad, forbid: {x: [a], y: [d]}}]
  - {id: s, reservation: 0.75, weights: {x: 1, y: 0}, values: {x: {a: 1, b: 1, c: 0}, y: {d: 0, e: 0}}}
decision: {quorum: 3, veto: [r]}
`

// TestCountAgreement counts the committee's deals by hand: the utilities
// of p, q, r, s for each of the six deals, who accepts each, and the rule.
func TestCountAgreement(t *testing.T) {
	s, err := scenario.Parse([]byte(committee), "committee.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := CountAgreement(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// deal   p     q     r            s     accepting
	// a,d    1     0     0.75 (red)   1     p, s        → r vetoes
	// b,d    0.75  0.25  0.75         1     p, r, s     → passes
	// c,d    0.5   0.5   0.5          0     p, q, r     → passes
	// a,e    0.5   0.5   0.5          1     all         → passes, unanimous
	// b,e    0.25  0.75  0.75         1     q, r, s     → passes
	// c,e    0     1     0.5          0     q, r        → fails
	if a.Feasible != 4 || a.Unanimous != 1 || a.Quorum != 3 || strings.Join(a.Veto, ",") != "r" {
		t.Errorf("%+v", a)
	}
	want := map[string][2]uint64{"p": {4, 3}, "q": {4, 3}, "r": {5, 4}, "s": {4, 3}}
	for _, pa := range a.Parties {
		if w := want[pa.ID]; pa.Accepts != w[0] || pa.Feasible != w[1] || len(pa.Deals) != int(w[0]) {
			t.Errorf("%s: %+v, want %v", pa.ID, pa, w)
		}
	}
	// Feasible deals in enumeration order (x fastest): (b,d), (c,d), (a,e), (b,e).
	var got []string
	for _, d := range a.Deals {
		got = append(got, d["x"]+d["y"])
	}
	if strings.Join(got, " ") != "bd cd ae be" {
		t.Errorf("deals %v", got)
	}
	if a.Rule != "3 of 4 parties, including r" {
		t.Errorf("rule %q", a.Rule)
	}
}

// TestReportAgreement: Analyze adds the rule's zone to the report, text and
// JSON, and Judge judges one deal by it.
func TestReportAgreement(t *testing.T) {
	s, err := scenario.Parse([]byte(committee), "committee.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Agreement == nil || r.Agreement.Feasible != 4 || r.Zopa.Count != 1 {
		t.Fatalf("agreement %+v, zopa %+v", r.Agreement, r.Zopa)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Decision rule: 3 of 4 parties, including r\n", "Feasible deals (the rule accepts them): 4 of 6 (66.67%); every party accepts 1\n", "  x=b, y=d\n"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, b.String())
		}
	}
	js, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(js), `"agreement":{"rule":"3 of 4 parties, including r","quorum":3,"veto":["r"],"feasible":4,"unanimous":1`) {
		t.Errorf("%v %s", err, js)
	}
	// (b,e): q, r and s accept; p does not.
	v := r.Judge([]int{1, 1})
	if !v.Passes || v.Unanimous || v.Accepts[0] || !v.Accepts[1] || v.Utilities[0] != 0.25 {
		t.Errorf("(b,e): %+v", v)
	}
	// (a,d) crosses r's red line: r, a veto party, does not accept.
	if v := r.Judge([]int{0, 0}); v.Passes || v.Accepts[2] {
		t.Errorf("(a,d): %+v", v)
	}
	// Without the rule, no agreement section.
	s2, err := scenario.Parse([]byte(strings.Replace(committee, "decision: {quorum: 3, veto: [r]}\n", "", 1)), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r2, err := Analyze(s2, Options{}); err != nil || r2.Agreement != nil {
		t.Errorf("unanimity: %v %+v", err, r2.Agreement)
	} else if v := r2.Judge([]int{1, 1}); v.Passes {
		t.Errorf("unanimity passes (b,e): %+v", v)
	}
}
