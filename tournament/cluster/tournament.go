package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/store"
)

// Stats is what a distributed tournament did.
type Stats struct {
	tournament.Stats
	// Duplicates is the number of sessions sent again after they were
	// recorded (dropped): shards played again after a worker stopped.
	Duplicates uint64
	// FailedShards are the shards no worker could play.
	FailedShards []tournament.ShardFailure
	// PerWorker is what each worker did, by ID.
	PerWorker []WorkerStats
}

// DefaultShardSize is the most sessions of a tournament's shard: as many
// as Run's chunks, milliseconds of built-in sessions.
const DefaultShardSize = 4096

// JobOf is the job of a tournament played into the store at path: the
// same for the same spec and store, so that a coordinator started again
// takes up the results sent while it was away.
func JobOf(p *tournament.Plan, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	host, _ := os.Hostname()
	h := sha256.Sum256([]byte(p.Canonical.Hash() + "\x00" + abs + "\x00" + host))
	return "t" + hex.EncodeToString(h[:8])
}

// shardState is one of the run's shards.
type shardState struct {
	tournament.Shard
	left  uint64 // sessions not recorded
	state byte   // waiting, queued, complete or failed
}

const (
	waiting byte = iota
	queued
	complete
	failed
	here // played by the coordinator (Plan.PlayedHere)
)

// HereID is the coordinator's line in a run's per-worker figures: the
// sessions it played itself, those with remote: seats.
const HereID = "coordinator"

