package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestDiffGolden pins what parley diff prints for the two versions of the
// truce talks in compare/testdata; docs/diff.md quotes it.
func TestDiffGolden(t *testing.T) {
	args := []string{"diff", "../../compare/testdata/truce-v1.yaml", "../../compare/testdata/truce-v2.yaml"}
	code, out, errs := runCLI(args...)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got := strings.ReplaceAll("$ parley "+strings.Join(args, " ")+"\n"+out, "../../", "")
	golden(t, "diff-truce.txt", got)
	// docs/diff.md shows the same output.
	doc, err := os.ReadFile("../../docs/diff.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```console\n"+got+"```") {
		t.Error("docs/diff.md does not show what parley diff prints (testdata/golden/diff-truce.txt)")
	}
}

// TestDiffJSON: the JSON form carries every change and the figures of both
// versions, and says which moved.
func TestDiffJSON(t *testing.T) {
	code, out, errs := runCLI("diff", "../../compare/testdata/truce-v1.yaml", "../../compare/testdata/truce-v2.yaml", "--json", "-n", "conceder")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var d struct {
		Changes []struct{ Section, Path, Kind string }
		Before  struct {
			Zone    uint64 `json:"zone"`
			Session struct {
				Negotiators []string `json:"negotiators"`
			} `json:"session"`
		} `json:"before_figures"`
		After struct {
			Zone uint64 `json:"zone"`
		} `json:"after_figures"`
		Moved []string `json:"moved"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(d.Changes) != 5 || d.Changes[3].Path != "parties[north].ratification.uncertainty.assumption.why" || d.Changes[4].Path != "parties[south].red_lines[no_treaty]" || d.Changes[4].Kind != "removed" {
		t.Errorf("changes %+v", d.Changes)
	}
	// Without the red line against a treaty, the six deals with a treaty
	// that both sides otherwise accept join the zone.
	if d.Before.Zone != 8 || d.After.Zone != 14 || len(d.Moved) == 0 || d.Moved[0] != "zone" {
		t.Errorf("zone %d → %d, moved %v", d.Before.Zone, d.After.Zone, d.Moved)
	}
	if got := strings.Join(d.Before.Session.Negotiators, ","); got != "conceder" {
		t.Errorf("the line-up is %q, want -n's conceder", got)
	}
}

// TestDiffRefuses: what diff cannot compare, it says so.
func TestDiffRefuses(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "a.xml", "../../compare/testdata/truce-v2.yaml"}, "parley diff compares parley scenario files"},
		{[]string{"diff", "../../compare/testdata/truce-v1.yaml", "../../compare/testdata/truce-v2.yaml", "-r", "0"}, "--rounds is 0"},
		{[]string{"diff", "../../compare/testdata/truce-v1.yaml", "../../compare/testdata/none.yaml"}, "none.yaml"},
		{[]string{"diff", "../../compare/testdata/truce-v1.yaml", "../../compare/testdata/truce-v2.yaml", "-n", "nosuch"}, "the line-up's session runs on neither version"},
	} {
		code, _, errs := runCLI(c.args...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("parley %s: exit %d, stderr %q; want %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
}
