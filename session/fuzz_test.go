package session

import (
	"bytes"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// FuzzRun plays every valid scenario under every protocol: no panic, no
// hang (the deadline bounds each session), and the same seed gives the same
// trace.
func FuzzRun(f *testing.F) {
	for _, data := range shared.ScenarioSeeds(f) {
		f.Add(data, uint8(0))
	}
	protocols := []string{"saop", "amop", "amop-majority", "mediated", "shuttle"}
	strategies := []string{"conceder", "boulware", "micro", "random", "titfortat", "frequency"}
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		s, err := scenario.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if n, ok := s.Space().Size(); !ok || n > 20_000 {
			return
		}
		cfg := Config{Scenario: s, Negotiators: []string{strategies[int(pick)%len(strategies)]},
			Protocol: protocols[int(pick/8)%len(protocols)], Deadline: protocol.Deadline{Rounds: 30}, Seed: uint64(pick)}
		if cfg.Protocol == "mediated" || cfg.Protocol == "shuttle" {
			cfg.Mediator = []string{"hillclimb", "veto", "broker"}[int(pick)%3]
		}
		var a, b bytes.Buffer
		cfg.Trace = &a
		res, err := Run(cfg)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if res.Round > 30 {
			t.Fatalf("session ran %d rounds past a 30-round deadline", res.Round)
		}
		cfg.Trace = &b
		if _, err := Run(cfg); err != nil {
			t.Fatalf("second run failed: %v", err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("same seed, different traces")
		}
	})
}
