// Package geniusweb imports GeniusWeb linear additive profiles
// (LinearAdditiveUtilitySpace JSON), each of which embeds its domain:
//
//	{"LinearAdditiveUtilitySpace": {
//	  "name": "party1",
//	  "domain": {"name": "laptop", "issuesValues": {
//	      "brand": {"values": ["Dell", "HP"]},
//	      "price": {"range": {"low": 500, "high": 900, "step": 100}}}},
//	  "issueWeights": {"brand": 0.6, "price": 0.4},
//	  "issueUtilities": {
//	      "brand": {"DiscreteValueSetUtilities": {"valueUtilities": {"Dell": 1, "HP": 0.3}}},
//	      "price": {"NumberValueSetUtilities": {"lowValue": 500, "lowUtility": 1, "highValue": 900, "highUtility": 0}}},
//	  "reservationBid": {"issuevalues": {"brand": "HP", "price": 900}}}}
//
// Both spellings of the value-set utilities are read: the short type names
// "discreteutils" and "numberutils" of GeniusWeb's Java serialisation and the
// class names "DiscreteValueSetUtilities" and "NumberValueSetUtilities"
// (optionally package-qualified) of its Python port.
//
// Semantics follow GeniusWeb's LinearAdditiveUtilitySpace: u(bid) = Σ w_i·u_i;
// discrete utilities are used as written (they must lie in [0, 1], and every
// domain value needs one); a number issue's utility interpolates linearly
// between (lowValue, lowUtility) and (highValue, highUtility), which must be
// the bounds of the issue's range; weights lie in [0, 1] and sum to 1
// (GeniusWeb checks this exactly, parley within 1e-6). A number issue with
// an integer low and step 1 becomes an integer issue, any other range a real
// issue with one value per step. The reservation value is the utility of the
// reservationBid (0 without one); there is no discount factor (1). Issues
// keep the order of the domain's issuesValues object in the file.
package geniusweb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// MaxIssueValues is the most values accepted in one issue, as for every
// scenario.
const MaxIssueValues = scenario.MaxIssueValues

// Profile is one parsed GeniusWeb profile.
type Profile struct {
	File       string
	Name       string           // the profile's "name"
	DomainName string           // the domain's "name"
	Issues     []scenario.Issue // the embedded domain, in file order
	Prefs      scenario.Preferences
}

// ParseProfile reads a GeniusWeb LinearAdditiveUtilitySpace profile from r;
// name is used in error messages, which carry line and column. Every problem
// found is reported, as a diag.List.
func ParseProfile(r io.Reader, name string) (*Profile, error) {
	data, err := safeio.ReadAll(r)
	if err != nil {
		return nil, &diag.Error{Pos: diag.Pos{File: name}, Msg: err.Error()}
	}
	return parseProfile(data, name)
}

func parseProfile(data []byte, name string) (*Profile, error) {
	root, err := parseJSON(data, name)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	if root.kind != 'o' || len(root.keys) != 1 {
		errs.Add(root.pos, `a GeniusWeb profile is an object with one key naming its type, such as {"LinearAdditiveUtilitySpace": {...}}`)
		return nil, errs
	}
	if typ := root.keys[0]; typ != "LinearAdditiveUtilitySpace" && typ != "LinearAdditive" {
		errs.Add(root.vals[0].pos, "profile type %s is not supported; parley imports LinearAdditiveUtilitySpace profiles", diag.Excerpt(typ))
		return nil, errs
	}
	space := root.vals[0]
	if space.kind != 'o' {
		errs.Add(space.pos, "LinearAdditiveUtilitySpace is %s, want an object", space.kindName())
		return nil, errs
	}
	p := &Profile{File: name}
	if n := space.get("name"); n != nil {
		if n.kind != 's' {
			errs.Add(n.pos, "name is %s, want a string", n.kindName())
		}
		p.Name = n.str
	}
	dom := space.get("domain")
	if dom == nil {
		errs.Add(space.pos, "LinearAdditiveUtilitySpace has no domain")
		return nil, errs
	}
	p.DomainName, p.Issues = readDomain(dom, &errs)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	p.Prefs = readPrefs(space, p.Issues, &errs)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return p, nil
}

