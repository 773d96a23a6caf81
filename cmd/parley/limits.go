package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/budget"
)

// Limits are the flags that bound every command: a deadline, a memory
// ceiling, both turned into a budget.Budget for the core (which reads no
// clock: it polls the context and checks its own estimates).
type Limits struct {
	MaxTime   time.Duration `name:"max-time" env:"PARLEY_MAX_TIME" placeholder:"DURATION" help:"Stop the command once it has run this long (e.g. 30s, 10m), saying where it stopped; 0, the default, sets no deadline: a Pareto frontier then stops after ${max_checks} dominance checks (tens of seconds), at the same place on every machine."`
	MaxMemory byteSize      `name:"max-memory" env:"PARLEY_MAX_MEMORY" placeholder:"SIZE" default:"${default_max_memory}" help:"Stop the command once it holds this much memory (e.g. 500MB, 4GB), and refuse at once a step whose own estimate passes it; the default, ${default_max_memory}, is half this machine's memory. 0: no ceiling."`
}

// maxChecks is the frontier's work limit for analysis.Options: the
// default, deterministic one, unless a deadline bounds the command.
func (l *Limits) maxChecks() int64 {
	if l != nil && l.MaxTime > 0 {
		return -1
	}
	return 0
}

// byteSize is a size in bytes given as 500MB, 4GB, 2GiB, 1e9 or 0.
type byteSize int64

func (b *byteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	num := strings.TrimRightFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' })
	unit := strings.ToUpper(strings.TrimSpace(s[len(num):]))
	mult := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
		"G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}[unit]
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || mult == 0 || x < 0 || math.IsInf(x, 0) || x*mult > math.MaxInt64/2 {
		return fmt.Errorf("%q is not a size; give one such as 500MB, 4GB or 0 (no ceiling)", s)
	}
	*b = byteSize(x * mult)
	return nil
}

func (b byteSize) String() string { return budget.Bytes(float64(b)) }

// defaultMaxMemory is half of this machine's memory (or of its cgroup's
// limit, when lower), 4 GB where neither is known.
func defaultMaxMemory() string {
	total := physicalMemory()
	if total <= 0 {
		return "4GB"
	}
	return fmt.Sprintf("%dMB", total/2>>20)
}

// physicalMemory reads MemTotal from /proc/meminfo and the cgroup v2 limit
// (Linux); 0 elsewhere.
func physicalMemory() int64 {
	var total int64
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(rest)
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && len(f) == 2 && f[1] == "kB" {
					total = kb << 10
				}
			}
		}
	}
	if data, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if lim, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && lim > 0 && (total == 0 || lim < total) {
			total = lim
		}
	}
	return total
}

func limitVars() map[string]string {
	return map[string]string{
		"default_max_memory": defaultMaxMemory(),
		"max_checks":         budget.Count(analysis.DefaultMaxChecks),
	}
}

// limitHit is the cause of a command's context when a limit stops it.
type limitHit struct {
	flag  string        // --max-time or --max-memory
	limit string        // the flag's value, as given
	after time.Duration // how long the command had run
	used  float64       // bytes held, for --max-memory
}

