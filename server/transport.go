package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// Limits of the seat transports.
const (
	// MaxWait is the longest a long-poll waits for a message.
	MaxWait = 60 * time.Second
	// pollBatch is the most messages one long-poll answer carries.
	pollBatch = 1000
	// A WebSocket is pinged every pingEvery; without a pong within
	// pingTimeout it is closed.
	pingEvery   = 20 * time.Second
	pingTimeout = 10 * time.Second
)

// transports serve the seat transports, WebSocket and long-poll, of the
// open seats find looks up by their token: parley serve's, and a Hub's
// (the remote: seats of parley run and tournaments). Every rule of the
// transports is here, once.
type transports struct {
	// find returns the seat of a token (nil: none).
	find func(token string) (*openSeat, error)
	// ctx ends every connection under way when the server stops.
	ctx context.Context
}

// route adds the seat routes to mux.
func (t *transports) route(mux *http.ServeMux) {
	mux.HandleFunc("GET /seat/{token}/ws", t.handleWS)
	mux.HandleFunc("GET /seat/{token}/messages", t.handleMessages)
	mux.HandleFunc("POST /seat/{token}/action", t.handleAction)
}

// seatOf finds the seat of the request's token, answering 404 when there
// is none.
func (t *transports) seatOf(w http.ResponseWriter, r *http.Request) *openSeat {
	s, err := t.find(r.PathValue("token"))
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error(), nil)
	case s == nil:
		writeError(w, http.StatusNotFound, "no seat has this token", nil)
	default:
		return s
	}
	return nil
}

// after reads the after=N parameter: how many messages the client has.
func after(r *http.Request) (int, error) {
	v := r.URL.Query().Get("after")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("after=%q: give the number of messages already read (0 or more)", v)
	}
	return n, nil
}

// handleWS plays a seat over a WebSocket: the stream's messages go out as
// text frames from after=N on; every frame received is an action.
func (t *transports) handleWS(w http.ResponseWriter, r *http.Request) {
	s := t.seatOf(w, r)
	if s == nil {
		return
	}
	n, err := after(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	if _, _, _, err := s.read(n, 0); err != nil {
		writeError(w, http.StatusGone, err.Error(), nil)
		return
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		writeError(w, http.StatusUpgradeRequired, "this is a seat's WebSocket URL: open it as a WebSocket (or poll its messages URL)", nil)
		return
	}
	if !s.connect(true) {
		writeError(w, http.StatusConflict, "this seat already has a WebSocket open; a token plays over one connection at a time", nil)
		return
	}
	defer s.disconnect(true)
	// How many of the seat's messages the server holds: a client that
	// reconnects sends again the ones after them (sent before a restart).
	w.Header().Set(HeaderReceived, strconv.Itoa(s.held()))
	// The default origin check refuses pages of other sites.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(seat.MaxMessage)
	ctx, cancel := context.WithCancel(t.ctx)
	defer cancel()
	// A client that vanished without closing (a network cut) is noticed by
	// its missing pong, and its seat's grace period starts.
	var pinger *time.Timer
	pinger = time.AfterFunc(pingEvery, func() {
		pctx, pcancel := context.WithTimeout(ctx, pingTimeout)
		err := c.Ping(pctx)
		pcancel()
		if err != nil {
			cancel()
			return
		}
		pinger.Reset(pingEvery)
	})
	defer pinger.Stop()
	go func() {
		defer cancel()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				if errors.Is(err, websocket.ErrMessageTooBig) {
					s.tooBig()
				}
				return
			}
			switch err := s.deliver(data); {
			case err == nil, errors.Is(err, errDropped):
			case errors.Is(err, errNotSaved):
				// The client learns what the server holds when it
				// reconnects (Parley-Received) and sends the rest again.
				c.Close(websocket.StatusTryAgainLater, err.Error())
				return
			case errors.Is(err, errOver):
				// A late message after the end: the writer closes.
			default:
				c.Close(websocket.StatusPolicyViolation, err.Error())
				return
			}
		}
	}()
	for {
		msgs, done, changed, err := s.read(n, pollBatch)
		if err != nil {
			c.Close(websocket.StatusPolicyViolation, "messages no longer kept: reconnecting cannot resume this seat")
			return
		}
		for _, m := range msgs {
			if err := c.Write(ctx, websocket.MessageText, m); err != nil {
				return
			}
		}
		n += len(msgs)
		if done {
			s.markDrained()
			c.Close(websocket.StatusNormalClosure, "the session is over")
			return
		}
		if len(msgs) == 0 {
			select {
			case <-changed:
			case <-ctx.Done():
				return
			}
		}
	}
}