// Tournament coordinates the distributed run of the plan into st: it
// queues the shards of the sessions not in done (those already recorded)
// and keeps the results workers send, exactly once, until every session
// is recorded or in a shard that failed. The sessions of line-ups with a
// remote: seat it plays itself meanwhile, as a local run does (their
// agents are connected to this process, and each plays one session at a
// time wherever it runs). source is the spec's text, and specFile its
// file's name. A cancelled ctx stops it, with what was sent recorded;
// running it again goes on.
func Tournament(ctx context.Context, nc *nats.Conn, p *tournament.Plan, source []byte, specFile string, st *store.Store, done tournament.Bitset, opts Options) (Stats, error) {
	start := time.Now()
	var stats Stats
	if opts.Job == "" {
		opts.Job = JobOf(p, st.Path)
	}
	if opts.ShardSize == 0 {
		opts.ShardSize = DefaultShardSize
	}
	c := &coordinator{opts: opts, job: opts.Job}
	layout := st.Layout()
	err := c.start(ctx, nc, func(obs jetstream.ObjectStore) (*manifest, error) {
		m := &manifest{Kind: "tournament", SpecFile: filepath.Base(specFile), Name: p.Canonical.Name, Canonical: p.Canonical.JSON(), Layout: &layout}
		var err error
		if m.Spec, err = putBytes(ctx, obs, source); err != nil {
			return nil, err
		}
		for _, path := range p.ScenarioPaths() {
			sf, err := putScenario(ctx, obs, path)
			if err != nil {
				return nil, fmt.Errorf("scenario %s: %w", path, err)
			}
			m.Scenarios = append(m.Scenarios, sf)
		}
		return m, nil
	})
	if err != nil {
		return stats, err
	}
	if err := st.ClearShardFailures(done); err != nil {
		return stats, err
	}
	var shards []shardState
	var nhere int
	p.Shards(0, opts.ShardSize, st.RowLength(), func(sh tournament.Shard) bool {
		if left := sh.Sessions() - countIn(done, sh.First, sh.End); left > 0 {
			ss := shardState{Shard: sh, left: left}
			if p.PlayedHere(sh) {
				ss.state = here
				nhere++
			}
			shards = append(shards, ss)
		}
		return true
	})
	find := func(i uint64) int { return sort.Search(len(shards), func(k int) bool { return shards[k].End > i }) }
	size := st.RecordSize()
	var (
		next, nqueued, resolved int
		draining                = true
		acks                    []jetstream.Msg
		lastProgress            time.Time
	)
	var total uint64
	for _, s := range shards {
		total += s.left
	}
	resolve := func(k int, to byte) {
		s := &shards[k]
		switch {
		case s.state == to || s.state == complete:
			return
		case s.state == queued:
			nqueued--
			resolved++
		case s.state == waiting || s.state == here:
			resolved++
		}
		s.state = to
	}
	fail := func(f tournament.ShardFailure) error {
		k := find(f.First)
		if k == len(shards) || shards[k].First != f.First || shards[k].state == complete || shards[k].state == failed {
			return nil
		}
		resolve(k, failed)
		c.logf("shard %d-%d failed, taken %d times: %s", f.First, f.End-1, f.Deliveries, oneLine(f.Reason, 400))
		stats.FailedShards = append(stats.FailedShards, f)
		return st.RecordShardFailure(f)
	}
	// keep writes the records of sessions first, first+1, … that w
	// played, dropping those recorded already.
	keep := func(w *WorkerStats, first uint64, data []byte, outside []tournament.Outside) error {
		n := uint64(len(data) / size)
		// The sessions each shard gets, and the failed ones, counted
		// before they are marked done.
		type gain struct {
			k int
			n uint64
		}
		var gains []gain
		for i := first; i < first+n; {
			k := find(i)
			if k == len(shards) {
				break
			}
			lo, hi := max(i, shards[k].First), min(first+n, shards[k].End)
			if lo >= hi {
				i = shards[k].First
				continue
			}
			gains = append(gains, gain{k, hi - lo - countIn(done, lo, hi)})
			i = hi
		}
		var failedNow uint64
		for _, o := range outside {
			if o.Failure != nil && !done.Has(o.Session) {
				failedNow++
			}
		}
		written, steps, err := st.WriteRemote(first, data, outside, done)
		switch {
		case errors.Is(err, store.ErrRejected):
			// Results that fail their checks are dropped, and their
			// shard fails: playing it again would give the same.
			c.logf("worker %s sent results that fail their checks: %v", w.ID, err)
			if k := find(first); k < len(shards) && first >= shards[k].First {
				return fail(tournament.ShardFailure{Shard: shards[k].Shard, Deliveries: 1,
					Reason: fmt.Sprintf("worker %s sent results that fail their checks (is its parley another than the coordinator's, %s?): %v", w.ID, opts.Version, err)})
			}
			return nil
		case err != nil:
			return err // the store failed: stop
		}
		w.Sessions += n
		w.Duplicates += n - written
		stats.Duplicates += n - written
		stats.Committed += written
		stats.Steps += steps
		stats.Failed += failedNow
		for _, g := range gains {
			s := &shards[g.k]
			s.left -= min(g.n, s.left)
			if s.left == 0 {
				if s.state == here {
					w.Shards++ // workers say so in their done notices
				}
				resolve(g.k, complete)
			}
		}
		return nil
	}
	records := func(m jetstream.Msg) error {
		w := c.worker(m)
		first, data, outside, err := decodeRecords(m.Data(), size)
		if err != nil {
			// A message that does not decode names no shard for sure.
			c.logf("worker %s sent results that fail their checks: %v", w.ID, err)
			return nil
		}
		return keep(w, first, data, outside)
	}
	// The sessions played here, by a local run of theirs alone.
	var (
		hereCh    chan hereBatch
		hereDone  chan hereEnd
		hereStats *WorkerStats
		replies   []chan error
	)
	if nhere > 0 {
		skip := make(tournament.Bitset, (p.Total+63)/64)
		for i := range skip {
			skip[i] = ^uint64(0)
		}
		for _, sh := range shards {
			if sh.state == here {
				for i := sh.First; i < sh.End; i++ {
					if !done.Has(i) {
						skip[i/64] &^= 1 << (i % 64)
					}
				}
			}
		}
		enc, err := store.NewEncoder(layout)
		if err != nil {
			return stats, err
		}
		hereCh, hereDone = make(chan hereBatch), make(chan hereEnd, 1)
		hereStats = &WorkerStats{ID: HereID, First: time.Now()}
		c.workers[HereID] = hereStats
		hctx, cancel := context.WithCancel(ctx)
		stop := make(chan struct{})
		sink := &hereSink{enc: enc, out: hereCh, stop: stop}
		go func() {
			st, err := tournament.Run(hctx, p, sink, tournament.Options{Workers: opts.HereWorkers, Done: skip})
			hereDone <- hereEnd{st.Elapsed, err}
		}()
		defer func() {
			// Stopped early (an error): the run here stops too.
			cancel()
			close(stop)
			<-hereDone
		}()
	}
	for resolved < len(shards) {
		if ctx.Err() != nil {
			break
		}
		if !draining {
			for nqueued < c.opts.Window && next < len(shards) {
				if shards[next].state == waiting {
					if err := c.publishShard(ctx, shards[next].Shard); err != nil {
						break
					}
					shards[next].state = queued
					nqueued++
				}
				next++
			}
		}
		wait := 250 * time.Millisecond
		if draining {
			wait = 50 * time.Millisecond
		}
		msgs, batches := c.fetch(256, wait, hereCh)
		if len(msgs) == 0 {
			draining = false
		}
		for _, b := range batches {
			hereStats.Last = time.Now()
			if err := keep(hereStats, b.first, b.data, b.outside); err != nil {
				b.reply <- err
				return stats, err
			}
			replies = append(replies, b.reply)
		}
		for _, m := range msgs {
			var err error
			switch m.Headers().Get(hdrKind) {
			case kindRecords:
				err = records(m)
			default:
				if f, ok := c.note(m); ok {
					err = fail(f)
				}
			}
			if err != nil {
				return stats, err
			}
			acks = append(acks, m)
		}
	events:
		for {
			select {
			case a := <-c.events:
				if f, ok := c.failure(ctx, a); ok {
					if err := fail(f); err != nil {
						return stats, err
					}
				}
			default:
				break events
			}
		}
		if hereCh != nil {
			select {
			case end := <-hereDone:
				// The run here ended: every session it played is
				// recorded (its last batch was answered).
				hereDone <- end // for the deferred wait
				hereCh, hereStats.Busy = nil, end.elapsed
				if end.err != nil && ctx.Err() == nil {
					return stats, fmt.Errorf("the sessions with remote seats, played here: %w", end.err)
				}
				for k := range shards {
					if shards[k].state == here && end.err == nil {
						if err := fail(tournament.ShardFailure{Shard: shards[k].Shard, Deliveries: 1,
							Reason: fmt.Sprintf("played here, %d of its sessions were not recorded", shards[k].left)}); err != nil {
							return stats, err
						}
					}
				}
			default:
			}
		}
		if err := st.Commit(); err != nil {
			return stats, err
		}
		for _, m := range acks {
			m.Ack()
		}
		acks = acks[:0]
		for _, r := range replies {
			r <- nil
		}
		replies = replies[:0]
		if opts.Progress != nil && (len(msgs) > 0 || len(batches) > 0 || time.Since(lastProgress) > time.Second) {
			lastProgress = time.Now()
			opts.Progress(&Progress{Done: stats.Committed, Total: total, Workers: c.stats()})
		}
	}
	if err := st.Commit(); err != nil {
		return stats, err
	}
	stats.Elapsed = time.Since(start)
	if ctx.Err() == nil {
		err := c.tail(func(m jetstream.Msg) error {
			if m.Headers().Get(hdrKind) == kindRecords {
				return records(m) // copies, dropped
			}
			if f, ok := c.note(m); ok {
				return fail(f) // of a shard already complete: ignored
			}
			return nil
		}, st.Commit)
		if err != nil {
			return stats, err
		}
	}
	stats.PerWorker = c.stats()
	stats.Workers = len(stats.PerWorker)
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	if err := st.ClearShardFailures(done); err != nil {
		return stats, err
	}
	// The shards that failed and stayed so (results may come after).
	kept := stats.FailedShards[:0]
	for _, f := range stats.FailedShards {
		if k := find(f.First); shards[k].state == failed {
			kept = append(kept, f)
		}
	}
	stats.FailedShards = kept
	c.finish(context.WithoutCancel(ctx))
	return stats, nil
}

