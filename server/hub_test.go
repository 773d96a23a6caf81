package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// hubTable is a session runner whose seat 0 is remote:a, served by a Hub
// on 127.0.0.1, against a built-in strategy: sessions played one after
// another on the same runner, as a tournament plays a line-up.
type hubTable struct {
	hub  *Hub
	l    *seat.Launcher
	r    *session.Runner
	seat RemoteSeat
	text string
}

func newHubTable(t *testing.T, grace time.Duration, opts seat.Options, opponent string) *hubTable {
	t.Helper()
	text := laptop(t)
	h := NewHub(HubConfig{Grace: grace})
	l := &seat.Launcher{Options: opts, Kinds: []seat.Kind{h.Kind()}}
	r, err := session.NewRunner(session.Config{Scenario: parsed(t, text), Negotiators: []string{"remote:a", opponent},
		Deadline: protocol.Deadline{Rounds: 30}, Outside: l.Outside})
	if err != nil {
		t.Fatal(err)
	}
	loopback, err := h.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !loopback {
		t.Fatalf("127.0.0.1 is not loopback")
	}
	tb := &hubTable{hub: h, l: l, r: r, seat: h.Seats()[0], text: text}
	t.Cleanup(func() { l.Close() })
	return tb
}

// play plays one session and returns its result.
func (tb *hubTable) play(t *testing.T, seed uint64) session.Result {
	t.Helper()
	if _, err := tb.r.Play(seed); err != nil {
		t.Fatal(err)
	}
	return tb.r.Result()
}

