package tournament

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// fmtStat writes a mean with its interval's half-width, or "–" without
// observations.
func fmtStat(s Stat, prec int) string {
	if s.N == 0 {
		return "–"
	}
	return strconv.FormatFloat(s.Mean, 'f', prec, 64) + " ± " + strconv.FormatFloat(s.CI95, 'f', prec, 64)
}

// fmtMean writes a mean, or "–" without observations.
func fmtMean(s Stat, prec int) string {
	if s.N == 0 {
		return "–"
	}
	return strconv.FormatFloat(s.Mean, 'f', prec, 64)
}

// WriteText writes the summary as tables: per negotiator, head to head
// (for up to maxHeadToHead negotiators), per scenario, each with the
// overall row.
func (s *Summary) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	w = ew
	fmt.Fprintf(w, "Tournament %s: %d of %d sessions recorded\n", s.Name, s.Sessions, s.Total)
	fmt.Fprintln(w, "Means with 95% confidence intervals (t); utilities are undiscounted, one per seat held.")
	if s.Sessions > 0 {
		fmt.Fprintf(w, "An interval counts each line-up (a scenario with one seating of negotiators) once: %d line-ups.\n", s.LineUps)
	}
	if s.IdenticalRepetitions {
		fmt.Fprintf(w, "Every repetition of a line-up played the same session: %d sessions, %d distinct.\n", s.Sessions, s.LineUps)
	}
	// The binding column appears when a ratification vote voided some
	// deal: otherwise it repeats the agreement column. The failed column
	// appears when some session failed.
	voided, failed := s.Overall.Voided(), s.Overall.Failed > 0
	table := func(title string, rows []Row) {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		binding, fails := "", ""
		if voided {
			binding = "\tbinding"
		}
		if failed {
			fails = "\tfailed"
		}
		fmt.Fprintf(tw, "%s\tsessions\tutility\tagreement%s%s\twelfare\tto Pareto\tto Nash\trounds\n", title, binding, fails)
		for _, r := range append(rows[:len(rows):len(rows)], s.Overall) {
			if voided {
				binding = fmt.Sprintf("\t%.1f%%", 100*r.Binding)
			}
			if failed {
				fails = fmt.Sprintf("\t%d", r.Failed)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f%%%s%s\t%s\t%s\t%s\t%s\n", r.Name, r.Sessions, fmtStat(r.Utility, 3), 100*r.Agreement, binding, fails,
				fmtStat(r.Welfare, 3), fmtMean(r.Pareto, 3), fmtMean(r.Nash, 3), fmtMean(r.Rounds, 1))
		}
		tw.Flush()
	}
	s.writeFailedShards(w)
	table("negotiator", s.Negotiators)
	s.writeFailures(w)
	s.writeTimes(w)
	s.writeHeadToHead(w)
	table("scenario", s.Scenarios)
	if voided {
		fmt.Fprintln(w, "\nagreement counts every deal signed; binding only those that stand (a ratification vote voided the others).")
	}
	if s.Overall.Pareto.N == 0 && s.Sessions > 0 {
		fmt.Fprintln(w, "\nDistances to Pareto and Nash are not available for these scenarios (the frontier could not be computed).")
	}
	return ew.err
}

// writeFailures writes, when sessions failed, how many per negotiator
// whose seat failed and cause, with the first one's message.
func (s *Summary) writeFailures(w io.Writer) {
	if len(s.Failures) == 0 {
		return
	}
	fmt.Fprintf(w, "\nfailures: %d sessions ended because a seat played from outside failed (every party paid as without agreement); failed counts them per negotiator whose seat failed\n", s.Overall.Failed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "negotiator\tcause\tsessions\tfirst (session: message)")
	for _, f := range s.Failures {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d: %s\n", f.Negotiator, f.Cause, f.Sessions, f.First, oneLine(f.Example, 160))
	}
	tw.Flush()
}

// writeFailedShards writes the shards of a distributed run that no
// worker could play (the first maxShardsListed of them).
func (s *Summary) writeFailedShards(w io.Writer) {
	if len(s.FailedShards) == 0 {
		return
	}
	n := uint64(0)
	for _, f := range s.FailedShards {
		n += f.Sessions()
	}
	fmt.Fprintf(w, "\nfailed shards: %d shards, %d sessions, could not be played by any worker and are not recorded; running the tournament again retries them\n", len(s.FailedShards), n)
	for i, f := range s.FailedShards {
		if i == maxShardsListed {
			fmt.Fprintf(w, "  … and %d more\n", len(s.FailedShards)-i)
			break
		}
		fmt.Fprintf(w, "  sessions %d to %d, taken %d times: %s\n", f.First, f.End-1, f.Deliveries, oneLine(f.Reason, 240))
	}
}

// maxShardsListed is the most failed shards a report lists.
const maxShardsListed = 8

