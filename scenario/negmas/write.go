package negmas

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// MaxTableValues is the most values of a numeric issue written as a
// TableFun (every value spelled out); longer linear ones are AffineFun.
const MaxTableValues = 10_000

// Files returns the files of s as a NegMAS scenario folder, by file name:
// the domain (domain.yml), one utility function per party, named after
// the party (its id, which reading the folder back gives again), in files
// <id>.yml when the ids sort in party order and are safe file names, else
// 001_party.yml, 002_party.yml … (NegMAS orders parties by file name), and
// _info.yaml (the scenario's name and description, public_utilities when
// utility functions are public, and the entries of info: numbers and
// booleans as they are, other text quoted).
// Utilities are written exactly: a discrete issue's values as a TableFun,
// an integer issue's as a TableFun (or, past MaxTableValues values, an
// AffineFun when its linear function never reaches Genius's clamp), a real
// issue as a CategoricalIssue of parley's grid of numbers. A discount
// becomes an ExpDiscountedUFun over relative_time (Genius's and parley's
// d^t). What NegMAS's format cannot hold is an error: rules (red lines,
// ratification, guarantees, an agenda, meetings, events, delay costs),
// mediators, and utilities that reach Genius's cap min(Σ, 1), which NegMAS
// does not apply.
func Files(s *scenario.Scenario, info map[string]string) (map[string][]byte, error) {
	if err := expressible(s); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	ids := make([]string, len(s.Parties))
	for i, p := range s.Parties {
		ids[i] = p.ID
	}
	// NegMAS orders parties by file name: files are named after the
	// parties when that keeps their order, else numbered.
	sorted := slices.IsSorted(ids)
	used := map[string]bool{InfoName: true, StatsName: true}
	for i := range s.Parties {
		p := &s.Parties[i]
		stem := p.ID
		if !sorted || !fileSafe(stem) {
			stem = fmt.Sprintf("%03d_party", i+1)
		}
		if used[strings.ToLower(stem)] {
			stem = fmt.Sprintf("%03d_party", i+1)
		}
		used[strings.ToLower(stem)] = true
		var b strings.Builder
		if err := writeUfun(&b, s, p); err != nil {
			return nil, err
		}
		files[stem+".yml"] = []byte(b.String())
	}
	dom := "domain"
	for used[dom] {
		dom = "_" + dom
	}
	var b strings.Builder
	writeDomain(&b, s)
	files[dom+".yml"] = []byte(b.String())
	var ib strings.Builder
	ib.WriteString("name: " + quote(s.Name) + "\n")
	if s.Description != "" {
		ib.WriteString("description: " + quote(s.Description) + "\n")
	}
	if s.PublicUtilities {
		ib.WriteString(PublicKey + ": true\n")
	}
	keys := make([]string, 0, len(info))
	for k := range info {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := info[k]
		if _, ok := parseNumber(v); !ok && v != "true" && v != "false" {
			v = quote(v)
		}
		if !plainKey(k) {
			k = quote(k)
		}
		ib.WriteString(k + ": " + v + "\n")
	}
	files[InfoName+".yaml"] = []byte(ib.String())
	return files, nil
}

// Write writes s as a NegMAS scenario folder dir (see Files), with info's
// entries added to _info.yaml. The folder must not exist or be empty; the
// files are written into a new folder beside it that is then renamed, so
// that nothing is half-written.
func Write(dir string, s *scenario.Scenario, info map[string]string) error {
	files, err := Files(s, info)
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s exists and is not empty; give a new folder for the NegMAS scenario", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(filepath.Clean(dir))+".*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(tmp, n), files[n], 0o644); err != nil {
			return err
		}
	}
	os.Remove(dir) // an empty folder is replaced
	return os.Rename(tmp, dir)
}

