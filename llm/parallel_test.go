package llm_test

import (
	"bytes"

	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// TestParallelSessionsReplay: sessions played at once by seats that share
// one pool (its endpoint limits and its cache), as a tournament would,
// replay offline with the same traces.
func TestParallelSessionsReplay(t *testing.T) {
	srv := llmtest.New(llmtest.Player)
	spec := "llm:model=m:concurrency=2:base_url=" + srv.BaseURL()
	path := tempFile(t, "cache.db")
	sc := parse(t, trio)
	const n = 6
	runAll := func(offline bool) [n][]byte {
		cache, err := llm.OpenCache(path)
		if err != nil {
			t.Fatal(err)
		}
		pool := &llm.Pool{Cache: cache, Offline: offline}
		l := &seat.Launcher{Options: seat.Options{ActionTimeout: 20 * time.Second}, Kinds: []seat.Kind{pool.Kind()}}
		defer l.Close()
		var traces [n][]byte
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var b bytes.Buffer
				r, err := session.NewRunner(session.Config{Scenario: sc, Negotiators: []string{spec, spec, "conceder"}, Outside: l.Outside,
					Deadline: protocol.Deadline{Rounds: 8 + i}, Seed: uint64(i), Trace: &b})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := r.Play(uint64(i)); err != nil {
					t.Error(err)
				}
				if f := r.Result().Failure; f != nil {
					t.Errorf("session %d: %v", i, f)
				}
				traces[i] = b.Bytes()
			})
		}
		wg.Wait()
		return traces
	}
	live := runAll(false)
	srv.Close()
	replay := runAll(true)
	for i := range n {
		if len(live[i]) == 0 || !bytes.Equal(live[i], replay[i]) {
			t.Errorf("session %d replayed differently:\n%s\n---\n%s", i, live[i], replay[i])
		}
	}
}
