package analysis

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

// RatificationRule describes one ratifying body of a party (one rule per
// body: a party with a parliament and a referendum has two).
type RatificationRule struct {
	Party       string  `json:"party"`
	Body        string  `json:"body,omitempty"`
	Threshold   float64 `json:"threshold"`
	Uncertainty float64 `json:"uncertainty"`
	Conditional bool    `json:"conditional"` // a vote only for some deals (when:)
	// Consent is what the body asks of the communities it votes in, when
	// it votes in parts ("cross-community consent of ...").
	Consent  string `json:"consent,omitempty"`
	Required uint64 `json:"required_in_zone"`
	Passes   uint64 `json:"passes_in_zone"` // required and the body's probability ≥ min
}

// SolutionRatification is a solution point's ratification.
type SolutionRatification struct {
	Solution string `json:"solution"`
	Deal     *Deal  `json:"deal"`
}

// ratification describes every party's rule, counts the zone and its
// ratifiable part, finds the ratifiable Nash deal and judges each of the
// report's solution points.
func (g *grid) ratification(r *Report, minRat float64) RatificationInfo {
	ri := RatificationInfo{Rules: []RatificationRule{}, Solutions: []SolutionRatification{}}
	for idx := 0; idx < g.size; idx++ {
		if g.inZone(idx) {
			ri.Zone++
			if g.ratifiable(idx, minRat) {
				ri.RatifiableZone++
			}
		}
	}
	o := make([]int, g.sp.Issues())
	for p, rat := range g.rats {
		if rat == nil {
			continue
		}
		for k := range rat.Bodies {
			b := &rat.Bodies[k]
			rr := RatificationRule{Party: g.ids[p], Body: b.Name, Threshold: b.Threshold, Uncertainty: b.Uncertainty, Conditional: b.When != nil, Consent: consent(b)}
			for idx := 0; idx < g.size; idx++ {
				if g.need[idx]&(1<<p) == 0 || !g.inZone(idx) {
					continue
				}
				if len(rat.Bodies) == 1 {
					// One body: the party's vote is the body's.
					rr.Required++
					if g.ratp[idx*g.n+p] >= minRat {
						rr.Passes++
					}
					continue
				}
				g.sp.Decode(uint64(idx), o)
				if b.Required(o) {
					rr.Required++
					if b.Prob(o, g.u[idx*g.n+p]) >= minRat {
						rr.Passes++
					}
				}
			}
			ri.Rules = append(ri.Rules, rr)
		}
	}
	ratifiable := func(idx int) bool { return g.inZone(idx) && g.ratifiable(idx, minRat) }
	ri.RatifiableNash = g.deal(g.argmax(ratifiable, func(idx int) float64 { return g.nashProduct(idx, g.rv) }), minRat)
	ri.Solutions = g.solutionDeals(r, minRat)
	return ri
}

// solutionDeals is each of the report's solution points (its first
// outcome) as a deal.
func (g *grid) solutionDeals(r *Report, minRat float64) []SolutionRatification {
	out := []SolutionRatification{}
	f := r.Frontier
	if f == nil {
		return out
	}
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
		out = append(out, SolutionRatification{Solution: so.name, Deal: d})
	}
	return out
}
