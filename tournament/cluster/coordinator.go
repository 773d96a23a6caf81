package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/tournament"
)

// Options tune a coordinator.
type Options struct {
	Settings
	// Job names the job in NATS (subjects and consumers); default: from
	// the tournament and its store, so that a restarted coordinator finds
	// the results sent while it was away; a new one for each sweep.
	Job string
	// ShardSize is the most sessions (or samples) of a shard.
	ShardSize uint64
	// Window bounds the shards queued at once (default 1024): the rest
	// are queued as these finish.
	Window int
	// HereWorkers is the number of goroutines a tournament's coordinator
	// plays the sessions with remote: seats on (0: as a local run).
	HereWorkers int
	// Progress, if set, is called after each commit with the run so far.
	Progress func(*Progress)
	// Log, if set, gets a line for each worker's error and failed shard.
	Log io.Writer
	// Version is this parley's, which workers are told.
	Version string
}

// Progress is a distributed run so far: what is recorded and what each
// worker did.
type Progress struct {
	Done, Total uint64 // sessions (or samples) recorded by this run, and to do
	Workers     []WorkerStats
}

// WorkerStats is what one worker did in a run, as its messages told the
// coordinator.
type WorkerStats struct {
	ID string `json:"id"`
	// Shards is the number of shards it finished, Sessions the sessions
	// (or samples) it sent, Duplicates how many of them were recorded
	// already (a shard played again after its worker stopped).
	Shards     uint64 `json:"shards"`
	Sessions   uint64 `json:"sessions"`
	Duplicates uint64 `json:"duplicates"`
	// Busy is the time it spent playing the shards it finished; First
	// and Last when its first and latest message came.
	Busy        time.Duration `json:"busy_ns"`
	First, Last time.Time     `json:"-"`
}

// Rate is the worker's throughput: sessions (or samples) sent per second
// between its first and latest message (0 before there are two).
func (w *WorkerStats) Rate() float64 {
	if d := w.Last.Sub(w.First).Seconds(); d > 0 {
		return float64(w.Sessions) / d
	}
	return 0
}

// coordinator is the NATS side of a job: its shards out, its results in.
type coordinator struct {
	js      jetstream.JetStream
	opts    Options
	job     string
	mf      string // the manifest's SHA-256
	shards  jetstream.Stream
	results jetstream.Consumer
	events  chan advisory
	in      chan jetstream.Msg // results, as they come
	nonce   string             // makes this run's shard ids its own

	workers   map[string]*WorkerStats
	lastTaker map[uint64]string // by shard's first session
	lastError map[uint64]string
}

// advisory is JetStream's word that a shard reached max_deliver.
type advisory struct {
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries int    `json:"deliveries"`
}

