package cluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/store"
)

// natsServer is a real nats-server with JetStream, run in the test
// process, its store in a folder of the test's; it can be stopped and
// started again on the same port and store.
type natsServer struct {
	t    testing.TB
	dir  string
	port int
	s    *server.Server
}

func startNATS(t testing.TB) *natsServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	n := &natsServer{t: t, dir: t.TempDir(), port: port}
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *natsServer) start() {
	n.t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: n.port, JetStream: true, StoreDir: n.dir, NoSigs: true})
	if err != nil {
		n.t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		n.t.Fatal("nats-server did not start")
	}
	n.s = s
}

func (n *natsServer) stop() {
	if n.s != nil {
		n.s.Shutdown()
		n.s.WaitForShutdown()
		n.s = nil
	}
}

func (n *natsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.port) }

func (n *natsServer) connect(t testing.TB) *nats.Conn {
	t.Helper()
	nc, err := Connect(n.url(), "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// laptop is ../shared/domains/ANAC2011_Laptop, or skips.
func laptop(t testing.TB) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "..", "..", "..", "shared", "domains", "ANAC2011_Laptop")
	if _, err := os.Stat(p); err != nil {
		t.Skip("../shared/domains is absent")
	}
	return p
}

// writeSpec writes a spec and returns its path.
func writeSpec(t testing.TB, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// plan loads a spec's plan, its scenarios prepared.
func plan(t testing.TB, spec string, dialer tournament.Dialer) *tournament.Plan {
	t.Helper()
	s, err := tournament.LoadSpecWith(spec, dialer)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Prepare(2, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

// localRun plays the spec into a store of its own, as parley tournament
// does, and returns its path.
func localRun(t testing.TB, spec string, dialer tournament.Dialer) string {
	t.Helper()
	p := plan(t, spec, dialer)
	db := filepath.Join(t.TempDir(), "local.db")
	st, err := store.Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return db
}

// contents is what a store holds, a line per session (failure included)
// and a line per negotiator's answer times.
func contents(t testing.TB, db string, times bool) []string {
	t.Helper()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []string
	err = st.Scan(func(r *tournament.Record) error {
		f := ""
		if r.Failure != nil {
			f = fmt.Sprintf(" failed %d %s %s", r.FailedSeat, r.Failure.Cause, r.Failure.Message)
		}
		out = append(out, fmt.Sprintf("%d %d %d %d %d %v %s %s %d %d %v %d %d %v %v %v %v%s", r.Number, r.Scenario, r.Assignment, r.Repetition, r.Seed,
			r.Agreed, r.Status, r.End, r.WalkedOut, r.Round, r.Time, r.Steps, r.Outcome, r.Pareto, r.Nash, r.Utility, r.Discounted, f))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if times {
		ts, err := st.Times()
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			out = append(out, fmt.Sprintf("times %d: %d answers", x.Negotiator, x.Actions))
		}
	}
	return out
}

// sameContents fails the test unless the stores hold the same sessions.
func sameContents(t testing.TB, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("line %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

var workerIDs atomic.Int64

// workers runs n workers in this process until the test ends (or stop).
type workers struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	logs   []*syncBuffer
}

func startWorkers(t testing.TB, nc *nats.Conn, n int, opts WorkerOptions) *workers {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ws := &workers{cancel: cancel}
	for i := range n {
		o := opts
		o.ID = fmt.Sprintf("w%d", workerIDs.Add(1))
		_ = i
		o.Cache = filepath.Join(t.TempDir(), "cache")
		if o.Concurrency == 0 {
			o.Concurrency = 1
		}
		log := &syncBuffer{}
		o.Log = log
		ws.logs = append(ws.logs, log)
		ws.wg.Add(1)
		go func() {
			defer ws.wg.Done()
			if err := Work(ctx, nc, o); err != nil {
				t.Errorf("worker %s: %v", o.ID, err)
			}
		}()
	}
	t.Cleanup(ws.stop)
	return ws
}

func (ws *workers) stop() { ws.cancel(); ws.wg.Wait() }

func (ws *workers) log() string {
	var b strings.Builder
	for _, l := range ws.logs {
		b.WriteString(l.String())
	}
	return b.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// coordinate runs the spec's tournament through NATS into db.
func coordinate(t testing.TB, ctx context.Context, nc *nats.Conn, spec, db string, dialer tournament.Dialer, opts Options) (Stats, error) {
	t.Helper()
	p := plan(t, spec, dialer)
	source, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Create(db, p, source, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	done, err := st.Done()
	if err != nil {
		t.Fatal(err)
	}
	return Tournament(ctx, nc, p, source, spec, st, done, opts)
}
