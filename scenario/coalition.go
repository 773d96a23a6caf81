package scenario

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/utility"
)

// A coalition whose members have preferences of their own (issue 16,
// finding 4): each such member votes, the coalition's utility is their
// weighted mean (additive, so every figure over utilities stays exact),
// and it accepts a deal by its rule over their answers (utility.Panel).
// Guarantors may be such members, and every guarantor must consent to a
// deal that names it (utility.Consent).

// DecidesDef is how a coalition whose members have preferences accepts a
// deal: written plainly (unanimity, leader, weighted) or as a mapping
// {rule, leader, qualified_majority: {share}, source}.
type DecidesDef struct {
	Rule              string                `yaml:"rule,omitempty" json:"rule,omitempty" jsonschema:"enum=unanimity,enum=leader,enum=weighted,enum=qualified_majority" jsonschema_description:"unanimity: every member with preferences accepts; leader: the leader's answer; weighted: members holding more than half the vote shares; qualified_majority: at least share of them."`
	Leader            string                `yaml:"leader,omitempty" json:"leader,omitempty" jsonschema_description:"The member whose answer is the coalition's (rule leader; default: the first member with preferences)."`
	QualifiedMajority *QualifiedMajorityDef `yaml:"qualified_majority,omitempty" json:"qualified_majority,omitempty"`
	Source            *Citation             `yaml:"source,omitempty" json:"source,omitempty"`
}

// QualifiedMajorityDef is the share of the members' vote shares that must
// accept a deal.
type QualifiedMajorityDef struct {
	Share Number `yaml:"share" json:"share" jsonschema_description:"The share of the members' total vote share that must accept, in (0, 1]."`
}

type decidesFields DecidesDef // DecidesDef without its methods, for decoding

var decidesDefType = reflect.TypeOf(DecidesDef{})

// UnmarshalYAML reads a plain rule or the mapping.
func (d *DecidesDef) UnmarshalYAML(node ast.Node) error {
	if sn, ok := node.(*ast.StringNode); ok {
		*d = DecidesDef{Rule: sn.Value}
		return nil
	}
	var f decidesFields
	if err := decodeNode(node, &f); err != nil {
		return err
	}
	*d = DecidesDef(f)
	return nil
}

// MarshalYAML writes a plain rule when there is nothing else to say.
func (d DecidesDef) MarshalYAML() (any, error) {
	if d.Leader == "" && d.QualifiedMajority == nil && d.Source == nil {
		return d.Rule, nil
	}
	return decidesFields(d), nil
}

// Decides is how a party whose members have preferences accepts a deal.
type Decides struct {
	Rule   utility.PanelRule
	Leader int     // LeaderDecides: the index in Members of the leader
	Share  float64 // QualifiedMajority: the share of the vote needed
}

// MemberRef names a member of a party: Party is the party's index,
// Member the member's index in its Members.
type MemberRef struct {
	Party, Member int
}

// Voters lists the indices in Members of the members with preferences of
// their own: those who vote on what the party accepts.
func (p *Party) Voters() []int {
	var out []int
	for k := range p.Members {
		if p.Members[k].Prefs != nil {
			out = append(out, k)
		}
	}
	return out
}

// Decided reports whether members decide for the party: some have
// preferences of their own.
func (p *Party) Decided() bool {
	for k := range p.Members {
		if p.Members[k].Prefs != nil {
			return true
		}
	}
	return false
}

// DescribeDecides says how the party accepts a deal, for people:
// "unanimity of de, fr, gb", "gb decides", "a qualified majority (0.55)
// of de, fr, gb".
func (p *Party) DescribeDecides() string {
	var ids []string
	for _, k := range p.Voters() {
		ids = append(ids, p.Members[k].ID)
	}
	of := strings.Join(ids, ", ")
	switch p.Decides.Rule {
	case utility.LeaderDecides:
		return p.Members[p.Decides.Leader].ID + " decides for " + p.ID
	case utility.WeightedMajority:
		return "a weighted majority of " + of
	case utility.QualifiedMajority:
		return fmt.Sprintf("a qualified majority (%s of the vote) of %s", ftoa(p.Decides.Share), of)
	}
	return "unanimity of " + of
}

