package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/plot"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/session"
)

// AnalyzeCmd analyses a scenario's outcome space.
type AnalyzeCmd struct {
	Path            string            `arg:"" name:"path" help:"Scenario file (YAML/JSON), Genius XML folder or GeniusWeb profile."`
	JSON            bool              `help:"Write the analysis as JSON (the interface documented in the README)."`
	WhatIf          bool              `name:"what-if" help:"Add the what-if analysis: binding red lines, ratification, guarantees, agenda against package, what would open a zone, and sensitivity to the assumed ranges."`
	Samples         int               `default:"1000" help:"Sensitivity samples of the assumed ranges (with --what-if; 0 for none)."`
	SampleSeed      uint64            `name:"sample-seed" default:"0" help:"Seed of the sensitivity sampling (with --what-if); run's --seed seeds the negotiators instead."`
	MinRatification float64           `name:"min-ratification" default:"0.5" help:"Probability every required ratification must reach for a deal to count as ratifiable (with --what-if or --outcome)."`
	Outcome         map[string]string `help:"Also measure this outcome, given as 'issue=value;issue=value' with every issue, each value an option id or label (as the report prints it) or a number: utilities, acceptability, red lines, ratification, distances to the frontier and the Nash point." mapsep:";"`
	Plot            string            `help:"Also draw the outcome space, the Pareto frontier and the solution points of two parties to this PNG or SVG file."`
	Axes            []string          `sep:"," help:"The two parties of --plot, as x,y (default: the first two)."`
	Sources         []string          `name:"sources" sep:"," env:"PARLEY_SOURCES" placeholder:"DIR" help:"Folders besides the scenario's own from which its source documents may be read to check quotes (also PARLEY_SOURCES, comma-separated)."`

	// The line-up that plays the agenda against the package (--what-if).
	Negotiators            []string `short:"n" sep:"," help:"With --what-if on a scenario with an agenda: the negotiators that play the agenda and the package, one per party or one for all (default: linear for every party)."`
	Protocol               string   `short:"p" default:"saop" help:"With --what-if: the protocol of those sessions."`
	Mediator               string   `short:"m" help:"With --what-if: the mediator of those sessions, in mediated protocols (default: broker when a party mediates)."`
	Rounds                 int      `short:"r" default:"0" help:"With --what-if: the deadline of those sessions, in rounds (default: the scenario's deadline, or 100)."`
	Seed                   uint64   `short:"s" default:"0" help:"With --what-if: the seed of those sessions (as run's --seed)."`
	AnticipateRatification bool     `name:"anticipate-ratification" default:"true" negatable:"" help:"With --what-if: in those sessions, parties bargain over their expected utility given their own ratification (the default; --no-anticipate-ratification for the bare utility)."`
	// NATSFlags draw the sensitivity samples on workers.
	NATSFlags
}

// Run loads the scenario and prints the analysis report.
func (c *AnalyzeCmd) Run(e env) error {
	if err := c.check(); err != nil {
		return err
	}
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	s, err := open.PathWith(c.Path, scenario.Options{SourceRoots: c.Sources})
	if err != nil {
		return err
	}
	for _, w := range s.Warnings {
		e.warn(w)
	}
	r, err := analysis.Analyze(s, analysis.Options{Budget: e.b, MaxChecks: e.limits.maxChecks()})
	if err != nil {
		return err
	}
	nm, note, err := negmasFigures(c.Path)
	if err != nil {
		return err
	}
	if note != "" {
		r.Notes = append(r.Notes, note)
	}
	if c.WhatIf {
		if err := c.whatIf(e, r); err != nil {
			return err
		}
	}
	if len(c.Outcome) > 0 {
		if _, err := r.Evaluate(c.Outcome, c.MinRatification); err != nil {
			return err
		}
	}
	if c.Plot != "" {
		if err := c.plot(r); err != nil {
			return err
		}
	}
	if c.JSON {
		if nm != nil {
			return writeJSON(e.stdout, withNegMAS{r, nm})
		}
		return writeJSON(e.stdout, r)
	}
	if err := r.WriteText(e.stdout); err != nil || nm == nil {
		return err
	}
	return writeNegMAS(e.stdout, r, nm)
}

