package analysis

import "github.com/parleyhq/parley/scenario"

// DefaultBeliefThreshold is the chance a party must put on every party
// accepting a deal for it to believe the deal acceptable.
const DefaultBeliefThreshold = 0.5

// Perception is the zone of agreement as each party perceives it, beside
// the true one (the JSON object what_if.beliefs; docs/beliefs.md). A party
// perceives another through its stated belief (weighted types), or, when it
// states none, knows its preferences but believes its stated red lines with
// their credibility, so that a bluff deceives it.
type Perception struct {
	// Threshold: a party believes a deal acceptable when it puts the
	// chance that every negotiating party accepts it at Threshold or more
	// (each party's acceptance independent of the others').
	Threshold float64 `json:"threshold"`
	// TrueZone counts the outcomes every negotiating party accepts: at or
	// above its reservation value, crossing none of its real red lines.
	TrueZone int             `json:"true_zone"`
	Holders  []PerceivedZone `json:"holders"`
}

// PerceivedZone is one party's view of the zone of agreement.
type PerceivedZone struct {
	Holder   string `json:"holder"`
	Mediator bool   `json:"mediator,omitempty"`
	// Zone counts the outcomes it believes acceptable; Both those that
	// also are; Promised those that are not (misperception promises a
	// deal that does not exist); Missed the true zone's outcomes it does
	// not believe acceptable (misperception hides a deal that exists).
	Zone     int `json:"zone"`
	Both     int `json:"both"`
	Promised int `json:"promised"`
	Missed   int `json:"missed"`
	// Blocks: a zone exists but it sees none. Misleads: it sees a zone
	// where none exists.
	Blocks   bool `json:"blocks"`
	Misleads bool `json:"misleads"`
	// Pick is the deal it would propose: the best for it among those it
	// believes acceptable; Best the best for it in the true zone.
	Pick *BeliefDeal `json:"pick"`
	Best *BeliefDeal `json:"best"`
	// Where it is wrong: Promise is the best deal for it among those it
	// wrongly believes acceptable, Hidden the best among the true zone's
	// outcomes it does not believe acceptable; PromisedShare and
	// HiddenShare give the issue values every such outcome has (issue id
	// → label), empty when they share none.
	Promise       *BeliefDeal       `json:"promise,omitempty"`
	PromisedShare map[string]string `json:"promised_share,omitempty"`
	Hidden        *BeliefDeal       `json:"hidden,omitempty"`
	HiddenShare   map[string]string `json:"hidden_share,omitempty"`
	// Payoff is what its pick gives it: its utility of the pick when
	// every party truly accepts it, else its reservation value.
	Payoff float64 `json:"payoff"`
	// Others is its view of each other negotiating party.
	Others []PerceivedParty `json:"others"`
	// Information is the value of correcting each of its views that
	// differs from the truth.
	Information []InformationValue `json:"information,omitempty"`
}

// BeliefDeal is a deal with what the holder believes of it and what is
// true of it.
type BeliefDeal struct {
	*Deal
	// Believed is the chance the holder puts on every party accepting it.
	Believed float64 `json:"believed"`
	// RejectedBy names the negotiating parties that truly reject it: below
	// their reservation value or across one of their real red lines.
	RejectedBy    []string `json:"rejected_by,omitempty"`
	HolderUtility float64  `json:"holder_utility"`
}

// PerceivedParty is a holder's view of one other negotiating party.
type PerceivedParty struct {
	Party string `json:"party"`
	// Stated: the holder states a belief about it (else it knows its
	// preferences and believes its stated red lines).
	Stated bool        `json:"stated"`
	Types  []TypeShare `json:"types"`
	// Believed counts the outcomes the holder believes it accepts (with a
	// chance of Threshold or more), Accepts those it truly accepts;
	// WronglyAccepted those it is believed to accept and rejects,
	// WronglyRejected the reverse.
	Believed        int `json:"believed"`
	Accepts         int `json:"accepts"`
	WronglyAccepted int `json:"wrongly_accepted"`
	WronglyRejected int `json:"wrongly_rejected"`
}

// TypeShare is one type of a belief and its probability.
type TypeShare struct {
	ID          string  `json:"id"`
	Probability float64 `json:"probability"`
}

// InformationValue is what correcting one view would change: the holder
// then knows the party as it is (its preferences, reservation value, and
// which of its stated red lines are real).
type InformationValue struct {
	About    string      `json:"about"`
	Zone     int         `json:"zone"`
	Promised int         `json:"promised"`
	Missed   int         `json:"missed"`
	Pick     *BeliefDeal `json:"pick"`
	// Payoff is the holder's payoff of its new pick; Value what the
	// correction is worth to it: Payoff less its payoff before.
	Payoff float64 `json:"payoff"`
	Value  float64 `json:"value"`
}

