package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
)

// ValidateCmd checks scenario files.
type ValidateCmd struct {
	Paths      []string `arg:"" name:"path" help:"Scenario file (YAML/JSON), Genius XML folder or GeniusWeb profile."`
	Provenance bool     `help:"Also check that every number quotes a source or states an assumption (0 and 1 in value tables and the ends of scales excepted), and count them; a number that does neither fails the check. Lists the defaults that enter figures and the sources whose quotes cannot be checked."`
	Sources    []string `name:"sources" sep:"," env:"PARLEY_SOURCES" placeholder:"DIR" help:"Folders besides the scenario's own from which its source documents may be read to check quotes (also PARLEY_SOURCES, comma-separated)."`
}

// Run validates every path and reports all problems; it fails if any has one.
func (c *ValidateCmd) Run(e env) error {
	bad := 0
	e.stdout = printable.Writer(e.stdout) // names come from input files
	for _, p := range c.Paths {
		s, err := open.PathWith(p, scenario.Options{SourceRoots: c.Sources})
		if err != nil {
			bad++
			fmt.Fprintln(e.stderr, printable.Text(err.Error()))
			continue
		}
		for _, w := range s.Warnings {
			e.warn(w)
		}
		sp := s.Space()
		members := 0
		for _, pa := range s.Parties {
			members += len(pa.Members)
		}
		parties := plural(len(s.Parties), "party", "parties")
		if members > 0 {
			parties += " (" + plural(members, "member", "members") + ")"
		}
		fmt.Fprintf(e.stdout, "%s: ok: %q, %s, %d issues, %s outcomes\n", p, s.Name, parties, len(s.Issues), formatCount(sp.SizeFloat()))
		if c.Provenance && !c.provenance(e, p) {
			bad++
		}
	}
	if bad > 0 {
		return errors.New(plural(bad, "file has problems", "files have problems"))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// formatCount writes a count with thousands separators, or in scientific
// notation beyond what a float holds exactly.
func formatCount(f float64) string {
	if f >= 1e15 {
		return fmt.Sprintf("%.3g", f)
	}
	s := fmt.Sprintf("%.0f", f)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// provenance reports where the numbers of the scenario file at path come
// from, and whether every one cites a source or states an assumption; it
// lists the defaults that enter figures and the sources whose quotes are
// not checked.
func (c *ValidateCmd) provenance(e env, path string) bool {
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		fmt.Fprintf(e.stderr, "%s: --provenance applies to parley scenario files, which carry sources and assumptions\n", path)
		return false
	}
	data, err := safeio.ReadFile(path)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return false
	}
	pr, err := scenario.Options{SourceRoots: c.Sources}.Provenance(data, path)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return false
	}
	fmt.Fprintf(e.stdout, "%s: %s quoted, %d quoted for direction only (size assumed), %d assumed, %d definitional (0 and 1 in value tables, scale ends), %d unchecked, %d unexplained\n",
		path, plural(pr.Quoted, "number", "numbers"), pr.DirectionOnly, pr.Assumed, pr.Definitional, pr.Unchecked, len(pr.Plain))
	if len(pr.Defaults) > 0 {
		fmt.Fprintf(e.stdout, "%s: %s figures:\n", path, plural(len(pr.Defaults), "default enters", "defaults enter"))
		for _, d := range pr.Defaults {
			fmt.Fprintf(e.stdout, "  %s\n", d)
		}
	}
	for _, u := range pr.UncheckedSources {
		fmt.Fprintf(e.stdout, "%s: %s unchecked: source %q: %s\n", path, plural(u.Quotes, "quote", "quotes"), u.ID, u.Why)
	}
	if len(pr.Plain) > 0 {
		fmt.Fprintln(e.stderr, pr.Plain)
		return false
	}
	return true
}
