package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/tournament"
)

// TestMain doubles as the child process of TestKillResume: with
// PARLEY_TOURNAMENT_CHILD set it runs one tournament into a store and exits;
// and as an agent of the tournaments of agents_test.go (testAgent).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == agentArg {
		os.Exit(testAgent(os.Args[2:]))
	}
	if os.Getenv("PARLEY_TOURNAMENT_CHILD") == "1" {
		os.Exit(child(os.Getenv("PARLEY_SPEC"), os.Getenv("PARLEY_DB")))
	}
	os.Exit(m.Run())
}

func child(specPath, db string) int {
	s, err := tournament.LoadSpec(specPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	st, err := Create(db, p, nil, "test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer st.Close()
	done, err := st.Done()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	// Commit often so that kills land between and inside transactions.
	_, err = tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, Done: done, CommitEvery: 5 * time.Millisecond, CommitRows: 300, BatchSize: 64})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// dump reads every record of a store, checking that there is one per
// session number.
func dump(t *testing.T, path string) []tournament.Record {
	t.Helper()
	recs := records(t, path)
	for i, r := range recs {
		if r.Number != uint64(i) {
			t.Fatalf("record %d has session number %d: sessions missing or repeated", i, r.Number)
		}
	}
	return recs
}

// records reads every record of a store in session order.
func records(t *testing.T, path string) []tournament.Record {
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
		recs = append(recs, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

func sameRecords(t *testing.T, what string, got, want []tournament.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d sessions, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !sameRecord(&got[i], &want[i]) {
			t.Fatalf("%s: session %d differs:\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

// sameRecord reports whether two records are the same, bit for bit (NaNs
// equal).
func sameRecord(g, w *tournament.Record) bool {
	eq := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	ok := g.Number == w.Number && g.Scenario == w.Scenario && g.Assignment == w.Assignment && g.Repetition == w.Repetition &&
		g.Seed == w.Seed && g.Agreed == w.Agreed && g.Status == w.Status && g.End == w.End && g.WalkedOut == w.WalkedOut && g.Round == w.Round &&
		eq(g.Time, w.Time) && g.Steps == w.Steps && g.Outcome == w.Outcome && eq(g.Pareto, w.Pareto) && eq(g.Nash, w.Nash) &&
		len(g.Utility) == len(w.Utility) && len(g.Discounted) == len(w.Discounted)
	for k := range g.Utility {
		ok = ok && eq(g.Utility[k], w.Utility[k]) && eq(g.Discounted[k], w.Discounted[k])
	}
	return ok
}

// runInProcess runs the whole tournament uninterrupted into a new store.
func runInProcess(t *testing.T, p *tournament.Plan, db string, workers int) {
	t.Helper()
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: workers}); err != nil {
		t.Fatal(err)
	}
}

const killSpec = `name: kill
seed: 11
scenarios: [%s, %s]
negotiators: [boulware, conceder, linear, random, frequency]
repetitions: %d
`

// TestKillResume SIGKILLs a tournament process at random moments and
// resumes it each time; the store must end with every session exactly once,
// identical to an uninterrupted run.
func TestKillResume(t *testing.T) {
	d := domainsDir(t)
	dir := t.TempDir()
	reps := 1200
	if testing.Short() {
		reps = 200
	}
	p, spec := writeSpec(t, dir, fmt.Sprintf(killSpec, filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(d, "ANAC2011_Car"), reps))
	want := filepath.Join(dir, "want.db")
	runInProcess(t, p, want, 2)

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "killed.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills, partial := 0, 0
	for attempt := 0; ; attempt++ {
		if attempt > 200 {
			t.Fatal("the tournament did not finish after 200 runs")
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "PARLEY_TOURNAMENT_CHILD=1", "PARLEY_SPEC="+spec, "PARLEY_DB="+db)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		delay := time.Duration(10+rng.IntN(250)) * time.Millisecond
		if kills >= 6 {
			delay = time.Hour // enough kills: let it finish
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("child failed: %v\n%s", err, stderr.String())
			}
			goto finished
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			err := <-exited
			var ee *exec.ExitError
			if err == nil {
				goto finished // it finished just before the kill
			}
			if !errors.As(err, &ee) {
				t.Fatal(err)
			}
			kills++
			if st, err := Open(db); err == nil {
				n, _ := st.Count()
				st.Close()
				if n > 0 && n < p.Total {
					partial++
				}
				t.Logf("killed after %v: %d of %d sessions recorded", delay, n, p.Total)
			}
		}
	}
finished:
	if partial < 2 {
		t.Logf("only %d kills landed while the tournament was partly recorded (the machine is fast or slow); the check still holds", partial)
	}
	sameRecords(t, "killed and resumed", dump(t, db), dump(t, want))
	t.Logf("%d kills, %d with the tournament partly recorded; %d sessions each recorded once", kills, partial, p.Total)
}

// TestWorkersSameResults runs one tournament with 1, 2 and 5 workers.
func TestWorkersSameResults(t *testing.T) {
	d := domainsDir(t)
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, fmt.Sprintf(killSpec, filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(d, "ANAC2015_Tram"), 30))
	var want []tournament.Record
	for _, w := range []int{1, 2, 5} {
		db := filepath.Join(dir, fmt.Sprintf("w%d.db", w))
		runInProcess(t, p, db, w)
		got := dump(t, db)
		if want == nil {
			want = got
			if uint64(len(want)) != p.Total {
				t.Fatalf("%d sessions recorded, want %d", len(want), p.Total)
			}
			continue
		}
		sameRecords(t, fmt.Sprintf("%d workers", w), got, want)
	}
}
