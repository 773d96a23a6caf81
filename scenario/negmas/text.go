package negmas

import (
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley/internal/printable"
)

// WriteText writes the figures for people, after parley's own report:
// parties names each party, issues each issue (for the outcomes).
func (s *Stats) WriteText(w io.Writer, parties, issues []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nNegMAS's figures (its definitions, utilities uncapped; docs/negmas.md):\n")
	for j, p := range parties {
		rv := "-inf"
		if j < len(s.ReservedValues) && s.ReservedValues[j] != nil {
			rv = fmt.Sprintf("%.4f", *s.ReservedValues[j])
		}
		fmt.Fprintf(&b, "  %-24s reserved %s   range %.4f – %.4f\n", printable.Escape(p), rv, s.UtilityRanges[j][0], s.UtilityRanges[j][1])
	}
	opp := "none"
	if s.Opposition != nil {
		opp = fmt.Sprintf("%.4f", *s.Opposition)
	}
	fmt.Fprintf(&b, "  Outcomes %d, rational fraction %.6g, opposition %s\n", s.Outcomes, s.RationalFraction, opp)
	fmt.Fprintf(&b, "  Pareto frontier (rational outcomes): %d points", len(s.ParetoUtils))
	if len(s.ParetoTies) > 0 {
		fmt.Fprintf(&b, ", %d of them shared by several outcomes", len(s.ParetoTies))
	}
	b.WriteString("\n")
	for _, name := range Solutions[1:] {
		us, os := s.Solution(name)
		label := strings.ReplaceAll(name, "_", " ")
		if len(us) == 0 {
			fmt.Fprintf(&b, "  %-21s none\n", label)
		}
		for k, u := range us {
			parts := make([]string, len(u))
			for j, x := range u {
				parts[j] = fmt.Sprintf("%.4f", x)
			}
			fmt.Fprintf(&b, "  %-21s (%s)  %s\n", label, strings.Join(parts, ", "), outcomeText(os[k], issues))
			label = ""
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func outcomeText(o, issues []string) string {
	parts := make([]string, len(o))
	for i, v := range o {
		parts[i] = printable.Escape(issues[i]) + "=" + printable.Escape(v)
	}
	return strings.Join(parts, ", ")
}
