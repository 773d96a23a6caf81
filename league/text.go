package league

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/parleyhq/parley/internal/printable"
)

// WriteText writes the league's table for people.
func (t *Table) WriteText(w io.Writer) error {
	var b strings.Builder
	title := map[string]string{"anl2024": "ANL 2024", "anl2026": "ANL 2026"}[t.League]
	var fams []string
	for _, f := range []Family{ZeroSum, Pies, Monotonic, Curve, Piecewise} {
		if n := t.Families[f]; n > 0 {
			fams = append(fams, fmt.Sprintf("%d %s", n, f))
		}
	}
	fmt.Fprintf(&b, "%s league, seed %d: %d scenarios (%s), %d negotiators in every pairing, self-play included, %d repetitions: %d sessions\n",
		title, t.Seed, t.Scenarios, strings.Join(fams, ", "), len(t.Negotiators), t.Repetitions, t.Sessions)
	header := "  rank  negotiator          advantage (±se)    gain  utility  agreements"
	if t.League == "anl2026" {
		header += "  concealment   score"
	}
	b.WriteString(header + "\n")
	for i, r := range t.Rows {
		fmt.Fprintf(&b, "  %4d  %-18s  %9.4f (%.4f)  %6.4f  %7.4f  %9.1f%%", i+1, printable.Escape(r.Negotiator), r.Advantage, r.AdvantageSE, r.Gain, r.Utility, 100*r.Agreements)
		if r.Concealment != nil {
			fmt.Fprintf(&b, "  %11.4f  %6.4f", *r.Concealment, r.Score)
		}
		b.WriteString("\n")
	}
	b.WriteString("Advantage: (u − rv)/(max − rv) for each seat, NegMAS's definition (0 without agreement); gain: u − rv.\n")
	if t.League == "anl2026" {
		var none []string
		for _, r := range t.Rows {
			if r.Modelled == 0 {
				none = append(none, r.Negotiator)
			}
		}
		slices.Sort(none)
		b.WriteString("Concealment: (1 + Kendall's τ)/2 of the opponent model read from the negotiator at the end of each session against the opponent's utility; 0.5 without a model")
		switch len(none) {
		case 0:
		case 1:
			b.WriteString(" (" + none[0] + " exposes none)")
		default:
			b.WriteString(" (" + strings.Join(none, ", ") + " expose none)")
		}
		b.WriteString(". Score: advantage + concealment.\n")
	}
	fmt.Fprintf(&b, "Scenarios, specs and one results store per scenario in %s.\n", t.Dir)
	_, err := io.WriteString(w, b.String())
	return err
}
