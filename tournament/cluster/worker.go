package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/store"
)

// WorkerOptions tune Work.
type WorkerOptions struct {
	// ID names the worker in the coordinators' progress and reports;
	// default DefaultWorkerID().
	ID string
	// Concurrency is the number of shards played at once; default the
	// number of CPUs.
	Concurrency int
	// Cache is the folder the jobs' files are kept in (required).
	Cache string
	// AgentDir is the folder cmd: agents run in, where their programs'
	// relative paths start; default the current folder.
	AgentDir string
	// Dialer makes outside seats other than cmd: agents (llm: seats).
	Dialer tournament.Dialer
	// Log, if set, gets a line for each shard taken and finished, and for
	// each error.
	Log io.Writer
	// Version is this parley's, which messages compare with a
	// coordinator's.
	Version string
}

// Work takes shards of every job from NATS and plays them, Concurrency at
// a time, until ctx ends. It waits for a coordinator to create the
// workers' consumer when there is none yet.
func Work(ctx context.Context, nc *nats.Conn, opts WorkerOptions) error {
	if opts.Cache == "" {
		return errors.New("cluster: a worker needs a cache folder")
	}
	if opts.ID == "" {
		opts.ID = DefaultWorkerID()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = runtime.NumCPU()
	}
	if opts.AgentDir == "" {
		opts.AgentDir = "."
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	w := &Worker{js: js, opts: opts, jobs: map[string]*job{}}
	w.gate.cond = sync.NewCond(&w.gate.mu)
	waiting := false
	err = retry(ctx, func() error {
		cons, err := js.Consumer(ctx, StreamShards, WorkersConsumer)
		if err == nil {
			var obs jetstream.ObjectStore
			if obs, err = js.ObjectStore(ctx, Bucket); err == nil {
				w.cons, w.fetch = cons, &fetcher{obs: obs, cache: opts.Cache}
				return nil
			}
		}
		if !waiting {
			waiting = true
			w.logf("waiting for a coordinator to set up NATS (%v)", err)
		}
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	w.logf("worker %s: taking shards, %d at a time", opts.ID, opts.Concurrency)
	var wg sync.WaitGroup
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.slot(ctx)
		}()
	}
	stop := context.AfterFunc(ctx, func() { w.gate.mu.Lock(); w.gate.cond.Broadcast(); w.gate.mu.Unlock() })
	defer stop()
	wg.Wait()
	return nil
}

// Worker is a running Work.
type Worker struct {
	js    jetstream.JetStream
	cons  jetstream.Consumer
	opts  WorkerOptions
	fetch *fetcher
	gate  gate

	mu   sync.Mutex // guards jobs, and loading one
	jobs map[string]*job
	used uint64 // counter for the jobs' last use
}

// gate keeps a shard delivered again alone on its worker: while a slot
// plays one, the others take no new shard, so that a shard that crashes
// workers takes down no other shard with it more than once.
type gate struct {
	mu       sync.Mutex
	cond     *sync.Cond
	isolated int
}

func (g *gate) enter(ctx context.Context) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.isolated > 0 && ctx.Err() == nil {
		g.cond.Wait()
	}
	return ctx.Err() == nil
}

func (g *gate) isolate(on bool) {
	g.mu.Lock()
	if on {
		g.isolated++
	} else {
		g.isolated--
		g.cond.Broadcast()
	}
	g.mu.Unlock()
}

func (w *Worker) logf(format string, args ...any) {
	if w.opts.Log != nil {
		fmt.Fprintf(w.opts.Log, format+"\n", args...)
	}
}

// slot takes shards one at a time until ctx ends.
func (w *Worker) slot(ctx context.Context) {
	for w.gate.enter(ctx) {
		batch, err := w.cons.Fetch(1, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			if ctx.Err() == nil {
				time.Sleep(250 * time.Millisecond) // NATS away: try again
			}
			continue
		}
		for msg := range batch.Messages() {
			w.handle(ctx, msg)
		}
	}
}

