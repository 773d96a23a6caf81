package analysis

import (
	"fmt"
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
