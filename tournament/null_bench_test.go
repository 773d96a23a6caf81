package tournament

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/rusage"
)

// nullSink encodes nothing and keeps nothing.
type nullSink struct{}

func (nullSink) RecordSize() int                         { return 0 }
func (nullSink) RowLength() int                          { return 0 }
func (nullSink) Encode([]byte, *Record) error            { return nil }
func (nullSink) Write([]uint64, []byte, []Outside) error { return nil }
func (nullSink) Commit() error                           { return nil }

// BenchmarkRunNoStore plays Laptop tournaments into a sink that keeps
// nothing: the workers' own cost, without the store's.
func BenchmarkRunNoStore(b *testing.B) {
	dir := b.TempDir()
	spec := filepath.Join(dir, "s.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrotation: distinct\nrepetitions: 100000\n",
		filepath.Join(domainsDir(b), "ANAC2011_Laptop"))), 0o644)
	s, err := LoadSpec(spec)
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewPlan(s)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			n := 0
			cpu0 := rusage.CPU()
			for b.Loop() {
				st, err := Run(context.Background(), p, nullSink{}, Options{Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				n += int(st.Committed)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "sessions/s")
			b.ReportMetric(float64(rusage.CPU()-cpu0)/float64(n), "cpu-ns/session")
		})
	}
}
