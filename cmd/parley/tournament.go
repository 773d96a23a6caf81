package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/parleyhq/parley/plot"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/export"
	"github.com/parleyhq/parley/tournament/store"
)

// TournamentCmd runs tournaments and reports on their databases.
type TournamentCmd struct {
	Run    TournamentRunCmd    `cmd:"" default:"withargs" help:"Run or resume the tournament a spec describes (the default: parley tournament SPEC)."`
	Report TournamentReportCmd `cmd:"" help:"Summarise a tournament database: per negotiator and per scenario."`
	Export TournamentExportCmd `cmd:"" help:"Write a tournament's sessions as CSV, JSON lines or Parquet."`
}

// TournamentRunCmd runs (or resumes) a tournament into its database.
type TournamentRunCmd struct {
	Spec     string `arg:"" name:"spec" help:"The tournament spec (YAML)." type:"existingfile"`
	DB       string `help:"The results database (SQLite); default: the spec's name with .db, in the current folder." type:"path"`
	Workers  int    `short:"w" help:"Goroutines playing sessions (default: the number of CPUs)."`
	Progress string `default:"auto" enum:"auto,bar,lines,none" help:"Progress on stderr: auto (a bar on a terminal, else nothing), bar, lines (one every 5s) or none."`
	Quiet    bool   `short:"q" help:"Print no summary at the end."`
	JSON     bool   `help:"Print the summary as JSON."`
	Plot     string `help:"Also draw the summary to this PNG or SVG file: per negotiator and per scenario, mean utility with its 95% interval and agreement rate." type:"path"`
}

// Run implements parley tournament SPEC.
func (c *TournamentRunCmd) Run(e env) error {
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	spec, err := tournament.LoadSpec(c.Spec)
	if err != nil {
		return err
	}
	plan, err := tournament.NewPlan(spec)
	if err != nil {
		return err
	}
	if c.DB == "" {
		c.DB = strings.TrimSuffix(filepath.Base(c.Spec), filepath.Ext(c.Spec)) + ".db"
	}
	source, err := os.ReadFile(c.Spec)
	if err != nil {
		return err
	}
	st, err := store.Create(c.DB, plan, source, version)
	if err != nil {
		return err
	}
	defer st.Close()
	done, err := st.Done()
	if err != nil {
		return err
	}
	already := done.Count()
	if already > 0 && already < plan.Total {
		fmt.Fprintf(e.stderr, "resuming %s: %d of %d sessions already recorded\n", c.DB, already, plan.Total)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := newProgress(e.stderr, c.Progress, plan.Total, already)
	stats, err := tournament.Run(ctx, plan, st, tournament.Options{Workers: c.Workers, Done: done, Progress: prog.update})
	prog.finish(err == nil)
	if err != nil {
		n, _ := st.Count()
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted: %d of %d sessions are recorded in %s; run the same command again to finish", n, plan.Total, c.DB)
		}
		return err
	}
	if stats.Committed > 0 {
		fmt.Fprintf(e.stderr, "%d sessions in %.3gs (%.0f sessions/s, %.0f steps/s) on %d workers; results in %s\n",
			stats.Committed, stats.Elapsed.Seconds(), float64(stats.Committed)/stats.Elapsed.Seconds(),
			float64(stats.Steps)/stats.Elapsed.Seconds(), workers(c.Workers), c.DB)
	} else {
		fmt.Fprintf(e.stderr, "all %d sessions were already recorded in %s\n", plan.Total, c.DB)
	}
	if c.Quiet && c.Plot == "" {
		return nil
	}
	sum, err := tournament.Summarize(st.Canonical, st.Scan)
	if err != nil {
		return err
	}
	return report(e, sum, c.Plot, c.JSON, false, c.Quiet)
}

// report draws the summary to path (when given) and prints it as JSON,
// CSV or text (unless quiet).
func report(e env, sum *tournament.Summary, path string, asJSON, asCSV, quiet bool) error {
	if path != "" {
		if err := writePlot(path, func(w io.Writer, format string) error { return plot.Tournament(w, format, sum) }); err != nil {
			return err
		}
	}
	switch {
	case quiet:
		return nil
	case asJSON:
		return writeJSON(e.stdout, sum)
	case asCSV:
		return writeSummaryCSV(e.stdout, sum)
	}
	printSummary(e.stdout, sum)
	return nil
}

func workers(n int) int {
	if n <= 0 {
		return tournament.DefaultWorkers()
	}
	return n
}

