package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/parleyhq/parley/forecast"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxActorLegend is the most actors named in a plot's legend; beyond it the
// legend would hide the lines.
const maxActorLegend = 24

// Forecast draws the trajectories of a forecast, one panel per dimension,
// one line per actor (labelled in the legend) and a dashed black line for
// the model's forecast by round, and writes it as "png" or "svg".
func Forecast(w io.Writer, format string, r *forecast.Result) error {
	if len(r.Rounds) == 0 || len(r.Dimensions) == 0 {
		return fmt.Errorf("plot: result has no rounds")
	}
	nd := len(r.Dimensions)
	width := 8 * vg.Inch
	height := vg.Length(nd) * 4.5 * vg.Inch
	cv, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	plots := make([][]*gplot.Plot, nd)
	for d := range nd {
		p, err := trajectoryPlot(r, d)
		if err != nil {
			return err
		}
		plots[d] = []*gplot.Plot{p}
	}
	dc := draw.New(cv)
	tiles := draw.Tiles{Rows: nd, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6), PadY: vg.Points(10)}
	canvases := gplot.Align(plots, tiles, dc)
	for d := range nd {
		plots[d][0].Draw(canvases[d][0])
	}
	_, err = cv.WriteTo(w)
	return err
}

func trajectoryPlot(r *forecast.Result, d int) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text = fmt.Sprintf("%s — %s", r.Dimensions[d], r.Model)
	p.X.Label.Text = "round"
	p.Y.Label.Text = "position (0–100)"
	p.Y.Min, p.Y.Max = 0, 100
	p.X.Min, p.X.Max = 0, math.Max(1, float64(len(r.Rounds)-1))
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	for i, name := range r.Actors {
		xy := make(plotter.XYs, len(r.Rounds))
		for t, rd := range r.Rounds {
			xy[t].X, xy[t].Y = float64(t), rd.Positions[i][d]
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: actor %s: %w", name, err)
		}
		l.Color = actorColor(i, len(r.Actors))
		l.Width = vg.Points(1.4)
		p.Add(l)
		if len(r.Actors) <= maxActorLegend {
			p.Legend.Add(name, l)
		}
	}
	xy := make(plotter.XYs, len(r.Rounds))
	for t, rd := range r.Rounds {
		xy[t].X, xy[t].Y = float64(t), rd.Forecast[d]
	}
	if f, err := plotter.NewLine(xy); err == nil {
		f.Color = color.Black
		f.Width = vg.Points(2)
		f.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(f)
		p.Legend.Add("forecast", f)
	}
	return p, nil
}

// actorColor spreads hues evenly around the colour wheel, alternating
// lighter and darker ones.
func actorColor(i, n int) color.Color {
	s, v := 0.75, 0.8
	if i%2 == 1 {
		v = 0.6
	}
	return hue(float64(i)/float64(max(n, 1)), v*s, v-v*s)
}
