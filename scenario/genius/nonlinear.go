package genius

import (
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/xmltree"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// MaxTermFlags bounds the value flags the rectangles of one non-linear
// profile may need (one per value of each issue a rectangle bounds): 16
// MB, a thousand times ANAC 2014's largest domain, and far below what a
// 32 MB file of bounds on issues of a million values would otherwise take.
const MaxTermFlags = 1 << 24

// nonlinear reads a Genius non-linear profile (root <utility_space
// type="nonlinear">) as Genius's NonlinearUtilitySpace does; see the
// package documentation for the rules.
type nonlinear struct {
	d     *Domain
	errs  *diag.List
	max   float64 // maxutility
	flags int     // value flags allocated so far
	terms []utility.Term
}

func parseNonlinear(root *xmltree.Element, d *Domain, errs *diag.List) *scenario.Preferences {
	p := &scenario.Preferences{
		Weights: make([]float64, len(d.Issues)),
		Values:  make([]utility.ValueFunc, len(d.Issues)),
		// NonlinearUtilitySpace reads <reservation> and <discount_factor>
		// among the root's children only.
		Discount: 1,
	}
	for i := range d.Issues {
		if d.Issues[i].Kind == scenario.Discrete {
			p.Values[i] = utility.ValueFunc{Shape: utility.Table, Values: make([]float64, len(d.Issues[i].Options))}
		} else {
			p.Values[i] = utility.ValueFunc{Shape: utility.Linear}
		}
	}
	if r := root.Child("reservation"); r != nil {
		if v, ok := floatAttr(r, "value", "<reservation>", errs); ok {
			p.Reservation = v
		}
	}
	if df := root.Child("discount_factor"); df != nil {
		if v, ok := floatAttr(df, "value", "<discount_factor>", errs); ok {
			p.Discount = validateDiscount(v)
		}
	}
	if len(root.Children) == 0 {
		errs.Add(root.Pos, "non-linear profile has no child element; Genius reads its <utility> inside the first child of <utility_space> (an <objective>)")
		return nil
	}
	first := root.Children[0]
	ut := first.Child("utility")
	if ut == nil {
		errs.Add(first.Pos, "<%s>, the first child of the non-linear <utility_space>, has no <utility maxutility=...> child, where Genius reads the utility function", first.Name)
		return nil
	}
	n := &nonlinear{d: d, errs: errs}
	mx, ok := floatAttr(ut, "maxutility", "<utility>", errs)
	if ok && mx <= 0 {
		errs.Add(ut.Pos, "<utility> has maxutility=%v; Genius divides every utility by it, so it must be above 0", mx)
		ok = false
	}
	n.max = mx
	uf := ut.Child("ufun")
	if uf == nil {
		errs.Add(ut.Pos, "<utility> has no <ufun> child; Genius reads the utility function from the first one")
		return nil
	}
	if !ok {
		return nil
	}
	// The first <ufun>'s own weight is never applied (NonlinearUtilitySpace
	// uses its sum as it is); inner ufuns are weighted by their parents.
	n.ufun(uf, 1)
	p.Terms = n.terms
	return p
}

// ufun reads one <ufun> and its inner ones, every rectangle's utility
// multiplied by scale, the product of the weights of the ufuns around it
// (the outermost excepted), and divided by maxutility.
func (n *nonlinear) ufun(e *xmltree.Element, scale float64) {
	agg, ok := e.Attr("aggregation")
	switch {
	case !ok:
		n.errs.Add(e.Pos, "<ufun> has no aggregation attribute; Genius fails on such a profile (it needs sum, min or max)")
		return
	case strings.EqualFold(agg, "min") || strings.EqualFold(agg, "max"):
		n.errs.Add(e.Pos, "<ufun aggregation=%q> is not supported: parley reads non-linear utility as a sum of rectangles (aggregation=\"sum\")", agg)
		return
	}
	// Any other aggregation is a sum, as Genius's AGGREGATIONTYPE reads it.
	for _, r := range e.ChildrenNamed("hyperRectangle") {
		n.rectangle(r, scale)
	}
	for _, c := range e.ChildrenNamed("ufun") {
		w := 1.0
		if _, has := c.Attr("weight"); has {
			x, ok := floatAttr(c, "weight", "<ufun>", n.errs)
			if !ok {
				continue
			}
			w = x
		}
		n.ufun(c, scale*w)
	}
}

// rectangle reads a <hyperRectangle>: with <INCLUDES> bounds it is worth
// its utility (times its weight) in the outcomes inside every bound; with
// <EXCLUDES> bounds, in the outcomes outside at least one, which is a term
// on no issue plus the opposite term inside the box; with neither, in
// every outcome.
func (n *nonlinear) rectangle(e *xmltree.Element, scale float64) {
	u, ok := floatAttr(e, "utility", "<hyperRectangle>", n.errs)
	w := 1.0
	if _, has := e.Attr("weight"); has {
		x, okw := floatAttr(e, "weight", "<hyperRectangle>", n.errs)
		w, ok = x, ok && okw
	}
	inc, exc := e.ChildrenNamed("INCLUDES"), e.ChildrenNamed("EXCLUDES")
	if len(inc) > 0 && len(exc) > 0 {
		n.errs.Add(e.Pos, "<hyperRectangle> has both <INCLUDES> and <EXCLUDES> bounds; Genius then silently ignores the <INCLUDES>, so say which is meant")
		return
	}
	bounds := inc
	if len(exc) > 0 {
		bounds = exc
	}
	c, okc := n.box(bounds)
	if !ok || !okc {
		return
	}
	v := u * w * scale / n.max
	switch {
	case len(exc) > 0:
		n.terms = append(n.terms, utility.Term{Value: v}, utility.Term{Constraint: c, Value: -v})
	default:
		n.terms = append(n.terms, utility.Term{Constraint: c, Value: v})
	}
}

// box turns bounds (min ≤ value ≤ max on the integer issue with Genius
// index `index`) into a constraint on value indices; bounds on one issue
// intersect.
func (n *nonlinear) box(bounds []*xmltree.Element) (utility.Constraint, bool) {
	var c utility.Constraint
	at := map[int]int{} // issue position → its place in c
	ok := true
	for _, b := range bounds {
		tag := "<" + b.Name + ">"
		idx, ok1 := intAttr(b, "index", tag, n.errs)
		lo, ok2 := intAttr(b, "min", tag, n.errs)
		hi, ok3 := intAttr(b, "max", tag, n.errs)
		if !ok1 || !ok2 || !ok3 {
			ok = false
			continue
		}
		i, found := n.d.issueAt(idx)
		if !found {
			n.errs.Add(b.Pos, "%s bounds issue index %d, which the domain does not have", tag, idx)
			ok = false
			continue
		}
		is := &n.d.Issues[i]
		if is.Kind != scenario.Integer {
			n.errs.Add(b.Pos, "%s bounds issue %s, which is %s; Genius's rectangles bound integer issues only (it fails on any other)", tag, n.d.describe(i), is.Kind)
			ok = false
			continue
		}
		size := is.Size()
		j, seen := at[i]
		if !seen {
			if n.flags += size; n.flags > MaxTermFlags {
				n.errs.Add(b.Pos, "the profile's rectangles bound issues of %d values in all so far, more than parley reads in one profile (%d)", n.flags, MaxTermFlags)
				return c, false
			}
			j = len(c.Issues)
			at[i] = j
			al := make([]bool, size)
			for v := range al {
				al[v] = true
			}
			c.Issues = append(c.Issues, i)
			c.Allowed = append(c.Allowed, al)
		}
		al := c.Allowed[j]
		for v := range al {
			x := int64(is.Min) + int64(v)
			al[v] = al[v] && int64(lo) <= x && x <= int64(hi)
		}
	}
	return c, ok
}
