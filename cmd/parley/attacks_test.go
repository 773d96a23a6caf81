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

// writeFile writes text to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
