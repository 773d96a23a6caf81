package analysis

import (
	"fmt"
	"strings"
)

// writeWhatIf writes the "What if" section of the readable report, one
// part per concept.
func (r *Report) writeWhatIf(b *strings.Builder) {
	w := r.WhatIf
	fmt.Fprintf(b, "\nWhat if (utilities in party order: %s)\n", strings.Join(r.Parties, ", "))
	r.writeRedLines(b, w)
	r.writeRatification(b, w)
	writeGuarantees(b, w.Guarantees)
	if w.Agenda != nil {
		r.writeAgenda(b, w.Agenda)
	}
	if w.Blocking != nil {
		r.writeBlocking(b, w.Blocking)
	}
	r.writeBeliefs(b, w)
	if w.Sensitivity != nil {
		r.writeSensitivity(b, w.Sensitivity)
	}
	for _, n := range w.Notes {
		fmt.Fprintf(b, "Note: %s\n", n)
	}
}

// writeDeal writes a named deal: its utilities, its outcome and, when some
// party has a ratification rule, its ratification. A deal some party
// values below its reservation value is marked once: on the ratification
// line, or on the utilities line when there is none.
func (r *Report) writeDeal(b *strings.Builder, name string, d *Deal) {
	const indent = "  "
	if d == nil {
		fmt.Fprintf(b, "%s%-30s none\n", indent, name)
		return
	}
	ties := ""
	if d.Ties > 1 {
		ties = fmt.Sprintf(" (%d tied outcomes; the first shown)", d.Ties)
	}
	mark := ""
	if len(d.Ratification) == 0 {
		mark = markBelow("  ", d.BelowReservation)
	}
	fmt.Fprintf(b, "%s%-30s %s%s%s\n", indent, name, fmtUtils(d.Utilities), ties, mark)
	fmt.Fprintf(b, "%s%-30s %s\n", indent, "", r.fmtOutcome(d.Outcome))
	if len(d.Ratification) > 0 {
		fmt.Fprintf(b, "%s%-30s %s\n", indent, "", fmtRatification(d))
	}
}

// writeRedLines writes the deals with and without red lines and how much
// each red line binds.
func (r *Report) writeRedLines(b *strings.Builder, w *WhatIf) {
	fmt.Fprintf(b, "Red lines:\n")
	if len(w.RedLines) == 0 {
		fmt.Fprintf(b, "  none\n")
	}
	r.writeDeal(b, "Nash, red lines ignored", w.UnconstrainedNash)
	r.writeDeal(b, "Max welfare, red lines ignored", w.UnconstrainedMaxWelfare)
	r.writeDeal(b, "Nash, red lines kept", w.Nash)
	for _, rl := range w.RedLines {
		state := "does not bind"
		if rl.Binds {
			state = "binds"
		}
		name := rl.Party + "/" + rl.ID
		if rl.Party == "" {
			name = rl.ID + " (for everyone)"
		}
		fmt.Fprintf(b, "  %s %s: removes %d outcome(s) from the zone (%d acceptable outcomes cross it)", name, state, rl.Removes, rl.Crossed)
		var cr []string
		if rl.CrossesNash {
			cr = append(cr, "the Nash deal")
		}
		if rl.CrossesMaxWelfare {
			cr = append(cr, "the max-welfare deal")
		}
		if len(cr) > 0 {
			fmt.Fprintf(b, "; without red lines, %s would cross it", strings.Join(cr, " and "))
		}
		fmt.Fprintf(b, "\n")
	}
}

// writeRatification writes the rules, the solution points' ratification,
// the ratifiable zone and its Nash deal.
func (r *Report) writeRatification(b *strings.Builder, w *WhatIf) {
	ri := &w.Ratify
	fmt.Fprintf(b, "Ratification (a deal is ratifiable when every required vote passes with probability ≥ %.2f):\n", w.MinRatification)
	if len(ri.Rules) == 0 {
		fmt.Fprintf(b, "  no party needs ratification\n")
	}
	for _, rr := range ri.Rules {
		when := "every deal"
		if rr.Conditional {
			when = "some deals"
		}
		consent := ""
		if rr.Consent != "" {
			consent = " and " + rr.Consent
		}
		fmt.Fprintf(b, "  %s: %s on %s, threshold %.2f%s, polling error %.2f; needed for %d of the zone's outcomes, passes for %d\n",
			rr.Party, orDefault(rr.Body, "vote"), when, rr.Threshold, consent, rr.Uncertainty, rr.Required, rr.Passes)
	}
	for _, so := range ri.Solutions {
		fmt.Fprintf(b, "  %-24s %s\n", so.Solution, fmtRatification(so.Deal))
	}
	fmt.Fprintf(b, "  Zone of agreement: %d outcomes; ratifiable: %d\n", ri.Zone, ri.RatifiableZone)
	r.writeDeal(b, "Ratifiable Nash", ri.RatifiableNash)
}

