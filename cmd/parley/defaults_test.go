package main

import (
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
