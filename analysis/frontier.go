package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// Tolerance is the tie rule of every figure: per party, sorted distinct
// utility values that differ from their neighbour by at most Tolerance are
// merged (represented by the smallest), and criteria within Tolerance of the
// best are ties.
const Tolerance = utility.AcceptMargin

// DefaultListed is how many outcomes a point lists unless Options says.
const DefaultListed = 10

// maxListed bounds Options.Listed: each state stores that many indices.
const maxListed = 1000

// clampMargin keeps the pruning rule away from the clamp min(·, 1): a strict
// advantage of one partial state over another in party k is trusted only if
// the dominated state's best completion in k stays below 1 − clampMargin.
const clampMargin = 1e-9

// Point is one utility vector with the outcomes that have it.
type Point struct {
	Utilities []float64 // one per party, in party order
	N         uint64    // number of outcomes with this utility vector
	// Outcomes are the mixed-radix indices (outcome.Space.Index) of the first
	// outcomes in enumeration order, at most Options.Listed of them.
	Outcomes []uint64
}

// Pareto is the Pareto frontier of an outcome space: its distinct utility
// vectors (after the 1e-12 merge), sorted by party 0's utility ascending, then
// party 1's, and so on.
type Pareto struct {
	Parties int
	Points  []Point
	N       uint64 // outcomes on the frontier (the sum of the points' N)
	// Cells is the number of cells searched when some utility has terms
	// (see termFrontier), 0 for additive utilities.
	Cells float64
	// Sampled is 0 for the exact frontier. Otherwise the exact search passed
	// its work limit and this is the frontier of Sampled outcomes drawn
	// uniformly: its points may be dominated by outcomes outside the sample,
	// and each point's N counts the samples that have it.
	Sampled int
}

// Frontier computes the Pareto frontier of sp under the utilities us (one
// per party). When some utility has terms it searches cells (see
// termFrontier). Otherwise, for linear additive utilities, it does not
// enumerate sp: partial outcomes are
// built issue by issue, in issue order, and a partial state that cannot
// complete to a frontier outcome is pruned as soon as another state
// dominates it (see the package documentation). Outcomes that cross any
// party's red line are excluded. Time and memory grow with the size of the
// frontier (times the largest issue), not with the size of the space.
//
// Opts.Budget bounds it: before each issue it checks its estimate of the
// memory the issue needs, and it stops once the context is done or after
// Options.MaxChecks dominance checks (refusing before an issue whose
// foreseen checks pass the limit), with a *budget.Exceeded that says where
// it got.
func Frontier(us []*utility.Additive, sp outcome.Space, opts Options) (*Pareto, error) {
	e, err := newEngine(us, sp, opts)
	if err != nil {
		return nil, err
	}
	defer e.end()
	if vetoes(us) {
		return e.vetoFrontier(us, opts)
	}
	if e.terms {
		return e.termFrontier(us, opts)
	}
	return e.run()
}

// set holds partial states in flat slices: state j has utilities
// vals[j*n:(j+1)*n], count cnt[j], its first outcome indices
// idx[j*k:j*k+nidx[j]] (ascending) and the red lines it may still cross.
type set struct {
	n, k int
	len  int
	vals []float64
	cnt  []uint64
	idx  []uint64
	nidx []int32
	mask []uint64
	sum  []float64 // sort key for n > 2
}

func (s *set) reset(capacity int, masks, sums bool) {
	s.len = 0
	s.vals = grow(s.vals, capacity*s.n)
	s.cnt = grow(s.cnt, capacity)
	s.idx = grow(s.idx, capacity*s.k)
	s.nidx = grow(s.nidx, capacity)
	if masks {
		s.mask = grow(s.mask, capacity)
	} else {
		s.mask = s.mask[:0]
	}
	if sums {
		s.sum = grow(s.sum, capacity)
	}
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n, n+n/4)
	}
	return b[:n]
}

