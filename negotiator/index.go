package negotiator

import (
	"fmt"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// byIDLimit is the largest space for which an Index keeps every outcome's
// utility in a table by outcome index (8 bytes an outcome); beyond it,
// Utility decodes the index and sums the issue tables.
const byIDLimit = 1 << 22

// Index answers "an outcome with utility at least x" for one utility
// function. It is built once per profile and shared read-only by any number
// of sessions and goroutines.
//
// For spaces of at most outcome.DefaultEnumerationLimit outcomes it sorts
// every outcome by utility (ascending, ties by outcome index), so AtLeast is a
// binary search and Rank walks the outcomes best first. Larger spaces are not
// enumerated: AtLeast then runs a deterministic greedy descent from the best
// outcome (see atLeastGreedy), which returns an outcome with utility ≥ x but
// not necessarily the one closest to x, and Rank is unavailable (Sorted
// reports false).
//
// A utility with terms (utility.Term) is not additive, so the greedy
// descent's single changes can stall far above x. Over a space too large to
// sort, its index sorts the utility's cells instead (utility.Cells: the
// classes of outcomes it cannot tell apart, ANAC 2014's 10^10 outcomes are
// about 10^6 cells per party) when they are few enough to sort: each cell
// stands for its first outcome, so AtLeast is exact and Rank, At and Len
// walk cells (Cells reports true). Beyond that it falls back to the greedy
// descent from the exact best outcome.
type Index struct {
	space outcome.Space
	u     *utility.Additive
	size  uint64

	utils []float64 // ascending
	ids   []uint32  // ids[i] has utility utils[i] (sorted spaces have < 2^32 outcomes)
	byID  []float64 // utility by outcome index, for spaces up to byIDLimit

	maxU, minU   float64
	maxID, minID uint64

	// cells, when set, means ids are cell indices in cellSpace (mixed
	// radix over each issue's classes), each standing for its first
	// outcome (outcomeOf).
	cells     *utility.Cells
	cellSpace outcome.Space
}

// sortLimit is the largest space (or number of cells) an index sorts: a
// variable so that tests can lower it.
var sortLimit uint64 = outcome.DefaultEnumerationLimit

// NewIndex builds the index of u over sp. It fails only for a space whose
// size does not fit in 64 bits (outcome indices would overflow).
func NewIndex(u *utility.Additive, sp outcome.Space) (*Index, error) {
	return NewIndexWithin(u, sp, nil)
}

// IndexMemory estimates the bytes of an index of sp: what it keeps, and
// what building it needs besides (the radix sort's scratch copy); both 0
// for a space too large to sort.
func IndexMemory(sp outcome.Space) (kept, scratch float64) {
	size, ok := sp.Size()
	if !ok || sp.CheckEnumerable(sortLimit) != nil {
		return 0, 0
	}
	kept = 12 * float64(size)
	if size <= byIDLimit {
		kept += 8 * float64(size)
	}
	return kept, 12 * float64(size)
}

// NewIndexWithin is NewIndex bounded by b: the index's memory must fit
// (IndexMemory), and b's context is polled, and its progress callback
// told, as the outcomes are evaluated.
func NewIndexWithin(u *utility.Additive, sp outcome.Space, b *budget.Budget) (*Index, error) {
	size, ok := sp.Size()
	if !ok {
		return nil, fmt.Errorf("outcome space of %.4g outcomes is too large to index in 64 bits", sp.SizeFloat())
	}
	if len(u.Table) != sp.Issues() {
		return nil, fmt.Errorf("utility function has %d issues, the space %d", len(u.Table), sp.Issues())
	}
	x := &Index{space: sp, u: u, size: size}
	large := sp.CheckEnumerable(sortLimit) != nil
	if large && u.HasTerms() {
		if err := x.indexCells(b); err != nil {
			return nil, err
		}
		return x, nil
	}
	if large {
		if err := x.greedyBounds(); err != nil {
			return nil, err
		}
		return x, nil
	}
	if kept, scratch := IndexMemory(sp); b.Over(kept + scratch) {
		return nil, b.Fit(indexStep(size), "", kept+scratch)
	}
	if err := x.sortAll(sp, u.Utility, size <= byIDLimit, b); err != nil {
		return nil, err
	}
	return x, nil
}

// greedyBounds sets the best and worst outcomes of an index that is not
// sorted: the best repaired to cross no red line, the start of the greedy
// descent. With terms they are searched for (utility.Additive.Extreme); a
// search that cannot prove its answer is an error, never a wrong best.
func (x *Index) greedyBounds() error {
	u, sp := x.u, x.space
	best := u.Extreme
	if u.HasTerms() && len(u.RedLines) > 0 {
		// Red lines are searched with the terms: the best acceptable
		// outcome, exactly (Unacceptable if every outcome crosses one).
		best = func(_ bool, limit int64) (float64, []int, error) { return u.MaxAcceptable(limit) }
	}
	maxU, maxO, err := best(true, utility.DefaultSearchNodes)
	if err != nil {
		return fmt.Errorf("the best outcome of a utility with %d terms over %s outcomes: %w", len(u.Terms), budget.Count(sp.SizeFloat()), err)
	}
	minU, minO, err := u.Extreme(false, utility.DefaultSearchNodes)
	if err != nil {
		return fmt.Errorf("the worst outcome of a utility with %d terms over %s outcomes: %w", len(u.Terms), budget.Count(sp.SizeFloat()), err)
	}
	x.maxU, x.maxID = maxU, sp.Index(maxO)
	x.minU, x.minID = minU, sp.Index(minO)
	if !u.HasTerms() && len(u.RedLines) > 0 && u.Crosses(maxO) >= 0 {
		x.maxID, x.maxU = bestAcceptable(u, sp, maxO)
	}
	return nil
}

// indexCells indexes a utility with terms over a space too large to sort:
// by its cells when they are few enough to sort, otherwise by the greedy
// descent.
func (x *Index) indexCells(b *budget.Budget) error {
	c := utility.NewCells([]*utility.Additive{x.u})
	if n := c.NumCells(); n > float64(sortLimit) {
		return x.greedyBounds()
	}
	cs, err := outcome.NewSpace(c.Sizes)
	if err != nil {
		return err
	}
	n, _ := cs.Size()
	if need := 24 * float64(n); b.Over(need) {
		return b.Fit(indexStep(n)+" (cells)", "", need)
	}
	x.cells, x.cellSpace = c, cs
	r := c.Reduce(x.u)
	return x.sortAll(cs, r.Utility, false, b)
}

// outcomeOf is the outcome an entry of the sorted ids stands for: itself,
// or for an index over cells the cell's first outcome.
func (x *Index) outcomeOf(id uint32) uint64 {
	if x.cells == nil {
		return uint64(id)
	}
	return x.cellOutcome(id)
}

// cellOutcome is the first outcome of cell id.
func (x *Index) cellOutcome(id uint32) uint64 {
	rest := uint64(id)
	var o uint64
	for i, n := range x.cells.Sizes {
		k := rest % uint64(n)
		rest /= uint64(n)
		o += uint64(x.cells.Members[i][k][0]) * x.space.Stride(i)
	}
	return o
}

// Cells reports whether the index sorts cells rather than outcomes (see
// Index): Len, Rank and At then count cells, each standing for its first
// outcome.
func (x *Index) Cells() bool { return x.cells != nil }

func indexStep(size uint64) string {
	return "indexing " + budget.Thousands(size) + " outcomes"
}

// NewIndexFunc builds the sorted index of an arbitrary utility function f
// over sp, such as a party's expected utility once it anticipates its
// ratification, which is not additive: it evaluates f on every outcome, so
// sp must have at most outcome.DefaultEnumerationLimit outcomes. f must be
// deterministic and must not keep the slice it is given. It is called only
// while the index is built, once per outcome in index order (so it may use
// scratch space of its own): the index keeps every outcome's value in a
// table (8 more bytes an outcome). Func returns nil.
func NewIndexFunc(f func(o []int) float64, sp outcome.Space) (*Index, error) {
	size, ok := sp.Size()
	if !ok {
		return nil, fmt.Errorf("outcome space of %.4g outcomes is too large to index in 64 bits", sp.SizeFloat())
	}
	if err := sp.CheckEnumerable(0); err != nil {
		return nil, fmt.Errorf("a utility function that is not additive is indexed by listing every outcome: %w", err)
	}
	x := &Index{space: sp, size: size}
	x.sortAll(sp, f, true, nil) // a nil budget never stops it
	return x, nil
}

// sortAll evaluates eval on every outcome of the (enumerable) space sp, the
// index's or its cells', and sorts them by utility, ascending, ties by
// outcome index; byID keeps the table of utilities by outcome index. The
// sort is a stable radix sort on the utilities' bits (see radixSort):
// linear in the outcomes, where a comparison sort spent seconds on 10^7 of
// them, and 12 bytes an outcome besides the index's own 12. b's context is
// polled every 2^16 outcomes.
func (x *Index) sortAll(sp outcome.Space, eval func(o []int) float64, byID bool, b *budget.Budget) error {
	size, _ := sp.Size()
	buf := make([]int, sp.Issues())
	keys := make([]uint64, size)
	x.ids = make([]uint32, size)
	if byID {
		x.byID = make([]float64, size)
	}
	for id := range size {
		if id%(1<<16) == 0 && id > 0 && b != nil {
			at := budget.Thousands(id) + " of " + budget.Thousands(size) + " evaluated"
			if err := b.Check(indexStep(size), at); err != nil {
				return err
			}
			b.Report(budget.Progress{Step: indexStep(size), Detail: at, Done: int64(id), Total: int64(size)})
		}
		sp.Decode(id, buf)
		u := eval(buf)
		keys[id], x.ids[id] = floatKey(u), uint32(id)
		if byID {
			x.byID[id] = u
		}
	}
	radixSort(keys, x.ids)
	// The keys become the utilities in place: same bits, same order.
	x.utils = unsafeFloats(keys)
	for i, k := range keys {
		x.utils[i] = keyFloat(k)
	}
	// The best and worst by the sort, so that ties resolve like Rank.
	x.maxU, x.maxID = x.utils[size-1], x.outcomeOf(x.ids[size-1])
	x.minU, x.minID = x.utils[0], x.outcomeOf(x.ids[0])
	return nil
}

// Space is the indexed outcome space.
func (x *Index) Space() outcome.Space { return x.space }

// Func is the indexed utility function, or nil for an index built by
// NewIndexFunc (use Utility, which answers for either kind).
func (x *Index) Func() *utility.Additive { return x.u }

// Size is the number of outcomes.
func (x *Index) Size() uint64 { return x.size }

// Sorted reports whether the space was enumerated, so that Rank and Len work.
func (x *Index) Sorted() bool { return x.ids != nil }

// Len is the number of sorted outcomes, or cells (0 when not Sorted).
func (x *Index) Len() int { return len(x.ids) }

// Max returns the best outcome and its utility.
func (x *Index) Max() (id uint64, u float64) { return x.maxID, x.maxU }

// Min returns the worst outcome and its utility.
func (x *Index) Min() (id uint64, u float64) { return x.minID, x.minU }

// Rank returns the k-th best outcome (k = 0 is the best); the index must be Sorted.
func (x *Index) Rank(k int) (id uint64, u float64) {
	i := len(x.ids) - 1 - k
	return x.outcomeOf(x.ids[i]), x.utils[i]
}

// Utility returns the utility of outcome id; buf is scratch space with one
// slot per issue, used only for spaces too large for a lookup table.
func (x *Index) Utility(id uint64, buf []int) float64 {
	if x.byID != nil {
		return x.byID[id]
	}
	x.space.Decode(id, buf)
	return x.u.Utility(buf)
}

// Position returns the sorted position (0 = worst) of the first outcome with
// utility ≥ v; Len() if there is none. The index must be Sorted.
func (x *Index) Position(v float64) int {
	lo, hi := 0, len(x.utils)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x.utils[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// At returns the outcome at sorted position i (0 = worst).
func (x *Index) At(i int) (id uint64, u float64) { return x.outcomeOf(x.ids[i]), x.utils[i] }

// AtLeast returns the outcome with the smallest utility ≥ v (the one with the
// smallest index among ties), or the best outcome with ok false when no
// outcome reaches v. buf is scratch space with one slot per issue, used only
// by the greedy search for spaces that were not enumerated.
func (x *Index) AtLeast(v float64, buf []int) (id uint64, u float64, ok bool) {
	if v > x.maxU {
		return x.maxID, x.maxU, false
	}
	if x.ids == nil {
		return x.atLeastGreedy(v, buf)
	}
	i := x.Position(v)
	return x.outcomeOf(x.ids[i]), x.utils[i], true
}

// atLeastGreedy starts from the best outcome and repeatedly makes the
// single-issue change that lowers the utility most while keeping it ≥ v,
// until no such change is left. Deterministic; it finds a locally smallest
// outcome above v, not always the global one.
func (x *Index) atLeastGreedy(v float64, buf []int) (uint64, float64, bool) {
	x.space.Decode(x.maxID, buf)
	cur := x.u.Utility(buf)
	for {
		bi, bv, bu := -1, 0, cur
		for i, tab := range x.u.Table {
			old := buf[i]
			for val := range tab {
				if val == old {
					continue
				}
				buf[i] = val
				if nu := x.u.Utility(buf); nu >= v && nu < bu {
					bi, bv, bu = i, val, nu
				}
			}
			buf[i] = old
		}
		if bi < 0 {
			return x.space.Index(buf), cur, true
		}
		buf[bi], cur = bv, bu
	}
}

// bestAcceptable repairs the unconstrained best outcome o of a space too
// large to sort until it crosses none of u's red lines: while o crosses a
// red line, it makes the single change, on an issue that line names, to a
// value the line does not forbid, that leaves the highest utility
// (preferring outcomes that cross no line). It returns the repaired outcome
// and its utility (Unacceptable if no repair was found within a bounded
// number of changes). Deterministic, not always optimal.
func bestAcceptable(u *utility.Additive, sp outcome.Space, o []int) (uint64, float64) {
	o = append([]int(nil), o...)
	for range 4 * (sp.Issues() + len(u.RedLines)) {
		k := u.Crosses(o)
		if k < 0 {
			break
		}
		rl := &u.RedLines[k]
		bi, bv, bu, braw := -1, 0, utility.Unacceptable, -1.0
		for j, i := range rl.Issues {
			old := o[i]
			for v := range sp.Card(i) {
				if rl.Allowed[j][v] {
					continue
				}
				o[i] = v
				nu, raw := u.Utility(o), u.Raw(o)
				if nu > bu || (nu == bu && raw > braw) {
					bi, bv, bu, braw = i, v, nu, raw
				}
			}
			o[i] = old
		}
		if bi < 0 {
			break
		}
		o[bi] = bv
	}
	return sp.Index(o), u.Utility(o)
}
