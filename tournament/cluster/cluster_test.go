package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/tournament/store"
)

// Three workers play a tournament's shards through NATS into the
// coordinator's store, which then holds every session once, exactly as a
// local run's; running the coordinator again finds everything recorded.
func TestTournamentEqualsLocal(t *testing.T) {
	lap := laptop(t)
	dir := t.TempDir()
	spec := writeSpec(t, dir, fmt.Sprintf("seed: 4\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\ndeadline: {rounds: 60}\nrepetitions: 200\n", lap))
	want := contents(t, localRun(t, spec, nil), false)
	n := startNATS(t)
	nc := n.connect(t)
	ws := startWorkers(t, nc, 3, WorkerOptions{})
	db := filepath.Join(dir, "cluster.db")
	var progress int
	st, err := coordinate(t, context.Background(), nc, spec, db, nil, Options{ShardSize: 100, Settings: Settings{AckWait: 2 * time.Second},
		Progress: func(*Progress) { progress++ }})
	if err != nil {
		t.Fatalf("%v\n%s", err, ws.log())
	}
	sameContents(t, contents(t, db, false), want)
	if st.Committed != 1800 || st.Duplicates != 0 || len(st.FailedShards) != 0 || progress == 0 {
		t.Errorf("stats %+v, %d progress calls", st, progress)
	}
	var shards, sessions uint64
	for _, w := range st.PerWorker {
		shards += w.Shards
		sessions += w.Sessions
	}
	if len(st.PerWorker) != 3 || sessions != 1800 || shards < 18 {
		t.Errorf("workers %+v", st.PerWorker)
	}
	again, err := coordinate(t, context.Background(), nc, spec, db, nil, Options{})
	if err != nil || again.Committed != 0 {
		t.Errorf("again: %+v, %v", again, err)
	}
	// The same job played again from scratch (a new store at the same
	// path, within JetStream's window of message ids) is played again:
	// its records are not taken for copies of the first run's.
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		os.Remove(f)
	}
	fresh, err := coordinate(t, context.Background(), nc, spec, db, nil, Options{ShardSize: 100})
	if err != nil || fresh.Committed != 1800 {
		t.Fatalf("from scratch: %+v, %v", fresh, err)
	}
	sameContents(t, contents(t, db, false), want)
}

