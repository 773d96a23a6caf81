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

// TestBeliefsResolve checks testdata/beliefs.yaml by hand: a bluffed red
// line is stated but not held, a stance's audience cost enters the party's
// utility, and each belief becomes its weighted types.
func TestBeliefsResolve(t *testing.T) {
	s := mustLoad(t, "testdata/beliefs.yaml")
	seller, buyer, chair := 0, 1, 2
	if s.Beliefs == nil || !s.Perceives() {
		t.Fatal("no beliefs resolved")
	}

	// The bluff: stated, not real; the seller's own utility ignores it.
	stated := s.StatedRedLines(seller)
	if len(stated) != 2 || stated[0].ID != "no_extra" || stated[0].Real || !stated[1].Real {
		t.Fatalf("stated red lines %+v", stated)
	}
	if got := stated[0].Credibility; got != 1 {
		t.Errorf("a bluff's default credibility = %v, want 1", got)
	}
	if got := stated[1].Credibility; got != 0.6 {
		t.Errorf("no_low credibility = %v, want 0.6", got)
	}
	if rl := s.Parties[seller].RedLines; len(rl) != 1 || rl[0].ID != "no_low" {
		t.Errorf("the seller's real red lines are %+v; the bluff must not be one", rl)
	}
	us := s.Utility(seller)
	if got, want := us.Utility([]int{2, 1}), 0.6+0.4*0.5; !near(got, want) {
		t.Errorf("seller's utility of (high, yes) = %v, want %v (the bluff binds nothing)", got, want)
	}

	// The stance: the buyer loses 0.1 in a deal without the extra.
	ub := s.Utility(buyer)
	if got, want := ub.Utility([]int{0, 0}), 0.5-0.1; !near(got, want) {
		t.Errorf("buyer's utility of (low, none) = %v, want %v", got, want)
	}
	if got, want := ub.Utility([]int{0, 1}), 1.0; !near(got, want) {
		t.Errorf("buyer's utility of (low, yes) = %v, want %v", got, want)
	}
	if got := s.AudienceCost(buyer, []int{1, 0}); got != 0.1 {
		t.Errorf("AudienceCost = %v, want 0.1", got)
	}

	// The buyer's belief about the seller: two types.
	ts := s.Perceived(buyer, seller)
	if len(ts) != 2 || ts[0].ID != "eager" || ts[0].Prob != 0.7 || ts[1].ID != "stubborn" || ts[1].Prob != 0.3 {
		t.Fatalf("types %+v", ts)
	}
	eager, stubborn := ts[0], ts[1]
	if eager.Real[0] != 0.2 || eager.Real[1] != 0.6 || eager.RvLow != 0.1 || eager.RvHigh != 0.3 {
		t.Errorf("eager = real %v, rv [%v, %v]", eager.Real, eager.RvLow, eager.RvHigh)
	}
	// (low, yes) is worth 0.2 to an eager seller: rv ≤ 0.2 with chance
	// (0.2−0.1)/0.2; it crosses both stated lines, real with 0.2 and 0.6.
	if got, want := eager.Accepts([]int{0, 1}, stated, 0), 0.5*0.8*0.4; !near(got, want) {
		t.Errorf("eager accepts (low, yes) with %v, want %v", got, want)
	}
	// The stubborn type weighs price 0.9: (high, none) is worth 1, (mid,
	// none) 0.9·0.5 + 0.1 = 0.55; its reservation is exactly 0.5; the bluff
	// is believed (credibility 1).
	if got, want := stubborn.Utility.Raw([]int{1, 0}), 0.55; !near(got, want) {
		t.Errorf("stubborn's utility of (mid, none) = %v, want %v", got, want)
	}
	if stubborn.Real[0] != 1 || stubborn.Accepts([]int{2, 1}, stated, 0) != 0 || stubborn.Accepts([]int{1, 0}, stated, 0) != 1 {
		t.Errorf("stubborn: real %v, accepts (high, yes) %v, (mid, none) %v", stubborn.Real,
			stubborn.Accepts([]int{2, 1}, stated, 0), stubborn.Accepts([]int{1, 0}, stated, 0))
	}

	// Without a stated belief the chair knows the seller's preferences but
	// believes its stated red lines with their credibility.
	cs := s.Perceived(chair, seller)
	if len(cs) != 1 || cs[0].Real[0] != 1 || cs[0].Real[1] != 0.6 || cs[0].RvLow != 0.3 {
		t.Errorf("chair's view of the seller %+v", cs)
	}
	// The chair's own belief about the buyer: a single type, exact rv.
	if b := s.StatedBelief(chair, buyer); b == nil || len(b.Types) != 1 || b.Types[0].RvLow != 0.6 || b.Types[0].RvHigh != 0.6 {
		t.Errorf("chair's belief about the buyer %+v", b)
	}
	// The buyer's believed utility carries its public audience cost.
	if got, want := s.Perceived(chair, buyer)[0].Utility.Raw([]int{0, 0}), 0.4; !near(got, want) {
		t.Errorf("the chair believes the buyer values (low, none) at %v, want %v", got, want)
	}
	// The truth: the bluff is not real, the other line is.
	if tr := s.Truth(seller); tr.Real[0] != 0 || tr.Real[1] != 1 || tr.RvLow != 0.3 {
		t.Errorf("truth %+v", tr)
	}
}

