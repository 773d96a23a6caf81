package scenario

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/diag/yamlpos"
	"github.com/parleyhq/parley/utility"
)

// Defaults of the negotiation rules.
const (
	DefaultThreshold   = 0.5  // a simple majority ratifies
	DefaultUncertainty = 0.05 // polling error of a ratification vote
)

// rules resolves what the seed article needs beyond preferences: red lines,
// credibility, ratification, time, guarantees, the agenda, the mediator,
// the decision rule, meetings and events.
func (v *validator) rules(f *File, s *Scenario) {
	for i := range f.Parties {
		if i < len(s.Parties) {
			v.partyRules(f.Parties[i], fmt.Sprintf("parties[%d]", i), s, &s.Parties[i])
		}
	}
	v.coalitionRules(f, s)
	v.guarantees(f, s)
	v.givenBaselines(s)
	v.compileVoters(s)
	v.constraints(f, s)
	v.statusQuo(f, s)
	v.membersStatusQuo(f, s)
	v.agenda(f, s)
	v.mediator(f, s)
	v.influence(f, s)
	v.decision(f, s)
	v.meetings(f, s)
	v.calendar(f, s)
	v.events(f, s)
	v.coalitionEvents(f, s)
}

// mediator settles who mediates, the one rule behind Scenario.Negotiates:
// the party named by mediator:, or else the one party with role mediator.
// A party named as mediator without a role becomes the mediator; one whose
// role says otherwise, a second mediator, or too few negotiating parties
// are errors.
func (v *validator) mediator(f *File, s *Scenario) {
	if len(s.Parties) != len(f.Parties) {
		return // parties already have errors
	}
	mediator := f.Mediator
	if mediator != "" {
		m := s.PartyIndex(mediator)
		switch {
		case m < 0:
			v.errorf("mediator", "the mediator %q is not a party; parties are %s", mediator, partyIDs(s))
		case f.Parties[m].Role == "":
			s.Parties[m].Role = RoleMediator
		case s.Parties[m].Role != RoleMediator:
			v.errorf(fmt.Sprintf("parties[%d].role", m), "%q is the scenario's mediator (mediator: %s) but has role %s; a mediator does not negotiate: give it role mediator, or name another mediator",
				mediator, mediator, s.Parties[m].Role)
		}
	}
	for i := range s.Parties {
		if s.Parties[i].Role != RoleMediator || s.Parties[i].ID == mediator {
			continue
		}
		if mediator != "" {
			v.errorf(fmt.Sprintf("parties[%d].role", i), "%q has role mediator, but the scenario's mediator is %q; a scenario has one mediator",
				s.Parties[i].ID, mediator)
			continue
		}
		mediator = s.Parties[i].ID
	}
	if n := len(s.Negotiators()); n < MinNegotiators {
		v.errorf("parties", "%s", tooFewNegotiators(n, len(s.Parties)))
	}
	for i := range s.Parties {
		if s.Parties[i].Disinterested() && s.Negotiates(i) {
			v.errorf(fmt.Sprintf("parties[%d].weights", i), "party %q has no interests (no weights, or every weight 0), which only a mediator may lack; give it weights that sum to 1, or make it the mediator", s.Parties[i].ID)
		}
	}
}

func partyIDs(s *Scenario) string {
	ids := make([]string, len(s.Parties))
	for i := range s.Parties {
		ids[i] = s.Parties[i].ID
	}
	return strings.Join(ids, ", ")
}

// match resolves a Match into a constraint over value indices.
func (v *validator) match(m Match, path, what string, s *Scenario) *utility.Constraint {
	if len(m) == 0 {
		v.errorf(path, "%s names no issue", what)
		return nil
	}
	c := &utility.Constraint{}
	for _, id := range sortedKeys(m) {
		i := s.IssueIndex(id)
		if i < 0 {
			v.errorf(join(path, id), "%s names unknown issue %q; issues are %s", what, id, v.issueIDs(s))
			continue
		}
		is := &s.Issues[i]
		allowed := make([]bool, is.Size())
		if len(m[id]) == 0 {
			v.errorf(join(path, id), "%s lists no value of issue %q", what, id)
		}
		for _, val := range m[id] {
			j := is.Lookup(val)
			if j < 0 {
				v.errorf(join(path, id), "%s names %q, which is not a value of issue %q (%s)", what, val, id, valuesOf(is))
				continue
			}
			allowed[j] = true
		}
		c.Issues = append(c.Issues, i)
		c.Allowed = append(c.Allowed, allowed)
	}
	return c
}