// TournamentReportCmd summarises a tournament database.
type TournamentReportCmd struct {
	DB   string `arg:"" name:"db" help:"A tournament database made by parley tournament." type:"existingfile"`
	JSON bool   `help:"Print the summary as JSON." xor:"format"`
	CSV  bool   `help:"Print the summary as CSV, one line per negotiator and per scenario." xor:"format"`
	Plot string `help:"Also draw the summary to this PNG or SVG file: per negotiator and per scenario, mean utility with its 95% interval and agreement rate." type:"path"`
}

// Run implements parley tournament report.
func (c *TournamentReportCmd) Run(e env) error {
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	st, err := store.Open(c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := tournament.Summarize(st.Canonical, st.Scan)
	if err != nil {
		return err
	}
	return report(e, sum, c.Plot, c.JSON, c.CSV, false)
}

// TournamentExportCmd writes a tournament's sessions to a file.
type TournamentExportCmd struct {
	DB     string `arg:"" name:"db" help:"A tournament database made by parley tournament." type:"existingfile"`
	Format string `short:"f" enum:"csv,jsonl,parquet," default:"" help:"csv, jsonl or parquet (default: from the output's extension, else csv)."`
	Output string `short:"o" help:"Output file (default: standard output; parquet needs a file)." type:"path"`
}

// Run implements parley tournament export.
func (c *TournamentExportCmd) Run(e env) error {
	f := c.Format
	if f == "" {
		switch strings.ToLower(filepath.Ext(c.Output)) {
		case ".jsonl", ".ndjson":
			f = "jsonl"
		case ".parquet":
			f = "parquet"
		default:
			f = "csv"
		}
	}
	if f == "parquet" && c.Output == "" {
		return errors.New("parquet is binary: give an output file with -o")
	}
	st, err := store.Open(c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	w := e.stdout
	var tmp string
	var out *os.File
	if c.Output != "" {
		tmp = c.Output + ".tmp"
		if out, err = os.Create(tmp); err != nil {
			return err
		}
		defer func() {
			if out != nil {
				out.Close()
				os.Remove(tmp)
			}
		}()
		w = out
	}
	ex := export.New(st.Canonical)
	switch f {
	case "csv":
		err = ex.CSV(w, st.Scan)
	case "jsonl":
		err = ex.JSONLines(w, st.Scan)
	case "parquet":
		err = ex.Parquet(w, st.Scan)
	}
	if err != nil {
		return err
	}
	if out != nil {
		if err := out.Close(); err != nil {
			return err
		}
		out = nil
		return os.Rename(tmp, c.Output)
	}
	return nil
}

// progress shows a tournament's progress on stderr.
type progress struct {
	w      io.Writer
	p      *mpb.Progress
	bar    *mpb.Bar
	total  uint64
	base   uint64
	start  time.Time
	last   time.Time
	lines  bool
	latest uint64
}

func newProgress(w io.Writer, mode string, total, already uint64) *progress {
	pr := &progress{w: w, total: total, base: already, start: time.Now(), last: time.Now()}
	if mode == "auto" {
		mode = "none"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		pr.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))
		pr.bar = pr.p.AddBar(int64(total-already),
			mpb.PrependDecorators(decor.Name("sessions "), decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)),
			mpb.AppendDecorators(decor.AverageSpeed(0, " %.0f/s"), decor.Name("  ETA "), decor.AverageETA(decor.ET_STYLE_GO)))
	case "lines":
		pr.lines = true
	}
	return pr
}

// update is called by the writer after each commit.
func (pr *progress) update(n uint64) {
	pr.latest = n
	if pr.bar != nil {
		pr.bar.SetCurrent(int64(n))
	}
	if pr.lines && time.Since(pr.last) >= 5*time.Second {
		pr.last = time.Now()
		el := time.Since(pr.start).Seconds()
		rate := float64(n) / el
		left := float64(pr.total-pr.base-n) / rate
		fmt.Fprintf(pr.w, "%d / %d sessions, %.0f/s, ETA %s\n", pr.base+n, pr.total, rate, (time.Duration(left) * time.Second).Round(time.Second))
	}
}

func (pr *progress) finish(ok bool) {
	if pr.bar != nil {
		if !ok {
			pr.bar.Abort(false)
		} else {
			pr.bar.SetTotal(-1, true)
		}
		pr.p.Wait()
	}
}

func fmtStat(s tournament.Stat, prec int) string {
	if s.N == 0 {
		return "–"
	}
	return strconv.FormatFloat(s.Mean, 'f', prec, 64) + " ± " + strconv.FormatFloat(s.CI95, 'f', prec, 64)
}

