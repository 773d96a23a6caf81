package negotiator

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/internal/suggest"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// BOA is a negotiator composed of three parts, after Baarslag, Hindriks,
// Hendrikx, Dirkzwager and Jonker, "Decoupling negotiating agents to
// explore the space of negotiation strategies" (2014): a bidding strategy
// decides what it offers (boa_bidding.go), an opponent model learns the
// other parties' preferences from their offers (boa_model.go), and an
// acceptance condition decides whether to accept the standing offer, given
// the bid it would make instead (boa_accept.go). A spec names the parts:
//
//	boa:bid=timedependent/e=0.2:model=frequency:accept=combi/t=0.98
//
// Each part is NAME or NAME/param=value/..., separated by ':' (not ',',
// which `parley run -n` splits line-ups on). Left out, the parts are
// bid=timedependent, model=none and accept=next. `parley list` shows the
// parts and their parameters.
//
// Parley's own rule holds for every composition: it never offers, accepts
// or votes for an outcome below its reservation value. With more than two
// parties the model learns each other party apart, and the bidding strategy
// prefers the outcome the sum of their estimated utilities rates best.
type BOA struct {
	base
	c          Context
	bidding    Bidding
	acceptance Acceptance
}

// Bid is an offer of the record as a BOA part sees it.
type Bid struct {
	Seat    int     // who offered it
	Outcome uint64  // the outcome offered
	U       float64 // its utility to this seat
	T       float64 // the normalised time it was made
}

// Context is what a BOA agent's parts share: its setup, its own offers and
// the other parties' (oldest first), and its opponent model. The slices
// are reused from session to session: a part reads them and keeps no
// reference past its call.
type Context struct {
	Setup  *Setup
	Model  Model // nil when the agent has none
	Mine   []Bid // its own offers
	Theirs []Bid // the other parties' offers
	// Best is the offer of Theirs with the highest utility to this seat
	// (the first among ties); valid when Theirs is not empty.
	Best Bid
	RV   float64 // reservation value now, never below 0
	buf  []int   // decoding scratch, one slot per issue
	vals []int   // second scratch, for the parts
}

// Utility is this seat's utility of outcome id.
func (c *Context) Utility(id uint64) float64 { return c.Setup.Index.Utility(id, c.buf) }

// Bounds returns the seat's best utility and the least utility it may
// concede to: its worst utility, or its reservation value where that is
// higher.
func (c *Context) Bounds() (lo, hi float64) {
	_, hi = c.Setup.Index.Max()
	_, lo = c.Setup.Index.Min()
	return min(max(lo, c.RV), hi), hi
}

// Estimate returns the sum of the model's estimates of the other seats'
// utilities of outcome id, and whether the model knows any of them yet.
func (c *Context) Estimate(id uint64) (float64, bool) {
	if c.Model == nil {
		return 0, false
	}
	c.Setup.Space.Decode(id, c.vals)
	sum, known := 0.0, false
	for s := range c.Setup.Parties {
		if s != c.Setup.Seat && c.Model.Knows(s) {
			sum += c.Model.Estimate(s, id, c.vals)
			known = true
		}
	}
	return sum, known
}

// Pick returns an outcome worth at least target to this seat: the one
// worth least (AtLeast), or, once the model knows something, among up to
// scan outcomes from there whose utility exceeds the first one's by at most
// window, the one the model rates best for the others (the first, worth
// least to this seat, among ties). This is Genius's "best bid" opponent
// model strategy.
func (c *Context) Pick(target, window float64, scan int) (uint64, float64) {
	x := c.Setup.Index
	id, u, _ := x.AtLeast(target, c.buf)
	if !x.Sorted() || c.Model == nil {
		return id, u
	}
	best := math.Inf(-1)
	lo := x.Position(target)
	top := u + window
	for p := lo; p < x.Len() && p < lo+scan; p++ {
		cid, cu := x.At(p)
		if cu > top {
			break
		}
		est, known := c.Estimate(cid)
		if !known {
			return id, u
		}
		if est > best {
			best, id, u = est, cid, cu
		}
	}
	return id, u
}

// Bidding is a BOA bidding strategy: what to offer.
type Bidding interface {
	// Reset starts a session.
	Reset(c *Context)
	// Next returns the outcome to offer on turn t and its utility to this
	// seat. It is asked on every turn, before the acceptance condition,
	// which may compare the standing offer with it.
	Next(c *Context, t protocol.Turn) (id uint64, u float64)
}

// Acceptance is a BOA acceptance condition.
type Acceptance interface {
	// Reset starts a session.
	Reset(c *Context)
	// Accept decides on offer, the standing offer (or the text under a
	// vote), knowing next, the bid the agent would make instead. Offers
	// below the reservation value never reach it.
	Accept(c *Context, t protocol.Turn, offer, next Bid) bool
}

