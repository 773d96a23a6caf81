package negotiator

import (
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// HillClimb is the hill-climbing mediator of Klein, Faratin, Sayama and
// Bar-Yam ("Negotiating complex contracts", 2003), as Genius's
// RandomFlippingMediator: it opens with a random text and then proposes
// random single-issue changes (one issue, a different value, both drawn from
// the seeded source) to the current text; a change every party accepts
// becomes the current text. It sees only the public record (which texts were
// adopted), never the parties' preferences.
type HillClimb struct {
	med
}

// Veto is a systematic veto mediator (Klein et al. 2003's veto-based single
// text, with Genius's FixedOrderFlippingMediator's order): from a random
// opening text it proposes every single-issue change of the current text in
// a fixed order (issue by issue, value by value, cyclically); any party can
// veto a change by rejecting it. When every change of the current text has
// been vetoed in a row, the text is a local optimum for the group and the
// mediator ends the session with the current text as the agreement; while no
// text has been adopted yet it opens again with a new random text instead.
type Veto struct {
	med
	issue, value int
	vetoed       int
	neighbours   int
	adopted      bool
}

// med is the shared state of the mediators: the base text being improved.
type med struct {
	s       *Setup
	base    []int
	work    []int
	started bool
}

func init() {
	register(Info{Entry: registry.Entry{Name: "hillclimb", Doc: "mediator: proposes random single-issue changes to the current text", Source: "Klein, Faratin, Sayama & Bar-Yam 2003; Genius RandomFlippingMediator"},
		Role:   RoleMediator,
		Random: true,
		make:   func(map[string]float64) Negotiator { return &HillClimb{} }})
	register(Info{Entry: registry.Entry{Name: "veto", Doc: "mediator: tries every single-issue change in a fixed order; ends when all are vetoed", Source: "Klein et al. 2003 (veto-based single text); Genius FixedOrderFlippingMediator"},
		Role:   RoleMediator,
		Random: true,
		make:   func(map[string]float64) Negotiator { return &Veto{} }})
}

func (m *med) reset(s *Setup) {
	m.s = s
	k := s.Space.Issues()
	if cap(m.base) < k {
		m.base, m.work = make([]int, k), make([]int, k)
	}
	m.base, m.work = m.base[:k], m.work[:k]
	m.started = false
}

// open proposes the random opening text.
func (m *med) open() protocol.Action {
	m.started = true
	for i := range m.base {
		m.base[i] = m.s.Rand.IntN(m.s.Space.Card(i))
	}
	return protocol.Offer(m.s.Space.Index(m.base))
}

func (m *med) observe(e protocol.Event) bool {
	if e.Type == protocol.EventAdopt {
		m.s.Space.Decode(e.Outcome, m.base)
		return true
	}
	return false
}

// Reset implements Negotiator.
func (m *HillClimb) Reset(s *Setup) { m.reset(s) }

// Observe implements Negotiator.
func (m *HillClimb) Observe(e protocol.Event) { m.observe(e) }

// Act implements Negotiator.
func (m *HillClimb) Act(t protocol.Turn) protocol.Action {
	if !m.started {
		return m.open()
	}
	sp := m.s.Space
	copy(m.work, m.base)
	// Pick an issue with at least two values, then a different value.
	var movable int
	for i := range m.work {
		if sp.Card(i) > 1 {
			movable++
		}
	}
	if movable == 0 {
		return protocol.Offer(sp.Index(m.work))
	}
	k := m.s.Rand.IntN(movable)
	for i := range m.work {
		if sp.Card(i) < 2 {
			continue
		}
		if k == 0 {
			v := m.s.Rand.IntN(sp.Card(i) - 1)
			if v >= m.work[i] {
				v++
			}
			m.work[i] = v
			break
		}
		k--
	}
	return protocol.Offer(sp.Index(m.work))
}

// Reset implements Negotiator.
func (m *Veto) Reset(s *Setup) {
	m.reset(s)
	m.issue, m.value, m.vetoed, m.neighbours, m.adopted = 0, 0, 0, 0, false
	for i := range s.Space.Issues() {
		m.neighbours += s.Space.Card(i) - 1
	}
}

// Observe implements Negotiator.
func (m *Veto) Observe(e protocol.Event) {
	if m.observe(e) {
		m.vetoed, m.adopted = 0, true
	}
}

// Act implements Negotiator.
func (m *Veto) Act(t protocol.Turn) protocol.Action {
	if !m.started {
		return m.open()
	}
	if m.neighbours == 0 || m.vetoed >= m.neighbours {
		if m.adopted {
			return protocol.End
		}
		// No text has been adopted yet: start again from a new random text.
		m.vetoed = 0
		return m.open()
	}
	sp := m.s.Space
	// Advance to the next single-issue change of the base text.
	for {
		if m.issue >= sp.Issues() {
			m.issue, m.value = 0, 0
		}
		if m.value >= sp.Card(m.issue) {
			m.issue++
			m.value = 0
			continue
		}
		if m.value == m.base[m.issue] {
			m.value++
			continue
		}
		break
	}
	copy(m.work, m.base)
	m.work[m.issue] = m.value
	m.value++
	// Assume a veto; an adoption (observed before the next Act) resets the count.
	m.vetoed++
	return protocol.Offer(sp.Index(m.work))
}
