package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/compare"
	"github.com/parleyhq/parley/internal/printable"
)

// DiffCmd compares two versions of a scenario file.
type DiffCmd struct {
	Before          string   `arg:"" name:"before" help:"The earlier version: a parley scenario file."`
	After           string   `arg:"" name:"after" help:"The later version: a parley scenario file."`
	JSON            bool     `help:"Write the comparison as JSON."`
	Negotiators     []string `short:"n" sep:"," help:"The line-up played on both versions: one built-in negotiator per negotiating party, or one for all (default: boulware and conceder in turn, as parley run): ${negotiators}."`
	Protocol        string   `short:"p" default:"saop" help:"Protocol of the line-up's session: ${protocols_or}."`
	Mediator        string   `short:"m" help:"Mediator for protocols ${mediated_or}: ${mediators_or} (default broker when the scenario names a mediator party)."`
	Rounds          int      `short:"r" default:"100" help:"Deadline of the line-up's session in rounds."`
	Seed            uint64   `short:"s" help:"Seed of the line-up's session."`
	MinRatification float64  `name:"min-ratification" default:"0.5" help:"Probability every required ratification must reach for a deal to count as ratifiable."`
	Sources         []string `name:"sources" sep:"," env:"PARLEY_SOURCES" placeholder:"DIR" help:"Folders besides each scenario's own from which its source documents may be read to check quotes (also PARLEY_SOURCES, comma-separated)."`
}

// Run compares the two files and prints what changed and how the
// headline figures moved.
func (c *DiffCmd) Run(e env) error {
	for _, p := range []string{c.Before, c.After} {
		if strings.EqualFold(filepath.Ext(p), ".xml") {
			return fmt.Errorf("%s: parley diff compares parley scenario files; write this one as one with parley convert first", p)
		}
	}
	if c.Rounds < 1 {
		return fmt.Errorf("--rounds is %d; give a deadline of at least 1 round", c.Rounds)
	}
	if !(c.MinRatification > 0 && c.MinRatification <= 1) {
		return fmt.Errorf("--min-ratification is %g; give a probability above 0 and at most 1", c.MinRatification)
	}
	lineup := compare.Lineup{Protocol: c.Protocol, Mediator: c.Mediator, Rounds: c.Rounds, Seed: c.Seed,
		Negotiators: func(n int) []string {
			if len(c.Negotiators) > 0 {
				return c.Negotiators
			}
			return defaultNegotiators(n)
		}}
	d, err := compare.Paths(c.Before, c.After, compare.Options{SourceRoots: c.Sources, MinRatification: c.MinRatification, Lineup: lineup})
	if err != nil {
		return err
	}
	if x, y := d.BeforeFigures.Session, d.AfterFigures.Session; x.Error != "" && x.Error == y.Error {
		// Not the versions' doing: the line-up itself is wrong.
		return fmt.Errorf("the line-up's session runs on neither version: %s", x.Error)
	}
	for _, w := range d.Warnings {
		e.warn(w)
	}
	if c.JSON {
		return writeJSON(e.stdout, d)
	}
	return d.WriteText(printable.Writer(e.stdout)) // labels and quotes come from the files
}
