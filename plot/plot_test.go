package plot

import (
	"image/color"
	"testing"
)

func TestHue(t *testing.T) {
	for _, c := range []struct {
		h, c, m float64
		want    color.RGBA
	}{
		{0, 1, 0, color.RGBA{255, 0, 0, 255}},
		{1.0 / 3, 1, 0, color.RGBA{0, 255, 0, 255}},
		{2.0 / 3, 1, 0, color.RGBA{0, 0, 255, 255}},
		{1.5, 0.5, 0.25, color.RGBA{63, 191, 191, 255}}, // a turn and a half: cyan, lifted
		{-0.5, 0.5, 0.25, color.RGBA{63, 191, 191, 255}},
		{1.0 / 6, 0.6, 0.2, color.RGBA{204, 204, 51, 255}}, // yellow
	} {
		if got := hue(c.h, c.c, c.m); got != c.want {
			t.Errorf("hue(%g, %g, %g) = %v, want %v", c.h, c.c, c.m, got, c.want)
		}
	}
}
