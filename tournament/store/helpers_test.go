package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parleyhq/parley/tournament"
)

// domainsDir returns ../shared/domains, or skips.
func domainsDir(tb testing.TB) string { return shared.Dir(tb, "domains") }

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