// MemberRef returns the member with the given id, and whether there is one.
func (s *Scenario) MemberRef(id string) (MemberRef, bool) {
	for p := range s.Parties {
		for k := range s.Parties[p].Members {
			if s.Parties[p].Members[k].ID == id {
				return MemberRef{p, k}, true
			}
		}
	}
	return MemberRef{}, false
}

// Member returns the member r names.
func (s *Scenario) Member(r MemberRef) *Member { return &s.Parties[r.Party].Members[r.Member] }

// GuarantorIDs lists the ids of the guarantors of value v of g: parties,
// then members.
func (s *Scenario) GuarantorIDs(g *Guarantee, v int) []string {
	var ids []string
	for _, q := range g.Guarantors[v] {
		ids = append(ids, s.Parties[q].ID)
	}
	if g.Members != nil {
		for _, r := range g.Members[v] {
			ids = append(ids, s.Member(r).ID)
		}
	}
	return ids
}

// GuarantorCredibility lists the credibility of each guarantor of value v
// of g, in the order of GuarantorIDs: each its own.
func (s *Scenario) GuarantorCredibility(g *Guarantee, v int) []float64 {
	cred := make([]float64, 0, len(g.Guarantors[v]))
	for _, q := range g.Guarantors[v] {
		cred = append(cred, s.Parties[q].Credibility)
	}
	if g.Members != nil {
		for _, r := range g.Members[v] {
			cred = append(cred, s.Member(r).Credibility)
		}
	}
	return cred
}

// panel is the panel of pa's members with preferences, which decides what
// party p accepts, or nil when it has none.
func (s *Scenario) panel(p int, pa *Party) *utility.Panel {
	var pn *utility.Panel
	for k := range pa.Members {
		m := &pa.Members[k]
		if m.Prefs == nil {
			continue
		}
		if pn == nil {
			pn = &utility.Panel{Rule: pa.Decides.Rule, Share: pa.Decides.Share}
		}
		if k == pa.Decides.Leader {
			pn.Leader = len(pn.Members)
		}
		pn.Members = append(pn.Members, s.memberUtility(p, m))
		pn.Weights = append(pn.Weights, m.Weight)
		pn.IDs = append(pn.IDs, m.ID)
	}
	return pn
}

// partyUtility compiles pa's preferences, party p's, without red lines or
// audience costs. A coalition's are its members' weighted mean
// (meanPrefs), and so are their conditional values: each member's given:
// terms, scaled by its share of the vote, are added here, where they can
// be discounted as the member's own are.
func (s *Scenario) partyUtility(p int, pa *Party) *utility.Additive {
	a := s.compile(p, &pa.Prefs)
	total := 0.0
	for _, k := range pa.Voters() {
		total += pa.Members[k].Weight
	}
	for _, k := range pa.Voters() {
		m := &pa.Members[k]
		if len(m.Prefs.Given) == 0 || total <= 0 {
			continue
		}
		share := m.Weight / total
		for _, t := range s.givenTerms(p, m.Prefs, func(i int, row []float64) { s.discount(p, i, row) }) {
			t.Value *= share
			a.Terms = append(slices.Clip(a.Terms), t)
		}
	}
	return a
}

// memberUtility compiles the preferences of m, a member of party p with
// preferences: guarantees to p discounted, p's audience costs subtracted
// (its public stances bind its members), its red lines attached, then the
// scenario's constraints (a member accepts no forbidden deal either).
func (s *Scenario) memberUtility(p int, m *Member) *utility.Additive {
	a := s.compile(p, m.Prefs)
	s.AddAudienceCosts(p, a)
	a.RedLines = s.withConstraints(m.RedLines)
	return a
}

// acceptor is the utility by which guarantor q (a party, member -1) or its
// member decides whether it accepts a deal, consents aside: nil for a
// party without interests, which refuses nothing. A member without
// preferences of its own accepts what its party accepts.
func (s *Scenario) acceptor(q, member int) *utility.Additive {
	pa := &s.Parties[q]
	if member >= 0 {
		if m := &pa.Members[member]; m.Prefs != nil {
			return s.memberUtility(q, m)
		}
	}
	if pa.Disinterested() {
		return nil
	}
	return s.ownUtility(q, pa)
}

