package server

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// timing is a link that measures each action: from the action written to
// the next message read (the session's answer).
type timing struct {
	link
	sent time.Time
	lat  *[]time.Duration
}

func (l *timing) Write(m []byte) error {
	l.sent = time.Now()
	return l.link.Write(m)
}

func (l *timing) Read() ([]byte, error) {
	m, err := l.link.Read()
	if !l.sent.IsZero() {
		*l.lat = append(*l.lat, time.Since(l.sent))
		l.sent = time.Time{}
	}
	return m, err
}

// quantile of sorted durations.
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

// TestLoad: 1,000 seats on loopback, each a WebSocket held by this one
// client process, play their sessions at once; every session ends as it
// would in-process, and the server keeps serving meanwhile (a session
// played over long-poll during the load ends as it should). The figures
// are measured and logged, not asserted (-short: 100 seats).
func TestLoad(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	text := laptop(t)
	want, err := session.Run(session.Config{Scenario: parsed(t, text), Negotiators: []string{"conceder", "boulware"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		t.Fatal(err)
	}
	ts := serve(t, newDB(t), "", Config{})
	start := time.Now()
	created := make([]*Created, n)
	for i := range created {
		created[i] = ts.create(t, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 20}})
	}
	tCreate := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	links := make([]*WebSocketLink, n)
	start = time.Now()
	for i, c := range created {
		if links[i], err = DialWebSocket(ctx, c.Seats[0].WS); err != nil {
			t.Fatalf("seat %d: %v", i, err)
		}
		defer links[i].Close()
	}
	tConnect := time.Since(start)
	var wg sync.WaitGroup
	var failed atomic.Int32
	lats := make([][]time.Duration, n)
	start = time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := play("conceder", &timing{link: links[i], lat: &lats[i]}); err != nil {
				failed.Add(1)
				t.Errorf("seat %d: %v", i, err)
			}
		}()
	}
	// The server serves others meanwhile.
	side := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 20}})
	if err := play("conceder", &PollLink{Messages: side.Seats[0].Messages, Action: side.Seats[0].Action, Wait: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := ts.result(t, side.ID); !sameOK(got, want) {
		t.Errorf("the session played during the load: %s %+v", got.Status, got.Failure)
	}
	wg.Wait()
	tPlay := time.Since(start)
	if failed.Load() > 0 {
		t.Fatalf("%d seats failed", failed.Load())
	}
	for i, c := range created {
		if got := ts.result(t, c.ID); !sameOK(got, want) {
			t.Fatalf("session %d: %s %+v", i, got.Status, got.Failure)
		}
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	slices.Sort(all)
	t.Logf("%d seats: created in %v, connected in %v, played %d actions in %v (%.0f actions/s); per action p50 %v, p99 %v, max %v",
		n, tCreate.Round(time.Millisecond), tConnect.Round(time.Millisecond), len(all), tPlay.Round(time.Millisecond),
		float64(len(all))/tPlay.Seconds(), quantile(all, 0.5), quantile(all, 0.99), all[len(all)-1])
}
