package plot

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/parleyhq/parley/tournament"
)

func row(name string, sessions uint64, mean float64) tournament.Row {
	return tournament.Row{Name: name, Sessions: sessions, Utility: tournament.Stat{N: sessions, Mean: mean, CI95: 0.01}, Agreement: 0.5, Binding: 0.5}
}

func TestRankRows(t *testing.T) {
	rows := []tournament.Row{row("a", 10, 0.2), row("b", 10, 0.7), row("empty", 0, 0), row("c", 10, 0.7), row("nan", 10, math.NaN()), row("d", 10, 0.9)}
	got, of := rankRows(rows, 3)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	// Best first; b and c tie and keep their order; empty and NaN rows
	// are left out, and only 3 are kept of the 4 drawable.
	if strings.Join(names, ",") != "d,b,c" || of != 4 {
		t.Errorf("rankRows: %v of %d, want d,b,c of 4", names, of)
	}
}

func plotSummary(negotiators int, voided bool) *tournament.Summary {
	s := &tournament.Summary{Name: "demo", Sessions: 100, Total: 120, Overall: row("all", 100, 0.5)}
	for i := range negotiators {
		s.Negotiators = append(s.Negotiators, row(fmt.Sprintf("strategy%02d", i), 40, float64(i)/float64(negotiators)))
	}
	s.Scenarios = []tournament.Row{row("domains/Laptop", 60, 0.6), row("domains/Car", 40, 0.4)}
	for _, a := range s.Negotiators {
		for _, b := range s.Negotiators {
			if a.Name != b.Name { // no self-play: a blank diagonal
				s.Pairs = append(s.Pairs, tournament.Pair{Negotiator: a.Name, Opponent: b.Name, Sessions: 10,
					Utility: tournament.Stat{N: 10, Mean: (a.Utility.Mean + 1 - b.Utility.Mean) / 2}})
			}
		}
	}
	if voided {
		s.Overall.Binding = 0.1
	}
	return s
}

func TestTournamentPNG(t *testing.T) {
	var b bytes.Buffer
	if err := Tournament(&b, "png", plotSummary(3, false)); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	// 10 inches wide at 110 dpi; each group 1.3 inches plus 16 points per
	// row (3 negotiators, 2 scenarios); head to head 2 inches plus 32
	// points per negotiator.
	h := (2*1.3*72 + 5*16 + 2*72 + 3*32) / 72 * 110
	if len(plotSummary(3, false).Pairs) == 0 {
		t.Fatal("the summary has no pairs: head to head is not drawn")
	}
	if sz := img.Bounds().Size(); sz.X != 1100 || math.Abs(float64(sz.Y)-h) > 1 {
		t.Errorf("PNG is %v, want 1100×%.0f", sz, h)
	}
}

func TestTournamentSVG(t *testing.T) {
	var b bytes.Buffer
	if err := Tournament(&b, "svg", plotSummary(45, true)); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for _, want := range []string{"Tournament demo: 100 of 120 sessions", "(best 40 of 45)", "strategy44", "strategy05",
		"Laptop", "Car", "light: every deal signed; dark: deals that stand", "head to head: mean utility of the row"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// The five worst strategies are not listed; folders are cut from scenario names.
	for _, absent := range []string{"strategy04", "domains/"} {
		if strings.Contains(svg, absent) {
			t.Errorf("SVG has %q", absent)
		}
	}
	var again bytes.Buffer
	Tournament(&again, "svg", plotSummary(45, true))
	if !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("the same summary drew a different SVG")
	}
}

func TestTournamentEmpty(t *testing.T) {
	s := &tournament.Summary{Name: "none", Total: 10, Negotiators: []tournament.Row{{Name: "a"}}}
	if err := Tournament(&bytes.Buffer{}, "png", s); err == nil || !strings.Contains(err.Error(), "no recorded sessions") {
		t.Errorf("empty summary: %v", err)
	}
	if err := Tournament(&bytes.Buffer{}, "gif", plotSummary(2, false)); err == nil {
		t.Error("gif accepted")
	}
}

// TestPairGrid checks the head-to-head grid the plot colours: the best
// negotiator's row on top, opponents in the same ranked order, NaN where
// two never met, and nothing to draw without pairs.
func TestPairGrid(t *testing.T) {
	s := plotSummary(3, false) // strategy02 ranks first, strategy00 last
	ranked, _ := rankRows(s.Negotiators, MaxTournamentRows)
	g := newPairGrid(s.Pairs, ranked)
	if g == nil {
		t.Fatal("no grid")
	}
	want := func(a, b int) float64 { // strategy a against strategy b
		return (float64(a)/3 + 1 - float64(b)/3) / 2
	}
	// Top row (r = 2) is strategy02; column 1 is strategy01.
	if got := g.Z(1, 2); math.Abs(got-want(2, 1)) > 1e-12 {
		t.Errorf("strategy02 against strategy01: %v, want %v", got, want(2, 1))
	}
	// Bottom row (r = 0) is strategy00; column 0 is strategy02.
	if got := g.Z(0, 0); math.Abs(got-want(0, 2)) > 1e-12 {
		t.Errorf("strategy00 against strategy02: %v, want %v", got, want(0, 2))
	}
	for i := range 3 {
		if v := g.Z(i, 2-i); !math.IsNaN(v) {
			t.Errorf("self-play cell %d is %v, want blank", i, v)
		}
	}
	if newPairGrid(nil, ranked) != nil || newPairGrid(s.Pairs, ranked[:1]) != nil {
		t.Error("a grid without pairs, or of one negotiator")
	}
}
