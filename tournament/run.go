package tournament

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"
)

// Record is the result of one session, flat and fixed-size but for the
// per-seat slices, so that batches of records are reused without garbage.
type Record struct {
	Number     uint64
	Scenario   int
	Assignment uint64
	Repetition int
	Seed       uint64

	Agreed bool
	// Status says whether the deal stands: agreed (no vote needed) or
	// ratified bind; not_ratified is a deal a required vote voided (the
	// utilities are then the reservation values); no_agreement and
	// failed_phase are none.
	Status    session.Status
	End       protocol.EndReason
	WalkedOut int // seat that walked out, or -1
	Round     int
	Time      float64 // normalised time at the end
	Steps     int
	Outcome   uint64 // the agreement's outcome index, when Agreed
	// Pareto and Nash are the distances of the utility vector to the
	// Pareto frontier and the Nash point; NaN when not available. Workers
	// leave them NaN: the store fills them in when it reads the results.
	Pareto, Nash float64
	// Utility and Discounted hold each seat's (reservation value without
	// agreement) utility, undiscounted and discounted.
	Utility, Discounted []float64
	// Failure is why the session failed (status failed: a seat played
	// from outside parley failed), FailedSeat the seat (from 0, the
	// mediator's after the parties'); nil and -1 otherwise. Workers hand
	// them to the Sink in an Outside; the store fills them in when it
	// reads the records.
	Failure    *session.Failure
	FailedSeat int
}

// Welfare is the sum of the seats' undiscounted utilities.
func (r *Record) Welfare() float64 {
	s := 0.0
	for _, u := range r.Utility {
		s += u
	}
	return s
}

// Sink keeps a running tournament's records in a fixed-size binary form
// of its own. Each worker encodes a record as soon as it is played, on its
// own core while the record is in its cache, into a batch of encoded
// records; the one writer goroutine hands the batches to Write and calls
// Commit. Compact bytes rather than records keep the batches small, and
// the writer, which the workers wait on, has less to do. A record is
// recorded once its Commit returns nil.
type Sink interface {
	// RecordSize is the size of one encoded record.
	RecordSize() int
	// RowLength is the number of consecutive sessions the sink keeps
	// together (a row of the store), or 0. Run then hands out chunks, and
	// fills batches, of whole multiples of it, so that rows are full
	// rather than cut where a worker's chunk ends.
	RowLength() int
	// Encode writes r's record into dst, which is RecordSize bytes. It is
	// called from several goroutines at once.
	Encode(dst []byte, r *Record) error
	// Write adds encoded records to the pending transaction: data holds
	// len(nums) records, that of session nums[i] at data[i*RecordSize():],
	// and outside what the sessions with outside seats among them add (in
	// session order), which the sink keeps in the same transaction.
	Write(nums []uint64, data []byte, outside []Outside) error
	// Commit makes everything written so far durable.
	Commit() error
}

// Options tune Run.
type Options struct {
	// Workers is the number of goroutines playing sessions; 0 means
	// runtime.NumCPU().
	Workers int
	// Done holds the sessions already recorded (skipped); may be nil.
	Done Bitset
	// Progress, if set, is called from the writer after every commit with
	// the number of sessions committed by this run.
	Progress func(committed uint64)
	// CommitEvery and CommitRows bound the work a kill can lose: the
	// writer commits when CommitRows records are pending or CommitEvery
	// has passed since the last commit (defaults 200ms and 16384).
	CommitEvery time.Duration
	CommitRows  int
	// BatchSize is the number of records a worker collects before handing
	// them to the writer (default: a full chunk, 4096 sessions or the most
	// whole rows of the sink within them).
	BatchSize int
	// First and End, when End > 0, limit the run to the sessions
	// First ≤ i < End (a shard of a distributed run, tournament/cluster):
	// the rest of the plan is not looked at.
	First, End uint64
}

// Bitset is a set of session numbers.
type Bitset []uint64

// NewBitset returns an empty set for numbers below n.
func NewBitset(n uint64) Bitset { return make(Bitset, (n+63)/64) }

// Set adds i.
func (b Bitset) Set(i uint64) { b[i/64] |= 1 << (i % 64) }

// Has reports whether i is in the set.
func (b Bitset) Has(i uint64) bool {
	return b != nil && i/64 < uint64(len(b)) && b[i/64]&(1<<(i%64)) != 0
}

