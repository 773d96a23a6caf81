package session

import (
	"encoding/binary"
	"strings"
	"sync"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/utility"
)

// Meeting is the verdict on one of the scenario's meetings.
type Meeting struct {
	ID       string          `json:"id"`
	Invitees []string        `json:"invitees"`
	Held     bool            `json:"held"`
	Answers  []MeetingAnswer `json:"answers"`
	// NeedsMet is false when the state of the talks did not allow the
	// meeting: what it needs was not agreed and in force.
	NeedsMet bool `json:"needs_met"`
	// Needs says what the meeting needs ("ceasefire = Ceasefire now"),
	// when it needs anything.
	Needs string `json:"needs,omitempty"`
	// Deal is the predicted deal (the Nash point over the outcomes every
	// invitee accepts) when some rule needed it and one exists.
	Deal []Value `json:"predicted_deal,omitempty"`
	// Term is the term of the deal the meeting is ("summit = A summit"),
	// when it is one: Held then says whether the deal signed includes it.
	Term string `json:"term,omitempty"`
	// Signs is the phase the meeting signs, when it gates one.
	Signs string `json:"signs,omitempty"`
	// Judged says when the meeting was judged: "at the start", "when
	// phase settlement opened", "when phase settlement was about to
	// close"; "not judged" when the talks never got there. Round is that
	// round.
	Judged string `json:"judged"`
	Round  int    `json:"round,omitempty"`
	// Possible: the invitees accepted and the state allowed the meeting
	// when it was judged (for a term of the deal: deals with it were on
	// the table).
	Possible bool `json:"possible"`
}

// MeetingAnswer is one invitee's answer and why.
type MeetingAnswer struct {
	Party   string `json:"party"`
	Rule    string `json:"rule"`
	Accepts bool   `json:"accepts"`
	Why     string `json:"why"`
}

// Reason says why a meeting could not take place ("ru declined: no zone of
// agreement"; "it needs ceasefire = Ceasefire now agreed and in force"),
// or "" when it could.
func (m Meeting) Reason() string {
	var ds []string
	if !m.NeedsMet {
		ds = append(ds, "it needs "+m.Needs+" agreed and in force")
	}
	for _, a := range m.Answers {
		if !a.Accepts {
			ds = append(ds, a.Party+" declined: "+a.Why)
		}
	}
	return strings.Join(ds, "; ")
}

// When a meeting is judged: a meeting is judged when it is needed, on the
// preferences and state of that moment.
const (
	judgedAtStart = "at the start"
	judgedNever   = "not judged: the talks never got there"
)

// compileMeetings finds when each meeting is needed: a term of the deal
// when the phase that settles its issue opens (the start, without an
// agenda), a meeting that signs a phase when the phase is about to close,
// any other at the start. It judges every meeting at the start (Meetings)
// and finds the shuttle's joint meeting.
func (p *Prepared) compileMeetings() {
	sc := p.Scenario
	p.termPhase = make([]int, len(sc.Meetings))
	p.gate = make([]int, len(p.phases))
	for ph := range p.gate {
		p.gate[ph] = -1
	}
	for k, mt := range sc.Meetings {
		p.termPhase[k] = -1
		if mt.Term != nil {
			p.termPhase[k] = 0
			if p.agenda() {
				p.termPhase[k] = sc.PhaseOf(mt.Term.Issue)
			}
			p.terms = append(p.terms, k)
		}
	}
	for ph := range sc.Agenda {
		if id := sc.Agenda[ph].SignedAt; id != "" {
			p.gate[ph] = sc.MeetingIndex(id)
		}
	}
	p.meetCache = &meetingCache{m: map[string]*Meeting{}}
	if len(sc.Meetings) == 0 {
		return
	}
	us := make([]*utility.Additive, len(sc.Parties))
	rv := make([]float64, len(sc.Parties))
	for i := range sc.Parties {
		if m := p.member(i); m >= 0 {
			us[i] = p.variants[0][m].u
		} else {
			us[i] = sc.Utility(i)
		}
		rv[i] = us[i].Reservation
	}
	for k := range sc.Meetings {
		res := p.verdict(k, analysis.JudgeMeeting(sc, k, us, rv, nil, nil))
		res.Judged = judgedAtStart
		p.Meetings = append(p.Meetings, res)
	}
	for k, mt := range sc.Meetings {
		all := true
		for _, s := range p.Seats {
			found := false
			for _, i := range mt.Invitees {
				found = found || i == s
			}
			all = all && found
		}
		if all {
			p.Joint = k
			break
		}
	}
}

