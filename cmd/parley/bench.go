package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/rusage"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/store"
	"github.com/parleyhq/parley/utility"
)

// BenchCmd runs parley's fixed performance suite: the source of every
// performance figure in the README.
type BenchCmd struct {
	Domains  string        `default:"../shared/domains" help:"Folder of the reference Genius domains (ANAC2011_Laptop, ANAC2011_Car, ...)." type:"path"`
	Sessions uint64        `default:"200000" help:"Sessions of each Laptop tournament run (Boulware vs Conceder, 1 and 2 workers); Car runs a quarter of them."`
	Min      time.Duration `default:"1s" help:"Minimum time of the single-session measurement."`
	Rounds   int           `default:"5" help:"Rounds of each tournament measurement; each round times the session loop and then the tournament, and the figures are the rounds' medians (the machine's speed drifts)."`
	Frontier bool          `default:"true" negatable:"" help:"Time the Pareto frontier on domains of 27 to 10^7 outcomes."`
	Dir      string        `help:"Folder for the tournament databases (default: a temporary folder, removed after)." type:"path"`
}

// Run implements parley bench: the session loop, tournaments into SQLite
// and Pareto frontiers, then one table of every figure.
func (c *BenchCmd) Run(e env) error {
	if err := c.check(); err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "parley bench (%s)\n", version)
	fmt.Fprintf(w, "machine: %s, %d cores (GOMAXPROCS %d), %s %s/%s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	domains, err := c.domains(w)
	if err != nil {
		return err
	}
	t := &benchTable{progress: e.stderr}
	if err := c.sessionLoops(t, domains); err != nil {
		return err
	}
	if err := c.tournaments(t, domains); err != nil {
		return err
	}
	if c.Frontier {
		if err := c.frontiers(t); err != nil {
			return err
		}
	}
	t.rows = append(t.rows, benchRow{"peak memory of this process (getrusage)", fmt.Sprintf("%.1f MB", rusage.PeakRSS()), "resident set, all of the above"})
	return t.write(w)
}

func (c *BenchCmd) check() error {
	switch {
	case c.Sessions < 1000:
		return fmt.Errorf("--sessions %d: give at least 1000 (shorter tournaments measure their start-up, not their throughput)", c.Sessions)
	case c.Rounds < 1:
		return fmt.Errorf("--rounds %d: give at least 1", c.Rounds)
	case c.Min <= 0:
		return fmt.Errorf("--min %s: give a positive duration such as 1s", c.Min)
	}
	return nil
}

// benchDomains are the scenarios the session and tournament figures are
// measured on: Laptop and Car, or the flagship alone when the reference
// domains are absent (Car is then empty).
type benchDomains struct{ laptop, car string }

func (d benchDomains) list() []string {
	if d.car == "" {
		return []string{d.laptop}
	}
	return []string{d.laptop, d.car}
}

// domains finds the reference domains, or falls back on the flagship with
// a note on w.
func (c *BenchCmd) domains(w io.Writer) (benchDomains, error) {
	d := benchDomains{filepath.Join(c.Domains, "ANAC2011_Laptop"), filepath.Join(c.Domains, "ANAC2011_Car")}
	if _, err := os.Stat(d.laptop); err == nil {
		return d, nil
	}
	ex := filepath.Join("examples", "ukraine-2025.yaml")
	if _, err := os.Stat(ex); err != nil {
		return d, fmt.Errorf("the reference domains are not at %s (give --domains), and no examples folder is here to fall back on", c.Domains)
	}
	fmt.Fprintf(w, "NOTE: the reference domains are not at %s (give --domains); measuring %s instead, so the figures are not comparable with the README's.\n\n", c.Domains, ex)
	return benchDomains{laptop: ex}, nil
}

type benchRow struct{ what, figure, note string }

// benchTable collects the figures, echoing each to progress as it comes.
type benchTable struct {
	rows     []benchRow
	progress io.Writer
}

func (t *benchTable) add(what, figure, note string) {
	t.rows = append(t.rows, benchRow{what, figure, note})
	fmt.Fprintf(t.progress, "  %s: %s\n", what, figure)
}

func (t *benchTable) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tfigure\tnote")
	for _, r := range t.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.what, r.figure, r.note)
	}
	return tw.Flush()
}