// writeGuarantees writes each guarantee option's honour probability and
// worth.
func writeGuarantees(b *strings.Builder, gs []GuaranteeInfo) {
	fmt.Fprintf(b, "Guarantees:\n")
	if len(gs) == 0 {
		fmt.Fprintf(b, "  none\n")
	}
	for _, g := range gs {
		fmt.Fprintf(b, "  %s for %s (rule %s, baseline %s):\n", g.Issue, g.Beneficiary, g.Rule, g.Baseline)
		for _, o := range g.Options {
			names := make([]string, len(o.Guarantors))
			for k, q := range o.Guarantors {
				names[k] = fmt.Sprintf("%s %.3f", q, o.Credibility[k])
			}
			if len(names) == 0 {
				names = []string{"no guarantors"}
			}
			fmt.Fprintf(b, "    %-16s honoured with p = %.3f (%s); worth %.3f as stated, %.3f discounted\n", o.Option, o.Honour, strings.Join(names, ", "), o.Stated, o.Effective)
		}
	}
}

// writeAgenda writes the agenda's induced path against the package deal.
func (r *Report) writeAgenda(b *strings.Builder, a *AgendaInfo) {
	fmt.Fprintf(b, "Agenda (%s) against the package deal:\n", strings.Join(a.Phases, " → "))
	r.writeDeal(b, "Package (Nash)", a.Package)
	ad := &a.Agenda
	for _, st := range ad.Steps {
		if len(st.Settled) == 0 {
			fmt.Fprintf(b, "  phase %-19s no acceptable deal (fallback %s)\n", st.Phase, fmtUtils(st.Fallback))
			continue
		}
		fmt.Fprintf(b, "  phase %-19s %s  (fallback %s)\n", st.Phase, r.fmtPartial(st.Settled), fmtUtils(st.Fallback))
	}
	if ad.Complete {
		fmt.Fprintf(b, "  %-30s %s\n", "Agenda deal", fmtUtils(ad.Utilities))
	} else {
		fmt.Fprintf(b, "  %-30s blocked at phase %s; fallback %s\n", "Agenda", ad.BlockedAt, fmtUtils(ad.Utilities))
	}
	switch {
	case a.AgendaBlocks:
		fmt.Fprintf(b, "  The agenda blocks the deal the package allows.\n")
	case a.PackageBlocks:
		fmt.Fprintf(b, "  The agenda reaches a deal the package does not.\n")
	case a.SameDeal:
		fmt.Fprintf(b, "  Same deal either way.\n")
	default:
		fmt.Fprintf(b, "  The agenda leads to a different deal.\n")
	}
	if a.Orderings != nil {
		r.writeOrderings(b, a.Orderings)
	}
}

// writeOrderings writes how the agenda and the package are predicted to
// end, time counted, and which ordering each party prefers.
func (r *Report) writeOrderings(b *strings.Builder, o *Orderings) {
	fmt.Fprintf(b, "  Played, time counted (%s; payoffs in party order: %s):\n", o.Model, strings.Join(o.Parties, ", "))
	r.writePrediction(b, "agenda", o.Agenda)
	r.writePrediction(b, "package", o.Package)
	var ps []string
	for _, p := range o.Prefers {
		switch p.Prefers {
		case PrefersEither:
			ps = append(ps, p.Party+" either")
		default:
			ps = append(ps, fmt.Sprintf("%s the %s (%+.4f)", p.Party, p.Prefers, p.Gain))
		}
	}
	fmt.Fprintf(b, "  Each party prefers: %s\n", strings.Join(ps, ", "))
}

// writePrediction writes one ordering's predicted end.
func (r *Report) writePrediction(b *strings.Builder, name string, p *Prediction) {
	const indent = "    "
	for _, ph := range p.Phases {
		what := "failed"
		if ph.Agreed {
			what = "agreed " + r.fmtPartial(ph.Settled)
			if ph.KeepsStatusQuo {
				what += " (the status quo: nothing changes)"
			}
		}
		fmt.Fprintf(b, "%s%-9s phase %s %s in round %d\n", indent, name, ph.ID, what, ph.Round)
		name = ""
	}
	when := fmt.Sprintf("round %d", p.Round)
	if p.Date != "" {
		when += " (" + p.Date + ")"
	}
	switch {
	case p.Deal != nil:
		fmt.Fprintf(b, "%s%-9s deal signed in %s, binds with p = %.3g: %s\n", indent, name, when, p.Binding, r.fmtOutcome(p.Deal))
	default:
		fmt.Fprintf(b, "%s%-9s no deal (%s, %s in %s)\n", indent, name, p.Status, p.End, when)
	}
	if len(p.Standing) > 0 && p.Binding < 1 {
		fmt.Fprintf(b, "%s%-9s without a binding deal, standing: %s\n", indent, "", r.fmtPartial(p.Standing))
	}
	fmt.Fprintf(b, "%s%-9s expected payoffs %s\n", indent, "", fmtUtils(p.Payoffs))
}

