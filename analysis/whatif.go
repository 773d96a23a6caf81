package analysis

import (
	"fmt"
	"math/bits"
	"sort"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// DefaultMinRatification is the probability of ratification a deal needs
// from every constituency whose vote it requires to count as ratifiable.
const DefaultMinRatification = 0.5

// WhatIfOptions tune the what-if analysis; the zero value gives the
// defaults and no sensitivity run.
type WhatIfOptions struct {
	// MinRatification: a deal is ratifiable when every required
	// ratification passes with at least this probability. 0 means
	// DefaultMinRatification.
	MinRatification float64
	// Sets caps the minimal relaxation sets listed. 0 means 20.
	Sets int
	// Sensitivity, when File is set and Samples > 0: see Sensitivity.
	File    *scenario.File
	Name    string // the file's name, for error messages
	Samples int
	Seed    uint64
	Top     int // recurring deals listed; 0 means 5
	// Progress, if set, is called during the sensitivity run.
	Progress func(done, total int)
}

func (o WhatIfOptions) minRat() float64 {
	if o.MinRatification <= 0 {
		return DefaultMinRatification
	}
	return o.MinRatification
}

func (o WhatIfOptions) sets() int {
	if o.Sets <= 0 {
		return 20
	}
	return o.Sets
}

func (o WhatIfOptions) top() int {
	if o.Top <= 0 {
		return 5
	}
	return o.Top
}

// WhatIf is the what-if analysis: the JSON object what_if of a report. See
// the package documentation for the definitions.
type WhatIf struct {
	MinRatification float64 `json:"min_ratification"`
	// Nash and max-welfare deals with every red line ignored.
	UnconstrainedNash       *Deal `json:"unconstrained_nash"`
	UnconstrainedMaxWelfare *Deal `json:"unconstrained_max_welfare"`
	// Nash over the zone (red lines respected): Analyze's Nash point,
	// first tied outcome.
	Nash     *Deal            `json:"nash"`
	RedLines []RedLineWhatIf  `json:"red_lines"`
	Ratify   RatificationInfo `json:"ratification"`
	// Guarantees lists each guarantee issue's honour probabilities.
	Guarantees []GuaranteeInfo `json:"guarantees"`
	// Agenda compares the package deal with the agenda solved by backward
	// induction; absent without an agenda.
	Agenda *AgendaInfo `json:"agenda,omitempty"`
	// Blocking says what would open a ratifiable zone; present only when
	// there is none.
	Blocking *Blocking `json:"blocking,omitempty"`
	// Sensitivity samples the assumptions' ranges; present when run.
	Sensitivity *SensitivityReport `json:"sensitivity,omitempty"`
	Notes       []string           `json:"notes,omitempty"`
}

// Deal is one outcome: its value labels (issue id → label), utilities in
// party order, the criterion that chose it and how many outcomes tie with
// it (within Tolerance); the deal listed is the first tied outcome in
// enumeration order.
type Deal struct {
	Outcome   map[string]string `json:"outcome"`
	Utilities []float64         `json:"utilities"`
	Value     float64           `json:"value"`
	Ties      int               `json:"ties"`
	// Ratification of the deal by each party that has a rule.
	Ratification []PartyRatification `json:"ratification,omitempty"`
	Ratifiable   bool                `json:"ratifiable"`
	index        int
}

// PartyRatification is one constituency's vote on a deal.
type PartyRatification struct {
	Party    string  `json:"party"`
	Body     string  `json:"body,omitempty"`
	Required bool    `json:"required"`
	Share    float64 `json:"share"`       // predicted yes share (1 when not required)
	Prob     float64 `json:"probability"` // probability the vote passes (1 when not required)
}

// RedLineWhatIf is how much one red line binds.
type RedLineWhatIf struct {
	Party       string `json:"party"`
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Removes counts the outcomes acceptable to every party (u_i ≥ rv_i)
	// and crossing no other red line that this one rules out: what
	// dropping it alone adds to the zone.
	Removes uint64 `json:"removes"`
	// Crossed counts the outcomes acceptable to every party that cross it,
	// whatever other red lines do.
	Crossed uint64 `json:"crossed"`
	// Binds: Removes > 0.
	Binds bool `json:"binds"`
	// Whether the unconstrained deals (every red line ignored) cross it.
	CrossesNash       bool `json:"crosses_unconstrained_nash"`
	CrossesMaxWelfare bool `json:"crosses_unconstrained_max_welfare"`
}

// RatificationInfo is the ratification side of the analysis.
type RatificationInfo struct {
	Rules []RatificationRule `json:"rules"`
	// Solutions: each solution point of the report (first tied outcome)
	// with its ratification per party.
	Solutions []SolutionRatification `json:"solutions"`
	// Zone: outcomes acceptable to all (the zone of possible agreement).
	Zone uint64 `json:"zone"`
	// RatifiableZone: the zone's outcomes that are ratifiable.
	RatifiableZone uint64 `json:"ratifiable_zone"`
	// RatifiableNash: Nash over the ratifiable zone; null when empty.
	RatifiableNash *Deal `json:"ratifiable_nash"`
}

// RatificationRule describes one party's rule.
type RatificationRule struct {
	Party       string  `json:"party"`
	Body        string  `json:"body,omitempty"`
	Threshold   float64 `json:"threshold"`
	Uncertainty float64 `json:"uncertainty"`
	Conditional bool    `json:"conditional"` // a vote only for some deals (when:)
	Required    uint64  `json:"required_in_zone"`
	Passes      uint64  `json:"passes_in_zone"` // required and probability ≥ min
}

// SolutionRatification is a solution point's ratification.
type SolutionRatification struct {
	Solution string `json:"solution"`
	Deal     *Deal  `json:"deal"`
}

// GuaranteeInfo is one guarantee issue.
type GuaranteeInfo struct {
	Issue       string            `json:"issue"`
	Beneficiary string            `json:"beneficiary"`
	Rule        string            `json:"rule"`
	Baseline    string            `json:"baseline"`
	Options     []GuaranteeOption `json:"options"`
}

// GuaranteeOption is one option of a guarantee issue: its guarantors, their
// credibility, the probability that it is honoured, and its evaluation to
// the beneficiary as stated and as discounted by that probability
// (baseline + (stated − baseline)·honour, what the utilities use).
type GuaranteeOption struct {
	Option      string    `json:"option"`
	Guarantors  []string  `json:"guarantors"`
	Credibility []float64 `json:"credibility"`
	Honour      float64   `json:"honour_probability"`
	Stated      float64   `json:"stated_value"`
	Effective   float64   `json:"effective_value"`
}

// Analyze's what-if: WhatIfAnalysis adds it to the report.
func (r *Report) WhatIfAnalysis(opts WhatIfOptions) error {
	w, err := whatIf(r, opts)
	if err != nil {
		return err
	}
	r.WhatIf = w
	return nil
}

func whatIf(r *Report, opts WhatIfOptions) (*WhatIf, error) {
	s := r.scen
	g, err := newGrid(s, nil)
	if err != nil {
		return nil, err
	}
	minRat := opts.minRat()
	w := &WhatIf{MinRatification: minRat, RedLines: []RedLineWhatIf{}, Guarantees: []GuaranteeInfo{}}
	all := func(int) bool { return true }
	rational := func(idx int) bool { return g.rational(idx, g.rv) }
	nash := func(idx int) float64 { return g.nashProduct(idx, g.rv) }
	un := g.argmax(rational, nash)
	uw := g.argmax(all, g.welfare)
	w.UnconstrainedNash = g.deal(un, minRat)
	w.UnconstrainedMaxWelfare = g.deal(uw, minRat)
	w.Nash = g.deal(g.argmax(g.inZone, nash), minRat)

	// Red lines.
	removes := make([]uint64, len(g.lines))
	crossed := make([]uint64, len(g.lines))
	var zone, rzone uint64
	for idx := 0; idx < g.size; idx++ {
		if !g.rational(idx, g.rv) {
			continue
		}
		c := g.cross[idx]
		if c == 0 {
			zone++
			if g.ratifiable(idx, minRat) {
				rzone++
			}
			continue
		}
		if bits.OnesCount64(c) == 1 {
			removes[bits.TrailingZeros64(c)]++
		}
		for c != 0 {
			b := bits.TrailingZeros64(c)
			crossed[b]++
			c &^= 1 << b
		}
	}
	for b, l := range g.lines {
		p := g.parties[l.party]
		rl := RedLineWhatIf{Party: g.ids[l.party], ID: s.Parties[p].RedLines[l.k].ID,
			Removes: removes[b], Crossed: crossed[b], Binds: removes[b] > 0}
		if l.k < len(s.Parties[p].RedLineInfo) {
			rl.Description = s.Parties[p].RedLineInfo[l.k].Description
		}
		rl.CrossesNash = un.idx >= 0 && g.cross[un.idx]&(1<<b) != 0
		rl.CrossesMaxWelfare = uw.idx >= 0 && g.cross[uw.idx]&(1<<b) != 0
		w.RedLines = append(w.RedLines, rl)
	}

	// Ratification.
	ri := &w.Ratify
	ri.Rules = []RatificationRule{}
	ri.Solutions = []SolutionRatification{}
	ri.Zone, ri.RatifiableZone = zone, rzone
	for p, rat := range g.rats {
		if rat == nil {
			continue
		}
		rr := RatificationRule{Party: g.ids[p], Body: rat.Body, Threshold: rat.Threshold, Uncertainty: rat.Uncertainty, Conditional: rat.When != nil}
		for idx := 0; idx < g.size; idx++ {
			if g.need[idx]&(1<<p) != 0 && g.inZone(idx) {
				rr.Required++
				if g.ratp[idx*g.n+p] >= minRat {
					rr.Passes++
				}
			}
		}
		ri.Rules = append(ri.Rules, rr)
	}
	ri.RatifiableNash = g.deal(g.argmax(func(idx int) bool { return g.inZone(idx) && g.ratifiable(idx, minRat) }, nash), minRat)
	if f := r.Frontier; f != nil {
		sols := []struct {
			name string
			s    *Solution
		}{
			{"nash", f.Nash(r.Reservation)},
			{"kalai_smorodinsky", f.KalaiSmorodinsky(r.Reservation, r.MaxUtility)},
			{"kalai", f.GeniusKalai()},
			{"max_welfare", f.MaxWelfare()},
			{"egalitarian", f.Egalitarian(r.Reservation)},
		}
		for _, so := range sols {
			if so.s == nil || len(so.s.Points) == 0 || len(so.s.Points[0].Outcomes) == 0 {
				continue
			}
			idx := int(so.s.Points[0].Outcomes[0])
			d := g.deal(best{idx: idx, value: so.s.Value, ties: int(so.s.N())}, minRat)
			ri.Solutions = append(ri.Solutions, SolutionRatification{Solution: so.name, Deal: d})
		}
	}

	// Guarantees.
	for _, gu := range s.Guarantees {
		is := &s.Issues[gu.Issue]
		ben := &s.Parties[gu.Beneficiary]
		eff := s.Utility(gu.Beneficiary).Evals[gu.Issue]
		gi := GuaranteeInfo{Issue: is.ID, Beneficiary: ben.ID, Rule: gu.Rule, Baseline: is.Value(gu.Baseline)}
		for v := range is.Size() {
			o := GuaranteeOption{Option: is.Value(v), Guarantors: []string{}, Credibility: []float64{}}
			for _, q := range gu.Guarantors[v] {
				o.Guarantors = append(o.Guarantors, s.Parties[q].ID)
				o.Credibility = append(o.Credibility, s.Parties[q].Credibility)
			}
			o.Honour = utility.HonourProb(gu.Rule, o.Credibility)
			o.Stated = ben.Prefs.Values[gu.Issue].Eval(v, is.Number(v), is.Min, is.Max)
			o.Effective = eff[v]
			gi.Options = append(gi.Options, o)
		}
		w.Guarantees = append(w.Guarantees, gi)
	}

	// Agenda.
	if len(s.Agenda) > 0 {
		w.Agenda = g.agenda(w.Nash, minRat)
	}

	// Blocking.
	if rzone == 0 {
		w.Blocking = g.blocking(minRat, opts.sets())
	}

	if opts.File != nil && opts.Samples > 0 {
		opts.File.ResolveValues()
		if len(assumptionSlots(opts.File)) == 0 {
			w.Notes = append(w.Notes, "sensitivity skipped: no number the analysis uses has an assumed range")
			return w, nil
		}
		sr, err := Sensitivity(opts.File, opts.Name, SensitivityOptions{
			Samples: opts.Samples, Seed: opts.Seed, MinRatification: minRat, Top: opts.top(), Progress: opts.Progress})
		if err != nil {
			return nil, err
		}
		w.Sensitivity = sr
	}
	return w, nil
}

// deal reports the outcome b chose, nil when none.
func (g *grid) deal(b best, minRat float64) *Deal {
	if b.idx < 0 {
		return nil
	}
	d := &Deal{Outcome: g.labels(b.idx), Utilities: g.utilities(b.idx), Value: b.value, Ties: b.ties, index: b.idx,
		Ratifiable: g.ratifiable(b.idx, minRat)}
	for p, rat := range g.rats {
		if rat == nil {
			continue
		}
		j := b.idx*g.n + p
		d.Ratification = append(d.Ratification, PartyRatification{Party: g.ids[p], Body: rat.Body,
			Required: g.need[b.idx]&(1<<p) != 0, Share: g.share[j], Prob: g.ratp[j]})
	}
	return d
}

// Blocking is what stands between the parties and a ratifiable zone, when
// there is none.
type Blocking struct {
	// Sets: every smallest set of constraints whose relaxation opens a
	// ratifiable zone (each set as its constraints), at most the cap.
	SmallestSize int            `json:"smallest_size"`
	Sets         [][]Constraint `json:"sets"`
	NSets        int            `json:"n_sets"` // smallest sets in all
	Truncated    bool           `json:"truncated"`
	// Shifts: per party, how far its reservation value must fall to open a
	// ratifiable zone with every other constraint kept.
	Shifts []Shift `json:"reservation_shifts"`
}

// Constraint names one constraint: kind red_line (Party's red line ID),
// ratification (Party's vote) or reservation (Party's reservation value;
// relaxed, it drops to the party's smallest utility, so it accepts
// every outcome).
type Constraint struct {
	Kind  string `json:"kind"`
	Party string `json:"party"`
	ID    string `json:"id,omitempty"`
}

// Shift is one party's least reservation shift: Shift = rv − Reachable,
// Reachable being the party's best utility over the outcomes that satisfy
// every other constraint; both null when no outcome does (no shift
// suffices).
type Shift struct {
	Party       string            `json:"party"`
	Reservation float64           `json:"reservation"`
	Shift       *float64          `json:"shift"`
	Reachable   *float64          `json:"reachable"`
	Deal        map[string]string `json:"deal,omitempty"` // an outcome that reaches it
}

// violations is the set of constraints outcome idx breaks: bit b < L for
// red line b, L+p for party p's reservation, L+n+p for party p's vote.
func (g *grid) violations(idx int, minRat float64) uint64 {
	L, n := len(g.lines), g.n
	v := g.cross[idx]
	row := g.u[idx*n : idx*n+n]
	for p, x := range row {
		if x < g.rv[p]-Tolerance {
			v |= 1 << (L + p)
		}
		if g.need[idx]&(1<<p) != 0 && g.ratp[idx*n+p] < minRat {
			v |= 1 << (L + n + p)
		}
	}
	return v
}

func (g *grid) constraint(b int) Constraint {
	L, n := len(g.lines), g.n
	switch {
	case b < L:
		l := g.lines[b]
		return Constraint{Kind: "red_line", Party: g.ids[l.party], ID: g.us[l.party].RedLines[l.k].ID}
	case b < L+n:
		return Constraint{Kind: "reservation", Party: g.ids[b-L]}
	}
	return Constraint{Kind: "ratification", Party: g.ids[b-L-n]}
}

func (g *grid) blocking(minRat float64, cap int) *Blocking {
	L, n := len(g.lines), g.n
	bl := &Blocking{SmallestSize: -1, Sets: [][]Constraint{}, Shifts: []Shift{}}
	if L+2*n > 64 {
		return bl
	}
	// Relaxing a set S opens a zone iff some outcome violates only
	// constraints in S, so the smallest sets are the distinct violation
	// sets of least size.
	seen := map[uint64]bool{}
	var sets []uint64
	for idx := 0; idx < g.size; idx++ {
		v := g.violations(idx, minRat)
		c := bits.OnesCount64(v)
		switch {
		case bl.SmallestSize >= 0 && c > bl.SmallestSize:
			continue
		case bl.SmallestSize < 0 || c < bl.SmallestSize:
			bl.SmallestSize = c
			clear(seen)
			sets = sets[:0]
		}
		if !seen[v] {
			seen[v] = true
			sets = append(sets, v)
		}
	}
	// Order: by the constraints' bit positions (red lines, reservations,
	// votes), lexicographically.
	sort.Slice(sets, func(i, j int) bool { return bits.Reverse64(sets[i]) > bits.Reverse64(sets[j]) })
	bl.NSets = len(sets)
	for _, v := range sets {
		if len(bl.Sets) == cap {
			bl.Truncated = true
			break
		}
		cs := []Constraint{}
		for v != 0 {
			b := bits.TrailingZeros64(v)
			cs = append(cs, g.constraint(b))
			v &^= 1 << b
		}
		bl.Sets = append(bl.Sets, cs)
	}
	for p := range n {
		sh := Shift{Party: g.ids[p], Reservation: g.rv[p]}
		own := uint64(1) << (L + p)
		bi, bu := -1, 0.0
		for idx := 0; idx < g.size; idx++ {
			if g.violations(idx, minRat)&^own != 0 {
				continue
			}
			if u := g.u[idx*n+p]; bi < 0 || u > bu {
				bi, bu = idx, u
			}
		}
		if bi >= 0 {
			x := g.rv[p] - bu
			sh.Shift, sh.Reachable, sh.Deal = &x, &bu, g.labels(bi)
		}
		bl.Shifts = append(bl.Shifts, sh)
	}
	return bl
}

// String renders a constraint for people.
func (c Constraint) String() string {
	switch c.Kind {
	case "red_line":
		return fmt.Sprintf("%s's red line %s", c.Party, c.ID)
	case "reservation":
		return fmt.Sprintf("%s's reservation value", c.Party)
	}
	return fmt.Sprintf("%s's ratification", c.Party)
}
