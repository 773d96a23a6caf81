package utility

import (
	"errors"
	"math"
	"slices"
)

// Term is the non-additive part of a utility function: it adds Value to
// every outcome in which each issue it lists takes one of its allowed
// values, a rectangle of the outcome space. A term that lists no issue adds
// Value to every outcome. Genius's non-linear hyper-rectangles are terms on
// the issues they bound; a conditional clause ("the guarantee is worth less
// without troops") is a term on two issues.
type Term struct {
	Constraint
	Value float64
}

// HasTerms reports whether a has terms, and so is not additive: code that
// relies on additivity (per-issue bounds, greedy search) must not use the
// tables alone.
func (a *Additive) HasTerms() bool { return len(a.Terms) > 0 }

// DefaultSearchNodes bounds the search of Max and Min over a utility with
// terms, in nodes plus the terms looked at (Walker.Cost): about a second of
// work. Finding the best outcome of a sum of rectangles is hard in general
// (a weighted satisfiability problem), so a hostile profile must not hold a
// caller for hours.
const DefaultSearchNodes = 100_000_000

// ErrSearchLimit is returned (by Extreme) when a search passed its node
// limit before it proved its answer.
var ErrSearchLimit = errors.New("the search passed its node limit")

// Extreme returns the largest (max true) or smallest utility over all
// outcomes and the first outcome found that has it, ignoring red lines.
// Without terms it is exact and immediate (the best or worst entry of each
// table). With terms it is a branch-and-bound search over the cells of a
// (see Cells) that visits at most limit nodes (limit ≤ 0: no limit); past
// the limit it returns the best outcome found so far with ErrSearchLimit.
func (a *Additive) Extreme(max bool, limit int64) (float64, []int, error) {
	if !a.HasTerms() {
		if max {
			u, o := a.tableExtreme(func(x, y float64) bool { return x > y })
			return u, o, nil
		}
		u, o := a.tableExtreme(func(x, y float64) bool { return x < y })
		return u, o, nil
	}
	return a.search(max, false, limit)
}

// MaxAcceptable is Extreme(true, limit) over the outcomes that cross none
// of a's red lines: the best Utility, Unacceptable if every outcome crosses
// one. It searches cells whether or not a has terms.
func (a *Additive) MaxAcceptable(limit int64) (float64, []int, error) {
	return a.search(true, len(a.RedLines) > 0, limit)
}

// search is the branch and bound of Extreme and MaxAcceptable; with lines,
// leaves are valued by Utility (red lines count), bounds stay Raw's.
func (a *Additive) search(max, lines bool, limit int64) (float64, []int, error) {
	c := NewCells([]*Additive{a})
	r := c.Reduce(a)
	s := &extremeSearch{r: r, w: NewWalker(r, r.SearchOrder()), max: max, lines: lines, limit: limit,
		cell: make([]int, len(r.Table)), eps: r.roundingMargin()}
	s.kids = make([][]kid, len(r.Table))
	for d, i := range s.w.order {
		s.kids[d] = make([]kid, len(r.Table[i]))
	}
	err := s.walk(0)
	o := c.First(s.best)
	return s.bestU, o, err
}

// extremeSearch is the depth-first branch and bound behind Extreme, over
// a utility reduced to its cells.
type extremeSearch struct {
	r     *Additive
	w     *Walker
	max   bool
	lines bool // value leaves by Utility: red lines count
	limit int64
	nodes int64
	eps   float64 // rounding margin of the walker's bounds
	cell  []int   // the cell under way, by issue
	best  []int   // the best cell found (nil before the first leaf)
	bestU float64
	kids  [][]kid // per depth, scratch for ordering children
}

type kid struct {
	bound float64
	c     int
}

// hopeless reports whether a subtree whose sums lie in [lo, hi] cannot
// beat the best outcome found.
func (s *extremeSearch) hopeless(lo, hi float64) bool {
	if s.best == nil {
		return false
	}
	if s.max {
		return Clamp(hi+s.eps) <= s.bestU
	}
	return Clamp(lo-s.eps) >= s.bestU
}

