package session

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/utility"
)

// Note is one of the session's own events, for live views: a phase opens
// or ends, a scheduled event happens, a ratification vote is held.
type Note struct {
	Kind  string // phase, event, ratification
	Round int
	Party string // the party concerned, if any
	Phase string // the phase, if any
	Text  string // a readable sentence
}

// Status says whether a session ended with a binding deal.
type Status string

// Statuses.
const (
	StatusAgreed      Status = "agreed"       // agreement; no ratification was required
	StatusRatified    Status = "ratified"     // agreement, and every required vote passed
	StatusNotRatified Status = "not_ratified" // agreement, but a required vote failed: void
	StatusNoAgreement Status = "no_agreement"
	StatusFailedPhase Status = "failed_phase" // a phase of the agenda failed
	StatusFailed      Status = "failed"       // a seat failed (Result.Failure says which and why)
)

// Binding reports whether the status is a deal that stands.
func (s Status) Binding() bool { return s == StatusAgreed || s == StatusRatified }

// phaseRecord is how one phase went.
type phaseRecord struct {
	played     bool
	start, end int // rounds
	out        protocol.Outcome
}

// ratVote is one party's ratification.
type ratVote struct {
	has, required, passed bool
	prob, draw            float64
}

// sessionState is the rules' state during one session.
type sessionState struct {
	round     int // the round under way (0 before the first)
	events    int // scheduled events applied
	phase     int
	settled   []int // the agreed values of settled issues (full outcome)
	isSettled []bool
	cur       []variant // per member: preferences after the events so far
	act       []variant // per member: what it negotiates with in this phase
	crossings []int     // per seat: offers and texts put to it that crossed its red lines
	phases    []phaseRecord
	failed    int // the phase that failed, or -1
	ratif     []ratVote
	status    Status
	failure   *Failure
	buf       []int
}

func (r *Runner) initState() {
	p := r.prep
	st := &r.st
	k := p.Space.Issues()
	st.settled, st.isSettled, st.buf = make([]int, k), make([]bool, k), make([]int, k)
	st.cur, st.act = make([]variant, len(p.members)), make([]variant, len(p.members))
	st.crossings = make([]int, len(p.Seats))
	st.phases = make([]phaseRecord, len(p.phases))
	st.ratif = make([]ratVote, len(p.Seats))
}

func (r *Runner) resetState() {
	st := &r.st
	st.round, st.events, st.phase, st.failed, st.status, st.failure = 0, 0, 0, -1, StatusNoAgreement, nil
	clear(st.settled)
	clear(st.isSettled)
	copy(st.cur, r.variants[0])
	copy(st.act, st.cur)
	clear(st.crossings)
	clear(st.phases)
	clear(st.ratif)
}

// compileEvents builds every member's preferences after each scheduled
// event, so that a session only switches pointers when an event happens.
func (p *Prepared) compileEvents(base []variant) error {
	sc := p.Scenario
	p.variants = make([][]variant, len(sc.Events)+1)
	p.variants[0] = base
	type change struct {
		weights []float64
		dropped map[string]bool
		shift   float64
	}
	changes := make([]change, len(p.members))
	for k, e := range sc.Events {
		cur := append([]variant(nil), p.variants[k]...)
		if m := p.member(e.Party); m >= 0 {
			c := &changes[m]
			if e.Weights != nil {
				c.weights = e.Weights
			}
			for _, id := range e.DropRedLines {
				if c.dropped == nil {
					c.dropped = map[string]bool{}
				}
				c.dropped[id] = true
			}
			c.shift += e.ReservationShift
			u := sc.Utility(e.Party)
			if c.weights != nil {
				nu := utility.NewAdditive(append([]float64(nil), c.weights...), u.Evals, u.Reservation, u.Discount)
				nu.RedLines = u.RedLines
				u = nu
			}
			u.Reservation += c.shift
			var kept []utility.RedLine
			for _, rl := range u.RedLines {
				if !c.dropped[rl.ID] {
					kept = append(kept, rl)
				}
			}
			u.RedLines = kept
			x, err := negotiator.NewIndex(u, p.Space)
			if err != nil {
				return fmt.Errorf("scenario %s, event %d: %w", sc.Name, k+1, err)
			}
			cur[m] = variant{u: u, x: x}
		}
		p.variants[k+1] = cur
	}
	return nil
}

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
// dropped.
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
		keep := true
		var pc utility.Constraint
		for k, i := range rl.Issues {
			switch {
			case local[i] >= 0:
				pc.Issues = append(pc.Issues, local[i])
				pc.Allowed = append(pc.Allowed, rl.Allowed[k])
			case isSettled[i]:
				keep = keep && rl.Allowed[k][settled[i]]
			default:
				keep = false
			}
		}
		if keep {
			pu.RedLines = append(pu.RedLines, utility.RedLine{ID: rl.ID, Constraint: pc})
		}
	}
	return pu
}

