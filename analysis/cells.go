package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// DefaultFrontierSamples is how many outcomes a frontier samples when the
// exact search over cells passes its work limit (Options.FrontierSamples).
const DefaultFrontierSamples = 1_000_000

// hasTerms reports whether some utility has terms (utility.Term): then
// utilities are not additive, and the frontier, the zone count and the
// extremes work on cells.
func hasTerms(us []*utility.Additive) bool {
	for _, u := range us {
		if u.HasTerms() {
			return true
		}
	}
	return false
}

// checkTerms refuses term values that are not finite numbers and terms
// whose value flags do not fit the space.
func checkTerms(us []*utility.Additive, sp outcome.Space) error {
	m := sp.Issues()
	for p, u := range us {
		for k := range u.Terms {
			t := &u.Terms[k]
			if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
				return fmt.Errorf("analysis: party %d, term %d: value is %v", p, k, t.Value)
			}
			if len(t.Allowed) != len(t.Issues) {
				return fmt.Errorf("analysis: party %d, term %d names %d issues with %d sets of values", p, k, len(t.Issues), len(t.Allowed))
			}
			for j, i := range t.Issues {
				if i < 0 || i >= m {
					return fmt.Errorf("analysis: party %d, term %d names issue %d of %d", p, k, i, m)
				}
				if len(t.Allowed[j]) != sp.Card(i) {
					return fmt.Errorf("analysis: party %d, term %d has %d flags for issue %d of %d values", p, k, len(t.Allowed[j]), i, sp.Card(i))
				}
			}
		}
	}
	return nil
}

// termFrontier is the frontier of utilities with terms. The space is
// compressed to cells (utility.Cells: on each issue, the values no table,
// term or red line tells apart), and a depth-first branch and bound walks
// the cells: a subtree is pruned when the best utilities any of its
// outcomes can reach (utility.Walker's bounds) are already dominated by an
// outcome found, with the margins of the tie rule; the outcomes that
// survive are kept as in the additive frontier, each cell weighted by its
// outcomes. The result is exact. Each node visited, and each term looked at
// there, counts as a dominance check against Options.MaxChecks; past the
// limit the frontier is
// estimated from a seeded uniform sample (Pareto.Sampled says so).
func (e *engine) termFrontier(us []*utility.Additive, opts Options) (*Pareto, error) {
	c := utility.NewCells(us)
	t := &termSearch{e: e, c: c, order: utility.SearchOrder(us), cell: make([]int, e.m),
		ub: make([]float64, e.n), val: make([]float64, e.n), pos: make([]int, e.m)}
	t.f = newFront(e.n, e.k, false)
	for _, u := range us {
		r := c.Reduce(u)
		t.rus = append(t.rus, r)
		t.ws = append(t.ws, utility.NewWalker(r, t.order))
		t.eps = append(t.eps, r.RoundingMargin())
		t.lines = t.lines || len(u.RedLines) > 0
	}
	t.ids = t.outcomes
	t.walk(0)
	if t.err == nil {
		p, err := e.finishFront(t.f)
		if p != nil {
			p.Cells = c.NumCells()
		}
		return p, err
	}
	if x, ok := t.err.(*budget.Exceeded); !ok || x.Cause != budget.ErrWork {
		return nil, t.err
	}
	// The sample starts a new count against the same limit.
	e.err, e.checks, e.nextPoll = nil, 0, pollEvery
	p, err := e.sampleFront(us, opts)
	if p != nil {
		p.Cells = c.NumCells()
	}
	return p, err
}

// termNotes say how the frontier of utilities with terms was found: exact
// over cells, or estimated from a sample (never to be taken for exact).
func termNotes(us []*utility.Additive, f *Pareto) []string {
	if !hasTerms(us) {
		return nil
	}
	if f.Sampled > 0 {
		return []string{fmt.Sprintf("utilities are not additive (terms); the exact frontier over %s cells passed its work limit, so the Pareto frontier and the solution points are ESTIMATED from %s sampled outcomes: outcomes outside the sample may dominate them, and each point's outcome count is its number of samples", budget.Count(f.Cells), budget.Thousands(uint64(f.Sampled)))}
	}
	return []string{fmt.Sprintf("utilities are not additive (terms): the Pareto frontier is exact, found over %s cells (classes of outcomes no utility tells apart)", budget.Count(f.Cells))}
}

