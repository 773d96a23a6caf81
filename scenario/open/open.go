// Package open loads a scenario from whatever a user points parley at: a
// parley YAML or JSON file, a Genius XML folder, a NegMAS scenario folder
// (the format of the Automated Negotiation League), GeniusWeb JSON
// profiles, or an LLM-Deliberation game folder.
package open

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/deliberation"
	"github.com/parleyhq/parley/scenario/genius"
	"github.com/parleyhq/parley/scenario/geniusweb"
	"github.com/parleyhq/parley/scenario/negmas"
)

// Path loads the scenario at path: a folder of Genius XML files (one domain,
// N profiles), a NegMAS scenario folder, a folder of GeniusWeb JSON
// profiles, an LLM-Deliberation game folder (config.txt and
// scores_files/), or one parley scenario file. A
// parley scenario's source documents are read from its own folder only.
func Path(path string) (*scenario.Scenario, error) { return PathWith(path, scenario.Options{}) }

// PathWith is Path with options for a parley scenario file (such as the
// folders its source documents may be read from).
func PathWith(path string, opts scenario.Options) (*scenario.Scenario, error) {
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
	data, err := safeio.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open scenario: %w", err)
	}
	if isGeniusWeb(path, data) {
		return geniusweb.Load(path)
	}
	if negmas.IsFile(data) {
		return nil, fmt.Errorf("%s is one file of a NegMAS scenario; give the folder that holds the domain and its utility functions", path)
	}
	return opts.Parse(data, path)
}

// IsScenarioFile reports whether Path reads path as a parley scenario file
// (rather than Genius or GeniusWeb files).
func IsScenarioFile(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() || strings.EqualFold(filepath.Ext(path), ".xml") {
		return false
	}
	data, err := safeio.ReadFile(path)
	return err == nil && !isGeniusWeb(path, data) && !negmas.IsFile(data)
}

// Paths loads one scenario from several GeniusWeb profile files, or one path.
func Paths(paths []string) (*scenario.Scenario, error) {
	if len(paths) == 1 {
		return Path(paths[0])
	}
	for _, p := range paths {
		data, err := safeio.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if !isGeniusWeb(p, data) {
			return nil, fmt.Errorf("%s: several files make one scenario only as GeniusWeb JSON profiles", p)
		}
	}
	return geniusweb.Load(paths...)
}

// Format names the reader Path uses for path: "parley", "genius",
// "negmas", "geniusweb", "deliberation", or "" when it uses none (path cannot be read, or
// a folder holds no scenario).
func Format(path string) string {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return ""
	case !fi.IsDir():
		if strings.EqualFold(filepath.Ext(path), ".xml") {
			return ""
		}
		data, err := safeio.ReadFile(path)
		switch {
		case err != nil, negmas.IsFile(data):
			return ""
		case isGeniusWeb(path, data):
			return "geniusweb"
		}
		return "parley"
	}
	if deliberation.IsGameDir(path) {
		return "deliberation"
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return ""
	}
	var xml, json, yml bool
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".xml":
			xml = true
		case ".json":
			json = true
		case ".yaml", ".yml":
			yml = true
		}
	}
	switch {
	case xml:
		return "genius"
	case (json || yml) && negmas.HasDomain(path):
		return "negmas"
	case json:
		return "geniusweb"
	}
	return ""
}

// dir loads a folder: an LLM-Deliberation game if it holds config.txt and
// a scores_files folder (its logs, history*.json, may lie beside them),
// else Genius if it holds any .xml file, NegMAS if one of
// its .yml, .yaml or .json files is a NegMAS domain, GeniusWeb if it holds
// other .json files. Which files are the domain and the profiles is
// decided by their content (see genius.ScanDir, negmas.ScanDir and
// geniusweb.LoadDir), never by their names. Every file with the extension of a scenario file must be a
// regular file, also those the importer does not read: nothing that reads
// the folder later (such as a tournament's fingerprint of its scenarios)
// may meet a device or a named pipe there.
func dir(path string) (*scenario.Scenario, error) {
	if deliberation.IsGameDir(path) {
		return deliberation.Load(path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var xml, json, yml, logs int
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		switch ext {
		case ".xml", ".json", ".yaml", ".yml":
		default:
			continue
		}
		full := filepath.Join(path, e.Name())
		if fi, err := os.Stat(full); err == nil && fi.IsDir() {
			continue
		}
		if err := safeio.CheckRegular(full); err != nil {
			return nil, fmt.Errorf("cannot open scenario: %w", err)
		}
		switch ext {
		case ".xml":
			xml++
		case ".json":
			json++
			if strings.HasPrefix(e.Name(), "history") {
				logs++
			}
		case ".yaml", ".yml":
			yml++
		}
	}
	switch {
	case xml > 0:
		return genius.LoadDir(path)
	case (yml > 0 || json > 0) && negmas.HasDomain(path):
		return negmas.LoadDir(path)
	case json > 0 && logs == json:
		return nil, fmt.Errorf("%s holds LLM-Deliberation logs (history*.json) but not their game (config.txt and scores_files/); give the game's folder (parley score-log --game GAME scores such logs)", path)
	case json > 0:
		return geniusweb.LoadDir(path)
	}
	return nil, fmt.Errorf("%s holds no Genius XML (*.xml), NegMAS scenario (a domain in *.yml, *.yaml or *.json) or GeniusWeb profile (*.json) files, nor an LLM-Deliberation game (config.txt and scores_files/)", path)
}

// isGeniusWeb reports whether a .json file holds a GeniusWeb profile
// rather than a parley scenario: JSON shaped like a profile, or, when the
// JSON is broken, text that names a GeniusWeb utility space and no parley
// format version (so that the GeniusWeb reader reports what is wrong).
func isGeniusWeb(path string, data []byte) bool {
	if !strings.EqualFold(filepath.Ext(path), ".json") {
		return false
	}
	return geniusweb.IsProfile(data) ||
		!bytes.Contains(data, []byte(`"parley"`)) && bytes.Contains(data, []byte(`"LinearAdditive`))
}
