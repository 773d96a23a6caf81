package plot

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Session draws the session r played (and rec recorded while it ran) as
// "png" or "svg", in two panels with a shared legend:
//
//   - utility over normalised time: for every seat, the utility to it of
//     its own offers (solid line with dots); for seats x and y, the utility
//     to each of the other's offers (dashed, in its colour), as in Genius's
//     progress chart; under a mediator, the utility to each seat of the
//     texts put to it (dotted);
//   - the outcome space of seats x and y: every offer as a point in their
//     utilities (in its proposer's colour, the mediator's texts grey), the
//     Pareto frontier of x and y among the outcomes no party's red line
//     excludes (the upper envelope of the session's frontier, the one its
//     result measures distances to, seen from x and y; left out, with the
//     reason in the legend, when the session's analysis has none) and the
//     Nash point of the session's result.
//
// Both panels mark the session's agreement (filled square; an open square
// when a failed ratification vote voided it, which the title says) and,
// under an agenda, the agreements of earlier phases (triangles) and when
// each phase opened (dotted vertical lines). An offer across a party's red
// line (utility.Unacceptable) is not drawn at that value: it is clamped
// into a strip below the axis range (left of it for x in the outcome
// space) as a red cross, and lines join only the acceptable offers.
// Points are utilities as `parley run` prints them (see OfferPoint): under
// an agenda a phase's offers are valued with the issues still open at
// their mean, so they need not lie among whole deals, while the frontier
// and the Nash point are of whole deals by the preferences at the start.
// Long sessions are thinned (see session.OfferSeries) and the frontier is
// drawn from at most session.MaxPlotPoints of its points, evenly spaced;
// the legend says so. The same session gives byte-identical output.
func Session(w io.Writer, format string, r *session.Runner, rec *session.Recorder, x, y int) error {
	if r == nil || !r.Played() {
		return errors.New("plot: no session has been played")
	}
	n := len(r.Prepared().Seats)
	if x < 0 || x >= n || y < 0 || y >= n || x == y {
		return fmt.Errorf("plot: need two different parties among %s", strings.Join(r.Prepared().PartyIDs(), ", "))
	}
	if err := checkRecording(rec, n); err != nil {
		return err
	}
	v := newSessionView(rec, r, x, y)
	left, err := v.timePlot()
	if err != nil {
		return err
	}
	right, err := v.spacePlot()
	if err != nil {
		return err
	}
	v.legend.TextStyle.Font.Size = vg.Points(8)
	v.legend.Top, v.legend.Left = true, true
	v.legend.Padding = vg.Points(3)
	for _, note := range v.notes {
		v.legend.Add("")
		for _, line := range wrap(note, 52) {
			v.legend.Add(line)
		}
	}

	width, height := 14*vg.Inch, 6.5*vg.Inch
	cv, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	fillWhite(dc)

	title := gplot.New().Title.TextStyle
	titleH := vg.Points(38)
	title.Font.Size = vg.Points(12)
	dc.FillText(title, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - vg.Points(6)}, v.title)
	title.Font.Size = vg.Points(11)
	dc.FillText(title, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - vg.Points(22)}, v.status)

	legW := v.legend.Rectangle(dc).Size().X + vg.Points(24)
	legW = min(max(legW, 2*vg.Inch), 5*vg.Inch)
	body := draw.Crop(dc, 0, -legW, 0, -titleH)
	plots := [][]*gplot.Plot{{left, right}}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadTop: vg.Points(4), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6), PadX: vg.Points(18)}
	cs := gplot.Align(plots, tiles, body)
	left.Draw(cs[0][0])
	right.Draw(cs[0][1])
	v.legend.Draw(draw.Crop(dc, dc.Size().X-legW+vg.Points(4), 0, 0, -titleH-vg.Points(8)))
	_, err = cv.WriteTo(w)
	return err
}

// checkRecording refuses a recording whose points do not hold n utilities
// each (one made of another scenario's session), which the panels would
// misread.
func checkRecording(rec *session.Recorder, n int) error {
	bad := len(rec.Series) > n+1
	for i := range rec.Series {
		s := &rec.Series[i]
		for _, pt := range s.Points {
			bad = bad || len(pt.Utilities) != n
		}
		bad = bad || (s.Count > 0 && len(s.Last.Utilities) != n)
	}
	for _, a := range rec.Agreements {
		bad = bad || len(a.Utilities) != n
	}
	if bad {
		return fmt.Errorf("plot: the recording is not of this runner's session (%d parties)", n)
	}
	return nil
}

