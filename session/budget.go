package session

import (
	"fmt"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/negotiator"
)

// indexBudget bounds the indexes Prepare builds: one per member, one
// more per scheduled event that changes a member's preferences, and one
// per seat of the utilities shown to the others when they are public.
type indexBudget struct {
	b      *budget.Budget
	step   string
	n      int  // indexes to build
	seats  int  // members
	events bool // building the events' indexes
	public bool // building the public utilities' indexes
}

// indexBudget checks the memory of every index Prepare will build against
// p's budget before it builds one, and names the step for messages and
// progress: "indexing 10,000,000 outcomes for 2 parties".
func (p *Prepared) indexBudget() (*indexBudget, error) {
	ib := &indexBudget{b: p.budget, n: len(p.members), seats: len(p.members)}
	for _, e := range p.Scenario.Events {
		if p.member(e.Party) >= 0 {
			ib.n++
		}
	}
	if p.Scenario.PublicUtilities && len(p.Scenario.Agenda) == 0 {
		ib.n += len(p.Seats)
	}
	kept, scratch := negotiator.IndexMemory(p.Space)
	if kept == 0 || p.budget == nil {
		return ib, nil // not sorted (nothing to build), or unbounded
	}
	ib.step = fmt.Sprintf("indexing %s outcomes for %d parties", budget.Thousands(p.Size), len(p.members))
	at := ""
	if ib.n > len(p.members) {
		at = fmt.Sprintf("%d indexes, counting those of scheduled events and public utilities", ib.n)
	}
	if err := p.budget.Fit(ib.step, at, float64(ib.n)*kept+scratch); err != nil {
		return nil, err
	}
	if p.budget.Reporting() {
		p.budget.Report(budget.Progress{Step: ib.step, Total: int64(p.Size)})
	}
	return ib, nil
}

// end says the indexing is over.
func (ib *indexBudget) end() {
	if ib.step != "" {
		ib.b.End(ib.step)
	}
}

// party returns the budget to build member m's index with: p's own, its
// progress told as this step's ("party 1 of 2: ...").
func (ib *indexBudget) party(m int) *budget.Budget {
	if ib == nil || ib.b == nil {
		return nil
	}
	if !ib.b.Reporting() || ib.step == "" {
		return ib.b
	}
	b := *ib.b
	who := fmt.Sprintf("party %d of %d", m+1, ib.seats)
	switch {
	case ib.events:
		who = "a scheduled event's preferences"
	case ib.public:
		who = fmt.Sprintf("party %d's public utility", m+1)
	}
	b.Progress = func(pr budget.Progress) {
		pr.Step, pr.Detail = ib.step, who+": "+pr.Detail
		ib.b.Progress(pr)
	}
	return &b
}
