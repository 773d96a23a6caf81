package genius

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/xmltree"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// evaluator is what Genius's AdditiveUtilitySpace.loadTreeRecursive attaches
// to a domain objective: one per profile <issue> (or <objective>) that has a
// sibling <weight> with the same index.
type evaluator struct {
	kind   string // discrete, integer, real, objective (as read from type=)
	typ    string // the type attribute as written ("" if absent)
	weight float64
	elem   *xmltree.Element

	// discrete: evaluation per value, max over all of them
	evals map[string]float64
	max   float64
	// integer: offset + slope*(v - lower), clamped
	// real: parameter1*v + parameter0, clamped
	offset, slope, lower float64
	bad                  bool // an error was reported while reading it
}

// ParseProfile reads a Genius profile (root <utility_space>) for the domain d
// from r; name is used in error messages. A non-linear profile (type=
// "nonlinear") becomes preferences made of terms only (see the package
// documentation). For an additive one it returns the party's
// preferences with Genius's semantics: weights as written, discrete
// evaluations divided by the issue's largest evaluation (0 when that is below
// 0.00001), integer and real evaluators as clamped linear functions,
// reservation value (0 if absent) and validated discount factor (1 if absent
// or outside (0, 1]). It refuses what Genius refuses (an issue without
// evaluator, a value without evaluation, a discrete evaluator on a numeric
// issue), reporting every problem at once as a diag.List.
func ParseProfile(r io.Reader, name string, d *Domain) (*scenario.Preferences, error) {
	if d == nil {
		return nil, &diag.Error{Pos: diag.Pos{File: name}, Msg: "no domain to read the profile against"}
	}
	root, err := xmltree.Read(r, name)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	if root.Name != "utility_space" {
		errs.Add(root.Pos, "root element is <%s>; a Genius profile has <utility_space>", root.Name)
		return nil, errs
	}
	if t, ok := root.Attr("type"); ok && strings.EqualFold(t, "nonlinear") {
		prefs := parseNonlinear(root, d, &errs)
		if len(errs) > 0 {
			errs.Sort()
			return nil, errs
		}
		return prefs, nil
	} else if ok && t != "" && !strings.EqualFold(t, "linear") && !strings.EqualFold(t, "additive") {
		errs.Add(root.Pos, "utility space type %q is not supported; parley imports additive (no type, or \"linear\") and \"nonlinear\" Genius profiles", t)
		return nil, errs
	}
	l := &loader{d: d, errs: &errs, evals: map[int]*evaluator{}, discount: 1}
	l.load(root)
	prefs := l.resolve(root)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return prefs, nil
}

type loader struct {
	d           *Domain
	errs        *diag.List
	evals       map[int]*evaluator // by Genius index, last assignment wins
	reservation float64
	discount    float64
}

// load mirrors AdditiveUtilitySpace.loadTreeRecursive: at every element it
// reads <reservation> and <discount_factor> children, then the <weight>s and
// the <issue>s and <objective>s among its children (issues first), creating an
// evaluator for each that has a weight with its index; then it recurses into
// every child element in document order.
func (l *loader) load(e *xmltree.Element) {
	if r := e.Child("reservation"); r != nil {
		if v, ok := floatAttr(r, "value", "<reservation>", l.errs); ok {
			l.reservation = v
		}
	}
	if df := e.Child("discount_factor"); df != nil {
		if v, ok := floatAttr(df, "value", "<discount_factor>", l.errs); ok {
			l.discount = validateDiscount(v)
		}
	}
	weights := map[int]float64{}
	for _, w := range e.ChildrenNamed("weight") {
		n, ok1 := intAttr(w, "index", "<weight>", l.errs)
		v, ok2 := floatAttr(w, "value", "<weight>", l.errs)
		if ok1 && ok2 {
			weights[n] = v
		}
	}
	nodes := append(e.ChildrenNamed("issue"), e.ChildrenNamed("objective")...)
	for _, c := range nodes {
		n, ok := intAttr(c, "index", "<"+c.Name+">", l.errs)
		if !ok {
			continue
		}
		w, ok := weights[n]
		if !ok {
			continue
		}
		ev := l.read(c)
		ev.weight = w
		l.evals[n] = ev
	}
	for _, c := range e.Children {
		l.load(c)
	}
}

