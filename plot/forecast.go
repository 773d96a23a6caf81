package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/forecast"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxActorLegend is the most actors named in a forecast's legend; beyond
// it the legend would outgrow the figure, and it says how many there are.
const maxActorLegend = 24

// maxMarks is the most rounds marked with a glyph on each actor's line.
const maxMarks = 25

// Forecast draws the trajectories of a forecast, one panel per dimension:
// one line per actor, marked at the rounds with the actor's glyph so that
// actors who share a position stay visible, and a dashed black line for
// the model's forecast by round; one legend beside the panels names them
// all. Each panel's axis is zoomed to the positions it shows, with a
// margin, and labelled with the dimension's anchors and options where they
// fall in that range (numbers where none does). dims, the problem's
// dimensions in the result's order, may be nil. It writes "png" or "svg".
func Forecast(w io.Writer, format string, r *forecast.Result, dims []forecast.Dimension) error {
	if len(r.Rounds) == 0 || len(r.Dimensions) == 0 {
		return fmt.Errorf("plot: result has no rounds")
	}
	nd := len(r.Dimensions)
	legend, entries := forecastLegend(r)
	panelH := 4.5 * vg.Inch
	width := 11 * vg.Inch
	legW := 2.4 * vg.Inch
	// The legend's entries set a floor on the height, so that none is cut.
	height := max(vg.Length(nd)*panelH, vg.Length(entries+3)*vg.Points(legendRow))
	cv, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	plots, err := issuePlots(nd, dims, func(d int, dim *forecast.Dimension) (*gplot.Plot, error) { return trajectoryPlot(r, d, dim) })
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	fillWhite(dc)
	body := draw.Crop(dc, 0, -legW, height-vg.Length(nd)*panelH, 0)
	tiles := draw.Tiles{Rows: nd, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6), PadY: vg.Points(14)}
	canvases := gplot.Align(plots, tiles, body)
	for d := range nd {
		plots[d][0].Draw(canvases[d][0])
	}
	legend.Draw(draw.Crop(dc, dc.Size().X-legW+vg.Points(12), 0, 0, -vg.Points(12)))
	_, err = cv.WriteTo(w)
	return err
}

// legendRow is the height of a legend entry at the legend's font size.
const legendRow = 14 // points

// Forecast styles: each actor's colour and glyph, and the forecast's line.
var (
	actorGlyphs   = []draw.GlyphDrawer{draw.RingGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}
	forecastStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(2.2), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
)

// actorStyle is actor i's line and glyph among n.
func actorStyle(i, n int) (draw.LineStyle, draw.GlyphStyle) {
	c := actorColor(i, n)
	return draw.LineStyle{Color: c, Width: vg.Points(1.4)},
		draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: actorGlyphs[i%len(actorGlyphs)]}
}

// forecastLegend names every actor (up to maxActorLegend, else says how
// many) and the forecast, at a size that reads at the figure's scale; it
// returns the legend and its number of entries.
func forecastLegend(r *forecast.Result) (gplot.Legend, int) {
	l := gplot.NewLegend()
	l.TextStyle.Font.Size = vg.Points(10)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(28)
	l.Padding = vg.Points(3)
	n := len(r.Actors)
	if n <= maxActorLegend {
		for i, name := range r.Actors {
			ls, gs := actorStyle(i, n)
			l.Add(name, &plotter.Line{LineStyle: ls}, &plotter.Scatter{GlyphStyle: gs})
		}
	} else {
		l.Add(fmt.Sprintf("%d actors, one line each", n))
	}
	l.Add("forecast ("+r.Model+")", &plotter.Line{LineStyle: forecastStyle})
	if n > maxActorLegend {
		n = 1
	}
	return l, n + 1
}

