package forecast

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// withDeaf is p with one more actor, "deaf", that has zero salience on
// every dimension, at the given position on each.
func withDeaf(p Problem, pos float64, capability float64) Problem {
	q := p
	q.Actors = slices.Clone(p.Actors)
	d := Actor{Name: "deaf", Capability: capability}
	for range p.Dimensions {
		d.Positions = append(d.Positions, pos)
		d.Saliences = append(d.Saliences, 0)
	}
	q.Actors = append(q.Actors, d)
	return q
}

// TestSMPZeroSalience: an actor with zero salience used to make SMP refuse
// the whole problem (KTAB divides by Σ s² and aborts). Now it takes no part:
// every other actor moves exactly as in the run without it, it keeps its
// position, its position is no candidate (win probability 0), and the
// forecast is the same.
func TestSMPZeroSalience(t *testing.T) {
	four := handProblem()
	four.Actors = append(four.Actors, Actor{Name: "D", Capability: 3, Positions: []float64{30}, Saliences: []float64{70}})
	cases := []struct {
		name string
		load func(t *testing.T) Problem
	}{
		{"hand", func(*testing.T) Problem { return four }},
		// KTAB's reference run, which SMP reproduces exactly (TestSMPReferenceRuns)
		{"dummyData_3Dim", func(t *testing.T) Problem {
			p, err := LoadFile(filepath.Join(sharedDir(t), "ktab", "dummyData_3Dim.csv"))
			if err != nil {
				t.Fatal(err)
			}
			return p
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.load(t)
			want, err := SMP(p, SMPParams{})
			if err != nil {
				t.Fatal(err)
			}
			// a heavyweight at the edge of the scale: if it pulled, it would show
			q := withDeaf(p, 100, 1000)
			got, err := SMP(q, SMPParams{})
			if err != nil {
				t.Fatalf("SMP refuses an actor with zero salience: %v", err)
			}
			n := len(p.Actors)
			if !reflect.DeepEqual(got.Inactive, []string{"deaf"}) || len(got.Actors) != n+1 || got.Actors[n] != "deaf" {
				t.Fatalf("actors %v, inactive %v", got.Actors, got.Inactive)
			}
			if len(got.Rounds) != len(want.Rounds) || got.Stop != want.Stop || !slices.Equal(got.Forecast, want.Forecast) || !slices.Equal(got.Expected, want.Expected) {
				t.Fatalf("with a deaf actor: %d rounds, %q, forecast %v/%v; without: %d rounds, %q, forecast %v/%v",
					len(got.Rounds), got.Stop, got.Forecast, got.Expected, len(want.Rounds), want.Stop, want.Forecast, want.Expected)
			}
			for r := range want.Rounds {
				g, w := got.Rounds[r], want.Rounds[r]
				if !reflect.DeepEqual(g.Positions[:n], w.Positions) || !slices.Equal(g.WinProb[:n], w.WinProb) ||
					!slices.Equal(g.RiskAttitude[:n], w.RiskAttitude) || !reflect.DeepEqual(g.Stopping, w.Stopping) {
					t.Fatalf("round %d differs from the run without the deaf actor", r)
				}
				if !slices.Equal(g.Positions[n], q.Actors[n].Positions) || g.WinProb[n] != 0 || g.RiskAttitude[n] != 0 {
					t.Fatalf("round %d: the deaf actor is at %v with win probability %v, risk %v", r, g.Positions[n], g.WinProb[n], g.RiskAttitude[n])
				}
			}
		})
	}
}

