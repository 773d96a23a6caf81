package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parleyhq/parley/tournament"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxTournamentRows is the most negotiators, and the most scenarios, a
// tournament figure lists: the best by mean utility. Beyond a few dozen the
// labels would be unreadable, and a figure must not grow with a hostile
// spec.
const MaxTournamentRows = 40

// rankRows is what a tournament figure draws of rows: the rows that have
// sessions (and a finite mean utility), ranked by mean utility (best
// first; ties keep spec order), at most max of them, and how many rows had
// sessions.
func rankRows(rows []tournament.Row, max int) (ranked []tournament.Row, of int) {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	for _, r := range rows {
		if r.Sessions > 0 && r.Utility.N > 0 && finite(r.Utility.Mean) && finite(r.Utility.CI95) {
			ranked = append(ranked, r)
		}
	}
	slices.SortStableFunc(ranked, func(a, b tournament.Row) int { return cmp.Compare(b.Utility.Mean, a.Utility.Mean) })
	of = len(ranked)
	if len(ranked) > max {
		ranked = ranked[:max]
	}
	return ranked, of
}

// Tournament draws a tournament's summary as "png" or "svg": per
// negotiator (ranked best first) its mean utility with the 95% confidence
// interval, and its agreement rate (with the binding rate when a
// ratification vote voided some deal); below, the same per scenario; last,
// head to head as a heat map. Scenario names are the spec's paths without
// their folders.
func Tournament(w io.Writer, format string, s *tournament.Summary) error {
	negs, nNeg := rankRows(s.Negotiators, MaxTournamentRows)
	scens, nScen := rankRows(s.Scenarios, MaxTournamentRows)
	if len(negs) == 0 {
		return fmt.Errorf("plot: the tournament has no recorded sessions to draw")
	}
	for i := range scens {
		scens[i].Name = filepath.Base(scens[i].Name)
	}
	voided := s.Overall.Voided()
	grid := newPairGrid(s.Pairs, negs)
	// Heights follow the rows listed, so that every label has room.
	// Each group has room for two-line titles and its axis below.
	rowH := vg.Points(16)
	hNeg := vg.Length(len(negs))*rowH + 1.3*vg.Inch
	hScen := vg.Length(len(scens))*rowH + 1.3*vg.Inch
	hPairs := vg.Length(0)
	if grid != nil {
		hPairs = vg.Length(len(negs))*2*rowH + 2*vg.Inch
	}
	width := 10 * vg.Inch
	cv, err := newCanvas(format, width, hNeg+hScen+hPairs)
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	// Sections from the top: negotiators, scenarios, head to head.
	section := func(above, h vg.Length) draw.Canvas {
		return draw.Crop(dc, 0, 0, hNeg+hScen+hPairs-above-h, -above)
	}
	title := fmt.Sprintf("Tournament %s: %d of %d sessions", s.Name, s.Sessions, s.Total)
	if err := drawGroup(section(0, hNeg), "negotiator", title, negs, nNeg, voided); err != nil {
		return err
	}
	if err := drawGroup(section(hNeg, hScen), "scenario", "", scens, nScen, voided); err != nil {
		return err
	}
	if grid != nil {
		if err := grid.draw(section(hNeg+hScen, hPairs)); err != nil {
			return err
		}
	}
	_, err = cv.WriteTo(w)
	return err
}

// pairGrid is head to head as a heat map: column c is the opponent, row r
// the negotiator, both in the ranked order of the negotiators drawn (the
// best in the top row and the first column); NaN where they never met.
type pairGrid struct {
	names []string  // ranked
	z     []float64 // z[r*n+c]: names[r]'s mean utility against names[c]
}

// newPairGrid is nil when there is nothing to draw.
func newPairGrid(pairs []tournament.Pair, ranked []tournament.Row) *pairGrid {
	n := len(ranked)
	if n < 2 || len(pairs) == 0 {
		return nil
	}
	g := &pairGrid{names: make([]string, n), z: make([]float64, n*n)}
	at := map[string]int{}
	for i, r := range ranked {
		g.names[i] = r.Name
		at[r.Name] = i
	}
	for i := range g.z {
		g.z[i] = math.NaN()
	}
	met := false
	for _, p := range pairs {
		r, ok1 := at[p.Negotiator]
		c, ok2 := at[p.Opponent]
		if ok1 && ok2 && p.Utility.N > 0 && !math.IsNaN(p.Utility.Mean) && !math.IsInf(p.Utility.Mean, 0) {
			g.z[r*n+c], met = p.Utility.Mean, true
		}
	}
	if !met {
		return nil
	}
	return g
}

// Dims, Z, X and Y make pairGrid a plotter.GridXYZ: y counts rows from
// the bottom, so the best negotiator's row, first, is at the top.
func (g *pairGrid) Dims() (c, r int)   { return len(g.names), len(g.names) }
func (g *pairGrid) Z(c, r int) float64 { n := len(g.names); return g.z[(n-1-r)*n+c] }
func (g *pairGrid) X(c int) float64    { return float64(c) }
func (g *pairGrid) Y(r int) float64    { return float64(r) }

// maxCellLabels is the most negotiators whose head-to-head cells are
// written out; beyond, the colours alone must do.
const maxCellLabels = 15