// termSearch is the walk behind termFrontier.
type termSearch struct {
	e     *engine
	c     *utility.Cells
	rus   []*utility.Additive // the utilities over cells
	ws    []*utility.Walker
	eps   []float64 // per party, the rounding margin of its bounds
	order []int
	lines bool // some party has red lines
	cell  []int
	ub    []float64
	val   []float64
	pos   []int
	buf   []uint64
	f     *front
	ids   func() []uint64
	err   error
}

func (t *termSearch) walk(d int) {
	e := t.e
	e.checks += 1 + t.f.ops
	t.f.ops = 0
	if d > 0 {
		for _, w := range t.ws {
			e.checks += w.Cost(d - 1)
		}
	}
	if e.maxCheck > 0 && e.checks > e.maxCheck {
		t.err = &budget.Exceeded{Step: e.step(), At: fmt.Sprintf("after %s search nodes over %s cells", budget.Count(float64(e.checks)), budget.Count(t.c.NumCells())),
			Limit: float64(e.maxCheck), Unit: "search nodes", Cause: budget.ErrWork}
		return
	}
	if e.checks >= e.nextPoll {
		if e.poll(t.f.len); e.err != nil {
			t.err = e.err
			return
		}
	}
	for p, w := range t.ws {
		_, hi := w.Bounds(d)
		t.ub[p] = utility.Clamp(hi + t.eps[p])
	}
	if t.f.dominated(t.ub) {
		return
	}
	if d == len(t.order) {
		t.leaf()
		return
	}
	i := t.order[d]
	for k := range t.c.Sizes[i] {
		t.cell[i] = k
		for _, w := range t.ws {
			w.Set(d, k)
		}
		if t.walk(d + 1); t.err != nil {
			return
		}
	}
}

// leaf offers the cell under way to the frontier.
func (t *termSearch) leaf() {
	if t.lines {
		for _, u := range t.rus {
			if len(u.RedLines) > 0 && u.Crosses(t.cell) >= 0 {
				return
			}
		}
	}
	for p, u := range t.rus {
		t.val[p] = u.Raw(t.cell)
	}
	n := t.f.len
	t.f.add(t.val, t.c.Count(t.cell), t.ids)
	if t.f.len > n && t.f.len%4096 == 0 {
		if need := t.f.bytes(); t.e.b.Over(need) {
			t.err = &budget.Exceeded{Step: t.e.step(), At: fmt.Sprintf("with %s frontier points over %s cells", budget.Thousands(uint64(t.f.len)), budget.Count(t.c.NumCells())),
				Need: need, Limit: float64(t.e.b.Memory), Unit: "bytes", Estimated: true, Cause: budget.ErrMemory}
		}
	}
}

// outcomes lists the first outcomes of the cell under way in enumeration
// order (at most the number a point lists): counting through each class's
// values, ascending, with the first issue fastest gives the cell's outcome
// indices in ascending order.
func (t *termSearch) outcomes() []uint64 {
	sp, mem := t.e.sp, t.c.Members
	clear(t.pos)
	out := t.buf[:0]
	for len(out) < t.e.k {
		var idx uint64
		for i, k := range t.cell {
			idx += uint64(mem[i][k][t.pos[i]]) * sp.Stride(i)
		}
		out = append(out, idx)
		i := 0
		for ; i < len(t.pos); i++ {
			if t.pos[i]++; t.pos[i] < len(mem[i][t.cell[i]]) {
				break
			}
			t.pos[i] = 0
		}
		if i == len(t.pos) {
			break
		}
	}
	t.buf = out
	return out
}

