package session

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/genius"
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

// loadDomain imports a Genius domain folder with the Genius importer.
func loadDomain(tb testing.TB, name string) *scenario.Scenario {
	tb.Helper()
	sc, err := genius.LoadDir(filepath.Join(domainsDir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

func itoa(i int) string { return strconv.Itoa(i) }