// StanceWhatIf is what a public stance does to the zone (what_if.stances).
type StanceWhatIf struct {
	Party        string   `json:"party"`
	Issue        string   `json:"issue"`
	Stance       []string `json:"stance"`
	AudienceCost float64  `json:"audience_cost"`
	// Departing counts the zone's outcomes that depart from the stance
	// (the party pays the cost in them); Removes the outcomes the cost
	// takes out of the zone (acceptable to every party without it).
	Departing int `json:"departing"`
	Removes   int `json:"removes"`
	// NashDeparts: the Nash deal departs from the stance.
	NashDeparts bool `json:"nash_departs"`
}

// believing holds, for one holder, the chance it puts on each negotiating
// party accepting each outcome: acc[o*n+q].
type believing struct {
	g      *grid
	holder int       // scenario party index
	seat   int       // the holder's grid party, or -1 for the mediator
	u      []float64 // the holder's utility per outcome
	rv     float64
	acc    []float64
	truth  []bool // [o*n+q]: party q truly accepts o
}

// beliefs adds the perceived zones and the stances to w, when the
// scenario has them.
func (g *grid) beliefs(w *WhatIf, minRat float64) {
	s := g.s
	if s.Beliefs == nil {
		return
	}
	truth := g.truthAcceptance()
	if s.Perceives() {
		pc := &Perception{Threshold: DefaultBeliefThreshold}
		for idx := 0; idx < g.size; idx++ {
			if g.inZone(idx) {
				pc.TrueZone++
			}
		}
		for h := range s.Parties {
			if g.differs(h) {
				pc.Holders = append(pc.Holders, g.perceive(h, truth, minRat))
			}
		}
		w.Beliefs = pc
	}
	w.Stances = g.stances(w)
}

// truthAcceptance says, per outcome and negotiating party, whether the
// party accepts it: at or above its reservation value, crossing none of
// its real red lines; a coalition whose members decide, by their rule
// (its floor is then none); nobody a deal a guarantor would not back.
func (g *grid) truthAcceptance() []bool {
	n := g.n
	t := make([]bool, g.size*n)
	for idx := 0; idx < g.size; idx++ {
		if g.off != nil && g.off[idx] {
			continue // a constraint forbids it: nobody accepts it
		}
		for q := range n {
			t[idx*n+q] = g.u[idx*n+q] >= g.floor[q]-Tolerance
		}
		for b, l := range g.lines {
			if g.cross[idx]&(1<<b) == 0 {
				continue
			}
			q := g.seatOf(l)
			if q < 0 {
				// Ruled out for everyone (a meeting that cannot take
				// place, a guarantor that would not back it): no party
				// can accept it.
				for q := range n {
					t[idx*n+q] = false
				}
				continue
			}
			t[idx*n+q] = false
		}
	}
	return t
}

// differs reports whether party h's view of some negotiating party is not
// the truth.
func (g *grid) differs(h int) bool {
	for _, q := range g.parties {
		if q != h && g.viewDiffers(h, q) {
			return true
		}
	}
	return false
}

func (g *grid) viewDiffers(h, q int) bool {
	if g.s.StatedBelief(h, q) != nil {
		return true
	}
	for _, rl := range g.s.StatedRedLines(q) {
		if (rl.Real && rl.Credibility < 1) || (!rl.Real && rl.Credibility > 0) {
			return true
		}
	}
	return false
}