type engine struct {
	n, m, k int
	sp      outcome.Space
	// tab[i][v*n+p] is party p's table entry for value v of issue i.
	tab [][]float64
	// rest[i*n+p]: the largest sum party p can still add after issue i.
	rest []float64
	// Red lines: clear[i][v] has bit r set when value v of issue i breaks red
	// line r; ends[i] has the red lines whose last issue is i.
	clear    [][]uint64
	ends     []uint64
	initMask uint64
	lineBits uint64 // one bit per red line
	masks    bool

	// lo[i], hi[i]: the values of issue i taken (normally 0 and its size).
	lo, hi []int

	cur, cand, uniq set
	perm            []int32
	keep            []bool
	pmax            []float64
	listBuf         []uint64
	fbuf            []float64

	// The budget: b, the dominance checks made so far and allowed, when
	// next to poll the context, the outcomes of Genius's cutoff (0 for the
	// whole space; see step), the issue under way, the share of states
	// that survived the last pruning (to foresee the next one's work) and
	// the first stop.
	b                *budget.Budget
	checks, maxCheck int64
	nextPoll         int64
	prefix           uint64
	issue            int
	survival         float64
	err              error

	terms bool // some utility has terms: not additive (cells.go)
}

// step names the frontier for messages and progress (formatted only for
// them: Frontier runs in tight loops of its own callers).
func (e *engine) step() string {
	if e.prefix > 0 {
		return fmt.Sprintf("the Pareto frontier of %d parties over the first %s outcomes (Genius's cutoff)", e.n, budget.Thousands(e.prefix))
	}
	return fmt.Sprintf("the Pareto frontier of %d parties over %s outcomes", e.n, budget.Count(e.sp.SizeFloat()))
}

// end tells the budget's listener that the frontier is done.
func (e *engine) end() {
	if e.b.Reporting() {
		e.b.End(e.step())
	}
}

// stop is the error of a frontier its budget stopped.
func (e *engine) stop(states int, cause error) error {
	return &budget.Exceeded{Step: e.step(), At: e.where(states), Cause: cause}
}

// pollEvery is how many dominance checks go between two looks at the
// budget's context: a millisecond or two of work, and nothing measurable
// next to the checks themselves.
const pollEvery = 1 << 16

func newEngine(us []*utility.Additive, sp outcome.Space, opts Options) (*engine, error) {
	if len(us) == 0 {
		return nil, errors.New("analysis: no parties")
	}
	if _, ok := sp.Size(); !ok {
		return nil, fmt.Errorf("analysis: the space has %.4g outcomes, more than 2^64; outcome indices would overflow", sp.SizeFloat())
	}
	k := opts.listed()
	n, m := len(us), sp.Issues()
	e := &engine{n: n, m: m, k: k, sp: sp, b: opts.Budget, maxCheck: opts.maxChecks(), nextPoll: pollEvery, survival: 1}
	e.tab = make([][]float64, m)
	e.rest = make([]float64, m*n)
	for p, u := range us {
		if len(u.Table) != m {
			return nil, fmt.Errorf("analysis: party %d has %d issues, the space %d", p, len(u.Table), m)
		}
		for i, t := range u.Table {
			if len(t) != sp.Card(i) {
				return nil, fmt.Errorf("analysis: party %d, issue %d has %d values, the space %d", p, i, len(t), sp.Card(i))
			}
			for v, x := range t {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("analysis: party %d, issue %d, value %d: utility table entry is %v", p, i, v, x)
				}
			}
		}
	}
	e.lo, e.hi = make([]int, m), make([]int, m)
	for i := 0; i < m; i++ {
		c := sp.Card(i)
		e.hi[i] = c
		t := make([]float64, c*n)
		for v := 0; v < c; v++ {
			for p, u := range us {
				t[v*n+p] = u.Table[i][v]
			}
		}
		e.tab[i] = t
	}
	for p, u := range us {
		r := 0.0
		for i := m - 1; i >= 0; i-- {
			e.rest[i*n+p] = r
			r += slices.Max(u.Table[i])
		}
	}
	if err := checkTerms(us, sp); err != nil {
		return nil, err
	}
	e.terms = hasTerms(us)
	if err := e.compileRedLines(us); err != nil {
		return nil, err
	}
	for _, s := range []*set{&e.cur, &e.cand, &e.uniq} {
		s.n, s.k = n, k
	}
	return e, nil
}

