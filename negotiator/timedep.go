package negotiator

import (
	"github.com/parleyhq/parley/registry"

	"math"

	"github.com/parleyhq/parley/protocol"
)

// TimeDependent is the time-dependent concession family of Faratin, Sierra
// and Jennings ("Negotiation decision functions for autonomous agents",
// 1998) as Genius implements it (TimeDependentAgent; BOA
// TimeDependent_Offering). At normalised time t its target utility is
//
//	target(t) = Pmin + (Pmax − Pmin)·(1 − f(t)),  f(t) = k + (1 − k)·t^(1/e)
//
// with Pmax the best utility, Pmin = max(reservation value, worst utility)
// (GeniusWeb's TimeDependentParty; the BOA version uses the worst utility
// alone) and k = 0 by default. e < 1 concedes late (Boulware, e = 0.2),
// e = 1 linearly, e > 1 early (Conceder, e = 2); e = 0 never concedes
// (Hardliner). It offers the outcome with the smallest utility ≥ target(t)
// (from the sorted Index, ties to the smallest outcome index) and accepts
// with AC_next (Baarslag, Hindriks and Jonker, "Effective acceptance
// conditions in multilateral negotiation", 2014; Genius's AC_Next with
// a = 1, b = 0): it accepts an offer whose utility is at least that of the
// outcome it would offer next.
type TimeDependent struct {
	base
	E, K       float64
	pmin, pmax float64
}

// NewTimeDependent returns a time-dependent negotiator with concession
// exponent e and initial concession k.
func NewTimeDependent(e, k float64) *TimeDependent { return &TimeDependent{E: e, K: k} }

func init() {
	td := func(name string, e float64, doc string) {
		register(Info{Entry: registry.Entry{Name: name, Doc: doc, Source: "Faratin, Sierra & Jennings 1998; Genius TimeDependentAgent (e = " + ftoa(e) + "), AC_next acceptance"},
			Role: RoleParty,
			make: func(map[string]float64) Negotiator { return NewTimeDependent(e, 0) }})
	}
	td("boulware", 0.2, "time-dependent, e = 0.2: holds out and concedes near the deadline")
	td("linear", 1, "time-dependent, e = 1: concedes linearly in time")
	td("conceder", 2, "time-dependent, e = 2: concedes early")
	td("hardliner", 0, "time-dependent, e = 0: always offers its best outcome and accepts only that utility")
	register(Info{Entry: registry.Entry{Name: "timedependent", Doc: "time-dependent with a chosen concession exponent e and initial concession k", Source: "Faratin, Sierra & Jennings 1998; Genius TimeDependentAgent, AC_next acceptance", Params: []registry.Param{{Name: "e", Default: 1, Doc: "concession exponent (0 never concedes, <1 Boulware, >1 Conceder)"}, {Name: "k", Default: 0, Doc: "initial concession in [0, 1]"}}},
		Role: RoleParty,
		make: func(p map[string]float64) Negotiator { return NewTimeDependent(p["e"], p["k"]) }})
}

// Reset implements Negotiator.
func (n *TimeDependent) Reset(s *Setup) {
	n.reset(s)
	n.bounds()
}

func (n *TimeDependent) bounds() {
	s := n.s
	_, n.pmax = s.Index.Max()
	_, n.pmin = s.Index.Min()
	n.pmin = math.Max(n.pmin, n.rv)
	if n.pmin > n.pmax {
		n.pmin = n.pmax
	}
}

// Target returns the target utility at normalised time t.
func (n *TimeDependent) Target(t float64) float64 {
	f := n.K
	if n.E > 0 {
		f = n.K + (1-n.K)*math.Pow(t, 1/n.E)
	}
	return n.pmin + (n.pmax-n.pmin)*(1-f)
}

// Observe implements Negotiator.
func (n *TimeDependent) Observe(protocol.Event) {}

// Act implements Negotiator.
func (n *TimeDependent) Act(t protocol.Turn) protocol.Action {
	if n.changed() {
		n.bounds()
	}
	id, u, _ := n.s.Index.AtLeast(n.Target(t.T), n.buf)
	return n.answer(t, id, u)
}
