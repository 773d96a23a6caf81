package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestFlagshipGolden pins what parley prints for the flagship scenario:
// validate, analyze (with and without what-if), sessions under each
// protocol and forecasts. The docs quote these files; -update rewrites them.
func TestFlagshipGolden(t *testing.T) {
	const flagship = "../../examples/ukraine-2025.yaml"
	// The article lives beside the repository, outside the scenario's
	// folder, so --sources allows it; without it parley warns that it
	// cannot check the quotes, and the outputs differ.
	sources := filepath.Dir(shared.Dir(t, "seed"))
	cases := []struct {
		name string
		args []string
	}{
		{"validate", []string{"validate", "--provenance", "--sources", sources, flagship}},
		{"analyze", []string{"analyze", "--sources", sources, flagship}},
		{"analyze-what-if", []string{"analyze", "--sources", sources, flagship, "--what-if", "--samples", "1000"}},
		{"run-default", []string{"run", flagship, "--lines", "300"}},
		{"run-linear", []string{"run", flagship, "-n", "linear", "--anticipate-ratification"}},
		{"run-amop", []string{"run", flagship, "-n", "conceder,boulware,conceder", "-p", "amop"}},
		{"run-shuttle", []string{"run", flagship, "-n", "conceder,conceder,conceder", "-p", "shuttle"}},
		{"run-mediated", []string{"run", flagship, "-n", "linear,micro,conceder", "-p", "mediated", "-m", "hillclimb"}},
		{"forecast-smp", []string{"forecast", flagship}},
		{"forecast-eum", []string{"forecast", flagship, "--model", "eum"}},
		{"forecast-all", []string{"forecast", flagship, "--model", "all"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(c.args...)
			got := "$ parley " + strings.Join(c.args, " ") + "\n" + out + errs
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, got)
			}
			// Quote the command as a reader in the repository root types it.
			got = strings.ReplaceAll(got, "../../examples/", "examples/")
			golden(t, "flagship-"+c.name+".txt", strings.ReplaceAll(got, sources, "../shared"))
		})
	}
}

// golden compares got with testdata/golden/name, or rewrites the file
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/parley -run Golden -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended):\n%s", path, got)
	}
}

// TestFlagshipTournamentGolden pins the summary of the flagship tournament
// (examples/tournament-ukraine.yaml) with and without anticipating the
// referendum; docs/flagship.md quotes both.
func TestFlagshipTournamentGolden(t *testing.T) {
	shared.Dir(t, "seed")
	for _, c := range []struct{ name, from, to string }{
		{"tournament", "", ""},
		{"tournament-no-anticipation", "anticipate_ratification: true", "anticipate_ratification: false"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var edits []string
			if c.from != "" {
				edits = []string{c.from, c.to}
			}
			spec := shared.FlagshipTournament(t, edits...)
			db := filepath.Join(filepath.Dir(spec), "tournament-ukraine.db")
			if code, _, errs := runCLI("tournament", spec, "--db", db); code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			code, out, errs := runCLI("tournament", "report", db)
			if code != 0 {
				t.Fatalf("report: exit %d: %s", code, errs)
			}
			golden(t, "flagship-"+c.name+".txt", "$ parley tournament report tournament-ukraine.db\n"+out)
			// The JSON report gives both rates: without anticipation 275
			// deals are signed and the referendum voids every one
			// (tournament/store's TestStatusesStored checks, on a smaller
			// run, that each stored status is the one session.Run gives).
			code, js, errs := runCLI("tournament", "report", db, "--json")
			var sum struct {
				Overall struct {
					Agreement float64 `json:"agreement_rate"`
					Binding   float64 `json:"binding_rate"`
				}
			}
			if err := json.Unmarshal([]byte(js), &sum); code != 0 || err != nil {
				t.Fatalf("report --json: exit %d, %v: %s", code, err, errs)
			}
			if c.from != "" && (sum.Overall.Agreement != 275.0/1600 || sum.Overall.Binding != 0) {
				t.Errorf("agreement %v, binding %v; want 275/1600 and 0", sum.Overall.Agreement, sum.Overall.Binding)
			}
			if c.from == "" && sum.Overall.Binding != sum.Overall.Agreement {
				t.Errorf("anticipating the referendum: agreement %v, binding %v; want every deal to stand", sum.Overall.Agreement, sum.Overall.Binding)
			}
		})
	}
}
