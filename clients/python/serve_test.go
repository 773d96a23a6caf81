package python_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/session"
)

// The tests in this file play the example agent against parley serve's
// own server (the server package, in-process, on a real listener on
// 127.0.0.1), its sessions created through POST /api/v1/sessions: the
// same sessions over WebSocket and long-poll as over stdin/stdout.

// actionMS is the open seats' action clock in these sessions, and the
// stdio seats' (the settings tell it, so the transcripts hold it).
const actionMS = 15000

// served is a parley serve server on a loopback port.
type served struct {
	srv  *server.Server
	hs   *http.Server
	url  string // http://127.0.0.1:PORT
	addr string
}

func startServe(t *testing.T) *served {
	t.Helper()
	srv, err := server.New(server.Config{DB: filepath.Join(t.TempDir(), "serve.db"), Examples: filepath.Join("..", "..", "examples")})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	s := &served{srv: srv, hs: &http.Server{Handler: srv.Handler()}, addr: ln.Addr().String()}
	s.url = "http://" + s.addr
	s.hs.RegisterOnShutdown(srv.Disconnect)
	go s.hs.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.hs.Shutdown(ctx)
		srv.Close()
	})
	return s
}

// laptopText is Laptop as the text of a parley scenario, which a request
// posts; laptopPosted is that text read back, as the server reads it.
func laptopText(t *testing.T) (string, *scenario.Scenario) {
	t.Helper()
	b, err := laptop(t).MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(b, server.ScenarioName)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), sc
}

// create posts a session request.
func (s *served) create(t *testing.T, req server.Request) *server.Created {
	t.Helper()
	b, _ := json.Marshal(req)
	resp, err := http.Post(s.url+"/api/v1/sessions", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating a session: %s: %s", resp.Status, data)
	}
	var c server.Created
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// finished waits for a session to be over and returns its public status.
func (s *served) finished(t *testing.T, id string) *server.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/api/v1/sessions/" + id)
		if err != nil {
			t.Fatal(err)
		}
		var st server.Status
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if st.State == "finished" {
			return &st
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %s is still %s after 30 s", id, st.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// agentRun is one Python agent process that played an open seat.
type agentRun struct {
	stderr string
}

// playServed creates a session of req on s, plays each open seat with the
// example agent given the URL that seatURL makes of its links, and
// returns the session's public status, the agents' transcripts and their
// standard errors.
func playServed(t *testing.T, s *served, req server.Request, seatURL func(server.SeatLinks) string) (*server.Status, transcripts, []agentRun) {
	t.Helper()
	dir := logDir(t)
	c := s.create(t, req)
	if len(c.Seats) == 0 {
		t.Fatal("the session has no open seat")
	}
	type proc struct {
		cmd    *exec.Cmd
		stderr *bytes.Buffer
	}
	var procs []proc
	for _, l := range c.Seats {
		p := proc{exec.Command("python3", "examples/frequency_agent.py", seatURL(l)), &bytes.Buffer{}}
		p.cmd.Stderr = p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	var runs []agentRun
	for _, p := range procs {
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the agent exited with %v: %s", err, p.stderr)
			}
		case <-time.After(60 * time.Second):
			p.cmd.Process.Kill()
			<-done
			t.Errorf("the agent did not exit after its session: %s", p.stderr)
		}
		runs = append(runs, agentRun{stderr: p.stderr.String()})
	}
	return s.finished(t, c.ID), readTranscripts(t, dir), runs
}

// public is what the server publishes of a session's result.
func public(res session.Result) string {
	p := server.PublicResult{Status: res.Status, Agreed: res.Agreed, End: res.End, WalkedOut: res.WalkedOut, Outcome: res.Outcome,
		Round: res.Round, Steps: res.Steps, Failure: res.Failure, FailedPhase: res.FailedPhase}
	b, _ := json.Marshal(p)
	return string(b)
}

func publicJSON(p *server.PublicResult) string {
	b, _ := json.Marshal(p)
	return string(b)
}

var sessionID = regexp.MustCompile(`"session":"[^"]*"`)

// sameTranscripts compares transcripts line by line, the session ids
// aside (stdio numbers its sessions, the server names them).
func sameTranscripts(t *testing.T, got, want transcripts) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d transcripts, want %d", len(got), len(want))
		return
	}
	for party, w := range want {
		g := got[party]
		for i := range max(len(g), len(w)) {
			var a, b string
			if i < len(g) {
				a = sessionID.ReplaceAllString(g[i], `"session":""`)
			}
			if i < len(w) {
				b = sessionID.ReplaceAllString(w[i], `"session":""`)
			}
			if a != b {
				t.Errorf("%s: line %d of %d differs from stdio's (of %d):\n%s\nstdio:\n%s", party, i+1, len(g), len(w), a, b)
				return
			}
		}
	}
}