// draw draws the grid on c with a colour scale of utility from 0 to 1
// (the same colours in every tournament; values outside are clamped).
func (g *pairGrid) draw(c draw.Canvas) error {
	n := len(g.names)
	cm := moreland.SmoothBlueRed()
	cm.SetMin(0)
	cm.SetMax(1)
	p := gplot.New()
	p.Title.Text = "head to head: mean utility of the row's negotiator against the column's (blank: never met)"
	labels := make([]string, n)
	for i, name := range g.names {
		labels[n-1-i] = plotLabel(name)
	}
	p.NominalY(labels...)
	cols := make([]string, n)
	for i, name := range g.names {
		cols[i] = plotLabel(name)
	}
	p.NominalX(cols...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.X.Label.Text, p.Y.Label.Text = "opponent", "negotiator"
	pal := cm.Palette(256)
	hm := plotter.NewHeatMap(g, pal)
	hm.Min, hm.Max = 0, 1
	hm.Underflow, hm.Overflow, hm.NaN = pal.Colors()[0], pal.Colors()[255], color.White
	p.Add(hm)
	if n <= maxCellLabels {
		var xys plotter.XYs
		var text []string
		for r := range n {
			for col := range n {
				if v := g.Z(col, r); !math.IsNaN(v) {
					xys = append(xys, plotter.XY{X: float64(col), Y: float64(r)})
					text = append(text, fmt.Sprintf("%.3f", v))
				}
			}
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: text})
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
		}
		p.Add(l)
	}
	bar := gplot.New()
	bar.Title.Text = "utility"
	bar.HideX()
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	bar.Y.Min, bar.Y.Max = 0, 1
	// The map takes the left of the width, the scale a narrow strip.
	w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
	mapArea := draw.Crop(c, 0, -0.2*w, 0, 0)
	barArea := draw.Crop(c, 0.86*w, -0.06*w, 0.12*h, -0.45*h)
	p.Draw(draw.Crop(mapArea, vg.Points(8), -vg.Points(8), vg.Points(8), -vg.Points(8)))
	bar.Draw(barArea)
	return nil
}

// drawGroup draws one group of rows (negotiators or scenarios) as two
// panels side by side on c: utility with its interval, and rates.
func drawGroup(c draw.Canvas, group, title string, rows []tournament.Row, of int, voided bool) error {
	if len(rows) == 0 {
		return nil
	}
	names := make([]string, len(rows))
	// NominalY puts the first name at the bottom; the best goes on top.
	for i, r := range rows {
		names[len(rows)-1-i] = plotLabel(r.Name)
	}
	y := func(i int) float64 { return float64(len(rows) - 1 - i) }

	u := gplot.New()
	u.Title.Text = fmt.Sprintf("mean utility per %s, 95%% interval over line-ups", group)
	if of > len(rows) {
		u.Title.Text += fmt.Sprintf(" (best %d of %d)", len(rows), of)
	}
	if title != "" {
		u.Title.Text = title + "\n" + u.Title.Text
	}
	u.X.Label.Text = "utility (undiscounted, per seat held)"
	u.NominalY(names...)
	u.Add(plotter.NewGrid())
	lo, hi := 1.0, 0.0
	pts := make(plotter.XYs, len(rows))
	errs := make(plotter.XErrors, len(rows))
	for i, r := range rows {
		pts[i].X, pts[i].Y = r.Utility.Mean, y(i)
		errs[i].Low, errs[i].High = -r.Utility.CI95, r.Utility.CI95
		lo, hi = math.Min(lo, r.Utility.Mean-r.Utility.CI95), math.Max(hi, r.Utility.Mean+r.Utility.CI95)
	}
	bars, err := plotter.NewXErrorBars(struct {
		plotter.XYer
		plotter.XErrorer
	}{pts, errs})
	if err != nil {
		return err
	}
	bars.LineStyle.Color, bars.LineStyle.Width = color.RGBA{B: 180, A: 255}, vg.Points(1.5)
	dots, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	dots.GlyphStyle = draw.GlyphStyle{Color: color.RGBA{B: 180, A: 255}, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	u.Add(bars, dots)
	u.X.Min, u.X.Max = math.Min(0, lo), math.Max(1, hi)

	rate := gplot.New()
	rate.Title.Text = fmt.Sprintf("agreement rate per %s", group)
	rate.X.Label.Text = "share of its sessions (%)"
	rate.NominalY(names...)
	rate.Add(plotter.NewGrid())
	rate.X.Min, rate.X.Max = 0, 100
	agreed := make(plotter.XYs, len(rows))
	binding := make(plotter.XYs, len(rows))
	for i, r := range rows {
		agreed[i].X, agreed[i].Y = 100*r.Agreement, y(i)
		binding[i].X, binding[i].Y = 100*r.Binding, y(i)
	}
	addRateBars(rate, agreed, color.RGBA{R: 120, G: 170, B: 230, A: 255})
	if voided {
		// The key is in the title: a legend would hide the longest bars.
		rate.Title.Text = fmt.Sprintf("agreement rate per %s\nlight: every deal signed; dark: deals that stand", group)
		addRateBars(rate, binding, color.RGBA{R: 20, G: 90, B: 170, A: 255})
	}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadTop: vg.Points(8), PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(8), PadX: vg.Points(16)}
	ps := [][]*gplot.Plot{{u, rate}}
	cs := gplot.Align(ps, tiles, c)
	u.Draw(cs[0][0])
	rate.Draw(cs[0][1])
	return nil
}

// addRateBars adds horizontal bars from 0 to each point's X (a share in
// [0, 100]), drawn as thick lines so that a later, shorter set stays
// visible on top.
func addRateBars(p *gplot.Plot, pts plotter.XYs, c color.Color) {
	for _, pt := range pts {
		l := &plotter.Line{XYs: plotter.XYs{{X: 0, Y: pt.Y}, {X: pt.X, Y: pt.Y}}, LineStyle: plotter.DefaultLineStyle}
		l.Color, l.Width = c, vg.Points(9)
		p.Add(l)
	}
}

// plotLabel shortens a name for an axis label.
func plotLabel(s string) string {
	const max = 48
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return strings.TrimSpace(s)
}
