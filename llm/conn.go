package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// Conn is a seat.Conn whose far side is a language model. It reads the
// seat protocol's messages as any outside seat would and keeps what they
// say (settings, the public record, updates); each your_turn, and each
// error that refuses an answer, becomes a chat-completions request, and
// the model's structured answer goes back as the seat's action. So
// seat.Remote checks the answers, replies to illegal ones, keeps the
// clocks and records failures exactly as for other seats. A request runs
// inside Recv under the seat's clock: one that outlasts it is the seat's
// timeout.
//
// A refused answer gets one corrective request that quotes the session's
// error; a second refusal in the same turn fails the seat (invalid, or
// garbage when the model's answer was not a JSON object). The model's
// "reasoning" never leaves the seat: it goes to the log and back to the
// model as its own notes, not into the action.
type Conn struct {
	pool *Pool
	sp   Spec
	ep   *endpoint

	sent   atomic.Uint64
	closed atomic.Bool

	s       seat.Settings
	record  []seat.ActionDone
	notes   string         // the model's reasoning at its last answer
	asked   *seat.YourTurn // the turn to answer, nil when none
	refusal *seat.Error    // the session's refusal of the last answer
	answers int            // answers given to the turn
	convo   []ChatMessage  // the turn's answers and refusals so far
	callID  string         // the tool call of the last answer (tool mode)
	garbage bool           // the last answer was not a JSON object
}

// Send implements seat.Conn: it takes in a message from the session.
func (c *Conn) Send(msg []byte) error {
	c.sent.Add(1)
	if c.closed.Load() {
		return seat.ErrClosed
	}
	var head struct{ Type string }
	if err := json.Unmarshal(msg, &head); err != nil {
		return err
	}
	var err error
	switch head.Type {
	case seat.TypeSettings:
		var s seat.Settings
		if err = decode(msg, &s); err == nil {
			if s.Phase == nil || s.Phase.Index == 0 {
				c.record, c.notes = nil, ""
			}
			c.s, c.asked = s, nil
		}
	case seat.TypeActionDone:
		var a seat.ActionDone
		if err = decode(msg, &a); err == nil {
			c.record = append(c.record, a)
		}
	case seat.TypeUpdate:
		var u seat.Update
		if err = decode(msg, &u); err == nil {
			c.s.Preferences = u.Preferences
		}
	case seat.TypeYourTurn:
		var y seat.YourTurn
		if err = decode(msg, &y); err == nil {
			c.asked, c.refusal, c.answers, c.convo, c.callID = &y, nil, 0, nil, ""
		}
	case seat.TypeError:
		var e seat.Error
		if err = decode(msg, &e); err == nil && c.asked != nil {
			c.refusal = &e
		}
	case seat.TypeFinished:
		var f seat.Finished
		if err = decode(msg, &f); err == nil {
			c.asked = nil
			c.pool.logLine(finishedLine{Seat: c.s.You.Party, Session: c.s.Session, Event: "finished", Status: f.Status, Round: f.Round, Payoff: f.Payoff})
		}
	}
	return err
}

// decode reads a message keeping numbers as written.
func decode(msg []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(msg))
	d.UseNumber()
	return d.Decode(v)
}

// Recv implements seat.Conn: it asks the model for the answer to the turn
// (or for a corrected answer after a refusal).
func (c *Conn) Recv(ctx context.Context) (seat.Message, error) {
	if c.closed.Load() {
		return seat.Message{}, seat.ErrClosed
	}
	y := c.asked
	switch {
	case y == nil || (c.answers > 0 && c.refusal == nil):
		return seat.Message{}, &seat.ConnError{Cause: session.CauseDisconnect, Message: "the model seat was asked for an answer without a turn to answer"}
	case c.answers >= 2:
		cause := session.CauseInvalid
		if c.garbage {
			cause = session.CauseGarbage
		}
		return seat.Message{}, &seat.ConnError{Cause: cause, Message: fmt.Sprintf("the model's answer in round %d was refused again after one correction: %s", y.Round, c.refusal.Message)}
	}
	if c.refusal != nil {
		c.convo = append(c.convo, c.correction())
	}
	msgs := append([]ChatMessage{
		{Role: "system", Content: text(system(&c.s))},
		{Role: "user", Content: text(turn(&c.s, c.record, c.notes, y, c.sp.Window))},
	}, c.convo...)
	c.answers++
	a, err := c.ask(ctx, msgs, y)
	if err != nil {
		var ee *endpointError
		if errors.As(err, &ee) {
			return seat.Message{}, &seat.ConnError{Cause: ee.cause, Message: ee.msg}
		}
		return seat.Message{}, err
	}
	c.convo = append(c.convo, a.message)
	c.callID, c.garbage = a.callID, a.garbage
	c.notes = clip(a.reasoning, maxNotes)
	return seat.Message{Data: a.action, Seen: c.sent.Load()}, nil
}

