package session

import (
	"bytes"
	"testing"
)

// allocsPerSession builds a runner for cfg, warms it up (buffers are sized
// on first use) and returns the allocations of one further session.
func allocsPerSession(t *testing.T, cfg Config) float64 {
	t.Helper()
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(0)
	r.Play(seed)
	return testing.AllocsPerRun(20, func() {
		seed++
		if _, err := r.Play(seed); err != nil {
			t.Fatal(err)
		}
	})
}

// replayTrace plays cfg (whose Trace must be nil) on a fresh runner and on
// a runner that first plays three other seeds, and returns both traces: a
// reused runner must carry no state over.
func replayTrace(t *testing.T, cfg Config) (fresh, reused []byte, r *Runner) {
	t.Helper()
	var a, b bytes.Buffer
	cfg.Trace = &a
	if _, err := Run(cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Trace = nil
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for s := range uint64(3) {
		if _, err := r.Play(cfg.Seed + 100 + s); err != nil {
			t.Fatal(err)
		}
	}
	r.SetTrace(&b)
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	return a.Bytes(), b.Bytes(), r
}
