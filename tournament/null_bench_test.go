package tournament

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

type nullSink struct{}

func (nullSink) Write([]Record) error { return nil }
func (nullSink) Commit() error        { return nil }

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
	n := 0
	for b.Loop() {
		st, err := Run(context.Background(), p, nullSink{}, Options{Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		n += int(st.Committed)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "sessions/s")
}