// handle plays the shard of msg and answers it: an ack once its results
// are stored, a nak (or, on its last delivery, a term) when it could not
// be played.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	if ctx.Err() != nil {
		msg.Nak() // it came while the worker was stopping: another plays it
		return
	}
	meta, err := msg.Metadata()
	if err != nil {
		msg.Term()
		return
	}
	delivery := int(meta.NumDelivered)
	if delivery > 1 {
		w.gate.isolate(true)
		defer w.gate.isolate(false)
	}
	jobID, mf := msg.Headers().Get(hdrJob), msg.Headers().Get(hdrManifest)
	var sh tournament.Shard
	if err := json.Unmarshal(msg.Data(), &sh); err != nil || sh.End <= sh.First || jobID == "" {
		msg.TermWithReason("parley: not a shard")
		return
	}
	info := w.cons.CachedInfo()
	ackWait, maxDeliver := info.Config.AckWait, info.Config.MaxDeliver
	stop := heartbeat(msg, ackWait)
	defer stop()
	res, run := subjectResults+jobID, msg.Headers().Get(hdrRun)
	nctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })()
	w.noticeAsync(res, run, kindTook, notice{First: sh.First, End: sh.End, Delivery: delivery})
	w.logf("took shard %d-%d of job %s (delivery %d)", sh.First, sh.End-1, jobID, delivery)
	start := time.Now()
	j, err := w.job(ctx, mf)
	var played uint64
	if err == nil {
		played, err = j.play(ctx, w, jobID, run, sh)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopping: another worker plays it (what was played is sent).
		msg.Nak()
	case err != nil:
		w.logf("shard %d-%d of job %s: %v", sh.First, sh.End-1, jobID, err)
		n := notice{First: sh.First, End: sh.End, Delivery: delivery, Error: err.Error()}
		w.notice(nctx, res, run, kindError, n)
		if maxDeliver > 0 && delivery >= maxDeliver {
			w.notice(nctx, res, run, kindFailed, n)
			msg.TermWithReason("parley: " + oneLine(err.Error(), 200))
		} else {
			msg.NakWithDelay(time.Duration(delivery) * time.Second)
		}
	default:
		took := time.Since(start)
		w.logf("finished shard %d-%d of job %s: %d sessions in %.3gs", sh.First, sh.End-1, jobID, played, took.Seconds())
		// Its results are stored: acknowledge it (were the ack lost, the
		// shard would be played again, and its results dropped as copies),
		// and say so without waiting.
		msg.Ack()
		w.noticeAsync(res, run, kindDone, notice{First: sh.First, End: sh.End, Delivery: delivery, Elapsed: took, Sessions: played})
	}
}

// heartbeat tells JetStream every third of the ack wait that msg is still
// being played, until stop is called.
func heartbeat(msg jetstream.Msg, ackWait time.Duration) (stop func()) {
	every := max(ackWait/3, 100*time.Millisecond)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				msg.InProgress()
			}
		}
	}()
	return func() { close(done) }
}

// notice sends a notice to the job's coordinator.
func (w *Worker) notice(ctx context.Context, subject, run, kind string, n notice) {
	data, _ := json.Marshal(n)
	m := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	m.Header.Set(hdrKind, kind)
	m.Header.Set(hdrRun, run)
	m.Header.Set(hdrWorker, w.opts.ID)
	w.publish(ctx, m)
}

// noticeAsync sends a notice without waiting for JetStream to store it:
// took and done notices only feed the coordinator's figures and reasons.
func (w *Worker) noticeAsync(subject, run, kind string, n notice) {
	data, _ := json.Marshal(n)
	m := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	m.Header.Set(hdrKind, kind)
	m.Header.Set(hdrRun, run)
	m.Header.Set(hdrWorker, w.opts.ID)
	w.js.PublishMsgAsync(m)
}

// publish stores m in its stream, trying again while NATS is away, until
// ctx ends.
func (w *Worker) publish(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) error {
	return retry(ctx, func() error {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := w.js.PublishMsg(pctx, m, opts...)
		return err
	})
}

// job is a job a worker has loaded: a tournament's plan and its store's
// encoder, or a sweep's scenario file and options.
type job struct {
	m    *manifest
	used uint64

	plan *tournament.Plan
	enc  *store.Encoder

	file  *scenario.File
	sweep analysis.SensitivityOptions
}

// maxJobs bounds the jobs a worker keeps loaded (a plan holds its
// scenarios' indexes).
const maxJobs = 2

