package scenario

import (
	"strings"
	"testing"
)

// TestStatusQuoDerivesReservations (issue 16, finding 1): a party's
// reservation value is its utility of the status quo, not a number stated
// beside it. In testdata/war.yaml the status quo is (none, held, no): ua
// values it 0.3·0 + 0.5·0.4 + 0.2·0 = 0.2, ru 0.2·1 + 0.6·0.7 + 0.2·1 =
// 0.82; ru's stated 0.45 contradicts that and is reported with both numbers.
func TestStatusQuoDerivesReservations(t *testing.T) {
	s := mustLoad(t, "testdata/war.yaml")
	if got, want := s.StatusQuo, []int{1, 1, 1}; !equalInts(got, want) {
		t.Fatalf("status quo %v, want %v", got, want)
	}
	for p, want := range []float64{0.2, 0.82} {
		if got := s.Utility(p).Reservation; !near(got, want) {
			t.Errorf("%s: reservation %v, want %v", s.Parties[p].ID, got, want)
		}
	}
	if s.Parties[0].StatedReservation != nil || s.Parties[1].StatedReservation == nil || *s.Parties[1].StatedReservation != 0.45 {
		t.Errorf("stated reservations: %v %v", s.Parties[0].StatedReservation, s.Parties[1].StatedReservation)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], `testdata/war.yaml:28:18: the reservation value of "ru" is stated as 0.45, but its utility of the status quo is 0.82`) {
		t.Errorf("warnings: %q", s.Warnings)
	}
	for _, d := range s.Defaults {
		if strings.HasSuffix(d.Path, ".reservation") {
			t.Errorf("the status quo gives every reservation value, yet %s is listed as a default", d)
		}
	}
}

