package genius

import (
	"github.com/parleyhq/parley/internal/shared"

	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// domainsDir returns ../shared/domains, or skips.
func domainsDir(t testing.TB) string { return shared.Dir(t, "domains") }

type expected struct {
	Domain       string   `json:"domain"`
	DomainFile   string   `json:"domain_file"`
	Profiles     []string `json:"profiles"`
	IgnoredFiles []string `json:"ignored_files"`
	Issues       []struct {
		Index      int      `json:"index"`
		Name       string   `json:"name"`
		Type       string   `json:"type"`
		Values     []string `json:"values"`
		LowerBound *int     `json:"lowerbound"`
		UpperBound *int     `json:"upperbound"`
	} `json:"issues"`
	NOutcomes float64 `json:"n_outcomes"`
	Parties   []struct {
		Profile          string      `json:"profile"`
		Weights          []float64   `json:"weights"`
		Evaluations      [][]float64 `json:"evaluations"`
		ReservationValue float64     `json:"reservation_value"`
		DiscountFactor   float64     `json:"discount_factor"`
		MinUtility       float64     `json:"min_utility"`
		MaxUtility       float64     `json:"max_utility"`
	} `json:"parties"`
}

const tol = 1e-12

func TestReferenceDomains(t *testing.T) {
	root := domainsDir(t)
	files, _ := filepath.Glob(filepath.Join(root, "*", "expected.json"))
	if len(files) == 0 {
		t.Skipf("no expected.json under %s", root)
	}
	for _, f := range files {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var want expected
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			checkDomain(t, dir, &want)
		})
	}
}

func checkDomain(t *testing.T, dir string, want *expected) {
	sd, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sd.Domain != want.DomainFile {
		t.Errorf("domain file = %q, want %q", sd.Domain, want.DomainFile)
	}
	if !slices.Equal(sd.Profiles, want.Profiles) {
		t.Errorf("profiles = %q, want %q", sd.Profiles, want.Profiles)
	}
	ignored := slices.DeleteFunc(slices.Clone(sd.Ignored), func(s string) bool { return s == "expected.json" })
	if len(ignored) != len(want.IgnoredFiles) || (len(ignored) > 0 && !slices.Equal(ignored, want.IgnoredFiles)) {
		t.Errorf("ignored = %q, want %q", ignored, want.IgnoredFiles)
	}

	s, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Name; got != filepath.Base(dir) {
		t.Errorf("scenario name = %q, want %q", got, filepath.Base(dir))
	}
	if len(s.Parties) != len(want.Profiles) {
		t.Fatalf("%d parties, want %d", len(s.Parties), len(want.Profiles))
	}
	for i, p := range s.Parties {
		id := strings.TrimSuffix(want.Profiles[i], ".xml")
		if p.ID != id || p.Name != id || p.Role != "party" {
			t.Errorf("party %d = {%q %q %q}, want {%q %q party}", i, p.ID, p.Name, p.Role, id, id)
		}
	}
	if len(s.Issues) != len(want.Issues) {
		t.Fatalf("%d issues, want %d", len(s.Issues), len(want.Issues))
	}
	for i, wi := range want.Issues {
		is := s.Issues[i]
		if is.Name != wi.Name || is.ID != wi.Name {
			t.Errorf("issue %d: name %q id %q, want %q", i, is.Name, is.ID, wi.Name)
		}
		switch wi.Type {
		case "discrete":
			if is.Kind != scenario.Discrete {
				t.Errorf("issue %q: kind %v, want discrete", wi.Name, is.Kind)
				continue
			}
			var got []string
			for _, o := range is.Options {
				got = append(got, o.ID)
				if o.Label != o.ID {
					t.Errorf("issue %q: option %q has label %q", wi.Name, o.ID, o.Label)
				}
			}
			if !slices.Equal(got, wi.Values) {
				t.Errorf("issue %q: values %q, want %q", wi.Name, got, wi.Values)
			}
		case "integer":
			if is.Kind != scenario.Integer || wi.LowerBound == nil || wi.UpperBound == nil ||
				is.Min != float64(*wi.LowerBound) || is.Max != float64(*wi.UpperBound) {
				t.Errorf("issue %q: %v [%v, %v], want integer %v..%v", wi.Name, is.Kind, is.Min, is.Max, wi.LowerBound, wi.UpperBound)
			}
		default:
			t.Errorf("issue %q: unexpected type %q in expected.json", wi.Name, wi.Type)
		}
	}
	if got := s.Space().SizeFloat(); got != want.NOutcomes {
		t.Errorf("n_outcomes = %v, want %v", got, want.NOutcomes)
	}
	for p, wp := range want.Parties {
		pr := s.Parties[p].Prefs
		name := wp.Profile
		if !slices.Equal(pr.Weights, wp.Weights) {
			t.Errorf("%s: weights %v, want exactly %v", name, pr.Weights, wp.Weights)
		}
		u := s.Utility(p)
		for i := range s.Issues {
			if len(u.Evals[i]) != len(wp.Evaluations[i]) {
				t.Errorf("%s: issue %q has %d evaluations, want %d", name, s.Issues[i].Name, len(u.Evals[i]), len(wp.Evaluations[i]))
				continue
			}
			for v, w := range wp.Evaluations[i] {
				if got := u.Evals[i][v]; math.Abs(got-w) > tol {
					t.Errorf("%s: issue %q value %s: e = %.17g, want %.17g", name, s.Issues[i].Name, s.Issues[i].Value(v), got, w)
				}
			}
		}
		if pr.Reservation != wp.ReservationValue {
			t.Errorf("%s: reservation %v, want %v", name, pr.Reservation, wp.ReservationValue)
		}
		if pr.Discount != wp.DiscountFactor {
			t.Errorf("%s: discount %v, want %v", name, pr.Discount, wp.DiscountFactor)
		}
		if u.Reservation != wp.ReservationValue || u.Discount != wp.DiscountFactor {
			t.Errorf("%s: compiled reservation/discount %v/%v", name, u.Reservation, u.Discount)
		}
		if got, _ := u.Max(); math.Abs(got-wp.MaxUtility) > tol {
			t.Errorf("%s: max utility %.17g, want %.17g", name, got, wp.MaxUtility)
		}
		if got, _ := u.Min(); math.Abs(got-wp.MinUtility) > tol {
			t.Errorf("%s: min utility %.17g, want %.17g", name, got, wp.MinUtility)
		}
	}
}