func valuesOf(is *Issue) string {
	if is.Kind == Discrete {
		return "options: " + optionIDs(is)
	}
	return fmt.Sprintf("%s to %s", ftoa(is.Min), ftoa(is.Max))
}

func (v *validator) partyRules(d PartyDef, p string, s *Scenario, pa *Party) {
	ids := map[string]bool{}
	for k, rl := range d.RedLines {
		rp := fmt.Sprintf("%s.red_lines[%d]", p, k)
		if rl.ID == "" {
			v.errorf(rp, "red line %d of %q needs an id", k+1, d.ID)
		} else if ids[rl.ID] {
			v.errorf(join(rp, "id"), "red line %q of %q appears twice", rl.ID, d.ID)
		}
		ids[rl.ID] = true
		if rl.Source != nil {
			v.citation(*rl.Source, join(rp, "source"))
		}
		c := v.match(rl.Forbid, join(rp, "forbid"), fmt.Sprintf("red line %q of %q", rl.ID, d.ID), s)
		if c == nil {
			continue
		}
		pa.RedLines = append(pa.RedLines, utility.RedLine{ID: rl.ID, Constraint: *c})
		info := RedLineInfo{Description: rl.Description}
		if rl.Source != nil {
			info.Quote = rl.Source.Quote
		}
		pa.RedLineInfo = append(pa.RedLineInfo, info)
	}
	kept := 0
	for k, c := range d.Commitments {
		if strings.TrimSpace(c.What) == "" {
			v.errorf(fmt.Sprintf("%s.commitments[%d]", p, k), "commitment %d of %q needs a what", k+1, d.ID)
		}
		if c.Source != nil {
			v.citation(*c.Source, fmt.Sprintf("%s.commitments[%d].source", p, k))
		}
		if c.Kept {
			kept++
		}
	}
	switch {
	case d.Credibility != nil:
		pa.Credibility = v.number(*d.Credibility, join(p, "credibility"), fmt.Sprintf("the credibility of %q", d.ID), 0, 1)
	case len(d.Commitments) > 0:
		pa.Credibility = utility.CredibilityFromRecord(kept, len(d.Commitments))
	default:
		pa.Credibility = 1
	}
	if d.DelayCost != nil {
		pa.DelayCost = v.number(*d.DelayCost, join(p, "delay_cost"), fmt.Sprintf("the delay cost of %q", d.ID), 0, 1)
	}
	if d.Drift != nil {
		pa.Drift = v.number(*d.Drift, join(p, "reservation_drift"), fmt.Sprintf("the reservation drift of %q", d.ID), -1, 1)
	}
	if r := d.Ratification; r != nil {
		pa.Ratification = v.ratification(r, join(p, "ratification"), d.ID, s)
	}
	for k, w := range d.While {
		wp := fmt.Sprintf("%s.while[%d]", p, k)
		what := fmt.Sprintf("state %d of %q", k+1, d.ID)
		rule := StateRule{DelayCost: pa.DelayCost, Drift: pa.Drift}
		if c := v.match(w.Agreed, join(wp, "agreed"), what, s); c != nil {
			rule.Agreed = *c
		}
		if w.DelayCost == nil && w.Drift == nil {
			v.errorf(wp, "%s gives neither delay_cost nor reservation_drift; a state changes one of them", what)
		}
		if w.DelayCost != nil {
			rule.DelayCost = v.number(*w.DelayCost, join(wp, "delay_cost"), "the delay cost in "+what, 0, 1)
		}
		if w.Drift != nil {
			rule.Drift = v.number(*w.Drift, join(wp, "reservation_drift"), "the reservation drift in "+what, -1, 1)
		}
		pa.While = append(pa.While, rule)
	}
}

