package session

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// domainsDir finds ../shared/domains next to the module root, or skips.
func domainsDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("go.mod not found above the test directory")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "domains")
	if _, err := os.Stat(d); err != nil {
		tb.Skipf("reference domains not found at %s (they live in ../shared/domains next to the repository); skipping", d)
	}
	return d
}

// loadDomain builds a scenario from a domain's expected.json, which lists
// every issue and every party's weights and normalised Genius evaluations,
// so these tests do not depend on the XML importer.
func loadDomain(tb testing.TB, name string) *scenario.Scenario {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(domainsDir(tb), name, "expected.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var ex struct {
		Domain string `json:"domain"`
		Issues []struct {
			Name       string   `json:"name"`
			Type       string   `json:"type"`
			Values     []string `json:"values"`
			Lowerbound int      `json:"lowerbound"`
			Upperbound int      `json:"upperbound"`
		} `json:"issues"`
		Parties []struct {
			Profile     string      `json:"profile"`
			Weights     []float64   `json:"weights"`
			Evaluations [][]float64 `json:"evaluations"`
			Reservation float64     `json:"reservation_value"`
			Discount    float64     `json:"discount_factor"`
		} `json:"parties"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		tb.Fatal(err)
	}
	sc := &scenario.Scenario{Name: ex.Domain}
	for _, is := range ex.Issues {
		iss := scenario.Issue{ID: is.Name, Name: is.Name}
		if is.Type == "integer" {
			iss.Kind, iss.Min, iss.Max = scenario.Integer, float64(is.Lowerbound), float64(is.Upperbound)
		} else {
			for _, v := range is.Values {
				iss.Options = append(iss.Options, scenario.Option{ID: v})
			}
		}
		sc.Issues = append(sc.Issues, iss)
	}
	for _, p := range ex.Parties {
		id := strings.TrimSuffix(p.Profile, filepath.Ext(p.Profile))
		pr := scenario.Preferences{Weights: p.Weights, Reservation: p.Reservation, Discount: p.Discount}
		for _, e := range p.Evaluations {
			pr.Values = append(pr.Values, utility.ValueFunc{Shape: utility.Table, Values: e})
		}
		sc.Parties = append(sc.Parties, scenario.Party{ID: id, Name: id, Role: "party", Prefs: pr})
	}
	return sc
}

func itoa(i int) string { return strconv.Itoa(i) }
