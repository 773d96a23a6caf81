package scenario

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/utility"
)

func TestRules(t *testing.T) {
	s := mustLoad(t, "testdata/rules.yaml")
	ua, ru := s.Utility(0), s.Utility(1)

	// Guarantee: pledged by us (0.9) and ru (Budapest record 0 of 1 kept:
	// (0+1)/(1+2) = 1/3); rule mean: (0.9 + 1/3)/2.
	if got, want := s.Parties[1].Credibility, 1.0/3; !near(got, want) {
		t.Errorf("ru credibility = %v, want %v", got, want)
	}
	if got, want := ua.Evals[2][1], (0.9+1.0/3)/2; !near(got, want) {
		t.Errorf("ua's worth of the pledge = %v, want %v", got, want)
	}
	if got := ru.Evals[2][1]; got != 0 {
		t.Errorf("the guarantee changed a non-beneficiary: %v", got)
	}

	// Red lines: ru rejects european troops whatever else.
	best := []int{1, 1, 0, 1} // everything ru wants but troops
	if got := ru.Utility(best); got != utility.Unacceptable {
		t.Errorf("ru utility across its red line = %v, want Unacceptable", got)
	}
	if got, want := ru.Raw(best), 0.75; !near(got, want) {
		t.Errorf("ru raw utility = %v, want %v", got, want)
	}
	// ua's combination red line: ceded land without a guarantee.
	if ua.Utility([]int{0, 1, 0, 0}) != utility.Unacceptable || ua.Utility([]int{0, 1, 1, 0}) == utility.Unacceptable {
		t.Error("ua's combined red line does not match exactly its combination")
	}

	// Ratification: only when territory is ceded; 25% support against a
	// majority threshold with 5% polling error gives Φ(-5).
	r := s.Parties[0].Ratification
	if got := r.Prob([]int{0, 0, 1, 1}, 1); got != 1 {
		t.Errorf("no vote needed, got probability %v", got)
	}
	if got, want := r.Prob([]int{0, 1, 1, 1}, 1), 0.5*math.Erfc(5/math.Sqrt2); math.Abs(got-want) > 1e-15 {
		t.Errorf("referendum probability = %v, want %v", got, want)
	}

	// Members and leaders.
	us := s.Parties[2]
	if us.Leader != "The president" || len(us.Members) != 2 || [4]string{us.Members[0].ID, us.Members[0].Name, string(us.Members[0].Role), us.Members[0].Leader} != [4]string{"envoy", "Special envoy", "member", "The envoy"} || us.Members[1].Role != "observer" {
		t.Errorf("us = %q %+v", us.Leader, us.Members)
	}

	// Time, agenda, meetings, events.
	if s.Parties[0].DelayCost != 0.01 || s.Parties[1].Drift != 0.005 {
		t.Errorf("delay cost / drift = %v / %v", s.Parties[0].DelayCost, s.Parties[1].Drift)
	}
	if len(s.Agenda) != 2 || s.Agenda[0].ID != "truce" || len(s.Agenda[1].After) != 1 || s.Agenda[1].After[0] != 0 {
		t.Errorf("agenda = %+v", s.Agenda)
	}
	if m := s.MediatorIndex(); m < 0 || s.Parties[m].ID != "us" || len(s.Meetings) != 1 || s.Meetings[0].Accept[2] != "zone" || s.Meetings[0].Accept[0] != "always" {
		t.Errorf("mediator %d, meetings %+v", s.MediatorIndex(), s.Meetings)
	}
	if len(s.Events) != 2 || s.Events[0].Round != 5 || s.Events[1].ReservationShift != -0.2 {
		t.Errorf("events = %+v", s.Events)
	}
}

func TestRuleErrors(t *testing.T) {
	cases := []mutation{
		{"precondition on unknown issue", "issues: [ceasefire]}", "issues: [truce_line]}", `phase "truce" names unknown issue "truce_line"`},
		{"cycle", "{id: truce, issues: [ceasefire]}", "{id: truce, issues: [ceasefire], after: [settlement]}", `the agenda's preconditions form a cycle: truce → settlement → truce`},
		{"issue in no phase", "issues: [territory, guarantee, troops]", "issues: [territory, guarantee]", `issue(s) troops are in no phase of the agenda`},
		{"no constituency", "      support: {territory: {none: 1, ceded: 0.25}}\n", "", `the ratification of "ua" has no constituency`},
		{"unknown red line issue", "forbid: {troops: [european]}", "forbid: {army: [european]}", `red line "no_troops" of "ru" names unknown issue "army"`},
		{"unknown red line value", "forbid: {troops: [european]}", "forbid: {troops: [nato]}", `names "nato", which is not a value of issue "troops"`},
		{"unknown mediator", "mediator: us", "mediator: un", `the mediator "un" is not a party`},
		{"guarantor", "pledge: [us, ru]", "pledge: [us, nato]", `guarantor "nato" is not a party`},
		{"accept rule", "accept: {ru: zone}", "accept: {ru: maybe}", `unknown acceptance rule "maybe" for "ru"`},
		{"drop unknown", "drop_red_lines: [keep_land]", "drop_red_lines: [keep_sea]", `party "ua" has no red line "keep_sea" to drop`},
		{"credibility", "credibility: 0.9", "credibility: 1.9", `the credibility of "us" is 1.9; it must be between 0 and 1`},
		{"member id", "{id: envoy,", "{id: ua,", `id "ua" is used twice among the parties and their members`},
		{"member role", "role: observer}", "role: spy}", `unknown role "spy" for member "treasury"; roles are member, guarantor, observer`},
		{"mediator of another role", "    role: mediator\n", "    role: guarantor\n", `"us" is the scenario's mediator (mediator: us) but has role guarantor`},
		{"two mediators", "mediator: us", "mediator: ua", `"us" has role mediator, but the scenario's mediator is "ua"; a scenario has one mediator`},
	}
	checkMutations(t, "testdata/rules.yaml", cases)
}

// TestMediatorTakesItsRole: the party named by mediator: takes role
// mediator when it has none, and the role alone then decides who
// negotiates.
func TestMediatorTakesItsRole(t *testing.T) {
	data, err := os.ReadFile("testdata/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("    role: mediator\n"), nil, 1)
	s, err := Parse(data, "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, i := range s.Negotiators() {
		ids = append(ids, s.Parties[i].ID)
	}
	if m := s.MediatorIndex(); m < 0 || s.Parties[m].ID != "us" || s.Parties[m].Role != RoleMediator || strings.Join(ids, ",") != "ua,ru" {
		t.Errorf("mediator %d, negotiators %v", m, ids)
	}
	if err := s.CheckParties(); err != nil {
		t.Error(err)
	}
	s.Parties[1].Role = RoleMediator
	if err := s.CheckParties(); err == nil || !strings.Contains(err.Error(), "at least 2 negotiating parties; found 1 (of 3 parties") {
		t.Errorf("one negotiator left: %v", err)
	}
	s.Parties[1].Role = RoleParty
	s.Parties = append(s.Parties, s.Parties[0])
	s.Parties[3].ID, s.Parties[3].Role = "un", RoleMediator
	if err := s.CheckParties(); err == nil || !strings.Contains(err.Error(), "parties us, un all have role mediator") {
		t.Errorf("two mediators: %v", err)
	}
}
