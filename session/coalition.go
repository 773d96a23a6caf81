package session

import (
	"github.com/parleyhq/parley/utility"
)

// phaseConstraint restricts c to a phase (local[i] is issue i's index in
// it, or -1): it binds once every issue it names is settled or in the
// phase, and is dropped (keep false) while it names an open issue or once
// a settled value escapes it.
func phaseConstraint(c *utility.Constraint, local, settled []int, isSettled []bool) (pc utility.Constraint, keep bool) {
	keep = true
	for k, i := range c.Issues {
		switch {
		case local[i] >= 0:
			pc.Issues = append(pc.Issues, local[i])
			pc.Allowed = append(pc.Allowed, c.Allowed[k])
		case isSettled[i]:
			keep = keep && c.Allowed[k][settled[i]]
		default:
			keep = false
		}
	}
	return pc, keep
}

// phaseVetoes gives pu, the phase utility of u, what others have to say
// about u's acceptance in the phase: its panel's members, each valued as
// u is (phaseUtility), and the consents whose outcomes the phase can
// decide, the consenting party valued alike.
func phaseVetoes(pu, u *utility.Additive, issues, local, settled []int, isSettled []bool) {
	if u.Panel != nil {
		pn := *u.Panel
		pn.Members = make([]*utility.Additive, len(u.Panel.Members))
		for k, m := range u.Panel.Members {
			pn.Members[k] = phaseUtility(m, issues, settled, isSettled)
		}
		pu.Panel = &pn
	}
	for _, c := range u.Consents {
		if pc, keep := phaseConstraint(&c.When, local, settled, isSettled); keep {
			pu.Consents = append(pu.Consents, utility.Consent{ID: c.ID, When: pc, By: phaseUtility(c.By, issues, settled, isSettled)})
		}
	}
}
