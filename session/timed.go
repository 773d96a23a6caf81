package session

import "encoding/binary"

// timedTable holds a runner's preferences in one opening of a timed phase
// (Runner.timed): per member, rounds left and events applied. Within an
// opening nothing else they depend on changes (the phase, the values
// settled before it, the terms off the table), so a round looks them up
// by index; the shared caches (project) build and keep them.
type timedTable struct {
	R, events int
	v         []variant
	ok        []bool
}

// A runner keeps at most maxTimedTables tables of at most maxTimedSlots
// preferences each: memory stays bounded whatever the deadline.
const (
	maxTimedSlots  = 1 << 16
	maxTimedTables = 64
)

// openTimed points the runner at the table of the phase opening now, or
// at none when the phase is not timed.
func (r *Runner) openTimed() {
	r.timedCur = nil
	if !r.timed() {
		return
	}
	r.phaseKey = phaseKey(r.phaseKey[:0], r.st.phase, r.st.settled, r.st.isSettled)
	r.phaseKey = binary.AppendUvarint(r.phaseKey, r.st.blocked)
	if t, ok := r.timedTabs[string(r.phaseKey)]; ok {
		r.timedCur = t
		return
	}
	R, e := r.cfg.Deadline.Rounds, len(r.prep.Scenario.Events)
	n := len(r.prep.members) * (R + 1) * (e + 1)
	if n > maxTimedSlots || len(r.timedTabs) >= maxTimedTables {
		// Past these bounds the shared caches alone serve (bounded too).
		return
	}
	t := &timedTable{R: R, events: e, v: make([]variant, n), ok: make([]bool, n)}
	if r.timedTabs == nil {
		r.timedTabs = map[string]*timedTable{}
	}
	r.timedTabs[string(r.phaseKey)] = t
	r.timedCur = t
}

// slot is member m's place in t in the runner's round and events.
func (t *timedTable) slot(r *Runner, m int) int {
	left := t.R - r.st.round
	return (m*(t.R+1)+left)*(t.events+1) + r.st.events
}

// get returns member m's preferences now, if t has them.
func (t *timedTable) get(r *Runner, m int) (variant, bool) {
	if t == nil {
		return variant{}, false
	}
	k := t.slot(r, m)
	return t.v[k], t.ok[k]
}

// put keeps member m's preferences now in t (none: nothing).
func (t *timedTable) put(r *Runner, m int, v variant) {
	if t == nil || !r.timed() {
		return
	}
	k := t.slot(r, m)
	t.v[k], t.ok[k] = v, true
}
