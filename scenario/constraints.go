package scenario

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/utility"
)

// Constraint is a combination of clauses that no deal may contain,
// whoever prefers it: a guarantee that is incoherent without the troops
// that back it. Unlike a red line it belongs to no party: it removes
// outcomes for everyone (UtilityOf adds it to every party's utility, after
// the party's own red lines, as a red line named ConstraintPrefix + ID).
type Constraint struct {
	ID          string
	Description string
	Quote       string // the source's quote, or the assumption's why
	Document    string // the source's id; "" when the constraint is assumed
	Forbid      utility.Constraint
}

// ConstraintPrefix starts the id of the red line that carries a scenario
// constraint in a party's utility ("constraint guarantee_needs_troops").
const ConstraintPrefix = "constraint "

// ConstraintLines are the scenario's constraints as red lines, in file
// order: the last red lines of every party's compiled utility.
func (s *Scenario) ConstraintLines() []utility.RedLine {
	if len(s.Constraints) == 0 {
		return nil
	}
	out := make([]utility.RedLine, len(s.Constraints))
	for k := range s.Constraints {
		out[k] = utility.RedLine{ID: ConstraintPrefix + s.Constraints[k].ID, Constraint: s.Constraints[k].Forbid}
	}
	return out
}

// Forbidden returns the index of the first constraint outcome o breaks,
// or -1.
func (s *Scenario) Forbidden(o []int) int {
	for k := range s.Constraints {
		if s.Constraints[k].Forbid.Match(o) {
			return k
		}
	}
	return -1
}

// DescribeConstraint says what constraint k forbids, for messages:
// `guarantees = article5_like with troops = none`.
func (s *Scenario) DescribeConstraint(k int) string {
	c := &s.Constraints[k].Forbid
	parts := make([]string, len(c.Issues))
	for j, i := range c.Issues {
		is := &s.Issues[i]
		var vals []string
		for v, ok := range c.Allowed[j] {
			if ok {
				vals = append(vals, is.Value(v))
			}
		}
		parts[j] = is.ID + " = " + strings.Join(vals, " or ")
	}
	return strings.Join(parts, " with ")
}

// constraintSearchNodes bounds validation's search for an outcome that
// breaks no constraint; past it the constraints are not judged together.
const constraintSearchNodes = 1_000_000

// constraints resolves the file's constraints: an id, what they forbid,
// why (a source or an assumption), and that some outcome is left.
func (v *validator) constraints(f *File, s *Scenario) {
	ids := map[string]bool{}
	for k, d := range f.Constraints {
		p := fmt.Sprintf("constraints[%d]", k)
		switch {
		case strings.TrimSpace(d.ID) == "":
			v.errorf(p, "constraint %d needs an id", k+1)
		case ids[d.ID]:
			v.errorf(join(p, "id"), "constraint %q appears twice", d.ID)
		}
		ids[d.ID] = true
		c := Constraint{ID: d.ID, Description: d.Description}
		switch {
		case d.Source != nil && d.Assumption != nil:
			v.errorf(p, "constraint %q has both a source and an assumption; give one", d.ID)
		case d.Source != nil:
			v.citation(*d.Source, join(p, "source"))
			c.Quote, c.Document = d.Source.Quote, d.Source.Document
		case d.Assumption != nil:
			if strings.TrimSpace(d.Assumption.Why) == "" {
				v.errorf(join(p, "assumption"), "the assumption behind constraint %q needs a why", d.ID)
			}
			if d.Assumption.Range != nil {
				v.errorf(join(p, "assumption.range"), "constraint %q is a combination of clauses, not a number: its assumption takes no range", d.ID)
			}
			c.Quote = d.Assumption.Why
		default:
			v.errorf(p, "constraint %q removes deals for every party: say why, with a source {document, quote} or an assumption {why}", d.ID)
		}
		m := v.match(d.Forbid, join(p, "forbid"), fmt.Sprintf("constraint %q", d.ID), s)
		if m == nil {
			continue
		}
		c.Forbid = *m
		if everything(m) {
			v.errorf(join(p, "forbid"), "constraint %q forbids every outcome: it lists every value of each issue it names; list only the combination that cannot be agreed", d.ID)
			continue
		}
		s.Constraints = append(s.Constraints, c)
	}
	if len(s.Constraints) > 1 && len(s.Constraints) == len(f.Constraints) && !v.someOutcomeLeft(s) {
		ids := make([]string, len(s.Constraints))
		for k := range s.Constraints {
			ids[k] = s.Constraints[k].ID
		}
		v.errorf("constraints", "together the constraints %s forbid every outcome: no deal could be agreed", strings.Join(ids, ", "))
	}
}

// everything reports whether c matches every outcome.
func everything(c *utility.Constraint) bool {
	for _, al := range c.Allowed {
		for _, ok := range al {
			if !ok {
				return false
			}
		}
	}
	return true
}

// someOutcomeLeft reports whether some outcome breaks none of s's
// constraints: a search over the cells the constraints cut the space
// into, bounded; when it cannot tell within the bound it says yes.
func (v *validator) someOutcomeLeft(s *Scenario) bool {
	evals := make([][]float64, len(s.Issues))
	weights := make([]float64, len(s.Issues))
	for i := range s.Issues {
		evals[i] = make([]float64, s.Issues[i].Size())
	}
	a := utility.NewAdditive(weights, evals, 0, 1)
	a.RedLines = s.ConstraintLines()
	u, _, err := a.MaxAcceptable(constraintSearchNodes)
	return err != nil || u != utility.Unacceptable
}

// constraintDefs writes the scenario's constraints back in the file's form.
func (s *Scenario) constraintDefs() []ConstraintDef {
	var out []ConstraintDef
	for k := range s.Constraints {
		c := &s.Constraints[k]
		d := ConstraintDef{ID: c.ID, Description: c.Description, Forbid: s.matchDef(&c.Forbid)}
		if c.Document != "" {
			d.Source = &Citation{Document: c.Document, Quote: c.Quote}
		} else {
			d.Assumption = &Assumption{Why: c.Quote}
		}
		out = append(out, d)
	}
	return out
}

// matchDef writes a constraint over value indices as issue id → values.
func (s *Scenario) matchDef(c *utility.Constraint) Match {
	m := Match{}
	for k, i := range c.Issues {
		is := &s.Issues[i]
		for v, ok := range c.Allowed[k] {
			if ok {
				m[is.ID] = append(m[is.ID], is.Value(v))
			}
		}
	}
	return m
}