// sessionView is what both panels share: names, colours, ranges, the
// legend being built and its notes.
type sessionView struct {
	rec     *session.Recorder
	res     session.Result
	agenda  bool
	n, x, y int
	names   []string
	negs    []string // each seat's negotiator
	med     string   // the mediator's name, if it made proposals
	final   int      // index in rec.Agreements of the session's agreement, or -1
	void    bool     // the session's agreement was voided by a ratification vote
	title   string
	status  string
	legend  gplot.Legend
	notes   []string
	// pareto is the seats' Pareto frontier the result is measured against
	// (nil when the analysis has none).
	pareto *analysis.Pareto
	// redMarks counts the offers drawn as crossing a red line, per panel.
	redMarks [2]int
	seen     map[string]bool
}

func newSessionView(rec *session.Recorder, r *session.Runner, x, y int) *sessionView {
	p := r.Prepared()
	res := r.Result()
	n := len(p.Seats)
	v := &sessionView{rec: rec, res: res, agenda: len(p.Scenario.Agenda) > 0, n: n, x: x, y: y, final: -1,
		legend: gplot.NewLegend(), seen: map[string]bool{}, pareto: p.Frontier()}
	for _, pr := range res.Parties {
		v.names = append(v.names, pr.ID)
		v.negs = append(v.negs, pr.Negotiator)
	}
	if len(rec.Series) > n && rec.Series[n].Count > 0 {
		v.med = r.SeatName(n)
	}
	if res.Agreed && len(rec.Agreements) > 0 {
		v.final = len(rec.Agreements) - 1
		v.void = res.Status == session.StatusNotRatified
	}
	proto := res.Protocol
	if res.Mediator != "" {
		proto += " (mediator " + res.Mediator + ")"
	}
	v.title = fmt.Sprintf("%s — %s", res.Scenario, proto)
	if n <= 4 {
		negs := make([]string, n)
		for s := range n {
			negs[s] = v.names[s] + " " + v.negs[s]
		}
		v.title += ": " + strings.Join(negs, ", ")
	}
	v.title += fmt.Sprintf("; seed %d", res.Seed)
	v.status = sessionStatus(&res)
	thinned := false
	for i := range rec.Series {
		thinned = thinned || rec.Series[i].Stride > 1
	}
	if thinned {
		v.notes = append(v.notes, fmt.Sprintf("long session: at most %d offers of each party (and of the mediator) drawn, evenly spaced, and the last", session.MaxPlotPoints))
	}
	if v.agenda {
		v.notes = append(v.notes, "agenda: a phase's offers are valued with the issues settled before it at their agreed values and those still open at their mean (a phase that stands: at what it secures to the deadline)")
	}
	if len(p.Scenario.Events) > 0 {
		v.notes = append(v.notes, "offers are valued by each party's preferences when they were made; the frontier and the Nash point by those at the start")
	}
	return v
}

// sessionStatus says how the session ended, for the figure's title.
func sessionStatus(res *session.Result) string {
	at := fmt.Sprintf("in round %d (t = %.3f)", res.Round, res.Time)
	switch res.Status {
	case session.StatusAgreed:
		return "Agreement " + at + "."
	case session.StatusRatified:
		return "Agreement " + at + ", ratified."
	case session.StatusNotRatified:
		var failed []string
		for _, rt := range res.Ratification {
			if rt.Required && !rt.Passed {
				body := rt.Body
				if body == "" {
					body = "ratification"
				}
				failed = append(failed, rt.Party+"'s "+body)
			}
		}
		return "Agreement " + at + ", void: " + strings.Join(failed, " and ") + " failed (status not_ratified)."
	case session.StatusFailedPhase:
		why := ""
		for _, ph := range res.Phases {
			if ph.ID == res.FailedPhase {
				why = ph.End
			}
		}
		return fmt.Sprintf("No agreement: agenda phase %s failed (%s) %s.", res.FailedPhase, why, at)
	}
	why := res.End
	if res.WalkedOut != "" {
		why = res.WalkedOut + " walked out"
	}
	return fmt.Sprintf("No agreement (%s) %s.", why, at)
}

// addLegend adds an entry once.
func (v *sessionView) addLegend(name string, thumbs ...gplot.Thumbnailer) {
	if v.seen[name] {
		return
	}
	v.seen[name] = true
	v.legend.Add(name, thumbs...)
}

