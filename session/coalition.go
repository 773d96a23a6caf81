package session

import (
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley/protocol"
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

// CoalitionVote is how the members of a coalition that decides by their
// rule answered the deal signed: each accepts a deal that crosses none of
// its red lines and reaches its reservation value.
type CoalitionVote struct {
	Party   string           `json:"party"`
	Rule    string           `json:"rule"` // the rule, said for people
	Accepts bool             `json:"accepts"`
	Members []utility.Answer `json:"members"`
}

// GuarantorConsent is one guarantor the deal signed names, and whether it
// backs the deal (scenario.Scenario.Backing, by its preferences at the
// end). Sessions never sign a deal a guarantor would not back when they
// sign it; events may change its mind later.
type GuarantorConsent struct {
	Guarantor string `json:"guarantor"`
	Issue     string `json:"issue"`
	Value     string `json:"value"`
	Consents  bool   `json:"consents"`
}

// vetoResults adds to res, once a deal is signed, how each coalition's
// members answered it and which guarantors back it (by every party's
// preferences at the end), and the offers that members' rules and
// guarantors' consents ruled out.
func (r *Runner) vetoResults(res *Result) {
	p, st := r.prep, &r.st
	for s := range p.Seats {
		if n := st.refused[s]; n > 0 {
			if res.Refused == nil {
				res.Refused = map[string]int{}
			}
			res.Refused[r.SeatName(s)] = n
		}
	}
	if !r.out.Agreed {
		return
	}
	sc := p.Scenario
	o := make([]int, p.Space.Issues())
	p.Space.Decode(r.out.Outcome, o)
	if len(sc.Guarantees) > 0 {
		c := sc.AfterEvents(st.events) // the guarantors as the events leave them
		for k := range c.Guarantees {
			g := &c.Guarantees[k]
			ids, backs := c.Backing(g, o)
			is := &sc.Issues[g.Issue]
			for j, id := range ids {
				res.Guarantors = append(res.Guarantors, GuarantorConsent{Guarantor: id, Issue: is.ID, Value: is.Value(o[g.Issue]), Consents: backs[j]})
			}
		}
	}
	for m, i := range p.members {
		u := st.cur[m].u
		if pn := u.Panel; pn != nil && m < len(p.Seats) {
			res.Coalitions = append(res.Coalitions, CoalitionVote{Party: sc.Parties[i].ID, Rule: sc.Parties[i].DescribeDecides(), Accepts: pn.Accepts(o), Members: pn.Answers(o)})
		}
	}
}

// writeVetoes is the text of vetoResults, for the summary.
func writeVetoes(w io.Writer, res *Result) {
	for _, cv := range res.Coalitions {
		var ms []string
		for _, mv := range cv.Members {
			ms = append(ms, mv.ID+" "+mv.Describe())
		}
		verdict := "accepts"
		if !cv.Accepts {
			verdict = "rejects"
		}
		fmt.Fprintf(w, "%s decides by %s: %s; it %s the deal.\n", cv.Party, cv.Rule, strings.Join(ms, ", "), verdict)
	}
	if len(res.Guarantors) > 0 {
		var gs []string
		for _, g := range res.Guarantors {
			b := "backs"
			if !g.Consents {
				b = "does not back"
			}
			gs = append(gs, fmt.Sprintf("%s %s %s = %s", g.Guarantor, b, g.Issue, g.Value))
		}
		fmt.Fprintf(w, "Guarantors: %s.\n", strings.Join(gs, "; "))
	}
	if len(res.Refused) > 0 {
		var cs []string
		for _, pr := range res.Parties {
			if n, ok := res.Refused[pr.ID]; ok {
				cs = append(cs, fmt.Sprintf("%s %d", pr.ID, n))
			}
		}
		fmt.Fprintf(w, "Offers and texts a coalition's members or a guarantor would not back: %s\n", strings.Join(cs, ", "))
	}
}

// screen keeps a seat from accepting or proposing what its members' rule
// or a guarantor's consent rules out, whatever its strategy (built-ins
// never do; a scripted or remote seat might): a yes vote on such a text
// becomes a no, and accepting or offering such an outcome becomes an
// offer of the seat's best outcome instead (an offer is its proposer's
// acceptance). Red lines are the seat's own business, as ever.
func (r *Runner) screen(t protocol.Turn, a protocol.Action) protocol.Action {
	if (a.Kind != protocol.ActAccept && a.Kind != protocol.ActOffer) || t.Seat >= len(r.prep.Seats) {
		return a
	}
	v := &r.st.act[t.Seat]
	if !v.u.Vetoes() {
		return a
	}
	id := t.Outcome
	if a.Kind == protocol.ActOffer {
		id = a.Outcome
	}
	sp := r.prep.phases[r.st.phase].space
	o := r.st.buf[:sp.Issues()]
	sp.Decode(id, o)
	if !v.u.Refuses(o) || len(v.u.RedLines) > 0 && v.u.Crosses(o) >= 0 {
		return a
	}
	if a.Kind == protocol.ActAccept && t.Phase == protocol.PhaseVote {
		return protocol.Reject
	}
	best, _ := v.x.Max()
	return protocol.Offer(best)
}

// Refusal says why seat s cannot accept the outcome id of the phase under
// way whatever its utility: "red line", "members" (its members' rule
// rejects it) or "guarantor" (a guarantor would not back it); "" when
// nothing stands in the way. Valid during OnEvent.
func (r *Runner) Refusal(s int, id uint64) string {
	v := &r.st.act[s]
	if v.x.Utility(id, r.st.buf) != utility.Unacceptable {
		return ""
	}
	sp := r.prep.phases[r.st.phase].space
	o := make([]int, sp.Issues())
	sp.Decode(id, o)
	switch u := v.u; {
	case len(u.RedLines) > 0 && u.Crosses(o) >= 0:
		return "red line"
	case u.Lacks(o) >= 0:
		return "guarantor"
	case u.Panel != nil:
		return "members"
	}
	return "red line"
}