func (s *extremeSearch) walk(d int) error {
	if d > 0 {
		s.nodes += s.w.Cost(d - 1)
	}
	if s.nodes++; s.limit > 0 && s.nodes > s.limit && s.best != nil {
		return ErrSearchLimit
	}
	lo, hi := s.w.Bounds(d)
	if s.hopeless(lo, hi) {
		return nil
	}
	if d == len(s.w.order) {
		u := s.r.Raw(s.cell)
		if s.lines {
			u = s.r.Utility(s.cell)
		}
		if s.best == nil || (s.max && u > s.bestU) || (!s.max && u < s.bestU) {
			s.best, s.bestU = append(s.best[:0], s.cell...), u
		}
		return nil
	}
	// Children best bound first, so that good outcomes come early and
	// prune the rest.
	i := s.w.order[d]
	ks := s.kids[d]
	for c := range ks {
		s.w.Set(d, c)
		l, h := s.w.Bounds(d + 1)
		if s.max {
			ks[c] = kid{h, c}
		} else {
			ks[c] = kid{-l, c}
		}
	}
	slices.SortStableFunc(ks, func(x, y kid) int {
		switch {
		case x.bound > y.bound:
			return -1
		case x.bound < y.bound:
			return 1
		}
		return 0
	})
	for _, k := range ks {
		s.cell[i] = k.c
		s.w.Set(d, k.c)
		if err := s.walk(d + 1); err != nil {
			return err
		}
	}
	return nil
}

// roundingMargin bounds the rounding error of a Walker's bounds on a: they
// add and subtract each table's extremes and each term's value once or
// twice, so their error stays below a few ulps of the sum of magnitudes
// times the number of operations. Searches widen bounds by it so that they
// never prune a subtree whose true best beats the best found.
func (a *Additive) roundingMargin() float64 {
	scale, ops := 1.0, 1.0
	for _, t := range a.Table {
		for _, x := range t {
			scale = math.Max(scale, math.Abs(x))
		}
		ops++
	}
	for k := range a.Terms {
		scale += math.Abs(a.Terms[k].Value)
		ops += 2
	}
	return 4 * ops * scale * 0x1p-52
}

// SearchOrder is the order in which searches over a set the issues: those
// that the most (and largest) terms name first, so that a term is decided
// early and bounds tighten quickly; ties in issue order.
func (a *Additive) SearchOrder() []int {
	return SearchOrder([]*Additive{a})
}

// SearchOrder is the issue order for searching several utilities at once
// (see Additive.SearchOrder): issues ranked by the summed magnitude of the
// terms that name them, relative to each utility's total, then by how much
// their table entries vary.
func SearchOrder(us []*Additive) []int {
	m := len(us[0].Table)
	score := make([]float64, m)
	for _, u := range us {
		total := 0.0
		for k := range u.Terms {
			total += math.Abs(u.Terms[k].Value)
		}
		for _, t := range u.Table {
			if len(t) > 0 {
				total += slices.Max(t) - slices.Min(t)
			}
		}
		if total == 0 {
			continue
		}
		for k := range u.Terms {
			for _, i := range u.Terms[k].Issues {
				score[i] += math.Abs(u.Terms[k].Value) / total
			}
		}
		for i, t := range u.Table {
			if len(t) > 0 {
				score[i] += (slices.Max(t) - slices.Min(t)) / total
			}
		}
	}
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		switch {
		case score[x] > score[y]:
			return -1
		case score[x] < score[y]:
			return 1
		}
		return 0
	})
	return order
}

// Cells compresses an outcome space for a set of utility functions: on each
// issue, the values that every function's table gives equal entries and
// that every term and red line allows alike form one class, and a cell is
// one class per issue. Every outcome of a cell has the same utility under
// every function, and crosses the same red lines, so a figure over the
// cells, each weighted by its number of outcomes, is the figure over the
// space. Genius's non-linear profiles cut each issue at a few rectangle
// bounds: ANAC 2014's 10^10 outcomes are 2.5·10^7 cells for both parties.
type Cells struct {
	Sizes []int     // classes per issue
	Class [][]int32 // Class[i][v]: the class of value v of issue i
	// Members[i][c] lists the values of class c of issue i, ascending;
	// classes are numbered in order of their first value.
	Members [][][]int
}

// NewCells partitions the issues of the space of us (all over the same
// issues) into classes.
func NewCells(us []*Additive) *Cells {
	m := len(us[0].Table)
	c := &Cells{Sizes: make([]int, m), Class: make([][]int32, m), Members: make([][][]int, m)}
	for i := 0; i < m; i++ {
		card := len(us[0].Table[i])
		p := partition{class: make([]int32, card), n: 1}
		if card == 0 {
			p.n = 0
		}
		for _, u := range us {
			if p.n == card {
				break // every value stands alone already
			}
			t := u.Table[i]
			p.refineFloats(t)
			for k := range u.Terms {
				p.refineConstraint(&u.Terms[k].Constraint, i)
			}
			for k := range u.RedLines {
				p.refineConstraint(&u.RedLines[k].Constraint, i)
			}
		}
		p.renumber()
		c.Sizes[i], c.Class[i] = p.n, p.class
		mem := make([][]int, p.n)
		all := make([]int, card)
		count := make([]int, p.n)
		for _, k := range p.class {
			count[k]++
		}
		off := 0
		for k := range mem {
			mem[k] = all[off : off : off+count[k]]
			off += count[k]
		}
		for v, k := range p.class {
			mem[k] = append(mem[k], v)
		}
		c.Members[i] = mem
	}
	return c
}

