package session

import (
	"github.com/parleyhq/parley/protocol"
)

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

// ratVote is one body's vote on a party's ratification.
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
	refused   []int     // per seat: those its members' rule or a guarantor's consent ruled out
	phases    []phaseRecord
	failed    int       // the phase that failed, or -1
	ratif     []ratVote // per seat and body (ratOff)
	ratOff    []int
	status    Status
	failure   *Failure
	buf       []int

	// Time effects (time.go): per member its ledger and, once the session
	// is over, its accounts; the issues whose standing clauses are in
	// force, and the status quo with them in place.
	// Meetings judged in this session (meetings.go), per meeting; the
	// terms of the deal off the table in the current phase (bit k for
	// meeting k); the meeting that did not take place, failing the phase
	// it signs (-1: none).
	meet []meetRecord
	// The last outcome offered or proposed in the phase, which an
	// excluded party's stand-in offers when it must (exclude.go).
	lastOffer  uint64
	hasOffer   bool
	blocked    uint64
	gateFailed int

	led         []ledger
	acc         []accounts
	standing    []bool
	anyStanding bool
	mix         []int

	// The scenario's constraints (constraints.go): per constraint the
	// offers and texts that broke it, and scratch space to judge one.
	broken   []int
	conBuf   []int
	conOpen  []bool
	conLocal []int
}

func (r *Runner) initState() {
	p := r.prep
	st := &r.st
	k := p.Space.Issues()
	st.settled, st.isSettled, st.buf = make([]int, k), make([]bool, k), make([]int, k)
	st.cur, st.act = make([]variant, len(p.members)), make([]variant, len(p.members))
	st.crossings = make([]int, len(p.Seats))
	st.refused = make([]int, len(p.Seats))
	st.phases = make([]phaseRecord, len(p.phases))
	// One vote per seat and body, seat by seat (ratOff[s] is seat s's
	// first).
	st.ratOff = make([]int, len(p.Seats)+1)
	for s, i := range p.Seats {
		n := 0
		if rat := p.Scenario.Parties[i].Ratification; rat != nil {
			n = len(rat.Bodies)
		}
		st.ratOff[s+1] = st.ratOff[s] + n
	}
	st.ratif = make([]ratVote, st.ratOff[len(p.Seats)])
	st.led, st.acc = make([]ledger, len(p.members)), make([]accounts, len(p.members))
	st.standing, st.mix = make([]bool, k), make([]int, k)
	st.meet = make([]meetRecord, len(p.Scenario.Meetings))
	r.initConstraints()
}

func (r *Runner) resetState() {
	st := &r.st
	st.round, st.events, st.phase, st.failed, st.status, st.failure = 0, 0, 0, -1, StatusNoAgreement, nil
	clear(st.settled)
	clear(st.isSettled)
	copy(st.cur, r.variants[0])
	copy(st.act, st.cur)
	clear(st.crossings)
	clear(st.refused)
	clear(st.phases)
	clear(st.ratif)
	clear(st.meet)
	clear(st.broken)
	st.blocked, st.gateFailed = 0, -1
	r.startLedgers()
}

// Status is the binding status of the last session played.
func (r *Runner) Status() Status { return r.st.status }