// Count returns the number of members.
func (b Bitset) Count() uint64 {
	n := 0
	for _, w := range b {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return uint64(n)
}

// Stats is what a run did.
type Stats struct {
	Committed uint64        // sessions recorded by this run
	Steps     uint64        // actions taken in them
	Failed    uint64        // of them, sessions that failed (an outside seat failed)
	Elapsed   time.Duration // wall time of the run
	Workers   int           // goroutines that played sessions
}

// chunk is the most consecutive sessions handed to a worker at once: see
// chunking.
const chunk = 4096

// span is the session numbers lo ≤ i < hi.
type span struct{ lo, hi uint64 }

// chunking sizes the chunks of a run whose sink keeps rows of row
// consecutive sessions (0: no rows).
type chunking struct {
	size uint64 // the full chunk: chunk, or the most whole rows within it
	row  uint64 // 1 without rows
}

func newChunking(row int) chunking {
	c := chunking{size: chunk, row: 1}
	if row > 1 && row <= chunk {
		c.row = uint64(row)
		c.size = chunk / c.row * c.row
	}
	return c
}

// next is the size of the next chunk when left sessions remain: a full
// chunk while there are many, then smaller ones, about an eighth of what
// each worker has left (at least 64), so that the workers finish together
// instead of one playing a whole last chunk while the others wait. A chunk
// of a row or more is whole rows, but for the last one.
func (c chunking) next(left uint64, workers int) uint64 {
	n := min(left, c.size, max(64, left/(8*uint64(workers))))
	if n >= c.row && n < left {
		n = n / c.row * c.row
	}
	return n
}

// Run plays every session of p not in opts.Done and hands the records to
// sink. Memory is bounded: workers take chunks of session numbers from a
// bounded channel and pass fixed-size, reused batches to the one writer
// goroutine, so a tournament of any size holds a constant number of
// records in memory. When ctx is cancelled or a session or the sink
// fails, Run stops the workers (killing the processes of outside seats:
// the sessions they were playing are not recorded), commits what was
// written (unless the sink failed) and returns the error.
//
// A plan with outside seats (Plan.Agents) runs its sessions with them on
// at most agents.concurrency runners at once (default: the workers), with
// as many workers as that if it is more; each such runner starts its
// agents' processes for its first session, keeps them for the line-up's
// following ones, and stops them when the worker moves on.
func Run(ctx context.Context, p *Plan, sink Sink, opts Options) (Stats, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers()
	}
	if opts.CommitEvery <= 0 {
		opts.CommitEvery = 200 * time.Millisecond
	}
	if opts.CommitRows <= 0 {
		opts.CommitRows = 16384
	}
	var agentSlots slots
	if p.Agents() {
		n := p.Spec.Agents.Concurrency
		if n <= 0 {
			n = opts.Workers
		}
		agentSlots = make(slots, n)
		opts.Workers = max(opts.Workers, n)
	}
	locks := newSeatLocks(p.Spec)
	chunks := newChunking(sink.RowLength())
	if opts.BatchSize <= 0 {
		// A batch of a chunk: the writer cuts rows where its run of
		// consecutive sessions ends.
		opts.BatchSize = int(chunks.size)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// A coarse clock the workers read without a system call: it ticks
	// every 50ms, and a worker hands over a partial batch after 4 ticks.
	var tick atomic.Int64
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				tick.Add(1)
			}
		}
	}()

	jobs := make(chan span, 2*opts.Workers)
	// Batches are made on demand, up to maxBatches: normally a few cycle
	// between the workers and the writer, but while the writer waits for
	// the disk (a checkpoint's fsync) the workers go on filling new ones
	// instead of waiting with it.
	pool := newBatchPool(maxBatches*opts.Workers, opts.BatchSize, sink.RecordSize())
	full := make(chan *batch, maxBatches*opts.Workers)

	// Dispatcher: chunks of consecutive numbers, skipping finished chunks.
	end := p.Total
	if opts.End > 0 {
		end = min(opts.End, p.Total)
	}
	go func() {
		defer close(jobs)
		for lo := opts.First; lo < end; {
			hi := lo + chunks.next(end-lo, opts.Workers)
			if agentSlots != nil {
				hi = p.agentChunk(lo, hi)
			}
			if opts.Done == nil || !allDone(opts.Done, lo, hi) {
				select {
				case jobs <- span{lo, hi}:
				case <-ctx.Done():
					return
				}
			}
			lo = hi
		}
	}()

	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(p, sink)
			w.slots, w.locks = agentSlots, locks
			if agentSlots != nil {
				defer context.AfterFunc(ctx, w.interrupt)()
			}
			defer w.closeAgents()
			if err := w.run(ctx, jobs, pool, full, opts, &tick); err != nil {
				cancel(err)
			}
		}()
	}
	go func() { wg.Wait(); close(full) }()

	// The writer: this goroutine.
	wr := writer{sink: sink, pool: pool, every: opts.CommitEvery, rows: uint64(opts.CommitRows), progress: opts.Progress, cancel: cancel}
	st, sinkErr := wr.run(full)
	st.Elapsed, st.Workers = time.Since(start), opts.Workers
	if sinkErr != nil {
		return st, sinkErr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return st, err
	}
	return st, ctx.Err()
}

