package tournament

import (
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
)

// TestPayoffBoundsHoldWithState: every payoff a session pays lies within
// the seat's bounds when costs and drift depend on the truce in force, a
// truce stands, and a status quo makes costs run to the deadline (issue
// 16): sessions of several line-ups on session/testdata/truce.yaml, with
// a deal, a failed settlement and a deal voided early.
func TestPayoffBoundsHoldWithState(t *testing.T) {
	sc, err := scenario.LoadFile("../session/testdata/truce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 20
	bounds := []PayoffBounds{payoffBounds(sc, 0, rounds), payoffBounds(sc, 1, rounds)}
	if bounds[0].Horizon != rounds || len(bounds[0].States) != 2 {
		t.Fatalf("bounds %+v", bounds[0])
	}
	prep, err := session.Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, negs := range [][]string{{"conceder"}, {"linear"}, {"boulware"}, {"hardliner", "conceder"}, {"conceder", "micro"}} {
		r, err := session.NewRunner(session.Config{Prepared: prep, Negotiators: negs, Deadline: protocol.Deadline{Rounds: rounds}})
		if err != nil {
			t.Fatal(err)
		}
		o, err := r.Play(0)
		if err != nil {
			t.Fatal(err)
		}
		for m := range bounds {
			u, _, _ := r.Payoff(m)
			if !bounds[m].Holds(u, o.Round) {
				t.Errorf("%v, seat %d: payoff %v in round %d outside %+v", negs, m, u, o.Round, bounds[m])
			}
			checked++
		}
	}
	// A payoff beyond what any state allows is refused: ua's best deal
	// with no cost at all, in round 20.
	if bounds[0].Holds(1.01, rounds) {
		t.Error("a payoff above every deal holds")
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

// TestPayoffBoundsHoldWithEvents: events that change values, add red lines
// and exclude a party keep every payoff within its bounds
// (scenario/testdata/war.yaml).
func TestPayoffBoundsHoldWithEvents(t *testing.T) {
	sc, err := scenario.LoadFile("../scenario/testdata/war.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := session.Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	for _, rounds := range []int{3, 8, 15} {
		bounds := []PayoffBounds{payoffBounds(sc, 0, rounds), payoffBounds(sc, 1, rounds)}
		for _, negs := range [][]string{{"conceder"}, {"boulware"}, {"linear", "hardliner"}} {
			r, err := session.NewRunner(session.Config{Prepared: prep, Negotiators: negs, Deadline: protocol.Deadline{Rounds: rounds}})
			if err != nil {
				t.Fatal(err)
			}
			o, err := r.Play(1)
			if err != nil {
				t.Fatal(err)
			}
			for m := range bounds {
				if u, _, _ := r.Payoff(m); !bounds[m].Holds(u, o.Round) {
					t.Errorf("%d rounds, %v, seat %d: payoff %v in round %d outside %+v", rounds, negs, m, u, o.Round, bounds[m])
				}
			}
		}
	}
}
