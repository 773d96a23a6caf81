package session

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// bluffVariants returns testdata/bluff.yaml as the buyer believes the
// seller's red line (believer), as it knows the line is a bluff (knower),
// and with no red line stated at all (honest).
func bluffVariants(t *testing.T) map[string]*scenario.Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/bluff.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	line := "    red_lines:\n      - {id: no_extra, forbid: {extra: [\"yes\"]}, bluff: true}\n"
	belief := "    red_lines: {no_extra: 1}\n"
	src := map[string]string{
		"believer": text,
		"knower":   strings.Replace(text, belief, "    red_lines: {no_extra: 0}\n", 1),
		"honest":   strings.Replace(strings.Replace(text, belief, "", 1), line, "", 1),
	}
	out := map[string]*scenario.Scenario{}
	for name, s := range src {
		if s == text && name != "believer" {
			t.Fatalf("variant %s is the original", name)
		}
		sc, err := scenario.Parse([]byte(s), "testdata/bluff.yaml")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = sc
	}
	return out
}

// TestBluffChangesOutcome: the seller states a red line it does not hold
// (no extra service). Against a buyer that believes it, the bluff changes
// the deal — the buyer never asks for the extra and settles on a low price
// without it, which suits the seller better; against a buyer that knows
// the line is a bluff, the deal is the one reached when no line is stated
// at all. The seller's strategy never looks at beliefs.
func TestBluffChangesOutcome(t *testing.T) {
	v := bluffVariants(t)
	for _, seller := range []string{"linear", "conceder", "believer"} {
		deal := map[string]map[string]string{}
		pay := map[string]float64{}
		asked := map[string]int{} // the buyer's offers with the extra
		for name, sc := range v {
			o := make([]int, 2)
			onEvent := func(e protocol.Event) {
				if e.Type == protocol.EventOffer && e.Seat == 1 {
					sc.Space().Decode(e.Outcome, o)
					if o[1] == 1 {
						asked[name]++
					}
				}
			}
			res, err := Run(Config{Scenario: sc, Negotiators: []string{seller, "believer"}, Deadline: protocol.Deadline{Rounds: 50}, OnEvent: onEvent})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Agreed {
				t.Fatalf("%s, %s: no agreement", seller, name)
			}
			deal[name], pay[name] = res.Agreement, res.Parties[0].Utility
		}
		if asked["believer"] != 0 || asked["knower"] == 0 {
			t.Errorf("%s seller: the buyer asked for the extra %d times believing the red line, %d knowing it a bluff", seller, asked["believer"], asked["knower"])
		}
		if got := deal["believer"]; got["extra"] != "none" || got["price"] != "low" {
			t.Errorf("%s seller, believing buyer: deal %v, want price low without the extra", seller, got)
		}
		if got := deal["honest"]; got["extra"] != "yes" || got["price"] != "high" || pay["honest"] != 0.4 {
			t.Errorf("%s seller, no red line stated: deal %v (seller %v), want price high with the extra (0.4)", seller, got, pay["honest"])
		}
		if a, b := deal["knower"], deal["honest"]; a["price"] != b["price"] || a["extra"] != b["extra"] {
			t.Errorf("%s seller: against a buyer that knows the bluff the deal is %v, without any red line %v; want the same", seller, a, b)
		}
		// The seller's payoff is scored by its true utility, which has no
		// red line: 0.4·0 + 0.6·1 for (low, none).
		if pay["believer"] != 0.6 || pay["believer"] <= pay["honest"] {
			t.Errorf("%s seller: payoff %v bluffing a believer, %v honest", seller, pay["believer"], pay["honest"])
		}
	}
}

