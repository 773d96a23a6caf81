package session

import (
	"strconv"
	"unicode/utf8"

	"github.com/parleyhq/parley/protocol"
)

// The trace is the public record as JSON lines: a header line
//
//	{"type":"session","scenario":...,"protocol":...,"parties":[...],"negotiators":[...],"mediator":...,"issues":[...],"rounds":N,"time_limit":"...","anticipate_ratification":true,"seed":N}
//
// then one line per event:
//
//	{"type":"offer","round":1,"t":0.0099,"party":"buyer","outcome":13,"values":["HP","60 Gb","19'' LCD"]}
//
// "party" is absent for the protocol's own events (agreement, deadline,
// adopt, joint); votes carry "vote":"accept" or "vote":"reject"; "values"
// are the outcome's labels in issue order. The shuttle's bilateral meetings
// carry "meeting":"<party>" (the record of a private meeting between the
// mediator and that party). During an agenda, lines carry "phase" and the
// outcome is an index into the phase's own space, "values" the labels of
// the phase's issues.
//
// Scenarios with negotiation rules add the session's own events:
//
//	{"type":"meeting","meeting":"summit","held":false,"declined":["ru"]}
//	{"type":"phase","round":1,"phase":"truce","state":"open","issues":["ceasefire"]}
//	{"type":"phase","round":3,"phase":"truce","state":"agreed","outcome":0,"values":["now"]}
//	{"type":"phase","round":3,"phase":"truce","state":"agreed","outcome":1,"values":["none"],"keeps_status_quo":true}
//	{"type":"phase","round":9,"phase":"settlement","state":"failed","end":"deadline"}
//	{"type":"event","round":10,"party":"ru","description":"sanctions"}
//	{"type":"ratification","round":12,"party":"ua","body":"referendum","passed":false}
//	{"type":"result","round":12,"status":"not_ratified"}
//
// It holds no private information: no utilities, reservation values,
// red lines or probabilities; only what a public record would show (that a
// party declined a meeting, that an event happened to a party, that a vote
// failed). Numbers are written with strconv's shortest round-trip
// formatting, so a trace is byte-identical for the same inputs and seed.

func (r *Runner) write() {
	if r.traceErr != nil {
		return
	}
	_, r.traceErr = r.cfg.Trace.Write(r.tbuf)
}

func (r *Runner) traceHeader() {
	p := r.prep
	b := append(r.tbuf[:0], `{"type":"session","scenario":`...)
	b = appendJSONString(b, p.Scenario.Name)
	b = append(b, `,"protocol":`...)
	b = appendJSONString(b, r.proto.Name())
	b = append(b, `,"parties":[`...)
	for s := range p.Seats {
		if s > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, r.SeatName(s))
	}
	b = append(b, `],"negotiators":[`...)
	for s := range p.Seats {
		if s > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, r.seats[s].name)
	}
	b = append(b, ']')
	if len(r.seats) > len(p.Seats) {
		b = append(b, `,"mediator":`...)
		b = appendJSONString(b, r.seats[len(p.Seats)].name)
	}
	b = append(b, `,"issues":[`...)
	for i := range p.Scenario.Issues {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p.Scenario.Issues[i].ID)
	}
	b = append(b, ']')
	if d := r.cfg.Deadline; d.Rounds > 0 {
		b = append(b, `,"rounds":`...)
		b = strconv.AppendInt(b, int64(d.Rounds), 10)
	}
	if d := r.cfg.Deadline; d.Time > 0 {
		b = append(b, `,"time_limit":`...)
		b = appendJSONString(b, d.Time.String())
	}
	if r.cfg.AnticipateRatification {
		b = append(b, `,"anticipate_ratification":true`...)
	}
	b = append(b, `,"seed":`...)
	b = strconv.AppendUint(b, r.seed, 10)
	r.tbuf = append(b, "}\n"...)
	r.write()
	for k := range p.Meetings {
		if !p.dynamicMeeting(k) {
			r.traceMeeting(&p.Meetings[k], 0)
		}
	}
}

// traceMeeting records a verdict on a meeting: judged at the start (round
// 0, no round written) or when it was needed.
func (r *Runner) traceMeeting(m *Meeting, round int) {
	b := append(r.tbuf[:0], `{"type":"meeting",`...)
	if round > 0 {
		b = append(b, `"round":`...)
		b = strconv.AppendInt(b, int64(round), 10)
		b = append(b, ',')
	}
	b = append(b, `"meeting":`...)
	b = appendJSONString(b, m.ID)
	b = append(b, `,"held":`...)
	b = strconv.AppendBool(b, m.Possible)
	if !m.Possible {
		if !m.NeedsMet {
			b = append(b, `,"needs_met":false`...)
		}
		b = append(b, `,"declined":[`...)
		k := 0
		for _, a := range m.Answers {
			if !a.Accepts {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, a.Party)
				k++
			}
		}
		b = append(b, ']')
	}
	r.tbuf = append(b, "}\n"...)
	r.write()
}

