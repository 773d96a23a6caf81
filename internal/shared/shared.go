// Package shared locates the reference data that lives beside the
// repository (../shared: the seed article, Genius domains with expected
// figures, forecast reference runs), for tests and benchmarks.
package shared

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Root returns the module root: the first folder at or above the working
// directory that holds go.mod ("" if none does).
func Root() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Path returns the path of ../shared/<elem...> relative to the module root,
// and whether it exists.
func Path(elem ...string) (string, bool) {
	root := Root()
	if root == "" {
		return "", false
	}
	p := filepath.Join(append([]string{root, "..", "shared"}, elem...)...)
	_, err := os.Stat(p)
	return p, err == nil
}

// ScenarioSeeds returns the repository's own scenario files (the worked
// examples of every feature and the flagship), as seeds for fuzz tests.
func ScenarioSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	for _, name := range []string{"scenario/testdata/ok.yaml", "scenario/testdata/rules.yaml",
		"scenario/testdata/spatial.yaml", "scenario/testdata/beliefs.yaml", "session/testdata/bluff.yaml", "scenario/testdata/war.yaml", "scenario/testdata/coalition.yaml", "session/testdata/summit.yaml",
		"scenario/testdata/clauses.yaml", "scenario/testdata/given.yaml", "scenario/testdata/commitments.yaml",
		"scenario/testdata/ratify.yaml", "examples/ukraine-2025.yaml"} {
		data, err := os.ReadFile(filepath.Join(Root(), name))
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return seeds
}

// Dir returns ../shared/<elem...>, or skips the test or benchmark with a
// message saying what is missing.
func Dir(tb testing.TB, elem ...string) string {
	tb.Helper()
	p, ok := Path(elem...)
	if !ok {
		tb.Skipf("reference data %s not found (../shared beside the repository); skipping", p)
	}
	return p
}

// FlagshipTournament writes the example flagship tournament spec
// (examples/tournament-ukraine.yaml) into a new temporary folder, with each
// (old, new) pair of replacements applied once, and the flagship scenario
// beside it, as in examples/, so that the variant still names its scenario
// ukraine-2025.yaml; it returns the spec's path.
func FlagshipTournament(tb testing.TB, replacements ...string) string {
	tb.Helper()
	if len(replacements)%2 != 0 {
		tb.Fatal("FlagshipTournament: replacements come in (old, new) pairs")
	}
	spec, err := os.ReadFile(filepath.Join(Root(), "examples", "tournament-ukraine.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	scen, err := os.ReadFile(filepath.Join(Root(), "examples", "ukraine-2025.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	text := string(spec)
	for i := 0; i < len(replacements); i += 2 {
		if !strings.Contains(text, replacements[i]) {
			tb.Fatalf("the example spec lacks %q", replacements[i])
		}
		text = strings.Replace(text, replacements[i], replacements[i+1], 1)
	}
	dir := tb.TempDir()
	path := filepath.Join(dir, "tournament-ukraine.yaml")
	for name, data := range map[string][]byte{path: []byte(text), filepath.Join(dir, "ukraine-2025.yaml"): scen} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}