func fmtMean(s tournament.Stat, prec int) string {
	if s.N == 0 {
		return "–"
	}
	return strconv.FormatFloat(s.Mean, 'f', prec, 64)
}

// printSummary prints the per-negotiator and per-scenario tables.
func printSummary(w io.Writer, s *tournament.Summary) {
	fmt.Fprintf(w, "Tournament %s: %d of %d sessions recorded\n", s.Name, s.Sessions, s.Total)
	fmt.Fprintln(w, "Means with 95% confidence intervals (t); utilities are undiscounted, one per seat held.")
	// The binding column appears when a ratification vote voided some
	// deal: otherwise it repeats the agreement column.
	voided := s.Overall.Voided()
	table := func(title string, rows []tournament.Row) {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		binding := ""
		if voided {
			binding = "\tbinding"
		}
		fmt.Fprintf(tw, "%s\tsessions\tutility\tagreement%s\twelfare\tto Pareto\tto Nash\trounds\n", title, binding)
		for _, r := range append(rows, s.Overall) {
			if voided {
				binding = fmt.Sprintf("\t%.1f%%", 100*r.Binding)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f%%%s\t%s\t%s\t%s\t%s\n", r.Name, r.Sessions, fmtStat(r.Utility, 3), 100*r.Agreement, binding,
				fmtStat(r.Welfare, 3), fmtMean(r.Pareto, 3), fmtMean(r.Nash, 3), fmtMean(r.Rounds, 1))
		}
		tw.Flush()
	}
	table("negotiator", s.Negotiators)
	printHeadToHead(w, s)
	table("scenario", s.Scenarios)
	if voided {
		fmt.Fprintln(w, "\nagreement counts every deal signed; binding only those that stand (a ratification vote voided the others).")
	}
	if s.Overall.Pareto.N == 0 && s.Sessions > 0 {
		fmt.Fprintln(w, "\nDistances to Pareto and Nash are not available for these scenarios (the frontier could not be computed).")
	}
}

// maxHeadToHead is the most negotiators whose head-to-head table the text
// report prints: more columns would not fit a terminal (JSON and CSV have
// every pair).
const maxHeadToHead = 12

// printHeadToHead prints each negotiator's mean utility against each
// opponent, a row per negotiator and a column per opponent.
func printHeadToHead(w io.Writer, s *tournament.Summary) {
	n := len(s.Negotiators)
	if n < 2 || n > maxHeadToHead || len(s.Pairs) == 0 {
		return
	}
	cell := map[[2]string]tournament.Stat{}
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

// writeSummaryCSV writes one line per negotiator, per scenario and overall.
func writeSummaryCSV(w io.Writer, s *tournament.Summary) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"group", "name", "sessions", "utility_n", "utility_mean", "utility_ci95", "utility_sd",
		"discounted_mean", "discounted_ci95", "agreement_rate", "binding_rate", "welfare_mean", "welfare_ci95",
		"pareto_mean", "pareto_ci95", "nash_mean", "nash_ci95", "rounds_mean", "rounds_ci95", "opponent"})
	num := func(x float64, ok bool) string {
		if !ok || math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	row := func(group string, r tournament.Row) {
		cw.Write([]string{group, r.Name, strconv.FormatUint(r.Sessions, 10), strconv.FormatUint(r.Utility.N, 10),
			num(r.Utility.Mean, r.Utility.N > 0), num(r.Utility.CI95, r.Utility.N > 0), num(r.Utility.SD, r.Utility.N > 0),
			num(r.Discounted.Mean, r.Discounted.N > 0), num(r.Discounted.CI95, r.Discounted.N > 0),
			num(r.Agreement, r.Sessions > 0), num(r.Binding, r.Sessions > 0), num(r.Welfare.Mean, r.Welfare.N > 0), num(r.Welfare.CI95, r.Welfare.N > 0),
			num(r.Pareto.Mean, r.Pareto.N > 0), num(r.Pareto.CI95, r.Pareto.N > 0),
			num(r.Nash.Mean, r.Nash.N > 0), num(r.Nash.CI95, r.Nash.N > 0),
			num(r.Rounds.Mean, r.Rounds.N > 0), num(r.Rounds.CI95, r.Rounds.N > 0), ""})
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
			num(p.Binding, true), "", "", "", "", "", "", "", "", p.Opponent})
	}
	cw.Flush()
	return cw.Error()
}
