package python_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// seatServer serves seats over the wire format of docs/serve.md — a
// WebSocket at /seat/{token}/ws?after=N, long-poll at
// /seat/{token}/messages and /seat/{token}/action — written from the
// RFC and the doc on net/http alone. The sessions of serve_test.go run on
// parley serve itself; this stand-in is for what parley serve does not do
// on demand: fragmented frames with pings between them, a connection
// refused (409) while the server holds the broken one, failed polls.
type seatServer struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	seats map[string]*wireSeat
	// Faults.
	fragment  int           // server frames carry at most this many bytes of a message (0: all)
	ping      bool          // a ping before every message
	dropAt    int           // break the first WebSocket, without a close frame, after this many messages
	busyFor   time.Duration // after the break, refuse the token (409) for this long
	failPolls int           // answer this many polls 503 first
}

// wireSeat is one open seat: the session's end (a seat.Conn) and the
// stream of messages its client reads.
type wireSeat struct {
	mu       sync.Mutex
	stream   [][]byte
	grew     chan struct{} // closed and replaced when the stream grows
	finished bool
	inbox    chan seat.Message
	got      int // messages received from the client

	live    bool  // a WebSocket is open
	afters  []int // the after= of each WebSocket connection
	refused int   // connections refused with 409
	pongs   int
	polls   int
}

func newSeatServer(t *testing.T) *seatServer {
	s := &seatServer{t: t, seats: map[string]*wireSeat{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /seat/{token}/ws", s.ws)
	mux.HandleFunc("GET /seat/{token}/messages", s.messages)
	mux.HandleFunc("POST /seat/{token}/action", s.action)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *seatServer) open(token string) *wireSeat {
	st := &wireSeat{grew: make(chan struct{}), inbox: make(chan seat.Message, seat.MaxBuffered)}
	s.mu.Lock()
	s.seats[token] = st
	s.mu.Unlock()
	return st
}

func (s *seatServer) seat(r *http.Request) *wireSeat {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seats[r.PathValue("token")]
}

// Send implements seat.Conn: the message joins the stream.
func (st *wireSeat) Send(msg []byte) error {
	st.mu.Lock()
	st.stream = append(st.stream, slices.Clone(msg))
	st.finished = st.finished || bytes.HasPrefix(msg, []byte(`{"type":"finished"`))
	close(st.grew)
	st.grew = make(chan struct{})
	st.mu.Unlock()
	return nil
}

func (st *wireSeat) Recv(ctx context.Context) (seat.Message, error) {
	select {
	case m := <-st.inbox:
		return m, nil
	case <-ctx.Done():
		return seat.Message{}, ctx.Err()
	}
}

func (st *wireSeat) Buffered() int { return len(st.inbox) }
func (st *wireSeat) Close() error  { return nil }

// deliver queues a message from the client, seen after the stream so far.
func (st *wireSeat) deliver(data []byte) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	select {
	case st.inbox <- seat.Message{Data: data, Seen: uint64(len(st.stream))}:
		st.got++
		return true
	default:
		return false
	}
}

// held is how many messages the server holds from the client.
func (st *wireSeat) held() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.got
}

// wait returns the stream after its first n messages once it has more, or
// is finished, or ctx ends.
func (st *wireSeat) wait(ctx context.Context, n int) (msgs [][]byte, finished bool) {
	for {
		st.mu.Lock()
		if len(st.stream) > n || st.finished {
			msgs, finished = st.stream[n:], st.finished
			st.mu.Unlock()
			return msgs, finished
		}
		grew := st.grew
		st.mu.Unlock()
		select {
		case <-grew:
		case <-ctx.Done():
			return nil, false
		}
	}
}

func (st *wireSeat) typeOf(i int) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var m struct{ Type string }
	json.Unmarshal(st.stream[i], &m)
	return m.Type
}

// WebSocket opcodes (RFC 6455).
const (
	opCont, opText, opClose, opPing, opPong = 0x0, 0x1, 0x8, 0x9, 0xA
)

func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// writeFrame writes one unmasked frame, as a server does.
func writeFrame(w io.Writer, op byte, payload []byte, fin bool) error {
	head := []byte{op, 0}
	if fin {
		head[0] |= 0x80
	}
	switch n := len(payload); {
	case n < 126:
		head[1] = byte(n)
	case n < 1<<16:
		head[1] = 126
		head = binary.BigEndian.AppendUint16(head, uint16(n))
	default:
		head[1] = 127
		head = binary.BigEndian.AppendUint64(head, uint64(n))
	}
	_, err := w.Write(append(head, payload...))
	return err
}