func (v *validator) guarantees(f *File, s *Scenario) {
	seen := map[int]bool{}
	credited := map[int]bool{} // guarantors whose credibility default is recorded
	creditedMembers := map[string]bool{}
	for k, d := range f.Guarantees {
		p := fmt.Sprintf("guarantees[%d]", k)
		g := Guarantee{Issue: s.IssueIndex(d.Issue), Beneficiary: -1, Beneficiaries: v.beneficiaries(d, p, s), Rule: d.Rule}
		if len(g.Beneficiaries) > 0 {
			g.Beneficiary = g.Beneficiaries[0]
		}
		if g.Rule == "" {
			g.Rule = "mean"
			v.defaulted(join(p, "rule"), "mean", "how the credibilities of the guarantors of %q combine: their mean, each keeping discretion", d.Issue)
		} else if !contains([]string{"mean", "any", "all"}, g.Rule) {
			v.errorf(join(p, "rule"), "unknown guarantee rule %q; rules are mean, any, all", d.Rule)
		}
		if g.Issue < 0 {
			v.errorf(join(p, "issue"), "guarantee on unknown issue %q; issues are %s", d.Issue, v.issueIDs(s))
			continue
		}
		if seen[g.Issue] {
			v.errorf(join(p, "issue"), "issue %q is a guarantee twice", d.Issue)
		}
		seen[g.Issue] = true
		is := &s.Issues[g.Issue]
		if is.Kind != Discrete {
			v.errorf(join(p, "issue"), "guarantee issue %q must have options", d.Issue)
			continue
		}
		if g.Baseline = is.Lookup(d.Baseline); g.Baseline < 0 {
			v.errorf(join(p, "baseline"), "baseline %q is not an option of %q (%s)", d.Baseline, d.Issue, optionIDs(is))
		}
		g.Guarantors = make([][]int, is.Size())
		for _, o := range sortedKeys(d.Guarantors) {
			j := is.Lookup(o)
			if j < 0 {
				v.errorf(join(join(p, "guarantors"), o), "%q is not an option of %q (%s)", o, d.Issue, optionIDs(is))
				continue
			}
			for _, q := range d.Guarantors[o] {
				qi := s.PartyIndex(q)
				if qi < 0 {
					if r, ok := v.guarantorMember(f, s, q, join(join(p, "guarantors"), o), creditedMembers); ok {
						if g.Members == nil {
							g.Members = make([][]MemberRef, is.Size())
						}
						g.Members[j] = append(g.Members[j], r)
					}
					continue
				}
				g.Guarantors[j] = append(g.Guarantors[j], qi)
				v.credibilityDefault(f, s, qi, credited)
			}
		}
		if len(g.Beneficiaries) > 0 && g.Baseline >= 0 {
			s.Guarantees = append(s.Guarantees, g)
		}
	}
}

// credibilityDefault records, once per party, a guarantor's credibility
// that the file does not state: estimated from its record, or 1.
func (v *validator) credibilityDefault(f *File, s *Scenario, q int, done map[int]bool) {
	d := &f.Parties[q]
	if done[q] || d.Credibility != nil {
		return
	}
	done[q] = true
	path := fmt.Sprintf("parties[%d].credibility", q)
	if n := len(d.Commitments); n > 0 {
		kept := 0
		for _, c := range d.Commitments {
			if c.Kept {
				kept++
			}
		}
		v.defaulted(path, strconv.FormatFloat(s.Parties[q].Credibility, 'g', 4, 64),
			"the credibility of guarantor %q, estimated from its record by Laplace's rule: (%d kept + 1)/(%d commitments + 2)", d.ID, kept, n)
		return
	}
	v.defaulted(path, "1", "the credibility of guarantor %q, which states none and has no record: its pledges are taken as sure", d.ID)
}

