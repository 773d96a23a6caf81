package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// The links below are the Go clients' side of the two network transports:
// client.Link implementations that seat/client's Player plays through,
// used by the tests, the benchmarks and any Go program that plays a seat
// of a parley server.

// WebSocketLink plays a seat over its WebSocket URL. With Retry set, a
// connection that breaks (or a server that restarts) is reconnected for
// up to Retry.
type WebSocketLink struct {
	Retry time.Duration

	url  string
	c    *websocket.Conn
	ctx  context.Context
	read int
	// sent are the actions sent, the first of them the seat's message
	// base+1 (the server held base when the link connected).
	sent [][]byte
	base int
}

// DialWebSocket connects to a seat's ws URL; with after=N in it, the
// stream starts after its first N messages (a client that had read them).
func DialWebSocket(ctx context.Context, url string) (*WebSocketLink, error) {
	l := &WebSocketLink{url: url, ctx: ctx}
	if u, err := neturl.Parse(url); err == nil && u.Query().Has("after") {
		if l.read, err = strconv.Atoi(u.Query().Get("after")); err != nil || l.read < 0 {
			return nil, fmt.Errorf("%s: after=%q is not a number of messages", url, u.Query().Get("after"))
		}
	}
	held, err := l.dial()
	if err != nil {
		return nil, err
	}
	l.base = held
	return l, nil
}

func (l *WebSocketLink) dial() (held int, err error) {
	u, err := neturl.Parse(l.url)
	if err != nil {
		return 0, err
	}
	q := u.Query()
	q.Set("after", strconv.Itoa(l.read))
	u.RawQuery = q.Encode()
	c, resp, err := websocket.Dial(l.ctx, u.String(), &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		if resp != nil {
			return 0, fmt.Errorf("%s: %w", resp.Status, err)
		}
		return 0, err
	}
	c.SetReadLimit(256 << 20) // settings of big domains are long
	l.c = c
	held, _ = strconv.Atoi(resp.Header.Get(HeaderReceived))
	return held, nil
}

// Reconnect connects again after the connection broke (or the server
// restarted): the stream resumes after the messages read, and the actions
// the server does not hold are sent again.
func (l *WebSocketLink) Reconnect() error {
	if l.c != nil {
		l.c.CloseNow()
	}
	held, err := l.dial()
	if err != nil {
		return err
	}
	for _, m := range l.sent[min(max(held-l.base, 0), len(l.sent)):] {
		if err := l.c.Write(l.ctx, websocket.MessageText, m); err != nil {
			return err
		}
	}
	return nil
}

// Read returns the next message; io.EOF once the server closed the
// connection at the end of the session.
func (l *WebSocketLink) Read() ([]byte, error) {
	for {
		_, data, err := l.c.Read(l.ctx)
		if err == nil {
			l.read++
			return data, nil
		}
		switch st := websocket.CloseStatus(err); {
		case st == websocket.StatusNormalClosure:
			return nil, io.EOF
		case l.Retry == 0 || l.ctx.Err() != nil || (st != -1 && st != websocket.StatusGoingAway && st != websocket.StatusTryAgainLater):
			return nil, err
		}
		if err := retry(l.ctx, l.Retry, l.Reconnect); err != nil {
			return nil, err
		}
	}
}

// retry calls f until it succeeds, for up to d.
func retry(ctx context.Context, d time.Duration, f func() error) error {
	end := time.Now().Add(d)
	wait := 10 * time.Millisecond
	for {
		err := f()
		if err == nil || time.Now().After(end) || ctx.Err() != nil {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, time.Second)
	}
}

// Write sends an action. With Retry set, an action the connection could
// not carry is sent again when it reconnects.
func (l *WebSocketLink) Write(msg []byte) error {
	l.sent = append(l.sent, bytes.Clone(msg))
	err := l.c.Write(l.ctx, websocket.MessageText, msg)
	if err != nil && l.Retry > 0 && l.ctx.Err() == nil {
		return nil
	}
	return err
}

// Count is the number of messages read so far.
func (l *WebSocketLink) Count() int { return l.read }

// Close closes the connection at once.
func (l *WebSocketLink) Close() error { return l.c.CloseNow() }

// PollLink plays a seat over HTTP long-poll.
type PollLink struct {
	// Messages and Action are the seat's URLs; Wait is how long a poll
	// waits (default 25 s). With Retry set, requests that fail for want
	// of a server are tried again for up to Retry (actions are numbered:
	// the server takes each once).
	Messages, Action string
	Wait             time.Duration
	Retry            time.Duration
	Client           *http.Client

	next  int
	queue []json.RawMessage
	done  bool
	// sent is the number of the seat's last message, counted from what
	// the first poll said the server held; counted is false before it.
	sent    int
	counted bool
}

// Read returns the next message, polling as needed; io.EOF after the last.
func (l *PollLink) Read() ([]byte, error) {
	for len(l.queue) == 0 {
		if l.done {
			return nil, io.EOF
		}
		wait := l.Wait
		if wait == 0 {
			wait = 25 * time.Second
		}
		u := fmt.Sprintf("%s?after=%d&wait=%s", l.Messages, l.next, wait)
		var resp *http.Response
		err := retry(context.Background(), l.Retry, func() (err error) {
			resp, err = l.client().Get(u)
			if err == nil && resp.StatusCode == http.StatusServiceUnavailable {
				resp.Body.Close()
				return fmt.Errorf("polling: %s", resp.Status)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		var p Poll
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("polling: %s", resp.Status)
		}
		if err != nil {
			return nil, err
		}
		l.queue, l.next, l.done = p.Messages, p.Next, p.Done
		if !l.counted {
			l.sent, l.counted = p.Received, true
		}
	}
	m := l.queue[0]
	l.queue = l.queue[1:]
	return m, nil
}

// Write posts an action, numbered so that the server takes it once
// however often it is posted (once a poll said how many the server held;
// before, unnumbered); it is an error unless the server holds it.
func (l *PollLink) Write(msg []byte) error {
	u := l.Action
	if l.counted {
		l.sent++
		u = fmt.Sprintf("%s?n=%d", l.Action, l.sent)
	}
	var resp *http.Response
	err := retry(context.Background(), l.Retry, func() (err error) {
		resp, err = l.client().Post(u, "application/json", bytes.NewReader(msg))
		if err == nil && resp.StatusCode == http.StatusServiceUnavailable {
			resp.Body.Close()
			return fmt.Errorf("posting an action: %s", resp.Status)
		}
		return err
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("posting an action: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	io.Copy(io.Discard, resp.Body)
	return nil
}

// Next is the after=N of the next poll.
func (l *PollLink) Next() int { return l.next - len(l.queue) }

func (l *PollLink) client() *http.Client {
	if l.Client != nil {
		return l.Client
	}
	return http.DefaultClient
}
