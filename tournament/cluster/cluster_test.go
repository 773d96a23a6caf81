package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	SetTestHooks(-1, 4*time.Millisecond) // 500 ms a shard of 125
	defer SetTestHooks(-1, 0)
	first := startWorkers(t, nc, 1, WorkerOptions{})
	go func() {
		// Stop the first worker once it has sent part of a shard.
		for !strings.Contains(first.log(), "took shard") {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(350 * time.Millisecond)
		first.stop()
		SetTestHooks(-1, 0)
		startWorkers(t, nc, 2, WorkerOptions{})
	}()
	db := filepath.Join(dir, "cluster.db")
	st, err := coordinate(t, context.Background(), nc, spec, db, nil, Options{ShardSize: 250, Settings: Settings{AckWait: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	sameContents(t, contents(t, db, false), want)
	if st.Committed != 1000 || st.Duplicates == 0 {
		t.Errorf("stats %+v: want 1000 sessions and some copies dropped\n%s", st, first.log())
	}
}
