package analysis

import "github.com/parleyhq/parley/budget"

// DefaultMinRatification is the probability of ratification a deal needs
// from every constituency whose vote it requires to count as ratifiable.
const DefaultMinRatification = 0.5

// WhatIfOptions tune the what-if analysis; the zero value gives the
// defaults. The sensitivity analysis has its own options
// (SensitivityOptions, Report.SensitivityAnalysis).
type WhatIfOptions struct {
	// MinRatification: a deal is ratifiable when every required
	// ratification passes with at least this probability. 0 means
	// DefaultMinRatification.
	MinRatification float64
	// Sets caps the minimal relaxation sets listed. 0 means 20.
	Sets int
	// Predictor, if set, compares the agenda with the package on the
	// payoffs each party can expect (AgendaInfo.Orderings); nil leaves
	// the comparison to backward induction alone.
	Predictor Predictor
	// Budget, if set, bounds the enumeration of the space (its memory
	// and its context).
	Budget *budget.Budget
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

	// Beliefs is the zone as each party perceives it, and Stances what
	// public stances cost; present when the scenario has them (beliefs.go).
	Beliefs *Perception    `json:"beliefs,omitempty"`
	Stances []StanceWhatIf `json:"stances,omitempty"`
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
	// Ratification of the deal by each party that has a rule; Ratifiable:
	// every required vote passes with probability ≥ min_ratification. It
	// says nothing of reservation values: see Rational.
	Ratification []PartyRatification `json:"ratification,omitempty"`
	Ratifiable   bool                `json:"ratifiable"`
	// Rational: every party gets at least its reservation value (within
	// Tolerance); BelowReservation names the parties that do not.
	Rational         bool     `json:"rational"`
	BelowReservation []string `json:"below_reservation,omitempty"`
	index            int
}

// PartyRatification is one constituency's vote on a deal.
type PartyRatification struct {
	Party    string  `json:"party"`
	Body     string  `json:"body,omitempty"`
	Required bool    `json:"required"`
	Share    float64 `json:"share"`       // predicted yes share (1 when not required)
	Prob     float64 `json:"probability"` // probability the vote passes (1 when not required)
	// Bodies are the votes of each body, when the party's ratification
	// has several (all must pass: Prob is their product, Share the yes
	// share of the one least likely to pass) or votes in communities.
	Bodies []BodyRatification `json:"bodies,omitempty"`
}

// WhatIfAnalysis adds the what-if analysis to the report (Report.WhatIf).
// It enumerates the space, at most WhatIfLimit outcomes.
func (r *Report) WhatIfAnalysis(opts WhatIfOptions) error {
	g, err := newGrid(r.scen, nil, opts.Budget)
	if err != nil {
		return err
	}
	r.WhatIf = g.whatIf(r, opts.minRat(), opts.sets())
	if a := r.WhatIf.Agenda; a != nil && opts.Predictor != nil {
		if a.Orderings, err = orderings(r.scen, opts.Predictor); err != nil {
			return err
		}
	}
	return nil
}

// whatIf assembles the what-if analysis, one concept after another.
func (g *grid) whatIf(r *Report, minRat float64, sets int) *WhatIf {
	w := &WhatIf{MinRatification: minRat}
	nash := func(idx int) float64 { return g.nashProduct(idx, g.rv) }
	un := g.argmax(func(idx int) bool { return g.rational(idx, g.rv) }, nash)
	uw := g.argmax(func(int) bool { return true }, g.welfare)
	w.UnconstrainedNash = g.deal(un, minRat)
	w.UnconstrainedMaxWelfare = g.deal(uw, minRat)
	w.Nash = g.deal(g.argmax(g.inZone, nash), minRat)
	w.RedLines = g.redLines(un, uw)
	w.Ratify = g.ratification(r, minRat)
	w.Guarantees = guarantees(g.s)
	if len(g.s.Agenda) > 0 {
		w.Agenda = g.agenda(w.Nash, minRat)
	}
	if w.Ratify.RatifiableZone == 0 {
		w.Blocking = g.blocking(minRat, sets)
	}
	g.beliefs(w, minRat)
	return w
}

// deal reports the outcome b chose, nil when none.
func (g *grid) deal(b best, minRat float64) *Deal {
	if b.idx < 0 {
		return nil
	}
	d := &Deal{Outcome: g.labels(b.idx), Utilities: g.utilities(b.idx), Value: b.value, Ties: b.ties, index: b.idx,
		Ratifiable: g.ratifiable(b.idx, minRat)}
	d.BelowReservation = belowReservation(d.Utilities, g.rv, g.ids)
	d.Rational = len(d.BelowReservation) == 0
	var o []int
	for p, rat := range g.rats {
		if rat == nil {
			continue
		}
		j := b.idx*g.n + p
		pr := PartyRatification{Party: g.ids[p], Body: rat.Names(),
			Required: g.need[b.idx]&(1<<p) != 0, Share: g.share[j], Prob: g.ratp[j]}
		if len(rat.Bodies) > 1 || len(rat.Bodies[0].Communities) > 0 {
			if o == nil {
				o = make([]int, g.sp.Issues())
				g.sp.Decode(uint64(b.idx), o)
			}
			pr.Bodies = partyRatification(pr.Party, rat, o, g.u[j]).Bodies
		}
		d.Ratification = append(d.Ratification, pr)
	}
	return d
}
