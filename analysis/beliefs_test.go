package analysis

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// holder returns the perceived zone of party id.
func holder(t *testing.T, w *WhatIf, id string) *PerceivedZone {
	t.Helper()
	if w.Beliefs == nil {
		t.Fatal("no beliefs in the what-if analysis")
	}
	for k := range w.Beliefs.Holders {
		if h := &w.Beliefs.Holders[k]; h.Holder == id {
			return h
		}
	}
	t.Fatalf("%s is not among the holders", id)
	return nil
}

func other(t *testing.T, h *PerceivedZone, id string) PerceivedParty {
	t.Helper()
	for _, o := range h.Others {
		if o.Party == id {
			return o
		}
	}
	t.Fatalf("%s does not view %s", h.Holder, id)
	return PerceivedParty{}
}

// TestPerceivedZones checks scenario/testdata/beliefs.yaml by hand. Its
// six outcomes (price, extra) are worth to the seller 0.6·price + 0.4·extra
// (price 0, 0.5, 1; extra none 1, yes 0.5) and to the buyer 0.5·price +
// 0.5·extra (price 1, 0.5, 0; extra 0, 1) less 0.1 without the extra (its
// public stance); both need 0.3, and the seller's real red line forbids a
// low price. The true zone is (mid, yes) (0.5, 0.75) and (high, yes)
// (0.8, 0.5).
func TestPerceivedZones(t *testing.T) {
	r, w := whatIfFile(t, "../scenario/testdata/beliefs.yaml", WhatIfOptions{})
	if w.Beliefs.TrueZone != 2 || w.Beliefs.Threshold != 0.5 {
		t.Fatalf("true zone %d, threshold %v", w.Beliefs.TrueZone, w.Beliefs.Threshold)
	}
	// The buyer: an eager seller (0.7: reservation uniform on [0.1, 0.3],
	// the extra forbidden with 0.2) or a stubborn one (0.3: weights 0.9
	// and 0.1, reservation 0.5, the extra forbidden for sure). It puts
	// 0.7·0.8 = 0.56 on the seller taking (mid, yes): the eager type's
	// utility 0.5 clears its range, the stubborn one's line is real. The
	// low price is real with 0.6 for both types: (low, none), worth 0.4
	// to an eager seller and 0.1 to a stubborn one, gets 0.7·0.4 = 0.28.
	b := holder(t, w, "buyer")
	if b.Zone != 2 || b.Both != 2 || b.Promised != 0 || b.Missed != 0 || b.Blocks || b.Misleads {
		t.Errorf("buyer: %+v", b)
	}
	if s := other(t, b, "seller"); s.Believed != 4 || s.Accepts != 4 || s.WronglyAccepted != 0 || s.WronglyRejected != 0 || !s.Stated ||
		!reflect.DeepEqual(s.Types, []TypeShare{{"eager", 0.7}, {"stubborn", 0.3}}) {
		t.Errorf("buyer's view of the seller: %+v", s)
	}
	if p := b.Pick; p == nil || p.Outcome["price"] != "mid" || p.Outcome["extra"] != "yes" || !approx(p.Believed, 0.56) || !approx(p.HolderUtility, 0.75) || len(p.RejectedBy) != 0 {
		t.Errorf("buyer's pick %+v", p)
	}
	if !approx(b.Payoff, 0.75) || len(b.Information) != 1 || b.Information[0].Value != 0 {
		t.Errorf("buyer's payoff %v, information %+v", b.Payoff, b.Information)
	}
	// The chair believes the buyer needs 0.6 (it accepts only (low, yes)
	// and (mid, yes)) and, stating no belief about the seller, believes
	// its bluff: no extra. It sees no deal where one exists.
	c := holder(t, w, "chair")
	if !c.Mediator || c.Zone != 0 || c.Missed != 2 || !c.Blocks || c.Pick != nil || c.Payoff != 0 {
		t.Errorf("chair: %+v", c)
	}
	if s := other(t, c, "seller"); s.Stated || s.Believed != 2 || s.WronglyRejected != 2 {
		t.Errorf("chair's view of the seller: %+v", s)
	}
	if h := c.Hidden; h == nil || h.Outcome["price"] != "mid" || h.Outcome["extra"] != "yes" || !approx(h.HolderUtility, 1) {
		t.Errorf("chair's hidden deal %+v", h)
	}
	if !reflect.DeepEqual(c.HiddenShare, map[string]string{"extra": "yes"}) {
		t.Errorf("hidden share %v", c.HiddenShare)
	}
	// Knowing the seller (the extra is a bluff) it sees (mid, yes), the
	// one deal also above the 0.6 it believes the buyer needs, worth 1 to
	// it; knowing the buyer alone changes nothing, the bluff still blocks.
	if len(c.Information) != 2 {
		t.Fatalf("chair's information %+v", c.Information)
	}
	if iv := c.Information[0]; iv.About != "seller" || iv.Zone != 1 || iv.Missed != 1 || iv.Promised != 0 || !approx(iv.Value, 1) {
		t.Errorf("knowing the seller: %+v", iv)
	}
	if iv := c.Information[1]; iv.About != "buyer" || iv.Zone != 0 || iv.Value != 0 {
		t.Errorf("knowing the buyer: %+v", iv)
	}
	// The seller states no belief and faces none that differs: absent.
	for _, h := range w.Beliefs.Holders {
		if h.Holder == "seller" {
			t.Error("the seller's view is the truth; it should not be listed")
		}
	}
	// The stance: no zone outcome departs from it, and its cost removes
	// none (without the extra the buyer gets at most 0.4 − 0.1, and the
	// one such deal worth 0.4 crosses the seller's real red line).
	if len(w.Stances) != 1 || !reflect.DeepEqual(w.Stances[0], StanceWhatIf{Party: "buyer", Issue: "extra", Stance: []string{"yes"}, AudienceCost: 0.1}) {
		t.Errorf("stances %+v", w.Stances)
	}
	var b2 strings.Builder
	r.writeWhatIf(&b2)
	for _, want := range []string{
		"buyer on extra: yes, audience cost 0.1000; 0 of the zone's outcomes depart from it; the cost removes 0 outcome(s) from the zone\n",
		"  chair (mediator) believes 0 outcome(s) acceptable: 0 truly are, 0 are not; it misses 2 that are (misperception blocks a deal that exists)\n",
		"    Knowing seller as it is: it would believe 1 outcome(s) acceptable (0 wrongly, missing 1); its payoff 1.0000 (value of information +1.0000)\n",
		"    All 2 of the acceptable outcomes it does not see have extra=yes\n",
	} {
		if !strings.Contains(b2.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b2.String())
		}
	}
}