// start sets NATS up for the job: the streams and the workers' consumer,
// the manifest, the job's results consumer and its advisories, and an
// empty queue (shards a coordinator of the same job queued before it
// stopped are dropped: they are queued again).
func (c *coordinator) start(ctx context.Context, nc *nats.Conn, put func(jetstream.ObjectStore) (*manifest, error)) error {
	c.opts.Settings = c.opts.Settings.withDefaults()
	if c.opts.Window <= 0 {
		c.opts.Window = 1024
	}
	var err error
	if c.js, err = jetstream.New(nc); err != nil {
		return err
	}
	if err := setup(ctx, c.js, c.opts.Settings); err != nil {
		return err
	}
	obs, err := c.js.ObjectStore(ctx, Bucket)
	if err != nil {
		return err
	}
	m, err := put(obs)
	if err != nil {
		return err
	}
	m.Job, m.Version = c.job, c.opts.Version
	if c.mf, err = putManifest(ctx, obs, m); err != nil {
		return err
	}
	if c.shards, err = c.js.Stream(ctx, StreamShards); err != nil {
		return err
	}
	if err := c.shards.Purge(ctx, jetstream.WithPurgeSubject(subjectShards+c.job)); err != nil {
		return fmt.Errorf("NATS: emptying the queue of job %s: %w", c.job, err)
	}
	c.results, err = c.js.CreateOrUpdateConsumer(ctx, StreamResults, jetstream.ConsumerConfig{
		Durable: "collect-" + c.job, Description: "parley coordinator of job " + c.job,
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: 2 * time.Minute, MaxDeliver: -1, MaxAckPending: 10_000,
		FilterSubject: subjectResults + c.job, Replicas: c.opts.Replicas,
		// A coordinator killed and never started again leaves no
		// consumer behind for good; its results stay in the stream
		// (until they expire) for one started later.
		InactiveThreshold: 24 * time.Hour,
	})
	if err != nil {
		return fmt.Errorf("NATS: the results consumer of job %s: %w", c.job, err)
	}
	ev, err := c.js.OrderedConsumer(ctx, StreamEvents, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		return fmt.Errorf("NATS: the advisories of stream %s: %w", StreamEvents, err)
	}
	c.events = make(chan advisory, 64)
	it, err := ev.Messages()
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		it.Stop()
	}()
	go func() {
		for {
			m, err := it.Next()
			if err != nil {
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				continue
			}
			var a advisory
			if json.Unmarshal(m.Data(), &a) == nil && a.StreamSeq > 0 {
				select {
				case c.events <- a:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	if err := c.receive(ctx); err != nil {
		return err
	}
	var b [6]byte
	rand.Read(b[:])
	c.nonce = hex.EncodeToString(b[:])
	c.workers, c.lastTaker, c.lastError = map[string]*WorkerStats{}, map[uint64]string{}, map[uint64]string{}
	return nil
}

// publishShard queues a shard, trying again while NATS is away.
func (c *coordinator) publishShard(ctx context.Context, sh tournament.Shard) error {
	data, _ := json.Marshal(sh)
	m := &nats.Msg{Subject: subjectShards + c.job, Data: data, Header: nats.Header{}}
	m.Header.Set(hdrJob, c.job)
	m.Header.Set(hdrManifest, c.mf)
	m.Header.Set(hdrRun, c.nonce)
	id := "s." + c.job + "." + c.nonce + "." + strconv.FormatUint(sh.First, 10)
	return retry(ctx, func() error {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := c.js.PublishMsg(pctx, m, jetstream.WithMsgID(id))
		return err
	})
}

// fetch takes up to n results, and the batches played here that come on
// here (nil for none), waiting up to wait for the first of either.
func (c *coordinator) fetch(n int, wait time.Duration, here <-chan hereBatch) ([]jetstream.Msg, []hereBatch) {
	var out []jetstream.Msg
	var batches []hereBatch
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case m := <-c.in:
		out = append(out, m)
	case b := <-here:
		batches = append(batches, b)
	case <-timer.C:
		return nil, nil
	}
	for len(out) < n {
		select {
		case m := <-c.in:
			out = append(out, m)
		case b := <-here:
			batches = append(batches, b)
		default:
			return out, batches
		}
	}
	return out, batches
}

// tail takes what comes after the job's last result, for a moment: the
// workers' last done notices, which give the figures per worker. handle
// handles each message before it is acknowledged; after commits them.
func (c *coordinator) tail(handle func(jetstream.Msg) error, after func() error) error {
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		msgs, _ := c.fetch(256, 100*time.Millisecond, nil)
		if len(msgs) == 0 {
			return nil
		}
		for _, m := range msgs {
			if err := handle(m); err != nil {
				return err
			}
		}
		if err := after(); err != nil {
			return err
		}
		for _, m := range msgs {
			m.Ack()
		}
	}
	return nil
}

// receive passes the job's results to fetch as they come, until ctx
// ends; the iterator pulls again after NATS comes back.
func (c *coordinator) receive(ctx context.Context) error {
	it, err := c.results.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return fmt.Errorf("NATS: receiving the results of job %s: %w", c.job, err)
	}
	c.in = make(chan jetstream.Msg, 1024)
	go func() {
		<-ctx.Done()
		it.Stop()
	}()
	go func() {
		for {
			m, err := it.Next()
			if err != nil {
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				time.Sleep(50 * time.Millisecond)
				continue
			}
			select {
			case c.in <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return nil
}

// worker is the stats of the worker that sent m, updated to now.
func (c *coordinator) worker(m jetstream.Msg) *WorkerStats {
	id := m.Headers().Get(hdrWorker)
	if id == "" {
		id = "?"
	}
	w := c.workers[id]
	now := time.Now()
	if meta, err := m.Metadata(); err == nil {
		now = meta.Timestamp // when it was sent, not when it is read
	}
	if w == nil {
		w = &WorkerStats{ID: id, First: now}
		c.workers[id] = w
	}
	if now.After(w.Last) {
		w.Last = now
	}
	if now.Before(w.First) {
		w.First = now
	}
	return w
}

// note handles a notice (took, done, error); it returns the failure a
// failed notice reports, if m is one.
func (c *coordinator) note(m jetstream.Msg) (tournament.ShardFailure, bool) {
	w := c.worker(m)
	var n notice
	if err := json.Unmarshal(m.Data(), &n); err != nil {
		return tournament.ShardFailure{}, false
	}
	sh := tournament.Shard{First: n.First, End: n.End}
	switch m.Headers().Get(hdrKind) {
	case kindTook:
		c.lastTaker[n.First] = w.ID
	case kindDone:
		w.Shards++
		w.Busy += n.Elapsed
	case kindError, kindFailed:
		if m.Headers().Get(hdrRun) != c.nonce {
			break // of a shard queued by an earlier run of the job
		}
		if m.Headers().Get(hdrKind) == kindFailed {
			return tournament.ShardFailure{Shard: sh, Deliveries: n.Delivery,
				Reason: fmt.Sprintf("worker %s, on its last delivery: %s", w.ID, n.Error)}, true
		}
		c.lastError[n.First] = fmt.Sprintf("worker %s (delivery %d): %s", w.ID, n.Delivery, n.Error)
		c.logf("shard %d-%d: worker %s (delivery %d): %s", n.First, n.End-1, w.ID, n.Delivery, oneLine(n.Error, 400))
	}
	return tournament.ShardFailure{}, false
}

// failure resolves an advisory into the failure of one of the job's
// shards (false for another job's, or one already gone), and removes the
// shard from the queue.
func (c *coordinator) failure(ctx context.Context, a advisory) (tournament.ShardFailure, bool) {
	raw, err := c.shards.GetMsg(ctx, a.StreamSeq)
	if err != nil || raw.Subject != subjectShards+c.job || raw.Header.Get(hdrManifest) != c.mf {
		return tournament.ShardFailure{}, false
	}
	var sh tournament.Shard
	if json.Unmarshal(raw.Data, &sh) != nil {
		return tournament.ShardFailure{}, false
	}
	c.shards.DeleteMsg(ctx, a.StreamSeq)
	why := c.lastError[sh.First]
	if why == "" {
		why = fmt.Sprintf("each worker that took it stopped before finishing it (it crashed, was killed, or lost NATS for longer than the ack wait, %s)", c.opts.AckWait)
		if t := c.lastTaker[sh.First]; t != "" {
			why += "; the last was " + t + ": see its log"
		}
	} else {
		why = "last error: " + why
	}
	return tournament.ShardFailure{Shard: sh, Deliveries: a.Deliveries, Reason: why}, true
}

// finish removes the job from NATS: its results consumer, what is left
// of its queue (shards that failed) and of its results (notices that
// came late, copies).
func (c *coordinator) finish(ctx context.Context) {
	c.js.DeleteConsumer(ctx, StreamResults, "collect-"+c.job)
	c.shards.Purge(ctx, jetstream.WithPurgeSubject(subjectShards+c.job))
	if rs, err := c.js.Stream(ctx, StreamResults); err == nil {
		rs.Purge(ctx, jetstream.WithPurgeSubject(subjectResults+c.job))
	}
}

// stats lists the workers, by ID.
func (c *coordinator) stats() []WorkerStats {
	out := make([]WorkerStats, 0, len(c.workers))
	for _, w := range c.workers {
		out = append(out, *w)
	}
	slices.SortFunc(out, func(a, b WorkerStats) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (c *coordinator) logf(format string, args ...any) {
	if c.opts.Log != nil {
		fmt.Fprintf(c.opts.Log, format+"\n", args...)
	}
}
