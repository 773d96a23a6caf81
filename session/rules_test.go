package session

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

func loadTestdata(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.LoadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func outcomeString(res Result) string {
	var vs []string
	for _, v := range res.Outcome {
		vs = append(vs, v.Issue+"="+v.Value)
	}
	return strings.Join(vs, " ")
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestAgendaVersusPackage: in testdata/agenda.yaml each party cares most
// about a different issue. Linear against linear, 20 rounds (t = r/21):
//
// Package deal: ua's target 0.2 + 0.8(1 − t) reaches 0.7 in round 8
// (t = 8/21, target 0.695), when it offers (later, none), worth 0.7 to
// both; ru's own next offer is then worth 0.7 too, so it accepts: the
// logroll, welfare 1.4.
//
// Agenda (truce, then settlement): in the truce phase the territory is open
// and counts at its mean (0.35 for ua, 0.15 for ru): ua values now/soon/
// later at 0.65/0.5/0.35, ru at 0.15/0.5/0.85. ua's target 0.35 + 0.3(1 − t)
// falls to 0.5 in round 11 (it offers soon); ru's 0.2 + 0.65(1 − t) falls to
// 0.5 in round 12 (t ≥ 0.538), when it accepts soon. The settlement phase
// opens in round 13 (t = 13/21) with ceasefire = soon fixed: ua values
// none/part/ceded at 0.85/0.5/0.15, ru at 0.35/0.5/0.65; ua's target 0.448
// makes it offer part, ru's next offer would be part (target 0.464): agreed
// at once. Issue by issue they split both issues (0.5 each), losing the
// trade.
func TestAgendaVersusPackage(t *testing.T) {
	negs := []string{"linear", "linear"}
	d := protocol.Deadline{Rounds: 20}
	var notes []string
	res, err := Run(Config{Scenario: loadTestdata(t, "agenda.yaml"), Negotiators: negs, Deadline: d,
		OnNote: func(n Note) { notes = append(notes, n.Text) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomeString(res), "ceasefire=soon territory=part"; got != want || res.Status != StatusAgreed || res.Round != 13 {
		t.Errorf("agenda: %s (%s, round %d), want %s in round 13", got, res.Status, res.Round, want)
	}
	if len(res.Phases) != 2 || res.Phases[0].EndRound != 12 || res.Phases[1].StartRound != 13 || !res.Phases[1].Agreed {
		t.Errorf("phases %+v", res.Phases)
	}
	for _, p := range res.Parties {
		if !near(p.Utility, 0.5) {
			t.Errorf("agenda: %s gets %v, want 0.5", p.ID, p.Utility)
		}
	}
	want := "phase truce opens on ceasefire|phase truce agreed: ceasefire = soon|phase settlement opens on territory|phase settlement agreed: territory = part"
	if got := strings.Join(notes, "|"); got != want {
		t.Errorf("notes\n%s\nwant\n%s", got, want)
	}

	sc := loadTestdata(t, "agenda.yaml")
	sc.Agenda = nil
	res, err = Run(Config{Scenario: sc, Negotiators: negs, Deadline: d})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomeString(res), "ceasefire=later territory=none"; got != want || res.Round != 8 || !near(res.SocialWelfare, 1.4) {
		t.Errorf("package: %s round %d welfare %v, want %s in round 8, welfare 1.4", got, res.Round, res.SocialWelfare, want)
	}
}

// TestAgendaFailedPhase: when ru may not concede the ceasefire (soon and
// now cross a red line of ru's), the truce phase fails at the deadline
// and the settlement never opens.
func TestAgendaFailedPhase(t *testing.T) {
	sc := loadTestdata(t, "agenda.yaml")
	ru := &sc.Parties[1]
	ru.RedLines = []utility.RedLine{{ID: "fight_on", Constraint: utility.Constraint{Issues: []int{0}, Allowed: [][]bool{{true, true, false}}}}}
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"linear", "linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusFailedPhase || res.FailedPhase != "truce" || res.Agreed || res.Phases[1].StartRound != 0 {
		t.Errorf("%s failed %q agreed %v phases %+v", res.Status, res.FailedPhase, res.Agreed, res.Phases)
	}
	for _, p := range res.Parties {
		if p.Utility != 0.2 {
			t.Errorf("%s gets %v, want its reservation 0.2", p.ID, p.Utility)
		}
	}
}

// TestPhaseUtility checks the projection by hand: ua in agenda.yaml, with
// the ceasefire settled at later (0), values the territory phase at
// 0.7·e(territory) + 0; with nothing settled, the truce phase at
// 0.3·e(ceasefire) + 0.7·mean(1, 0.5, 0) = 0.3·e + 0.35.
func TestPhaseUtility(t *testing.T) {
	sc := loadTestdata(t, "agenda.yaml")
	u := sc.Utility(0)
	u.RedLines = []utility.RedLine{
		{ID: "combo", Constraint: utility.Constraint{Issues: []int{0, 1}, Allowed: [][]bool{{false, false, true}, {false, false, true}}}},
	}
	truce := phaseUtility(u, []int{0}, []int{0, 0}, []bool{false, false})
	for v, want := range []float64{0.65, 0.5, 0.35} {
		if got := truce.Utility([]int{v}); !near(got, want) {
			t.Errorf("truce %d: %v, want %v", v, got, want)
		}
	}
	if len(truce.RedLines) != 0 {
		t.Error("a red line naming an open issue binds already")
	}
	settle := phaseUtility(u, []int{1}, []int{2, 0}, []bool{true, false})
	if got := settle.Utility([]int{2}); got != utility.Unacceptable {
		t.Errorf("later + ceded crosses the combined red line once later is settled; got %v", got)
	}
	if got := settle.Utility([]int{0}); !near(got, 0.7) {
		t.Errorf("later + none = %v, want 0.7", got)
	}
	escaped := phaseUtility(u, []int{1}, []int{0, 0}, []bool{true, false})
	if len(escaped.RedLines) != 0 {
		t.Error("a red line that the settled ceasefire escapes still binds")
	}
}

// TestRatification: in testdata/referendum.yaml the only deal both accept
// is (ceded, high), reached in round 12; ua's referendum passes with
// probability Φ((0.48 − 0.5)/0.05) = Φ(−0.4). The vote draws from the
// session's own PCG stream: with seed 0 it draws 0.5917 (fails), with seed
// 1 0.0766 (passes).
func TestRatification(t *testing.T) {
	sc := loadTestdata(t, "referendum.yaml")
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	p := 0.5 * math.Erfc(0.4/math.Sqrt2)
	for _, c := range []struct {
		seed   uint64
		status Status
		ua, ru float64
	}{{0, StatusNotRatified, 0.3, 0.35}, {1, StatusRatified, 0.6, 0.7}} {
		res, err := Run(Config{Prepared: prep, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}, Seed: c.seed})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Agreed || outcomeString(res) != "territory=ceded aid=high" || res.Round != 12 {
			t.Fatalf("seed %d: %s round %d", c.seed, outcomeString(res), res.Round)
		}
		draw := rand.New(rand.NewPCG(c.seed, 0x5ea7ed4a11b07e5)).Float64()
		r := res.Ratification
		if len(r) != 1 || r[0].Party != "ua" || !r[0].Required || math.Abs(r[0].Probability-p) > 1e-15 || r[0].Draw != draw || r[0].Passed != (draw < p) {
			t.Errorf("seed %d: ratification %+v, want probability %v and draw %v", c.seed, r, p, draw)
		}
		if res.Status != c.status || res.Parties[0].Utility != c.ua || res.Parties[1].Utility != c.ru {
			t.Errorf("seed %d: %s, utilities %v %v; want %s, %v %v", c.seed, res.Status, res.Parties[0].Utility, res.Parties[1].Utility, c.status, c.ua, c.ru)
		}
	}
	// No vote when the deal keeps the land: a plain agreement.
	sc.Parties[0].Ratification.Bodies[0].When.Allowed[0] = []bool{false, false}
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusAgreed || res.Ratification[0].Required || res.Ratification[0].Probability != 1 {
		t.Errorf("%s %+v", res.Status, res.Ratification)
	}
}

// TestEventOpensDeal: in testdata/events.yaml ru's reservation 0.5 is above
// "part" (0.45), so without the event nobody moves (ru never offers less
// than ceded, ua never accepts ceded). The sanctions of round 5 lower it to
// 0.3; ru's linear target 0.3 + 0.7(1 − t) reaches 0.45 in round 17
// (t ≥ 0.786), when it accepts ua's offer of part.
func TestEventOpensDeal(t *testing.T) {
	var b bytes.Buffer
	res, err := Run(Config{Scenario: loadTestdata(t, "events.yaml"), Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}, Trace: &b})
	if err != nil {
		t.Fatal(err)
	}
	if outcomeString(res) != "territory=part" || res.Round != 17 || len(res.Events) != 1 || res.Events[0].Round != 5 {
		t.Errorf("%s in round %d, events %+v", outcomeString(res), res.Round, res.Events)
	}
	if !near(res.Parties[1].Utility, 0.45) || !near(res.Parties[1].Reservation, 0.3) {
		t.Errorf("ru %+v", res.Parties[1])
	}
	if !strings.Contains(b.String(), `{"type":"event","round":5,"party":"ru","description":"sanctions bite"}`+"\n") {
		t.Errorf("trace lacks the event line:\n%s", b.String())
	}
	if strings.Contains(b.String(), "reservation") || strings.Contains(b.String(), "-0.2") {
		t.Error("the trace shows the event's private numbers")
	}
	sc := loadTestdata(t, "events.yaml")
	sc.Events = nil
	res, err = Run(Config{Scenario: sc, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Agreed || res.Status != StatusNoAgreement {
		t.Errorf("without the event: %s %s", res.Status, outcomeString(res))
	}
}

// TestEventsDropRedLinesAndWeights: rules.yaml's round-5 event drops ua's
// keep_land red line; an event with new weights rebuilds the index.
func TestEventsDropRedLinesAndWeights(t *testing.T) {
	sc := loadSharedRules(t)
	sc.Events = append(sc.Events, scenario.Event{Round: 12, Party: 0, Description: "new priorities", Weights: []float64{1, 0, 0, 0}})
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	cross := []int{0, 1, 0, 0} // ceded without a guarantee
	if got := prep.variants[0][0].u.Utility(cross); got != utility.Unacceptable {
		t.Fatalf("before: %v", got)
	}
	// Events sorted by round: ua's drop (5), ru's sanctions (10), ua's weights (12).
	if got := prep.variants[1][0].u.Utility(cross); !near(got, 0.25) {
		t.Errorf("after dropping keep_land: %v, want 0.25", got)
	}
	if got, want := prep.variants[2][1].u.Reservation, 0.2; !near(got, want) {
		t.Errorf("ru's reservation after the sanctions %v, want %v", got, want)
	}
	if got := prep.variants[3][0].u.Utility(cross); !near(got, 1) || prep.variants[3][0].u.Crosses(cross) >= 0 {
		t.Errorf("new weights: %v", got)
	}
	if prep.variants[3][1] != prep.variants[2][1] {
		t.Error("an event for ua rebuilt ru's index")
	}
}

// TestDelayCost: testdata/delay.yaml splits 10 units of land. Without
// costs, linear against linear meet at 5 in round 14 (the first round
// whose target 0.2 + 0.8(1 − t) ≤ 0.5). With a cost of 0.02 per round each
// sees a reservation of 0.2 − 0.02(20 − r), below 0 until round 11: its
// target is 1 − t, which reaches 0.5 in round 11 (t = 11/21): the deal comes
// three rounds earlier, and each pays 0.02·11 = 0.22. Failing at the
// deadline costs the same per round: two hardliners end with
// 0.2 − 0.02·20 = −0.2.
func TestDelayCost(t *testing.T) {
	d := protocol.Deadline{Rounds: 20}
	res, err := Run(Config{Scenario: loadTestdata(t, "delay.yaml"), Negotiators: []string{"linear"}, Deadline: d})
	if err != nil {
		t.Fatal(err)
	}
	if outcomeString(res) != "land=5" || res.Round != 11 {
		t.Errorf("with costs: %s in round %d, want land=5 in round 11", outcomeString(res), res.Round)
	}
	for _, p := range res.Parties {
		if !near(p.Utility, 0.5-0.22) || !near(p.DelayCost, 0.22) {
			t.Errorf("%s: utility %v, cost %v", p.ID, p.Utility, p.DelayCost)
		}
	}
	sc := loadTestdata(t, "delay.yaml")
	sc.Parties[0].DelayCost, sc.Parties[1].DelayCost = 0, 0
	res, err = Run(Config{Scenario: sc, Negotiators: []string{"linear"}, Deadline: d})
	if err != nil {
		t.Fatal(err)
	}
	if outcomeString(res) != "land=5" || res.Round != 14 || !near(res.Parties[0].Utility, 0.5) {
		t.Errorf("without costs: %s in round %d", outcomeString(res), res.Round)
	}
	res, err = Run(Config{Scenario: loadTestdata(t, "delay.yaml"), Negotiators: []string{"hardliner"}, Deadline: d})
	if err != nil {
		t.Fatal(err)
	}
	if res.Agreed || !near(res.Parties[0].Utility, -0.2) || !near(res.Parties[0].Reservation, 0.2) {
		t.Errorf("no deal: %+v", res.Parties[0])
	}
}

// TestDrift: when ru's alternative improves by 0.03 per round its
// reservation, 0.2 + 0.03r, outruns the split: ru holds out and no deal is
// made; the payoff without a deal is the drifted reservation at the end.
func TestDrift(t *testing.T) {
	sc := loadTestdata(t, "delay.yaml")
	sc.Parties[0].DelayCost, sc.Parties[1].DelayCost = 0, 0
	sc.Parties[1].Drift = 0.03
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Agreed {
		if !near(res.Parties[1].Utility, 0.2+0.03*20) {
			t.Errorf("ru gets %v", res.Parties[1].Utility)
		}
		return
	}
	// A deal, if any, must give ru more than the even split.
	if res.Outcome[0].Value <= "5" {
		t.Errorf("drift did not move the deal towards ru: %s", outcomeString(res))
	}
}

// TestShuttle: the mediator us (with interests: it values a ceasefire now
// most) shuttles between ua and ru with the broker strategy. It learns
// that ru rejects European troops and steers to (now, part, none), the Nash
// point over the acceptable outcomes, worth 0.6/0.5 to ua/ru and 0.85 to
// us; SAOP between the two alone ends at (later, none, none), worth 0.31 to
// us. ru's red line crossings are counted, not traced.
func TestShuttle(t *testing.T) {
	sc := loadTestdata(t, "shuttle.yaml")
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	if got := prep.PartyIDs(); len(got) != 2 || got[0] != "ua" || got[1] != "ru" {
		t.Fatalf("seats %v: the mediator must not negotiate", got)
	}
	var b bytes.Buffer
	res, err := Run(Config{Prepared: prep, Protocol: "shuttle", Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}, Trace: &b})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mediator != "broker" || outcomeString(res) != "ceasefire=now territory=part troops=none" || res.Status != StatusAgreed {
		t.Errorf("shuttle: mediator %q, %s %s", res.Mediator, res.Status, outcomeString(res))
	}
	if !near(res.Parties[0].Utility, 0.6) || !near(res.Parties[1].Utility, 0.5) || !near(res.MediatorParty.Utility, 0.85) {
		t.Errorf("utilities %+v %+v", res.Parties, res.MediatorParty)
	}
	if len(res.Meetings) != 1 || !res.Meetings[0].Held || res.Meetings[0].Deal[0].Value != "now" {
		t.Errorf("meetings %+v", res.Meetings)
	}
	if res.RedLines == nil || res.RedLines.Crossings["ru"] == 0 || *res.RedLines.Blocked {
		t.Errorf("red lines %+v", res.RedLines)
	}
	if !strings.Contains(b.String(), `"type":"joint"`) || strings.Contains(b.String(), "no_nato_troops") {
		t.Error("trace: no joint session, or a red line shown")
	}
	saop, err := Run(Config{Prepared: prep, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if outcomeString(saop) != "ceasefire=later territory=none troops=none" || !near(saop.MediatorParty.Utility, 0.31) {
		t.Errorf("saop: %s, us %v", outcomeString(saop), saop.MediatorParty.Utility)
	}
}

// TestShuttleMeetingDeclined: with ru accepting the summit only if it gets
// 0.9 at the predicted deal (it gets 0.5 at the Nash point), the summit does
// not take place and the shuttle ends when the joint session would open.
func TestShuttleMeetingDeclined(t *testing.T) {
	sc := loadTestdata(t, "shuttle.yaml")
	sc.Meetings[0].Accept[2] = "0.9"
	res, err := Run(Config{Scenario: sc, Protocol: "shuttle", Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Meetings[0].Reason(), "ru declined: its utility at the predicted deal, 0.5, is below 0.9"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	if res.Agreed || res.End != "no joint meeting" || res.Status != StatusNoAgreement {
		t.Errorf("%s %s", res.Status, res.End)
	}
}

// TestMeetingNoZone: in events.yaml (before the sanctions) no outcome is
// acceptable to both, so an invitee with rule zone declines.
func TestMeetingNoZone(t *testing.T) {
	sc := loadTestdata(t, "events.yaml")
	sc.Meetings = []scenario.Meeting{{ID: "summit", Invitees: []int{0, 1}, Accept: []string{"always", "zone"}}}
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	m := prep.Meetings[0]
	if m.Held || m.Reason() != "ru declined: no zone of agreement" || m.Deal != nil || prep.Joint != 0 {
		t.Errorf("%+v: %q", m, m.Reason())
	}
	sc.Meetings[0].Accept = []string{"never", "always"}
	prep, _ = Prepare(sc)
	if prep.Meetings[0].Reason() != "ua declined: never meets" {
		t.Errorf("%q", prep.Meetings[0].Reason())
	}
}

// TestRedLinesBlock: when ua also rules out a deal without European troops,
// the two red lines leave no acceptable outcome, although there would be
// one without them.
func TestRedLinesBlock(t *testing.T) {
	sc := loadTestdata(t, "shuttle.yaml")
	sc.Parties[0].RedLines = []utility.RedLine{{ID: "troops", Constraint: utility.Constraint{Issues: []int{2}, Allowed: [][]bool{{true, false}}}}}
	res, err := Run(Config{Scenario: sc, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Agreed || res.RedLines == nil || res.RedLines.Blocked == nil || !*res.RedLines.Blocked {
		t.Fatalf("%+v", res.RedLines)
	}
	if res.RedLines.Crossings["ua"] == 0 || res.RedLines.Crossings["ru"] == 0 {
		t.Errorf("crossings %v", res.RedLines.Crossings)
	}
}

// needsPublic reports whether strategy name plays only where utility
// functions are public.
func needsPublic(name string) bool {
	sp, err := negotiator.Parse(name)
	return err == nil && sp.Info.Public
}

func loadSharedRules(t testing.TB) *scenario.Scenario {
	return loadTestdata(t, filepath.Join("..", "..", "scenario", "testdata", "rules.yaml"))
}

// TestRedLinesNeverCrossed: no strategy offers, accepts or votes for an
// outcome that crosses its own red lines, under every protocol, with and
// without the agenda of scenario/testdata/rules.yaml (whose red lines,
// events and delay costs all apply).
func TestRedLinesNeverCrossed(t *testing.T) {
	strategies := negotiator.Names(negotiator.RoleParty)
	checked := 0
	for _, agenda := range []bool{false, true} {
		sc := loadSharedRules(t)
		if !agenda {
			sc.Agenda = nil
			sc.PublicUtilities = true // so that ANL's strategies, which need it, play too
		}
		prep, err := Prepare(sc)
		if err != nil {
			t.Fatal(err)
		}
		for _, proto := range []struct{ name, med string }{{"saop", ""}, {"amop", ""}, {"amop-majority", ""}, {"mediated", "hillclimb"}, {"mediated", "broker"}, {"shuttle", "broker"}, {"shuttle", "veto"}} {
			for i, a := range strategies {
				b := strategies[(i+3)%len(strategies)]
				if agenda && (needsPublic(a) || needsPublic(b)) {
					continue // an agenda keeps utility functions private
				}
				var r *Runner
				cfg := Config{Prepared: prep, Protocol: proto.name, Mediator: proto.med, Negotiators: []string{a, b}, Deadline: protocol.Deadline{Rounds: 30},
					OnEvent: func(e protocol.Event) {
						var mine bool
						switch e.Type {
						case protocol.EventOffer:
							mine = true
						case protocol.EventAccept:
							mine = true
						case protocol.EventVote:
							mine = e.Accept
						}
						if !mine || e.Seat < 0 || int(e.Seat) >= 2 {
							return
						}
						checked++
						if u := r.SeatUtility(int(e.Seat), e.Outcome); u == utility.Unacceptable {
							t.Errorf("agenda %v, %s, %s vs %s: %s %s an outcome across its red lines in round %d", agenda, proto.name, a, b, r.SeatName(int(e.Seat)), e.Type, e.Round)
						}
					}}
				r, err = NewRunner(cfg)
				if err != nil {
					t.Fatal(err)
				}
				for seed := range uint64(3) {
					if _, err := r.Play(seed); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d actions checked", checked)
	}
}

// TestRulesZeroAllocations: events, time effects, ratification and the
// shuttle add no allocation per session once the runner is warm.
func TestRulesZeroAllocations(t *testing.T) {
	for _, c := range []struct {
		file, proto string
		negs        []string
	}{
		{"events.yaml", "saop", []string{"linear"}},
		{"delay.yaml", "amop", []string{"boulware", "conceder"}},
		{"referendum.yaml", "saop", []string{"frequency", "micro"}},
		{"shuttle.yaml", "shuttle", []string{"linear", "titfortat"}},
		{"shuttle.yaml", "mediated", []string{"random", "boulware"}},
	} {
		allocs := allocsPerSession(t, Config{Scenario: loadTestdata(t, c.file), Protocol: c.proto, Negotiators: c.negs, Deadline: protocol.Deadline{Rounds: 30}})
		if allocs != 0 {
			t.Errorf("%s %s %v: %v allocations per session", c.file, c.proto, c.negs, allocs)
		}
	}
}

var ruleGoldens = []struct {
	name, file, proto string
	negs              []string
	rounds            int
	seed              uint64
}{
	{"agenda_linear-linear", "agenda.yaml", "saop", []string{"linear", "linear"}, 20, 0},
	{"referendum_not-ratified_seed0", "referendum.yaml", "saop", []string{"linear", "linear"}, 20, 0},
	{"event_sanctions", "events.yaml", "saop", []string{"linear", "linear"}, 20, 0},
	{"shuttle_broker_linear-linear", "shuttle.yaml", "shuttle", []string{"linear", "linear"}, 20, 0},
}

// TestRuleGoldens pins the traces of the rules' sessions byte for byte.
func TestRuleGoldens(t *testing.T) {
	for _, c := range ruleGoldens {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if _, err := Run(Config{Scenario: loadTestdata(t, c.file), Protocol: c.proto, Negotiators: c.negs,
				Deadline: protocol.Deadline{Rounds: c.rounds}, Seed: c.seed, Trace: &b}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "rules_"+c.name+".jsonl", b.Bytes())
		})
	}
}

// TestAgendaZeroAllocations: agenda sessions build each phase's
// preferences once per Prepared (phaseCache), so a warm runner allocates
// nothing, anticipating ratification or not, on the flagship too.
func TestAgendaZeroAllocations(t *testing.T) {
	flagship, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		sc    *scenario.Scenario
		proto string
		negs  []string
		anti  bool
	}{
		{"agenda", loadTestdata(t, "agenda.yaml"), "saop", []string{"linear"}, false},
		{"agenda", loadTestdata(t, "agenda.yaml"), "amop", []string{"boulware", "conceder"}, false},
		// A timed truce phase: preferences that change every round.
		{"truce", loadTestdata(t, "truce.yaml"), "saop", []string{"boulware", "conceder"}, false},
		{"summit", loadTestdata(t, "summit.yaml"), "saop", []string{"linear"}, false},
		{"flagship", flagship, "saop", []string{"boulware", "boulware", "conceder"}, false},
		{"flagship", flagship, "saop", []string{"boulware", "boulware", "conceder"}, true},
		{"flagship", flagship, "shuttle", []string{"conceder"}, false},
		{"flagship", flagship, "mediated", []string{"linear", "micro", "conceder"}, true},
	} {
		cfg := Config{Scenario: c.sc, Protocol: c.proto, Negotiators: c.negs, Deadline: protocol.Deadline{Rounds: 60}, AnticipateRatification: c.anti}
		if c.proto == "mediated" {
			cfg.Mediator = "hillclimb"
		}
		if allocs := allocsPerSession(t, cfg); allocs != 0 {
			t.Errorf("%s %s %v anticipate %v: %v allocations per session", c.name, c.proto, c.negs, c.anti, allocs)
		}
	}
}

// TestPhaseCacheSameTrace: a session played with phase preferences built
// by earlier sessions (a warm cache) gives the same trace as on a fresh
// Prepared.
func TestPhaseCacheSameTrace(t *testing.T) {
	flagship, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, anti := range []bool{false, true} {
		cfg := Config{Scenario: flagship, Protocol: "shuttle", Negotiators: []string{"boulware", "linear", "conceder"}, Deadline: protocol.Deadline{Rounds: 60}, AnticipateRatification: anti}
		trace := func(prep *Prepared, warm int) []byte {
			c := cfg
			c.Prepared = prep
			r, err := NewRunner(c)
			if err != nil {
				t.Fatal(err)
			}
			for s := range warm {
				if _, err := r.Play(uint64(1000 + s)); err != nil {
					t.Fatal(err)
				}
			}
			var b bytes.Buffer
			r.SetTrace(&b)
			if _, err := r.Play(7); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}
		fresh, err := Prepare(flagship)
		if err != nil {
			t.Fatal(err)
		}
		warm, err := Prepare(flagship)
		if err != nil {
			t.Fatal(err)
		}
		a, b := trace(fresh, 0), trace(warm, 50)
		if warm.proj.n == 0 {
			t.Fatal("the warm Prepared cached no phase")
		}
		if !bytes.Equal(a, b) {
			t.Errorf("anticipate %v: the trace differs with a warm phase cache", anti)
		}
	}
}

// TestPhaseCacheBound: past maxPhaseCache entries, values are built each
// time and still returned.
func TestPhaseCacheBound(t *testing.T) {
	var c phaseCache[int]
	u := &utility.Additive{}
	builds := 0
	build := func(v int) func() (int, error) { return func() (int, error) { builds++; return v, nil } }
	for i := range maxPhaseCache + 10 {
		if v, _ := c.get(u, phaseKey(nil, i, nil, nil), build(i)); v != i {
			t.Fatalf("entry %d: got %d", i, v)
		}
	}
	if c.n != maxPhaseCache {
		t.Errorf("%d entries kept, want %d", c.n, maxPhaseCache)
	}
	builds = 0
	c.get(u, phaseKey(nil, 3, nil, nil), build(-1))
	if v, _ := c.get(u, phaseKey(nil, maxPhaseCache+5, nil, nil), build(42)); v != 42 || builds != 1 {
		t.Errorf("past the bound: got %d after %d builds, want 42 after 1 (the cached entry 3 built none)", v, builds)
	}
}

// TestPayoffExact: a binding deal pays each seat its current utility of
// the outcome, bit for bit (Payoff reads it from the variant's index), and
// a void one its reservation value; both less the delay costs.
func TestPayoffExact(t *testing.T) {
	flagship, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sc     *scenario.Scenario
		negs   []string
		rounds int
		// anticipate: the line-up anticipates ratification
		anticipate bool
	}{
		// The flagship's linear negotiators agree on a partial truce and
		// then a settlement that needs no referendum (its what-if
		// line-up); the other seeds replay it.
		{flagship, []string{"linear"}, 100, true},
		{loadTestdata(t, "referendum.yaml"), []string{"linear"}, 60, false},
		{loadTestdata(t, "events.yaml"), []string{"conceder"}, 60, false},
	} {
		r, err := NewRunner(Config{Scenario: c.sc, Negotiators: c.negs, Deadline: protocol.Deadline{Rounds: c.rounds}, AnticipateRatification: c.anticipate})
		if err != nil {
			t.Fatal(err)
		}
		binding := 0
		for seed := range uint64(40) {
			o, err := r.Play(seed)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]int, r.prep.Space.Issues())
			r.prep.Space.Decode(o.Outcome, buf)
			for m := range r.prep.Seats {
				u, rv, cost := r.Payoff(m)
				want := rv
				if r.Status().Binding() {
					want = r.st.cur[m].u.Utility(buf)
				}
				if math.Float64bits(u) != math.Float64bits(want-cost) {
					t.Fatalf("%s seed %d seat %d (%s): payoff %v, want %v", c.sc.Name, seed, m, r.Status(), u, want-cost)
				}
			}
			if r.Status().Binding() {
				binding++
			}
		}
		if binding == 0 {
			t.Errorf("%s: no binding deal in 40 sessions; the test checks nothing but reservation values", c.sc.Name)
		}
	}
}
