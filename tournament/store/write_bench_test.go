package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/rusage"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// BenchmarkWrite measures the writer alone: inserting and committing
// session records (Laptop-shaped, 2 seats) in batches of 4096, as the workers hand them over.
//
//	go test ./tournament/store -run '^$' -bench Write
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	p, _ := writeSpec(b, dir, fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrepetitions: 50000000\n", filepath.Join(domainsDir(b), "ANAC2011_Laptop")))
	st, err := Create(filepath.Join(dir, "w.db"), p, nil, "test")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// The batch's records, encoded as the workers would.
	const batch = 4096
	r := tournament.Record{Agreed: true, Status: session.StatusAgreed, End: 1, WalkedOut: -1, Round: 30, Time: 0.3, Steps: 60, Outcome: 13,
		Utility: []float64{0.8, 0.7}, Discounted: []float64{0.8, 0.7}}
	size := st.RecordSize()
	data := make([]byte, batch*size)
	for i := range batch {
		if err := st.Encode(data[i*size:(i+1)*size], &r); err != nil {
			b.Fatal(err)
		}
	}
	nums := make([]uint64, batch)
	n := uint64(0)
	cpu0 := rusage.CPU()
	for b.Loop() {
		for i := range nums {
			nums[i] = n
			n++
		}
		if err := st.Write(nums, data, nil); err != nil {
			b.Fatal(err)
		}
		if n%16384 == 0 {
			if err := st.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	st.Commit()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rusage.CPU()-cpu0)/float64(n), "cpu-ns/row")
}

// BenchmarkTournament runs Laptop tournaments (Boulware vs Conceder, 100
// rounds) into a store with 1 and 2 workers; with -cpuprofile it shows
// where a tournament's time goes besides the sessions themselves.
//
//	go test ./tournament/store -run '^$' -bench Tournament -cpuprofile cpu.out
func BenchmarkTournament(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("laptop/workers=%d", workers), func(b *testing.B) {
			dir := b.TempDir()
			const n = 100000
			p, _ := writeSpec(b, dir, fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrotation: distinct\nrepetitions: %d\n",
				filepath.Join(domainsDir(b), "ANAC2011_Laptop"), n/2))
			if _, err := p.Scenarios[0].Prepared(); err != nil {
				b.Fatal(err)
			}
			sessions := 0
			cpu0 := rusage.CPU()
			for i := 0; b.Loop(); i++ {
				st, err := Create(filepath.Join(dir, fmt.Sprintf("t%d.db", i)), p, nil, "test")
				if err != nil {
					b.Fatal(err)
				}
				stats, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: workers})
				st.Close()
				if err != nil {
					b.Fatal(err)
				}
				sessions += int(stats.Committed)
			}
			b.ReportMetric(float64(sessions)/b.Elapsed().Seconds(), "sessions/s")
			b.ReportMetric(float64(rusage.CPU()-cpu0)/float64(sessions), "cpu-ns/session")
		})
	}
}

// encodeOnly is a sink for which the workers encode records as for its
// store, and which keeps nothing.
type encodeOnly struct{ *Store }

func (encodeOnly) Write([]uint64, []byte, []tournament.Outside) error { return nil }
func (encodeOnly) Commit() error                                      { return nil }

// BenchmarkOverhead splits a 2-worker Laptop tournament's CPU per session:
// the sessions alone on two goroutines (the loop parley bench compares
// with), the tournament with the workers encoding records for a store that
// keeps none of them (the workers' bookkeeping and hand-over added), and
// into the store (the writer added). Only the sessions are timed, not
// creating or closing the store. The machine's speed drifts: compare runs
// made in turn, not -count runs of one kind after the other.
//
//	go test -c ./tournament/store && cd tournament/store &&
//	for i in 1 2 3 4 5 6 7; do ../../store.test -test.run '^$' -test.bench Overhead; done
func BenchmarkOverhead(b *testing.B) {
	dir := b.TempDir()
	const n = 200000
	p, _ := writeSpec(b, dir, fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrotation: distinct\nrepetitions: %d\n",
		filepath.Join(domainsDir(b), "ANAC2011_Laptop"), n/2))
	prep, err := p.Scenarios[0].Prepared()
	if err != nil {
		b.Fatal(err)
	}
	measure := func(b *testing.B, once func(i int) (cpu, wall time.Duration)) {
		var cpu, wall time.Duration
		for i := 0; b.Loop(); i++ {
			c, w := once(i)
			cpu, wall = cpu+c, wall+w
		}
		b.ReportMetric(float64(b.N*n)/wall.Seconds(), "sessions/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*n), "cpu-ns/session")
	}
	b.Run("loop", func(b *testing.B) {
		measure(b, func(int) (time.Duration, time.Duration) {
			var next atomic.Uint64
			var wg sync.WaitGroup
			c0, w0 := rusage.CPU(), time.Now()
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var rs []*session.Runner
					for _, negs := range [][]string{{"boulware", "conceder"}, {"conceder", "boulware"}} {
						r, err := session.NewRunner(session.Config{Prepared: prep, Negotiators: negs, Deadline: protocol.Deadline{Rounds: 100}})
						if err != nil {
							b.Error(err)
							return
						}
						rs = append(rs, r)
					}
					for lo := next.Add(1000) - 1000; lo < n; lo = next.Add(1000) - 1000 {
						for k := lo; k < lo+1000; k++ {
							rs[k%2].Play(tournament.SessionSeed(1, k))
						}
					}
				}()
			}
			wg.Wait()
			return rusage.CPU() - c0, time.Since(w0)
		})
	})
	run := func(b *testing.B, sink func(i int) (tournament.Sink, func())) {
		measure(b, func(i int) (time.Duration, time.Duration) {
			s, done := sink(i)
			defer done()
			c0 := rusage.CPU()
			st, err := tournament.Run(context.Background(), p, s, tournament.Options{Workers: 2})
			if err != nil {
				b.Fatal(err)
			}
			return rusage.CPU() - c0, st.Elapsed
		})
	}
	b.Run("encode", func(b *testing.B) {
		st, err := Create(filepath.Join(dir, "encode.db"), p, nil, "test")
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, func(int) (tournament.Sink, func()) { return encodeOnly{st}, func() {} })
	})
	stores := 0
	b.Run("store", func(b *testing.B) {
		run(b, func(int) (tournament.Sink, func()) {
			stores++
			st, err := Create(filepath.Join(dir, fmt.Sprintf("o%d.db", stores)), p, nil, "test")
			if err != nil {
				b.Fatal(err)
			}
			return st, func() { st.Close() }
		})
	})
}

// BenchmarkEncode measures a worker encoding one Laptop record (2 seats,
// discounted) in the layout a new store gives it: every session pays it.
//
//	go test ./tournament/store -run '^$' -bench Encode
func BenchmarkEncode(b *testing.B) {
	p, _ := writeSpec(b, b.TempDir(), fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware]\nrepetitions: 1\n", filepath.Join(domainsDir(b), "ANAC2011_Laptop")))
	l, err := planLayout(p)
	if err != nil {
		b.Fatal(err)
	}
	c := l.codec()
	buf := make([]byte, c.size())
	r := tournament.Record{Agreed: true, Status: session.StatusAgreed, End: 1, WalkedOut: -1, Round: 30, Time: 0.3, Steps: 60, Outcome: 13,
		Utility: []float64{0.8, 0.7}, Discounted: []float64{0.72, 0.63}}
	for b.Loop() {
		if err := c.encode(buf, &r); err != nil {
			b.Fatal(err)
		}
	}
}
