package session

import (
	"encoding/binary"
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
	mu   sync.Mutex
	// x[R][k][s] indexes seat s's expected utility after the first k
	// scheduled events, for sessions whose deadline is R rounds (always 0
	// without a status quo: see voidValue); nil for a seat whose party has
	// no ratification.
	x map[int][][]*negotiator.Index

	// phases holds each agenda phase's expected-utility index.
	phases phaseCache[*negotiator.Index]
}

// expectedUtility is u'(o) = P(o)·u(o) + (1 − P(o))·rv, the utility of
// signing o for a party that knows its constituency votes on it: with
// probability P = rat.Prob(o, u(o)) the deal binds, otherwise the party is
// left with rv (voidValue). An outcome across a red line stays
// Unacceptable.
func expectedUtility(u *utility.Additive, rat *utility.Ratification, rv float64) func(o []int) float64 {
	return func(o []int) float64 {
		x := u.Utility(o)
		if x == utility.Unacceptable {
			return x
		}
		p := rat.Prob(o, x)
		return p*x + (1-p)*rv
	}
}

// voidValue is what member m (of variant k) is left with when its vote
// voids a deal. Without a status quo it is its reservation value (after any
// event shifts; delay costs and drift are not anticipated, as for the
// reservation the negotiator sees). With one, a void deal leaves the world
// as it is: the fallback at the deadline of R rounds, drift and costs at
// the rates of the talks' start counted, as a negotiator sees its
// reservation value at the start; so a deal its voters would surely reject
// is worth no more than holding out, rather than the status quo free of
// the war's costs.
func (p *Prepared) voidValue(m, k int, u *utility.Additive, R int) float64 {
	if p.sq == nil || R <= 0 {
		return u.Reservation
	}
	c, d := p.partyAt[k][m].Rates(p.sq, make([]bool, len(p.sq)))
	return u.Reservation + (d-c)*float64(R)
}

// horizon is the deadline anticipation depends on: the session's rounds
// with a status quo, 0 otherwise.
func (p *Prepared) horizon(R int) int {
	if p.sq == nil {
		return 0
	}
	return R
}

// CheckAnticipation reports whether sessions on p can run with
// Config.AnticipateRatification: the error NewRunner would return, found
// once, before any session is played.
func (p *Prepared) CheckAnticipation() error {
	a := p.anti
	a.once.Do(func() { a.err = p.checkAnticipation() })
	return a.err
}

func (p *Prepared) checkAnticipation() error {
	sc := p.Scenario
	for _, i := range p.Seats {
		if sc.Parties[i].Ratification == nil {
			continue
		}
		if err := p.Space.CheckEnumerable(0); err != nil {
			return fmt.Errorf("scenario %s, party %s: anticipating ratification needs an outcome space that can be enumerated (the expected utility P(o)·u(o) + (1 − P(o))·rv is not additive, so every outcome is evaluated): %w",
				sc.Name, sc.Parties[i].ID, err)
		}
	}
	return nil
}

// anticipated returns, for every seat whose party has a ratification, the
// index of its expected utility after each number of scheduled events in
// sessions of R rounds, or an error when the space is too large to
// enumerate.
func (p *Prepared) anticipated(R int) ([][]*negotiator.Index, error) {
	if err := p.CheckAnticipation(); err != nil {
		return nil, err
	}
	R = p.horizon(R)
	a := p.anti
	a.mu.Lock()
	defer a.mu.Unlock()
	if x, ok := a.x[R]; ok {
		return x, nil
	}
	sc := p.Scenario
	x := make([][]*negotiator.Index, len(p.variants))
	for k := range x {
		x[k] = make([]*negotiator.Index, len(p.Seats))
	}
	for s, i := range p.Seats {
		rat := sc.Parties[i].Ratification
		if rat == nil {
			continue
		}
		built := map[*utility.Additive]*negotiator.Index{}
		for k, vs := range p.variants {
			u := vs[s].u
			ix, ok := built[u]
			if !ok {
				var err error
				if ix, err = negotiator.NewIndexFunc(expectedUtility(u, rat, p.voidValue(s, k, u, R)), p.Space); err != nil {
					return nil, fmt.Errorf("scenario %s, party %s: %w", sc.Name, sc.Parties[i].ID, err)
				}
				built[u] = ix
			}
			x[k][s] = ix
		}
	}
	if a.x == nil {
		a.x = map[int][][]*negotiator.Index{}
	}
	a.x[R] = x
	return x, nil
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
	return p.anticipatedBlocked(s, u, ph, settled, isSettled, 0, key, 0, 0)
}

// anticipatedBlocked is anticipatedPhase with the terms of the deal of the blocked
// meetings off the table (termLines); key must then tell them apart. With
// a status quo, a void deal's worth depends on the deadline R and the
// events so far k (voidValue), which the key is given here.
func (p *Prepared) anticipatedBlocked(s int, u *utility.Additive, ph int, settled []int, isSettled []bool, blocked uint64, key []byte, R, k int) (*negotiator.Index, error) {
	if key == nil {
		key = phaseKey(nil, ph, settled, isSettled)
	}
	R = p.horizon(R)
	if R > 0 {
		key = binary.AppendUvarint(binary.AppendUvarint(append([]byte(nil), key...), uint64(R)), uint64(k))
	}
	return p.anti.phases.get(u, key, func() (*negotiator.Index, error) {
		full := make([]int, len(settled))
		for i := range full {
			if isSettled[i] {
				full[i] = settled[i]
			}
		}
		return p.buildPhaseIndex(s, u, ph, full, isSettled, blocked, p.voidValue(s, k, u, R))
	})
}

func (p *Prepared) buildPhaseIndex(s int, u *utility.Additive, ph int, full []int, isSettled []bool, blocked uint64, rv float64) (*negotiator.Index, error) {
	sc := p.Scenario
	info := &p.phases[ph]
	rat := sc.Parties[p.Seats[s]].Ratification
	pu := phaseUtilityAt(u, info.issues, full, isSettled, p.completion(ph))
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
