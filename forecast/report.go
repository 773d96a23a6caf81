package forecast

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/parleyhq/parley/scenario"
)

// Report is one model's forecast with, on a scenario, its package judged
// by the scenario's rules and its uncertainty bands. It marshals as the
// Result's fields plus "package" and "bands" (each absent when not made).
type Report struct {
	*Result
	Package *Package `json:"package,omitempty"`
	Bands   *Bands   `json:"bands,omitempty"`
}

// WriteText writes the forecast, the package and its judgement, the bands,
// then the trajectory tables. dims are the problem's dimensions.
func (rp *Report) WriteText(w io.Writer, dims []Dimension) error {
	bw := bufio.NewWriter(w)
	rp.writeHead(bw, dims)
	if rp.Package != nil {
		fmt.Fprintln(bw)
		rp.Package.writeText(bw)
	}
	if rp.Bands != nil {
		fmt.Fprintln(bw)
		rp.Bands.writeOne(bw, 0)
	}
	rp.writeTables(bw)
	return bw.Flush()
}

// writeText writes the package issue by issue, then how the scenario's
// rules judge it.
func (pk *Package) writeText(bw *bufio.Writer) {
	fmt.Fprintf(bw, "The forecast as a package (each issue at its value nearest the forecast)\n")
	iw, vw := 9, 5
	for _, is := range pk.Issues {
		iw = max(iw, len([]rune(is.Issue)))
		if is.Nearest != nil {
			vw = max(vw, len([]rune(is.Nearest.Value)))
		}
	}
	for _, is := range pk.Issues {
		fmt.Fprintf(bw, "  %-*s  ", iw, is.Issue)
		switch n := is.Nearest; {
		case n == nil:
			fmt.Fprintf(bw, "open: no scale, so no forecast\n")
		case n.Units != nil:
			fmt.Fprintf(bw, "%-*s  (the forecast %.2f is %s in the issue's units)\n", vw, n.Value, *is.Forecast, fmtUnits(*n.Units))
		case n.Label != n.Value:
			fmt.Fprintf(bw, "%-*s  %s\n", vw, n.Value, n.Label)
		default:
			fmt.Fprintf(bw, "%s\n", n.Value)
		}
	}
	over := ""
	switch {
	case pk.Completions == 0:
		fmt.Fprintf(bw, "Not judged: the open issues (%s) can be settled in more than %d ways.\n", strings.Join(pk.Open, ", "), MaxCompletions)
		return
	case len(pk.Open) > 0:
		over = fmt.Sprintf(" however %s %s settled (%d ways)", strings.Join(pk.Open, ", "), plural(len(pk.Open), "is", "are"), pk.Completions)
	}
	n := pk.Completions
	fmt.Fprintf(bw, "Judged by the scenario's rules%s:\n", over)
	if len(pk.RedLines) == 0 {
		fmt.Fprintf(bw, "  red lines: none\n")
	}
	for _, rl := range pk.RedLines {
		desc := ""
		if rl.Description != "" {
			desc = " (" + rl.Description + ")"
		}
		fmt.Fprintf(bw, "  red line %s%s: %s\n", rl.Name(), desc, inOf(rl.CrossedIn, n, "CROSSED", "kept", "crossed"))
	}
	pw := 5
	for _, pp := range pk.Parties {
		pw = max(pw, len([]rune(pp.Party)))
	}
	for _, pp := range pk.Parties {
		fmt.Fprintf(bw, "  %-*s  utility %s, reservation %.3f: %s\n", pw, pp.Party, fmtRange(pp.UtilityMin, pp.UtilityMax, "%.3f"),
			pp.Reservation, inOf(pp.AcceptableIn, n, "acceptable", "NOT acceptable", "acceptable"))
	}
	for _, v := range pk.Votes {
		body := v.Body
		if body == "" {
			body = "ratification"
		}
		switch {
		case v.RequiredIn == 0:
			fmt.Fprintf(bw, "  %s's %s: not required\n", v.Party, body)
		default:
			req := ""
			if v.RequiredIn < n {
				req = fmt.Sprintf(" (required in %d of %d)", v.RequiredIn, n)
			}
			fmt.Fprintf(bw, "  %s's %s%s: yes share %s, passes with probability %s: %s\n", v.Party, body, req,
				fmtRange(v.ShareMin, v.ShareMax, "%.2f"), fmtRange(v.ProbMin, v.ProbMax, "%.2f"),
				inOf(v.PassesIn, n, "ratified", "NOT ratified", "ratified"))
		}
	}
	d := pk.Decision
	fmt.Fprintf(bw, "  decision rule, %s: %s; every required vote passes with probability ≥ %.2f: %s\n", d.Rule,
		inOf(d.PassesIn, n, "accepted", "NOT accepted", "accepted"), d.MinRatification, inOf(d.RatifiableIn, n, "yes", "no", "yes"))
	fmt.Fprintf(bw, "  The package is %s.\n", inOf(d.AgreedIn, n, "agreed", "NOT agreed", "agreed"))
}

