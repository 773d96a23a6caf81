package negmas

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// TestSharedStats checks NegMAS's figures of every ../shared/negmas folder
// against the _stats.yaml NegMAS wrote for it (Stats.Diff: utilities to
// 1e-9, points one to one, outcomes exactly), and the number of outcomes
// against Genius's count of the same domain.
func TestSharedStats(t *testing.T) {
	root := shared.Dir(t, "negmas")
	files, _ := filepath.Glob(filepath.Join(root, "*", "_stats.yaml"))
	if len(files) < 11 {
		t.Fatalf("%d _stats.yaml files under %s, want 11", len(files), root)
	}
	ties := 0
	for _, sf := range files {
		dir := filepath.Dir(sf)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			f, err := ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.Stats()
			if err != nil {
				t.Fatal(err)
			}
			ref, err := ReadStats(sf)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range st.Diff(ref, 1e-9) {
				t.Error(d)
			}
			if len(ref.ParetoUtils) == 0 || len(ref.NashUtils) == 0 {
				t.Errorf("the reference has %d frontier and %d Nash points; the comparison needs some", len(ref.ParetoUtils), len(ref.NashUtils))
			}
			oracle := shared.Dir(t, "domains", name, "expected.json")
			var exp struct {
				N uint64 `json:"n_outcomes"`
			}
			data, err := os.ReadFile(oracle)
			if err == nil {
				err = json.Unmarshal(data, &exp)
			}
			if err != nil {
				t.Fatalf("reading %s: %v", oracle, err)
			}
			if st.Outcomes != exp.N {
				t.Errorf("n_outcomes = %d, want %d (Genius's count of the same domain)", st.Outcomes, exp.N)
			}
			ties += len(st.ParetoTies)
		})
	}
	// ANAC2011_Car has two issues that both parties value alike, so
	// swapping their values gives 11 frontier points two outcomes each.
	if ties != 11 {
		t.Errorf("%d frontier points with several outcomes over all folders, want 11 (in ANAC2011_Car)", ties)
	}
}