func (e *engine) compileRedLines(us []*utility.Additive) error {
	var lines []*utility.RedLine
	for _, u := range us {
		for r := range u.RedLines {
			lines = append(lines, &u.RedLines[r])
		}
	}
	if len(lines) == 0 {
		return nil
	}
	if len(lines) > 64 {
		return fmt.Errorf("analysis: %d red lines; at most 64 are supported", len(lines))
	}
	e.masks = true
	e.lineBits = ^uint64(0) >> (64 - len(lines))
	e.clear = make([][]uint64, e.m)
	for i := range e.clear {
		e.clear[i] = make([]uint64, e.sp.Card(i))
	}
	e.ends = make([]uint64, e.m)
	for r, rl := range lines {
		bit := uint64(1) << r
		last := -1
		for j, i := range rl.Issues {
			if i < 0 || i >= e.m {
				return fmt.Errorf("analysis: red line %q names issue %d of %d", rl.ID, i, e.m)
			}
			for v := range e.clear[i] {
				if v >= len(rl.Allowed[j]) || !rl.Allowed[j][v] {
					e.clear[i][v] |= bit
				}
			}
			last = max(last, i)
		}
		if last < 0 {
			// A red line on no issue matches every outcome.
			e.initMask |= bit
			continue
		}
		e.ends[last] |= bit
	}
	return nil
}

func (e *engine) run() (*Pareto, error) {
	if err := e.stages(); err != nil {
		return nil, err
	}
	return e.finish()
}

// stages builds the states issue by issue, leaving the complete outcomes'
// candidate sums in cand.
func (e *engine) stages() error {
	n := e.n
	e.cur.reset(1, e.masks, n > 2)
	e.cur.len = 1
	clear(e.cur.vals)
	e.cur.cnt[0] = 1
	e.cur.idx[0] = 0
	e.cur.nidx[0] = 1
	if e.masks {
		e.cur.mask[0] = e.lineBits
		if e.initMask != 0 {
			e.cur.len = 0 // every outcome crosses a red line
		}
	}
	for i := 0; i < e.m; i++ {
		if err := e.admit(i); err != nil {
			return err
		}
		e.expand(i)
		if i < e.m-1 {
			e.reduce(i, false)
			if e.err != nil {
				return e.err
			}
			e.cur, e.uniq = e.uniq, e.cur
		}
	}
	if e.m == 0 {
		e.cur, e.cand = e.cand, e.cur
	}
	return nil
}

// admit decides whether issue i may be added: the context is not done,
// the memory the issue's states need fits the budget, and the dominance
// checks it will likely take (each of the states it makes against half
// the share that survived the last pruning) do not pass the limit. It
// reports progress.
func (e *engine) admit(i int) error {
	e.issue = i
	states := float64(e.cur.len) * float64(e.hi[i]-e.lo[i])
	if err := e.b.Err(); err != nil {
		return e.stop(e.cur.len, err)
	}
	if need := e.stageBytes(states, i == e.m-1); e.b.Over(need) {
		return &budget.Exceeded{Step: e.step(), At: e.where(int(states)), Need: need, Limit: float64(e.b.Memory),
			Unit: "bytes", Estimated: true, Cause: budget.ErrMemory}
	}
	if e.maxCheck > 0 && (e.n > 2 || e.masks) {
		if need := float64(e.checks) + states*states*e.survival/2; need > float64(e.maxCheck) {
			return &budget.Exceeded{Step: e.step(), At: e.where(int(states)), Need: need, Limit: float64(e.maxCheck),
				Unit: "dominance checks", Estimated: true, Cause: budget.ErrWork}
		}
	}
	e.report(int(states))
	return nil
}

// where says how far the frontier got, for messages and progress.
func (e *engine) where(states int) string {
	s := fmt.Sprintf("at issue %d of %d with %s partial outcomes", e.issue+1, e.m, budget.Thousands(uint64(states)))
	if e.checks > 0 {
		s += ", after " + budget.Count(float64(e.checks)) + " dominance checks"
	}
	return s
}

