package analysis

import (
	"fmt"
	"strings"
)

// writeBeliefs writes the "Public stances" and "Beliefs" parts of the
// what-if section, when the scenario has them.
func (r *Report) writeBeliefs(b *strings.Builder, w *WhatIf) {
	if len(w.Stances) > 0 {
		fmt.Fprintf(b, "Public stances (a deal that departs from one costs its party the audience cost):\n")
		for _, st := range w.Stances {
			fmt.Fprintf(b, "  %s on %s: %s, audience cost %.4f", st.Party, st.Issue, strings.Join(st.Stance, " or "), st.AudienceCost)
			fmt.Fprintf(b, "; %d of the zone's outcomes depart from it; the cost removes %d outcome(s) from the zone", st.Departing, st.Removes)
			if st.NashDeparts {
				fmt.Fprintf(b, "; the Nash deal departs from it")
			}
			fmt.Fprintf(b, "\n")
		}
	}
	pc := w.Beliefs
	if pc == nil {
		return
	}
	fmt.Fprintf(b, "Beliefs (a party believes a deal acceptable when it puts the chance that every party accepts it at ≥ %.2f; true zone: %d outcomes):\n", pc.Threshold, pc.TrueZone)
	for _, h := range pc.Holders {
		role := ""
		if h.Mediator {
			role = " (mediator)"
		}
		fmt.Fprintf(b, "  %s%s believes %d outcome(s) acceptable: %d truly are, %d are not; it misses %d that are", h.Holder, role, h.Zone, h.Both, h.Promised, h.Missed)
		switch {
		case h.Blocks:
			fmt.Fprintf(b, " (misperception blocks a deal that exists)")
		case h.Misleads:
			fmt.Fprintf(b, " (misperception promises a deal that does not exist)")
		}
		fmt.Fprintf(b, "\n")
		for _, o := range h.Others {
			types := make([]string, len(o.Types))
			for k, t := range o.Types {
				types[k] = fmt.Sprintf("%s %.2f", t.ID, t.Probability)
			}
			view := "knows its preferences, believes its stated red lines"
			switch {
			case o.Stated && len(types) == 1:
				view = "its stated belief"
			case o.Stated:
				view = "types " + strings.Join(types, ", ")
			}
			fmt.Fprintf(b, "    %s (%s): believed to accept %d outcome(s), accepts %d; wrongly believed to accept %d, to reject %d\n",
				o.Party, view, o.Believed, o.Accepts, o.WronglyAccepted, o.WronglyRejected)
		}
		r.writeBeliefDeal(b, "Its pick", h.Pick)
		r.writeBeliefDeal(b, "Its best deal in the true zone", h.Best)
		if h.Promise != nil {
			r.writeBeliefDeal(b, "Best deal it wrongly expects", h.Promise)
			r.writeShare(b, "the outcomes it wrongly expects", h.Promised, h.PromisedShare)
		}
		if h.Hidden != nil {
			r.writeBeliefDeal(b, "Best deal it does not see", h.Hidden)
			r.writeShare(b, "the acceptable outcomes it does not see", h.Missed, h.HiddenShare)
		}
		fmt.Fprintf(b, "    Its payoff from its pick: %.4f%s\n", h.Payoff, failed(h.Pick))
		for _, iv := range h.Information {
			fmt.Fprintf(b, "    Knowing %s as it is: it would believe %d outcome(s) acceptable (%d wrongly, missing %d); its payoff %.4f (value of information %+.4f)\n",
				iv.About, iv.Zone, iv.Promised, iv.Missed, iv.Payoff, iv.Value)
		}
	}
}

// writeShare writes what a set of outcomes has in common.
func (r *Report) writeShare(b *strings.Builder, what string, n int, share map[string]string) {
	if len(share) == 0 || n < 2 {
		return
	}
	fmt.Fprintf(b, "    All %d of %s have %s\n", n, what, r.fmtOutcomePart(share))
}

// fmtOutcomePart formats some issues' values, in issue order.
func (r *Report) fmtOutcomePart(o map[string]string) string {
	var s []string
	for _, is := range r.Issues {
		if v, ok := o[is.ID]; ok {
			s = append(s, is.ID+"="+v)
		}
	}
	return strings.Join(s, ", ")
}

// failed says why a pick pays the reservation value.
func failed(d *BeliefDeal) string {
	switch {
	case d == nil:
		return " (it sees no deal: its reservation value)"
	case len(d.RejectedBy) > 0:
		return " (its reservation value: its pick fails)"
	}
	return ""
}

// writeBeliefDeal writes a deal with what its holder believes of it.
func (r *Report) writeBeliefDeal(b *strings.Builder, name string, d *BeliefDeal) {
	const indent = "    "
	if d == nil {
		fmt.Fprintf(b, "%s%-30s none\n", indent, name)
		return
	}
	fmt.Fprintf(b, "%s%-30s %s\n", indent, name, fmtUtils(d.Utilities))
	fmt.Fprintf(b, "%s%-30s %s\n", indent, "", r.fmtOutcome(d.Outcome))
	verdict := "every party accepts it"
	if len(d.RejectedBy) > 0 {
		verdict = "rejected by " + strings.Join(d.RejectedBy, ", ")
	}
	fmt.Fprintf(b, "%s%-30s worth %.4f to it; it puts %.2f on every party accepting; %s\n", indent, "", d.HolderUtility, d.Believed, verdict)
}
