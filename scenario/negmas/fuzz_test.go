package negmas

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario"
)

// FuzzRead feeds a domain and a utility function to the reader: it must
// report problems (never panic or hang), and what it accepts must be a
// usable scenario whose utilities and figures are computed without error.
func FuzzRead(f *testing.F) {
	seeds := [][2]string{{"testdata/mixed/domain.yml", "testdata/mixed/a.yml"}, {"testdata/mixed/domain.yml", "testdata/mixed/b.json"},
		{"testdata/bad/domain.yml", "testdata/badufun/u1.yml"}}
	if root, ok := shared.Path("negmas"); ok {
		seeds = append(seeds, [2]string{filepath.Join(root, "ANAC2011_Laptop", "laptop_domain.yml"), filepath.Join(root, "ANAC2011_Laptop", "laptop_buyer_utility.yml")},
			[2]string{filepath.Join(root, "Genius_6issues", "6issues.yml"), filepath.Join(root, "Genius_6issues", "6issues_util1.yml")})
	}
	for _, s := range seeds {
		d, err1 := os.ReadFile(s[0])
		u, err2 := os.ReadFile(s[1])
		if err1 != nil || err2 != nil {
			f.Fatal(err1, err2)
		}
		f.Add(d, u)
	}
	f.Fuzz(func(t *testing.T, dom, uf []byte) {
		var errs diag.List
		dt, err := parseTree(dom, "d.yml")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		d := readDomain(dt, "d.yml", &errs)
		if len(errs) > 0 {
			return
		}
		ut, err := parseTree(uf, "u.yml")
		if err != nil {
			return
		}
		u := readUfun(ut, "u.yml", d, &errs)
		if u == nil || len(errs) > 0 {
			if len(errs) == 0 {
				t.Fatal("no ufun and no error")
			}
			return
		}
		p, _ := u.party("p", d)
		s := &scenario.Scenario{Name: "f", Issues: d.issues, Parties: []scenario.Party{p, p}}
		s.Parties[1].ID = "q"
		if math.IsNaN(p.Prefs.Reservation) || math.IsInf(p.Prefs.Reservation, 0) {
			t.Fatalf("reservation %v", p.Prefs.Reservation)
		}
		if sz, ok := s.Space().Size(); ok && sz <= 10000 {
			if _, err := ComputeStats(s, []float64{u.reserved, u.reserved}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