func (e *engine) report(states int) {
	if e.b.Reporting() {
		e.b.Report(budget.Progress{Step: e.step(), Detail: e.where(states), Done: int64(e.issue), Total: int64(e.m)})
	}
}

// stageBytes estimates the memory of an issue that makes states partial
// outcomes: the candidates and their merged copy (with the slack grow
// gives them), the sort's permutation and the pruning's flags, the states
// carried from the issue before, and for the last issue the frontier's
// points.
func (e *engine) stageBytes(states float64, last bool) float64 {
	per := float64(8*e.n + 8 + 8*e.k + 4)
	if e.masks {
		per += 8
	}
	if e.n > 2 {
		per += 8
	}
	b := 1.25*(2*states*per+states*(4+1+8)) + float64(e.cur.len)*per
	if last {
		b += states * (16 + per + 56)
	}
	return b
}

// poll counts a pruning's dominance checks against the limit and looks at
// the budget's context every pollEvery of them; it records the first stop
// in e.err.
func (e *engine) poll(states int) {
	if e.checks < e.nextPoll {
		return
	}
	e.nextPoll = e.checks + pollEvery
	if e.maxCheck > 0 && e.checks > e.maxCheck {
		e.err = &budget.Exceeded{Step: e.step(), At: e.where(states), Limit: float64(e.maxCheck), Unit: "dominance checks", Cause: budget.ErrWork}
		return
	}
	if err := e.b.Err(); err != nil {
		e.err = e.stop(states, err)
		return
	}
	if e.nextPoll&(16*pollEvery-1) < pollEvery {
		e.report(states)
	}
}

// finish turns the complete outcomes' sums in cand into the frontier: clamp,
// merge each party's values by the tie rule, then keep the vectors that no
// other vector strictly dominates.
func (e *engine) finish() (*Pareto, error) {
	c := &e.cand
	for j := range c.vals[:c.len*e.n] {
		c.vals[j] = utility.Clamp(c.vals[j])
	}
	e.mergeValues(c)
	if c.mask != nil {
		clear(c.mask[:c.len])
	}
	e.reduce(-1, true)
	if e.err != nil {
		return nil, e.err
	}
	return e.points(&e.uniq), nil
}

// prefixFrontier is the frontier of the outcomes whose index is below
// count (the first count in enumeration order), red lines ignored, listing
// one outcome per point. The prefix is a union of at most one product set
// per issue: with count's mixed-radix digits d, part j fixes the issues after
// j to their digits and lets issue j take the values below d_j (issues
// before j are free). Each part is built issue by issue; the final step runs
// on the union.
func prefixFrontier(us []*utility.Additive, sp outcome.Space, count uint64, opts Options) (*Pareto, error) {
	e, err := newEngine(us, sp, Options{Listed: 1, Budget: opts.Budget, MaxChecks: opts.MaxChecks})
	if err != nil {
		return nil, err
	}
	e.prefix = count
	defer e.end()
	e.masks = false
	if e.terms {
		return e.listFront(us, count)
	}
	if size, _ := sp.Size(); count >= size {
		return e.run()
	}
	digits := make([]int, e.m)
	x := count
	for i := range digits {
		digits[i] = int(x % uint64(sp.Card(i)))
		x /= uint64(sp.Card(i))
	}
	var acc set
	acc.n, acc.k = e.n, e.k
	for j := e.m - 1; j >= 0; j-- {
		if digits[j] == 0 {
			continue
		}
		for i := range digits {
			switch {
			case i < j:
				e.lo[i], e.hi[i] = 0, sp.Card(i)
			case i == j:
				e.lo[i], e.hi[i] = 0, digits[j]
			default:
				e.lo[i], e.hi[i] = digits[i], digits[i]+1
			}
		}
		if err := e.stages(); err != nil {
			return nil, err
		}
		acc.appendFrom(&e.cand)
	}
	e.cand, acc = acc, e.cand
	return e.finish()
}

