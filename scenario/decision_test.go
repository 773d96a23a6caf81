package scenario

import (
	"strings"
	"testing"
)

// council is four parties and a mediator between them, so that scenario
// party indices and negotiator positions differ.
const council = `parley: 1
name: council
issues:
  - id: x
    options: [{id: a}, {id: b}]
parties:
  - {id: p, weights: {x: 1}, values: {x: {a: 1, b: 0}}}
  - {id: m, role: mediator, weights: {x: 1}, values: {x: {a: 0, b: 0}}}
  - {id: q, weights: {x: 1}, values: {x: {a: 0, b: 1}}}
  - {id: r, weights: {x: 1}, values: {x: {a: 1, b: 1}}}
  - {id: s, weights: {x: 1}, values: {x: {a: 0, b: 1}}}
`

func TestDecision(t *testing.T) {
	s, err := Parse([]byte(council+"decision: {quorum: 3, veto: [q, s]}\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Decision; got.Quorum != 3 || len(got.Veto) != 2 || got.Veto[0] != 2 || got.Veto[1] != 4 {
		t.Errorf("scenario rule %+v, want quorum 3 and vetoes at party indices 2, 4", got)
	}
	// Negotiators are p, q, r, s: the vetoes are negotiators 1 and 3.
	if got := s.NegotiatorRule(); got.Quorum != 3 || len(got.Veto) != 2 || got.Veto[0] != 1 || got.Veto[1] != 3 {
		t.Errorf("negotiator rule %+v", got)
	}
	if got := s.DescribeDecision(); got != "3 of 4 parties, including q and s" {
		t.Errorf("%q", got)
	}
	if err := s.CheckDecision(); err != nil {
		t.Error(err)
	}
	// Written and read back, the rule stays.
	data, err := s.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "decision:\n  quorum: 3\n  veto:\n    - q\n    - s\n") {
		t.Errorf("written as:\n%s", data)
	}
	// Without a rule: unanimity, and nothing is written.
	s, err = Parse([]byte(council), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !s.NegotiatorRule().Unanimous(4) || s.DescribeDecision() != "unanimity (all 4 parties)" {
		t.Errorf("%+v %q", s.Decision, s.DescribeDecision())
	}
	if data, _ := s.MarshalYAML(); strings.Contains(string(data), "decision") {
		t.Errorf("unanimity written:\n%s", data)
	}
}

func TestDecisionErrors(t *testing.T) {
	for _, c := range []struct{ decision, want string }{
		{"{quorum: 5}", "c.yaml:12:20: a quorum of 5: give how many of the 4 negotiating parties must accept a deal, 1 to 4"},
		{"{quorum: 2.5}", `c.yaml:12:20: "decision.quorum" must be a whole number`},
		{"{veto: [z]}", `c.yaml:12:19: veto party "z" is not a party; parties are p, m, q, r, s`},
		{"{veto: [m]}", `c.yaml:12:19: veto party "m" is the mediator; only negotiating parties vote`},
		{"{veto: [q, q]}", `c.yaml:12:22: veto party "q" is listed twice`},
		{"{quorum: 2, vetoes: [q]}", `c.yaml:12:23: unknown field "vetoes" in "decision"`},
	} {
		_, err := Parse([]byte(council+"decision: "+c.decision+"\n"), "c.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %q", c.decision, err, c.want)
		}
	}
}
