package utility

import "math"

// Unacceptable is the utility of an outcome that crosses one of a party's
// red lines: below every reservation value, so no rational party accepts it.
const Unacceptable = -1.0

// Constraint matches outcomes in which every listed issue takes one of the
// listed values: a red line ("no NATO troops in Ukraine") or the condition
// under which a ratification is required.
type Constraint struct {
	Issues  []int    // issue indices
	Allowed [][]bool // Allowed[k][v]: value v of Issues[k] matches
}

// Match reports whether o meets the constraint's condition on every listed issue.
func (c *Constraint) Match(o []int) bool {
	for k, i := range c.Issues {
		if !c.Allowed[k][o[i]] {
			return false
		}
	}
	return true
}

// RedLine is a hard constraint: an outcome matching it is unacceptable to
// its party whatever its utility.
type RedLine struct {
	ID string
	Constraint
}

// Ratification is a two-level game's second level: a deal the party signs
// binds only if its constituency ratifies it.
type Ratification struct {
	Body string // who votes: "referendum", "parliament", ...
	// When, if set, limits the vote to deals it matches (a referendum only
	// when territory is ceded); a deal it does not match needs no vote.
	When *Constraint
	// Threshold is the share of yes votes needed (0.5 for a majority).
	Threshold float64
	// Support[i][v] is the share of voters who accept value v of issue i; a
	// nil row puts no condition on issue i. A voter who rejects any part of
	// the deal rejects the deal, and support is nested (those who accept a
	// larger concession accept a smaller one), so the deal's share of yes
	// votes is the minimum over issues.
	Support [][]float64
	// VoterMean and VoterSD, when VoterSD > 0, describe voters' own
	// reservation utilities as a normal distribution: a voter says yes when
	// the party's utility of the deal reaches its reservation, so the share
	// of yes votes is Φ((u − mean)/sd). Combined with Support by minimum.
	VoterMean, VoterSD float64
	// Uncertainty is the standard deviation of the realised yes share around
	// the predicted one (polling error); the probability that the vote
	// passes is Φ((share − Threshold)/Uncertainty).
	Uncertainty float64
}

// Required reports whether deal o needs this ratification.
func (r *Ratification) Required(o []int) bool { return r.When == nil || r.When.Match(o) }

// Share is the predicted share of yes votes for deal o, whose utility to
// the party is u.
func (r *Ratification) Share(o []int, u float64) float64 {
	share := 1.0
	for i, row := range r.Support {
		if row != nil && row[o[i]] < share {
			share = row[o[i]]
		}
	}
	if r.VoterSD > 0 {
		if s := normCDF((u - r.VoterMean) / r.VoterSD); s < share {
			share = s
		}
	}
	return share
}

// Prob is the probability that deal o (utility u to the party) is ratified:
// 1 when no vote is required.
func (r *Ratification) Prob(o []int, u float64) float64 {
	if !r.Required(o) {
		return 1
	}
	share := r.Share(o, u)
	if r.Uncertainty <= 0 {
		if share >= r.Threshold {
			return 1
		}
		return 0
	}
	return normCDF((share - r.Threshold) / r.Uncertainty)
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// HonourProb is the probability that a guarantee backed by guarantors with
// the given credibilities is honoured, under rule "mean" (the expected share
// of guarantors that act: each keeps discretion, as under NATO's Article 5),
// "any" (at least one acts, independently) or "all" (every one must act).
// No guarantors means nothing to honour: 1.
func HonourProb(rule string, cred []float64) float64 {
	if len(cred) == 0 {
		return 1
	}
	switch rule {
	case "any":
		none := 1.0
		for _, c := range cred {
			none *= 1 - c
		}
		return 1 - none
	case "all":
		p := 1.0
		for _, c := range cred {
			p *= c
		}
		return p
	default:
		s := 0.0
		for _, c := range cred {
			s += c
		}
		return s / float64(len(cred))
	}
}

// CredibilityFromRecord estimates the probability that a party honours a
// commitment from its record: Laplace's rule of succession, (kept+1)/(n+2),
// which gives 1/2 with no record and moves towards the observed rate.
func CredibilityFromRecord(kept, total int) float64 {
	return float64(kept+1) / float64(total+2)
}
