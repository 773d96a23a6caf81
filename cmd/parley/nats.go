package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/internal/rusage"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/cluster"
	"github.com/parleyhq/parley/tournament/store"
)

// NATSFlags make parley tournament and parley analyze --what-if a
// coordinator of workers on other machines (docs/scale-out.md).
type NATSFlags struct {
	NATS       string        `name:"nats" placeholder:"URL" help:"Play the sessions (or draw the sensitivity samples) on workers through NATS JetStream at URL: run 'parley worker --nats URL' on each machine (docs/scale-out.md)."`
	Shard      uint64        `name:"shard" placeholder:"N" help:"With --nats: the most sessions, or samples, of a shard (default 4096 sessions; a 256th of the samples)."`
	AckWait    time.Duration `name:"ack-wait" default:"30s" help:"With --nats: how long a worker may hold a shard without a word before another gets it."`
	MaxDeliver int           `name:"max-deliver" default:"3" help:"With --nats: how many times a shard is handed out before it is recorded as failed."`
	Replicas   int           `name:"nats-replicas" default:"1" help:"With --nats: the replicas of parley's streams in a NATS cluster."`
}

// options are the coordinator's options.
func (f NATSFlags) options() cluster.Options {
	return cluster.Options{Settings: cluster.Settings{AckWait: f.AckWait, MaxDeliver: f.MaxDeliver, Replicas: f.Replicas},
		ShardSize: f.Shard, Version: version}
}

// coordinate plays the tournament on workers through NATS into st, with
// progress on stderr (per worker in the lines mode), and says at the end
// what each worker did and what the coordinator's own work cost.
func (c *TournamentRunCmd) coordinate(ctx context.Context, e env, plan *tournament.Plan, source []byte, st *store.Store, done tournament.Bitset, prog *progress) (tournament.Stats, error) {
	nc, err := cluster.Connect(c.NATS, "parley coordinator")
	if err != nil {
		return tournament.Stats{}, err
	}
	defer nc.Close()
	opts := c.options()
	opts.Log, opts.HereWorkers = e.stderr, c.Workers
	var (
		last  time.Time
		mu    sync.Mutex
		rates = "workers: none yet"
		line  *mpb.Bar
	)
	if prog.p != nil {
		// A line under the bar with each worker's rate.
		line = prog.p.New(0, mpb.NopStyle(), mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			mu.Lock()
			defer mu.Unlock()
			return rates
		})))
	}
	opts.Progress = func(p *cluster.Progress) {
		mu.Lock()
		rates = "workers: " + workerRates(p.Workers)
		mu.Unlock()
		prog.update(p.Done)
		// The lines mode says each worker's rate as soon as sessions
		// are recorded, then every 5s.
		if prog.lines && p.Done > 0 && time.Since(last) >= 5*time.Second {
			last = time.Now()
			fmt.Fprintln(e.stderr, rates)
		}
	}
	cpu := rusage.CPU()
	stats, err := cluster.Tournament(ctx, nc, plan, source, c.Spec, st, done, opts)
	cpu = rusage.CPU() - cpu
	if line != nil {
		line.Abort(false)
	}
	prog.finish(err == nil)
	if len(stats.PerWorker) > 0 {
		writeWorkers(e.stderr, stats.PerWorker, "sessions")
	}
	if stats.Committed > 0 {
		fmt.Fprintf(e.stderr, "coordinator CPU %.3gs: %.3gs per 10^5 sessions; %d sessions sent twice were dropped\n",
			cpu.Seconds(), cpu.Seconds()*1e5/float64(stats.Committed), stats.Duplicates)
	}
	if err == nil && len(stats.FailedShards) > 0 {
		n := uint64(0)
		for _, f := range stats.FailedShards {
			n += f.Sessions()
		}
		err = errFailedShards{len(stats.FailedShards), n}
	}
	return stats.Stats, err
}

// errFailedShards ends a distributed tournament some of whose shards no
// worker could play (the report lists them).
type errFailedShards struct {
	shards   int
	sessions uint64
}

func (e errFailedShards) Error() string {
	return fmt.Sprintf("%d shards (%d sessions) could not be played by any worker: they are not recorded (the report says why); run the same command again to retry them", e.shards, e.sessions)
}

// workerRates is each worker's throughput, on one line.
func workerRates(ws []cluster.WorkerStats) string {
	var parts []string
	for i := range ws {
		parts = append(parts, fmt.Sprintf("%s %.0f/s", ws[i].ID, ws[i].Rate()))
	}
	if len(parts) == 0 {
		return "none yet"
	}
	return strings.Join(parts, ", ")
}