// tooBig fails a seat that sent a message over the limit.
func (s *openSeat) tooBig() {
	s.mu.Lock()
	s.fail(session.CauseGarbage, fmt.Sprintf("it sent a message of more than %d bytes", seat.MaxMessage))
	s.mu.Unlock()
}

// HeaderReceived is the header of a WebSocket handshake's answer that
// says how many messages of the seat the server holds.
const HeaderReceived = "Parley-Received"

// Poll is the answer to a long-poll: the messages after the first N,
// Next (the after of the next poll), whether the stream is complete, and
// how many messages of the seat the server holds.
type Poll struct {
	Messages []json.RawMessage `json:"messages"`
	Next     int               `json:"next"`
	Done     bool              `json:"done"`
	Received int               `json:"received"`
}

// handleMessages answers a long-poll: GET /seat/{token}/messages?after=N&wait=25s.
func (t *transports) handleMessages(w http.ResponseWriter, r *http.Request) {
	s := t.seatOf(w, r)
	if s == nil {
		return
	}
	n, err := after(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	wait, err := waitParam(r.URL.Query().Get("wait"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	s.connect(false)
	defer s.disconnect(false)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		msgs, done, changed, err := s.read(n, pollBatch)
		if err != nil {
			writeError(w, http.StatusGone, err.Error(), nil)
			return
		}
		if len(msgs) > 0 || done || wait == 0 {
			p := Poll{Messages: make([]json.RawMessage, len(msgs)), Next: n + len(msgs), Done: done, Received: s.held()}
			for i, m := range msgs {
				p.Messages[i] = m
			}
			if done {
				s.markDrained()
			}
			writeJSON(w, http.StatusOK, p)
			return
		}
		select {
		case <-changed:
		case <-timer.C:
			wait = 0
		case <-r.Context().Done():
			return
		case <-t.ctx.Done():
			writeError(w, http.StatusServiceUnavailable, "the server is stopping; poll again", nil)
			return
		}
	}
}

// waitParam reads wait: a duration (25s, 1500ms) or seconds; 0 when
// absent; at most MaxWait.
func waitParam(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		s, err2 := strconv.ParseFloat(v, 64)
		if err2 != nil || s < 0 {
			return 0, fmt.Errorf("wait=%q: give a duration such as 25s", v)
		}
		d = time.Duration(s * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("wait=%q: give a duration such as 25s", v)
	}
	return min(d, MaxWait), nil
}

// handleAction takes an action posted by a long-poll client: 202 once it
// is stored; what is wrong with it comes back on the stream as an error
// message, as on every transport.
func (t *transports) handleAction(w http.ResponseWriter, r *http.Request) {
	s := t.seatOf(w, r)
	if s == nil {
		return
	}
	seq := 0
	if v := r.URL.Query().Get("n"); v != "" {
		if seq, _ = strconv.Atoi(v); seq < 1 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("n=%q: give the action's number among the seat's messages, from 1", v), nil)
			return
		}
	}
	s.connect(false)
	defer s.disconnect(false)
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, seat.MaxMessage))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			s.tooBig()
			writeError(w, http.StatusRequestEntityTooLarge, errTooBig.Error(), nil)
			return
		}
		writeError(w, http.StatusBadRequest, "reading the action: "+err.Error(), nil)
		return
	}
	if seq > 0 && seq <= s.held() {
		// A retry of a message the server holds: nothing to do.
		writeJSON(w, http.StatusAccepted, struct {
			Status string `json:"status"`
		}{"held"})
		return
	}
	switch err := s.deliver([]byte(strings.TrimSpace(string(data)))); {
	case err == nil:
		writeJSON(w, http.StatusAccepted, struct {
			Status string `json:"status"`
		}{"queued"})
	case errors.Is(err, errDropped):
		writeJSON(w, http.StatusAccepted, struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}{"dropped", err.Error()})
	case errors.Is(err, errTooBig):
		writeError(w, http.StatusRequestEntityTooLarge, err.Error(), nil)
	case errors.Is(err, errFlood):
		writeError(w, http.StatusTooManyRequests, err.Error(), nil)
	case errors.Is(err, errNotSaved):
		writeError(w, http.StatusServiceUnavailable, err.Error(), nil)
	default:
		writeError(w, http.StatusConflict, err.Error(), nil)
	}
}
