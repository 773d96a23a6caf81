package analysis

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// WhatIfLimit is the largest space the what-if analysis enumerates: it
// keeps every outcome's utilities, red-line crossings and ratification
// probabilities in memory.
const WhatIfLimit uint64 = 2_000_000

// grid is an enumerated outcome space with everything the what-if analysis
// asks of each outcome, flat: outcome o's utility to party p is u[o*n+p].
type grid struct {
	s       *scenario.Scenario
	sp      outcome.Space
	size    int
	n       int
	parties []int // scenario party index of each (non-mediator) party
	ids     []string
	us      []*utility.Additive
	rv      []float64
	lines   []lineRef
	rats    []*utility.Ratification // per party, nil without a rule
	// terms are the deals the meetings rule out for everyone (TermLines),
	// lines with party -1: one line each, not one per party.
	terms []utility.RedLine
	// vetoLines are what members' rules and guarantors' consents rule
	// out (coalition.go), lines with party -2.
	vetoLines []vetoLine
	// floor is, per party, the utility below which it does not accept:
	// its reservation value, or none for a party whose members decide.
	floor []float64

	// off marks the outcomes that break a scenario constraint: no deal
	// for anyone, so every figure of the grid leaves them out (they are
	// not a red line that could be relaxed). Nil without constraints.
	off []bool

	u     []float64 // [o*n+p] utility ignoring red lines (Raw)
	cross []uint64  // per outcome: the red lines it crosses (bit per lines entry)
	ratp  []float64 // [o*n+p] probability of ratification, 1 without a vote
	share []float64 // [o*n+p] predicted yes share (ratifying parties only)
	need  []uint64  // per outcome: bit p set when party p's vote is required
	o     []int
}

type lineRef struct {
	party int // index in grid parties; -1 for a deal ruled out for everyone, -2 for a veto
	k     int // index in the party's RedLines, in the grid's terms or in its vetoLines
}

// line returns the red line l refers to (for a veto, one that names every
// issue and allows every value: see matches).
func (g *grid) line(l lineRef) *utility.RedLine {
	switch l.party {
	case -1:
		return &g.terms[l.k]
	case -2:
		return &g.vetoLines[l.k].line
	}
	return &g.us[l.party].RedLines[l.k]
}

// lineParty is the id of the party whose red line l is, "" for everyone.
func (g *grid) lineParty(l lineRef) string {
	switch {
	case l.party == -2:
		return g.vetoLines[l.k].party
	case l.party < 0:
		return ""
	}
	return g.ids[l.party]
}

// matches reports whether outcome o crosses line l.
func (g *grid) matches(l lineRef, o []int) bool {
	if l.party == -2 {
		return g.vetoLines[l.k].vetoes(o)
	}
	return g.line(l).Match(o)
}

// newGrid enumerates s's space for its negotiating parties (mediators left
// out, as in Analyze), reusing g's buffers when g is not nil. b bounds it:
// the grid's memory must fit (24 bytes an outcome per party and 16 more),
// and its context is polled as outcomes are listed.
func newGrid(s *scenario.Scenario, g *grid, b *budget.Budget) (*grid, error) {
	sp := s.Space()
	size, ok := sp.Size()
	if !ok || size > WhatIfLimit {
		return nil, fmt.Errorf("analysis: what-if analysis enumerates the outcomes; scenario %s has %.4g, more than %d", s.Name, sp.SizeFloat(), WhatIfLimit)
	}
	if g == nil {
		g = &grid{}
	}
	g.s, g.sp, g.size = s, sp, int(size)
	g.parties, g.ids, g.us, g.rv, g.lines, g.rats = g.parties[:0], g.ids[:0], g.us[:0], g.rv[:0], g.lines[:0], g.rats[:0]
	if err := s.CheckParties(); err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
	}
	all := s.Utilities()
	g.terms = TermLines(s, all)
	for q, p := range s.Negotiators() {
		u := all[p]
		g.parties = append(g.parties, p)
		g.ids = append(g.ids, s.Parties[p].ID)
		g.us = append(g.us, u)
		g.rv = append(g.rv, u.Reservation)
		g.rats = append(g.rats, s.Parties[p].Ratification)
		// The party's own red lines; the scenario's constraints follow
		// them in u.RedLines and are marked in off instead.
		for k := range s.Parties[p].RedLines {
			g.lines = append(g.lines, lineRef{party: q, k: k})
		}
	}
	for k := range g.terms {
		g.lines = append(g.lines, lineRef{party: -1, k: k})
	}
	g.addVetoLines()
	g.n = len(g.parties)
	if len(g.lines) > 64 {
		return nil, fmt.Errorf("analysis: scenario %s has %d red lines; the what-if analysis handles at most 64", s.Name, len(g.lines))
	}
	n, m := g.n, sp.Issues()
	step := func() string {
		return fmt.Sprintf("the what-if grid of %d parties over %s outcomes", n, budget.Thousands(size))
	}
	if need := float64(g.size) * float64(24*n+16) * 1.25; cap(g.u) < g.size*n && b.Over(need) {
		return nil, b.Fit(step(), "", need)
	}
	g.u = grow(g.u, g.size*n)
	g.ratp = grow(g.ratp, g.size*n)
	g.share = grow(g.share, g.size*n)
	g.cross = grow(g.cross, g.size)
	g.need = grow(g.need, g.size)
	g.off = nil
	if len(s.Constraints) > 0 {
		g.off = make([]bool, g.size)
	}
	if cap(g.o) < m {
		g.o = make([]int, m)
	}
	o := g.o[:m]
	clear(o)
	for idx := 0; idx < g.size; idx++ {
		if idx%pollEvery == 0 && idx > 0 {
			if err := b.Err(); err != nil {
				return nil, &budget.Exceeded{Step: step(), At: budget.Thousands(uint64(idx)) + " outcomes listed", Cause: err}
			}
		}
		row := g.u[idx*n : idx*n+n]
		for p, u := range g.us {
			if u.HasTerms() {
				row[p] = u.Raw(o)
				continue
			}
			s := 0.0
			for i, t := range u.Table {
				s += t[o[i]]
			}
			row[p] = utility.Clamp(s)
		}
		var c uint64
		for b, l := range g.lines {
			if g.matches(l, o) {
				c |= 1 << b
			}
		}
		g.cross[idx] = c
		var need uint64
		for p, r := range g.rats {
			j := idx*n + p
			g.ratp[j], g.share[j] = 1, 1
			if r == nil || !r.Required(o) {
				continue
			}
			need |= 1 << p
			g.share[j] = r.Share(o, row[p])
			g.ratp[j] = r.Prob(o, row[p])
		}
		g.need[idx] = need
		if g.off != nil {
			g.off[idx] = s.Forbidden(o) >= 0
		}
		sp.Next(o)
	}
	return g, nil
}