func (l *limitHit) Error() string {
	if l.flag == "--max-memory" {
		return fmt.Sprintf("stopped after %s at %s held (%s %s)", seconds(l.after), budget.Bytes(l.used), l.flag, l.limit)
	}
	return fmt.Sprintf("stopped after %s (%s %s)", seconds(l.after), l.flag, l.limit)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s" }

// watch is one command's budget: its context, the memory watchdog, the
// progress lines and the hard stop that follows a limit the command does
// not heed in time.
type watch struct {
	limits   *Limits
	b        *budget.Budget
	start    time.Time
	cancel   context.CancelCauseFunc
	done     chan struct{}
	wg       sync.WaitGroup
	progress *stepLog
	exit     func(int) // the hard stop; nil for none
	stderr   io.Writer
	command  string // the command's name, for the hard stop's message
	// stopTimer releases the deadline's timer (nil without --max-time).
	stopTimer context.CancelFunc
	oldLimit  int64 // the runtime's memory limit before the command
}

// hardStopGrace is how long a command may take to return once a limit has
// stopped it, before the process exits: every costly step of the core
// polls its context far more often, but a step that does not (a session's
// loop, a forecast model) is stopped this way.
const hardStopGrace = 3 * time.Second

// memoryPoll is how often the watchdog reads the runtime's memory figures.
const memoryPoll = 10 * time.Millisecond

// startWatch sets up the command's budget from its limits.
func startWatch(command string, l *Limits, stderr io.Writer, showProgress bool, exit func(int)) *watch {
	w := &watch{limits: l, start: time.Now(), done: make(chan struct{}), exit: exit, stderr: stderr, command: command}
	ctx, cancel := context.WithCancelCause(context.Background())
	w.cancel = cancel
	if l.MaxTime > 0 {
		// The deadline is the context's own, so that code which asks it
		// (ctx.Deadline) sees it; the watchdog cancels for memory.
		ctx, w.stopTimer = context.WithTimeoutCause(ctx, l.MaxTime, &limitHit{flag: "--max-time", limit: l.MaxTime.String(), after: l.MaxTime})
	}
	w.b = &budget.Budget{Context: ctx, Memory: int64(l.MaxMemory)}
	if showProgress {
		w.progress = newStepLog(stderr, w.start)
		w.b.Progress = w.progress.set
	}
	w.oldLimit = -1
	if l.MaxMemory > 0 {
		// The runtime collects harder as it nears the ceiling, so that
		// garbage does not trip the watchdog; the watchdog stops the
		// command when what it holds passes the ceiling.
		w.oldLimit = debug.SetMemoryLimit(int64(float64(l.MaxMemory) * 0.9))
	}
	w.wg.Add(1)
	go w.loop()
	return w
}

// loop is the watchdog: it stops the command at the deadline or when its
// memory passes the ceiling, prints progress, and exits the process if
// the command does not return within hardStopGrace of a stop.
func (w *watch) loop() {
	defer w.wg.Done()
	tick := time.NewTicker(memoryPoll)
	defer tick.Stop()
	stopped := w.b.Context.Done()
	var stoppedAt time.Time
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	for {
		select {
		case <-w.done:
			return
		case <-stopped:
			stoppedAt, stopped = time.Now(), nil // the deadline, or the watchdog below
		case now := <-tick.C:
			if w.progress != nil {
				w.progress.tick(now)
			}
			if w.limits.MaxMemory > 0 {
				metrics.Read(samples)
				held := float64(samples[0].Value.Uint64() - samples[1].Value.Uint64())
				switch {
				case held > float64(w.limits.MaxMemory) && w.b.Context.Err() == nil:
					w.cancel(&limitHit{flag: "--max-memory", limit: w.limits.MaxMemory.String(), after: now.Sub(w.start), used: held})
				case held > 1.1*float64(w.limits.MaxMemory) && !stoppedAt.IsZero():
					// Still allocating after the stop: do not wait.
					w.hardStop()
					return
				}
			}
			if !stoppedAt.IsZero() && now.Sub(stoppedAt) > hardStopGrace {
				w.hardStop()
				return
			}
		}
	}
}

// hardStop ends a command that did not heed its stop, with what it was
// doing.
func (w *watch) hardStop() {
	if w.exit == nil {
		return
	}
	msg := context.Cause(w.b.Context).Error()
	if w.progress != nil {
		if p := w.progress.last(); p.Step != "" {
			msg += " while computing " + describe(p)
		}
	}
	fmt.Fprintf(w.stderr, "parley: %s %s; %s\n", w.command, msg, raise(context.Cause(w.b.Context)))
	w.exit(1)
}

// finish ends the watch when the command returns (ok: without an error).
func (w *watch) finish(ok bool) {
	close(w.done)
	w.wg.Wait()
	w.cancel(nil)
	if w.stopTimer != nil {
		w.stopTimer()
	}
	if w.oldLimit >= 0 {
		debug.SetMemoryLimit(w.oldLimit)
	}
	if w.progress != nil && ok {
		w.progress.finish(time.Now())
	}
}

// describe renders a progress report as a clause.
func describe(p budget.Progress) string {
	if p.Detail == "" {
		return p.Step
	}
	return p.Step + " (" + p.Detail + ")"
}

// raise is the advice that ends a message about a limit.
func raise(cause error) string {
	var l *limitHit
	switch {
	case errors.As(cause, &l) && l.flag == "--max-memory":
		return "raise --max-memory (or 0 for no ceiling)"
	case errors.As(cause, &l):
		return "raise --max-time (or 0 for no deadline)"
	case errors.Is(cause, budget.ErrMemory):
		return "raise --max-memory (or 0 for no ceiling)"
	case errors.Is(cause, budget.ErrWork):
		return "give --max-time (such as --max-time 10m) to let a deadline bound it instead"
	}
	return ""
}

// stopMessage rewrites an error that a limit caused for people, the cause
// first: "stopped after 10.0s (--max-time 10s): the Pareto frontier of 3
// parties over 10^12 outcomes (issue 8 of 12, ...); raise --max-time".
// ok is false for other errors.
func stopMessage(err error, l *Limits) (msg string, ok bool) {
	var ex *budget.Exceeded
	if !errors.As(err, &ex) {
		return "", false
	}
	where := ""
	if ex.At != "" {
		where = " (" + ex.At + ")"
	}
	var hit *limitHit
	switch {
	case errors.As(ex.Cause, &hit):
		return fmt.Sprintf("%s: %s%s; %s", hit.Error(), ex.Step, where, raise(hit)), true
	case errors.Is(ex.Cause, budget.ErrMemory):
		return fmt.Sprintf("%s needs about %s%s, more than --max-memory %s; %s", ex.Step, budget.Bytes(ex.Need), where, l.MaxMemory, raise(ex.Cause)), true
	case errors.Is(ex.Cause, budget.ErrWork):
		if ex.Estimated {
			return fmt.Sprintf("%s would need about %s%s, more than its limit of %s; %s", ex.Step,
				budget.Amount(ex.Need, ex.Unit), where, budget.Count(ex.Limit), raise(ex.Cause)), true
		}
		return fmt.Sprintf("%s stopped at its limit of %s%s; %s", ex.Step, budget.Amount(ex.Limit, ex.Unit), where, raise(ex.Cause)), true
	}
	return "", false
}