// readFrame reads one frame from a client, which must mask it.
func readFrame(r io.Reader) (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0F
	if h[1]&0x80 == 0 {
		return fin, op, nil, errors.New("an unmasked frame from the client")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		_, err = io.ReadFull(r, b[:])
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		_, err = io.ReadFull(r, b[:])
		n = binary.BigEndian.Uint64(b[:])
	}
	if err != nil {
		return
	}
	if n > seat.MaxMessage {
		return fin, op, nil, fmt.Errorf("a frame of %d bytes", n)
	}
	var key [4]byte
	if _, err = io.ReadFull(r, key[:]); err != nil {
		return
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	return fin, op, payload, nil
}

func (s *seatServer) ws(w http.ResponseWriter, r *http.Request) {
	st := s.seat(r)
	key := r.Header.Get("Sec-WebSocket-Key")
	switch {
	case st == nil:
		http.Error(w, "no such seat", http.StatusNotFound)
		return
	case !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || !strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") ||
		r.Header.Get("Sec-WebSocket-Version") != "13" || key == "":
		s.t.Errorf("a bad WebSocket handshake: %v", r.Header)
		http.Error(w, "not a WebSocket handshake", http.StatusBadRequest)
		return
	}
	after := 0
	if a := r.URL.Query().Get("after"); a != "" {
		after, _ = strconv.Atoi(a)
	}
	st.mu.Lock()
	if st.live {
		st.refused++
		st.mu.Unlock()
		http.Error(w, "a second connection to the seat while the first is open", http.StatusConflict)
		return
	}
	st.live = true
	st.afters = append(st.afters, after)
	first := len(st.afters) == 1
	st.mu.Unlock()
	busy := time.Duration(0)
	defer func() {
		release := func() { st.mu.Lock(); st.live = false; st.mu.Unlock() }
		if busy > 0 {
			time.AfterFunc(busy, release)
		} else {
			release()
		}
	}()

	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		s.t.Error(err)
		return
	}
	defer conn.Close()
	fmt.Fprintf(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nParley-Received: %d\r\n\r\n",
		wsAccept(key), st.held())
	var wmu sync.Mutex
	write := func(op byte, payload []byte, fin bool) error {
		wmu.Lock()
		defer wmu.Unlock()
		return writeFrame(conn, op, payload, fin)
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() { // the reader
		defer cancel()
		var msg []byte
		for {
			fin, op, payload, err := readFrame(brw)
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && ctx.Err() == nil && !strings.Contains(err.Error(), "use of closed") {
					s.t.Errorf("reading the client: %v", err)
				}
				return
			}
			switch op {
			case opText, opCont:
				msg = append(msg, payload...)
				if fin {
					if !st.deliver(msg) {
						s.t.Error("the client flooded the seat")
					}
					msg = nil
				}
			case opPing:
				write(opPong, payload, true)
			case opPong:
				st.mu.Lock()
				st.pongs++
				st.mu.Unlock()
			case opClose:
				write(opClose, payload[:min(2, len(payload))], true)
				return
			}
		}
	}()
	n := after
	for {
		msgs, finished := st.wait(ctx, n)
		if ctx.Err() != nil {
			return
		}
		for _, m := range msgs {
			if first && s.dropAt > 0 && n >= s.dropAt && st.typeOf(n-1) != seat.TypeYourTurn {
				busy = s.busyFor // break it, no close frame: the client must come back with after=n
				return
			}
			if s.ping {
				write(opPing, []byte("p"+strconv.Itoa(n)), true)
			}
			for rest := m; ; {
				k := len(rest)
				if s.fragment > 0 {
					k = min(k, s.fragment)
				}
				op := byte(opCont)
				if len(rest) == len(m) {
					op = opText
				}
				if err := write(op, rest[:k], k == len(rest)); err != nil {
					return
				}
				if rest = rest[k:]; len(rest) == 0 {
					break
				}
			}
			n++
		}
		if finished && len(msgs) == 0 {
			// Everything is read: close, and wait for the client's answer.
			write(opClose, binary.BigEndian.AppendUint16(nil, 1000), true)
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				s.t.Error("the client did not answer the close frame")
			}
			return
		}
	}
}