func (r *Runner) tracePhase(ph, round int, state, why string, agreed bool, id uint64) {
	info := &r.prep.phases[ph]
	b := append(r.tbuf[:0], `{"type":"phase","round":`...)
	b = strconv.AppendInt(b, int64(round), 10)
	b = append(b, `,"phase":`...)
	b = appendJSONString(b, info.id)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, state)
	switch {
	case state == "open":
		b = append(b, `,"issues":[`...)
		for k, i := range info.issues {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, r.prep.Scenario.Issues[i].ID)
		}
		b = append(b, ']')
	case agreed:
		b = append(b, `,"outcome":`...)
		b = strconv.AppendUint(b, id, 10)
		b = r.appendValues(b, id)
		if r.prep.keepsStatusQuoIndex(ph, id) {
			b = append(b, `,"keeps_status_quo":true`...)
		}
	case why != "":
		b = append(b, `,"end":`...)
		b = appendJSONString(b, why)
	}
	r.tbuf = append(b, "}\n"...)
	r.write()
}

func (r *Runner) traceNote(typ string, round int, party, key, val string) {
	b := append(r.tbuf[:0], `{"type":"`...)
	b = append(b, typ...)
	b = append(b, `","round":`...)
	b = strconv.AppendInt(b, int64(round), 10)
	b = append(b, `,"party":`...)
	b = appendJSONString(b, party)
	if val != "" {
		b = append(b, `,"`...)
		b = append(b, key...)
		b = append(b, `":`...)
		b = appendJSONString(b, val)
	}
	r.tbuf = append(b, "}\n"...)
	r.write()
}

func (r *Runner) traceRatification(party, body string, passed bool) {
	b := append(r.tbuf[:0], `{"type":"ratification","round":`...)
	b = strconv.AppendInt(b, int64(r.out.Round), 10)
	b = append(b, `,"party":`...)
	b = appendJSONString(b, party)
	if body != "" {
		b = append(b, `,"body":`...)
		b = appendJSONString(b, body)
	}
	b = append(b, `,"passed":`...)
	b = strconv.AppendBool(b, passed)
	r.tbuf = append(b, "}\n"...)
	r.write()
}

func (r *Runner) traceResult() {
	b := append(r.tbuf[:0], `{"type":"result","round":`...)
	b = strconv.AppendInt(b, int64(r.out.Round), 10)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(r.st.status))
	if r.st.failed >= 0 {
		b = append(b, `,"failed_phase":`...)
		b = appendJSONString(b, r.prep.phases[r.st.failed].id)
	}
	if f := r.st.failure; f != nil {
		b = append(b, `,"failure":{"seat":`...)
		b = appendJSONString(b, f.Seat)
		b = append(b, `,"cause":`...)
		b = appendJSONString(b, string(f.Cause))
		b = append(b, `,"message":`...)
		b = appendJSONString(b, f.Message)
		b = append(b, '}')
	}
	r.tbuf = append(b, "}\n"...)
	r.write()
}

// appendValues appends "values" for outcome id of the phase under way.
func (r *Runner) appendValues(b []byte, id uint64) []byte {
	b = append(b, `,"values":[`...)
	for k, i := range r.prep.phases[r.st.phase].issues {
		if k > 0 {
			b = append(b, ',')
		}
		ls := r.prep.jsonLabels[i]
		n := uint64(len(ls))
		b = append(b, ls[id%n]...)
		id /= n
	}
	return append(b, ']')
}

func (r *Runner) traceEvent(e protocol.Event) {
	b := append(r.tbuf[:0], `{"type":"`...)
	b = append(b, e.Type.String()...)
	b = append(b, `","round":`...)
	b = strconv.AppendInt(b, int64(e.Round), 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendFloat(b, e.T, 'g', -1, 64)
	if e.Seat >= 0 {
		b = append(b, `,"party":`...)
		b = appendJSONString(b, r.SeatName(int(e.Seat)))
	}
	if e.Private {
		b = append(b, `,"meeting":`...)
		b = appendJSONString(b, r.SeatName(int(e.With)))
	}
	if r.prep.agenda() {
		b = append(b, `,"phase":`...)
		b = appendJSONString(b, r.prep.phases[r.st.phase].id)
	}
	if e.Type == protocol.EventVote {
		if e.Accept {
			b = append(b, `,"vote":"accept"`...)
		} else {
			b = append(b, `,"vote":"reject"`...)
		}
	}
	if e.HasOutcome {
		b = append(b, `,"outcome":`...)
		b = strconv.AppendUint(b, e.Outcome, 10)
		b = r.appendValues(b, e.Outcome)
	}
	if r.text != "" {
		b = append(b, `,"text":`...)
		b = appendJSONString(b, r.text)
	}
	r.tbuf = append(b, "}\n"...)
	r.write()
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does (including <, > and & and the line separators U+2028 and U+2029).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