// sessionLoops times one session after another on one core: the reference
// figure; and the same loop on every core at once. It plays the
// tournament's sessions (both seat orders, the tournament's seeds):
// Boulware as the seller takes longer than as the buyer, so the mix
// matters.
func (c *BenchCmd) sessionLoops(t *benchTable, d benchDomains) error {
	for _, path := range d.list() {
		sc, err := open.Path(path)
		if err != nil {
			return err
		}
		l, err := benchSessions(sc, 1, 0, c.Min)
		if err != nil {
			return err
		}
		t.add(fmt.Sprintf("session loop, %s, %s, saop 100 rounds", sc.Name, benchPlayers(sc)),
			fmt.Sprintf("%.0f sessions/s, %.3g steps/s", l.rate, l.steps), fmt.Sprintf("%.2f µs/session, %.1f steps/session, 1 core, no storage; %.0f sessions per CPU-second", 1e6/l.rate, l.steps/l.rate, l.perCPU))
		if cores := runtime.NumCPU(); cores > 1 {
			a, err := benchSessions(sc, cores, 0, c.Min)
			if err != nil {
				return err
			}
			t.add(fmt.Sprintf("session loop on all %d cores at once, %s", cores, sc.Name),
				fmt.Sprintf("%.0f sessions/s per core", a.rate), fmt.Sprintf("%.0f%% of the one-core loop's rate (measured just before): what this machine's cores do when all are busy", 100*a.rate/l.rate))
		}
	}
	return nil
}

// tournaments times tournaments into SQLite with 1 and 2 workers on each
// domain, in a temporary folder unless --dir names one.
func (c *BenchCmd) tournaments(t *benchTable, d benchDomains) error {
	dir := c.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "parley-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	for _, path := range d.list() {
		n := c.Sessions
		if path == d.car {
			n = max(c.Sessions/4, 1000) // Car sessions are about 4 times longer
		}
		sc, err := open.Path(path)
		if err != nil {
			return err
		}
		for _, workers := range []int{1, 2} {
			if err := c.tournamentRounds(t, sc, path, dir, n, workers); err != nil {
				return err
			}
		}
	}
	return nil
}

// tournamentRounds measures a tournament of n sessions with workers
// workers, c.Rounds times, and adds the medians. Each round times the loop
// just before the tournament, on the same sessions: the machine's speed
// drifts from minute to minute. The loop on one core is the reference; the
// loop on as many cores as workers is what this machine's cores do
// together with nothing else to do (less per core when they share a host
// or caches).
func (c *BenchCmd) tournamentRounds(t *benchTable, sc *scenario.Scenario, path, dir string, n uint64, workers int) error {
	cores := min(workers, runtime.NumCPU())
	var rate, ofOne, ofAll, ofCPU, oneRate, allRate []float64
	for range c.Rounds {
		one, err := benchSessions(sc, 1, n, 0)
		if err != nil {
			return err
		}
		all := one
		if cores > 1 {
			if all, err = benchSessions(sc, cores, n, 0); err != nil {
				return err
			}
		}
		r, cpu, err := benchTournament(path, dir, n, workers, one.seats)
		if err != nil {
			return err
		}
		rate, oneRate, allRate = append(rate, r), append(oneRate, one.rate), append(allRate, all.rate)
		ofOne, ofAll = append(ofOne, r/float64(cores)/one.rate), append(ofAll, r/float64(cores)/all.rate)
		ofCPU = append(ofCPU, cpu/all.perCPU)
	}
	note := fmt.Sprintf("median of %d rounds: %.1f%% of the one-core session loop per worker (loop: %.0f sessions/s)", len(rate), 100*median(ofOne), median(oneRate))
	if cores > 1 {
		note += fmt.Sprintf("; %.1f%% of the loop run on %d cores at once (%.0f sessions/s per core)", 100*median(ofAll), cores, median(allRate))
	}
	note += fmt.Sprintf("; sessions per CPU-second %.1f%% of that loop's (the rest of the CPU is the writer and the hand-over)", 100*median(ofCPU))
	t.add(fmt.Sprintf("tournament, %s, %d sessions into SQLite, %d worker(s)", filepath.Base(path), n, workers),
		fmt.Sprintf("%.0f sessions/s", median(rate)), note)
	return nil
}

// frontiers times the Pareto frontier of the reference domains that are
// present, from 27 to 10^7 outcomes.
func (c *BenchCmd) frontiers(t *benchTable) error {
	for _, d := range []string{"ANAC2011_Laptop", "ANAC2011_Car", "ANAC2010_Travel", "ANAC2011_Energy", "Genius_6issues", "Genius_7issues"} {
		path := filepath.Join(c.Domains, d)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		sc, err := open.Path(path)
		if err != nil {
			return err
		}
		var us []*utility.Additive
		for _, i := range sc.Negotiators() {
			us = append(us, sc.Utility(i))
		}
		sp := sc.Space()
		size, _ := sp.Size()
		start := time.Now()
		f, err := analysis.Frontier(us, sp, analysis.Options{})
		el := time.Since(start)
		if err != nil {
			t.add("frontier "+d, "-", err.Error())
			continue
		}
		t.add(fmt.Sprintf("Pareto frontier, %s (%d outcomes, %d parties)", d, size, len(us)),
			fmt.Sprintf("%.3g s", el.Seconds()), fmt.Sprintf("%d frontier points", len(f.Points)))
	}
	return nil
}

type loopRate struct {
	rate, steps, perCPU float64
	seats               int // negotiating seats of the scenario
}