// TestZeroSalienceNoPull: in every model an actor with zero salience on an
// issue exerts no pull on it: adding one, however strong and wherever it
// stands, leaves the forecast and every other actor's trajectory as they
// were. (The weighted mean used to count it by capability, and EUM let it
// make offers.)
func TestZeroSalienceNoPull(t *testing.T) {
	p := handProblem()
	p.Actors = append(p.Actors, Actor{Name: "D", Capability: 3, Positions: []float64{30}, Saliences: []float64{70}})
	for _, model := range ModelNames() {
		want, err := Run(p, model, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, pos := range []float64{0, 55, 100} {
			got, err := Run(withDeaf(p, pos, 50), model, Options{})
			if err != nil {
				t.Fatalf("%s: %v", model, err)
			}
			n := len(p.Actors)
			if !slices.Equal(got.Forecast, want.Forecast) || len(got.Rounds) != len(want.Rounds) {
				t.Errorf("%s, deaf actor at %g: forecast %v in %d rounds, want %v in %d", model, pos, got.Forecast, len(got.Rounds), want.Forecast, len(want.Rounds))
				continue
			}
			for r := range want.Rounds {
				if !reflect.DeepEqual(got.Rounds[r].Positions[:n], want.Rounds[r].Positions) || got.Rounds[r].Positions[n][0] != pos {
					t.Errorf("%s, deaf actor at %g: round %d positions %v, want %v and the deaf actor still", model, pos, r, got.Rounds[r].Positions, want.Rounds[r].Positions)
				}
				for _, o := range got.Rounds[r].Offers {
					if o.From == n || o.To == n {
						t.Errorf("%s: round %d: the deaf actor takes part in an offer %+v", model, r, o)
					}
				}
			}
			if !reflect.DeepEqual(got.Inactive, []string{"deaf"}) {
				t.Errorf("%s: inactive %v", model, got.Inactive)
			}
		}
	}
}

// saliencesTable is a synthetic backtest in which four of five issues have
// actors with zero salience: SMP used to skip all four; now it skips only
// audit, where two actors remain.
const saliencesTable = `issue,actor,position,salience,capability,outcome
quota,north,20,70,30,35
quota,south,80,40,25,35
quota,east,40,60,20,35
quota,west,100,0,25,35
levy,north,0,50,30,30
levy,south,60,30,25,30
levy,east,30,0,20,30
levy,west,90,20,25,30
levy,centre,50,0,10,30
label,north,10,60,30,60
label,south,70,80,25,60
label,east,90,50,20,60
label,west,50,30,25,60
audit,north,100,0,30,80
audit,south,80,90,25,80
audit,east,,,20,80
audit,west,60,40,25,80
fund,north,40,20,30,45
fund,south,30,10,25,45
fund,east,60,40,20,45
fund,west,50,30,25,45
fund,centre,0,0,10,45
`

// TestBacktestCoverage: every model reports how many of the given issues it
// scored and why it skipped the rest; SMP scores every issue with at least
// three actors of positive salience.
func TestBacktestCoverage(t *testing.T) {
	data, err := ReadBacktest(strings.NewReader(saliencesTable), "sal.csv", ',')
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Backtest(data, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rep.Models {
		wantScored := 5
		var wantSkipped []string
		if m.Model == "smp" {
			wantScored = 4
			wantSkipped = []string{"audit: SMP needs at least 3 actors with positive salience, got 2 (1 of the 3 actors have zero salience and take no part)"}
		}
		if m.Given != 5 || m.Scored != wantScored || !slices.Equal(m.Skipped, wantSkipped) {
			t.Errorf("%s: scored %d of %d, skipped %q; want %d of 5, skipped %q", m.Model, m.Scored, m.Given, m.Skipped, wantScored, wantSkipped)
		}
	}
	// SMP on quota equals SMP on quota without west (salience 0).
	var smpQuota float64
	for _, is := range rep.ByIssue {
		if is.Issue == "quota" {
			smpQuota = is.Forecast["smp"]
		}
	}
	three := data.Issues[0].Problem("")
	three.Actors = three.Actors[:3]
	res, err := SMP(three, SMPParams{})
	if err != nil {
		t.Fatal(err)
	}
	if smpQuota != res.Forecast[0] {
		t.Errorf("smp on quota = %v, without the deaf actor %v", smpQuota, res.Forecast[0])
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"coverage (scored/given)", "smp          " + fmt.Sprintf("%8.2f", rep.Models[3].MAE), "4/5 (80%)", "5/5 (100%)", "smp skipped 1 of 5 issues:\n  audit: SMP needs at least 3 actors with positive salience"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