// A worker stopped in the middle of a shard (its context cancelled, as
// on SIGTERM, with part of the shard sent) leaves it to another, which
// plays it again: the copies are dropped, every session is recorded once.
func TestWorkerStoppedMidShard(t *testing.T) {
	lap := laptop(t)
	dir := t.TempDir()
	spec := writeSpec(t, dir, fmt.Sprintf("seed: 5\nscenarios: [%s]\nnegotiators: [boulware, conceder]\ndeadline: {rounds: 40}\nrepetitions: 250\n", lap))
	want := contents(t, localRun(t, spec, nil), false)
	n := startNATS(t)
	nc := n.connect(t)
	SetTestHooks(TestHooks{Delay: 4 * time.Millisecond}) // 1s a shard of 250
	defer SetTestHooks(TestHooks{})
	first := startWorkers(t, nc, 1, WorkerOptions{})
	sent := make(chan struct{})
	var once sync.Once
	go func() {
		// Stop the first worker once the coordinator has recorded part
		// of its first shard (some 200ms into it).
		<-sent
		first.stop()
		SetTestHooks(TestHooks{})
		startWorkers(t, nc, 2, WorkerOptions{})
	}()
	db := filepath.Join(dir, "cluster.db")
	st, err := coordinate(t, context.Background(), nc, spec, db, nil, Options{ShardSize: 250, Settings: Settings{AckWait: time.Second},
		Progress: func(p *Progress) {
			if p.Done > 0 {
				once.Do(func() { close(sent) })
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.log(), "took shard") || strings.Contains(first.log(), "finished shard") {
		t.Errorf("the first worker did not stop mid-shard:\n%s", first.log())
	}
	sameContents(t, contents(t, db, false), want)
	if st.Committed != 1000 || st.Duplicates == 0 {
		t.Errorf("stats %+v: want 1000 sessions and some copies dropped\n%s", st, first.log())
	}
}

// A shard whose session fails on every worker fails after max_deliver
// deliveries, with the worker's error; the rest is recorded as a local
// run records it. Run again (the cause gone), the coordinator plays the
// failed shard and forgets its failure.
func TestShardFailsWithError(t *testing.T) {
	lap := laptop(t)
	dir := t.TempDir()
	spec := writeSpec(t, dir, fmt.Sprintf("seed: 6\nscenarios: [%s]\nnegotiators: [boulware, conceder]\ndeadline: {rounds: 40}\nrepetitions: 250\n", lap))
	want := contents(t, localRun(t, spec, nil), false)
	n := startNATS(t)
	nc := n.connect(t)
	SetTestHooks(TestHooks{FailOn: []uint64{250}})
	ws := startWorkers(t, nc, 2, WorkerOptions{})
	db := filepath.Join(dir, "cluster.db")
	st, err := coordinate(t, context.Background(), nc, spec, db, nil, Options{ShardSize: 100, Settings: Settings{AckWait: time.Second, MaxDeliver: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.FailedShards) != 1 {
		t.Fatalf("failed shards %+v\n%s", st.FailedShards, ws.log())
	}
	f := st.FailedShards[0]
	if f.First > 250 || f.End <= 250 || f.Deliveries != 2 || !strings.Contains(f.Reason, "fails on session 250") {
		t.Errorf("failure %+v", f)
	}
	// Every session is recorded as locally but some of the failed
	// shard's: those after the one that fails in its worker's chunk.
	got := contents(t, db, false)
	k := 0
	for i, l := range want {
		switch {
		case k < len(got) && got[k] == l:
			k++
		case uint64(i) < f.First || uint64(i) >= f.End || i < 250:
			t.Fatalf("session %d: got %q, want %q", i, got[min(k, len(got)-1)], l)
		}
	}
	if k != len(got) || len(got) >= len(want) {
		t.Fatalf("%d of %d sessions recorded", len(got), len(want))
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := s.ShardFailures()
	s.Close()
	if err != nil || len(recorded) != 1 || recorded[0].Reason != f.Reason {
		t.Errorf("the store keeps %+v, %v", recorded, err)
	}
	SetTestHooks(TestHooks{})
	again, err := coordinate(t, context.Background(), nc, spec, db, nil, Options{ShardSize: 100, Settings: Settings{AckWait: time.Second, MaxDeliver: 2}})
	if err != nil || again.Committed != uint64(len(want)-len(got)) || len(again.FailedShards) != 0 {
		t.Fatalf("again: %+v, %v", again, err)
	}
	sameContents(t, contents(t, db, false), want)
	s, _ = store.Open(db)
	defer s.Close()
	if recorded, err := s.ShardFailures(); err != nil || len(recorded) != 0 {
		t.Errorf("the store still keeps %+v, %v", recorded, err)
	}
}

// Language-model seats play on workers as locally: a worker dials them
// through its own Dialer, and the store holds the sessions a local run
// records (answer times aside).
func TestLLMSeatsOnWorkers(t *testing.T) {
	lap := laptop(t)
	t.Setenv("PARLEY_CLUSTER_TEST_KEY", "sk-test")
	srv := llmtest.New(llmtest.Player)
	defer srv.Close()
	pool := &llm.Pool{}
	defer pool.Close()
	kind := pool.Kind()
	dialer := func(spec string) (func() (seat.Conn, error), bool, error) {
		rest, ok := strings.CutPrefix(spec, kind.Prefix)
		if !ok {
			return nil, false, nil
		}
		d, err := kind.Dial(rest)
		return d, true, err
	}
	dir := t.TempDir()
	llmSpec := "llm:model=m:base_url=" + srv.BaseURL() + ":key_env=PARLEY_CLUSTER_TEST_KEY"
	spec := writeSpec(t, dir, fmt.Sprintf("seed: 3\nscenarios: [%s]\nnegotiators: [boulware, %q]\nrepetitions: 2\ndeadline: {rounds: 12}\nagents: {action_timeout: 20s}\n", lap, llmSpec))
	want := contents(t, localRun(t, spec, dialer), false)
	n := startNATS(t)
	nc := n.connect(t)
	startWorkers(t, nc, 2, WorkerOptions{Dialer: dialer})
	db := filepath.Join(dir, "cluster.db")
	st, err := coordinate(t, context.Background(), nc, spec, db, dialer, Options{ShardSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	sameContents(t, contents(t, db, false), want)
	if st.Committed != 8 {
		t.Errorf("stats %+v", st)
	}
	s, _ := store.Open(db)
	defer s.Close()
	if ts, err := s.Times(); err != nil || len(ts) != 1 || ts[0].Actions == 0 {
		t.Errorf("answer times %+v, %v", ts, err)
	}
}