// correction is the message that quotes the session's refusal.
func (c *Conn) correction() ChatMessage {
	e := c.refusal
	var b strings.Builder
	fmt.Fprintf(&b, "The session refused your answer: %s", e.Message)
	if e.Field != "" {
		fmt.Fprintf(&b, " (field %q", e.Field)
		if len(e.Legal) > 0 {
			fmt.Fprintf(&b, "; it may be: %s", strings.Join(e.Legal, ", "))
		}
		b.WriteString(")")
	}
	b.WriteString(". Answer the same turn again with one corrected JSON object; a second refused answer forfeits the session.")
	if c.callID != "" {
		return ChatMessage{Role: "tool", ToolCallID: c.callID, Content: text(b.String())}
	}
	return ChatMessage{Role: "user", Content: text(b.String())}
}

// answer is the model's answer to one request.
type answer struct {
	action    []byte      // the seat's action, or what the model said when it is none
	reasoning string      // private
	message   ChatMessage // the answer as the conversation's next message
	callID    string
	garbage   bool
}

// ask sends one request (in schema mode, or tool mode when the endpoint
// refuses response_format) and reads the model's answer.
func (c *Conn) ask(ctx context.Context, msgs []ChatMessage, y *seat.YourTurn) (*answer, error) {
	tools := c.sp.Mode == ModeTools || (c.sp.Mode == ModeAuto && c.pool.refuses(c.sp.Model))
	for {
		req := c.request(msgs, y, tools)
		body, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		x, err := c.pool.complete(ctx, c, body)
		a, aerr := c.read(x, err, tools)
		c.log(x, a, err, tools)
		var ee *endpointError
		if errors.As(err, &ee) && ee.refused && !tools && c.sp.Mode == ModeAuto {
			tools = true // the same request again, as a tool call
			continue
		}
		if err != nil {
			return nil, err
		}
		return a, aerr
	}
}

// request builds the request of a turn.
func (c *Conn) request(msgs []ChatMessage, y *seat.YourTurn, tools bool) *Request {
	seed := c.s.Seed
	req := &Request{Model: c.sp.Model, Messages: msgs, Temperature: c.sp.Temperature, MaxTokens: c.sp.MaxTokens, Seed: &seed}
	sch := schema(&c.s, y.May)
	if tools {
		req.Tools = []Tool{{Type: "function", Function: ToolFunction{Name: toolName,
			Description: "Take your action in the negotiation: the only way to answer.", Parameters: sch}}}
		req.ToolChoice = "required"
	} else {
		req.ResponseFormat = &ResponseFormat{Type: "json_schema", JSONSchema: &JSONSchema{Name: "action", Strict: true, Schema: sch}}
	}
	return req
}

// read turns a completion into the seat's action.
func (c *Conn) read(x *exchange, err error, tools bool) (*answer, error) {
	if err != nil {
		return nil, err
	}
	var r Response
	if err := json.Unmarshal(x.response, &r); err != nil || len(r.Choices) == 0 {
		return nil, &endpointError{cause: session.CauseGarbage, msg: "the model endpoint's answer is not a chat completion: " + excerpt(string(x.response))}
	}
	c.pool.count(c.s.You.Party, func(s *Stats) {
		s.Requests++
		s.Attempts += x.attempts
		if x.cached {
			s.Cached++
		} else {
			s.Latency += x.latency
		}
		s.PromptTokens += r.Usage.PromptTokens
		s.CompletionTokens += r.Usage.CompletionTokens
	})
	m := r.Choices[0].Message
	content := ""
	if m.Content != nil {
		content = *m.Content
	}
	a := &answer{message: ChatMessage{Role: "assistant", Content: text(content)}}
	said := content
	if len(m.ToolCalls) > 0 {
		call := m.ToolCalls[0]
		a.message = ChatMessage{Role: "assistant", Content: m.Content, ToolCalls: m.ToolCalls[:1]}
		a.callID = call.ID
		if a.callID == "" {
			// A tool result must name its call; an endpoint that gives no
			// id gets a conversation without tool messages.
			a.message = ChatMessage{Role: "assistant", Content: text(call.Function.Arguments)}
		}
		said = call.Function.Arguments
		if call.Function.Name != toolName {
			said = fmt.Sprintf("(the model called the tool %q; the only tool is %q)", call.Function.Name, toolName)
		}
	} else if tools && strings.TrimSpace(content) == "" {
		said = "(the model called no tool and said nothing)"
	}
	a.action, a.reasoning, a.garbage = action(said)
	return a, nil
}

