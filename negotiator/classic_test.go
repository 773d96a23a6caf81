package negotiator

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
)

// respondTo asks n to answer offer id at round r of rounds, after showing
// it the offer as seat 1's.
func respondTo(n Negotiator, id uint64, r, rounds int) protocol.Action {
	tt := float64(r) / float64(rounds+1)
	n.Observe(protocol.Event{Type: protocol.EventOffer, Seat: 1, Round: int32(r), T: tt, Outcome: id, HasOutcome: true})
	a := n.Act(protocol.Turn{Phase: protocol.PhaseRespond, Seat: 0, Round: r, T: tt, Outcome: id, HasOutcome: true})
	if a.Kind == protocol.ActOffer {
		n.Observe(protocol.Event{Type: protocol.EventOffer, Seat: 0, Round: int32(r), T: tt, Outcome: a.Outcome, HasOutcome: true})
	}
	return a
}

// TestAgentKTracksTheOpponent: AgentK's target falls towards its estimate
// of the most the opponent will give, emax = μ + (1 − μ)·√(12·var) of the
// offers' utilities. Against an opponent whose offers spread from 0.3 to
// 0.7 it has come down to emax = 0.7 by t = 0.9; against one that always
// offers 0.3 its target stays near 1 − 0.1 (it concedes no more than the
// opponent's spread and a tenth), and it never accepts that offer. A
// time-dependent agent's target would be the same against both.
func TestAgentKTracksTheOpponent(t *testing.T) {
	sp, own, other := pie(101, 0, 0)
	const rounds = 100
	targets := map[string]float64{}
	for _, opp := range []string{"stubborn", "conceding"} {
		s := publicSetup(t, sp, own, other, rounds)
		k := &AgentK{Tremor: 2}
		k.Reset(s)
		var sum, sum2 float64
		n := 0
		for r := 1; r <= 90; r++ {
			o := uint64(30)
			if opp == "conceding" {
				o = uint64(30 + 40*(r-1)/89) // worth 0.3 … 0.7 to AgentK
			}
			u := float64(o) / 100
			sum, sum2, n = sum+u, sum2+u*u, n+1
			a := respondTo(k, o, r, rounds)
			if opp == "stubborn" && a.Kind == protocol.ActAccept {
				t.Fatalf("AgentK accepted the stubborn offer of 0.3 in round %d", r)
			}
			if a.Kind == protocol.ActAccept {
				break
			}
		}
		targets[opp] = k.Target()
		if opp == "conceding" {
			mean := sum / float64(n)
			emax := mean + (1-mean)*math.Sqrt(12*(sum2/float64(n)-mean*mean))
			if math.Abs(k.Target()-emax) > 0.03 {
				t.Errorf("against the conceding opponent its target at t = 0.9 is %.3f, want its emax %.3f", k.Target(), emax)
			}
		}
	}
	if targets["stubborn"] < 0.85 || targets["conceding"] > targets["stubborn"]-0.1 {
		t.Errorf("targets at t = 0.9: %.3f against the stubborn opponent, %.3f against the conceding one", targets["stubborn"], targets["conceding"])
	}
	// Its acceptance rule: after the conceding opponent's offers, at t =
	// 0.9, it accepts an offer worth u with probability t^α/5 + (u − emax)
	// + (u − target), α = 1 + τ + 10μ − 2τμ, and never one whose
	// probability falls below 0.1.
	for _, u := range []uint64{100, 90, 60} {
		accepted, p := 0, 0.0
		const seeds = 200
		for seed := range uint64(seeds) {
			s := publicSetup(t, sp, own, other, rounds)
			s.Rand = rand.New(rand.NewPCG(seed, 3))
			k := &AgentK{Tremor: 2}
			k.Reset(s)
			var sum, sum2 float64
			for r := 1; r < 90; r++ {
				o := uint64(30 + 40*(r-1)/89)
				sum, sum2 = sum+float64(o)/100, sum2+float64(o*o)/1e4
				k.receive(o, float64(r)/(rounds+1))
			}
			sum, sum2 = sum+float64(u)/100, sum2+float64(u*u)/1e4
			tt := 90.0 / (rounds + 1)
			if a := respondTo(k, u, 90, rounds); a.Kind == protocol.ActAccept {
				accepted++
			}
			mean := sum / 90
			emax := mean + (1-mean)*math.Sqrt(12*(sum2/90-mean*mean))
			alpha := 1 + 2 + 10*mean - 4*mean
			p = math.Pow(tt, alpha)/5 + (float64(u)/100 - emax) + (float64(u)/100 - k.Target())
		}
		if p < 0.1 {
			p = 0
		}
		if got := float64(accepted) / seeds; math.Abs(got-min(p, 1)) > 0.1 {
			t.Errorf("offer %v at t = 0.9: accepted %.2f of the time, want about %.2f", float64(u)/100, got, p)
		}
	}
}

