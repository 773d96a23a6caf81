package session

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// In testdata/truce.yaml the status quo (none, part) is worth 0.6·0.5 =
// 0.3 to ua and 0.3 + 0.7·0.5 = 0.65 to ru. Per round, at war ua pays
// 0.01 and loses 0.005, ru pays 0.02; a partial truce in force halves ua's
// cost (0.005; its drift stays) and leaves ru paying 0.015; a ceasefire
// stops ua's costs and drift, ru still pays 0.015. The truce phase stands,
// so each of its outcomes is worth the fallback it secures plus the rounds
// left at its rates, less those at war: in round r the partial truce is
// worth 0.5 + 0.005·(20 − r) to ua and 0.59 + 0.005·(20 − r) to ru, a
// ceasefire 0.7 + 0.015·(20 − r) and 0.5 + 0.005·(20 − r), the fighting
// 0.3 and 0.65. So ru prefers the partial truce to fighting on and both to
// a ceasefire; ua the ceasefire. Conceder against conceder over 20 rounds
// agree on the partial truce in round 7 and on half the land (the status
// quo's) in round 11.

// truceRun plays conceder against conceder for 20 rounds.
func truceRun(t *testing.T, edit func(*Config)) Result {
	t.Helper()
	cfg := Config{Scenario: loadTestdata(t, "truce.yaml"), Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 20}}
	if edit != nil {
		edit(&cfg)
	}
	res, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// truceCosts are ua's and ru's costs for r1 rounds at war and r2 under
// the partial truce.
func truceCosts(r1, r2 float64) []float64 { return []float64{0.01*r1 + 0.005*r2, 0.02*r1 + 0.015*r2} }

func checkPayoffs(t *testing.T, what string, res Result, want []float64) {
	t.Helper()
	for p, pr := range res.Parties {
		if math.Abs(pr.Utility-want[p]) > 1e-12 {
			t.Errorf("%s, %s: payoff %v, want %v", what, pr.ID, pr.Utility, want[p])
		}
	}
}

// TestTruceStopsCosts (issue 16, finding 2): the costs of a round depend
// on the truce agreed and in force. The deal (partial, part), worth 0.5 to
// ua and 0.59 to ru, pays each its utility less 7 rounds of war and 4 of
// partial truce (main's sessions charged delay_cost × round whatever was
// agreed: 0.11 and 0.22 here).
func TestTruceStopsCosts(t *testing.T) {
	res := truceRun(t, nil)
	if res.Status != StatusAgreed || outcomeString(res) != "ceasefire=partial land=part" || res.Phases[0].EndRound != 7 || res.Round != 11 {
		t.Fatalf("%s: %s in round %d, truce in round %d; want the partial truce in round 7, half the land in round 11", res.Status, outcomeString(res), res.Round, res.Phases[0].EndRound)
	}
	c := truceCosts(7, 4)
	checkPayoffs(t, "deal", res, []float64{0.5 - c[0], 0.59 - c[1]})
	for p, pr := range res.Parties {
		if math.Abs(pr.DelayCost-c[p]) > 1e-12 {
			t.Errorf("%s: delay cost %v, want %v", pr.ID, pr.DelayCost, c[p])
		}
	}
}

