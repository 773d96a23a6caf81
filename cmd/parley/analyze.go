package main

import (
	"encoding/json"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario/open"
)

// AnalyzeCmd analyses a scenario's outcome space.
type AnalyzeCmd struct {
	Path string `arg:"" name:"path" help:"Scenario file (YAML/JSON), Genius XML folder or GeniusWeb profile."`
	JSON bool   `help:"Write the analysis as JSON (the interface documented in the README)."`
}

// Run loads the scenario and prints the analysis report.
func (c *AnalyzeCmd) Run(e env) error {
	s, err := open.Path(c.Path)
	if err != nil {
		return err
	}
	for _, w := range s.Warnings {
		e.warn(w)
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.WriteText(e.stdout)
}
