package session

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/genius"
)

// domainsDir returns ../shared/domains, or skips.
func domainsDir(tb testing.TB) string { return shared.Dir(tb, "domains") }

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