// Plot styles.
var (
	mediatorColor  = color.Gray{Y: 110}
	redLineColor   = color.RGBA{R: 215, G: 40, B: 40, A: 255}
	frontierColor  = color.RGBA{B: 200, A: 255}
	nashColor      = color.RGBA{R: 200, A: 255}
	phaseLineColor = color.Gray{Y: 150}
	dashed         = []vg.Length{vg.Points(5), vg.Points(3)}
	dotted         = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
)

// seatPalette avoids blue and red, which mark the frontier, the Nash point
// and red lines.
var seatPalette = []color.RGBA{
	{R: 230, G: 120, B: 20, A: 255},
	{R: 30, G: 150, B: 70, A: 255},
	{R: 140, G: 70, B: 190, A: 255},
	{R: 150, G: 95, B: 50, A: 255},
	{R: 220, G: 80, B: 160, A: 255},
	{R: 120, G: 135, B: 20, A: 255},
	{R: 20, G: 160, B: 175, A: 255},
	{R: 90, G: 90, B: 40, A: 255},
}

// seatColor is seat s's colour: the palette, then hues spaced by the
// golden angle.
func seatColor(s int) color.Color {
	if s < len(seatPalette) {
		return seatPalette[s]
	}
	return hue(float64(s)*0.381966, 0.55, 0.2)
}

// valueRange is the range of the finite, acceptable utilities seen.
type valueRange struct{ lo, hi float64 }

func newRange() valueRange { return valueRange{lo: 0, hi: 1} }

func (vr *valueRange) add(u float64) {
	if u == utility.Unacceptable || math.IsNaN(u) || math.IsInf(u, 0) {
		return
	}
	vr.lo, vr.hi = min(vr.lo, u), max(vr.hi, u)
}

// axis sets an axis to the range, with a strip below it for the offers
// that cross a red line; it returns where they are drawn.
func (vr valueRange) axis(a *gplot.Axis) (strip float64) {
	pad := 0.06 * (vr.hi - vr.lo)
	a.Min, a.Max = vr.lo-pad, vr.hi+0.02*(vr.hi-vr.lo)
	return vr.lo - pad/2
}

// acceptable reports whether u is a utility to plot (not a red line).
func acceptable(u float64) bool {
	return u != utility.Unacceptable && !math.IsNaN(u) && !math.IsInf(u, 0)
}

func newPlot(title, xl, yl string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.Text, p.Y.Label.Text = xl, yl
	p.Add(plotter.NewGrid())
	return p
}

// timePlot is the left panel: utility over time.
func (v *sessionView) timePlot() (*gplot.Plot, error) {
	rec := v.rec
	p := newPlot("Utility of the offers over time", "normalised time t", "utility to the party")
	vr := newRange()
	type curve struct {
		from, to int // proposer series, seat whose utility is drawn
		style    string
		name     string
	}
	var curves []curve
	for s := range v.n {
		curves = append(curves, curve{s, s, "own", fmt.Sprintf("%s (%s): its offers", v.names[s], v.negs[s])})
	}
	curves = append(curves,
		curve{v.y, v.x, "other", fmt.Sprintf("%s's offers, utility to %s", v.names[v.y], v.names[v.x])},
		curve{v.x, v.y, "other", fmt.Sprintf("%s's offers, utility to %s", v.names[v.x], v.names[v.y])})
	if v.med != "" {
		for s := range v.n {
			curves = append(curves, curve{v.n, s, "text", fmt.Sprintf("%s's texts, utility to %s", v.med, v.names[s])})
		}
	}
	type built struct {
		xy plotter.XYs
		c  curve
	}
	var lines []built
	var redT []float64
	for _, c := range curves {
		if c.from >= len(rec.Series) {
			continue
		}
		var xy plotter.XYs
		for _, pt := range rec.Series[c.from].Drawn() {
			if c.style == "text" && pt.To >= 0 && pt.To != c.to {
				continue
			}
			u := pt.Utilities[c.to]
			if !acceptable(u) {
				redT = append(redT, pt.T)
				continue
			}
			vr.add(u)
			xy = append(xy, plotter.XY{X: pt.T, Y: u})
		}
		if len(xy) > 0 {
			lines = append(lines, built{xy: xy, c: c})
		}
	}
	for _, a := range rec.Agreements {
		for _, u := range a.Utilities {
			vr.add(u)
		}
	}
	strip := vr.axis(&p.Y)
	for _, b := range lines {
		l, sc, err := plotter.NewLinePoints(b.xy)
		if err != nil {
			return nil, err
		}
		col := seatColor(b.c.to)
		l.Color, l.Width = col, vg.Points(1.2)
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, draw.CircleGlyph{}, vg.Points(1.6)
		switch b.c.style {
		case "own":
			p.Add(l, sc)
			v.addLegend(b.c.name, l, sc)
		case "other":
			l.Dashes = dashed
			p.Add(l)
			v.addLegend(b.c.name, l)
		default:
			l.Dashes = dotted
			sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = draw.RingGlyph{}, vg.Points(1.8)
			p.Add(l, sc)
			v.addLegend(b.c.name, l, sc)
		}
	}
	if len(redT) > 0 {
		xy := make(plotter.XYs, len(redT))
		for i, t := range redT {
			xy[i] = plotter.XY{X: t, Y: strip}
		}
		if err := v.addRedLines(p, xy, 0); err != nil {
			return nil, err
		}
	}
	if err := v.phaseLines(p, vr); err != nil {
		return nil, err
	}
	for i, a := range rec.Agreements {
		var xy plotter.XYs
		for s := range v.n {
			u := a.Utilities[s]
			if !acceptable(u) {
				u = strip
			}
			xy = append(xy, plotter.XY{X: a.T, Y: u})
		}
		if err := v.addAgreement(p, xy, i); err != nil {
			return nil, err
		}
	}
	p.X.Min, p.X.Max = 0, 1
	vr.axis(&p.Y)
	return p, nil
}