// TestHardHeadedCurveAndWalk: HardHeaded's floor is 0.585 + 0.95·0.415
// (its Ka) at the start and falls to 0.585 only at the very end (t^20);
// against a hardliner it walks down its sorted outcomes a step (a cluster
// within 0.01) at a time and never offers below the floor of the moment, which a Boulware agent
// (e = 0.2) crosses long before the end. It accepts an offer worth more
// than the least it offered.
func TestHardHeadedCurveAndWalk(t *testing.T) {
	sp, own, opp := conflict(0, 0)
	s := setup(t, sp, own, 1)
	h := &HardHeaded{Ka: 0.05, E: 0.05, Min: 0.585}
	h.Reset(s)
	_, top := s.Index.Max()
	if got, want := h.Floor(0), 0.585*top+0.95*(top-0.585*top); math.Abs(got-want) > 1e-12 {
		t.Errorf("floor at t = 0: %v, want %v", got, want)
	}
	if got := h.Floor(1); math.Abs(got-0.585*top) > 1e-12 {
		t.Errorf("floor at t = 1: %v, want 0.585", got)
	}
	if h.Floor(0.9) < 0.92*top {
		t.Errorf("floor at t = 0.9: %v; HardHeaded holds out until the very end", h.Floor(0.9))
	}
	bw := NewTimeDependent(0.2, 0)
	bw.Reset(s)
	if bw.Target(0.9) > h.Floor(0.9)-0.2 {
		t.Fatalf("the test needs a Boulware agent well below HardHeaded's floor at t = 0.9: %v vs %v", bw.Target(0.9), h.Floor(0.9))
	}
	steps, agreed, _ := duel(h, NewTimeDependent(0, 0), s, setup(t, sp, opp, 2), 200)
	if agreed {
		t.Fatal("HardHeaded agreed with a hardliner that offers it nothing")
	}
	x := s.Index
	seen := map[uint64]bool{}
	lowest := x.Len() // the lowest sorted position it offered
	for _, st := range steps {
		if st.seat != 0 {
			continue
		}
		id := st.act.Outcome
		u := x.Utility(id, h.buf)
		if u < h.Floor(st.t)-1e-12 {
			t.Errorf("round %d: offered %v below its floor %v", st.round, u, h.Floor(st.t))
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		p := h.positionOf(id, u)
		if p < lowest-64 {
			t.Errorf("round %d: new offer at sorted position %d, below %d: not a step down its list", st.round, p, lowest)
		}
		lowest = min(lowest, p)
	}
	if len(seen) < 3 {
		t.Errorf("it made %d distinct offers in 200 rounds; it should walk down its list", len(seen))
	}
	// It accepts an offer worth more than the least it offered.
	var better uint64
	found := false
	for id := range x.Size() {
		if u := x.Utility(id, h.buf); u > h.lowest && u < top {
			better, found = id, true
			break
		}
	}
	if !found {
		t.Fatal("no outcome between its lowest offer and its best")
	}
	if a := h.Act(protocol.Turn{Phase: protocol.PhaseRespond, Round: 200, T: 0.99, Outcome: better, HasOutcome: true}); a.Kind != protocol.ActAccept {
		t.Errorf("it refused an offer worth %v, above the %v it offered", x.Utility(better, h.buf), h.lowest)
	}
}

// TestGahboninhoPressure: Gahboninho's noise rises against an opponent
// that concedes (it presses) and falls against one that does not (it
// compromises); the lower its noise, the lower its recommendation late in
// the session. In the last round it offers the opponent's best offer.
func TestGahboninhoPressure(t *testing.T) {
	sp, own, opp := conflict(0, 0)
	noise := map[float64]float64{}
	for _, e := range []float64{0, 1} { // a hardliner, a linear conceder
		s := setup(t, sp, own, 1)
		g := &Gahboninho{}
		duel(g, NewTimeDependent(e, 0), s, setup(t, sp, opp, 2), 300)
		noise[e] = g.Noise()
	}
	if !(noise[1] > 0.5 && noise[0] < 0.4) {
		t.Errorf("noise %.3f against the conceder, %.3f against the hardliner; want it to rise from its start, 0.4, and to fall", noise[1], noise[0])
	}
	// In the last round, against the hardliner, it offers the hardliner's offer.
	s := setup(t, sp, own, 1)
	so := setup(t, sp, opp, 2)
	g := &Gahboninho{}
	steps, _, _ := duel(g, NewTimeDependent(0, 0), s, so, 100)
	hard, _ := so.Index.Max()
	lastOwn := steps[len(steps)-2]
	if lastOwn.seat != 0 || lastOwn.round != 100 {
		t.Fatalf("unexpected end of the duel: %+v", lastOwn)
	}
	if bu := s.Index.Utility(hard, g.buf); bu >= 0.25*g.top && (lastOwn.act.Kind != protocol.ActOffer || lastOwn.act.Outcome != hard) {
		t.Errorf("in the last round it offered %+v, not the opponent's best offer %d", lastOwn.act, hard)
	}
}

// TestCUHKAgentDiscount: undiscounted, CUHKAgent holds at its best
// utility (it concedes to the discount factor, not to time) until its last
// five rounds, when it offers the opponent's best offer or a favourite of
// the opponent's worth 0.85 to 0.98 of its best: a hardliner gets its way
// at the end. With d = 0.5 its threshold
// falls to d^(1−λ) of its best by λ = 0.08 + 0.92·0.5^1.2, then keeps the
// discounted value d.
func TestCUHKAgentDiscount(t *testing.T) {
	sp, own, opp := conflict(0, 0)
	s := setup(t, sp, own, 1)
	c := &CUHKAgent{}
	so := setup(t, sp, opp, 2)
	steps, agreed, deal := duel(c, NewTimeDependent(0, 0), s, so, 100)
	hard, _ := so.Index.Max()
	if last := steps[len(steps)-1]; !agreed || deal != hard || last.round < 96 {
		t.Errorf("CUHKAgent should concede to the hardliner's offer in its last rounds: agreed %v on %d in round %d", agreed, deal, last.round)
	}
	_, top := s.Index.Max()
	for _, st := range steps {
		if st.seat != 0 || st.act.Kind != protocol.ActOffer {
			continue
		}
		u := s.Index.Utility(st.act.Outcome, c.buf)
		if st.round <= 95 && u < top {
			t.Errorf("round %d: undiscounted it offered %v below its best %v", st.round, u, top)
		}
		if st.round > 95 && (u >= top || u < 0.85*top && st.round < 99) {
			t.Errorf("round %d: in its last rounds it offered %v", st.round, u)
		}
	}
	if c.Threshold() != top {
		t.Errorf("undiscounted threshold %v, want its best %v", c.Threshold(), top)
	}
	// Discounted.
	disc := *own
	disc.Discount = 0.5
	sd := setup(t, sp, &disc, 1)
	cd := &CUHKAgent{}
	cd.Reset(sd)
	lambda := 0.08 + 0.92*math.Pow(0.5, 1.2)
	if math.Abs(cd.lambda0-lambda) > 1e-12 {
		t.Fatalf("λ = %v, want %v", cd.lambda0, lambda)
	}
	for _, tt := range []float64{lambda, 0.9} {
		cd.bidToOffer(tt)
		want := top * math.Pow(0.5, 1-tt)
		if math.Abs(cd.Threshold()-want) > 1e-9 {
			t.Errorf("discounted threshold at t = %.3f: %v, want %v", tt, cd.Threshold(), want)
		}
	}
}

// TestNiceTitForTatReciprocates: NiceTitForTat concedes as the opponent
// concedes. Against a hardliner its target stays near its best (it gives
// only the 0.1 of the gap to Nash its discount bonus grants); against a
// conceder it follows it down towards the Nash point. After t = 0.98, with
// few offers still to come, it accepts an offer that no recent offer beat.
func TestNiceTitForTatReciprocates(t *testing.T) {
	sp, own, opp := conflict(0, 0)
	target := map[float64]float64{}
	for _, e := range []float64{0, 2} {
		s := setup(t, sp, own, 1)
		n := &NiceTitForTat{}
		duelUntil(n, NewTimeDependent(e, 0), s, setup(t, sp, opp, 2), 100, 60) // to t = 0.59
		target[e] = n.Target()
	}
	_, top := setup(t, sp, own, 1).Index.Max()
	if target[0] < 0.9*top || target[2] > target[0]-0.1*top {
		t.Errorf("targets: %.3f against the hardliner, %.3f against the conceder", target[0], target[2])
	}
	// Against a hardliner, over 100 rounds: no acceptance before t = 0.98,
	// acceptance of the hardliner's offer after.
	s := setup(t, sp, own, 1)
	n := &NiceTitForTat{}
	steps, agreed, _ := duel(n, NewTimeDependent(0, 0), s, setup(t, sp, opp, 2), 100)
	last := steps[len(steps)-1]
	if !agreed || last.seat != 0 || last.t < 0.98 {
		t.Errorf("against a hardliner it should accept after t = 0.98: agreed %v, last step %+v", agreed, last)
	}
}

// TestAtlas3Threshold checks the final-proposal game: with reservation
// value 0 and d = 1, before any offer its threshold is 1 − t; once the
// opponent offered C = 0.6, the opponent's equilibrium mix q = (1 − C)/(1 +
// C) = 0.25 gives E = 0.25·0.6 + 0.75·0.8 = 0.75, so thr(0.5) = 0.875.
func TestAtlas3Threshold(t *testing.T) {
	sp, own, other := pie(101, 0, 0)
	s := publicSetup(t, sp, own, other, 100)
	a := &Atlas3{}
	a.Reset(s)
	if got := a.Threshold(0.3); math.Abs(got-0.7) > 1e-12 {
		t.Errorf("threshold before any offer at t = 0.3: %v, want 0.7", got)
	}
	a.Observe(protocol.Event{Type: protocol.EventOffer, Seat: 1, T: 0.01, Outcome: 60, HasOutcome: true})
	if got := a.Threshold(0.5); math.Abs(got-0.875) > 1e-12 {
		t.Errorf("threshold at t = 0.5 after an offer of 0.6: %v, want 0.875", got)
	}
}

// TestAtlas3FinalPhase: in its final proposal phase (from t > 1 − (|offers|
// + 1)·the time of a turn) Atlas3 proposes back the opponent's earlier offers, best for
// itself first, while they beat the offer on the table, then accepts.
func TestAtlas3FinalPhase(t *testing.T) {
	sp, own, other := pie(101, 0, 0)
	const rounds = 100
	s := publicSetup(t, sp, own, other, rounds)
	a := &Atlas3{}
	a.Reset(s)
	var acts []protocol.Action
	for r := 1; r <= rounds; r++ {
		o := uint64(30) // it ends at 0.3, after 0.5 and 0.4
		switch r {
		case 1:
			o = 50
		case 2:
			o = 40
		}
		act := respondTo(a, o, r, rounds)
		if r >= 96 {
			acts = append(acts, act)
		}
		if act.Kind == protocol.ActAccept {
			break
		}
	}
	// Three popular offers: the final phase is t > 1 − (3 + 1)/101, a
	// turn lasting 1/101: rounds 98 to 100.
	want := []protocol.Action{{Kind: protocol.ActOffer}, {Kind: protocol.ActOffer}, protocol.Offer(50), protocol.Offer(40), protocol.Accept}
	if len(acts) != len(want) {
		t.Fatalf("last actions %+v", acts)
	}
	for i := range want {
		if i < 2 {
			if acts[i].Kind != protocol.ActOffer || acts[i].Outcome <= 50 {
				t.Errorf("round %d is before the final phase: %+v, want an offer above its threshold", 96+i, acts[i])
			}
			continue
		}
		if acts[i] != want[i] {
			t.Errorf("round %d: %+v, want %+v", 96+i, acts[i], want[i])
		}
	}
}

// TestAgentGGThresholds: AgentG estimates the Nash point from the best
// offer it gets once the opponent moves (m = 0.4: N = 0.4 + 0.6/1.7), then
// its threshold follows its stepwise schedule towards N, and its offers
// lie in the band [threshold, threshold + 0.1].
func TestAgentGGThresholds(t *testing.T) {
	sp, own, other := pie(101, 0, 0)
	const rounds = 100
	s := publicSetup(t, sp, own, other, rounds)
	g := &AgentGG{}
	g.Reset(s)
	nash := 0.4 + 0.6/1.7
	at := func(k float64) float64 { return k*(1-nash) + nash }
	for r := 1; r <= 90; r++ {
		o := uint64(20)
		if r >= 5 {
			o = 40
		}
		a := respondTo(g, o, r, rounds)
		tt := float64(r) / (rounds + 1)
		if r > 6 && math.Abs(g.nash-nash) > 1e-12 {
			t.Fatalf("round %d: Nash estimate %v, want %v", r, g.nash, nash)
		}
		var want float64
		switch {
		case tt < 0.01:
			want = 0.9999
		case tt < 0.02:
			want = 0.99
		case tt < 0.2:
			want = 0.99 - 0.5*(tt-0.02)
		case tt < 0.5:
			want = 0.9 - (0.9-at(0.3))/0.3*(tt-0.2)
		default:
			want = at(0.3) - (at(0.3)-at(0.15))/0.4*(tt-0.5)
		}
		if r > 6 && math.Abs(g.Lower()-want) > 1e-9 {
			t.Errorf("round %d (t = %.3f): threshold %v, want %v", r, tt, g.Lower(), want)
		}
		if a.Kind != protocol.ActOffer {
			t.Fatalf("round %d: %+v", r, a)
		}
		if u := float64(a.Outcome) / 100; u < g.Lower()-1e-9 || u > g.Lower()+0.1+1e-9 {
			t.Errorf("round %d: offered %v outside [%v, %v]", r, u, g.Lower(), g.Lower()+0.1)
		}
	}
	// An offer reaching the threshold is accepted.
	hi := uint64(math.Ceil(g.Lower() * 100))
	if a := respondTo(g, hi, 91, rounds); a.Kind != protocol.ActAccept {
		t.Errorf("refused %v ≥ its threshold %v", float64(hi)/100, g.Lower())
	}
}

// TestClassicRegistered: each classic agent's name makes its own type (so
// that the behaviour tests above test what `-n NAME` seats), with its
// source cited.
func TestClassicRegistered(t *testing.T) {
	for name, want := range map[string]Negotiator{
		"agentk": &AgentK{}, "hardheaded": &HardHeaded{}, "gahboninho": &Gahboninho{}, "cuhkagent": &CUHKAgent{},
		"nicetitfortat": &NiceTitForTat{}, "atlas3": &Atlas3{}, "agentgg": &AgentGG{},
	} {
		sp, err := Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := sp.New(); reflect.TypeOf(got) != reflect.TypeOf(want) {
			t.Errorf("%s makes a %T", name, got)
		}
		if !strings.Contains(sp.Info.Source, "reimplemented") || !strings.ContainsAny(sp.Info.Source, "0123456789") {
			t.Errorf("%s: source %q should cite the paper and say it is reimplemented", name, sp.Info.Source)
		}
	}
}

// TestHardHeadedOffersOpponentBest: once the offers HardHeaded plans fall
// below the best the opponent ever offered it, it offers that best offer
// first, again at each new plan: it offers it far more often than when the
// opponent never offered it (when only its walk down the list and its
// random repeats bring it back).
func TestHardHeadedOffersOpponentBest(t *testing.T) {
	sp, own, _ := conflict(0, 0)
	disc := *own
	disc.Discount = 0.5 // it concedes early, below the opponent's offer
	s := setup(t, sp, &disc, 1)
	x := s.Index
	worst, _ := x.Min()
	good, _ := x.Rank(3) // HardHeaded's 4th best outcome
	const rounds = 100
	count := map[bool]int{}
	for _, offered := range []bool{false, true} {
		h := &HardHeaded{Ka: 0.05, E: 0.05, Min: 0.585}
		h.Reset(s)
		respondTo(h, worst, 1, rounds)
		o := worst
		if offered {
			o = good
		}
		if a := respondTo(h, o, 2, rounds); a.Kind == protocol.ActAccept {
			t.Fatal("HardHeaded accepted its 4th best outcome at t = 0.02")
		}
		for r := 3; r <= 99; r++ {
			a := respondTo(h, worst, r, rounds)
			if a.Kind == protocol.ActAccept {
				t.Fatalf("round %d: accepted a worthless offer", r)
			}
			if a.Outcome == good {
				count[offered]++
			}
		}
	}
	t.Logf("offers of the outcome: %d when the opponent offered it, %d when not", count[true], count[false])
	if count[true] < count[false]+5 {
		t.Errorf("HardHeaded offered the opponent's best offer back %d times, %d when the opponent never offered it", count[true], count[false])
	}
}

// TestCUHKAgentToughness: CUHKAgent holds out longer (λ grows) against an
// opponent whose recent offers are all new: λ = λ₀ + 0.1·(1 − λ₀)·1.
func TestCUHKAgentToughness(t *testing.T) {
	sp, own, _ := conflict(0, 0)
	disc := *own
	disc.Discount = 0.5
	s := setup(t, sp, &disc, 1)
	c := &CUHKAgent{}
	c.Reset(s)
	for r := 1; r <= 20; r++ {
		respondTo(c, uint64(r*3), r, 100) // twenty distinct offers
	}
	if want := c.lambda0 + 0.1*(1-c.lambda0); math.Abs(c.lambda-want) > 1e-12 {
		t.Errorf("λ = %v against an opponent of new offers, want %v", c.lambda, want)
	}
	c.Reset(s)
	for r := 1; r <= 20; r++ {
		respondTo(c, 7, r, 100) // the same offer again and again
	}
	if c.lambda != c.lambda0 {
		t.Errorf("λ = %v against a repeating opponent, want λ₀ = %v", c.lambda, c.lambda0)
	}
}
