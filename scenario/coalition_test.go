package scenario

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parleyhq/parley/utility"
)

// Outcomes of testdata/coalition.yaml: ceasefire (now, none), guarantees
// (none, pledge), troops (none, european), land (none, ceded).
var (
	pledgeNoTroops = []int{1, 1, 0, 0} // talks through the war, a pledge, no troops, no land
	troopsForLand  = []int{0, 0, 1, 1} // a ceasefire, no pledge, European troops, land ceded
)

// loadMutated parses testdata/coalition.yaml with from replaced by to.
func loadMutated(t *testing.T, from, to string) *Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(from)) {
		t.Fatalf("fixture lacks %q", from)
	}
	s, err := Parse(bytes.Replace(data, []byte(from), []byte(to), 1), "testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCoalitionMembersDecide (issue 16, finding 4): a coalition's members
// carry their own preferences; its utility is their mean and it accepts a
// deal by their rule. Under unanimity Italy's red line (no troops) vetoes
// troopsForLand, which Germany (0.59 ≥ 0.35) and Britain (0.5 ≥ 0.5)
// accept and whose mean utility, 0.577, is above the members' mean
// reservation, 0.383; a qualified majority of 0.6 lets the two carry it.
// On main, members could have no preferences: the file did not load.
func TestCoalitionMembersDecide(t *testing.T) {
	s := mustLoad(t, "testdata/coalition.yaml")
	eu := &s.Parties[2]
	if got := eu.Voters(); len(got) != 3 || got[2] != 2 {
		t.Fatalf("voters %v, want de, gb, it", got)
	}
	u := s.Utility(2)
	pn := u.Panel
	if pn == nil || pn.Rule != utility.Unanimity || len(pn.Members) != 3 {
		t.Fatalf("panel %+v", pn)
	}
	if want := (0.35 + 0.5 + 0.3) / 3; !near(u.Reservation, want) {
		t.Errorf("eu's reservation %v, want the members' mean %v", u.Reservation, want)
	}
	// The utility is the members' mean at every outcome.
	s.Space().Enumerate(0, func(o []int) bool {
		mean := 0.0
		for _, m := range pn.Members {
			mean += m.Raw(o) / 3
		}
		if got := u.Raw(o); !near(got, mean) {
			t.Errorf("%v: eu %v, members' mean %v", o, got, mean)
		}
		return true
	})
	if u.Raw(troopsForLand) < u.Reservation {
		t.Fatalf("the fixture should put troopsForLand above eu's mean reservation")
	}
	if u.Accepts(troopsForLand) || u.Utility(troopsForLand) != utility.Unacceptable {
		t.Error("under unanimity Italy's red line must veto troopsForLand")
	}
	if !u.Accepts(pledgeNoTroops) {
		t.Error("every member accepts pledgeNoTroops, so must eu")
	}
	qm := loadMutated(t, "    role: coalition\n", "    role: coalition\n    decides: {qualified_majority: {share: 0.6}}\n")
	if !qm.Utility(2).Accepts(troopsForLand) {
		t.Error("with a qualified majority of 0.6, Germany and Britain carry troopsForLand")
	}
	half := loadMutated(t, "    role: coalition\n", "    role: coalition\n    decides: {qualified_majority: {share: 0.7}}\n")
	if half.Utility(2).Accepts(troopsForLand) {
		t.Error("two thirds of the vote is short of a qualified majority of 0.7")
	}
	lead := loadMutated(t, "    role: coalition\n", "    role: coalition\n    decides: {leader: it}\n")
	ul := lead.Utility(2)
	s.Space().Enumerate(0, func(o []int) bool {
		if got, want := ul.Panel.Accepts(o), ul.Panel.Members[2].Accepts(o); got != want {
			t.Errorf("%v: eu accepts %v, its leader Italy %v", o, got, want)
		}
		return true
	})
	if lead.Parties[2].DescribeDecides() != "it decides for eu" || s.Parties[2].DescribeDecides() != "unanimity of de, gb, it" {
		t.Errorf("described as %q and %q", lead.Parties[2].DescribeDecides(), s.Parties[2].DescribeDecides())
	}
	// Vote shares weigh the mean: Britain's share 2 of 4.
	heavy := loadMutated(t, "weight: {value: 1, assumption: {why: an equal voice, range: [0.5, 2]}}", "weight: 2")
	uh := heavy.Utility(2)
	if got, want := uh.Raw(troopsForLand), (0.59+2*0.5+0.64)/4; !near(got, want) {
		t.Errorf("weighted mean %v, want %v", got, want)
	}
}

// TestMemberGuarantor: a member may guarantee (Britain cannot be written
// as a guarantor on main: "guarantor gb is not a party"), with its own
// credibility: ua's pledge is worth mean(0.8, 0.9) = 0.85 of its stated
// value. A member guarantor that states none takes its coalition's.
func TestMemberGuarantor(t *testing.T) {
	s := mustLoad(t, "testdata/coalition.yaml")
	g := &s.Guarantees[0]
	if ids := s.GuarantorIDs(g, 1); strings.Join(ids, ",") != "us,gb" {
		t.Errorf("guarantors %v", ids)
	}
	if got := s.Utility(0).Evals[1][1]; !near(got, 0.85) {
		t.Errorf("ua's pledge is worth %v, want 0.85", got)
	}
	de := loadMutated(t, "guarantors: {pledge: [us, gb]}", "guarantors: {pledge: [us, de]}")
	if got := de.Utility(0).Evals[1][1]; !near(got, 0.75) {
		t.Errorf("with Germany (eu's 0.7) the pledge is worth %v, want 0.75", got)
	}
	found := false
	for _, d := range de.Defaults {
		found = found || d.Path == "parties[2].members[0].credibility" && d.Value == "0.7"
	}
	if !found {
		t.Errorf("Germany's credibility is not listed as a default: %v", de.Defaults)
	}
}

// TestGuarantorsConsent: a deal whose guarantee names a guarantor that
// would not accept it is unacceptable to every party. With the mediator's
// reservation at 0.56, pledgeNoTroops gives it 0.55: the pledge it would
// give is refused, though the mediator does not negotiate. With a
// qualified majority, Britain's own consent as guarantor still binds
// where its coalition would outvote it.
func TestGuarantorsConsent(t *testing.T) {
	s := loadMutated(t, "  - id: us\n    reservation: 0.2", "  - id: us\n    reservation: 0.56")
	for p := range s.Parties {
		u := s.Utility(p)
		if u.Accepts(pledgeNoTroops) {
			t.Errorf("%s accepts a deal its guarantor us refuses", s.Parties[p].ID)
		}
		if p == 3 {
			continue // us's own acceptance needs no consent of its own
		}
		if k := u.Lacks(pledgeNoTroops); k < 0 || u.Consents[k].ID != "guarantor us" {
			t.Errorf("%s: lacks %d, want the consent of guarantor us", s.Parties[p].ID, k)
		}
	}
	qm := loadMutated(t, "    role: coalition\n", "    role: coalition\n    decides: {qualified_majority: {share: 0.6}}\n")
	qm.Parties[2].Members[1].Prefs.Reservation = 0.55 // Britain now refuses pledgeNoTroops (0.54)
	eu := qm.Utility(2)
	if !eu.Panel.Accepts(pledgeNoTroops) {
		t.Fatal("Germany and Italy should carry pledgeNoTroops in eu's vote")
	}
	if eu.Accepts(pledgeNoTroops) || qm.Utility(0).Accepts(pledgeNoTroops) {
		t.Error("Britain, as guarantor, must consent to the pledge it gives")
	}
}

// TestCoalitionStatusQuo: with a status quo, each member's reservation
// is its utility of it, and the coalition's their mean.
func TestCoalitionStatusQuo(t *testing.T) {
	s := loadMutated(t, "guarantees:\n  - issue", "status_quo:\n  outcome: {ceasefire: none, guarantees: none, troops: none, land: none}\n  assumption: {why: the war goes on}\nguarantees:\n  - issue")
	eu := &s.Parties[2]
	want := []float64{0.16, 0.14, 0.34} // each member's utility of (none, none, none, none)
	mean := 0.0
	for j, k := range eu.Voters() {
		if got := eu.Members[k].Prefs.Reservation; !near(got, want[j]) {
			t.Errorf("%s: reservation %v, want %v", eu.Members[k].ID, got, want[j])
		}
		mean += want[j] / 3
	}
	if got := s.Utility(2).Reservation; !near(got, mean) {
		t.Errorf("eu: reservation %v, want %v", got, mean)
	}
	n := 0
	for _, w := range s.Warnings {
		if strings.Contains(w, `the reservation value of member "gb" of "eu" is stated as 0.5, but its utility of the status quo is 0.14`) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("warnings: %q", s.Warnings)
	}
}

// TestCoalitionErrors: every misuse of members' preferences, of decides,
// of member guarantors and of mediator_influence is positioned.
func TestCoalitionErrors(t *testing.T) {
	cases := []mutation{
		{"member weight without preferences", "{id: nato, role: observer}", "{id: nato, weight: 2}", `testdata/x.yaml:82:28: member "nato" of "eu" has a vote share (weight) but no preferences`},
		{"member reservation without preferences", "{id: nato, role: observer}", "{id: nato, reservation: 0.2}", `member "nato" of "eu" has a reservation value but no preferences`},
		{"member red lines without preferences", "{id: nato, role: observer}", "{id: nato, red_lines: [{id: x, forbid: {troops: [none]}}]}", `member "nato" of "eu" has red lines but no preferences`},
		{"observer votes", "      - id: de\n", "      - id: de\n        role: observer\n", `member "de" of "eu" is an observer, which does not vote`},
		{"not a coalition", "    role: coalition\n", "", `member "de" of "eu" has preferences of its own, but "eu" is not a coalition`},
		{"own weights too", "    credibility: 0.7\n", "    credibility: 0.7\n    weights: {ceasefire: 1, guarantees: 0, troops: 0, land: 0}\n", `the preferences of coalition "eu" are its members'`},
		{"own reservation too", "    credibility: 0.7\n", "    credibility: 0.7\n    reservation: 0.3\n", `the reservation value of coalition "eu" is its members' weighted mean`},
		{"member weights sum", "weights: {ceasefire: 0.5, guarantees: 0.3, troops: 0.1, land: 0.1}", "weights: {ceasefire: 0.5, guarantees: 0.3, troops: 0.1, land: 0.2}", `testdata/x.yaml:55:18: the weights of member "de" of "eu" sum to 1.1`},
		{"member weight without value", "          land: {none: 1, ceded: 0.5}\n        reservation: 0.35", "        reservation: 0.35", `member "de" of "eu" has a weight but no value function for issue "land"`},
		{"member values not a mapping", "          land: {none: 1, ceded: 0.5}\n        reservation: 0.35", "          land: 3\n        reservation: 0.35", `expected a mapping`},
		{"member unknown issue", "        weights: {ceasefire: 0.5, guarantees: 0.3, troops: 0.1, land: 0.1}", "        weights: {ceasefire: 0.5, guarantees: 0.3, troops: 0.1, land: 0.1, border: 0}", `member "de" of "eu" weighs unknown issue "border"`},
		{"member red line issue", "forbid: {troops: [european]}", "forbid: {army: [european]}", `red line "no_troops" of member "it" of "eu" names unknown issue "army"`},
		{"zero vote share", "weight: {value: 1, assumption: {why: an equal voice, range: [0.5, 2]}}", "weight: 0", `the vote share of member "gb" of "eu" is 0`},
		{"negative vote share", "weight: {value: 1, assumption: {why: an equal voice, range: [0.5, 2]}}", "weight: -1", `the vote share of member "gb" of "eu" is -1; it must be between 0 and +Inf`},
		{"unknown rule", "    role: coalition\n", "    role: coalition\n    decides: plurality\n", `testdata/x.yaml:50:14: unknown decision rule "plurality" for "eu"; rules are unanimity, leader, weighted, qualified_majority`},
		{"unknown leader", "    role: coalition\n", "    role: coalition\n    decides: {leader: pl}\n", `the leader "pl" of "eu" is not one of its members (de, gb, it, nato)`},
		{"leader without preferences", "    role: coalition\n", "    role: coalition\n    decides: {leader: nato}\n", `the leader "nato" of "eu" has no preferences of its own to decide by`},
		{"share 0", "    role: coalition\n", "    role: coalition\n    decides: {qualified_majority: {share: 0}}\n", `the share of the vote that "eu" needs is 0`},
		{"share above 1", "    role: coalition\n", "    role: coalition\n    decides: {qualified_majority: {share: 1.2}}\n", `the share of the vote that "eu" needs is 1.2; it must be between 0 and 1`},
		{"qualified without share", "    role: coalition\n", "    role: coalition\n    decides: qualified_majority\n", `a qualified majority needs its share`},
		{"two rules", "    role: coalition\n", "    role: coalition\n    decides: {rule: weighted, leader: de}\n", `the decision rule of "eu" is weighted, but it gives a leader`},
		{"decides without voters", "  - id: us\n    reservation: 0.2\n", "  - id: us\n    decides: weighted\n    reservation: 0.2\n", `party "us" decides by its members' rule, but none of its members has preferences of its own`},
		{"decides unknown field", "    role: coalition\n", "    role: coalition\n    decides: {majority: 2}\n", `unknown field "majority" in "parties[2].decides"`},
		{"guarantor neither", "guarantors: {pledge: [us, gb]}", "guarantors: {pledge: [us, pl]}", `testdata/x.yaml:26:26: guarantor "pl" is not a party, nor a member of one; parties are ua, ru, eu, us; members are de, gb, it, nato`},
		{"event sets coalition weights", "parties:\n  - id: ua", "events:\n  - {round: 2, party: eu, weights: {ceasefire: 1, guarantees: 0, troops: 0, land: 0}}\nparties:\n  - id: ua", `event 1 sets the weights of coalition "eu", whose preferences are its members'`},
		{"influence rate", "rate: {value: 0.1, assumption: {why: the mediator hears every side a little each week, range: [0.02, 0.2]}}", "rate: 1.5", `testdata/x.yaml:21:9: the rate of the mediator's influence is 1.5; it must be between 0 and 1`},
		{"influence rate 0", "rate: {value: 0.1, assumption: {why: the mediator hears every side a little each week, range: [0.02, 0.2]}}", "rate: 0", `mediator_influence needs a rate in (0, 1]`},
		{"influence rule", "  rule: capability\n", "  rule: money\n", `unknown influence rule "money"; rules are capability`},
		{"influence from unknown", "  rule: capability\n", "  rule: capability\n  from: [ua, pl]\n", `the party "pl" that lobbies the mediator is not a party`},
		{"influence from mediator", "  rule: capability\n", "  rule: capability\n  from: [us]\n", `"us" is the mediator; it does not lobby itself`},
		{"influence without mediator", "mediator: us\n", "", `mediator_influence moves the mediator's weights, but the scenario has no mediator`},
		{"influence on a chair", "    weights: {ceasefire: 0.3, guarantees: 0.2, troops: 0.2, land: 0.3}\n    values:\n      ceasefire: {now: 0.7, none: 0.3}\n      guarantees: {none: 0.5, pledge: 1}\n      troops: {none: 1, european: 0.5}\n      land: {none: 0.2, ceded: 1}\n", "", `mediator_influence moves the mediator's weights, but "us" has none`},
	}
	checkMutations(t, "testdata/coalition.yaml", cases)
}

// TestCoalitionRoundTrip: ToFile writes the members' preferences, their
// vote shares, how they decide and the mediator's influence, so that the
// written file gives back the same utilities, decisions and pull.
func TestCoalitionRoundTrip(t *testing.T) {
	for _, decides := range []string{"", "    decides: {qualified_majority: {share: 0.6}}\n", "    decides: {leader: gb}\n"} {
		s := loadMutated(t, "    role: coalition\n", "    role: coalition\n"+decides)
		b, err := s.MarshalYAML()
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(b, "testdata/rt.yaml")
		if err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		a, c := s.Utility(2), r.Utility(2)
		if c.Panel == nil || c.Panel.Rule != a.Panel.Rule || c.Panel.Share != a.Panel.Share || c.Panel.Leader != a.Panel.Leader {
			t.Fatalf("%q: panel %+v after the round trip, want %+v", decides, c.Panel, a.Panel)
		}
		s.Space().Enumerate(0, func(o []int) bool {
			// Guarantees are not written (ToFile), and with them the
			// guarantors' consents: the members' panel decides alike.
			if a.Raw(o) != c.Raw(o) || a.Panel.Accepts(o) != c.Panel.Accepts(o) {
				t.Errorf("%q: %v: %v/%v, then %v/%v", decides, o, a.Raw(o), a.Panel.Accepts(o), c.Raw(o), c.Panel.Accepts(o))
			}
			return true
		})
		if r.Influence == nil || r.Influence.Rate != 0.1 || len(r.Influence.From) != 3 {
			t.Errorf("influence after the round trip: %+v", r.Influence)
		}
	}
}

// TestMediatorWeights: in round r the mediator's weights have moved r
// times a tenth of the way toward the parties' weights, pulled 30:45:35 by
// ua, ru and eu; an event that sets them restarts the pull from its
// weights, and AtRound gives the mediator the same.
func TestMediatorWeights(t *testing.T) {
	s := mustLoad(t, "testdata/coalition.yaml")
	var target [4]float64
	for p, c := range map[int]float64{0: 30, 1: 45, 2: 35} {
		for i, w := range s.Parties[p].Prefs.Weights {
			target[i] += c / 110 * w
		}
	}
	w := append([]float64(nil), s.Parties[3].Prefs.Weights...)
	for r := 0; r <= 12; r++ {
		got := s.MediatorWeights(r)
		for i := range w {
			if !near(got[i], w[i]) {
				t.Fatalf("round %d: weights %v, want %v", r, got, w)
			}
		}
		if at := s.AtRound(r).Parties[3].Prefs.Weights; !near(at[0], w[0]) {
			t.Errorf("round %d: AtRound gives %v, want %v", r, at, w)
		}
		for i := range w {
			w[i] = 0.9*w[i] + 0.1*target[i]
		}
	}
	e := loadMutated(t, "parties:\n  - id: ua", "events:\n  - {round: 3, party: us, weights: {ceasefire: 1, guarantees: 0, troops: 0, land: 0}}\nparties:\n  - id: ua")
	if got := e.MediatorWeights(3); got[0] != 1 || got[1] != 0 {
		t.Errorf("round 3: %v, want the event's weights", got)
	}
	if got, want := e.MediatorWeights(4)[0], 0.9+0.1*target[0]; !near(got, want) {
		t.Errorf("round 4: ceasefire weight %v, want %v", got, want)
	}
	// Only parties with a capability pull by default; one named in from
	// without a capability is an error.
	data, _ := os.ReadFile("testdata/coalition.yaml")
	data = bytes.Replace(data, []byte("    capability: 45\n    positions: {ceasefire: {position: 100, salience: 30}}\n"), nil, 1)
	if s, err := Parse(data, "x.yaml"); err != nil || len(s.Influence.From) != 2 {
		t.Fatalf("without ru's capability: %v, %+v", err, s)
	}
	data = bytes.Replace(data, []byte("  rule: capability\n"), []byte("  rule: capability\n  from: [ua, ru]\n"), 1)
	if _, err := Parse(data, "x.yaml"); err == nil || !strings.Contains(err.Error(), `x.yaml:21:14: "ru" lobbies the mediator by its capability, but has none`) {
		t.Errorf("from a party without capability: %v", err)
	}
}

// TestCoalitionSchema: the JSON Schema (parley schema) takes the
// coalition fixture, decides in both spellings, and refuses a decides
// that is neither a rule nor a mapping, and an unknown member field.
func TestCoalitionSchema(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("scenario.json")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	validate := func(data []byte) error {
		var tree any
		if err := yaml.Unmarshal(data, &tree); err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(tree)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		return sch.Validate(v)
	}
	for _, c := range []struct {
		decides string
		ok      bool
	}{
		{"", true}, {"    decides: weighted\n", true}, {"    decides: {qualified_majority: {share: {value: 0.55, assumption: {why: x, range: [0.5, 0.65]}}}}\n", true},
		{"    decides: {leader: gb, source: {document: memo, quote: x}}\n", true}, {"    decides: 3\n", false}, {"    decides: plurality\n", false},
	} {
		mutated := bytes.Replace(data, []byte("    role: coalition\n"), []byte("    role: coalition\n"+c.decides), 1)
		if err := validate(mutated); (err == nil) != c.ok {
			t.Errorf("decides %q: schema error %v, want ok %v", c.decides, err, c.ok)
		}
	}
	if validate(bytes.Replace(data, []byte("      - id: de\n"), []byte("      - id: de\n        votes: 2\n"), 1)) == nil {
		t.Error("the schema takes an unknown member field")
	}
}

// TestCoalitionProvenance: a member's numbers are classified as a
// party's: 0 and 1 in its value tables are definitional, an intermediate
// value is plain, an assumed one assumed.
func TestCoalitionProvenance(t *testing.T) {
	data, err := os.ReadFile("testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := CheckProvenance(data, "testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plain := pr.Plain.Error()
	if strings.Contains(plain, "parties[2].members[0].values.ceasefire.now = 1 ") || !strings.Contains(plain, "parties[2].members[0].values.troops.none = 0.6 ") {
		t.Errorf("members' value tables are not classified as parties':\n%s", plain)
	}
	if pr.Assumed != 3 {
		t.Errorf("assumed %d, want 3 (the rate, Britain's weight and reservation)", pr.Assumed)
	}
}

// TestCoalitionMeanWithClauses: a coalition's utility stays its members'
// weighted mean when a member's values are conditional (given:, compiled
// into terms scaled by its vote share) and when the coalition has public
// stances, whose audience cost each member pays as the coalition does.
func TestCoalitionMeanWithClauses(t *testing.T) {
	data, err := os.ReadFile("testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	de := "          guarantees: {none: 0, pledge: 1}\n"
	if !bytes.Contains(data, []byte(de)) {
		t.Fatal("fixture lacks Germany's guarantees")
	}
	plain := mustParse(t, data)
	data = bytes.Replace(data, []byte(de), []byte("          guarantees:\n            none: 0\n            pledge: 1\n            given:\n              - if: {troops: [none]}\n                pledge: 0.5\n"), 1)
	data = append(data, "stances:\n  - party: eu\n    issue: land\n    stance: [none]\n    audience_cost: 0.1\n"...)
	s := mustParse(t, data)
	u, u0 := s.Utility(2), plain.Utility(2)
	if len(u.Panel.Members[0].Terms) != 1 {
		t.Fatalf("Germany's terms %+v, want its given: entry", u.Panel.Members[0].Terms)
	}
	o := make([]int, len(s.Issues))
	sp := s.Space()
	size, _ := sp.Size()
	for range size {
		mean := 0.0
		for _, m := range u.Panel.Members {
			mean += m.Raw(o) / 3
		}
		if !near(u.Raw(o), mean) {
			t.Errorf("%v: eu's utility %v, its members' mean %v", o, u.Raw(o), mean)
		}
		// By hand: Germany's pledge without troops is worth 0.3·(0.5−1)
		// less, a third of it to eu; ceding land costs every member 0.1.
		want := u0.Raw(o)
		if o[1] == 1 && o[2] == 0 {
			want -= 0.3 * 0.5 / 3
		}
		if o[3] == 1 {
			want -= 0.1
		}
		if !near(u.Raw(o), want) {
			t.Errorf("%v: eu's utility %v, want %v", o, u.Raw(o), want)
		}
		sp.Next(o)
	}
}

func mustParse(t *testing.T, data []byte) *Scenario {
	t.Helper()
	s, err := Parse(data, "testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}