// stdioCase plays cfg over stdin/stdout with the clock the served
// sessions have, and the request that asks the server for the same
// session with the Python seats open.
func stdioCase(t *testing.T, text string, sc *scenario.Scenario, negs []string, seed uint64) (session.Result, transcripts, server.Request) {
	t.Helper()
	cfg := session.Config{Scenario: sc, Negotiators: negs, Deadline: protocol.Deadline{Rounds: 100}, Seed: seed}
	res, tr := stdioClock(t, cfg, actionMS*time.Millisecond)
	if res.Failure != nil {
		t.Fatalf("stdio: %v", res.Failure)
	}
	checkPlayed(t, tr)
	seats := make([]string, len(negs))
	for i, n := range negs {
		seats[i] = n
		if n == example {
			seats[i] = "remote"
		}
	}
	ms, errs := int64(actionMS), 3
	req := server.Request{Scenario: text, Protocol: "saop", Deadline: &server.Deadline{Rounds: 100}, Seed: seed, Seats: seats,
		Clock: &server.Clock{ActionMS: &ms}, MaxErrors: &errs}
	return res, tr, req
}

func pollLink(l server.SeatLinks) string { return strings.TrimSuffix(l.Messages, "/messages") }
func wsLink(l server.SeatLinks) string   { return l.WS }

// TestServeTransports is issue 15's must-show: the example agent plays
// full SAOP sessions against Boulware on Laptop, in both seats and with
// two seeds, through each of the three transports (stdin/stdout, and
// parley serve's WebSocket and long-poll, the sessions created by POST
// /api/v1/sessions) with identical results and identical messages in and
// out of the agent, the session ids aside.
func TestServeTransports(t *testing.T) {
	needPython(t)
	text, sc := laptopText(t)
	s := startServe(t)
	for _, negs := range [][]string{{example, "boulware"}, {"boulware", example}} {
		for _, seed := range []uint64{1, 4} {
			want, wantTr, req := stdioCase(t, text, sc, negs, seed)
			for _, tp := range []struct {
				name string
				url  func(server.SeatLinks) string
			}{{"websocket", wsLink}, {"long-poll", pollLink}} {
				name := fmt.Sprintf("%s, %s seed %d", tp.name, strings.Join(req.Seats, " vs "), seed)
				st, tr, _ := playServed(t, s, req, tp.url)
				if st.Result == nil {
					t.Fatalf("%s: no result", name)
				}
				if got, w := publicJSON(st.Result), public(want); got != w {
					t.Errorf("%s: the result differs from stdio's:\n%s\nstdio:\n%s", name, got, w)
				}
				sameTranscripts(t, tr, wantTr)
				t.Logf("%s: %s in round %d", name, st.Result.Status, st.Result.Round)
			}
		}
	}
}

// cutter is a TCP proxy in front of the server that breaks the first
// WebSocket connection through it right after reading the client's cutAt-th
// text frame (an action), without passing that frame on: the client wrote
// the action into a connection that broke, and the server never got it.
type cutter struct {
	t      *testing.T
	ln     net.Listener
	target string
	cutAt  int

	mu      sync.Mutex
	conns   int
	dropped []byte // the action that never reached the server
	heard   []string
}

func newCutter(t *testing.T, target string, cutAt int) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{t: t, ln: ln, target: target, cutAt: cutAt}
	t.Cleanup(func() { ln.Close() })
	go c.accept()
	return c
}

func (c *cutter) accept() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		c.conns++
		first := c.conns == 1
		c.mu.Unlock()
		go c.relay(conn, first)
	}
}

func (c *cutter) relay(client net.Conn, first bool) {
	defer client.Close()
	up, err := net.Dial("tcp", c.target)
	if err != nil {
		c.t.Error(err)
		return
	}
	defer up.Close()
	go func() {
		// The server's side, as it is, including the handshake's answer.
		br := bufio.NewReader(up)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			client.Close()
			return
		}
		c.mu.Lock()
		c.heard = append(c.heard, resp.Header.Get(server.HeaderReceived))
		c.mu.Unlock()
		resp.Write(client)
		io.Copy(client, br)
		client.Close()
	}()
	r := bufio.NewReader(client)
	req, err := http.ReadRequest(r)
	if err != nil {
		return
	}
	if err := req.Write(up); err != nil {
		return
	}
	texts := 0
	for {
		raw, op, payload, err := rawFrame(r)
		if err != nil {
			return
		}
		if op == opText {
			texts++
			if first && texts == c.cutAt {
				c.mu.Lock()
				c.dropped = payload
				c.mu.Unlock()
				return // both connections close: no close frame, the action lost
			}
		}
		if _, err := up.Write(raw); err != nil {
			return
		}
	}
}