// consents are the consents party p needs: for every guarantee option,
// each of its guarantors must accept a deal that names it. A guarantor
// whose acceptance every deal needs anyway (Required) consents by
// accepting: asking again would change nothing but tell every party what
// it accepts. A party's own acceptance is not a consent it needs either.
func (s *Scenario) consents(p int) []utility.Consent {
	var out []utility.Consent
	for gi := range s.Guarantees {
		g := &s.Guarantees[gi]
		when := func(v int) utility.Constraint {
			allowed := make([]bool, s.Issues[g.Issue].Size())
			allowed[v] = true
			return utility.Constraint{Issues: []int{g.Issue}, Allowed: [][]bool{allowed}}
		}
		for v := range g.Guarantors {
			for _, q := range g.Guarantors[v] {
				if q == p || s.Required(q, -1) {
					continue
				}
				if by := s.acceptor(q, -1); by != nil {
					out = append(out, utility.Consent{ID: "guarantor " + s.Parties[q].ID, When: when(v), By: by})
				}
			}
			if g.Members == nil {
				continue
			}
			for _, r := range g.Members[v] {
				m := s.Member(r)
				if r.Party == p && m.Prefs == nil || s.Required(r.Party, r.Member) {
					continue
				}
				if by := s.acceptor(r.Party, r.Member); by != nil {
					out = append(out, utility.Consent{ID: "guarantor " + m.ID, When: when(v), By: by})
				}
			}
		}
	}
	return out
}

// Required reports whether every deal needs the acceptance of party q
// (member -1) or of its member: a negotiating party the decision rule
// cannot outvote (unanimity, or a veto), and a member whose coalition is
// such a party and cannot outvote it either (a member without preferences
// accepts what its coalition accepts; one with them, under unanimity or
// as the leader who decides).
func (s *Scenario) Required(q, member int) bool {
	if !s.Negotiates(q) {
		return false
	}
	if !s.NegotiatorRule().Unanimous(len(s.Negotiators())) && !slices.Contains(s.Decision.Veto, q) {
		return false
	}
	if member < 0 {
		return true
	}
	pa := &s.Parties[q]
	switch {
	case pa.Members[member].Prefs == nil:
		return true
	case pa.Decides.Rule == utility.Unanimity:
		return true
	case pa.Decides.Rule == utility.LeaderDecides:
		return pa.Decides.Leader == member
	}
	return false
}

// Backing reports, for each guarantor of the value that outcome o gives
// the issue of guarantee g, its id and whether it accepts o: its own
// answer (a party, a member with preferences), or its coalition's (a
// member without); a guarantor without interests backs anything.
func (s *Scenario) Backing(g *Guarantee, o []int) (ids []string, backs []bool) {
	v := o[g.Issue]
	add := func(id string, by *utility.Additive) {
		ids, backs = append(ids, id), append(backs, by == nil || by.Accepts(o))
	}
	for _, q := range g.Guarantors[v] {
		add(s.Parties[q].ID, s.acceptor(q, -1))
	}
	if g.Members != nil {
		for _, r := range g.Members[v] {
			add(s.Member(r).ID, s.acceptor(r.Party, r.Member))
		}
	}
	return ids, backs
}

// fallbackMembers gives the members of pa (party p of s) with preferences
// the reservation values the events leave them, as AtRound gives the
// party its own: with a status quo, each member's utility of it, then
// shift. The members are copied, not changed in place.
func (s *Scenario) fallbackMembers(p int, pa *Party, shift float64) {
	if !pa.Decided() {
		return
	}
	pa.Members = slices.Clone(pa.Members)
	for k := range pa.Members {
		m := &pa.Members[k]
		if m.Prefs == nil {
			continue
		}
		pr := *m.Prefs
		m.Prefs = &pr
		if s.StatusQuo != nil {
			pr.Reservation = s.compile(p, m.Prefs).Raw(s.StatusQuo) // as StatusQuoValue
		}
		pr.Reservation += shift
	}
}

