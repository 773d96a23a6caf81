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
					done <- play("frequency", l)
					return
				}
				done <- play("frequency", &PollLink{Messages: s.Messages, Action: s.Action, Wait: time.Second, Retry: 20 * time.Second})
			}()
			// Stop the server once the session is well under way.
			seat := ts.sessions[c.ID].seats[0]
			for {
				if msgs, _, _ := seat.read(0, 1000); len(msgs) >= 40 {
					break
				}
				select {
				case err := <-done:
					t.Fatalf("the session ended before the restart: %v", err)
				case <-time.After(time.Millisecond):
				}
			}
			ts.stop()
			ts2 := serve(t, db, ts.addr, Config{})
			if ts2.Resumed() != 1 {
				t.Errorf("%d sessions resumed", ts2.Resumed())
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got := ts2.result(t, c.ID)
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
