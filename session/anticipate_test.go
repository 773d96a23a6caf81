package session

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

func phi(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// TestAnticipateRatification plays testdata/anticipate.yaml (its comment
// works the numbers out) with two linear negotiators over 20 rounds. As
// they stand, ua bargains over u, meets ru at (all, high) in round 16 and
// its referendum sinks the deal (probability Φ(−4) ≈ 3.17e-5, draw 0.592):
// both get their reservation values. Anticipating the vote, ua bargains
// over u' = P·u + (1 − P)·0.2, rejects (all, high) (u' ≈ 0.20001 < its
// target), holds out until its target reaches u'(part, low) ≈ 0.29773 in
// round 19 (0.2 + 0.75·(1 − t) ≤ 0.29773 from t ≈ 0.870) and signs
// (part, low), which the referendum passes (Φ(2) ≈ 0.977 > 0.592). The
// result reports the real utilities, 0.3 and 0.7, not u'.
func TestAnticipateRatification(t *testing.T) {
	prep, err := Prepare(loadTestdata(t, "anticipate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pPart, pAll := phi(2), phi(-4)
	for _, c := range []struct {
		anticipate bool
		outcome    string
		round      int
		status     Status
		prob       float64
		ua, ru     float64
	}{
		{false, "territory=all aid=high", 16, StatusNotRatified, pAll, 0.2, 0.45},
		{true, "territory=part aid=low", 19, StatusRatified, pPart, 0.3, 0.7},
	} {
		res, err := Run(Config{Prepared: prep, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20},
			AnticipateRatification: c.anticipate})
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomeString(res); !res.Agreed || got != c.outcome || res.Round != c.round || res.Status != c.status {
			t.Errorf("anticipate %v: %s in round %d, %s; want %s in round %d, %s", c.anticipate, got, res.Round, res.Status, c.outcome, c.round, c.status)
		}
		if r := res.Ratification; len(r) != 1 || !r[0].Required || math.Abs(r[0].Probability-c.prob) > 1e-15 {
			t.Errorf("anticipate %v: ratification %+v, want probability %v", c.anticipate, r, c.prob)
		}
		if ua, ru := res.Parties[0].Utility, res.Parties[1].Utility; math.Abs(ua-c.ua) > 1e-12 || math.Abs(ru-c.ru) > 1e-12 {
			t.Errorf("anticipate %v: utilities %v %v, want %v %v", c.anticipate, ua, ru, c.ua, c.ru)
		}
	}

	// ua's index is u' by hand (outcome ids as in the scenario's comment);
	// ru has no ratification and keeps its additive index.
	ax, err := prep.anticipated(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ax) != 1 || ax[0][0] == nil || ax[0][1] != nil {
		t.Fatalf("anticipated indexes %v", ax)
	}
	buf := make([]int, 2)
	for id, want := range []float64{
		0.5,                        // (none, low): no vote
		pPart*0.3 + (1-pPart)*0.2,  // (part, low) ≈ 0.29773
		(1 - pAll) * 0.2,           // (all, low) ≈ 0.19999
		0.95,                       // (none, high): no vote
		pPart*0.75 + (1-pPart)*0.2, // (part, high) ≈ 0.73749
		pAll*0.45 + (1-pAll)*0.2,   // (all, high) ≈ 0.20001
	} {
		if got := ax[0][0].Utility(uint64(id), buf); math.Abs(got-want) > 1e-12 {
			t.Errorf("u'(%d) = %v, want %v", id, got, want)
		}
	}
	for id, approx := range []float64{0.5, 0.29773, 0.19999, 0.95, 0.73749, 0.20001} {
		if got := ax[0][0].Utility(uint64(id), buf); math.Abs(got-approx) > 1e-5 {
			t.Errorf("u'(%d) = %v, by hand %v", id, got, approx)
		}
	}

	// Built once per Prepared: a second runner shares the indexes.
	r1, err := NewRunner(Config{Prepared: prep, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}, AnticipateRatification: true})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := NewRunner(Config{Prepared: prep, Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 20}, AnticipateRatification: true})
	if err != nil {
		t.Fatal(err)
	}
	if r1.variants[0][0].ax != ax[0][0] || r2.variants[0][0].ax != ax[0][0] || r1.seats[0].setup.Index != nil && r1.seats[0].setup.Index != ax[0][0] {
		t.Error("runners do not share the anticipated index")
	}
	if _, err := r1.Play(0); err != nil {
		t.Fatal(err)
	}
	if r1.seats[0].setup.Index != ax[0][0] || r1.seats[1].setup.Index != prep.Indexes[1] {
		t.Error("the seats do not negotiate over u' (ua) and u (ru)")
	}
}

