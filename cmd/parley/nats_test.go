package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/parleyhq/parley/tournament/cluster"
)

// Test hooks of parley worker processes (the test binary run as parley):
// a worker panics on a session, plays each slowly, or stalls once it has
// sent part of a shard.
const (
	panicEnv = "PARLEY_TEST_WORKER_PANIC"
	delayEnv = "PARLEY_TEST_WORKER_DELAY"
	stallEnv = "PARLEY_TEST_WORKER_STALL"
)

// Set before any init runs (the test binary turns into parley in one).
var _ = func() bool {
	if os.Getenv(agentCLIEnv) != "1" {
		return false
	}
	var h cluster.TestHooks
	if at, err := strconv.ParseUint(os.Getenv(panicEnv), 10, 64); err == nil {
		h.PanicOn = []uint64{at}
	}
	h.Delay, _ = time.ParseDuration(os.Getenv(delayEnv))
	h.StallAfterSend = os.Getenv(stallEnv) == "1"
	cluster.SetTestHooks(h)
	return true
}()

// testNATS is a real nats-server with JetStream in the test process, on a
// port of its own and a store in the test's folder, that can be stopped
// and started again.
type testNATS struct {
	t    testing.TB
	dir  string
	port int
	s    *server.Server
}

func newTestNATS(t testing.TB) *testNATS {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &testNATS{t: t, dir: t.TempDir(), port: l.Addr().(*net.TCPAddr).Port}
	l.Close()
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *testNATS) start() {
	if err := n.restart(); err != nil {
		n.t.Fatal(err)
	}
}

// restart starts the server again, on its port and store; unlike start
// it may be called from any goroutine.
func (n *testNATS) restart() error {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: n.port, JetStream: true, StoreDir: n.dir, NoSigs: true})
	if err != nil {
		return err
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		return errors.New("nats-server did not start")
	}
	n.s = s
	return nil
}

func (n *testNATS) stop() {
	if n.s != nil {
		n.s.Shutdown()
		n.s.WaitForShutdown()
		n.s = nil
	}
}

func (n *testNATS) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.port) }

// parleyProc is parley (the test binary) running a command in a process
// of its own.
type parleyProc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error
}

func startParley(t testing.TB, env []string, args ...string) *parleyProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append(os.Environ(), agentCLIEnv+"=1"), env...)
	p := &parleyProc{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		p.done <- nil
	})
	return p
}

// workerFleet runs parley worker processes; with restart, a supervisor
// starts a worker again when one dies (as a container's restart policy
// does).
type workerFleet struct {
	t    *testing.T
	mu   sync.Mutex
	url  string
	opts fleetOpts
	ps   []*parleyProc
	logs []string
	stop chan struct{}
	wg   sync.WaitGroup
}

// fleetOpts are a fleet's: whether it restarts its workers, the
// environment of each (test hooks), and what w1's adds.
type fleetOpts struct {
	restart bool
	env     []string
	first   []string
}

func startFleet(t *testing.T, n int, url string, opts fleetOpts) *workerFleet {
	f := &workerFleet{t: t, opts: opts, stop: make(chan struct{}), url: url}
	for i := range n {
		f.ps = append(f.ps, f.start(i))
	}
	if opts.restart {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for {
				select {
				case <-f.stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				f.mu.Lock()
				for i, p := range f.ps {
					select {
					case <-p.done:
						p.done <- nil
						f.logs = append(f.logs, p.stderr.String())
						f.ps[i] = f.start(i)
					default:
					}
				}
				f.mu.Unlock()
			}
		}()
	}
	t.Cleanup(func() { close(f.stop); f.wg.Wait() })
	return f
}

func (f *workerFleet) start(i int) *parleyProc {
	env := f.opts.env
	if i == 0 {
		env = append(slices.Clone(env), f.opts.first...)
	}
	return startParley(f.t, env, "worker", "--nats", f.url, "-c", "1", "--id", fmt.Sprintf("w%d", i+1), "--cache", filepath.Join(f.t.TempDir(), "cache"))
}

// log is every worker's standard error so far.
func (f *workerFleet) log() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := strings.Join(f.logs, "")
	for _, p := range f.ps {
		out += p.stderr.String()
	}
	return out
}