// sampleFront estimates the frontier from opts.FrontierSamples outcomes
// drawn uniformly with opts.Seed: the frontier of the sample, whose points
// count the samples that have them and list those samples.
func (e *engine) sampleFront(us []*utility.Additive, opts Options) (*Pareto, error) {
	k := opts.FrontierSamples
	if k <= 0 {
		k = DefaultFrontierSamples
	}
	f := newFront(e.n, e.k, false)
	r := rand.New(rand.NewPCG(opts.Seed, 0x51ed270b27ed1e55))
	o := make([]int, e.m)
	val := make([]float64, e.n)
	var idx []uint64
	one := func() []uint64 { return idx }
	for j := range k {
		if j%pollEvery == 0 {
			if err := e.b.Err(); err != nil {
				return nil, &budget.Exceeded{Step: e.step(), At: budget.Thousands(uint64(j)) + " outcomes sampled", Cause: err}
			}
		}
		if e.checks += 1 + f.ops; e.maxCheck > 0 && e.checks > e.maxCheck {
			return nil, &budget.Exceeded{Step: e.step() + " (estimated from a sample, its exact search having passed the limit)",
				At:    fmt.Sprintf("after %s samples, with %s frontier points", budget.Thousands(uint64(j)), budget.Thousands(uint64(f.len))),
				Limit: float64(e.maxCheck), Unit: "dominance checks", Cause: budget.ErrWork}
		}
		f.ops = 0
		e.sp.Sample(r, o)
		if crossesAny(us, o) {
			continue
		}
		for p, u := range us {
			val[p] = u.Raw(o)
		}
		idx = append(idx[:0], e.sp.Index(o))
		f.add(val, 1, one)
	}
	p, err := e.finishFront(f)
	if p != nil {
		p.Sampled = k
	}
	return p, err
}

// listFront is the frontier of the first count outcomes in enumeration
// order, red lines ignored (Genius's cutoff, for utilities with terms).
func (e *engine) listFront(us []*utility.Additive, count uint64) (*Pareto, error) {
	f := newFront(e.n, e.k, false)
	o := make([]int, e.m)
	val := make([]float64, e.n)
	var idx []uint64
	one := func() []uint64 { return idx }
	for j := range count {
		if j%pollEvery == 0 {
			if err := e.b.Err(); err != nil {
				return nil, &budget.Exceeded{Step: e.step(), At: budget.Thousands(j) + " outcomes listed", Cause: err}
			}
		}
		for p, u := range us {
			val[p] = u.Raw(o)
		}
		idx = append(idx[:0], j)
		f.add(val, 1, one)
		if !e.sp.Next(o) {
			break
		}
	}
	return e.finishFront(f)
}

func crossesAny(us []*utility.Additive, o []int) bool {
	for _, u := range us {
		if u.Refuses(o) {
			return true
		}
	}
	return false
}

// finishFront turns the points of f into the frontier as the additive
// frontier finishes: the tie rule's merge, then exact dominance.
func (e *engine) finishFront(f *front) (*Pareto, error) {
	n, k := e.n, e.k
	c := &e.cand
	c.reset(f.len, e.masks, n > 2)
	copy(c.vals, f.vals[:f.len*n])
	copy(c.cnt, f.cnt[:f.len])
	copy(c.idx, f.ids[:f.len*k])
	copy(c.nidx, f.nids[:f.len])
	c.len = f.len
	return e.finish()
}

// front holds complete outcomes' utility vectors that no other found so
// far dominates, under the margins the additive frontier prunes with
// between issues (at least as good up to Tolerance/(2n) in every party,
// better by more than Tolerance in one), each with the number of outcomes
// that have it and the first of them. Two parties are kept sorted by party
// 0's utility descending, so a test is two binary searches.
type front struct {
	n, k int
	w, s float64
	len  int
	vals []float64
	cnt  []uint64
	ids  []uint64 // k per point
	nids []int32
	pmax []float64 // two parties: prefix maxima of party 1
	tmp  []uint64
	ops  int64 // points looked at since the caller last took the count
}

