package compare

import (
	"os"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario"
)

// FuzzFiles: no decodable file makes the file diff panic, a file against
// itself has no change, and against another file every change names a path
// and a kind.
func FuzzFiles(f *testing.F) {
	for _, s := range shared.ScenarioSeeds(f) {
		f.Add(s)
	}
	other, err := os.ReadFile("testdata/truce-v1.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(other)
	base, err := scenario.DecodeFile(other, "truce-v1.yaml")
	if err != nil {
		f.Fatal(err)
	}
	base.ResolveValues()
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := scenario.DecodeFile(data, "fuzz.yaml")
		if err != nil {
			return
		}
		x.ResolveValues()
		if cs := Files(x, x, nil, nil); len(cs) != 0 {
			t.Fatalf("a file against itself: %+v", cs)
		}
		for _, c := range append(Files(base, x, nil, nil), Files(x, base, nil, nil)...) {
			if c.Path == "" || (c.Kind != Added && c.Kind != Removed && c.Kind != Changed) {
				t.Fatalf("change %+v", c)
			}
		}
	})
}
