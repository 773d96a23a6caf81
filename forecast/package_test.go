package forecast

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
)

func loadFlagship(t testing.TB) (*scenario.Scenario, Problem) {
	t.Helper()
	s, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

func assemble(t testing.TB, s *scenario.Scenario, p Problem, model string) *Package {
	t.Helper()
	r, err := Run(p, model, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := Assemble(s, r, 0)
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// TestFlagshipPackage: the flagship's forecasts used to stop at a position
// per issue. Assembled into packages and judged, the compromise forecast
// puts British and French troops in Ukraine (38.29 is nearer 60 than 0),
// which crosses Russia's red line, so Russia rejects it; SMP's puts none
// and gives Russia the occupied land, yet Russia, which holds that land
// and fights on in the status quo (0.815), rejects it too, and Ukraine's
// referendum would reject ceding the land (a yes share of 0.25 against
// 0.5).
func TestFlagshipPackage(t *testing.T) {
	s, p := loadFlagship(t)

	pk := assemble(t, s, p, "compromise")
	want := map[string]string{"ceasefire": "partial", "territory": "held", "guarantees": "article5_like", "troops": "european"}
	if !reflect.DeepEqual(pk.Outcome, want) || !slices.Equal(pk.Open, []string{"summit", "law"}) || pk.Completions != 4 {
		t.Fatalf("compromise package %v, open %v in %d ways", pk.Outcome, pk.Open, pk.Completions)
	}
	if !slices.Equal(pk.Crosses, []string{"ru/no_nato_troops"}) || pk.RedLines[0].CrossedIn != 4 {
		t.Errorf("compromise crosses %v (%+v)", pk.Crosses, pk.RedLines)
	}
	acc := map[string]int{}
	for _, pp := range pk.Parties {
		acc[pp.Party] = pp.AcceptableIn
	}
	if !reflect.DeepEqual(acc, map[string]int{"ua": 4, "ru": 0, "eu": 4}) {
		t.Errorf("compromise acceptable to %v", acc)
	}
	if d := pk.Decision; d.PassesIn != 0 || d.AgreedIn != 0 || d.Rule != "unanimity (all 3 parties)" {
		t.Errorf("compromise decision %+v", d)
	}
	// troops at 38.29: the options sit at 0, 60 and 100
	if is := pk.Issues[3]; is.Issue != "troops" || math.Abs(*is.Forecast-38.29268292682927) > 1e-9 || is.Nearest.Point != 60 || is.Nearest.Label != "British and French troops" {
		t.Errorf("troops %+v %+v", is, is.Nearest)
	}

	pk = assemble(t, s, p, "smp")
	want["territory"], want["troops"] = "occupied", "none"
	if !reflect.DeepEqual(pk.Outcome, want) || len(pk.Crosses) != 0 || pk.RedLines[0].CrossedIn != 0 {
		t.Fatalf("smp package %v crosses %v", pk.Outcome, pk.Crosses)
	}
	// Russia: territory occupied 0.4·0.8 + troops none 0.25·1 + a partial
	// truce 0.15·0.6 + Article 5-like guarantees 0.1·0.2 = 0.68, plus
	// summit and law: at least a summit and no law, 0.05·0.4 + 0.05·0.8 =
	// 0.06, at most none and the law, 0.05·0.7 + 0.05·1 = 0.085. Its
	// reservation value is its status quo: fighting on 0.15, the land held
	// 0.4·0.6, no guarantees 0.1, no troops 0.25, no summit 0.035, no law
	// 0.04: 0.815.
	ru := pk.Parties[1]
	if ru.Party != "ru" || math.Abs(ru.UtilityMin-0.74) > 1e-9 || math.Abs(ru.UtilityMax-0.765) > 1e-9 || math.Abs(ru.Reservation-0.815) > 1e-9 || ru.AcceptableIn != 0 {
		t.Errorf("ru %+v", ru)
	}
	for _, pp := range pk.Parties {
		if pp.Party != "ru" && pp.AcceptableIn != 4 {
			t.Errorf("smp package not acceptable to %+v", pp)
		}
	}
	// Ukraine's votes: its parliament passes the package (worth 0.31 or
	// more to Ukraine, where the deputies' reservations centre on 0.19);
	// the referendum, required when land is ceded, has 1 in 4 say yes and
	// passes with probability Φ((0.25 − 0.5)/0.05) = Φ(−5).
	v := pk.Votes[0]
	if v.Party != "ua" || v.Body != "parliament and referendum" || v.RequiredIn != 4 || v.PassesIn != 0 || v.ShareMin != 0.25 || v.ShareMax != 0.25 ||
		math.Abs(v.ProbMax-2.866515718791939e-7) > 1e-12 {
		t.Errorf("referendum %+v", v)
	}
	if d := pk.Decision; d.PassesIn != 0 || d.RatifiableIn != 0 || d.AgreedIn != 0 || pk.Agreed() {
		t.Errorf("smp decision %+v", d)
	}
	var b bytes.Buffer
	bw := newTestWriter(&b)
	pk.writeText(bw)
	bw.Flush()
	for _, line := range []string{
		"  troops      none           No foreign troops\n",
		"  summit      open: no scale, so no forecast\n",
		"Judged by the scenario's rules however summit, law are settled (4 ways):\n",
		"  red line ru/no_nato_troops (No troops of NATO countries in Ukraine): kept\n",
		"  ru     utility 0.740–0.765, reservation 0.815: NOT acceptable\n",
		"  ua's parliament and referendum: yes share 0.25, passes with probability 0.00: NOT ratified\n",
		"  decision rule, unanimity (all 3 parties): NOT accepted; every required vote passes with probability ≥ 0.50: no\n",
		"  The package is NOT agreed.\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("package text lacks %q:\n%s", line, b.String())
		}
	}
}

// TestPackageAgreesWithAnalysis: the package's verdicts are the analysis's
// (analysis.Report.Evaluate) on each completion: one rule, one place.
func TestPackageAgreesWithAnalysis(t *testing.T) {
	s, p := loadFlagship(t)
	rep, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range ModelNames() {
		pk := assemble(t, s, p, model)
		crossed, accepted, ratified := 0, 0, 0
		for _, summit := range []string{"trilateral", "none"} {
			for _, law := range []string{"yes", "no"} {
				values := map[string]string{"summit": summit, "law": law}
				for k, v := range pk.Outcome {
					values[k] = v
				}
				e, err := rep.Evaluate(values, 0)
				if err != nil {
					t.Fatal(err)
				}
				if len(e.Crosses) > 0 {
					crossed++
				}
				if e.Rational {
					accepted++
				}
				if e.Ratifiable {
					ratified++
				}
			}
		}
		if crossed != pk.RedLines[0].CrossedIn || accepted != pk.Decision.PassesIn || ratified != pk.Decision.RatifiableIn {
			t.Errorf("%s: analysis finds %d crossing, %d acceptable to all, %d ratifiable; the package %+v, %+v",
				model, crossed, accepted, ratified, pk.RedLines, pk.Decision)
		}
	}
}

// quorum is a small scenario: three parties, a quorum of two, a red line,
// an integer issue with a scale and a discrete one without.
const quorum = `parley: 1
name: Quorum
issues:
  - id: rate
    integer: {min: 0, max: 10}
    scale:
      anchors: [{value: 0, label: none}, {value: 100, label: ten}]
  - id: venue
    options: [{id: here}, {id: there}]
decision: {quorum: 2}
parties:
  - id: a
    capability: 50
    positions: {rate: {position: 80, salience: 50}}
    weights: {rate: 0.5, venue: 0.5}
    values: {rate: {linear: {at_min: 0, at_max: 1}}, venue: {here: 1, there: 0}}
    reservation: 0.5
  - id: b
    capability: 30
    positions: {rate: {position: 60, salience: 50}}
    weights: {rate: 0.5, venue: 0.5}
    values: {rate: {linear: {at_min: 0, at_max: 1}}, venue: {here: 0, there: 1}}
    reservation: 0.2
  - id: c
    capability: 20
    positions: {rate: {position: 0, salience: 100}}
    weights: {rate: 1, venue: 0}
    values: {rate: {linear: {at_min: 1, at_max: 0}}, venue: {here: 0, there: 0}}
    red_lines:
      - id: cap
        forbid: {rate: ["5", "6", "7", "8", "9", "10"]}
`

// TestPackageQuorumAndNumeric: a numeric issue's forecast maps to its
// nearest value, shown in its units; an open issue is judged over both its
// options; a quorum accepts what a party rejects.
func TestPackageQuorumAndNumeric(t *testing.T) {
	s, err := scenario.Parse([]byte(quorum), "quorum.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	pk := assemble(t, s, p, "compromise")
	// (50·50·80 + 30·50·60 + 20·100·0) / (2500 + 1500 + 2000) = 290000/6000
	x := 290000.0 / 6000
	is := pk.Issues[0]
	if math.Abs(*is.Forecast-x) > 1e-9 || is.Nearest.Value != "5" || is.Nearest.Point != 50 || math.Abs(*is.Nearest.Units-x/10) > 1e-9 {
		t.Fatalf("rate: forecast %v, nearest %+v (units %v), want 48.33 → 5 (4.833 in units)", *is.Forecast, is.Nearest, *is.Nearest.Units)
	}
	if !slices.Equal(pk.Open, []string{"venue"}) || pk.Completions != 2 {
		t.Fatalf("open %v in %d ways", pk.Open, pk.Completions)
	}
	// rate 5: a 0.25 + venue, b 0.25 + venue, c crosses its red line.
	// here: a 0.75 ≥ 0.5, b 0.25 ≥ 0.2 → a, b accept; there: a 0.25 < 0.5, b 0.75.
	acc := []int{pk.Parties[0].AcceptableIn, pk.Parties[1].AcceptableIn, pk.Parties[2].AcceptableIn}
	if !slices.Equal(acc, []int{1, 2, 0}) || !slices.Equal(pk.Crosses, []string{"c/cap"}) {
		t.Errorf("acceptable in %v, crosses %v", acc, pk.Crosses)
	}
	if d := pk.Decision; d.PassesIn != 1 || d.RatifiableIn != 2 || d.AgreedIn != 1 || pk.Agreed() {
		t.Errorf("decision %+v", d)
	}
	var b bytes.Buffer
	bw := newTestWriter(&b)
	pk.writeText(bw)
	bw.Flush()
	for _, want := range []string{"  rate       5      (the forecast 48.33 is 4.833 in the issue's units)\n", "  venue      open: no scale, so no forecast\n",
		"  red line c/cap: CROSSED\n", "  a      utility 0.250–0.750, reservation 0.500: acceptable in 1 of 2\n",
		"  decision rule, 2 of 3 parties: accepted in 1 of 2;", "  The package is agreed in 1 of 2.\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// TestNearest: the nearest option by scale point, the first of two equally
// near; numbers in the issue's units.
func TestNearest(t *testing.T) {
	d := Dimension{Options: []Anchor{{Value: 0, Label: "No", ID: "no"}, {Value: 40, Label: "Some", ID: "some"}, {Value: 100, Label: "All", ID: "all"}}}
	for _, c := range []struct {
		x    float64
		want string
	}{{0, "no"}, {19.9, "no"}, {20, "no"}, {20.1, "some"}, {70, "some"}, {70.1, "all"}, {100, "all"}} {
		if n, ok := d.Nearest(c.x); !ok || n.Value != c.want {
			t.Errorf("nearest to %v = %+v, want %s", c.x, n, c.want)
		}
	}
	r := Dimension{Numeric: &Numeric{Min: 1, Max: 2, Values: 5}} // 1, 1.25, 1.5, 1.75, 2 at 0, 25, …, 100
	if n, _ := r.Nearest(60); n.Value != "1.5" || n.Point != 50 || *n.Units != 1.6 {
		t.Errorf("real: %+v %v", n, *n.Units)
	}
	for _, c := range []struct {
		x    float64
		want string
	}{{-5, "1"}, {0, "1"}, {12.5, "1"}, {12.6, "1.25"}, {37.5, "1.25"}, {87.6, "2"}, {100, "2"}, {120, "2"}} {
		if n, _ := r.Nearest(c.x); n.Value != c.want {
			t.Errorf("nearest to %v = %s, want %s", c.x, n.Value, c.want)
		}
	}
	if _, ok := (&Dimension{Anchors: []Anchor{{Value: 5, Label: "x"}}}).Nearest(3); ok {
		t.Error("a dimension without options or range has a nearest value")
	}
}

// TestBandsDeterministic: the same seed gives the same bands, another seed
// others; every sample of the flagship is valid; the bands hold the
// forecast's spread; the package's value changes in some samples.
func TestBandsDeterministic(t *testing.T) {
	data, err := os.ReadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := BandOptions{Samples: 60, Seed: 7}
	a, err := SampleBands(data, "ukraine-2025.yaml", []string{"compromise", "smp"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SampleBands(data, "ukraine-2025.yaml", []string{"compromise", "smp"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different bands")
	}
	opts.Seed = 8
	c, err := SampleBands(data, "ukraine-2025.yaml", []string{"compromise", "smp"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Models, c.Models) {
		t.Error("seeds 7 and 8 gave the same bands")
	}
	// 29 of the parties' capabilities, positions and saliences carry an
	// assumed range (the rest are quoted), and 6 of the scale points.
	if len(a.Assumptions) != 35 || a.Valid != 60 || a.Invalid != 0 {
		t.Fatalf("%d assumptions, %d valid and %d invalid samples", len(a.Assumptions), a.Valid, a.Invalid)
	}
	for _, sn := range a.Assumptions {
		if !forecastNumbers.MatchString(sn.Path) || strings.Contains(sn.Path, "weights") {
			t.Errorf("sampled %s", sn.Path)
		}
	}
	for _, mb := range a.Models {
		if mb.Scored != 60 || len(mb.Issues) != 4 {
			t.Fatalf("%s: scored %d, %d issues", mb.Model, mb.Scored, len(mb.Issues))
		}
		for _, ib := range mb.Issues {
			sum := 0.0
			for _, v := range ib.Values {
				sum += v.Share
			}
			if !(ib.Low <= ib.Median && ib.Median <= ib.High && ib.Low < ib.High) || math.Abs(sum-1) > 1e-9 {
				t.Errorf("%s %s: band %v %v %v, shares summing to %v", mb.Model, ib.Issue, ib.Low, ib.Median, ib.High, sum)
			}
		}
		if !(mb.PackageChanged > 0 && mb.PackageChanged < 1) {
			t.Errorf("%s: the package changes in %v of the samples", mb.Model, mb.PackageChanged)
		}
	}
	// compromise is linear in the positions: its band holds its forecast
	for _, ib := range a.Models[0].Issues {
		if !(ib.Low < ib.Forecast && ib.Forecast < ib.High) {
			t.Errorf("compromise %s: forecast %v outside its band %v–%v", ib.Issue, ib.Forecast, ib.Low, ib.High)
		}
	}
}

// TestBandsSalienceCap: sampled saliences that sum over 100 are scaled down
// to 100, so that no sample is lost; a numeric issue's band is also given
// in its units.
func TestBandsSalienceCap(t *testing.T) {
	const yaml = `parley: 1
name: Cap
issues:
  - id: rate
    integer: {min: 0, max: 10}
    scale: {anchors: [{value: 0, label: none}]}
  - id: mode
    options: [{id: rail}, {id: road}]
    scale: {options: {rail: 0, road: 100}}
parties:
  - id: a
    capability: 50
    weights: {rate: 1, mode: 0}
    values: {rate: {linear: {at_min: 0, at_max: 1}}, mode: {rail: 1, road: 0}}
    positions:
      rate: {position: 80, salience: {value: 60, assumption: {why: test, range: [50, 70]}}}
      mode: {position: 0, salience: {value: 40, assumption: {why: test, range: [30, 50]}}}
  - id: b
    capability: 30
    weights: {rate: 1, mode: 0}
    values: {rate: {linear: {at_min: 0, at_max: 1}}, mode: {rail: 1, road: 0}}
    positions: {rate: {position: 20, salience: 50}, mode: {position: 100, salience: 50}}
  - id: c
    capability: {value: 20, assumption: {why: test, range: [10, 30]}}
    weights: {rate: 1, mode: 0}
    values: {rate: {linear: {at_min: 0, at_max: 1}}, mode: {rail: 1, road: 0}}
    positions: {rate: {position: 50, salience: 50}, mode: {position: 60, salience: 50}}
`
	bands, err := SampleBands([]byte(yaml), "cap.yaml", []string{"compromise"}, BandOptions{Samples: 100})
	if err != nil {
		t.Fatal(err)
	}
	if bands.Valid != 100 || bands.Invalid != 0 || len(bands.Assumptions) != 3 {
		t.Fatalf("%d valid, %d invalid (%s), %d assumptions", bands.Valid, bands.Invalid, bands.FirstError, len(bands.Assumptions))
	}
	ib := bands.Models[0].Issues[0]
	if len(ib.Units) != 3 || math.Abs(ib.Units[0]-ib.Low/10) > 1e-12 || math.Abs(ib.Units[2]-ib.High/10) > 1e-12 {
		t.Errorf("rate: band %v–%v, in units %v", ib.Low, ib.High, ib.Units)
	}
}

// TestCompare: every model at once; a model that cannot run says why and
// the others go on.
func TestCompare(t *testing.T) {
	s, p := loadFlagship(t)
	c, err := Compare(p, s, nil, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Models) != len(ModelNames()) {
		t.Fatalf("%d models", len(c.Models))
	}
	for k, m := range c.Models {
		r, _ := Run(p, ModelNames()[k], Options{})
		if m.Model != ModelNames()[k] || !slices.Equal(m.Forecast, r.Forecast) || m.Error != "" {
			t.Errorf("model %d: %s %v, want %s %v", k, m.Model, m.Forecast, ModelNames()[k], r.Forecast)
		}
		if !reflect.DeepEqual(m.Package, assemble(t, s, p, m.Model)) {
			t.Errorf("%s: package differs from Assemble's", m.Model)
		}
	}
	two := handProblem()
	two.Actors = two.Actors[:2] // compromise 30 (TestBaselines), mean (2·0 + 60)/3
	c, err = Compare(two, nil, nil, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  issue      compromise        mean      median         smp         eum\n",
		"  Tax             30.00       20.00       30.00           -       57.91\n",
		"  smp         could not run: SMP needs at least 3 actors with positive salience, got 2\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, b.String())
		}
	}
	if _, err := Compare(two, nil, []string{"oracle"}, Options{}, 0); err == nil {
		t.Error("unknown model accepted")
	}
}

func newTestWriter(b *bytes.Buffer) *bufio.Writer { return bufio.NewWriter(b) }
