package genius

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/scenario"
)

// Dir is what ScanDir finds in a folder.
type Dir struct {
	Domain   string   // the domain file (root <negotiation_template>)
	Profiles []string // profile files (root <utility_space>), sorted by name
	Ignored  []string // other files: not .xml, not XML at all, or another root element
}

// ScanDir classifies the files of dir by their root element: one domain file
// (root <negotiation_template>) and any number of profiles (root
// <utility_space>). Files not ending in .xml, files that are not XML (such
// as the pareto.xml of ANAC2014's 10issues, a list of numbers) and XML files
// with another root are ignored and listed in Dir.Ignored. Names are base
// names, in lexicographic order.
func ScanDir(dir string) (*Dir, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	res := &Dir{}
	var domains []string
	for _, e := range entries { // os.ReadDir sorts by file name
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if !strings.EqualFold(filepath.Ext(name), ".xml") {
			res.Ignored = append(res.Ignored, name)
			continue
		}
		root, err := sniff(filepath.Join(dir, name))
		switch {
		case err != nil:
			res.Ignored = append(res.Ignored, name)
		case root == "negotiation_template":
			domains = append(domains, name)
		case root == "utility_space":
			res.Profiles = append(res.Profiles, name)
		default:
			res.Ignored = append(res.Ignored, name)
		}
	}
	switch len(domains) {
	case 0:
		return nil, fmt.Errorf("%s: no Genius domain file (an .xml file with root <negotiation_template>)", dir)
	case 1:
		res.Domain = domains[0]
	default:
		return nil, fmt.Errorf("%s: %d domain files (%s); a folder holds one domain", dir, len(domains), strings.Join(domains, ", "))
	}
	if len(res.Profiles) == 0 {
		return nil, fmt.Errorf("%s: no Genius profile (an .xml file with root <utility_space>) next to domain %s", dir, res.Domain)
	}
	return res, nil
}

// sniff returns the root element name of an XML file, reading its start only.
func sniff(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	return rootName(buf[:n])
}

// LoadDir loads the Genius scenario in dir: its one domain file and every
// profile, one party per profile in lexicographic order of the profile file
// names (see ScanDir for which files are used). The scenario is named after
// the folder.
func LoadDir(dir string) (*scenario.Scenario, error) {
	sd, err := ScanDir(dir)
	if err != nil {
		return nil, err
	}
	profiles := make([]string, len(sd.Profiles))
	for i, p := range sd.Profiles {
		profiles[i] = filepath.Join(dir, p)
	}
	s, err := Load(filepath.Join(dir, sd.Domain), profiles...)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(dir); err == nil {
		s.Name = filepath.Base(abs)
	}
	return s, nil
}

// Load loads a Genius domain file and its profiles, one party per profile in
// the order given. A party's ID and Name are the profile's file name without
// directory and extension; its Role is "party". The scenario is named after
// the domain file. Every problem in every file is reported, as a
// scenario.ErrorList.
func Load(domainFile string, profileFiles ...string) (*scenario.Scenario, error) {
	d, err := parseFile(domainFile, func(r io.Reader, name string) (*Domain, error) { return ParseDomain(r, name) })
	if err != nil {
		return nil, err
	}
	if len(profileFiles) == 0 {
		return nil, fmt.Errorf("%s: no profiles given", domainFile)
	}
	s := &scenario.Scenario{
		Name:   strings.TrimSuffix(filepath.Base(domainFile), filepath.Ext(domainFile)),
		Issues: d.Issues,
	}
	s.Description = "Imported from Genius XML: domain " + filepath.Base(domainFile)
	var errs scenario.ErrorList
	seen := map[string]string{}
	for _, pf := range profileFiles {
		id := strings.TrimSuffix(filepath.Base(pf), filepath.Ext(pf))
		if prev, dup := seen[id]; dup {
			errs.Add(scenario.Pos{File: pf}, "party id %q is also the name of profile %s; profile file names must differ", id, prev)
			continue
		}
		seen[id] = pf
		prefs, err := parseFile(pf, func(r io.Reader, name string) (*scenario.Preferences, error) { return ParseProfile(r, name, d) })
		if err != nil {
			errs.Merge(pf, err)
			continue
		}
		s.Parties = append(s.Parties, scenario.Party{ID: id, Name: id, Role: scenario.RoleParty, Prefs: *prefs})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := s.CheckParties(); err != nil {
		errs.Add(scenario.Pos{File: domainFile}, "%v: one profile makes one party", err)
		return nil, errs
	}
	return s, nil
}

func parseFile[T any](path string, parse func(io.Reader, string) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(f, path)
}