// inOf says whether something holds in k of n completions: all, none or some.
func inOf(k, n int, all, none, some string) string {
	switch k {
	case n:
		return all
	case 0:
		return none
	}
	return fmt.Sprintf("%s in %d of %d", some, k, n)
}

// fmtRange prints lo, or lo–hi when they differ in format f.
func fmtRange(lo, hi float64, f string) string {
	a, b := fmt.Sprintf(f, lo), fmt.Sprintf(f, hi)
	if a == b {
		return a
	}
	return a + "–" + b
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeHeader says what the bands sampled.
func (b *Bands) writeHeader(bw *bufio.Writer) {
	if len(b.Assumptions) == 0 {
		fmt.Fprintf(bw, "Uncertainty bands: none, as no number the models use (capabilities, positions, saliences, scale points) has an assumed range\n")
		return
	}
	fmt.Fprintf(bw, "Uncertainty bands: %d samples (seed %d) of the %d assumed numbers the models use (capabilities, positions, saliences, scale points), each uniform over its range\n",
		b.Samples, b.Seed, len(b.Assumptions))
	if b.Invalid > 0 {
		fmt.Fprintf(bw, "  %d samples were not valid scenarios and are left out; the first: %s\n", b.Invalid, b.FirstError)
	}
}

// writeOne writes model k's bands: per issue the band and how often the
// package's value changes, then the package as a whole.
func (b *Bands) writeOne(bw *bufio.Writer, k int) {
	b.writeHeader(bw)
	mb := &b.Models[k]
	if mb.Failed > 0 {
		fmt.Fprintf(bw, "  %s failed on %d samples; the first: %s\n", mb.Model, mb.Failed, mb.FirstError)
	}
	if mb.Scored == 0 {
		return
	}
	iw := 9
	for _, ib := range mb.Issues {
		iw = max(iw, len([]rune(ib.Issue)))
	}
	fmt.Fprintf(bw, "  %-*s  %8s  %6s %6s %6s  %s\n", iw, "issue", "forecast", pct(b.Low), "median", pct(b.High), "package value: share of samples")
	for _, ib := range mb.Issues {
		fmt.Fprintf(bw, "  %-*s  %8.2f  %6.2f %6.2f %6.2f  %s\n", iw, ib.Issue, ib.Forecast, ib.Low, ib.Median, ib.High, describeValues(ib.Values))
		if len(ib.Units) == 3 {
			fmt.Fprintf(bw, "  %-*s  %8s  %6s %6s %6s  (in the issue's units)\n", iw, "", "", fmtUnits(ib.Units[0]), fmtUnits(ib.Units[1]), fmtUnits(ib.Units[2]))
		}
	}
	fmt.Fprintf(bw, "  The package differs from the forecast's in %s of the samples; it is agreed in %s and crosses a red line in %s.\n",
		fmtShare(mb.PackageChanged), fmtShare(mb.Agreed), fmtShare(mb.Crosses))
}

func pct(q float64) string { return fmt.Sprintf("%g%%", 100*q) }

// fmtShare prints a share as a whole percentage, "<1%" for a small one that
// is not none.
func fmtShare(x float64) string {
	p := math.Round(100 * x)
	if p == 0 && x > 0 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// describeValues lists the values of a band with their shares, "a 62%, b 38%".
func describeValues(vs []ValueShare) string {
	parts := make([]string, len(vs))
	for k, v := range vs {
		parts[k] = v.Value + " " + fmtShare(v.Share)
	}
	return strings.Join(parts, ", ")
}

// Comparison is every model's forecast on one problem side by side: per
// model the forecast and its nearest values, and on a scenario its package
// and bands. A model that cannot run on the problem says why (Error).
type Comparison struct {
	Dimensions []string        `json:"dimensions"`
	Models     []ModelForecast `json:"models"`
	Bands      *Bands          `json:"bands,omitempty"`
}

// ModelForecast is one model's line of a Comparison.
type ModelForecast struct {
	Model     string     `json:"model"`
	Label     string     `json:"label,omitempty"`
	Forecast  []float64  `json:"forecast,omitempty"`
	Nearest   []*Nearest `json:"nearest,omitempty"` // per dimension; null where it has none
	Converged bool       `json:"converged"`
	Stop      string     `json:"stop,omitempty"`
	Error     string     `json:"error,omitempty"`
	Package   *Package   `json:"package,omitempty"`
	// Result is the full run, for plots (not in the JSON: --model NAME
	// --json has it).
	Result *Result `json:"-"`
}

// Compare runs every named model (nil: all) on p and, with s (the scenario
// p came from by FromScenario; nil otherwise), assembles and judges each
// forecast's package.
func Compare(p Problem, s *scenario.Scenario, names []string, opts Options, minRatification float64) (*Comparison, error) {
	if len(names) == 0 {
		names = ModelNames()
	}
	c := &Comparison{Dimensions: p.DimensionNames()}
	for _, m := range names {
		if _, err := models.Lookup(m); err != nil {
			return nil, err
		}
		mf := ModelForecast{Model: m}
		r, err := Run(p, m, opts)
		if err != nil {
			mf.Error = firstLine(err)
			c.Models = append(c.Models, mf)
			continue
		}
		mf.Label, mf.Forecast, mf.Converged, mf.Stop, mf.Result = r.Label, r.Forecast, r.Converged, r.Stop, r
		for d := range p.Dimensions {
			var np *Nearest
			if n, ok := p.Dimensions[d].Nearest(r.Forecast[d]); ok {
				np = &n
			}
			mf.Nearest = append(mf.Nearest, np)
		}
		if s != nil {
			if mf.Package, err = Assemble(s, r, minRatification); err != nil {
				return nil, err
			}
		}
		c.Models = append(c.Models, mf)
	}
	return c, nil
}

// WriteText writes the comparison: a table of forecasts per issue and
// model (each with its nearest value beneath), the models' stops and
// errors, each package's judgement in a line, and the bands.
func (c *Comparison) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	iw := 9
	for _, d := range c.Dimensions {
		iw = max(iw, len([]rune(d)))
	}
	cw := 10
	for _, m := range c.Models {
		cw = max(cw, len(m.Model))
		for _, n := range m.Nearest {
			if n != nil {
				cw = max(cw, len([]rune(n.Value)))
			}
		}
	}
	fmt.Fprintf(bw, "Forecasts of every model (positions on the 0–100 scale; beneath each, the value nearest it)\n\n")
	fmt.Fprintf(bw, "  %-*s", iw, "issue")
	for _, m := range c.Models {
		fmt.Fprintf(bw, "  %*s", cw, m.Model)
	}
	fmt.Fprintln(bw)
	for d, dn := range c.Dimensions {
		fmt.Fprintf(bw, "  %-*s", iw, dn)
		near := false
		for _, m := range c.Models {
			if m.Error != "" {
				fmt.Fprintf(bw, "  %*s", cw, "-")
				continue
			}
			fmt.Fprintf(bw, "  %*.2f", cw, m.Forecast[d])
			near = near || m.Nearest[d] != nil
		}
		fmt.Fprintln(bw)
		if !near {
			continue
		}
		fmt.Fprintf(bw, "  %-*s", iw, "")
		for _, m := range c.Models {
			v := ""
			if m.Error == "" && m.Nearest[d] != nil {
				v = m.Nearest[d].Value
			}
			fmt.Fprintf(bw, "  %*s", cw, v)
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintln(bw)
	for _, m := range c.Models {
		if m.Error != "" {
			fmt.Fprintf(bw, "  %-*s  could not run: %s\n", cw, m.Model, m.Error)
		} else {
			fmt.Fprintf(bw, "  %-*s  stopped: %s\n", cw, m.Model, m.Stop)
		}
	}
	if pk := c.firstPackage(); pk != nil {
		over := ""
		if len(pk.Open) > 0 {
			over = fmt.Sprintf(", however %s %s settled (%d ways)", strings.Join(pk.Open, ", "), plural(len(pk.Open), "is", "are"), pk.Completions)
		}
		fmt.Fprintf(bw, "\nEach forecast as a package, judged by the scenario's rules%s\n", over)
		fmt.Fprintf(bw, "  %-*s  %-24s  %-24s  %-9s  %-10s  %s\n", cw, "model", "crosses red lines", "acceptable to", "rule", "ratified", "agreed")
		for _, m := range c.Models {
			pk := m.Package
			if pk == nil {
				continue
			}
			n := pk.Completions
			if n == 0 {
				fmt.Fprintf(bw, "  %-*s  not judged: more than %d ways to settle the open issues\n", cw, m.Model, MaxCompletions)
				continue
			}
			var crosses, acc []string
			for _, rl := range pk.RedLines {
				if rl.CrossedIn > 0 {
					crosses = append(crosses, rl.Name()+partial(rl.CrossedIn, n))
				}
			}
			for _, pp := range pk.Parties {
				if pp.AcceptableIn > 0 {
					acc = append(acc, pp.Party+partial(pp.AcceptableIn, n))
				}
			}
			d := pk.Decision
			fmt.Fprintf(bw, "  %-*s  %-24s  %-24s  %-9s  %-10s  %s\n", cw, m.Model, orNone(crosses), orNone(acc),
				inOf(d.PassesIn, n, "accepts", "rejects", "accepts"), inOf(d.RatifiableIn, n, "yes", "no", "yes"),
				inOf(d.AgreedIn, n, "yes", "no", "yes"))
		}
	}
	if b := c.Bands; b != nil {
		fmt.Fprintln(bw)
		b.writeHeader(bw)
		if len(b.Assumptions) == 0 {
			return bw.Flush()
		}
		fmt.Fprintf(bw, "  %s–%s bands (beneath each, the package's value in most samples and how often)\n", pct(b.Low), pct(b.High))
		rows := []struct {
			name string
			get  func(*ModelBands) float64
		}{
			{"package changes", func(mb *ModelBands) float64 { return mb.PackageChanged }},
			{"agreed", func(mb *ModelBands) float64 { return mb.Agreed }},
			{"crosses a red line", func(mb *ModelBands) float64 { return mb.Crosses }},
		}
		// cells[d][k] are model k's band and top value on issue d
		cells := make([][][2]string, len(c.Dimensions))
		bw2, rw := cw, iw
		for _, r := range rows {
			rw = max(rw, len(r.name))
		}
		for d := range c.Dimensions {
			cells[d] = make([][2]string, len(b.Models))
			for k, mb := range b.Models {
				cell := [2]string{"-", ""}
				if mb.Scored > 0 {
					ib := &mb.Issues[d]
					cell[0] = fmt.Sprintf("%.1f–%.1f", ib.Low, ib.High)
					if len(ib.Values) > 0 {
						cell[1] = ib.Values[0].Value + " " + fmtShare(ib.Values[0].Share)
					}
				}
				cells[d][k] = cell
				bw2 = max(bw2, len([]rune(cell[0])), len([]rune(cell[1])))
			}
		}
		fmt.Fprintf(bw, "  %-*s", rw, "issue")
		for _, mb := range b.Models {
			fmt.Fprintf(bw, "  %*s", bw2, mb.Model)
		}
		fmt.Fprintln(bw)
		for d, dn := range c.Dimensions {
			for line := range 2 {
				name := dn
				if line == 1 {
					name = ""
				}
				fmt.Fprintf(bw, "  %-*s", rw, name)
				for k := range b.Models {
					fmt.Fprintf(bw, "  %*s", bw2, cells[d][k][line])
				}
				fmt.Fprintln(bw)
			}
		}
		for _, row := range rows {
			fmt.Fprintf(bw, "  %-*s", rw, row.name)
			for k := range b.Models {
				fmt.Fprintf(bw, "  %*s", bw2, fmtShare(row.get(&b.Models[k])))
			}
			fmt.Fprintln(bw)
		}
		for _, mb := range b.Models {
			if mb.Failed > 0 {
				fmt.Fprintf(bw, "  %s failed on %d samples; the first: %s\n", mb.Model, mb.Failed, mb.FirstError)
			}
		}
	}
	return bw.Flush()
}

func (c *Comparison) firstPackage() *Package {
	for _, m := range c.Models {
		if m.Package != nil {
			return m.Package
		}
	}
	return nil
}

// partial marks a verdict that holds in only k of n completions.
func partial(k, n int) string {
	if k == n {
		return ""
	}
	return fmt.Sprintf(" (%d/%d)", k, n)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