// rawFrame reads one masked client frame: its bytes as they came, its
// opcode and its unmasked payload.
func rawFrame(r *bufio.Reader) (raw []byte, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	raw = append(raw, h[:]...)
	op = h[0] & 0x0F
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		raw, n = append(raw, b[:]...), uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		raw, n = append(raw, b[:]...), binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<20 {
		return nil, 0, nil, fmt.Errorf("a frame of %d bytes", n)
	}
	var key [4]byte
	if _, err = io.ReadFull(r, key[:]); err != nil {
		return
	}
	raw = append(raw, key[:]...)
	body := make([]byte, n)
	if _, err = io.ReadFull(r, body); err != nil {
		return
	}
	raw = append(raw, body...)
	payload = make([]byte, n)
	for i := range body {
		payload[i] = body[i] ^ key[i%4]
	}
	return raw, op, payload, nil
}

// TestServeWebSocketResendsLostAction: the WebSocket breaks right after
// the agent wrote its third action into it, before the server read it.
// The client reconnects, learns from Parley-Received that the server
// holds two of its messages, and sends the third again: the session goes
// on as over stdio, the same result and the same messages, where the lost
// action would otherwise have left the seat to time out.
func TestServeWebSocketResendsLostAction(t *testing.T) {
	needPython(t)
	text, sc := laptopText(t)
	s := startServe(t)
	want, wantTr, req := stdioCase(t, text, sc, []string{example, "boulware"}, 2)
	cut := newCutter(t, s.addr, 3)
	st, tr, runs := playServed(t, s, req, func(l server.SeatLinks) string {
		return strings.Replace(l.WS, s.addr, cut.ln.Addr().String(), 1)
	})
	if got, w := publicJSON(st.Result), public(want); got != w {
		t.Errorf("the result differs from stdio's:\n%s\nstdio:\n%s", got, w)
	}
	sameTranscripts(t, tr, wantTr)
	cut.mu.Lock()
	defer cut.mu.Unlock()
	if cut.dropped == nil {
		t.Fatal("the connection was never cut: the agent sent fewer than 3 actions")
	}
	if cut.conns < 2 || len(cut.heard) < 2 || cut.heard[0] != "0" || cut.heard[len(cut.heard)-1] != "2" {
		t.Errorf("%d connections, Parley-Received %v; want 0, then 2 on the reconnection", cut.conns, cut.heard)
	}
	// The action lost is the third the agent sent, and it was sent again.
	outs := 0
	for _, l := range tr["laptop_buyer_utility"] {
		if strings.HasPrefix(l, `["out",`) {
			if outs++; outs == 3 && l != `["out",`+string(cut.dropped)+`]` {
				t.Errorf("the action cut off was %s, the agent's third %s", cut.dropped, l)
			}
		}
	}
	if !strings.Contains(runs[0].stderr, "sent again 1 action(s) the server did not get") {
		t.Errorf("the agent did not send the lost action again:\n%s", runs[0].stderr)
	}
}

// TestServeLongPollPostsOnce: the answer to the agent's third action is
// lost (the connection closes after the server took the action), so the
// agent posts it again with the same number: the server answers that it
// holds it, takes it once, and the session is the same as over stdio.
func TestServeLongPollPostsOnce(t *testing.T) {
	needPython(t)
	text, sc := laptopText(t)
	s := startServe(t)
	want, wantTr, req := stdioCase(t, text, sc, []string{example, "boulware"}, 3)
	target, _ := url.Parse(s.url)
	rp := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	posts := 0
	var answers, numbers []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/action") {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		mu.Lock()
		posts++
		n := posts
		numbers = append(numbers, r.URL.Query().Get("n"))
		answers = append(answers, strings.TrimSpace(rec.Body.String()))
		mu.Unlock()
		if n == 3 {
			// The server took the action; its answer is lost.
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	defer proxy.Close()
	st, tr, runs := playServed(t, s, req, func(l server.SeatLinks) string {
		return strings.Replace(pollLink(l), s.url, proxy.URL, 1)
	})
	if got, w := publicJSON(st.Result), public(want); got != w {
		t.Errorf("the result differs from stdio's:\n%s\nstdio:\n%s", got, w)
	}
	sameTranscripts(t, tr, wantTr)
	mu.Lock()
	defer mu.Unlock()
	if len(answers) < 5 {
		t.Fatalf("%d posts", len(answers))
	}
	// Actions are numbered 1, 2, 3, then 3 again (held), 4, ...
	if numbers[0] != "1" || numbers[2] != "3" || numbers[3] != "3" || numbers[4] != "4" {
		t.Errorf("actions posted with n = %v", numbers)
	}
	if answers[2] != `{"status":"queued"}` || answers[3] != `{"status":"held"}` {
		t.Errorf("the server answered %q then %q to the action posted twice; want queued, then held", answers[2], answers[3])
	}
	if !strings.Contains(runs[0].stderr, "posting the action again") {
		t.Errorf("the agent did not post again:\n%s", runs[0].stderr)
	}
}
