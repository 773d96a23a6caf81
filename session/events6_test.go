package session

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// TestExcludedPartyPasses (issue 16, finding 6): an event takes ru out of
// the talks in round 3 of truce.yaml: its turns pass, so ua's standing
// offers stand: a ceasefire now in round 3, then no land ceded in round 4.
// ru is paid what the deal is worth to it, 0.15 + 0, less three rounds of
// war and one of ceasefire (its army still in the field).
func TestExcludedPartyPasses(t *testing.T) {
	var notes []string
	res := truceRun(t, func(c *Config) {
		c.Scenario.Events = append(c.Scenario.Events, scenario.Event{Round: 3, Party: 1, Description: "walks out", Exclude: true})
		c.OnNote = func(n Note) { notes = append(notes, n.Text) }
	})
	if outcomeString(res) != "ceasefire=now land=none" || res.Phases[0].EndRound != 3 || res.Round != 4 || res.Status != StatusAgreed {
		t.Fatalf("%s: %s, truce in round %d", res.Status, outcomeString(res), res.Phases[0].EndRound)
	}
	if len(res.Excluded) != 1 || res.Excluded[0] != "ru" || !res.Events[0].Excluded {
		t.Errorf("excluded %v, events %+v", res.Excluded, res.Events)
	}
	if u := res.Parties[1].Utility; !near(u, 0.15-0.02*3-0.015) {
		t.Errorf("ru gets %v", u)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "event for ru: walks out (ru is excluded: its turns pass, and the agreement does not wait for it)") {
		t.Errorf("notes:\n%s", strings.Join(notes, "\n"))
	}
	// Readmitted in round 4, when the settlement opens, ru bargains again over the settlement.
	res = truceRun(t, func(c *Config) {
		c.Scenario.Events = append(c.Scenario.Events, scenario.Event{Round: 3, Party: 1, Exclude: true}, scenario.Event{Round: 4, Party: 1, Readmit: true})
	})
	if res.Excluded != nil || res.Phases[0].Outcome[0].Value != "now" || outcomeString(res) == "ceasefire=now land=none" {
		t.Errorf("readmitted: %s, excluded %v", outcomeString(res), res.Excluded)
	}
}

// TestEventChangesValues: from round 0 ru values the land as ua does;
// the settlement then cedes none, and ru's payoff is by its new values.
func TestEventChangesValues(t *testing.T) {
	res := truceRun(t, func(c *Config) {
		c.Scenario.Events = append(c.Scenario.Events, scenario.Event{Party: 1, Description: "a change of heart",
			Values: []scenario.ValueChange{{Issue: 1, Option: 0, Value: 1}, {Issue: 1, Option: 2, Value: 0}}})
	})
	if res.Outcome[1].Value != "none" || !res.Agreed {
		t.Fatalf("%s: %s", res.Status, outcomeString(res))
	}
	truce := float64(res.Phases[0].EndRound)
	cf := map[string]float64{"now": 0.5, "partial": 0.8, "none": 1}[res.Outcome[0].Value]
	cost := map[string]float64{"now": 0.015, "partial": 0.015, "none": 0.02}[res.Outcome[0].Value]
	want := 0.3*cf + 0.7 - 0.02*truce - cost*float64(res.Round-res.Phases[0].EndRound)
	if !near(res.Parties[1].Utility, want) {
		t.Errorf("ru gets %v, want %v", res.Parties[1].Utility, want)
	}
}

// TestCalendarDates: with a calendar, results carry the dates of their
// rounds (war.yaml: a round is a week from 18 August 2025).
func TestCalendarDates(t *testing.T) {
	sc, err := scenario.LoadFile("../scenario/testdata/war.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: sc.Deadline}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Date != sc.Calendar.Date(res.Round) || res.Date == "" {
		t.Errorf("round %d dated %q", res.Round, res.Date)
	}
	for _, e := range res.Events {
		if e.Date != sc.Calendar.Date(e.Round) {
			t.Errorf("event in round %d dated %q", e.Round, e.Date)
		}
	}
	if len(res.Events) == 0 || res.Events[0].Date != "2025-08-25" {
		t.Errorf("events %+v: the first, in round 2, is dated 2025-08-25", res.Events)
	}
}