func readDomain(dom *node, errs *diag.List) (string, []scenario.Issue) {
	if dom.kind != 'o' {
		errs.Add(dom.pos, "domain is %s, want an object", dom.kindName())
		return "", nil
	}
	var name string
	if n := dom.get("name"); n != nil && n.kind == 's' {
		name = n.str
	}
	iv := dom.get("issuesValues")
	if iv == nil {
		iv = dom.get("issueValues")
	}
	if iv == nil || iv.kind != 'o' {
		errs.Add(dom.pos, `domain has no "issuesValues" object`)
		return name, nil
	}
	if len(iv.keys) == 0 {
		errs.Add(iv.pos, "the domain has no issues")
	}
	var issues []scenario.Issue
	for i, k := range iv.keys {
		v := iv.vals[i]
		is := scenario.Issue{ID: k, Name: k}
		if msg := scenario.IDProblem(k); msg != "" {
			errs.Add(v.pos, "issue %q %s", k, msg)
			continue
		}
		if v.kind != 'o' {
			errs.Add(v.pos, "issue %q is %s, want {\"values\": [...]} or {\"range\": {...}}", k, v.kindName())
			continue
		}
		switch vals, rg := v.get("values"), v.get("range"); {
		case vals != nil:
			if vals.kind != 'a' || len(vals.vals) == 0 {
				errs.Add(vals.pos, "values of issue %q must be a non-empty array of strings", k)
				continue
			}
			seen := map[string]bool{}
			for _, e := range vals.vals {
				if e.kind != 's' {
					errs.Add(e.pos, "value of issue %q is %s, want a string", k, e.kindName())
					continue
				}
				if msg := scenario.IDProblem(e.str); msg != "" {
					errs.Add(e.pos, "value %q of issue %q %s", e.str, k, msg)
					continue
				}
				if seen[e.str] {
					errs.Add(e.pos, "issue %q lists value %q twice", k, e.str)
					continue
				}
				seen[e.str] = true
				is.Options = append(is.Options, scenario.Option{ID: e.str, Label: e.str})
			}
			if len(vals.vals) > MaxIssueValues {
				errs.Add(vals.pos, "issue %q has %d values; parley accepts at most %d", k, len(vals.vals), MaxIssueValues)
			}
		case rg != nil:
			if !readRange(k, rg, &is, errs) {
				continue
			}
		default:
			errs.Add(v.pos, "issue %q has neither \"values\" nor \"range\"", k)
			continue
		}
		issues = append(issues, is)
	}
	return name, issues
}

// readRange turns a NumberValueSet range {low, high, step} into an integer
// issue (integer low, step 1) or a real issue with one value per step.
func readRange(k string, rg *node, is *scenario.Issue, errs *diag.List) bool {
	if rg.kind != 'o' {
		errs.Add(rg.pos, "range of issue %q is %s, want {\"low\", \"high\", \"step\"}", k, rg.kindName())
		return false
	}
	var f [3]float64
	for i, key := range []string{"low", "high", "step"} {
		n := rg.get(key)
		x, ok := 0.0, false
		if n != nil {
			x, ok = n.number()
		}
		if !ok || math.IsInf(x, 0) {
			errs.Add(rg.pos, "range of issue %q needs a finite number %q", k, key)
			return false
		}
		f[i] = x
	}
	low, high, step := f[0], f[1], f[2]
	if high < low || step <= 0 {
		errs.Add(rg.pos, "range of issue %q needs low <= high and step > 0 (got %v, %v, %v)", k, low, high, step)
		return false
	}
	steps := math.Floor((high-low)/step+1e-9) + 1
	if steps > MaxIssueValues {
		errs.Add(rg.pos, "issue %q has %.0f values; parley accepts at most %d", k, steps, MaxIssueValues)
		return false
	}
	n := int(steps)
	if step == 1 && low == math.Trunc(low) && math.Abs(low) < 1<<52 {
		is.Kind, is.Min, is.Max = scenario.Integer, low, low+float64(n-1)
		return true
	}
	is.Kind, is.Min, is.Max, is.Steps = scenario.Real, low, low+float64(n-1)*step, n
	return true
}

