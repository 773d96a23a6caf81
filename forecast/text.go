package forecast

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// WriteText writes the human-readable report: the forecast per dimension,
// the trajectory of positions by round, the stopping measure, the winning
// probabilities (SMP) and the offers (EUM).
func (r *Result) WriteText(w io.Writer) error {
	return r.WriteTextWithAnchors(w, nil)
}

// WriteTextWithAnchors is WriteText naming the anchor nearest each forecast
// (dims may be nil or the problem's dimensions).
func (r *Result) WriteTextWithAnchors(w io.Writer, dims []Dimension) error {
	bw := bufio.NewWriter(w)
	name := func(i int) string { return r.Actors[i] }
	width := 5
	for _, a := range r.Actors {
		width = max(width, len([]rune(a)))
	}
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
			if a, ok := nearestAnchor(dims[d].Anchors, r.Forecast[d]); ok {
				fmt.Fprintf(bw, "  nearest anchor: %q (%g)", a.Label, a.Value)
			}
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "Stopped: %s.\n", r.Stop)

	if len(r.Rounds) > 0 {
		for d, dn := range r.Dimensions {
			fmt.Fprintf(bw, "\nPositions on %s by round\n", dn)
			writeRoundHeader(bw, width, len(r.Rounds), 6)
			for i := range r.Actors {
				fmt.Fprintf(bw, "  %-*s", width, name(i))
				for _, rd := range r.Rounds {
					fmt.Fprintf(bw, " %6.1f", rd.Positions[i][d])
				}
				fmt.Fprintln(bw)
			}
			fmt.Fprintf(bw, "  %-*s", width, "forecast")
			for _, rd := range r.Rounds {
				fmt.Fprintf(bw, " %6.1f", rd.Forecast[d])
			}
			fmt.Fprintln(bw)
		}
	}

	if len(r.Rounds) > 1 {
		fmt.Fprintf(bw, "\nStopping measure by round (%s)\n", stoppingName(r.Model))
		for _, rd := range r.Rounds[1:] {
			if rd.Stopping != nil {
				fmt.Fprintf(bw, "  round %3d  %.4f\n", rd.Round, *rd.Stopping)
			}
		}
	}

	if len(r.Rounds) > 0 && r.Rounds[0].WinProb != nil {
		fmt.Fprintf(bw, "\nWinning probability of each actor's position by round\n")
		writeRoundHeader(bw, width, len(r.Rounds), 6)
		for i := range r.Actors {
			fmt.Fprintf(bw, "  %-*s", width, name(i))
			for _, rd := range r.Rounds {
				fmt.Fprintf(bw, " %6.4f", rd.WinProb[i])
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
	return bw.Flush()
}

func writeRoundHeader(w io.Writer, width, rounds, col int) {
	fmt.Fprintf(w, "  %-*s", width, "actor")
	for t := range rounds {
		fmt.Fprintf(w, " %*s", col, fmt.Sprintf("r%d", t))
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