// agenda resolves the phases and orders them so that every phase comes
// after the phases it depends on, reporting unknown names and cycles.
func (v *validator) agenda(f *File, s *Scenario) {
	if len(f.Agenda) == 0 {
		return
	}
	phases := make([]Phase, len(f.Agenda))
	index := map[string]int{}
	for k, d := range f.Agenda {
		if d.ID == "" {
			v.errorf(fmt.Sprintf("agenda[%d]", k), "phase %d of the agenda needs an id", k+1)
		} else if _, dup := index[d.ID]; dup {
			v.errorf(fmt.Sprintf("agenda[%d].id", k), "phase %q appears twice in the agenda", d.ID)
		}
		index[d.ID] = k
		phases[k].ID = d.ID
		phases[k].Stands = d.Stands
		if d.Stands && f.StatusQuo == nil {
			v.errorf(fmt.Sprintf("agenda[%d].stands", k), "phase %q stands on its own, but the scenario has no status_quo: say what no agreement is, which the phase's clauses change when a later phase fails", d.ID)
		}
	}
	owner := map[int]string{}
	for k, d := range f.Agenda {
		p := fmt.Sprintf("agenda[%d]", k)
		if d.Source != nil {
			v.citation(*d.Source, join(p, "source"))
		}
		if len(d.Issues) == 0 {
			v.errorf(p, "phase %q puts no issue on the table", d.ID)
		}
		for _, id := range d.Issues {
			i := s.IssueIndex(id)
			switch {
			case i < 0:
				v.errorf(join(p, "issues"), "phase %q names unknown issue %q; issues are %s", d.ID, id, v.issueIDs(s))
				continue
			case owner[i] != "":
				v.errorf(join(p, "issues"), "issue %q is in phases %q and %q; an issue belongs to one phase", id, owner[i], d.ID)
			}
			owner[i] = d.ID
			phases[k].Issues = append(phases[k].Issues, i)
		}
		for _, a := range d.After {
			j, ok := index[a]
			if !ok {
				v.errorf(join(p, "after"), "phase %q comes after unknown phase %q", d.ID, a)
				continue
			}
			phases[k].After = append(phases[k].After, j)
		}
	}
	var missing []string
	for i := range s.Issues {
		if owner[i] == "" {
			missing = append(missing, s.Issues[i].ID)
		}
	}
	if len(missing) > 0 {
		v.errorf("agenda", "issue(s) %s are in no phase of the agenda", strings.Join(missing, ", "))
	}
	order, cycle := topoOrder(phases)
	if cycle != nil {
		names := make([]string, len(cycle))
		for i, k := range cycle {
			names[i] = phases[k].ID
		}
		v.errorf("agenda", "the agenda's preconditions form a cycle: %s", strings.Join(names, " → "))
		return
	}
	// Renumber After to positions in the sorted order.
	pos := make([]int, len(order))
	for n, k := range order {
		pos[k] = n
	}
	for _, k := range order {
		ph := phases[k]
		for j := range ph.After {
			ph.After[j] = pos[ph.After[j]]
		}
		sort.Ints(ph.After)
		s.Agenda = append(s.Agenda, ph)
	}
}

