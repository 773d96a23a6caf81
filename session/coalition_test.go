package session

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
)

// insister offers one outcome and accepts only that one.
type insister struct{ o uint64 }

func (n *insister) Reset(*negotiator.Setup) {}
func (n *insister) Observe(protocol.Event)  {}
func (n *insister) Act(t protocol.Turn) protocol.Action {
	if t.Phase == protocol.PhaseRespond && t.Outcome == n.o {
		return protocol.Accept
	}
	return protocol.Offer(n.o)
}

// TestCoalitionDecidesInSessions (issue 16, finding 4): the coalition's
// answer in a session is its members' rule. Ukraine and Russia insist on
// a ceasefire with European troops and land ceded, which eu's members'
// mean values at 0.577, above their mean reservation (0.383): under
// unanimity Italy's red line vetoes it and eu's negotiator (conceder)
// never accepts; under a qualified majority of 0.6 Germany and Britain
// carry it and eu signs, the result saying how each member answered.
func TestCoalitionDecidesInSessions(t *testing.T) {
	for _, c := range []struct {
		name    string
		swaps   []string
		eu      string
		agreed  bool
		members string
	}{
		{"unanimity", nil, "conceder", false, ""},
		// A scripted eu that accepts anything is screened all the same.
		{"unanimity, scripted", nil, "insist", false, ""},
		{"qualified majority", []string{"    role: coalition\n", "    role: coalition\n    decides: {qualified_majority: {share: 0.6}}\n"}, "conceder", true,
			"eu decides by a qualified majority (0.6 of the vote) of de, gb, it: de yes, gb yes, it no (red line no_troops); it accepts the deal.\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := coalitionScenario(t, c.swaps...)
			deal := sc.Space().Index([]int{0, 0, 1, 1})
			mk := func() negotiator.Negotiator { return &insister{o: deal} }
			cfg := Config{Scenario: sc, Protocol: "saop", Negotiators: []string{"insist", "insist", c.eu},
				Custom: map[string]func() negotiator.Negotiator{"insist": mk}, Deadline: protocol.Deadline{Rounds: 40}}
			r, err := NewRunner(cfg)
			if err != nil {
				t.Fatal(err)
			}
			o, err := r.Play(0)
			if err != nil {
				t.Fatal(err)
			}
			if o.Agreed != c.agreed || c.agreed && o.Outcome != deal {
				t.Fatalf("agreed %v on %d, want %v on %d", o.Agreed, o.Outcome, c.agreed, deal)
			}
			res := r.Result()
			if !c.agreed {
				if c.eu == "conceder" && res.Refused["eu"] == 0 {
					t.Errorf("eu's refusals are not counted: %v", res.Refused)
				}
				return
			}
			if len(res.Coalitions) != 1 || !res.Coalitions[0].Accepts || res.Coalitions[0].Members[2].Crosses != "no_troops" {
				t.Fatalf("coalitions %+v", res.Coalitions)
			}
			var b strings.Builder
			sum := NewSummary(0)
			if err := sum.WriteText(&b, r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), c.members) {
				t.Errorf("the summary lacks %q:\n%s", c.members, b.String())
			}
		})
	}
}

// TestGuarantorConsentInSessions: no session signs a deal whose guarantor
// would not back it, whatever the seats' strategies. With the mediator's
// reservation at 0.56, us refuses to guarantee pledgeNoTroops (0.55),
// which every negotiating party accepts: though every seat insists on it,
// nobody signs; with the mediator at 0.2 they sign at once.
func TestGuarantorConsentInSessions(t *testing.T) {
	for _, rv := range []string{"0.2", "0.56"} {
		sc := coalitionScenario(t, "  - id: us\n    reservation: 0.2", "  - id: us\n    reservation: "+rv)
		deal := sc.Space().Index([]int{1, 1, 0, 0})
		mk := func() negotiator.Negotiator { return &insister{o: deal} }
		r, err := NewRunner(Config{Scenario: sc, Protocol: "saop", Negotiators: []string{"insist"},
			Custom: map[string]func() negotiator.Negotiator{"insist": mk}, Deadline: protocol.Deadline{Rounds: 40}})
		if err != nil {
			t.Fatal(err)
		}
		o, err := r.Play(0)
		if err != nil {
			t.Fatal(err)
		}
		if want := rv == "0.2"; o.Agreed != want {
			t.Fatalf("mediator reservation %s: agreed %v, want %v", rv, o.Agreed, want)
		}
		res := r.Result()
		if rv == "0.2" {
			want := []GuarantorConsent{{"us", "guarantees", "pledge", true}, {"gb", "guarantees", "pledge", true}}
			if len(res.Guarantors) != 2 || res.Guarantors[0] != want[0] || res.Guarantors[1] != want[1] {
				t.Errorf("guarantors %+v, want %+v", res.Guarantors, want)
			}
		}
	}
}

// TestGuarantorEventInSessions: an event that changes a guarantor changes
// the consents every party needs, from its round on. The mediator us
// starts at 0.56 and would not back pledgeNoTroops; an event at round 5
// brings it down to 0.2, and the seats that insist on the deal sign it
// then, not before.
func TestGuarantorEventInSessions(t *testing.T) {
	sc := coalitionScenario(t, "  - id: us\n    reservation: 0.2", "  - id: us\n    reservation: 0.56",
		"parties:\n", "events:\n  - {round: 5, party: us, reservation_shift: -0.36}\nparties:\n")
	deal := sc.Space().Index([]int{1, 1, 0, 0})
	mk := func() negotiator.Negotiator { return &insister{o: deal} }
	r, err := NewRunner(Config{Scenario: sc, Protocol: "saop", Negotiators: []string{"insist"},
		Custom: map[string]func() negotiator.Negotiator{"insist": mk}, Deadline: protocol.Deadline{Rounds: 40}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := r.Play(0)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Agreed || o.Outcome != deal || o.Round != 5 {
		t.Fatalf("agreed %v on %d in round %d, want %d in round 5", o.Agreed, o.Outcome, o.Round, deal)
	}
}

// pusher offers o at every turn, even when o is on the table.
type pusher struct{ o uint64 }

func (n *pusher) Reset(*negotiator.Setup) {}
func (n *pusher) Observe(protocol.Event)  {}
func (n *pusher) Act(protocol.Turn) protocol.Action {
	return protocol.Offer(n.o)
}

// TestCoalitionOfferScreened: an offer is its proposer's acceptance, so a
// scripted eu that offers the deal its members veto under unanimity (Italy's
// red line) is screened as one that accepts it: its offer becomes its best
// outcome, and Ukraine and Russia, insisting on the deal, never get it.
func TestCoalitionOfferScreened(t *testing.T) {
	sc := coalitionScenario(t)
	deal := sc.Space().Index([]int{0, 0, 1, 1})
	cfg := Config{Scenario: sc, Protocol: "saop", Negotiators: []string{"insist", "insist", "push"},
		Custom: map[string]func() negotiator.Negotiator{
			"insist": func() negotiator.Negotiator { return &insister{o: deal} },
			"push":   func() negotiator.Negotiator { return &pusher{o: deal} },
		}, Deadline: protocol.Deadline{Rounds: 20}}
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	o, err := r.Play(0)
	if err != nil {
		t.Fatal(err)
	}
	if o.Agreed {
		t.Fatalf("agreed on %d (the vetoed deal is %d): eu's offer was not screened", o.Outcome, deal)
	}
}
