package forecast

import (
	"github.com/parleyhq/parley/internal/shared"

	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func handProblem() Problem {
	return Problem{
		Dimensions: []Dimension{{Name: "Tax", Anchors: []Anchor{{Value: 0, Label: "none"}, {Value: 50, Label: "half"}, {Value: 100, Label: "full"}}}},
		Actors: []Actor{
			{Name: "A", Capability: 2, Positions: []float64{0}, Saliences: []float64{50}},
			{Name: "B", Capability: 1, Positions: []float64{60}, Saliences: []float64{100}},
			{Name: "C", Capability: 1, Positions: []float64{100}, Saliences: []float64{50}},
		},
	}
}

// TestBaselines checks the closed-form models on hand-worked examples.
func TestBaselines(t *testing.T) {
	p := handProblem()
	two := handProblem()
	two.Actors = two.Actors[:2]
	for _, tc := range []struct {
		name string
		p    Problem
		f    func(Problem) (*Result, error)
		want float64
	}{
		// (2·50·0 + 1·100·60 + 1·50·100) / (100 + 100 + 50) = 11000/250
		{"compromise", p, Compromise, 44},
		// (2·0 + 60 + 100) / 4
		{"mean", p, WeightedMean, 40},
		// weights c·s = 100, 100, 50; half of 250 is first reached at B
		{"median", p, WeightedMedian, 60},
		// 6000 / 200
		{"compromise-2", two, Compromise, 30},
		// weights 100 and 100: exactly half at A, so the midpoint of 0 and 60
		{"median-2", two, WeightedMedian, 30},
	} {
		res, err := tc.f(tc.p)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := res.Forecast[0]; math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
		if len(res.Rounds) != 1 || res.Rounds[0].Forecast[0] != res.Forecast[0] {
			t.Errorf("%s: want one round carrying the forecast", tc.name)
		}
	}
	if _, err := Run(p, "nonsense", Options{}); err == nil || !strings.Contains(err.Error(), "unknown forecast model") {
		t.Errorf("unknown model: err = %v", err)
	}
}

func expectErr(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

const goodCSV = `Test,"A test",3,2,
Actor,Description,Power,P1,S1,P2,S2,
A,first,10,20,30,40,50,
B,second,20,60,40,10,20,
C,third,30,80,10,90,10,
`

// TestBadInput checks every bad input gets a clear, positioned error.
func TestBadInput(t *testing.T) {
	read := func(s string) error {
		_, err := ReadKTABCSV(strings.NewReader(s), "in.csv")
		return err
	}
	if err := read(goodCSV); err != nil {
		t.Fatalf("good CSV: %v", err)
	}
	expectErr(t, read(strings.Replace(goodCSV, "A,first,10,20,30,40,50", "A,first,10,20,60,40,50", 1)),
		"in.csv:3:", "actor A: saliences sum to 110, over 100")
	expectErr(t, read(strings.Replace(goodCSV, "B,second,20", "B,second,0", 1)), "in.csv:4:", "actor B has no capability")
	expectErr(t, read(strings.Replace(goodCSV, "B,second,20", "B,second,", 1)), "in.csv:4:", "capability is empty")
	expectErr(t, read(strings.Replace(goodCSV, "B,second,20", "B,second,-5", 1)), "in.csv:4:", "negative capability")
	expectErr(t, read(strings.Replace(goodCSV, "B,second,20", "B,second,NaN", 1)), "in.csv:4:", "not a finite number")
	expectErr(t, read(strings.Replace(goodCSV, "C,third,30,80", "C,third,30,180", 1)), "in.csv:5:", "position 180", "outside 0–100")
	expectErr(t, read(strings.Replace(goodCSV, "C,third,30,80", "C,third,30,eighty", 1)), "in.csv:5:", `"eighty" is not a number`)
	expectErr(t, read(strings.Replace(goodCSV, "C,third,30,80,10,90,10,", "C,third,30,80,10,90", 1)), "in.csv:5:", "actor row has 6 fields; want 7")
	expectErr(t, read(strings.Replace(goodCSV, ",3,2,", ",4,2,", 1)), "declares 4 actors but 3 actor rows follow")
	expectErr(t, read("x,y\n"), "in.csv")
	// several problems at once
	err := read(strings.Replace(strings.Replace(goodCSV, "B,second,20", "B,second,0", 1), "C,third,30,80", "C,third,30,180", 1))
	expectErr(t, err, "in.csv:4:", "in.csv:5:")

	// fewer than 3 actors for SMP
	p := handProblem()
	p.Actors = p.Actors[:2]
	_, err = SMP(p, SMPParams{})
	expectErr(t, err, "SMP needs at least 3 actors with positive salience, got 2")
	_, err = Run(p, "smp", Options{})
	expectErr(t, err, "SMP needs at least 3 actors")
	p.Actors = p.Actors[:1]
	_, err = EUM(p, EUMParams{})
	expectErr(t, err, "EUM needs at least 2 actors, got 1")

	// saliences over 100 in sum, no capability, NaN, zero salience, via the API
	p = handProblem()
	p.Dimensions = append(p.Dimensions, Dimension{Name: "Spend"})
	for i := range p.Actors {
		p.Actors[i].Positions = append(p.Actors[i].Positions, 50)
		p.Actors[i].Saliences = append(p.Actors[i].Saliences, 10)
	}
	p.Actors[1].Saliences[1] = 5 // B: 100 + 5
	p.Actors[2].Capability = 0
	p.Actors[0].Positions[1] = math.NaN()
	for _, model := range ModelNames() {
		_, err := Run(p, model, Options{})
		expectErr(t, err, "actor B: saliences sum to 105, over 100", "actor C has no capability", `actor A: position NaN on dimension "Spend"`)
	}
	p = handProblem()
	p.Actors[0].Saliences[0] = 0
	_, err = SMP(p, SMPParams{})
	expectErr(t, err, "SMP needs at least 3 actors with positive salience, got 2 (1 of the 3 actors have zero salience and take no part)")
	p.Actors[1].Positions = nil
	_, err = Compromise(p)
	expectErr(t, err, "actor B has 0 positions for 1 dimensions")
	p = handProblem()
	for i := range p.Actors {
		p.Actors[i].Saliences[0] = 0
	}
	_, err = Compromise(p)
	expectErr(t, err, "no actor has positive weight")
	_, err = SMP(handProblem(), SMPParams{VotingRule: "Majority"})
	expectErr(t, err, `VotingRule: unknown value "Majority"`)
	_, err = EUM(handProblem(), EUMParams{StatusQuoChange: 2})
	expectErr(t, err, "StatusQuoChange")
}

func TestReadXMLErrors(t *testing.T) {
	read := func(s string) error {
		_, err := ReadKTABXML(strings.NewReader(s), "in.xml")
		return err
	}
	expectErr(t, read("<Scenario><name>x</name>"), "in.xml:1:", "XML syntax error")
	expectErr(t, read("<Other/>"), "root element is <Other>")
	const doc = `<Scenario>
  <name>X</name><desc>d</desc><prngSeed>1</prngSeed>
  <Dimensions><dName>D1</dName></Dimensions>
  <Actors>
    <Actor><name>A</name><description/><capability>1</capability>
      <Position><dCoord>10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
    <Actor><name>B</name><description/><capability>abc</capability>
      <Position><dCoord></dCoord></Position><Salience><dSal>50</dSal><dSal>5</dSal></Salience></Actor>
  </Actors>
</Scenario>`
	expectErr(t, read(doc), `in.xml:7: <capability> "abc" is not a number`, "in.xml:8: <dCoord> is empty", "in.xml:8: actor B has 2 <dSal> for 1 dimensions")
	if sh := sharedDirOK(); sh != "" {
		// smpExample.xml leaves Alice's first coordinate empty (KTAB rejects it too)
		_, err := LoadFile(filepath.Join(sh, "ktab", "smpExample.xml"))
		expectErr(t, err, "smpExample.xml:32: <dCoord> is empty")
	}
}

// sharedDirOK returns ../shared/forecast, or "" when it is absent.
func sharedDirOK() string {
	if p, ok := shared.Path("forecast"); ok {
		return p
	}
	return ""
}

// TestXMLParameters reads <ModelParameters> and <IdealAdjustment>.
func TestXMLParameters(t *testing.T) {
	const doc = `<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
  <name>X</name><desc>d</desc><prngSeed>1</prngSeed>
  <ModelParameters><VictoryProbModel>Square</VictoryProbModel><PCEModel>MarkovUniform</PCEModel>
  <StateTransitions>Deterministic</StateTransitions><VotingRule>PropBin</VotingRule><BigRAdjust>Half</BigRAdjust>
  <BigRRange>Max</BigRRange><ThirdPartyCommit>FullCommit</ThirdPartyCommit><InterVecBrgn>S1P1</InterVecBrgn>
  <BargnModel>InitRcvrInterp</BargnModel></ModelParameters>
  <Dimensions><dName>D1</dName><dName>D2</dName></Dimensions>
  <Actors>
    <Actor><name>A</name><description>a</description><capability>10</capability>
      <Position><dCoord>10</dCoord><dCoord>80</dCoord></Position><Salience><dSal>50</dSal><dSal>20</dSal></Salience></Actor>
    <Actor><name>B</name><description>b</description><capability>20</capability>
      <Position><dCoord>60</dCoord><dCoord>30</dCoord></Position><Salience><dSal>40</dSal><dSal>40</dSal></Salience></Actor>
    <Actor><name>C</name><description>c</description><capability>15</capability>
      <Position><dCoord>90</dCoord><dCoord>50</dCoord></Position><Salience><dSal>30</dSal><dSal>60</dSal></Salience></Actor>
  </Actors>
  <IdealAdjustment><iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>A</referencePos><adjust>0.5</adjust></iaPair></IdealAdjustment>
</Scenario>`
	p, err := ReadKTABXML(strings.NewReader(doc), "x.xml")
	if err != nil {
		t.Fatal(err)
	}
	if p.SMP == nil || p.SMP.VictoryProb != VPMSquare || p.SMP.BargnModel != InitRcvrInterp {
		t.Fatalf("parameters = %+v", p.SMP)
	}
	if p.Accommodation[0][0] != 0.5 || p.Accommodation[1][1] != 1 {
		t.Fatalf("accommodation = %v", p.Accommodation)
	}
	res, err := Run(p, "smp", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Label, "Square") {
		t.Errorf("label %q does not name the parameters", res.Label)
	}
	// every option combination runs without error on a small problem
	for _, par := range []SMPParams{
		{VictoryProb: VPMBinary, PCE: PCEMarkovIncentive, VotingRule: VRASymProsp, BargnModel: PWCompInterp, InterVecBrgn: S2PMax},
		{VictoryProb: VPMOctic, VotingRule: VRCubic, BigRAdjust: RAFull, BigRRange: RRMin, ThirdPartyCommit: NoCommit},
		{VictoryProb: VPMQuartic, VotingRule: VRBinary, BigRAdjust: RATwoThirds, StateTransitions: Stochastic, Seed: 7},
		{VotingRule: VRPropCbc, BigRAdjust: RANo},
	} {
		if _, err := SMP(p, par); err != nil {
			t.Errorf("%+v: %v", par, err)
		}
	}
}

// TestSMPFastPathIdentical checks the specialised challenge evaluation gives
// bit-identical results to the general one.
func TestSMPFastPathIdentical(t *testing.T) {
	p, err := LoadFile(filepath.Join(sharedDir(t), "ktab", "SOE-Pol-Comp.csv"))
	if err != nil {
		t.Fatal(err)
	}
	m := newSMPModel(&p, DefaultSMPParams())
	st := m.initialState(&p)
	fs := newFastScratch(st, m.n)
	for i := range m.n {
		for j := range m.n {
			if i == j {
				continue
			}
			p1, d1 := m.probEduChlg(st, i, i, i, j)
			p2, d2 := m.probEduChlgFast(st, fs, i, j)
			if p1 != p2 || d1 != d2 {
				t.Fatalf("(%d,%d): general (%v, %v), fast (%v, %v)", i, j, p1, d1, p2, d2)
			}
		}
	}
}

// TestEUMDifferences tests each deliberate difference from the replication.
func TestEUMDifferences(t *testing.T) {
	p := loadEmission(t)
	base, err := EUM(p, EUMParams{})
	if err != nil {
		t.Fatal(err)
	}
	// Capitulation: off by default (the replication's test never fires); on, it does.
	for _, rd := range base.Rounds {
		for _, o := range rd.Offers {
			if o.Type == "capitulation" {
				t.Fatalf("round %d: capitulation offer with the default parameters", rd.Round)
			}
		}
	}
	capit, err := EUM(p, EUMParams{Capitulation: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rd := range capit.Rounds {
		for _, o := range rd.Offers {
			if o.Type == "capitulation" {
				n++
				if !(o.EUProposer > 0 && o.EUReceiver < 0 && o.EUProposer < math.Abs(o.EUReceiver)) {
					t.Errorf("capitulation offer %+v breaks a < 0 < b < |a|", o)
				}
			}
		}
	}
	if n == 0 {
		t.Error("Capitulation: true produced no capitulation offer")
	}
	// Q < 1 includes the (1−Q)(T·U_b + (1−T)·U_w) term and changes the run.
	q, err := EUM(p, EUMParams{StatusQuoChange: 0.5, ChangeForWorse: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if equalTrajectories(q, base) {
		t.Error("StatusQuoChange = 0.5 gave the Q = 1 trajectory")
	}
	// Early stop: with no offers the run ends (here R = 0: everyone agrees).
	same := handProblem()
	for i := range same.Actors {
		same.Actors[i].Positions[0] = 40
	}
	res, err := EUM(same, EUMParams{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || len(res.Rounds) != 1 || res.Forecast[0] != 40 {
		t.Errorf("unanimous problem: converged %v after %d rounds, forecast %v", res.Converged, len(res.Rounds)-1, res.Forecast)
	}
	// Rounds caps the run.
	short, err := EUM(p, EUMParams{Rounds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(short.Rounds) != 4 || short.Rounds[3].Positions[1][0] != base.Rounds[3].Positions[1][0] {
		t.Errorf("Rounds: 3 gave %d rounds", len(short.Rounds)-1)
	}
}

func equalTrajectories(a, b *Result) bool {
	if len(a.Rounds) != len(b.Rounds) {
		return false
	}
	for t := range a.Rounds {
		for i := range a.Rounds[t].Positions {
			for d := range a.Rounds[t].Positions[i] {
				if a.Rounds[t].Positions[i][d] != b.Rounds[t].Positions[i][d] {
					return false
				}
			}
		}
	}
	return true
}

func TestSMPSmallAndMultiDimEUM(t *testing.T) {
	p := handProblem()
	res, err := SMP(p, SMPParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rounds) < 2 || res.Rounds[0].WinProb == nil || res.Rounds[1].Stopping == nil {
		t.Fatalf("result lacks trajectory fields: %+v", res)
	}
	for _, rd := range res.Rounds {
		for _, v := range rd.WinProb {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("round %d: win probability %v", rd.Round, v)
			}
		}
	}
	// everyone agrees: SMP stops at once, risk neutral, position unchanged
	for i := range p.Actors {
		p.Actors[i].Positions[0] = 40
	}
	res, err = SMP(p, SMPParams{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || res.Forecast[0] != 40 {
		t.Errorf("unanimous SMP: %+v", res)
	}
	// multi-dimensional EUM runs per dimension with offers labelled by dimension
	if sh := sharedDirOK(); sh != "" {
		q, err := LoadFile(filepath.Join(sh, "ktab", "SOE-Pol-Comp.csv"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := EUM(q, EUMParams{})
		if err != nil {
			t.Fatal(err)
		}
		dims := map[int]bool{}
		for _, rd := range r.Rounds {
			for _, o := range rd.Offers {
				dims[o.Dimension] = true
			}
		}
		if len(dims) != 2 {
			t.Errorf("offers on dimensions %v, want both", dims)
		}
	}
}

func TestTextJSON(t *testing.T) {
	p := handProblem()
	for _, model := range ModelNames() {
		res, err := Run(p, model, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := res.WriteTextWithAnchors(&b, p.Dimensions); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{"Forecast", "Tax", "Positions on Tax by round", "nearest anchor"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s text lacks %q:\n%s", model, want, out)
			}
		}
		if model == "smp" && !strings.Contains(out, "Winning probability") {
			t.Errorf("smp text lacks winning probabilities:\n%s", out)
		}
		if (model == "smp" || model == "eum") && !strings.Contains(out, "Stopping measure") {
			t.Errorf("%s text lacks the stopping measure:\n%s", model, out)
		}
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var back Result
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		if back.Model != model || len(back.Rounds) != len(res.Rounds) || !strings.Contains(string(js), `"positions"`) {
			t.Errorf("%s JSON round trip: %s", model, js)
		}
	}
}
