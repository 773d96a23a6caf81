package scenario

import (
	"fmt"
	"math"
	"strings"

	"github.com/parleyhq/parley/utility"
)

// What the parties believe of each other, and what they say in public
// (docs/beliefs.md). Without any of it a scenario is one of complete
// information, as it always was: Scenario.Beliefs is nil and nothing here
// enters a figure.

// BeliefDef is what one party (the holder) believes about another: a small
// set of weighted types, or, written directly on the belief, one type. A
// type left without a reservation value or weights believes them as they
// are; every red line the other party states is believed real with the red
// line's credibility unless the type says otherwise.
type BeliefDef struct {
	Holder      string    `yaml:"holder" json:"holder" jsonschema_description:"Id of the party that holds the belief (the mediator may)."`
	About       string    `yaml:"about" json:"about" jsonschema_description:"Id of the negotiating party the belief is about."`
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	Source      *Citation `yaml:"source,omitempty" json:"source,omitempty" jsonschema_description:"Where the belief is stated; its numbers carry their own sources or assumptions."`
	Types       []TypeDef `yaml:"types,omitempty" json:"types,omitempty" jsonschema_description:"What the other party may be, each with the probability the holder gives it (summing to 1). Leave out for a single type written on the belief itself."`

	Reservation      *Number           `yaml:"reservation,omitempty" json:"reservation,omitempty" jsonschema_description:"The reservation value the holder believes (single type)."`
	ReservationRange *RangeDef         `yaml:"reservation_range,omitempty" json:"reservation_range,omitempty" jsonschema_description:"The reservation value, believed uniform between low and high (single type)."`
	Weights          map[string]Number `yaml:"weights,omitempty" json:"weights,omitempty" jsonschema_description:"The weights the holder believes, every issue, summing to 1 (single type)."`
	RedLines         map[string]Number `yaml:"red_lines,omitempty" json:"red_lines,omitempty" jsonschema_description:"Red line id of the other party to the probability the holder gives it of being real (single type)."`
}

// TypeDef is one type a belief holds possible.
type TypeDef struct {
	ID               string            `yaml:"id" json:"id"`
	Description      string            `yaml:"description,omitempty" json:"description,omitempty"`
	Probability      Number            `yaml:"probability" json:"probability" jsonschema_description:"The probability the holder gives this type, in [0,1]; a belief's types sum to 1."`
	Reservation      *Number           `yaml:"reservation,omitempty" json:"reservation,omitempty" jsonschema_description:"The reservation value of this type (default: the party's own)."`
	ReservationRange *RangeDef         `yaml:"reservation_range,omitempty" json:"reservation_range,omitempty" jsonschema_description:"The reservation value of this type, uniform between low and high."`
	Weights          map[string]Number `yaml:"weights,omitempty" json:"weights,omitempty" jsonschema_description:"The weights of this type, every issue, summing to 1 (default: the party's own)."`
	RedLines         map[string]Number `yaml:"red_lines,omitempty" json:"red_lines,omitempty" jsonschema_description:"Red line id to the probability it is real for this type (default: the red line's credibility)."`
}

// RangeDef is a range the holder believes a number lies in, uniformly.
type RangeDef struct {
	Low  Number `yaml:"low" json:"low"`
	High Number `yaml:"high" json:"high"`
}

// StanceDef is a party's public stance on one issue: the values it has
// said in public it holds to. A deal that gives the issue another value
// costs the party its audience cost.
type StanceDef struct {
	Party        string    `yaml:"party" json:"party"`
	Issue        string    `yaml:"issue" json:"issue"`
	Stance       []string  `yaml:"stance" json:"stance" jsonschema_description:"The values of the issue the party has publicly committed to."`
	AudienceCost Number    `yaml:"audience_cost" json:"audience_cost" jsonschema_description:"Utility the party loses in a deal that departs from its stance, in [0,1]; a party's audience costs sum to less than 1."`
	Description  string    `yaml:"description,omitempty" json:"description,omitempty"`
	Source       *Citation `yaml:"source,omitempty" json:"source,omitempty" jsonschema_description:"Where the stance was stated in public."`
}

