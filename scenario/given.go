package scenario

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/diag/yamlpos"
	"github.com/parleyhq/parley/utility"
)

// GivenDef is one entry of a value table's given: list, a conditional
// clause: in deals that If matches, the options it lists are worth the
// values it gives instead of the table's ("a guarantee is worth less
// without troops"). In the file the entry is one mapping: if: plus option
// ids.
type GivenDef struct {
	If     Match             `yaml:"if" json:"if"`
	Values map[string]Number // option id → its value when If holds
}

// UnmarshalYAML reads {if: {...}, option: value, ...}.
func (g *GivenDef) UnmarshalYAML(node ast.Node) error {
	pairs, ok := mappingPairs(unwrap(node))
	if !ok {
		return fmt.Errorf("expected a mapping {if: {issue: [values]}, option: value, ...}, found %s", describe(node))
	}
	*g = GivenDef{Values: map[string]Number{}}
	for _, kv := range pairs {
		k := keyString(kv.Key)
		if k == "if" {
			if err := decodeNode(kv.Value, &g.If); err != nil {
				return err
			}
			continue
		}
		var n Number
		if err := decodeNode(kv.Value, &n); err != nil {
			return err
		}
		g.Values[k] = n
	}
	return nil
}

// MarshalYAML writes the entry as one mapping, if: first.
func (g GivenDef) MarshalYAML() (any, error) {
	m := yaml.MapSlice{{Key: "if", Value: g.If}}
	for _, k := range sortedKeys(g.Values) {
		m = append(m, yaml.MapItem{Key: k, Value: g.Values[k]})
	}
	return m, nil
}

// Given is a conditional value: option Option of issue Issue is worth
// Value (an evaluation in [0,1], as in the table) in the outcomes If
// matches, instead of its table value. It makes the utility non-additive:
// UtilityOf compiles it into a term on the option and If.
type Given struct {
	Issue, Option int
	Value         float64
	If            utility.Constraint
	// Entry numbers the given: entry of the issue's table it comes from,
	// so that writing back keeps the entry's options together.
	Entry int
}

var givenDefType = reflect.TypeOf(GivenDef{})

// walkGiven checks one given: entry as the walker checks struct fields:
// if: a Match, every other key a Number.
func (w *walker) walkGiven(n ast.Node, path, what string) {
	pairs, ok := mappingPairs(n)
	if !ok {
		w.errs.Add(yamlpos.Of(w.file, n), "%s must be a mapping {if: {issue: [values]}, option: value, ...}, found %s", what, describe(n))
		return
	}
	seen := map[string]bool{}
	for _, kv := range pairs {
		k := keyString(kv.Key)
		if seen[k] {
			w.errs.Add(yamlpos.Of(w.file, kv.Key), "%q appears twice in %s", k, what)
		}
		seen[k] = true
		t := numberType
		if k == "if" {
			t = reflect.TypeOf(Match{})
		}
		w.walk(kv.Value, t, join(path, k), fmt.Sprintf("%q", join(path, k)))
	}
}

// splitGiven returns a value table's node without its given: entry, and
// that entry's value (nil without one). The table's other keys are option
// ids.
func splitGiven(n ast.Node) (rest, given ast.Node) {
	switch m := unwrap(n).(type) {
	case *ast.MappingNode:
		var keep []*ast.MappingValueNode
		for _, kv := range m.Values {
			if keyString(kv.Key) == "given" {
				given = kv.Value
				continue
			}
			keep = append(keep, kv)
		}
		if given == nil {
			return n, nil
		}
		c := *m
		c.Values = keep
		return &c, given
	case *ast.MappingValueNode:
		if keyString(m.Key) == "given" {
			return nil, m.Value
		}
	}
	return n, nil
}