// whatIf adds the what-if analysis to r and, with --samples, the
// sensitivity analysis of the file's assumed ranges.
func (c *AnalyzeCmd) whatIf(e env, r *analysis.Report) error {
	pr := c.predictor()
	if err := r.WhatIfAnalysis(analysis.WhatIfOptions{MinRatification: c.MinRatification, Predictor: pr, Budget: e.b}); err != nil {
		return err
	}
	if c.Samples == 0 {
		return nil
	}
	f, note := c.decodeFile()
	if f == nil {
		r.WhatIf.Notes = append(r.WhatIf.Notes, note)
		return nil
	}
	start := time.Now()
	opts := analysis.SensitivityOptions{Samples: c.Samples, Seed: c.SampleSeed, MinRatification: c.MinRatification, Predictor: pr, Budget: e.b}
	if c.NATS != "" {
		done, err := c.distribute(e, &opts)
		if err != nil {
			return err
		}
		defer done()
	}
	if err := r.SensitivityAnalysis(f, c.Path, opts); err != nil {
		return err
	}
	if isTerminal(e.stderr) {
		fmt.Fprintf(e.stderr, "sensitivity: %d samples in %.2fs\n", c.Samples, time.Since(start).Seconds())
	}
	return nil
}

// predictor plays the agenda against the package with the line-up the
// flags give.
func (c *AnalyzeCmd) predictor() analysis.Predictor {
	return session.Predictor{Config: session.Config{Negotiators: c.Negotiators, Protocol: c.Protocol, Mediator: c.Mediator,
		Deadline: protocol.Deadline{Rounds: c.Rounds}, Seed: c.Seed, AnticipateRatification: c.AnticipateRatification}}
}

// plot draws the report for the parties named by --axes.
func (c *AnalyzeCmd) plot(r *analysis.Report) error {
	x, y, err := plotAxes(c.Axes, r.Parties)
	if err != nil {
		return err
	}
	return writePlot(c.Plot, func(w io.Writer, format string) error { return plot.Analysis(w, format, r, x, y) })
}

func (c *AnalyzeCmd) check() error {
	if !c.WhatIf {
		if c.Samples != 1000 || c.SampleSeed != 0 {
			return fmt.Errorf("--samples and --sample-seed apply to the what-if analysis; add --what-if")
		}
		if c.MinRatification != 0.5 && len(c.Outcome) == 0 {
			return fmt.Errorf("--min-ratification applies to the what-if analysis and to --outcome; add one of them")
		}
		if c.Negotiators != nil || c.Protocol != "saop" || c.Mediator != "" || c.Rounds != 0 || c.Seed != 0 || !c.AnticipateRatification {
			return fmt.Errorf("-n, -p, -m, -r, -s and --no-anticipate-ratification give the line-up that plays the agenda against the package; add --what-if")
		}
	}
	if _, err := protocol.Lookup(c.Protocol); err != nil {
		return err
	}
	if c.Rounds < 0 {
		return fmt.Errorf("-r is %d; give a deadline of at least 1 round (or leave it out for the scenario's)", c.Rounds)
	}
	if c.NATS != "" && (!c.WhatIf || c.Samples == 0) {
		return fmt.Errorf("--nats draws the sensitivity samples on workers: add --what-if (and --samples above 0)")
	}
	if c.Samples < 0 {
		return fmt.Errorf("--samples is %d; give a count of 0 or more (0 skips the sensitivity analysis)", c.Samples)
	}
	if !(c.MinRatification > 0 && c.MinRatification <= 1) {
		return fmt.Errorf("--min-ratification is %g; give a probability above 0 and at most 1", c.MinRatification)
	}
	return nil
}

// decodeFile reads the scenario file again for the sensitivity analysis,
// which needs the assumptions' ranges; other formats have none.
func (c *AnalyzeCmd) decodeFile() (*scenario.File, string) {
	const none = "sensitivity skipped: only parley scenario files carry assumed ranges"
	fi, err := os.Stat(c.Path)
	if err != nil || fi.IsDir() || strings.EqualFold(filepath.Ext(c.Path), ".xml") {
		return nil, none
	}
	data, err := safeio.ReadFile(c.Path)
	if err != nil {
		return nil, none
	}
	f, err := scenario.DecodeFile(data, c.Path)
	if err != nil {
		return nil, none
	}
	return f, ""
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