// Model is a BOA opponent model: an estimate of each other seat's
// preferences, learnt from its offers.
type Model interface {
	// Reset starts a session for the seat s describes.
	Reset(s *Setup)
	// Update learns from an offer of seat (never the agent's own).
	Update(seat int, id uint64, t float64)
	// Knows reports whether the model has an estimate for seat yet.
	Knows(seat int) bool
	// Estimate returns seat's estimated utility of outcome id, whose value
	// per issue vals holds (the model may use vals as scratch). Only the
	// order it gives outcomes matters.
	Estimate(seat int, id uint64, vals []int) float64
}

// part is a registered BOA part: its entry, what it needs, its constructor.
type part[T any] struct {
	registry.Entry
	sorted, random, public bool
	make                   func(p map[string]float64) T
}

// The registered parts, one list per family; each family's file adds to it.
var (
	biddings    = registry.New[part[Bidding]]("bidding strategy")
	models      = registry.New[part[Model]]("opponent model")
	acceptances = registry.New[part[Acceptance]]("acceptance condition")
)

// BOAParts lists the registered parts of boa specs, each family in the
// order of registration: bidding strategies, opponent models, acceptance
// conditions (for `parley list`).
func BOAParts() (bid, model, accept []registry.Entry) {
	entries := func(n int, at func(int) registry.Entry) []registry.Entry {
		es := make([]registry.Entry, n)
		for i := range es {
			es[i] = at(i)
		}
		return es
	}
	b, m, a := biddings.All(), models.All(), acceptances.All()
	return entries(len(b), func(i int) registry.Entry { return b[i].Entry }),
		entries(len(m), func(i int) registry.Entry { return m[i].Entry }),
		entries(len(a), func(i int) registry.Entry { return a[i].Entry })
}

// boaSlots are the keys of a boa spec, in canonical order, with the part
// each takes when left out.
var boaSlots = []struct{ key, def string }{{"bid", "timedependent"}, {"model", "none"}, {"accept", "next"}}

func init() {
	register(Info{Entry: registry.Entry{Name: "boa",
		Doc:    "composed of a bidding strategy, an opponent model and an acceptance condition: boa:bid=NAME/param=value:model=NAME:accept=NAME/param=value (parts below)",
		Source: "BOA architecture, Baarslag, Hindriks, Hendrikx, Dirkzwager & Jonker 2014; acceptance conditions of Baarslag, Hindriks & Jonker 2014"},
		Role:  RoleParty,
		parse: parseBOA})
}

// parseBOA reads the parts of a boa spec after "boa".
func parseBOA(spec string, parts []string) (Spec, error) {
	given := make([]string, len(boaSlots))
	keys := make([]string, len(boaSlots))
	for i, sl := range boaSlots {
		keys[i] = sl.key
	}
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			return Spec{}, fmt.Errorf("boa spec %q: %q should be bid=NAME, model=NAME or accept=NAME (parameters as NAME/param=value)", spec, p)
		}
		i := slices.Index(keys, strings.ToLower(k))
		if i < 0 {
			return Spec{}, fmt.Errorf("boa spec %q: no part %q%s; its parts: bid, model, accept", spec, k, suggest.Hint(strings.ToLower(k), keys))
		}
		if given[i] != "" {
			return Spec{}, fmt.Errorf("boa spec %q: %s is given twice", spec, keys[i])
		}
		given[i] = v
	}
	for i, sl := range boaSlots {
		if given[i] == "" {
			given[i] = sl.def
		}
	}
	bs, err := parsePart(biddings, given[0])
	if err != nil {
		return Spec{}, fmt.Errorf("boa spec %q: %w", spec, err)
	}
	ms, err := parsePart(models, given[1])
	if err != nil {
		return Spec{}, fmt.Errorf("boa spec %q: %w", spec, err)
	}
	as, err := parsePart(acceptances, given[2])
	if err != nil {
		return Spec{}, fmt.Errorf("boa spec %q: %w", spec, err)
	}
	info, _ := parties.Get("boa")
	info.NeedsSorted = bs.Item.sorted || ms.Item.sorted || as.Item.sorted
	info.Random = bs.Item.random || ms.Item.random || as.Item.random
	info.Public = bs.Item.public || ms.Item.public || as.Item.public
	info.make = func(map[string]float64) Negotiator {
		return NewBOA(bs.Item.make(bs.Params), ms.Item.make(ms.Params), as.Item.make(as.Params))
	}
	text := "boa:bid=" + partText(bs) + ":model=" + partText(ms) + ":accept=" + partText(as)
	return Spec{Info: info, Params: map[string]float64{}, text: text}, nil
}

