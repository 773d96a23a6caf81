package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/plot"
	"github.com/parleyhq/parley/seat"
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
	// RerunDamaged is the remedy a damaged store's error names.
	RerunDamaged bool `name:"rerun-damaged" help:"Remove the rows of results that fail their checks (a damaged database) and play exactly their sessions again; the other rows are kept."`

	// LLMFlags set up the language-model seats (llm:) a spec names: their
	// cache, log and offline replay; their clocks are the spec's agents:.
	LLMFlags
	// RemoteFlags set up the seats played over the network (remote:NAME)
	// a spec names; their clocks are the spec's agents:.
	RemoteFlags
	// NATSFlags play the tournament on workers on other machines.
	NATSFlags
}

// Run implements parley tournament SPEC.
func (c *TournamentRunCmd) Run(e env) error {
	began := time.Now()
	if c.Workers < 0 {
		return fmt.Errorf("--workers %d: give a positive number of workers, or 0 for one per CPU", c.Workers)
	}
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	pool, closePool, err := c.pool()
	if err != nil {
		return err
	}
	defer closePool()
	hub, err := c.hub()
	if err != nil {
		return err
	}
	defer hub.Close() // the agents of remote seats read the end
	spec, err := tournament.LoadSpecWith(c.Spec, dialer(pool.Kind(), hub.Kind()))
	if err != nil {
		return err
	}
	plan, err := tournament.NewPlan(spec)
	if err != nil {
		return err
	}
	plan.Within(e.b)
	if note := plan.RepetitionsNote(); note != "" {
		fmt.Fprintln(e.stderr, "note:", note)
	}
	prepared, err := prepare(e.stderr, c.Progress, plan, workers(c.Workers), slowPrepare)
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
	if c.RerunDamaged {
		removed, err := st.RemoveDamaged()
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			d := &store.DamagedError{Path: c.DB, Rows: removed}
			fmt.Fprintf(e.stderr, "removed from %s: %s\nplaying those %d sessions again\n", c.DB, d.List(), d.Sessions())
		}
	}
	done, err := st.Done()
	if err != nil {
		return err
	}
	already := done.Count()
	if already > 0 && already < plan.Total {
		fmt.Fprintf(e.stderr, "resuming %s: %d of %d sessions already recorded\n", c.DB, already, plan.Total)
	}

	ctx, stop := signal.NotifyContext(e.b.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if already < plan.Total {
		// Remote seats get new URLs at every run: their agents connect
		// anew, a resumed tournament too.
		if err := c.serve(ctx, e, hub); err != nil {
			return err
		}
	}
	prog := newProgress(e.stderr, c.Progress, plan.Total, already)
	var stats tournament.Stats
	if c.NATS != "" {
		stats, err = c.coordinate(ctx, e, plan, source, st, done, prog)
	} else {
		stats, err = tournament.Run(ctx, plan, st, tournament.Options{Workers: c.Workers, Done: done, Progress: prog.update})
		prog.finish(err == nil)
	}
	if err != nil {
		n, _ := st.Count()
		if ctx.Err() != nil {
			why := "interrupted"
			if cause := context.Cause(e.b.Context); cause != nil {
				why = cause.Error() // --max-time or --max-memory
			}
			return fmt.Errorf("%s: %d of %d sessions are recorded in %s; run the same command again to finish", why, n, plan.Total, c.DB)
		}
		if _, ok := err.(errFailedShards); !ok || c.Quiet && c.Plot == "" {
			return err
		}
		// The report lists the failed shards before the error says so.
		if sum, serr := summarize(st); serr != nil {
			return serr
		} else if rerr := report(e, sum, c.Plot, c.JSON, false, c.Quiet); rerr != nil {
			return rerr
		}
		return err
	}
	failed := ""
	if stats.Failed > 0 {
		failed = fmt.Sprintf(", %d of them failed (a seat played from outside failed: see the report)", stats.Failed)
	}
	if stats.Committed > 0 {
		fmt.Fprintf(e.stderr, "%d sessions in %.3gs (%.0f sessions/s, %.0f steps/s) on %d workers%s; results in %s\n",
			stats.Committed, stats.Elapsed.Seconds(), float64(stats.Committed)/stats.Elapsed.Seconds(),
			float64(stats.Steps)/stats.Elapsed.Seconds(), stats.Workers, failed, c.DB)
	} else {
		fmt.Fprintf(e.stderr, "all %d sessions were already recorded in %s\n", plan.Total, c.DB)
	}
	defer func() {
		// The whole command: loading and preparing the scenarios, the
		// run, and the report.
		fmt.Fprintf(e.stderr, "%.3gs in all (%.3gs preparing %d scenarios, %.3gs playing)\n",
			time.Since(began).Seconds(), prepared.Seconds(), len(plan.Scenarios), stats.Elapsed.Seconds())
	}()
	if c.Quiet && c.Plot == "" {
		return nil
	}
	sum, err := summarize(st)
	if err != nil {
		return err
	}
	return report(e, sum, c.Plot, c.JSON, false, c.Quiet)
}

