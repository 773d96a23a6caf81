package analysis

import (
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// GuaranteeInfo is one guarantee issue.
type GuaranteeInfo struct {
	Issue       string            `json:"issue"`
	Beneficiary string            `json:"beneficiary"`
	Rule        string            `json:"rule"`
	Baseline    string            `json:"baseline"`
	Options     []GuaranteeOption `json:"options"`
}

// GuaranteeOption is one option of a guarantee issue: its guarantors, their
// credibility, the probability that it is honoured, and its evaluation to
// the beneficiary as stated and as discounted by that probability
// (baseline + (stated − baseline)·honour, what the utilities use).
type GuaranteeOption struct {
	Option      string    `json:"option"`
	Guarantors  []string  `json:"guarantors"`
	Credibility []float64 `json:"credibility"`
	Honour      float64   `json:"honour_probability"`
	Stated      float64   `json:"stated_value"`
	Effective   float64   `json:"effective_value"`
}

// guarantees lists each guarantee issue of s with, per option, its
// guarantors, the probability it is honoured and its worth to the
// beneficiary as stated and as discounted.
func guarantees(s *scenario.Scenario) []GuaranteeInfo {
	out := []GuaranteeInfo{}
	for _, gu := range s.Guarantees {
		is := &s.Issues[gu.Issue]
		// One entry per beneficiary: a commitment valued by several
		// parties is discounted for each by the same honour probability.
		for _, b := range gu.Beneficiaries {
			ben := &s.Parties[b]
			eff := s.Utility(b).Evals[gu.Issue]
			gi := GuaranteeInfo{Issue: is.ID, Beneficiary: ben.ID, Rule: gu.Rule, Baseline: is.Value(gu.Baseline)}
			for v := range is.Size() {
				o := GuaranteeOption{Option: is.Value(v), Guarantors: []string{}, Credibility: []float64{}}
				o.Guarantors = append(o.Guarantors, s.GuarantorIDs(&gu, v)...) // parties, then members
				o.Credibility = append(o.Credibility, s.GuarantorCredibility(&gu, v)...)
				o.Honour = utility.HonourProb(gu.Rule, o.Credibility)
				o.Stated = ben.Prefs.Values[gu.Issue].Eval(v, is.Number(v), is.Min, is.Max)
				o.Effective = eff[v]
				gi.Options = append(gi.Options, o)
			}
			out = append(out, gi)
		}
	}
	return out
}