// agentChunk cuts a chunk [lo, hi) of a plan with outside seats at
// line-ups: a line-up with an outside seat is a chunk of its own (so that
// one worker plays its repetitions with the same processes, while other
// workers play other line-ups), and a chunk of built-in line-ups ends
// where the next outside one begins.
func (p *Plan) agentChunk(lo, hi uint64) uint64 {
	reps := uint64(p.Spec.Repetitions)
	var assign []int
	for i := lo; i < hi; {
		s := p.Session(i)
		end := i + reps - uint64(s.Repetition) // the line-up's last session + 1
		if p.lineUpOutside(s.Scenario, s.Assignment, &assign) {
			if i == lo {
				return end
			}
			return i
		}
		i = end
	}
	return hi
}

// lineUpOutside reports whether a seat of assignment a of scenario k (or
// the mediator) plays from outside parley; assign is scratch space.
func (p *Plan) lineUpOutside(k int, a uint64, assign *[]int) bool {
	if p.Outside(len(p.Spec.Negotiators)) && p.Spec.Mediator != "" {
		return true
	}
	*assign = p.Assignment(k, a, *assign)
	for _, n := range *assign {
		if p.outside[n] {
			return true
		}
	}
	return false
}

func allDone(b Bitset, lo, hi uint64) bool {
	for i := lo; i < hi; i++ {
		if !b.Has(i) {
			return false
		}
	}
	return true
}

// worker plays sessions with runners it keeps per (scenario, assignment).
type worker struct {
	p       *Plan
	runners map[runnerKey]*session.Runner
	last    runnerKey // the key of cur: consecutive sessions share it
	cur     *session.Runner
	assign  []int
	pow     [1 << powBits]powEntry
	// sink encodes rec, the one record the worker plays into, into its
	// batch.
	sink Sink
	rec  Record

	// With outside seats: the runner cur, when it has some, is not kept
	// in runners but closed when the worker moves on; its agents hold one
	// of the slots. out is what its last session adds to the record.
	slots slots
	ctx   context.Context
	out   Outside
	mu    sync.Mutex // guards ag and cancelled against interrupt
	ag    *agents
	// cancelled is set by interrupt: agents opened after it are
	// interrupted at once.
	cancelled bool
	// locks are the negotiators that play one session at a time; give
	// gives back those the current runner holds.
	locks seatLocks
	give  func()
}

type runnerKey struct {
	scenario   int
	assignment uint64
}

func newWorker(p *Plan, sink Sink) *worker {
	w := &worker{p: p, runners: map[runnerKey]*session.Runner{}, sink: sink, ctx: context.Background()}
	w.rec.Utility, w.rec.Discounted = make([]float64, 0, p.MaxSeats), make([]float64, 0, p.MaxSeats)
	return w
}

func (w *worker) runner(s *Session) (*session.Runner, error) {
	k := runnerKey{s.Scenario, s.Assignment}
	if w.cur != nil && k == w.last {
		return w.cur, nil
	}
	w.closeAgents()
	if r, ok := w.runners[k]; ok {
		w.last, w.cur = k, r
		return r, nil
	}
	if len(w.runners) >= 256 {
		clear(w.runners)
	}
	ps := w.p.Scenarios[s.Scenario]
	prep, err := ps.Prepared()
	if err != nil {
		return nil, err
	}
	names := w.negotiators(*s)
	r, err := session.NewRunner(session.Config{Prepared: prep, Protocol: w.p.Spec.Protocol, Mediator: w.p.Spec.Mediator,
		Negotiators: names, Deadline: w.p.deadline, AnticipateRatification: w.p.Spec.AnticipateRatification})
	if err != nil {
		return nil, err
	}
	w.runners[k] = r
	w.last, w.cur = k, r
	return r, nil
}