// summarize reads a store's summary, with the answer times of its outside
// seats.
func summarize(st *store.Store) (*tournament.Summary, error) {
	sum, err := tournament.Summarize(st.Canonical, st.Scan)
	if err != nil {
		return nil, err
	}
	times, err := st.Times()
	if err != nil {
		return nil, err
	}
	sum.AddTimes(st.Canonical, times)
	if sum.FailedShards, err = st.ShardFailures(); err != nil {
		return nil, err
	}
	return sum, nil
}

// slowPrepare is how long a scenario may take to prepare before its own
// line says so.
const slowPrepare = time.Second

// prepare compiles the plan's scenarios (their utility indexes and Pareto
// frontiers: seconds each for big domains) before the run, saying on w
// what takes long: a line per scenario that took slow or more, a count as
// they finish (in the bar and lines modes), and the total when it took
// slow or more. It returns how long it took.
func prepare(w io.Writer, mode string, plan *tournament.Plan, workers int, slow time.Duration) (time.Duration, error) {
	start := time.Now()
	quiet := mode == "none"
	count := mode == "bar" || mode == "lines" || (mode == "auto" && isTerminal(w))
	n, last := 0, time.Now()
	total := len(plan.Scenarios)
	err := plan.Prepare(workers, func(ps *tournament.PlanScenario, took time.Duration) {
		n++
		switch {
		case quiet:
		case took >= slow:
			size := "too many to count"
			if o, ok := ps.Scenario.Space().Size(); ok {
				size = fmt.Sprintf("%d", o)
			}
			fmt.Fprintf(w, "prepared scenario %d of %d, %s (%s outcomes), in %.3gs\n", n, total, ps.Path, size, took.Seconds())
			last = time.Now()
		case count && time.Since(last) >= 2*time.Second:
			fmt.Fprintf(w, "prepared %d of %d scenarios\n", n, total)
			last = time.Now()
		}
	})
	took := time.Since(start)
	if err == nil && !quiet && took >= slow {
		fmt.Fprintf(w, "prepared %d scenarios in %.3gs\n", total, took.Seconds())
	}
	return took, err
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
		return sum.WriteCSV(e.stdout)
	}
	return sum.WriteText(printable.Writer(e.stdout))
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
	sum, err := summarize(st)
	if err != nil {
		return err
	}
	return report(e, sum, c.Plot, c.JSON, c.CSV, false)
}

// TournamentExportCmd writes a tournament's sessions to a file.
type TournamentExportCmd struct {
	DB     string `arg:"" name:"db" help:"A tournament database made by parley tournament." type:"existingfile"`
	Format string `short:"f" enum:"csv,jsonl,parquet," default:"" help:"csv, jsonl or parquet (default: from the output's extension: .csv, .jsonl or .ndjson, .parquet; csv on standard output)."`
	Output string `short:"o" help:"Output file (default: standard output; parquet needs a file)." type:"path"`
}

// Run implements parley tournament export.
func (c *TournamentExportCmd) Run(e env) error {
	f, err := exportFormat(c.Format, c.Output)
	if err != nil {
		return err
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
	if fi, err := os.Stat(c.Output); c.Output != "" && err == nil && !fi.Mode().IsRegular() {
		// A device or a pipe (/dev/full, a FIFO): written in place, never
		// replaced by a file, so that its write errors are the export's.
		f, err := os.OpenFile(c.Output, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		w, c.Output = f, ""
	} else if c.Output != "" {
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

// exportFormat is the format of an export: the one given, else the one
// the output's extension names (csv on standard output). An extension
// that names none is refused rather than written as CSV under a name
// that says otherwise (x.xlsx).
func exportFormat(given, output string) (string, error) {
	if given != "" || output == "" {
		return cmp.Or(given, "csv"), nil
	}
	if fi, err := os.Stat(output); err == nil && !fi.Mode().IsRegular() {
		return "csv", nil // a device or a pipe: no extension to go by
	}
	ext := filepath.Ext(output)
	switch strings.ToLower(ext) {
	case ".csv":
		return "csv", nil
	case ".jsonl", ".ndjson":
		return "jsonl", nil
	case ".parquet":
		return "parquet", nil
	case "":
		return "", fmt.Errorf("-o %s: give the file an extension that names its format (.csv, .jsonl or .parquet), or the format with -f csv|jsonl|parquet", output)
	}
	return "", fmt.Errorf("-o %s: parley does not write %s files; it writes .csv, .jsonl (or .ndjson) and .parquet (or give the format with -f csv|jsonl|parquet)", output, ext)
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
		if isTerminal(w) {
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

// dialer lets a tournament spec seat the outside kinds the CLI knows
// besides cmd: agents (language models).
func dialer(kinds ...seat.Kind) tournament.Dialer {
	return func(spec string) (func() (seat.Conn, error), bool, error) {
		for _, k := range kinds {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(spec), k.Prefix); ok {
				d, err := k.Dial(rest)
				return d, true, err
			}
		}
		return nil, false, nil
	}
}
