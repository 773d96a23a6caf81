package plot

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
)

func analyzeFile(t *testing.T, path string) *analysis.Report {
	t.Helper()
	s, err := scenario.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAnalysis(t *testing.T) {
	r := analyzeFile(t, "../scenario/testdata/rules.yaml")
	var b bytes.Buffer
	if err := Analysis(&b, "png", r, 0, 1); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Dx(); got != 770 { // 7 inches at 110 dpi
		t.Errorf("width %d, want 770", got)
	}
	b.Reset()
	if err := Analysis(&b, "svg", r, 1, 0); err != nil || !strings.Contains(b.String(), "<svg") {
		t.Fatalf("svg: %v", err)
	}
	// The red-line outcomes get their own legend entry.
	if !strings.Contains(b.String(), "crosses a red line") {
		t.Error("the plot does not mark outcomes that cross a red line")
	}
	var again bytes.Buffer
	if err := Analysis(&again, "svg", r, 1, 0); err != nil || !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Errorf("the same analysis drew a different SVG (%v)", err)
	}
	for _, c := range []struct {
		format string
		x, y   int
		want   string
	}{
		{"gif", 0, 1, `unknown format "gif"`},
		{"png", 0, 0, "two different parties"},
		{"png", 0, 5, "two different parties"},
	} {
		if err := Analysis(&b, c.format, r, c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Analysis(%s, %d, %d) = %v, want %q", c.format, c.x, c.y, err, c.want)
		}
	}
}
