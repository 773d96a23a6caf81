package session

import (
	"fmt"
	"sync"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// anticipation holds what seats that anticipate their ratification
// negotiate over (Config.AnticipateRatification): per Prepared, computed on
// first use and shared by every session and goroutine.
type anticipation struct {
	once sync.Once
	err  error
	// x[k][s] indexes seat s's expected utility after the first k
	// scheduled events; nil for a seat whose party has no ratification.
	x [][]*negotiator.Index

	// phases holds each agenda phase's expected-utility index.
	phases phaseCache[*negotiator.Index]
}

// expectedUtility is u'(o) = P(o)·u(o) + (1 − P(o))·rv, the utility of
// signing o for a party that knows its constituency votes on it: with
// probability P = rat.Prob(o, u(o)) the deal binds, otherwise the party is
// left with its reservation value rv (u's, after any event shifts; delay
// costs and drift are not anticipated, as for the reservation the
// negotiator sees). An outcome across a red line stays Unacceptable.
func expectedUtility(u *utility.Additive, rat *utility.Ratification) func(o []int) float64 {
	rv := u.Reservation
	return func(o []int) float64 {
		x := u.Utility(o)
		if x == utility.Unacceptable {
			return x
		}
		p := rat.Prob(o, x)
		return p*x + (1-p)*rv
	}
}

// CheckAnticipation reports whether sessions on p can run with
// Config.AnticipateRatification: the error NewRunner would return, found
// once, before any session is played.
func (p *Prepared) CheckAnticipation() error {
	_, err := p.anticipated()
	return err
}

// anticipated returns, for every seat whose party has a ratification, the
// index of its expected utility after each number of scheduled events, or
// an error when the space is too large to enumerate.
func (p *Prepared) anticipated() ([][]*negotiator.Index, error) {
	a := p.anti
	a.once.Do(func() {
		sc := p.Scenario
		a.x = make([][]*negotiator.Index, len(p.variants))
		for k := range a.x {
			a.x[k] = make([]*negotiator.Index, len(p.Seats))
		}
		for s, i := range p.Seats {
			rat := sc.Parties[i].Ratification
			if rat == nil {
				continue
			}
			if err := p.Space.CheckEnumerable(0); err != nil {
				a.err = fmt.Errorf("scenario %s, party %s: anticipating ratification needs an outcome space that can be enumerated (the expected utility P(o)·u(o) + (1 − P(o))·rv is not additive, so every outcome is evaluated): %w",
					sc.Name, sc.Parties[i].ID, err)
				return
			}
			built := map[*utility.Additive]*negotiator.Index{}
			for k, vs := range p.variants {
				u := vs[s].u
				x, ok := built[u]
				if !ok {
					var err error
					if x, err = negotiator.NewIndexFunc(expectedUtility(u, rat), p.Space); err != nil {
						a.err = fmt.Errorf("scenario %s, party %s: %w", sc.Name, sc.Parties[i].ID, err)
						return
					}
					built[u] = x
				}
				a.x[k][s] = x
			}
		}
	})
	return a.x, a.err
}

// anticipatedPhase returns the index of seat s's expected utility over the
// outcomes of agenda phase ph, given the issues settled so far and its
// full-deal utility u. A phase outcome is worth P̄·u_ph + (1 − P̄)·rv, where
// u_ph is the phase utility sessions use anyway (settled issues at their
// agreed values, open ones at their mean evaluation; see phaseUtility) and
// P̄ is the probability of ratification averaged over the uniformly random
// completions of the open issues: the completed deal is what the
// constituency votes on, and the same uniform completion is the one whose
// expectation the mean rule gives for u. In the last phase nothing is open
// and this is u' of the whole deal. Built once per (utility, phase,
// settled values) and shared across sessions; key is phaseKey's for ph and
// the settled values (nil: computed here).
func (p *Prepared) anticipatedPhase(s int, u *utility.Additive, ph int, settled []int, isSettled []bool, key []byte) (*negotiator.Index, error) {
	return p.anticipatedBlocked(s, u, ph, settled, isSettled, 0, key)
}

// anticipatedBlocked is anticipatedPhase with the terms of the deal of the blocked
// meetings off the table (termLines); key must then tell them apart.
func (p *Prepared) anticipatedBlocked(s int, u *utility.Additive, ph int, settled []int, isSettled []bool, blocked uint64, key []byte) (*negotiator.Index, error) {
	if key == nil {
		key = phaseKey(nil, ph, settled, isSettled)
	}
	return p.anti.phases.get(u, key, func() (*negotiator.Index, error) {
		full := make([]int, len(settled))
		for i := range full {
			if isSettled[i] {
				full[i] = settled[i]
			}
		}
		return p.buildPhaseIndex(s, u, ph, full, isSettled, blocked)
	})
}

func (p *Prepared) buildPhaseIndex(s int, u *utility.Additive, ph int, full []int, isSettled []bool, blocked uint64) (*negotiator.Index, error) {
	sc := p.Scenario
	info := &p.phases[ph]
	rat := sc.Parties[p.Seats[s]].Ratification
	pu := phaseUtility(u, info.issues, full, isSettled)
	p.termLines(pu, ph, blocked)
	inPhase := make([]bool, len(full))
	for _, i := range info.issues {
		inPhase[i] = true
	}
	var open, sizes []int
	for i := range full {
		if !isSettled[i] && !inPhase[i] {
			open = append(open, i)
			sizes = append(sizes, sc.Issues[i].Size())
		}
	}
	osp, _ := outcome.NewSpace(sizes) // a subspace of a space that fits
	n, _ := osp.Size()
	obuf := make([]int, len(open))
	rv := u.Reservation
	f := func(local []int) float64 {
		x := pu.Utility(local)
		if x == utility.Unacceptable {
			return x
		}
		for k, i := range info.issues {
			full[i] = local[k]
		}
		sum := 0.0
		for c := range n {
			osp.Decode(c, obuf)
			for k, i := range open {
				full[i] = obuf[k]
			}
			sum += rat.Prob(full, u.Utility(full))
		}
		pr := sum / float64(n)
		return pr*x + (1-pr)*rv
	}
	x, err := negotiator.NewIndexFunc(f, info.space)
	if err != nil {
		return nil, fmt.Errorf("scenario %s, party %s, phase %s: %w", sc.Name, sc.Parties[p.Seats[s]].ID, info.id, err)
	}
	return x, nil
}