// appendFrom appends the states of c (without masks) to s.
func (s *set) appendFrom(c *set) {
	n, k := s.n, s.k
	s.vals = append(s.vals[:s.len*n], c.vals[:c.len*n]...)
	s.cnt = append(s.cnt[:s.len], c.cnt[:c.len]...)
	s.idx = append(s.idx[:s.len*k], c.idx[:c.len*k]...)
	s.nidx = append(s.nidx[:s.len], c.nidx[:c.len]...)
	if c.sum != nil {
		s.sum = append(s.sum[:s.len], c.sum[:c.len]...)
	}
	s.len += c.len
}

// expand writes every one-issue extension of cur into cand.
func (e *engine) expand(i int) {
	n, k := e.n, e.k
	cur, cand := &e.cur, &e.cand
	lo, hi := e.lo[i], e.hi[i]
	stride := e.sp.Stride(i)
	cand.reset(cur.len*(hi-lo), e.masks, n > 2)
	tab := e.tab[i]
	j := 0
	for s := 0; s < cur.len; s++ {
		base := cur.vals[s*n : s*n+n]
		ids := cur.idx[s*k : s*k+int(cur.nidx[s])]
		for v := lo; v < hi; v++ {
			if e.masks {
				m := cur.mask[s] &^ e.clear[i][v]
				if m&e.ends[i] != 0 {
					continue // crosses a red line
				}
				cand.mask[j] = m
			}
			out := cand.vals[j*n : j*n+n]
			t := tab[v*n : v*n+n]
			for p := range out {
				out[p] = base[p] + t[p]
			}
			cand.cnt[j] = cur.cnt[s]
			dst := cand.idx[j*k : j*k+len(ids)]
			off := uint64(v) * stride
			for q, x := range ids {
				dst[q] = x + off
			}
			cand.nidx[j] = int32(len(ids))
			j++
		}
	}
	cand.len = j
}

// mergeValues replaces each party's values in c by their class
// representatives under the tie rule.
func (e *engine) mergeValues(c *set) {
	n := e.n
	for p := 0; p < n; p++ {
		fl := e.fbuf[:0]
		for j := 0; j < c.len; j++ {
			fl = append(fl, c.vals[j*n+p])
		}
		slices.Sort(fl)
		fl = slices.Compact(fl)
		e.fbuf = fl
		rep := make([]float64, len(fl))
		for q := range fl {
			if q > 0 && fl[q]-fl[q-1] <= Tolerance {
				rep[q] = rep[q-1]
			} else {
				rep[q] = fl[q]
			}
		}
		for j := 0; j < c.len; j++ {
			q, _ := slices.BinarySearch(fl, c.vals[j*n+p])
			c.vals[j*n+p] = rep[q]
		}
	}
}