// dynamicMeeting: meeting k is judged during the session (a term of the
// deal, or a meeting that signs a phase), not only at the start.
func (p *Prepared) dynamicMeeting(k int) bool {
	if p.termPhase[k] >= 0 {
		return true
	}
	for _, g := range p.gate {
		if g == k {
			return true
		}
	}
	return false
}

// verdict turns a judgement of meeting k into its report.
func (p *Prepared) verdict(k int, v analysis.MeetingVerdict) Meeting {
	sc := p.Scenario
	mt := &sc.Meetings[k]
	res := Meeting{ID: mt.ID, Held: v.Held, Possible: v.Held, NeedsMet: v.NeedsMet}
	for j, i := range mt.Invitees {
		res.Invitees = append(res.Invitees, sc.Parties[i].ID)
		a := v.Answers[j]
		res.Answers = append(res.Answers, MeetingAnswer{Party: sc.Parties[i].ID, Rule: a.Rule, Accepts: a.Accepts, Why: a.Why})
	}
	if v.Deal != nil {
		res.Deal = values(p, v.Deal, nil)
	}
	if mt.Needs != nil {
		var parts []string
		for k, i := range mt.Needs.Issues {
			is := &sc.Issues[i]
			var ls []string
			for x, ok := range mt.Needs.Allowed[k] {
				if ok {
					ls = append(ls, is.Label(x))
				}
			}
			parts = append(parts, is.ID+" = "+strings.Join(ls, " or "))
		}
		res.Needs = strings.Join(parts, ", ")
	}
	if t := mt.Term; t != nil {
		res.Term = sc.Issues[t.Issue].ID + " = " + sc.Issues[t.Issue].Label(t.Value)
	}
	for ph, g := range p.gate {
		if g == k {
			res.Signs = p.phases[ph].id
		}
	}
	return res
}

// meetingCache keeps the verdicts of meetings judged during sessions,
// per Prepared: a verdict depends on the meeting, the scheduled events so
// far (the preferences) and the clauses agreed (the state), which its key
// holds.
type meetingCache struct {
	mu sync.Mutex
	m  map[string]*Meeting
}

// judge returns the verdict on meeting k now, on the members' current
// preferences and fallbacks and the clauses agreed and in force. Judging
// enumerates the space; verdicts are remembered per Prepared and runner,
// so that a warm runner allocates nothing.
func (r *Runner) judge(k int) *Meeting {
	st := &r.st
	key := binary.AppendUvarint(r.meetKey[:0], uint64(k))
	key = binary.AppendUvarint(key, uint64(st.events))
	key = phaseKey(key, 0, st.settled, st.isSettled)
	r.meetKey = key
	if v, ok := r.meets[string(key)]; ok {
		return v
	}
	c := r.prep.meetCache
	c.mu.Lock()
	v, ok := c.m[string(key)]
	if !ok {
		sc := r.prep.Scenario
		us := make([]*utility.Additive, len(sc.Parties))
		rv := make([]float64, len(sc.Parties))
		for i := range sc.Parties {
			if m := r.prep.member(i); m >= 0 {
				us[i], rv[i] = st.cur[m].u, st.led[m].fall
			} else {
				us[i] = sc.Utility(i)
				rv[i] = us[i].Reservation
			}
		}
		res := r.prep.verdict(k, analysis.JudgeMeeting(sc, k, us, rv, st.settled, st.isSettled))
		v = &res
		if len(c.m) < maxPhaseCache {
			c.m[string(key)] = v
		}
	}
	c.mu.Unlock()
	if r.meets == nil {
		r.meets = map[string]*Meeting{}
	}
	if len(r.meets) < maxPhaseCache {
		r.meets[string(key)] = v
	}
	return v
}

