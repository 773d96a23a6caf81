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
	return phaseUtilityAt(u, issues, settled, isSettled, nil)
}

// phaseUtilityAt is phaseUtility with the open issues at the values fill
// gives instead of their mean (fill nil: the mean). Red lines that name an
// open issue do not bind either way: they are about the deal still to be
// made. With fill, a phase outcome is worth what the party falls back on
// with it in force: its reservation value (the status quo's utility plus
// the event shifts so far) changed by the phase's clauses, so that a
// sanction that lowers the status quo lowers a truce's worth alike.
func phaseUtilityAt(u *utility.Additive, issues, settled []int, isSettled []bool, fill []int) *utility.Additive {
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
		case fill != nil:
			c += t[fill[i]]
		default:
			m := 0.0
			for _, x := range t {
				m += x
			}
			c += m / float64(len(t))
		}
	}
	if fill != nil {
		c += u.Reservation - u.Raw(fill)
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
		if pl, ok := phaseLine(rl, local, settled, isSettled); ok {
			pu.RedLines = append(pu.RedLines, pl)
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
			case fill != nil:
				keep = keep && al[fill[i]]
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

// phaseLine restricts red line rl to a phase (local: per issue, its
// position in the phase, -1 outside it). It binds once every issue it
// names is settled or in the phase; it is dropped (false) while it names
// an issue still open, and once a settled value escapes it.
func phaseLine(rl utility.RedLine, local, settled []int, isSettled []bool) (utility.RedLine, bool) {
	pc, keep := phaseConstraint(&rl.Constraint, local, settled, isSettled)
	return utility.RedLine{ID: rl.ID, Constraint: pc}, keep
}

// project gives member m's preferences v for the current phase.
func (r *Runner) project(m int, v variant) (variant, error) {
	p := r.prep
	blocked := r.st.blocked
	if !p.agenda() && blocked == 0 {
		return v, nil
	}
	info := &p.phases[r.st.phase]
	timed := r.timed()
	if timed {
		if pv, ok := r.timedCur.get(r, m); ok {
			return pv, nil
		}
	}
	// Building a phase's utility and its sorted index was most of an
	// agenda session's time and all its allocations: built once per
	// Prepared and kept, and remembered by the runner too, so that
	// sessions on several cores do not take the shared cache's lock.
	r.phaseKey = phaseKey(r.phaseKey[:0], r.st.phase, r.st.settled, r.st.isSettled)
	if blocked != 0 || timed {
		// The terms off the table change the phase's preferences.
		r.phaseKey = binary.AppendUvarint(r.phaseKey, blocked)
	}
	if timed {
		// So do the rounds left and the events so far (the rates).
		r.phaseKey = binary.AppendUvarint(r.phaseKey, uint64(r.cfg.Deadline.Rounds-r.st.round))
		r.phaseKey = binary.AppendUvarint(r.phaseKey, uint64(r.st.events))
	}
	if pv, ok := r.phases.m[v.u][string(r.phaseKey)]; ok {
		r.timedCur.put(r, m, pv)
		return pv, nil
	}
	pv, err := r.phases.get(v.u, r.phaseKey, func() (variant, error) {
		fill := p.completion(r.st.phase)
		pv, err := p.proj.get(v.u, r.phaseKey, func() (variant, error) {
			u := phaseUtilityAt(v.u, info.issues, r.st.settled, r.st.isSettled, fill)
			if timed {
				r.addFlows(u, m)
			}
			p.termLines(u, r.st.phase, blocked)
			x, err := negotiator.NewIndex(u, info.space)
			return variant{u: u, x: x}, err
		})
		// A standing phase binds on its own: no vote discounts it.
		if err == nil && v.ax != nil && fill == nil {
			pv.ax, err = p.anticipatedBlocked(m, v.u, r.st.phase, r.st.settled, r.st.isSettled, blocked, r.phaseKey, r.cfg.Deadline.Rounds, r.st.events)
		}
		return pv, err
	})
	if err == nil {
		r.timedCur.put(r, m, pv)
	}
	return pv, err
}

// timed reports whether the current phase's preferences count the time
// effects to the deadline: a phase that stands on its own, with a status
// quo, a deadline in rounds and some party's costs or drift. What such a
// phase agrees is in force from the next round to the deadline if nothing
// else is agreed, at the rates of the state it makes; so each of its
// outcomes is worth the fallback it secures plus the rounds left at those
// rates, less what the rounds left would bring at the rates of the state
// now (what holding out gives, which is then the reservation value its
// negotiator sees: see seen). A truce is worth the war it stops.
func (r *Runner) timed() bool {
	p := r.prep
	return p.timeRates && p.completion(r.st.phase) != nil && r.cfg.Deadline.Rounds > r.st.round
}

// addFlows adds to u, member m's preferences in the current timed phase,
// the rounds left at the rates of the state each outcome makes, less those
// at the rates of the state now: per value with one issue in the phase,
// per outcome (terms) with several.
func (r *Runner) addFlows(u *utility.Additive, m int) {
	p := r.prep
	info := &p.phases[r.st.phase]
	left := float64(r.cfg.Deadline.Rounds - r.st.round)
	rc, rd := r.rates(m, r.st.isSettled)
	now := rd - rc
	agreed := append([]int(nil), r.st.settled...)
	inForce := append([]bool(nil), r.st.isSettled...)
	for _, i := range info.issues {
		inForce[i] = true
	}
	local := make([]int, len(info.issues))
	flow := func() float64 {
		for k, i := range info.issues {
			agreed[i] = local[k]
		}
		c, d := p.partyAt[r.st.events][m].Rates(agreed, inForce)
		return (d - c - now) * left
	}
	if len(info.issues) == 1 {
		for v := range u.Table[0] {
			local[0] = v
			u.Table[0][v] += flow()
		}
		return
	}
	for o := range info.size {
		info.space.Decode(o, local)
		f := flow()
		if f == 0 {
			continue
		}
		t := utility.Term{Value: f}
		for k, i := range info.issues {
			al := make([]bool, p.Scenario.Issues[i].Size())
			al[local[k]] = true
			t.Issues = append(t.Issues, k)
			t.Allowed = append(t.Allowed, al)
		}
		u.Terms = append(u.Terms, t)
	}
}

// completion says what the issues still open count at in phase ph: nil
// for their mean (phaseUtility). A phase that stands on its own, with a
// status quo, is worth what it secures whatever the later phases agree
// (any party can refuse those): its open issues count at their status quo
// values, so that a truce is valued as the world at war with the truce in
// force, not as a truce followed by an average settlement.
func (p *Prepared) completion(ph int) []int {
	if p.sq == nil || !p.agenda() || !p.Scenario.Agenda[ph].Stands {
		return nil
	}
	return p.sq
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
	r.openTimed()
	for m := range r.prep.members {
		v, err := r.project(m, r.st.cur[m])
		if err != nil {
			return err
		}
		r.st.act[m] = v
		r.setMember(m)
	}
	r.phaseBeliefs(ph)
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