// TestOtherDomains loads the folders without expected.json; two are edge
// cases that must fail with a clear message.
func TestOtherDomains(t *testing.T) {
	root := domainsDir(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "expected.json")); err == nil {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			s, err := LoadDir(dir)
			switch e.Name() {
			case "Genius_2nd_hand_car":
				if err == nil {
					t.Fatal("loaded; want Genius's refusal of car_dealer.xml")
				}
				msg := err.Error()
				for _, want := range []string{"car_dealer.xml:88:3", `"Price"`, `type="price"`, "discrete evaluator", "real in the domain", "Genius refuses"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error %q does not mention %q", msg, want)
					}
				}
				if strings.Contains(msg, "car_buyer") {
					t.Errorf("error blames car_buyer.xml, which is valid: %q", msg)
				}
			case "ANAC2014_10issues":
				if err != nil {
					t.Fatal(err)
				}
				if len(s.Parties) != 2 || len(s.Parties[0].Prefs.Terms) == 0 {
					t.Fatalf("%d parties; the first has %d terms", len(s.Parties), len(s.Parties[0].Prefs.Terms))
				}
				sd, err := ScanDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(sd.Ignored, []string{"pareto.xml"}) || !slices.Equal(sd.Profiles, []string{"profile-1.xml", "profile-2.xml"}) {
					t.Errorf("scan = %+v, want pareto.xml ignored", sd)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if len(s.Parties) < 2 || len(s.Issues) == 0 {
					t.Fatalf("%d parties, %d issues", len(s.Parties), len(s.Issues))
				}
				for p := range s.Parties {
					u := s.Utility(p)
					hi, _ := u.Max()
					lo, _ := u.Min()
					if !(lo >= 0 && lo <= hi && hi <= 1) {
						t.Errorf("party %s: utilities in [%v, %v]", s.Parties[p].ID, lo, hi)
					}
				}
			}
		})
	}
	if n == 0 {
		t.Skip("no folder without expected.json")
	}
}