func (s *seatServer) messages(w http.ResponseWriter, r *http.Request) {
	st := s.seat(r)
	if st == nil {
		http.Error(w, "no such seat", http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	after, err1 := strconv.Atoi(q.Get("after"))
	wait, err2 := time.ParseDuration(q.Get("wait"))
	if err1 != nil || err2 != nil || wait > 60*time.Second {
		s.t.Errorf("a bad poll: %s", r.URL)
		http.Error(w, "bad after or wait", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	fail := s.failPolls > 0
	if fail {
		s.failPolls--
	}
	s.mu.Unlock()
	st.mu.Lock()
	st.polls++
	st.mu.Unlock()
	if fail {
		http.Error(w, "restarting", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	msgs, finished := st.wait(ctx, after)
	// Done, as parley serve says it: the stream is over and all read.
	page := struct {
		Messages []json.RawMessage `json:"messages"`
		Next     int               `json:"next"`
		Done     bool              `json:"done"`
		Received int               `json:"received"`
	}{Messages: []json.RawMessage{}, Next: after + len(msgs), Done: finished, Received: st.held()}
	for _, m := range msgs {
		page.Messages = append(page.Messages, m)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(page)
}

func (s *seatServer) action(w http.ResponseWriter, r *http.Request) {
	st := s.seat(r)
	if st == nil {
		http.Error(w, "no such seat", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, seat.MaxMessage+1))
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
	case n > 0 && n <= st.held():
		w.WriteHeader(http.StatusAccepted) // held already: not taken twice
	case len(body) > seat.MaxMessage:
		http.Error(w, "too long", http.StatusRequestEntityTooLarge)
	case !st.deliver(body):
		http.Error(w, "flood", http.StatusTooManyRequests)
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}

// play plays cfg, in which each negotiator "remote" is an open seat played
// by the example agent given the seat URL that url makes of the server's
// base URL and the seat's token; it returns the result, the Python seats'
// transcripts and the open seats.
func (s *seatServer) play(t *testing.T, cfg session.Config, url func(base, token string) string) (session.Result, transcripts, []*wireSeat) {
	t.Helper()
	dir := logDir(t)
	type proc struct {
		cmd    *exec.Cmd
		stderr *bytes.Buffer
	}
	var procs []proc
	var seats []*wireSeat
	cfg.Outside = func(spec string, i int) (session.Outside, bool, error) {
		if spec != "remote" {
			return nil, false, nil
		}
		token := fmt.Sprintf("t%d", i)
		seats = append(seats, s.open(token))
		p := proc{exec.Command("python3", "examples/frequency_agent.py", url(s.srv.URL, token)), &bytes.Buffer{}}
		p.cmd.Stderr = p.stderr
		if err := p.cmd.Start(); err != nil {
			return nil, true, err
		}
		procs = append(procs, p)
		return seat.NewRemote(seats[len(seats)-1], seat.Options{ActionTimeout: 20 * time.Second}), true, nil
	}
	r, err := session.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	for _, p := range procs {
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the agent exited with %v: %s", err, p.stderr)
			}
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
			t.Errorf("the agent did not exit after its session: %s", p.stderr)
		}
	}
	return res, readTranscripts(t, dir), seats
}

func wsURL(base, token string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/seat/" + token + "/ws"
}

func pollURL(base, token string) string { return base + "/seat/" + token }

// TestNetworkTransports: the example agent plays the same session over a
// WebSocket (fragmented with pings between, or broken off and resumed
// with ?after=N after a refused reconnection) and over HTTP long-poll
// (with failed polls) as over stdin/stdout: the same result, and the same
// messages in and out, byte for byte. (Plain sessions over both
// transports are played on parley serve: TestServeTransports.)
func TestNetworkTransports(t *testing.T) {
	needPython(t)
	sc := laptop(t)
	cfg := session.Config{Scenario: sc, Negotiators: []string{example, "boulware"}, Deadline: protocol.Deadline{Rounds: 100}, Seed: 5}
	want, wantTr := stdio(t, cfg)
	if want.Failure != nil {
		t.Fatal(want.Failure)
	}
	cfg.Negotiators[0] = "remote"
	for _, c := range []struct {
		name  string
		setup func(*seatServer)
		url   func(base, token string) string
		check func(t *testing.T, st *wireSeat)
	}{
		{name: "websocket fragmented, with pings", url: wsURL,
			setup: func(s *seatServer) { s.fragment, s.ping = 7, true },
			check: func(t *testing.T, st *wireSeat) {
				if st.pongs != len(st.stream) {
					t.Errorf("%d pongs to %d pings", st.pongs, len(st.stream))
				}
			}},
		{name: "websocket broken and resumed", url: wsURL,
			setup: func(s *seatServer) { s.dropAt, s.busyFor = 20, 150*time.Millisecond },
			check: func(t *testing.T, st *wireSeat) {
				if len(st.afters) != 2 || st.afters[0] != 0 || st.afters[1] < 20 {
					t.Errorf("connections from %v, want 0 then the break (20 or just after)", st.afters)
				}
				if st.refused == 0 {
					t.Error("no reconnection was refused while the server held the old one")
				}
			}},
		{name: "long-poll, failed polls", url: pollURL,
			setup: func(s *seatServer) { s.failPolls = 2 },
			check: func(t *testing.T, st *wireSeat) {
				if st.polls < 10 {
					t.Errorf("%d polls", st.polls)
				}
			}},
	} {
		s := newSeatServer(t)
		if c.setup != nil {
			c.setup(s)
		}
		got, tr, seats := s.play(t, cfg, c.url)
		if a, b := resultJSON(t, got), resultJSON(t, want); a != b {
			t.Errorf("%s: the result differs from stdio's:\n%s\nstdio:\n%s", c.name, a, b)
		}
		if !equalTranscripts(tr, wantTr) {
			t.Errorf("%s: the agent's messages differ from stdio's", c.name)
		}
		if s.failPolls != 0 {
			t.Errorf("%s: %d failing polls were never made", c.name, s.failPolls)
		}
		c.check(t, seats[0])
		st := seats[0]
		t.Logf("%s: %s in round %d; WebSocket connections from %v (%d refused), %d pongs, %d polls", c.name, got.Status, got.Round, st.afters, st.refused, st.pongs, st.polls)
	}
}
