package llm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock whose sleeps only move it on, recording each.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

const okBody = `{"id":"1","choices":[{"index":0,"message":{"role":"assistant","content":"{}"}}]}`

// TestRetryAfter: transient answers are retried after what Retry-After
// says (seconds or an HTTP date), else after a doubling backoff.
func TestRetryAfter(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		case 2:
			w.Header().Set("Retry-After", clock.Now().Add(90*time.Second).Format(http.TimeFormat))
			w.WriteHeader(503)
		case 3, 4:
			w.WriteHeader(500)
		default:
			w.Write([]byte(okBody))
		}
	}))
	defer srv.Close()
	ep := newEndpoint(srv.URL, 1, 0)
	ep.now, ep.sleep = clock.Now, clock.Sleep
	sp := Spec{Retries: 5, Backoff: time.Second}
	rep, err := ep.post(context.Background(), []byte(`{}`), "", &sp, redactor(""))
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{7 * time.Second, 90 * time.Second, 4 * time.Second, 8 * time.Second}
	if rep.attempts != 5 || len(rep.waits) != len(want) {
		t.Fatalf("attempts %d, waits %v; want 5 and %v", rep.attempts, rep.waits, want)
	}
	for i := range want {
		if rep.waits[i] != want[i] {
			t.Errorf("wait %d is %v, want %v", i, rep.waits[i], want[i])
		}
	}
}

// TestConcurrencyLimit: no more requests are in flight at an endpoint than
// its concurrency allows, however many seats ask at once.
func TestConcurrencyLimit(t *testing.T) {
	var in, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := in.Add(1)
		for {
			m := most.Load()
			if k <= m || most.CompareAndSwap(m, k) {
				break
			}
		}
		// Hold the request until the limit is reached (or a while has
		// passed), so that a limit that lets more through shows.
		for end := time.Now().Add(200 * time.Millisecond); in.Load() < 3 && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(2 * time.Millisecond)
		in.Add(-1)
		w.Write([]byte(okBody))
	}))
	defer srv.Close()
	ep := newEndpoint(srv.URL, 3, 0)
	sp := Spec{}
	var wg sync.WaitGroup
	for range 24 {
		wg.Go(func() {
			if _, err := ep.post(context.Background(), []byte(`{}`), "", &sp, redactor("")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := most.Load(); got != 3 {
		t.Errorf("at most %d requests were in flight, want 3", got)
	}
}

// TestRateLimit: with rpm set, requests start a minute/rpm apart.
func TestRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(okBody)) }))
	defer srv.Close()
	ep := newEndpoint(srv.URL, 1, 30)
	ep.now, ep.sleep = clock.Now, clock.Sleep
	sp := Spec{}
	for range 4 {
		if _, err := ep.post(context.Background(), []byte(`{}`), "", &sp, redactor("")); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{0, 2 * time.Second, 2 * time.Second, 2 * time.Second}
	if len(clock.slept) != len(want) {
		t.Fatalf("slept %v, want %v", clock.slept, want)
	}
	for i := range want {
		if clock.slept[i] != want[i] {
			t.Errorf("slept %v, want %v", clock.slept, want)
			break
		}
	}
}