// project gives member m's preferences v for the current phase.
func (r *Runner) project(m int, v variant) (variant, error) {
	p := r.prep
	if !p.agenda() {
		return v, nil
	}
	info := &p.phases[r.st.phase]
	// Building a phase's utility and its sorted index was most of an
	// agenda session's time and all its allocations: built once per
	// Prepared and kept, and remembered by the runner too, so that
	// sessions on several cores do not take the shared cache's lock.
	r.phaseKey = phaseKey(r.phaseKey[:0], r.st.phase, r.st.settled, r.st.isSettled)
	if pv, ok := r.phases.m[v.u][string(r.phaseKey)]; ok {
		return pv, nil
	}
	return r.phases.get(v.u, r.phaseKey, func() (variant, error) {
		pv, err := p.proj.get(v.u, r.phaseKey, func() (variant, error) {
			u := phaseUtility(v.u, info.issues, r.st.settled, r.st.isSettled)
			x, err := negotiator.NewIndex(u, info.space)
			return variant{u: u, x: x}, err
		})
		if err == nil && v.ax != nil {
			pv.ax, err = p.anticipatedPhase(m, v.u, r.st.phase, r.st.settled, r.st.isSettled, r.phaseKey)
		}
		return pv, err
	})
}

// memberSeat is the seat of member m: its party's seat, or the mediator
// seat for the mediator party; nil if the member has none.
func (r *Runner) memberSeat(m int) *seat {
	n := len(r.prep.Seats)
	switch {
	case m < n:
		return r.seats[m]
	case len(r.seats) > n:
		return r.seats[n]
	}
	return nil
}

// setMember points the seat of member m at its current preferences.
func (r *Runner) setMember(m int) {
	s := r.memberSeat(m)
	if s == nil {
		return
	}
	v := &r.st.act[m]
	s.setup.Utility, s.setup.Index = v.u, v.x
	if v.ax != nil {
		s.setup.Index = v.ax
	}
	s.setup.Version++
}

// reservation is what member m's negotiator sees as its reservation value
// in the given round: rv(r) − c·(R − r), rv(r) = rv + shifts + drift·r.
func (r *Runner) reservation(m, round int) float64 {
	pa := &r.prep.Scenario.Parties[r.prep.members[m]]
	rv := r.st.cur[m].u.Reservation + pa.Drift*float64(round)
	if R := r.cfg.Deadline.Rounds; R > 0 && round <= R {
		rv -= pa.DelayCost * float64(R-round)
	}
	return rv
}

func (r *Runner) updateReservations() {
	if !r.prep.dynamic {
		return
	}
	for m := range r.prep.members {
		s := r.memberSeat(m)
		if s == nil {
			continue
		}
		s.setup.Reservation = r.reservation(m, max(r.st.round, 1))
		s.setup.Version++
	}
}

// preparePhase sets every seat up for phase ph.
func (r *Runner) preparePhase(ph int) error {
	r.st.phase = ph
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

// enterRound applies what happens at the start of a round: scheduled
// events, then the reservation values of the round.
func (r *Runner) enterRound(round int) {
	r.st.round = round
	evs := r.prep.Scenario.Events
	for r.st.events < len(evs) && evs[r.st.events].Round <= round {
		k := r.st.events
		r.st.events++
		e := &evs[k]
		m := r.prep.member(e.Party)
		if m >= 0 {
			r.st.cur[m] = r.variants[k+1][m]
			v, err := r.project(m, r.st.cur[m])
			if err == nil {
				r.st.act[m] = v
				r.setMember(m)
			}
		}
		r.noteEvent(round, e.Party, e.Description)
	}
	r.updateReservations()
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
			r.notePhase(ph, o.Round, "agreed", "", true, o.Outcome)
		}
		offset = o.Round
	}
	if p.agenda() {
		out.Outcome = p.Space.Index(r.st.settled)
	}
	return out, nil
}

// countRedLines counts the offers and texts put to each party that cross
// its red lines (the mediator's private proposals only for their party).
func (r *Runner) countRedLines(e protocol.Event) {
	if e.Type != protocol.EventOffer && e.Type != protocol.EventPropose {
		return
	}
	for s := range r.prep.Seats {
		if s == int(e.Seat) || (e.Private && s != int(e.With)) || len(r.st.act[s].u.RedLines) == 0 {
			continue
		}
		if r.st.act[s].x.Utility(e.Outcome, r.st.buf) == utility.Unacceptable {
			r.st.crossings[s]++
		}
	}
}

