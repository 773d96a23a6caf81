package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Inputs that cost far more than their size (issue 14, item 4), for the
// budget tests and the hostile suite.

// oneBigIssue is a ~250-byte scenario with one issue of n integers that
// two parties rank in opposite orders: every outcome is on the frontier,
// and all tie for maximum welfare.
func oneBigIssue(n int) string {
	return fmt.Sprintf(`parley: 1
name: big
issues:
  - {id: x, integer: {min: 0, max: %d}}
parties:
  - {id: a, weights: {x: 1}, values: {x: {linear: {at_min: 1, at_max: 0}}}}
  - {id: b, weights: {x: 1}, values: {x: {linear: {at_min: 0, at_max: 1}}}}
`, n-1)
}

// opposedScenario has issues of card integers that the parties rank in
// opposite orders (rising, falling, peaked, by turns) with weights that
// differ from party to party: a large share of every partial outcome stays
// on the Pareto frontier, so its work grows with the space.
func opposedScenario(parties, issues, card int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "parley: 1\nname: opposed %d×%d\nissues:\n", parties, issues)
	for i := range issues {
		fmt.Fprintf(&b, "  - {id: i%d, integer: {min: 0, max: %d}}\n", i, card-1)
	}
	b.WriteString("parties:\n")
	shapes := []string{"{linear: {at_min: 1, at_max: 0}}", "{linear: {at_min: 0, at_max: 1}}", fmt.Sprintf("{triangular: {peak: %d}}", card/2)}
	for p := range parties {
		// Weights 1..issues, rotated by the party, over their sum.
		sum := issues * (issues + 1) / 2
		var ws, vs []string
		left := 1.0
		for i := range issues {
			w := float64(1+(i+p)%issues) / float64(sum)
			if i == issues-1 {
				w = left
			}
			left -= w
			ws = append(ws, fmt.Sprintf("i%d: %.9f", i, w))
			vs = append(vs, fmt.Sprintf("i%d: %s", i, shapes[(p+i)%3]))
		}
		fmt.Fprintf(&b, "  - {id: p%d, weights: {%s}, values: {%s}}\n", p, strings.Join(ws, ", "), strings.Join(vs, ", "))
	}
	return b.String()
}

// specBase is a tournament spec of one scenario, s.yaml, beside it.
const specBase = "scenarios: [s.yaml]\nnegotiators: [boulware, conceder]\n"

// smallScenario is a valid two-party scenario with a source document;
// attacks change one line of it.
const smallScenario = `parley: 1
name: Small
sources:
  - {id: doc, path: doc.txt}
issues:
  - id: price
    integer: {min: 0, max: 3}
  - id: colour
    options: [{id: red, label: Red}, {id: blue}]
parties:
  - id: buyer
    weights:
      price: {value: 0.5, source: {document: doc, quote: "half of it"}}
      colour: 0.5
    values:
      price: {linear: {at_min: 1, at_max: 0}}
      colour: {red: 1, blue: 0}
  - id: seller
    weights: {price: 0.5, colour: 0.5}
    values:
      price: {linear: {at_min: 0, at_max: 1}}
      colour: {red: 0, blue: 1}
`

// writeFile writes text to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// attackFiles are the inputs docs/limits.md measures, kept in
// testdata/hostile so that its commands can be run as written; -update
// rewrites them from the functions above.
var attackFiles = map[string]string{
	"one-big-issue.yaml": oneBigIssue(1_000_000),
	"opposed-3x12.yaml":  opposedScenario(3, 12, 10),
	"opposed-50x4.yaml":  opposedScenario(50, 4, 40),
}

func TestAttackFilesCurrent(t *testing.T) {
	for name, text := range attackFiles {
		path := filepath.Join("testdata", "hostile", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		data, err := os.ReadFile(path)
		if err != nil || string(data) != text {
			t.Errorf("%s is not what the tests attack with (%v); run go test ./cmd/parley -run AttackFiles -update", path, err)
		}
	}
}
