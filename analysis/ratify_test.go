package analysis

import (
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// TestRatificationBodiesInAnalysis (issue 16, finding 7): with a
// parliament and a referendum, the what-if lists one rule per body, a deal
// is ratifiable when the product of its bodies' probabilities reaches the
// bar (brute force), and each deal reports every body's vote and every
// community's.
func TestRatificationBodiesInAnalysis(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/ratify.yaml")
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
	ri := r.WhatIf.Ratify
	if len(ri.Rules) != 2 || ri.Rules[0].Body != "parliament" || ri.Rules[1].Body != "referendum" ||
		!ri.Rules[1].Conditional || ri.Rules[1].Consent != "cross-community consent of west, east" {
		t.Fatalf("rules %+v", ri.Rules)
	}
	rat := s.Parties[0].Ratification
	var zone, ratifiable uint64
	_ = s.Space().Enumerate(0, func(o []int) bool {
		for _, p := range s.Negotiators() {
			u := s.Utility(p)
			if u.Raw(o) < u.Reservation-Tolerance {
				return true
			}
		}
		zone++
		u := s.Utility(0).Raw(o)
		p := 1.0
		for k := range rat.Bodies {
			p *= rat.Bodies[k].Prob(o, u)
		}
		if p >= DefaultMinRatification {
			ratifiable++
		}
		return true
	})
	if ri.Zone != zone || ri.RatifiableZone != ratifiable {
		t.Errorf("zone %d, ratifiable %d; brute force %d, %d", ri.Zone, ri.RatifiableZone, zone, ratifiable)
	}
	ev, err := r.Evaluate(map[string]string{"land": "held", "autonomy": "no"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	pr := ev.Ratification[0]
	if pr.Body != "parliament and referendum" || len(pr.Bodies) != 2 || len(pr.Bodies[1].Communities) != 2 ||
		pr.Bodies[1].Communities[0].Passes || !pr.Bodies[1].Communities[1].Passes {
		t.Fatalf("ratification of (held, no): %+v", pr)
	}
	if want := pr.Bodies[0].Prob * pr.Bodies[1].Prob; pr.Prob != want {
		t.Errorf("party probability %v, want the product %v", pr.Prob, want)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "referendum on some deals, threshold 0.50 and cross-community consent of west, east") {
		t.Errorf("text report:\n%s", b.String())
	}
}

// TestRatificationBodiesSampled: the deputies' own weights are sampled
// and renormalised like a party's, so every sample is valid.
func TestRatificationBodiesSampled(t *testing.T) {
	data, err := os.ReadFile("../scenario/testdata/ratify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := scenario.DecodeFile(data, "ratify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Sensitivity(f, "ratify.yaml", SensitivityOptions{Samples: 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Assumptions) != 1 || rep.Assumptions[0].Path != "parties[0].ratification[0].weights.land" || rep.Valid != 20 {
		t.Errorf("assumptions %+v, valid %d of 20 (%s)", rep.Assumptions, rep.Valid, rep.FirstError)
	}
}