func trajectoryPlot(r *forecast.Result, d int, dim *forecast.Dimension) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text = fmt.Sprintf("%s — %s", r.Dimensions[d], r.Model)
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.Text = "round"
	p.X.Min, p.X.Max = 0, math.Max(1, float64(len(r.Rounds)-1))
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, rd := range r.Rounds {
		for i := range r.Actors {
			lo, hi = math.Min(lo, rd.Positions[i][d]), math.Max(hi, rd.Positions[i][d])
		}
		lo, hi = math.Min(lo, rd.Forecast[d]), math.Max(hi, rd.Forecast[d])
	}
	p.Y.Min, p.Y.Max = zoom(lo, hi)
	p.Y.Label.Text = "position (0–100 scale)"
	if p.Y.Max-p.Y.Min < 100 {
		p.Y.Label.Text = "position (0–100 scale, zoomed)"
	}
	var marks []forecast.Anchor
	if dim != nil {
		marks = scaleMarks(dim.Anchors, dim.Options)
	}
	p.Y.Tick.Marker = scaleTicker{marks: marks}
	step := (len(r.Rounds) + maxMarks - 1) / maxMarks
	n := len(r.Actors)
	for i, name := range r.Actors {
		xy := make(plotter.XYs, len(r.Rounds))
		for t, rd := range r.Rounds {
			xy[t].X, xy[t].Y = float64(t), rd.Positions[i][d]
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: actor %s: %w", name, err)
		}
		var marked plotter.XYs
		for t := 0; t < len(xy); t += step {
			marked = append(marked, xy[t])
		}
		sc, err := plotter.NewScatter(marked)
		if err != nil {
			return nil, fmt.Errorf("plot: actor %s: %w", name, err)
		}
		l.LineStyle, sc.GlyphStyle = actorStyle(i, n)
		p.Add(l, sc)
	}
	xy := make(plotter.XYs, len(r.Rounds))
	for t, rd := range r.Rounds {
		xy[t].X, xy[t].Y = float64(t), rd.Forecast[d]
	}
	f, err := plotter.NewLine(xy)
	if err != nil {
		return nil, fmt.Errorf("plot: forecast: %w", err)
	}
	f.LineStyle = forecastStyle
	p.Add(f)
	return p, nil
}

// zoom is the axis range that shows positions lo to hi with a margin of
// 5% of their spread (at least half a point, so that actors who never move
// are not drawn on the frame).
func zoom(lo, hi float64) (float64, float64) {
	pad := math.Max(0.05*(hi-lo), 0.5)
	return lo - pad, hi + pad
}

// scaleMarks merges a dimension's anchors and options into the labelled
// points of its scale, by value: an option at an anchor's value is left
// out (the anchor names the point), as are repeats.
func scaleMarks(anchors, options []forecast.Anchor) []forecast.Anchor {
	var marks []forecast.Anchor
	at := func(v float64) bool {
		for _, m := range marks {
			if math.Abs(m.Value-v) < 1e-9 {
				return true
			}
		}
		return false
	}
	for _, list := range [][]forecast.Anchor{anchors, options} {
		for _, a := range list {
			if !at(a.Value) {
				marks = append(marks, a)
			}
		}
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].Value < marks[j].Value })
	return marks
}

// scaleTicker labels a position axis with the scale's marks in its range,
// "label (value)", wrapped, and gonum's numeric ticks, whose numbers are
// kept where no mark is near.
type scaleTicker struct{ marks []forecast.Anchor }

