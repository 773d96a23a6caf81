package open

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/shared"
)

// FuzzOpenAnalyze builds a folder from arbitrary files, a Genius folder
// (a domain and up to two profiles) or a GeniusWeb folder (up to two
// profiles and a domain file), opens it as `parley analyze` does and
// analyses what loads: a result or a message, never a panic. New inputs
// take long to minimise (each writes a folder), so run it as
//
//	go test ./scenario/open -run '^$' -fuzz OpenAnalyze -fuzzminimizetime 10x
func FuzzOpenAnalyze(f *testing.F) {
	read := func(path string) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		return data
	}
	const gw = "../geniusweb/testdata/laptop/"
	f.Add(false, read(gw+"laptop_domain.json"), read(gw+"buyer.json"), read(gw+"seller.json"))
	f.Add(false, read(gw+"laptop_domain.json"), read(gw+"buyer.json"), []byte{})
	if dir, ok := shared.Path("domains", "ANAC2011_Laptop"); ok {
		domain := read(filepath.Join(dir, "laptop_domain.xml"))
		buyer, seller := read(filepath.Join(dir, "laptop_buyer_utility.xml")), read(filepath.Join(dir, "laptop_seller_utility.xml"))
		f.Add(true, domain, buyer, seller)
		f.Add(true, domain, buyer, []byte{})
	}
	// A small non-linear Genius pair: hyper-rectangles on integer issues.
	nlDomain := []byte(`<negotiation_template><utility_space><objective index="0" name="root">
<issue index="1" name="a" type="integer" lowerbound="0" upperbound="9"/>
<issue index="2" name="b" type="integer" lowerbound="0" upperbound="9"/></objective></utility_space></negotiation_template>`)
	nlProfile := func(lo, hi string) []byte {
		return []byte(`<utility_space type="nonlinear"><objective index="0"><utility maxutility="10"><ufun aggregation="sum">
<hyperRectangle utility="6"><INCLUDES index="1" min="` + lo + `" max="` + hi + `"/></hyperRectangle>
<hyperRectangle utility="4" weight="0.5"><EXCLUDES index="2" min="` + lo + `" max="` + hi + `"/></hyperRectangle>
<ufun aggregation="sum" weight="2"><hyperRectangle utility="1"/></ufun></ufun></utility></objective></utility_space>`)
	}
	f.Add(true, nlDomain, nlProfile("0", "4"), nlProfile("5", "9"))
	f.Fuzz(func(t *testing.T, genius bool, domain, a, b []byte) {
		dir := t.TempDir()
		ext := ".json"
		if genius {
			ext = ".xml"
		}
		for name, data := range map[string][]byte{"domain" + ext: domain, "a" + ext: a, "b" + ext: b} {
			if len(data) == 0 && name != "domain"+ext {
				continue // a folder with fewer profiles
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Path(dir)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if n, ok := s.Space().Size(); !ok || n > 20_000 {
			return // keep each run fast; size limits have tests of their own
		}
		r, err := analysis.Analyze(s, analysis.Options{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := r.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}
