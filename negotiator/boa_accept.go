package negotiator

import (
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// The acceptance conditions of Baarslag, Hindriks and Jonker, "Effective
// acceptance conditions in real-time automated negotiation" (Decision
// Support Systems 60, 2014), as BOA parts. u(x) is the agent's utility of
// x, x the standing offer, x' the bid it would make instead, x⁻ its own
// last bid, t the normalised time:
//
//	AC_next(a, b):  a·u(x) + b ≥ u(x')
//	AC_prev(a, b):  a·u(x) + b ≥ u(x⁻)
//	AC_const(c):    u(x) ≥ c
//	AC_time(T):     t ≥ T
//	AC_combi(T):    AC_next ∨ (t ≥ T ∧ u(x) ≥ MAX^W), W = 1 − t
//
// MAX^W is the best utility of the other parties' offers in the last W of
// the time, the current one included (the paper's AC_combi(T, MAX^W), with
// the window of Genius's AC_CombiMaxInWindow, the time left): near the
// deadline it takes an offer as good as anything offered lately.

// ACNext accepts an offer at least as good as its next bid, after a·u + b.
type ACNext struct{ A, B float64 }

// ACPrev accepts an offer at least as good as its own last bid, after a·u + b.
type ACPrev struct{ A, B float64 }

// ACConst accepts an offer worth at least C.
type ACConst struct{ C float64 }

// ACTime accepts any offer from time T on.
type ACTime struct{ T float64 }

// ACCombi is AC_next, or from time T on any offer at least as good as the
// best the others offered in the remaining time's window.
type ACCombi struct{ A, B, T float64 }

func init() {
	ab := []registry.Param{{Name: "a", Default: 1, Doc: "scale of the offer's utility"}, {Name: "b", Default: 0, Doc: "added to the scaled utility"}}
	src := "Baarslag, Hindriks & Jonker 2014, Effective acceptance conditions in real-time automated negotiation"
	acceptances.Add(part[Acceptance]{Entry: registry.Entry{Name: "next", Doc: "AC_next: accepts when a·u(offer) + b ≥ u(its next bid)", Source: src, Params: ab},
		make: func(p map[string]float64) Acceptance { return &ACNext{A: p["a"], B: p["b"]} }})
	acceptances.Add(part[Acceptance]{Entry: registry.Entry{Name: "prev", Doc: "AC_prev: accepts when a·u(offer) + b ≥ u(its last bid)", Source: src, Params: ab},
		make: func(p map[string]float64) Acceptance { return &ACPrev{A: p["a"], B: p["b"]} }})
	acceptances.Add(part[Acceptance]{Entry: registry.Entry{Name: "const", Doc: "AC_const: accepts an offer worth at least c", Source: src,
		Params: []registry.Param{{Name: "c", Default: 0.9, Doc: "the utility it accepts"}}},
		make: func(p map[string]float64) Acceptance { return &ACConst{C: p["c"]} }})
	acceptances.Add(part[Acceptance]{Entry: registry.Entry{Name: "time", Doc: "AC_time: accepts any offer (above its reservation value) from time t on", Source: src,
		Params: []registry.Param{{Name: "t", Default: 0.99, Doc: "the normalised time from which it accepts"}}},
		make: func(p map[string]float64) Acceptance { return &ACTime{T: p["t"]} }})
	acceptances.Add(part[Acceptance]{Entry: registry.Entry{Name: "combi", Doc: "AC_combi(T, MAX^W): AC_next, or from time t on an offer as good as the best of the others' offers in the last (1 − time) of the time", Source: src,
		Params: append(ab[:2:2], registry.Param{Name: "t", Default: 0.98, Doc: "the normalised time from which the window rule applies"})},
		make: func(p map[string]float64) Acceptance { return &ACCombi{A: p["a"], B: p["b"], T: p["t"]} }})
}

// Reset implements Acceptance.
func (a *ACNext) Reset(*Context) {}

// Accept implements Acceptance.
func (a *ACNext) Accept(_ *Context, _ protocol.Turn, offer, next Bid) bool {
	return a.A*offer.U+a.B >= next.U
}

// Reset implements Acceptance.
func (a *ACPrev) Reset(*Context) {}

// Accept implements Acceptance.
func (a *ACPrev) Accept(c *Context, _ protocol.Turn, offer, _ Bid) bool {
	if len(c.Mine) == 0 {
		return false
	}
	return a.A*offer.U+a.B >= c.Mine[len(c.Mine)-1].U
}

// Reset implements Acceptance.
func (a *ACConst) Reset(*Context) {}

// Accept implements Acceptance.
func (a *ACConst) Accept(_ *Context, _ protocol.Turn, offer, _ Bid) bool { return offer.U >= a.C }

// Reset implements Acceptance.
func (a *ACTime) Reset(*Context) {}

// Accept implements Acceptance.
func (a *ACTime) Accept(_ *Context, t protocol.Turn, _, _ Bid) bool { return t.T >= a.T }

// Reset implements Acceptance.
func (a *ACCombi) Reset(*Context) {}

// Accept implements Acceptance.
func (a *ACCombi) Accept(c *Context, t protocol.Turn, offer, next Bid) bool {
	if a.A*offer.U+a.B >= next.U {
		return true
	}
	if t.T < a.T {
		return false
	}
	return offer.U >= maxInWindow(c.Theirs, t.T-(1-t.T))
}

// maxInWindow is the best utility of the offers made at or after time
// from (0 when there are none).
func maxInWindow(bids []Bid, from float64) float64 {
	best := 0.0
	for i := len(bids) - 1; i >= 0 && bids[i].T >= from; i-- {
		best = max(best, bids[i].U)
	}
	return best
}
