// Package shared locates the reference data that lives beside the
// repository (../shared: the seed article, Genius domains with expected
// figures, forecast reference runs), for tests and benchmarks.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the path of ../shared/<elem...> relative to the module root
// (found by walking up from the working directory to go.mod), and whether it exists.
func Path(elem ...string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared"}, elem...)...)
	_, err = os.Stat(p)
	return p, err == nil
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
