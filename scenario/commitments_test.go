package scenario

import "testing"

// TestCommitmentValuedBySeveral (issue 16, finding 5): a commitment by one
// party (Russia's law) is written once with every party that values it,
// and each discounts it by its author's credibility, here (0 kept + 1)/(1
// + 2) = 1/3; the author's own value is not discounted. On main the file
// is refused (beneficiaries is unknown).
func TestCommitmentValuedBySeveral(t *testing.T) {
	s := mustLoad(t, "testdata/commitments.yaml")
	if g := s.Guarantees[0]; len(g.Beneficiaries) != 2 || g.Beneficiary != 0 {
		t.Fatalf("guarantee %+v", g)
	}
	for _, c := range []struct {
		party int
		want  []float64 // law's evaluations
	}{
		{0, []float64{0, 1.0 / 3}},
		{1, []float64{1, 0}},
		{2, []float64{0.2, 0.2 + 0.6/3}},
	} {
		got := s.Utility(c.party).Evals[0]
		for v := range got {
			if !near(got[v], c.want[v]) {
				t.Errorf("%s: law evaluations %v, want %v", s.Parties[c.party].ID, got, c.want)
				break
			}
		}
	}
}

// TestBeneficiaryErrors: misuse of beneficiary and beneficiaries is
// positioned; one beneficiary works as it always has.
func TestBeneficiaryErrors(t *testing.T) {
	const b = "beneficiaries: [ua, eu]"
	cases := []mutation{
		{"unknown", b, "beneficiaries: [ua, nato]", `testdata/x.yaml:11:38: the beneficiary "nato" is not a party; parties are ua, ru, eu`},
		{"twice", b, "beneficiaries: [ua, ua]", `testdata/x.yaml:11:38: "ua" is a beneficiary of the guarantee on "law" twice`},
		{"both", b, b + ", beneficiary: ua", `the guarantee on "law" gives both beneficiary and beneficiaries; give one`},
		{"none", b + ", ", "", `the guarantee on "law" names no beneficiary: give beneficiary: (one party) or beneficiaries: (several)`},
		{"empty", b, "beneficiaries: []", `the guarantee on "law" names no beneficiary`},
		{"one unknown", b, "beneficiary: nato", `the beneficiary "nato" is not a party; parties are ua, ru, eu`},
	}
	checkMutations(t, "testdata/commitments.yaml", cases)
	data := mustRead(t, "testdata/commitments.yaml")
	if err := validateSchema(t, data); err != nil {
		t.Errorf("the schema refuses beneficiaries: %v", err)
	}
}
