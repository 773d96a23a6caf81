package negotiator

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

// step is one action of a duel.
type step struct {
	seat  int
	round int
	t     float64
	act   protocol.Action
}

// duel plays a bilateral SAOP session with a deadline of rounds rounds
// between a (seat 0, first to move) and b, the way the runner does: every
// action becomes an event both see. It returns the actions and whether and
// on what they agreed.
func duel(a, b Negotiator, sa, sb *Setup, rounds int) (steps []step, agreed bool, deal uint64) {
	return duelUntil(a, b, sa, sb, rounds, rounds)
}

// duelUntil is duel stopped after round until.
func duelUntil(a, b Negotiator, sa, sb *Setup, rounds, until int) (steps []step, agreed bool, deal uint64) {
	negs, setups := []Negotiator{a, b}, []*Setup{sa, sb}
	for i, n := range negs {
		setups[i].Seat, setups[i].Parties = i, 2
		setups[i].Deadline = protocol.Deadline{Rounds: rounds}
		n.Reset(setups[i])
	}
	var standing uint64
	has := false
	for r := 1; r <= until; r++ {
		tt := float64(r) / float64(rounds+1)
		for s, n := range negs {
			tn := protocol.Turn{Phase: protocol.PhaseOffer, Seat: s, Round: r, T: tt}
			if has {
				tn.Phase, tn.Outcome, tn.HasOutcome = protocol.PhaseRespond, standing, true
			}
			act := n.Act(tn)
			steps = append(steps, step{s, r, tt, act})
			e := protocol.Event{Seat: int32(s), Round: int32(r), T: tt}
			switch act.Kind {
			case protocol.ActAccept:
				e.Type, e.Outcome, e.HasOutcome = protocol.EventAccept, standing, true
				for _, m := range negs {
					m.Observe(e)
				}
				return steps, true, standing
			case protocol.ActOffer:
				standing, has = act.Outcome, true
				e.Type, e.Outcome, e.HasOutcome = protocol.EventOffer, act.Outcome, true
				for _, m := range negs {
					m.Observe(e)
				}
			default:
				return steps, false, 0
			}
		}
	}
	return steps, false, 0
}

// conflict is a three-issue space of 5·5·5 outcomes with opposed
// preferences: two utility functions whose value orders run opposite ways
// on every issue, with different weights.
func conflict(rv0, rv1 float64) (outcome.Space, *utility.Additive, *utility.Additive) {
	sizes := []int{5, 5, 5}
	sp, _ := outcome.NewSpace(sizes)
	up := []float64{0, 0.25, 0.5, 0.75, 1}
	down := []float64{1, 0.75, 0.5, 0.25, 0}
	a := utility.NewAdditive([]float64{0.5, 0.3, 0.2}, [][]float64{up, up, up}, rv0, 1)
	b := utility.NewAdditive([]float64{0.2, 0.3, 0.5}, [][]float64{down, down, down}, rv1, 1)
	return sp, a, b
}

// setup is a seat's Setup over sp with utility u.
func setup(t *testing.T, sp outcome.Space, u *utility.Additive, seed uint64) *Setup {
	t.Helper()
	x, err := NewIndex(u, sp)
	if err != nil {
		t.Fatal(err)
	}
	return &Setup{Space: sp, Utility: u, Index: x, Rand: rand.New(rand.NewPCG(seed, 7)), Parties: 2}
}

