package session

import (
	"bytes"
	"math"
	"os"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// coalitionScenario loads scenario/testdata/coalition.yaml, each from
// replaced by its to.
func coalitionScenario(t testing.TB, swaps ...string) *scenario.Scenario {
	t.Helper()
	data, err := os.ReadFile("../scenario/testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k+1 < len(swaps); k += 2 {
		if !bytes.Contains(data, []byte(swaps[k])) {
			t.Fatalf("fixture lacks %q", swaps[k])
		}
		data = bytes.Replace(data, []byte(swaps[k]), []byte(swaps[k+1]), 1)
	}
	sc, err := scenario.Parse(data, "../scenario/testdata/coalition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// noInfluence drops the fixture's mediator_influence.
var noInfluence = []string{"mediator_influence:\n  rule: capability\n  rate: {value: 0.1, assumption: {why: the mediator hears every side a little each week, range: [0.02, 0.2]}}\n", ""}

// proposals plays one mediated session with the broker and returns the
// texts it proposed, by round; check, when set, sees the mediator's
// utility weights at every proposal.
func proposals(t *testing.T, sc *scenario.Scenario, check func(round int, w []float64)) map[int][]uint64 {
	t.Helper()
	out := map[int][]uint64{}
	var r *Runner
	cfg := Config{Scenario: sc, Protocol: "mediated", Negotiators: []string{"boulware"}, Mediator: "broker",
		Deadline: protocol.Deadline{Rounds: 30}, Seed: 7}
	cfg.OnEvent = func(e protocol.Event) {
		if e.Type != protocol.EventPropose {
			return
		}
		out[r.st.round] = append(out[r.st.round], e.Outcome)
		if check != nil {
			check(r.st.round, r.seats[len(r.prep.Seats)].setup.Utility.Weights)
		}
	}
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMediatorInfluence (issue 16, finding 4): lobbied by the parties, the
// mediator negotiates in round r with the weights of round r
// (scenario.Scenario.MediatorWeights), and its proposals move: the same
// session without the influence proposes other texts. On main the
// mediator's weights never moved.
func TestMediatorInfluence(t *testing.T) {
	sc := coalitionScenario(t)
	seen := 0
	with := proposals(t, sc, func(round int, w []float64) {
		want := sc.MediatorWeights(round)
		for i := range w {
			if math.Abs(w[i]-want[i]) > 1e-12 {
				t.Fatalf("round %d: the mediator weighs %v, want %v", round, w, want)
			}
		}
		seen++
	})
	if seen < 20 {
		t.Fatalf("only %d proposals", seen)
	}
	without := proposals(t, coalitionScenario(t, noInfluence...), nil)
	differ := false
	for round, texts := range with {
		for k, id := range texts {
			differ = differ || k >= len(without[round]) || without[round][k] != id
		}
	}
	if !differ {
		t.Error("the mediator's proposals do not move under the parties' influence")
	}
}

// TestEventSetsMediatorWeights: an event may set the mediator's weights at
// a round; from that round on the mediator proposes by them, and before
// it the session is the same as without the event.
func TestEventSetsMediatorWeights(t *testing.T) {
	event := []string{"parties:\n  - id: ua", "events:\n  - {round: 8, party: us, weights: {ceasefire: 1, guarantees: 0, troops: 0, land: 0}}\nparties:\n  - id: ua"}
	sc := coalitionScenario(t, append(append([]string{}, noInfluence...), event...)...)
	with := proposals(t, sc, func(round int, w []float64) {
		if got := w[0] == 1 && w[3] == 0; got != (round >= 8) {
			t.Fatalf("round %d: the mediator weighs %v", round, w)
		}
	})
	without := proposals(t, coalitionScenario(t, noInfluence...), nil)
	later := false
	for round, texts := range with {
		for k, id := range texts {
			same := k < len(without[round]) && without[round][k] == id
			switch {
			case round < 8 && !same:
				t.Fatalf("round %d: the proposals differ before the event", round)
			case round >= 8 && !same:
				later = true
			}
		}
	}
	if !later {
		t.Error("the mediator's proposals do not follow the weights the event sets")
	}
}

// BenchmarkInfluence measures sessions with a lobbied mediator: a warm
// runner allocates nothing (the mediator's preferences by round are
// built once).
//
//	go test ./session -run '^$' -bench Influence -benchmem
func BenchmarkInfluence(b *testing.B) {
	prep, err := Prepare(coalitionScenario(b))
	if err != nil {
		b.Fatal(err)
	}
	benchPlay(b, Config{Prepared: prep, Protocol: "shuttle", Negotiators: []string{"boulware"}, Deadline: protocol.Deadline{Rounds: 60}})
}
