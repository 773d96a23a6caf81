package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/utility"
)

// Zopa is the size of the zone of possible agreement: the outcomes (crossing
// no red line) that every party weakly prefers to its reservation value,
// u_i ≥ rv_i − Tolerance.
type Zopa struct {
	Count     uint64
	Estimated bool    // Count is Samples-based, not exact
	Samples   int     // outcomes sampled when Estimated
	StdErr    float64 // standard error of an estimated Count
}

// zopaExactLimit is the largest space counted exactly whatever the
// budget (a variable so that tests can lower it).
var zopaExactLimit uint64 = outcome.DefaultEnumerationLimit

// zopaMargin keeps the bounds of the exact count clear of rounding: a
// subtree is decided from bounds only when they clear the threshold by it.
const zopaMargin = 1e-9

// CountZopa counts the zone of possible agreement exactly by a depth-first
// walk over issues (in issue order, so sums are Genius's; over cells when
// some utility has terms, see zopaCells) that decides whole
// subtrees from per-party bounds: a subtree in which every party's smallest
// completion clears its reservation value counts whole, one in which some
// party's largest completion cannot reach it counts nothing. Spaces up to
// outcome.DefaultEnumerationLimit are always counted exactly; beyond, the walk
// stops after Options.ZopaBudget nodes and the count is estimated from
// Options.ZopaSamples uniform samples drawn with Options.Seed.
func CountZopa(us []*utility.Additive, sp outcome.Space, opts Options) (Zopa, error) {
	e, err := newEngine(us, sp, opts)
	if err != nil {
		return Zopa{}, err
	}
	n, m := e.n, e.m
	z := &zopaWalk{e: e, th: make([]float64, n), lo: make([]float64, (m+1)*n), hi: make([]float64, (m+1)*n),
		prod: make([]uint64, m+1), sums: make([]float64, (m+1)*n)}
	for p, u := range us {
		z.th[p] = u.Reservation - Tolerance
	}
	z.prod[m] = 1
	for i := m - 1; i >= 0; i-- {
		z.prod[i] = z.prod[i+1] * uint64(sp.Card(i))
		for p, u := range us {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, x := range u.Table[i] {
				lo, hi = min(lo, x), max(hi, x)
			}
			z.lo[i*n+p] = z.lo[(i+1)*n+p] + lo
			z.hi[i*n+p] = z.hi[(i+1)*n+p] + hi
		}
	}
	size, _ := sp.Size()
	if size > zopaExactLimit {
		z.budget = opts.zopaBudget()
	}
	if e.initMask != 0 {
		return Zopa{}, nil
	}
	if e.b.Reporting() {
		defer e.b.End(z.step())
	}
	if err := e.b.Err(); err != nil {
		return Zopa{}, &budget.Exceeded{Step: z.step(), Cause: err}
	}
	var c uint64
	var ok bool
	if vetoes(us) {
		return z.enumerate(us, sp, opts)
	}
	if e.terms {
		c, ok = newZopaCells(z, us, sp).walk(0, 1)
	} else {
		c, ok = z.walk(0, e.lineBits)
	}
	if z.err != nil {
		return Zopa{}, z.err
	}
	if ok {
		return Zopa{Count: c}, nil
	}
	return z.sample(us, sp, opts)
}

type zopaWalk struct {
	e      *engine
	th     []float64 // rv − Tolerance per party
	lo, hi []float64 // [i*n+p]: smallest / largest sum of issues i.. for p
	prod   []uint64  // outcomes of issues i..
	sums   []float64 // [i*n+p]: partial sum of issues before i
	budget int       // 0: unlimited
	nodes  int
	// The caller's budget is polled every pollEvery nodes (visits) or
	// samples; err is the first stop.
	visits int
	err    error
}

// step names the count for messages and progress.
func (z *zopaWalk) step() string {
	return fmt.Sprintf("the zone of possible agreement of %d parties over %s outcomes", z.e.n, budget.Count(z.e.sp.SizeFloat()))
}

// poll looks at the budget's context every pollEvery calls.
func (z *zopaWalk) poll(done int, what string) bool {
	if z.visits++; z.visits%pollEvery != 0 {
		return true
	}
	at := budget.Thousands(uint64(done)) + " " + what
	if z.err = z.e.b.Check(z.step(), at); z.err != nil {
		return false
	}
	if z.e.b.Reporting() {
		z.e.b.Report(budget.Progress{Step: z.step(), Detail: at})
	}
	return true
}

// walk counts the zone below the node at issue i whose partial sums are
// sums[i*n:], reporting false when the budget runs out.
func (z *zopaWalk) walk(i int, mask uint64) (uint64, bool) {
	e := z.e
	n := e.n
	if z.budget > 0 {
		if z.nodes++; z.nodes > z.budget {
			return 0, false
		}
	}
	if !z.poll(z.visits, "search nodes") {
		return 0, false
	}
	s := z.sums[i*n : i*n+n]
	whole := mask&e.lineBits == 0
	for p := range s {
		if utility.Clamp(s[p]+z.hi[i*n+p]) < z.th[p]-zopaMargin {
			return 0, true
		}
		if utility.Clamp(s[p]+z.lo[i*n+p]) < z.th[p]+zopaMargin {
			whole = false
		}
	}
	if whole {
		return z.prod[i], true
	}
	if i == e.m {
		for p := range s {
			if utility.Clamp(s[p]) < z.th[p] {
				return 0, true
			}
		}
		return 1, true
	}
	card := e.sp.Card(i)
	tab := e.tab[i]
	next := z.sums[(i+1)*n : (i+1)*n+n]
	var c uint64
	for v := 0; v < card; v++ {
		m2 := mask
		if e.masks {
			m2 = mask &^ e.clear[i][v]
			if m2&e.ends[i] != 0 {
				continue
			}
		}
		t := tab[v*n : v*n+n]
		for p := range next {
			next[p] = s[p] + t[p]
		}
		if i == e.m-1 && !e.masks {
			// Leaf level, inlined: no bounds needed.
			in := true
			for p := range next {
				if utility.Clamp(next[p]) < z.th[p] {
					in = false
					break
				}
			}
			if in {
				c++
			}
			continue
		}
		x, ok := z.walk(i+1, m2)
		if !ok {
			return 0, false
		}
		c += x
	}
	return c, true
}

func (z *zopaWalk) sample(us []*utility.Additive, sp outcome.Space, opts Options) (Zopa, error) {
	e := z.e
	n := e.n
	k := opts.zopaSamples()
	r := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	o := make([]int, e.m)
	s := make([]float64, n)
	hits := 0
	z.visits = 0
	for j := range k {
		if !z.poll(j, "samples") {
			return Zopa{}, z.err
		}
		sp.Sample(r, o)
		clear(s)
		crosses := false
		if e.terms {
			for p, u := range us {
				s[p] = u.Raw(o)
			}
		} else {
			for i, v := range o {
				t := e.tab[i][v*n : v*n+n]
				for p := range s {
					s[p] += t[p]
				}
			}
		}
		for _, u := range us {
			if u.Refuses(o) {
				crosses = true
			}
		}
		in := !crosses
		for p := range s {
			if utility.Clamp(s[p]) < z.th[p] && us[p].Panel == nil {
				in = false
			}
		}
		if in {
			hits++
		}
	}
	size := sp.SizeFloat()
	q := float64(hits) / float64(k)
	return Zopa{Count: uint64(math.Round(q * size)), Estimated: true, Samples: k,
		StdErr: size * math.Sqrt(q*(1-q)/float64(k))}, nil
}
