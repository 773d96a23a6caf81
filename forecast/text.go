package forecast

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteText writes the human-readable report: the forecast per dimension,
// the trajectory of positions by round, the stopping measure, the winning
// probabilities (SMP) and the offers (EUM).
func (r *Result) WriteText(w io.Writer) error {
	return r.WriteTextWithAnchors(w, nil)
}

// WriteTextWithAnchors is WriteText naming, beside each forecast, the
// issue's value nearest it (Dimension.Nearest) or, for a dimension with no
// options or range, the nearest anchor (dims may be nil or the problem's
// dimensions).
func (r *Result) WriteTextWithAnchors(w io.Writer, dims []Dimension) error {
	bw := bufio.NewWriter(w)
	r.writeHead(bw, dims)
	r.writeTables(bw)
	return bw.Flush()
}

// writeHead writes the model's label, the forecast per dimension and why
// the model stopped.
func (r *Result) writeHead(bw *bufio.Writer, dims []Dimension) {
	fmt.Fprintf(bw, "%s\n\n", r.Label)
	fmt.Fprintf(bw, "Forecast\n")
	dw := 9
	for _, d := range r.Dimensions {
		dw = max(dw, len([]rune(d)))
	}
	for d, dn := range r.Dimensions {
		fmt.Fprintf(bw, "  %-*s  %6.2f", dw, dn, r.Forecast[d])
		if r.Model == "smp" && d < len(r.Expected) {
			fmt.Fprintf(bw, "  (most probable position; probability-weighted mean %.2f)", r.Expected[d])
		}
		if d < len(dims) {
			fmt.Fprintf(bw, "  %s", describeNearest(&dims[d], r.Forecast[d]))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "Stopped: %s.\n", r.Stop)
	if len(r.Inactive) > 0 {
		fmt.Fprintf(bw, "Zero salience everywhere, so no part in the model: %s.\n", strings.Join(r.Inactive, ", "))
	}
}

// describeNearest names the value of a dimension nearest x: its option, or
// its number in the units, or else its nearest anchor ("" if none).
func describeNearest(d *Dimension, x float64) string {
	if n, ok := d.Nearest(x); ok {
		if n.Units != nil {
			return fmt.Sprintf("= %s in its units; nearest value %s", fmtUnits(*n.Units), n.Value)
		}
		return fmt.Sprintf("nearest option: %q (%g)", n.Label, n.Point)
	}
	if a, ok := nearestAnchor(d.Anchors, x); ok {
		return fmt.Sprintf("nearest anchor: %q (%g)", a.Label, a.Value)
	}
	return ""
}

// fmtUnits prints a number in an issue's own units, to 4 significant digits.
func fmtUnits(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// writeTables writes the trajectory, the stopping measure, the winning
// probabilities (SMP) and the offers (EUM).
func (r *Result) writeTables(bw *bufio.Writer) {
	name := func(i int) string { return r.Actors[i] }
	width := len("forecast")
	for _, a := range r.Actors {
		width = max(width, len([]rune(a)))
	}
	shown := shownRounds(len(r.Rounds), maxRoundColumns)
	if len(shown) < len(r.Rounds) {
		fmt.Fprintf(bw, "\n%d rounds; the tables show %d of them (--json has every round).\n", len(r.Rounds), len(shown))
	}
	if len(r.Rounds) > 0 {
		for d, dn := range r.Dimensions {
			fmt.Fprintf(bw, "\nPositions on %s by round\n", dn)
			writeRoundHeader(bw, width, r.Rounds, shown, 6)
			for i := range r.Actors {
				fmt.Fprintf(bw, "  %-*s", width, name(i))
				for _, t := range shown {
					fmt.Fprintf(bw, " %6.1f", r.Rounds[t].Positions[i][d])
				}
				fmt.Fprintln(bw)
			}
			fmt.Fprintf(bw, "  %-*s", width, "forecast")
			for _, t := range shown {
				fmt.Fprintf(bw, " %6.1f", r.Rounds[t].Forecast[d])
			}
			fmt.Fprintln(bw)
		}
	}

	if len(r.Rounds) > 1 {
		fmt.Fprintf(bw, "\nStopping measure by round (%s)\n", stoppingName(r.Model))
		for _, t := range shown {
			if rd := &r.Rounds[t]; t > 0 && rd.Stopping != nil {
				fmt.Fprintf(bw, "  round %3d  %.4f\n", rd.Round, *rd.Stopping)
			}
		}
	}

	if len(r.Rounds) > 0 && r.Rounds[0].WinProb != nil {
		fmt.Fprintf(bw, "\nWinning probability of each actor's position by round\n")
		writeRoundHeader(bw, width, r.Rounds, shown, 6)
		for i := range r.Actors {
			fmt.Fprintf(bw, "  %-*s", width, name(i))
			for _, t := range shown {
				fmt.Fprintf(bw, " %6.4f", r.Rounds[t].WinProb[i])
			}
			fmt.Fprintln(bw)
		}
	}

	if r.Model == "eum" {
		for _, rd := range r.Rounds[1:] {
			fmt.Fprintf(bw, "\nRound %d offers (receiver's view: E(U receiver→proposer) vs E(U proposer→receiver))\n", rd.Round)
			if len(rd.Offers) == 0 {
				fmt.Fprintf(bw, "  none\n")
			}
			for _, o := range rd.Offers {
				mark := ""
				if o.Accepted {
					mark = "  accepted"
				}
				dim := ""
				if len(r.Dimensions) > 1 {
					dim = "[" + r.Dimensions[o.Dimension] + "] "
				}
				fmt.Fprintf(bw, "  %s%s %s %s: %+.4f vs %+.4f → %.4f%s\n", dim, name(o.To), offerVerb(o.Type), name(o.From),
					o.EUReceiver, o.EUProposer, o.Position, mark)
			}
		}
	}
}

// maxRoundColumns keeps the round tables readable in a terminal.
const maxRoundColumns = 12

// shownRounds picks at most max of n rounds for the tables: all when they
// fit, else evenly spaced ones that always include the first and the last.
func shownRounds(n, max int) []int {
	if n <= max {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, 0, max)
	for k := range max {
		t := k * (n - 1) / (max - 1)
		if len(idx) == 0 || t != idx[len(idx)-1] {
			idx = append(idx, t)
		}
	}
	return idx
}

func writeRoundHeader(w io.Writer, width int, rounds []Round, shown []int, col int) {
	fmt.Fprintf(w, "  %-*s", width, "actor")
	for _, t := range shown {
		fmt.Fprintf(w, " %*s", col, fmt.Sprintf("r%d", rounds[t].Round))
	}
	fmt.Fprintln(w)
}

func stoppingName(model string) string {
	switch model {
	case "smp":
		return "KTAB fractional change vs the first turn; stop below 0.02 after turn 2"
	case "eum":
		return "total movement Σ|Δx|; stop when no actor receives an offer"
	}
	return "none"
}

func offerVerb(t string) string {
	switch t {
	case "conflict":
		return "loses a conflict to"
	case "compromise":
		return "compromises with"
	case "capitulation":
		return "capitulates to"
	}
	return strings.ToUpper(t)
}

func nearestAnchor(anchors []Anchor, x float64) (Anchor, bool) {
	best, bd := Anchor{}, math.Inf(1)
	for _, a := range anchors {
		if d := math.Abs(a.Value - x); d < bd {
			best, bd = a, d
		}
	}
	return best, len(anchors) > 0
}