// TestStatusQuoErrors: every misuse of status_quo is positioned.
func TestStatusQuoErrors(t *testing.T) {
	cases := []mutation{
		{"unknown issue", "land: held, summit", "land: held, border: open, summit", `testdata/x.yaml:15:50: the status quo names unknown issue "border"; issues are ceasefire, land, summit`},
		{"missing issue", "ceasefire: none, land: held, ", "ceasefire: none, ", `the status quo gives no value for issue(s) land; give every issue the value it takes`},
		{"bad value", "land: held,", "land: occupied,", `testdata/x.yaml:15:36: the status quo gives issue "land" the value "occupied", which is not one of its values (options: none, held, ceded)`},
		{"range", "assumption: {why: the front holds where it is and nobody meets}", "assumption: {why: x, range: [0, 1]}", `the status quo is an outcome, not a number: its assumption takes no range`},
		{"direction only", "assumption: {why: the front holds where it is and nobody meets}", `source: {document: memo, quote: "The salary matters most", direction_only: true}`, `direction_only marks the source of a number whose size is assumed; this source supports no number`},
		{"no why", "assumption: {why: the front holds where it is and nobody meets}", "assumption: {why: \"\"}", `the assumption behind the status quo needs a why`},
		{"not a mapping", "  outcome: {ceasefire: none, land: held, summit: \"no\"}", "  outcome: [none, held]", `must be a mapping, found a list`},
	}
	checkMutations(t, "testdata/war.yaml", cases)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStateRules: a party's delay cost and drift depend on the clauses
// agreed and in force; a state that leaves a rate out keeps the party's
// own. In war.yaml ua pays 0.01 a round at war and 0.002 with a ceasefire
// in force; its drift is 0 in both.
func TestStateRules(t *testing.T) {
	s := mustLoad(t, "testdata/war.yaml")
	ua := &s.Parties[0]
	agreed, in := []int{0, 0, 0}, []bool{false, false, false}
	if c, d := ua.Rates(agreed, in); c != 0.01 || d != 0 {
		t.Errorf("at war: cost %v, drift %v", c, d)
	}
	in[0] = true
	if c, d := ua.Rates(agreed, in); c != 0.002 || d != 0 {
		t.Errorf("in a ceasefire: cost %v, drift %v", c, d)
	}
	agreed[0] = 1 // agreed: the fighting goes on
	if c, _ := ua.Rates(agreed, in); c != 0.01 {
		t.Errorf("after agreeing on no ceasefire: cost %v", c)
	}
	if !s.Agenda[0].Stands || s.Agenda[1].Stands {
		t.Errorf("stands: %v %v", s.Agenda[0].Stands, s.Agenda[1].Stands)
	}
}

// TestStateRuleErrors: every misuse of while and stands is positioned.
func TestStateRuleErrors(t *testing.T) {
	cases := []mutation{
		{"unknown issue", "agreed: {ceasefire: [now]}", "agreed: {truce: [now]}", `testdata/x.yaml:21:26: state 1 of "ua" names unknown issue "truce"; issues are ceasefire, land, summit`},
		{"unknown value", "agreed: {ceasefire: [now]}", "agreed: {ceasefire: [soon]}", `state 1 of "ua" names "soon", which is not a value of issue "ceasefire"`},
		{"no issue", "agreed: {ceasefire: [now]}", "agreed: {}", `state 1 of "ua" names no issue`},
		{"no rate", "{agreed: {ceasefire: [now]}, delay_cost: 0.002}", "{agreed: {ceasefire: [now]}}", `testdata/x.yaml:21:9: state 1 of "ua" gives neither delay_cost nor reservation_drift`},
		{"cost out of range", "delay_cost: 0.002}", "delay_cost: -0.002}", `the delay cost in state 1 of "ua" is -0.002; it must be between 0 and 1`},
		{"stands without status quo", "status_quo:\n  outcome: {ceasefire: none, land: held, summit: \"no\"}\n  assumption: {why: the front holds where it is and nobody meets}\n", "", `testdata/x.yaml:32:46: phase "truce" stands on its own, but the scenario has no status_quo`},
	}
	checkMutations(t, "testdata/war.yaml", cases)
}

// TestMeetingRules: a meeting may need a state and be a term of the deal;
// a phase may be signed at a meeting.
func TestMeetingRules(t *testing.T) {
	s := mustLoad(t, "testdata/war.yaml")
	leaders := &s.Meetings[0]
	if leaders.Term == nil || *leaders.Term != (Term{Issue: 2, Value: 0}) || leaders.Needs == nil || leaders.Needs.Issues[0] != 0 {
		t.Errorf("leaders: %+v", leaders)
	}
	if !leaders.NeedsMet([]int{0, 0, 0}, []bool{true, false, false}) || leaders.NeedsMet([]int{1, 0, 0}, []bool{true, false, false}) || leaders.NeedsMet([]int{0, 0, 0}, []bool{false, false, false}) {
		t.Error("needs: a ceasefire agreed now is what it needs")
	}
	if s.Agenda[1].SignedAt != "signing" || s.Agenda[0].SignedAt != "" || s.MeetingIndex("signing") != 1 {
		t.Errorf("signed at %q, %q", s.Agenda[0].SignedAt, s.Agenda[1].SignedAt)
	}
	p := s.Package()
	if len(p.Agenda) != 1 || p.Agenda[0].SignedAt != "signing" || len(p.Agenda[0].Issues) != 3 || len(s.Agenda) != 2 {
		t.Errorf("package agenda %+v", p.Agenda)
	}
}

// TestMeetingRuleErrors: every misuse of needs, term and signed_at is
// positioned; a meeting may not bear an issue's or option's name without
// being that term of the deal.
func TestMeetingRuleErrors(t *testing.T) {
	cases := []mutation{
		{"needs unknown issue", "needs: {ceasefire: [now]}", "needs: {truce: [now]}", `what meeting "leaders" needs names unknown issue "truce"`},
		{"term unknown value", `term: {summit: "yes"}`, `term: {summit: "maybe"}`, `meeting "leaders" is the term "maybe" of issue "summit", which is not one of its values (options: yes, no)`},
		{"term two issues", `term: {summit: "yes"}`, `term: {summit: "yes", land: none}`, `the term of meeting "leaders" must name one issue and the value that is the meeting; it names 2`},
		{"term unknown issue", `term: {summit: "yes"}`, `term: {talks: "yes"}`, `meeting "leaders" is a term on unknown issue "talks"`},
		{"named like an option", "  - id: signing\n", "  - id: held\n", `meeting "held" has the name of option "held" of issue "land", but it is not that term of the deal`},
		{"named like an issue", "  - id: signing\n", "  - id: summit\n", `meeting "summit" has the name of issue "summit"`},
		{"signed at unknown", "signed_at: signing}", "signed_at: ceremony}", `phase "settlement" is signed at meeting "ceremony", which is not a meeting; meetings are leaders, signing`},
		{"signed at a term", "signed_at: signing}", "signed_at: leaders}", `phase "settlement" is signed at meeting "leaders", which is a term of the deal`},
		{"same term twice", "  - id: signing\n    invitees: [ua, ru]\n", "  - id: signing\n    invitees: [ua, ru]\n    term: {summit: \"yes\"}\n", `meetings "leaders" and "signing" are the same term of the deal`},
	}
	checkMutations(t, "testdata/war.yaml", cases)
}

// TestEventsAndCalendar (issue 16, finding 6): events change values and
// red lines and take a party out of the talks and back; rounds map to
// dates, and the scenario states its deadline. In war.yaml a round is a
// week from 18 August 2025: 1 September starts round 3, and 30 November
// falls in round 15.
func TestEventsAndCalendar(t *testing.T) {
	s := mustLoad(t, "testdata/war.yaml")
	if s.Calendar == nil || s.Calendar.Days != 7 || s.Calendar.Date(3) != "2025-09-01" || s.Calendar.Date(0) != "2025-08-18" || s.Deadline != 15 {
		t.Fatalf("calendar %+v, deadline %d", s.Calendar, s.Deadline)
	}
	var rounds []int
	for _, e := range s.Events {
		rounds = append(rounds, e.Round)
	}
	if !equalInts(rounds, []int{2, 3, 4, 6}) {
		t.Fatalf("event rounds %v", rounds)
	}
	ru := 1
	at := func(r int) *Party { return &s.AtRound(r).Parties[ru] }
	if v := at(2).Prefs.Values[2].Values; v[0] != 0.5 {
		t.Errorf("before the pressure ru values a summit %v", v[0])
	}
	p3 := at(3)
	if v := p3.Prefs.Values[2].Values; v[0] != 0.8 || v[1] != 1 || len(p3.RedLines) != 1 || p3.Excluded {
		t.Errorf("after the pressure: values %v, red lines %v, excluded %v", v, p3.RedLines, p3.Excluded)
	}
	// The pressure sets ru's rates at war; a state rule would keep its own.
	if c, d := at(2).Rates([]int{1, 1, 1}, []bool{false, false, false}); c != 0 || d != 0 {
		t.Errorf("ru's rates before the pressure: %v, %v", c, d)
	}
	if c, d := p3.Rates([]int{1, 1, 1}, []bool{false, false, false}); c != 0.03 || d != -0.01 {
		t.Errorf("ru's rates after the pressure: %v, %v, want 0.03, -0.01", c, d)
	}
	// ru's status quo, (none, held, no), is unchanged by a summit's value:
	// 0.2 + 0.42 + 0.2.
	if r := p3.Prefs.Reservation; !near(r, 0.82) {
		t.Errorf("ru's reservation after the pressure %v", r)
	}
	if !at(4).Excluded || at(6).Excluded || len(at(6).RedLines) != 0 {
		t.Errorf("excluded at 4: %v, at 6: %v; red lines at 6: %v", at(4).Excluded, at(6).Excluded, at(6).RedLines)
	}
	// ua's new weights value its status quo anew: 0.3·0.4 = 0.12.
	if r := s.AtRound(2).Parties[0].Prefs.Reservation; !near(r, 0.12) {
		t.Errorf("ua's reservation after new weights %v, want 0.12", r)
	}
	if s.Parties[ru].Prefs.Values[2].Values[0] != 0.5 || s.Parties[ru].Excluded {
		t.Error("AtRound changed the scenario itself")
	}
}

// TestEventAndCalendarErrors: every misuse is positioned.
func TestEventAndCalendarErrors(t *testing.T) {
	cases := []mutation{
		{"bad start", "start: 2025-08-18", "start: 18/08/2025", `the calendar's start "18/08/2025" is not a date; write it as 2006-01-02`},
		{"bad round", "round: 1w}", "round: 1 fortnight}", `the calendar's round "1 fortnight" has the unit "fortnight"; a round lasts days (d) or weeks (w)`},
		{"bad round number", "round: 1w}", "round: w}", `the calendar's round "w" is not a length such as 1d, 3d, 1w or 2 weeks`},
		{"date before start", "deadline: 2025-11-30", "deadline: 2025-01-01", `the deadline 2025-01-01 is before the calendar starts (2025-08-18)`},
		{"date without calendar", "calendar: {start: 2025-08-18, round: 1w}\n", "", `the deadline is a date, but the scenario has no calendar to map it to a round`},
		{"both date and rounds", "deadline: 2025-11-30", "deadline: {date: 2025-11-30, rounds: 10}", `the deadline gives both a date and rounds; give one`},
		{"event round and date", "  - date: 2025-09-01\n", "  - date: 2025-09-01\n    round: 3\n", `event 1 gives both a round and a date; give one`},
		{"unknown option", `values: {summit: {"yes": 0.8}}`, `values: {summit: {"maybe": 0.8}}`, `the values of "summit" in event 1 name "maybe", which is not an option of "summit"`},
		{"value out of range", `values: {summit: {"yes": 0.8}}`, `values: {summit: {"yes": 1.8}}`, `the value of "yes" in event 1 is 1.8; it must be between 0 and 1`},
		{"drop before add", "{round: 6, party: ru, readmit: true, drop_red_lines: [no_withdrawal]}", "{round: 2, party: ru, drop_red_lines: [no_withdrawal]}", `party "ru" has no red line "no_withdrawal" to drop`},
		{"readmit unexcluded", "{round: 4, party: ru, exclude: true, description: walks out}", "{round: 4, party: ru, description: stays}", `event readmits "ru", which no earlier event excluded`},
		{"exclude twice", "{round: 6, party: ru, readmit: true, drop_red_lines: [no_withdrawal]}", "{round: 6, party: ru, exclude: true, drop_red_lines: [no_withdrawal]}", `event excludes "ru", which is already excluded`},
		{"red line twice", "{round: 6, party: ru, readmit: true, drop_red_lines: [no_withdrawal]}", "{round: 6, party: ru, readmit: true, add_red_lines: [{id: no_withdrawal, forbid: {land: [none]}}]}", `party "ru" already has a red line "no_withdrawal"`},
		{"event cost out of range", "    delay_cost: 0.03\n", "    delay_cost: 1.5\n", `the delay cost event 1 sets is 1.5; it must be between 0 and 1`},
		{"event drift not a number", "    reservation_drift: -0.01\n", "    reservation_drift: fast\n", `"events[0].reservation_drift" must be a number or {value, source|assumption}, found the text "fast"`},
		{"positions without stand", `values: {summit: {"yes": 0.8}}`, `positions: {land: {position: 50, salience: 20}}`, `event 1 moves the positions of "ru", which takes none`},
	}
	checkMutations(t, "testdata/war.yaml", cases)
}

// TestRoundTripWorld: ToFile writes the status quo (not the reservation
// values it gives), the calendar and the deadline.
func TestRoundTripWorld(t *testing.T) {
	s := mustLoad(t, "testdata/war.yaml")
	b, err := s.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Parse(b, "testdata/roundtrip.yaml")
	if err != nil {
		t.Fatalf("reading written scenario: %v\n%s", err, b)
	}
	if !equalInts(s2.StatusQuo, s.StatusQuo) || s2.Calendar == nil || s2.Calendar.Days != 7 || !s2.Calendar.Start.Equal(s.Calendar.Start) || s2.Deadline != 15 {
		t.Errorf("round trip: status quo %v, calendar %+v, deadline %d", s2.StatusQuo, s2.Calendar, s2.Deadline)
	}
	if len(s2.Warnings) != 0 {
		t.Errorf("the written file warns: %q", s2.Warnings)
	}
	for p := range s.Parties {
		if a, b := s.Utility(p).Reservation, s2.Utility(p).Reservation; a != b {
			t.Errorf("party %d: reservation %v, written %v", p, a, b)
		}
	}
}
