package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
)

// TestConvertRoundTrip converts every reference Genius domain to parley's
// format and checks that the written scenario has bit-for-bit the same
// utility tables, reservation values and discounts as the import.
func TestConvertRoundTrip(t *testing.T) {
	root := shared.Dir(t, "domains")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "expected.json"))
	if len(dirs) < 30 {
		t.Fatalf("found %d reference domains", len(dirs))
	}
	out := t.TempDir()
	for _, e := range dirs {
		dir := filepath.Dir(e)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(out, name+".yaml")
			if code, _, errs := runCLI("convert", dir, "-o", file); code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			orig, err := open.Path(dir)
			if err != nil {
				t.Fatal(err)
			}
			conv, err := scenario.LoadFile(file)
			if err != nil {
				t.Fatalf("converted file does not load: %v", err)
			}
			sameUtilities(t, orig, conv)
		})
	}
}

func sameUtilities(t *testing.T, a, b *scenario.Scenario) {
	t.Helper()
	ua, ub := a.Utilities(), b.Utilities()
	if len(ua) != len(ub) {
		t.Fatalf("%d parties, then %d", len(ua), len(ub))
	}
	for p := range ua {
		if ua[p].Reservation != ub[p].Reservation || ua[p].Discount != ub[p].Discount {
			t.Errorf("party %d: reservation/discount %v/%v, then %v/%v", p, ua[p].Reservation, ua[p].Discount, ub[p].Reservation, ub[p].Discount)
		}
		for i := range ua[p].Table {
			for v := range ua[p].Table[i] {
				if ua[p].Table[i][v] != ub[p].Table[i][v] {
					t.Fatalf("party %d issue %d value %d: %v, then %v", p, i, v, ua[p].Table[i][v], ub[p].Table[i][v])
				}
			}
		}
	}
}

func TestConvertGeniusWebAndStdout(t *testing.T) {
	code, out, errs := runCLI("convert", "../../scenario/geniusweb/testdata/laptop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	conv, err := scenario.Parse([]byte(out), "converted.yaml")
	if err != nil {
		t.Fatalf("converted GeniusWeb profiles do not load: %v\n%s", err, out)
	}
	orig, err := open.Path("../../scenario/geniusweb/testdata/laptop")
	if err != nil {
		t.Fatal(err)
	}
	sameUtilities(t, orig, conv)
	// Nothing is written when the input is bad.
	target := filepath.Join(t.TempDir(), "x.yaml")
	if code, _, errs := runCLI("convert", "testdata/typo.yaml", "-o", target); code != 1 || !strings.Contains(errs, "reservaton") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a failed convert left %s behind", target)
	}
	// A parley scenario is refused: written back it would lose its rules.
	if code, _, errs := runCLI("convert", "../../examples/ukraine-2025.yaml", "-o", target); code != 1 || !strings.Contains(errs, "is already a parley scenario") {
		t.Errorf("convert of a parley scenario: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused convert left %s behind", target)
	}
}

func TestSchemaCommand(t *testing.T) {
	code, out, errs := runCLI("schema")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !bytes.Equal([]byte(out), scenario.Schema()) {
		t.Error("parley schema does not print scenario.Schema()")
	}
}
