package session

import (
	"encoding/binary"
	"sync"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

func (p *Prepared) compilePhases() {
	sc := p.Scenario
	if len(sc.Agenda) == 0 {
		all := make([]int, len(sc.Issues))
		for i := range all {
			all[i] = i
		}
		p.phases = []phaseInfo{{issues: all, space: p.Space, size: p.Size}}
		return
	}
	for _, ph := range sc.Agenda {
		sizes := make([]int, len(ph.Issues))
		for k, i := range ph.Issues {
			sizes[k] = sc.Issues[i].Size()
		}
		sp, _ := outcome.NewSpace(sizes) // a subspace of a space that fits
		size, _ := sp.Size()
		p.phases = append(p.phases, phaseInfo{id: ph.ID, issues: ph.Issues, space: sp, size: size})
	}
}

// agenda reports whether the session runs phase by phase.
func (p *Prepared) agenda() bool { return len(p.Scenario.Agenda) > 0 }

// phaseUtility restricts u to the issues of a phase: settled issues count
// at their agreed values and issues still open at their mean evaluation, a
// constant folded into the first row of the table (so Table is no longer
// Weights·Evals on that row). A red line binds once every issue it names is
// settled or in the phase; one that a settled value already escapes is
// dropped. Terms are restricted alike, open issues at their mean.
func phaseUtility(u *utility.Additive, issues, settled []int, isSettled []bool) *utility.Additive {
	local := make([]int, len(u.Table))
	for i := range local {
		local[i] = -1
	}
	for k, i := range issues {
		local[i] = k
	}
	c := 0.0
	for i, t := range u.Table {
		switch {
		case local[i] >= 0:
		case isSettled[i]:
			c += t[settled[i]]
		default:
			m := 0.0
			for _, x := range t {
				m += x
			}
			c += m / float64(len(t))
		}
	}
	pu := &utility.Additive{Reservation: u.Reservation, Discount: u.Discount}
	for k, i := range issues {
		row := append([]float64(nil), u.Table[i]...)
		if k == 0 {
			for v := range row {
				row[v] += c
			}
		}
		pu.Weights = append(pu.Weights, u.Weights[i])
		pu.Evals = append(pu.Evals, u.Evals[i])
		pu.Table = append(pu.Table, row)
	}
	for _, rl := range u.RedLines {
		if pc, keep := phaseConstraint(&rl.Constraint, local, settled, isSettled); keep {
			pu.RedLines = append(pu.RedLines, utility.RedLine{ID: rl.ID, Constraint: pc})
		}
	}
	phaseVetoes(pu, u, issues, local, settled, isSettled)
	// A term keeps its conditions on the phase's issues, is dropped once a
	// settled value escapes it, and counts an open issue at its mean: the
	// share of the issue's values it allows.
	for _, t := range u.Terms {
		keep, value := true, t.Value
		var pc utility.Constraint
		for k, i := range t.Issues {
			al := t.Allowed[k]
			switch {
			case local[i] >= 0:
				pc.Issues = append(pc.Issues, local[i])
				pc.Allowed = append(pc.Allowed, al)
			case isSettled[i]:
				keep = keep && al[settled[i]]
			default:
				n := 0
				for _, ok := range al {
					if ok {
						n++
					}
				}
				value *= float64(n) / float64(len(al))
			}
		}
		if keep && value != 0 {
			pu.Terms = append(pu.Terms, utility.Term{Constraint: pc, Value: value})
		}
	}
	return pu
}

// project gives member m's preferences v for the current phase.
func (r *Runner) project(m int, v variant) (variant, error) {
	p := r.prep
	blocked := r.st.blocked
	if !p.agenda() && blocked == 0 {
		return v, nil
	}
	info := &p.phases[r.st.phase]
	// Building a phase's utility and its sorted index was most of an
	// agenda session's time and all its allocations: built once per
	// Prepared and kept, and remembered by the runner too, so that
	// sessions on several cores do not take the shared cache's lock.
	r.phaseKey = phaseKey(r.phaseKey[:0], r.st.phase, r.st.settled, r.st.isSettled)
	if blocked != 0 {
		// The terms off the table change the phase's preferences.
		r.phaseKey = binary.AppendUvarint(r.phaseKey, blocked)
	}
	if pv, ok := r.phases.m[v.u][string(r.phaseKey)]; ok {
		return pv, nil
	}
	return r.phases.get(v.u, r.phaseKey, func() (variant, error) {
		pv, err := p.proj.get(v.u, r.phaseKey, func() (variant, error) {
			u := phaseUtility(v.u, info.issues, r.st.settled, r.st.isSettled)
			p.termLines(u, r.st.phase, blocked)
			x, err := negotiator.NewIndex(u, info.space)
			return variant{u: u, x: x}, err
		})
		if err == nil && v.ax != nil {
			pv.ax, err = p.anticipatedBlocked(m, v.u, r.st.phase, r.st.settled, r.st.isSettled, blocked, r.phaseKey)
		}
		return pv, err
	})
}

// preparePhase sets every seat up for phase ph: the terms of the deal
// settled in it are judged (their meetings are needed now), and every
// member's preferences are those of the phase.
func (r *Runner) preparePhase(ph int) error {
	r.st.phase = ph
	r.st.blocked = 0
	if len(r.prep.terms) > 0 {
		r.st.blocked = r.termsFor(ph)
	}
	for m := range r.prep.members {
		v, err := r.project(m, r.st.cur[m])
		if err != nil {
			return err
		}
		r.st.act[m] = v
		r.setMember(m)
	}
	n := len(r.prep.Seats)
	if len(r.seats) > n && r.prep.Mediator < 0 {
		r.seats[n].setup.Utility, r.seats[n].setup.Index = nil, nil
	}
	r.updateReservations()
	return nil
}

// playPhases runs the session: one phase, or the agenda's phases in turn.
func (r *Runner) playPhases() (protocol.Outcome, error) {
	p := r.prep
	offset, steps := 0, 0
	var out protocol.Outcome
	for ph := range p.phases {
		if p.agenda() && ph > 0 && r.cfg.Deadline.Rounds > 0 && offset >= r.cfg.Deadline.Rounds {
			// No round is left for this phase.
			r.st.failed = ph
			r.st.phases[ph] = phaseRecord{played: true, start: offset, end: offset, out: protocol.Outcome{Reason: protocol.Expired, Round: offset, T: 1, Seat: -1}}
			r.notePhase(ph, offset, "failed", "no round left before the deadline", false, 0)
			out = protocol.Outcome{Reason: protocol.Expired, Round: offset, T: 1, Seat: -1, Steps: steps}
			return out, nil
		}
		if err := r.preparePhase(ph); err != nil {
			return out, err
		}
		if p.agenda() {
			r.notePhase(ph, offset+1, "open", "", false, 0)
		}
		o, err := r.playPhase(ph, offset)
		steps += o.Steps
		r.st.phases[ph] = phaseRecord{played: true, start: offset + 1, end: o.Round, out: o}
		if err != nil {
			return o, err
		}
		out = o
		out.Steps = steps
		if g := p.gate[ph]; g >= 0 && o.Agreed {
			// The phase can be signed only at meeting g: it is needed now.
			v := r.judge(g)
			r.st.meet[g] = meetRecord{judged: true, round: o.Round, phase: ph, closes: true, v: v}
			r.noteMeeting(g, o.Round, v)
			if !v.Possible {
				r.st.gateFailed = g
				o.Agreed, o.Reason = false, protocol.NoMeeting
				r.st.phases[ph].out = o
				out.Agreed, out.Reason = false, protocol.NoMeeting
				r.st.failed = ph
				r.notePhase(ph, o.Round, "failed", r.gateEnd(), false, 0)
				return out, nil
			}
		}
		if !o.Agreed {
			if p.agenda() {
				r.st.failed = ph
				r.notePhase(ph, o.Round, "failed", o.Reason.String(), false, 0)
			}
			return out, nil
		}
		if p.agenda() {
			info := &p.phases[ph]
			local := r.phaseBuf[:0]
			for range info.issues {
				local = append(local, 0)
			}
			r.phaseBuf = local
			info.space.Decode(o.Outcome, local)
			for k, i := range info.issues {
				r.st.settled[i], r.st.isSettled[i] = local[k], true
			}
			r.phaseAgreed(ph, o.Round)
			r.notePhase(ph, o.Round, "agreed", "", true, o.Outcome)
		}
		offset = o.Round
	}
	if p.agenda() {
		out.Outcome = p.Space.Index(r.st.settled)
	}
	return out, nil
}

// gateEnd says why the phase signed at a meeting failed: the meeting did
// not take place.
func (r *Runner) gateEnd() string {
	return "meeting " + r.prep.Scenario.Meetings[r.st.gateFailed].ID + " does not take place"
}

// phaseCache remembers what is built for an agenda phase, per Prepared
// and shared by its sessions and goroutines: a member's utility (a
// variant's, so stable), the phase and the values settled before it
// (phaseKey) determine it. At most maxPhaseCache entries are kept; beyond,
// they are built each time.
type phaseCache[V any] struct {
	mu sync.Mutex
	m  map[*utility.Additive]map[string]V
	n  int
}

const maxPhaseCache = 4096

// get returns the value for (u, key), building it on first use.
func (c *phaseCache[V]) get(u *utility.Additive, key []byte, build func() (V, error)) (V, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[u][string(key)]; ok {
		return v, nil
	}
	v, err := build()
	if err != nil || c.n >= maxPhaseCache {
		return v, err
	}
	if c.m == nil {
		c.m = map[*utility.Additive]map[string]V{}
	}
	if c.m[u] == nil {
		c.m[u] = map[string]V{}
	}
	c.m[u][string(key)] = v
	c.n++
	return v, nil
}

// phaseKey appends to b the phase and, per issue, its settled value plus
// one (0 while open): what a phase's preferences depend on besides the
// utility.
func phaseKey(b []byte, phase int, settled []int, isSettled []bool) []byte {
	b = binary.AppendUvarint(b, uint64(phase))
	for i, s := range isSettled {
		v := uint64(0)
		if s {
			v = uint64(settled[i]) + 1
		}
		b = binary.AppendUvarint(b, v)
	}
	return b
}
