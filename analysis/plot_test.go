package analysis

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestWritePlot(t *testing.T) {
	_, r := analyzeFile(t, "../scenario/testdata/rules.yaml")
	var b bytes.Buffer
	if err := r.WritePlot(&b, "png", 0, 1); err != nil {
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
	if err := r.WritePlot(&b, "svg", 1, 0); err != nil || !strings.Contains(b.String(), "<svg") {
		t.Fatalf("svg: %v", err)
	}
	// The red-line outcomes get their own legend entry.
	if !strings.Contains(b.String(), "crosses a red line") {
		t.Error("the plot does not mark outcomes that cross a red line")
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
		if err := r.WritePlot(&b, c.format, c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("WritePlot(%s, %d, %d) = %v, want %q", c.format, c.x, c.y, err, c.want)
		}
	}
}
