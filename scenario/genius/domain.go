package genius

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/xmltree"
	"github.com/parleyhq/parley/scenario"
)

// MaxIssueValues caps the number of values of one integer issue, as for
// every scenario.
const MaxIssueValues = scenario.MaxIssueValues

// Domain is a parsed Genius domain file: its issues in Genius's order (the
// pre-order of the objective tree, child objectives before issues at each
// level) and each issue's Genius index, by which profiles refer to it.
type Domain struct {
	File   string           // the name the domain was parsed under
	Name   string           // name attribute of the root objective
	Issues []scenario.Issue // in Genius's order
	Index  []int            // Genius index number of each issue
	Pos    []diag.Pos       // where each issue is declared

	byIndex map[int]int // Genius index → position in Issues
}

// issueAt returns the position in d.Issues of the issue with Genius index n.
func (d *Domain) issueAt(n int) (int, bool) {
	i, ok := d.byIndex[n]
	return i, ok
}

// ParseDomain reads a Genius domain file (root <negotiation_template>) from r;
// name is used in error messages. Every problem found is reported, as a
// diag.List.
func ParseDomain(r io.Reader, name string) (*Domain, error) {
	root, err := xmltree.Read(r, name)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	d := &Domain{File: name, byIndex: map[int]int{}}
	if root.Name != "negotiation_template" {
		errs.Add(root.Pos, "root element is <%s>; a Genius domain file has <negotiation_template>", root.Name)
		return nil, errs
	}
	us := root.Child("utility_space")
	if us == nil {
		errs.Add(root.Pos, "<negotiation_template> has no <utility_space> child")
		return nil, errs
	}
	obj := us.Child("objective")
	if obj == nil {
		errs.Add(us.Pos, "<utility_space> has no <objective> child")
		return nil, errs
	}
	d.Name, _ = obj.Attr("name")
	names := map[string]diag.Pos{}
	d.walk(obj, &errs, names)
	if len(d.Issues) == 0 && len(errs) == 0 {
		errs.Add(obj.Pos, "the domain has no issues")
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return d, nil
}

// walk visits the objective tree as Genius's DomainImpl.buildTreeRecursive
// does: at each level child objectives (recursively) first, then issues.
func (d *Domain) walk(obj *xmltree.Element, errs *diag.List, names map[string]diag.Pos) {
	for _, c := range obj.ChildrenNamed("objective") {
		d.walk(c, errs, names)
	}
	for _, c := range obj.ChildrenNamed("issue") {
		d.issue(c, errs, names)
	}
}

func (d *Domain) issue(e *xmltree.Element, errs *diag.List, names map[string]diag.Pos) {
	name, hasName := e.Attr("name")
	label := strconv.Quote(name)
	if !hasName {
		errs.Add(e.Pos, "<issue> has no name attribute")
		label = "without a name"
	}
	n, ok := intAttr(e, "index", "issue "+label, errs)
	if !ok {
		return
	}
	if j, dup := d.byIndex[n]; dup {
		errs.Add(e.Pos, "issue %s has index %d, already used by issue %q at %s", label, n, d.Issues[j].Name, d.Pos[j])
		return
	}
	if msg := scenario.IDProblem(name); msg != "" {
		errs.Add(e.Pos, "issue name %q %s", name, msg)
		return
	}
	if hasName {
		if p, dup := names[name]; dup {
			errs.Add(e.Pos, "issue name %q is used twice (also at %s); parley needs unique issue names", name, p)
			return
		}
		names[name] = e.Pos
	}
	is := scenario.Issue{ID: name, Name: name}
	switch issueType(e) {
	case "integer":
		is.Kind = scenario.Integer
		lo, ok1 := intAttr(e, "lowerbound", "integer issue "+label, errs)
		hi, ok2 := intAttr(e, "upperbound", "integer issue "+label, errs)
		if !ok1 || !ok2 {
			return
		}
		if hi < lo {
			errs.Add(e.Pos, "integer issue %s has upperbound %d below lowerbound %d", label, hi, lo)
			return
		}
		if size := int64(hi) - int64(lo) + 1; size > MaxIssueValues {
			errs.Add(e.Pos, "integer issue %s has %d values (%d..%d); parley accepts at most %d values per issue",
				label, size, lo, hi, MaxIssueValues)
			return
		}
		is.Min, is.Max = float64(lo), float64(hi)
	case "real":
		is.Kind = scenario.Real
		rg := e.Child("range")
		if rg == nil {
			errs.Add(e.Pos, "real issue %s has no <range lowerbound=... upperbound=...> child", label)
			return
		}
		lo, ok1 := floatAttr(rg, "lowerbound", "range of real issue "+label, errs)
		hi, ok2 := floatAttr(rg, "upperbound", "range of real issue "+label, errs)
		if !ok1 || !ok2 {
			return
		}
		if hi < lo {
			errs.Add(rg.Pos, "real issue %s has upperbound %v below lowerbound %v", label, hi, lo)
			return
		}
		is.Min, is.Max, is.Steps = lo, hi, scenario.DefaultRealSteps
	default:
		is.Kind = scenario.Discrete
		seen := map[string]diag.Pos{}
		bad := false
		for _, it := range e.ChildrenNamed("item") {
			v, ok := it.Attr("value")
			if !ok {
				errs.Add(it.Pos, "<item> of issue %s has no value attribute", label)
				bad = true
				continue
			}
			if msg := scenario.IDProblem(v); msg != "" {
				errs.Add(it.Pos, "value %q of issue %s %s", v, label, msg)
				bad = true
				continue
			}
			if p, dup := seen[v]; dup {
				errs.Add(it.Pos, "issue %s lists value %q twice (also at %s)", label, v, p)
				bad = true
				continue
			}
			seen[v] = it.Pos
			is.Options = append(is.Options, scenario.Option{ID: v, Label: v})
		}
		if bad {
			return
		}
		if len(is.Options) == 0 {
			errs.Add(e.Pos, "discrete issue %s has no <item value=...> children", label)
			return
		}
	}
	d.byIndex[n] = len(d.Issues)
	d.Issues = append(d.Issues, is)
	d.Index = append(d.Index, n)
	d.Pos = append(d.Pos, e.Pos)
}

// issueType returns "discrete", "integer" or "real" as Genius's
// ISSUETYPE/EVALUATORTYPE.convertToType read the type attribute: missing or
// unknown means discrete, case is ignored. (The vtype/etype attribute only
// makes Genius print a warning when it disagrees.)
func issueType(e *xmltree.Element) string {
	t, ok := e.Attr("type")
	if !ok {
		return "discrete"
	}
	switch strings.ToLower(t) {
	case "integer":
		return "integer"
	case "real":
		return "real"
	case "objective":
		return "objective"
	}
	return "discrete"
}

// intAttr parses a required integer attribute as Java's Integer.valueOf does.
func intAttr(e *xmltree.Element, name, what string, errs *diag.List) (int, bool) {
	s, ok := e.Attr(name)
	if !ok {
		errs.Add(e.Pos, "%s has no %s attribute", what, name)
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		errs.Add(e.Pos, "%s: %s=%q is not an integer", what, name, s)
		return 0, false
	}
	return int(n), true
}

// floatAttr parses a required number attribute.
func floatAttr(e *xmltree.Element, name, what string, errs *diag.List) (float64, bool) {
	s, ok := e.Attr(name)
	if !ok {
		errs.Add(e.Pos, "%s has no %s attribute", what, name)
		return 0, false
	}
	x, ok := parseNumber(s)
	if !ok {
		errs.Add(e.Pos, "%s: %s=%q is not a finite number", what, name, s)
		return 0, false
	}
	return x, true
}

// parseNumber parses a decimal number as Java's Double.valueOf does
// (surrounding blanks and a trailing d/D/f/F are allowed) but refuses NaN
// and infinities.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if s == "" || strings.ContainsRune(s, '_') {
		return 0, false
	}
	if c := s[len(s)-1]; c == 'd' || c == 'D' || c == 'f' || c == 'F' {
		if !strings.HasPrefix(strings.ToLower(strings.TrimLeft(s, "+-")), "0x") {
			s = s[:len(s)-1]
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// describe names issue i of d for messages.
func (d *Domain) describe(i int) string {
	return fmt.Sprintf("%q (index %d)", d.Issues[i].Name, d.Index[i])
}
