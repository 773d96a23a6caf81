package analysis_test

import (
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
)

// TestOrderingsDiffer (issue 16, finding 2): the what-if analysis compares
// the agenda (a truce first) with the package (talks through the war) on
// what each party ends with, time and the state of the talks counted,
// instead of finding "the same deal either way" by construction. In
// session/testdata/truce.yaml, conceders agree on a partial truce in round
// 7 and on half the land in round 11 (ua 0.5 − 0.09, ru 0.59 − 0.2,
// session's TestTruceStopsCosts); all at once, they agree in round 10 on
// a ceasefire with all the land to ru: ua 0.4 − 0.1, ru 0.85 − 0.2. So ua
// prefers the truce first, ru the package.
func TestOrderingsDiffer(t *testing.T) {
	s, err := scenario.LoadFile("../session/testdata/truce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr := session.Predictor{Config: session.Config{Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 20}}}
	if err := r.WhatIfAnalysis(analysis.WhatIfOptions{Predictor: pr}); err != nil {
		t.Fatal(err)
	}
	o := r.WhatIf.Agenda.Orderings
	if o == nil {
		t.Fatal("no orderings")
	}
	if a := o.Agenda; a.Round != 11 || len(a.Phases) != 2 || a.Phases[0].Round != 7 || a.Phases[0].Settled["ceasefire"] != "The killing stops" || a.Binding != 1 {
		t.Errorf("agenda: %+v", a)
	}
	if p := o.Package; p.Round != 10 || p.Deal["land"] != "All the land" || p.Deal["ceasefire"] != "Ceasefire now" || len(p.Phases) != 0 {
		t.Errorf("package: %+v", p)
	}
	want := [][]float64{{0.5 - 0.09, 0.59 - 0.2}, {0.4 - 0.1, 0.85 - 0.2}}
	for k, p := range []*analysis.Prediction{o.Agenda, o.Package} {
		for i := range want[k] {
			if math.Abs(p.Payoffs[i]-want[k][i]) > 1e-12 {
				t.Errorf("ordering %d, %s: payoff %v, want %v", k, o.Parties[i], p.Payoffs[i], want[k][i])
			}
		}
	}
	if o.Prefers[0].Prefers != analysis.PrefersAgenda || o.Prefers[1].Prefers != analysis.PrefersPackage {
		t.Errorf("prefers %+v", o.Prefers)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"    agenda    phase truce agreed ceasefire=The killing stops in round 7\n",
		"    package   deal signed in round 10, binds with p = 1: ceasefire=Ceasefire now, land=All the land\n",
		"  Each party prefers: ua the agenda (+0.1100), ru the package (-0.2600)\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("the report lacks %q:\n%s", line, b.String())
		}
	}
}

