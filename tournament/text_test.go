package tournament

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/session"
)

// handSummary summarises four hand-made sessions of negotiators a, b and c
// on a two-seat and a three-seat scenario (those of TestPairs): one deal
// voided by a vote, one session without agreement.
func handSummary(t *testing.T) *Summary {
	t.Helper()
	c := &Canonical{Name: "t", Negotiators: []string{"a", "b", "c"}, Rotation: RotationAll, Repetitions: 1,
		Scenarios: []CanonicalScenario{{Path: "two.yaml", Parties: []string{"x", "y"}}, {Path: "three.yaml", Parties: []string{"x", "y", "z"}}}}
	recs := []Record{
		{Number: 0, Scenario: 0, Assignment: 1, Agreed: true, Status: session.StatusAgreed, Round: 10, Utility: []float64{0.8, 0.3}},
		{Number: 1, Scenario: 0, Assignment: 4, Agreed: true, Status: session.StatusRatified, Round: 20, Utility: []float64{0.5, 0.6}},
		{Number: 2, Scenario: 1, Assignment: 5, Agreed: false, Status: session.StatusNoAgreement, Round: 30, Utility: []float64{0.2, 0.4, 0.6}},
		{Number: 3, Scenario: 1, Assignment: 1, Agreed: true, Status: session.StatusNotRatified, Round: 40, Utility: []float64{0.1, 0.2, 0.9}},
	}
	for i := range recs {
		recs[i].Discounted = recs[i].Utility
		recs[i].Pareto, recs[i].Nash = 0.1, 0.2
	}
	sum, err := Summarize(c, func(fn func(*Record) error) error {
		for i := range recs {
			if err := fn(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestWriteText: the tables of a summary with a voided deal (hence the
// binding column and its note) and head to head.
func TestWriteText(t *testing.T) {
	var b strings.Builder
	if err := handSummary(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Tournament t: 4 of 0 sessions recorded\n",
		"negotiator  sessions  utility        agreement  binding  welfare        to Pareto  to Nash  rounds\n",
		"\nhead to head: mean utility of the row's negotiator in sessions against the column's\n",
		"against  a      b      c\n",
		"c        0.600  0.600  –\n",
		"\nscenario    sessions  utility",
		"two.yaml    2",
		"\nagreement counts every deal signed; binding only those that stand",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not available") {
		t.Errorf("distances are said to be missing:\n%s", out)
	}
	if err := handSummary(t).WriteText(failingWriter{}); err == nil {
		t.Error("a failed write gave no error")
	}
}

// TestWriteTextWide: past maxHeadToHead negotiators the text leaves head to
// head out (JSON and CSV keep it).
func TestWriteTextWide(t *testing.T) {
	s := handSummary(t)
	for len(s.Negotiators) <= maxHeadToHead {
		s.Negotiators = append(s.Negotiators, Row{Name: "x"})
	}
	var b strings.Builder
	if err := s.WriteText(&b); err != nil || strings.Contains(b.String(), "head to head") {
		t.Errorf("%d negotiators: head to head printed (%v)", len(s.Negotiators), err)
	}
}

// TestWriteCSV: a header, a line per negotiator, scenario, overall and pair;
// empty cells where a figure has no observation.
func TestWriteCSV(t *testing.T) {
	s := handSummary(t)
	var b strings.Builder
	if err := s.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	// The first 20 columns as they were before failures and answer times
	// were added after them.
	if len(head) != 26 || head[0] != "group" || head[4] != "utility_mean" || head[10] != "binding_rate" || head[19] != "opponent" ||
		head[20] != "failed" || head[23] != "actions" || head[25] != "action_p99_ms" {
		t.Fatalf("header %v", head)
	}
	groups := map[string]int{}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, r := range recs[1:] {
		if len(r) != len(head) {
			t.Fatalf("line %v has %d fields", r, len(r))
		}
		groups[r[0]]++
		switch {
		case r[0] == "negotiator" && r[1] == "a":
			// a held 4 seats in 3 sessions: 0.8, 0.2, 0.1, 0.2; one of its
			// two deals was voided.
			if r[col["sessions"]] != "3" || r[col["utility_n"]] != "4" || r[col["utility_mean"]] != "0.325" ||
				r[col["agreement_rate"]] != "0.6666666666666666" || r[col["binding_rate"]] != "0.3333333333333333" || r[col["rounds_mean"]] != "26.666666666666668" {
				t.Errorf("negotiator a: %v", r)
			}
		case r[0] == "pair":
			if r[col["welfare_mean"]] != "" || r[col["opponent"]] == "" {
				t.Errorf("pair line %v", r)
			}
		}
	}
	if groups["negotiator"] != 3 || groups["scenario"] != 2 || groups["overall"] != 1 || groups["pair"] != len(s.Pairs) {
		t.Errorf("lines per group %v, want 3 negotiators, 2 scenarios, 1 overall, %d pairs", groups, len(s.Pairs))
	}
	if err := s.WriteCSV(failingWriter{}); err == nil {
		t.Error("a failed write gave no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