func TestBOASpec(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"boa", "boa:bid=timedependent:model=none:accept=next"},
		{"boa:bid=timedependent/e=0.2:model=frequency:accept=combi/t=0.97", "boa:bid=timedependent/e=0.2:model=frequency:accept=combi/t=0.97"},
		{"BOA:Accept=Prev/a=1.02:bid=TimeDependent/e=1", "boa:bid=timedependent:model=none:accept=prev/a=1.02"},
		{"boa:model=bayesian/sigma=0.3", "boa:bid=timedependent:model=bayesian/sigma=0.3:accept=next"},
	} {
		s, err := Parse(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := s.String(); got != c.want {
			t.Errorf("%s: canonical %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(s.String(), ",") {
			t.Errorf("%s: a canonical spec with a comma would be split by parley run -n", s)
		}
		back, err := Parse(s.String())
		if err != nil || back.String() != s.String() {
			t.Errorf("%s does not parse back: %v %v", s, back, err)
		}
		if _, ok := s.New().(*BOA); !ok || s.New() == s.New() {
			t.Errorf("%s: New does not make fresh BOA agents", s)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"boa:bid=timedependant", `did you mean "timedependent"`},
		{"boa:model=frequency:model=none", "model is given twice"},
		{"boa:accept=combi/x=1", `has no parameter "x"`},
		{"boa:accept=combi/t=soon", "is not a finite number"},
		{"boa:modle=none", `did you mean "model"`},
		{"boa:bid", "should be bid=NAME"},
		{"boa:model=oracle", "unknown opponent model \"oracle\"; choose from none, frequency, bayesian, perfect"},
	} {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to say %q", c.in, err, c.want)
		}
	}
	p, _ := Parse("boa:model=perfect")
	if p.CheckPublic(false) == nil || p.CheckPublic(true) != nil {
		t.Error("boa with the perfect model must need public utility functions")
	}
	if b, _ := Parse("boa:model=bayesian"); b.Info.Public || b.Info.Random || b.Info.NeedsSorted {
		t.Errorf("boa:model=bayesian needs nothing special: %+v", b.Info)
	}
}

func TestAcceptanceConditions(t *testing.T) {
	c := &Context{
		Mine:   []Bid{{U: 0.9, T: 0.9}, {U: 0.8, T: 0.97}},
		Theirs: []Bid{{U: 0.6, T: 0.95}, {U: 0.5, T: 0.985}, {U: 0.55, T: 0.99}},
	}
	at := func(tt float64) protocol.Turn { return protocol.Turn{Phase: protocol.PhaseRespond, T: tt} }
	next := Bid{U: 0.7}
	for _, k := range []struct {
		name string
		ac   Acceptance
		t    float64
		u    float64
		want bool
	}{
		{"next", &ACNext{A: 1}, 0.5, 0.7, true},
		{"next", &ACNext{A: 1}, 0.5, 0.69, false},
		{"next a=1.02", &ACNext{A: 1.02}, 0.5, 0.69, true},
		{"next b=0.02", &ACNext{A: 1, B: 0.02}, 0.5, 0.68, true},
		{"prev", &ACPrev{A: 1}, 0.5, 0.8, true},
		{"prev", &ACPrev{A: 1}, 0.5, 0.79, false},
		{"const", &ACConst{C: 0.9}, 0.1, 0.9, true},
		{"const", &ACConst{C: 0.9}, 0.99, 0.89, false},
		{"time", &ACTime{T: 0.99}, 0.98, 0.1, false},
		{"time", &ACTime{T: 0.99}, 0.99, 0.1, true},
		{"combi early", &ACCombi{A: 1, T: 0.98}, 0.5, 0.69, false},
		{"combi early, next", &ACCombi{A: 1, T: 0.98}, 0.5, 0.7, true},
		// At t = 0.99 the window is [0.98, 0.99]: its best is 0.55 (the
		// 0.6 of t = 0.95 is out of it).
		{"combi late, best in window", &ACCombi{A: 1, T: 0.98}, 0.99, 0.55, true},
		{"combi late, below", &ACCombi{A: 1, T: 0.98}, 0.99, 0.54, false},
	} {
		if got := k.ac.Accept(c, at(k.t), Bid{U: k.u, T: k.t}, next); got != k.want {
			t.Errorf("%s at t=%v, offer %v: %v, want %v", k.name, k.t, k.u, got, k.want)
		}
	}
	if (&ACPrev{A: 1}).Accept(&Context{}, at(0.5), Bid{U: 1}, next) {
		t.Error("AC_prev accepted before the agent made any bid")
	}
}

// kendall is Kendall's τ-a of two score lists (ties count for neither).
func kendall(x, y []float64) float64 {
	c := 0
	n := len(x)
	for i := range n {
		for j := i + 1; j < n; j++ {
			a, b := x[i]-x[j], y[i]-y[j]
			switch {
			case a*b > 0:
				c++
			case a*b < 0:
				c--
			}
		}
	}
	return float64(c) / float64(n*(n-1)/2)
}

