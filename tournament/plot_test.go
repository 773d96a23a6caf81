package tournament

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"strings"
	"testing"
)

func row(name string, sessions uint64, mean float64) Row {
	return Row{Name: name, Sessions: sessions, Utility: Stat{N: sessions, Mean: mean, CI95: 0.01}, Agreement: 0.5, Binding: 0.5, agreed: sessions / 2, binding: sessions / 2}
}

func TestPlotRows(t *testing.T) {
	rows := []Row{row("a", 10, 0.2), row("b", 10, 0.7), row("empty", 0, 0), row("c", 10, 0.7), row("nan", 10, math.NaN()), row("d", 10, 0.9)}
	got, of := PlotRows(rows, 3)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	// Best first; b and c tie and keep their order; empty and NaN rows
	// are left out, and only 3 are kept of the 4 drawable.
	if strings.Join(names, ",") != "d,b,c" || of != 4 {
		t.Errorf("PlotRows: %v of %d, want d,b,c of 4", names, of)
	}
}

func plotSummary(negotiators int, voided bool) *Summary {
	s := &Summary{Name: "demo", Sessions: 100, Total: 120, Overall: row("all", 100, 0.5)}
	for i := range negotiators {
		s.Negotiators = append(s.Negotiators, row(fmt.Sprintf("strategy%02d", i), 40, float64(i)/float64(negotiators)))
	}
	s.Scenarios = []Row{row("domains/Laptop", 60, 0.6), row("domains/Car", 40, 0.4)}
	if voided {
		s.Overall.binding = 10
	}
	return s
}

func TestSummaryPlotPNG(t *testing.T) {
	var b bytes.Buffer
	if err := plotSummary(3, false).WritePlot(&b, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	// 10 inches wide at 110 dpi; each group 1 inch plus 16 points per row
	// (3 negotiators, 2 scenarios).
	h := (2*72.0 + 5*16) / 72 * 110
	if sz := img.Bounds().Size(); sz.X != 1100 || math.Abs(float64(sz.Y)-h) > 1 {
		t.Errorf("PNG is %v, want 1100×%.0f", sz, h)
	}
}

func TestSummaryPlotSVG(t *testing.T) {
	var b bytes.Buffer
	if err := plotSummary(45, true).WritePlot(&b, "svg"); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for _, want := range []string{"Tournament demo: 100 of 120 sessions", "(best 40 of 45)", "strategy44", "strategy05",
		"Laptop", "Car", "light: every deal signed; dark: deals that stand"} {
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
	plotSummary(45, true).WritePlot(&again, "svg")
	if !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("the same summary drew a different SVG")
	}
}

func TestSummaryPlotEmpty(t *testing.T) {
	s := &Summary{Name: "none", Total: 10, Negotiators: []Row{{Name: "a"}}}
	if err := s.WritePlot(&bytes.Buffer{}, "png"); err == nil || !strings.Contains(err.Error(), "no recorded sessions") {
		t.Errorf("empty summary: %v", err)
	}
	if err := plotSummary(2, false).WritePlot(&bytes.Buffer{}, "gif"); err == nil {
		t.Error("gif accepted")
	}
}
