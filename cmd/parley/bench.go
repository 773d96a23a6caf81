package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
	Min      time.Duration `default:"1s" help:"Minimum time of each single-session measurement."`
	Frontier bool          `default:"true" negatable:"" help:"Time the Pareto frontier on domains of 27 to 10^7 outcomes."`
	Dir      string        `help:"Folder for the tournament databases (default: a temporary folder, removed after)." type:"path"`
}

type benchRow struct{ what, figure, note string }

// Run implements parley bench.
func (c *BenchCmd) Run(e env) error {
	w := e.stdout
	fmt.Fprintf(w, "parley bench (%s)\n", version)
	fmt.Fprintf(w, "machine: %s, %d cores (GOMAXPROCS %d), %s %s/%s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)

	laptop, car := filepath.Join(c.Domains, "ANAC2011_Laptop"), filepath.Join(c.Domains, "ANAC2011_Car")
	if _, err := os.Stat(laptop); err != nil {
		ex := filepath.Join("examples", "ukraine-2025.yaml")
		if _, err2 := os.Stat(ex); err2 != nil {
			return fmt.Errorf("the reference domains are not at %s (give --domains), and no examples folder is here to fall back on", c.Domains)
		}
		fmt.Fprintf(w, "NOTE: the reference domains are not at %s (give --domains); measuring %s instead, so the figures are not comparable with the README's.\n\n", c.Domains, ex)
		laptop, car = ex, ""
	}
	var rows []benchRow
	add := func(what, figure, note string) {
		rows = append(rows, benchRow{what, figure, note})
		fmt.Fprintf(e.stderr, "  %s: %s\n", what, figure)
	}

	// 1. One session after another on one core: the reference figure. It
	// plays the tournament's sessions (both seat orders, the tournament's
	// seeds): Boulware as the seller takes longer than as the buyer, so the
	// mix matters.
	single := map[string]*loopRate{}
	for _, d := range []string{laptop, car} {
		if d == "" {
			continue
		}
		sc, err := open.Path(d)
		if err != nil {
			return err
		}
		l, err := benchSessions(sc, c.Min)
		if err != nil {
			return err
		}
		single[d] = l
		add(fmt.Sprintf("session loop, %s, boulware vs conceder in both seat orders, saop 100 rounds", sc.Name),
			fmt.Sprintf("%.0f sessions/s, %.3g steps/s", l.rate, l.steps), fmt.Sprintf("%.2f µs/session, %.1f steps/session, 1 core, no storage; %.0f sessions per CPU-second", 1e6/l.rate, l.steps/l.rate, l.perCPU))
	}

	// 2. Tournaments into SQLite with 1 and 2 workers.
	dir := c.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "parley-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	for _, d := range []string{laptop, car} {
		if d == "" {
			continue
		}
		n := c.Sessions
		if d == car {
			n = max(c.Sessions/4, 1000) // Car sessions are about 4 times longer
		}
		sc, err := open.Path(d)
		if err != nil {
			return err
		}
		for _, workers := range []int{1, 2} {
			// The loop again, just before: other processes' load on the
			// machine changes from minute to minute.
			l, err := benchSessions(sc, c.Min)
			if err != nil {
				return err
			}
			rate, cpu, err := benchTournament(d, dir, n, workers)
			if err != nil {
				return err
			}
			eff := rate / float64(min(workers, runtime.NumCPU())) / l.rate
			add(fmt.Sprintf("tournament, %s, %d sessions into SQLite, %d worker(s)", filepath.Base(d), n, workers),
				fmt.Sprintf("%.0f sessions/s", rate),
				fmt.Sprintf("%.0f%% of the session loop per worker (loop just before: %.0f sessions/s); %.0f sessions per CPU-second (%.0f%% of the loop's: the rest is the writer and the hand-over)",
					100*eff, l.rate, cpu, 100*cpu/l.perCPU))
		}
	}

	// 3. Pareto frontiers.
	if c.Frontier {
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
			for i := range sc.Parties {
				if sc.Parties[i].Role != "mediator" {
					us = append(us, sc.Utility(i))
				}
			}
			sp := sc.Space()
			size, _ := sp.Size()
			start := time.Now()
			f, err := analysis.Frontier(us, sp, analysis.Options{})
			el := time.Since(start)
			if err != nil {
				add("frontier "+d, "-", err.Error())
				continue
			}
			add(fmt.Sprintf("Pareto frontier, %s (%d outcomes, %d parties)", d, size, len(us)),
				fmt.Sprintf("%.3g s", el.Seconds()), fmt.Sprintf("%d frontier points", len(f.Points)))
		}
	}

	rows = append(rows, benchRow{"peak memory of this process (getrusage)", fmt.Sprintf("%.1f MB", rusage.PeakRSS()), "resident set, all of the above"})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tfigure\tnote")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.what, r.figure, r.note)
	}
	return tw.Flush()
}

type loopRate struct{ rate, steps, perCPU float64 }

// benchSessions plays Boulware against Conceder on sc for at least min,
// alternating the seat orders, with the seeds of a tournament of seed 1:
// the sessions the tournaments below play, one after another.
func benchSessions(sc *scenario.Scenario, min time.Duration) (*loopRate, error) {
	prep, err := session.Prepare(sc)
	if err != nil {
		return nil, err
	}
	orders := [][]string{{"boulware", "conceder"}, {"conceder", "boulware"}}
	if len(prep.Seats) != 2 {
		orders = [][]string{{"boulware"}}
	}
	var rs []*session.Runner
	for _, negs := range orders {
		r, err := session.NewRunner(session.Config{Prepared: prep, Negotiators: negs, Deadline: protocol.Deadline{Rounds: 100}})
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	for i := range uint64(1000) { // warm up
		rs[i%uint64(len(rs))].Play(tournament.SessionSeed(1, i))
	}
	n, st := uint64(0), 0
	start, cpu0 := time.Now(), rusage.CPU()
	for time.Since(start) < min {
		for range 1000 {
			o, err := rs[n%uint64(len(rs))].Play(tournament.SessionSeed(1, n))
			if err != nil {
				return nil, err
			}
			st += o.Steps
			n++
		}
	}
	s, cpu := time.Since(start).Seconds(), (rusage.CPU() - cpu0).Seconds()
	return &loopRate{rate: float64(n) / s, steps: float64(st) / s, perCPU: float64(n) / cpu}, nil
}

// benchTournament runs a Laptop-style tournament of n sessions into a new
// store and returns sessions per wall second and per CPU second.
func benchTournament(domain, dir string, n uint64, workers int) (rate, perCPU float64, err error) {
	spec := filepath.Join(dir, fmt.Sprintf("bench-%d.yaml", workers))
	negs := "[boulware, conceder]"
	text := fmt.Sprintf("name: bench\nseed: 1\nscenarios: [%q]\nnegotiators: %s\nrotation: distinct\nrepetitions: %d\n", domain, negs, (n+1)/2)
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