// Beliefs is the resolved beliefs, stated red lines and public stances of a
// scenario; nil when the file has none of them.
type Beliefs struct {
	Beliefs []Belief
	// Stated are, per party, the red lines it states in public, real ones
	// and bluffs alike, in file order. Party.RedLines holds the real ones.
	Stated  [][]StatedRedLine
	Stances []Stance
}

// StatedRedLine is a red line as the other parties hear it.
type StatedRedLine struct {
	utility.RedLine
	Description string
	// Real is false for a bluff: the party states the red line but does
	// not hold it, so its own utility does not have it.
	Real bool
	// Credibility is the probability others give it of being real, unless
	// their beliefs say otherwise (default 1).
	Credibility float64
}

// Belief is what Holder believes about About: a distribution over types.
type Belief struct {
	Holder, About int
	Description   string
	Types         []BeliefType
}

// BeliefType is one type the holder holds possible for the other party.
type BeliefType struct {
	ID   string
	Prob float64
	// Utility is the believed utility function, red lines left out (they
	// are in Real); its Reservation is the middle of [RvLow, RvHigh].
	Utility *utility.Additive
	// The reservation value is believed uniform on [RvLow, RvHigh], or
	// exactly RvLow when they are equal.
	RvLow, RvHigh float64
	// Real is, per stated red line of the other party (Beliefs.Stated), the
	// probability that it is real.
	Real []float64
}

// Stance is a party's public stance on one issue.
type Stance struct {
	Party, Issue int
	Allowed      []bool // per value of the issue: part of the stance
	Cost         float64
	Description  string
}

// ReservationCDF is the probability that the type's reservation value is
// at most u: a deal worth u to it is one it would accept (red lines apart).
// tol widens a point belief as analysis does (u ≥ rv − tol).
func (t *BeliefType) ReservationCDF(u, tol float64) float64 {
	if t.RvHigh > t.RvLow {
		return math.Min(1, math.Max(0, (u-t.RvLow)/(t.RvHigh-t.RvLow)))
	}
	if u >= t.RvLow-tol {
		return 1
	}
	return 0
}

// Accepts is the probability that a party of this type accepts outcome o,
// red lines being independent of its reservation value: the chance that
// its reservation value is at most its utility of o, times the chance that
// none of the stated red lines o crosses is real. A type that sees a
// coalition whose members decide as it is (Truth, or Perceived without a
// stated belief: its utility has their Panel) accepts by their rule.
func (t *BeliefType) Accepts(o []int, stated []StatedRedLine, tol float64) float64 {
	p := 0.0
	if t.Utility.Panel == nil {
		p = t.ReservationCDF(t.Utility.Raw(o), tol)
	} else if t.Utility.Panel.Accepts(o) {
		p = 1
	}
	for k := range stated {
		if p > 0 && stated[k].Match(o) {
			p *= 1 - t.Real[k]
		}
	}
	return p
}

// Perceives reports whether some party's view of another differs from the
// truth: a belief, a bluffed red line or one whose credibility is below 1.
func (s *Scenario) Perceives() bool {
	if s.Beliefs == nil {
		return false
	}
	if len(s.Beliefs.Beliefs) > 0 {
		return true
	}
	for _, lines := range s.Beliefs.Stated {
		for _, rl := range lines {
			if !rl.Real || rl.Credibility < 1 {
				return true
			}
		}
	}
	return false
}

// StatedRedLines returns the red lines party p states, real and bluffed
// (its real ones when the scenario has no beliefs).
func (s *Scenario) StatedRedLines(p int) []StatedRedLine {
	if s.Beliefs != nil {
		return s.Beliefs.Stated[p]
	}
	out := make([]StatedRedLine, len(s.Parties[p].RedLines))
	for k, rl := range s.Parties[p].RedLines {
		out[k] = StatedRedLine{RedLine: rl, Description: s.Parties[p].RedLineInfo[k].Description, Real: true, Credibility: 1}
	}
	return out
}

