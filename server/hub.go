package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// HubConfig sets up a Hub.
type HubConfig struct {
	// Grace is how long a remote seat's client may stay away while a
	// session is under way before the seat fails (cause disconnect);
	// default 30 s.
	Grace time.Duration
	// BaseURL, when set, is the listener's address as agents reach it
	// (such as http://host.example.org:9000), for the seat URLs; by
	// default they are made from the listener's address.
	BaseURL string
}

// Hub serves the remote: seats of parley run and parley tournament:
// seats played over the network by agents that connect to the command,
// through the same transports and rules as parley serve's open seats
// (WebSocket and long-poll, after=N, Parley-Received, ?n=K, the grace
// period, capability tokens). One seat's stream carries every session
// its negotiator sits in, one after another, as one agent process does
// on stdin/stdout; it lives in memory for the run. Kind makes the seats;
// Listen serves them, Wait waits for their agents, Close ends their
// streams.
type Hub struct {
	cfg    HubConfig
	j      *journal
	clk    clock // never replays
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed by Close: the streams are over
	joined chan struct{} // a seat's first connection

	mu     sync.Mutex
	seats  []*hubSeat
	byName map[string]*hubSeat
	byHash map[string]*hubSeat
	ln     net.Listener
	hs     *http.Server
	base   string
	closed bool
}

// NewHub returns a Hub with no seats, listening nowhere.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Grace <= 0 {
		cfg.Grace = 30 * time.Second
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	h := &Hub{cfg: cfg, j: memJournal(), done: make(chan struct{}), joined: make(chan struct{}, 1),
		byName: map[string]*hubSeat{}, byHash: map[string]*hubSeat{}}
	h.clk.caughtUp = make(chan struct{})
	close(h.clk.caughtUp)
	h.ctx, h.cancel = context.WithCancel(context.Background())
	return h
}

// Kind is the seat.Kind of remote:NAME specs, for a seat.Launcher or a
// tournament's Dialer. Its Dial makes the seat NAME the first time (the
// same NAME is the same seat, and the same agent), and returns how each
// session takes hold of it: one session at a time (a second at once is an
// error: one agent plays one seat of one session at a time).
func (h *Hub) Kind() seat.Kind {
	return seat.Kind{Prefix: seat.RemotePrefix, Dial: h.dial, Close: h.Close}
}

func (h *Hub) dial(rest string) (func() (seat.Conn, error), error) {
	name, _, err := seat.RemoteName(seat.RemotePrefix + rest)
	if err != nil {
		return nil, err
	}
	hs, err := h.seat(name)
	if err != nil {
		return nil, err
	}
	return hs.take, nil
}

// seat is the seat NAME, made with its token the first time.
func (h *Hub) seat(name string) (*hubSeat, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hs := h.byName[name]; hs != nil {
		return hs, nil
	}
	switch {
	case h.closed:
		return nil, errors.New("the remote seats are closed")
	case h.ln != nil:
		return nil, fmt.Errorf("%s%s: a remote seat must be named before the listener starts", seat.RemotePrefix, name)
	}
	token, hash := newToken()
	hs := &hubSeat{hub: h, name: name, token: token}
	hs.s = newOpenSeat(hs, len(h.seats), name, hash)
	hs.s.multi = true
	hs.s.lastSeen = time.Now()
	h.seats = append(h.seats, hs)
	h.byName[name] = hs
	h.byHash[string(hash)] = hs
	return hs, nil
}

// find is the seat of a token, looked up by its digest and compared in
// constant time, as parley serve does.
func (h *Hub) find(token string) (*openSeat, error) {
	if len(token) != tokenLen {
		return nil, nil
	}
	d := sha256.Sum256([]byte(token))
	h.mu.Lock()
	hs := h.byHash[string(d[:])]
	h.mu.Unlock()
	if hs == nil || subtle.ConstantTimeCompare(hs.s.hash, d[:]) != 1 {
		return nil, nil
	}
	return hs.s, nil
}