// TestNoBeliefs: a scenario without beliefs, stances, bluffs or
// credibilities resolves as before: no Beliefs, real red lines stated.
func TestNoBeliefs(t *testing.T) {
	for _, f := range []string{"testdata/ok.yaml", "testdata/rules.yaml"} {
		s := mustLoad(t, f)
		if s.Beliefs != nil || s.Perceives() {
			t.Errorf("%s: beliefs %+v", f, s.Beliefs)
		}
		for _, d := range s.Defaults {
			if strings.Contains(d.Path, "credibility") && strings.Contains(d.Path, "red_lines") {
				t.Errorf("%s: default %s listed without beliefs", f, d)
			}
		}
	}
	s := mustLoad(t, "testdata/rules.yaml")
	st := s.StatedRedLines(1)
	if len(st) != 1 || !st[0].Real || st[0].Credibility != 1 || st[0].ID != "no_troops" {
		t.Errorf("stated red lines without beliefs: %+v", st)
	}
	if tr := s.Perceived(0, 1); len(tr) != 1 || tr[0].Real[0] != 1 {
		t.Errorf("perceived without beliefs: %+v", tr)
	}
}

// TestBeliefErrors: every misuse of beliefs, stances and red lines' new
// fields is a positioned error.
func TestBeliefErrors(t *testing.T) {
	cases := []mutation{
		{"unknown holder", "holder: chair", "holder: judge", `testdata/x.yaml:49:13: the holder "judge" is not a party; parties are seller, buyer, chair`},
		{"unknown about", "about: buyer", "about: bidder", `testdata/x.yaml:50:12: belief about "bidder", which is not a party`},
		{"about itself", "holder: chair\n    about: buyer", "holder: buyer\n    about: buyer", `"buyer" holds a belief about itself`},
		{"about the mediator", "holder: chair\n    about: buyer", "holder: buyer\n    about: chair", `belief about "chair", the mediator, which accepts or rejects no deal`},
		{"twice", "holder: chair\n    about: buyer", "holder: buyer\n    about: seller", `testdata/x.yaml:49:11: "buyer" holds a second belief about "seller"`},
		{"probabilities", "probability: 0.3", "probability: 0.4", `testdata/x.yaml:41:7: the probabilities of the types of "buyer"'s belief about "seller" sum to 1.1; they must sum to 1`},
		{"probability range", "probability: 0.3", "probability: 1.3", `the probability of type "stubborn" of "buyer"'s belief about "seller" is 1.3; it must be between 0 and 1`},
		{"duplicate type", "id: stubborn", "id: eager", `testdata/x.yaml:45:13: type "eager" appears twice in "buyer"'s belief about "seller"`},
		{"range order", "{low: 0.1, high: 0.3}", "{low: 0.3, high: 0.1}", `testdata/x.yaml:43:28: the reservation range in type "eager" of "buyer"'s belief about "seller" is [0.3, 0.1]; low must be below high`},
		{"both reservations", "reservation: 0.5\n", "reservation: 0.5\n        reservation_range: {low: 0.4, high: 0.6}\n", `gives both a reservation and a reservation_range`},
		{"weights sum", "{price: 0.9, extra: 0.1}", "{price: 0.9, extra: 0.2}", `testdata/x.yaml:48:18: the weights in type "stubborn" of "buyer"'s belief about "seller" sum to 1.1`},
		{"weights missing", "{price: 0.9, extra: 0.1}", "{price: 1}", `gives no weight for issue(s) extra`},
		{"weights unknown", "{price: 0.9, extra: 0.1}", "{price: 0.9, extra: 0.1, colour: 0}", `weighs unknown issue "colour"; issues are price, extra`},
		{"unknown red line", "red_lines: {no_extra: 0.2}", "red_lines: {no_extras: 0.2}", `testdata/x.yaml:44:32: type "eager" of "buyer"'s belief about "seller" names red line "no_extras", which "seller" does not state; its red lines are no_extra, no_low`},
		{"red line probability", "red_lines: {no_extra: 0.2}", "red_lines: {no_extra: 2}", `that red line "no_extra" is real is 2; it must be between 0 and 1`},
		{"types and fields", "  - holder: buyer\n    about: seller\n", "  - holder: buyer\n    about: seller\n    reservation: 0.2\n", `has both types and fields of a single type`},
		{"empty belief", "    reservation: 0.6\n", "    description: nothing\n", `"chair"'s belief about "buyer" says nothing`},
		{"unknown field", "reservation: 0.6", "reservatoin: 0.6", `unknown field "reservatoin" in beliefs[1]`},
		{"credibility range", "credibility: {value: 0.6", "credibility: {value: 1.6", `the credibility of red line "no_low" of "seller" is 1.6`},
		{"stance party", "party: buyer", "party: bidder", `testdata/x.yaml:33:12: stance of unknown party "bidder"`},
		{"stance issue", "issue: extra", "issue: extras", `stance on unknown issue "extras"; issues are price, extra`},
		{"stance value", `stance: ["yes"]`, `stance: ["maybe"]`, `testdata/x.yaml:35:13: the stance of "buyer" names "maybe", which is not a value of issue "extra" (options: none, yes)`},
		{"stance everything", `stance: ["yes"]`, `stance: ["yes", none]`, `lists every value of the issue, so no deal departs from it`},
		{"stance cost", "audience_cost: {value: 0.1", "audience_cost: {value: 1.1", `the audience cost of "buyer"'s stance on "extra" is 1.1`},
		{"stances sum", "beliefs:\n", "  - {party: buyer, issue: price, stance: [low], audience_cost: 0.95}\nbeliefs:\n", `the audience costs of "buyer" sum to 1.05; they must sum to less than 1`},
		{"stance twice", "beliefs:\n", "  - {party: buyer, issue: extra, stance: [none], audience_cost: 0.1}\nbeliefs:\n", `"buyer" has two stances on "extra"`},
	}
	checkMutations(t, "testdata/beliefs.yaml", cases)
}