// openAgents makes the runner of session s, whose line-up has an outside
// seat, the worker's current one, once a slot is free (before waiting for
// one it calls wait: the worker hands over what it has played). False
// when ctx ends first.
func (w *worker) openAgents(ctx context.Context, s *Session, wait func()) (bool, error) {
	w.closeAgents()
	select {
	case w.slots <- struct{}{}:
	default:
		wait()
		if !w.slots.take(ctx) {
			return false, nil
		}
	}
	ag := newAgents(w.p)
	ps := w.p.Scenarios[s.Scenario]
	prep, err := ps.Prepared()
	if err != nil {
		w.slots.give()
		return false, w.fail(*s, err)
	}
	names := w.negotiators(*s)
	assign := slices.Clone(w.assign)
	mediator := len(w.p.Spec.Negotiators)
	negotiator := func(seat int) int {
		if seat < len(assign) {
			return assign[seat]
		}
		return mediator
	}
	// A negotiator that plays one session at a time (a remote: seat) is
	// held by one runner at a time.
	if w.locks != nil {
		wait()
	}
	give, ok := w.locks.take(ctx, append(slices.Clone(assign), mediator))
	if !ok {
		w.slots.give()
		return false, nil
	}
	r, err := session.NewRunner(session.Config{Prepared: prep, Protocol: w.p.Spec.Protocol, Mediator: w.p.Spec.Mediator,
		Negotiators: names, Deadline: w.p.deadline, AnticipateRatification: w.p.Spec.AnticipateRatification,
		Outside: ag.outside(negotiator)})
	if err != nil {
		give()
		w.slots.give()
		return false, w.fail(*s, err)
	}
	w.give = give
	w.mu.Lock()
	w.ag = ag
	cancelled := w.cancelled
	w.mu.Unlock()
	if cancelled {
		ag.interrupt()
	}
	w.last, w.cur = runnerKey{s.Scenario, s.Assignment}, r
	return true, nil
}

// closeAgents closes the current runner if it has outside seats, stopping
// their processes, and gives its slot back.
func (w *worker) closeAgents() {
	if w.slots == nil {
		return
	}
	w.mu.Lock()
	ag := w.ag
	w.ag = nil
	w.mu.Unlock()
	if ag == nil {
		return
	}
	w.cur.Close()
	w.cur = nil
	w.give()
	w.give = nil
	w.slots.give()
}

// interrupt kills the processes of the current runner's outside seats
// (the run was cancelled): the session in play ends, and is not recorded.
func (w *worker) interrupt() {
	w.mu.Lock()
	w.cancelled = true
	ag := w.ag
	w.mu.Unlock()
	if ag != nil {
		ag.interrupt()
	}
}

// needsAgents reports whether s's line-up has an outside seat and its
// runner is not the current one.
func (w *worker) needsAgents(s *Session) bool {
	if w.cur != nil && w.last == (runnerKey{s.Scenario, s.Assignment}) {
		return false
	}
	return w.p.lineUpOutside(s.Scenario, s.Assignment, &w.assign)
}