// TestTruceStands: when the settlement fails, a truce that stands holds:
// each party falls back on the status quo with the partial truce in place
// (0.2 + 0.3 = 0.5 to ua, 0.24 + 0.35 = 0.59 to ru); a provisional truce is
// void at the end, though it eased the costs while the talks went on (a
// provisional phase is valued as before, its open issue at its mean: the
// conceders agree on the partial truce in round 6 rather than 7). With a
// status quo, the rounds after a deal the referendum voids still cost: the
// war (or the standing truce) goes on to the deadline.
func TestTruceStands(t *testing.T) {
	// Red lines leave the settlement nothing both accept: ua refuses to
	// cede all the land, ru to keep less than all of it.
	block := func(c *Config) {
		sc := c.Scenario
		sc.Parties[0].RedLines = append(sc.Parties[0].RedLines, redLine("all", 1, 2, 3))
		sc.Parties[1].RedLines = append(sc.Parties[1].RedLines, redLine("some", 1, 0, 3), redLine("half", 1, 1, 3))
	}
	for _, stands := range []bool{true, false} {
		res := truceRun(t, func(c *Config) {
			block(c)
			c.Scenario.Agenda[0].Stands = stands
		})
		truce := 6
		if stands {
			truce = 7
		}
		if res.Status != StatusFailedPhase || res.FailedPhase != "settlement" || res.Round != 20 || res.Phases[0].EndRound != truce ||
			res.Phases[0].Outcome[0].Value != "partial" {
			t.Fatalf("stands %v: %s at %q in round %d, phases %+v", stands, res.Status, res.FailedPhase, res.Round, res.Phases)
		}
		c := truceCosts(float64(truce), float64(20-truce))
		want := []float64{0.3 - 0.005*20 - c[0], 0.65 - c[1]}
		if stands {
			want = []float64{0.5 - 0.005*20 - c[0], 0.59 - c[1]}
			if len(res.Standing) != 1 || res.Standing[0].Value != "partial" {
				t.Errorf("standing clauses %+v, want the partial truce", res.Standing)
			}
		} else if res.Standing != nil {
			t.Errorf("a provisional truce left %+v standing", res.Standing)
		}
		checkPayoffs(t, fmt.Sprintf("stands %v", stands), res, want)
	}
	// A referendum that cannot pass voids the deal of round 11; the
	// standing truce holds for the 9 rounds left.
	res := truceRun(t, func(c *Config) {
		c.Scenario.Parties[0].Ratification = &utility.Ratification{Bodies: []utility.Body{{Name: "referendum", Threshold: 0.5, Uncertainty: 0.05,
			Electorate: utility.Electorate{Support: [][]float64{nil, {1, 0.1, 0}}}}}}
	})
	if res.Status != StatusNotRatified || res.Round != 11 || res.Phases[0].EndRound != 7 {
		t.Fatalf("%s in round %d, truce in round %d; want a deal voided in round 11 after the truce of round 7", res.Status, res.Round, res.Phases[0].EndRound)
	}
	c := truceCosts(7, 13)
	checkPayoffs(t, "voided", res, []float64{0.5 - 0.005*20 - c[0], 0.59 - c[1]})
}

// TestNoTruceKeepsStatusQuo: when neither side wants a truce the truce
// phase settles on the status quo; the result says that nothing changed,
// rather than report a truce.
func TestNoTruceKeepsStatusQuo(t *testing.T) {
	var notes []string
	res := truceRun(t, func(c *Config) {
		c.Scenario.Parties[0].Prefs.Values[0].Values = []float64{0, 0.5, 1}
		c.OnNote = func(n Note) { notes = append(notes, n.Text) }
	})
	if !res.Phases[0].Agreed || res.Phases[0].Outcome[0].Value != "none" || !res.Phases[0].KeepsStatusQuo ||
		res.Phases[1].KeepsStatusQuo != (res.Phases[1].Outcome[0].Value == "part") {
		t.Fatalf("phases %+v: want the truce phase agreed on no ceasefire, keeping the status quo", res.Phases)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "phase truce agreed: ceasefire = The fighting goes on (the status quo: nothing changes)") {
		t.Errorf("notes:\n%s", strings.Join(notes, "\n"))
	}
}