// plainKey reports whether k can be written as a YAML key unquoted.
func plainKey(k string) bool {
	for i, r := range k {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return k != "" && k != "null" && k != "true" && k != "false" && k != "yes" && k != "no" && k != "on" && k != "off"
}

// fileSafe reports whether id can be a file name on every system.
func fileSafe(id string) bool {
	if id == "" || strings.HasPrefix(id, ".") || strings.HasPrefix(id, "_") || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// expressible reports what of s NegMAS's format cannot hold.
func expressible(s *scenario.Scenario) error {
	var lost []string
	if len(s.Agenda) > 0 {
		lost = append(lost, "an agenda")
	}
	if len(s.Meetings) > 0 {
		lost = append(lost, "meetings")
	}
	if len(s.Events) > 0 {
		lost = append(lost, "scheduled events")
	}
	if len(s.Guarantees) > 0 {
		lost = append(lost, "guarantees")
	}
	if len(s.Constraints) > 0 {
		lost = append(lost, "constraints")
	}
	for i := range s.Parties {
		p := &s.Parties[i]
		switch {
		case !s.Negotiates(i):
			lost = append(lost, fmt.Sprintf("a mediator (%s)", p.ID))
		case len(p.Prefs.Given) > 0:
			lost = append(lost, fmt.Sprintf("values that depend on other clauses (%s)", p.ID))
		case len(p.Prefs.Terms) > 0:
			lost = append(lost, fmt.Sprintf("non-additive utility terms, such as a non-linear Genius profile's hyper-rectangles (%s)", p.ID))
		case len(p.RedLines) > 0:
			lost = append(lost, fmt.Sprintf("red lines (%s)", p.ID))
		case p.Ratification != nil:
			lost = append(lost, fmt.Sprintf("ratification (%s)", p.ID))
		case p.DelayCost != 0 || p.Drift != 0:
			lost = append(lost, fmt.Sprintf("time costs (%s)", p.ID))
		}
	}
	if len(lost) > 0 {
		return fmt.Errorf("a NegMAS scenario holds issues and linear additive utility functions only; this one also has %s", strings.Join(lost, ", "))
	}
	for i := range s.Parties {
		u := s.Utility(i)
		hi := 0.0
		for _, t := range u.Table {
			hi += slices.Max(t)
		}
		if hi > 1+1e-12 {
			return fmt.Errorf("party %s: utilities reach %.6g before Genius's cap at 1, which parley applies and NegMAS does not: the NegMAS files would not give the same utilities", s.Parties[i].ID, hi)
		}
		if math.IsNaN(u.Reservation) || math.IsInf(u.Reservation, 0) {
			return fmt.Errorf("party %s: reservation value %v", s.Parties[i].ID, u.Reservation)
		}
	}
	return nil
}

func writeDomain(b *strings.Builder, s *scenario.Scenario) {
	b.WriteString("issues:\n")
	for i := range s.Issues {
		is := &s.Issues[i]
		b.WriteString("- name: " + quote(is.ID) + "\n")
		switch is.Kind {
		case scenario.Integer:
			b.WriteString("  type: ContiguousIssue\n  values:\n")
			b.WriteString("  - " + strconv.FormatInt(int64(is.Min), 10) + "\n")
			b.WriteString("  - " + strconv.FormatInt(int64(is.Max), 10) + "\n")
		case scenario.Real:
			b.WriteString("  type: CategoricalIssue\n  values:\n")
			for v := range is.Size() {
				b.WriteString("  - " + number(is.Number(v)) + "\n")
			}
		default:
			b.WriteString("  type: CategoricalIssue\n  values:\n")
			for _, o := range is.Options {
				b.WriteString("  - " + quote(o.ID) + "\n")
			}
		}
	}
	b.WriteString("name: " + quote(s.Name) + "\n")
	b.WriteString("type: DiscreteCartesianOutcomeSpace\n")
}

func writeUfun(b *strings.Builder, s *scenario.Scenario, p *scenario.Party) error {
	pr := &p.Prefs
	rv := number(pr.Reservation)
	indent := ""
	if pr.Discount > 0 && pr.Discount < 1 {
		b.WriteString("discount: " + number(pr.Discount) + "\n")
		b.WriteString("dynamic_reservation: true\nfactor: relative_time\n")
		b.WriteString("name: " + quote(p.ID) + "\n")
		b.WriteString("reserved_value: " + rv + "\n")
		b.WriteString("type: ExpDiscountedUFun\nufun:\n")
		indent = "  "
	}
	b.WriteString(indent + "name: " + quote(p.ID) + "\n")
	b.WriteString(indent + "reserved_value: " + rv + "\n")
	b.WriteString(indent + "type: LinearAdditiveUtilityFunction\n")
	b.WriteString(indent + "values:\n")
	for i := range s.Issues {
		is := &s.Issues[i]
		f := &pr.Values[i]
		e := make([]float64, is.Size())
		for v := range e {
			e[v] = f.Eval(v, is.Number(v), is.Min, is.Max)
		}
		switch {
		case is.Kind == scenario.Integer && len(e) > MaxTableValues:
			if f.Shape != utility.Linear {
				return fmt.Errorf("party %s, issue %s: %d values with a %s value function; NegMAS's TableFun would spell out every one (parley writes at most %d)", p.ID, is.ID, len(e), f.Shape, MaxTableValues)
			}
			for _, x := range []float64{is.Min, is.Max} {
				if y := f.Offset + f.Slope*(x-f.Origin); y < 0 || y > 1 {
					return fmt.Errorf("party %s, issue %s: the linear value function leaves [0, 1] within the range, where parley clamps it and NegMAS would not", p.ID, is.ID)
				}
			}
			b.WriteString(indent + "- bias: " + number(f.Offset-f.Slope*f.Origin) + "\n")
			b.WriteString(indent + "  slope: " + number(f.Slope) + "\n")
			b.WriteString(indent + "  type: AffineFun\n")
		default:
			b.WriteString(indent + "- mapping:\n")
			for v, x := range e {
				key := quote(is.Value(v))
				switch is.Kind {
				case scenario.Integer:
					key = strconv.FormatInt(int64(is.Number(v)), 10)
				case scenario.Real:
					key = number(is.Number(v))
				}
				b.WriteString(indent + "    " + key + ": " + number(x) + "\n")
			}
			b.WriteString(indent + "  type: TableFun\n")
		}
	}
	b.WriteString(indent + "weights:\n")
	for _, w := range pr.Weights {
		b.WriteString(indent + "- " + number(w) + "\n")
	}
	return nil
}

// quote writes a string as a YAML double-quoted scalar (JSON's escapes are
// YAML's), so that text such as yes, 2016 or null stays a string for
// Python's YAML 1.1 reader.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// number writes x so that Python's YAML reader gives back the same float:
// the shortest round-trip digits, with a decimal point before an exponent
// (YAML 1.1 reads 1e-05 as a string), -.inf for −∞.
func number(x float64) string {
	switch {
	case math.IsInf(x, -1):
		return "-.inf"
	case math.IsInf(x, 1):
		return ".inf"
	case math.IsNaN(x):
		return ".nan"
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if i := strings.IndexByte(s, 'e'); i >= 0 && !strings.Contains(s[:i], ".") {
		s = s[:i] + ".0" + s[i:]
	}
	return s
}
