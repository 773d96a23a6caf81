package analysis

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// A coalition whose members decide accepts by their rule, and a deal needs
// the consent of the guarantors it names (issue 16, finding 4; see
// utility.Panel and utility.Consent). Neither is a threshold on a party's
// utility nor a product of per-issue conditions, so the figures that
// decide acceptance from bounds over partial outcomes (the zone's count by
// subtrees, the frontier's merged states) look at each outcome instead:
// exactly up to outcome.DefaultEnumerationLimit outcomes, estimated from a
// sample beyond. A deal a coalition's rule rejects, or that lacks a
// consent, is off the table like one that crosses a red line; a
// coalition's reservation value, its disagreement point in Nash and the
// other solutions, is its members' weighted mean.

// vetoes reports whether someone else than a party has a say in what some
// party accepts (utility.Additive.Vetoes).
func vetoes(us []*utility.Additive) bool {
	for _, u := range us {
		if u.Vetoes() {
			return true
		}
	}
	return false
}

// vetoFrontier is the frontier over the outcomes no party refuses: every
// outcome looked at, or a seeded sample of Options.FrontierSamples beyond
// outcome.DefaultEnumerationLimit (Pareto.Sampled says so).
func (e *engine) vetoFrontier(us []*utility.Additive, opts Options) (*Pareto, error) {
	size, _ := e.sp.Size()
	if size > outcome.DefaultEnumerationLimit {
		return e.sampleFront(us, opts)
	}
	f := newFront(e.n, e.k, false)
	o := make([]int, e.m)
	val := make([]float64, e.n)
	var idx []uint64
	one := func() []uint64 { return idx }
	for j := range size {
		if j%pollEvery == 0 {
			if err := e.b.Err(); err != nil {
				return nil, &budget.Exceeded{Step: e.step(), At: budget.Thousands(j) + " outcomes looked at", Cause: err}
			}
		}
		if e.checks += 1 + f.ops; e.maxCheck > 0 && e.checks > e.maxCheck {
			return nil, &budget.Exceeded{Step: e.step(), At: fmt.Sprintf("after %s outcomes, with %s frontier points", budget.Thousands(j), budget.Thousands(uint64(f.len))),
				Limit: float64(e.maxCheck), Unit: "dominance checks", Cause: budget.ErrWork}
		}
		f.ops = 0
		if !crossesAny(us, o) {
			for p, u := range us {
				val[p] = u.Raw(o)
			}
			idx = append(idx[:0], j)
			f.add(val, 1, one)
		}
		e.sp.Next(o)
	}
	return e.finishFront(f)
}

// enumerate counts the zone outcome by outcome (Acceptable to every
// party), or estimates it from a sample beyond zopaExactLimit.
func (z *zopaWalk) enumerate(us []*utility.Additive, sp outcome.Space, opts Options) (Zopa, error) {
	size, _ := sp.Size()
	if size > zopaExactLimit {
		return z.sample(us, sp, opts)
	}
	o := make([]int, sp.Issues())
	var c uint64
	for j := range size {
		if !z.poll(int(j), "outcomes") {
			return Zopa{}, z.err
		}
		in := true
		for _, u := range us {
			if !u.Accepts(o) {
				in = false
				break
			}
		}
		if in {
			c++
		}
		sp.Next(o)
	}
	return Zopa{Count: c}, nil
}

// vetoNotes say who has a say in what the parties accept, and how many
// outcomes each takes off the table.
func vetoNotes(s *scenario.Scenario, us []*utility.Additive, f *Pareto) []string {
	if !vetoes(us) {
		return nil
	}
	var notes []string
	for q, p := range s.Negotiators() {
		if pa := &s.Parties[p]; us[q].Panel != nil {
			notes = append(notes, fmt.Sprintf("%s accepts a deal by %s: each member accepts one that crosses none of its red lines and reaches its own reservation value; %s's utility is the members' weighted mean, its reservation value theirs (%.4g), and a deal its members' rule rejects is off the table like one that crosses a red line", pa.ID, pa.DescribeDecides(), pa.ID, us[q].Reservation))
		}
	}
	var ids []string
	seen := map[string]bool{}
	for _, u := range us {
		for _, c := range u.Consents {
			if !seen[c.ID] {
				seen[c.ID] = true
				ids = append(ids, strings.TrimPrefix(c.ID, "guarantor "))
			}
		}
	}
	if len(ids) > 0 {
		notes = append(notes, fmt.Sprintf("guarantors must consent: a deal whose guarantee names a guarantor (%s) that would not accept it is off the table for every party", strings.Join(ids, ", ")))
	}
	how := "found by looking at every outcome"
	if f != nil && f.Sampled > 0 {
		how = fmt.Sprintf("ESTIMATED from %s sampled outcomes", budget.Thousands(uint64(f.Sampled)))
	}
	return append(notes, "who accepts a deal is not a threshold on the parties' utilities here, so the frontier and the zone are "+how)
}