// Len is the number of remote seats made so far.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.seats)
}

// Listen starts serving the seats on addr. It reports whether addr is a
// loopback address: only then are requests checked to be addressed to
// this machine (DNS rebinding), as parley serve does.
func (h *Hub) Listen(addr string) (loopback bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return false, errors.New("the remote seats are closed")
	case h.ln != nil:
		return false, errors.New("the remote seats are already served")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false, err
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	ip := net.ParseIP(host)
	loopback = ip != nil && ip.IsLoopback()
	h.base = h.cfg.BaseURL
	if h.base == "" {
		if ip != nil && ip.IsUnspecified() {
			// Every interface: the machine's name is what agents reach.
			if name, err := os.Hostname(); err == nil {
				host = name
			}
		}
		h.base = "http://" + net.JoinHostPort(host, port)
	}
	mux := http.NewServeMux()
	(&transports{find: h.find, ctx: h.ctx}).route(mux)
	h.hs = &http.Server{Handler: guard(loopback, h.cfg.BaseURL, mux), ReadHeaderTimeout: 10 * time.Second}
	h.ln = ln
	go h.hs.Serve(ln)
	return loopback, nil
}

// Addr is the address the seats are served on (nil before Listen).
func (h *Hub) Addr() net.Addr {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ln == nil {
		return nil
	}
	return h.ln.Addr()
}

// RemoteSeat is a remote seat as its agent reaches it: the capability
// token, and the URLs that carry it.
type RemoteSeat struct {
	Spec     string // remote:NAME
	Token    string
	WS       string // ws://…/seat/TOKEN/ws
	Messages string // http://…/seat/TOKEN/messages (long-poll)
	Action   string // http://…/seat/TOKEN/action
}

// Seats lists the seats in the order they were made, with their URLs
// once Listen has started.
func (h *Hub) Seats() []RemoteSeat {
	h.mu.Lock()
	defer h.mu.Unlock()
	ws := strings.Replace(strings.Replace(h.base, "https://", "wss://", 1), "http://", "ws://", 1)
	out := make([]RemoteSeat, len(h.seats))
	for i, hs := range h.seats {
		out[i] = RemoteSeat{Spec: seat.RemotePrefix + hs.name, Token: hs.token}
		if h.base != "" {
			p := "/seat/" + hs.token
			out[i].WS, out[i].Messages, out[i].Action = ws+p+"/ws", h.base+p+"/messages", h.base+p+"/action"
		}
	}
	return out
}

// Wait waits until an agent has connected to every seat (once), for up to
// timeout; joined, when set, is called as each one does. Its error names
// the seats no agent connected to.
func (h *Hub) Wait(ctx context.Context, timeout time.Duration, joined func(RemoteSeat)) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	told := map[string]bool{}
	for {
		var missing []string
		h.mu.Lock()
		seats := h.seats
		h.mu.Unlock()
		for i, rs := range h.Seats() {
			s := seats[i].s
			s.mu.Lock()
			j := s.joined
			s.mu.Unlock()
			switch {
			case !j:
				missing = append(missing, rs.Spec)
			case !told[rs.Spec]:
				told[rs.Spec] = true
				if joined != nil {
					joined(rs)
				}
			}
		}
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-h.joined:
		case <-t.C:
			verb := "has"
			if len(missing) > 1 {
				verb = "have"
			}
			return fmt.Errorf("%s %s no agent: none connected within %v (start each agent with its seat's URL, printed above; --connect-timeout waits longer)",
				strings.Join(missing, ", "), verb, timeout)
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// drainWait bounds how long Close waits for the agents to read the end of
// their streams.
const drainWait = 5 * time.Second

// Close ends every seat's stream: an agent connected reads what is left
// and then the end (a WebSocket closed with 1000, a poll that says done),
// for up to a few seconds; then the listener stops.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	seats, hs := h.seats, h.hs
	h.mu.Unlock()
	for _, s := range seats {
		s.s.Close()
	}
	close(h.done)
	if hs != nil {
		end := time.After(drainWait)
	wait:
		for _, s := range seats {
			s.s.mu.Lock()
			here := s.s.joined && (s.s.ws || s.s.polls > 0 || time.Since(s.s.lastSeen) < h.cfg.Grace)
			s.s.mu.Unlock()
			if !here {
				continue
			}
			select {
			case <-s.s.drained:
			case <-end:
				break wait
			}
		}
	}
	h.cancel()
	var err error
	if hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), drainWait)
		err = hs.Shutdown(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = hs.Close()
		}
	}
	h.j.stop()
	return err
}

