package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// TestValidateProvenanceShowsWhatIsHidden (issue 16, finding 8): validate
// --provenance shows each default that enters a figure (the referendum's
// polling error behind p = 2.87e-07), counts the numbers whose quote gives
// only their direction, and, when the article cannot be read, counts its
// quotes as unchecked rather than quoted and says why.
func TestValidateProvenanceShowsWhatIsHidden(t *testing.T) {
	seed := shared.Dir(t, "seed")
	const flagship = "../../examples/ukraine-2025.yaml"
	code, out, errs := runCLI("validate", "--provenance", "--sources", filepath.Dir(seed), flagship)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"35 numbers quoted, 35 quoted for direction only (size assumed), 173 assumed, 68 definitional",
		"0 unchecked, 0 unexplained",
		"8 defaults enter figures:",
		"parties[0].ratification[1].uncertainty = 0.05 (default): the polling error of the referendum",
		`parties[1].credibility = 0.3333 (default): the credibility of guarantor "ru", estimated from its record`,
		`parties[3].members[0].weight = 1 (default): the vote share of member "de" of "eu"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runCLI("validate", "--provenance", flagship)
	if code != 0 {
		t.Fatalf("without --sources: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"0 numbers quoted, 0 quoted for direction only (size assumed), 173 assumed,",
		"70 unchecked, 0 unexplained",
		`86 quotes unchecked: source "article": cannot read it: it lies outside the scenario's folder`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("without --sources, output lacks %q:\n%s", want, out)
		}
	}
}
