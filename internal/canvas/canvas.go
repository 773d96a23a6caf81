// Package canvas makes the image canvases parley's plots draw on.
package canvas

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution of PNG plots.
const DPI = 110

// New returns a width×height canvas for format "png" or "svg".
func New(format string, width, height vg.Length) (vg.CanvasWriterTo, error) {
	switch format {
	case "png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))}, nil
	case "svg":
		return vgsvg.New(width, height), nil
	}
	return nil, fmt.Errorf("plot: unknown format %q (want png or svg)", format)
}

// Hue is the colour of hue h (in turns: 0 red, 1/3 green, 2/3 blue) with
// chroma c, lifted by m on every channel (HSV's value is c + m); plots use
// it to give each series its own colour.
func Hue(h, c, m float64) color.RGBA {
	h = math.Mod(h, 1) * 6
	if h < 0 {
		h += 6
	}
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) % 6 {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	return color.RGBA{uint8(255 * (r + m)), uint8(255 * (g + m)), uint8(255 * (b + m)), 255}
}
