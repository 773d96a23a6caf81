package session

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

// In testdata/truce.yaml the status quo (none, part) is worth 0.6·0.5 =
// 0.3 to ua and 0.3 + 0.7·0.5 = 0.65 to ru. Per round, at war ua pays
// 0.01 and loses 0.005, ru pays 0.02; a partial truce in force halves ua's
// cost (0.005; its drift stays) and leaves ru paying 0.015; a ceasefire in
// force stops everything. Conceder against conceder over 20 rounds agree
// on the partial truce in round 6 and on half the land in round 11.

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
// ua and 0.59 to ru, pays each its utility less 6 rounds of war and 5 of
// partial truce (today's sessions charged delay_cost × round whatever was
// agreed).
func TestTruceStopsCosts(t *testing.T) {
	res := truceRun(t, nil)
	if res.Status != StatusAgreed || outcomeString(res) != "ceasefire=partial land=part" || res.Phases[0].EndRound != 6 || res.Round != 11 {
		t.Fatalf("%s: %s in round %d, truce in round %d; want the partial truce in round 6, half the land in round 11", res.Status, outcomeString(res), res.Round, res.Phases[0].EndRound)
	}
	c := truceCosts(6, 5)
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
// void at the end, though it eased the costs while the talks went on.
// With a status quo, the rounds after a deal the referendum voids still
// cost: the war (or the standing truce) goes on to the deadline.
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
		if res.Status != StatusFailedPhase || res.FailedPhase != "settlement" || res.Round != 20 || res.Phases[0].EndRound != 6 {
			t.Fatalf("stands %v: %s at %q in round %d, phases %+v", stands, res.Status, res.FailedPhase, res.Round, res.Phases)
		}
		c := truceCosts(6, 14)
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
	if res.Status != StatusNotRatified || res.Round != 11 {
		t.Fatalf("%s in round %d, want a deal voided in round 11", res.Status, res.Round)
	}
	c := truceCosts(6, 14)
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
// its fallback with the drift to the deadline, less the costs still to
// pay, in the state of the talks: before the truce ua sees
// 0.3 − 0.005·20 − 0.01·(20 − r) in round r; after it, 0.7 less the drift
// it had before.
func TestSeenReservation(t *testing.T) {
	r, err := NewRunner(Config{Scenario: loadTestdata(t, "truce.yaml"), Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	r.resetState()
	if got, want := r.seen(0, 5), 0.3-0.005*20-0.01*15; math.Abs(got-want) > 1e-12 {
		t.Errorf("round 5 at war: ua sees %v, want %v", got, want)
	}
	if got, want := r.seen(1, 5), 0.65-0.02*15; math.Abs(got-want) > 1e-12 {
		t.Errorf("round 5 at war: ru sees %v, want %v", got, want)
	}
	// A ceasefire agreed in round 6.
	r.st.settled[0], r.st.isSettled[0] = 0, true
	r.phaseAgreed(0, 6)
	if got, want := r.seen(0, 9), 0.7-0.005*6; math.Abs(got-want) > 1e-12 {
		t.Errorf("round 9 in the truce: ua sees %v, want %v", got, want)
	}
	if got, want := r.seen(1, 9), 0.5; math.Abs(got-want) > 1e-12 {
		t.Errorf("round 9 in the truce: ru sees %v, want %v", got, want)
	}
}

// redLine forbids value v of issue i (of n values).
func redLine(id string, i, v, n int) utility.RedLine {
	allowed := make([]bool, n)
	allowed[v] = true
	return utility.RedLine{ID: id, Constraint: utility.Constraint{Issues: []int{i}, Allowed: [][]bool{allowed}}}
}
