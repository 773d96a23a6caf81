package python_test

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// echoEnv makes the test binary play the Go echo agent (see TestMain).
const echoEnv = "PARLEY_GO_ECHO"

func TestMain(m *testing.M) {
	if os.Getenv(echoEnv) == "1" {
		os.Exit(goEcho(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// goEcho is the Go echo agent: it decodes every message and answers each
// your_turn at once with its best outcome, as examples/echo.py does.
func goEcho(r io.Reader, w io.Writer) int {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 64<<10), 64<<20)
	out := bufio.NewWriter(w)
	answer := []byte(`{"type":"end"}`)
	for in.Scan() {
		var head struct{ Type string }
		if err := json.Unmarshal(in.Bytes(), &head); err != nil {
			return 1
		}
		switch head.Type {
		case seat.TypeSettings:
			var s seat.Settings
			if err := json.Unmarshal(in.Bytes(), &s); err != nil || s.Preferences == nil {
				return 1
			}
			best := map[string]any{}
			for _, is := range s.Issues {
				u := s.Preferences.Utility[is.ID]
				k := 0
				for v := range u {
					if u[v] > u[k] {
						k = v
					}
				}
				best[is.ID] = is.Values[k]
			}
			answer, _ = json.Marshal(map[string]any{"type": seat.ActOffer, "outcome": best})
		case seat.TypeYourTurn, seat.TypeError:
			out.Write(answer)
			out.WriteByte('\n')
			if err := out.Flush(); err != nil {
				return 1
			}
		}
	}
	return 0
}

// echoAgents are the echo agents measured, as command lines run in
// clients/python.
func echoAgents(tb testing.TB) map[string][]string {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Setenv(echoEnv, "1") // only the Go echo reads it
	agents := map[string][]string{"go": {exe}}
	if _, err := exec.LookPath("python3"); err == nil {
		agents["python-raw"] = []string{"python3", "testdata/echo_raw.py"}
		agents["python-client"] = []string{"python3", "examples/echo.py"}
	}
	return agents
}

// timed is an outside seat that times each of its answers: from the
// session asking (your_turn encoded and written) to the answer read and
// checked.
type timed struct {
	*seat.Remote
	d []time.Duration
}

func (t *timed) Act(turn protocol.Turn) protocol.Action {
	start := time.Now()
	a := t.Remote.Act(turn)
	t.d = append(t.d, time.Since(start))
	return a
}

// echoTable plays Laptop sessions of the echo seat (the buyer, offering
// its best outcome) against hardliner (which never accepts it): one answer
// of the echo seat a round.
type echoTable struct {
	tm      *timed
	sc      *scenario.Scenario
	runners map[int]*session.Runner // by rounds
}

func newEchoTable(tb testing.TB, argv []string) *echoTable {
	tm := &timed{Remote: seat.NewRemote(nil, seat.Options{ActionTimeout: 10 * time.Second,
		Dial: func() (seat.Conn, error) { return seat.StartProcess(argv, "") }})}
	tb.Cleanup(func() { tm.Close() })
	return &echoTable{tm: tm, sc: laptop(tb), runners: map[int]*session.Runner{}}
}

// play plays a session of the given rounds.
func (e *echoTable) play(tb testing.TB, rounds int, seed uint64) {
	tb.Helper()
	r := e.runners[rounds]
	if r == nil {
		var err error
		r, err = session.NewRunner(session.Config{Scenario: e.sc, Negotiators: []string{"echo", "hardliner"}, Deadline: protocol.Deadline{Rounds: rounds},
			Outside: func(spec string, _ int) (session.Outside, bool, error) { return e.tm, spec == "echo", nil }})
		if err != nil {
			tb.Fatal(err)
		}
		e.runners[rounds] = r
	}
	before := len(e.tm.d)
	if _, err := r.Play(seed); err != nil {
		tb.Fatal(err)
	}
	res := r.Result()
	if res.Failure != nil || res.Status != session.StatusNoAgreement || len(e.tm.d)-before != rounds {
		tb.Fatalf("the echo session ended %s after %d answers of %d (%v)", res.Status, len(e.tm.d)-before, rounds, res.Failure)
	}
}

// TestEchoAgents: every echo agent answers each of its turns, so the
// benchmark below times one answer a round.
func TestEchoAgents(t *testing.T) {
	for name, argv := range echoAgents(t) {
		e := newEchoTable(t, argv)
		e.play(t, 50, 1)
		e.play(t, 50, 2) // the same process, a second session
		if len(e.tm.d) != 100 {
			t.Errorf("%s: %d answers timed, want 100", name, len(e.tm.d))
		}
	}
}

// BenchmarkEchoAction measures the seat protocol's cost per action with a
// process agent over pipes: the time from the session asking a seat to
// act (your_turn encoded and written, the action_done messages before it)
// to its answer read and checked, with an agent that answers at once.
// ns/op is per action of the echo seat, the whole session included;
// p50-µs and p99-µs are the quantiles of the answer time alone. The Go
// echo shows parley's overhead; the Python ones add Python's own cost per
// message: python-raw decodes each message with json and prints a fixed
// answer, python-client is examples/echo.py on parley_seat.
//
//	go test ./clients/python -run '^$' -bench EchoAction -benchtime 20000x
func BenchmarkEchoAction(b *testing.B) {
	agents := echoAgents(b)
	for _, name := range []string{"go", "python-raw", "python-client"} {
		argv, ok := agents[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			e := newEchoTable(b, argv)
			e.play(b, 1000, 0) // start the process and warm up
			e.tm.d = e.tm.d[:0]
			b.ResetTimer()
			for seed := uint64(1); len(e.tm.d) < b.N; seed++ {
				e.play(b, min(1000, b.N-len(e.tm.d)), seed)
			}
			b.StopTimer()
			d := slices.Clone(e.tm.d)
			slices.Sort(d)
			q := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Nanoseconds()) / 1e3 }
			b.ReportMetric(q(0.50), "p50-µs")
			b.ReportMetric(q(0.99), "p99-µs")
		})
	}
}