// parsePart reads "name" or "name/param=value/..." for a part of list l.
func parsePart[T any](l *registry.List[part[T]], v string) (registry.Spec[part[T]], error) {
	fs := strings.Split(v, "/")
	name := strings.ToLower(fs[0])
	it, ok := l.Get(name)
	if !ok {
		return registry.Spec[part[T]]{}, fmt.Errorf("unknown %s %q%s; choose from %s", l.Kind(), fs[0], suggest.Hint(name, l.Names()), strings.Join(l.Names(), ", "))
	}
	return registry.ParseParams(it, v, fs[1:])
}

// partText renders a part as parsePart reads it, with the parameters that
// differ from their defaults.
func partText[T any](s registry.Spec[part[T]]) string {
	var b strings.Builder
	b.WriteString(s.Item.Name)
	for _, p := range s.Item.Params {
		if v := s.Params[p.Name]; v != p.Default {
			b.WriteString("/" + p.Name + "=" + strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return b.String()
}

// NewBOA composes a negotiator of a bidding strategy, an opponent model
// (nil for none) and an acceptance condition.
func NewBOA(b Bidding, m Model, a Acceptance) *BOA {
	n := &BOA{bidding: b, acceptance: a}
	n.c.Model = m
	return n
}

// Reset implements Negotiator.
func (n *BOA) Reset(s *Setup) {
	n.reset(s)
	c := &n.c
	c.Setup, c.RV = s, n.rv
	c.buf = n.buf
	if cap(c.vals) < s.Space.Issues() {
		c.vals = make([]int, s.Space.Issues())
	}
	c.vals = c.vals[:s.Space.Issues()]
	c.Mine, c.Theirs, c.Best = grow(c.Mine, expected(s)), grow(c.Theirs, expected(s)), Bid{}
	if c.Model != nil {
		c.Model.Reset(s)
	}
	n.bidding.Reset(c)
	n.acceptance.Reset(c)
}

// refresh takes a changed setup: the reservation value and the utilities of
// the offers recorded so far.
func (n *BOA) refresh() {
	c := &n.c
	c.RV = n.rv
	for i := range c.Mine {
		c.Mine[i].U = n.util(c.Mine[i].Outcome)
	}
	for i := range c.Theirs {
		b := &c.Theirs[i]
		b.U = n.util(b.Outcome)
		if i == 0 || b.U > c.Best.U {
			c.Best = *b
		}
	}
}

// Observe implements Negotiator: offers are recorded, the others' taught to
// the model.
func (n *BOA) Observe(e protocol.Event) {
	if e.Type != protocol.EventOffer {
		return
	}
	if n.changed() {
		n.refresh()
	}
	c := &n.c
	b := Bid{Seat: int(e.Seat), Outcome: e.Outcome, U: n.util(e.Outcome), T: e.T}
	if b.Seat == n.s.Seat {
		c.Mine = append(c.Mine, b)
		return
	}
	if len(c.Theirs) == 0 || b.U > c.Best.U {
		c.Best = b
	}
	c.Theirs = append(c.Theirs, b)
	if c.Model != nil && b.Seat >= 0 && b.Seat < n.s.Parties {
		c.Model.Update(b.Seat, b.Outcome, b.T)
	}
}

// Act implements Negotiator.
func (n *BOA) Act(t protocol.Turn) protocol.Action {
	if n.changed() {
		n.refresh()
	}
	c := &n.c
	id, u := n.bidding.Next(c, t)
	if u < n.rv {
		id, u = n.s.Index.Max()
	}
	next := Bid{Seat: n.s.Seat, Outcome: id, U: u, T: t.T}
	switch t.Phase {
	case protocol.PhaseRespond, protocol.PhaseVote:
		offer := Bid{Seat: -1, Outcome: t.Outcome, U: n.util(t.Outcome), T: t.T}
		if len(c.Theirs) > 0 && c.Theirs[len(c.Theirs)-1].Outcome == t.Outcome {
			offer.Seat = c.Theirs[len(c.Theirs)-1].Seat
		}
		ok := offer.U >= n.rv && n.acceptance.Accept(c, t, offer, next)
		if t.Phase == protocol.PhaseVote {
			if offer.U >= n.rv && (ok || (t.HasReference && offer.U >= n.util(t.Reference))) {
				return protocol.Accept
			}
			return protocol.Reject
		}
		if ok {
			return protocol.Accept
		}
	}
	return protocol.Offer(id)
}

// OpponentModel implements OpponentModeler: the model's estimate of seat's
// utility (nil without a model, or before it learnt anything of seat).
func (n *BOA) OpponentModel(seat int) func(uint64) float64 {
	m := n.c.Model
	if m == nil || n.s == nil || seat < 0 || seat >= n.s.Parties || seat == n.s.Seat || !m.Knows(seat) {
		return nil
	}
	sp := n.s.Space
	buf := make([]int, sp.Issues())
	return func(id uint64) float64 {
		sp.Decode(id, buf)
		return m.Estimate(seat, id, buf)
	}
}
