package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/tournament"
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

// writeSpec writes a spec into dir and returns the plan it makes.
func writeSpec(tb testing.TB, dir, text string) (*tournament.Plan, string) {
	tb.Helper()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	s, err := tournament.LoadSpec(path)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		tb.Fatal(err)
	}
	return p, path
}
