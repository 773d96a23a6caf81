package tournament

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// TestSpecAgents: cmd: agents are negotiators (and a mediator) of a spec
// beside built-ins; their agents: settings are checked, each problem at its
// position, and become the seat protocol's options and the canonical
// spec's rules, which resuming compares.
func TestSpecAgents(t *testing.T) {
	spec := `scenarios: [a]
negotiators: [boulware, "cmd:python3 agent.py --e 0.3", " cmd:python3 agent.py --e 0.3", "cmd:python3 'unclosed", "cmd:"]
agents: {concurrency: -1, action_timeout: soon, seat_budget: -3s, max_errors: -1}
`
	_, err := ParseSpec([]byte(spec), "a.yaml")
	for _, want := range []string{
		"a.yaml:2:57: negotiators[2]: cmd:python3 agent.py --e 0.3 is listed twice (also negotiators[1])",
		"a.yaml:2:90: negotiators[3]: cmd:python3 'unclosed: command \"python3 'unclosed\": unclosed ' quote",
		"a.yaml:2:115: negotiators[4]: cmd:: empty command",
		"a.yaml:3:10: agents.concurrency: -1 is negative",
		`a.yaml:3:27: agents.action_timeout: "soon" is not a duration such as 30s (0 for no limit)`,
		`a.yaml:3:49: agents.seat_budget: "-3s" is not a duration such as 30s (leave it out for no limit)`,
		"a.yaml:3:67: agents.max_errors: -1 is negative",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}

	s, err := ParseSpec([]byte("scenarios: [a]\nnegotiators: [boulware, ' cmd:python3 agent.py ']\nagents: {seat_budget: 1m, max_errors: 0}\n"), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Negotiators, []string{"boulware", "cmd:python3 agent.py"}) || !s.HasAgents() || !IsAgent(s.Negotiators[1]) || IsAgent("boulware") {
		t.Errorf("negotiators %q", s.Negotiators)
	}
	// Defaults as parley run's flags; max_errors: 0 allows none.
	if o := s.SeatOptions(); o.ActionTimeout != 30*time.Second || o.Budget != time.Minute || o.MaxErrors != -1 {
		t.Errorf("seat options %+v", o)
	}
	if o := (&Spec{}).SeatOptions(); o.MaxErrors != seat.DefaultMaxErrors || o.Budget != 0 {
		t.Errorf("default seat options %+v", o)
	}

	// A program that is not there is refused before anything runs, at
	// its position; one found (by name in PATH, or by path relative to the
	// spec's folder) is not.
	dir := t.TempDir()
	laptop := filepath.Join(domainsDir(t), "ANAC2011_Laptop")
	os.WriteFile(filepath.Join(dir, "agent.sh"), []byte("#!/bin/sh\n"), 0o755)
	path := filepath.Join(dir, "s.yaml")
	os.WriteFile(path, []byte("scenarios: ["+laptop+"]\nnegotiators: [boulware, 'cmd:./agent.sh', 'cmd:no-such-agent-here x', 'cmd:./missing.sh']\n"), 0o644)
	s, err = LoadSpec(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewPlan(s)
	for _, want := range []string{
		"s.yaml:2:43: negotiators[2]: program no-such-agent-here is not found in PATH",
		"s.yaml:2:71: negotiators[3]: " + filepath.Join(dir, "missing.sh") + " is not an executable file",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "agent.sh is not") {
		t.Errorf("an executable agent refused: %v", err)
	}

	// The rules go into the canonical spec only with agents (so that the
	// specs of built-in tournaments keep their hashes), and a change of
	// them is named when resuming.
	a := plan(t, "scenarios: ["+laptop+"]\nnegotiators: [boulware, 'cmd:/bin/cat']\nagents: {action_timeout: 2s}\n")
	b := plan(t, "scenarios: ["+laptop+"]\nnegotiators: [boulware, 'cmd:/bin/cat']\nagents: {action_timeout: 3s, concurrency: 8}\n")
	c := plan(t, "scenarios: ["+laptop+"]\nnegotiators: [boulware, conceder]\nagents: {action_timeout: 3s}\n")
	if r := a.Canonical.Agents; r == nil || r.ActionTimeout != "2s" || r.SeatBudget != "0s" || r.MaxErrors != 3 ||
		!slices.Equal(r.Outside, []bool{false, true, false}) || !r.Plays(1) || r.Plays(0) || r.Plays(2) || c.Canonical.Agents != nil {
		t.Errorf("canonical rules %+v and %+v", a.Canonical.Agents, c.Canonical.Agents)
	}
	if d := a.Canonical.Diff(b.Canonical); len(d) != 1 || d[0] != "agents: action_timeout 2s, seat_budget 0s, max_errors 3, now action_timeout 3s, seat_budget 0s, max_errors 3" {
		t.Errorf("diff %q", d)
	}
	if !a.Agents() || !a.Outside(1) || a.Outside(0) || c.Agents() {
		t.Errorf("plans' agents: %v %v", a.outside, c.outside)
	}
}

// TestAgentChunks: in a plan with agents, a line-up with an outside seat
// is a chunk of its own, and built-in line-ups are chunked together up to
// the next one.
func TestAgentChunks(t *testing.T) {
	laptop := filepath.Join(domainsDir(t), "ANAC2011_Laptop")
	p := plan(t, "scenarios: ["+laptop+"]\nnegotiators: [boulware, conceder, 'cmd:/bin/cat']\nrepetitions: 3\n")
	// Assignments of 3 negotiators on 2 seats; the agent is negotiator 2:
	// (0,0) (0,1) built in, (0,2) not, (1,0) (1,1) built in, (1,2) (2,0)
	// (2,1) (2,2) not.
	var spans [][2]uint64
	for lo := uint64(0); lo < p.Total; {
		hi := p.agentChunk(lo, min(lo+100, p.Total))
		spans = append(spans, [2]uint64{lo, hi})
		lo = hi
	}
	want := [][2]uint64{{0, 6}, {6, 9}, {9, 15}, {15, 18}, {18, 21}, {21, 24}, {24, 27}}
	if !slices.Equal(spans, want) {
		t.Errorf("chunks %v, want %v", spans, want)
	}
	// A chunk that starts inside a built-in line-up ends at the chunk's
	// own end or the next outside line-up.
	if hi := p.agentChunk(1, 4); hi != 4 {
		t.Errorf("agentChunk(1, 4) = %d", hi)
	}
}

// TestWriterCommitsWhenIdle: a batch written while no other comes (the
// workers are in long sessions with agents) is committed when the commit
// falls due, not when the next batch arrives.
func TestWriterCommitsWhenIdle(t *testing.T) {
	sink := &callSink{}
	committed := make(chan uint64, 4)
	w := &writer{sink: sink, pool: newBatchPool(8, 8, 8), every: 20 * time.Millisecond, rows: 1000,
		progress: func(n uint64) { committed <- n }, cancel: func(error) {}}
	full := make(chan *batch, 2)
	done := make(chan struct{})
	go func() { w.run(full); close(done) }()
	b := w.pool.get(context.Background())
	b.nums = append(b.nums, 7)
	full <- b
	select {
	case n := <-committed:
		if n != 1 {
			t.Errorf("committed %d", n)
		}
	case <-time.After(time.Minute):
		t.Fatal("the batch was not committed while no other came")
	}
	close(full)
	<-done
}

// TestTimes: answer times add up, and their mean and quantiles read the
// histogram as seat.Stats does.
func TestTimes(t *testing.T) {
	var a, b Times
	a.since(&seat.Stats{Actions: 3, Total: 3 * time.Millisecond, Hist: histOf(map[int]int{10: 3})}, &seat.Stats{})
	b.since(&seat.Stats{Actions: 5, Total: 103 * time.Millisecond, Hist: histOf(map[int]int{10: 4, 17: 1})},
		&seat.Stats{Actions: 1, Total: time.Millisecond, Hist: histOf(map[int]int{10: 1})})
	a.Add(&b)
	if a.Actions != 7 || a.Total != 105*time.Millisecond || a.Hist[10] != 6 || a.Hist[17] != 1 {
		t.Fatalf("added %+v", a)
	}
	if a.Mean() != 15*time.Millisecond || a.Quantile(0.5) != 1024*time.Microsecond || a.Quantile(0.99) != 131072*time.Microsecond {
		t.Errorf("mean %v, median %v, p99 %v", a.Mean(), a.Quantile(0.5), a.Quantile(0.99))
	}
	var o Outside
	o.times(3).Actions = 1
	o.times(1).Actions = 2
	o.times(3).Actions++
	if len(o.Times) != 2 || o.Times[0].Negotiator != 1 || o.Times[1].Negotiator != 3 || o.Times[1].Actions != 2 {
		t.Errorf("times in negotiator order: %+v", o.Times)
	}
}

func histOf(m map[int]int) (h [TimeBuckets]int) {
	for k, n := range m {
		h[k] = n
	}
	return h
}

// TestSummaryFailures: failed sessions count against the negotiator whose
// seat failed (the mediator's when it was the mediator), per cause, with
// the first message; the text shows the failed column and both tables,
// and CSV their groups.
func TestSummaryFailures(t *testing.T) {
	c := &Canonical{Name: "t", Negotiators: []string{"a", "cmd:b"}, Mediator: "cmd:m", Rotation: RotationAll, Repetitions: 1,
		Scenarios: []CanonicalScenario{{Path: "two.yaml", Parties: []string{"x", "y"}}}}
	fail := func(cause session.Cause, msg string) *session.Failure {
		return &session.Failure{Seat: "y", Cause: cause, Message: msg}
	}
	recs := []Record{
		{Number: 0, Assignment: 1, Agreed: true, Status: session.StatusAgreed, Utility: []float64{0.8, 0.3}, FailedSeat: -1},
		{Number: 1, Assignment: 1, Status: session.StatusFailed, Utility: []float64{0, 0}, Failure: fail(session.CauseTimeout, "no answer within 2s"), FailedSeat: 1},
		{Number: 2, Assignment: 2, Status: session.StatusFailed, Utility: []float64{0, 0}, Failure: fail(session.CauseCrash, "the agent process exited"), FailedSeat: 0},
		{Number: 3, Assignment: 3, Status: session.StatusFailed, Utility: []float64{0, 0}, Failure: fail(session.CauseTimeout, "later"), FailedSeat: 1},
		{Number: 4, Assignment: 0, Status: session.StatusFailed, Utility: []float64{0, 0}, Failure: fail(session.CauseGarbage, "the mediator said nonsense"), FailedSeat: 2},
	}
	for i := range recs {
		recs[i].Discounted = recs[i].Utility
	}
	sum, err := Summarize(c, func(fn func(*Record) error) error {
		for i := range recs {
			if err := fn(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sum.AddTimes(c, []Times{{Negotiator: 1, Actions: 4, Total: 10 * time.Millisecond, Hist: [TimeBuckets]uint64{12: 4}}})
	if sum.Overall.Failed != 4 || sum.Negotiators[0].Failed != 0 || sum.Negotiators[1].Failed != 3 || sum.Scenarios[0].Failed != 4 {
		t.Errorf("failed: overall %d, a %d, cmd:b %d", sum.Overall.Failed, sum.Negotiators[0].Failed, sum.Negotiators[1].Failed)
	}
	want := []FailureCount{
		{Negotiator: "cmd:b", Cause: "crash", Sessions: 1, Example: "the agent process exited", First: 2},
		{Negotiator: "cmd:b", Cause: "timeout", Sessions: 2, Example: "no answer within 2s", First: 1},
		{Negotiator: "cmd:m", Cause: "garbage", Sessions: 1, Example: "the mediator said nonsense", First: 4},
	}
	if len(sum.Failures) != len(want) {
		t.Fatalf("failures %+v", sum.Failures)
	}
	for i := range want {
		f := sum.Failures[i]
		f.index = 0
		if f != want[i] {
			t.Errorf("failure %d: %+v, want %+v", i, f, want[i])
		}
	}
	if len(sum.Times) != 1 || sum.Times[0] != (AnswerTimes{Negotiator: "cmd:b", Actions: 4, MeanMS: 2.5, P99MS: 4.096}) {
		t.Errorf("answer times %+v", sum.Times)
	}
	var b strings.Builder
	if err := sum.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"negotiator  sessions  utility        agreement  failed  welfare",
		"cmd:b       4         0.060 ± 0.237  25.0%      3",
		"failures: 4 sessions ended because a seat played from outside failed",
		"cmd:b       timeout  2         1: no answer within 2s",
		"cmd:m       garbage  1         4: the mediator said nonsense",
		"cmd:b       4        2.50 ms  4.10 ms",
	} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("the text lacks %q:\n%s", w, b.String())
		}
	}
	var csv strings.Builder
	sum.WriteCSV(&csv)
	for _, w := range []string{"\nfailure,cmd:b,2,,,,,,,,,,,,,,,,,,2,timeout,no answer within 2s,,,\n", "\ntimes,cmd:b,,,,,,,,,,,,,,,,,,,,,,4,2.5,4.096\n"} {
		if !strings.Contains(csv.String(), w) {
			t.Errorf("the CSV lacks %q:\n%s", w, csv.String())
		}
	}
}