// benchPlayers says who plays the benchmark's sessions on sc.
func benchPlayers(sc *scenario.Scenario) string {
	seats := len(sc.Negotiators())
	if seats == 2 {
		return "boulware vs conceder in both seat orders"
	}
	return fmt.Sprintf("boulware in each of its %d seats", seats)
}

// benchSessions plays Boulware against Conceder on sc, at least n sessions
// and for at least min, on cores goroutines taking blocks of sessions as
// they go, in both seat orders, with the seeds of a tournament of seed 1:
// the sessions the
// tournaments below play, with nothing else done. On one core it is the
// single-session benchmark; on all cores it is that benchmark on every
// core at once, which is slower per core on a machine whose cores share a
// host, caches or memory bandwidth. rate and steps are per core.
func benchSessions(sc *scenario.Scenario, cores int, n uint64, min time.Duration) (*loopRate, error) {
	prep, err := session.Prepare(sc)
	if err != nil {
		return nil, err
	}
	orders := [][]string{{"boulware", "conceder"}, {"conceder", "boulware"}}
	if len(prep.Seats) != 2 {
		orders = [][]string{{"boulware"}} // one spec for every seat
	}
	type result struct {
		n, steps uint64
		err      error
	}
	results := make([]result, cores)
	var next atomic.Uint64 // the first session of the next block
	var ready, wg sync.WaitGroup
	ready.Add(cores)
	startc := make(chan time.Time)
	for g := range cores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[g]
			var rs []*session.Runner
			for _, negs := range orders {
				r, err := session.NewRunner(session.Config{Prepared: prep, Negotiators: negs, Deadline: protocol.Deadline{Rounds: 100}})
				if err != nil {
					res.err = err
					ready.Done()
					<-startc
					return
				}
				rs = append(rs, r)
			}
			for i := range uint64(1000) { // warm up
				rs[i%uint64(len(rs))].Play(tournament.SessionSeed(1, i))
			}
			ready.Done()
			start := <-startc
			// Counts stay in locals until the end: the results sit side
			// by side, and writing them after every session would have
			// the goroutines contend for one cache line.
			var played, steps uint64
			defer func() { res.n, res.steps = played, steps }()
			// The goroutines take blocks of 1000 sessions as they go, as
			// a tournament's workers take chunks: when one core runs
			// slower than the other (a busy host), the faster takes more
			// blocks instead of waiting for it at the end.
			for {
				lo := next.Add(1000) - 1000
				if lo >= n && time.Since(start) >= min {
					return
				}
				for k := lo; k < lo+1000; k++ {
					o, err := rs[k%uint64(len(rs))].Play(tournament.SessionSeed(1, k))
					if err != nil {
						res.err = err
						return
					}
					steps += uint64(o.Steps)
					played++
				}
			}
		}()
	}
	ready.Wait()
	start, cpu0 := time.Now(), rusage.CPU()
	for range cores {
		startc <- start
	}
	wg.Wait()
	s, cpu := time.Since(start).Seconds(), (rusage.CPU() - cpu0).Seconds()
	var played, st uint64
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		played, st = played+r.n, st+r.steps
	}
	c := float64(cores)
	return &loopRate{rate: float64(played) / s / c, steps: float64(st) / s / c, perCPU: float64(played) / cpu, seats: len(prep.Seats)}, nil
}

// benchTournament runs a Laptop-style tournament of n sessions into a new
// store and returns sessions per wall second and per CPU second.
func benchTournament(domain, dir string, n uint64, workers int, seats int) (rate, perCPU float64, err error) {
	spec := filepath.Join(dir, fmt.Sprintf("bench-%d.yaml", workers))
	// The spec lives in dir: the scenario's path must not be relative.
	if domain, err = filepath.Abs(domain); err != nil {
		return 0, 0, err
	}
	// The loop's sessions: both seat orders of Boulware and Conceder, or
	// Boulware in every seat of a scenario of more or fewer seats.
	negs, reps := "[boulware, conceder]\nrotation: distinct", (n+1)/2
	if seats != 2 {
		negs, reps = "[boulware]", n
	}
	text := fmt.Sprintf("name: bench\nseed: 1\nscenarios: [%q]\nnegotiators: %s\nrepetitions: %d\n", domain, negs, reps)
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		return 0, 0, err
	}
	s, err := tournament.LoadSpec(spec)
	if err != nil {
		return 0, 0, err
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		return 0, 0, err
	}
	db := filepath.Join(dir, fmt.Sprintf("bench-%d.db", workers))
	os.Remove(db)
	st, err := store.Create(db, p, []byte(text), version)
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()
	if _, err := p.Scenarios[0].Prepared(); err != nil {
		return 0, 0, err
	}
	cpu0 := rusage.CPU()
	stats, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: workers})
	if err != nil {
		return 0, 0, err
	}
	cpu := rusage.CPU() - cpu0
	return float64(stats.Committed) / stats.Elapsed.Seconds(), float64(stats.Committed) / cpu.Seconds(), nil
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// median returns the middle value of xs (the mean of the two middle ones
// for an even count).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