// TestSeenReservation: what a negotiator sees as its reservation value is
// what holding out gives. In the standing truce phase, whose outcomes count
// the rounds left at their rates less those at war, that is its fallback
// (0.3 for ua, 0.65 for ru), and in round 5 the partial truce is worth
// 0.5 + 0.005·15 to ua and 0.59 + 0.005·15 to ru, a ceasefire 0.7 + 0.015·15
// and 0.5 + 0.005·15. In a later phase it is the fallback with the drift to
// the deadline, less the costs still to pay, in the state of the talks:
// after a ceasefire agreed in round 6, ua sees 0.7 less the drift it had
// before; ru 0.5 less the 0.015 a round it still pays.
func TestSeenReservation(t *testing.T) {
	r, err := NewRunner(Config{Scenario: loadTestdata(t, "truce.yaml"), Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	r.resetState()
	r.st.round = 5
	if err := r.preparePhase(0); err != nil {
		t.Fatal(err)
	}
	for m, want := range []float64{0.3, 0.65} {
		if got := r.seen(m, 5); math.Abs(got-want) > 1e-12 {
			t.Errorf("round 5 in the truce phase: member %d sees %v, want %v", m, got, want)
		}
	}
	// ceasefire: now, partial, none.
	want := [][]float64{{0.7 + 0.015*15, 0.5 + 0.005*15, 0.3}, {0.5 + 0.005*15, 0.59 + 0.005*15, 0.65}}
	for m := range want {
		u := r.st.act[m].u
		for v, w := range want[m] {
			if got := u.Utility([]int{v}); math.Abs(got-w) > 1e-12 {
				t.Errorf("round 5: member %d values truce option %d at %v, want %v", m, v, got, w)
			}
		}
	}
	// A ceasefire agreed in round 6; the settlement under way in round 9.
	r.st.settled[0], r.st.isSettled[0] = 0, true
	r.phaseAgreed(0, 6)
	r.st.phase = 1
	if got, want := r.seen(0, 9), 0.7-0.005*6; math.Abs(got-want) > 1e-12 {
		t.Errorf("round 9 in the truce: ua sees %v, want %v", got, want)
	}
	if got, want := r.seen(1, 9), 0.5-0.015*11; math.Abs(got-want) > 1e-12 {
		t.Errorf("round 9 in the truce: ru sees %v, want %v", got, want)
	}
}

// redLine forbids value v of issue i (of n values).
func redLine(id string, i, v, n int) utility.RedLine {
	allowed := make([]bool, n)
	allowed[v] = true
	return utility.RedLine{ID: id, Constraint: utility.Constraint{Issues: []int{i}, Allowed: [][]bool{allowed}}}
}

// TestEventSetsRates: an event may set a party's delay cost at war
// (sanctions that make the fighting costlier), which its while: states
// keep their own. Raising ru's cost at war from 0.02 to 0.04 in round 3
// makes a truce worth 0.025 a round left more to ru than the fighting:
// it offers and accepts the ceasefire ua wants in round 3 (worth
// 0.5 + 0.025·17 to it), the settlement finds nothing better than the
// status quo's half of the land for ua before the deadline, and the
// standing ceasefire leaves ua 0.7 less 3 rounds of war (0.03 and a drift
// of 0.015), ru 0.5 less 0.02·2 + 0.04 + 0.015·17.
func TestEventSetsRates(t *testing.T) {
	x := 0.04
	res := truceRun(t, func(c *Config) {
		c.Scenario.Events = append(c.Scenario.Events, scenario.Event{Round: 3, Party: 1, DelayCost: &x, Description: "sanctions"})
	})
	if res.Status != StatusFailedPhase || res.Phases[0].EndRound != 3 || res.Phases[0].Outcome[0].Value != "now" || res.Round != 20 {
		t.Fatalf("%s in round %d, phases %+v; want the ceasefire in round 3 and no settlement", res.Status, res.Round, res.Phases)
	}
	costs := []float64{0.01 * 3, 0.02*2 + 0.04 + 0.015*17}
	checkPayoffs(t, "sanctions", res, []float64{0.7 - 0.005*3 - costs[0], 0.5 - costs[1]})
	for p, pr := range res.Parties {
		if math.Abs(pr.DelayCost-costs[p]) > 1e-12 {
			t.Errorf("%s: delay cost %v, want %v", pr.ID, pr.DelayCost, costs[p])
		}
	}
}