// TestStanceRemoves: with the buyer needing only 0.2, (mid, none) — 0.25
// to it without its audience cost, 0.15 with — leaves the zone for the
// cost alone.
func TestStanceRemoves(t *testing.T) {
	data, err := os.ReadFile("../scenario/testdata/beliefs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "  - id: buyer\n    reservation: 0.3\n", "  - id: buyer\n    reservation: 0.2\n", 1)
	s, err := scenario.Options{Dir: "../scenario/testdata"}.Parse([]byte(text), "beliefs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	if st := r.WhatIf.Stances[0]; st.Removes != 1 || st.Departing != 0 {
		t.Errorf("stance %+v; want it to remove (mid, none)", st)
	}
}

// TestFlagshipPerception pins what the flagship's beliefs do. The United
// States, believing Putin wants a deal for Trump (a reservation value in
// [0.55, 0.7] with 0.7, where fighting on is worth 0.815 to Russia),
// expects 50 deals Russia would reject, all without foreign troops, and
// picks one of them: knowing Russia would be worth 0.4117 to it. Russia,
// believing Ukraine can ill afford no deal, expects 12 that Ukraine would
// reject, picks one and fails; Europe, doubting Russia wants a deal, misses
// 19 of the 22 that exist. (Russia's law is worth to the US a third of its
// stated value, Russia's credibility: its deals with the law are worth
// 0.05·2/3 less to it.) Europe's utility is its six voting members' mean:
// the deal it does not see (a partial truce, Donetsk ceded, Article 5-like
// guarantees, no troops, the summit, the law) is worth 0.3·0.6 + 0.25 +
// 0.15·0.3 + 0.05·0.8 + 0.05/3 to a member on the coalition's tables (it,
// fi), 0.3·0.2 less to Germany (a partial truce 0.4), 0.15·0.2 less to
// Britain and France (no troops 0.1) and 0.05·0.6 less to the Commission
// (ceasefire 0.25, territory 0.25, Donetsk worth 0).
func TestFlagshipPerception(t *testing.T) {
	_, w := whatIfFile(t, flagship, WhatIfOptions{})
	if w.Beliefs.TrueZone != 22 {
		t.Errorf("true zone %d, want 22", w.Beliefs.TrueZone)
	}
	us := holder(t, w, "us")
	if !us.Mediator || us.Zone != 72 || us.Both != 22 || us.Promised != 50 || us.Missed != 0 || us.Blocks || us.Misleads {
		t.Errorf("us: zone %d, both %d, promised %d, missed %d", us.Zone, us.Both, us.Promised, us.Missed)
	}
	if ru := other(t, us, "ru"); ru.WronglyAccepted != 50 || ru.WronglyRejected != 0 || ru.Believed != 90 || ru.Accepts != 40 {
		t.Errorf("the US's view of Russia: %+v", ru)
	}
	if ua := other(t, us, "ua"); ua.Stated || ua.WronglyAccepted+ua.WronglyRejected != 0 {
		t.Errorf("the US's view of Ukraine: %+v", ua)
	}
	if !reflect.DeepEqual(us.PromisedShare, map[string]string{"troops": "No foreign troops"}) {
		t.Errorf("the deals the US wrongly expects share %v", us.PromisedShare)
	}
	if p := us.Promise; p == nil || !reflect.DeepEqual(p.RejectedBy, []string{"ru"}) || !approx(p.HolderUtility, 0.94-0.05*2.0/3) {
		t.Errorf("the US's best false hope %+v", p)
	}
	// Its own pick is one of them: it would get no deal, where knowing
	// Russia would find it one worth 0.8367.
	if p := us.Pick; p == nil || !reflect.DeepEqual(p.RejectedBy, []string{"ru"}) || !approx(us.Payoff, 0.425) ||
		!approx(us.Information[0].Value, 0.445-0.05*2.0/3) || us.Information[0].Zone != 22 || us.Information[0].Promised != 0 {
		t.Errorf("the US's pick %+v, payoff %v, information %+v", p, us.Payoff, us.Information)
	}

	ru := holder(t, w, "ru")
	if ru.Promised != 12 || ru.Missed != 0 || !reflect.DeepEqual(ru.Pick.RejectedBy, []string{"ua"}) {
		t.Errorf("ru: promised %d, missed %d, pick %+v", ru.Promised, ru.Missed, ru.Pick)
	}
	if iv := ru.Information[0]; iv.About != "ua" || iv.Zone != 22 || !approx(ru.Payoff, 0.815) || !approx(iv.Payoff, 0.89) || !approx(iv.Value, 0.075) {
		t.Errorf("ru's value of knowing Ukraine: payoff %v, %+v", ru.Payoff, iv)
	}

	eu := holder(t, w, "eu")
	// Its pick (a ceasefire, Donetsk ceded, no guarantees, no troops, the
	// summit, the law): 0.3 + 0.15·0.3 + 0.05·0.8 + 0.05/3 on the
	// coalition's tables, 0.15·0.2 less to Britain and France, 0.05 less to
	// the Commission (its ceasefire weight 0.25).
	const pick = 0.3 + 0.15*0.3 + 0.05*0.8 + 0.05/3 - (2*0.15*0.2+0.05)/6
	if eu.Pick == nil || !approx(eu.Payoff, pick) {
		t.Errorf("eu's pick %+v, payoff %v", eu.Pick, eu.Payoff)
	}
	if eu.Zone != 3 || eu.Missed != 19 || eu.Promised != 0 || eu.Hidden == nil || !approx(eu.Hidden.HolderUtility, 0.3*0.6+0.25+0.15*0.3+0.05*0.8+0.05/3-(0.3*0.2+2*0.15*0.2+0.05*0.6)/6) || !approx(eu.Information[0].Value, eu.Hidden.HolderUtility-pick) {
		t.Errorf("eu: zone %d, missed %d, hidden %+v, information %+v", eu.Zone, eu.Missed, eu.Hidden, eu.Information)
	}
	for _, h := range w.Beliefs.Holders {
		if h.Holder == "ua" {
			t.Error("Ukraine states no belief and faces no bluff: it should not be listed")
		}
	}
}

// TestNoBeliefsNoOutput: the what-if analysis of a scenario without
// beliefs or stances has neither, in JSON nor in text.
func TestNoBeliefsNoOutput(t *testing.T) {
	r, w := whatIfFile(t, "testdata/whatif-redline.yaml", WhatIfOptions{})
	if w.Beliefs != nil || w.Stances != nil {
		t.Fatalf("beliefs %+v, stances %+v", w.Beliefs, w.Stances)
	}
	js, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.writeWhatIf(&b)
	if strings.Contains(string(js), `"beliefs"`) || strings.Contains(string(js), `"stances"`) || strings.Contains(b.String(), "Beliefs") || strings.Contains(b.String(), "stances") {
		t.Errorf("JSON %s\ntext %s", js, b.String())
	}
}

// TestPerceivedZonesKeepConstraints: a constraint binds whatever a party
// believes. Forbidding (high, yes) in beliefs.yaml leaves (mid, yes) the
// one true deal, and the buyer, which believed the seller would take four
// outcomes, now believes it takes three, none wrongly.
func TestPerceivedZonesKeepConstraints(t *testing.T) {
	data, err := os.ReadFile("../scenario/testdata/beliefs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "mediator: chair\n",
		"mediator: chair\nconstraints:\n  - {id: no_high_extra, forbid: {price: [high], extra: [\"yes\"]}, assumption: {why: a test}}\n", 1)
	s, err := scenario.Parse([]byte(text), "beliefs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WhatIfAnalysis(WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	w := r.WhatIf
	if w.Beliefs.TrueZone != 1 {
		t.Errorf("true zone %d, want 1", w.Beliefs.TrueZone)
	}
	b := holder(t, w, "buyer")
	if s := other(t, b, "seller"); s.Believed != 3 || s.Accepts != 3 || s.WronglyAccepted != 0 {
		t.Errorf("buyer's view of the seller: %+v", s)
	}
	if b.Zone != 1 || b.Promised != 0 {
		t.Errorf("buyer: zone %d, promised %d", b.Zone, b.Promised)
	}
}
