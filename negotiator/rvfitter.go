package negotiator

import (
	"math"
	"slices"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// RVFitter is a baseline of the Automated Negotiation League 2024 (ANL's
// anl2024 package, RVFitter). It knows the other parties' utility
// functions (the league makes them public) and learns their reservation
// values by fitting the concession curve of a time-dependent strategy,
//
//	u(t) = (u₀ − rv)·(1 − t^e) + rv,
//
// to the utilities its opponent's offers have for the opponent (u₀ being
// the first), by least squares with e in [0.2, 5] and rv in [0, the least
// of those utilities], once they hold MinUnique distinct values (before
// that it assumes rv = 0). ANL fits with scipy's curve_fit; parley tries
// 64 exponents spaced evenly in log e, for each of which the best rv is
// exact (the model is linear in rv) from running sums, so that a refit
// costs the same however many offers came before, and refines between the
// best and its neighbours by a parabola through their errors. It accepts an
// offer worth at least (max − rv₀)·(1 − t^E) + rv₀ to it (ANL uses 1 for
// its best utility; parley its actual best, the same on ANL's normalised
// scenarios), and offers from the outcomes rational for everyone under
// its estimates, sorted by its own utility (then the others', then the
// outcome index, ascending): at the position its aspiration 1 − t^E
// reaches, or up to Stochasticity·(1 − t) of the list above it, drawn from
// the seeded source; with no such outcome it offers its best. It never
// goes below its own reservation value. It needs a space small enough to
// sort.
type RVFitter struct {
	base
	MinUnique     int
	E             float64
	Stochasticity float64

	key      planKey
	others   []*Index
	seats    []int     // the seat of each of others
	cands    []uint64  // outcomes worth more than rv to it, in offering order
	candU    []float64 // their utilities: own, then each of others (per outcome)
	rational []int     // positions in cands rational for everyone now
	fits     []rvFit   // per other seat
	built    bool      // rational is up to date
}

// rvFit is what RVFitter learns of one opponent.
type rvFit struct {
	seen         map[float64]struct{} // distinct utilities of its offers
	n            int
	u0, least    float64
	saa, sab, sb [fitGrid]float64
	rv, built    float64 // the estimate, and the one rational was built for
	fresh        bool    // offers arrived since the last fit
}

// fitGrid is the number of concession exponents RVFitter tries.
const fitGrid = 64

var fitExponents = func() (e [fitGrid]float64) {
	lo, hi := math.Log(0.2), math.Log(5)
	for k := range e {
		e[k] = math.Exp(lo + (hi-lo)*float64(k)/float64(fitGrid-1))
	}
	return e
}()

func init() {
	register(Info{Entry: registry.Entry{Name: "rvfitter",
		Doc:    "knows the others' utility functions (ANL); learns their reservation values by fitting a concession curve to their offers",
		Source: "ANL 2024 baseline RVFitter (NegMAS anl package), reimplemented",
		Params: []registry.Param{{Name: "min_unique", Default: 10, Doc: "distinct opponent utilities before it fits"}, {Name: "e", Default: 5, Doc: "its own concession exponent"}, {Name: "stochasticity", Default: 0.1, Doc: "share of the list above its aspiration it may offer from"}}},
		Role:        RoleParty,
		Random:      true,
		NeedsSorted: true,
		Public:      true,
		make: func(p map[string]float64) Negotiator {
			return &RVFitter{MinUnique: max(1, int(p["min_unique"])), E: p["e"], Stochasticity: p["stochasticity"]}
		}})
}

// Reset implements Negotiator.
func (n *RVFitter) Reset(s *Setup) {
	n.reset(s)
	n.others, n.seats = n.others[:0], n.seats[:0]
	for j, o := range s.Others {
		if o != nil {
			n.others = append(n.others, o)
			n.seats = append(n.seats, j)
		}
	}
	if cap(n.fits) < len(n.others) {
		n.fits = make([]rvFit, len(n.others))
	}
	n.fits = n.fits[:len(n.others)]
	for j := range n.fits {
		f := &n.fits[j]
		if f.seen == nil {
			f.seen = map[float64]struct{}{}
		}
		clear(f.seen)
		*f = rvFit{seen: f.seen, built: math.NaN()}
	}
	n.plan()
	n.built = false
}

// plan lists the outcomes worth more than its reservation value to it, in
// the order it offers from (once per set of preferences).
func (n *RVFitter) plan() {
	k := planKey{own: n.s.Index, rv: n.rv}
	if len(n.others) > 0 {
		k.other = n.others[0]
	}
	if k == n.key && n.key.own != nil {
		return
	}
	n.key = k
	x, w := n.s.Index, 1+len(n.others)
	n.cands, n.candU = n.cands[:0], n.candU[:0]
	for i := range x.Len() {
		id, u := x.At(i)
		if !(u > n.rv) {
			continue
		}
		n.cands = append(n.cands, id)
		n.candU = append(n.candU, u)
		for _, o := range n.others {
			n.candU = append(n.candU, o.Utility(id, n.buf))
		}
	}
	order := make([]int, len(n.cands))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ua, ub := n.candU[a*w:a*w+w], n.candU[b*w:b*w+w]
		for j := range ua {
			if ua[j] != ub[j] {
				if ua[j] < ub[j] {
					return -1
				}
				return 1
			}
		}
		if n.cands[a] < n.cands[b] {
			return -1
		}
		return 1
	})
	ids, us := make([]uint64, len(order)), make([]float64, len(n.candU))
	for i, o := range order {
		ids[i] = n.cands[o]
		copy(us[i*w:i*w+w], n.candU[o*w:o*w+w])
	}
	n.cands, n.candU = ids, us
}

