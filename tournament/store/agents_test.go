package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// agentArg makes the test binary an agent (TestMain): testAgent.
const agentArg = "__parley_test_agent__"

// testAgent plays a built-in strategy through the seat protocol on
// standard input and output (seat/client: it plays the same sessions as
// the strategy at the table), misbehaving as asked:
//
//	STRATEGY FAULT EVERY [FILE] [TOKEN]
//
// In the sessions whose tournament number (the settings' session id) is a
// multiple of EVERY (> 0), at its second turn, FAULT: hang sleeps (while
// FILE exists, when FILE is given and not "-"), exit exits with a word on
// standard error, garbage writes prose instead of JSON (and again for
// every error). slow sleeps 2ms before every answer; none plays straight.
// TOKEN marks the process, for tests that look for it in /proc.
func testAgent(args []string) int {
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "agent: STRATEGY FAULT EVERY [FILE] [TOKEN]")
		return 2
	}
	sp, err := negotiator.Parse(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	every, _ := strconv.ParseUint(args[2], 10, 64)
	l := &faultyLink{Link: client.Lines(os.Stdin, os.Stdout), fault: args[1], every: every}
	if len(args) > 3 && args[3] != "-" {
		l.file = args[3]
	}
	if err := (&client.Player{New: sp.New}).Play(l); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		return 1
	}
	return 0
}

// faultyLink is a client.Link that misbehaves as testAgent says.
type faultyLink struct {
	client.Link
	fault   string
	every   uint64
	file    string
	session uint64
	turns   int
}

func (f *faultyLink) faulty() bool { return f.every > 0 && f.session%f.every == 0 && f.turns >= 2 }

func (f *faultyLink) Read() ([]byte, error) {
	for {
		msg, err := f.Link.Read()
		if err != nil {
			return msg, err
		}
		var head struct{ Type, Session string }
		json.Unmarshal(msg, &head)
		switch head.Type {
		case seat.TypeSettings:
			f.session, _ = strconv.ParseUint(head.Session, 10, 64)
			f.turns = 0
		case seat.TypeError:
			if f.fault == "garbage" && f.faulty() {
				if err := f.Link.Write([]byte("I would rather talk it over.")); err != nil {
					return nil, err
				}
				continue
			}
		}
		return msg, nil
	}
}

func (f *faultyLink) Write(msg []byte) error {
	f.turns++
	if f.fault == "slow" {
		time.Sleep(2 * time.Millisecond)
	}
	if f.faulty() {
		switch f.fault {
		case "hang":
			for {
				if _, err := os.Stat(f.file); f.file != "" && err != nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		case "exit":
			fmt.Fprintln(os.Stderr, "agent: giving up")
			os.Exit(3)
		case "garbage":
			return f.Link.Write([]byte("I would rather talk it over."))
		}
	}
	return f.Link.Write(msg)
}

// agentSpec is the negotiator spec of the test binary as an agent.
func agentSpec(t *testing.T, args ...string) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("cmd:'%s' %s %s", exe, agentArg, strings.Join(args, " "))
}

// agentsSpec is a Laptop tournament of the given negotiators (quoted for
// YAML) with agents settings.
func agentsSpec(t testing.TB, negotiators []string, reps int, agents string) string {
	var q []string
	for _, n := range negotiators {
		b, _ := json.Marshal(n)
		q = append(q, string(b))
	}
	return fmt.Sprintf("seed: 5\nscenarios: [%s]\nnegotiators: [%s]\ndeadline: {rounds: 30}\nrepetitions: %d\n%s",
		filepath.Join(domainsDir(t), "ANAC2011_Laptop"), strings.Join(q, ", "), reps, agents)
}

