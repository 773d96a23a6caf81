package analysis

import (
	"fmt"
	"math/bits"
	"sort"
)

// Blocking is what stands between the parties and a ratifiable zone, when
// there is none.
type Blocking struct {
	// Sets: every smallest set of constraints whose relaxation opens a
	// ratifiable zone (each set as its constraints), at most the cap.
	SmallestSize int            `json:"smallest_size"`
	Sets         [][]Constraint `json:"sets"`
	NSets        int            `json:"n_sets"` // smallest sets in all
	Truncated    bool           `json:"truncated"`
	// Shifts: per party, how far its reservation value must fall to open a
	// ratifiable zone with every other constraint kept.
	Shifts []Shift `json:"reservation_shifts"`
}

// Constraint names one constraint: kind red_line (Party's red line ID),
// ratification (Party's vote) or reservation (Party's reservation value;
// relaxed, it drops to the party's smallest utility, so it accepts
// every outcome).
type Constraint struct {
	Kind  string `json:"kind"`
	Party string `json:"party"`
	ID    string `json:"id,omitempty"`
}

// Shift is one party's least reservation shift: Shift = rv − Reachable,
// Reachable being the party's best utility over the outcomes that satisfy
// every other constraint; both null when no outcome does (no shift
// suffices).
type Shift struct {
	Party       string            `json:"party"`
	Reservation float64           `json:"reservation"`
	Shift       *float64          `json:"shift"`
	Reachable   *float64          `json:"reachable"`
	Deal        map[string]string `json:"deal,omitempty"` // an outcome that reaches it
}

// violations is the set of constraints outcome idx breaks: bit b < L for
// red line b, L+p for party p's reservation, L+n+p for party p's vote.
func (g *grid) violations(idx int, minRat float64) uint64 {
	L, n := len(g.lines), g.n
	v := g.cross[idx]
	row := g.u[idx*n : idx*n+n]
	for p, x := range row {
		if x < g.floor[p]-Tolerance {
			v |= 1 << (L + p)
		}
		if g.need[idx]&(1<<p) != 0 && g.ratp[idx*n+p] < minRat {
			v |= 1 << (L + n + p)
		}
	}
	return v
}

func (g *grid) constraint(b int) Constraint {
	L, n := len(g.lines), g.n
	switch {
	case b < L:
		l := g.lines[b]
		return Constraint{Kind: "red_line", Party: g.lineParty(l), ID: g.line(l).ID}
	case b < L+n:
		return Constraint{Kind: "reservation", Party: g.ids[b-L]}
	}
	return Constraint{Kind: "ratification", Party: g.ids[b-L-n]}
}

// blocking reports the smallest relaxations that open a ratifiable zone
// and each party's least reservation shift. With more than 64 constraints
// (red lines, reservations and votes) it reports neither.
func (g *grid) blocking(minRat float64, cap int) *Blocking {
	bl := &Blocking{SmallestSize: -1, Sets: [][]Constraint{}, Shifts: []Shift{}}
	if len(g.lines)+2*g.n > 64 {
		return bl
	}
	sets := g.smallestSets(minRat)
	if len(sets) > 0 {
		bl.SmallestSize = bits.OnesCount64(sets[0])
	}
	bl.NSets = len(sets)
	for _, v := range sets {
		if len(bl.Sets) == cap {
			bl.Truncated = true
			break
		}
		cs := []Constraint{}
		for v != 0 {
			b := bits.TrailingZeros64(v)
			cs = append(cs, g.constraint(b))
			v &^= 1 << b
		}
		bl.Sets = append(bl.Sets, cs)
	}
	for p := range g.n {
		bl.Shifts = append(bl.Shifts, g.shift(p, minRat))
	}
	return bl
}

// smallestSets returns the distinct violation sets of least size over the
// outcomes: relaxing a set S opens a zone iff some outcome violates only
// constraints in S. They are ordered by their constraints' bit positions
// (red lines, reservations, votes), lexicographically.
func (g *grid) smallestSets(minRat float64) []uint64 {
	size := -1
	seen := map[uint64]bool{}
	var sets []uint64
	for idx := 0; idx < g.size; idx++ {
		if g.forbidden(idx) {
			continue // no relaxation makes it a deal
		}
		v := g.violations(idx, minRat)
		c := bits.OnesCount64(v)
		switch {
		case size >= 0 && c > size:
			continue
		case size < 0 || c < size:
			size = c
			clear(seen)
			sets = sets[:0]
		}
		if !seen[v] {
			seen[v] = true
			sets = append(sets, v)
		}
	}
	sort.Slice(sets, func(i, j int) bool { return bits.Reverse64(sets[i]) > bits.Reverse64(sets[j]) })
	return sets
}

// shift is how far party p's reservation value must fall to open a
// ratifiable zone with every other constraint kept: down to its best
// utility over the outcomes that break no other constraint.
func (g *grid) shift(p int, minRat float64) Shift {
	sh := Shift{Party: g.ids[p], Reservation: g.rv[p]}
	own := uint64(1) << (len(g.lines) + p)
	bi, bu := -1, 0.0
	for idx := 0; idx < g.size; idx++ {
		if g.forbidden(idx) || g.violations(idx, minRat)&^own != 0 {
			continue
		}
		if u := g.u[idx*g.n+p]; bi < 0 || u > bu {
			bi, bu = idx, u
		}
	}
	if bi >= 0 {
		x := g.rv[p] - bu
		sh.Shift, sh.Reachable, sh.Deal = &x, &bu, g.labels(bi)
	}
	return sh
}

// String renders a constraint for people.
func (c Constraint) String() string {
	switch {
	case c.Kind == "red_line" && c.Party == "":
		return fmt.Sprintf("the deals %s rules out for everyone", c.ID)
	case c.Kind == "red_line":
		return fmt.Sprintf("%s's red line %s", c.Party, c.ID)
	case c.Kind == "reservation":
		return fmt.Sprintf("%s's reservation value", c.Party)
	}
	return fmt.Sprintf("%s's ratification", c.Party)
}
