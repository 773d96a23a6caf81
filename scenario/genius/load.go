package genius

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/internal/xmltree"
	"github.com/parleyhq/parley/scenario"
)

// Dir is what ScanDir finds in a folder.
type Dir struct {
	Domain   string   // the domain file (root <negotiation_template>)
	Profiles []string // profile files (root <utility_space>), sorted by name
	Ignored  []string // other files: not .xml, text that is not XML, or another root element
}

// ScanDir classifies the files of dir by their content: one domain file
// (an .xml file with root <negotiation_template>) and any number of profiles
// (root <utility_space>). Files not ending in .xml, .xml files holding text
// that is not XML (such as the pareto.xml of ANAC2014's 10issues, a list of
// numbers) and XML files with another root are ignored and listed in
// Dir.Ignored. Every other .xml file is an error rather than skipped: one
// that cannot be read (not a regular file, a link out of the folder, too
// large), that is empty or binary, or whose XML is malformed before its root
// element. Names are base names, in lexicographic order.
func ScanDir(dir string) (*Dir, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	res := &Dir{}
	var domains []string
	var errs diag.List
	for _, e := range entries { // os.ReadDir sorts by file name
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if !strings.EqualFold(filepath.Ext(name), ".xml") {
			res.Ignored = append(res.Ignored, name)
			continue
		}
		path := filepath.Join(dir, name)
		data, err := safeio.ReadFileIn(root, name)
		if err != nil {
			errs.Add(diag.Pos{File: path}, "cannot read this Genius file: %v", unwrapPath(err))
			continue
		}
		rootName, err := classify(data, path)
		switch {
		case err != nil:
			errs.Merge(path, err)
		case rootName == "":
			res.Ignored = append(res.Ignored, name) // text, not XML
		case rootName == "negotiation_template":
			domains = append(domains, name)
		case rootName == "utility_space":
			res.Profiles = append(res.Profiles, name)
		default:
			res.Ignored = append(res.Ignored, name)
		}
	}
	if len(errs) > 0 {
		return nil, errs
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

// classify returns the root element of an .xml file of a Genius folder,
// "" for text that is not XML at all, or an error for a file that cannot
// be a Genius file but might have been meant as one: empty, binary, or XML
// malformed before its root element.
func classify(data []byte, path string) (string, error) {
	text := bytes.TrimSpace(safeio.TrimBOM(data))
	switch {
	case len(text) == 0:
		return "", &diag.Error{Pos: diag.Pos{File: path}, Msg: "the file is empty; a Genius domain or profile is an XML file"}
	case binary(text):
		return "", &diag.Error{Pos: diag.Pos{File: path}, Msg: "the file is binary, not XML; a Genius domain or profile is an XML file"}
	case text[0] != '<':
		return "", nil
	}
	name, err := xmltree.RootName(data)
	if err != nil {
		// Parse again in full for the error's position.
		if _, perr := xmltree.Parse(data, path); perr != nil {
			return "", perr
		}
		return "", &diag.Error{Pos: diag.Pos{File: path}, Msg: "XML syntax error: " + err.Error()}
	}
	return name, nil
}

// binary reports whether data holds control bytes that no text file has.
func binary(data []byte) bool {
	for _, c := range data[:min(len(data), 64<<10)] {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return true
		}
	}
	return false
}

// unwrapPath drops the operation and path that os errors repeat.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == "path escapes from parent" {
			return errors.New("it links outside its folder, and parley reads a scenario folder's files only from inside it")
		}
		return pe.Err
	}
	return err
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
// diag.List.
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
	var errs diag.List
	seen := map[string]string{}
	for _, pf := range profileFiles {
		id := strings.TrimSuffix(filepath.Base(pf), filepath.Ext(pf))
		if msg := scenario.IDProblem(id); msg != "" {
			errs.Add(diag.Pos{File: pf}, "party id %q, the profile's file name, %s", id, msg)
			continue
		}
		if prev, dup := seen[id]; dup {
			errs.Add(diag.Pos{File: pf}, "party id %q is also the name of profile %s; profile file names must differ", id, prev)
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
		errs.Add(diag.Pos{File: domainFile}, "%v: one profile makes one party", err)
		return nil, errs
	}
	return s, nil
}

func parseFile[T any](path string, parse func(io.Reader, string) (T, error)) (T, error) {
	f, err := safeio.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(f, path)
}