// topoOrder sorts phases so each follows its After phases (stable: file
// order among independent phases), or returns a cycle.
func topoOrder(phases []Phase) (order, cycle []int) {
	const (
		unseen = iota
		active
		done
	)
	state := make([]int, len(phases))
	var stack []int
	var visit func(k int) bool
	visit = func(k int) bool {
		state[k] = active
		stack = append(stack, k)
		for _, a := range phases[k].After {
			switch state[a] {
			case active:
				for i, x := range stack {
					if x == a {
						cycle = append(append([]int(nil), stack[i:]...), a)
						break
					}
				}
				return false
			case unseen:
				if !visit(a) {
					return false
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[k] = done
		order = append(order, k)
		return true
	}
	for k := range phases {
		if state[k] == unseen && !visit(k) {
			return nil, cycle
		}
	}
	return order, nil
}

func (v *validator) meetings(f *File, s *Scenario) {
	for k, d := range f.Meetings {
		p := fmt.Sprintf("meetings[%d]", k)
		if d.Source != nil {
			v.citation(*d.Source, join(p, "source"))
		}
		m := Meeting{ID: d.ID}
		if d.ID == "" {
			v.errorf(p, "meeting %d needs an id", k+1)
		}
		if len(d.Invitees) < 2 {
			v.errorf(join(p, "invitees"), "meeting %q needs at least two invitees", d.ID)
		}
		for _, id := range d.Invitees {
			i := s.PartyIndex(id)
			if i < 0 {
				v.errorf(join(p, "invitees"), "invitee %q of meeting %q is not a party; parties are %s", id, d.ID, partyIDs(s))
				continue
			}
			rule := d.Accept[id]
			if rule == "" {
				rule = "always"
				v.defaulted(join(join(p, "accept"), id), rule, "whether %q accepts meeting %q: always", id, d.ID)
			}
			if !validAcceptRule(rule) {
				v.errorf(join(join(p, "accept"), id), "unknown acceptance rule %q for %q; rules are always, never, zone, or a utility in [0,1]", rule, id)
			}
			m.Invitees = append(m.Invitees, i)
			m.Accept = append(m.Accept, rule)
		}
		for _, id := range sortedKeys(d.Accept) {
			if !contains(d.Invitees, id) {
				v.errorf(join(join(p, "accept"), id), "%q has an acceptance rule for meeting %q but is not invited", id, d.ID)
			}
		}
		if d.Needs != nil {
			m.Needs = v.match(d.Needs, join(p, "needs"), fmt.Sprintf("what meeting %q needs", d.ID), s)
		}
		if d.Term != nil {
			m.Term = v.term(d, p, s)
		} else if what := v.namesIssue(d.ID, s); what != "" {
			v.errorf(join(p, "id"), "meeting %q has the name of %s, but it is not that term of the deal: link them with term: {issue: value}, or rename the meeting, so that no result says the meeting takes place beside a deal that says it does not", d.ID, what)
		}
		for _, o := range s.Meetings {
			if o.Term != nil && m.Term != nil && *o.Term == *m.Term {
				v.errorf(join(p, "term"), "meetings %q and %q are the same term of the deal", o.ID, d.ID)
			}
		}
		s.Meetings = append(s.Meetings, m)
	}
	v.signedAt(f, s)
}

// term resolves the term of the deal a meeting is: one issue, one value.
func (v *validator) term(d MeetingDef, p string, s *Scenario) *Term {
	p = join(p, "term")
	if len(d.Term) != 1 {
		v.errorf(p, "the term of meeting %q must name one issue and the value that is the meeting; it names %d", d.ID, len(d.Term))
		return nil
	}
	for id, val := range d.Term {
		i := s.IssueIndex(id)
		if i < 0 {
			v.errorf(join(p, id), "meeting %q is a term on unknown issue %q; issues are %s", d.ID, id, v.issueIDs(s))
			return nil
		}
		x := s.Issues[i].Lookup(val)
		if x < 0 {
			v.errorf(join(p, id), "meeting %q is the term %q of issue %q, which is not one of its values (%s)", d.ID, val, id, valuesOf(&s.Issues[i]))
			return nil
		}
		return &Term{Issue: i, Value: x}
	}
	return nil
}

// namesIssue says which issue or option id equals id ("" when none).
func (v *validator) namesIssue(id string, s *Scenario) string {
	for i := range s.Issues {
		is := &s.Issues[i]
		if is.ID == id {
			return fmt.Sprintf("issue %q", id)
		}
		if is.Kind == Discrete && is.Lookup(id) >= 0 {
			return fmt.Sprintf("option %q of issue %q", id, is.ID)
		}
	}
	return ""
}

// signedAt resolves the meetings at which phases are signed.
func (v *validator) signedAt(f *File, s *Scenario) {
	for k, d := range f.Agenda {
		if d.SignedAt == "" {
			continue
		}
		p := fmt.Sprintf("agenda[%d].signed_at", k)
		m := s.MeetingIndex(d.SignedAt)
		switch {
		case m < 0:
			v.errorf(p, "phase %q is signed at meeting %q, which is not a meeting; meetings are %s", d.ID, d.SignedAt, meetingIDs(s))
			continue
		case s.Meetings[m].Term != nil:
			v.errorf(p, "phase %q is signed at meeting %q, which is a term of the deal: signing there would decide that term; make the meeting a step of the talks (no term), or sign the phase elsewhere", d.ID, d.SignedAt)
			continue
		}
		for j := range s.Agenda {
			if s.Agenda[j].ID == d.ID {
				s.Agenda[j].SignedAt = d.SignedAt
			}
		}
	}
}

func meetingIDs(s *Scenario) string {
	if len(s.Meetings) == 0 {
		return "none"
	}
	ids := make([]string, len(s.Meetings))
	for k := range s.Meetings {
		ids[k] = s.Meetings[k].ID
	}
	return strings.Join(ids, ", ")
}

func validAcceptRule(r string) bool {
	switch r {
	case "always", "never", "zone":
		return true
	}
	x, err := strconv.ParseFloat(r, 64)
	return err == nil && x >= 0 && x <= 1
}

func (v *validator) events(f *File, s *Scenario) {
	for k, d := range f.Events {
		p := fmt.Sprintf("events[%d]", k)
		e := Event{Round: d.Round, Party: s.PartyIndex(d.Party), Description: d.Description, DropRedLines: d.DropRedLines,
			Exclude: d.Exclude, Readmit: d.Readmit, file: k}
		if d.Round < 0 {
			v.errorf(join(p, "round"), "event round %d is negative", d.Round)
		}
		if d.Date != "" {
			if _, given := v.idx[join(p, "round")]; given {
				v.errorf(join(p, "date"), "event %d gives both a round and a date; give one", k+1)
			}
			e.Round = v.dateRound(d.Date, join(p, "date"), fmt.Sprintf("the date of event %d", k+1), s)
		}
		if e.Party < 0 {
			v.errorf(join(p, "party"), "event for unknown party %q; parties are %s", d.Party, partyIDs(s))
			continue
		}
		if d.Source != nil {
			v.citation(*d.Source, join(p, "source"))
		}
		if d.Reservation != nil {
			e.ReservationShift = v.number(*d.Reservation, join(p, "reservation_shift"), "the reservation shift of event "+strconv.Itoa(k+1), -1, 1)
		}
		if d.DelayCost != nil {
			x := v.number(*d.DelayCost, join(p, "delay_cost"), "the delay cost event "+strconv.Itoa(k+1)+" sets", 0, 1)
			e.DelayCost = &x
		}
		if d.Drift != nil {
			x := v.number(*d.Drift, join(p, "reservation_drift"), "the reservation drift event "+strconv.Itoa(k+1)+" sets", -1, 1)
			e.Drift = &x
		}
		if d.Weights != nil {
			e.Weights = make([]float64, len(s.Issues))
			sum := 0.0
			for _, id := range sortedKeys(d.Weights) {
				i := s.IssueIndex(id)
				if i < 0 {
					v.errorf(join(join(p, "weights"), id), "event weighs unknown issue %q; issues are %s", id, v.issueIDs(s))
					continue
				}
				e.Weights[i] = v.number(d.Weights[id], join(join(p, "weights"), id), fmt.Sprintf("the weight of %q in event %d", id, k+1), 0, 1)
				sum += e.Weights[i]
			}
			if math.Abs(sum-1) > WeightSumTolerance {
				v.errorf(join(p, "weights"), "the weights of event %d sum to %s; they must sum to 1", k+1, ftoa(sum))
			}
		}
		v.eventValues(d, k, p, s, &e)
		v.eventPositions(d, k, p, s, &e)
		for j, rl := range d.AddRedLines {
			rp := fmt.Sprintf("%s.add_red_lines[%d]", p, j)
			if rl.Source != nil {
				v.citation(*rl.Source, join(rp, "source"))
			}
			if rl.ID == "" {
				v.errorf(rp, "red line %d that event %d adds needs an id", j+1, k+1)
			}
			c := v.match(rl.Forbid, join(rp, "forbid"), fmt.Sprintf("red line %q of %q (event %d)", rl.ID, d.Party, k+1), s)
			if c == nil {
				continue
			}
			e.AddRedLines = append(e.AddRedLines, utility.RedLine{ID: rl.ID, Constraint: *c})
			info := RedLineInfo{Description: rl.Description}
			if rl.Source != nil {
				info.Quote = rl.Source.Quote
			}
			e.AddInfo = append(e.AddInfo, info)
		}
		if d.Exclude && d.Readmit {
			v.errorf(join(p, "readmit"), "event %d both excludes and readmits %q", k+1, d.Party)
		}
		if (d.Exclude || d.Readmit) && !s.Negotiates(e.Party) {
			v.errorf(join(p, "exclude"), "event %d excludes or readmits %q, the mediator; only a negotiating party can leave the table", k+1, d.Party)
		}
		s.Events = append(s.Events, e)
	}
	sort.SliceStable(s.Events, func(i, j int) bool { return s.Events[i].Round < s.Events[j].Round })
	v.eventSequence(f, s)
}

// eventValues resolves an event's new values: per option for an issue with
// options (the others keep theirs), a whole shape for a numeric issue.
func (v *validator) eventValues(d EventDef, k int, p string, s *Scenario, e *Event) {
	for _, id := range sortedKeys(d.Values) {
		vp := join(join(p, "values"), id)
		i := s.IssueIndex(id)
		if i < 0 {
			v.errorf(vp, "event %d values unknown issue %q; issues are %s", k+1, id, v.issueIDs(s))
			continue
		}
		is := &s.Issues[i]
		what := fmt.Sprintf("the values of %q in event %d", id, k+1)
		if is.Kind != Discrete {
			e.Values = append(e.Values, ValueChange{Issue: i, Option: -1, Func: v.valueFunc(d.Values[id], vp, d.Party, is)})
			continue
		}
		table := d.Values[id].Table
		if table == nil {
			sub := walker{file: v.file, idx: v.idx, errs: &v.errs}
			n := len(v.errs)
			sub.walk(d.Values[id].node, reflect.TypeOf(map[string]Number{}), vp, what)
			if len(v.errs) > n {
				continue
			}
			if err := decodeNode(d.Values[id].node, &table); err != nil {
				v.errs = append(v.errs, yamlpos.Error(v.file, err))
				continue
			}
		}
		if len(table) == 0 {
			v.errorf(vp, "%s change no option", what)
		}
		for _, o := range sortedKeys(table) {
			j := is.Lookup(o)
			if j < 0 {
				v.errorf(join(vp, o), "%s name %q, which is not an option of %q (options: %s)", what, o, id, optionIDs(is))
				continue
			}
			x := v.number(table[o], join(vp, o), fmt.Sprintf("the value of %q in event %d", o, k+1), 0, 1)
			e.Values = append(e.Values, ValueChange{Issue: i, Option: j, Value: x})
		}
	}
}

// eventPositions resolves an event's new positions on scaled issues.
func (v *validator) eventPositions(d EventDef, k int, p string, s *Scenario, e *Event) {
	if len(d.Positions) == 0 {
		return
	}
	if s.Parties[e.Party].Positions == nil {
		v.errorf(join(p, "positions"), "event %d moves the positions of %q, which takes none; give it a capability and positions first", k+1, d.Party)
		return
	}
	e.Positions = map[int]Position{}
	for _, id := range sortedKeys(d.Positions) {
		pp := join(join(p, "positions"), id)
		i := s.IssueIndex(id)
		switch {
		case i < 0:
			v.errorf(pp, "event %d moves %q's position on unknown issue %q; issues are %s", k+1, d.Party, id, v.issueIDs(s))
			continue
		case s.Issues[i].Scale == nil:
			v.errorf(pp, "event %d moves %q's position on issue %q, which has no scale", k+1, d.Party, id)
			continue
		}
		pd := d.Positions[id]
		e.Positions[i] = Position{
			Position: v.number(pd.Position, join(pp, "position"), fmt.Sprintf("the position of %q on %q in event %d", d.Party, id, k+1), 0, 100),
			Salience: v.number(pd.Salience, join(pp, "salience"), fmt.Sprintf("the salience of %q for %q in event %d", id, d.Party, k+1), 0, 100),
		}
	}
}

// eventSequence checks the events in the order they happen: a red line is
// dropped only while the party has it, a party is excluded only while at
// the table and readmitted only while excluded.
func (v *validator) eventSequence(f *File, s *Scenario) {
	if len(s.Parties) != len(f.Parties) {
		return
	}
	lines := make([]map[string]bool, len(s.Parties))
	out := make([]bool, len(s.Parties))
	for i := range s.Parties {
		lines[i] = map[string]bool{}
		for _, rl := range s.Parties[i].RedLines {
			lines[i][rl.ID] = true
		}
	}
	for n := range s.Events {
		e := &s.Events[n]
		p, id := fmt.Sprintf("events[%d]", e.file), s.Parties[e.Party].ID
		for _, rl := range e.DropRedLines {
			if !lines[e.Party][rl] {
				v.errorf(join(p, "drop_red_lines"), "party %q has no red line %q to drop", id, rl)
			}
			delete(lines[e.Party], rl)
		}
		for _, rl := range e.AddRedLines {
			if lines[e.Party][rl.ID] {
				v.errorf(join(p, "add_red_lines"), "party %q already has a red line %q", id, rl.ID)
			}
			lines[e.Party][rl.ID] = true
		}
		switch {
		case e.Exclude && out[e.Party]:
			v.errorf(join(p, "exclude"), "event excludes %q, which is already excluded", id)
		case e.Readmit && !out[e.Party]:
			v.errorf(join(p, "readmit"), "event readmits %q, which no earlier event excluded", id)
		}
		if e.Exclude || e.Readmit {
			out[e.Party] = e.Exclude
		}
	}
}

// ReservationTolerance is how far a stated reservation value may lie from
// the status quo's before validation warns that they disagree.
const ReservationTolerance = 1e-9

// statusQuo resolves the world without a deal and derives each party's
// reservation value from it: its utility of that outcome, red lines left
// out. A reservation value the file states as well is replaced, with a
// warning that gives both numbers when they differ. It runs after the
// guarantees, whose discounts enter the utilities.
func (v *validator) statusQuo(f *File, s *Scenario) {
	d := f.StatusQuo
	if d == nil {
		return
	}
	const p = "status_quo"
	if d.Source != nil {
		v.citation(*d.Source, join(p, "source"))
	}
	if a := d.Assumption; a != nil {
		if strings.TrimSpace(a.Why) == "" {
			v.errorf(join(p, "assumption"), "the assumption behind the status quo needs a why")
		}
		if a.Range != nil {
			v.errorf(join(p, "assumption.range"), "the status quo is an outcome, not a number: its assumption takes no range")
		}
	}
	sq := v.outcome(d.Outcome, join(p, "outcome"), "the status quo", s)
	if sq == nil || len(s.Parties) != len(f.Parties) {
		return
	}
	s.StatusQuo = sq
	if len(v.errs) > 0 {
		return // utilities may be incomplete; the scenario is not used
	}
	for i := range s.Parties {
		pa := &s.Parties[i]
		if pa.Disinterested() || len(pa.Prefs.Weights) == 0 {
			continue
		}
		sqv := s.StatusQuoValue(i, pa)
		if r := f.Parties[i].Reservation; r != nil && math.Abs(r.Value-sqv) > ReservationTolerance {
			stated := r.Value
			pa.StatedReservation = &stated
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s: the reservation value of %q is stated as %s, but its utility of the status quo is %.4g; the status quo's value is used",
				v.pos(fmt.Sprintf("parties[%d].reservation", i)), pa.ID, ftoa(stated), sqv))
		}
		pa.Prefs.Reservation = sqv
	}
	v.dropDefaultsMatching(func(d Default) bool {
		return strings.HasSuffix(d.Path, ".reservation") && strings.HasPrefix(d.Path, "parties[")
	})
}

// outcome resolves a complete outcome given as issue id → value (option id
// or number): every issue once, each value one of its issue's. It returns
// nil after reporting a problem.
func (v *validator) outcome(m map[string]string, path, what string, s *Scenario) []int {
	o := make([]int, len(s.Issues))
	ok := true
	for _, id := range sortedKeys(m) {
		if s.IssueIndex(id) < 0 {
			v.errorf(join(path, id), "%s names unknown issue %q; issues are %s", what, id, v.issueIDs(s))
			ok = false
		}
	}
	var missing []string
	for i := range s.Issues {
		is := &s.Issues[i]
		val, given := m[is.ID]
		if !given {
			missing = append(missing, is.ID)
			continue
		}
		if o[i] = is.Lookup(val); o[i] < 0 {
			v.errorf(join(path, is.ID), "%s gives issue %q the value %q, which is not one of its values (%s)", what, is.ID, val, valuesOf(is))
			ok = false
		}
	}
	if len(missing) > 0 {
		v.errorf(path, "%s gives no value for issue(s) %s; give every issue the value it takes", what, strings.Join(missing, ", "))
		ok = false
	}
	if !ok {
		return nil
	}
	return o
}