// StatedBelief returns what holder states it believes about about, or nil.
func (s *Scenario) StatedBelief(holder, about int) *Belief {
	if s.Beliefs == nil {
		return nil
	}
	for k := range s.Beliefs.Beliefs {
		if b := &s.Beliefs.Beliefs[k]; b.Holder == holder && b.About == about {
			return b
		}
	}
	return nil
}

// Perceived returns holder's view of party about as types: its stated
// belief, or else one type with about's true preferences and its stated
// red lines believed with their credibility (a party that states no belief
// is taken to know the other's preferences, as everywhere in parley's
// analysis, but cannot see through a bluff).
func (s *Scenario) Perceived(holder, about int) []BeliefType {
	if b := s.StatedBelief(holder, about); b != nil {
		return b.Types
	}
	stated := s.StatedRedLines(about)
	t := s.truthType(about)
	for k := range stated {
		t.Real[k] = stated[k].Credibility
	}
	return []BeliefType{t}
}

// Truth returns party about as it is, as one type: its preferences and
// reservation value, each stated red line real or not (a corrected belief,
// for the value of information).
func (s *Scenario) Truth(about int) BeliefType {
	t := s.truthType(about)
	for k, rl := range s.StatedRedLines(about) {
		if rl.Real {
			t.Real[k] = 1
		}
	}
	return t
}

func (s *Scenario) truthType(about int) BeliefType {
	u := *s.Utility(about)
	u.RedLines = nil
	return BeliefType{ID: "truth", Prob: 1, Utility: &u, RvLow: u.Reservation, RvHigh: u.Reservation,
		Real: make([]float64, len(s.StatedRedLines(about)))}
}

// AudienceCost is what party p loses, by its public stances, in a deal o
// (one value index per issue): the sum of the audience costs of the
// stances o departs from. Scenario.Utility already subtracts it; a caller
// that values something other than a deal (the world without one) adds it
// back.
func (s *Scenario) AudienceCost(p int, o []int) float64 {
	if s.Beliefs == nil {
		return 0
	}
	c := 0.0
	for _, st := range s.Beliefs.Stances {
		if st.Party == p && !st.Allowed[o[st.Issue]] {
			c += st.Cost
		}
	}
	return c
}

// AddAudienceCosts subtracts party p's audience costs from a's tables: a
// value of an issue outside p's public stance costs the stance's audience
// cost. The utility stays additive. Scenario.Utility calls it; so must any
// code that rebuilds a party's tables (new weights from an event).
func (s *Scenario) AddAudienceCosts(p int, a *utility.Additive) {
	if s.Beliefs == nil {
		return
	}
	for _, st := range s.Beliefs.Stances {
		if st.Party != p {
			continue
		}
		row := append([]float64(nil), a.Table[st.Issue]...) // tables may be shared
		for v, ok := range st.Allowed {
			if !ok {
				row[v] -= st.Cost
			}
		}
		a.Table[st.Issue] = row
	}
}

// beliefs resolves the stated red lines, public stances and beliefs, after
// the parties and their rules.
func (v *validator) beliefs(f *File, s *Scenario) {
	if len(s.Parties) != len(f.Parties) {
		return // parties already have errors
	}
	b := &Beliefs{Stated: make([][]StatedRedLine, len(s.Parties))}
	has := len(f.Beliefs) > 0 || len(f.Stances) > 0
	for i := range f.Parties {
		for _, d := range f.Parties[i].RedLines {
			if d.Bluff || d.Credibility != nil {
				has = true
			}
		}
	}
	if !has {
		return
	}
	for i := range f.Parties {
		b.Stated[i] = v.statedRedLines(f, s, i)
	}
	s.Beliefs = b // Utility needs the stances from here on
	// Types are built from the parties' utilities, which an invalid file
	// may not have: then the beliefs are only checked.
	sound := len(v.errs) == 0
	v.stances(f, s, b)
	for k := range f.Beliefs {
		v.belief(&f.Beliefs[k], fmt.Sprintf("beliefs[%d]", k), s, b, sound)
	}
}