// bytes estimates the memory of f's points.
func (f *front) bytes() float64 {
	return 1.5 * float64(f.len) * float64(8*f.n+8+8*f.k+4+8)
}

func newFront(n, k int, exact bool) *front {
	f := &front{n: n, k: k, w: Tolerance / float64(2*n), s: Tolerance}
	if exact {
		f.w, f.s = 0, 0
	}
	return f
}

// dominated reports whether some point dominates u.
func (f *front) dominated(u []float64) bool {
	if f.len == 0 {
		return false
	}
	n := f.n
	if n == 2 {
		u0, u1 := u[0], u[1]
		// Points better in party 0 by more than s: not worse in party 1 than u1−w.
		j := sort.Search(f.len, func(j int) bool { return f.vals[2*j] <= u0+f.s })
		if j > 0 && f.pmax[j-1] >= u1-f.w {
			return true
		}
		// Points not worse in party 0 than u0−w: better in party 1 by more than s.
		j = sort.Search(f.len, func(j int) bool { return f.vals[2*j] < u0-f.w })
		return j > 0 && f.pmax[j-1] > u1+f.s
	}
	f.ops += int64(f.len)
	for a := 0; a < f.len; a++ {
		if f.dominates(f.vals[a*n:a*n+n], u) {
			return true
		}
	}
	return false
}

// dominates reports whether a dominates b under the margins.
func (f *front) dominates(a, b []float64) bool {
	strict := false
	for p, x := range a {
		if x < b[p]-f.w {
			return false
		}
		strict = strict || x > b[p]+f.s
	}
	return strict
}

// add offers the vector u of cnt outcomes, the first of them given by ids
// (called only when u is kept).
func (f *front) add(u []float64, cnt uint64, ids func() []uint64) {
	n := f.n
	at := f.find(u)
	if at < f.len && slices.Equal(f.vals[at*n:at*n+n], u) {
		f.cnt[at] += cnt
		f.nids[at] = int32(f.merge(f.ids[at*f.k:at*f.k+f.k], int(f.nids[at]), ids()))
		return
	}
	if f.dominated(u) {
		return
	}
	// Drop the points u dominates, then insert u at its place.
	f.ops += int64(f.len)
	j := 0
	for b := 0; b < f.len; b++ {
		if f.dominates(u, f.vals[b*n:b*n+n]) {
			continue
		}
		if j != b {
			copy(f.vals[j*n:j*n+n], f.vals[b*n:b*n+n])
			f.cnt[j] = f.cnt[b]
			copy(f.ids[j*f.k:j*f.k+f.k], f.ids[b*f.k:b*f.k+f.k])
			f.nids[j] = f.nids[b]
		}
		j++
	}
	f.len = j
	at = f.find(u)
	f.vals = slices.Insert(f.vals[:f.len*n], at*n, u...)
	f.cnt = slices.Insert(f.cnt[:f.len], at, cnt)
	list := ids()
	if len(list) > f.k {
		list = list[:f.k]
	}
	slot := make([]uint64, f.k)
	copy(slot, list)
	f.ids = slices.Insert(f.ids[:f.len*f.k], at*f.k, slot...)
	f.nids = slices.Insert(f.nids[:f.len], at, int32(len(list)))
	f.len++
	if n == 2 {
		f.pmax = grow(f.pmax, f.len)
		m := math.Inf(-1)
		for q := range f.len {
			m = max(m, f.vals[2*q+1])
			f.pmax[q] = m
		}
	}
}

// find returns where u belongs: for two parties its place in the order
// (party 0 descending, then party 1 descending), else the index of an
// equal vector or len.
func (f *front) find(u []float64) int {
	if f.n == 2 {
		return sort.Search(f.len, func(j int) bool {
			a0, a1 := f.vals[2*j], f.vals[2*j+1]
			return a0 < u[0] || (a0 == u[0] && a1 <= u[1])
		})
	}
	for a := 0; a < f.len; a++ {
		if slices.Equal(f.vals[a*f.n:a*f.n+f.n], u) {
			return a
		}
	}
	return f.len
}