// TestAudienceCostsAfterNewWeights: code that rebuilds a party's tables
// (an event's new weights) adds its audience costs again.
func TestAudienceCostsAfterNewWeights(t *testing.T) {
	s := mustLoad(t, "testdata/beliefs.yaml")
	u := s.Utility(1)
	nu := utility.NewAdditive([]float64{0.2, 0.8}, u.Evals, u.Reservation, u.Discount)
	s.AddAudienceCosts(1, nu)
	if got, want := nu.Raw([]int{0, 0}), 0.2-0.1; !near(got, want) {
		t.Errorf("utility after new weights = %v, want %v", got, want)
	}
	if got := u.Raw([]int{0, 0}); !near(got, 0.4) {
		t.Errorf("the original tables changed: %v", got)
	}
}

// TestSchemaAcceptsBeliefs: the JSON Schema knows beliefs, stances and a
// red line's bluff and credibility.
func TestSchemaAcceptsBeliefs(t *testing.T) {
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
	data, err := os.ReadFile("testdata/beliefs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{string(data), true},
		{strings.Replace(string(data), "reservation_range: {low: 0.1, high: 0.3}", "reservation_range: {low: 0.1, top: 0.3}", 1), false},
		{strings.Replace(string(data), "    audience_cost:", "    audience: 1\n    audience_cost:", 1), false},
	} {
		var tree any
		if err := yaml.Unmarshal([]byte(c.text), &tree); err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(tree)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); (err == nil) != c.ok {
			t.Errorf("schema verdict %v, want ok %v", err, c.ok)
		}
	}
}
