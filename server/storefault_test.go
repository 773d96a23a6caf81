package server

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// TestStoreFailureLosesNothing: while the database refuses to store a
// seat's messages, its action is not taken and not counted as held; the
// client sends it again (a long-poll retry of ?n=K, or the messages after
// Parley-Received on a new WebSocket) and, once the database works again,
// the session ends as it would have without the failure.
func TestStoreFailureLosesNothing(t *testing.T) {
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
			g := &gated{at: 5, reached: make(chan struct{}), open: make(chan struct{})}
			done := playGated(ctx, transport, s, g)
			select {
			case err := <-done:
				t.Fatalf("the session ended before the fault: %v", err)
			case <-g.reached:
			}
			other, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.Exec(`ALTER TABLE received RENAME TO received_away`); err != nil {
				t.Fatal(err)
			}
			close(g.open)
			time.Sleep(500 * time.Millisecond) // the action is refused meanwhile
			if _, err := other.Exec(`ALTER TABLE received_away RENAME TO received`); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-ctx.Done():
				t.Fatal("the session did not end: the refused action was lost")
			}
			got := ts.result(t, c.ID)
			if a, b, ok := same(got, want); !ok {
				t.Fatalf("with a store failure\n%s\nwithout\n%s", a, b)
			}
			var n, top int
			if err := other.QueryRow(`SELECT count(*), max(k) FROM received WHERE session = ? AND seat = 0`, c.ID).Scan(&n, &top); err != nil {
				t.Fatal(err)
			}
			if n != top {
				t.Errorf("%d messages stored, numbered up to %d: a gap", n, top)
			}
		})
	}
}
