package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario/negmas"
	"github.com/parleyhq/parley/scenario/open"
)

// TestAnalyzeNegMASFolders runs `parley analyze --json` on every
// ../shared/negmas folder and checks its negmas figures against the
// _stats.yaml NegMAS wrote there: utilities to 1e-9, outcome sets exactly
// (negmas.Stats.Diff).
func TestAnalyzeNegMASFolders(t *testing.T) {
	root := shared.Dir(t, "negmas")
	files, _ := filepath.Glob(filepath.Join(root, "*", "_stats.yaml"))
	if len(files) < 11 {
		t.Fatalf("%d NegMAS folders with _stats.yaml, want 11", len(files))
	}
	for _, sf := range files {
		dir := filepath.Dir(sf)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			code, out, errs := runCLI("analyze", "--json", dir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var rep struct {
				Outcomes uint64        `json:"outcomes"`
				Notes    []string      `json:"notes"`
				NegMAS   *negmas.Stats `json:"negmas"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.NegMAS == nil {
				t.Fatalf("no negmas figures in %s", out[:min(len(out), 300)])
			}
			if rep.NegMAS.Outcomes != rep.Outcomes {
				t.Errorf("negmas n_outcomes %d, report outcomes %d", rep.NegMAS.Outcomes, rep.Outcomes)
			}
			ref, err := negmas.ReadStats(sf)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range rep.NegMAS.Diff(ref, 1e-9) {
				t.Error(d)
			}
			if !strings.Contains(strings.Join(rep.Notes, "\n"), "NegMAS's figures agree with the folder's _stats.yaml") {
				t.Errorf("notes %q", rep.Notes)
			}
		})
	}
}

func TestAnalyzeNegMASText(t *testing.T) {
	dir := shared.Dir(t, "negmas", "ANAC2011_Laptop")
	code, out, errs := runCLI("analyze", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"NegMAS's figures",
		"laptop_buyer_utility     reserved -inf   range 0.1682 – 1.0000",
		"nash                  (0.8100, 0.9246)  Laptop=Macintosh, Harddisk=60 Gb, External Monitor=19'' LCD",
		"modified kalai        (0.8386, 0.8386)  Laptop=HP, Harddisk=80 Gb",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "laptop_buyer_utility 0.42441038^step, laptop_seller_utility 0.42441038^step") {
		t.Errorf("no warning about NegMAS's per-step discount: %q", errs)
	}
}

// TestConvertToNegMAS writes Genius domains as NegMAS folders through the
// CLI and reads them back with the same utilities; a NegMAS folder whose
// numbers parley's own format cannot hold is refused with the reason.
func TestConvertToNegMAS(t *testing.T) {
	tram := sharedDomain(t, "ANAC2015_Tram")
	out := filepath.Join(t.TempDir(), "tram")
	code, _, errs := runCLI("convert", tram, "--to", "negmas", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	orig, err := open.Path(tram)
	if err != nil {
		t.Fatal(err)
	}
	back, err := open.Path(out)
	if err != nil {
		t.Fatal(err)
	}
	sameUtilities(t, orig, back)
	// A trailing slash means a folder: NegMAS.
	out2 := t.TempDir() + "/"
	if code, _, errs := runCLI("convert", tram, "-o", out2); code != 0 || !strings.Contains(errs, "a NegMAS scenario folder") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("convert", tram, "--to", "negmas"); code == 0 || !strings.Contains(errs, "give it with -o") {
		t.Errorf("no output folder: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("convert", "../../examples/ukraine-2025.yaml", "--to", "negmas", "-o", filepath.Join(t.TempDir(), "x")); code == 0 || !strings.Contains(errs, "red lines") {
		t.Errorf("the flagship: exit %d: %s", code, errs)
	}
	laptop := shared.Dir(t, "negmas", "ANAC2011_Laptop")
	if code, out, errs := runCLI("convert", laptop); code == 0 || out != "" || !strings.Contains(errs, "it must be between 0 and 1") {
		t.Errorf("NegMAS to parley: exit %d: %s", code, errs)
	}
}

func TestLeagueCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI("league", "anl2024", "--scenarios", "1", "--repetitions", "1", "--dir", dir, "--progress", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"ANL 2024 league, seed 0: 1 scenarios", "rvfitter", "nashseeker", "micro", "boulware", "conceder", "linear", "Advantage: (u − rv)/(max − rv)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runCLI("league", "anl2024", "--scenarios", "1", "--repetitions", "1", "--dir", dir, "--json")
	if code != 0 || !strings.Contains(errs, "36 of 36 sessions were already recorded") {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	var tb struct {
		Sessions uint64 `json:"sessions"`
		Rows     []struct {
			Negotiator string  `json:"negotiator"`
			Advantage  float64 `json:"advantage"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &tb); err != nil || tb.Sessions != 36 || len(tb.Rows) != 6 {
		t.Fatalf("JSON %v: %s", err, out)
	}
	if code, _, errs := runCLI("league", "anl2025"); code == 0 || !strings.Contains(errs, "anl2024") {
		t.Errorf("unknown league: exit %d: %s", code, errs)
	}
}

// TestAnalyzeNegMASStatsDiffer: a _stats.yaml that disagrees with the
// folder's scenario is named in the report's notes.
func TestAnalyzeNegMASStatsDiffer(t *testing.T) {
	src := shared.Dir(t, "negmas", "ANAC2011_Laptop")
	dir := t.TempDir()
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "_stats.yaml" {
			b = []byte(strings.Replace(string(b), "opposition: 0.20445869125259528", "opposition: 0.3", 1))
		}
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
	}
	code, out, errs := runCLI("analyze", dir)
	if code != 0 || !strings.Contains(out, "NegMAS's figures differ from the folder's _stats.yaml: opposition 0.20445869125259528, NegMAS 0.3") {
		t.Errorf("exit %d: %s\n%s", code, errs, out)
	}
}