// countIn counts the members of b in lo ≤ i < hi, a word at a time.
func countIn(b tournament.Bitset, lo, hi uint64) uint64 {
	n := uint64(0)
	for i := lo; i < hi; {
		if i%64 == 0 && hi-i >= 64 {
			if w := i / 64; w < uint64(len(b)) {
				n += uint64(bits.OnesCount64(b[w]))
			}
			i += 64
			continue
		}
		if b.Has(i) {
			n++
		}
		i++
	}
	return n
}

// hereBatch is records of consecutive sessions played here, for the
// coordinator's loop to keep as it keeps a worker's; reply hears once
// they are committed (or why not).
type hereBatch struct {
	first   uint64
	data    []byte
	outside []tournament.Outside
	reply   chan error
}

// hereEnd is how the run here ended.
type hereEnd struct {
	elapsed time.Duration
	err     error
}

// hereSink hands the records of the sessions played here to the
// coordinator's loop: Commit returns once the loop has committed them,
// so that what the run here counts as written is in the store.
type hereSink struct {
	enc     *store.Encoder
	out     chan<- hereBatch
	stop    <-chan struct{} // closed when the loop is gone
	nums    []uint64
	data    []byte
	outside []tournament.Outside
}

func (s *hereSink) RecordSize() int { return s.enc.RecordSize() }
func (s *hereSink) RowLength() int  { return s.enc.RowLength() }

func (s *hereSink) Encode(dst []byte, r *tournament.Record) error { return s.enc.Encode(dst, r) }

func (s *hereSink) Write(nums []uint64, data []byte, outside []tournament.Outside) error {
	s.nums = append(s.nums, nums...)
	s.data = append(s.data, data...)
	s.outside = append(s.outside, outside...)
	return nil
}

var errCoordinatorGone = errors.New("the coordinator stopped")

func (s *hereSink) Commit() error {
	size := s.enc.RecordSize()
	nums, data, outside := s.nums, s.data, s.outside
	reply := make(chan error, 1)
	for len(nums) > 0 {
		n := 1
		for n < len(nums) && nums[n] == nums[0]+uint64(n) {
			n++
		}
		k := 0
		for k < len(outside) && outside[k].Session < nums[0]+uint64(n) {
			k++
		}
		select {
		case s.out <- hereBatch{first: nums[0], data: data[:n*size], outside: outside[:k], reply: reply}:
		case <-s.stop:
			return errCoordinatorGone
		}
		select {
		case err := <-reply:
			if err != nil {
				return err
			}
		case <-s.stop:
			return errCoordinatorGone
		}
		nums, data, outside = nums[n:], data[n*size:], outside[k:]
	}
	s.nums, s.data, s.outside = s.nums[:0], s.data[:0], s.outside[:0]
	return nil
}