// statedRedLines resolves party i's stated red lines, takes its bluffs out
// of its real ones, and reads each red line's credibility.
func (v *validator) statedRedLines(f *File, s *Scenario, i int) []StatedRedLine {
	pa := &s.Parties[i]
	var out []StatedRedLine
	bluffs := map[string]bool{}
	for k, d := range f.Parties[i].RedLines {
		p := fmt.Sprintf("parties[%d].red_lines[%d]", i, k)
		j := -1
		for n := range pa.RedLines {
			if pa.RedLines[n].ID == d.ID && !bluffs[d.ID] {
				j = n
			}
		}
		if j < 0 || d.ID == "" {
			continue // reported by partyRules
		}
		st := StatedRedLine{RedLine: pa.RedLines[j], Description: pa.RedLineInfo[j].Description, Real: !d.Bluff, Credibility: 1}
		// Without a credibility others take the red line at its word
		// (credibility 1): that is what stating it means.
		if d.Credibility != nil {
			st.Credibility = v.number(*d.Credibility, join(p, "credibility"), fmt.Sprintf("the credibility of red line %q of %q", d.ID, pa.ID), 0, 1)
		}
		if d.Bluff {
			bluffs[d.ID] = true
		}
		out = append(out, st)
	}
	if len(bluffs) > 0 {
		var lines []utility.RedLine
		var info []RedLineInfo
		for n, rl := range pa.RedLines {
			if !bluffs[rl.ID] {
				lines, info = append(lines, rl), append(info, pa.RedLineInfo[n])
			}
		}
		pa.RedLines, pa.RedLineInfo = lines, info
	}
	return out
}

// stances resolves the public stances and their audience costs.
func (v *validator) stances(f *File, s *Scenario, b *Beliefs) {
	seen := map[[2]int]bool{}
	total := map[int]float64{}
	for k, d := range f.Stances {
		p := fmt.Sprintf("stances[%d]", k)
		if d.Source != nil {
			v.citation(*d.Source, join(p, "source"))
		}
		st := Stance{Party: s.PartyIndex(d.Party), Issue: s.IssueIndex(d.Issue), Description: d.Description}
		st.Cost = v.number(d.AudienceCost, join(p, "audience_cost"), fmt.Sprintf("the audience cost of %q's stance on %q", d.Party, d.Issue), 0, 1)
		if st.Party < 0 {
			v.errorf(join(p, "party"), "stance of unknown party %q; parties are %s", d.Party, partyIDs(s))
		} else if s.Parties[st.Party].Disinterested() {
			v.errorf(join(p, "party"), "%q has no interests, so a stance costs it nothing; give stances to parties with weights", d.Party)
		}
		if st.Issue < 0 {
			v.errorf(join(p, "issue"), "stance on unknown issue %q; issues are %s", d.Issue, v.issueIDs(s))
		}
		if st.Party < 0 || st.Issue < 0 {
			continue
		}
		if seen[[2]int{st.Party, st.Issue}] {
			v.errorf(join(p, "issue"), "%q has two stances on %q; give one, listing every value it holds to", d.Party, d.Issue)
		}
		seen[[2]int{st.Party, st.Issue}] = true
		c := v.match(Match{d.Issue: d.Stance}, join(p, "stance"), fmt.Sprintf("the stance of %q", d.Party), s)
		if c == nil || len(c.Allowed) == 0 {
			continue
		}
		st.Allowed = c.Allowed[0]
		all := true
		for _, ok := range st.Allowed {
			all = all && ok
		}
		if all {
			v.errorf(join(p, "stance"), "the stance of %q on %q lists every value of the issue, so no deal departs from it", d.Party, d.Issue)
		}
		total[st.Party] += st.Cost
		if t := total[st.Party]; t >= 1 && t-st.Cost < 1 {
			v.errorf(join(p, "audience_cost"), "the audience costs of %q sum to %s; they must sum to less than 1, so that no deal is as bad to it as one that crosses a red line", d.Party, ftoa(t))
		}
		b.Stances = append(b.Stances, st)
	}
}

