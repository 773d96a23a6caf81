package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/rusage"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/tournament/cluster"
)

var scaleOutSessions = flag.Int("scaleout.sessions", 100_000, "sessions of BenchmarkScaleOut's tournament")

// BenchmarkScaleOut gives the figures of docs/scale-out.md and the
// README's table: a Laptop tournament of Boulware against Conceder (100
// rounds, both seat orders; with -scaleout.sessions 1000000 the sessions
// of examples/tournament-laptop-million.yaml) played by parley tournament
// alone ("local", one worker goroutine per CPU), and by parley tournament
// --nats on 1, 2 and 4 parley worker processes of one shard at a time
// ("workers=PxC": P processes of -c C) and on one process of two. Every
// parley is a process of its own; nats-server runs in the benchmark's
// process. Metrics: sessions/s and the coordinator's CPU seconds per 10^5
// sessions, as the coordinator prints them; the CPU per session of the
// local run, of the workers, and of nats-server (the benchmark process's
// CPU while the coordinator runs). Run the rounds in turn, so that a
// machine shared with other work slows every kind alike:
//
//	go test ./cmd/parley -run '^$' -bench ScaleOut -benchtime 1x -count 3 -scaleout.sessions 1000000
func BenchmarkScaleOut(b *testing.B) {
	laptop, ok := shared.Path("domains", "ANAC2011_Laptop")
	if !ok {
		b.Skip("../shared/domains is absent")
	}
	dir := b.TempDir()
	spec := filepath.Join(dir, "scale-out.yaml")
	text := fmt.Sprintf("name: laptop-scale-out\nseed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nprotocol: saop\n"+
		"deadline: {rounds: 100}\nrotation: distinct\nrepetitions: %d\n", laptop, max(1, *scaleOutSessions/2))
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	runs := 0
	db := func() string { runs++; return filepath.Join(dir, fmt.Sprintf("run%d.db", runs)) }

	b.Run("local", func(b *testing.B) {
		var sessions, cpu float64
		var took time.Duration
		for b.Loop() {
			p := startParley(b, nil, "tournament", spec, "--db", db(), "-q")
			if err := <-p.done; err != nil {
				b.Fatalf("%v: %s", err, p.stderr)
			}
			p.done <- nil
			n, d := runFigures(b, p.stderr.String())
			sessions, took = sessions+n, took+d
			cpu += (p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()).Seconds()
		}
		b.ReportMetric(sessions/took.Seconds(), "sessions/s")
		b.ReportMetric(cpu*1e9/sessions, "cpu-ns/session")
	})

	n := newTestNATS(b)
	nc, err := cluster.Connect(n.url(), "benchmark")
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	// Set up ahead, so that workers take shards as soon as they start.
	if err := cluster.Setup(context.Background(), nc, cluster.Settings{}); err != nil {
		b.Fatal(err)
	}
	coordCPU := regexp.MustCompile(`coordinator CPU ([0-9.e+-]+)s`)
	for _, cfg := range [][2]int{{1, 1}, {2, 1}, {4, 1}, {1, 2}} {
		procs, conc := cfg[0], cfg[1]
		b.Run(fmt.Sprintf("workers=%dx%d", procs, conc), func(b *testing.B) {
			var sessions, coord, workers, nats float64
			var took time.Duration
			for b.Loop() {
				var ws []*parleyProc
				for i := range procs {
					ws = append(ws, startParley(b, nil, "worker", "--nats", n.url(), "-c", strconv.Itoa(conc),
						"--id", fmt.Sprintf("w%d", i+1), "--cache", filepath.Join(dir, "cache")))
				}
				for _, w := range ws {
					if !waitFor(func() bool { return strings.Contains(w.stderr.String(), "taking shards") }) {
						b.Fatalf("a worker did not start: %s", w.stderr)
					}
				}
				cpu0 := rusage.CPU()
				c := startParley(b, nil, "tournament", spec, "--db", db(), "--nats", n.url(), "-q")
				if err := <-c.done; err != nil {
					b.Fatalf("%v: %s", err, c.stderr)
				}
				c.done <- nil
				nats += (rusage.CPU() - cpu0).Seconds()
				out := c.stderr.String()
				k, d := runFigures(b, out)
				sessions, took = sessions+k, took+d
				m := coordCPU.FindStringSubmatch(out)
				if m == nil {
					b.Fatalf("no coordinator CPU in %s", out)
				}
				x, _ := strconv.ParseFloat(m[1], 64)
				coord += x
				for _, w := range ws {
					w.cmd.Process.Signal(syscall.SIGTERM)
				}
				for _, w := range ws {
					<-w.done
					w.done <- nil
					workers += (w.cmd.ProcessState.UserTime() + w.cmd.ProcessState.SystemTime()).Seconds()
				}
			}
			b.ReportMetric(sessions/took.Seconds(), "sessions/s")
			b.ReportMetric(coord*1e5/sessions, "coord-cpu-s/1e5")
			b.ReportMetric(workers*1e9/sessions, "workers-cpu-ns/session")
			b.ReportMetric(nats*1e9/sessions, "nats-cpu-ns/session")
		})
	}
}

// runFigures reads the sessions and the time of a tournament run from
// the line parley tournament ends it with ("N sessions in Xs (...").
func runFigures(b *testing.B, stderr string) (sessions float64, took time.Duration) {
	b.Helper()
	m := regexp.MustCompile(`([0-9]+) sessions in ([0-9.e+-]+)s \(`).FindStringSubmatch(stderr)
	if m == nil {
		b.Fatalf("no run line in %s", stderr)
	}
	sessions, _ = strconv.ParseFloat(m[1], 64)
	s, _ := strconv.ParseFloat(m[2], 64)
	return sessions, time.Duration(s * float64(time.Second))
}
