package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/forecast"
	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/plot"
	"github.com/parleyhq/parley/scenario"
)

// ForecastCmd groups the forecast commands; a bare `parley forecast FILE`
// runs a model.
type ForecastCmd struct {
	Model    ForecastModelCmd    `cmd:"" default:"withargs" help:"Forecast the outcome of each spatial issue (the default: parley forecast FILE)."`
	Backtest ForecastBacktestCmd `cmd:"" help:"Score every model against a table of past decisions (CSV/TSV: issue,actor,position,salience,capability,outcome)."`
}

// ForecastModelCmd runs one forecast model, or all of them side by side.
type ForecastModelCmd struct {
	Path            string  `arg:"" name:"file" help:"A parley scenario with scaled issues, a KTAB CSV or XML file, or an actor table (CSV)."`
	Model           string  `default:"${default_model}" enum:"${models},all" help:"Forecast model: ${models_or}, or all to compare every model (parley list describes them)."`
	JSON            bool    `help:"Write the result as JSON."`
	Plot            string  `help:"Also draw the trajectories of positions (with --model all: every model's forecast and band per issue) to this PNG or SVG file."`
	Samples         int     `default:"200" help:"Samples of a scenario's assumed ranges (capabilities, positions, saliences, scale points) for uncertainty bands; 0 for none."`
	Seed            uint64  `help:"Seed of the samples."`
	MinRatification float64 `name:"min-ratification" default:"0.5" help:"Probability every required ratification must reach for the forecast's package to count as ratified."`
}

// Run loads the problem, runs the model(s), judges each forecast as a
// package by the scenario's rules, samples the bands, and prints or writes
// the result.
func (c *ForecastModelCmd) Run(e env) error {
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	if c.Samples < 0 {
		return fmt.Errorf("--samples is %d; give a count of 0 or more (0: no bands)", c.Samples)
	}
	if !(c.MinRatification > 0 && c.MinRatification <= 1) {
		return fmt.Errorf("--min-ratification is %g; give a probability above 0 and at most 1", c.MinRatification)
	}
	in, err := loadForecastInput(c.Path)
	if err != nil {
		return err
	}
	p := in.problem
	bands := func(models []string) (*forecast.Bands, error) {
		if in.scen == nil || c.Samples == 0 {
			return nil, nil
		}
		return forecast.SampleBands(in.data, c.Path, models, forecast.BandOptions{Samples: c.Samples, Seed: c.Seed,
			MinRatification: c.MinRatification, Budget: e.b})
	}
	if c.Model == "all" {
		cmp, err := forecast.Compare(p, in.scen, nil, forecast.Options{}, c.MinRatification)
		if err != nil {
			return err
		}
		if cmp.Bands, err = bands(nil); err != nil {
			return err
		}
		if c.Plot != "" {
			if err := writePlot(c.Plot, func(w io.Writer, format string) error { return plot.ForecastComparison(w, format, cmp, p.Dimensions) }); err != nil {
				return err
			}
		}
		if c.JSON {
			return writeJSON(e.stdout, cmp)
		}
		return cmp.WriteText(printable.Writer(e.stdout))
	}
	r, err := forecast.Run(p, c.Model, forecast.Options{})
	if err != nil {
		return err
	}
	rp := &forecast.Report{Result: r}
	if in.scen != nil {
		if rp.Package, err = forecast.Assemble(in.scen, r, c.MinRatification); err != nil {
			return err
		}
		if rp.Bands, err = bands([]string{c.Model}); err != nil {
			return err
		}
	}
	if c.Plot != "" {
		if err := writePlot(c.Plot, func(w io.Writer, format string) error { return plot.Forecast(w, format, r, p.Dimensions) }); err != nil {
			return err
		}
	}
	if c.JSON {
		return writeJSON(e.stdout, rp)
	}
	return rp.WriteText(printable.Writer(e.stdout), p.Dimensions)
}

// forecastInput is what parley forecast reads: the problem, and for a
// parley scenario the scenario and its bytes (which the bands sample).
type forecastInput struct {
	problem forecast.Problem
	scen    *scenario.Scenario
	data    []byte
}

// loadForecastInput reads a KTAB file or actor table, or a parley
// scenario's spatial data.
func loadForecastInput(path string) (forecastInput, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		data, err := safeio.ReadFile(path)
		if err != nil {
			return forecastInput{}, err
		}
		s, err := scenario.Parse(data, path)
		if err != nil {
			return forecastInput{}, err
		}
		p, err := forecast.FromScenario(s)
		return forecastInput{problem: p, scen: s, data: data}, err
	}
	p, err := forecast.LoadFile(path)
	return forecastInput{problem: p}, err
}

// ForecastBacktestCmd scores the models on past decisions.
type ForecastBacktestCmd struct {
	Path  string `arg:"" name:"file" help:"CSV or TSV with header issue,actor,position,salience,capability,outcome."`
	Model string `default:"all" enum:"${models},all" help:"Model to score: ${models_or}, or all (the default) to score every model."`
	JSON  bool   `help:"Write the scores as JSON."`
}

// Run scores the models and prints the table.
func (c *ForecastBacktestCmd) Run(e env) error {
	data, err := forecast.LoadBacktest(c.Path)
	if err != nil {
		return err
	}
	var models []string
	if c.Model != "all" {
		models = []string{c.Model}
	}
	r, err := forecast.Backtest(data, models, forecast.Options{})
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(e.stdout, r)
	}
	return r.WriteText(printable.Writer(e.stdout))
}

// writeFileAtomic writes path through a temporary file in the same folder,
// so that a failure never leaves a half-written file.
func writeFileAtomic(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	// CreateTemp makes the file private; give it the mode a new file gets.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