// Observe implements Negotiator: an opponent's offer is a point of its
// concession curve.
func (n *RVFitter) Observe(e protocol.Event) {
	if e.Type != protocol.EventOffer || int(e.Seat) == n.s.Seat {
		return
	}
	j := slices.Index(n.seats, int(e.Seat))
	if j < 0 {
		return
	}
	f := &n.fits[j]
	y := n.others[j].Utility(e.Outcome, n.buf)
	if f.n == 0 {
		f.u0, f.least = y, y
	}
	f.n++
	f.least = min(f.least, y)
	f.seen[y] = struct{}{}
	// Running sums of a = t^e and b = y − u₀·(1 − a) for every exponent:
	// the squared error of rv is Σb² − 2·rv·Σab + rv²·Σa².
	lt := math.Log(e.T)
	for k, ex := range fitExponents {
		a := 0.0
		if e.T > 0 {
			a = math.Exp(ex * lt)
		}
		b := y - f.u0*(1-a)
		f.saa[k] += a * a
		f.sab[k] += a * b
		f.sb[k] += b * b
	}
	f.fresh = true
}

// fit updates the estimate of f's reservation value.
func (n *RVFitter) fit(f *rvFit) {
	f.fresh = false
	if len(f.seen) < n.MinUnique {
		f.rv = 0
		return
	}
	var rvs, sse [fitGrid]float64
	best := 0
	for k := range fitExponents {
		rv := 0.0
		if f.saa[k] > 0 {
			rv = f.sab[k] / f.saa[k]
		}
		rvs[k] = min(max(rv, 0), f.least)
		sse[k] = f.sb[k] - 2*rvs[k]*f.sab[k] + rvs[k]*rvs[k]*f.saa[k]
		if sse[k] < sse[best] {
			best = k
		}
	}
	f.rv = rvs[best]
	// Between grid points: the vertex of the parabola through the best
	// error and its neighbours' (in log e, evenly spaced), and rv
	// interpolated there.
	if best > 0 && best < fitGrid-1 {
		l, c, r := sse[best-1], sse[best], sse[best+1]
		if d := l - 2*c + r; d > 0 {
			x := 0.5 * (l - r) / d // in (−1/2, 1/2) grid steps
			if x < 0 {
				f.rv = rvs[best] + x*(rvs[best]-rvs[best-1])
			} else {
				f.rv = rvs[best] + x*(rvs[best+1]-rvs[best])
			}
			f.rv = min(max(f.rv, 0), f.least)
		}
	}
}

// aspiration is ANL's curve (hi − lo)·(1 − t^e) + lo.
func aspiration(t, hi, lo, e float64) float64 { return (hi-lo)*(1-math.Pow(t, e)) + lo }

// Act implements Negotiator.
func (n *RVFitter) Act(t protocol.Turn) protocol.Action {
	if n.changed() {
		n.plan()
		n.built = false
	}
	for j := range n.fits {
		f := &n.fits[j]
		if f.fresh {
			n.fit(f)
		}
		if !(math.Abs(f.rv-f.built) <= 1e-3) {
			n.built = false
		}
	}
	_, top := n.s.Index.Max()
	bar := aspiration(t.T, top, n.rv, n.E)
	if !n.built {
		n.rebuild()
	}
	id, _ := n.s.Index.Max()
	if m := len(n.rational); m > 0 {
		last := m - 1
		lo := min(max(int(aspiration(t.T, 1, 0, n.E)*float64(last)), 0), last)
		hi := min(max(int(float64(lo)+aspiration(t.T, n.Stochasticity, 0, 1)*float64(m)), 0), last)
		p := lo
		if hi > lo {
			p += n.s.Rand.IntN(hi - lo + 1)
		}
		id = n.cands[n.rational[p]]
	}
	return n.answer(t, id, max(bar, n.rv))
}

// rebuild lists the outcomes rational for everyone under the estimates.
func (n *RVFitter) rebuild() {
	w := 1 + len(n.others)
	n.rational = n.rational[:0]
	for i := range n.cands {
		ok := true
		for j := range n.fits {
			if !(n.candU[i*w+1+j] > n.fits[j].rv) {
				ok = false
				break
			}
		}
		if ok {
			n.rational = append(n.rational, i)
		}
	}
	for j := range n.fits {
		n.fits[j].built = n.fits[j].rv
	}
	n.built = true
}

// EstimatedRV returns its estimate of seat's reservation value, or NaN.
func (n *RVFitter) EstimatedRV(seat int) float64 {
	if j := slices.Index(n.seats, seat); j >= 0 {
		return n.fits[j].rv
	}
	return math.NaN()
}

// OpponentModel implements OpponentModeler: the public utility function.
func (n *RVFitter) OpponentModel(seat int) func(uint64) float64 { return publicModel(n.s, seat) }
