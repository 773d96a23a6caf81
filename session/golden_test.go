package session

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/golden")

// goldenCases pin the behaviour of every protocol, negotiator and mediator:
// each writes its full trace, which must match testdata/golden byte for byte.
var goldenCases = []struct {
	domain   string
	protocol string
	mediator string
	negs     []string
	rounds   int
	seed     uint64
}{
	{"ANAC2011_Laptop", "saop", "", []string{"boulware", "conceder"}, 100, 0},
	{"ANAC2011_Laptop", "saop", "", []string{"linear", "hardliner"}, 100, 0},
	{"ANAC2011_Laptop", "saop", "", []string{"random", "titfortat"}, 100, 7},
	{"ANAC2011_Laptop", "saop", "", []string{"micro", "frequency"}, 100, 1},
	{"ANAC2011_Laptop", "saop", "", []string{"timedependent:e=0.5", "micro"}, 100, 2},
	{"ANAC2011_Laptop", "amop", "", []string{"boulware", "conceder"}, 100, 0},
	{"ANAC2011_Laptop", "amop-majority", "", []string{"random", "linear"}, 20, 3},
	{"ANAC2011_Laptop", "mediated", "hillclimb", []string{"boulware", "conceder"}, 40, 4},
	{"ANAC2011_Laptop", "mediated", "veto", []string{"frequency", "titfortat"}, 100, 5},
	{"ANAC2015_Tram", "saop", "", []string{"boulware", "conceder", "linear"}, 30, 0},
	{"ANAC2015_Tram", "saop", "", []string{"micro", "frequency", "titfortat"}, 30, 6},
	{"ANAC2015_Tram", "amop", "", []string{"boulware", "conceder", "linear"}, 30, 0},
	{"ANAC2015_Tram", "amop-majority", "", []string{"hardliner", "random", "micro"}, 10, 8},
	{"ANAC2015_Tram", "mediated", "hillclimb", []string{"conceder", "linear", "titfortat"}, 30, 9},
	{"ANAC2015_Tram", "mediated", "veto", []string{"boulware", "random", "frequency"}, 60, 10},
}

func goldenName(domain, proto, mediator string, negs []string, seed uint64) string {
	parts := []string{strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(domain, "ANAC2011_"), "ANAC2015_")), proto}
	if mediator != "" {
		parts = append(parts, mediator)
	}
	n := strings.NewReplacer(":", "_", "=", "").Replace(strings.Join(negs, "-"))
	return strings.Join(append(parts, n, "seed"+itoa(int(seed))), "_") + ".jsonl"
}

func TestGoldenTranscripts(t *testing.T) {
	for _, c := range goldenCases {
		name := goldenName(c.domain, c.protocol, c.mediator, c.negs, c.seed)
		t.Run(name, func(t *testing.T) {
			sc := loadDomain(t, c.domain)
			var b bytes.Buffer
			_, err := Run(Config{Scenario: sc, Protocol: c.protocol, Mediator: c.mediator, Negotiators: c.negs,
				Deadline: protocol.Deadline{Rounds: c.rounds}, Seed: c.seed, Trace: &b})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, b.Bytes())
		})
	}
}

// checkGolden compares a trace with testdata/golden/name, or with -update
// writes it there.
func checkGolden(t *testing.T, name string, trace []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, trace, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./session -run Golden -update to create it)", err)
	}
	if !bytes.Equal(trace, want) {
		got := strings.Split(string(trace), "\n")
		wl := strings.Split(string(want), "\n")
		for i := range min(len(got), len(wl)) {
			if got[i] != wl[i] {
				t.Fatalf("trace differs from %s at line %d:\ngot  %s\nwant %s", path, i+1, got[i], wl[i])
			}
		}
		t.Fatalf("trace differs from %s: %d lines, want %d", path, len(got), len(wl))
	}
}

// TestDeterminism plays the same configurations twice, on fresh runners and
// on one reused runner, and expects byte-identical traces.
func TestDeterminism(t *testing.T) {
	for _, c := range goldenCases {
		sc := loadDomain(t, c.domain)
		cfg := Config{Scenario: sc, Protocol: c.protocol, Mediator: c.mediator, Negotiators: c.negs,
			Deadline: protocol.Deadline{Rounds: c.rounds}, Seed: c.seed}
		a, d, _ := replayTrace(t, cfg)
		if !bytes.Equal(a, d) {
			t.Errorf("%s: a reused runner gives a different trace", goldenName(c.domain, c.protocol, c.mediator, c.negs, c.seed))
		}
	}
}