// vetoLine is what a coalition's members' rule or a guarantor's consent
// rules out, as a line of the what-if grid: a deal it vetoes is off the
// table as one that crosses a red line, and the what-if analysis counts
// what it removes and whether it blocks, as for red lines.
type vetoLine struct {
	line  utility.RedLine // its ID; names every issue, so that an agenda decides it last
	party string          // the coalition; "" for a guarantor, whose consent binds everyone
	seat  int             // the coalition's grid party; -1 for a guarantor
	desc  string
	u     *utility.Additive // the party that needs the consent, or the coalition
	id    string            // the consent's ID, "" for the members' rule
}

// vetoes reports whether the line rules o out.
func (l *vetoLine) vetoes(o []int) bool {
	if l.id == "" {
		return !l.u.Panel.Accepts(o)
	}
	for k := range l.u.Consents {
		c := &l.u.Consents[k]
		if c.ID == l.id && c.When.Match(o) && !c.By.Accepts(o) {
			return true
		}
	}
	return false
}

// seatOf is the grid party whose acceptance line l decides alone: its own
// red line's party, or the coalition whose members' rule it is; -1 for a
// line that rules a deal out for everyone (a meeting that cannot take
// place, a guarantor's refusal).
func (g *grid) seatOf(l lineRef) int {
	if l.party == -2 {
		return g.vetoLines[l.k].seat
	}
	return l.party
}

// addVetoLines adds a line for each coalition whose members decide and
// each guarantor whose consent a deal needs, and sets every party's floor.
func (g *grid) addVetoLines() {
	g.vetoLines = g.vetoLines[:0]
	g.floor = append(g.floor[:0], g.rv...)
	all := utility.Constraint{}
	for i := range g.s.Issues {
		allowed := make([]bool, g.s.Issues[i].Size())
		for v := range allowed {
			allowed[v] = true
		}
		all.Issues, all.Allowed = append(all.Issues, i), append(all.Allowed, allowed)
	}
	seen := map[string]bool{}
	for q, u := range g.us {
		if u.Panel != nil {
			g.floor[q] = math.Inf(-1)
			pa := &g.s.Parties[g.parties[q]]
			g.vetoLines = append(g.vetoLines, vetoLine{line: utility.RedLine{ID: "members' rule", Constraint: all}, party: pa.ID, seat: q, u: u,
				desc: "its members' rule rejects the deal (" + pa.DescribeDecides() + ")"})
		}
		for _, c := range u.Consents {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			g.vetoLines = append(g.vetoLines, vetoLine{line: utility.RedLine{ID: c.ID, Constraint: all}, seat: -1, u: u, id: c.ID,
				desc: "the guarantor would not back the deal it guarantees"})
		}
	}
	for k := range g.vetoLines {
		g.lines = append(g.lines, lineRef{party: -2, k: k})
	}
}

// EvaluatedCoalition is how the members of a coalition that decides by
// their rule answer an evaluated outcome.
type EvaluatedCoalition struct {
	Party   string           `json:"party"`
	Rule    string           `json:"rule"` // the rule, said for people
	Accepts bool             `json:"accepts"`
	Members []utility.Answer `json:"members"`
}

// EvaluatedGuarantor is one guarantor an evaluated outcome names: whether
// it backs the outcome, and whether its consent is asked (false when its
// acceptance every deal needs anyway: scenario.Scenario.Required).
type EvaluatedGuarantor struct {
	Guarantor string `json:"guarantor"`
	Issue     string `json:"issue"`
	Value     string `json:"value"`
	Backs     bool   `json:"backs"`
	Asked     bool   `json:"asked"`
}