// givenOf resolves the given: entries of party's value table for issue i
// (vd.Given, or the node's given: entry): each option it names is an
// option of the issue with a value in [0,1], each if: names other issues,
// and no two entries give one option a value in the same deal.
func (v *validator) givenOf(vd ValueDef, path, party string, i int, s *Scenario) []Given {
	is := &s.Issues[i]
	defs := vd.Given
	if defs == nil && vd.node != nil && is.Kind == Discrete {
		_, gn := splitGiven(vd.node)
		if gn == nil {
			return nil
		}
		sub := walker{file: v.file, idx: v.idx, errs: &v.errs}
		n := len(v.errs)
		sub.walk(gn, reflect.TypeOf([]GivenDef{}), join(path, "given"), fmt.Sprintf("%q", join(path, "given")))
		if len(v.errs) > n {
			return nil
		}
		if err := decodeNode(gn, &defs); err != nil {
			v.errs = append(v.errs, yamlpos.Error(v.file, err))
			return nil
		}
	}
	if len(defs) == 0 {
		if defs != nil {
			v.errorf(join(path, "given"), "the given: list of %q's values for %q is empty", party, is.ID)
		}
		return nil
	}
	if is.Kind != Discrete {
		v.errorf(join(path, "given"), "%q's values for %q are a shape; given: applies to the options of an issue with options", party, is.ID)
		return nil
	}
	var out []Given
	for k, d := range defs {
		gp := fmt.Sprintf("%s.given[%d]", path, k)
		what := fmt.Sprintf("condition %d of %q's values for %q", k+1, party, is.ID)
		if d.If == nil {
			v.errorf(gp, "%s has no if: say in which deals its values hold, as if: {issue: [values]}", what)
			continue
		}
		n := len(v.errs)
		c := v.match(d.If, join(gp, "if"), what, s)
		if c == nil || len(v.errs) > n {
			continue
		}
		if slices.Contains(c.Issues, i) {
			v.errorf(join(join(gp, "if"), is.ID), "%s depends on issue %q itself; a condition names other issues", what, is.ID)
			continue
		}
		if len(d.Values) == 0 {
			v.errorf(gp, "%s gives no option a value", what)
		}
		for _, o := range sortedKeys(d.Values) {
			j := is.Lookup(o)
			if j < 0 {
				v.errorf(join(gp, o), "%s names %q, which is not an option of %q (options: %s)", what, o, is.ID, optionIDs(is))
				continue
			}
			x := v.number(d.Values[o], join(gp, o), fmt.Sprintf("the value of %q in %s", o, what), 0, 1)
			for _, g := range out {
				if g.Option == j && overlap(&g.If, c) {
					v.errorf(join(gp, o), "conditions %d and %d of %q's values for %q both give option %q a value in some deals; make them exclusive, so that each deal has one value", g.Entry+1, k+1, party, is.ID, o)
				}
			}
			out = append(out, Given{Issue: i, Option: j, Value: x, If: *c, Entry: k})
		}
	}
	return out
}

// overlap reports whether some outcome matches both constraints: on every
// issue both name, some value both allow.
func overlap(a, b *utility.Constraint) bool {
	for ka, i := range a.Issues {
		for kb, j := range b.Issues {
			if i != j {
				continue
			}
			common := false
			for x, ok := range a.Allowed[ka] {
				common = common || ok && b.Allowed[kb][x]
			}
			if !common {
				return false
			}
		}
	}
	return true
}

// givenTerms compiles party p's conditional values into terms over its
// utility (weights w): in the outcomes where a Given holds, its option is
// worth the given value instead of the table's, discounted as the table
// is when the issue is a guarantee to p (discount). A term adds the
// weighted difference.
func (s *Scenario) givenTerms(p int, pr *Preferences, discount func(i int, row []float64)) []utility.Term {
	var out []utility.Term
	for k := range pr.Given {
		g := &pr.Given[k]
		is := &s.Issues[g.Issue]
		f := &pr.Values[g.Issue]
		row := make([]float64, is.Size())
		for v := range row {
			row[v] = f.Eval(v, is.Number(v), is.Min, is.Max)
		}
		plain := append([]float64(nil), row...)
		row[g.Option] = g.Value
		discount(g.Issue, plain)
		discount(g.Issue, row)
		d := pr.Weights[g.Issue] * (row[g.Option] - plain[g.Option])
		if d == 0 {
			continue
		}
		allowed := make([]bool, is.Size())
		allowed[g.Option] = true
		c := utility.Constraint{Issues: append([]int{g.Issue}, g.If.Issues...), Allowed: append([][]bool{allowed}, g.If.Allowed...)}
		out = append(out, utility.Term{Constraint: c, Value: d})
	}
	return out
}

// givenDefs writes a party's conditional values for issue i back in the
// file's form, one entry per given: entry.
func (s *Scenario) givenDefs(pr *Preferences, i int) []GivenDef {
	var out []GivenDef
	last := -1
	for k := range pr.Given {
		g := &pr.Given[k]
		if g.Issue != i {
			continue
		}
		if g.Entry != last {
			out = append(out, GivenDef{If: s.matchDef(&g.If), Values: map[string]Number{}})
			last = g.Entry
		}
		out[len(out)-1].Values[s.Issues[i].Options[g.Option].ID] = N(g.Value)
	}
	return out
}

// givenBaselines refuses a conditional value on a guarantee's baseline to
// its beneficiary: the baseline is what an unhonoured pledge is worth, the
// fixed point the other options are discounted towards.
func (v *validator) givenBaselines(s *Scenario) {
	for _, g := range s.Guarantees {
		for p := range s.Parties {
			if !g.benefits(p) {
				continue
			}
			pa := &s.Parties[p]
			for _, gv := range pa.Prefs.Given {
				if gv.Issue == g.Issue && gv.Option == g.Baseline {
					is := &s.Issues[g.Issue]
					v.errorf(fmt.Sprintf("parties[%d].values.%s.given[%d].%s", p, is.ID, gv.Entry, is.Options[gv.Option].ID),
						"%q's value of %q depends on other clauses, but %q is the baseline of the guarantee on %q: what an unhonoured pledge is worth cannot depend on them; give the condition to the other options",
						pa.ID, is.Options[gv.Option].ID, is.Options[gv.Option].ID, is.ID)
				}
			}
		}
	}
}