// perceive computes party h's view of the zone.
func (g *grid) perceive(h int, truth []bool, minRat float64) PerceivedZone {
	s := g.s
	bl := &believing{g: g, holder: h, seat: -1, truth: truth, acc: make([]float64, g.size*g.n)}
	for q, p := range g.parties {
		if p == h {
			bl.seat = q
		}
	}
	uh := s.Utility(h)
	bl.rv = uh.Reservation
	bl.u = make([]float64, g.size)
	o := make([]int, g.sp.Issues())
	for idx := range g.size {
		g.sp.Decode(uint64(idx), o)
		bl.u[idx] = uh.Raw(o)
	}
	pz := PerceivedZone{Holder: s.Parties[h].ID, Mediator: !s.Negotiates(h)}
	for q, p := range g.parties {
		if p == h {
			for idx := range g.size {
				bl.acc[idx*g.n+q] = b2f(truth[idx*g.n+q])
			}
			continue
		}
		types := s.Perceived(h, p)
		bl.fill(q, types)
		pp := PerceivedParty{Party: s.Parties[p].ID, Stated: s.StatedBelief(h, p) != nil}
		for _, t := range types {
			pp.Types = append(pp.Types, TypeShare{ID: t.ID, Probability: t.Prob})
		}
		for idx := range g.size {
			believed, true_ := bl.acc[idx*g.n+q] >= DefaultBeliefThreshold, truth[idx*g.n+q]
			pp.Believed += b2i(believed)
			pp.Accepts += b2i(true_)
			pp.WronglyAccepted += b2i(believed && !true_)
			pp.WronglyRejected += b2i(!believed && true_)
		}
		pz.Others = append(pz.Others, pp)
	}
	pick := bl.zone(&pz.Zone, &pz.Both, &pz.Promised, &pz.Missed)
	pz.Blocks = pz.Zone == 0 && pz.Both+pz.Missed > 0
	pz.Misleads = pz.Zone > 0 && pz.Both == 0
	pz.Pick = bl.deal(pick, minRat)
	pz.Best = bl.deal(bl.best(func(idx int) bool { return bl.accepted(idx) }), minRat)
	pz.Payoff = bl.payoff(pick)
	promised := func(idx int) bool { return bl.believed(idx) >= DefaultBeliefThreshold && !bl.accepted(idx) }
	hidden := func(idx int) bool { return bl.believed(idx) < DefaultBeliefThreshold && bl.accepted(idx) }
	pz.Promise, pz.PromisedShare = bl.deal(bl.best(promised), minRat), g.shared(promised)
	pz.Hidden, pz.HiddenShare = bl.deal(bl.best(hidden), minRat), g.shared(hidden)
	saved := make([]float64, g.size) // one party's column of acc
	for q, p := range g.parties {
		if p == h || !g.viewDiffers(h, p) {
			continue
		}
		for idx := range g.size {
			saved[idx] = bl.acc[idx*g.n+q]
		}
		bl.fill(q, []scenario.BeliefType{s.Truth(p)})
		iv := InformationValue{About: s.Parties[p].ID}
		var both int
		np := bl.zone(&iv.Zone, &both, &iv.Promised, &iv.Missed)
		iv.Pick = bl.deal(np, minRat)
		iv.Payoff = bl.payoff(np)
		iv.Value = iv.Payoff - pz.Payoff
		pz.Information = append(pz.Information, iv)
		for idx := range g.size {
			bl.acc[idx*g.n+q] = saved[idx]
		}
	}
	return pz
}

// fill sets the chance that party q (a grid party) accepts each outcome,
// by the holder's types for it.
func (bl *believing) fill(q int, types []scenario.BeliefType) {
	g := bl.g
	stated := g.s.StatedRedLines(g.parties[q])
	o := make([]int, g.sp.Issues())
	// Deals ruled out for everyone (a meeting that cannot take place, a
	// guarantor that would not back it, a constraint) are known to be: no
	// belief makes them acceptable. A coalition's members' rule is its
	// own acceptance, which the holder's types for it judge (a type that
	// sees the coalition as it is applies the rule: BeliefType.Accepts).
	var global uint64
	for b, l := range g.lines {
		if g.seatOf(l) < 0 {
			global |= 1 << b
		}
	}
	for idx := range g.size {
		if g.cross[idx]&global != 0 {
			bl.acc[idx*g.n+q] = 0
			continue
		}
		if g.off != nil && g.off[idx] {
			// The scenario's constraints bind whatever anyone believes.
			bl.acc[idx*g.n+q] = 0
			continue
		}
		g.sp.Decode(uint64(idx), o)
		a := 0.0
		for k := range types {
			a += types[k].Prob * types[k].Accepts(o, stated, Tolerance)
		}
		bl.acc[idx*g.n+q] = a
	}
}

// believed is the chance the holder puts on every party accepting idx.
func (bl *believing) believed(idx int) float64 {
	n := bl.g.n
	p := 1.0
	for _, a := range bl.acc[idx*n : idx*n+n] {
		p *= a
	}
	return p
}

func (bl *believing) accepted(idx int) bool {
	n := bl.g.n
	for _, t := range bl.truth[idx*n : idx*n+n] {
		if !t {
			return false
		}
	}
	return true
}

