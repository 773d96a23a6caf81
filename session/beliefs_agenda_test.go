package session

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// TestBluffOnAgenda: testdata/bluff-agenda.yaml puts the seller's bluffed
// red line (no extra service) in the second phase of an agenda. A
// believing buyer acts on its belief there: it never asks for the extra
// and the deal is a low price without it; a buyer that knows the line is
// a bluff asks for the extra and gets it at a high price, as in the
// one-phase TestBluffChangesOutcome.
func TestBluffOnAgenda(t *testing.T) {
	data, err := os.ReadFile("testdata/bluff-agenda.yaml")
	if err != nil {
		t.Fatal(err)
	}
	belief := "    red_lines: {no_extra: 1}\n"
	src := map[string]string{
		"believer": string(data),
		"knower":   strings.Replace(string(data), belief, "    red_lines: {no_extra: 0}\n", 1),
	}
	if src["knower"] == src["believer"] {
		t.Fatal("the edit left the belief")
	}
	for _, seller := range []string{"linear", "conceder", "believer"} {
		deal := map[string]map[string]string{}
		asked := map[string]int{}
		for name, text := range src {
			sc, err := scenario.Parse([]byte(text), "testdata/bluff-agenda.yaml")
			if err != nil {
				t.Fatal(err)
			}
			phase := ""
			onNote := func(n Note) {
				if n.Kind == "phase" && strings.Contains(n.Text, " opens ") {
					phase = n.Phase
				}
			}
			deal2, _ := outcome.NewSpace([]int{3, 2}) // (price, extra)
			o := make([]int, 2)
			onEvent := func(e protocol.Event) {
				if e.Type == protocol.EventOffer && e.Seat == 1 && phase == "deal" {
					if deal2.Decode(e.Outcome, o); o[1] == 1 {
						asked[name]++
					}
				}
			}
			res, err := Run(Config{Scenario: sc, Negotiators: []string{seller, "believer"}, Deadline: protocol.Deadline{Rounds: 100}, OnEvent: onEvent, OnNote: onNote})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Agreed {
				t.Fatalf("%s seller, %s buyer: no agreement", seller, name)
			}
			deal[name] = res.Agreement
		}
		if asked["believer"] != 0 || asked["knower"] == 0 {
			t.Errorf("%s seller: in the second phase the buyer asked for the extra %d times believing the red line, %d knowing it a bluff", seller, asked["believer"], asked["knower"])
		}
		if got := deal["believer"]; got["extra"] != "none" || got["price"] != "low" {
			t.Errorf("%s seller, believing buyer: deal %v, want price low without the extra", seller, got)
		}
		if got := deal["knower"]; got["extra"] != "yes" || got["price"] != "high" {
			t.Errorf("%s seller, knowing buyer: deal %v, want price high with the extra", seller, got)
		}
	}
}

