package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// TestAnalyzeNonlinearGenius: `parley analyze --json` on ANAC 2014's
// non-linear 10issues folder gives the frontier of the pareto.xml shipped
// with it: the same number of points, each utility equal to the file's once
// rounded to a Java float as Genius printed it (the text comparison is
// analysis.TestANAC2014ParetoXML), and a note that it is exact.
func TestAnalyzeNonlinearGenius(t *testing.T) {
	dir := filepath.Join(shared.Dir(t, "domains"), "ANAC2014_10issues")
	code, out, errs := runCLI("analyze", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Outcomes uint64 `json:"outcomes"`
		Pareto   struct {
			Points []struct {
				Utilities []float64 `json:"utilities"`
			} `json:"points"`
		} `json:"pareto"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "pareto.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var want [][2]string
	for _, l := range strings.Split(string(data), "\n") {
		if a, b, ok := strings.Cut(strings.TrimSpace(l), ", "); ok {
			want = append(want, [2]string{a, b})
		}
	}
	if r.Outcomes != 10_000_000_000 || len(r.Pareto.Points) != len(want) || len(want) != 10 {
		t.Fatalf("%d outcomes, %d points; pareto.xml has %d", r.Outcomes, len(r.Pareto.Points), len(want))
	}
	for q, w := range want {
		for p, txt := range w {
			x, err := strconv.ParseFloat(txt, 32)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Pareto.Points[q].Utilities[p]; float32(got) != float32(x) {
				t.Errorf("point %d, party %d: %v, pareto.xml %s", q, p, got, txt)
			}
		}
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "the Pareto frontier is exact") {
		t.Errorf("notes %q", r.Notes)
	}
}