// reduce sorts cand, merges states with identical vectors into uniq and
// drops the dominated ones. Between issues (final false) a state is dropped
// only if another dominates it with a margin: at least as good up to
// Tolerance/(2n) in every party and better by more than Tolerance in one
// whose best completion stays below the clamp. On final vectors (final
// true, values already merged) dominance is exact.
func (e *engine) reduce(i int, final bool) {
	n := e.n
	c := &e.cand
	if n > 2 {
		for j := 0; j < c.len; j++ {
			s := 0.0
			for _, x := range c.vals[j*n : j*n+n] {
				s += x
			}
			c.sum[j] = s
		}
	}
	e.perm = grow(e.perm, c.len)
	for j := range e.perm {
		e.perm[j] = int32(j)
	}
	vals, masks := c.vals, c.mask
	if n == 2 {
		slices.SortFunc(e.perm, func(a, b int32) int {
			a0, b0 := vals[2*a], vals[2*b]
			if a0 != b0 {
				if a0 > b0 {
					return -1
				}
				return 1
			}
			a1, b1 := vals[2*a+1], vals[2*b+1]
			if a1 != b1 {
				if a1 > b1 {
					return -1
				}
				return 1
			}
			if masks != nil {
				return cmpU64(masks[a], masks[b])
			}
			return 0
		})
	} else {
		sums := c.sum
		slices.SortFunc(e.perm, func(a, b int32) int {
			if sums[a] != sums[b] {
				if sums[a] > sums[b] {
					return -1
				}
				return 1
			}
			va, vb := vals[int(a)*n:int(a)*n+n], vals[int(b)*n:int(b)*n+n]
			for p := range va {
				if va[p] != vb[p] {
					if va[p] > vb[p] {
						return -1
					}
					return 1
				}
			}
			if masks != nil {
				return cmpU64(masks[a], masks[b])
			}
			return 0
		})
	}
	e.mergeRuns()
	var w, s float64
	if !final {
		s = Tolerance
		w = Tolerance / float64(2*n)
	}
	states := c.len
	if n == 2 && !e.masks {
		e.prune2(i, w, s, final)
	} else {
		e.pruneN(i, w, s, final)
	}
	if states > 0 {
		e.survival = float64(e.uniq.len) / float64(states)
	}
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mergeRuns copies cand into uniq in e.perm order, merging runs of states
// with identical vectors (and red-line masks).
func (e *engine) mergeRuns() {
	n, k := e.n, e.k
	c, u := &e.cand, &e.uniq
	u.reset(c.len, e.masks, n > 2)
	j := -1
	for q, a := range e.perm {
		a := int(a)
		va := c.vals[a*n : a*n+n]
		if q > 0 && slices.Equal(va, u.vals[j*n:j*n+n]) && (!e.masks || c.mask[a] == u.mask[j]) {
			u.cnt[j] += c.cnt[a]
			u.nidx[j] = int32(e.mergeLists(u.idx[j*k:j*k+k], int(u.nidx[j]), c.idx[a*k:a*k+int(c.nidx[a])]))
			continue
		}
		j++
		copy(u.vals[j*n:j*n+n], va)
		u.cnt[j] = c.cnt[a]
		copy(u.idx[j*k:], c.idx[a*k:a*k+int(c.nidx[a])])
		u.nidx[j] = c.nidx[a]
		if e.masks {
			u.mask[j] = c.mask[a]
		}
		if n > 2 {
			u.sum[j] = c.sum[a]
		}
	}
	u.len = j + 1
}

// mergeLists merges the ascending list b into dst[:na] (ascending, capacity
// len(dst)), keeping the smallest len(dst), and returns the new length.
func (e *engine) mergeLists(dst []uint64, na int, b []uint64) int {
	buf := append(e.listBuf[:0], dst[:na]...)
	e.listBuf = buf
	x, y, o := 0, 0, 0
	for o < len(dst) && (x < len(buf) || y < len(b)) {
		if y >= len(b) || (x < len(buf) && buf[x] < b[y]) {
			dst[o] = buf[x]
			x++
		} else {
			dst[o] = b[y]
			y++
		}
		o++
	}
	return o
}

// canStrict reports whether a state better than x in party p (after issue
// i) by more than the margin stays strictly better in p for every
// completion: x's best completion in p stays below the clamp.
func (e *engine) canStrict(i int, x float64, p int) bool {
	if i < 0 {
		return true
	}
	return x+e.rest[i*e.n+p] < 1-clampMargin
}

// prune2 drops dominated states of uniq for two parties, sorted by party 0
// descending then party 1 descending, in O(len) with prefix maxima.
func (e *engine) prune2(i int, w, s float64, final bool) {
	u := &e.uniq
	L := u.len
	vals := u.vals
	e.pmax = grow(e.pmax, L)
	m := math.Inf(-1)
	for j := 0; j < L; j++ {
		m = max(m, vals[2*j+1])
		e.pmax[j] = m
	}
	e.keep = grow(e.keep, L)
	p1, p2 := 0, 0
	for b := 0; b < L; b++ {
		b0, b1 := vals[2*b], vals[2*b+1]
		dominated := false
		// A better in party 0 by more than s, not worse than b1-w in party 1.
		for p1 < L && vals[2*p1] > b0+s {
			p1++
		}
		if p1 > 0 && e.pmax[p1-1] >= b1-w && (final || e.canStrict(i, b0, 0)) {
			dominated = true
		}
		// A not worse than b0-w in party 0, better in party 1 by more than s.
		if !dominated {
			if p2 < b+1 {
				p2 = b + 1
			}
			for p2 < L && vals[2*p2] >= b0-w {
				p2++
			}
			if e.pmax[p2-1] > b1+s && (final || e.canStrict(i, b1, 1)) {
				dominated = true
			}
		}
		e.keep[b] = !dominated
	}
	e.compact()
}

// pruneN drops dominated states of uniq for any number of parties (and
// states with red-line masks): uniq is sorted by the sum of utilities
// descending, so every state's dominators come before it; each state is
// checked against the survivors so far.
func (e *engine) pruneN(i int, w, s float64, final bool) {
	n := e.n
	u := &e.uniq
	e.keep = grow(e.keep, u.len)
	// Survivors' vectors, contiguous; per state, the bounds a dominator
	// must reach (lo) and exceed in some party (hi, +Inf where no strict
	// advantage can count).
	sv := e.fbuf[:0]
	sm := e.listBuf[:0]
	lo := make([]float64, n)
	hi := make([]float64, n)
	for b := 0; b < u.len; b++ {
		vb := u.vals[b*n : b*n+n]
		for p, x := range vb {
			lo[p] = x - w
			hi[p] = math.Inf(1)
			if final || e.canStrict(i, x, p) {
				hi[p] = x + s
			}
		}
		var mb uint64
		if e.masks {
			mb = u.mask[b]
		}
		dominated := false
		a, q := 0, 0
		for ; q < len(sv); a, q = a+1, q+n {
			if e.masks && sm[a]&^mb != 0 {
				continue
			}
			va := sv[q : q+n : q+n]
			weak, strict := true, false
			for p, x := range va {
				if x < lo[p] {
					weak = false
					break
				}
				strict = strict || x > hi[p]
			}
			if weak && strict {
				dominated = true
				break
			}
		}
		if e.checks += int64(a); e.checks >= e.nextPoll {
			if e.poll(u.len); e.err != nil {
				break
			}
		}
		e.keep[b] = !dominated
		if !dominated {
			sv = append(sv, vb...)
			if e.masks {
				sm = append(sm, mb)
			} else {
				sm = append(sm, 0)
			}
		}
	}
	e.fbuf, e.listBuf = sv[:0], sm[:0]
	if e.err != nil {
		return
	}
	e.compact()
}

// compact keeps the states of uniq marked in e.keep, preserving order.
func (e *engine) compact() {
	n, k := e.n, e.k
	u := &e.uniq
	j := 0
	for b := 0; b < u.len; b++ {
		if !e.keep[b] {
			continue
		}
		if j != b {
			copy(u.vals[j*n:j*n+n], u.vals[b*n:b*n+n])
			u.cnt[j] = u.cnt[b]
			copy(u.idx[j*k:j*k+k], u.idx[b*k:b*k+k])
			u.nidx[j] = u.nidx[b]
			if e.masks {
				u.mask[j] = u.mask[b]
			}
			if n > 2 {
				u.sum[j] = u.sum[b]
			}
		}
		j++
	}
	u.len = j
}

// points turns the final states into frontier points sorted by party 0
// ascending, then party 1, ...
func (e *engine) points(u *set) *Pareto {
	n, k := e.n, e.k
	f := &Pareto{Parties: n, Points: make([]Point, u.len)}
	vals := slices.Clone(u.vals[:u.len*n])
	total := 0
	for j := 0; j < u.len; j++ {
		total += int(u.nidx[j])
	}
	ids := make([]uint64, 0, total)
	for j := range f.Points {
		start := len(ids)
		ids = append(ids, u.idx[j*k:j*k+int(u.nidx[j])]...)
		f.Points[j] = Point{Utilities: vals[j*n : j*n+n : j*n+n], N: u.cnt[j], Outcomes: ids[start:len(ids):len(ids)]}
		f.N += u.cnt[j]
	}
	slices.SortFunc(f.Points, func(a, b Point) int { return slices.Compare(a.Utilities, b.Utilities) })
	return f
}