// TestBeliefsCarryAcrossPhases: a believer's posterior over types goes on
// from one agenda phase to the next. The buyer holds two types of the
// seller that differ in their weights; the posterior the result reports
// is that of one TypeModel updated by the seller's offers of the first
// phase (beliefs projected to it) and then, carried, by those of the
// second, and not that of a model restarted at the prior in the second.
func TestBeliefsCarryAcrossPhases(t *testing.T) {
	data, err := os.ReadFile("testdata/bluff-agenda.yaml")
	if err != nil {
		t.Fatal(err)
	}
	types := `    types:
      - {id: true_weights, probability: 0.5, reservation: 0.3, red_lines: {no_extra: 1}}
      - {id: price_first, probability: 0.5, reservation: 0.3, weights: {date: 0.4, price: 0.5, extra: 0.1}, red_lines: {no_extra: 0.2}}
`
	text := strings.Replace(string(data), "    reservation: 0.3\n    red_lines: {no_extra: 1}\n", types, 1)
	if text == string(data) {
		t.Fatal("the edit left the belief")
	}
	sc, err := scenario.Parse([]byte(text), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	offers := [2][]uint64{}
	ph := -1
	onNote := func(n Note) {
		if n.Kind == "phase" && strings.Contains(n.Text, " opens ") {
			ph++
		}
	}
	onEvent := func(e protocol.Event) {
		if e.Type == protocol.EventOffer && e.Seat == 0 {
			offers[ph] = append(offers[ph], e.Outcome)
		}
	}
	res, err := Run(Config{Prepared: prep, Negotiators: []string{"linear", "believer"}, Deadline: protocol.Deadline{Rounds: 100}, OnEvent: onEvent, OnNote: onNote})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Agreed || len(offers[0]) == 0 || len(offers[1]) == 0 {
		t.Fatalf("agreed %v, seller's offers per phase %v", res.Agreed, offers)
	}
	if len(res.Beliefs) != 1 || res.Beliefs[0].Holder != "buyer" || len(res.Beliefs[0].Types) != 2 || len(res.Beliefs[0].RedLines) != 1 {
		t.Fatalf("beliefs %+v", res.Beliefs)
	}
	// The seller's offers replayed into a model of it.
	n := len(sc.Issues)
	settled, isSettled := make([]int, n), make([]bool, n)
	first := prep.projectBeliefs(0, settled, isSettled)[1][0]
	settled[0], isSettled[0] = sc.Issues[0].Lookup(res.Agreement["date"]), true
	second := prep.projectBeliefs(1, settled, isSettled)[1][0]
	posterior := func(carry bool) []float64 {
		m := negotiator.TypeModel{Beta: 10}
		if carry {
			m.Reset(first, prep.phases[0].space)
			for _, o := range offers[0] {
				m.Update(o)
			}
			m.Carry(second, prep.phases[1].space)
		} else {
			m.Reset(second, prep.phases[1].space)
		}
		for _, o := range offers[1] {
			m.Update(o)
		}
		p, l := make([]float64, 2), make([]float64, 1)
		m.Posterior(p, l)
		return append(p, l...)
	}
	carried, restarted := posterior(true), posterior(false)
	b := res.Beliefs[0]
	got := []float64{b.Types[0].Posterior, b.Types[1].Posterior, b.RedLines[0].Posterior}
	for k := range got {
		if got[k] != carried[k] {
			t.Errorf("reported posterior %v, want %v (carried from the first phase)", got, carried)
			break
		}
	}
	if math.Abs(carried[0]-restarted[0]) < 1e-3 {
		t.Errorf("carried posterior %v, restarted %v: the first phase's offers taught nothing, the test shows nothing", carried, restarted)
	}
	if b.Types[0].Prior != 0.5 || b.RedLines[0].Prior != 0.6 {
		t.Errorf("priors %+v", b)
	}
}

// TestFlagshipBeliefs: on the flagship (an agenda of a truce and a
// settlement) a believer at every seat reports its final beliefs, as the
// file states them: Europe's and Ukraine's about Russia (Ukraine states no
// belief, so it holds Russia's stated red line at its credibility) and
// Russia's about Ukraine; a line-up that holds no beliefs reports none.
func TestFlagshipBeliefs(t *testing.T) {
	sc, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(Config{Prepared: prep, Protocol: "shuttle", Negotiators: []string{"believer"}, Deadline: protocol.Deadline{Rounds: 100}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SeatBelief{}
	for _, b := range res.Beliefs {
		got[b.Holder+">"+b.About] = b
	}
	if len(got) != 3 {
		t.Fatalf("beliefs %+v, want ua, eu about ru and ru about ua", res.Beliefs)
	}
	if b := got["eu>ru"]; len(b.RedLines) != 1 || b.RedLines[0].ID != "no_nato_troops" || len(b.Types) != 1 {
		t.Errorf("eu about ru: %+v", b)
	}
	if b := got["ru>ua"]; len(b.Types) != 1 || b.Types[0].Posterior != 1 {
		t.Errorf("ru about ua: %+v", b)
	}
	if b := got["ua>ru"]; len(b.Types) != 1 || b.Types[0].ID != "stated" {
		t.Errorf("ua about ru: %+v", b)
	}
	res, err = Run(Config{Prepared: prep, Protocol: "shuttle", Negotiators: []string{"boulware"}, Deadline: protocol.Deadline{Rounds: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Beliefs) != 0 {
		t.Errorf("boulware reports beliefs %+v", res.Beliefs)
	}
}