// Ticks implements gplot.Ticker.
func (t scaleTicker) Ticks(lo, hi float64) []gplot.Tick {
	var ticks []gplot.Tick
	for _, m := range t.marks {
		if m.Value >= lo && m.Value <= hi {
			label := strconv.FormatFloat(m.Value, 'g', -1, 64)
			if m.Label != "" {
				label = strings.Join(wrap(m.Label, 24), "\n") + " (" + label + ")"
			}
			ticks = append(ticks, gplot.Tick{Value: m.Value, Label: label})
		}
	}
	marked := len(ticks)
	for _, d := range (gplot.DefaultTicks{}).Ticks(lo, hi) {
		for _, m := range ticks[:marked] {
			if math.Abs(m.Value-d.Value) < 0.08*(hi-lo) {
				d.Label = ""
			}
		}
		ticks = append(ticks, d)
	}
	return ticks
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

// ForecastComparison draws every model's forecast side by side, one panel
// per issue: a row per model with its forecast marked and, when the
// comparison has bands, the band drawn as a bar across it; the issue's
// options and anchors label the position axis and are drawn as faint
// vertical lines, so that the value nearest each forecast can be read off.
// A model that could not run keeps its row, empty. dims, the problem's
// dimensions in the comparison's order, may be nil. It writes "png" or "svg".
func ForecastComparison(w io.Writer, format string, c *forecast.Comparison, dims []forecast.Dimension) error {
	nd, nm := len(c.Dimensions), len(c.Models)
	if nd == 0 || nm == 0 {
		return fmt.Errorf("plot: comparison has no issues or no models")
	}
	panelH := vg.Length(nm)*0.42*vg.Inch + 1.3*vg.Inch
	width := 11 * vg.Inch
	height := vg.Length(nd) * panelH
	cv, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	plots, err := issuePlots(nd, dims, func(d int, dim *forecast.Dimension) (*gplot.Plot, error) { return comparisonPlot(c, d, dim) })
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	fillWhite(dc)
	tiles := draw.Tiles{Rows: nd, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(16), PadY: vg.Points(14)}
	canvases := gplot.Align(plots, tiles, dc)
	for d := range nd {
		plots[d][0].Draw(canvases[d][0])
	}
	_, err = cv.WriteTo(w)
	return err
}

// comparisonPlot is issue d's panel of a comparison.
func comparisonPlot(c *forecast.Comparison, d int, dim *forecast.Dimension) (*gplot.Plot, error) {
	p := gplot.New()
	nm := len(c.Models)
	title := c.Dimensions[d] + " — every model's forecast"
	if c.Bands != nil && len(c.Bands.Assumptions) > 0 {
		title += fmt.Sprintf(", with its %g–%g%% band over %d samples", 100*c.Bands.Low, 100*c.Bands.High, c.Bands.Samples)
	}
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.Text = "position (0–100 scale): × the forecast"
	if c.Bands != nil && len(c.Bands.Assumptions) > 0 {
		p.X.Label.Text += ", bar its band, ○ the samples' median"
	}
	var marks []forecast.Anchor
	if dim != nil {
		marks = scaleMarks(dim.Anchors, dim.Options)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, m := range marks {
		lo, hi = math.Min(lo, m.Value), math.Max(hi, m.Value)
	}
	names := make([]string, nm)
	for k, m := range c.Models {
		names[k] = m.Model
		if m.Error != "" {
			names[k] += " (could not run)"
			continue
		}
		lo, hi = math.Min(lo, m.Forecast[d]), math.Max(hi, m.Forecast[d])
		if b := band(c, k, d); b != nil {
			lo, hi = math.Min(lo, b.Low), math.Max(hi, b.High)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 100
	}
	p.X.Min, p.X.Max = zoom(lo, hi)
	p.X.Tick.Marker = scaleTicker{marks: marks}
	p.Y.Min, p.Y.Max = -0.7, float64(nm)-0.3
	p.Y.Tick.Marker = rowTicker(names)
	p.Y.Padding = 0
	for _, m := range marks {
		l, err := plotter.NewLine(plotter.XYs{{X: m.Value, Y: p.Y.Min}, {X: m.Value, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 200}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
		p.Add(l)
	}
	for k, m := range c.Models {
		if m.Error != "" {
			continue
		}
		y := float64(nm - 1 - k) // the first model on top
		col := actorColor(k, nm)
		if b := band(c, k, d); b != nil {
			l, err := plotter.NewLine(plotter.XYs{{X: b.Low, Y: y}, {X: b.High, Y: y}})
			if err != nil {
				return nil, err
			}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(5)}
			med, err := plotter.NewScatter(plotter.XYs{{X: b.Median, Y: y}})
			if err != nil {
				return nil, err
			}
			med.GlyphStyle = draw.GlyphStyle{Color: color.White, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
			p.Add(l, med)
		}
		f, err := plotter.NewScatter(plotter.XYs{{X: m.Forecast[d], Y: y}})
		if err != nil {
			return nil, fmt.Errorf("plot: %s's forecast: %w", m.Model, err)
		}
		f.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(4.5), Shape: draw.CrossGlyph{}}
		p.Add(f)
	}
	return p, nil
}

// band is model k's band on issue d, or nil.
func band(c *forecast.Comparison, k, d int) *forecast.IssueBand {
	b := c.Bands
	if b == nil || len(b.Assumptions) == 0 || k >= len(b.Models) || b.Models[k].Scored == 0 || d >= len(b.Models[k].Issues) {
		return nil
	}
	return &b.Models[k].Issues[d]
}

// rowTicker labels rows 0…n−1 from the top with names[0…n−1].
type rowTicker []string

// Ticks implements gplot.Ticker.
func (t rowTicker) Ticks(lo, hi float64) []gplot.Tick {
	ticks := make([]gplot.Tick, len(t))
	for k, name := range t {
		ticks[k] = gplot.Tick{Value: float64(len(t) - 1 - k), Label: name}
	}
	return ticks
}

// issuePlots makes one panel per issue, in a column: mk draws issue d,
// given its dimension when dims has one.
func issuePlots(nd int, dims []forecast.Dimension, mk func(d int, dim *forecast.Dimension) (*gplot.Plot, error)) ([][]*gplot.Plot, error) {
	plots := make([][]*gplot.Plot, nd)
	for d := range nd {
		var dim *forecast.Dimension
		if d < len(dims) {
			dim = &dims[d]
		}
		p, err := mk(d, dim)
		if err != nil {
			return nil, err
		}
		plots[d] = []*gplot.Plot{p}
	}
	return plots, nil
}

// fillWhite paints the whole of dc white, the background of every figure.
func fillWhite(dc draw.Canvas) {
	dc.FillPolygon(color.White, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
}