func (w *worker) run(ctx context.Context, jobs <-chan span, pool *batchPool, full chan<- *batch, opts Options, tick *atomic.Int64) error {
	// The batch being filled lives in locals until it is handed over: the
	// batch structs sit side by side in memory, and a worker writing its
	// own batch's length after every session would contend for the cache
	// line with the worker filling the neighbouring one.
	var (
		b     *batch
		nums  []uint64
		data  []byte
		steps uint64
		since int64
		yield = opts.Workers >= runtime.GOMAXPROCS(0)
		size  = w.sink.RecordSize()
		outs  []Outside
	)
	w.ctx = ctx
	flush := func() {
		if b != nil && len(nums) > 0 {
			b.nums, b.data, b.steps, b.outside = nums, data, steps, outs
			full <- b
			b, nums, data, steps, outs = nil, nil, nil, 0, nil
			// When the workers keep every core busy, the writer would
			// run only when the scheduler next preempts one (up to 10ms
			// later, while more new batches pile up): let it store this
			// one now, on this core.
			if yield {
				runtime.Gosched()
			}
		}
	}
	defer flush()
	for sp := range jobs {
		for c := w.p.cursor(sp.lo); c.s.Number < sp.hi; c.next() {
			i := c.s.Number
			if opts.Done.Has(i) {
				continue
			}
			if w.slots != nil && w.needsAgents(&c.s) {
				if ok, err := w.openAgents(ctx, &c.s, flush); !ok {
					return err
				}
			}
			if b == nil {
				if b = pool.get(ctx); b == nil {
					return nil
				}
				nums, data, outs, since = b.nums[:0], b.data[:0], b.outside[:0], tick.Load()
			}
			if err := w.play(&c.s, &w.rec); err != nil {
				if err == errDropped {
					return nil
				}
				return err
			}
			data = data[:len(data)+size]
			if err := w.sink.Encode(data[len(data)-size:], &w.rec); err != nil {
				data = data[:len(data)-size]
				return err
			}
			nums = append(nums, i)
			steps += uint64(w.rec.Steps)
			agent := w.ag != nil
			if agent {
				outs = append(outs, w.out)
			}
			// A session with agents takes milliseconds, or as long as an
			// agent hangs: hand it over at once, so that what was played
			// is recorded even while the next session waits.
			if n := len(nums); n == cap(nums) || agent || (n%64 == 0 && tick.Load()-since >= 4) {
				flush()
			}
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return nil
}

// play runs session s into rec. The session is read, and the record
// written, field by field where they lie: copying whole structs just
// written by smaller stores stalls the core (a profile showed it).
func (w *worker) play(s *Session, rec *Record) error {
	r, err := w.runner(s)
	if err != nil {
		return w.fail(*s, err)
	}
	if w.ag != nil {
		w.ag.number = s.Number
	}
	o, err := r.Play(s.Seed)
	if err != nil {
		return w.fail(*s, err)
	}
	rec.Failure, rec.FailedSeat = nil, -1
	if w.ag != nil {
		if w.ctx.Err() != nil {
			// Cancelled: its agents may have been killed mid-session.
			return errDropped
		}
		w.ag.played(r, s.Number, &w.out)
		rec.Failure, rec.FailedSeat = w.out.Failure, w.out.FailedSeat
	}
	rec.Number, rec.Scenario, rec.Assignment, rec.Repetition, rec.Seed = s.Number, s.Scenario, s.Assignment, s.Repetition, s.Seed
	rec.Agreed, rec.Status, rec.End, rec.WalkedOut = o.Agreed, r.Status(), o.Reason, o.Seat
	rec.Round, rec.Time, rec.Steps, rec.Outcome = o.Round, o.T, o.Steps, o.Outcome
	rec.Pareto, rec.Nash = math.NaN(), math.NaN()
	rec.Utility, rec.Discounted = rec.Utility[:0], rec.Discounted[:0]
	if !o.Agreed {
		rec.Outcome = 0
	}
	// Payoffs follow the session's status: a deal voted down at home pays
	// reservation values, and delay costs count (session.Runner.Payoff).
	// Seats usually share a discount factor, and sessions end at the same
	// few times: d^t comes from a small cache (exactly the same value).
	lastD, factor := math.NaN(), 1.0
	for seat, u := range r.Prepared().Utilities {
		x, _, _ := r.Payoff(seat)
		if u.Discount != lastD {
			lastD, factor = u.Discount, w.discount(u, o.T)
		}
		rec.Utility = append(rec.Utility, x)
		rec.Discounted = append(rec.Discounted, x*factor)
	}
	// Distances to the Pareto frontier and Nash point are a function of
	// the utilities: the store measures them when the results are read.
	return nil
}

// errDropped is play's answer for a session played while the run was
// cancelled: it is not recorded.
var errDropped = errors.New("session dropped: the run was cancelled")

// discount is u.DiscountFactor(t), remembered per (discount, t) in a small
// direct-mapped cache: math.Pow per session was a tenth of the worker's
// own cost.
func (w *worker) discount(u *utility.Additive, t float64) float64 {
	h := math.Float64bits(t)*0x9e3779b97f4a7c15 ^ math.Float64bits(u.Discount)
	e := &w.pow[h>>(64-powBits)]
	if e.t != t || e.d != u.Discount || !e.ok {
		*e = powEntry{d: u.Discount, t: t, f: u.DiscountFactor(t), ok: true}
	}
	return e.f
}

const powBits = 8

type powEntry struct {
	d, t, f float64
	ok      bool
}

// negotiators names the strategies of session s's seats.
func (w *worker) negotiators(s Session) []string {
	w.assign = w.p.Assignment(s.Scenario, s.Assignment, w.assign)
	names := make([]string, len(w.assign))
	for i, a := range w.assign {
		names[i] = w.p.Spec.Negotiators[a]
	}
	return names
}

func (w *worker) fail(s Session, err error) error {
	ps := w.p.Scenarios[s.Scenario]
	names := w.negotiators(s)
	return fmt.Errorf("session %d (scenario %s, negotiators %s, seed %d): %w", s.Number, ps.Path, strings.Join(names, ", "), s.Seed, err)
}

// DefaultWorkers is the number of workers Run uses when Options.Workers
// is 0: one per CPU.
func DefaultWorkers() int { return runtime.NumCPU() }