// belief resolves one belief into its types.
func (v *validator) belief(d *BeliefDef, p string, s *Scenario, b *Beliefs, sound bool) {
	h, a := s.PartyIndex(d.Holder), s.PartyIndex(d.About)
	if d.Source != nil {
		v.citation(*d.Source, join(p, "source"))
	}
	if h < 0 {
		v.errorf(join(p, "holder"), "the holder %q is not a party; parties are %s", d.Holder, partyIDs(s))
	}
	switch {
	case a < 0:
		v.errorf(join(p, "about"), "belief about %q, which is not a party; parties are %s", d.About, partyIDs(s))
	case a == h:
		v.errorf(join(p, "about"), "%q holds a belief about itself; a party knows its own preferences", d.About)
	case !s.Negotiates(a):
		v.errorf(join(p, "about"), "belief about %q, the mediator, which accepts or rejects no deal; beliefs are about negotiating parties", d.About)
	}
	if h < 0 || a < 0 || a == h || !s.Negotiates(a) {
		return
	}
	if s.StatedBelief(h, a) != nil {
		v.errorf(p, "%q holds a second belief about %q; give one, with several types if it is unsure", d.Holder, d.About)
		return
	}
	what := fmt.Sprintf("%q's belief about %q", d.Holder, d.About)
	single := TypeDef{Reservation: d.Reservation, ReservationRange: d.ReservationRange, Weights: d.Weights, RedLines: d.RedLines}
	direct := d.Reservation != nil || d.ReservationRange != nil || d.Weights != nil || d.RedLines != nil
	bel := Belief{Holder: h, About: a, Description: d.Description}
	switch {
	case len(d.Types) > 0 && direct:
		v.errorf(p, "%s has both types and fields of a single type (reservation, weights, red_lines); put those in its types", what)
		return
	case len(d.Types) == 0:
		if !direct {
			v.errorf(p, "%s says nothing: give types, or a reservation, reservation_range, weights or red_lines", what)
			return
		}
		t := v.beliefType(single, p, what, s, a, b, sound)
		t.ID, t.Prob = "belief", 1
		bel.Types = append(bel.Types, t)
	default:
		ids := map[string]bool{}
		sum := 0.0
		for k, td := range d.Types {
			tp := fmt.Sprintf("%s.types[%d]", p, k)
			if strings.TrimSpace(td.ID) == "" {
				v.errorf(tp, "type %d of %s needs an id", k+1, what)
			} else if ids[td.ID] {
				v.errorf(join(tp, "id"), "type %q appears twice in %s", td.ID, what)
			}
			ids[td.ID] = true
			tw := fmt.Sprintf("type %q of %s", td.ID, what)
			t := v.beliefType(td, tp, tw, s, a, b, sound)
			t.ID = td.ID
			t.Prob = v.number(td.Probability, join(tp, "probability"), "the probability of "+tw, 0, 1)
			sum += t.Prob
			bel.Types = append(bel.Types, t)
		}
		if finite(sum) && math.Abs(sum-1) > WeightSumTolerance {
			v.errorf(join(p, "types"), "the probabilities of the types of %s sum to %s; they must sum to 1", what, ftoa(sum))
		}
	}
	b.Beliefs = append(b.Beliefs, bel)
}