// rational reports whether every party gets at least its reservation value.
func (g *grid) rational(idx int, rv []float64) bool {
	row := g.u[idx*g.n : idx*g.n+g.n]
	for p, x := range row {
		if x < rv[p]-Tolerance {
			return false
		}
	}
	return true
}

// inZone: no constraint broken, no red line crossed and every party at or
// above its floor (its reservation value; a party whose members decide, by
// their rule alone).
func (g *grid) inZone(idx int) bool {
	return g.cross[idx] == 0 && !g.forbidden(idx) && g.rational(idx, g.floor)
}

// forbidden: outcome idx breaks a scenario constraint.
func (g *grid) forbidden(idx int) bool { return g.off != nil && g.off[idx] }

// ratifiable: every required ratification passes with probability ≥ min.
func (g *grid) ratifiable(idx int, min float64) bool {
	if g.need[idx] == 0 {
		return true
	}
	for _, x := range g.ratp[idx*g.n : idx*g.n+g.n] {
		if x < min {
			return false
		}
	}
	return true
}

// best is the outcome maximising crit over the outcomes keep admits (one
// that breaks a constraint never): the first in enumeration order among
// those within Tolerance of the best, and how many tie. idx is -1 when
// keep admits none.
type best struct {
	idx   int
	value float64
	ties  int
}

func (g *grid) argmax(keep func(idx int) bool, crit func(idx int) float64) best {
	b := best{idx: -1, value: math.Inf(-1)}
	if g.off != nil {
		k := keep
		keep = func(idx int) bool { return !g.off[idx] && k(idx) }
	}
	for idx := 0; idx < g.size; idx++ {
		if !keep(idx) {
			continue
		}
		if c := crit(idx); c > b.value {
			b.idx, b.value = idx, c
		}
	}
	if b.idx < 0 {
		return b
	}
	for idx := 0; idx < g.size; idx++ {
		if keep(idx) && crit(idx) >= b.value-Tolerance {
			if b.ties == 0 {
				b.idx = idx
			}
			b.ties++
		}
	}
	return b
}

// nashProduct is Π_p (u_p − rv_p), gains below 0 counted as 0.
func (g *grid) nashProduct(idx int, rv []float64) float64 {
	x := 1.0
	for p, u := range g.u[idx*g.n : idx*g.n+g.n] {
		x *= max(u-rv[p], 0)
	}
	return x
}

func (g *grid) welfare(idx int) float64 {
	x := 0.0
	for _, u := range g.u[idx*g.n : idx*g.n+g.n] {
		x += u
	}
	return x
}

// utilities returns a copy of outcome idx's utility vector.
func (g *grid) utilities(idx int) []float64 {
	return append([]float64(nil), g.u[idx*g.n:idx*g.n+g.n]...)
}

// labels returns issue id → value label for outcome idx.
func (g *grid) labels(idx int) map[string]string {
	o := make([]int, g.sp.Issues())
	g.sp.Decode(uint64(idx), o)
	return g.s.Labels(o)
}