// TestAnticipateRatificationDeterministic: the same seed gives the same
// trace, on a fresh runner and on a reused one.
func TestAnticipateRatificationDeterministic(t *testing.T) {
	cfg := Config{Scenario: loadTestdata(t, "anticipate.yaml"), Negotiators: []string{"boulware", "frequency"},
		Deadline: protocol.Deadline{Rounds: 30}, Seed: 3, AnticipateRatification: true}
	a, b, r := replayTrace(t, cfg)
	if !bytes.Equal(a, b) {
		t.Error("a reused runner gives a different trace")
	}
	// The record says the option was on, so a trace can be replayed as run.
	if !bytes.Contains(a, []byte(`"anticipate_ratification":true,"seed":3}`)) {
		t.Errorf("trace header lacks the option: %.200s", a)
	}
	if !r.Result().AnticipateRatification {
		t.Error("result lacks the option")
	}
}

// TestAnticipateRatificationTooLarge: with 30,000,003 outcomes u' cannot
// be indexed; the option fails with an error that says why, and the same
// scenario still runs without it.
func TestAnticipateRatificationTooLarge(t *testing.T) {
	prep, err := Prepare(loadTestdata(t, "anticipate-large.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewRunner(Config{Prepared: prep, Negotiators: []string{"boulware"}, Deadline: protocol.Deadline{Rounds: 10}, AnticipateRatification: true})
	if err == nil || !strings.Contains(err.Error(), "party ua: anticipating ratification needs an outcome space that can be enumerated") ||
		!strings.Contains(err.Error(), "3e+07 outcomes") {
		t.Fatalf("got %v", err)
	}
	if _, err := NewRunner(Config{Prepared: prep, Negotiators: []string{"boulware"}, Deadline: protocol.Deadline{Rounds: 10}}); err != nil {
		t.Errorf("without the option: %v", err)
	}
}

// TestAnticipateRatificationEvent: an event that moves ua's reservation
// value gives it a new u' (rv enters it), built once per event variant;
// ru's event leaves ua's index alone.
func TestAnticipateRatificationEvent(t *testing.T) {
	sc := loadTestdata(t, "anticipate.yaml")
	sc.Events = []scenario.Event{
		{Round: 3, Party: 1, ReservationShift: -0.05, Description: "ru"},
		{Round: 5, Party: 0, ReservationShift: -0.1, Description: "ua"},
	}
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	ax, err := prep.anticipated(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ax) != 3 || ax[0][0] != ax[1][0] || ax[1][0] == ax[2][0] || ax[2][1] != nil {
		t.Fatalf("indexes per event: %v", ax)
	}
	pAll := phi(-4)
	buf := make([]int, 2)
	if got, want := ax[2][0].Utility(5, buf), pAll*0.45+(1-pAll)*0.1; math.Abs(got-want) > 1e-12 {
		t.Errorf("u'(all, high) after the event = %v, want %v", got, want)
	}
	r, err := NewRunner(Config{Prepared: prep, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}, AnticipateRatification: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	if r.seats[0].setup.Index != ax[2][0] {
		t.Error("after the event ua does not negotiate over its new u'")
	}
}

// TestAnticipateRatificationAgenda splits anticipate.yaml into phases.
//
// Land, then aid. In the land phase ua values territory x at
// u_ph = 0.5·e(x) + 0.5·(0 + 0.9)/2 (aid open at its mean), so none 0.725,
// part 0.525, all 0.225, and P̄ is the chance of ratification averaged over
// both values of aid (the same here: support does not depend on aid):
// u'(part) = Φ(2)·0.525 + (1 − Φ(2))·0.2 ≈ 0.51761 and
// u'(all) = Φ(−4)·0.225 + (1 − Φ(−4))·0.2 ≈ 0.20000. Once part is settled,
// the aid phase's u' is the whole deal's: low ≈ 0.29773, high ≈ 0.73749.
//
// Aid, then land: with territory open, u_ph = 0.5·(1 + 0.6 + 0)/3 + 0.5·e(aid)
// = 0.26667 (low) or 0.71667 (high), and P̄ averages P over the three
// territories: (1 + Φ(2) + Φ(−4))/3 ≈ 0.65909 for both, so
// u'(low) ≈ 0.65909·0.26667 + 0.34091·0.2 ≈ 0.24394 and
// u'(high) ≈ 0.65909·0.71667 + 0.34091·0.2 ≈ 0.54053.
//
// Each index is built once per Prepared and phase: a session's seat reads
// the cached one.
func TestAnticipateRatificationAgenda(t *testing.T) {
	sc := loadTestdata(t, "anticipate.yaml")
	sc.Agenda = []scenario.Phase{{ID: "land", Issues: []int{0}}, {ID: "aid", Issues: []int{1}, After: []int{0}}}
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	pPart, pAll := phi(2), phi(-4)
	u := prep.variants[0][0].u
	land, err := prep.anticipatedPhase(0, u, 0, []int{0, 0}, []bool{false, false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int, 2)
	check := func(what string, x interface {
		Utility(uint64, []int) float64
	}, want, approx []float64) {
		t.Helper()
		for id := range want {
			got := x.Utility(uint64(id), buf)
			if math.Abs(got-want[id]) > 1e-12 || math.Abs(got-approx[id]) > 1e-5 {
				t.Errorf("%s: u'(%d) = %v, want %v (by hand %v)", what, id, got, want[id], approx[id])
			}
		}
	}
	check("land phase", land, []float64{0.725, pPart*0.525 + (1-pPart)*0.2, pAll*0.225 + (1-pAll)*0.2}, []float64{0.725, 0.51761, 0.20000})
	aid, err := prep.anticipatedPhase(0, u, 1, []int{1, 0}, []bool{true, false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("aid phase after part", aid, []float64{pPart*0.3 + (1-pPart)*0.2, pPart*0.75 + (1-pPart)*0.2}, []float64{0.29773, 0.73749})
	if again, _ := prep.anticipatedPhase(0, u, 0, []int{0, 0}, []bool{false, false}, nil); again != land {
		t.Error("the land phase's index was built twice")
	}
	r, err := NewRunner(Config{Prepared: prep, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 40}, AnticipateRatification: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	if len(res.Phases) != 2 || !res.Phases[0].Agreed || res.Phases[0].Outcome[0].Value != "part" {
		t.Fatalf("phases %+v", res.Phases)
	}
	if r.seats[0].setup.Index != aid || r.seats[1].setup.Index == aid {
		t.Error("in the aid phase ua does not read its cached u' index")
	}

	sc2 := loadTestdata(t, "anticipate.yaml")
	sc2.Agenda = []scenario.Phase{{ID: "aid", Issues: []int{1}}, {ID: "land", Issues: []int{0}, After: []int{0}}}
	prep2, err := Prepare(sc2)
	if err != nil {
		t.Fatal(err)
	}
	first, err := prep2.anticipatedPhase(0, prep2.variants[0][0].u, 0, []int{0, 0}, []bool{false, false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pbar := (1 + pPart + pAll) / 3
	lo, hi := 0.5*1.6/3, 0.5*1.6/3+0.45
	check("aid phase first", first, []float64{pbar*lo + (1-pbar)*0.2, pbar*hi + (1-pbar)*0.2}, []float64{0.24394, 0.54053})
}

// TestAnticipateRatificationZeroAllocations: anticipating changes which
// index a seat reads, not the hot path: a session still allocates nothing.
func TestAnticipateRatificationZeroAllocations(t *testing.T) {
	for _, negs := range [][]string{{"linear"}, {"boulware", "frequency"}, {"micro", "titfortat"}} {
		allocs := allocsPerSession(t, Config{Scenario: loadTestdata(t, "anticipate.yaml"), Negotiators: negs, Deadline: protocol.Deadline{Rounds: 30}, AnticipateRatification: true})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per session", negs, allocs)
		}
	}
}