// meanPrefs are the preferences of a coalition whose members have their
// own: per issue, the weight Σ_m s_m·w_mi and the value table
// Σ_m s_m·w_mi·e_mi(v) / Σ_m s_m·w_mi, s_m being member m's share of the
// vote, so that its utility is Σ_m s_m·u_m; its reservation value is the
// members' weighted mean, its terms theirs scaled by their shares.
func meanPrefs(pa *Party, s *Scenario) Preferences {
	total := 0.0
	for _, k := range pa.Voters() {
		total += pa.Members[k].Weight
	}
	pr := Preferences{Discount: 1, Weights: make([]float64, len(s.Issues)), Values: make([]utility.ValueFunc, len(s.Issues))}
	if total <= 0 {
		for i := range pr.Values {
			pr.Values[i] = noValue(&s.Issues[i])
		}
		return pr
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		vals := make([]float64, is.Size())
		w := 0.0
		for _, k := range pa.Voters() {
			m := &pa.Members[k]
			wi := m.Weight / total * m.Prefs.Weights[i]
			f := &m.Prefs.Values[i]
			if wi == 0 || f.Shape == utility.Table && len(f.Values) != len(vals) {
				continue // no value function: reported, and the scenario is not used
			}
			w += wi
			for v := range vals {
				vals[v] += wi * f.Eval(v, is.Number(v), is.Min, is.Max)
			}
		}
		if w > 0 {
			for v := range vals {
				vals[v] /= w
			}
		}
		pr.Weights[i] = w
		pr.Values[i] = utility.ValueFunc{Shape: utility.Table, Values: vals}
	}
	for _, k := range pa.Voters() {
		m := &pa.Members[k]
		share := m.Weight / total
		pr.Reservation += share * m.Prefs.Reservation
		for _, t := range m.Prefs.Terms {
			t.Value *= share
			pr.Terms = append(pr.Terms, t)
		}
	}
	return pr
}

// coalition resolves the preferences of pa's members and how they decide,
// and reports whether some member has preferences: the party's own are
// then their weighted mean (meanPrefs), and it may state none itself.
func (v *validator) coalition(d PartyDef, p string, s *Scenario, pa *Party) bool {
	voters := 0
	for k, md := range d.Members {
		if k >= len(pa.Members) {
			break
		}
		mp := fmt.Sprintf("%s.members[%d]", p, k)
		m := &pa.Members[k]
		who := fmt.Sprintf("member %q of %q", md.ID, d.ID)
		if md.Credibility != nil {
			m.Credibility = v.number(*md.Credibility, join(mp, "credibility"), "the credibility of "+who, 0, 1)
		}
		if len(md.Weights) == 0 && len(md.Values) == 0 {
			if md.Weight != nil {
				v.errorf(join(mp, "weight"), "%s has a vote share (weight) but no preferences, so it does not vote; give it weights and values, or drop the weight", who)
			}
			if md.Reservation != nil {
				v.errorf(join(mp, "reservation"), "%s has a reservation value but no preferences (weights and values); give it some, or drop the reservation", who)
			}
			if len(md.RedLines) > 0 {
				v.errorf(join(mp, "red_lines"), "%s has red lines but no preferences, so it does not vote and its red lines bind nothing; give it weights and values, or give the red lines to %q", who, d.ID)
			}
			continue
		}
		switch {
		case pa.Role != RoleCoalition:
			v.errorf(mp, "%s has preferences of its own, but %q is not a coalition; give %q role: coalition, whose members decide what it accepts", who, d.ID, d.ID)
		case m.Role == MemberRoleObserver:
			v.errorf(join(mp, "role"), "%s is an observer, which does not vote; drop its preferences or make it a member", who)
		}
		n := len(v.errs)
		pr := v.prefs(PartyDef{ID: md.ID, Reservation: md.Reservation, Weights: md.Weights, Values: md.Values}, mp, s)
		v.renameErrors(n, md.ID, who)
		if len(v.errs) == n {
			zero := true
			for _, w := range pr.Weights {
				zero = zero && w == 0
			}
			if zero {
				v.errorf(join(mp, "weights"), "%s weighs every issue 0, so it has no interests to vote by; give it weights that sum to 1", who)
			}
		}
		m.Prefs = &pr
		m.Weight = 1
		if md.Weight != nil {
			m.Weight = v.number(*md.Weight, join(mp, "weight"), "the vote share of "+who, 0, math.Inf(1))
			if m.Weight == 0 {
				v.errorf(join(mp, "weight"), "the vote share of %s is 0; a member that does not vote has no preferences: drop them, or give it a positive share", who)
				m.Weight = 1
			}
		}
		m.RedLines, m.RedLineInfo = v.memberRedLines(md.RedLines, mp, who, s)
		voters++
	}
	v.decides(d, p, pa, voters)
	if voters == 0 {
		return false
	}
	if len(d.Weights) > 0 || len(d.Values) > 0 {
		v.errorf(join(p, "weights"), "the preferences of coalition %q are its members' (their weighted mean): drop its own weights and values, or its members'", d.ID)
	}
	if d.Reservation != nil {
		v.errorf(join(p, "reservation"), "the reservation value of coalition %q is its members' weighted mean: drop it, and give each member its own", d.ID)
	}
	if voters > 1 {
		for k, md := range d.Members {
			if k < len(pa.Members) && pa.Members[k].Prefs != nil && md.Weight == nil {
				v.defaulted(fmt.Sprintf("%s.members[%d].weight", p, k), "1", "the vote share of member %q of %q (every member with preferences has an equal share)", md.ID, d.ID)
			}
		}
	}
	pa.Prefs = meanPrefs(pa, s)
	if d.Discount != nil {
		pa.Prefs.Discount = v.number(*d.Discount, join(p, "discount"), fmt.Sprintf("the discount factor of %q", d.ID), 0, 1)
		if pa.Prefs.Discount == 0 {
			v.errorf(join(p, "discount"), "the discount factor of %q is 0; it must be in (0, 1], 1 meaning no discount", d.ID)
		}
	}
	return true
}

