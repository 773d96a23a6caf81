package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/scenario/open"
)

// ConvertCmd writes a parley scenario from Genius or GeniusWeb files.
type ConvertCmd struct {
	Paths  []string `arg:"" name:"source" help:"A Genius XML folder, a GeniusWeb folder, or GeniusWeb profile files (one per party)."`
	Output string   `short:"o" aliases:"out" help:"Write the scenario here instead of standard output." type:"path"`
}

// Run converts and writes the scenario; nothing is written on error.
func (c *ConvertCmd) Run(e env) error {
	s, err := open.Paths(c.Paths)
	if err != nil {
		return err
	}
	// Writing a parley scenario back would keep its issues and preferences
	// but drop its rules, sources of numbers and annotations.
	if len(c.Paths) == 1 && open.IsScenarioFile(c.Paths[0]) {
		return fmt.Errorf("%s is already a parley scenario: convert writes parley scenarios from a Genius XML folder or GeniusWeb JSON profiles", c.Paths[0])
	}
	b, err := s.MarshalYAML()
	if err != nil {
		return err
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