// action turns the model's JSON answer into a seat action: "reasoning"
// is taken out (private), a null outcome and empty text are left out, the
// rest goes to the session as it is, for it to check. What is not a JSON
// object goes as it is too, and the session says so.
func action(said string) (data []byte, reasoning string, garbage bool) {
	s := strings.TrimSpace(said)
	if strings.HasPrefix(s, "```") {
		// A fenced block: ```json ... ```.
		s = strings.TrimPrefix(s, "```")
		s = strings.TrimPrefix(s, "json")
		s = strings.TrimSuffix(strings.TrimSpace(s), "```")
		s = strings.TrimSpace(s)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return []byte(clip(said, seat.MaxMessage/2)), "", true
	}
	if raw, ok := m["reasoning"]; ok {
		var r string
		if json.Unmarshal(raw, &r) != nil {
			r = string(raw)
		}
		reasoning = r
		delete(m, "reasoning")
	}
	if raw, ok := m["outcome"]; ok && string(bytes.TrimSpace(raw)) == "null" {
		delete(m, "outcome")
	}
	if raw, ok := m["text"]; ok {
		var t string
		if json.Unmarshal(raw, &t) == nil && t == "" {
			delete(m, "text")
		}
	}
	data, _ = json.Marshal(m) // sorted keys: the same action each time
	return data, reasoning, false
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Buffered implements seat.Conn: a model never speaks unasked.
func (c *Conn) Buffered() int { return 0 }

// Close implements seat.Conn.
func (c *Conn) Close() error {
	c.closed.Store(true)
	return nil
}

// requestLine is the log's record of one request.
type requestLine struct {
	Seat             string          `json:"seat"`
	Session          string          `json:"session"`
	Round            int             `json:"round"`
	Answer           int             `json:"answer"` // 1, or 2 for the corrected answer
	Mode             string          `json:"mode"`   // schema or tools
	Cached           bool            `json:"cached"`
	Attempts         int             `json:"attempts,omitempty"`
	WaitsMS          []int64         `json:"waits_ms,omitempty"`
	Status           int             `json:"status,omitempty"`
	LatencyMS        float64         `json:"latency_ms"`
	PromptTokens     int             `json:"prompt_tokens"`
	CompletionTokens int             `json:"completion_tokens"`
	Request          json.RawMessage `json:"request"`
	Response         json.RawMessage `json:"response,omitempty"`
	Reasoning        string          `json:"reasoning,omitempty"`
	Action           json.RawMessage `json:"action,omitempty"`
	Said             string          `json:"said,omitempty"` // the answer, when it is no JSON object
	Error            string          `json:"error,omitempty"`
}

// finishedLine is the log's record of a session's end.
type finishedLine struct {
	Seat    string  `json:"seat"`
	Session string  `json:"session"`
	Event   string  `json:"event"`
	Status  string  `json:"status"`
	Round   int     `json:"round"`
	Payoff  float64 `json:"payoff"`
}

func (c *Conn) log(x *exchange, a *answer, err error, tools bool) {
	if c.pool.Log == nil {
		return
	}
	l := requestLine{Seat: c.s.You.Party, Session: c.s.Session, Round: c.asked.Round, Answer: c.answers, Mode: "schema",
		Cached: x.cached, Attempts: x.attempts, Status: x.status, LatencyMS: float64(x.latency.Microseconds()) / 1000, Request: x.body}
	if tools {
		l.Mode = "tools"
	}
	for _, w := range x.waits {
		l.WaitsMS = append(l.WaitsMS, w.Milliseconds())
	}
	if json.Valid(x.response) {
		l.Response = x.response
		var r Response
		if json.Unmarshal(x.response, &r) == nil {
			l.PromptTokens, l.CompletionTokens = r.Usage.PromptTokens, r.Usage.CompletionTokens
			if len(r.Choices) > 0 && r.Choices[0].Message.ReasoningContent != "" && a != nil && a.reasoning == "" {
				l.Reasoning = r.Choices[0].Message.ReasoningContent
			}
		}
	}
	if a != nil {
		if a.reasoning != "" {
			l.Reasoning = a.reasoning
		}
		if a.garbage {
			l.Said = string(a.action)
		} else {
			l.Action = a.action
		}
	}
	if err != nil {
		l.Error = err.Error()
	}
	c.pool.logLine(l)
}