func readPrefs(space *node, issues []scenario.Issue, errs *diag.List) scenario.Preferences {
	p := scenario.Preferences{
		Weights:  make([]float64, len(issues)),
		Values:   make([]utility.ValueFunc, len(issues)),
		Discount: 1,
	}
	index := map[string]int{}
	for i, is := range issues {
		index[is.ID] = i
	}
	ws, us := space.get("issueWeights"), space.get("issueUtilities")
	if ws == nil || ws.kind != 'o' {
		errs.Add(space.pos, `LinearAdditiveUtilitySpace needs an "issueWeights" object`)
		return p
	}
	if us == nil || us.kind != 'o' {
		errs.Add(space.pos, `LinearAdditiveUtilitySpace needs an "issueUtilities" object`)
		return p
	}
	hasW, hasU := make([]bool, len(issues)), make([]bool, len(issues))
	sum := 0.0
	for j, k := range ws.keys {
		w := ws.vals[j]
		i, ok := index[k]
		if !ok {
			errs.Add(w.pos, "issueWeights names issue %q, which is not in the domain", k)
			continue
		}
		x, ok := w.number()
		if !ok || x < 0 || x > 1 {
			errs.Add(w.pos, "weight of issue %q must be a number in [0, 1]", k)
			continue
		}
		p.Weights[i], hasW[i] = x, true
		sum += x
	}
	for j, k := range us.keys {
		u := us.vals[j]
		i, ok := index[k]
		if !ok {
			errs.Add(u.pos, "issueUtilities names issue %q, which is not in the domain", k)
			continue
		}
		if f, ok := readUtilities(k, u, &issues[i], errs); ok {
			p.Values[i], hasU[i] = f, true
		}
	}
	complete := true
	for i, is := range issues {
		if !hasW[i] && ws.get(is.ID) == nil {
			errs.Add(ws.pos, "issue %q has no weight in issueWeights", is.ID)
			complete = false
		}
		if !hasU[i] && us.get(is.ID) == nil {
			errs.Add(us.pos, "issue %q has no utilities in issueUtilities", is.ID)
			complete = false
		}
	}
	if complete && len(*errs) == 0 && math.Abs(sum-1) > 1e-6 {
		errs.Add(ws.pos, "issue weights sum to %.10g; GeniusWeb requires 1", sum)
	}
	if rb := space.get("reservationBid"); rb != nil && rb.kind != 'z' && len(*errs) == 0 {
		p.Reservation = reservation(rb, issues, &p, errs)
	}
	return p
}

