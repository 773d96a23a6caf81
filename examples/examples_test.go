// Package examples holds parley's example scenarios; its test checks that
// every one of them validates and that every quote in it is verbatim.
package examples

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// sources is the folder of the flagship's article: beside the repository,
// outside the scenario's own folder, so it must be allowed explicitly.
var sources = scenario.Options{SourceRoots: []string{"../../shared"}}

// TestExamplesValidate loads every example. With ../shared present (as in
// CI) and allowed as a source folder, the article is readable, so every
// quote is checked against it.
func TestExamplesValidate(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	_, err = os.Stat("../../shared/seed")
	haveSeed := err == nil
	for _, f := range files {
		if strings.HasPrefix(f, "tournament") {
			continue // tournament specs, checked by the tournament package
		}
		s, err := sources.LoadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if haveSeed && len(s.Warnings) > 0 {
			t.Errorf("%s: warnings: %s", f, strings.Join(s.Warnings, "; "))
		}
	}
	if !haveSeed {
		t.Log("../../shared/seed is absent: quotes were not checked against the article")
	}
}

// TestFlagshipQuotesAreChecked proves the quote check bites: a word changed
// in one quote makes the flagship invalid.
func TestFlagshipQuotesAreChecked(t *testing.T) {
	if _, err := os.Stat("../../shared/seed"); err != nil {
		t.Skip("../../shared/seed is absent: cannot check quotes against the article")
	}
	data, err := os.ReadFile("ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const q = "But Russia has made similar commitments before."
	if !strings.Contains(string(data), q) {
		t.Fatalf("flagship lacks the quote %q", q)
	}
	bad := strings.Replace(string(data), q, "But Russia has made no commitments before.", 1)
	_, err = sources.Parse([]byte(bad), "ukraine-2025.yaml")
	if err == nil || !strings.Contains(err.Error(), "quote not found verbatim") {
		t.Fatalf("altered quote accepted; err = %v", err)
	}
}

// TestFlagshipSourceNeedsAllowing: without its folder allowed, the article
// beside the repository is not read (it lies outside the scenario's
// folder), which the loader says, and an altered quote goes unchecked.
func TestFlagshipSourceNeedsAllowing(t *testing.T) {
	if _, err := os.Stat("../../shared/seed"); err != nil {
		t.Skip("../../shared/seed is absent")
	}
	s, err := scenario.LoadFile("ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], `cannot read source "article" (it lies outside the scenario's folder`) {
		t.Errorf("warnings = %q", s.Warnings)
	}
}
