package main

import (
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
	// Without the article beside the repository parley warns that it cannot
	// check the quotes, and the outputs differ.
	shared.Dir(t, "seed")
	cases := []struct {
		name string
		args []string
	}{
		{"validate", []string{"validate", "--provenance", flagship}},
		{"analyze", []string{"analyze", flagship}},
		{"analyze-what-if", []string{"analyze", flagship, "--what-if", "--samples", "1000"}},
		{"run-saop", []string{"run", flagship, "-n", "boulware,boulware,conceder"}},
		{"run-anticipate", []string{"run", flagship, "-n", "boulware,boulware,conceder", "--anticipate-ratification"}},
		{"run-amop", []string{"run", flagship, "-n", "conceder,boulware,conceder", "-p", "amop"}},
		{"run-shuttle", []string{"run", flagship, "-n", "conceder,conceder,conceder", "-p", "shuttle"}},
		{"run-mediated", []string{"run", flagship, "-n", "linear,micro,conceder", "-p", "mediated", "-m", "hillclimb"}},
		{"forecast-smp", []string{"forecast", flagship}},
		{"forecast-eum", []string{"forecast", flagship, "-m", "eum"}},
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
			path := filepath.Join("testdata", "golden", "flagship-"+c.name+".txt")
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
		})
	}
}