// validateDiscount is Genius's AbstractUtilitySpace.validateDiscount.
func validateDiscount(d float64) float64 {
	if d <= 0 || d > 1 {
		return 1
	}
	return d
}

// read builds the evaluator of a profile <issue> as the Evaluator*.loadFromXML
// of its type would.
func (l *loader) read(e *xmltree.Element) *evaluator {
	typ, _ := e.Attr("type")
	ev := &evaluator{kind: issueType(e), typ: typ, elem: e}
	if e.Name == "objective" && ev.kind != "objective" {
		ev.kind = "objective"
	}
	what := l.issueLabel(e)
	switch ev.kind {
	case "discrete":
		ev.evals = map[string]float64{}
		first := true
		for _, it := range e.ChildrenNamed("item") {
			v, ok := it.Attr("value")
			if !ok {
				l.errs.Add(it.Pos, "<item> of %s has no value attribute", what)
				ev.bad = true
				continue
			}
			s, ok := it.Attr("evaluation")
			if !ok || s == "null" {
				continue // Genius leaves the value without evaluation
			}
			x, ok := parseNumber(s)
			if !ok {
				l.errs.Add(it.Pos, "%s: evaluation=%q of value %q is not a finite number", what, s, v)
				ev.bad = true
				continue
			}
			ev.evals[v] = x
		}
		for _, x := range ev.evals {
			if first || x > ev.max {
				ev.max, first = x, false
			}
		}
	case "integer":
		lo, ok1 := intAttr(e, "lowerbound", what+" (integer evaluator)", l.errs)
		_, ok2 := intAttr(e, "upperbound", what+" (integer evaluator)", l.errs)
		ev.bad = !ok1 || !ok2
		ev.lower = float64(lo)
		if f := e.Child("evaluator"); f != nil {
			s, ok3 := floatAttr(f, "slope", what+" <evaluator>", l.errs)
			o, ok4 := floatAttr(f, "offset", what+" <evaluator>", l.errs)
			ev.slope, ev.offset = s, o
			ev.bad = ev.bad || !ok3 || !ok4
		}
	case "real":
		if rg := e.Child("range"); rg == nil {
			l.errs.Add(e.Pos, "%s has no <range> child, which Genius's real evaluator requires", what)
			ev.bad = true
		} else {
			_, ok1 := floatAttr(rg, "lowerbound", what+" <range>", l.errs)
			_, ok2 := floatAttr(rg, "upperbound", what+" <range>", l.errs)
			ev.bad = !ok1 || !ok2
		}
		f := e.Child("evaluator")
		if f == nil {
			l.errs.Add(e.Pos, "%s has no <evaluator ftype=\"linear\" parameter0=... parameter1=...>", what)
			ev.bad = true
			break
		}
		ft, _ := f.Attr("ftype")
		switch strings.ToLower(ft) {
		case "linear":
			p0, ok1 := floatAttr(f, "parameter0", what+" <evaluator>", l.errs)
			p1, ok2 := floatAttr(f, "parameter1", what+" <evaluator>", l.errs)
			ev.offset, ev.slope = p0, p1
			ev.bad = ev.bad || !ok1 || !ok2
		case "constant":
			p0, ok := floatAttr(f, "parameter0", what+" <evaluator>", l.errs)
			if ok && (p0 < 0 || p0 > 1) {
				l.errs.Add(f.Pos, "%s: constant evaluation %v outside [0, 1] is not supported", what, p0)
				ok = false
			}
			ev.offset = p0
			ev.bad = ev.bad || !ok
		default:
			l.errs.Add(f.Pos, "%s: real evaluator ftype=%q is not supported (only linear and constant)", what, ft)
			ev.bad = true
		}
	}
	return ev
}