// termsFor judges, when phase ph opens, the meetings that are terms of
// the deal settled in it, and returns the set of those that cannot take
// place (bit k for meeting k): their value is then off the table.
func (r *Runner) termsFor(ph int) uint64 {
	var blocked uint64
	for _, k := range r.prep.terms {
		if r.prep.termPhase[k] != ph {
			continue
		}
		v := r.judge(k)
		r.st.meet[k] = meetRecord{judged: true, round: r.st.round + 1, phase: ph, v: v}
		r.noteMeeting(k, r.st.round+1, v)
		if !v.Possible && k < 64 {
			blocked |= 1 << k
		}
	}
	return blocked
}

// meetRecord is how one meeting was judged in a session.
type meetRecord struct {
	judged bool
	round  int
	phase  int
	closes bool // judged when the phase it signs was about to close
	v      *Meeting
}

// termLines adds to u, the preferences of a phase, the red lines that
// keep the terms of the blocked meetings off the table.
func (p *Prepared) termLines(u *utility.Additive, ph int, blocked uint64) {
	if blocked == 0 {
		return
	}
	issues := p.phases[ph].issues
	for _, k := range p.terms {
		if blocked&(1<<k) == 0 {
			continue
		}
		t := p.Scenario.Meetings[k].Term
		for local, i := range issues {
			if i != t.Issue {
				continue
			}
			allowed := make([]bool, len(u.Table[local]))
			allowed[t.Value] = true
			u.RedLines = append(u.RedLines, utility.RedLine{ID: "meeting " + p.Scenario.Meetings[k].ID,
				Constraint: utility.Constraint{Issues: []int{local}, Allowed: [][]bool{allowed}}})
		}
	}
}

// meetings reports every meeting as the last session left it.
func (r *Runner) meetings() []Meeting {
	p := r.prep
	if len(p.Meetings) == 0 {
		return nil
	}
	out := make([]Meeting, len(p.Meetings))
	for k := range p.Meetings {
		if !p.dynamicMeeting(k) {
			out[k] = p.Meetings[k]
			continue
		}
		rec := r.st.meet[k]
		if !rec.judged {
			m := p.verdict(k, analysis.MeetingVerdict{Answers: make([]analysis.MeetingAnswer, len(p.Scenario.Meetings[k].Invitees)), NeedsMet: true})
			m.Held, m.Possible, m.Answers, m.Judged = false, false, nil, judgedNever
			out[k] = m
			continue
		}
		m := *rec.v
		m.Round = rec.round
		m.Judged = "when phase " + p.phases[rec.phase].id + " opened"
		if !p.agenda() {
			m.Judged = judgedAtStart
		}
		if rec.closes {
			m.Judged = "when phase " + p.phases[rec.phase].id + " was about to close"
		}
		if t := p.Scenario.Meetings[k].Term; t != nil {
			// A term of the deal takes place if the deal signed has it.
			m.Held = false
			if r.out.Agreed && r.st.failed < 0 {
				p.Space.Decode(r.out.Outcome, r.st.buf)
				m.Held = r.st.buf[t.Issue] == t.Value
			}
		}
		out[k] = m
	}
	return out
}

// zoneCache says, for the negotiating parties, whether an outcome
// acceptable to all exists with and without their red lines.
type zoneCache struct {
	once                 sync.Once
	judged               bool
	withLines, withoutRL bool
}

func (z *zoneCache) get(p *Prepared) *zoneCache {
	z.once.Do(func() {
		us := p.Utilities
		err := p.Space.Enumerate(0, func(o []int) bool {
			if p.Scenario.Forbidden(o) >= 0 {
				return true // no deal, red lines or not
			}
			ok, okRaw := true, true
			for _, u := range us {
				raw := u.Raw(o)
				if raw < u.Reservation {
					ok, okRaw = false, false
					break
				}
				if len(u.RedLines) > 0 && u.Crosses(o) >= 0 {
					ok = false
				}
			}
			z.withLines = z.withLines || ok
			z.withoutRL = z.withoutRL || okRaw
			return !(z.withLines && z.withoutRL)
		})
		z.judged = err == nil
	})
	return z
}