// writeBlocking writes what would open a ratifiable zone.
func (r *Report) writeBlocking(b *strings.Builder, bl *Blocking) {
	fmt.Fprintf(b, "No ratifiable zone. Smallest sets of constraints whose relaxation opens one (%d constraint(s), %d set(s)):\n", bl.SmallestSize, bl.NSets)
	for _, set := range bl.Sets {
		names := make([]string, len(set))
		for k, c := range set {
			names[k] = c.String()
		}
		fmt.Fprintf(b, "  - %s\n", strings.Join(names, " + "))
	}
	if bl.Truncated {
		fmt.Fprintf(b, "  ... (%d more)\n", bl.NSets-len(bl.Sets))
	}
	fmt.Fprintf(b, "Least fall of one party's reservation value that opens a ratifiable zone, all else kept:\n")
	for _, sh := range bl.Shifts {
		if sh.Shift == nil {
			fmt.Fprintf(b, "  %-20s no shift suffices\n", sh.Party)
			continue
		}
		fmt.Fprintf(b, "  %-20s %.4f (rv %.4f → %.4f) at %s\n", sh.Party, *sh.Shift, sh.Reservation, *sh.Reachable, r.fmtOutcome(sh.Deal))
	}
}

// writeSensitivity writes the shares of samples with a zone and the deals
// that recur.
func (r *Report) writeSensitivity(b *strings.Builder, sr *SensitivityReport) {
	fmt.Fprintf(b, "Sensitivity: %d samples (seed %d) of %d assumed ranges; %d valid\n", sr.Samples, sr.Seed, len(sr.Assumptions), sr.Valid)
	if sr.Invalid > 0 {
		fmt.Fprintf(b, "  %d sample(s) failed validation, e.g.: %s\n", sr.Invalid, sr.FirstError)
	}
	fmt.Fprintf(b, "  a zone of agreement in %.1f%% of samples, a ratifiable zone in %.1f%%\n", 100*sr.ZoneShare, 100*sr.RatifiableShare)
	if o := sr.Orderings; o != nil {
		fmt.Fprintf(b, "  the agenda against the package, over %d samples with time counted:\n", o.Samples)
		for p, id := range o.Parties {
			fmt.Fprintf(b, "    %-10s prefers the agenda in %5.1f%%, the package in %5.1f%%, either in %5.1f%%; mean gain from the agenda %+.4f\n",
				id, 100*o.Agenda[p], 100*o.Package[p], 100*o.Either[p], o.MeanGain[p])
		}
	}
	for _, l := range []struct {
		name string
		ds   []DealFrequency
	}{{"Nash deals", sr.NashDeals}, {"Ratifiable Nash deals", sr.RatifiableNashDeals}} {
		fmt.Fprintf(b, "  %s, most frequent first:\n", l.name)
		if len(l.ds) == 0 {
			fmt.Fprintf(b, "    none\n")
		}
		for _, d := range l.ds {
			fmt.Fprintf(b, "    %5.1f%%  %s\n", 100*d.Share, r.fmtOutcome(d.Outcome))
		}
	}
}

func fmtRatification(d *Deal) string {
	if d == nil {
		return "none"
	}
	var s []string
	for _, pr := range d.Ratification {
		if !pr.Required {
			s = append(s, fmt.Sprintf("%s: no %s needed", pr.Party, orDefault(pr.Body, "vote")))
			continue
		}
		if len(pr.Bodies) > 0 {
			s = append(s, fmt.Sprintf("%s: %s pass with p = %.3g (%s)", pr.Party, orDefault(pr.Body, "vote"), pr.Prob, fmtBodies(pr)))
			continue
		}
		s = append(s, fmt.Sprintf("%s: %s passes with p = %.3g (yes share %.2f)", pr.Party, orDefault(pr.Body, "vote"), pr.Prob, pr.Share))
	}
	if len(s) == 0 {
		return "no ratification needed" + markBelow("; ", d.BelowReservation)
	}
	verdict := "ratifiable"
	if !d.Ratifiable {
		verdict = "NOT ratifiable"
	}
	return strings.Join(s, "; ") + " → " + verdict + markBelow(", but ", d.BelowReservation)
}

// fmtPartial writes the issues o settles, in issue order.
func (r *Report) fmtPartial(o map[string]string) string {
	s := make([]string, 0, len(o))
	for _, is := range r.Issues {
		if l, ok := o[is.ID]; ok {
			s = append(s, is.ID+"="+l)
		}
	}
	return strings.Join(s, ", ")
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
