// Package open loads a scenario from whatever a user points parley at: a
// parley YAML or JSON file, a Genius XML folder, or GeniusWeb JSON profiles.
package open

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/genius"
	"github.com/parleyhq/parley/scenario/geniusweb"
)

// Path loads the scenario at path: a folder of Genius XML files (one domain,
// N profiles) or of GeniusWeb JSON profiles, or one parley scenario file.
func Path(path string) (*scenario.Scenario, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open scenario: %w", err)
	}
	if fi.IsDir() {
		return dir(path)
	}
	if strings.EqualFold(filepath.Ext(path), ".xml") {
		return nil, fmt.Errorf("%s is one Genius XML file; give the folder that holds the domain and its profiles", path)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") && isGeniusWeb(path) {
		return geniusweb.Load(path)
	}
	return scenario.LoadFile(path)
}

// IsScenarioFile reports whether Path reads path as a parley scenario file
// (rather than Genius or GeniusWeb files).
func IsScenarioFile(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() || strings.EqualFold(filepath.Ext(path), ".xml") {
		return false
	}
	return !(strings.EqualFold(filepath.Ext(path), ".json") && isGeniusWeb(path))
}

// Paths loads one scenario from several GeniusWeb profile files, or one path.
func Paths(paths []string) (*scenario.Scenario, error) {
	if len(paths) == 1 {
		return Path(paths[0])
	}
	for _, p := range paths {
		if !isGeniusWeb(p) {
			return nil, fmt.Errorf("%s: several files make one scenario only as GeniusWeb JSON profiles", p)
		}
	}
	return geniusweb.Load(paths...)
}

func dir(path string) (*scenario.Scenario, error) {
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var xml, json int
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".xml":
			xml++
		case ".json":
			if e.Name() != "expected.json" {
				json++
			}
		}
	}
	switch {
	case xml > 0:
		return genius.LoadDir(path)
	case json > 0:
		return geniusweb.LoadDir(path)
	}
	return nil, fmt.Errorf("%s holds no Genius XML (*.xml) or GeniusWeb profile (*.json) files", path)
}

// isGeniusWeb reports whether a JSON file looks like a GeniusWeb profile
// rather than a parley scenario (which has a top-level "parley" key).
func isGeniusWeb(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := f.Read(head)
	head = head[:n]
	return !bytes.Contains(head, []byte(`"parley"`)) &&
		(bytes.Contains(head, []byte("LinearAdditive")) || bytes.Contains(head, []byte("issueUtilities")))
}