// renameErrors says of a member, as who, what the errors from the n-th on
// say of the party id: the preferences of a member are checked as a
// party's.
func (v *validator) renameErrors(n int, id, who string) {
	q := fmt.Sprintf("%q", id)
	r := strings.NewReplacer("party "+q, who, "of "+q, "of "+who, "for "+q, "for "+who, q+"'s", who+"'s")
	for k := n; k < len(v.errs); k++ {
		v.errs[k].Msg = r.Replace(v.errs[k].Msg)
	}
}

// memberRedLines resolves a member's red lines, as a party's.
func (v *validator) memberRedLines(defs []RedLineDef, p, who string, s *Scenario) ([]utility.RedLine, []RedLineInfo) {
	var lines []utility.RedLine
	var info []RedLineInfo
	ids := map[string]bool{}
	for k, rl := range defs {
		rp := fmt.Sprintf("%s.red_lines[%d]", p, k)
		if rl.ID == "" {
			v.errorf(rp, "red line %d of %s needs an id", k+1, who)
		} else if ids[rl.ID] {
			v.errorf(join(rp, "id"), "red line %q of %s appears twice", rl.ID, who)
		}
		ids[rl.ID] = true
		if rl.Source != nil {
			v.citation(*rl.Source, join(rp, "source"))
		}
		c := v.match(rl.Forbid, join(rp, "forbid"), fmt.Sprintf("red line %q of %s", rl.ID, who), s)
		if c == nil {
			continue
		}
		lines = append(lines, utility.RedLine{ID: rl.ID, Constraint: *c})
		ri := RedLineInfo{Description: rl.Description}
		if rl.Source != nil {
			ri.Quote = rl.Source.Quote
		}
		info = append(info, ri)
	}
	return lines, info
}

