package utility

import (
	"math"
	"strings"
)

// Ratification is a two-level game's second level: a deal the party signs
// binds only if every one of its bodies that must vote on it passes it (a
// parliament and a referendum). Bodies vote independently: the deal is
// ratified with the product of their probabilities.
type Ratification struct {
	Bodies []Body
}

// Body is one ratifying body: the electorate that votes, the yes share it
// needs, and for an electorate in parts (Communities) the consent the
// parts must give besides.
type Body struct {
	Name string // who votes: "referendum", "parliament", ...
	// When, if set, limits the vote to deals it matches (a referendum only
	// when territory is ceded); a deal it does not match needs no vote.
	When *Constraint
	// Threshold is the share of yes votes needed (0.5 for a majority),
	// of the whole electorate.
	Threshold float64
	// Electorate predicts the yes share when the body is not in parts.
	Electorate
	// Communities are the parts of the electorate, when it votes in parts
	// (regions, cantons, communities): the body's yes share is their
	// weighted mean.
	Communities []Community
	// Need is the share of Communities (by number, at least) whose own yes
	// share must reach their own threshold, besides the overall share:
	// 1 for cross-community consent (each community consents), 0.5 for a
	// double majority (a majority of the cantons); 0: the overall share
	// alone decides.
	Need float64
	// Uncertainty is the standard deviation of the realised yes share
	// around the predicted one (polling error). The error is a uniform
	// swing: it moves every community's share alike, so the vote passes
	// when the swing is above minus the body's margin (Margin), with
	// probability Φ(margin/Uncertainty).
	Uncertainty float64
}

// Community is one part of a body's electorate.
type Community struct {
	ID        string
	Weight    float64 // its share of the electorate
	Threshold float64 // the yes share it must reach to consent
	Electorate
}

// Electorate predicts the share of voters who say yes to a deal.
type Electorate struct {
	// Support[i][v] is the share of voters who accept value v of issue i; a
	// nil row puts no condition on issue i. A voter who rejects any part of
	// the deal rejects the deal, and support is nested (those who accept a
	// larger concession accept a smaller one), so the deal's share of yes
	// votes is the minimum over issues.
	Support [][]float64
	// VoterMean and VoterSD, when VoterSD > 0, describe voters' own
	// reservation utilities as a normal distribution: a voter says yes when
	// the deal's utility reaches its reservation, so the share of yes votes
	// is Φ((u − mean)/sd). Combined with Support by minimum.
	VoterMean, VoterSD float64
	// Utility, if set, is the voters' own utility (a constituency whose
	// preferences differ from its leader's): VoterMean and VoterSD are
	// then about it, not about the party's utility.
	Utility *Additive
}

// Share is the predicted share of yes votes for deal o, whose utility to
// the party is u.
func (e *Electorate) Share(o []int, u float64) float64 {
	share := 1.0
	for i, row := range e.Support {
		if row != nil && row[o[i]] < share {
			share = row[o[i]]
		}
	}
	if e.VoterSD > 0 {
		if e.Utility != nil {
			u = e.Utility.Raw(o)
		}
		if s := normCDF((u - e.VoterMean) / e.VoterSD); s < share {
			share = s
		}
	}
	return share
}

// Required reports whether deal o needs this body's vote.
func (b *Body) Required(o []int) bool { return b.When == nil || b.When.Match(o) }

// Share is the body's predicted yes share for deal o (utility u to the
// party): its electorate's, or its communities' weighted mean.
func (b *Body) Share(o []int, u float64) float64 {
	if len(b.Communities) == 0 {
		return b.Electorate.Share(o, u)
	}
	s := 0.0
	for k := range b.Communities {
		c := &b.Communities[k]
		s += c.Weight * c.Share(o, u)
	}
	return s
}

// Margin is the smallest swing of every share that makes the vote fail,
// negated: the overall share's lead over the threshold and, when the
// communities must consent, the lead of the community whose consent
// completes the number needed. The vote passes at the predicted shares
// when Margin ≥ 0.
func (b *Body) Margin(o []int, u float64) float64 {
	m := b.Share(o, u) - b.Threshold
	if b.Need <= 0 || len(b.Communities) == 0 {
		return m
	}
	// The k-th largest lead, k the number needed: the largest lead that
	// at least k communities reach. Quadratic in the communities, which
	// are few, and free of allocation (sessions hold votes in their loop).
	k, kth := b.needed(), math.Inf(-1)
	for a := range b.Communities {
		la := b.Communities[a].lead(o, u)
		if la <= kth {
			continue
		}
		n := 0
		for c := range b.Communities {
			if b.Communities[c].lead(o, u) >= la {
				n++
			}
		}
		if n >= k {
			kth = la
		}
	}
	return math.Min(m, kth)
}

// lead is the community's yes share above its own threshold.
func (c *Community) lead(o []int, u float64) float64 { return c.Share(o, u) - c.Threshold }

// needed is how many communities must consent: the share Need of them,
// rounded up, at least one.
func (b *Body) needed() int {
	n := len(b.Communities)
	k := int(math.Ceil(b.Need*float64(n) - 1e-9))
	return min(max(k, 1), n)
}

// Prob is the probability that the body passes deal o: 1 when no vote is
// required.
func (b *Body) Prob(o []int, u float64) float64 {
	if !b.Required(o) {
		return 1
	}
	m := b.Margin(o, u)
	if b.Uncertainty <= 0 {
		if m >= 0 {
			return 1
		}
		return 0
	}
	return normCDF(m / b.Uncertainty)
}

// Required reports whether deal o needs a vote of any body.
func (r *Ratification) Required(o []int) bool {
	for k := range r.Bodies {
		if r.Bodies[k].Required(o) {
			return true
		}
	}
	return false
}

// Prob is the probability that deal o (utility u to the party) is ratified:
// every required body passes it, independently; 1 when none must vote.
func (r *Ratification) Prob(o []int, u float64) float64 {
	p := 1.0
	for k := range r.Bodies {
		p *= r.Bodies[k].Prob(o, u)
	}
	return p
}

// Share is the predicted yes share of the vote that deal o is least likely
// to pass among those it requires (the one vote of a single body); 1 when
// none is required. Reports give it beside Prob.
func (r *Ratification) Share(o []int, u float64) float64 {
	share, worst := 1.0, 2.0
	for k := range r.Bodies {
		b := &r.Bodies[k]
		if !b.Required(o) {
			continue
		}
		if p := b.Prob(o, u); p < worst {
			share, worst = b.Share(o, u), p
		}
	}
	return share
}

// Names says who votes: "referendum", "parliament and referendum".
func (r *Ratification) Names() string {
	ns := make([]string, len(r.Bodies))
	for k := range r.Bodies {
		ns[k] = r.Bodies[k].Name
		if ns[k] == "" {
			ns[k] = "vote"
		}
	}
	switch len(ns) {
	case 0:
		return ""
	case 1:
		return r.Bodies[0].Name
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

// Uncertain reports whether some body's vote is left to chance (a polling
// error above 0).
func (r *Ratification) Uncertain() bool {
	for k := range r.Bodies {
		if r.Bodies[k].Uncertainty > 0 {
			return true
		}
	}
	return false
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