// merge merges the ascending list b into dst[:na] (ascending, capacity
// len(dst)), keeping the smallest len(dst) distinct indices, and returns
// the new length.
func (f *front) merge(dst []uint64, na int, b []uint64) int {
	buf := append(f.tmp[:0], dst[:na]...)
	f.tmp = buf
	x, y, o := 0, 0, 0
	for o < len(dst) && (x < len(buf) || y < len(b)) {
		var v uint64
		switch {
		case y >= len(b) || (x < len(buf) && buf[x] < b[y]):
			v = buf[x]
			x++
		case x < len(buf) && buf[x] == b[y]:
			v = buf[x]
			x++
			y++
		default:
			v = b[y]
			y++
		}
		dst[o] = v
		o++
	}
	return o
}

// zopaCells counts the zone of possible agreement of utilities with terms
// over cells, as zopaWalk does over outcomes: a subtree in which every
// party's smallest completion clears its reservation value counts whole
// (its outcomes: the chosen classes' sizes times the remaining issues'),
// one in which some party's largest cannot reach it counts nothing.
type zopaCells struct {
	z     *zopaWalk
	c     *utility.Cells
	rus   []*utility.Additive
	ws    []*utility.Walker
	eps   []float64
	order []int
	rest  []uint64 // [d]: outcomes of the issues at depth d and after
	cell  []int
	lines bool
}

func newZopaCells(z *zopaWalk, us []*utility.Additive, sp outcome.Space) *zopaCells {
	c := utility.NewCells(us)
	zc := &zopaCells{z: z, c: c, order: utility.SearchOrder(us), cell: make([]int, sp.Issues())}
	for _, u := range us {
		r := c.Reduce(u)
		zc.rus = append(zc.rus, r)
		zc.ws = append(zc.ws, utility.NewWalker(r, zc.order))
		zc.eps = append(zc.eps, r.RoundingMargin())
		zc.lines = zc.lines || len(u.RedLines) > 0
	}
	zc.rest = make([]uint64, len(zc.order)+1)
	zc.rest[len(zc.order)] = 1
	for d := len(zc.order) - 1; d >= 0; d-- {
		zc.rest[d] = zc.rest[d+1] * uint64(sp.Card(zc.order[d]))
	}
	return zc
}

// walk counts the zone below depth d, whose cells so far hold mult
// outcomes; false when the node budget runs out.
func (zc *zopaCells) walk(d int, mult uint64) (uint64, bool) {
	z := zc.z
	if z.budget > 0 {
		if d > 0 {
			for _, w := range zc.ws {
				z.nodes += int(w.Cost(d - 1))
			}
		}
		if z.nodes++; z.nodes > z.budget {
			return 0, false
		}
	}
	if !z.poll(z.visits, "search nodes") {
		return 0, false
	}
	whole := !zc.lines
	for p, w := range zc.ws {
		lo, hi := w.Bounds(d)
		if utility.Clamp(hi+zc.eps[p]) < z.th[p]-zopaMargin {
			return 0, true
		}
		if utility.Clamp(lo-zc.eps[p]) < z.th[p]+zopaMargin {
			whole = false
		}
	}
	if whole {
		return mult * zc.rest[d], true
	}
	if d == len(zc.order) {
		for p, u := range zc.rus {
			if len(u.RedLines) > 0 && u.Crosses(zc.cell) >= 0 {
				return 0, true
			}
			if u.Raw(zc.cell) < z.th[p] {
				return 0, true
			}
		}
		return mult, true
	}
	i := zc.order[d]
	var total uint64
	for k := range zc.c.Sizes[i] {
		zc.cell[i] = k
		for _, w := range zc.ws {
			w.Set(d, k)
		}
		x, ok := zc.walk(d+1, mult*uint64(len(zc.c.Members[i][k])))
		if !ok {
			return 0, false
		}
		total += x
	}
	return total, true
}