// job returns the job of manifest sum, loading it the first time.
func (w *Worker) job(ctx context.Context, sum string) (*job, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.used++
	if j, ok := w.jobs[sum]; ok {
		j.used = w.used
		return j, nil
	}
	m, err := w.fetch.manifest(ctx, sum)
	if err != nil {
		return nil, err
	}
	j := &job{m: m, used: w.used}
	switch m.Kind {
	case "tournament":
		err = w.loadTournament(ctx, sum, j)
	case "sweep":
		err = w.loadSweep(ctx, j)
	default:
		err = fmt.Errorf("job %s is a %q, which this parley does not know (the coordinator's is %s)", m.Job, m.Kind, m.Version)
	}
	if err != nil {
		return nil, err
	}
	if len(w.jobs) >= maxJobs {
		var oldest string
		for k, o := range w.jobs {
			if oldest == "" || o.used < w.jobs[oldest].used {
				oldest = k
			}
		}
		delete(w.jobs, oldest)
	}
	w.jobs[sum] = j
	return j, nil
}

// loadTournament lays out the job's scenario files and makes its plan,
// which must be the coordinator's.
func (w *Worker) loadTournament(ctx context.Context, sum string, j *job) error {
	m := j.m
	if m.Layout == nil {
		return errors.New("the job's manifest gives no record layout")
	}
	source, err := w.fetch.bytes(ctx, m.Spec)
	if err != nil {
		return err
	}
	spec, err := tournament.ParseSpecWith(source, m.SpecFile, knowRemote(w.opts.Dialer))
	if err != nil {
		return err
	}
	paths, err := w.fetch.scenarios(ctx, m, filepath.Join(w.opts.Cache, "jobs", sum))
	if err != nil {
		return err
	}
	plan, err := tournament.NewPlan(spec.Placed(m.Name, paths, w.opts.AgentDir))
	if err != nil {
		return err
	}
	var want tournament.Canonical
	if err := json.Unmarshal(m.Canonical, &want); err != nil {
		return fmt.Errorf("the job's canonical spec: %w", err)
	}
	if d := want.Diff(plan.Canonical); len(d) > 0 {
		return fmt.Errorf("this worker's plan of tournament %s differs from its coordinator's (parley %s here, %s there):\n  %s",
			m.Name, w.opts.Version, m.Version, joinLines(d))
	}
	if j.enc, err = store.NewEncoder(*m.Layout); err != nil {
		return err
	}
	j.plan = plan
	return nil
}

// knowRemote is d knowing remote: seats as well, so that a worker makes
// the coordinator's plan of a spec with some; the coordinator plays their
// sessions (Plan.PlayedHere), and a worker never dials them.
func knowRemote(d tournament.Dialer) tournament.Dialer {
	return func(spec string) (func() (seat.Conn, error), bool, error) {
		if _, ok, err := seat.RemoteName(spec); ok {
			return func() (seat.Conn, error) {
				return nil, errors.New("remote: seats are played by the coordinator, not by workers")
			}, true, err
		}
		if d == nil {
			return nil, false, nil
		}
		return d(spec)
	}
}

// play plays shard sh of the job and sends its results; it returns the
// number of sessions played.
func (j *job) play(ctx context.Context, w *Worker, id, run string, sh tournament.Shard) (uint64, error) {
	if j.sweep.Samples > 0 {
		return j.playSweep(ctx, w, id, run, sh)
	}
	if sh.End > j.plan.Total {
		return 0, fmt.Errorf("shard %d-%d lies outside the tournament's %d sessions", sh.First, sh.End-1, j.plan.Total)
	}
	if j.plan.PlayedHere(sh) {
		return 0, fmt.Errorf("shard %d-%d has remote: seats, whose agents are connected to the coordinator, which plays it", sh.First, sh.End-1)
	}
	// What is played is sent even when the worker is told to stop, for
	// a few seconds.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })()
	sink := &shardSink{ctx: sctx, w: w, job: id, run: run, enc: j.enc}
	st, err := tournament.Run(ctx, j.plan, sink, tournament.Options{Workers: 1, First: sh.First, End: sh.End})
	if err == nil && st.Committed != sh.Sessions() {
		err = fmt.Errorf("played %d of the shard's %d sessions", st.Committed, sh.Sessions())
	}
	return st.Committed, err
}

// stopGrace is how long a worker told to stop goes on sending what it
// played.
const stopGrace = 5 * time.Second

