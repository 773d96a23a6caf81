package mcp

import (
	"fmt"

	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
)

// Source is a scenario as every tool takes it: text, or a path inside the
// server's root folder.
type Source struct {
	Scenario string `json:"scenario,omitempty" jsonschema:"The scenario as text in parley's YAML or JSON format (at most 1 MiB). Give this or path, not both."`
	Path     string `json:"path,omitempty" jsonschema:"A scenario inside the server's root folder, relative to it: a parley YAML or JSON file, a Genius XML folder (a domain and its profiles) or a GeniusWeb profile or folder. Give this or scenario, not both."`
}

// textName is the name a scenario given as text has in messages.
const textName = "<scenario>"

// loaded is a scenario with what it was read from.
type loaded struct {
	s    *scenario.Scenario
	name string // the name messages use: the path, or textName
	text []byte // the scenario text, when given as text
}

// load reads and validates the scenario of src. A scenario given as text
// reads its source documents from the root folder.
func (s *Server) load(src Source) (*loaded, error) {
	switch {
	case src.Scenario != "" && src.Path != "":
		return nil, fmt.Errorf(`give the scenario either as text in "scenario" or as "path", not both`)
	case src.Path != "":
		sc, err := s.root.Load(src.Path, scenario.Options{})
		if err != nil {
			return nil, err
		}
		return &loaded{s: sc, name: src.Path}, nil
	case src.Scenario != "":
		if len(src.Scenario) > MaxScenarioBytes {
			return nil, fmt.Errorf("the scenario text has %s; at most %s may be given as text (put a larger scenario in a file under the root and give its path)",
				safeio.Size(int64(len(src.Scenario))), safeio.Size(MaxScenarioBytes))
		}
		data := []byte(src.Scenario)
		sc, err := scenario.Options{Dir: s.root.Dir()}.Parse(data, textName)
		if err != nil {
			return nil, err
		}
		return &loaded{s: sc, name: textName, text: data}, nil
	}
	return nil, errNoSource
}

// file decodes the scenario file behind l, for the sensitivity analysis,
// which samples its assumed ranges; nil for Genius and GeniusWeb input,
// which carry none.
func (s *Server) file(l *loaded) *scenario.File {
	data := l.text
	if data == nil {
		var err error
		if data, err = s.root.ReadFile(l.name); err != nil {
			return nil // a folder
		}
	}
	f, err := scenario.DecodeFile(data, l.name)
	if err != nil {
		return nil // a GeniusWeb profile
	}
	return f
}
