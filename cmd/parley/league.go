package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/league"
)

// LeagueCmd runs an Automated Negotiation League.
type LeagueCmd struct {
	League      string   `arg:"" name:"league" enum:"anl2024,anl2026" help:"anl2024 (scored by advantage) or anl2026 (advantage plus the concealment of each agent's opponent model)."`
	Scenarios   int      `default:"50" help:"Scenarios to generate (ANL 2024's mix)."`
	Repetitions int      `default:"5" help:"Repetitions of every pairing on every scenario."`
	Seed        uint64   `default:"0" help:"League seed: the same seed makes the same scenarios, rounds and sessions."`
	Negotiators []string `short:"n" sep:"," help:"The negotiators (built-in strategy specs; default: ANL 2024's baselines rvfitter, nashseeker, micro, boulware, conceder, linear)."`
	Dir         string   `help:"The league's folder (scenarios, tournament specs, one results store per scenario); default: LEAGUE-seed-SEED in the current folder. Run again to resume." type:"path"`
	Workers     int      `short:"w" help:"Goroutines playing sessions (default: the number of CPUs)."`
	JSON        bool     `help:"Print the table as JSON."`
	Progress    string   `default:"auto" enum:"auto,bar,lines,none" help:"Progress on stderr: auto (a bar on a terminal, else nothing), bar, lines or none."`
}

// Run implements parley league.
func (c *LeagueCmd) Run(e env) error {
	if c.Scenarios < 1 || c.Repetitions < 1 {
		return fmt.Errorf("--scenarios and --repetitions must be at least 1")
	}
	if c.Dir == "" {
		c.Dir = fmt.Sprintf("%s-seed-%d", c.League, c.Seed)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	negs := c.Negotiators
	if len(negs) == 0 {
		negs = league.ANL2024.Negotiators
	}
	n := len(negs)
	prog := newProgress(e.stderr, c.Progress, uint64(c.Scenarios*n*n*c.Repetitions), 0)
	t, err := league.Run(ctx, league.Config{League: c.League, Dir: c.Dir, Scenarios: c.Scenarios, Repetitions: c.Repetitions,
		Seed: c.Seed, Negotiators: negs, Workers: c.Workers, Version: version, Progress: func(done, total uint64) { prog.update(done) }})
	prog.finish(err == nil)
	if err != nil {
		return err
	}
	if t.Played < t.Sessions {
		fmt.Fprintf(e.stderr, "%d of %d sessions were already recorded in %s\n", t.Sessions-t.Played, t.Sessions, c.Dir)
	}
	if c.JSON {
		return writeJSON(e.stdout, t)
	}
	return t.WriteText(printable.Writer(e.stdout))
}