func readUtilities(k string, u *node, is *scenario.Issue, errs *diag.List) (utility.ValueFunc, bool) {
	if u.kind != 'o' || len(u.keys) != 1 {
		errs.Add(u.pos, `utilities of issue %q must be {"discreteutils": {...}} or {"numberutils": {...}}`, k)
		return utility.ValueFunc{}, false
	}
	typ, body := u.keys[0], u.vals[0]
	short := typ[strings.LastIndexByte(typ, '.')+1:]
	if body.kind != 'o' {
		errs.Add(body.pos, "%s of issue %q is %s, want an object", typ, k, body.kindName())
		return utility.ValueFunc{}, false
	}
	switch short {
	case "discreteutils", "DiscreteValueSetUtilities":
		if is.Kind != scenario.Discrete {
			errs.Add(u.pos, "issue %q has a number range in the domain but discrete utilities in the profile", k)
			return utility.ValueFunc{}, false
		}
		vu := body.get("valueUtilities")
		if vu == nil || vu.kind != 'o' {
			errs.Add(body.pos, "%s of issue %q has no valueUtilities object", typ, k)
			return utility.ValueFunc{}, false
		}
		vals := make([]float64, len(is.Options))
		ok := true
		for v, o := range is.Options {
			n := vu.get(o.ID)
			if n == nil {
				errs.Add(vu.pos, "issue %q: value %q has no utility", k, o.ID)
				ok = false
				continue
			}
			x, good := n.number()
			if !good || x < 0 || x > 1 {
				errs.Add(n.pos, "issue %q: utility of value %q must be a number in [0, 1]", k, o.ID)
				ok = false
				continue
			}
			vals[v] = x
		}
		for j, key := range vu.keys {
			if is.Lookup(key) < 0 {
				errs.Add(vu.vals[j].pos, "issue %q: value %q is not in the domain", k, key)
				ok = false
			}
		}
		return utility.ValueFunc{Shape: utility.Table, Values: vals}, ok
	case "numberutils", "NumberValueSetUtilities":
		if is.Kind == scenario.Discrete {
			errs.Add(u.pos, "issue %q is discrete in the domain but has number utilities in the profile", k)
			return utility.ValueFunc{}, false
		}
		var f [4]float64
		for i, key := range []string{"lowValue", "lowUtility", "highValue", "highUtility"} {
			n := body.get(key)
			x, ok := 0.0, false
			if n != nil {
				x, ok = n.number()
			}
			if !ok || math.IsInf(x, 0) {
				errs.Add(body.pos, "%s of issue %q needs a finite number %q", typ, k, key)
				return utility.ValueFunc{}, false
			}
			f[i] = x
		}
		lv, lu, hv, hu := f[0], f[1], f[2], f[3]
		switch {
		case lu < 0 || lu > 1 || hu < 0 || hu > 1:
			errs.Add(body.pos, "issue %q: lowUtility and highUtility must lie in [0, 1]", k)
		case hv <= lv:
			errs.Add(body.pos, "issue %q: highValue must exceed lowValue", k)
		case lv != is.Min || (hv != is.Max && is.Kind == scenario.Integer):
			errs.Add(body.pos, "issue %q: utilities are given for [%v, %v] but the domain range is [%v, %v]", k, lv, hv, is.Min, is.Max)
		default:
			return utility.ValueFunc{Shape: utility.Linear, Offset: lu, Slope: (hu - lu) / (hv - lv), Origin: lv}, true
		}
		return utility.ValueFunc{}, false
	}
	errs.Add(u.pos, "utilities type %q of issue %q is not supported (want discreteutils or numberutils)", typ, k)
	return utility.ValueFunc{}, false
}

// reservation returns the utility of the reservation bid (a partial bid
// counts only the issues it names, as GeniusWeb's getUtility does).
func reservation(rb *node, issues []scenario.Issue, p *scenario.Preferences, errs *diag.List) float64 {
	iv := rb.get("issuevalues")
	if rb.kind != 'o' || iv == nil || iv.kind != 'o' {
		errs.Add(rb.pos, `reservationBid must be {"issuevalues": {issue: value, ...}}`)
		return 0
	}
	u := 0.0
	for j, k := range iv.keys {
		n := iv.vals[j]
		i := slices.IndexFunc(issues, func(is scenario.Issue) bool { return is.ID == k })
		if i < 0 {
			errs.Add(n.pos, "reservationBid names issue %q, which is not in the domain", k)
			continue
		}
		is := &issues[i]
		lit := n.str
		if (is.Kind == scenario.Discrete) != (n.kind == 's') || (n.kind != 's' && n.kind != 'n') {
			errs.Add(n.pos, "reservationBid value of issue %q is %s, which does not fit the issue", k, n.kindName())
			continue
		}
		v := is.Lookup(lit)
		if v < 0 {
			errs.Add(n.pos, "reservationBid value %s of issue %q is not in the domain", lit, k)
			continue
		}
		f := &p.Values[i]
		u += p.Weights[i] * f.Eval(v, is.Number(v), is.Min, is.Max)
	}
	return u
}

