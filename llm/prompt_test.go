package llm_test

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPromptGolden pins the prompt: the system message and the turns of
// the llm buyer in a Laptop session (its first turn, and a late one whose
// record is past the window of 4 entries, so summarised).
func TestPromptGolden(t *testing.T) {
	srv := llmtest.New(llmtest.Player)
	defer srv.Close()
	p := play(t, setup{sc: parse(t, laptop), specs: []string{"llm:model=m:window=4:base_url=" + srv.BaseURL(), "boulware"}, pool: &llm.Pool{}, rounds: 8})
	if p.result.Failure != nil {
		t.Fatal(p.result.Failure)
	}
	reqs := srv.Requests()
	if len(reqs) < 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	var b bytes.Buffer
	b.WriteString("=== system\n" + reqs[0].System() + "\n=== first turn\n" + reqs[0].User() + "\n=== fourth turn\n" + reqs[3].User() + "\n")
	b.WriteString("=== answer schema\n" + string(reqs[3].Request.ResponseFormat.JSONSchema.Schema) + "\n")
	golden := filepath.Join("testdata", "laptop-prompt.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the prompt changed (go test ./llm -run TestPromptGolden -update to accept):\n%s", b.Bytes())
	}
	// What the golden file must hold, whatever its wording.
	sys, late := reqs[0].System(), reqs[3].User()
	for _, w := range []string{`You negotiate for party "buyer"`, "The parties at the table: buyer, seller", "Deadline: 8 rounds",
		`- brand: "dell" 0.12, "mac" 0.6, "hp" 0.3`, `- disk: "60" 0.04, "80" 0.24, "120" 0.4`, "reservation value, 0.3",
		`"reasoning"`, "never shown to the other seats"} {
		if !strings.Contains(sys, w) {
			t.Errorf("the system message lacks %q", w)
		}
	}
	if !strings.Contains(late, "In brief, the first") || strings.Count(late, "\n- round") != 4 {
		t.Errorf("the fourth turn should summarise the record before its last 4 entries:\n%s", late)
	}
	if !strings.Contains(late, "Round 4 of 8 (4 left after this one)") {
		t.Errorf("the fourth turn should say the rounds left:\n%s", late)
	}
}

// trio is a 3-party scenario whose numbers are easy to spot: b's and c's
// appear nowhere in a's preferences.
const trio = `parley: 1
name: Trio
issues:
  - id: x
    options: [{id: x1}, {id: x2}, {id: x3}]
  - id: y
    options: [{id: y1}, {id: y2}]
parties:
  - id: a
    reservation: 0.25
    weights: {x: 0.75, y: 0.25}
    values:
      x: {x1: 1, x2: 0.5, x3: 0}
      y: {y1: 0, y2: 1}
  - id: b
    reservation: 0.3141592
    weights: {x: 0.3719, y: 0.6281}
    values:
      x: {x1: 0.1357, x2: 0.9753, x3: 0.4681}
      y: {y1: 0.8642, y2: 0.2468}
    red_lines:
      - {id: no_x3_y1, forbid: {x: [x3], y: [y1]}}
  - id: c
    reservation: 0.2718281
    weights: {x: 0.4142, y: 0.5858}
    values:
      x: {x1: 0.7321, x2: 0.2361, x3: 0.6458}
      y: {y1: 0.5772, y2: 0.3989}
`

// TestPromptHoldsOnlyItsOwn: in a 3-party session, nothing seat a's model
// is sent (every request, every message) holds b's or c's weights,
// values, their products, reservation values or red line, in the form
// the prompt writes numbers or in full.
func TestPromptHoldsOnlyItsOwn(t *testing.T) {
	sc := parse(t, trio)
	var secrets []string
	for _, p := range []int{1, 2} {
		u := sc.Utility(p)
		add := func(x float64) {
			secrets = append(secrets, strconv.FormatFloat(x, 'f', -1, 64), strconv.FormatFloat(math.Round(x*1e4)/1e4, 'f', -1, 64))
		}
		add(u.Reservation)
		for i := range u.Table {
			add(u.Weights[i])
			for v := range u.Table[i] {
				add(u.Evals[i][v])
				add(u.Table[i][v])
			}
		}
	}
	secrets = append(secrets, "no_x3_y1")
	for _, proto := range []string{"saop", "amop"} {
		srv := llmtest.New(llmtest.Player)
		p := play(t, setup{sc: sc, specs: []string{"llm:model=m:base_url=" + srv.BaseURL(), "boulware", "conceder"}, pool: &llm.Pool{}, proto: proto, rounds: 12})
		srv.Close()
		if p.result.Failure != nil {
			t.Fatal(p.result.Failure)
		}
		reqs := srv.Requests()
		if len(reqs) < 3 {
			t.Fatalf("%s: %d requests", proto, len(reqs))
		}
		for _, r := range reqs {
			body := string(r.Body)
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Fatalf("%s: request %d holds another party's %s", proto, r.N, s)
				}
			}
		}
		if !strings.Contains(string(reqs[0].Body), `\"x1\" 0.75, \"x2\" 0.375, \"x3\" 0`) {
			t.Errorf("%s: a's own points are missing from its prompt", proto)
		}
	}
}
