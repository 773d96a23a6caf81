package tournament

import (
	"context"
	"sync"
	"time"
)

// batch is what a worker hands the writer: the numbers of the sessions it
// played and their records, encoded by the sink.
type batch struct {
	nums    []uint64
	data    []byte
	steps   uint64
	outside []Outside // what its sessions with outside seats add
}

// reset empties the batch for reuse.
func (b *batch) reset() {
	clear(b.outside)
	b.nums, b.data, b.steps, b.outside = b.nums[:0], b.data[:0], 0, b.outside[:0]
}

// maxBatches bounds the batches per worker: with batches of 3918 Laptop
// sessions (49 bytes each, and 8 for the session number), 16 per worker
// hold about 3.6 MB.
const maxBatches = 16

// batchPool hands out batches: a returned one if any, else a new one while
// fewer than max exist, else the next one returned.
type batchPool struct {
	free       chan *batch
	made, max  int
	size       int // sessions per batch
	recordSize int
	mu         sync.Mutex
}

func newBatchPool(max, size, recordSize int) *batchPool {
	return &batchPool{free: make(chan *batch, max), max: max, size: size, recordSize: recordSize}
}

func (p *batchPool) get(ctx context.Context) *batch {
	select {
	case b := <-p.free:
		return b
	default:
	}
	p.mu.Lock()
	if p.made < p.max {
		p.made++
		p.mu.Unlock()
		return &batch{nums: make([]uint64, 0, p.size), data: make([]byte, 0, p.size*p.recordSize)}
	}
	p.mu.Unlock()
	select {
	case b := <-p.free:
		return b
	case <-ctx.Done():
		return nil
	}
}

// put returns a batch the writer is done with.
func (p *batchPool) put(b *batch) {
	b.reset()
	p.free <- b
}

// writer is the one goroutine that stores the workers' batches: it hands
// each to the sink and commits when rows records are pending or every has
// passed since the last commit, so that a kill loses little, and at the
// end. After the sink's first error it writes nothing more, cancels the
// run and drains the batches still coming.
type writer struct {
	sink     Sink
	pool     *batchPool
	every    time.Duration
	rows     uint64
	progress func(committed uint64) // after every commit, if set
	cancel   context.CancelCauseFunc

	stats                  Stats
	pending, steps, failed uint64 // written since the last commit
	last                   time.Time
	err                    error
}

// run stores every batch received on full until it is closed, then
// commits what is pending. It returns what was committed and the sink's
// error, if any.
//
// A commit that falls due while no batch comes (the workers are all in
// long sessions with outside seats) is made when it falls due, so that
// what was played does not wait for them.
func (w *writer) run(full <-chan *batch) (Stats, error) {
	w.last = time.Now()
	due := time.NewTimer(time.Hour)
	defer due.Stop()
	for {
		var wait <-chan time.Time
		if w.pending > 0 && w.err == nil {
			due.Reset(max(w.every-time.Since(w.last), 0))
			wait = due.C
		}
		select {
		case b, ok := <-full:
			if !ok {
				w.commit()
				return w.stats, w.err
			}
			w.write(b)
			w.pool.put(b)
			if w.pending >= w.rows || time.Since(w.last) >= w.every {
				w.commit()
			}
		case <-wait:
			w.commit()
		}
	}
}

func (w *writer) write(b *batch) {
	if w.err != nil {
		return
	}
	if err := w.sink.Write(b.nums, b.data, b.outside); err != nil {
		w.fail(err)
		return
	}
	w.pending += uint64(len(b.nums))
	w.steps += b.steps
	for i := range b.outside {
		if b.outside[i].Failure != nil {
			w.failed++
		}
	}
}

func (w *writer) commit() {
	if w.pending == 0 || w.err != nil {
		return
	}
	if err := w.sink.Commit(); err != nil {
		w.fail(err)
		return
	}
	w.stats.Committed += w.pending
	w.stats.Steps += w.steps
	w.stats.Failed += w.failed
	w.pending, w.steps, w.failed = 0, 0, 0
	w.last = time.Now()
	if w.progress != nil {
		w.progress(w.stats.Committed)
	}
}

func (w *writer) fail(err error) {
	w.err = err
	w.cancel(err)
}