// decides resolves how a coalition whose members have preferences
// accepts a deal.
func (v *validator) decides(d PartyDef, p string, pa *Party, voters int) {
	dd := d.Decides
	dp := join(p, "decides")
	pa.Decides = Decides{Leader: -1}
	if dd == nil {
		if voters > 0 {
			v.defaulted(dp, "unanimity", "how coalition %q accepts a deal: every member with preferences must accept it", d.ID)
		}
		return
	}
	if dd.Source != nil {
		v.citation(*dd.Source, join(dp, "source"))
	}
	if voters == 0 {
		v.errorf(dp, "party %q decides by its members' rule, but none of its members has preferences of its own; give members weights and values", d.ID)
		return
	}
	rule := dd.Rule
	implied := func(r, field string) {
		if rule != "" && rule != r {
			v.errorf(dp, "the decision rule of %q is %s, but it gives %s, which belongs to rule %s", d.ID, rule, field, r)
		}
		rule = r
	}
	switch {
	case dd.Leader != "" && dd.QualifiedMajority != nil:
		v.errorf(dp, "the decision rule of %q gives both a leader and a qualified majority; give one", d.ID)
		return
	case dd.Leader != "":
		implied("leader", "a leader")
	case dd.QualifiedMajority != nil:
		implied("qualified_majority", "a qualified majority")
	}
	switch rule {
	case "unanimity":
		pa.Decides.Rule = utility.Unanimity
	case "weighted":
		pa.Decides.Rule = utility.WeightedMajority
	case "leader":
		pa.Decides.Rule = utility.LeaderDecides
		id := dd.Leader
		if id == "" {
			id = pa.Members[pa.Voters()[0]].ID
			v.defaulted(join(dp, "leader"), id, "the member whose answer is coalition %q's: its first member with preferences", d.ID)
		}
		k := slices.IndexFunc(pa.Members, func(m Member) bool { return m.ID == id })
		switch {
		case k < 0:
			v.errorf(join(dp, "leader"), "the leader %q of %q is not one of its members (%s)", id, d.ID, memberIDs(pa))
		case pa.Members[k].Prefs == nil:
			v.errorf(join(dp, "leader"), "the leader %q of %q has no preferences of its own to decide by; give it weights and values", id, d.ID)
		default:
			pa.Decides.Leader = k
		}
	case "qualified_majority":
		pa.Decides.Rule = utility.QualifiedMajority
		if dd.QualifiedMajority == nil {
			v.errorf(dp, "a qualified majority needs its share: decides: {qualified_majority: {share: 0.55}}")
			return
		}
		sp := join(dp, "qualified_majority.share")
		pa.Decides.Share = v.number(dd.QualifiedMajority.Share, sp, fmt.Sprintf("the share of the vote that %q needs", d.ID), 0, 1)
		if pa.Decides.Share == 0 {
			v.errorf(sp, "the share of the vote that %q needs is 0; it must be in (0, 1]", d.ID)
		}
	case "":
		v.errorf(dp, "the decision rule of %q names no rule; rules are unanimity, leader, weighted, qualified_majority", d.ID)
	default:
		v.errorf(dp, "unknown decision rule %q for %q; rules are unanimity, leader, weighted, qualified_majority", rule, d.ID)
	}
}

func memberIDs(pa *Party) string {
	ids := make([]string, len(pa.Members))
	for k := range pa.Members {
		ids[k] = pa.Members[k].ID
	}
	return strings.Join(ids, ", ")
}

// coalitionRules gives every member that states no credibility its
// party's (once the parties' are resolved).
func (v *validator) coalitionRules(f *File, s *Scenario) {
	for i := range f.Parties {
		if i >= len(s.Parties) {
			return
		}
		pa := &s.Parties[i]
		for k, md := range f.Parties[i].Members {
			if k < len(pa.Members) && md.Credibility == nil {
				pa.Members[k].Credibility = pa.Credibility
			}
		}
	}
}

// coalitionEvents refuses events that set the weights or values of a
// coalition whose preferences are its members'.
func (v *validator) coalitionEvents(f *File, s *Scenario) {
	for k, d := range f.Events {
		i := s.PartyIndex(d.Party)
		if i < 0 || !s.Parties[i].Decided() {
			continue
		}
		p := fmt.Sprintf("events[%d]", k)
		if d.Weights != nil {
			v.errorf(join(p, "weights"), "event %d sets the weights of coalition %q, whose preferences are its members'", k+1, d.Party)
		}
		if d.Values != nil {
			v.errorf(join(p, "values"), "event %d sets the values of coalition %q, whose preferences are its members'", k+1, d.Party)
		}
	}
}

// guarantorMember resolves guarantor id q of guarantee k, which is no
// party: a member of one, recorded with its credibility's default, or an
// error.
func (v *validator) guarantorMember(f *File, s *Scenario, q, path string, done map[string]bool) (MemberRef, bool) {
	r, ok := s.MemberRef(q)
	if !ok {
		var ms []string
		for p := range s.Parties {
			for _, m := range s.Parties[p].Members {
				ms = append(ms, m.ID)
			}
		}
		members := ""
		if len(ms) > 0 {
			members = "; members are " + strings.Join(ms, ", ")
		}
		v.errorf(path, "guarantor %q is not a party, nor a member of one; parties are %s%s", q, partyIDs(s), members)
		return r, false
	}
	if !done[q] && r.Party < len(f.Parties) && r.Member < len(f.Parties[r.Party].Members) && f.Parties[r.Party].Members[r.Member].Credibility == nil {
		done[q] = true
		pa := &s.Parties[r.Party]
		v.defaulted(fmt.Sprintf("parties[%d].members[%d].credibility", r.Party, r.Member), ftoa(pa.Credibility),
			"the credibility of guarantor %q, member of %q, which states none: its coalition's", q, pa.ID)
	}
	return r, true
}

