package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/forecast"
	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/plot"
	"github.com/parleyhq/parley/scenario"
)

// ForecastCmd groups the forecast commands; a bare `parley forecast FILE`
// runs a model.
type ForecastCmd struct {
	Model    ForecastModelCmd    `cmd:"" default:"withargs" help:"Forecast the outcome of each spatial issue (the default: parley forecast FILE)."`
	Backtest ForecastBacktestCmd `cmd:"" help:"Score every model against a table of past decisions (CSV/TSV: issue,actor,position,salience,capability,outcome)."`
}

// ForecastModelCmd runs one forecast model.
type ForecastModelCmd struct {
	Path  string `arg:"" name:"file" help:"A parley scenario with scaled issues, a KTAB CSV or XML file, or an actor table (CSV)."`
	Model string `default:"${default_model}" enum:"${models}" help:"Forecast model: ${models_or} (parley list describes them)."`
	JSON  bool   `help:"Write the result as JSON."`
	Plot  string `help:"Also draw the trajectories of positions to this PNG or SVG file."`
	Round *int   `help:"Forecast a parley scenario as its scheduled events up to this round leave it (the positions they move); default: as the file states it, before any event." placeholder:"N"`
}

// Run loads the problem, runs the model and prints or writes the result.
func (c *ForecastModelCmd) Run(e env) error {
	if err := checkPlot(c.Plot); err != nil {
		return err
	}
	p, err := loadForecast(c.Path, c.Round)
	if err != nil {
		return err
	}
	r, err := forecast.Run(p, c.Model, forecast.Options{})
	if err != nil {
		return err
	}
	if c.Plot != "" {
		if err := writePlot(c.Plot, func(w io.Writer, format string) error { return plot.Forecast(w, format, r, p.Dimensions) }); err != nil {
			return err
		}
	}
	if c.JSON {
		return writeJSON(e.stdout, r)
	}
	return r.WriteTextWithAnchors(printable.Writer(e.stdout), p.Dimensions)
}

// loadForecast reads a KTAB file or actor table, or a parley scenario's
// spatial data.
func loadForecast(path string, round *int) (forecast.Problem, error) {
	if round != nil && *round < 0 {
		return forecast.Problem{}, fmt.Errorf("--round is %d; give a round of 0 or more", *round)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		s, err := scenario.LoadFile(path)
		if err != nil {
			return forecast.Problem{}, err
		}
		if round != nil {
			s = s.AtRound(*round)
		}
		return forecast.FromScenario(s)
	}
	if round != nil {
		return forecast.Problem{}, fmt.Errorf("--round applies to parley scenarios, whose events move positions; %s is not one", path)
	}
	return forecast.LoadFile(path)
}

// ForecastBacktestCmd scores the models on past decisions.
type ForecastBacktestCmd struct {
	Path string `arg:"" name:"file" help:"CSV or TSV with header issue,actor,position,salience,capability,outcome."`
	JSON bool   `help:"Write the scores as JSON."`
}

// Run scores every model and prints the table.
func (c *ForecastBacktestCmd) Run(e env) error {
	data, err := forecast.LoadBacktest(c.Path)
	if err != nil {
		return err
	}
	r, err := forecast.Backtest(data, nil, forecast.Options{})
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
