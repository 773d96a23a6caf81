package utility

import "strconv"

// AcceptMargin is how far below its reservation value a utility may fall
// and still be accepted: the tie rule of every analysis figure
// (analysis.Tolerance), so that a rounding error never turns a deal away.
const AcceptMargin = 1e-12

// PanelRule is how the members of a panel (a coalition whose members have
// preferences of their own) decide together whether to accept a deal.
type PanelRule int

// Panel rules.
const (
	// Unanimity: every member must accept.
	Unanimity PanelRule = iota
	// LeaderDecides: the leading member's answer is the panel's.
	LeaderDecides
	// WeightedMajority: the members who accept hold more than half of the
	// members' total weight.
	WeightedMajority
	// QualifiedMajority: the members who accept hold at least Share of
	// the members' total weight.
	QualifiedMajority
)

func (r PanelRule) String() string {
	switch r {
	case Unanimity:
		return "unanimity"
	case LeaderDecides:
		return "leader"
	case WeightedMajority:
		return "weighted"
	case QualifiedMajority:
		return "qualified_majority"
	}
	return "rule?"
}

// Panel decides for a party whose members have preferences of their own
// (the states of a coalition): each member accepts a deal that crosses none
// of its red lines and gives it at least its reservation value, and the
// panel accepts by its Rule over their answers. The party's own utility is
// then the members' weighted mean (additive, so every figure over
// utilities stays exact); only its acceptance is the panel's.
type Panel struct {
	Members []*Additive
	Weights []float64 // vote share of each member; positive
	Rule    PanelRule
	Leader  int     // LeaderDecides: the index in Members of the leader
	Share   float64 // QualifiedMajority: the share of the weight needed
	// IDs name the members for reports.
	IDs []string
}

// Accepts reports whether the panel accepts o. It allocates nothing.
func (p *Panel) Accepts(o []int) bool {
	switch p.Rule {
	case LeaderDecides:
		return p.Members[p.Leader].Accepts(o)
	case Unanimity:
		for _, m := range p.Members {
			if !m.Accepts(o) {
				return false
			}
		}
		return true
	}
	yes, total := 0.0, 0.0
	for k, m := range p.Members {
		total += p.Weights[k]
		if m.Accepts(o) {
			yes += p.Weights[k]
		}
	}
	if p.Rule == WeightedMajority {
		return yes > total/2
	}
	return yes >= p.Share*total-AcceptMargin
}

// Consent is an acceptance an outcome needs from someone else than the
// party that weighs it: the guarantor of the guarantee an outcome chooses
// must accept the deal it would guarantee. An outcome that matches When and
// that By does not accept (Additive.Accepts) is unacceptable, as if it
// crossed a red line.
type Consent struct {
	ID   string // who consents, for reports: "guarantor gb"
	When Constraint
	By   *Additive
}

// Refuses reports whether o is unacceptable to the party whatever its
// utility: it crosses one of its red lines, lacks a consent it needs, or
// its panel does not accept it. Utility is Unacceptable exactly there.
func (a *Additive) Refuses(o []int) bool {
	if len(a.RedLines) > 0 && a.Crosses(o) >= 0 {
		return true
	}
	return a.Vetoes() && a.vetoed(o)
}

// vetoed: a consent o needs is not given, or the panel rejects o.
func (a *Additive) vetoed(o []int) bool {
	if a.Lacks(o) >= 0 {
		return true
	}
	return a.Panel != nil && !a.Panel.Accepts(o)
}

// Lacks returns the index in Consents of the first consent o needs and
// does not have, or -1.
func (a *Additive) Lacks(o []int) int {
	for k := range a.Consents {
		c := &a.Consents[k]
		if c.When.Match(o) && !c.By.Accepts(o) {
			return k
		}
	}
	return -1
}

// Accepts reports whether the party accepts o on its own: o is not refused
// (Refuses) and, for a party whose members decide (Panel), the panel
// accepts it; for any other party its utility reaches its reservation
// value, within AcceptMargin. Every "acceptable", "rational" and "in the
// zone" of the analysis is this test.
func (a *Additive) Accepts(o []int) bool {
	if a.Refuses(o) {
		return false
	}
	if a.Panel != nil {
		return true
	}
	return a.Raw(o) >= a.Reservation-AcceptMargin
}

// Vetoes reports whether someone else than the party has a say in what it
// accepts: a panel of members or consents. Acceptance is then not a
// threshold on its utility, and code that decides it from utility bounds
// (the zone's count by subtrees, the frontier's merged states) must look
// at each outcome.
func (a *Additive) Vetoes() bool { return a.Panel != nil || len(a.Consents) > 0 }

// ShiftReservation adds d to the reservation value of a and of its
// panel's members: an event's pressure on a coalition moves every member.
func (a *Additive) ShiftReservation(d float64) {
	a.Reservation += d
	if a.Panel != nil {
		for _, m := range a.Panel.Members {
			m.Reservation += d
		}
	}
}

// ValueFallback sets the reservation value of a, and of its panel's
// members, to their utility of the outcome sq (the status quo), red lines
// left out.
func (a *Additive) ValueFallback(sq []int) {
	a.Reservation = a.Raw(sq)
	if a.Panel != nil {
		for _, m := range a.Panel.Members {
			m.Reservation = m.Raw(sq)
		}
	}
}

// Reweighted returns a copy of a that weighs the issues by w (one weight
// per issue): its tables recomputed from its evaluations, which it shares
// with a, as it shares its red lines, terms, panel and consents. A
// mediator the parties lobby changes its weights, not its values.
func (a *Additive) Reweighted(w []float64) *Additive {
	b := NewAdditive(append([]float64(nil), w...), a.Evals, a.Reservation, a.Discount)
	b.RedLines, b.Terms, b.Panel, b.Consents = a.RedLines, a.Terms, a.Panel, a.Consents
	return b
}

// Own is the utility of o by the party's own preferences: Raw, or
// Unacceptable when o crosses one of its red lines; what its panel or
// others' consents say is left out. A remote seat is sent its own
// preferences and computes this; the runner screens the rest.
func (a *Additive) Own(o []int) float64 {
	if len(a.RedLines) > 0 && a.Crosses(o) >= 0 {
		return Unacceptable
	}
	return a.Raw(o)
}

// Answer is one member's answer to an outcome: its utility, its
// reservation value, whether it accepts, and the red line it crosses.
type Answer struct {
	ID          string  `json:"id"`
	Utility     float64 `json:"utility"`
	Reservation float64 `json:"reservation"`
	Accepts     bool    `json:"accepts"`
	Crosses     string  `json:"crosses,omitempty"`
}

// Answers lists every member's answer to o, for reports.
func (p *Panel) Answers(o []int) []Answer {
	out := make([]Answer, len(p.Members))
	for k, m := range p.Members {
		out[k] = Answer{ID: p.IDs[k], Utility: m.Raw(o), Reservation: m.Reservation, Accepts: m.Accepts(o)}
		if c := m.Crosses(o); c >= 0 {
			out[k].Crosses = m.RedLines[c].ID
		}
	}
	return out
}

// Describe says an answer for people: "yes", "no (red line x)",
// "no (0.3 < 0.5)".
func (a Answer) Describe() string {
	switch {
	case a.Crosses != "":
		return "no (red line " + a.Crosses + ")"
	case !a.Accepts:
		return "no (" + fmtU(a.Utility) + " < " + fmtU(a.Reservation) + ")"
	}
	return "yes"
}

func fmtU(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
