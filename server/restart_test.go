package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// TestRestartResumes: a server stopped in the middle of a session, and
// started again on the same database, resumes the session where it was:
// the client reconnects with its token (WebSocket with after=N and the
// actions the server does not hold sent again; long-poll with after=N and
// numbered actions), and the session ends as it would have without the
// restart. The seat's stream holds every message once.
func TestRestartResumes(t *testing.T) {
	text := laptop(t)
	want, err := session.Run(session.Config{Scenario: parsed(t, text), Negotiators: []string{"frequency", "boulware"}, Deadline: protocol.Deadline{Rounds: 40}})
	if err != nil {
		t.Fatal(err)
	}
	for _, transport := range []string{"ws", "poll"} {
		t.Run(transport, func(t *testing.T) {
			db := newDB(t)
			ts := serve(t, db, "", Config{})
			c := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 40}})
			s := c.Seats[0]
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			// The client's tenth action waits for the server to stop: it is
			// sent to the restarted server.
			g := &gated{at: 10, reached: make(chan struct{}), open: make(chan struct{})}
			done := playGated(ctx, transport, s, g)
			select {
			case err := <-done:
				t.Fatalf("the session ended before the restart: %v", err)
			case <-g.reached:
			}
			ts.stop()
			close(g.open)
			ts2 := serve(t, db, ts.addr, Config{})
			if ts2.Resumed() != 1 {
				t.Errorf("%d sessions resumed", ts2.Resumed())
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got := ts2.result(t, c.ID)
			if n := ts2.diverged.Load(); n != 0 {
				t.Errorf("%d messages differ on replay", n)
			}
			if a, b, ok := same(got, want); !ok {
				t.Fatalf("after a restart\n%s\nwithout\n%s", a, b)
			}
			msgs := stream(t, s.Messages)
			ty := types(msgs)
			if strings.Count(ty, "settings") != 1 || !strings.HasSuffix(ty, ",finished") || strings.Contains(ty, "error") {
				t.Errorf("the stream: %s", ty)
			}
			if turns := strings.Count(ty, "your_turn"); turns != (want.Steps+1)/2 {
				t.Errorf("%d turns in the stream, %d steps", turns, want.Steps)
			}
		})
	}
}

// playGated plays frequency at seat s over transport, on a link that
// reconnects and sends again for up to 20 s, through g; the channel gets
// the outcome of play.
func playGated(ctx context.Context, transport string, s SeatLinks, g *gated) <-chan error {
	done := make(chan error, 1)
	go func() {
		if transport == "ws" {
			l, err := DialWebSocket(ctx, s.WS)
			if err != nil {
				done <- err
				return
			}
			l.Retry = 20 * time.Second
			defer l.Close()
			g.link = l
		} else {
			g.link = &PollLink{Messages: s.Messages, Action: s.Action, Wait: time.Second, Retry: 20 * time.Second}
		}
		done <- play("frequency", g)
	}()
	return done
}

// gated is a link whose at-th action waits until open is closed.
type gated struct {
	link
	n, at   int
	reached chan struct{}
	open    chan struct{}
}

func (g *gated) Write(m []byte) error {
	g.n++
	if g.n == g.at {
		close(g.reached)
		<-g.open
	}
	return g.link.Write(m)
}

// TestRestartTimeDeadline: a session with a deadline in time replays the
// readings of its clock after a restart (the messages it sends again are
// the ones stored), and the time the server was down does not count.
func TestRestartTimeDeadline(t *testing.T) {
	text := laptop(t)
	db := newDB(t)
	ts := serve(t, db, "", Config{})
	c := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{MS: 3000}})
	s := c.Seats[0]
	g := &gated{at: 6, reached: make(chan struct{}), open: make(chan struct{})}
	g.link = &PollLink{Messages: s.Messages, Action: s.Action, Wait: time.Second, Retry: 20 * time.Second}
	done := make(chan error, 1)
	go func() { done <- play("frequency", g) }()
	select {
	case err := <-done:
		t.Fatalf("the session ended before the restart: %v", err)
	case <-g.reached:
	}
	ts.stop()
	time.Sleep(300 * time.Millisecond) // down for a while
	ts2 := serve(t, db, ts.addr, Config{})
	close(g.open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res := ts2.result(t, c.ID)
	if res.Failure != nil || res.Steps < 7 {
		t.Fatalf("%s after %d steps: %v", res.Status, res.Steps, res.Failure)
	}
	if n := ts2.diverged.Load(); n != 0 {
		t.Errorf("%d messages differ on replay", n)
	}
	var readings int
	ts2.db.QueryRow(`SELECT count(*) FROM clock WHERE session = ?`, c.ID).Scan(&readings)
	if readings < res.Steps {
		t.Errorf("%d clock readings stored for %d steps", readings, res.Steps)
	}
}