// shardSink sends a shard's records to the coordinator: Write keeps them,
// Commit publishes them, in messages of consecutive sessions, and returns
// once JetStream has stored every one.
type shardSink struct {
	ctx     context.Context
	w       *Worker
	job     string
	run     string // the coordinator's run that queued the shard
	enc     *store.Encoder
	nums    []uint64
	data    []byte
	outside []tournament.Outside
}

func (s *shardSink) RecordSize() int { return s.enc.RecordSize() }
func (s *shardSink) RowLength() int  { return s.enc.RowLength() }

func (s *shardSink) Encode(dst []byte, r *tournament.Record) error {
	if err := testHooks.session(r.Number); err != nil {
		return err
	}
	return s.enc.Encode(dst, r)
}

func (s *shardSink) Write(nums []uint64, data []byte, outside []tournament.Outside) error {
	s.nums = append(s.nums, nums...)
	s.data = append(s.data, data...)
	s.outside = append(s.outside, outside...)
	return nil
}

func (s *shardSink) Commit() error {
	size := s.enc.RecordSize()
	most := max(1, maxRecordsBytes/size)
	nums, data, outside := s.nums, s.data, s.outside
	for len(nums) > 0 {
		n := 1
		for n < len(nums) && n < most && nums[n] == nums[0]+uint64(n) {
			n++
		}
		k := 0
		for k < len(outside) && outside[k].Session < nums[0]+uint64(n) {
			k++
		}
		body, err := encodeRecords(nums[0], data[:n*size], size, outside[:k])
		if err != nil {
			return err
		}
		m := &nats.Msg{Subject: subjectResults + s.job, Data: body, Header: nats.Header{}}
		m.Header.Set(hdrKind, kindRecords)
		m.Header.Set(hdrWorker, s.w.opts.ID)
		// The same records of the same run of the job are stored once
		// (JetStream drops the copies it has the id of): a worker trying
		// again, or one playing a shard again.
		id := "r." + s.job + "." + s.run + "." + strconv.FormatUint(nums[0], 10) + "." + strconv.Itoa(n)
		if err := s.w.publish(s.ctx, m, jetstream.WithMsgID(id)); err != nil {
			return err
		}
		if testHooks.stall.Load() {
			s.w.logf("test hook: stalling after sending sessions %d-%d", nums[0], nums[0]+uint64(n)-1)
			<-s.ctx.Done()
			return s.ctx.Err()
		}
		nums, data, outside = nums[n:], data[n*size:], outside[k:]
	}
	s.nums, s.data, s.outside = s.nums[:0], s.data[:0], s.outside[:0]
	return nil
}

// testHooks let tests make a worker misbehave: panic on a session (a
// poisoned shard), fail on one, play slowly, or stall once it has sent
// part of a shard (so that it can be killed mid-shard).
var testHooks hooks

type hooks struct {
	panicAt, failAt atomic.Uint64 // session + 1; 0 for none
	delay           atomic.Int64  // per session, ns
	stall           atomic.Bool
}

func (h *hooks) session(n uint64) error {
	if d := h.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	if p := h.panicAt.Load(); p > 0 && n == p-1 {
		panic(fmt.Sprintf("parley test hook: a worker panics on session %d", n))
	}
	if p := h.failAt.Load(); p > 0 && n == p-1 {
		return fmt.Errorf("parley test hook: a worker fails on session %d", n)
	}
	return nil
}

// TestHooks make workers misbehave, for tests of failures only: panic
// when they play a session of PanicOn, fail with an error when they play
// one of FailOn (the first of each is used), sleep Delay before recording
// each session, and with StallAfterSend stop playing a shard, until they
// are stopped, once JetStream has stored its first records (they log
// "test hook: stalling").
type TestHooks struct {
	PanicOn, FailOn []uint64
	Delay           time.Duration
	StallAfterSend  bool
}

// SetTestHooks sets the hooks of the workers of this process.
func SetTestHooks(h TestHooks) {
	first := func(s []uint64) uint64 {
		if len(s) == 0 {
			return 0
		}
		return s[0] + 1
	}
	testHooks.panicAt.Store(first(h.PanicOn))
	testHooks.failAt.Store(first(h.FailOn))
	testHooks.delay.Store(int64(h.Delay))
	testHooks.stall.Store(h.StallAfterSend)
}

func joinLines(d []string) string {
	out := ""
	for i, l := range d {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}

// oneLine is s on one line of at most n bytes.
func oneLine(s string, n int) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}