// Load loads GeniusWeb profiles as one scenario, one party per profile in
// the order given. All profiles must embed the same domain. A party's ID is
// the file name without directory and extension; its Name is the profile's
// name (or the ID). The scenario is named after the domain.
func Load(profileFiles ...string) (*scenario.Scenario, error) {
	if len(profileFiles) == 0 {
		return nil, errors.New("geniusweb: no profiles given")
	}
	var errs diag.List
	var profiles []*Profile
	for _, pf := range profileFiles {
		p, err := parseFile(pf)
		if err != nil {
			errs.Merge(pf, err)
			continue
		}
		profiles = append(profiles, p)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return combine(profiles)
}

// combine makes one scenario of parsed profiles, one party per profile.
func combine(profiles []*Profile) (*scenario.Scenario, error) {
	var errs diag.List
	var first *Profile
	s := &scenario.Scenario{}
	seen := map[string]string{}
	for _, p := range profiles {
		pf := p.File
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
		if first == nil {
			first = p
			s.Name, s.Issues = p.DomainName, p.Issues
			s.Description = "Imported from GeniusWeb JSON: domain " + p.DomainName
		} else if msg := sameDomain(first, p); msg != "" {
			errs.Add(diag.Pos{File: pf}, "its domain differs from that of %s: %s; all profiles must share one domain", first.File, msg)
			continue
		}
		name := p.Name
		if name == "" {
			name = id
		}
		s.Parties = append(s.Parties, scenario.Party{ID: id, Name: name, Role: scenario.RoleParty, Prefs: p.Prefs})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := s.CheckParties(); err != nil {
		errs.Add(diag.Pos{File: profiles[0].File}, "%v: one profile makes one party; give the profiles of every party", err)
		return nil, errs
	}
	return s, nil
}

func sameDomain(a, b *Profile) string {
	if a.DomainName != b.DomainName {
		return fmt.Sprintf("domain name %q, not %q", b.DomainName, a.DomainName)
	}
	if len(a.Issues) != len(b.Issues) {
		return fmt.Sprintf("%d issues, not %d", len(b.Issues), len(a.Issues))
	}
	for i := range a.Issues {
		x, y := &a.Issues[i], &b.Issues[i]
		if x.ID != y.ID {
			return fmt.Sprintf("issue %d is %q, not %q (issue order must match too)", i+1, y.ID, x.ID)
		}
		if x.Kind != y.Kind || x.Min != y.Min || x.Max != y.Max || x.Steps != y.Steps || !slices.Equal(x.Options, y.Options) {
			return fmt.Sprintf("issue %q has other values", x.ID)
		}
	}
	return ""
}

// LoadDir loads every GeniusWeb profile in dir, one party per profile in
// lexicographic order of the file names. Every file ending in .json must be
// JSON that parley can read from inside the folder; those whose top-level
// object names a utility space (see IsProfile) are profiles, and the rest,
// such as a separate domain file, are ignored. A .json file that is empty,
// binary or not JSON, a link out of the folder or not a regular file is an
// error, never skipped: it may be a profile gone wrong.
func LoadDir(dir string) (*scenario.Scenario, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	var profiles []*Profile
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := safeio.ReadFileIn(root, e.Name())
		if err != nil {
			errs.Add(diag.Pos{File: path}, "cannot read this GeniusWeb file: %v", unwrapPath(err))
			continue
		}
		if len(bytes.TrimSpace(safeio.TrimBOM(data))) == 0 {
			errs.Add(diag.Pos{File: path}, "the file is empty; a GeniusWeb profile is a JSON object")
			continue
		}
		n, err := parseJSON(data, path)
		if err != nil {
			errs.Merge(path, err)
			continue
		}
		if !isProfile(n) {
			continue
		}
		p, err := parseProfile(data, path)
		if err != nil {
			errs.Merge(path, err)
			continue
		}
		profiles = append(profiles, p)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(profiles) == 0 {
		return nil, fmt.Errorf("%s: no GeniusWeb profile (a .json file holding {\"LinearAdditiveUtilitySpace\": ...})", dir)
	}
	return combine(profiles)
}

// IsProfile reports whether data is JSON shaped like a GeniusWeb profile:
// an object with one key that names a utility space (a domain file has
// "name" and "issuesValues"; a parley scenario has "parley").
func IsProfile(data []byte) bool {
	n, err := parseJSON(data, "")
	return err == nil && isProfile(n)
}

func isProfile(n *node) bool {
	if n.kind != 'o' || len(n.keys) != 1 {
		return false
	}
	return strings.Contains(n.keys[0], "UtilitySpace") || n.keys[0] == "LinearAdditive"
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

func parseFile(path string) (*Profile, error) {
	data, err := safeio.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseProfile(data, path)
}
