package session

import (
	"strconv"
	"unicode/utf8"

	"github.com/parleyhq/parley/protocol"
)

// The trace is the public record as JSON lines: a header line
//
//	{"type":"session","scenario":...,"protocol":...,"parties":[...],"negotiators":[...],"mediator":...,"issues":[...],"rounds":N,"time_limit":"...","seed":N}
//
// then one line per event:
//
//	{"type":"offer","round":1,"t":0.0099,"party":"buyer","outcome":13,"values":["HP","60 Gb","19'' LCD"]}
//
// "party" is absent for the protocol's own events (agreement, deadline,
// adopt); votes carry "vote":"accept" or "vote":"reject"; "values" are the
// outcome's labels in issue order. It holds no private information (no
// utilities). Numbers are written with strconv's shortest round-trip
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
		b = appendJSONString(b, r.seats[s].spec.String())
	}
	b = append(b, ']')
	if len(r.seats) > len(p.Seats) {
		b = append(b, `,"mediator":`...)
		b = appendJSONString(b, r.seats[len(p.Seats)].spec.String())
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
	b = append(b, `,"seed":`...)
	b = strconv.AppendUint(b, r.seed, 10)
	r.tbuf = append(b, "}\n"...)
	r.write()
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
		b = append(b, `,"values":[`...)
		id := e.Outcome
		for i, ls := range r.prep.jsonLabels {
			if i > 0 {
				b = append(b, ',')
			}
			n := uint64(len(ls))
			b = append(b, ls[id%n]...)
			id /= n
		}
		b = append(b, ']')
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
