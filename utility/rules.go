package utility

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