// TestBeliefsInResults: a result reports each seat's beliefs at the end,
// and a seat that states no belief about another gets only its stated red
// lines, with their credibility, nothing of its preferences.
func TestBeliefsInResults(t *testing.T) {
	data, err := os.ReadFile("testdata/bluff.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The buyer states no belief; the red line is 80% credible.
	text := strings.Replace(string(data), "beliefs:\n  - holder: buyer\n    about: seller\n    reservation: 0.3\n    red_lines: {no_extra: 1}\n", "", 1)
	text = strings.Replace(text, "bluff: true}", "bluff: true, credibility: 0.8}", 1)
	sc, err := scenario.Parse([]byte(text), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Beliefs.Beliefs) != 0 {
		t.Fatal("the edit left a belief")
	}
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	b := prep.beliefs[1][0]
	if prep.beliefs[0][1] != nil || b == nil || len(b.Types) != 1 || b.Types[0].Utility != nil || b.Types[0].Real[0] != 0.8 || len(b.Lines) != 1 {
		t.Fatalf("the buyer's belief about the seller: %+v", b)
	}
	var buf bytes.Buffer
	res, err := Run(Config{Prepared: prep, Negotiators: []string{"linear", "believer"}, Deadline: protocol.Deadline{Rounds: 50}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Beliefs) != 1 {
		t.Fatalf("beliefs %+v", res.Beliefs)
	}
	got := res.Beliefs[0]
	if got.Holder != "buyer" || got.About != "seller" || len(got.Types) != 1 || got.Types[0].Posterior != 1 || len(got.RedLines) != 1 {
		t.Fatalf("belief %+v", got)
	}
	// The seller never offers the extra: each offer makes the line more
	// credible, as it should if the line were real.
	if l := got.RedLines[0]; l.ID != "no_extra" || l.Prior != 0.8 || l.Posterior != 0.8 {
		// Without known preferences the model cannot say how much the
		// line took away from the seller's choice: it stays at its prior.
		t.Errorf("red line %+v", l)
	}
	js, _ := json.Marshal(res)
	if !bytes.Contains(js, []byte(`"beliefs":[{"holder":"buyer","about":"seller","types":[{"id":"stated","prior":1,"posterior":1}],"red_lines":[{"id":"no_extra","prior":0.8,"posterior":0.8}]}]`)) {
		t.Errorf("JSON %s", js)
	}
	writeResult(&buf, &res)
	if !strings.Contains(buf.String(), "Beliefs of buyer about seller: stated 1 → 1; red line no_extra real 0.8 → 0.8\n") {
		t.Errorf("text:\n%s", buf.String())
	}
}

// TestBluffLearnt: a believer that knows the seller's preferences grows
// surer of a red line the seller never crosses (only a little: the seller
// dislikes the extra, so that it would rarely offer it anyway), and drops
// it at once when the seller offers across it.
func TestBluffLearnt(t *testing.T) {
	data, err := os.ReadFile("testdata/bluff.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		seller       string
		lo, hi, post float64
	}{
		// linear offers only outcomes without the extra before agreeing.
		{"linear", 0.5, 1, -1},
		// A seller that concedes further offers the extra: the bluff is
		// shown.
		{"conceder", 0, 0, 0},
	} {
		text := strings.Replace(string(data), "red_lines: {no_extra: 1}", "red_lines: {no_extra: 0.5}", 1)
		if c.seller == "conceder" {
			// Make the extra cheap for the seller, so that it offers it.
			text = strings.Replace(text, `extra: {none: 1, "yes": 0}`, `extra: {none: 1, "yes": 0.9}`, 1)
		}
		sc, err := scenario.Parse([]byte(text), "x.yaml")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(Config{Scenario: sc, Negotiators: []string{c.seller, "believer"}, Deadline: protocol.Deadline{Rounds: 50}})
		if err != nil {
			t.Fatal(err)
		}
		l := res.Beliefs[0].RedLines[0]
		switch {
		case c.post >= 0 && l.Posterior != c.post:
			t.Errorf("%s: the line is believed real with %v, want %v", c.seller, l.Posterior, c.post)
		case c.post < 0 && !(l.Posterior > c.lo && l.Posterior < c.hi):
			t.Errorf("%s: the line is believed real with %v, want it above its prior 0.5", c.seller, l.Posterior)
		}
	}
}

// TestBeliefsZeroAllocations: seats acting on beliefs play whole sessions
// without allocating, with beliefs and without.
func TestBeliefsZeroAllocations(t *testing.T) {
	v := bluffVariants(t)
	car, err := Prepare(loadDomain(t, "ANAC2011_Car"))
	if err != nil {
		t.Fatal(err)
	}
	bluff, err := Prepare(v["believer"])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		prep *Prepared
		negs []string
	}{
		{bluff, []string{"linear", "believer"}},
		{bluff, []string{"believer", "boa:model=types"}},
		{car, []string{"believer", "boa:bid=timedependent/e=0.2:model=types"}},
	} {
		if allocs := allocsPerSession(t, Config{Prepared: c.prep, Negotiators: c.negs, Deadline: protocol.Deadline{Rounds: 100}}); allocs != 0 {
			t.Errorf("%v: %v allocations per session, want 0", c.negs, allocs)
		}
	}
}

// TestBeliefsReplay: a runner reused across sessions starts every seat's
// beliefs afresh: its trace is the fresh runner's.
func TestBeliefsReplay(t *testing.T) {
	sc := bluffVariants(t)["believer"]
	a, b, _ := replayTrace(t, Config{Scenario: sc, Negotiators: []string{"conceder", "believer"}, Deadline: protocol.Deadline{Rounds: 50}, Seed: 3})
	if !bytes.Equal(a, b) {
		t.Errorf("traces differ:\n%s\n---\n%s", a, b)
	}
}

// TestAudienceCostInSessions: a deal that departs from a party's public
// stance pays it its utility less the audience cost, and the result says
// how much it paid.
func TestAudienceCostInSessions(t *testing.T) {
	data, err := os.ReadFile("../scenario/testdata/beliefs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The buyer's stance is now a low price, at a cost of 0.1.
	text := strings.Replace(string(data), "    issue: extra\n    stance: [\"yes\"]\n", "    issue: price\n    stance: [low]\n", 1)
	sc, err := scenario.Options{Dir: "../scenario/testdata"}.Parse([]byte(text), "beliefs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"conceder", "believer"}, Deadline: protocol.Deadline{Rounds: 50}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Agreed || res.Agreement["price"] == "low" {
		t.Fatalf("deal %v; the test wants one that departs from the stance", res.Agreement)
	}
	// Buyer: 0.5·price + 0.5·extra, price mid 0.5 or high 0; extra yes 1.
	raw := 0.5 * map[string]float64{"mid": 0.5, "high": 0}[res.Agreement["price"]]
	raw += 0.5 * map[string]float64{"yes": 1, "none": 0}[res.Agreement["extra"]]
	b := res.Parties[1]
	if b.AudienceCost != 0.1 || b.Utility != raw-0.1 || res.Parties[0].AudienceCost != 0 {
		t.Errorf("buyer utility %v, audience cost %v; want %v and 0.1 (deal %v)", b.Utility, b.AudienceCost, raw-0.1, res.Agreement)
	}
	var buf bytes.Buffer
	writeResult(&buf, &res)
	if !strings.Contains(buf.String(), "Audience costs paid (in the utilities above): buyer 0.1\n") {
		t.Errorf("text:\n%s", buf.String())
	}
}
