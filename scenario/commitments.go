package scenario

import (
	"fmt"
	"slices"
)

// benefits reports whether party p values the guarantee (is one of its
// beneficiaries).
func (g *Guarantee) benefits(p int) bool {
	return slices.Contains(g.Beneficiaries, p) || len(g.Beneficiaries) == 0 && g.Beneficiary == p
}

// Benefits reports whether party p values the guarantee.
func (g *Guarantee) Benefits(p int) bool { return g.benefits(p) }

// beneficiaries resolves who values a guarantee: beneficiary: (one
// party) or beneficiaries: (several), each a party, once.
func (v *validator) beneficiaries(d GuaranteeDef, p string, s *Scenario) []int {
	switch {
	case d.Beneficiary != "" && d.Beneficiaries != nil:
		v.errorf(join(p, "beneficiaries"), "the guarantee on %q gives both beneficiary and beneficiaries; give one", d.Issue)
		return nil
	case d.Beneficiary != "":
		b := s.PartyIndex(d.Beneficiary)
		if b < 0 {
			v.errorf(join(p, "beneficiary"), "the beneficiary %q is not a party; parties are %s", d.Beneficiary, partyIDs(s))
			return nil
		}
		return []int{b}
	case len(d.Beneficiaries) == 0:
		v.errorf(p, "the guarantee on %q names no beneficiary: give beneficiary: (one party) or beneficiaries: (several)", d.Issue)
		return nil
	}
	var out []int
	for k, id := range d.Beneficiaries {
		b := s.PartyIndex(id)
		at := fmt.Sprintf("%s.beneficiaries[%d]", p, k)
		switch {
		case b < 0:
			v.errorf(at, "the beneficiary %q is not a party; parties are %s", id, partyIDs(s))
			continue
		case slices.Contains(out, b):
			v.errorf(at, "%q is a beneficiary of the guarantee on %q twice", id, d.Issue)
			continue
		}
		out = append(out, b)
	}
	return out
}