func (l *loader) issueLabel(e *xmltree.Element) string {
	n, _ := e.Attr("index")
	if name, ok := e.Attr("name"); ok {
		return fmt.Sprintf("%s %q (index %s)", e.Name, name, n)
	}
	if i, err := strconv.Atoi(n); err == nil {
		if j, ok := l.d.issueAt(i); ok {
			return fmt.Sprintf("%s %q (index %d)", e.Name, l.d.Issues[j].Name, i)
		}
	}
	return fmt.Sprintf("%s with index %s", e.Name, n)
}

// resolve checks the evaluators against the domain as Genius's
// AdditiveUtilitySpace.isComplete does and builds the preferences.
func (l *loader) resolve(root *xmltree.Element) *scenario.Preferences {
	d := l.d
	p := &scenario.Preferences{
		Weights:     make([]float64, len(d.Issues)),
		Values:      make([]utility.ValueFunc, len(d.Issues)),
		Reservation: l.reservation,
		Discount:    l.discount,
	}
	for i := range d.Issues {
		is := &d.Issues[i]
		ev := l.evals[d.Index[i]]
		if ev == nil {
			l.errs.Add(root.Pos, "issue %s of the domain has no evaluator: the profile needs an <issue index=\"%d\"> with a sibling <weight index=\"%d\" value=...>; Genius refuses such a profile",
				d.describe(i), d.Index[i], d.Index[i])
			continue
		}
		if ev.bad {
			continue
		}
		p.Weights[i] = ev.weight
		typ := "no type attribute"
		if ev.typ != "" {
			typ = fmt.Sprintf("type=%q", ev.typ)
		}
		switch {
		case ev.kind == "objective":
			l.errs.Add(ev.elem.Pos, "index %d is an <objective> in the profile but issue %q in the domain", d.Index[i], is.Name)
		case ev.kind == "discrete" && is.Kind != scenario.Discrete:
			how := "has no type attribute, so Genius gives it a discrete evaluator"
			switch {
			case ev.typ != "" && strings.EqualFold(ev.typ, "discrete"):
				how = fmt.Sprintf("declares it %s, a discrete evaluator", typ)
			case ev.typ != "":
				how = fmt.Sprintf("declares it %s, an unknown type that Genius reads as a discrete evaluator", typ)
			}
			l.errs.Add(ev.elem.Pos, "issue %s is %s in the domain, but the profile %s (with %d items); Genius refuses this profile (\"this discrete evaluator is associated with something of type Issue%s\")",
				d.describe(i), is.Kind, how, len(ev.evals), titleKind(is.Kind))
		case ev.kind == "discrete":
			var missing []string
			vals := make([]float64, len(is.Options))
			for v, o := range is.Options {
				x, ok := ev.evals[o.ID]
				if !ok {
					missing = append(missing, strconv.Quote(o.ID))
					continue
				}
				if ev.max < 0.00001 {
					vals[v] = 0
				} else {
					vals[v] = x / ev.max
				}
			}
			if len(missing) > 0 {
				l.errs.Add(ev.elem.Pos, "issue %s: value %s has no evaluation in the profile; Genius refuses this profile",
					d.describe(i), strings.Join(missing, ", "))
				continue
			}
			p.Values[i] = utility.ValueFunc{Shape: utility.Table, Values: vals}
		case ev.kind == "integer" && is.Kind == scenario.Integer:
			p.Values[i] = utility.ValueFunc{Shape: utility.Linear, Offset: ev.offset, Slope: ev.slope, Origin: ev.lower}
		case ev.kind == "real" && is.Kind == scenario.Real:
			p.Values[i] = utility.ValueFunc{Shape: utility.Linear, Offset: ev.offset, Slope: ev.slope}
		default:
			l.errs.Add(ev.elem.Pos, "issue %s is %s in the domain, but the profile gives it a%s %s evaluator (%s)",
				d.describe(i), is.Kind, article(ev.kind), ev.kind, typ)
		}
	}
	return p
}

func article(kind string) string {
	if kind == "integer" {
		return "n"
	}
	return ""
}

func titleKind(k scenario.Kind) string {
	s := k.String()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
