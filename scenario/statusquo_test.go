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
