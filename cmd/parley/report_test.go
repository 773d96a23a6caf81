package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepetitionsCannotDiffer: a tournament of deterministic negotiators
// on a scenario without a ratification vote is told, before it runs,
// that its repetitions will be copies, and its report finds them so and
// counts each line-up once; with a random negotiator neither is said.
func TestRepetitionsCannotDiffer(t *testing.T) {
	scen, err := filepath.Abs("../../scenario/testdata/ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		negs   string
		copies bool
	}{
		{"boulware, conceder, frequency", true},
		{"boulware, random", false},
	} {
		spec := filepath.Join(dir, "t.yaml")
		if err := os.WriteFile(spec, []byte("scenarios: ["+scen+"]\nnegotiators: ["+c.negs+"]\nrepetitions: 4\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		db := filepath.Join(dir, strings.ReplaceAll(strings.ReplaceAll(c.negs, ",", ""), " ", "-")+".db")
		code, out, errs := runCLI("tournament", spec, "--db", db)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.negs, code, errs)
		}
		note := strings.Contains(errs, "note: no negotiator here draws random numbers and no ratification vote is left to chance, so the 4 repetitions of each line-up will play the same session")
		same := strings.Contains(out, "Every repetition of a line-up played the same session: ")
		if note != c.copies || same != c.copies {
			t.Errorf("%s: note %v, report of copies %v; want %v:\n%s%s", c.negs, note, same, c.copies, errs, out)
		}
		lineUps := 9 // 3 negotiators on 2 seats
		if !c.copies {
			lineUps = 4
		}
		if want := fmt.Sprintf("An interval counts each line-up (a scenario with one seating of negotiators) once: %d line-ups.\n", lineUps); !strings.Contains(out, want) {
			t.Errorf("%s: the report lacks %q:\n%s", c.negs, want, out)
		}
		code, js, errs := runCLI("tournament", "report", db, "--json")
		var sum struct {
			LineUps   int  `json:"line_ups"`
			Identical bool `json:"identical_repetitions"`
			Overall   struct {
				Utility struct {
					LineUps int `json:"line_ups"`
				} `json:"utility"`
			} `json:"overall"`
		}
		if err := json.Unmarshal([]byte(js), &sum); code != 0 || err != nil {
			t.Fatalf("report --json: exit %d, %v: %s", code, err, errs)
		}
		if sum.LineUps != lineUps || sum.Overall.Utility.LineUps != lineUps || sum.Identical != c.copies {
			t.Errorf("%s: JSON %+v", c.negs, sum)
		}
	}
}