// failureRecords reads every record of a store with its failure.
func failureRecords(t *testing.T, path string) ([]tournament.Record, []tournament.Times) {
	t.Helper()
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var recs []tournament.Record
	if err := st.Scan(func(r *tournament.Record) error {
		c := *r
		c.Utility = append([]float64(nil), r.Utility...)
		c.Discounted = append([]float64(nil), r.Discounted...)
		if r.Failure != nil {
			f := *r.Failure
			c.Failure = &f
		}
		recs = append(recs, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	times, err := st.Times()
	if err != nil {
		t.Fatal(err)
	}
	return recs, times
}

// turns is how many of the first steps actions of a bilateral SAOP
// session seat s took (the seats alternate, seat 0 first).
func turns(steps, s int) uint64 {
	if steps <= s {
		return 0
	}
	return uint64((steps - s + 1) / 2)
}

// TestAgentFaults: a tournament of built-in negotiators and agent
// processes, three of which misbehave in some sessions (one hangs, one
// exits mid-session, one writes garbage). Each session in which a fault
// strikes is recorded once, as failed, with the failing seat and its
// cause; every other session is recorded once, exactly as the same
// tournament of built-in strategies plays it; the tournament completes,
// and the answer times count every answer of every recorded session.
func TestAgentFaults(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "ref"), 0o755)
	os.Mkdir(filepath.Join(dir, "agents"), 0o755)
	const reps = 3
	refPlan, _ := writeSpec(t, filepath.Join(dir, "ref"), agentsSpec(t, []string{"boulware", "conceder", "linear", "titfortat"}, reps, ""))
	refDB := filepath.Join(dir, "ref.db")
	runInProcess(t, refPlan, refDB, 2)
	want := dump(t, refDB)

	type fault struct {
		cause session.Cause
		every uint64
		says  string
	}
	faults := map[int]fault{
		1: {session.CauseTimeout, 6, "no answer within 2s"},
		2: {session.CauseCrash, 4, "agent: giving up"},
		3: {session.CauseGarbage, 5, `not a JSON object: "I would rather talk it over."`},
	}
	negs := []string{"boulware", agentSpec(t, "conceder", "hang", "6"), agentSpec(t, "linear", "exit", "4"), agentSpec(t, "titfortat", "garbage", "5")}
	p, _ := writeSpec(t, filepath.Join(dir, "agents"), agentsSpec(t, negs, reps,
		"agents: {concurrency: 3, action_timeout: 2s, max_errors: 1}\n"))
	db := filepath.Join(dir, "agents.db")
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	stats, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	got, times := failureRecords(t, db)
	if len(got) != len(want) || stats.Committed != p.Total {
		t.Fatalf("%d sessions recorded (%d committed), want %d", len(got), stats.Committed, len(want))
	}
	rv := p.Canonical.Scenarios[0].Payoffs
	var failed uint64
	wantActions := map[int]uint64{}
	var assign []int
	for i := range want {
		w, g := &want[i], &got[i]
		if g.Number != uint64(i) {
			t.Fatalf("record %d is session %d: sessions lost or repeated", i, g.Number)
		}
		assign = tournament.AssignmentOf(len(negs), 2, tournament.RotationAll, w.Assignment, assign)
		// The seat whose fault strikes first: its second turn comes at
		// action s+3, if the session lasts that long.
		fails := -1
		for s, n := range assign {
			if f, ok := faults[n]; ok && w.Number%f.every == 0 && w.Steps >= s+3 {
				fails = s
				break
			}
		}
		steps := w.Steps
		if fails < 0 {
			if g.Failure != nil || !sameRecord(g, w) {
				t.Errorf("session %d: got %+v (failure %v), want as the built-in tournament %+v", i, *g, g.Failure, *w)
			}
		} else {
			failed++
			f := faults[assign[fails]]
			steps = fails + 3
			switch {
			case g.Status != session.StatusFailed || g.Agreed || g.Failure == nil:
				t.Errorf("session %d: status %s, failure %v; want seat %d (%s) failed", i, g.Status, g.Failure, fails, negs[assign[fails]])
			case g.FailedSeat != fails || g.Failure.Cause != f.cause || !strings.Contains(g.Failure.Message, f.says) ||
				g.Failure.Seat != p.Canonical.Scenarios[0].Parties[fails]:
				t.Errorf("session %d: failure of seat %d %+v; want seat %d, %s, saying %q", i, g.FailedSeat, *g.Failure, fails, f.cause, f.says)
			default:
				for s := range g.Utility {
					if g.Utility[s] != rv[s].ReservationLow {
						t.Errorf("session %d: seat %d paid %v, not its reservation value %v", i, s, g.Utility[s], rv[s].ReservationLow)
					}
				}
			}
		}
		for s, n := range assign {
			if n > 0 {
				wantActions[n] += turns(steps, s)
			}
		}
	}
	t.Logf("%d of %d sessions failed; answer times %+v", failed, len(got), times)
	if failed < 6 || stats.Failed != failed {
		t.Errorf("%d sessions failed (the run counted %d): the test wants several", failed, stats.Failed)
	}
	if len(times) != 3 {
		t.Fatalf("answer times of %d negotiators, want the 3 agents: %+v", len(times), times)
	}
	for _, tm := range times {
		if tm.Actions != wantActions[tm.Negotiator] || tm.Mean() <= 0 || tm.Quantile(0.99) < tm.Mean()/2 {
			t.Errorf("%s: %d answers, mean %v, p99 ≤ %v; want %d answers", negs[tm.Negotiator], tm.Actions, tm.Mean(), tm.Quantile(0.99), wantActions[tm.Negotiator])
		}
	}
	// The hanging agent's timeouts lie in its slowest percent.
	if tm := times[0]; tm.Negotiator != 1 || tm.Quantile(0.999) < 2*time.Second {
		t.Errorf("the hanging agent's answer times %+v lack its timeouts", tm)
	}

	// A failure's message altered by hand: its row is damaged; removing
	// it and playing its sessions again restores the store.
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var victim int64
	if err := conn.QueryRow("SELECT session FROM failures ORDER BY session LIMIT 1").Scan(&victim); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("UPDATE failures SET message = 'all fine' WHERE session = ?", victim); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	var dmg *DamagedError
	if _, err := Open(db); !errors.As(err, &dmg) || len(dmg.Rows) != 1 || dmg.Rows[0].First > uint64(victim) ||
		!strings.Contains(err.Error(), "checksum does not match its records, ") {
		t.Fatalf("an altered failure: %v", err)
	}
	st, err = Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RemoveDamaged(); err != nil {
		t.Fatal(err)
	}
	done, err := st.Done()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, Done: done}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	again, times2 := failureRecords(t, db)
	for i := range got {
		g, a := &got[i], &again[i]
		if !sameRecord(a, g) || (a.Failure == nil) != (g.Failure == nil) || a.Failure != nil && *a.Failure != *g.Failure {
			t.Errorf("session %d after replaying the damaged row: %+v %v, was %+v %v", i, *a, a.Failure, *g, g.Failure)
		}
	}
	for k := range times2 {
		if times2[k].Actions != times[k].Actions {
			t.Errorf("after replaying the damaged row, %s has %d answers, was %d", negs[times2[k].Negotiator], times2[k].Actions, times[k].Actions)
		}
	}
}