// partition is the classes of one issue's values while they are refined.
type partition struct {
	class []int32
	n     int
}

// refineFloats splits classes whose values have different entries in t.
func (p *partition) refineFloats(t []float64) {
	if len(t) == 0 || slices.Min(t) == slices.Max(t) {
		return
	}
	type key struct {
		c    int32
		bits uint64
	}
	ids := make(map[key]int32, p.n)
	for v, x := range t {
		k := key{p.class[v], math.Float64bits(x + 0)} // +0 makes −0 equal to 0
		id, ok := ids[k]
		if !ok {
			id = int32(len(ids))
			ids[k] = id
		}
		p.class[v] = id
	}
	p.n = len(ids)
}

// refineConstraint splits classes whose values the constraint allows
// differently on issue i (a constraint may list an issue more than once).
func (p *partition) refineConstraint(c *Constraint, i int) {
	for j, ii := range c.Issues {
		if ii != i {
			continue
		}
		al := c.Allowed[j]
		ids := make([]int32, 2*p.n)
		for k := range ids {
			ids[k] = -1
		}
		n := int32(0)
		for v := range p.class {
			b := int32(0)
			if v < len(al) && al[v] {
				b = 1
			}
			k := 2*p.class[v] + b
			if ids[k] < 0 {
				ids[k] = n
				n++
			}
			p.class[v] = ids[k]
		}
		p.n = int(n)
	}
}

// renumber numbers the classes in order of their first value.
func (p *partition) renumber() {
	ids := make([]int32, p.n)
	for k := range ids {
		ids[k] = -1
	}
	n := int32(0)
	for v, k := range p.class {
		if ids[k] < 0 {
			ids[k] = n
			n++
		}
		p.class[v] = ids[k]
	}
}

// Count is the number of outcomes of the cell (one class per issue).
func (c *Cells) Count(cell []int) uint64 {
	n := uint64(1)
	for i, k := range cell {
		n *= uint64(len(c.Members[i][k]))
	}
	return n
}

// NumCells is the number of cells, as a float (it may pass 2^64).
func (c *Cells) NumCells() float64 {
	n := 1.0
	for _, s := range c.Sizes {
		n *= float64(s)
	}
	return n
}

// First returns the first outcome of the cell, each class's smallest
// value (nil for a nil cell).
func (c *Cells) First(cell []int) []int {
	if cell == nil {
		return nil
	}
	o := make([]int, len(cell))
	for i, k := range cell {
		o[i] = c.Members[i][k][0]
	}
	return o
}

// Cell writes the cell of outcome o into cell.
func (c *Cells) Cell(o, cell []int) {
	for i, v := range o {
		cell[i] = int(c.Class[i][v])
	}
}

// Reduce returns u over the space of cells: issue i has c.Sizes[i]
// values, class k taking the table entries and constraint flags of its
// first value. For every outcome o in cell x, the reduced utility of x
// equals u's of o, bit for bit (same entries, same order of addition).
func (c *Cells) Reduce(u *Additive) *Additive {
	r := &Additive{Weights: u.Weights, Reservation: u.Reservation, Discount: u.Discount}
	r.Table = make([][]float64, len(u.Table))
	r.Evals = make([][]float64, len(u.Table))
	for i, t := range u.Table {
		rt := make([]float64, c.Sizes[i])
		var re []float64
		if i < len(u.Evals) && len(u.Evals[i]) == len(t) {
			re = make([]float64, c.Sizes[i])
		}
		for k, mem := range c.Members[i] {
			rt[k] = t[mem[0]]
			if re != nil {
				re[k] = u.Evals[i][mem[0]]
			}
		}
		r.Table[i], r.Evals[i] = rt, re
	}
	reduce := func(src *Constraint) Constraint {
		d := Constraint{Issues: slices.Clone(src.Issues), Allowed: make([][]bool, len(src.Issues))}
		for j, i := range src.Issues {
			al := make([]bool, c.Sizes[i])
			for k, mem := range c.Members[i] {
				al[k] = mem[0] < len(src.Allowed[j]) && src.Allowed[j][mem[0]]
			}
			d.Allowed[j] = al
		}
		return d
	}
	for k := range u.Terms {
		r.Terms = append(r.Terms, Term{Constraint: reduce(&u.Terms[k].Constraint), Value: u.Terms[k].Value})
	}
	for k := range u.RedLines {
		r.RedLines = append(r.RedLines, RedLine{ID: u.RedLines[k].ID, Constraint: reduce(&u.RedLines[k].Constraint)})
	}
	return r
}