// beliefType resolves one type of a belief about party a; sound says
// that the file is valid so far, so that a's utility can be built.
func (v *validator) beliefType(d TypeDef, p, what string, s *Scenario, a int, b *Beliefs, sound bool) BeliefType {
	stated := b.Stated[a]
	t := BeliefType{Real: make([]float64, len(stated)), Utility: &utility.Additive{}}
	if sound {
		t = s.truthType(a)
	}
	for k := range stated {
		t.Real[k] = stated[k].Credibility
	}
	if d.Weights != nil {
		w := v.beliefWeights(d.Weights, join(p, "weights"), what, s)
		if sound {
			u := utility.NewAdditive(w, t.Utility.Evals, t.Utility.Reservation, t.Utility.Discount)
			s.AddAudienceCosts(a, u) // its stances are public
			t.Utility = u
		}
	}
	switch {
	case d.Reservation != nil && d.ReservationRange != nil:
		v.errorf(join(p, "reservation_range"), "%s gives both a reservation and a reservation_range; give one", what)
	case d.Reservation != nil:
		t.RvLow = v.number(*d.Reservation, join(p, "reservation"), "the reservation value in "+what, 0, 1)
		t.RvHigh = t.RvLow
	case d.ReservationRange != nil:
		r := d.ReservationRange
		rp := join(p, "reservation_range")
		t.RvLow = v.number(r.Low, join(rp, "low"), "the low end of the reservation range in "+what, 0, 1)
		t.RvHigh = v.number(r.High, join(rp, "high"), "the high end of the reservation range in "+what, 0, 1)
		if t.RvLow >= t.RvHigh {
			v.errorf(rp, "the reservation range in %s is [%s, %s]; low must be below high (for a single value give reservation)", what, ftoa(t.RvLow), ftoa(t.RvHigh))
			t.RvHigh = t.RvLow
		}
	}
	t.Utility.Reservation = (t.RvLow + t.RvHigh) / 2
	for _, id := range sortedKeys(d.RedLines) {
		k := -1
		for n := range stated {
			if stated[n].ID == id {
				k = n
			}
		}
		lp := join(join(p, "red_lines"), id)
		if k < 0 {
			ids := make([]string, len(stated))
			for n := range stated {
				ids[n] = stated[n].ID
			}
			if len(ids) == 0 {
				v.errorf(lp, "%s names red line %q, but %q states no red lines", what, id, s.Parties[a].ID)
			} else {
				v.errorf(lp, "%s names red line %q, which %q does not state; its red lines are %s", what, id, s.Parties[a].ID, strings.Join(ids, ", "))
			}
			continue
		}
		t.Real[k] = v.number(d.RedLines[id], lp, fmt.Sprintf("the probability in %s that red line %q is real", what, id), 0, 1)
	}
	return t
}

// beliefWeights reads believed weights: every issue, in [0,1], summing to 1.
func (v *validator) beliefWeights(ws map[string]Number, p, what string, s *Scenario) []float64 {
	w := make([]float64, len(s.Issues))
	for _, k := range sortedKeys(ws) {
		if s.IssueIndex(k) < 0 {
			v.errorf(join(p, k), "%s weighs unknown issue %q; issues are %s", what, k, v.issueIDs(s))
		}
	}
	sum := 0.0
	var missing []string
	for i := range s.Issues {
		n, ok := ws[s.Issues[i].ID]
		if !ok {
			missing = append(missing, s.Issues[i].ID)
			continue
		}
		w[i] = v.number(n, join(p, s.Issues[i].ID), fmt.Sprintf("the weight of %q in %s", s.Issues[i].ID, what), 0, 1)
		sum += w[i]
	}
	switch {
	case len(missing) > 0:
		v.errorf(p, "%s gives no weight for issue(s) %s; give every issue a weight (0 if it does not matter)", what, strings.Join(missing, ", "))
	case finite(sum) && math.Abs(sum-1) > WeightSumTolerance:
		v.errorf(p, "the weights in %s sum to %s; they must sum to 1", what, ftoa(sum))
	}
	return w
}