// phaseLines draws a dotted vertical line, labelled with the phase, where
// each agenda phase after the first opened.
func (v *sessionView) phaseLines(p *gplot.Plot, vr valueRange) error {
	if !v.agenda {
		return nil
	}
	var labels plotter.XYLabels
	for _, ps := range v.rec.PhaseStarts {
		labels.XYs = append(labels.XYs, plotter.XY{X: ps.T, Y: vr.hi})
		labels.Labels = append(labels.Labels, " "+ps.ID)
		if ps.Phase == 0 {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: ps.T, Y: vr.lo}, {X: ps.T, Y: vr.hi}})
		if err != nil {
			return err
		}
		l.Color, l.Dashes, l.Width = phaseLineColor, dotted, vg.Points(1)
		p.Add(l)
		v.addLegend("an agenda phase opens", l)
	}
	if len(labels.Labels) == 0 {
		return nil
	}
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(7)
		lb.TextStyle[i].Color = color.Gray{Y: 90}
		lb.TextStyle[i].YAlign = draw.YTop
	}
	p.Add(lb)
	return nil
}

// addRedLines draws offers across a red line as red crosses in panel i.
func (v *sessionView) addRedLines(p *gplot.Plot, xy plotter.XYs, i int) error {
	v.redMarks[i] += len(xy)
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Shape, sc.GlyphStyle.Color, sc.GlyphStyle.Radius = draw.CrossGlyph{}, redLineColor, vg.Points(2.5)
	p.Add(sc)
	v.addLegend("crosses a red line (drawn below the axis range)", sc)
	return nil
}

// addAgreement marks agreement i of the recorder at xy.
func (v *sessionView) addAgreement(p *gplot.Plot, xy plotter.XYs, i int) error {
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Color, sc.GlyphStyle.Radius = color.Black, vg.Points(4)
	name := "agreement"
	switch {
	case i != v.final:
		sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = draw.TriangleGlyph{}, vg.Points(4.5)
		name = "agenda phase agreed"
	case v.void:
		sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = draw.SquareGlyph{}, vg.Points(4.5)
		name = "agreement, void: not ratified"
	default:
		sc.GlyphStyle.Shape = draw.BoxGlyph{}
	}
	p.Add(sc)
	v.addLegend(name, sc)
	return nil
}