// writeWorkers writes what each worker did; unit is what it played
// (sessions or samples).
func writeWorkers(w io.Writer, ws []cluster.WorkerStats, unit string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "worker\tshards\t%s\tcopies dropped\t%[1]s/s\tbusy\n", unit)
	for i := range ws {
		x := &ws[i]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.3gs\n", x.ID, x.Shards, x.Sessions, x.Duplicates, x.Rate(), x.Busy.Seconds())
	}
	tw.Flush()
}

// distribute makes the sensitivity analysis draw its samples on workers
// through NATS.
func (c *AnalyzeCmd) distribute(e env, opts *analysis.SensitivityOptions) (func(), error) {
	data, err := safeio.ReadFile(c.Path)
	if err != nil {
		return nil, err
	}
	nc, err := cluster.Connect(c.NATS, "parley analyze")
	if err != nil {
		return nil, err
	}
	copts := c.options()
	copts.Log = e.stderr
	opts.Distribute = func(o analysis.SensitivityOptions) ([]*analysis.SensitivityPart, error) {
		ctx, stop := signalContext(e)
		defer stop()
		// The sweep reports to the command's budget as drawing the
		// samples here does: its progress (with each worker's rate) and,
		// stopped by --max-time, how far it got.
		step := fmt.Sprintf("the sensitivity analysis (%s samples) on workers", budget.Thousands(uint64(o.Samples)))
		defer e.b.End(step)
		var last cluster.Progress
		at := func() string { return budget.Thousands(last.Done) + " done" }
		copts.Progress = func(p *cluster.Progress) {
			last = *p
			e.b.Report(budget.Progress{Step: step, Detail: at() + "; workers: " + workerRates(p.Workers), Done: int64(p.Done), Total: int64(p.Total)})
		}
		cpu := rusage.CPU()
		parts, err := cluster.Sweep(ctx, nc, data, c.Path, o, copts)
		cpu = rusage.CPU() - cpu
		if len(last.Workers) > 0 {
			writeWorkers(e.stderr, last.Workers, "samples")
		}
		fmt.Fprintf(e.stderr, "sensitivity on workers: %d of %d samples drawn, coordinator CPU %.3gs\n", last.Done, o.Samples, cpu.Seconds())
		if err != nil && ctx.Err() != nil {
			if cause := e.b.Err(); cause != nil {
				return nil, &budget.Exceeded{Step: step, At: at(), Cause: cause} // --max-time, --max-memory
			}
			return nil, fmt.Errorf("interrupted: %s of %d samples were drawn, and are lost (a sweep does not resume)", budget.Thousands(last.Done), o.Samples)
		}
		return parts, err
	}
	return nc.Close, nil
}

// signalContext ends on Ctrl-C or SIGTERM, or with the command's budget
// (--max-time, --max-memory).
func signalContext(e env) (context.Context, context.CancelFunc) {
	parent := context.Background()
	if e.b != nil {
		parent = e.b.Context
	}
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

// WorkerCmd plays the shards coordinators queue on NATS.
type WorkerCmd struct {
	NATS        string `name:"nats" required:"" placeholder:"URL" help:"The NATS server(s) with JetStream, as the coordinators' --nats."`
	Concurrency int    `short:"c" help:"Shards played at once (default: the number of CPUs)."`
	ID          string `help:"The worker's name in coordinators' progress and reports (default: host-pid)."`
	Cache       string `type:"path" help:"Folder for the jobs' spec and scenario files (default: the user's cache folder, parley/worker)."`
	AgentDir    string `name:"agent-dir" type:"path" default:"." help:"Folder where cmd: agents run: their programs' relative paths start there, as at the spec's folder on the coordinator."`
	Quiet       bool   `short:"q" help:"Print no line per shard taken and finished (nor its errors, which coordinators print)."`
	LLMFlags
}

// Run implements parley worker.
func (c *WorkerCmd) Run(e env) error {
	pool, closePool, err := c.pool()
	if err != nil {
		return err
	}
	defer closePool()
	if c.Cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no cache folder (%v): give one with --cache", err)
		}
		c.Cache = dir + string(os.PathSeparator) + "parley" + string(os.PathSeparator) + "worker"
	}
	if c.ID == "" {
		c.ID = cluster.DefaultWorkerID()
	}
	nc, err := cluster.Connect(c.NATS, "parley worker "+c.ID)
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx, stop := signalContext(e)
	defer stop()
	opts := cluster.WorkerOptions{ID: c.ID, Concurrency: c.Concurrency, Cache: c.Cache, AgentDir: c.AgentDir,
		Dialer: dialer(pool.Kind()), Version: version}
	if !c.Quiet {
		opts.Log = e.stderr
	}
	return cluster.Work(ctx, nc, opts)
}