// TestOrderingsSensitivity: over samples of the assumed numbers, time
// costs included, the sensitivity analysis says how often each party
// prefers each ordering; the shares add up to 1 and the costs' ranges are
// sampled only when the orderings are predicted.
func TestOrderingsSensitivity(t *testing.T) {
	data, err := os.ReadFile("../session/testdata/truce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Give the war's costs ranges to sample.
	text := strings.Replace(string(data), "    delay_cost: 0.01\n", "    delay_cost: {value: 0.01, assumption: {why: the war, range: [0, 0.02]}}\n", 1)
	text = strings.Replace(text, "    delay_cost: 0.02\n", "    delay_cost: {value: 0.02, assumption: {why: the war, range: [0.01, 0.04]}}\n", 1)
	f, err := scenario.DecodeFile([]byte(text), "truce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pr := session.Predictor{Config: session.Config{Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 20}}}
	plain, err := analysis.Sensitivity(f, "truce.yaml", analysis.SensitivityOptions{Samples: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Assumptions) != 0 || plain.Orderings != nil {
		t.Errorf("without a predictor: %d assumptions, orderings %v; want none", len(plain.Assumptions), plain.Orderings)
	}
	sr, err := analysis.Sensitivity(f, "truce.yaml", analysis.SensitivityOptions{Samples: 50, Predictor: pr})
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.Assumptions) != 2 || sr.Assumptions[0].Path != "parties[0].delay_cost" {
		t.Errorf("assumptions %+v", sr.Assumptions)
	}
	o := sr.Orderings
	if o == nil || o.Samples != 50 || len(o.Parties) != 2 {
		t.Fatalf("orderings %+v", o)
	}
	for p := range o.Parties {
		if sum := o.Agenda[p] + o.Package[p] + o.Either[p]; math.Abs(sum-1) > 1e-12 {
			t.Errorf("%s: shares sum to %v", o.Parties[p], sum)
		}
	}
	// ru gets all the land in the package: it prefers it far more often
	// than ua, which pays for the war that goes on meanwhile.
	if o.Package[1] < 0.8 || o.Agenda[0] < 0.5 {
		t.Errorf("the package preferred by ru in %v of samples, the agenda by ua in %v", o.Package[1], o.Agenda[0])
	}
	again, err := analysis.Sensitivity(f, "truce.yaml", analysis.SensitivityOptions{Samples: 50, Predictor: pr})
	if err != nil || !slicesEqual(again.Orderings.MeanGain, o.MeanGain) {
		t.Errorf("a second run differs: %v, %v against %v", err, again.Orderings.MeanGain, o.MeanGain)
	}
	// Drawn in parts (as workers draw them, parley analyze --nats), the
	// samples of time come from their own stream at the same place, and
	// the report is the same, preferences and gains included.
	parted, err := analysis.Sensitivity(f, "truce.yaml", analysis.SensitivityOptions{Samples: 50, Predictor: pr,
		Distribute: func(o analysis.SensitivityOptions) ([]*analysis.SensitivityPart, error) {
			var parts []*analysis.SensitivityPart
			for _, cut := range [][2]int{{17, 50}, {0, 1}, {1, 17}} {
				p, err := analysis.SensitivitySamples(f, "truce.yaml", o, cut[0], cut[1])
				if err != nil {
					return nil, err
				}
				parts = append(parts, p)
			}
			return parts, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(parted, sr) {
		t.Errorf("in parts: %+v\nin one run: %+v", parted.Orderings, sr.Orderings)
	}
}

func slicesEqual(a, b []float64) bool {
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

// threshold is a truce talk whose outcome is known by hand. The truce
// phase settles a ceasefire (now or none); the settlement cannot succeed
// (each side's red line forbids the other's land), so the package never
// agrees and the agenda's only possible agreement is the truce, which
// stands. The ceasefire is worth 0.5 to ua and costs ru 0.5 (its weight
// times its value of fighting on); a round at war costs ua 0.01 and ru c,
// a round of ceasefire nothing. In round 1 of 10 a ceasefire is worth to ru
// 0.5 less than fighting on, plus c for each of the 9 rounds left: ru
// offers and accepts it iff 9c > 0.5, c > 1/18, and then the truce of
// round 1 stands: ua gets 1 − 0.01, ru 0 − c, against the status quo's
// 0.5 − 0.1 and 0.5 − 10c without it (the package, or a truce refused);
// ru's gain, 9c − 0.5, is the one it saw. Below 1/18 nothing is agreed
// either way.
const threshold = `parley: 1
name: Threshold
issues:
  - {id: ceasefire, options: [{id: now}, {id: none}]}
  - {id: land, options: [{id: a}, {id: b}]}
status_quo:
  outcome: {ceasefire: none, land: a}
  assumption: {why: the war}
agenda:
  - {id: truce, issues: [ceasefire], stands: true}
  - {id: settlement, issues: [land], after: [truce]}
parties:
  - id: ua
    delay_cost: 0.01
    while: [{agreed: {ceasefire: [now]}, delay_cost: 0}]
    weights: {ceasefire: 0.5, land: 0.5}
    values: {ceasefire: {now: 1, none: 0}, land: {a: 1, b: 0}}
    red_lines: [{id: keep, forbid: {land: [b]}}]
  - id: ru
    delay_cost: {value: 0.08, assumption: {why: the war, range: [0, 0.1]}}
    while: [{agreed: {ceasefire: [now]}, delay_cost: 0}]
    weights: {ceasefire: 0.5, land: 0.5}
    values: {ceasefire: {now: 0, none: 1}, land: {a: 0, b: 1}}
    red_lines: [{id: take, forbid: {land: [a]}}]
`

// TestOrderingsByHand: with ru's cost of a round at war at 0.08 (above
// 1/18), the truce is agreed in round 1 and both prefer the agenda; the
// payoffs are threshold's.
func TestOrderingsByHand(t *testing.T) {
	s, err := scenario.Parse([]byte(threshold), "threshold.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr := session.Predictor{Config: session.Config{Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 10}}}
	if err := r.WhatIfAnalysis(analysis.WhatIfOptions{Predictor: pr}); err != nil {
		t.Fatal(err)
	}
	o := r.WhatIf.Agenda.Orderings
	if a := o.Agenda; len(a.Phases) != 2 || !a.Phases[0].Agreed || a.Phases[0].Round != 1 || a.Standing["ceasefire"] != "now" || a.Binding != 0 {
		t.Errorf("agenda: %+v; want the truce of round 1 standing, no deal", a)
	}
	if p := o.Package; p.Deal != nil || p.Round != 10 {
		t.Errorf("package: %+v; want no deal", p)
	}
	want := [][]float64{{1 - 0.01, 0 - 0.08}, {0.5 - 0.1, 0.5 - 0.8}}
	for k, p := range []*analysis.Prediction{o.Agenda, o.Package} {
		for i := range want[k] {
			if math.Abs(p.Payoffs[i]-want[k][i]) > 1e-12 {
				t.Errorf("ordering %d, %s: payoff %v, want %v", k, o.Parties[i], p.Payoffs[i], want[k][i])
			}
		}
	}
	if o.Prefers[0].Prefers != analysis.PrefersAgenda || o.Prefers[1].Prefers != analysis.PrefersAgenda {
		t.Errorf("prefers %+v, want the agenda both", o.Prefers)
	}
}

// TestOrderingSharesByHand: sampling ru's cost of war uniformly over
// [0, 0.1], both parties prefer the agenda exactly in the samples above
// 1/18, a share of 0.4444, and neither ordering otherwise. 2000 samples
// put the share within 0.03 of it (four standard errors).
func TestOrderingSharesByHand(t *testing.T) {
	f, err := scenario.DecodeFile([]byte(threshold), "threshold.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pr := session.Predictor{Config: session.Config{Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 10}}}
	sr, err := analysis.Sensitivity(f, "threshold.yaml", analysis.SensitivityOptions{Samples: 2000, Seed: 1, Predictor: pr})
	if err != nil {
		t.Fatal(err)
	}
	o := sr.Orderings
	if o == nil || o.Samples != 2000 {
		t.Fatalf("orderings %+v", o)
	}
	const want = (0.1 - 1.0/18) / 0.1
	for p, id := range o.Parties {
		if math.Abs(o.Agenda[p]-want) > 0.03 || o.Package[p] != 0 || math.Abs(o.Agenda[p]+o.Either[p]-1) > 1e-12 {
			t.Errorf("%s prefers the agenda in %v of samples, the package in %v, either in %v; want %.4f, 0 and the rest", id, o.Agenda[p], o.Package[p], o.Either[p], want)
		}
	}
}

// TestFlagshipOrderings (issue 16, must show): on the flagship the what-if
// plays the truce first against talks through the war, with its default
// line-up (linear for every party, ratification anticipated), and finds
// different payoffs. Talks through the war end on the last day with the
// front frozen, nothing ceded in law, no guarantees, Russia's law: worth
// to ua 0.35·0.45 (held) + 0.1·0.2 (no troops) + 0.05·0.3 (no summit) +
// 0.1·1/3 (the law, discounted by Russia's credibility) = 0.225833, less
// 100 days of war (0.2); to ru 0.825 less 29 days at 0.001 and 71 under
// sanctions at 0.003. The Rada passes it with probability P =
// Φ((Φ((0.225833 − 0.19)/0.1) − 0.5)/0.03), 1 − 1.5·10⁻⁶; a void deal
// leaves the war to the deadline (ua: 0.1925 − 100·0.001 of drift − 0.2;
// ru: 0.815 + 0.1 of drift − 0.1 of sanctions − 0.242), so each payoff is
// P·deal + (1 − P)·war. The truce first: Russia, under sanctions since 16
// September, agrees to stop the killings on day 49, and the settlement of
// day 93 freezes the front with paper assurances and no summit (Europe's
// members, each with a veto, accept it; the Article 5-like guarantee that
// Britain and France now back does not get in): 0.225833 + 0.15·0.5
// (partial truce) + 0.25·0.2·(0.8 + 1/3)/2 (assurances, honoured by the US
// and Russia with the mean of their credibilities) = 0.329167 to ua less 49
// days of war and 44 of partial truce (0.001); to ru 0.825 − 0.15·(1 − 0.6)
// (a partial truce) − 0.1·(1 − 0.8) (assurances) = 0.745, less 0.029 + 20·0.003 + 44·0.0005; the Rada passes
// it with probability 1 to double precision. Every party prefers the truce
// first; over sampled assumptions Ukraine and Europe do in most samples.
func TestFlagshipOrderings(t *testing.T) {
	const path = "../examples/ukraine-2025.yaml"
	s, err := scenario.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr := session.Predictor{Config: session.Config{AnticipateRatification: true}}
	if err := r.WhatIfAnalysis(analysis.WhatIfOptions{Predictor: pr}); err != nil {
		t.Fatal(err)
	}
	o := r.WhatIf.Agenda.Orderings
	if a := o.Agenda; len(a.Phases) != 2 || a.Phases[0].Round != 49 || a.Phases[0].Settled["ceasefire"] != "A partial truce: the killings stop" ||
		a.Round != 93 || a.Binding != 1 || a.Deal["territory"] != "The front frozen: Russia holds the occupied land, nothing ceded in law" ||
		a.Deal["guarantees"] != "Paper assurances (Budapest 1994 style)" || a.Deal["summit"] != "No summit" || a.Date != "2025-11-18" {
		t.Errorf("agenda: %+v", a)
	}
	phi := func(x float64) float64 { return 0.5 * (1 + math.Erf(x/math.Sqrt2)) }
	const uaPackage = 0.35*0.45 + 0.1*0.2 + 0.05*0.3 + 0.1/3.0
	rada := phi((phi((uaPackage-0.19)/0.1) - 0.5) / 0.03)
	if p := o.Package; p.Round != 100 || math.Abs(p.Binding-rada) > 1e-12 || p.Deal["ceasefire"] != "Talks go on through the war" ||
		p.Deal["territory"] != "The front frozen: Russia holds the occupied land, nothing ceded in law" || p.Deal["guarantees"] != "No guarantees" {
		t.Errorf("package: %+v", p)
	}
	ua := [2]float64{uaPackage + 0.15*0.5 + 0.25*0.2*(0.8+1.0/3)/2 - 0.002*49 - 0.001*44,
		rada*(uaPackage-0.002*100) + (1-rada)*(0.1925-0.001*100-0.002*100)}
	ru := [2]float64{0.825 - 0.15*(1-0.6) - 0.1*(1-0.8) - 0.001*29 - 0.003*20 - 0.0005*44,
		rada*(0.825-0.001*29-0.003*71) + (1-rada)*(0.815+0.001*100-0.1-0.001*29-0.003*71)}
	for k, p := range []*analysis.Prediction{o.Agenda, o.Package} {
		if math.Abs(p.Payoffs[0]-ua[k]) > 1e-9 || math.Abs(p.Payoffs[1]-ru[k]) > 1e-9 {
			t.Errorf("ordering %d: ua %v, ru %v; want %v, %v", k, p.Payoffs[0], p.Payoffs[1], ua[k], ru[k])
		}
	}
	for _, p := range o.Prefers {
		if p.Prefers != analysis.PrefersAgenda {
			t.Errorf("%s prefers %s (%+.4f)", p.Party, p.Prefers, p.Gain)
		}
	}
	f, err := scenario.DecodeFile(mustRead(t, path), path)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := analysis.Sensitivity(f, path, analysis.SensitivityOptions{Samples: 100, Predictor: pr})
	if err != nil {
		t.Fatal(err)
	}
	// The sanctions' cost of fighting is sampled with the other time effects.
	var paths []string
	for _, a := range sr.Assumptions {
		paths = append(paths, a.Path)
	}
	if !slices.Contains(paths, "events[0].delay_cost") || !slices.Contains(paths, "events[0].reservation_shift") || !slices.Contains(paths, "parties[1].while[1].delay_cost") {
		t.Errorf("sampled %v", paths)
	}
	sh := sr.Orderings
	if sh == nil || sh.Samples != 100 || len(sh.Parties) != 4 {
		t.Fatalf("orderings %+v", sh)
	}
	for p, id := range sh.Parties {
		if sum := sh.Agenda[p] + sh.Package[p] + sh.Either[p]; math.Abs(sum-1) > 1e-12 {
			t.Errorf("%s: shares sum to %v", id, sum)
		}
	}
	if sh.Agenda[0] <= 0.5 || sh.Agenda[2] <= 0.5 {
		t.Errorf("ua prefers the agenda in %v of samples, eu in %v; want most", sh.Agenda[0], sh.Agenda[2])
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