// inProcess is the session of frequency (seat 0) against opponent, both
// built in.
func inProcess(t *testing.T, text, opponent string, seed uint64) session.Result {
	t.Helper()
	res, err := session.Run(session.Config{Scenario: parsed(t, text), Negotiators: []string{"frequency", opponent},
		Deadline: protocol.Deadline{Rounds: 30}, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func hubLink(t *testing.T, transport string, rs RemoteSeat, after int) link {
	t.Helper()
	if transport == "ws" {
		u := rs.WS
		if after > 0 {
			u += "?after=" + strconv.Itoa(after)
		}
		// The server may not have noticed yet that a connection before
		// this one closed (409): try again.
		var l *WebSocketLink
		err := retry(context.Background(), 5*time.Second, func() (err error) {
			l, err = DialWebSocket(context.Background(), u)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	return &PollLink{Messages: rs.Messages, Action: rs.Action, Wait: time.Second, next: after}

}

// held is how many messages a remote seat's stream holds now.
func held(t *testing.T, rs RemoteSeat) int {
	t.Helper()
	var p Poll
	if code := getJSON(t, rs.Messages+"?after=0", &p); code != http.StatusOK {
		t.Fatalf("polling: %d", code)
	}
	return p.Next
}

// TestHubPlaysManySessions: one client, on one connection, plays every
// session of a remote seat one after another (settings … finished,
// settings …), each as the built-in strategy plays it in process; when
// the hub closes, the client reads the end of the stream and stops.
func TestHubPlaysManySessions(t *testing.T) {
	for _, transport := range []string{"ws", "poll"} {
		t.Run(transport, func(t *testing.T) {
			tb := newHubTable(t, 5*time.Second, seat.Options{ActionTimeout: 10 * time.Second}, "boulware")
			l := hubLink(t, transport, tb.seat, 0)
			var types []string
			var sessions []string
			done := make(chan error, 1)
			go func() {
				done <- play("frequency", &watched{link: l, on: func(m []byte) {
					types = append(types, typeOf(m))
					if typeOf(m) == "settings" {
						var s struct{ Session string }
						json.Unmarshal(m, &s)
						sessions = append(sessions, s.Session)
					}
				}})
			}()
			if err := tb.hub.Wait(context.Background(), 10*time.Second, nil); err != nil {
				t.Fatal(err)
			}
			for _, seed := range []uint64{1, 2, 3} {
				got, want := tb.play(t, seed), inProcess(t, tb.text, "boulware", seed)
				if a, b, ok := same(got, want); !ok {
					t.Errorf("seed %d: over the hub\n%s\nin process\n%s", seed, a, b)
				}
			}
			tb.l.Close()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the client did not see the end of the stream")
			}
			if strings.Join(sessions, ",") != "1,2,3" {
				t.Errorf("sessions %v", sessions)
			}
			if n := strings.Count(strings.Join(types, ","), "finished"); n != 3 {
				t.Errorf("%d finished messages: %v", n, types)
			}
			if wl, ok := l.(*WebSocketLink); ok && wl.Count() != len(types) {
				t.Errorf("the link read %d messages, the client saw %d", wl.Count(), len(types))
			}
		})
	}
}

// watched is a link that shows each message read.
type watched struct {
	link
	on func([]byte)
}

func (w *watched) Read() ([]byte, error) {
	m, err := w.link.Read()
	if err == nil {
		w.on(m)
	}
	return m, err
}

// TestHubWaitsBoundedly: with no agent, Wait gives up after its timeout
// and names the seat; the listener is on loopback, and answers requests
// addressed to this machine only.
func TestHubWaitsBoundedly(t *testing.T) {
	tb := newHubTable(t, time.Second, seat.Options{}, "boulware")
	start := time.Now()
	err := tb.hub.Wait(context.Background(), 300*time.Millisecond, nil)
	if err == nil || !strings.Contains(err.Error(), "remote:a has no agent: none connected within 300ms") {
		t.Fatalf("%v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waited %v", d)
	}
	host, _, _ := net.SplitHostPort(tb.hub.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Errorf("listening on %s", tb.hub.Addr())
	}
	req, _ := http.NewRequest("GET", tb.seat.Messages, nil)
	req.Host = "attacker.example:80"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a request to another host: %s", resp.Status)
	}
	// A seat named once the listener runs is refused; the same name is
	// the same seat.
	if _, err := tb.hub.Kind().Dial("b"); err == nil {
		t.Error("a seat named after the listener started")
	}
	if _, err := tb.hub.Kind().Dial("a"); err != nil {
		t.Error(err)
	}
	if _, err := tb.hub.Kind().Dial("a b"); err == nil || !strings.Contains(err.Error(), "letters, digits") {
		t.Errorf("a bad name: %v", err)
	}
}

// TestHubReconnectWithinGrace: a client that drops its connection in the
// middle of a session and comes back within the grace period resumes its
// seat (after=N, Parley-Received, ?n=K); the sessions end as without the
// break.
func TestHubReconnectWithinGrace(t *testing.T) {
	for _, transport := range []string{"ws", "poll"} {
		t.Run(transport, func(t *testing.T) {
			tb := newHubTable(t, 3*time.Second, seat.Options{ActionTimeout: 10 * time.Second}, "boulware")
			turns := 0
			var l link
			if transport == "ws" {
				wl := hubLink(t, transport, tb.seat, 0).(*WebSocketLink)
				l = &breaking{link: wl, turns: &turns, brk: func() {
					wl.Close()
					time.Sleep(200 * time.Millisecond)
					if err := wl.Reconnect(); err != nil {
						t.Error(err)
					}
				}}
			} else {
				l = &breaking{link: hubLink(t, transport, tb.seat, 0), turns: &turns, brk: func() { time.Sleep(200 * time.Millisecond) }}
			}
			done := make(chan error, 1)
			go func() { done <- play("frequency", l) }()
			for _, seed := range []uint64{4, 5} {
				got, want := tb.play(t, seed), inProcess(t, tb.text, "boulware", seed)
				if a, b, ok := same(got, want); !ok {
					t.Errorf("seed %d: over the hub\n%s\nin process\n%s", seed, a, b)
				}
			}
			tb.l.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if turns < 5 {
				t.Fatalf("%d turns", turns)
			}
		})
	}
}

// TestHubGoneAndBack: a client away past the grace period fails its
// session (disconnect), and each following session at once, with nothing
// sent to it; when it comes back with its URL and after=N (over long-poll,
// the same client, its actions numbered on) it plays the next session as
// ever.
func TestHubGoneAndBack(t *testing.T) {
	for _, transport := range []string{"ws", "poll"} {
		t.Run(transport, func(t *testing.T) {
			tb := newHubTable(t, 300*time.Millisecond, seat.Options{ActionTimeout: 10 * time.Second}, "boulware")
			l := hubLink(t, transport, tb.seat, 0)
			gone := make(chan struct{})
			go func() { misbehaviours["gone"](l, transport); close(gone) }()
			res := tb.play(t, 1)
			<-gone
			if f := res.Failure; f == nil || f.Cause != session.CauseDisconnect || !strings.Contains(f.Message, "did not come back within 300ms") {
				t.Fatalf("first session: %s %+v", res.Status, res.Failure)
			}
			n := held(t, tb.seat)
			time.Sleep(400 * time.Millisecond) // the poll above was a visit
			res = tb.play(t, 2)
			if f := res.Failure; f == nil || f.Cause != session.CauseDisconnect || !strings.Contains(f.Message, "has not come back") {
				t.Fatalf("second session: %s %+v", res.Status, res.Failure)
			}
			if m := held(t, tb.seat); m != n {
				t.Errorf("the stream grew from %d to %d messages while its client was gone", n, m)
			}
			back := l
			if transport == "ws" {
				back = hubLink(t, "ws", tb.seat, n)
			} else {
				// The same client reads on to where the failed session
				// ended.
				pl := l.(*PollLink)
				for pl.Next() < n {
					if _, err := pl.Read(); err != nil {
						t.Fatal(err)
					}
				}
			}
			done := make(chan error, 1)
			go func() { done <- play("frequency", back) }()
			got, want := tb.play(t, 3), inProcess(t, tb.text, "boulware", 3)
			if a, b, ok := same(got, want); !ok {
				t.Errorf("back: over the hub\n%s\nin process\n%s", a, b)
			}
			tb.l.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestHubFaults: each way a client can misbehave ends that session as its
// seat's failure, as parley serve's seats do; the seat's stream goes on,
// and a client that comes back with its URL plays the next session as
// ever (an answer that came too late for the failed session is dropped,
// not counted against the next).
func TestHubFaults(t *testing.T) {
	bigAction()
	for _, c := range []struct {
		behaviour string
		action    time.Duration
		cause     session.Cause
		says      string
	}{
		{"hang", 500 * time.Millisecond, session.CauseTimeout, "no answer within 500ms while waiting for its action in round 1"},
		{"garbage", 500 * time.Millisecond, session.CauseGarbage, `not a JSON object: "I think we should accept this offer."`},
		{"big", 30 * time.Second, session.CauseGarbage, "it sent a message of more than 1048576 bytes"},
		{"flood", 500 * time.Millisecond, session.CauseFlood, "not the seat's turn|not asked for"},
		{"otherparty", 500 * time.Millisecond, session.CauseInvalid, "this seat plays for laptop_buyer_utility and can act only for it"},
	} {
		for _, transport := range []string{"ws", "poll"} {
			t.Run(c.behaviour+" "+transport, func(t *testing.T) {
				tb := newHubTable(t, 5*time.Second, seat.Options{ActionTimeout: c.action, MaxErrors: 2}, "hardliner")
				bad := hubLink(t, transport, tb.seat, 0)
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					misbehaviours[c.behaviour](bad, transport)
					// An answer after the session failed: dropped.
					bad.Write([]byte(anOffer))
					if cl, ok := bad.(io.Closer); ok {
						cl.Close()
					}
				}()
				res := tb.play(t, 1)
				f := res.Failure
				if res.Status != session.StatusFailed || f == nil || f.Seat != "laptop_buyer_utility" || f.Cause != c.cause || !containsAny(f.Message, c.says) {
					t.Fatalf("status %s, failure %+v; want cause %s saying %q", res.Status, f, c.cause, c.says)
				}
				wg.Wait()
				n := held(t, tb.seat)
				var types []string
				good := &watched{link: hubLink(t, transport, tb.seat, n), on: func(m []byte) { types = append(types, typeOf(m)) }}
				done := make(chan error, 1)
				go func() { done <- play("frequency", good) }()
				got, want := tb.play(t, 2), inProcess(t, tb.text, "hardliner", 2)
				if a, b, ok := same(got, want); !ok {
					t.Errorf("the next session: over the hub\n%s\nin process\n%s", a, b)
				}
				tb.l.Close()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if len(types) == 0 || types[0] != "settings" || strings.Contains(strings.Join(types, ","), "error") {
					t.Errorf("the next session's stream: %v", types)
				}
			})
		}
	}
}

// TestHubTokens: a token plays its seat over one WebSocket at a time (a
// second is refused with 409), and a token of another run (a hub closed)
// is unknown here (404).
func TestHubTokens(t *testing.T) {
	old := newHubTable(t, time.Second, seat.Options{}, "boulware")
	oldSeat := old.seat
	old.l.Close()
	tb := newHubTable(t, time.Second, seat.Options{}, "boulware")
	first, err := DialWebSocket(context.Background(), tb.seat.WS)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if _, err := DialWebSocket(context.Background(), tb.seat.WS); err == nil || !strings.Contains(err.Error(), "409") {
		t.Errorf("a second WebSocket on the token: %v", err)
	}
	replayed := strings.Replace(oldSeat.Messages, old.hub.Addr().String(), tb.hub.Addr().String(), 1)
	if code := getJSON(t, replayed, nil); code != http.StatusNotFound {
		t.Errorf("another run's token: %d", code)
	}
}

// TestHubKeepsBoundedStream: a stream that carries many sessions keeps
// its newest messages only (here past a few kilobytes): a client that
// asks for older ones is told they are gone (410), while one that reads
// along plays on.
func TestHubKeepsBoundedStream(t *testing.T) {
	defer func(r int) { retain = r }(retain)
	retain = 4 << 10
	tb := newHubTable(t, 5*time.Second, seat.Options{ActionTimeout: 10 * time.Second}, "boulware")
	l := hubLink(t, "poll", tb.seat, 0)
	done := make(chan error, 1)
	go func() { done <- play("frequency", l) }()
	for seed := range uint64(4) {
		tb.play(t, seed)
	}
	resp, err := http.Get(tb.seat.Messages + "?after=0")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || !strings.Contains(string(body), "no longer kept") {
		t.Errorf("an old position: %s %s", resp.Status, body)
	}
	tb.hub.mu.Lock()
	s := tb.hub.seats[0].s
	tb.hub.mu.Unlock()
	s.mu.Lock()
	size, first, kept := s.size, s.first, len(s.msgs)
	s.mu.Unlock()
	if first == 0 || size > 2*retain+64<<10 {
		t.Errorf("%d bytes kept in %d messages from %d", size, kept, first)
	}
	tb.l.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