// natsSpec writes a Laptop tournament of n·2·2 sessions and returns its
// path and a local run's sessions, as exported.
func natsSpec(t *testing.T, reps int) (spec string, want []map[string]any) {
	t.Helper()
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	dir := t.TempDir()
	spec = filepath.Join(dir, "t.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 21\nscenarios: [%s]\nnegotiators: [boulware, conceder]\ndeadline: {rounds: 40}\nrepetitions: %d\n", laptop, reps)), 0o644)
	ref := filepath.Join(dir, "local.db")
	if code, _, errs := runCLI("tournament", spec, "--db", ref, "-q"); code != 0 {
		t.Fatal(errs)
	}
	return spec, exported(t, ref)
}

// sameSessions fails unless db holds exactly the sessions of want.
func sameSessions(t *testing.T, db string, want []map[string]any) {
	t.Helper()
	got := exported(t, db)
	if len(got) != len(want) {
		t.Fatalf("%d sessions recorded, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("session %d:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
}

// waitFor waits up to a minute for ok, and says whether it came.
func waitFor(ok func() bool) bool {
	for deadline := time.Now().Add(time.Minute); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// TestNATSWorkerKilled: three parley worker processes play a tournament
// that parley tournament --nats coordinates; one is killed with SIGKILL in
// the middle of a shard, once JetStream has stored part of its records (a
// test hook stalls it there, so that the kill lands mid-shard on any
// machine). Another plays the shard again, the copies are dropped, and the
// store equals a local run's, every session once. The coordinator's lines
// of progress and its report give each worker's rate.
func TestNATSWorkerKilled(t *testing.T) {
	spec, want := natsSpec(t, 400) // 1600 sessions
	n := newTestNATS(t)
	fleet := startFleet(t, 3, n.url(), fleetOpts{env: []string{delayEnv + "=4ms"}, first: []string{stallEnv + "=1"}})
	db := filepath.Join(t.TempDir(), "cluster.db")
	killed := make(chan bool, 1)
	go func() {
		// Shards of 200 sessions take 800ms; w1 sends its first records
		// some 200ms into its first, and stalls.
		ok := waitFor(func() bool { return strings.Contains(fleet.ps[0].stderr.String(), "test hook: stalling") })
		if ok {
			fleet.ps[0].cmd.Process.Signal(syscall.SIGKILL)
		}
		killed <- ok
	}()
	code, _, errs := runCLI("tournament", spec, "--db", db, "--nats", n.url(), "--shard", "200", "--ack-wait", "1s", "--progress", "lines", "-q")
	if !<-killed {
		t.Fatalf("w1 never stalled mid-shard:\n%s", fleet.log())
	}
	if code != 0 {
		t.Fatalf("exit %d: %s\nworkers:\n%s", code, errs, fleet.log())
	}
	sameSessions(t, db, want)
	// w1 sent part of a shard and finished none. (Its shard's records
	// played again are dropped by JetStream, which has their message ids,
	// or by the coordinator, which has their sessions.)
	var shards, sessions int
	if i := strings.Index(errs, "\nw1 "); i < 0 || !strings.Contains(errs, "1600 sessions in") || !strings.Contains(errs, "coordinator CPU") {
		t.Errorf("stderr:\n%s", errs)
	} else if fmt.Sscanf(errs[i+1:], "w1 %d %d", &shards, &sessions); shards != 0 || sessions == 0 || sessions >= 200 {
		t.Errorf("w1 finished %d shards and sent %d sessions: want it killed mid-shard\n%s", shards, sessions, errs)
	}
	var total int
	for _, w := range []string{"w1", "w2", "w3"} {
		i := strings.Index(errs, "\n"+w+" ")
		if i < 0 {
			t.Errorf("no line for worker %s:\n%s", w, errs)
			continue
		}
		var sh, ss int
		fmt.Sscanf(errs[i+1:], w+" %d %d", &sh, &ss)
		total += ss
	}
	if total < 1600 {
		t.Errorf("the workers sent %d sessions in all, want 1600 and w1's copies:\n%s", total, errs)
	}
	if !regexp.MustCompile(`(?m)^workers: (w[123] [0-9]+/s(, |$))+`).MatchString(errs) {
		t.Errorf("no line of progress with the workers' rates:\n%s", errs)
	}
}

// TestNATSCoordinatorRestart: the coordinator killed with SIGKILL mid-run
// and started again resumes: the results workers sent meanwhile are
// taken up, and the store equals a local run's.
func TestNATSCoordinatorRestart(t *testing.T) {
	spec, want := natsSpec(t, 400)
	n := newTestNATS(t)
	fleet := startFleet(t, 2, n.url(), fleetOpts{env: []string{delayEnv + "=1ms"}})
	db := filepath.Join(t.TempDir(), "cluster.db")
	args := []string{"tournament", spec, "--db", db, "--nats", n.url(), "--shard", "100", "--ack-wait", "1s", "-q"}
	coord := startParley(t, nil, append(args, "--progress", "lines")...)
	if !waitFor(func() bool { return recorded(db) >= 200 }) {
		t.Fatalf("nothing recorded in a minute: %s", coord.stderr)
	}
	coord.cmd.Process.Signal(syscall.SIGKILL)
	<-coord.done
	coord.done <- nil
	before := recorded(db)
	time.Sleep(300 * time.Millisecond) // workers go on meanwhile
	code, _, errs := runCLI(args...)
	if code != 0 {
		t.Fatalf("exit %d: %s\nworkers:\n%s", code, errs, fleet.log())
	}
	if before >= 1600 || !strings.Contains(errs, fmt.Sprintf("resuming %s: %d of 1600", db, before)) {
		t.Errorf("the restarted coordinator did not resume from %d sessions:\n%s", before, errs)
	}
	sameSessions(t, db, want)
}

// TestNATSServerRestart: NATS stopped in the middle of a run and started
// again on its store: coordinator and workers reconnect, and the store
// equals a local run's, no session lost or recorded twice.
func TestNATSServerRestart(t *testing.T) {
	spec, want := natsSpec(t, 400)
	n := newTestNATS(t)
	startFleet(t, 2, n.url(), fleetOpts{env: []string{delayEnv + "=1ms"}})
	db := filepath.Join(t.TempDir(), "cluster.db")
	stoppedAt := make(chan int, 1)
	go func() {
		if !waitFor(func() bool { return recorded(db) >= 300 }) {
			stoppedAt <- -1
			return
		}
		at := recorded(db)
		n.stop()
		time.Sleep(time.Second)
		if err := n.restart(); err != nil {
			t.Error(err)
		}
		stoppedAt <- at
	}()
	code, _, errs := runCLI("tournament", spec, "--db", db, "--nats", n.url(), "--shard", "100", "--ack-wait", "2s", "-q")
	at := <-stoppedAt
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if at < 300 || at >= 1600 {
		t.Fatalf("NATS was stopped with %d of 1600 sessions recorded: want it mid-run", at)
	}
	sameSessions(t, db, want)
}

// TestNATSPoisonedShard: a session that makes every worker that plays it
// panic poisons its shard. Workers die (and are started again, as a
// container's restart policy would) until the shard reaches max_deliver:
// it is recorded as failed, the report says so and why, the command fails
// saying so, and every other session is recorded.
func TestNATSPoisonedShard(t *testing.T) {
	spec, want := natsSpec(t, 200) // 800 sessions
	n := newTestNATS(t)
	fleet := startFleet(t, 3, n.url(), fleetOpts{restart: true, env: []string{panicEnv + "=333"}})
	db := filepath.Join(t.TempDir(), "cluster.db")
	code, out, errs := runCLI("tournament", spec, "--db", db, "--nats", n.url(), "--shard", "100", "--ack-wait", "1s", "--max-deliver", "2")
	if code != 1 || !strings.Contains(errs, "1 shards (") || !strings.Contains(errs, "could not be played by any worker") {
		t.Fatalf("exit %d: %s\nworkers:\n%s", code, errs, fleet.log())
	}
	if !strings.Contains(fleet.log(), "panics on session 333") {
		t.Errorf("no worker panicked:\n%s", fleet.log())
	}
	code, report, _ := runCLI("tournament", "report", db)
	for _, s := range []string{out, report} {
		if code != 0 || !strings.Contains(s, "failed shards: 1 shards") || !strings.Contains(s, "stopped before finishing it") {
			t.Errorf("report:\n%s", s)
		}
	}
	got := exported(t, db)
	var lo, hi int
	fmt.Sscanf(report[strings.Index(report, "  sessions "):], "  sessions %d to %d", &lo, &hi)
	if lo > 333 || hi < 333 {
		t.Fatalf("shard %d-%d failed, not the one with session 333", lo, hi)
	}
	// A worker sends a shard's results as it plays, so the sessions of
	// the failed shard before the one that panics may be recorded (each
	// once, as played anywhere); from the panic on none is, and every
	// other shard is recorded whole.
	seen := map[int]bool{}
	for _, r := range got {
		i := int(r["session"].(float64))
		if seen[i] || i >= len(want) || (i >= 333 && i <= hi) {
			t.Fatalf("session %d recorded twice, out of range, or at or after the panic in the failed shard %d-%d", i, lo, hi)
		}
		seen[i] = true
		if !reflect.DeepEqual(r, want[i]) {
			t.Fatalf("session %d:\n got %v\nwant %v", i, r, want[i])
		}
	}
	for i := range want {
		if (i < lo || i > hi) && !seen[i] {
			t.Fatalf("session %d, outside the failed shard %d-%d, is not recorded (%d of %d recorded)", i, lo, hi, len(got), len(want))
		}
	}
}

// TestNATSSweep: analyze --what-if --nats draws the sensitivity samples
// on worker processes, in shards, and prints the same analysis, to the
// byte, as drawing them here.
func TestNATSSweep(t *testing.T) {
	n := newTestNATS(t)
	fleet := startFleet(t, 2, n.url(), fleetOpts{})
	args := []string{"analyze", "../../examples/ukraine-2025.yaml", "--what-if", "--samples", "500", "--sample-seed", "3", "--json"}
	code, local, errs := runCLI(args...)
	if code != 0 {
		t.Fatal(errs)
	}
	code, dist, errs := runCLI(append(args, "--nats", n.url(), "--shard", "37")...)
	if code != 0 {
		t.Fatalf("exit %d: %s\nworkers:\n%s", code, errs, fleet.log())
	}
	// The flagship has an agenda: every sample also plays the agenda
	// against the package, on the workers as here.
	if dist != local || !strings.Contains(local, `"samples": 500`) || !strings.Contains(local, `"mean_gain"`) {
		t.Errorf("on workers:\n%.2000s\nhere:\n%.2000s", dist, local)
	}
	if !strings.Contains(fleet.log(), "took shard") {
		t.Errorf("no worker took a shard:\n%s", fleet.log())
	}
	// What each worker drew: the samples add up to 500 (no copies here).
	var sum int
	for _, m := range regexp.MustCompile(`(?m)^w[12] +[0-9]+ +([0-9]+) +0 `).FindAllStringSubmatch(errs, -1) {
		k, _ := strconv.Atoi(m[1])
		sum += k
	}
	if !strings.Contains(errs, "worker  shards  samples  copies dropped  samples/s") || sum != 500 ||
		!strings.Contains(errs, "sensitivity on workers: 500 of 500 samples drawn") {
		t.Errorf("stderr:\n%s", errs)
	}
	// With no worker, --max-time stops the sweep and says where.
	idle := newTestNATS(t)
	code, _, errs = runCLI(append(args[:len(args):len(args)], "--nats", idle.url(), "--max-time", "1s")...)
	if code != 1 || !strings.Contains(errs, "stopped after 1.0s (--max-time 1s): the sensitivity analysis (500 samples) on workers (0 done)") {
		t.Errorf("no worker, --max-time 1s: exit %d, %s", code, errs)
	}
	// Misuse gets a message: --nats without samples to draw, a server
	// that is not there.
	if code, _, errs := runCLI("analyze", "../../examples/ukraine-2025.yaml", "--nats", n.url()); code != 1 || !strings.Contains(errs, "add --what-if") {
		t.Errorf("--nats without --what-if: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI(append(args[:len(args):len(args)], "--nats", "nats://127.0.0.1:1")...); code != 1 || !strings.Contains(errs, "cannot connect to NATS at nats://127.0.0.1:1") {
		t.Errorf("no server: exit %d, %s", code, errs)
	}
}

// TestNATSAgents: a tournament with cmd: agents plays on workers, whose
// agents run in their --agent-dir, into the store a local run makes (but
// for answer times, which are measured).
func TestNATSAgents(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "t.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 8\nscenarios: [%s]\nnegotiators: [boulware, %q]\ndeadline: {rounds: 30}\nrepetitions: 6\n",
		laptop, "cmd:"+exe+" agent conceder")), 0o644)
	ref := filepath.Join(dir, "local.db")
	t.Setenv(agentCLIEnv, "1") // the local run's agents are parley too
	if code, _, errs := runCLI("tournament", spec, "--db", ref, "-q"); code != 0 {
		t.Fatal(errs)
	}
	n := newTestNATS(t)
	fleet := startFleet(t, 2, n.url(), fleetOpts{})
	db := filepath.Join(dir, "cluster.db")
	code, out, errs := runCLI("tournament", spec, "--db", db, "--nats", n.url(), "--shard", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s\nworkers:\n%s", code, errs, fleet.log())
	}
	sameSessions(t, db, exported(t, ref))
	if !strings.Contains(out, "24 of 24 sessions recorded") || !strings.Contains(out, "answer times") {
		t.Errorf("report:\n%s", out)
	}
}

// TestNATSRemoteSeats: a tournament with a remote: seat on --nats. The
// coordinator prints the seat's URLs, waits for its agent and plays the
// line-ups with it itself (the agent is connected to it, and plays one
// session at a time wherever the session runs), while the workers play
// the others; the store equals a local run's with the agent's strategy
// built in.
func TestNATSRemoteSeats(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	dir := t.TempDir()
	write := func(name string, negs ...string) string {
		p := filepath.Join(dir, name+".yaml")
		os.WriteFile(p, fmt.Appendf(nil, "name: t\nseed: 9\nscenarios: [%s]\nnegotiators: %s\nrotation: distinct\nrepetitions: 3\n"+
			"deadline: {rounds: 40}\nagents: {action_timeout: 20s}\n", laptop, quote(negs...)), 0o644)
		return p
	}
	ref := filepath.Join(dir, "builtin.db")
	if code, _, errs := runCLI("tournament", write("builtin", "frequency", "boulware", "conceder"), "--db", ref, "-q"); code != 0 {
		t.Fatal(errs)
	}
	want := named(exportJSONL(t, ref), map[string]string{"frequency": "f"})
	n := newTestNATS(t)
	fleet := startFleet(t, 2, n.url(), fleetOpts{})
	db := filepath.Join(dir, "remote.db")
	c := startCLI(t, 1, "tournament", write("remote", "remote:f", "boulware", "conceder"), "--db", db, "--nats", n.url(), "--progress", "none")
	agent := goAgent(t, "ws", c.seat(t, "remote:f"), "frequency", 0)
	code, out := c.wait(t)
	if code != 0 {
		t.Fatalf("exit %d: %s\nworkers:\n%s", code, c.stderr(), fleet.log())
	}
	agentDone(t, "the agent", agent)
	if got := named(exportJSONL(t, db), map[string]string{"remote:f": "f"}); got != want {
		t.Errorf("on NATS:\n%s\nbuilt in:\n%s", got, want)
	}
	// 6 line-ups of 3 sessions: the 4 with remote:f played here, one
	// shard each; the other 2 by the workers.
	errs := c.stderr()
	if !regexp.MustCompile(`(?m)^coordinator +4 +12 +0 `).MatchString(errs) || !strings.Contains(errs, "18 sessions in") {
		t.Errorf("stderr:\n%s", errs)
	}
	var sessions int
	for _, m := range regexp.MustCompile(`(?m)^w[12] +[0-9]+ +([0-9]+) `).FindAllStringSubmatch(errs, -1) {
		k, _ := strconv.Atoi(m[1])
		sessions += k
	}
	if sessions != 6 || strings.Contains(fleet.log(), "remote: seats") {
		t.Errorf("the workers sent %d sessions, want 6:\n%s\nworkers:\n%s", sessions, errs, fleet.log())
	}
	if !strings.Contains(out, "18 of 18 sessions recorded") || !strings.Contains(out, "answer times") {
		t.Errorf("report:\n%s", out)
	}
}