// TestBayesianModelLearns: an opponent that concedes slowly down its own
// ranking teaches the Bayesian model its preferences: after 40 offers the
// model ranks the outcomes much as the opponent's utility does (a fresh
// model knows nothing: every outcome ties), and it weighs the issue the
// opponent cares most about highest.
func TestBayesianModelLearns(t *testing.T) {
	sp, _, opp := conflict(0, 0)
	x, _ := NewIndex(opp, sp)
	var m BayesianModel
	m.Sigma, m.Step = 0.25, 0.003
	m.Reset(sp)
	size, _ := sp.Size()
	truth, est := make([]float64, size), make([]float64, size)
	buf := make([]int, 3)
	for id := range size {
		sp.Decode(id, buf)
		truth[id] = opp.Utility(buf)
		est[id] = m.Utility(buf)
	}
	if tau := kendall(est, truth); tau != 0 {
		t.Fatalf("a fresh model ranks the outcomes: τ = %v", tau)
	}
	for k := range 40 {
		id, _ := x.Rank(k)
		m.Update(id)
		m.Update(id) // a repeated offer teaches nothing new
	}
	if m.Offers() != 40 {
		t.Errorf("learnt from %d offers, want 40 distinct", m.Offers())
	}
	for id := range size {
		sp.Decode(id, buf)
		est[id] = m.Utility(buf)
	}
	tau := kendall(est, truth)
	t.Logf("τ after 40 offers: %.3f", tau)
	if tau < 0.6 {
		t.Errorf("after 40 offers the model's ranking has τ = %.3f with the truth, want ≥ 0.6", tau)
	}
	if !(m.Weight(2) > m.Weight(0)) {
		t.Errorf("weights %v %v %v: issue 2 (weight 0.5) should outweigh issue 0 (0.2)", m.Weight(0), m.Weight(1), m.Weight(2))
	}
}

// TestBOAModelsExposed: a BOA agent's opponent model is what the league
// scores: the perfect model is the opponent's utility function itself, the
// frequency and Bayesian models say nothing before the opponent's first
// offer and then rank its favourite above its worst outcome.
func TestBOAModelsExposed(t *testing.T) {
	sp, own, other := pie(101, 0, 0.3)
	for _, spec := range []string{"boa:model=perfect", "boa:model=frequency", "boa:model=bayesian"} {
		n, err := New(spec)
		if err != nil {
			t.Fatal(err)
		}
		s := publicSetup(t, sp, own, other, 100)
		n.Reset(s)
		m := n.(OpponentModeler)
		if spec == "boa:model=perfect" {
			f := m.OpponentModel(1)
			for id := range uint64(101) {
				if f(id) != 1-float64(id)/100 {
					t.Fatalf("perfect model of outcome %d = %v", id, f(id))
				}
			}
			if m.OpponentModel(0) != nil {
				t.Error("a model of its own seat")
			}
			continue
		}
		if m.OpponentModel(1) != nil {
			t.Errorf("%s: a model before any offer", spec)
		}
		for k, o := range []uint64{0, 5, 10, 15} { // the opponent (worth 1 − o/100 to it) concedes
			n.Observe(protocol.Event{Type: protocol.EventOffer, Seat: 1, T: float64(k) / 100, Outcome: o, HasOutcome: true})
		}
		f := m.OpponentModel(1)
		if f == nil || !(f(0) > f(100)) {
			t.Errorf("%s: the opponent's favourite is not rated above its worst outcome", spec)
		}
	}
}

// FuzzParse: any spec either fails with an error or parses to a strategy
// whose canonical spec parses back to itself; nothing panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"boa", "boa:bid=timedependent/e=0.2:model=frequency:accept=combi/t=0.98",
		"boa:model=bayesian/sigma=0.3/step=0.01:accept=prev/a=1.02/b=0", "boa:accept=const/c=0.8:bid=timedependent/k=0.1/window=0.05/scan=8",
		"boa:model=perfect", "boa:bid=", "boa:=x", "boa:bid=timedependent/e", "timedependent:e=0.5", "agentk", "boa::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := Parse(spec)
		if err != nil {
			return
		}
		back, err := Parse(s.String())
		if err != nil || back.String() != s.String() {
			t.Fatalf("%q parses to %q, which parses to %q (%v)", spec, s, back.String(), err)
		}
		if s.Info.Role == RoleParty && s.New() == nil {
			t.Fatalf("%q makes no negotiator", spec)
		}
	})
}