// writeTimes writes the answer times of the negotiators played from
// outside.
func (s *Summary) writeTimes(w io.Writer) {
	if len(s.Times) == 0 {
		return
	}
	fmt.Fprintln(w, "\nanswer times of the seats played from outside, per action (p99: an upper bound, the top of its power-of-two bucket)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "negotiator\tactions\tmean\tp99 ≤")
	for _, t := range s.Times {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", t.Negotiator, t.Actions, fmtMS(t.MeanMS), fmtMS(t.P99MS))
	}
	tw.Flush()
}

// fmtMS writes a time in milliseconds with three significant digits.
func fmtMS(ms float64) string {
	switch {
	case ms >= 100:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	case ms >= 10:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	case ms >= 1:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(ms*1000, 'f', 0, 64) + " µs"
}

// oneLine makes a message fit one line of at most n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// maxHeadToHead is the most negotiators whose head-to-head table WriteText
// prints: more columns would not fit a terminal (JSON and CSV have
// every pair).
const maxHeadToHead = 12

// writeHeadToHead writes each negotiator's mean utility against each
// opponent, a row per negotiator and a column per opponent.
func (s *Summary) writeHeadToHead(w io.Writer) {
	n := len(s.Negotiators)
	if n < 2 || n > maxHeadToHead || len(s.Pairs) == 0 {
		return
	}
	cell := map[[2]string]Stat{}
	for _, p := range s.Pairs {
		cell[[2]string{p.Negotiator, p.Opponent}] = p.Utility
	}
	fmt.Fprintln(w, "\nhead to head: mean utility of the row's negotiator in sessions against the column's")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "against")
	for _, o := range s.Negotiators {
		fmt.Fprintf(tw, "\t%s", o.Name)
	}
	fmt.Fprintln(tw)
	for _, r := range s.Negotiators {
		fmt.Fprint(tw, r.Name)
		for _, o := range s.Negotiators {
			fmt.Fprintf(tw, "\t%s", fmtMean(cell[[2]string{r.Name, o.Name}], 3))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// WriteCSV writes the summary as CSV: one line per negotiator, per
// scenario, overall, and per pair of head to head, with every figure and
// interval.
func (s *Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"group", "name", "sessions", "utility_n", "utility_mean", "utility_ci95", "utility_sd",
		"discounted_mean", "discounted_ci95", "agreement_rate", "binding_rate", "welfare_mean", "welfare_ci95",
		"pareto_mean", "pareto_ci95", "nash_mean", "nash_ci95", "rounds_mean", "rounds_ci95", "opponent",
		"failed", "failure_cause", "failure_example", "actions", "action_mean_ms", "action_p99_ms"})
	num := func(x float64, ok bool) string {
		if !ok || math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	row := func(group string, r Row) {
		cw.Write([]string{group, r.Name, strconv.FormatUint(r.Sessions, 10), strconv.FormatUint(r.Utility.N, 10),
			num(r.Utility.Mean, r.Utility.N > 0), num(r.Utility.CI95, r.Utility.N > 0), num(r.Utility.SD, r.Utility.N > 0),
			num(r.Discounted.Mean, r.Discounted.N > 0), num(r.Discounted.CI95, r.Discounted.N > 0),
			num(r.Agreement, r.Sessions > 0), num(r.Binding, r.Sessions > 0), num(r.Welfare.Mean, r.Welfare.N > 0), num(r.Welfare.CI95, r.Welfare.N > 0),
			num(r.Pareto.Mean, r.Pareto.N > 0), num(r.Pareto.CI95, r.Pareto.N > 0),
			num(r.Nash.Mean, r.Nash.N > 0), num(r.Nash.CI95, r.Nash.N > 0),
			num(r.Rounds.Mean, r.Rounds.N > 0), num(r.Rounds.CI95, r.Rounds.N > 0), "",
			strconv.FormatUint(r.Failed, 10), "", "", "", "", ""})
	}
	for _, r := range s.Negotiators {
		row("negotiator", r)
	}
	for _, r := range s.Scenarios {
		row("scenario", r)
	}
	row("overall", s.Overall)
	// Head to head: the negotiator's utility and agreement rate against
	// the opponent; the other columns do not apply.
	for _, p := range s.Pairs {
		u := p.Utility
		cw.Write([]string{"pair", p.Negotiator, strconv.FormatUint(p.Sessions, 10), strconv.FormatUint(u.N, 10),
			num(u.Mean, u.N > 0), num(u.CI95, u.N > 0), num(u.SD, u.N > 0), "", "", num(p.Agreement, true),
			num(p.Binding, true), "", "", "", "", "", "", "", "", p.Opponent, "", "", "", "", "", ""})
	}
	// Failures per negotiator and cause, and answer times: the other
	// columns do not apply.
	blank := func(group, name, sessions string) []string {
		return append([]string{group, name, sessions}, make([]string, 23)...)
	}
	for _, f := range s.Failures {
		rec := blank("failure", f.Negotiator, strconv.FormatUint(f.Sessions, 10))
		rec[20], rec[21], rec[22] = strconv.FormatUint(f.Sessions, 10), f.Cause, f.Example
		cw.Write(rec)
	}
	for _, t := range s.Times {
		rec := blank("times", t.Negotiator, "")
		rec[23], rec[24], rec[25] = strconv.FormatUint(t.Actions, 10), num(t.MeanMS, true), num(t.P99MS, true)
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// errWriter keeps the first write error, so that a report of many small
// writes is checked once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
