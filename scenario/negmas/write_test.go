package negmas

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/genius"
)

// TestWriteGeniusRoundTrip writes every reference Genius domain that
// NegMAS's format can hold as a NegMAS folder, reads it back and checks
// that every party's utility table, reservation value and discount are
// bit for bit the same.
func TestWriteGeniusRoundTrip(t *testing.T) {
	root := shared.Dir(t, "domains")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "expected.json"))
	written, refused := 0, 0
	for _, e := range dirs {
		dir := filepath.Dir(e)
		s, err := genius.LoadDir(dir)
		if err != nil {
			continue // domains Genius itself refuses
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), s.Name)
			if err := Write(out, s, nil); err != nil {
				if !strings.Contains(err.Error(), "before Genius's cap at 1") {
					t.Fatal(err)
				}
				refused++
				return
			}
			written++
			f, err := ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			sameTables(t, s, f.Scenario)
		})
	}
	if written < 25 {
		t.Errorf("%d domains written, %d refused for Genius's cap; want most written", written, refused)
	}
}

func sameTables(t *testing.T, a, b *scenario.Scenario) {
	t.Helper()
	if len(a.Parties) != len(b.Parties) || len(a.Issues) != len(b.Issues) {
		t.Fatalf("%d parties and %d issues, then %d and %d", len(a.Parties), len(a.Issues), len(b.Parties), len(b.Issues))
	}
	for p := range a.Parties {
		if a.Parties[p].ID != b.Parties[p].ID {
			t.Errorf("party %d: %s, then %s", p, a.Parties[p].ID, b.Parties[p].ID)
		}
		ua, ub := a.Utility(p), b.Utility(p)
		if ua.Reservation != ub.Reservation || ua.Discount != ub.Discount {
			t.Errorf("party %d: reservation/discount %v/%v, then %v/%v", p, ua.Reservation, ua.Discount, ub.Reservation, ub.Discount)
		}
		for i := range ua.Table {
			for v := range ua.Table[i] {
				if ua.Table[i][v] != ub.Table[i][v] {
					t.Fatalf("party %d issue %d value %d: %v, then %v", p, i, v, ua.Table[i][v], ub.Table[i][v])
				}
			}
		}
	}
}

// TestWriteSharedRoundTrip writes the shared NegMAS folders back out and
// reads them again: the same tables (NegMAS's numbers) and figures, but
// for reserved values of −inf, which parley holds as the lowest utility.
func TestWriteSharedRoundTrip(t *testing.T) {
	root := shared.Dir(t, "negmas")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "_stats.yaml"))
	for _, sf := range dirs {
		dir := filepath.Dir(sf)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			f, err := ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "copy")
			if err := Write(out, f.Scenario, nil); err != nil {
				t.Fatal(err)
			}
			g, err := ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			sameTables(t, f.Scenario, g.Scenario)
			a, _ := f.Stats()
			b, _ := g.Stats()
			for _, d := range b.Diff(a, 0) {
				if !strings.Contains(d, "rational fraction") {
					t.Error(d)
				}
			}
		})
	}
}

func TestWriteRefuses(t *testing.T) {
	f, err := ReadDir("testdata/mixed")
	if err != nil {
		t.Fatal(err)
	}
	// alice's utilities reach 1.425: parley caps them, NegMAS would not.
	f.Scenario.Parties[0].Prefs.Reservation = 0
	if err := Write(filepath.Join(t.TempDir(), "m"), f.Scenario, nil); err == nil || !strings.Contains(err.Error(), "reach 1.425") {
		t.Errorf("capped utilities: %v", err)
	}
	g, err := genius.LoadDir(shared.Dir(t, "domains", "ANAC2015_Tram"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "full")
	os.Mkdir(out, 0o755)
	os.WriteFile(filepath.Join(out, "x"), []byte("x"), 0o644)
	if err := Write(out, g, nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty folder: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("a failed write left %d entries beside the folder", len(entries)-1)
	}
	s, err := scenario.LoadFile("../testdata/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Files(s, nil); err == nil || !strings.Contains(err.Error(), "red lines") {
		t.Errorf("a scenario with rules: %v", err)
	}
}

func TestNumberFormat(t *testing.T) {
	for x, want := range map[float64]string{1e-05: "1.0e-05", 0.5: "0.5", 1: "1", 1e21: "1.0e+21", math.Inf(-1): "-.inf", 2.5e-7: "2.5e-07"} {
		if got := number(x); got != want {
			t.Errorf("number(%v) = %q, want %q", x, got, want)
		}
		if x, ok := parseNumber(want); !ok || number(x) != want {
			t.Errorf("%q does not read back", want)
		}
	}
}
