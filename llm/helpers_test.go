package llm_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// played is what a session left behind.
type played struct {
	result session.Result
	json   []byte // the result as JSON
	trace  []byte
	log    []byte // the llm log
	err    error  // from Play
}

// setup is how a test session is played.
type setup struct {
	sc     *scenario.Scenario
	specs  []string
	pool   *llm.Pool
	opts   seat.Options
	rounds int
	seed   uint64
	proto  string
}

// play runs a session; the llm seats are made by the pool through a
// seat.Launcher, as the CLI makes them.
func play(t *testing.T, s setup) played {
	t.Helper()
	if s.opts.ActionTimeout == 0 {
		s.opts.ActionTimeout = 20 * time.Second
	}
	if s.rounds == 0 {
		s.rounds = 30
	}
	var log bytes.Buffer
	if s.pool.Log == nil {
		s.pool.Log = &log
	}
	l := &seat.Launcher{Options: s.opts, Kinds: []seat.Kind{s.pool.Kind()}}
	defer l.Close()
	var trace bytes.Buffer
	r, err := session.NewRunner(session.Config{Scenario: s.sc, Negotiators: s.specs, Outside: l.Outside, Protocol: s.proto,
		Deadline: protocol.Deadline{Rounds: s.rounds}, Seed: s.seed, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	_, perr := r.Play(s.seed)
	res := r.Result()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return played{result: res, json: b, trace: trace.Bytes(), log: log.Bytes(), err: perr}
}

// flagship is the flagship scenario.
func flagship(t *testing.T) *scenario.Scenario {
	t.Helper()
	p, err := filepath.Abs("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := open.Path(p)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// laptop is a small bilateral scenario.
const laptop = `parley: 1
name: Laptop
issues:
  - id: brand
    options: [{id: dell}, {id: mac}, {id: hp}]
  - id: disk
    options: [{id: "60"}, {id: "80"}, {id: "120"}]
parties:
  - id: buyer
    reservation: 0.3
    weights: {brand: 0.6, disk: 0.4}
    values:
      brand: {dell: 0.2, mac: 1, hp: 0.5}
      disk: {"60": 0.1, "80": 0.6, "120": 1}
  - id: seller
    reservation: 0.25
    weights: {brand: 0.7, disk: 0.3}
    values:
      brand: {dell: 1, mac: 0.3, hp: 0.6}
      disk: {"60": 1, "80": 0.5, "120": 0.2}
`

func parse(t *testing.T, text string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse([]byte(text), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// logLines decodes the llm log.
func logLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func tempFile(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