// hubSeat is one remote seat of a Hub: the host of its stream.
type hubSeat struct {
	hub   *Hub
	name  string
	token string
	s     *openSeat

	mu   sync.Mutex
	held bool // a session holds the seat (a hubConn is out)
}

func (hs *hubSeat) journal() *journal         { return hs.hub.j }
func (hs *hubSeat) seatClock() *clock         { return &hs.hub.clk }
func (hs *hubSeat) grace() time.Duration      { return hs.hub.cfg.Grace }
func (hs *hubSeat) over() <-chan struct{}     { return hs.hub.done }
func (hs *hubSeat) stopping() <-chan struct{} { return hs.hub.ctx.Done() }
func (hs *hubSeat) diverged(*openSeat, int)   {}
func (hs *hubSeat) storedAs() string          { return "" }
func (hs *hubSeat) join(*openSeat)            { hs.hub.signalJoin() }

func (hs *hubSeat) running() bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.held
}

// signalJoin wakes Wait.
func (h *Hub) signalJoin() {
	select {
	case h.joined <- struct{}{}:
	default:
	}
}

// take gives the seat to a session (and the sessions that follow it on
// the same runner) until the hubConn is closed.
func (hs *hubSeat) take() (seat.Conn, error) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.held {
		return nil, fmt.Errorf("%s%s is already playing another seat: one agent plays one seat of one session at a time", seat.RemotePrefix, hs.name)
	}
	hs.s.mu.Lock()
	base := uint64(hs.s.sends)
	hs.s.mu.Unlock()
	hs.held = true
	c := &hubConn{hs: hs, base: base}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// hubConn is a session's hold on a remote seat: the seat.Conn its
// seat.Remote plays through, from the stream's message base on. The agent
// counts nothing anew: the stream goes on; the hold counts from its base,
// and drops what the agent sent before it (answers to an earlier
// session), as a process started afresh would never have sent them.
type hubConn struct {
	hs     *hubSeat
	base   uint64
	ctx    context.Context // ends when the hold is closed
	cancel context.CancelFunc
	once   sync.Once
}

// Send implements seat.Conn.
func (c *hubConn) Send(msg []byte) error {
	if c.ctx.Err() != nil {
		return seat.ErrClosed
	}
	return c.hs.s.Send(msg)
}

// Recv implements seat.Conn; closing the hold ends a wait at once (a
// tournament interrupted).
func (c *hubConn) Recv(ctx context.Context) (seat.Message, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(c.ctx, cancel)()
	for {
		m, err := c.hs.s.Recv(ctx)
		if err != nil {
			if c.ctx.Err() != nil {
				return seat.Message{}, &seat.ConnError{Cause: session.CauseDisconnect, Message: "the seat was closed"}
			}
			return m, err
		}
		if m.Seen <= c.base {
			continue // it answers a session before this hold
		}
		m.Seen -= c.base
		return m, nil
	}
}

// Buffered implements seat.Conn.
func (c *hubConn) Buffered() int { return c.hs.s.Buffered() }

// BeginSession implements seat.Sessions.
func (c *hubConn) BeginSession() error { return c.hs.s.begin(c.base) }

// Close implements seat.Conn: the seat is free for another session; its
// stream goes on.
func (c *hubConn) Close() error {
	c.once.Do(func() {
		c.cancel()
		c.hs.mu.Lock()
		c.hs.held = false
		c.hs.mu.Unlock()
	})
	return nil
}