// membersStatusQuo derives the reservation value of every member with
// preferences from the status quo, as statusQuo does for parties (with a
// warning for a stated one that differs), and the coalition's as their
// weighted mean.
func (v *validator) membersStatusQuo(f *File, s *Scenario) {
	sq := s.StatusQuo
	if sq == nil || len(v.errs) > 0 || len(s.Parties) != len(f.Parties) {
		return
	}
	for i := range s.Parties {
		pa := &s.Parties[i]
		if !pa.Decided() {
			continue
		}
		for k := range pa.Members {
			m := &pa.Members[k]
			if m.Prefs == nil {
				continue
			}
			sqv := s.compile(i, m.Prefs).Raw(sq) // as StatusQuoValue
			if r := f.Parties[i].Members[k].Reservation; r != nil && math.Abs(r.Value-sqv) > ReservationTolerance {
				stated := r.Value
				m.StatedReservation = &stated
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s: the reservation value of member %q of %q is stated as %s, but its utility of the status quo is %.4g; the status quo's value is used",
					v.pos(fmt.Sprintf("parties[%d].members[%d].reservation", i, k)), m.ID, pa.ID, ftoa(stated), sqv))
			}
			m.Prefs.Reservation = sqv
		}
		pa.Prefs.Reservation = meanPrefs(pa, s).Reservation
	}
}

// writeMembers writes the preferences of p's members and how they
// decide into d, written by ToFile: the coalition's own preferences
// follow from theirs and are left out.
func (s *Scenario) writeMembers(d *PartyDef, p *Party) {
	if !p.Decided() {
		return
	}
	d.Weights, d.Values, d.Reservation = nil, nil, nil
	for k := range p.Members {
		m := &p.Members[k]
		md := &d.Members[k]
		if m.Credibility != p.Credibility {
			c := N(m.Credibility)
			md.Credibility = &c
		}
		if m.Prefs == nil {
			continue
		}
		w := N(m.Weight)
		md.Weight = &w
		if s.StatusQuo == nil {
			r := N(m.Prefs.Reservation)
			md.Reservation = &r
		}
		for j, rl := range m.RedLines {
			rd := RedLineDef{ID: rl.ID, Forbid: s.matchOf(&rl.Constraint)}
			if j < len(m.RedLineInfo) {
				rd.Description = m.RedLineInfo[j].Description
			}
			md.RedLines = append(md.RedLines, rd)
		}
		md.Weights, md.Values = map[string]Number{}, map[string]ValueDef{}
		for i := range s.Issues {
			is := &s.Issues[i]
			md.Weights[is.ID] = N(m.Prefs.Weights[i])
			md.Values[is.ID] = valueDef(&m.Prefs.Values[i], is)
		}
	}
	dd := &DecidesDef{Rule: p.Decides.Rule.String()}
	switch p.Decides.Rule {
	case utility.LeaderDecides:
		dd.Rule, dd.Leader = "", p.Members[p.Decides.Leader].ID
	case utility.QualifiedMajority:
		dd.Rule, dd.QualifiedMajority = "", &QualifiedMajorityDef{Share: N(p.Decides.Share)}
	}
	d.Decides = dd
}

// influenceDef is the mediator's influence as the file writes it.
func (s *Scenario) influenceDef() *InfluenceDef {
	in := s.Influence
	if in == nil {
		return nil
	}
	d := &InfluenceDef{Rule: "capability", Rate: N(in.Rate)}
	for _, q := range in.From {
		d.From = append(d.From, s.Parties[q].ID)
	}
	// A set: written in id order, so that reordering the parties does not
	// read as a change of who lobbies (parley diff).
	slices.Sort(d.From)
	return d
}

// matchOf writes a constraint as the file does: issue id to value ids.
func (s *Scenario) matchOf(c *utility.Constraint) Match {
	m := Match{}
	for k, i := range c.Issues {
		is := &s.Issues[i]
		vals := []string{}
		for v, ok := range c.Allowed[k] {
			if ok {
				vals = append(vals, is.Value(v))
			}
		}
		m[is.ID] = vals
	}
	return m
}
