package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWithoutNegotiators: parley run without -n seats boulware and
// conceder in turn and says so, instead of failing on a missing flag.
func TestRunWithoutNegotiators(t *testing.T) {
	code, out, errs := runCLI("run", "../../examples/ukraine-2025.yaml", "-p", "shuttle", "-r", "20")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "note: no -n given: the parties play boulware, conceder, boulware") {
		t.Errorf("stderr %q", errs)
	}
	for _, want := range []string{"  ua                       boulware", "  ru                       conceder", "  us                       broker (mediator)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// TestOneNamePerConcept: an outcome has one shape in every JSON output
// (issue id → value label), and -o/--output names an output file for
// every command (convert's --out stays as an alias).
func TestOneNamePerConcept(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	code, out, errs := runCLI("run", laptop, "-n", "boulware,conceder", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct{ Agreement map[string]string }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Agreement["Laptop"] != "HP" || res.Agreement["External Monitor"] != "19'' LCD" {
		t.Errorf("run --json agreement %v (%v)", res.Agreement, err)
	}
	code, out, _ = runCLI("analyze", laptop, "--json")
	var rep struct {
		Nash []struct{ Outcome map[string]string }
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Nash) == 0 || len(rep.Nash[0].Outcome) != 3 {
		t.Errorf("analyze --json nash %+v (%v)", rep.Nash, err)
	}
	for _, flag := range []string{"-o", "--output", "--out"} {
		target := filepath.Join(t.TempDir(), "laptop.yaml")
		if code, _, errs := runCLI("convert", laptop, flag, target); code != 0 {
			t.Errorf("convert %s: exit %d: %s", flag, code, errs)
		} else if _, err := os.Stat(target); err != nil {
			t.Errorf("convert %s wrote nothing: %v", flag, err)
		}
	}
}

// TestSeedsNamedApart: --seed seeds negotiators (run, and the sessions
// analyze --what-if plays); the sensitivity sampling of analyze has its
// own name, --sample-seed.
func TestSeedsNamedApart(t *testing.T) {
	sample := func(flag, seed string) string {
		_, out, _ := runCLI("analyze", "../../examples/ukraine-2025.yaml", "--what-if", "--samples", "20", flag, seed, "--json")
		var rep struct {
			WhatIf struct {
				Sensitivity struct {
					NashDeals  any     `json:"nash_deals"`
					Ratifiable any     `json:"ratifiable_nash_deals"`
					Zone       float64 `json:"ratifiable_share"`
				}
			} `json:"what_if"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("analyze %s %s: %v", flag, seed, err)
		}
		b, _ := json.Marshal(rep.WhatIf.Sensitivity)
		return string(b)
	}
	if a, b := sample("--sample-seed", "1"), sample("--sample-seed", "2"); a == b {
		t.Error("--sample-seed does not change the sampling")
	}
	if a, b := sample("--seed", "1"), sample("--seed", "2"); a != b {
		t.Error("--seed changes the sampling")
	}
}