// spacePlot is the right panel: the offers in the utility space of x and y.
func (v *sessionView) spacePlot() (*gplot.Plot, error) {
	rec, x, y := v.rec, v.x, v.y
	p := newPlot(fmt.Sprintf("Offers in the utility space of %s and %s", v.names[x], v.names[y]),
		"utility of "+v.names[x], "utility of "+v.names[y])
	xr, yr := newRange(), newRange()
	front, nash, why := v.frontier()
	for _, pt := range front {
		xr.add(pt.X)
		yr.add(pt.Y)
	}
	if nash != nil {
		xr.add(nash[x])
		yr.add(nash[y])
	}
	for i := range rec.Series {
		for _, pt := range rec.Series[i].Drawn() {
			xr.add(pt.Utilities[x])
			yr.add(pt.Utilities[y])
		}
	}
	for _, a := range rec.Agreements {
		xr.add(a.Utilities[x])
		yr.add(a.Utilities[y])
	}
	xs, ys := xr.axis(&p.X), yr.axis(&p.Y)
	place := func(pt session.OfferPoint) (plotter.XY, bool) {
		ux, uy := pt.Utilities[x], pt.Utilities[y]
		ok := acceptable(ux) && acceptable(uy)
		if !acceptable(ux) {
			ux = xs
		}
		if !acceptable(uy) {
			uy = ys
		}
		return plotter.XY{X: ux, Y: uy}, ok
	}
	if len(front) > 0 {
		l, err := plotter.NewLine(front)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = frontierColor, vg.Points(1.5)
		p.Add(l)
		v.addLegend(fmt.Sprintf("Pareto frontier of %s and %s", v.names[x], v.names[y]), l)
	} else {
		v.notes = append(v.notes, why)
	}
	var red plotter.XYs
	for i := range rec.Series {
		var xy plotter.XYs
		for _, pt := range rec.Series[i].Drawn() {
			q, ok := place(pt)
			if !ok {
				red = append(red, q)
				continue
			}
			xy = append(xy, q)
		}
		if len(xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = draw.CircleGlyph{}, vg.Points(2)
		if i < v.n {
			sc.GlyphStyle.Color = seatColor(i)
		} else {
			sc.GlyphStyle.Color = mediatorColor
			v.addLegend(v.med+"'s texts (outcome space)", sc)
		}
		p.Add(sc)
	}
	if len(red) > 0 {
		if err := v.addRedLines(p, red, 1); err != nil {
			return nil, err
		}
	}
	if nash != nil {
		sc, err := plotter.NewScatter(plotter.XYs{{X: nash[x], Y: nash[y]}})
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Shape, sc.GlyphStyle.Color, sc.GlyphStyle.Radius = draw.PyramidGlyph{}, nashColor, vg.Points(5)
		p.Add(sc)
		name := "Nash point"
		if v.n > 2 {
			name = fmt.Sprintf("Nash point of all %d parties", v.n)
		}
		v.addLegend(name, sc)
	}
	for i, a := range rec.Agreements {
		q, _ := place(a)
		if err := v.addAgreement(p, plotter.XYs{q}, i); err != nil {
			return nil, err
		}
	}
	xr.axis(&p.X)
	yr.axis(&p.Y)
	return p, nil
}

// frontier returns the Pareto frontier of x and y, sorted by x, thinned to
// session.MaxPlotPoints, and the session's Nash point; or why there is
// none.
func (v *sessionView) frontier() (plotter.XYs, []float64, string) {
	nash := v.res.Nash
	if v.pareto == nil || len(v.pareto.Points) == 0 {
		why := "no Pareto frontier: every outcome crosses a red line"
		if v.res.AnalysisNote != "" {
			why = "no Pareto frontier or Nash point: " + v.res.AnalysisNote
		}
		return nil, nash, why
	}
	const most = session.MaxPlotPoints
	front := envelope(v.pareto, v.x, v.y)
	if len(front) > most {
		thin := make(plotter.XYs, most)
		for i := range thin {
			thin[i] = front[i*(len(front)-1)/(most-1)]
		}
		front = thin
		v.notes = append(v.notes, fmt.Sprintf("the frontier is drawn through %d of its points", most))
	}
	return front, nash, ""
}

// envelope projects frontier f on parties x and y and keeps the points no
// other projected point dominates, sorted by x ascending: the Pareto
// frontier of x and y among the outcomes f was computed over.
func envelope(f *analysis.Pareto, x, y int) plotter.XYs {
	pts := make(plotter.XYs, len(f.Points))
	for i, pt := range f.Points {
		pts[i] = plotter.XY{X: pt.Utilities[x], Y: pt.Utilities[y]}
	}
	sort.Slice(pts, func(i, j int) bool {
		if pts[i].X != pts[j].X {
			return pts[i].X > pts[j].X
		}
		return pts[i].Y > pts[j].Y
	})
	out := pts[:0]
	for _, pt := range pts {
		if len(out) == 0 || pt.Y > out[len(out)-1].Y+analysis.Tolerance {
			out = append(out, pt)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
