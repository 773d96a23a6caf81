package session

import (
	"sync"

	"github.com/parleyhq/parley/negotiator"
)

// The mediator the parties lobby (scenario mediator_influence): its
// weights move each round, so its preferences are those of the round.
// They depend on the round alone (events happen at fixed rounds), so they
// are built once per Prepared and round, and kept: a warm runner only
// switches pointers, as for events.

// influenceCache holds the mediator's preferences by round.
type influenceCache struct {
	mu     sync.Mutex
	rounds []variant // by round; u nil until built
}

// mediatorAt returns the mediator's preferences in round: base (its
// preferences as the events so far leave them) weighing the issues by
// scenario.Scenario.MediatorWeights(round); with a status quo, its
// reservation value is its new utility of it, the events' shifts kept.
func (p *Prepared) mediatorAt(round int, base variant) (variant, error) {
	c := p.infl
	c.mu.Lock()
	defer c.mu.Unlock()
	if round < len(c.rounds) && c.rounds[round].u != nil {
		return c.rounds[round], nil
	}
	u := base.u.Reweighted(p.Scenario.MediatorWeights(round))
	if sq := p.sq; sq != nil {
		u.Reservation = u.Raw(sq) + (base.u.Reservation - base.u.Raw(sq))
	}
	x, err := negotiator.NewIndex(u, p.Space)
	if err != nil {
		return variant{}, err
	}
	v := variant{u: u, x: x, out: base.out}
	for len(c.rounds) <= round {
		c.rounds = append(c.rounds, variant{})
	}
	c.rounds[round] = v
	return v, nil
}

// influence gives the mediator its preferences of the round, remembered
// by the runner too so that sessions on several cores do not take the
// shared cache's lock.
func (r *Runner) influence(round int) {
	m := len(r.prep.Seats)
	if round >= len(r.infl) || r.infl[round].u == nil {
		v, err := r.prep.mediatorAt(round, r.variants[r.st.events][m])
		if err != nil {
			return // the mediator keeps its weights: a space too large to index
		}
		for len(r.infl) <= round {
			r.infl = append(r.infl, variant{})
		}
		r.infl[round] = v
	}
	r.st.cur[m] = r.infl[round]
	r.st.led[m].fall = r.fallback(m)
	if v, err := r.project(m, r.st.cur[m]); err == nil {
		r.st.act[m] = v
		r.setMember(m)
	}
}