// evaluateVetoes adds the members' answers and the guarantors to e, and
// judges it acceptable only if every party accepts it: a coalition by its
// members' rule (its own utility against its reservation is then not its
// test), and nobody a deal a guarantor whose consent is asked refuses.
func (r *Report) evaluateVetoes(e *Evaluation, o []int) {
	s := r.scen
	if !vetoes(r.us) && len(s.Guarantees) == 0 {
		return
	}
	e.Rational = true
	for q, u := range r.us {
		e.Rational = e.Rational && u.Accepts(o)
		if u.Panel != nil {
			pa := &s.Parties[s.Negotiators()[q]]
			e.Coalitions = append(e.Coalitions, EvaluatedCoalition{Party: pa.ID, Rule: pa.DescribeDecides(), Accepts: u.Panel.Accepts(o), Members: u.Panel.Answers(o)})
		}
	}
	for k := range s.Guarantees {
		g := &s.Guarantees[k]
		ids, backs := s.Backing(g, o)
		is := &s.Issues[g.Issue]
		for j, id := range ids {
			asked := true
			if q := s.PartyIndex(id); q >= 0 {
				asked = !s.Required(q, -1)
			} else if m, ok := s.MemberRef(id); ok {
				asked = !s.Required(m.Party, m.Member)
			}
			e.Guarantors = append(e.Guarantors, EvaluatedGuarantor{Guarantor: id, Issue: is.ID, Value: is.Value(o[g.Issue]), Backs: backs[j], Asked: asked})
		}
	}
}

// writeVetoEvaluation is the text of evaluateVetoes.
func writeVetoEvaluation(w io.Writer, e *Evaluation) {
	for _, c := range e.Coalitions {
		var ms []string
		for _, a := range c.Members {
			ms = append(ms, a.ID+" "+a.Describe())
		}
		verdict := "accepts"
		if !c.Accepts {
			verdict = "REJECTS"
		}
		fmt.Fprintf(w, "  %s decides by %s: %s; it %s\n", c.Party, c.Rule, strings.Join(ms, ", "), verdict)
	}
	for _, g := range e.Guarantors {
		switch {
		case g.Backs:
			fmt.Fprintf(w, "  guarantor %s backs %s = %s\n", g.Guarantor, g.Issue, g.Value)
		case g.Asked:
			fmt.Fprintf(w, "  guarantor %s would NOT back %s = %s: the deal is off the table\n", g.Guarantor, g.Issue, g.Value)
		default:
			fmt.Fprintf(w, "  guarantor %s would not back %s = %s, nor accept the deal, which needs its acceptance\n", g.Guarantor, g.Issue, g.Value)
		}
	}
}

// memberField is the field of a coalition member a sampled number is in,
// as the sampled set names it: "members.weights" for
// parties[2].members[1].weights.troops.
func memberField(path, prefix string) string {
	rest := strings.TrimPrefix(path, prefix)
	_, after, _ := strings.Cut(rest, ".")
	field, _, _ := strings.Cut(after, ".")
	return "members." + field
}

// sampledMembers finds the coalition members of f (the sampler's copy)
// whose weights some slot samples: renormalised to sum to 1 after each
// draw, as a party's.
func sampledMembers(f *scenario.File, slots []slot) []weightGroup {
	var out []weightGroup
	seen := map[string]bool{}
	for _, s := range slots {
		if s.field != "members.weights" {
			continue
		}
		key, _, _ := strings.Cut(s.path, ".weights.")
		if seen[key] {
			continue
		}
		seen[key] = true
		var p, k int
		if _, err := fmt.Sscanf(key, "parties[%d].members[%d]", &p, &k); err != nil {
			continue
		}
		w := f.Parties[p].Members[k].Weights
		out = append(out, weightGroup{m: w, orig: maps.Clone(w), ids: slices.Sorted(maps.Keys(w))})
	}
	return out
}

// influenceSlots is the rate of the mediator's influence when it has an
// assumed range: a number only sessions use, sampled with time.
func influenceSlots(f *scenario.File) []slot {
	d := f.MediatorInfluence
	if d == nil || !Sampled(d.Rate) {
		return nil
	}
	return []slot{{path: "mediator_influence.rate", orig: d.Rate, set: func(n scenario.Number) { d.Rate = n }, party: -1, field: "mediator_influence", time: true}}
}
