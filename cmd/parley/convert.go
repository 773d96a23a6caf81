package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/negmas"
	"github.com/parleyhq/parley/scenario/open"
)

// ConvertCmd writes a parley scenario from Genius, GeniusWeb or NegMAS
// files, or a NegMAS scenario folder from any scenario NegMAS can hold.
type ConvertCmd struct {
	Paths  []string `arg:"" name:"source" help:"A Genius XML folder, a NegMAS scenario folder, a GeniusWeb folder, GeniusWeb profile files (one per party), or (with --to negmas) a parley scenario."`
	Output string   `short:"o" aliases:"out" help:"Write the scenario here instead of standard output (a new folder for --to negmas)." type:"path"`
	To     string   `enum:"parley,negmas," default:"" help:"Output format: parley (a YAML scenario) or negmas (a NegMAS scenario folder, the Automated Negotiation League's format). Default: negmas when -o ends with a slash or names an empty folder, else parley."`
}

// Run converts and writes the scenario; nothing is written on error.
func (c *ConvertCmd) Run(e env) error {
	to := c.To
	if to == "" {
		to = "parley"
		if fi, err := os.Stat(c.Output); c.Output != "" && (strings.HasSuffix(c.Output, "/") || err == nil && fi.IsDir()) {
			to = "negmas"
		}
	}
	single := len(c.Paths) == 1
	s, err := open.Paths(c.Paths)
	if err != nil {
		return err
	}
	if to == "parley" && single && open.IsScenarioFile(c.Paths[0]) {
		// Writing a parley scenario back would keep its issues and
		// preferences but drop its rules, sources of numbers and
		// annotations.
		return fmt.Errorf("%s is already a parley scenario: convert writes parley scenarios from a Genius XML folder, a NegMAS folder or GeniusWeb JSON profiles (or, with --to negmas, NegMAS folders)", c.Paths[0])
	}
	if to == "negmas" {
		if c.Output == "" {
			return fmt.Errorf("--to negmas writes a folder: give it with -o")
		}
		if err := negmas.Write(filepath.Clean(c.Output), s, nil); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %s: a NegMAS scenario folder, %d parties, %d issues\n", filepath.Clean(c.Output), len(s.Parties), len(s.Issues))
		return nil
	}
	fromNegMAS := single && open.Format(c.Paths[0]) == "negmas"
	if fromNegMAS {
		if err := fitsParley(s); err != nil {
			return err
		}
	}
	b, err := s.MarshalYAML()
	if err != nil {
		return err
	}
	if fromNegMAS {
		if _, err := scenario.Parse(b, "converted.yaml"); err != nil {
			return fmt.Errorf("%s: NegMAS's numbers do not fit parley's scenario format (weights summing to 1, values and reservation values in [0, 1]); parley reads the NegMAS folder itself (analyze, run, tournament), or convert it with --to negmas:\n%w", c.Paths[0], err)
		}
	}
	if c.Output == "" {
		_, err = e.stdout.Write(b)
		return err
	}
	if err := writeFileAtomic(c.Output, func(f *os.File) error { _, err := f.Write(b); return err }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: %d parties, %d issues\n", c.Output, len(s.Parties), len(s.Issues))
	return nil
}

// fitsParley reports the value functions of an imported NegMAS scenario
// that parley's format cannot write: tables over numeric issues.
func fitsParley(s *scenario.Scenario) error {
	for _, p := range s.Parties {
		for i := range s.Issues {
			if s.Issues[i].Kind != scenario.Discrete {
				return fmt.Errorf("party %s: issue %s is numeric, and parley's format gives numeric issues linear, triangular or peaked value functions, not NegMAS's exact table; parley reads the NegMAS folder itself, or convert it with --to negmas", p.ID, s.Issues[i].ID)
			}
		}
	}
	return nil
}
