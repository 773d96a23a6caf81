package plot

import (
	"fmt"
	"image/color"
	"io"
	"sort"

	"github.com/parleyhq/parley/analysis"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Analysis draws the outcome space of an analysis as seen by parties x and
// y (indices into Report.Parties): every outcome as a grey dot (red when
// it crosses a red line; a seeded sample of analysis.MaxCloud of them in
// larger spaces), the Pareto frontier, the reservation values as dashed
// lines and the solution points, and writes it as "png" or "svg". With
// more than two parties the frontier points are projections, drawn as
// dots only.
func Analysis(w io.Writer, format string, r *analysis.Report, x, y int) error {
	n := len(r.Parties)
	if x < 0 || x >= n || y < 0 || y >= n || x == y {
		return fmt.Errorf("plot: need two different parties among %v", r.Parties)
	}
	width, height := 7*vg.Inch, 6*vg.Inch
	cv, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	p := gplot.New()
	p.Title.Text = fmt.Sprintf("%s: %s against %s", r.Scenario, r.Parties[y], r.Parties[x])
	p.X.Label.Text = "utility of " + r.Parties[x]
	p.Y.Label.Text = "utility of " + r.Parties[y]
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(18), vg.Points(18)
	p.X.Min, p.X.Max = min(0, r.MinUtility[x]), 1
	p.Y.Min, p.Y.Max = min(0, r.MinUtility[y]), 1

	okPts, crossPts, err := r.Cloud(x, y)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	ok, crossing := xys(okPts), xys(crossPts)
	if err := addDots(p, ok, color.Gray{Y: 170}, 1.2, ""); err != nil {
		return err
	}
	if len(crossing) > 0 {
		if err := addDots(p, crossing, color.RGBA{R: 235, G: 150, B: 150, A: 255}, 1.2, "crosses a red line"); err != nil {
			return err
		}
	}
	if r.Frontier != nil && len(r.Frontier.Points) > 0 {
		front := make(plotter.XYs, len(r.Frontier.Points))
		for i, pt := range r.Frontier.Points {
			front[i].X, front[i].Y = pt.Utilities[x], pt.Utilities[y]
		}
		if n == 2 {
			sort.Slice(front, func(i, j int) bool { return front[i].X < front[j].X })
			l, err := plotter.NewLine(front)
			if err != nil {
				return err
			}
			l.Color, l.Width = color.RGBA{B: 200, A: 255}, vg.Points(1.5)
			p.Add(l)
		}
		if err := addDots(p, front, color.RGBA{B: 200, A: 255}, 2.5, "Pareto frontier"); err != nil {
			return err
		}
	}
	for _, rv := range []struct {
		xy plotter.XYs
	}{
		{plotter.XYs{{X: r.Reservation[x], Y: 0}, {X: r.Reservation[x], Y: 1}}},
		{plotter.XYs{{X: 0, Y: r.Reservation[y]}, {X: 1, Y: r.Reservation[y]}}},
	} {
		l, err := plotter.NewLine(rv.xy)
		if err != nil {
			return err
		}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Color = color.Gray{Y: 90}
		p.Add(l)
	}
	marks := []struct {
		name  string
		pts   []analysis.PointReport
		shape draw.GlyphDrawer
		c     color.Color
	}{
		{"Nash", r.Nash, draw.PyramidGlyph{}, color.RGBA{R: 200, A: 255}},
		{"Kalai–Smorodinsky", r.KalaiSmorodinsky, draw.SquareGlyph{}, color.RGBA{G: 140, A: 255}},
		{"max welfare", r.MaxWelfare, draw.CrossGlyph{}, color.RGBA{R: 150, B: 150, A: 255}},
		{"egalitarian", r.Egalitarian, draw.RingGlyph{}, color.RGBA{R: 210, G: 120, A: 255}},
	}
	for _, m := range marks {
		if len(m.pts) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(m.pts))
		for i, pt := range m.pts {
			xy[i].X, xy[i].Y = pt.Utilities[x], pt.Utilities[y]
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		s.GlyphStyle.Shape, s.GlyphStyle.Color, s.GlyphStyle.Radius = m.shape, m.c, vg.Points(5)
		p.Add(s)
		p.Legend.Add(m.name, s)
	}
	p.Legend.Add("reservation values", plotLegendLine())
	p.Draw(draw.New(cv))
	_, err = cv.WriteTo(w)
	return err
}

func addDots(p *gplot.Plot, xy plotter.XYs, c color.Color, radius float64, legend string) error {
	if len(xy) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	s.GlyphStyle.Shape, s.GlyphStyle.Color, s.GlyphStyle.Radius = draw.CircleGlyph{}, c, vg.Points(radius)
	p.Add(s)
	if legend != "" {
		p.Legend.Add(legend, s)
	}
	return nil
}

func plotLegendLine() gplot.Thumbnailer {
	l := &plotter.Line{LineStyle: draw.LineStyle{Color: color.Gray{Y: 90}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}}
	return l
}

// xys converts points to the plotter's type.
func xys(pts [][2]float64) plotter.XYs {
	xy := make(plotter.XYs, len(pts))
	for i, p := range pts {
		xy[i].X, xy[i].Y = p[0], p[1]
	}
	return xy
}
