package scenario

import (
	"fmt"
	"strconv"

	"github.com/parleyhq/parley/decision"
)

// DecisionDef is how the negotiating parties agree on a deal: every veto
// party must accept it, and at least Quorum parties in all. Without it,
// every negotiating party must accept (unanimity).
type DecisionDef struct {
	Quorum int       `yaml:"quorum,omitempty" json:"quorum,omitempty" jsonschema_description:"How many negotiating parties must accept a deal (default: all of them)."`
	Veto   []string  `yaml:"veto,omitempty" json:"veto,omitempty" jsonschema_description:"Ids of the parties whose acceptance every deal needs."`
	Source *Citation `yaml:"source,omitempty" json:"source,omitempty"`
}

// decision resolves the decision rule; it needs the roles settled (the
// mediator neither votes nor counts towards the quorum).
func (v *validator) decision(f *File, s *Scenario) {
	d := f.Decision
	if d == nil || len(s.Parties) != len(f.Parties) {
		return
	}
	if d.Source != nil {
		v.citation(*d.Source, "decision.source")
	}
	n := len(s.Negotiators())
	if d.Quorum < 0 || d.Quorum > n {
		v.errorf("decision.quorum", "a quorum of %d: give how many of the %d negotiating parties must accept a deal, 1 to %d", d.Quorum, n, n)
	}
	r := decision.Rule{Quorum: d.Quorum}
	if d.Quorum == 0 {
		v.defaulted("decision.quorum", strconv.Itoa(n), "how many negotiating parties must accept a deal: all of them")
	}
	for k, id := range d.Veto {
		p := fmt.Sprintf("decision.veto[%d]", k)
		i := s.PartyIndex(id)
		switch {
		case i < 0:
			v.errorf(p, "veto party %q is not a party; parties are %s", id, partyIDs(s))
		case !s.Negotiates(i):
			v.errorf(p, "veto party %q is the mediator; only negotiating parties vote", id)
		case r.IsVeto(i):
			v.errorf(p, "veto party %q is listed twice", id)
		default:
			r.Veto = append(r.Veto, i)
		}
	}
	s.Decision = r
}

// NegotiatorRule is the scenario's decision rule over the negotiating
// parties, numbered as Negotiators lists them (the seats of a session, the
// parties of an analysis).
func (s *Scenario) NegotiatorRule() decision.Rule {
	r := decision.Rule{Quorum: s.Decision.Quorum}
	ns := s.Negotiators()
	for _, i := range s.Decision.Veto {
		for k, j := range ns {
			if j == i {
				r.Veto = append(r.Veto, k)
			}
		}
	}
	return r
}

// CheckDecision reports a decision rule that does not fit the scenario's
// negotiating parties: validation reports the same with positions;
// importers and code that builds scenarios by hand call this.
func (s *Scenario) CheckDecision() error {
	for _, i := range s.Decision.Veto {
		if i < 0 || i >= len(s.Parties) {
			return fmt.Errorf("decision rule: veto party %d is not one of the %d parties", i, len(s.Parties))
		}
		if !s.Negotiates(i) {
			return fmt.Errorf("decision rule: veto party %s is the mediator; only negotiating parties vote", s.Parties[i].ID)
		}
	}
	return s.NegotiatorRule().Check(len(s.Negotiators()))
}

// decisionDef is the on-disk form of the decision rule, nil for unanimity.
func (s *Scenario) decisionDef() *DecisionDef {
	if s.NegotiatorRule().Unanimous(len(s.Negotiators())) {
		return nil
	}
	d := &DecisionDef{Quorum: s.Decision.Quorum}
	for _, i := range s.Decision.Veto {
		d.Veto = append(d.Veto, s.Parties[i].ID)
	}
	return d
}

// DescribeDecision says the scenario's decision rule for people, naming
// the negotiating parties by id.
func (s *Scenario) DescribeDecision() string {
	ns := s.Negotiators()
	ids := make([]string, len(ns))
	for k, i := range ns {
		ids[k] = s.Parties[i].ID
	}
	return s.NegotiatorRule().Describe(ids)
}
