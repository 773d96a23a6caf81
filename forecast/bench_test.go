package forecast

import (
	"path/filepath"
	"testing"
)

// BenchmarkSMPa160 runs SMP with KTAB defaults on dummyData-a160 (160 actors,
// one dimension) to convergence.
func BenchmarkSMPa160(b *testing.B) {
	p, err := LoadFile(filepath.Join(sharedDir(b), "ktab", "dummyData-a160.csv"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var turns int
	for b.Loop() {
		res, err := SMP(p, SMPParams{})
		if err != nil {
			b.Fatal(err)
		}
		turns = len(res.Rounds) - 1
	}
	b.ReportMetric(float64(turns), "turns")
}
