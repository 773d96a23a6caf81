package tournament

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// callSink records the writer's calls: "w N" for a Write of N records, "c"
// for a Commit; Write fails from the failAt-th call on (0: never).
type callSink struct {
	calls  []string
	failAt int
	writes int
}

func (s *callSink) RecordSize() int              { return 8 }
func (s *callSink) RowLength() int               { return 0 }
func (s *callSink) Encode([]byte, *Record) error { return nil }
func (s *callSink) Commit() error                { s.calls = append(s.calls, "c"); return nil }
func (s *callSink) Write(nums []uint64, _ []byte, _ []Outside) error {
	s.writes++
	if s.failAt > 0 && s.writes >= s.failAt {
		return errors.New("the sink failed")
	}
	s.calls = append(s.calls, fmt.Sprintf("w %d", len(nums)))
	return nil
}

// feed hands the writer batches of the given sizes and returns what it
// reports.
func feed(w *writer, sizes ...int) (Stats, error) {
	full := make(chan *batch, len(sizes))
	for _, n := range sizes {
		b := w.pool.get(context.Background())
		for i := range n {
			b.nums = append(b.nums, uint64(i))
		}
		b.steps = uint64(3 * n)
		full <- b
	}
	close(full)
	return w.run(full)
}

// TestWriterCommits: the writer commits once rows records are pending, and
// at the end; progress gives the sessions committed so far.
func TestWriterCommits(t *testing.T) {
	sink := &callSink{}
	var progress []uint64
	w := &writer{sink: sink, pool: newBatchPool(8, 8, 8), every: time.Hour, rows: 10,
		progress: func(n uint64) { progress = append(progress, n) }, cancel: func(error) {}}
	st, err := feed(w, 4, 4, 4, 4, 4, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"w 4", "w 4", "w 4", "c", "w 4", "w 4", "w 4", "c", "w 1", "c"}; !slices.Equal(sink.calls, want) {
		t.Errorf("calls %q, want %q", sink.calls, want)
	}
	if !slices.Equal(progress, []uint64{12, 24, 25}) || st.Committed != 25 || st.Steps != 75 {
		t.Errorf("progress %v, stats %+v", progress, st)
	}
}

// TestWriterStopsAtSinkError: after the sink's first error the writer
// writes and commits nothing more, cancels the run with the error, and
// still takes (and frees) the batches the workers hand over.
func TestWriterStopsAtSinkError(t *testing.T) {
	sink := &callSink{failAt: 4}
	var cause error
	w := &writer{sink: sink, pool: newBatchPool(8, 8, 8), every: time.Hour, rows: 10, cancel: func(err error) { cause = err }}
	st, err := feed(w, 4, 4, 4, 4, 4)
	if err == nil || err.Error() != "the sink failed" || cause != err {
		t.Fatalf("error %v, run cancelled with %v", err, cause)
	}
	if want := []string{"w 4", "w 4", "w 4", "c"}; !slices.Equal(sink.calls, want) || sink.writes != 4 {
		t.Errorf("calls %q (%d writes), want %q and the failed write", sink.calls, sink.writes, want)
	}
	if st.Committed != 12 {
		t.Errorf("%d committed, want the 12 before the error", st.Committed)
	}
	if n := len(w.pool.free); n != 5 {
		t.Errorf("%d batches returned to the pool, want 5", n)
	}
	// The run as a whole returns the sink's error.
	p := plan(t, fmt.Sprintf("seed: 4\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrepetitions: 300\n", filepath.Join(domainsDir(t), "ANAC2011_Laptop")))
	if _, err := Run(context.Background(), p, &callSink{failAt: 2}, Options{Workers: 2, BatchSize: 50}); err == nil || !strings.Contains(err.Error(), "the sink failed") {
		t.Errorf("Run with a failing sink: %v", err)
	}
}