// ratify holds the ratification votes of an agreement and sets the status.
func (r *Runner) ratify() {
	st := &r.st
	switch {
	case st.failed >= 0:
		st.status = StatusFailedPhase
		return
	case !r.out.Agreed:
		st.status = StatusNoAgreement
		return
	}
	st.status = StatusAgreed
	p := r.prep
	p.Space.Decode(r.out.Outcome, st.buf)
	for s, i := range p.Seats {
		rat := p.Scenario.Parties[i].Ratification
		if rat == nil {
			continue
		}
		v := &st.ratif[s]
		v.has = true
		v.required = rat.Required(st.buf)
		v.prob = rat.Prob(st.buf, st.cur[s].u.Utility(st.buf))
		if !v.required {
			v.passed = true
			continue
		}
		v.draw = r.ratRand.Float64()
		v.passed = v.draw < v.prob
		if st.status == StatusAgreed {
			st.status = StatusRatified
		}
		if !v.passed {
			st.status = StatusNotRatified
		}
		r.noteRatification(s, rat.Body, v.passed)
	}
}

// Status is the binding status of the last session played.
func (r *Runner) Status() Status { return r.st.status }

// Labels returns the labels of an event's outcome, in the issue order of
// the phase under way (all issues without an agenda). Valid during OnEvent.
func (r *Runner) Labels(id uint64) []string {
	info := &r.prep.phases[r.st.phase]
	ls := make([]string, len(info.issues))
	for k, i := range info.issues {
		is := &r.prep.Scenario.Issues[i]
		n := uint64(is.Size())
		ls[k] = is.Label(int(id % n))
		id /= n
	}
	return ls
}

// SeatUtility is seat s's utility, by its preferences now, of an outcome of
// the phase under way (Unacceptable across its red lines). Valid during
// OnEvent.
func (r *Runner) SeatUtility(s int, id uint64) float64 {
	return r.st.act[s].x.Utility(id, r.st.buf)
}

func (r *Runner) note(n Note) {
	if r.cfg.OnNote != nil {
		r.cfg.OnNote(n)
	}
}

func (r *Runner) phaseID(ph int) string { return r.prep.phases[ph].id }

func (r *Runner) notePhase(ph, round int, state, why string, agreed bool, id uint64) {
	if r.cfg.Trace != nil {
		r.tracePhase(ph, round, state, why, agreed, id)
	}
	if r.cfg.OnNote == nil {
		return
	}
	text := "phase " + r.phaseID(ph) + " " + state
	switch {
	case state == "open":
		text = "phase " + r.phaseID(ph) + " opens on " + issueList(r, ph)
	case agreed:
		text = "phase " + r.phaseID(ph) + " agreed: " + joinLabels(r.prep, ph, id)
	case why != "":
		text += " (" + why + ")"
	}
	r.note(Note{Kind: "phase", Round: round, Phase: r.phaseID(ph), Text: text})
}

func (r *Runner) noteEvent(round, party int, desc string) {
	id := r.prep.Scenario.Parties[party].ID
	if r.cfg.Trace != nil {
		r.traceNote("event", round, id, "description", desc)
	}
	if r.cfg.OnNote != nil {
		r.note(Note{Kind: "event", Round: round, Party: id, Text: "event for " + id + ": " + desc})
	}
}

func (r *Runner) noteRatification(s int, body string, passed bool) {
	id := r.SeatName(s)
	if r.cfg.Trace != nil {
		r.traceRatification(id, body, passed)
	}
	if r.cfg.OnNote != nil {
		v := &r.st.ratif[s]
		res := "fails"
		if passed {
			res = "passes"
		}
		if body == "" {
			body = "ratification"
		}
		r.note(Note{Kind: "ratification", Round: r.out.Round, Party: id,
			Text: fmt.Sprintf("%s of %s %s (probability %s, draw %s)", body, id, res, strconv.FormatFloat(v.prob, 'f', 3, 64), strconv.FormatFloat(v.draw, 'f', 3, 64))})
	}
}

func issueList(r *Runner, ph int) string {
	s := ""
	for k, i := range r.prep.phases[ph].issues {
		if k > 0 {
			s += ", "
		}
		s += r.prep.Scenario.Issues[i].ID
	}
	return s
}

func joinLabels(p *Prepared, ph int, id uint64) string {
	s := ""
	for k, i := range p.phases[ph].issues {
		is := &p.Scenario.Issues[i]
		n := uint64(is.Size())
		if k > 0 {
			s += ", "
		}
		s += is.ID + " = " + is.Label(int(id%n))
		id /= n
	}
	return s
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