// zone counts the outcomes the holder believes acceptable and compares
// them with the true zone; it returns its pick: the best for it among
// them (among ties, the one it is surest of, then the first in
// enumeration order), -1 when it believes none acceptable.
func (bl *believing) zone(zone, both, promised, missed *int) int {
	*zone, *both, *promised, *missed = 0, 0, 0, 0
	pick, pu, pb := -1, 0.0, 0.0
	for idx := range bl.g.size {
		b := bl.believed(idx)
		in, ok := b >= DefaultBeliefThreshold, bl.accepted(idx)
		switch {
		case in && ok:
			*both++
		case in:
			*promised++
		case ok:
			*missed++
		}
		if !in {
			continue
		}
		*zone++
		if u := bl.u[idx]; pick < 0 || u > pu+Tolerance || (u >= pu-Tolerance && b > pb+Tolerance) {
			pick, pu, pb = idx, u, b
		}
	}
	return pick
}

// best is the holder's best deal among the outcomes keep admits (the
// first of ties), -1 when it admits none.
func (bl *believing) best(keep func(idx int) bool) int {
	pick, pu := -1, 0.0
	for idx := range bl.g.size {
		if keep(idx) && (pick < 0 || bl.u[idx] > pu+Tolerance) {
			pick, pu = idx, bl.u[idx]
		}
	}
	return pick
}

// shared returns the issue values (issue id → label) that every outcome
// keep admits has, nil when it admits none or they share none.
func (g *grid) shared(keep func(idx int) bool) map[string]string {
	m := g.sp.Issues()
	first := make([]int, m)
	same := make([]bool, m)
	o := make([]int, m)
	seen := false
	for idx := range g.size {
		if !keep(idx) {
			continue
		}
		g.sp.Decode(uint64(idx), o)
		if !seen {
			copy(first, o)
			for i := range same {
				same[i] = true
			}
			seen = true
			continue
		}
		for i := range o {
			same[i] = same[i] && o[i] == first[i]
		}
	}
	var out map[string]string
	for i := range same {
		if same[i] {
			if out == nil {
				out = map[string]string{}
			}
			out[g.s.Issues[i].ID] = g.s.Issues[i].Label(first[i])
		}
	}
	return out
}

// payoff is the holder's payoff of proposing idx: its utility when every
// party accepts it, else its reservation value.
func (bl *believing) payoff(idx int) float64 {
	if idx >= 0 && bl.accepted(idx) {
		return bl.u[idx]
	}
	return bl.rv
}

func (bl *believing) deal(idx int, minRat float64) *BeliefDeal {
	if idx < 0 {
		return nil
	}
	g := bl.g
	d := &BeliefDeal{Deal: g.deal(best{idx: idx, value: bl.u[idx], ties: 1}, minRat), Believed: bl.believed(idx), HolderUtility: bl.u[idx]}
	for q := range g.n {
		if !bl.truth[idx*g.n+q] {
			d.RejectedBy = append(d.RejectedBy, g.ids[q])
		}
	}
	return d
}

// stances reports what each public stance does to the zone.
func (g *grid) stances(w *WhatIf) []StanceWhatIf {
	s := g.s
	var out []StanceWhatIf
	o := make([]int, g.sp.Issues())
	nash := -1
	if w.Nash != nil {
		nash = w.Nash.index
	}
	for _, st := range s.Beliefs.Stances {
		q := -1
		for k, p := range g.parties {
			if p == st.Party {
				q = k
			}
		}
		is := &s.Issues[st.Issue]
		sw := StanceWhatIf{Party: s.Parties[st.Party].ID, Issue: is.ID, AudienceCost: st.Cost}
		for v, ok := range st.Allowed {
			if ok {
				sw.Stance = append(sw.Stance, is.Value(v))
			}
		}
		if q < 0 {
			out = append(out, sw) // the mediator's: it accepts or rejects nothing
			continue
		}
		for idx := range g.size {
			g.sp.Decode(uint64(idx), o)
			departs := !st.Allowed[o[st.Issue]]
			if !departs {
				continue
			}
			if idx == nash {
				sw.NashDeparts = true
			}
			if g.inZone(idx) {
				sw.Departing++
				continue
			}
			// Without the cost the party gains st.Cost here (the clamp at
			// 1 changes no comparison with a reservation value ≤ 1).
			if g.cross[idx] == 0 && g.rationalWith(idx, q, g.u[idx*g.n+q]+st.Cost) {
				sw.Removes++
			}
		}
		out = append(out, sw)
	}
	return out
}

// rationalWith is rational (against the floors, as inZone) with party
// q's utility of idx taken as uq.
func (g *grid) rationalWith(idx, q int, uq float64) bool {
	for p, x := range g.u[idx*g.n : idx*g.n+g.n] {
		if p == q {
			x = uq
		}
		if x < g.floor[p]-Tolerance {
			return false
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
