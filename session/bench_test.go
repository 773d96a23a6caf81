package session

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// BenchmarkSession measures whole sessions of Boulware against Conceder under
// SAOP with a 100-round deadline; it reports sessions/s, steps/s and
// allocations (per session; a step allocates nothing).
//
//	go test ./session -run '^$' -bench Session -benchmem
func BenchmarkSession(b *testing.B) {
	for _, c := range []struct{ name, domain string }{
		{"laptop", "ANAC2011_Laptop"},
		{"car", "ANAC2011_Car"},
	} {
		for _, proto := range []string{"saop", "amop"} {
			b.Run(c.name+"/"+proto+"/boulware-conceder", func(b *testing.B) {
				sc := loadDomain(b, c.domain)
				prep, err := Prepare(sc)
				if err != nil {
					b.Fatal(err)
				}
				benchPlay(b, Config{Prepared: prep, Protocol: proto, Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 100}})
			})
		}
	}
}

// BenchmarkFlagship measures whole sessions of the flagship scenario
// (agenda of two phases, events, red lines, the referendum) under the
// shuttle with Boulware in every seat, with and without anticipating the
// referendum; a warm runner allocates nothing (phaseCache).
//
//	go test ./session -run '^$' -bench Flagship -benchmem
func BenchmarkFlagship(b *testing.B) {
	sc, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		b.Fatal(err)
	}
	prep, err := Prepare(sc)
	if err != nil {
		b.Fatal(err)
	}
	for _, anti := range []bool{false, true} {
		b.Run(fmt.Sprintf("shuttle/anticipate=%v", anti), func(b *testing.B) {
			benchPlay(b, Config{Prepared: prep, Protocol: "shuttle", Negotiators: []string{"boulware"}, Deadline: protocol.Deadline{Rounds: 60}, AnticipateRatification: anti})
		})
	}
}

// benchPlay plays sessions of cfg with seeds 0, 1, ... and reports
// sessions/s, steps/s, steps per session and allocations.
func benchPlay(b *testing.B, cfg Config) {
	r, err := NewRunner(cfg)
	if err != nil {
		b.Fatal(err)
	}
	steps := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o, err := r.Play(uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		steps += o.Steps
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/s, "sessions/s")
	b.ReportMetric(float64(steps)/s, "steps/s")
	b.ReportMetric(float64(steps)/float64(b.N), "steps/session")
}