// TestAgentCancelResume: cancelling a tournament of agents while one of
// them hangs (with an action timeout far longer than the test) returns
// promptly, leaves none of their processes behind and records no failure
// for the sessions it stopped; resuming plays the rest, and the store ends
// as the same tournament of built-in strategies.
func TestAgentCancelResume(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc to look for agent processes in")
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "ref"), 0o755)
	os.Mkdir(filepath.Join(dir, "agents"), 0o755)
	refPlan, _ := writeSpec(t, filepath.Join(dir, "ref"), agentsSpec(t, []string{"boulware", "conceder", "linear"}, 2, ""))
	refDB := filepath.Join(dir, "ref.db")
	runInProcess(t, refPlan, refDB, 2)
	want := dump(t, refDB)

	token := fmt.Sprintf("token-%d-%d", os.Getpid(), time.Now().UnixNano())
	hangFile := filepath.Join(dir, "hang")
	os.WriteFile(hangFile, nil, 0o644)
	negs := []string{"boulware", agentSpec(t, "conceder", "slow", "0", "-", token), agentSpec(t, "linear", "hang", "5", hangFile, token)}
	p, _ := writeSpec(t, filepath.Join(dir, "agents"), agentsSpec(t, negs, 2, "agents: {concurrency: 2, action_timeout: 10m}\n"))
	db := filepath.Join(dir, "agents.db")
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// Sessions 5, 10 and 15 (linear's) hang: cancel once the count of
	// recorded sessions has stood still for a second, each worker stuck in
	// a hanging session (or every other session recorded).
	go func() {
		last, since := uint64(0), time.Now()
		for ctx.Err() == nil {
			n, _ := st.Count()
			if n != last {
				last, since = n, time.Now()
			}
			if n > 0 && time.Since(since) > time.Second {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	done := make(chan error, 1)
	go func() {
		_, err := tournament.Run(ctx, p, st, tournament.Options{Workers: 2, CommitEvery: 20 * time.Millisecond})
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the cancelled tournament did not return (the agents' 10-minute timeout would have)")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	if ps := agentProcesses(token); len(ps) > 0 {
		t.Fatalf("agent processes left after the run was cancelled: %v", ps)
	}
	n, _ := st.Count()
	st.Close()
	if n == 0 || n >= p.Total {
		t.Fatalf("%d of %d sessions recorded when cancelled: the test wants a run stopped midway", n, p.Total)
	}
	partial, _ := failureRecords(t, db)
	for i := range partial {
		g := &partial[i]
		if g.Failure != nil || !sameRecord(g, &want[g.Number]) {
			t.Errorf("recorded before the cancel: %+v (failure %v), want %+v", *g, g.Failure, want[g.Number])
		}
	}

	os.Remove(hangFile) // the agent plays straight from now on
	st, err = Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	doneSet, err := st.Done()
	if err != nil {
		t.Fatal(err)
	}
	stats, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, Done: doneSet})
	st.Close()
	if err != nil || stats.Committed != p.Total-n || stats.Failed != 0 {
		t.Fatalf("resumed: %+v, %v", stats, err)
	}
	got, times := failureRecords(t, db)
	sameRecords(t, "resumed", got, want)
	for i := range got {
		if got[i].Failure != nil {
			t.Errorf("session %d failed: %v", i, got[i].Failure)
		}
	}
	if len(times) != 2 || times[0].Negotiator != 1 || times[1].Negotiator != 2 || times[0].Actions == 0 {
		t.Errorf("answer times %+v, want both agents'", times)
	}
	if ps := agentProcesses(token); len(ps) > 0 {
		t.Errorf("agent processes left after the run: %v", ps)
	}
}

// agentProcesses lists the live processes whose command line holds token
// (zombies aside).
func agentProcesses(token string) []string {
	if runtime.GOOS != "linux" {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		pid := e.Name()
		if _, err := strconv.Atoi(pid); err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		if err != nil || !bytes.Contains(cmd, []byte(token)) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", pid, "stat"))
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		found = append(found, pid+": "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return found
}

// pipeSeats is a tournament.Dialer of seats played in this process: a spec
// pipe:NAME is the built-in NAME played through a seat.Pipe by the Go
// client, as a language model's seat is played through its own Conn.
func pipeSeats(spec string) (func() (seat.Conn, error), bool, error) {
	name, ok := strings.CutPrefix(spec, "pipe:")
	if !ok {
		return nil, false, nil
	}
	sp, err := negotiator.Parse(name)
	if err != nil {
		return nil, true, err
	}
	return func() (seat.Conn, error) {
		conn, end := seat.Pipe()
		go (&client.Player{New: sp.New}).Play(pipeLink{end})
		return conn, nil
	}, true, nil
}

// pipeLink is a client.Link over a seat.PipeEnd.
type pipeLink struct{ end *seat.PipeEnd }

func (l pipeLink) Read() ([]byte, error) {
	m, ok := <-l.end.In
	if !ok {
		return nil, io.EOF
	}
	return m, nil
}

func (l pipeLink) Write(m []byte) error { l.end.Write(m); return nil }

// TestDialerSeats: outside seats of another kind than cmd: (made by a
// tournament.Dialer, as a language model's are) are accepted by the spec
// that is given the Dialer, refused with a position by one that is not,
// and play the tournament as their strategies built in would, their
// answer times kept.
func TestDialerSeats(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "ref"), 0o755)
	refPlan, _ := writeSpec(t, filepath.Join(dir, "ref"), agentsSpec(t, []string{"boulware", "conceder", "linear"}, 2, ""))
	refDB := filepath.Join(dir, "ref.db")
	runInProcess(t, refPlan, refDB, 2)
	want := dump(t, refDB)

	text := agentsSpec(t, []string{"boulware", "pipe:conceder", "pipe:linear"}, 2, "agents: {concurrency: 3}\n")
	if _, err := tournament.ParseSpec([]byte(text), "p.yaml"); err == nil || !strings.Contains(err.Error(), `p.yaml:3:27: negotiators[1]: unknown negotiator "pipe"`) {
		t.Errorf("a pipe: seat without its Dialer: %v", err)
	}
	if _, err := tournament.ParseSpecWith([]byte(strings.Replace(text, "pipe:linear", "pipe:linar", 1)), "p.yaml", pipeSeats); err == nil ||
		!strings.Contains(err.Error(), `p.yaml:3:44: negotiators[2]: unknown negotiator "linar"`) {
		t.Errorf("a misspelt pipe: seat: %v", err)
	}
	path := filepath.Join(dir, "pipes.yaml")
	os.WriteFile(path, []byte(text), 0o644)
	s, err := tournament.LoadSpecWith(path, pipeSeats)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Agents() || !slices.Equal(p.Canonical.Agents.Outside, []bool{false, true, true, false}) {
		t.Fatalf("agents: %+v", p.Canonical.Agents)
	}
	db := filepath.Join(dir, "pipes.db")
	runInProcess(t, p, db, 2)
	got, times := failureRecords(t, db)
	sameRecords(t, "pipe seats", got, want)
	if len(times) != 2 || times[0].Negotiator != 1 || times[1].Negotiator != 2 || times[0].Actions == 0 || times[1].Actions == 0 {
		t.Errorf("answer times %+v", times)
	}
}

// TestOutsideMediator: the mediator may be played from outside too; its
// answer times are kept as the mediator's (after the negotiators'), and
// the sessions are those of the built-in mediator.
func TestOutsideMediator(t *testing.T) {
	dir := t.TempDir()
	laptop := filepath.Join(domainsDir(t), "ANAC2011_Laptop")
	spec := "seed: 2\nscenarios: [" + laptop + "]\nnegotiators: [boulware, conceder]\nprotocol: mediated\nmediator: %s\nrepetitions: 2\n"
	os.Mkdir(filepath.Join(dir, "ref"), 0o755)
	refPlan, _ := writeSpec(t, filepath.Join(dir, "ref"), fmt.Sprintf(spec, "veto"))
	runInProcess(t, refPlan, filepath.Join(dir, "ref.db"), 2)
	want := dump(t, filepath.Join(dir, "ref.db"))

	path := filepath.Join(dir, "m.yaml")
	os.WriteFile(path, []byte(fmt.Sprintf(spec, "pipe:veto")), 0o644)
	s, err := tournament.LoadSpecWith(path, pipeSeats)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "m.db")
	runInProcess(t, p, db, 2)
	got, times := failureRecords(t, db)
	sameRecords(t, "an outside mediator", got, want)
	if len(times) != 1 || times[0].Negotiator != 2 || times[0].Actions == 0 {
		t.Errorf("answer times %+v, want the mediator's (negotiator 2)", times)
	}
	st, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := tournament.Summarize(st.Canonical, st.Scan)
	if err != nil {
		t.Fatal(err)
	}
	sum.AddTimes(st.Canonical, times)
	if len(sum.Times) != 1 || sum.Times[0].Negotiator != "pipe:veto" {
		t.Errorf("the report's answer times %+v", sum.Times)
	}
}
