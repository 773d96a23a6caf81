// Package client plays a seat from the other side of the seat protocol: it
// reads the session's messages, rebuilds the seat's preferences from the
// settings, and answers every turn with what a negotiator.Negotiator
// decides. It is the reference client in Go (`parley agent` serves a
// built-in strategy on stdin/stdout with it) and the yardstick of the
// protocol's tests: a built-in strategy played through it must play the
// same session as when it sits at the table itself.
package client

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/utility"
)

// Link carries whole messages both ways.
type Link interface {
	Read() ([]byte, error)
	Write(msg []byte) error
}

// Lines is a Link of JSON lines over a reader and a writer (stdin and
// stdout of an agent process).
func Lines(r io.Reader, w io.Writer) Link {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 256<<20) // settings of big domains are long
	return &lines{sc: sc, w: bufio.NewWriter(w)}
}

type lines struct {
	sc *bufio.Scanner
	w  *bufio.Writer
}

func (l *lines) Read() ([]byte, error) {
	if !l.sc.Scan() {
		if err := l.sc.Err(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	return l.sc.Bytes(), nil
}

func (l *lines) Write(msg []byte) error {
	l.w.Write(msg)
	l.w.WriteByte('\n')
	return l.w.Flush()
}

// Player plays sessions with a fresh negotiator from New for each.
type Player struct {
	New func() negotiator.Negotiator
	// OnMessage, when set, sees every message received (for tests).
	OnMessage func(typ string, msg []byte)

	neg    negotiator.Negotiator
	setup  negotiator.Setup
	pcg    rand.PCG
	issues []seat.Issue
	index  []map[string]int // per issue: value key → index
	seats  map[string]int32 // party id → seat
	buf    []int
}

// Play answers messages until the link ends (io.EOF is a clean end).
func (p *Player) Play(l Link) error {
	for {
		msg, err := l.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		var head struct{ Type string }
		if err := json.Unmarshal(msg, &head); err != nil {
			return fmt.Errorf("client: %v in %q", err, msg)
		}
		if p.OnMessage != nil {
			p.OnMessage(head.Type, msg)
		}
		switch head.Type {
		case seat.TypeSettings:
			var s seat.Settings
			if err := json.Unmarshal(msg, &s); err != nil {
				return err
			}
			if err := p.settings(&s); err != nil {
				return err
			}
		case seat.TypeUpdate:
			var u seat.Update
			if err := json.Unmarshal(msg, &u); err != nil {
				return err
			}
			if err := p.prefs(u.Preferences); err != nil {
				return err
			}
			p.setup.Version++
		case seat.TypeYourTurn:
			var y seat.YourTurn
			if err := json.Unmarshal(msg, &y); err != nil {
				return err
			}
			out, err := p.act(&y)
			if err != nil {
				return err
			}
			if err := l.Write(out); err != nil {
				return err
			}
		case seat.TypeActionDone:
			var a seat.ActionDone
			if err := json.Unmarshal(msg, &a); err != nil {
				return err
			}
			p.observe(&a)
		case seat.TypeError:
			return fmt.Errorf("client: the session refused an action: %s", msg)
		}
	}
}

func (p *Player) settings(s *seat.Settings) error {
	if s.Version != seat.Version {
		return fmt.Errorf("client: protocol version %d, want %d", s.Version, seat.Version)
	}
	p.issues = s.Issues
	sizes := make([]int, len(s.Issues))
	p.index = make([]map[string]int, len(s.Issues))
	for i, is := range s.Issues {
		sizes[i] = len(is.Values)
		p.index[i] = map[string]int{}
		for v, x := range is.Values {
			p.index[i][key(x)] = v
		}
	}
	sp, err := outcome.NewSpace(sizes)
	if err != nil {
		return err
	}
	p.buf = make([]int, len(sizes))
	// The runner seeds each seat's source with (seed, seat): the same
	// stream here makes a random strategy play as it would inside.
	p.pcg.Seed(s.Seed, 0x9e3779b97f4a7c15*uint64(s.You.Seat+1))
	p.setup = negotiator.Setup{Seat: s.You.Seat, Parties: len(s.Parties), Space: sp, Rand: rand.New(&p.pcg),
		Deadline: protocol.Deadline{Rounds: s.Deadline.Rounds, Time: time.Duration(s.Deadline.MS) * time.Millisecond, Offset: s.Deadline.Offset}}
	p.seats = map[string]int32{}
	for i, id := range s.Parties {
		p.seats[id] = int32(i)
	}
	if s.Mediator != "" {
		p.seats[s.Mediator] = int32(len(s.Parties))
	}
	if err := p.prefs(s.Preferences); err != nil {
		return err
	}
	if s.Phase == nil || s.Phase.Index == 0 {
		p.neg = p.New()
	}
	p.neg.Reset(&p.setup)
	return nil
}

// prefs rebuilds the seat's utility from its preferences.
func (p *Player) prefs(pr *seat.Preferences) error {
	if pr == nil {
		p.setup.Utility, p.setup.Index = nil, nil
		return nil
	}
	table := make([][]float64, len(p.issues))
	ones := make([]float64, len(p.issues))
	for i, is := range p.issues {
		table[i] = pr.Utility[is.ID]
		ones[i] = 1
		if len(table[i]) != len(is.Values) {
			return fmt.Errorf("client: utility of %s has %d values, the issue %d", is.ID, len(table[i]), len(is.Values))
		}
	}
	u := utility.NewAdditive(ones, table, pr.Reservation, pr.Discount)
	for _, rl := range pr.RedLines {
		line := utility.RedLine{ID: rl.ID}
		for i, is := range p.issues {
			vs, ok := rl.Forbid[is.ID]
			if !ok {
				continue
			}
			allowed := make([]bool, len(is.Values))
			for _, v := range vs {
				allowed[p.index[i][key(v)]] = true
			}
			line.Issues = append(line.Issues, i)
			line.Allowed = append(line.Allowed, allowed)
		}
		u.RedLines = append(u.RedLines, line)
	}
	for _, t := range pr.Terms {
		term := utility.Term{Value: t.Value}
		for i, is := range p.issues {
			vs, ok := t.When[is.ID]
			if !ok {
				continue
			}
			allowed := make([]bool, len(is.Values))
			for _, v := range vs {
				k, known := p.index[i][key(v)]
				if !known {
					return fmt.Errorf("client: a utility term names %v, not a value of %s", v, is.ID)
				}
				allowed[k] = true
			}
			term.Issues = append(term.Issues, i)
			term.Allowed = append(term.Allowed, allowed)
		}
		u.Terms = append(u.Terms, term)
	}
	x, err := negotiator.NewIndex(u, p.setup.Space)
	if err != nil {
		return err
	}
	p.setup.Utility, p.setup.Index = u, x
	p.setup.Reservation = pr.Reservation
	return nil
}

var phases = map[string]protocol.Phase{"offer": protocol.PhaseOffer, "respond": protocol.PhaseRespond, "vote": protocol.PhaseVote, "propose": protocol.PhasePropose}

func (p *Player) act(y *seat.YourTurn) ([]byte, error) {
	if y.Reservation != nil && *y.Reservation != p.setup.Reservation {
		p.setup.Dynamic, p.setup.Reservation = true, *y.Reservation
		p.setup.Version++
	}
	t := protocol.Turn{Phase: phases[y.Phase], Seat: p.setup.Seat, Round: y.Round, T: y.T, Joint: y.Joint}
	if y.With != "" {
		t.Bilateral, t.With = true, p.setup.Seat
		if w, ok := p.seats[y.With]; ok && int(w) < p.setup.Parties {
			t.With = int(w)
		}
	}
	if y.Offer != nil {
		t.Outcome, t.HasOutcome = p.id(y.Offer), true
	}
	if y.Text != nil {
		t.Reference, t.HasReference = p.id(y.Text), true
	}
	a := p.neg.Act(t)
	out := map[string]any{"type": a.Kind.String()}
	if a.Kind == protocol.ActOffer {
		out["outcome"] = p.outcome(a.Outcome)
	}
	return json.Marshal(out)
}

var events = map[string]protocol.EventType{}

func init() {
	for t := protocol.EventOffer; t <= protocol.EventNoMeeting; t++ {
		events[t.String()] = t
	}
}

func (p *Player) observe(a *seat.ActionDone) {
	if p.neg == nil {
		return
	}
	e := protocol.Event{Type: events[a.Event], Round: int32(a.Round), T: a.T, Seat: -1, Accept: a.Vote == seat.ActAccept}
	if s, ok := p.seats[a.By]; ok {
		e.Seat = s
	}
	if a.Meeting != "" {
		e.Private, e.With = true, p.seats[a.Meeting]
	}
	if a.Outcome != nil {
		e.Outcome, e.HasOutcome = p.id(a.Outcome), true
	}
	p.neg.Observe(e)
}

func (p *Player) id(o map[string]any) uint64 {
	for i, is := range p.issues {
		p.buf[i] = p.index[i][key(o[is.ID])]
	}
	return p.setup.Space.Index(p.buf)
}

func (p *Player) outcome(id uint64) map[string]any {
	p.setup.Space.Decode(id, p.buf)
	m := make(map[string]any, len(p.buf))
	for i, is := range p.issues {
		m[is.ID] = is.Values[p.buf[i]]
	}
	return m
}

// key is a value as a map key: strings as they are, numbers in their
// shortest form.
func key(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}
