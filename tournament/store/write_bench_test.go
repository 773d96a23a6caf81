package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/rusage"
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
	batch := make([]tournament.Record, 4096)
	for i := range batch {
		batch[i] = tournament.Record{Agreed: true, End: 1, WalkedOut: -1, Round: 30, Time: 0.3, Steps: 60, Outcome: 13, Pareto: 0.01, Nash: 0.1,
			Utility: []float64{0.8, 0.7}, Discounted: []float64{0.8, 0.7}, Seed: 1234567890123}
	}
	n := uint64(0)
	cpu0 := rusage.CPU()
	for b.Loop() {
		for i := range batch {
			batch[i].Number = n
			batch[i].Assignment = n % 4
			n++
		}
		if err := st.Write(batch); err != nil {
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
