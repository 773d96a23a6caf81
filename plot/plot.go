// Package plot draws parley's results as PNG or SVG figures: an analysis's
// outcome space (Analysis), a played session (Session), a forecast's
// trajectories (Forecast) and a tournament's summary (Tournament).
//
// It is the only package that imports gonum.org/v1/plot, so that the core
// (outcome, utility, scenario, analysis, protocol, negotiator, session,
// forecast) and the tournament package stay free of the drawing libraries:
// they expose plain data, and the figures are drawn from it here. The same
// result always draws byte-identical files.
package plot

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution of PNG figures.
const DPI = 110

// newCanvas returns a width×height canvas for format "png" or "svg".
func newCanvas(format string, width, height vg.Length) (vg.CanvasWriterTo, error) {
	switch format {
	case "png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))}, nil
	case "svg":
		return vgsvg.New(width, height), nil
	}
	return nil, fmt.Errorf("plot: unknown format %q (want png or svg)", format)
}

// hue is the colour of hue h (in turns: 0 red, 1/3 green, 2/3 blue) with
// chroma c, lifted by m on every channel (HSV's value is c + m); figures
// use it to give each series its own colour.
func hue(h, c, m float64) color.RGBA {
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
