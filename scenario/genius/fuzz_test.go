package genius

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

func seedFiles(f *testing.F, root string) {
	dirs := []string{"ANAC2011_Laptop", "ANAC2016_YXAgent_SmartEnergyGrid", "Genius_2nd_hand_car", "ANAC2012_FitnessB", "ANAC2014_10issues"}
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(root, d, "*.xml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
}

// fuzzRoot returns ../shared/domains for seed inputs, or "" without it.
func fuzzRoot() string {
	p, _ := shared.Path("domains")
	return p
}

func FuzzParseDomain(f *testing.F) {
	f.Add([]byte(okDomain))
	seedFiles(f, fuzzRoot())
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDomain(bytes.NewReader(data), "d.xml")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(d.Issues) == 0 {
			t.Fatal("domain without issues accepted")
		}
		for _, is := range d.Issues {
			if n := is.Size(); n <= 0 || n > MaxIssueValues {
				t.Fatalf("issue %q has %d values", is.Name, n)
			}
		}
	})
}

func FuzzParseProfile(f *testing.F) {
	root := fuzzRoot()
	domain, err := os.ReadFile(filepath.Join(root, "ANAC2016_YXAgent_SmartEnergyGrid", "Smart_Energy_Grid.xml"))
	if err != nil {
		domain = []byte(okDomain)
	}
	d, err := ParseDomain(bytes.NewReader(domain), "d.xml")
	if err != nil {
		f.Fatal(err)
	}
	seedFiles(f, root)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(bytes.NewReader(data), "p.xml", d)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(p.Weights) != len(d.Issues) || len(p.Values) != len(d.Issues) {
			t.Fatalf("%d weights, %d values for %d issues", len(p.Weights), len(p.Values), len(d.Issues))
		}
		if p.Discount <= 0 || p.Discount > 1 {
			t.Fatalf("discount %v", p.Discount)
		}
	})
}