// Walker evaluates a utility incrementally along a depth-first walk that
// sets the issues one at a time in a fixed order: after the first d issues
// of the order are set, Bounds(d) gives the smallest and largest sum (before
// the clamp) that any setting of the others can reach. Terms count towards
// a bound while they may still match: a positive term raises the upper
// bound until an issue rules it out, and the lower bound once every issue
// it names matches; negative terms the other way round. Red lines are not
// its concern. Setting an issue costs the terms that name it, and undoes
// the settings of the issues after it.
type Walker struct {
	u          *Additive
	order      []int
	maxT, minT []float64   // per issue: largest and smallest table entry
	at         [][]termRef // per depth: the terms that name its issue
	ends       [][]int32   // per depth: the terms whose last issue it is
	killed     []int32     // per term: the depth that ruled it out, or alive
	kills      [][]int32   // per depth: the terms it ruled out
	hi, lo     []float64   // [d]: the bounds with the first d issues set
	set        int         // depths set: 0..set-1
}

type termRef struct{ t, k int32 }

const alive = math.MaxInt32

// NewWalker prepares a walk over the issues of u in the given order (a
// permutation of its issues).
func NewWalker(u *Additive, order []int) *Walker {
	m := len(u.Table)
	w := &Walker{u: u, order: order, maxT: make([]float64, m), minT: make([]float64, m),
		at: make([][]termRef, m), ends: make([][]int32, m), killed: make([]int32, len(u.Terms)),
		kills: make([][]int32, m), hi: make([]float64, m+1), lo: make([]float64, m+1)}
	depth := make([]int, m)
	for d, i := range order {
		depth[i] = d
	}
	hi, lo := 0.0, 0.0
	for i, t := range u.Table {
		if len(t) > 0 {
			w.maxT[i], w.minT[i] = slices.Max(t), slices.Min(t)
		}
		hi += w.maxT[i]
		lo += w.minT[i]
	}
	for k := range u.Terms {
		t := &u.Terms[k]
		w.killed[k] = alive
		last := -1
		for j, i := range t.Issues {
			w.at[depth[i]] = append(w.at[depth[i]], termRef{int32(k), int32(j)})
			last = max(last, depth[i])
		}
		switch {
		case last < 0: // on no issue: every outcome has it
			hi += t.Value
			lo += t.Value
		case t.Value > 0:
			hi += t.Value
			w.ends[last] = append(w.ends[last], int32(k))
		default:
			lo += t.Value
			w.ends[last] = append(w.ends[last], int32(k))
		}
	}
	w.hi[0], w.lo[0] = hi, lo
	return w
}

// Set gives the issue at depth d of the order value v; the issues before
// it keep theirs, those after it are unset.
func (w *Walker) Set(d, v int) {
	for dd := w.set - 1; dd >= d; dd-- {
		for _, t := range w.kills[dd] {
			w.killed[t] = alive
		}
		w.kills[dd] = w.kills[dd][:0]
	}
	w.set = d + 1
	i := w.order[d]
	x := w.u.Table[i][v]
	hi := w.hi[d] + (x - w.maxT[i])
	lo := w.lo[d] + (x - w.minT[i])
	terms := w.u.Terms
	for _, r := range w.at[d] {
		if w.killed[r.t] != alive {
			continue
		}
		if al := terms[r.t].Allowed[r.k]; v >= len(al) || !al[v] {
			w.killed[r.t] = int32(d)
			w.kills[d] = append(w.kills[d], r.t)
			if val := terms[r.t].Value; val > 0 {
				hi -= val
			} else {
				lo -= val
			}
		}
	}
	for _, t := range w.ends[d] {
		if w.killed[t] != alive {
			continue
		}
		if val := terms[t].Value; val > 0 {
			lo += val
		} else {
			hi += val
		}
	}
	w.hi[d+1], w.lo[d+1] = hi, lo
}

// Bounds returns the smallest and largest sum any outcome can reach that
// agrees with the first d issues of the order as set (d = 0: all outcomes;
// d = the number of issues: the outcome's own sum, up to rounding).
func (w *Walker) Bounds(d int) (lo, hi float64) { return w.lo[d], w.hi[d] }

// Cost is the work of setting the issue at depth d, in terms looked at
// (at least 1): searches count it against their limits, so that a limit
// means the same time whatever the number of terms.
func (w *Walker) Cost(d int) int64 { return int64(1 + len(w.at[d]) + len(w.ends[d])) }

// Order is the walk's issue order.
func (w *Walker) Order() []int { return w.order }

// RoundingMargin bounds the rounding error of the Walker's bounds on u (see
// roundingMargin): a search that widens them by it never prunes a subtree
// whose true best beats what it has found.
func (a *Additive) RoundingMargin() float64 { return a.roundingMargin() }
