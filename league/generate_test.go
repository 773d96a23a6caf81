package league

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parleyhq/parley/scenario/negmas"
)

// TestFamilyShares draws 2000 scenarios and checks ANL 2024's mix: 5%
// zero-sum, 20% pies, 5% monotonic, and of the other 70% a quarter curves
// and three quarters piecewise linear, each within four standard errors.
func TestFamilyShares(t *testing.T) {
	const n = 2000
	count := map[Family]int{}
	var steps []int
	for k := range n {
		g := Generate(7, k)
		count[g.Family]++
		steps = append(steps, g.Steps)
		if g.Steps < 10 || g.Steps > 10000 {
			t.Fatalf("scenario %d: %d steps", k, g.Steps)
		}
	}
	for f, p := range map[Family]float64{ZeroSum: 0.05, Pies: 0.20, Monotonic: 0.05, Curve: 0.70 * 0.25, Piecewise: 0.70 * 0.75} {
		got := float64(count[f]) / n
		if se := math.Sqrt(p * (1 - p) / n); math.Abs(got-p) > 4*se {
			t.Errorf("%s: %.3f of the scenarios, want %.3f", f, got, p)
		}
	}
	// Rounds are log-uniform in [10, 10000]: the median near √(10·10000).
	slices.Sort(steps)
	if med := steps[n/2]; med < 250 || med > 400 {
		t.Errorf("median rounds %d, want about 316", med)
	}
}

// TestGeneratedScenarios checks each family's defining property on the
// first scenarios of a league, and that every scenario round-trips
// through its NegMAS folder with public utilities.
func TestGeneratedScenarios(t *testing.T) {
	seen := map[Family]bool{}
	for k := range 60 {
		g := Generate(11, k)
		s := g.Scenario
		seen[g.Family] = true
		if !s.PublicUtilities || len(s.Parties) != 2 {
			t.Fatalf("%s: public %v, %d parties", s.Name, s.PublicUtilities, len(s.Parties))
		}
		st, err := negmas.ComputeStats(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := int(st.Outcomes)
		front := len(st.ParetoUtils)
		for _, tie := range st.ParetoTies {
			front += len(tie.Outcomes) - 1
		}
		switch g.Family {
		case Pies:
			if len(s.Issues) != 3 || !slices.Equal(s.Parties[0].Prefs.Weights, s.Parties[1].Prefs.Weights) {
				t.Errorf("%s: %d issues, weights %v and %v", s.Name, len(s.Issues), s.Parties[0].Prefs.Weights, s.Parties[1].Prefs.Weights)
			}
			for _, is := range s.Issues {
				if is.Size() < 9 || is.Size() > 11 {
					t.Errorf("%s: issue %s has %d values", s.Name, is.ID, is.Size())
				}
			}
		default:
			if len(s.Issues) != 1 || n < 900 || n > 1100 {
				t.Errorf("%s: %d issues, %d outcomes", s.Name, len(s.Issues), n)
			}
		}
		u0, u1 := s.Parties[0].Prefs.Values[0].Values, s.Parties[1].Prefs.Values[0].Values
		switch g.Family {
		case ZeroSum:
			for v := range u0 {
				if math.Abs(u0[v]+u1[v]-1) > 1e-12 {
					t.Fatalf("%s: outcome %d is worth %v + %v", s.Name, v, u0[v], u1[v])
				}
			}
			fallthrough
		case Monotonic:
			// Every outcome is on the frontier (the rational part of it,
			// which is what NegMAS's figures count).
			if rational := int(math.Round(st.RationalFraction * float64(n))); front < rational {
				t.Errorf("%s: %d outcomes on the rational frontier, %d rational", s.Name, front, rational)
			}
		case Curve, Piecewise:
			if hi := int(0.25*float64(n) + 0.5); front > hi {
				t.Errorf("%s: %d outcomes on the frontier, more than 25%%", s.Name, front)
			}
		}
		// Reserved values lie below the Nash point: a deal both prefer to
		// none exists.
		if len(st.NashUtils) == 0 {
			t.Errorf("%s: no Nash point", s.Name)
		}
		for p := range 2 {
			rv := s.Parties[p].Prefs.Reservation
			if rv < 0 || len(st.NashUtils) > 0 && rv >= st.NashUtils[0][p] {
				t.Errorf("%s: party %d's reserved value %v, Nash utility %v", s.Name, p, rv, st.NashUtils)
			}
		}
		if k < 8 {
			dir := filepath.Join(t.TempDir(), s.Name)
			if err := negmas.Write(dir, s, map[string]string{"n_steps": "10"}); err != nil {
				t.Fatal(err)
			}
			f, err := negmas.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !f.Scenario.PublicUtilities || f.Info["n_steps"] != "10" {
				t.Errorf("%s read back: public %v, info %v", s.Name, f.Scenario.PublicUtilities, f.Info)
			}
			for p := range 2 {
				a, b := s.Utility(p), f.Scenario.Utility(p)
				if a.Reservation != b.Reservation || !slices.EqualFunc(a.Table, b.Table, slices.Equal) {
					t.Errorf("%s: party %d differs read back", s.Name, p)
				}
			}
		}
	}
	for _, f := range []Family{ZeroSum, Pies, Monotonic, Curve, Piecewise} {
		if !seen[f] {
			t.Errorf("no %s scenario among the first 60", f)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, _ := negmas.Files(Generate(3, 5).Scenario, nil)
	b, _ := negmas.Files(Generate(3, 5).Scenario, nil)
	c, _ := negmas.Files(Generate(3, 6).Scenario, nil)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two draws of the same scenario", name)
		}
	}
	if bytes.Equal(a["First.yml"], c["First.yml"]) {
		t.Error("scenarios 5 and 6 are the same")
	}
}
